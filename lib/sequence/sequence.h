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
};

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
