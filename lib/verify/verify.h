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
 *    the target (premaster's BS.1770 meter, which the tests hold to
 *    libebur128, the reference), true peak under the
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
#include "album/targets.h"
#include "cd/pq.h"
#include "util/err.h"
#include "util/json.h"

struct pm_measured {
	char *name;           /* relative to OUTDIR */
	unsigned track;       /* the album track, 0: a side or none */
	int64_t samples;      /* frames */
	uint32_t rate;
	bool lossy;
	double peak_dbfs;
	/* against its master, where it should equal it */
	bool compared;
	int64_t samples_compared, master_differ, master_first_differ;
	float master_max_diff;
	double seconds;
	double lufs;          /* BS.1770, integrated */
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
	double album_lufs;      /* all files as one programme */
	size_t n;
	struct pm_measured *m; /* owned */
};

/* Octave bands for the tone picture: 31.5 Hz to 16 kHz. */
#define PM_VERIFY_BANDS 10

/* Curves have one value per 100 ms. */
#define PM_VERIFY_BLOCK_S 0.1

/* The filters of master's shared chain whose true-peak rise
 * analysis.json reports, in its order (verify_stage_names). */
#define PM_VERIFY_STAGES 4

/* The most stretches master logs per master (dsp/limiter.h). */
#define PM_VERIFY_LIMITING 32

/* A stretch of limiting: seconds into the master, depth in dB (> 0). */
struct pm_vlimit {
	double start_s, end_s, depth_db;
};

/* One target's master of one track, as verify measured it. */
struct pm_vmaster {
	bool present;
	double seconds, lufs, range_lu, true_peak_dbtp, peak_dbfs;
	double band_db[PM_VERIFY_BANDS]; /* long-term level per band */
	size_t nst;
	float *st;     /* short-term loudness per 100 ms (LUFS), owned */
	/*
	 * The limiter's log from analysis.json, when master wrote one
	 * (has_log): its stretches of more than 0.5 dB of reduction, in
	 * order, the deepest reduction and the time the stretches span.
	 */
	bool has_log;
	unsigned nlimiting;
	struct pm_vlimit limiting[PM_VERIFY_LIMITING];
	double max_gr_db, limited_s;
};

/* One album track: its source and its masters. */
struct pm_vtrack {
	bool source_read;
	double source_hum_hz;       /* mains hum found in the source, or 0 */
	double source_hum_db;       /* its level (dBFS) */
	double seconds, lufs, range_lu, true_peak_dbtp, peak_dbfs;
	double band_db[PM_VERIFY_BANDS];
	size_t nst;
	float *st;                  /* owned */
	struct pm_vmaster *masters; /* one per target, owned */
	/* from analysis.json: how much each filter of the shared chain
	 * raised the true peak (dB), for those it has */
	bool has_tp_added[PM_VERIFY_STAGES];
	double tp_added_db[PM_VERIFY_STAGES];
};

/* A vinyl side as delivered. */
struct pm_vside {
	char name[16];
	double seconds;
	size_t first, ntracks; /* album track indexes */
};

struct pm_verify {
	const struct pm_album *album; /* borrowed; NULL for --ddp */
	const char *outdir;           /* borrowed */
	struct pm_findings findings;  /* owned */
	size_t ndeliv;
	struct pm_deliverable *deliv; /* owned */
	char image_md5[33];           /* the CD programme's samples */
	unsigned checks;              /* how many checks ran */
	/* for the pictures */
	size_t ntargets;
	struct pm_target *targets;    /* owned */
	struct pm_vtrack *tracks;     /* album->ntracks, owned */
	bool has_disc;
	struct pm_disc disc;          /* the CD's layout */
	bool has_htoa;
	size_t nsides;
	struct pm_vside *sides;       /* owned */
	double side_warn_s, side_max_s;
	/* --ddp: the DDP read on its own */
	const char *ddp_dir;          /* borrowed */
	char *listing;                /* PQ listing and CD-TEXT, owned */
};

/*
 * Check what a build wrote to `outdir` for `album` (probed).  Findings
 * are collected, not logged.  Returns 0 when the checks ran (whatever
 * they found: see v->findings.errors), or -1 with `err` when they could not.
 */
int pm_verify_run(const struct pm_album *album, const char *outdir,
		  struct pm_verify *v, struct pm_err *err);

/*
 * Check the DDP in directory `dir` on its own, whoever wrote it: every
 * check of the DDP reader, every checksum list found beside it (a
 * warning when there is none), the byte order of its audio, the pause
 * before track 1.  Fills v->listing with the PQ listing and the decoded
 * CD-TEXT.  Returns 0 when the checks ran, or -1 with `err` when the DDP
 * cannot be read at all (PM_ENOINPUT: no DDPID or DDPMS).
 */
int pm_verify_ddp(const char *dir, struct pm_verify *v, struct pm_err *err);

void pm_verify_release(struct pm_verify *v);

/*
 * The report as one JSON object (verify.json, and the --json result
 * event): written as members of the object `j` has open.
 */
void pm_verify_json_members(struct pm_json *j, const struct pm_verify *v);

/* The reports. */
int pm_verify_write_text(FILE *fp, const struct pm_verify *v,
			 struct pm_err *err);
int pm_verify_write_json(FILE *fp, const struct pm_verify *v,
			 struct pm_err *err);
int pm_verify_write_html(FILE *fp, const struct pm_verify *v,
			 struct pm_err *err);

#endif
