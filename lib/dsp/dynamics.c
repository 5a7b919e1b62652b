/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dynamics.c: compressor (1 or 3 bands), stereo width, vinyl LF-mono. */
#include <config.h>

#include "dsp/dynamics.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"

#include "util/db.h"
#include "util/simd.h"

#include "util/banned.h"

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
	double gain[BLOCK]; /* the block's reductions, then gains */
	void (*run_band)(struct pm_comp *c, struct band *b, const float *in,
			 float *out, size_t nb);
};

static void run_band_base(struct pm_comp *c, struct band *b, const float *in,
			  float *out, size_t nb);
#if PM_HAVE_AVX2
static void run_band_avx2(struct pm_comp *c, struct band *b, const float *in,
			  float *out, size_t nb);
#endif

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
	b->makeup = pm_db_to_gain(p->makeup_db);
	b->att = exp(-1000.0 / (p->attack_ms * rate));
	b->rel = exp(-1000.0 / (p->release_ms * rate));
	/*
	 * Below the knee the curve is flat, so the level need not be taken
	 * to dB there: compare in the detector's own scale.  RMS levels
	 * read a sine's mean square A^2/2 as 20 log10(A).
	 */
	b->quiet = rms ? pm_db_to_power(quiet_db) / 2.0
		       : pm_db_to_gain(quiet_db);
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
	c->run_band = run_band_base;
#if PM_HAVE_AVX2
	if (pm_cpu_avx2_fma())
		c->run_band = run_band_avx2;
#endif

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
 * The gain computer works on blocks: the detector's readings for a block
 * first, then the wanted reductions, the smoothing (the one recursion),
 * and the gains.  Only the smoothing runs sample by sample; the logarithm
 * and exponential are polynomials on four-lane vectors (GCC and clang
 * vector extensions; on x86-64 the whole block is also compiled for AVX2
 * and FMA and picked at run time), accurate to about 1e-8, far beyond
 * what a gain computer needs and than the float samples carry.
 */



/*
 * ln(x) for normal x > 0: x = m 2^e with m in [sqrt(1/2), sqrt(2)), and
 * ln(m) = 2 atanh(z), z = (m - 1) / (m + 1), |z| < 0.172, by its series
 * to z^11 (error below 3e-10).
 */
static PM_ALWAYS_INLINE pm_v4d vln(pm_v4d x)
{
	const pm_v4l mant = { 0x000fffffffffffffLL, 0x000fffffffffffffLL,
			   0x000fffffffffffffLL, 0x000fffffffffffffLL };
	const pm_v4l one = { 0x3ff0000000000000LL, 0x3ff0000000000000LL,
			  0x3ff0000000000000LL, 0x3ff0000000000000LL };
	const pm_v4l two52 = { 0x4330000000000000LL, 0x4330000000000000LL,
			    0x4330000000000000LL, 0x4330000000000000LL };
	pm_v4l bits = (pm_v4l)x, big;
	pm_v4d m = (pm_v4d)((bits & mant) | one), e, z, z2, p;

	/* the exponent field as a double: 2^52 + field, less 2^52 + 1023 */
	e = (pm_v4d)(((bits >> 52) & 0x7ff) | two52) - (4503599627370496.0 + 1023.0);
	big = m > pm_v4d_set(1.4142135623730951);
	m = pm_v4d_select(big, m * 0.5, m);
	e = pm_v4d_select(big, e + 1.0, e);
	z = (m - 1.0) / (m + 1.0);
	z2 = z * z;
	p = pm_v4d_set(1.0 / 11.0);
	p = p * z2 + 1.0 / 9.0;
	p = p * z2 + 1.0 / 7.0;
	p = p * z2 + 1.0 / 5.0;
	p = p * z2 + 1.0 / 3.0;
	p = p * z2 + 1.0;
	return e * 0.69314718055994531 + 2.0 * z * p;
}

/*
 * exp(y) for -700 < y <= 0: y = k ln 2 + r, |r| <= ln(2) / 2, and exp(r)
 * by its Taylor series to r^10 (error below 1e-12).
 */
static PM_ALWAYS_INLINE pm_v4d vexp(pm_v4d y)
{
	const double magic = 6755399441055744.0; /* 1.5 * 2^52: rounds */
	pm_v4d t = y * 1.4426950408889634 + magic, k = t - magic, r, p;
	pm_v4l e;

	r = y - k * 0.69314718055994531;
	p = pm_v4d_set(1.0 / 3628800.0);
	p = p * r + 1.0 / 362880.0;
	p = p * r + 1.0 / 40320.0;
	p = p * r + 1.0 / 5040.0;
	p = p * r + 1.0 / 720.0;
	p = p * r + 1.0 / 120.0;
	p = p * r + 1.0 / 24.0;
	p = p * r + 1.0 / 6.0;
	p = p * r + 0.5;
	p = p * r + 1.0;
	p = p * r + 1.0;
	/* t's low bits hold k: its integer part is 1.5 * 2^52 + k */
	e = ((pm_v4l)t - (pm_v4l)pm_v4d_set(magic) + 1023) << 52;
	return p * (pm_v4d)e;
}

/* The reduction (dB, >= 0) four detector readings ask for. */
static PM_ALWAYS_INLINE pm_v4d want4(const struct band *b, bool rms, pm_v4d x)
{
	/* 10 log10(2 ms) for RMS, 20 log10(|x|) for peak, from ln */
	const double k = rms ? DB_PER_NEPER / 2.0 : DB_PER_NEPER;
	const double off = rms ? DB_PER_NEPER / 2.0 * 0.69314718055994531 : 0;
	const pm_v4d zero = pm_v4d_set(0.0), hk = pm_v4d_set(b->half_knee);
	pm_v4d over, t, want;

	over = vln(pm_v4d_select(x > zero, x, pm_v4d_set(1.0))) * k + off - b->p.threshold_db;
	t = over + hk;
	want = pm_v4d_select(over < hk, -b->knee_k * t * t, -b->slope * over);
	want = pm_v4d_select(over <= -hk, zero, want);
	return pm_v4d_select(x > pm_v4d_set(b->quiet), want, zero);
}

/* Where a band's detector reads from, and how. */
enum detect {
	DET_RMS2,  /* linked RMS of a stereo pair: the mean square */
	DET_RMSN,  /* linked RMS of any channels */
	DET_PEAKN, /* linked peak: the largest magnitude */
	DET_RMS1,  /* one channel's RMS (unlinked) */
	DET_PEAK1, /* one channel's magnitude (unlinked) */
};

/* The detector's input for one frame f, before its recursion. */
static PM_ALWAYS_INLINE double detect_in(const float *f, unsigned nch,
					 unsigned ch, const enum detect kind)
{
	double u;

	switch (kind) {
	case DET_RMS2:
		u = (double)f[0] * f[0] + (double)f[1] * f[1];
		break;
	case DET_RMSN:
		u = 0.0;
		for (unsigned q = 0; q < nch; q++)
			u += (double)f[q] * f[q];
		break;
	case DET_PEAKN:
		u = 0.0;
		for (unsigned q = 0; q < nch; q++)
			u = fmax(u, fabs((double)f[q]));
		break;
	case DET_RMS1:
		u = (double)f[ch] * f[ch];
		break;
	default:
		u = fabs((double)f[ch]);
		break;
	}
	return u;
}

/*
 * Towards the wanted reduction w with the attack coefficient while it
 * rises, the release one while it falls.  As affine maps of the last
 * value, the right one is the larger of the two when the attack is the
 * faster (the smaller otherwise): a multiply-add and a max per step.
 */
static PM_ALWAYS_INLINE double smooth(double gr, double w, double att,
				      double rel, const bool fast_attack)
{
	double a = att * gr + (1.0 - att) * w;
	double r = rel * gr + (1.0 - rel) * w;

	if (fast_attack)
		return a > r ? a : r;
	return a < r ? a : r;
}

#define CHUNK 64 /* frames per step of the detector's pipeline */

/*
 * The smoothed reductions of `nb` (<= BLOCK) frames from `in` (channel
 * `ch` for the unlinked kinds) into c->gain (padded with zeros to a
 * multiple of four); `*ms` and `*grp` are the detector's and the
 * smoother's state.  Three steps per frame: the reading (the mean-square
 * recursion), the wanted reduction (four at a time, no recursion), and
 * the smoothing (the second recursion).  Each recursion waits on its
 * last value, so the two are run side by side a chunk apart: the
 * readings of one chunk with the smoothing of the chunk before, whose
 * wanted reductions are already known.  The results are those of
 * running the three steps one after another.
 */
static PM_ALWAYS_INLINE void reductions(struct pm_comp *c, struct band *b,
				     const float *in, size_t nb, unsigned ch,
				     double *ms, double *grp,
				     const enum detect kind,
				     const bool fast_attack)
{
	const unsigned nch = c->channels;
	const bool rms = kind != DET_PEAKN && kind != DET_PEAK1;
	const double rc = c->rms_coef;
	const double ri = (1.0 - c->rms_coef) *
			  (kind == DET_RMS2 ? 0.5
			   : kind == DET_RMSN ? c->inv_channels
					      : 1.0);
	const double att = b->att, rel = b->rel;
	double m = *ms, gr = *grp, *v = c->gain;
	size_t i, s, e, n1;

	n1 = nb < CHUNK ? nb : CHUNK;
	for (i = 0; i < n1; i++) {
		double u = detect_in(in + i * nch, nch, ch, kind);

		m = rms ? rc * m + ri * u : u;
		v[i] = m;
	}
	for (s = 0; s < nb; s = e) {
		size_t e2, j;

		e = nb - s < CHUNK ? nb : s + CHUNK;
		e2 = nb - e < CHUNK ? nb : e + CHUNK;
		if (e == nb)
			for (i = nb; i % 4; i++)
				v[i] = 0.0;
		for (i = s; i < e; i += 4) {
			pm_v4d x;

			memcpy(&x, v + i, sizeof(x));
			x = want4(b, rms, x);
			memcpy(v + i, &x, sizeof(x));
		}
		/* chunk [e, e2) is never longer than [s, e) */
		for (j = 0; j < e2 - e; j++) {
			double u = detect_in(in + (e + j) * nch, nch, ch, kind);

			m = rms ? rc * m + ri * u : u;
			v[e + j] = m;
			gr = smooth(gr, v[s + j], att, rel, fast_attack);
			v[s + j] = gr;
		}
		for (; s + j < e; j++) {
			gr = smooth(gr, v[s + j], att, rel, fast_attack);
			v[s + j] = gr;
		}
	}
	/* keep decaying state out of the (slow) denormal range */
	*ms = m < 1e-30 ? 0.0 : m;
	*grp = gr < 1e-30 ? 0.0 : gr;
}

/*
 * Turn the reductions in c->gain (nb of them, padded to a multiple of
 * four) into linear gains, make-up included, and note the largest.
 */
static PM_ALWAYS_INLINE void gains(struct pm_comp *c, struct band *b, size_t nb)
{
	double top = b->max_gr;

	for (size_t i = 0; i < nb; i += 4) {
		pm_v4d r, g;

		memcpy(&r, c->gain + i, sizeof(r));
		for (int l = 0; l < 4; l++)
			top = r[l] > top ? r[l] : top;
		/* a reduction too small to matter is none: exact make-up */
		g = vexp(r * (-1.0 / DB_PER_NEPER)) * b->makeup;
		g = pm_v4d_select(r < pm_v4d_set(GR_EPSILON_DB), pm_v4d_set(b->makeup), g);
		memcpy(c->gain + i, &g, sizeof(g));
	}
	b->max_gr = top;
}

/*
 * out = in times g, one gain per stereo frame, each product rounded
 * once from double: two frames at a time as four lanes.
 */
static PM_ALWAYS_INLINE void stereo_gain(const float *in, float *out,
					 const double *g, size_t nb)
{
	size_t i = 0;

#if PM_HAVE_VECTOR
	for (; i + 2 <= nb; i += 2) {
		pm_v4f x;
		pm_v4d gg = { g[i], g[i], g[i + 1], g[i + 1] };

		memcpy(&x, in + 2 * i, sizeof(x));
		x = __builtin_convertvector(
			__builtin_convertvector(x, pm_v4d) * gg, pm_v4f);
		memcpy(out + 2 * i, &x, sizeof(x));
	}
#endif
	for (; i < nb; i++) {
		out[2 * i] = (float)(in[2 * i] * g[i]);
		out[2 * i + 1] = (float)(in[2 * i + 1] * g[i]);
	}
}

/* Compress `nb` (<= BLOCK) frames of one band from `in` to `out`. */
static PM_ALWAYS_INLINE void run_band_body(struct pm_comp *c, struct band *b,
					const float *in, float *out, size_t nb)
{
	const unsigned nch = c->channels;
	const double *g = c->gain;
	size_t i, nv = (nb + 3) & ~(size_t)3;

	if (c->linked) {
		/* the mean square of all channels is kept in ms[0] */
		if (c->rms && nch == 2 && b->att <= b->rel)
			reductions(c, b, in, nb, 0, &b->ms[0], &b->gr[0],
				   DET_RMS2, true);
		else if (c->rms && nch == 2)
			reductions(c, b, in, nb, 0, &b->ms[0], &b->gr[0],
				   DET_RMS2, false);
		else if (c->rms)
			reductions(c, b, in, nb, 0, &b->ms[0], &b->gr[0],
				   DET_RMSN, b->att <= b->rel);
		else
			reductions(c, b, in, nb, 0, &b->ms[0], &b->gr[0],
				   DET_PEAKN, b->att <= b->rel);
		gains(c, b, nv);
		if (nch == 2) {
			stereo_gain(in, out, g, nb);
		} else {
			for (i = 0; i < nb; i++)
				for (unsigned k = 0; k < nch; k++)
					out[i * nch + k] =
						(float)(in[i * nch + k] * g[i]);
		}
		return;
	}
	for (unsigned ch = 0; ch < nch; ch++) {
		if (c->rms)
			reductions(c, b, in, nb, ch, &b->ms[ch], &b->gr[ch],
				   DET_RMS1, b->att <= b->rel);
		else
			reductions(c, b, in, nb, ch, &b->ms[ch], &b->gr[ch],
				   DET_PEAK1, b->att <= b->rel);
		gains(c, b, nv);
		for (i = 0; i < nb; i++)
			out[i * nch + ch] = (float)(in[i * nch + ch] * g[i]);
	}
}

static void run_band_base(struct pm_comp *c, struct band *b, const float *in,
			  float *out, size_t nb)
{
	run_band_body(c, b, in, out, nb);
}

#if PM_HAVE_AVX2
PM_TARGET_AVX2 static void
run_band_avx2(struct pm_comp *c, struct band *b, const float *in, float *out,
	      size_t nb)
{
	run_band_body(c, b, in, out, nb);
}
#endif

void pm_comp_process(struct pm_comp *c, const float *in, float *out,
		     size_t n_samples)
{
	unsigned nch = c->channels;

	while (n_samples > 0) {
		size_t nb = n_samples < BLOCK ? n_samples : BLOCK;
		size_t nf = nb * nch;
		float *lo = c->buf[0], *md = c->buf[1], *hi = c->buf[2];

		if (c->nbands == 1) {
			c->run_band(c, &c->band[0], in, out, nb);
		} else {
			/* split: low = AP_hi(LP_lo x), mid = LP_hi(HP_lo x),
			 * high = HP_hi(HP_lo x) */
			pm_biquad_cascade_process(c->low, in, lo, nb);
			pm_biquad_cascade_process(c->rest, in, md, nb);
			memcpy(hi, md, nf * sizeof(float));
			pm_biquad_cascade_process(c->mid, md, md, nb);
			pm_biquad_cascade_process(c->high, hi, hi, nb);
			for (int k = 0; k < 3; k++)
				c->run_band(c, &c->band[k], c->buf[k],
					    c->buf[k], nb);
			for (size_t i = 0; i < nf; i++)
				out[i] = lo[i] + md[i] + hi[i];
		}
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

#if PM_HAVE_AVX2 && defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector)
#define PM_WIDTH_AVX2 1
/*
 * Two frames at once, four lanes, each lane's arithmetic that of the
 * loop below.  AVX2 without FMA: a multiply-add fused would round once
 * where the portable loop rounds twice.  Returns the frames done.
 */
PM_TARGET_AVX2_INT static size_t width_avx2(float *buf, size_t n_samples,
					    double side_gain)
{
	size_t i = 0;

	for (; i + 2 <= n_samples; i += 2) {
		pm_v4f f;
		pm_v4d x, sw, m, sd;

		memcpy(&f, buf + 2 * i, sizeof(f));
		x = __builtin_convertvector(f, pm_v4d);
		sw = __builtin_shufflevector(x, x, 1, 0, 3, 2);
		m = 0.5 * (x + sw);
		sd = 0.5 * (x - sw) * side_gain;
		f = __builtin_convertvector(m + sd, pm_v4f);
		memcpy(buf + 2 * i, &f, sizeof(f));
	}
	return i;
}
#endif
#endif

void pm_width_process(float *buf, size_t n_samples, double side_gain)
{
	size_t i = 0;

	if (side_gain == 1.0)
		return;
#ifdef PM_WIDTH_AVX2
	if (pm_cpu_avx2())
		i = width_avx2(buf, n_samples, side_gain);
#endif
#if PM_HAVE_VECTOR && defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector)
	/* one frame as two lanes: l r against r l gives the mid twice,
	 * and the side negated in the right lane: the same sums */
	for (; i < n_samples; i++) {
		pm_v2d x = { buf[2 * i], buf[2 * i + 1] }, sw, m, sd;

		sw = __builtin_shufflevector(x, x, 1, 0);
		m = 0.5 * (x + sw);
		sd = 0.5 * (x - sw) * side_gain;
		x = m + sd;
		buf[2 * i] = (float)x[0];
		buf[2 * i + 1] = (float)x[1];
	}
#endif
#endif
	for (; i < n_samples; i++) {
		double l = buf[2 * i], r = buf[2 * i + 1];
		double m = 0.5 * (l + r), s = 0.5 * (l - r) * side_gain;

		buf[2 * i] = (float)(m + s);
		buf[2 * i + 1] = (float)(m - s);
	}
}

struct pm_lfmono {
	struct pm_biquad hp;  /* one Butterworth section, used twice */
	double s[2][2];       /* each section's transposed DF II state */
	double e_all, e_cut;  /* energy in, and of the side taken out */
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
		double a1 = m->s[0][0], a2 = m->s[0][1];
		double b1 = m->s[1][0], b2 = m->s[1][1];
		double e_all = 0, e_cut = 0;

		for (size_t i = 0; i < nb; i++) {
			double l = in[2 * i], r = in[2 * i + 1];
			double mid = 0.5 * (l + r), side = 0.5 * (l - r);
			double y = h->b0 * side + a1, z;

			a1 = h->b1 * side - h->a1 * y + a2;
			a2 = h->b2 * side - h->a2 * y;
			z = h->b0 * y + b1;
			b1 = h->b1 * y - h->a1 * z + b2;
			b2 = h->b2 * y - h->a2 * z;
			out[2 * i] = (float)(mid + z);
			out[2 * i + 1] = (float)(mid - z);
			e_all += mid * mid + side * side;
			e_cut += (side - z) * (side - z);
		}
		m->e_all += e_all;
		m->e_cut += e_cut;
		/* keep decaying state out of the (slow) denormal range */
		m->s[0][0] = fabs(a1) < 1e-30 ? 0.0 : a1;
		m->s[0][1] = fabs(a2) < 1e-30 ? 0.0 : a2;
		m->s[1][0] = fabs(b1) < 1e-30 ? 0.0 : b1;
		m->s[1][1] = fabs(b2) < 1e-30 ? 0.0 : b2;
		in += 2 * nb;
		out += 2 * nb;
		n_samples -= nb;
	}
}

double pm_lfmono_removed_db(const struct pm_lfmono *m)
{
	if (m->e_all <= 0 || m->e_cut <= 0)
		return -HUGE_VAL;
	return 10 * log10(m->e_cut / m->e_all);
}

void pm_lfmono_free(struct pm_lfmono *m)
{
	free(m);
}
