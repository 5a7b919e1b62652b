/* SPDX-License-Identifier: GPL-3.0-or-later */
/* truepeak.c: oversampled peak detection, AVX2+FMA with a portable twin. */
#include <config.h>

#include "dsp/truepeak.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/simd.h"

#if PM_HAVE_AVX2
#include <immintrin.h>
#elif defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "util/banned.h"

/* Frames per inner block; a multiple of 8 (one AVX register). */
#define BLOCK 256

typedef void kernel_fn(const float *x, size_t nb, const float *coef,
		       unsigned taps, unsigned factor, float *pk);

struct pm_truepeak {
	unsigned channels;
	unsigned factor; /* oversampling, 4 or 8 */
	unsigned taps;   /* input samples under each phase: 12 or 24 */
	unsigned delay;  /* taps / 2 */
	size_t stride;   /* floats per channel row of hist */
	bool use_avx2;
	kernel_fn *kernel;
	float *coef;   /* factor rows of taps; row 0 is unused */
	float *hist;   /* per channel: taps of history, BLOCK new, pad */
	float *pk;     /* BLOCK + 8 per-frame peaks of one channel */
	float *zeros;  /* delay * channels of silence for the flush */
	double l1;     /* the largest |y| one unit of input can make */
	double floor;  /* envelope values under it may read 0 (0: none) */
	double *chmax; /* running true peak per channel */
	double *spmax; /* running sample peak per channel */
};

bool pm_truepeak_have_avx2(void)
{
#if PM_HAVE_AVX2
	return pm_cpu_avx2_fma();
#else
	return false;
#endif
}

/*
 * The portable kernel.  x points at the newest-but-nb history position:
 * x[i] is input frame i of this block and x[i - k] is k frames older.
 * For each frame, pk[i] is the largest |y| over the factor phases, where
 * phase 0 is the input delayed by taps/2 (the centre tap is exactly 1 and
 * all its other taps are zeros of the sinc) and phase p is the dot
 * product of row p of the coefficients with the last `taps` inputs.
 * Loops run over i innermost so that compilers can vectorise them.
 */
static void kernel_scalar(const float *x, size_t nb, const float *coef,
			  unsigned taps, unsigned factor, float *pk)
{
	float acc[BLOCK + 8];
	unsigned half = taps / 2;
	/*
	 * Whole groups of eight (the history rows have room to read past
	 * nb): inner loops of a constant eight that compilers vectorise
	 * even at -O2.
	 */
	size_t ng = (nb + 7) / 8;

	for (size_t g = 0; g < ng; g++)
		for (int l = 0; l < 8; l++)
			pk[8 * g + l] = fabsf(
				x[(ptrdiff_t)(8 * g + l) - (ptrdiff_t)half]);
	for (unsigned p = 1; p < factor; p++) {
		const float *c = coef + (size_t)p * taps;

		for (size_t i = 0; i < 8 * ng; i++)
			acc[i] = 0.0f;
		for (unsigned k = 0; k < taps; k++) {
			const float ck = c[k];
			const float *xk = x - k;

			for (size_t g = 0; g < ng; g++)
				for (int l = 0; l < 8; l++)
					acc[8 * g + l] += ck * xk[8 * g + l];
		}
		for (size_t g = 0; g < ng; g++) {
			for (int l = 0; l < 8; l++) {
				float a = fabsf(acc[8 * g + l]);
				float *o = &pk[8 * g + l];

				*o = a > *o ? a : *o;
			}
		}
	}
}

#if PM_HAVE_AVX2
/*
 * The AVX2 kernels: eight consecutive output frames per register, all
 * phases accumulated together so that each load of the history serves
 * every phase.  The accumulators are named variables, not an array, so
 * that they stay in registers; the 4x kernel works on two groups of eight
 * at once, so that six independent FMA chains hide the FMA latency.
 */
#define AVX_ABS(v) _mm256_andnot_ps(_mm256_set1_ps(-0.0f), (v))
#define BCAST(p)   _mm256_broadcast_ss(p)

PM_TARGET_AVX2 static void
kernel_avx2_4x(const float *x, size_t nb, const float *coef, unsigned taps,
	       unsigned factor, float *pk)
{
	const float *c1 = coef + taps, *c2 = coef + 2 * taps;
	const float *c3 = coef + 3 * taps;
	unsigned half = taps / 2;
	size_t i = 0;

	(void)factor;
	for (; i + 16 <= nb + 7; i += 16) {
		__m256 a1 = _mm256_setzero_ps(), a2 = a1, a3 = a1;
		__m256 b1 = a1, b2 = a1, b3 = a1;
		__m256 m, n;

		for (unsigned k = 0; k < taps; k++) {
			__m256 v = _mm256_loadu_ps(x + i - k);
			__m256 w = _mm256_loadu_ps(x + i + 8 - k);
			__m256 k1 = _mm256_broadcast_ss(c1 + k);
			__m256 k2 = _mm256_broadcast_ss(c2 + k);
			__m256 k3 = _mm256_broadcast_ss(c3 + k);

			a1 = _mm256_fmadd_ps(k1, v, a1);
			a2 = _mm256_fmadd_ps(k2, v, a2);
			a3 = _mm256_fmadd_ps(k3, v, a3);
			b1 = _mm256_fmadd_ps(k1, w, b1);
			b2 = _mm256_fmadd_ps(k2, w, b2);
			b3 = _mm256_fmadd_ps(k3, w, b3);
		}
		m = AVX_ABS(_mm256_loadu_ps(x + i - half));
		m = _mm256_max_ps(m, AVX_ABS(a1));
		m = _mm256_max_ps(m, AVX_ABS(a2));
		m = _mm256_max_ps(m, AVX_ABS(a3));
		n = AVX_ABS(_mm256_loadu_ps(x + i + 8 - half));
		n = _mm256_max_ps(n, AVX_ABS(b1));
		n = _mm256_max_ps(n, AVX_ABS(b2));
		n = _mm256_max_ps(n, AVX_ABS(b3));
		_mm256_storeu_ps(pk + i, m);
		_mm256_storeu_ps(pk + i + 8, n);
	}
	for (; i < nb; i += 8) {
		__m256 a1 = _mm256_setzero_ps(), a2 = a1, a3 = a1;
		__m256 m;

		for (unsigned k = 0; k < taps; k++) {
			__m256 v = _mm256_loadu_ps(x + i - k);

			a1 = _mm256_fmadd_ps(BCAST(c1 + k), v, a1);
			a2 = _mm256_fmadd_ps(BCAST(c2 + k), v, a2);
			a3 = _mm256_fmadd_ps(BCAST(c3 + k), v, a3);
		}
		m = AVX_ABS(_mm256_loadu_ps(x + i - half));
		m = _mm256_max_ps(m, AVX_ABS(a1));
		m = _mm256_max_ps(m, AVX_ABS(a2));
		m = _mm256_max_ps(m, AVX_ABS(a3));
		_mm256_storeu_ps(pk + i, m);
	}
}

PM_TARGET_AVX2 static void
kernel_avx2_8x(const float *x, size_t nb, const float *coef, unsigned taps,
	       unsigned factor, float *pk)
{
	const float *c1 = coef + taps, *c2 = coef + 2 * taps;
	const float *c3 = coef + 3 * taps, *c4 = coef + 4 * taps;
	const float *c5 = coef + 5 * taps, *c6 = coef + 6 * taps;
	const float *c7 = coef + 7 * taps;
	unsigned half = taps / 2;

	(void)factor;
	for (size_t i = 0; i < nb; i += 8) {
		__m256 a1 = _mm256_setzero_ps(), a2 = a1, a3 = a1, a4 = a1;
		__m256 a5 = a1, a6 = a1, a7 = a1;
		__m256 m;

		for (unsigned k = 0; k < taps; k++) {
			__m256 v = _mm256_loadu_ps(x + i - k);

			a1 = _mm256_fmadd_ps(BCAST(c1 + k), v, a1);
			a2 = _mm256_fmadd_ps(BCAST(c2 + k), v, a2);
			a3 = _mm256_fmadd_ps(BCAST(c3 + k), v, a3);
			a4 = _mm256_fmadd_ps(BCAST(c4 + k), v, a4);
			a5 = _mm256_fmadd_ps(BCAST(c5 + k), v, a5);
			a6 = _mm256_fmadd_ps(BCAST(c6 + k), v, a6);
			a7 = _mm256_fmadd_ps(BCAST(c7 + k), v, a7);
		}
		m = AVX_ABS(_mm256_loadu_ps(x + i - half));
		m = _mm256_max_ps(m, AVX_ABS(a1));
		m = _mm256_max_ps(m, AVX_ABS(a2));
		m = _mm256_max_ps(m, AVX_ABS(a3));
		m = _mm256_max_ps(m, AVX_ABS(a4));
		m = _mm256_max_ps(m, AVX_ABS(a5));
		m = _mm256_max_ps(m, AVX_ABS(a6));
		m = _mm256_max_ps(m, AVX_ABS(a7));
		_mm256_storeu_ps(pk + i, m);
	}
}
#endif

/*
 * The prototype filter: N = taps * factor + 1 points of a sinc with its
 * zeros at multiples of `factor`, under a Hann window over the N points.
 * With factor 4 and taps 12 this is exactly libebur128's 49-tap design;
 * with taps 24 and factor 4, phase 2 is exactly libebur128's 2x filter,
 * and with factor 8 the even phases are those of factor 4.  Phase p
 * holds prototype points p, p + factor, p + 2 factor, ...: the value at
 * input time (n - taps/2 + p/factor) when the newest input is x[n].  The
 * phases are not normalised, as libebur128's are not.
 */
static void design(float *coef, unsigned taps, unsigned factor)
{
	unsigned n = taps * factor; /* the last point, a window zero */

	for (unsigned p = 0; p < factor; p++) {
		for (unsigned k = 0; k < taps; k++) {
			unsigned j = k * factor + p;
			double m = (double)j - (double)n / 2.0;
			double s = 1.0, w;

			if (fabs(m) > 1e-9) {
				double a = M_PI * m / (double)factor;

				s = sin(a) / a;
			}
			w = 0.5 * (1.0 - cos(2.0 * M_PI * (double)j / n));
			coef[(size_t)p * taps + k] = (float)(s * w);
		}
	}
}

/* The modified Bessel function I0, by its series (converges fast here). */
static double bessel_i0(double x)
{
	double sum = 1.0, term = 1.0, q = x * x / 4.0;

	for (int k = 1; k < 60 && term > 1e-17 * sum; k++) {
		term *= q / ((double)k * k);
		sum += term;
	}
	return sum;
}

/*
 * The fine meter's prototype: the same sinc, under a Kaiser window
 * (beta 8, sidelobes near -80 dB) instead of Hann's -31 dB, and each
 * phase scaled to a DC gain of exactly 1.  Over 64 input samples that
 * is flat within a thousandth of a dB up to about 0.46 of the rate, so
 * that content near Nyquist (cymbals, dither) is interpolated as an
 * ideal reconstruction would; the Hann design of 32 samples ripples by
 * almost 0.1 dB at 0.43 of the rate.
 */
static void design_fine(float *coef, unsigned taps, unsigned factor)
{
	unsigned n = taps * factor;
	const double beta = 8.0, i0b = bessel_i0(beta);

	for (unsigned p = 0; p < factor; p++) {
		double sum = 0.0, v[128];

		for (unsigned k = 0; k < taps; k++) {
			unsigned j = k * factor + p;
			double m = (double)j - (double)n / 2.0;
			double s = 1.0, r = 2.0 * (double)j / n - 1.0;

			if (fabs(m) > 1e-9) {
				double a = M_PI * m / (double)factor;

				s = sin(a) / a;
			}
			v[k] = s * bessel_i0(beta * sqrt(fmax(0.0, 1.0 - r * r))) /
			       i0b;
			sum += v[k];
		}
		for (unsigned k = 0; k < taps; k++)
			coef[(size_t)p * taps + k] =
				(float)(p == 0 ? v[k] : v[k] / sum);
	}
}

struct pm_truepeak *pm_truepeak_new(unsigned channels, uint32_t rate,
				    unsigned factor, unsigned flags,
				    struct pm_err *err)
{
	struct pm_truepeak *tp = NULL;
	size_t nhist;

	if (channels < 1 || channels > 8 || rate < 8000 || rate > 768000 ||
	    (factor != 4 && factor != 8) ||
	    (flags & ~(unsigned)(PM_TRUEPEAK_FORCE_SCALAR |
				 PM_TRUEPEAK_FORCE_AVX2 | PM_TRUEPEAK_FINE)) ||
	    (flags & PM_TRUEPEAK_FINE && factor != 8) ||
	    (flags & PM_TRUEPEAK_FORCE_SCALAR &&
	     flags & PM_TRUEPEAK_FORCE_AVX2)) {
		pm_err_set(err, PM_EINVAL,
			   "true-peak detector: bad arguments "
			   "(%u channels, %lu Hz, %ux)",
			   channels, (unsigned long)rate, factor);
		return NULL;
	}
	if ((flags & PM_TRUEPEAK_FORCE_AVX2) && !pm_truepeak_have_avx2()) {
		pm_err_set(err, PM_EUNSUPPORTED,
			   "true-peak detector: no AVX2+FMA here");
		return NULL;
	}
	tp = pm_calloc(1, sizeof(*tp), err);
	if (!tp)
		return NULL;
	tp->channels = channels;
	tp->factor = factor;
	/*
	 * libebur128 keeps 12 input samples under its 4x filter below
	 * 96 kHz and 24 under its 2x filter up to 192 kHz; follow it, so
	 * that the band the filter passes stays the same in Hz.
	 */
	tp->taps = rate < 96000 ? 12 : 24;
	if (flags & PM_TRUEPEAK_FINE)
		tp->taps = rate < 96000 ? 64 : 128;
	tp->delay = tp->taps / 2;
	tp->stride = tp->taps + BLOCK + 8;
	tp->use_avx2 =
		!(flags & PM_TRUEPEAK_FORCE_SCALAR) && pm_truepeak_have_avx2();
	tp->kernel = kernel_scalar;
#if PM_HAVE_AVX2
	if (tp->use_avx2)
		tp->kernel = factor == 4 ? kernel_avx2_4x : kernel_avx2_8x;
#endif
	if (pm_mul_size(tp->stride, channels, &nhist) < 0) {
		pm_err_set(err, PM_ENOMEM, "true-peak detector: too large");
		goto fail;
	}
	tp->coef = pm_calloc((size_t)factor * tp->taps, sizeof(float), err);
	tp->hist = pm_calloc(nhist, sizeof(float), err);
	tp->pk = pm_calloc(BLOCK + 8, sizeof(float), err);
	tp->zeros = pm_calloc((size_t)tp->delay * channels, sizeof(float), err);
	tp->chmax = pm_calloc(channels, sizeof(double), err);
	tp->spmax = pm_calloc(channels, sizeof(double), err);
	if (!tp->coef || !tp->hist || !tp->pk || !tp->zeros || !tp->chmax ||
	    !tp->spmax)
		goto fail;
	if (flags & PM_TRUEPEAK_FINE)
		design_fine(tp->coef, tp->taps, factor);
	else
		design(tp->coef, tp->taps, factor);
	/*
	 * Each interpolated value is a dot product with one phase, so it is
	 * at most that phase's sum of |c| times the largest input under it.
	 * A little more, for the float sums' rounding (taps * 2^-24 is far
	 * smaller than the margin).
	 */
	tp->l1 = 1.0;
	for (unsigned p = 1; p < factor; p++) {
		double sum = 0.0;

		for (unsigned k = 0; k < tp->taps; k++)
			sum += fabs(tp->coef[(size_t)p * tp->taps + k]);
		tp->l1 = fmax(tp->l1, sum);
	}
	tp->l1 *= 1.0 + 1e-5;
	return tp;
fail:
	pm_truepeak_free(tp);
	return NULL;
}

void pm_truepeak_free(struct pm_truepeak *tp)
{
	if (!tp)
		return;
	free(tp->coef);
	free(tp->hist);
	free(tp->pk);
	free(tp->zeros);
	free(tp->chmax);
	free(tp->spmax);
	free(tp);
}

size_t pm_truepeak_latency(const struct pm_truepeak *tp)
{
	return tp->delay;
}

/*
 * The largest |x[i]| of `n` floats (0 for none).  Eight running maxima
 * side by side (two four-lane vectors where the compiler has them, native
 * on any x86-64), so the loop is not one long chain of dependent
 * comparisons.
 */
#if PM_HAVE_VECTOR

static inline pm_v4f vmax_abs(pm_v4f m, pm_v4f v)
{
	const pm_v4i mag = { 0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff };

	v = (pm_v4f)((pm_v4i)v & mag);
#ifdef __SSE__
	/* one instruction; a NaN in v gives m, as the select below does */
	return (pm_v4f)_mm_max_ps((__m128)v, (__m128)m);
#else
	{
		pm_v4i gt = v > m;

		return (pm_v4f)((gt & (pm_v4i)v) | (~gt & (pm_v4i)m));
	}
#endif
}

static float max_abs(const float *x, size_t n)
{
	pm_v4f m0 = { 0, 0, 0, 0 }, m1 = m0;
	float r = 0.0f;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		pm_v4f a, b;

		memcpy(&a, x + i, sizeof(a));
		memcpy(&b, x + i + 4, sizeof(b));
		m0 = vmax_abs(m0, a);
		m1 = vmax_abs(m1, b);
	}
	m0 = vmax_abs(m0, m1);
	for (int l = 0; l < 4; l++)
		r = m0[l] > r ? m0[l] : r;
	for (; i < n; i++)
		r = fabsf(x[i]) > r ? fabsf(x[i]) : r;
	return r;
}
#else
static float max_abs(const float *x, size_t n)
{
	float r = 0.0f;

	for (size_t i = 0; i < n; i++)
		r = fabsf(x[i]) > r ? fabsf(x[i]) : r;
	return r;
}
#endif

/* Frames per stretch that process_block() may find it need not
 * interpolate. */
#define STRETCH 64

/*
 * One block of at most BLOCK frames, channel by channel, in stretches.
 * A stretch whose inputs are too small to make an interpolated value
 * above the running true peak is not interpolated: the maxima are exactly
 * those of interpolating everything.  With an envelope wanted, a stretch
 * is skipped only if it also stays under the floor, and that channel then
 * adds nothing to its envelope.  On music most stretches are skipped.
 */
static void process_block(struct pm_truepeak *tp, const float *in, size_t nb,
			  float *env)
{
	unsigned nch = tp->channels;

	/* stereo apart in one pass over the block, both rows at once */
	if (nch == 2) {
		float *x0 = tp->hist + tp->taps, *x1 = x0 + tp->stride;
		size_t i = 0;

#if PM_HAVE_AVX2
		/* four frames at a time: left lanes to one row, right to
		 * the other (SSE, which every x86-64 has) */
		for (; i + 4 <= nb; i += 4) {
			__m128 a = _mm_loadu_ps(in + 2 * i);
			__m128 b = _mm_loadu_ps(in + 2 * i + 4);

			_mm_storeu_ps(x0 + i, _mm_shuffle_ps(a, b, 0x88));
			_mm_storeu_ps(x1 + i, _mm_shuffle_ps(a, b, 0xdd));
		}
#endif
		for (; i < nb; i++) {
			x0[i] = in[2 * i];
			x1[i] = in[2 * i + 1];
		}
	}
	for (unsigned c = 0; c < nch; c++) {
		float *row = tp->hist + c * tp->stride;
		float *x = row + tp->taps;
		double cur = tp->chmax[c];
		/* the inputs under a stretch's phases are its own and the
		 * last `taps` before it, which the previous stretch holds */
		float prev = max_abs(x - tp->taps, tp->taps), smax = 0.0f;

		if (nch != 2)
			for (size_t i = 0; i < nb; i++)
				x[i] = in[i * nch + c];
		for (size_t s = 0; s < nb; s += STRETCH) {
			size_t len = nb - s < STRETCH ? nb - s : STRETCH;
			float m = max_abs(x + s, len);
			float w = m > prev ? m : prev;
			double bound = (double)w * tp->l1;
			float cm, *pk = tp->pk + s;

			prev = m;
			smax = m > smax ? m : smax;
			if (bound < (env ? fmin(cur, tp->floor) : cur)) {
				if (env && c == 0)
					memset(env + s, 0, len * sizeof(float));
				continue;
			}
			tp->kernel(x + s, len, tp->coef, tp->taps, tp->factor,
				   pk);
			/* the envelope is never negative: max_abs is max */
			cm = max_abs(pk, len);
			cur = (double)cm > cur ? (double)cm : cur;
			if (env && c == 0)
				memcpy(env + s, pk, len * sizeof(float));
			else if (env)
				for (size_t i = 0; i < len; i++)
					env[s + i] = pk[i] > env[s + i] ? pk[i]
									: env[s + i];
		}
		tp->chmax[c] = cur;
		if (smax > tp->spmax[c])
			tp->spmax[c] = smax;
		/* keep the newest `taps` inputs as the next block's history */
		memmove(row, row + nb, tp->taps * sizeof(float));
	}
}

void pm_truepeak_process(struct pm_truepeak *tp, const float *in,
			 size_t n_samples, float *env)
{
	while (n_samples > 0) {
		size_t nb = n_samples < BLOCK ? n_samples : BLOCK;

		process_block(tp, in, nb, env);
		in += nb * tp->channels;
		if (env)
			env += nb;
		n_samples -= nb;
	}
}

void pm_truepeak_skip(struct pm_truepeak *tp, const float *in,
		      size_t n_samples)
{
	unsigned nch = tp->channels;
	size_t taps = tp->taps;

	float m2[8] = { 0 };
	size_t i = 0;

	/*
	 * Only what interpolation would have needed is kept: each channel's
	 * sample peak, and its newest `taps` inputs as the history.  Stereo,
	 * the usual case, in one pass of eight lanes, alternately left and
	 * right.
	 */
	if (nch == 2)
		for (; i + 4 <= n_samples; i += 4)
			for (int k = 0; k < 8; k++) {
				float a = fabsf(in[2 * i + (size_t)k]);

				m2[k] = a > m2[k] ? a : m2[k];
			}
	for (unsigned c = 0; c < nch; c++) {
		float *row = tp->hist + c * tp->stride, m = 0.0f;
		size_t keep = n_samples < taps ? n_samples : taps;

		for (int k = (int)c; nch == 2 && k < 8; k += 2)
			m = m2[k] > m ? m2[k] : m;
		for (size_t j = i; j < n_samples; j++) {
			float a = fabsf(in[j * nch + c]);

			m = a > m ? a : m;
		}
		if (m > tp->spmax[c])
			tp->spmax[c] = m;
		memmove(row, row + keep, (taps - keep) * sizeof(float));
		for (size_t k = 0; k < keep; k++)
			row[taps - keep + k] = in[(n_samples - keep + k) * nch + c];
	}
}

void pm_truepeak_flush(struct pm_truepeak *tp, float *env)
{
	pm_truepeak_process(tp, tp->zeros, tp->delay, env);
}

double pm_truepeak_channel_max(const struct pm_truepeak *tp, unsigned channel)
{
	if (channel >= tp->channels)
		return 0.0;
	return fmax(tp->chmax[channel], tp->spmax[channel]);
}

double pm_truepeak_max_dbtp(const struct pm_truepeak *tp)
{
	double m = 0.0;

	for (unsigned c = 0; c < tp->channels; c++)
		m = fmax(m, pm_truepeak_channel_max(tp, c));
	return m > 0.0 ? 20.0 * log10(m) : -HUGE_VAL;
}

void pm_truepeak_set_floor(struct pm_truepeak *tp, double floor)
{
	tp->floor = floor > 0.0 ? floor : 0.0;
}

void pm_truepeak_reset(struct pm_truepeak *tp)
{
	memset(tp->hist, 0, tp->stride * tp->channels * sizeof(float));
	for (unsigned c = 0; c < tp->channels; c++)
		tp->chmax[c] = tp->spmax[c] = 0.0;
}

const char *pm_truepeak_kernel(const struct pm_truepeak *tp)
{
	return tp->use_avx2 ? "avx2" : "scalar";
}
