/* SPDX-License-Identifier: GPL-3.0-or-later */
/* feed.h: the album's audio into a timeline renderer. */
#ifndef PM_FEED_H
#define PM_FEED_H

#include <stdint.h>

#include "album/sources.h"
#include "sequence/timeline.h"
#include "util/err.h"

/*
 * Feeding a timeline renderer from the inputs: pm_feed_read is a
 * pm_tl_read_fn over `ctx` = a struct pm_feed, opening each clip's track
 * on first use at the offset where rendering began (`from`).
 */
struct pm_feed {
	const struct pm_inputs *in;
	const struct pm_timeline *tl;
	int64_t from;
	struct pm_track_reader **r; /* per clip, owned */
};

int pm_feed_init(struct pm_feed *f, const struct pm_inputs *in,
		 const struct pm_timeline *tl, int64_t from, struct pm_err *err);
int pm_feed_read(void *ctx, size_t clip, float *buf, int64_t n,
		 struct pm_err *err);
void pm_feed_release(struct pm_feed *f);

/*
 * Edge fades (timeline.h) for every clip of `tl` that meets digital
 * silence: the sample at each such edge is read from the inputs, and a
 * loud one gets its fade.  Returns 0 or -1 with `err`.
 */
int pm_feed_edge_fades(struct pm_timeline *tl, const struct pm_album *a,
		       const struct pm_inputs *in, struct pm_err *err);

#endif
