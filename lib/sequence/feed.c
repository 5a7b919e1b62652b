/* SPDX-License-Identifier: GPL-3.0-or-later */
/* feed.c: the album's audio into a timeline renderer. */
#include <config.h>

#include "sequence/feed.h"

#include <math.h>
#include <stdlib.h>

#include "util/outdir.h"

#include "util/banned.h"

int pm_feed_init(struct pm_feed *f, const struct pm_inputs *in,
		 const struct pm_timeline *tl, int64_t from, struct pm_err *err)
{
	f->in = in;
	f->tl = tl;
	f->from = from;
	f->r = pm_calloc(tl->nclips, sizeof(*f->r), err);
	return f->r ? 0 : -1;
}

int pm_feed_read(void *ctx, size_t clip, float *buf, int64_t n,
		 struct pm_err *err)
{
	struct pm_feed *f = ctx;
	const struct pm_tl_clip *cl = &f->tl->clips[clip];

	if (pm_interrupted())
		return pm_err_set(err, PM_EINTR, "interrupted");
	if (!f->r[clip]) {
		f->r[clip] = pm_track_open(
			f->in, cl->track == PM_TL_HTOA ? PM_DISC : cl->track, err);
		if (!f->r[clip])
			return -1;
		if (f->from > cl->start &&
		    pm_track_seek(f->r[clip], f->from - cl->start, err) < 0)
			return -1;
	}
	return pm_track_read(f->r[clip], buf, n, err);
}

/* The largest magnitude of clip `c`'s first (at_end: last) frame. */
static int edge_level(const struct pm_inputs *in,
		      const struct pm_tl_clip *cl, bool at_end, double *level,
		      struct pm_err *err)
{
	struct pm_track_reader *r;
	float fr[2];
	int ret = -1;

	r = pm_track_open(in, cl->track == PM_TL_HTOA ? PM_DISC : cl->track,
			  err);
	if (!r)
		return -1;
	if ((!at_end || pm_track_seek(r, cl->length - 1, err) == 0) &&
	    pm_track_read(r, fr, 1, err) == 0) {
		*level = fmax(fabs(fr[0]), fabs(fr[1]));
		ret = 0;
	}
	pm_track_close(r);
	return ret;
}

int pm_feed_edge_fades(struct pm_timeline *tl, const struct pm_album *a,
		       const struct pm_inputs *in, struct pm_err *err)
{
	size_t c;
	int e;

	for (c = 0; c < tl->nclips; c++) {
		struct pm_tl_clip *cl = &tl->clips[c];

		/* what the renderer fades at silence inside the clip */
		pm_edge_fade_of(a, cl->track, tl->rate, &cl->edge_length,
				&cl->edge_shape);
		for (e = 0; e < 2; e++) {
			double level;

			if (!pm_tl_edge_open(tl, c, e == 1))
				continue;
			if (edge_level(in, &tl->clips[c], e == 1, &level,
				       err) < 0 ||
			    pm_tl_edge_fade(tl, a, c, e == 1, level, err) < 0)
				return -1;
		}
	}
	return 0;
}

void pm_feed_release(struct pm_feed *f)
{
	size_t i;

	for (i = 0; f->r && i < f->tl->nclips; i++)
		pm_track_close(f->r[i]);
	free(f->r);
	f->r = NULL;
}
