/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * xfade.h: crossfades sum two signals, so each overlap can peak above
 * the ceiling its tracks were mastered to.  Before a timeline is rendered
 * for good, each overlap is rendered on its own and its true peak
 * measured (4x oversampled); an overlap over the ceiling is refused, or
 * limited by a smooth gain dip over the overlap (raised-cosine ramps of
 * 50 ms outside it) that is measured again until the peak is at or under
 * the ceiling.  Every overlap is reported.
 */
#ifndef PM_XFADE_H
#define PM_XFADE_H

#include <stddef.h>

#include "album/album.h"
#include "album/sources.h"
#include "sequence/feed.h"
#include "sequence/timeline.h"
#include "util/err.h"

/* at most one crossfade per track join */
#define PM_MAX_XFADES 99

struct pm_xfade_result {
	unsigned overlaps;
	unsigned limited;
	double max_dbtp;      /* the highest overlap peak before limiting */
	double max_cut_db;    /* the deepest dip applied */
};

/*
 * Check every overlap of `tl` against `ceiling_dbtp`.  With
 * PM_XFADE_REFUSE an overlap over the ceiling fails with PM_ESCHEMA
 * naming the tracks; with PM_XFADE_LIMIT a gain curve is added to *gains
 * (free with pm_xfade_gains_free).  Each overlap is logged at note level.
 * Returns 0 or -1 with `err`.
 */
int pm_xfade_check(const struct pm_album *album, const struct pm_inputs *in,
		   const struct pm_timeline *tl, double ceiling_dbtp,
		   enum pm_xfade_peaks mode, struct pm_tl_gain **gains,
		   size_t *ngains, struct pm_xfade_result *res,
		   struct pm_err *err);

void pm_xfade_gains_free(struct pm_tl_gain *gains, size_t n);

#endif
