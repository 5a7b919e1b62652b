/* SPDX-License-Identifier: GPL-3.0-or-later */
/* limiter.c: true-peak look-ahead limiter with an LF-aware hold. */
#include <config.h>

#include "limiter.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "biquad.h"
#include "truepeak.h"

#include "banned.h"

#define BLOCK  256
#define MAX_CH 8
/* a gain this close to 1 is 1: lets audio pass bit for bit again */
#define UNITY_EPSILON 1e-9

/*
 * A running minimum over the last `window` + 1 values: a monotonic
 * queue in a ring of window + 1 entries, O(1) amortised per value.
 */
struct minq {
	double *val;
	int64_t *at;
	size_t cap, head, n;
	int64_t window;
};

static int minq_init(struct minq *q, size_t window, struct pm_err *err)
{
	q->cap = window + 1;
	q->window = (int64_t)window;
	q->head = q->n = 0;
	q->val = pm_calloc(q->cap, sizeof(double), err);
	q->at = pm_calloc(q->cap, sizeof(int64_t), err);
	return q->val && q->at ? 0 : -1;
}

static void minq_release(struct minq *q)
{
	free(q->val);
	free(q->at);
}

/* The ring index `i` steps after `base`, for i < cap. */
static size_t ring_at(const struct minq *q, size_t base, size_t i)
{
	size_t k = base + i;

	return k >= q->cap ? k - q->cap : k;
}

/*
 * Add value `v` for time `t` (one more than the last); return the minimum
 * over [t - window, t].
 */
static double minq_push(struct minq *q, double v, int64_t t)
{
	size_t back;

	/*
	 * Drop entries older than the window first: then at most `window`
	 * remain, and with the new one the ring of window + 1 is enough.
	 */
	while (q->n > 0 && q->at[q->head] < t - q->window) {
		q->head = ring_at(q, q->head, 1);
		q->n--;
	}
	/* drop entries that can never be the minimum again */
	while (q->n > 0) {
		back = ring_at(q, q->head, q->n - 1);
		if (q->val[back] < v)
			break;
		q->n--;
	}
	back = ring_at(q, q->head, q->n);
	q->val[back] = v;
	q->at[back] = t;
	q->n++;
	return q->val[q->head];
}

/*
 * A moving average over `len` values, kept as a running sum that is
 * recomputed exactly once per lap so rounding cannot drift.
 */
struct boxcar {
	double *ring;
	size_t len, pos;
	double sum;
	double inv_len;
};

static int boxcar_init(struct boxcar *b, size_t len, struct pm_err *err)
{
	b->len = len;
	b->pos = 0;
	b->inv_len = 1.0 / (double)len;
	b->ring = pm_calloc(len, sizeof(double), err);
	if (!b->ring)
		return -1;
	for (size_t i = 0; i < len; i++)
		b->ring[i] = 1.0;
	b->sum = (double)len;
	return 0;
}

static double boxcar_push(struct boxcar *b, double v)
{
	b->sum += v - b->ring[b->pos];
	b->ring[b->pos] = v;
	if (++b->pos == b->len) {
		double s = 0.0;

		b->pos = 0;
		for (size_t i = 0; i < b->len; i++)
			s += b->ring[i];
		b->sum = s;
	}
	return b->sum * b->inv_len;
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
	/* the LF path: low-pass state per channel, transposed DF II */
	struct pm_biquad lp;
	double lp_s1[MAX_CH], lp_s2[MAX_CH];
	struct minq hold, lf_hold;
	struct boxcar ramp1, ramp2;
	double follow;   /* released gain requirement */
	double prev_env; /* envelope of the previous interval */
	double min_gain;
	/* audio delay line: W + D frames */
	float *delay;
	size_t delay_len, delay_pos;
	int64_t t_in; /* frames fed since the start of the stream */
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
	memset(l->lp_s1, 0, sizeof(l->lp_s1));
	memset(l->lp_s2, 0, sizeof(l->lp_s2));
	l->hold.n = l->hold.head = 0;
	l->lf_hold.n = l->lf_hold.head = 0;
	for (size_t i = 0; i < l->ramp1.len; i++)
		l->ramp1.ring[i] = 1.0;
	l->ramp1.sum = (double)l->ramp1.len;
	l->ramp1.pos = 0;
	for (size_t i = 0; i < l->ramp2.len; i++)
		l->ramp2.ring[i] = 1.0;
	l->ramp2.sum = (double)l->ramp2.len;
	l->ramp2.pos = 0;
	l->follow = 1.0;
	l->prev_env = 0.0;
	memset(l->delay, 0, l->delay_len * l->channels * sizeof(float));
	l->delay_pos = 0;
	l->t_in = 0;
}

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
	l->aim = pow(10.0, (o->ceiling_dbtp - o->margin_db) / 20.0);
	l->rel = exp(-1000.0 / (o->release_ms * rate));
	l->has_lf = o->lf_hold_ms > 0.0;
	lf = (size_t)ceil(o->lf_hold_ms * rate / 1000.0);
	if (lf < w)
		lf = w;

	l->tp = pm_truepeak_new(channels, rate, o->oversampling, 0, err);
	if (!l->tp)
		goto fail;
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
	l->delay = pm_calloc(l->delay_len * channels, sizeof(float), err);
	if (!l->env || !l->zeros || !l->delay ||
	    minq_init(&l->hold, w, err) < 0 ||
	    minq_init(&l->lf_hold, lf, err) < 0 ||
	    boxcar_init(&l->ramp1, r1, err) < 0 ||
	    boxcar_init(&l->ramp2, w + 2 - r1, err) < 0)
		goto fail;
	l->min_gain = 1.0;
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

/* The gain the side chain wants for detector time `tau`. */
static double side_chain(struct pm_limiter_state *l, double env, double lf,
			 int64_t tau)
{
	double need, g;

	/*
	 * A peak between two samples is made of both: each interval's
	 * envelope constrains the samples at both of its ends.
	 */
	need = fmax(env, l->prev_env);
	l->prev_env = env;
	need = need > l->aim ? l->aim / need : 1.0;
	g = minq_push(&l->hold, need, tau);
	if (l->has_lf) {
		double lf_need = lf > l->aim ? l->aim / lf : 1.0;

		g = fmin(g, minq_push(&l->lf_hold, lf_need, tau));
	}
	/* instant down, exponential up: never above what is needed */
	if (g < l->follow)
		l->follow = g;
	else
		l->follow = g + l->rel * (l->follow - g);
	if (g == 1.0 && l->follow > 1.0 - UNITY_EPSILON)
		l->follow = 1.0;
	g = boxcar_push(&l->ramp2, boxcar_push(&l->ramp1, l->follow));
	if (g > 1.0 - UNITY_EPSILON)
		g = 1.0;
	return g;
}

static void process_block(struct pm_limiter_state *l, const float *in,
			  float *out, size_t nb)
{
	unsigned nch = l->channels;
	const struct pm_biquad *h = &l->lp;

	pm_truepeak_process(l->tp, in, nb, l->env);
	for (size_t i = 0; i < nb; i++) {
		const float *x = in + i * nch;
		float *y = out + i * nch;
		float *slot = l->delay + l->delay_pos * nch;
		int64_t tau = l->t_in - (int64_t)l->tp_delay;
		double lf = 0.0, g = 1.0;

		if (l->has_lf) {
			for (unsigned c = 0; c < nch; c++) {
				double v = x[c];
				double o = h->b0 * v + l->lp_s1[c];

				l->lp_s1[c] =
					h->b1 * v - h->a1 * o + l->lp_s2[c];
				l->lp_s2[c] = h->b2 * v - h->a2 * o;
				lf = fmax(lf, fabs(o));
			}
		}
		if (tau >= 0) {
			g = side_chain(l, l->env[i], lf, tau);
		} else if (l->env[i] > l->prev_env) {
			/*
			 * Envelope before the first sample (the filter's
			 * pre-ringing): fold it into the first interval.
			 */
			l->prev_env = l->env[i];
		}
		if (g < l->min_gain)
			l->min_gain = g;
		/* the delayed frame leaves, the new one enters */
		for (unsigned c = 0; c < nch; c++) {
			float d = slot[c];

			slot[c] = x[c];
			y[c] = g == 1.0 ? d : (float)(d * g);
		}
		if (++l->delay_pos == l->delay_len)
			l->delay_pos = 0;
		l->t_in++;
	}
	if (l->has_lf) {
		for (unsigned c = 0; c < nch; c++) {
			if (fabs(l->lp_s1[c]) < 1e-30)
				l->lp_s1[c] = 0.0;
			if (fabs(l->lp_s2[c]) < 1e-30)
				l->lp_s2[c] = 0.0;
		}
	}
}

void pm_limiter_process(struct pm_limiter_state *l, const float *in, float *out,
			size_t n_samples)
{
	while (n_samples > 0) {
		size_t nb = n_samples < BLOCK ? n_samples : BLOCK;

		process_block(l, in, out, nb);
		in += nb * l->channels;
		out += nb * l->channels;
		n_samples -= nb;
	}
}

void pm_limiter_flush(struct pm_limiter_state *l, float *out)
{
	pm_limiter_process(l, l->zeros, out, l->delay_len);
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
	minq_release(&l->hold);
	minq_release(&l->lf_hold);
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
