/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sequence.h: turning a target's audio into its deliverable: the CD
 * (image, per-track files, CUE, TOC, PQ sheet), the vinyl sides and their
 * timing sheet, and the per-track streaming files.  Each deliverable is
 * built in a temporary directory and swapped into place when complete.
 */
#ifndef PM_SEQUENCE_H
#define PM_SEQUENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "album/album.h"
#include "album/targets.h"
#include "util/err.h"

struct pm_seq_options {
	const char *outdir;
	const char *masters_dir; /* NULL: OUTDIR/masters */
	bool force;
	bool unity; /* read the sources even if masters exist */
};

/* One lossy file as delivered: its bit rate and decoded true peak. */
struct pm_seq_file {
	char name[128];
	double kbps;            /* file size over playing time */
	double decoded_tp_dbtp; /* as a player decodes it, 4x oversampled */
};

/* What a run did, for the summary. */
struct pm_seq_result {
	bool from_masters;
	double length_s;
	uint32_t frames;        /* CD: lead-out */
	uint64_t dithered, passed; /* CD: samples */
	unsigned files;
	unsigned crossfades_limited;
	double crossfade_max_dbtp;
	/* streaming in a lossy format: the decoded files' highest true peak
	 * and the trim that brought it under the ceiling (0 or negative) */
	bool lossy;
	double decoded_tp_dbtp;
	double codec_trim_db;
	unsigned encodes;          /* passes through the encoder: 1 or 2 */
	double encode_s;           /* seconds spent writing the files */
	size_t nfiles;
	struct pm_seq_file *file;  /* lossy: per track file; owned */
};

/* Release what a result owns. */
void pm_seq_result_release(struct pm_seq_result *res);

/*
 * The CD timeline of an album: find the cd target's inputs (masters or
 * sources, as pm_inputs_find), lay the timeline out and check it against
 * the Red Book and the album's limits.  sequence renders it; ddpmake and
 * verify derive the same disc from it.  On success `in` and `tl` are
 * filled (release both).  Returns 0 or -1 with `err` (PM_ESCHEMA when
 * the layout breaks a rule; each problem is logged).
 */
struct pm_inputs;
struct pm_timeline;
struct pm_disc_limits;
int pm_cd_timeline(const struct pm_album *album, const struct pm_target *t,
		 const struct pm_seq_options *o, struct pm_inputs *in,
		 struct pm_timeline *tl, struct pm_err *err);

/*
 * Write the CD's PQ sheet, pq-sheet.txt and pq-sheet.html, into `dir`,
 * each file atomically: the disc of `tl` and `in` (pm_cd_timeline's),
 * its CD-TEXT as encoded for the disc and decoded back (every block,
 * with its language's name), the album's customer, engineer and notes,
 * its crossfades and segues, and, once ddpmake has written the DDP,
 * IMAGE.DAT's MD5 (`ddp_image_md5`) and each checksum file's (`files`).
 * Returns 0 or -1 with `err`.
 */
struct pm_pq_file;
int pm_cd_pq_sheets(const struct pm_album *album, const struct pm_timeline *tl,
		    const struct pm_inputs *in, const char *dir,
		    const char *ddp_image_md5, const struct pm_pq_file *files,
		    size_t nfiles, struct pm_err *err);

/* The album's Red Book limits (warn-length, max-length). */
void pm_cd_limits(const struct pm_album *album, struct pm_disc_limits *lim);

int pm_sequence_cd(const struct pm_album *album, const struct pm_target *t,
		   const struct pm_seq_options *o, struct pm_seq_result *res,
		   struct pm_err *err);

int pm_sequence_vinyl(const struct pm_album *album, const struct pm_target *t,
		      const struct pm_seq_options *o,
		      struct pm_seq_result *res, struct pm_err *err);

int pm_sequence_stream(const struct pm_album *album,
		       const struct pm_target *t,
		       const struct pm_seq_options *o,
		       struct pm_seq_result *res, struct pm_err *err);

#endif
