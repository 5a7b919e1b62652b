/* SPDX-License-Identifier: GPL-3.0-or-later */
/* limiter.c: true-peak look-ahead limiter with an LF-aware hold. */
#include <config.h>

#include "dsp/limiter.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/truepeak.h"

#include "util/db.h"
#include "util/simd.h"

#include "util/banned.h"

#define BLOCK  256
#define MAX_CH 8
/* a gain this close to 1 is 1: lets audio pass bit for bit again */
#define UNITY_EPSILON 1e-9
/* run counters stop here; every window is far shorter */
#define RUN_CAP ((size_t)1 << 40)



/* The gain that levels `m` (>= 0) at `aim`: aim / max(m, aim). */
static PM_ALWAYS_INLINE pm_v4d v4need(pm_v4d m, pm_v4d aim)
{
	pm_v4l over = m > aim;

	return aim / (pm_v4d)((over & (pm_v4l)m) | (~over & (pm_v4l)aim));
}


/*
 * The side chain runs a block at a time, in passes that each do one thing
 * over the whole block: the envelope (dsp/truepeak), the gain each sample
 * needs, the low-frequency path, the two held minima, and the one
 * recursion that is left (release and smoothing).  Only that last pass is
 * sample by sample; the others have no recursion, or one short enough
 * to run at the speed of one instruction.  Everything is defined per
 * sample, never per block: the output does not depend on how the caller
 * cuts the stream.
 *
 * While the signal stays under the aim and every part of the side chain
 * is at rest (gain exactly 1, windows full of 1s), a block needs only its
 * envelope and the delay line: the rest is skipped, and its state moves
 * on exactly as running it would have moved it.
 */

/*
 * A running minimum over the last `len` values (van Herk / Gil-Werman):
 * time is cut into segments of `len`; the minimum over a window is the
 * minimum of the suffix of the previous segment it covers and the prefix
 * of the current one.  Three comparisons a value and no data-dependent
 * branch.  Values before the stream count as 1 (no gain wanted).
 */
struct hold {
	double *cur; /* the current segment's values */
	double *suf; /* suffix minima of the previous segment */
	size_t len;  /* window length */
	size_t pos;  /* position in the current segment */
	double run;  /* minimum of the current segment so far */
	size_t ones; /* how many 1s were pushed last, in a row */
	bool stale;  /* cur, suf, run not kept up (all 1s, see rest()) */
};

static int hold_init(struct hold *h, size_t len, struct pm_err *err)
{
	h->len = len;
	h->cur = pm_calloc(len, sizeof(double), err);
	h->suf = pm_calloc(len, sizeof(double), err);
	return h->cur && h->suf ? 0 : -1;
}

static void hold_release(struct hold *h)
{
	free(h->cur);
	free(h->suf);
}

/* As at the start of a stream: every value so far 1. */
static void hold_reset(struct hold *h)
{
	for (size_t i = 0; i < h->len; i++)
		h->cur[i] = h->suf[i] = 1.0;
	h->pos = 0;
	h->run = 1.0;
	h->ones = RUN_CAP;
	h->stale = false;
}

/*
 * suf[k] = the least of cur[k .. len).  One running minimum is a chain
 * of dependent compares; four quarters run side by side, each from its
 * own end, then each is capped by the minimum of those above it.  The
 * minima are exactly those of one pass.
 */
static PM_ALWAYS_INLINE void suffix_minima(const double *cur, double *suf,
					   size_t len)
{
	size_t q = len / 4, k;
	double s0, s1, s2, s3;

	if (q < 8) {
		double s = cur[len - 1];

		suf[len - 1] = s;
		for (k = len - 1; k-- > 0;) {
			s = cur[k] < s ? cur[k] : s;
			suf[k] = s;
		}
		return;
	}
	/* quarters [0, q), [q, 2q), [2q, 3q), [3q, len) */
	s0 = cur[q - 1];
	s1 = cur[2 * q - 1];
	s2 = cur[3 * q - 1];
	s3 = cur[len - 1];
	suf[q - 1] = s0;
	suf[2 * q - 1] = s1;
	suf[3 * q - 1] = s2;
	suf[len - 1] = s3;
	for (k = len - 1; k-- > 3 * q;) {
		s3 = cur[k] < s3 ? cur[k] : s3;
		suf[k] = s3;
	}
	for (k = q - 1; k-- > 0;) {
		s0 = cur[k] < s0 ? cur[k] : s0;
		suf[k] = s0;
		s1 = cur[q + k] < s1 ? cur[q + k] : s1;
		suf[q + k] = s1;
		s2 = cur[2 * q + k] < s2 ? cur[2 * q + k] : s2;
		suf[2 * q + k] = s2;
	}
	/* s3, s2, s1 are now each quarter's least: cap the ones below */
	s2 = s3 < s2 ? s3 : s2;
	s1 = s2 < s1 ? s2 : s1;
	for (k = 0; k < q; k++) {
		suf[k] = s1 < suf[k] ? s1 : suf[k];
		suf[q + k] = s2 < suf[q + k] ? s2 : suf[q + k];
		suf[2 * q + k] = s3 < suf[2 * q + k] ? s3 : suf[2 * q + k];
	}
}

/* Before pushing: a stale window held nothing but 1s since. */
static PM_ALWAYS_INLINE void hold_begin(struct hold *h)
{
	if (h->stale) {
		size_t pos = h->pos, ones = h->ones;

		hold_reset(h);
		h->pos = pos;
		h->ones = ones;
	}
}

/* Push x; return the window's minimum after it. */
static PM_ALWAYS_INLINE double hold_step(struct hold *h, double x,
					 size_t *pos, double *run)
{
	double r = *pos == 0 || x < *run ? x : *run;

	h->cur[*pos] = x;
	*run = r;
	if (*pos == h->len - 1) {
		/* the window is this segment: start the next one */
		suffix_minima(h->cur, h->suf, h->len);
		*pos = 0;
		return r;
	} else {
		double p = h->suf[*pos + 1];

		(*pos)++;
		return p < r ? p : r;
	}
}

/* After pushing the `n` values `v`: the state, and the 1s that ended it. */
static PM_ALWAYS_INLINE void hold_end(struct hold *h, const double *v,
				      size_t n, size_t pos, double run)
{
	size_t ones = h->ones;

	for (size_t i = n; i-- > 0;) {
		if (v[i] != 1.0) {
			ones = n - 1 - i;
			break;
		}
		if (i == 0)
			ones = ones + n < RUN_CAP ? ones + n : RUN_CAP;
	}
	h->run = run;
	h->pos = pos;
	h->ones = ones;
}

/*
 * Push `n` values from `v`, writing the window's minimum after each to
 * `out`.
 */
static PM_ALWAYS_INLINE void hold_push(struct hold *h, const double *v,
				    double *out, size_t n)
{
	size_t pos;
	double run;

	hold_begin(h);
	pos = h->pos;
	run = h->run;
	for (size_t i = 0; i < n; i++)
		out[i] = hold_step(h, v[i], &pos, &run);
	hold_end(h, v, n, pos, run);
}

/*
 * Two holds pushed in one loop: each running minimum is a chain of
 * dependent compares, and two independent chains overlap.
 */
static PM_ALWAYS_INLINE void hold_push2(struct hold *h, const double *v,
					double *out, struct hold *g,
					const double *w, double *out2,
					size_t n)
{
	size_t pos, pos2;
	double run, run2;

	hold_begin(h);
	hold_begin(g);
	pos = h->pos;
	run = h->run;
	pos2 = g->pos;
	run2 = g->run;
	for (size_t i = 0; i < n; i++) {
		out[i] = hold_step(h, v[i], &pos, &run);
		out2[i] = hold_step(g, w[i], &pos2, &run2);
	}
	hold_end(h, v, n, pos, run);
	hold_end(g, w, n, pos2, run2);
}

/* Move on `n` values of 1 without storing them (the window is all 1s). */
static void hold_skip(struct hold *h, size_t n)
{
	h->pos = (h->pos + n) % h->len;
	h->ones = h->ones + n < RUN_CAP ? h->ones + n : RUN_CAP;
	h->stale = true;
}

/*
 * A moving average over `len` values, of their deviations from 1, kept
 * as a running sum that is recomputed exactly once per lap so rounding
 * cannot drift, and set to exactly 0 once `len` zeros in a row have
 * gone in.
 */
struct boxcar {
	double *ring;
	size_t len, pos;
	double sum;
	double inv_len;
	size_t zeros; /* zeros pushed last, in a row */
};

static int boxcar_init(struct boxcar *b, size_t len, struct pm_err *err)
{
	b->len = len;
	b->inv_len = 1.0 / (double)len;
	b->ring = pm_calloc(len, sizeof(double), err);
	return b->ring ? 0 : -1;
}

static void boxcar_reset(struct boxcar *b)
{
	memset(b->ring, 0, b->len * sizeof(double));
	b->pos = 0;
	b->sum = 0.0;
	b->zeros = RUN_CAP;
}

/* Push deviation `d`; return the mean deviation. */
static PM_ALWAYS_INLINE double boxcar_push(struct boxcar *b, double d)
{
	b->sum += d - b->ring[b->pos];
	b->ring[b->pos] = d;
	b->zeros = d == 0.0 ? b->zeros + (b->zeros < RUN_CAP) : 0;
	if (b->zeros >= b->len)
		b->sum = 0.0; /* the ring holds nothing but zeros */
	if (++b->pos == b->len) {
		/* four partial sums: four short chains, not one long one */
		double s[4] = { 0.0, 0.0, 0.0, 0.0 };
		size_t i = 0;

		b->pos = 0;
		for (; i + 4 <= b->len; i += 4)
			for (int k = 0; k < 4; k++)
				s[k] += b->ring[i + (size_t)k];
		for (; i < b->len; i++)
			s[0] += b->ring[i];
		b->sum = (s[0] + s[1]) + (s[2] + s[3]);
	}
	return b->sum * b->inv_len;
}

/* Move on `n` zeros (the ring is all zeros). */
static void boxcar_skip(struct boxcar *b, size_t n)
{
	b->pos = (b->pos + n) % b->len;
	b->zeros = b->zeros + n < RUN_CAP ? b->zeros + n : RUN_CAP;
}

struct pm_limiter_state {
	unsigned channels;
	size_t lookahead; /* W: samples of look-ahead */
	size_t tp_delay;  /* D: the envelope's delay */
	double aim;       /* linear level the gain aims at */
	double rel;       /* release coefficient per sample */
	bool has_lf;
	struct pm_truepeak *tp;
	float *env;   /* BLOCK envelope values */
	float *zeros; /* latency frames of silence, for the flush */
	/* the LF path: low-pass state per channel, direct form I */
	struct pm_biquad lp;
	double lp_x1[MAX_CH], lp_x2[MAX_CH], lp_y1[MAX_CH], lp_y2[MAX_CH];
	struct hold hold, lf_hold;
	struct boxcar ramp1, ramp2;
	double follow;   /* released gain requirement */
	double prev_env; /* envelope of the previous interval */
	double min_gain;
	/* the log: stretches of reduction, the one open (or -1) */
	struct pm_limiter_stretch log[PM_LIMITER_LOG_MAX];
	size_t nlog;
	bool log_open;
	double log_thr;   /* the gain under which a frame is logged */
	double log_min;   /* the last stretch's lowest gain */
	int64_t log_join; /* frames */
	/* per block: needs, their held minima, gains */
	double *need, *lf_need, *held, *lf_held, *gain;
	/* the delay line: W + D frames of history, then a block */
	float *delay;
	size_t delay_len;
	int64_t t_in; /* frames fed since the start of the stream */
	void (*block)(struct pm_limiter_state *l, const float *in, float *out,
		      size_t nb);
};

void pm_limiter_defaults(struct pm_limiter_opts *o)
{
	o->ceiling_dbtp = -1.0;
	o->lookahead_ms = 2.0;
	o->release_ms = 80.0;
	o->oversampling = 4;
	o->lf_hold_ms = 25.0;
	o->lf_corner_hz = 500.0;
	o->margin_db = PM_LIMITER_MARGIN_DB;
}

void pm_limiter_opts_from_album(struct pm_limiter_opts *o,
				const struct pm_limiter *cfg,
				double ceiling_dbtp)
{
	pm_limiter_defaults(o);
	o->ceiling_dbtp = ceiling_dbtp;
	o->lookahead_ms = cfg->lookahead_ms;
	o->release_ms = cfg->release_ms;
	o->oversampling = cfg->oversampling;
}

static bool in_range(double v, double lo, double hi)
{
	return v >= lo && v <= hi;
}

/* Back to the start of a stream, keeping the settings and min_gain. */
static void restart(struct pm_limiter_state *l)
{
	pm_truepeak_reset(l->tp);
	memset(l->lp_x1, 0, sizeof(l->lp_x1));
	memset(l->lp_x2, 0, sizeof(l->lp_x2));
	memset(l->lp_y1, 0, sizeof(l->lp_y1));
	memset(l->lp_y2, 0, sizeof(l->lp_y2));
	hold_reset(&l->hold);
	hold_reset(&l->lf_hold);
	boxcar_reset(&l->ramp1);
	boxcar_reset(&l->ramp2);
	l->follow = 1.0;
	l->prev_env = 0.0;
	memset(l->delay, 0, l->delay_len * l->channels * sizeof(float));
	l->t_in = 0;
}

static void block_base(struct pm_limiter_state *l, const float *in, float *out,
		       size_t nb);
#if PM_HAVE_AVX2
static void block_avx2(struct pm_limiter_state *l, const float *in, float *out,
		       size_t nb);
#endif

struct pm_limiter_state *pm_limiter_new(const struct pm_limiter_opts *o,
					unsigned channels, uint32_t rate,
					struct pm_err *err)
{
	struct pm_limiter_state *l = NULL;
	size_t w, lf, r1;

	if (channels < 1 || channels > MAX_CH || rate < 8000 || rate > 768000 ||
	    !in_range(o->ceiling_dbtp, -60.0, 0.0) ||
	    !in_range(o->lookahead_ms, 1.5, 10.0) ||
	    !in_range(o->release_ms, 1.0, 1000.0) ||
	    (o->oversampling != 4 && o->oversampling != 8) ||
	    !in_range(o->lf_hold_ms, 0.0, 100.0) ||
	    !in_range(o->lf_corner_hz, 100.0, 2000.0) ||
	    !in_range(o->margin_db, 0.0, 1.0)) {
		pm_err_set(err, PM_EINVAL, "limiter: option out of range");
		return NULL;
	}
	l = pm_calloc(1, sizeof(*l), err);
	if (!l)
		return NULL;
	l->channels = channels;
	w = (size_t)ceil(o->lookahead_ms * rate / 1000.0);
	l->lookahead = w;
	l->aim = pm_db_to_gain(o->ceiling_dbtp - o->margin_db);
	l->rel = exp(-1000.0 / (o->release_ms * rate));
	l->has_lf = o->lf_hold_ms > 0.0;
	lf = (size_t)ceil(o->lf_hold_ms * rate / 1000.0);
	if (lf < w)
		lf = w;

	l->tp = pm_truepeak_new(channels, rate, o->oversampling, 0, err);
	if (!l->tp)
		goto fail;
	/* an envelope under the aim asks for no gain, whatever its value */
	pm_truepeak_set_floor(l->tp, l->aim);
	l->tp_delay = pm_truepeak_latency(l->tp);
	l->delay_len = w + l->tp_delay;
	if (pm_biquad_design(&l->lp, PM_BIQUAD_LOWPASS,
			     fmin(o->lf_corner_hz, rate * 0.45), 0, M_SQRT1_2,
			     rate, err) < 0)
		goto fail;
	/*
	 * Two moving averages of lengths r1 and w + 2 - r1 make a triangle-
	 * like kernel spanning w + 1 samples: exactly the hold's window.
	 */
	r1 = (w + 2) / 2;
	l->env = pm_calloc(BLOCK, sizeof(float), err);
	l->zeros = pm_calloc(l->delay_len * channels, sizeof(float), err);
	l->delay = pm_calloc((l->delay_len + BLOCK) * channels, sizeof(float),
			     err);
	l->need = pm_calloc(BLOCK, sizeof(double), err);
	l->lf_need = pm_calloc(BLOCK, sizeof(double), err);
	l->held = pm_calloc(BLOCK, sizeof(double), err);
	l->lf_held = pm_calloc(BLOCK, sizeof(double), err);
	l->gain = pm_calloc(BLOCK, sizeof(double), err);
	if (!l->env || !l->zeros || !l->delay || !l->need || !l->lf_need ||
	    !l->held || !l->lf_held || !l->gain ||
	    hold_init(&l->hold, w + 1, err) < 0 ||
	    hold_init(&l->lf_hold, lf + 1, err) < 0 ||
	    boxcar_init(&l->ramp1, r1, err) < 0 ||
	    boxcar_init(&l->ramp2, w + 2 - r1, err) < 0)
		goto fail;
	l->min_gain = 1.0;
	l->log_thr = pow(10.0, -PM_LIMITER_LOG_DB / 20.0);
	l->log_join = (int64_t)rate * PM_LIMITER_LOG_JOIN_MS / 1000;
	l->block = block_base;
#if PM_HAVE_AVX2
	if (pm_cpu_avx2_fma())
		l->block = block_avx2;
#endif
	restart(l);
	return l;
fail:
	pm_limiter_free(l);
	return NULL;
}

size_t pm_limiter_latency_samples(const struct pm_limiter_state *l)
{
	return l->delay_len;
}

/* `n` (a multiple of 4) gains that level l->lf_need's magnitudes at aim. */
static PM_ALWAYS_INLINE void lf_needs(struct pm_limiter_state *l, size_t n)
{
	const pm_v4d aim = pm_v4d_set(l->aim);

	for (size_t i = 0; i < n; i += 4) {
		pm_v4d m;

		memcpy(&m, l->lf_need + i, sizeof(m));
		m = v4need(m, aim);
		memcpy(l->lf_need + i, &m, sizeof(m));
	}
}

/*
 * The LF path over a block: each frame's largest low-passed magnitude,
 * as the gain it asks for, into l->lf_need (padded to a multiple of 4).
 * Direct form I, the older feedback first, so one multiply-add separates
 * an output from the last; a stereo pair runs as one two-lane value.
 */
static PM_ALWAYS_INLINE void lf_path(struct pm_limiter_state *l, const float *in,
				  size_t nb)
{
	const struct pm_biquad *h = &l->lp;
	const unsigned nch = l->channels;
	size_t i;

	if (nch == 2) {
		pm_v2d x1 = { l->lp_x1[0], l->lp_x1[1] };
		pm_v2d x2 = { l->lp_x2[0], l->lp_x2[1] };
		pm_v2d y1 = { l->lp_y1[0], l->lp_y1[1] };
		pm_v2d y2 = { l->lp_y2[0], l->lp_y2[1] };

		for (i = 0; i < nb; i++) {
			pm_v2d v = { in[2 * i], in[2 * i + 1] }, t, y;
			double a, b;

			t = h->b0 * v + h->b1 * x1 + h->b2 * x2 - h->a2 * y2;
			y = t - h->a1 * y1;
			x2 = x1;
			x1 = v;
			y2 = y1;
			y1 = y;
			a = fabs(y[0]);
			b = fabs(y[1]);
			l->lf_need[i] = a > b ? a : b;
		}
		for (int c = 0; c < 2; c++) {
			l->lp_x1[c] = x1[c];
			l->lp_x2[c] = x2[c];
			l->lp_y1[c] = y1[c];
			l->lp_y2[c] = y2[c];
		}
	} else {
		for (unsigned c = 0; c < nch; c++) {
			double x1 = l->lp_x1[c], x2 = l->lp_x2[c];
			double y1 = l->lp_y1[c], y2 = l->lp_y2[c];

			for (i = 0; i < nb; i++) {
				double v = in[i * nch + c], t, y, a;

				t = h->b0 * v + h->b1 * x1 + h->b2 * x2 -
				    h->a2 * y2;
				y = t - h->a1 * y1;
				x2 = x1;
				x1 = v;
				y2 = y1;
				y1 = y;
				a = fabs(y);
				if (c == 0 || a > l->lf_need[i])
					l->lf_need[i] = a;
			}
			l->lp_x1[c] = x1;
			l->lp_x2[c] = x2;
			l->lp_y1[c] = y1;
			l->lp_y2[c] = y2;
		}
	}
	/* keep decaying state out of the (slow) denormal range */
	for (unsigned c = 0; c < nch; c++) {
		l->lp_x1[c] = fabs(l->lp_x1[c]) < 1e-30 ? 0.0 : l->lp_x1[c];
		l->lp_x2[c] = fabs(l->lp_x2[c]) < 1e-30 ? 0.0 : l->lp_x2[c];
		l->lp_y1[c] = fabs(l->lp_y1[c]) < 1e-30 ? 0.0 : l->lp_y1[c];
		l->lp_y2[c] = fabs(l->lp_y2[c]) < 1e-30 ? 0.0 : l->lp_y2[c];
	}
	for (i = nb; i % 4; i++)
		l->lf_need[i] = 0.0;
	lf_needs(l, i);
}

/* Whether every entry of a[k0, nb) is exactly 1. */
static PM_ALWAYS_INLINE bool all_one(const double *a, size_t k0, size_t nb)
{
	long long any = 0;
	size_t i = k0;

	for (; i < nb && i % 4; i++)
		any |= a[i] != 1.0;
	for (; i + 4 <= nb; i += 4) {
		pm_v4d v;
		pm_v4l ne;

		memcpy(&v, a + i, sizeof(v));
		ne = v != pm_v4d_set(1.0);
		any |= ne[0] | ne[1] | ne[2] | ne[3];
	}
	for (; i < nb; i++)
		any |= a[i] != 1.0;
	return any == 0;
}

/*
 * One block of at most BLOCK frames.  Sample i's envelope describes
 * detector time tau = t_in + i - D; its gain is applied to the frame
 * that leaves the delay line with it, input frame t_in + i - W - D.
 */
/*
 * Log output frame `at` with gain `g`: open, extend or close a stretch.
 * Out of line: called only for frames with some reduction, and at the
 * first frame of a block at rest.
 */
static void log_frame(struct pm_limiter_state *l, int64_t at, double g)
{
	struct pm_limiter_stretch *s = l->nlog ? &l->log[l->nlog - 1] : NULL;

	if (g >= l->log_thr) {
		if (l->log_open) {
			s->end = at;
			l->log_open = false;
		}
		return;
	}
	if (!l->log_open) {
		if (s && (at - s->end < l->log_join ||
			  l->nlog == PM_LIMITER_LOG_MAX)) {
			/* join the last stretch */
		} else {
			s = &l->log[l->nlog++];
			s->start = at;
			s->depth_db = 0;
			l->log_min = 1.0;
		}
		l->log_open = true;
	}
	s->end = at + 1;
	/* the depth in dB only when it grows: most frames leave it */
	if (g < l->log_min) {
		l->log_min = g;
		s->depth_db = -20.0 * log10(g);
	}
}

size_t pm_limiter_log(const struct pm_limiter_state *l,
		      const struct pm_limiter_stretch **s)
{
	*s = l->log;
	return l->nlog;
}

static PM_ALWAYS_INLINE void block_body(struct pm_limiter_state *l,
				     const float *in, float *out, size_t nb)
{
	const unsigned nch = l->channels;
	const double aim = l->aim, rel = l->rel, rel1 = 1.0 - rel;
	const double *env_need = l->need;
	size_t k0 = 0, n, i;
	double prev = l->prev_env, mg = l->min_gain;
	float *dl = l->delay + l->delay_len * nch;
	bool idle;

	pm_truepeak_process(l->tp, in, nb, l->env);
	/*
	 * Envelope before the first sample (the filter's pre-ringing):
	 * fold it into the first interval, with no gain yet.
	 */
	while (k0 < nb && l->t_in + (int64_t)k0 < (int64_t)l->tp_delay) {
		if (l->env[k0] > prev)
			prev = l->env[k0];
		l->gain[k0++] = 1.0;
	}
	n = nb - k0;
	/*
	 * A peak between two samples is made of both: each interval's
	 * envelope constrains the samples at both of its ends.
	 */
	if (n > 0) {
		/* the larger envelope of each frame's two intervals */
		l->need[k0] = l->env[k0] > prev ? l->env[k0] : prev;
		for (i = k0 + 1; i < nb; i++)
			l->need[i] = l->env[i] > l->env[i - 1] ? l->env[i]
							       : l->env[i - 1];
		prev = l->env[nb - 1];
		for (i = nb; i % 4; i++)
			l->need[i] = 0.0;
		for (i = k0 & ~(size_t)3; i < nb; i += 4) {
			pm_v4d m;

			memcpy(&m, l->need + i, sizeof(m));
			m = v4need(m, pm_v4d_set(aim));
			memcpy(l->need + i, &m, sizeof(m));
		}
	}
	if (l->has_lf)
		lf_path(l, in, nb);

	/* at rest, and staying there for the whole block? */
	idle = l->follow == 1.0 && l->hold.ones >= l->hold.len &&
	       l->ramp1.zeros >= l->ramp1.len &&
	       l->ramp2.zeros >= l->ramp2.len &&
	       (!l->has_lf || l->lf_hold.ones >= l->lf_hold.len) &&
	       all_one(env_need, k0, nb) &&
	       (!l->has_lf || all_one(l->lf_need, k0, nb));
	if (idle) {
		hold_skip(&l->hold, n);
		if (l->has_lf)
			hold_skip(&l->lf_hold, n);
		boxcar_skip(&l->ramp1, n);
		boxcar_skip(&l->ramp2, n);
		for (i = k0; i < nb; i++)
			l->gain[i] = 1.0;
	} else if (n > 0) {
		if (!l->has_lf)
			hold_push(&l->hold, l->need + k0, l->held + k0, n);
		else
			hold_push2(&l->hold, l->need + k0, l->held + k0,
				   &l->lf_hold, l->lf_need + k0,
				   l->lf_held + k0, n);
		if (l->has_lf) {
			for (i = k0; i < nb; i++)
				if (l->lf_held[i] < l->held[i])
					l->held[i] = l->lf_held[i];
		}
		/*
		 * Instant down, exponential up: never above what is needed.
		 * The recursion's state in locals: kept in l, each value
		 * would go through memory between frames, as the compiler
		 * cannot tell l->gain from it.
		 */
		{
			struct boxcar r1 = l->ramp1, r2 = l->ramp2;
			double follow = l->follow;

			for (i = k0; i < nb; i++) {
				double g = l->held[i], f, d;

				f = rel * follow + rel1 * g;
				f = g < f ? g : f;
				if (g == 1.0 && f > 1.0 - UNITY_EPSILON)
					f = 1.0;
				follow = f;
				d = boxcar_push(&r1, f - 1.0);
				g = 1.0 + boxcar_push(&r2, d);
				l->gain[i] = g > 1.0 - UNITY_EPSILON ? 1.0 : g;
			}
			l->follow = follow;
			l->ramp1 = r1;
			l->ramp2 = r2;
		}
		/* the log hears only of a stretch's start, end and
		 * deepening; a frame that only extends it waits for the
		 * block's end */
		for (i = k0; i < nb; i++) {
			double g = l->gain[i];

			mg = g < mg ? g : mg;
			if (l->log_open ? g >= l->log_thr || g < l->log_min
					: g < l->log_thr)
				log_frame(l, l->t_in + (int64_t)i -
						     (int64_t)l->delay_len,
					  g);
		}
		if (l->log_open)
			l->log[l->nlog - 1].end =
				l->t_in + (int64_t)nb - (int64_t)l->delay_len;
	}
	if (idle && l->log_open)
		log_frame(l, l->t_in - (int64_t)l->delay_len, 1.0);
	l->prev_env = prev;
	l->min_gain = mg;
	/* the delayed frames leave with their gains, the new ones enter */
	memcpy(dl, in, nb * nch * sizeof(float));
	if (idle) {
		memmove(out, l->delay, nb * nch * sizeof(float));
	} else if (nch == 2) {
		for (i = 0; i < nb; i++) {
			double g = l->gain[i];

			out[2 * i] = (float)(l->delay[2 * i] * g);
			out[2 * i + 1] = (float)(l->delay[2 * i + 1] * g);
		}
	} else {
		for (i = 0; i < nb; i++)
			for (unsigned c = 0; c < nch; c++)
				out[i * nch + c] = (float)(l->delay[i * nch + c] *
							   l->gain[i]);
	}
	memmove(l->delay, l->delay + nb * nch,
		l->delay_len * nch * sizeof(float));
	l->t_in += (int64_t)nb;
}

static void block_base(struct pm_limiter_state *l, const float *in, float *out,
		       size_t nb)
{
	block_body(l, in, out, nb);
}

#if PM_HAVE_AVX2
/* The same, where a multiply-add is one FMA instruction. */
PM_TARGET_AVX2 static void
block_avx2(struct pm_limiter_state *l, const float *in, float *out, size_t nb)
{
	block_body(l, in, out, nb);
}
#endif

void pm_limiter_process(struct pm_limiter_state *l, const float *in, float *out,
			size_t n_samples)
{
	while (n_samples > 0) {
		size_t nb = n_samples < BLOCK ? n_samples : BLOCK;

		l->block(l, in, out, nb);
		in += nb * l->channels;
		out += nb * l->channels;
		n_samples -= nb;
	}
}

void pm_limiter_flush(struct pm_limiter_state *l, float *out)
{
	pm_limiter_process(l, l->zeros, out, l->delay_len);
	if (l->log_open)
		log_frame(l, l->t_in - (int64_t)l->delay_len, 1.0);
	restart(l);
}

double pm_limiter_max_reduction_db(const struct pm_limiter_state *l)
{
	return -20.0 * log10(l->min_gain);
}

void pm_limiter_free(struct pm_limiter_state *l)
{
	if (!l)
		return;
	pm_truepeak_free(l->tp);
	free(l->env);
	free(l->zeros);
	free(l->delay);
	free(l->need);
	free(l->lf_need);
	free(l->held);
	free(l->lf_held);
	free(l->gain);
	hold_release(&l->hold);
	hold_release(&l->lf_hold);
	free(l->ramp1.ring);
	free(l->ramp2.ring);
	free(l);
}

double pm_limiter_trim_db(double measured_dbtp, double ceiling_dbtp)
{
	if (!(measured_dbtp > ceiling_dbtp))
		return 0.0;
	return ceiling_dbtp - measured_dbtp - 0.001;
}

double pm_limiter_input_peak_dbtp(const struct pm_limiter_state *l)
{
	return pm_truepeak_max_dbtp(l->tp);
}
