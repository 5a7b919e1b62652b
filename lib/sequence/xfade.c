/* SPDX-License-Identifier: GPL-3.0-or-later */
/* xfade.c: true peaks of crossfades, and limiting them by a gain dip. */
#include <config.h>

#include "sequence/xfade.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/truepeak.h"
#include "util/db.h"
#include "util/log.h"

#include "util/banned.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define RAMP_S 0.050    /* ramps into and out of a dip */
#define MARGIN 64       /* samples measured around a region */
#define SAFETY_DB 0.02  /* aim this far under the ceiling */

/*
 * The true peak of the rendered timeline over [s, e), in dBTP.  The audio
 * is rendered from MARGIN samples before to MARGIN after, so the
 * interpolator has its context, but only the envelope of [s, e) counts:
 * a crossfade is judged by what summing adds, not by the tracks' own
 * levels around it.
 */
static int measure(const struct pm_inputs *in, const struct pm_timeline *tl,
		   int64_t s, int64_t e, const struct pm_tl_gain *gain,
		   double *dbtp, struct pm_err *err)
{
	struct pm_feed feed = { 0 };
	struct pm_tl_render rr = { 0 };
	struct pm_truepeak *tp = NULL;
	float buf[4096 * 2], env[4096];
	int64_t from = PM_MAX((int64_t)0, s - MARGIN);
	int64_t to = PM_MIN(tl->length, e + MARGIN), pos, t;
	double peak = 0;
	size_t lat, i;
	int ret = -1;

	/* the fine 8x meter, as the masters are held to */
	tp = pm_truepeak_new(2, tl->rate, 8, PM_TRUEPEAK_FINE, err);
	if (!tp || pm_feed_init(&feed, in, tl, from, err) < 0 ||
	    pm_tl_render_init_at(&rr, tl, from, pm_feed_read, &feed, err) < 0)
		goto out;
	lat = pm_truepeak_latency(tp);
	if (gain) {
		rr.gains = gain;
		rr.ngains = 1;
	}
	for (pos = from; pos < to; pos += 4096) {
		int64_t n = PM_MIN((int64_t)4096, to - pos);

		if (pm_tl_render_next(&rr, buf, n, err) < 0)
			goto out;
		pm_truepeak_process(tp, buf, (size_t)n, env);
		for (i = 0; i < (size_t)n; i++) {
			/* env[i] describes the frame `lat` before it */
			t = pos + (int64_t)i - (int64_t)lat;
			if (t >= s && t < e && env[i] > peak)
				peak = env[i];
		}
	}
	*dbtp = peak > 0 ? 20 * log10(peak) : -HUGE_VAL;
	ret = 0;
out:
	pm_tl_render_release(&rr);
	pm_feed_release(&feed);
	pm_truepeak_free(tp);
	return ret;
}

/* A dip of `cut_db` over [s, e), ramped over `ramp` samples each side. */
static int make_dip(struct pm_tl_gain *g, const struct pm_timeline *tl,
		    int64_t s, int64_t e, double cut_db, struct pm_err *err)
{
	int64_t ramp = (int64_t)(RAMP_S * tl->rate), a, b, i;
	float depth = (float)pm_db_to_gain(cut_db);

	a = PM_MAX((int64_t)0, s - ramp);
	b = PM_MIN(tl->length, e + ramp);
	free(g->gain);
	g->start = a;
	g->length = b - a;
	g->gain = pm_malloc((size_t)g->length * sizeof(float), err);
	if (!g->gain)
		return -1;
	for (i = a; i < b; i++) {
		double w = 1.0; /* how much of the dip applies */

		if (i < s)
			w = 0.5 - 0.5 * cos(M_PI * (double)(i - a) / (double)(s - a));
		else if (i >= e)
			w = 0.5 + 0.5 * cos(M_PI * (double)(i - e + 1) /
					    (double)(b - e));
		g->gain[i - a] = (float)(1.0 - w * (1.0 - depth));
	}
	return 0;
}

void pm_xfade_gains_free(struct pm_tl_gain *gains, size_t n)
{
	size_t i;

	for (i = 0; gains && i < n; i++)
		free(gains[i].gain);
	free(gains);
}

static const char *id_of(const struct pm_album *a, size_t track)
{
	return track == PM_TL_HTOA ? "hidden track" : a->tracks[track].id;
}

int pm_xfade_check(const struct pm_album *a, const struct pm_inputs *in,
		   const struct pm_timeline *tl, double ceiling_dbtp,
		   enum pm_xfade_peaks mode, struct pm_tl_gain **gains,
		   size_t *ngains, struct pm_xfade_result *res,
		   struct pm_err *err)
{
	int64_t s[PM_MAX_XFADES], e[PM_MAX_XFADES];
	struct pm_tl_gain *g = NULL;
	size_t n, i, k, ng = 0;
	double peak, cut;
	int tries;

	memset(res, 0, sizeof(*res));
	res->max_dbtp = -HUGE_VAL;
	*gains = NULL;
	*ngains = 0;
	n = pm_timeline_overlaps(tl, s, e, PM_MAX_XFADES);
	res->overlaps = (unsigned)n;
	if (n == 0)
		return 0;
	g = pm_calloc(n, sizeof(*g), err);
	if (!g)
		return -1;
	for (i = 0; i < n; i++) {
		const char *out_id = NULL, *in_id = NULL;

		for (k = 1; k < tl->nclips; k++)
			if (tl->clips[k].start == s[i]) {
				out_id = id_of(a, tl->clips[k - 1].track);
				in_id = id_of(a, tl->clips[k].track);
			}
		if (measure(in, tl, s[i], e[i], NULL, &peak, err) < 0)
			goto fail;
		if (peak > res->max_dbtp)
			res->max_dbtp = peak;
		if (peak <= ceiling_dbtp) {
			pm_note("crossfade '%s' -> '%s': true peak %.2f dBTP, within the %.2f dBTP ceiling",
				out_id, in_id, peak, ceiling_dbtp);
			continue;
		}
		if (mode == PM_XFADE_REFUSE) {
			pm_err_set(err, PM_ESCHEMA,
				   "crossfade '%s' -> '%s' peaks at %.2f dBTP, over the %.2f dBTP ceiling (crossfade-peaks=\"refuse\")",
				   out_id, in_id, peak, ceiling_dbtp);
			goto fail;
		}
		cut = ceiling_dbtp - peak - SAFETY_DB;
		for (tries = 0; tries < 8; tries++) {
			double after;

			if (make_dip(&g[ng], tl, s[i], e[i], cut, err) < 0 ||
			    measure(in, tl, s[i], e[i], &g[ng], &after, err) < 0)
				goto fail;
			if (after <= ceiling_dbtp) {
				pm_note("crossfade '%s' -> '%s': true peak %.2f dBTP over the %.2f dBTP ceiling; limited by %.2f dB to %.2f dBTP",
					out_id, in_id, peak, ceiling_dbtp, -cut,
					after);
				break;
			}
			cut -= after - ceiling_dbtp + SAFETY_DB;
		}
		if (tries == 8) {
			pm_err_set(err, PM_EINVAL,
				   "crossfade '%s' -> '%s': cannot bring %.2f dBTP under %.2f dBTP",
				   out_id, in_id, peak, ceiling_dbtp);
			goto fail;
		}
		if (-cut > res->max_cut_db)
			res->max_cut_db = -cut;
		res->limited++;
		ng++;
	}
	*gains = g;
	*ngains = ng;
	return 0;
fail:
	pm_xfade_gains_free(g, n);
	return -1;
}
