/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dynamics.c: compressor (1 or 3 bands), stereo width, vinyl LF-mono. */
#include <config.h>

#include "dynamics.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "biquad.h"

#include "banned.h"

#define BLOCK  256
#define MAX_CH 8
/* the RMS detector's averaging time */
#define RMS_MS 10.0
/* 20 / ln(10): dB per neper of amplitude */
#define DB_PER_NEPER 8.6858896380650365530
/* a smoothed reduction below this (dB) is over: snap to exactly none */
#define GR_EPSILON_DB 1e-7

double pm_comp_static_gain_db(const struct pm_comp_band *b, double level_db)
{
	double over = level_db - b->threshold_db;
	double slope = 1.0 / b->ratio - 1.0; /* dB of gain per dB over */
	double w = b->knee_db;

	if (2.0 * over <= -w)
		return b->makeup_db;
	if (2.0 * over < w) {
		double t = over + w / 2.0;

		return b->makeup_db + slope * t * t / (2.0 * w);
	}
	return b->makeup_db + slope * over;
}

struct band {
	struct pm_comp_band p;
	double slope;      /* 1/ratio - 1: dB of gain per dB over */
	double half_knee;  /* knee/2, dB */
	double knee_k;     /* slope / (2 knee), for the quadratic knee */
	double makeup;     /* linear make-up gain */
	double att, rel;   /* one-pole coefficients of the reduction */
	double quiet;      /* detector level (linear |x| or mean square,
			    * in the detector's own scale) below which no
			    * reduction is wanted */
	double gr[MAX_CH]; /* smoothed reduction, dB >= 0 ([0] if linked) */
	double ms[MAX_CH]; /* RMS detector state (mean squares) */
	double max_gr;
};

struct pm_comp {
	unsigned channels;
	unsigned nbands;
	bool linked;
	bool rms;
	double inv_channels;
	double rms_coef;
	struct band band[3];
	/* the 3-band split */
	struct pm_biquad_cascade *low, *rest, *mid, *high;
	float *buf[3]; /* BLOCK frames per band */
};

static bool band_ok(const struct pm_comp_band *b)
{
	return b->ratio >= 1.0 && b->knee_db >= 0.0 && b->attack_ms > 0.0 &&
	       b->release_ms > 0.0 && isfinite(b->threshold_db) &&
	       isfinite(b->makeup_db) && isfinite(b->ratio);
}

static void band_init(struct band *b, const struct pm_comp_band *p,
		      uint32_t rate, bool rms)
{
	double quiet_db = p->threshold_db - p->knee_db / 2.0;

	memset(b, 0, sizeof(*b));
	b->p = *p;
	b->slope = 1.0 / p->ratio - 1.0;
	b->half_knee = p->knee_db / 2.0;
	b->knee_k = p->knee_db > 0.0 ? b->slope / (2.0 * p->knee_db) : 0.0;
	b->makeup = pow(10.0, p->makeup_db / 20.0);
	b->att = exp(-1000.0 / (p->attack_ms * rate));
	b->rel = exp(-1000.0 / (p->release_ms * rate));
	/*
	 * Below the knee the curve is flat, so the level need not be taken
	 * to dB there: compare in the detector's own scale.  RMS levels
	 * read a sine's mean square A^2/2 as 20 log10(A).
	 */
	b->quiet = rms ? pow(10.0, quiet_db / 10.0) / 2.0
		       : pow(10.0, quiet_db / 20.0);
}

struct pm_comp *pm_comp_new(const struct pm_compressor *cfg, unsigned channels,
			    uint32_t rate, struct pm_err *err)
{
	struct pm_comp *c = NULL;
	bool rms = cfg->detect == PM_DETECT_RMS;

	if (channels < 1 || channels > MAX_CH || rate < 8000 ||
	    (cfg->nbands != 1 && cfg->nbands != 3)) {
		pm_err_set(err, PM_EINVAL, "compressor: %u channels, %u bands",
			   channels, cfg->nbands);
		return NULL;
	}
	for (unsigned i = 0; i < cfg->nbands; i++) {
		if (!band_ok(&cfg->band[i])) {
			pm_err_set(err, PM_EINVAL,
				   "compressor band %u: bad "
				   "ratio, knee or times",
				   i);
			return NULL;
		}
	}
	if (cfg->nbands == 3 && !(cfg->xover_low_hz > 0.0 &&
				  cfg->xover_low_hz < cfg->xover_high_hz &&
				  cfg->xover_high_hz < rate / 2.0)) {
		pm_err_set(err, PM_EINVAL,
			   "compressor crossovers %g and %g Hz "
			   "must increase and stay below %g Hz",
			   cfg->xover_low_hz, cfg->xover_high_hz, rate / 2.0);
		return NULL;
	}
	c = pm_calloc(1, sizeof(*c), err);
	if (!c)
		return NULL;
	c->channels = channels;
	c->nbands = cfg->nbands;
	c->linked = cfg->stereo_link;
	c->rms = rms;
	c->inv_channels = 1.0 / channels;
	c->rms_coef = exp(-1000.0 / (RMS_MS * rate));
	for (unsigned i = 0; i < cfg->nbands; i++)
		band_init(&c->band[i], &cfg->band[i], rate, rms);

	if (cfg->nbands == 3) {
		struct pm_biquad lp_lo, hp_lo, lp_hi, hp_hi, ap_hi;
		struct pm_biquad s[3];

		/*
		 * A 4th-order Linkwitz-Riley pass is a 2nd-order Butterworth
		 * twice; LP + HP then equals the 2nd-order all-pass with
		 * Q 1/sqrt(2), which the low band gets for the high split.
		 */
		if (pm_biquad_design(&lp_lo, PM_BIQUAD_LOWPASS,
				     cfg->xover_low_hz, 0, M_SQRT1_2, rate,
				     err) < 0 ||
		    pm_biquad_design(&hp_lo, PM_BIQUAD_HIGHPASS,
				     cfg->xover_low_hz, 0, M_SQRT1_2, rate,
				     err) < 0 ||
		    pm_biquad_design(&lp_hi, PM_BIQUAD_LOWPASS,
				     cfg->xover_high_hz, 0, M_SQRT1_2, rate,
				     err) < 0 ||
		    pm_biquad_design(&hp_hi, PM_BIQUAD_HIGHPASS,
				     cfg->xover_high_hz, 0, M_SQRT1_2, rate,
				     err) < 0 ||
		    pm_biquad_design(&ap_hi, PM_BIQUAD_ALLPASS,
				     cfg->xover_high_hz, 0, M_SQRT1_2, rate,
				     err) < 0)
			goto fail;
		s[0] = s[1] = lp_lo;
		s[2] = ap_hi;
		c->low = pm_biquad_cascade_new(channels, s, 3, err);
		s[0] = s[1] = hp_lo;
		c->rest = pm_biquad_cascade_new(channels, s, 2, err);
		s[0] = s[1] = lp_hi;
		c->mid = pm_biquad_cascade_new(channels, s, 2, err);
		s[0] = s[1] = hp_hi;
		c->high = pm_biquad_cascade_new(channels, s, 2, err);
		if (!c->low || !c->rest || !c->mid || !c->high)
			goto fail;
		for (int i = 0; i < 3; i++) {
			c->buf[i] = pm_calloc((size_t)BLOCK * channels,
					      sizeof(float), err);
			if (!c->buf[i])
				goto fail;
		}
	}
	return c;
fail:
	pm_comp_free(c);
	return NULL;
}

/*
 * The reduction (dB, >= 0) wanted for a detector reading `v` (|x| or a
 * mean square) above the quiet level: pm_comp_static_gain_db() without
 * the make-up, with its divisions done once in band_init().
 */
static double wanted_db(const struct band *b, double v, bool rms)
{
	/* dB = 20 log10(v) = (20 / ln 10) ln(v); the float log is ample
	 * for a gain computer and much cheaper than log10() */
	double level_db = rms ? DB_PER_NEPER / 2.0 * logf((float)(2.0 * v))
			      : DB_PER_NEPER * logf((float)v);
	double over = level_db - b->p.threshold_db;

	if (over <= -b->half_knee)
		return 0.0;
	if (over < b->half_knee) {
		double t = over + b->half_knee;

		return -b->knee_k * t * t;
	}
	return -b->slope * over;
}

/* One step of the reduction smoother. */
static double smooth(const struct band *b, double gr, double want)
{
	if (want > gr)
		return want + b->att * (gr - want);
	gr = want + b->rel * (gr - want);
	if (want == 0.0 && gr < GR_EPSILON_DB)
		gr = 0.0;
	return gr;
}

static double gain_of(const struct band *b, double gr)
{
	if (gr == 0.0)
		return b->makeup;
	return b->makeup * expf((float)(-gr * (1.0 / DB_PER_NEPER)));
}

/* Zero for values small enough to head for the denormal range. */
static double flush(double v)
{
	return v < 1e-30 ? 0.0 : v;
}

/* Compress `nb` frames of one band from `in` to `out`. */
static void run_band(struct pm_comp *c, struct band *b, const float *in,
		     float *out, size_t nb)
{
	unsigned nch = c->channels;
	double rc = c->rms_coef;

	for (size_t i = 0; i < nb; i++) {
		const float *x = in + i * nch;
		float *y = out + i * nch;

		if (c->linked) {
			double v = 0.0, want = 0.0, g;

			for (unsigned ch = 0; ch < nch; ch++) {
				double s = x[ch];

				if (c->rms) {
					b->ms[ch] =
						flush(s * s +
						      rc * (b->ms[ch] - s * s));
					v += b->ms[ch];
				} else {
					v = fmax(v, fabs(s));
				}
			}
			if (c->rms)
				v *= c->inv_channels;
			if (v > b->quiet)
				want = wanted_db(b, v, c->rms);
			b->gr[0] = smooth(b, b->gr[0], want);
			if (b->gr[0] > b->max_gr)
				b->max_gr = b->gr[0];
			g = gain_of(b, b->gr[0]);
			for (unsigned ch = 0; ch < nch; ch++)
				y[ch] = (float)(x[ch] * g);
		} else {
			for (unsigned ch = 0; ch < nch; ch++) {
				double s = x[ch], v, want = 0.0;

				if (c->rms) {
					b->ms[ch] =
						flush(s * s +
						      rc * (b->ms[ch] - s * s));
					v = b->ms[ch];
				} else {
					v = fabs(s);
				}
				if (v > b->quiet)
					want = wanted_db(b, v, c->rms);
				b->gr[ch] = smooth(b, b->gr[ch], want);
				if (b->gr[ch] > b->max_gr)
					b->max_gr = b->gr[ch];
				y[ch] = (float)(s * gain_of(b, b->gr[ch]));
			}
		}
	}
}

void pm_comp_process(struct pm_comp *c, const float *in, float *out,
		     size_t n_samples)
{
	unsigned nch = c->channels;

	if (c->nbands == 1) {
		run_band(c, &c->band[0], in, out, n_samples);
		return;
	}
	while (n_samples > 0) {
		size_t nb = n_samples < BLOCK ? n_samples : BLOCK;
		size_t nf = nb * nch;
		float *lo = c->buf[0], *md = c->buf[1], *hi = c->buf[2];

		/* split: low = AP_hi(LP_lo x), mid = LP_hi(HP_lo x), high =
		 * HP_hi(HP_lo x) */
		pm_biquad_cascade_process(c->low, in, lo, nb);
		pm_biquad_cascade_process(c->rest, in, md, nb);
		memcpy(hi, md, nf * sizeof(float));
		pm_biquad_cascade_process(c->mid, md, md, nb);
		pm_biquad_cascade_process(c->high, hi, hi, nb);
		for (int k = 0; k < 3; k++)
			run_band(c, &c->band[k], c->buf[k], c->buf[k], nb);
		for (size_t i = 0; i < nf; i++)
			out[i] = lo[i] + md[i] + hi[i];
		in += nf;
		out += nf;
		n_samples -= nb;
	}
}

double pm_comp_max_reduction_db(const struct pm_comp *c)
{
	double m = 0.0;

	for (unsigned k = 0; k < c->nbands; k++)
		m = fmax(m, c->band[k].max_gr);
	return m;
}

double pm_comp_reduction_db(const struct pm_comp *c, unsigned band)
{
	double m = 0.0;

	if (band >= c->nbands)
		return 0.0;
	for (unsigned ch = 0; ch < (c->linked ? 1 : c->channels); ch++)
		m = fmax(m, c->band[band].gr[ch]);
	return m;
}

void pm_comp_reset(struct pm_comp *c)
{
	for (unsigned k = 0; k < c->nbands; k++) {
		struct band *b = &c->band[k];

		memset(b->gr, 0, sizeof(b->gr));
		memset(b->ms, 0, sizeof(b->ms));
		b->max_gr = 0.0;
	}
	if (c->nbands == 3) {
		pm_biquad_cascade_reset(c->low);
		pm_biquad_cascade_reset(c->rest);
		pm_biquad_cascade_reset(c->mid);
		pm_biquad_cascade_reset(c->high);
	}
}

void pm_comp_free(struct pm_comp *c)
{
	if (!c)
		return;
	pm_biquad_cascade_free(c->low);
	pm_biquad_cascade_free(c->rest);
	pm_biquad_cascade_free(c->mid);
	pm_biquad_cascade_free(c->high);
	for (int i = 0; i < 3; i++)
		free(c->buf[i]);
	free(c);
}

void pm_width_process(float *buf, size_t n_samples, double side_gain)
{
	if (side_gain == 1.0)
		return;
	for (size_t i = 0; i < n_samples; i++) {
		double l = buf[2 * i], r = buf[2 * i + 1];
		double m = 0.5 * (l + r), s = 0.5 * (l - r) * side_gain;

		buf[2 * i] = (float)(m + s);
		buf[2 * i + 1] = (float)(m - s);
	}
}

struct pm_lfmono {
	struct pm_biquad hp;
	double s1, s2; /* transposed direct form II state */
};

struct pm_lfmono *pm_lfmono_new(uint32_t rate, double corner_hz,
				struct pm_err *err)
{
	struct pm_lfmono *m;

	if (!(corner_hz >= PM_LFMONO_MIN_HZ && corner_hz <= PM_LFMONO_MAX_HZ)) {
		pm_err_set(err, PM_EINVAL,
			   "LF-mono corner %g Hz is not "
			   "between %g and %g Hz",
			   corner_hz, PM_LFMONO_MIN_HZ, PM_LFMONO_MAX_HZ);
		return NULL;
	}
	m = pm_calloc(1, sizeof(*m), err);
	if (!m)
		return NULL;
	if (pm_biquad_design(&m->hp, PM_BIQUAD_HIGHPASS, corner_hz, 0,
			     M_SQRT1_2, rate, err) < 0) {
		free(m);
		return NULL;
	}
	return m;
}

void pm_lfmono_process(struct pm_lfmono *m, const float *in, float *out,
		       size_t n_samples)
{
	const struct pm_biquad *h = &m->hp;

	while (n_samples > 0) {
		size_t nb = n_samples < BLOCK ? n_samples : BLOCK;
		double s1 = m->s1, s2 = m->s2;

		for (size_t i = 0; i < nb; i++) {
			double l = in[2 * i], r = in[2 * i + 1];
			double mid = 0.5 * (l + r), side = 0.5 * (l - r);
			double y = h->b0 * side + s1;

			s1 = h->b1 * side - h->a1 * y + s2;
			s2 = h->b2 * side - h->a2 * y;
			out[2 * i] = (float)(mid + y);
			out[2 * i + 1] = (float)(mid - y);
		}
		/* keep decaying state out of the (slow) denormal range */
		m->s1 = fabs(s1) < 1e-30 ? 0.0 : s1;
		m->s2 = fabs(s2) < 1e-30 ? 0.0 : s2;
		in += 2 * nb;
		out += 2 * nb;
		n_samples -= nb;
	}
}

void pm_lfmono_reset(struct pm_lfmono *m)
{
	m->s1 = m->s2 = 0.0;
}

void pm_lfmono_free(struct pm_lfmono *m)
{
	free(m);
}
