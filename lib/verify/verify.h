/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * verify.h: the release gate.  Reads back everything a build wrote and
 * checks it against album.xml and against itself:
 *
 *  - the CD: the layout derived from album.xml again, the image's length
 *    and samples, each per-track file bit for bit against its slice of
 *    the image, the CUE and TOC read back by libcdio (starts, lead-out,
 *    ISRCs, MCN, flags), the first 150 frames digitally silent, the true
 *    peak under the CD's ceiling, loudness against its target;
 *  - the DDP: read back with every check of cd/ddp (sizes, PQ order, Red
 *    Book, CD-TEXT CRCs, checksums), the same disc as the layout, the
 *    same samples as the CD image, the same CD-TEXT as album.xml asks;
 *  - vinyl sides and streaming files: present, in the format, rate and
 *    depth asked, WAV files not WAVE_FORMAT_EXTENSIBLE, loudness against
 *    the target (libebur128, the reference meter), true peak under the
 *    ceiling, leading and trailing silence, clipping, DC offset, side
 *    lengths, the spread of track loudness.
 *
 * Each finding carries a rule id (pm_verify_rule_ids) whose severity
 * album.xml may change (error, warning, ignore) and, for some, a value.
 */
#ifndef PM_VERIFY_H
#define PM_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "album/album.h"
#include "album/findings.h"
#include "util/err.h"

struct pm_measured {
	char *name;           /* relative to OUTDIR */
	double seconds;
	double lufs;          /* libebur128 */
	double range_lu;
	double true_peak_dbtp;
	double lead_silence_s, trail_silence_s;
	unsigned clipped_runs;
	double dc_db;
};

struct pm_deliverable {
	char name[40];          /* cd, vinyl, or the profile */
	bool present;
	bool has_target;
	double target_lufs;
	double ceiling_dbtp;
	double album_lufs;      /* libebur128, all files as one programme */
	size_t n;
	struct pm_measured *m; /* owned */
};

struct pm_verify {
	const struct pm_album *album; /* borrowed */
	const char *outdir;           /* borrowed */
	struct pm_findings findings;  /* owned */
	size_t ndeliv;
	struct pm_deliverable *deliv; /* owned */
	char image_md5[33];           /* the CD programme's samples */
	unsigned checks;              /* how many checks ran */
};

/*
 * Check what a build wrote to `outdir` for `album` (probed).  Findings
 * are collected, not logged.  Returns 0 when the checks ran (whatever
 * they found: see v->findings.errors), or -1 with `err` when they could not.
 */
int pm_verify_run(const struct pm_album *album, const char *outdir,
		  struct pm_verify *v, struct pm_err *err);

void pm_verify_release(struct pm_verify *v);

/* The reports. */
int pm_verify_write_text(FILE *fp, const struct pm_verify *v,
			 struct pm_err *err);
int pm_verify_write_json(FILE *fp, const struct pm_verify *v,
			 struct pm_err *err);
int pm_verify_write_html(FILE *fp, const struct pm_verify *v,
			 struct pm_err *err);

#endif
