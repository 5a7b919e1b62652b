/* SPDX-License-Identifier: GPL-3.0-or-later */
/* truepeak.c: oversampled peak detection, AVX2+FMA with a portable twin. */
#include <config.h>

#include "truepeak.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define PM_HAVE_AVX2_KERNEL 1
#include <immintrin.h>
#else
#define PM_HAVE_AVX2_KERNEL 0
#endif

#include "banned.h"

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
	double *chmax; /* running true peak per channel */
	double *spmax; /* running sample peak per channel */
};

bool pm_truepeak_have_avx2(void)
{
#if PM_HAVE_AVX2_KERNEL
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
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

#if PM_HAVE_AVX2_KERNEL
/*
 * The AVX2 kernels: eight consecutive output frames per register, all
 * phases accumulated together so that each load of the history serves
 * every phase.  The accumulators are named variables, not an array, so
 * that they stay in registers; the 4x kernel works on two groups of eight
 * at once, so that six independent FMA chains hide the FMA latency.
 */
#define AVX_ABS(v) _mm256_andnot_ps(_mm256_set1_ps(-0.0f), (v))
#define BCAST(p)   _mm256_broadcast_ss(p)

__attribute__((target("avx2,fma"))) static void
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

__attribute__((target("avx2,fma"))) static void
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

struct pm_truepeak *pm_truepeak_new(unsigned channels, uint32_t rate,
				    unsigned factor, unsigned flags,
				    struct pm_err *err)
{
	struct pm_truepeak *tp = NULL;
	size_t nhist;

	if (channels < 1 || channels > 8 || rate < 8000 || rate > 768000 ||
	    (factor != 4 && factor != 8) ||
	    (flags &
	     ~(unsigned)(PM_TRUEPEAK_FORCE_SCALAR | PM_TRUEPEAK_FORCE_AVX2)) ||
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
	tp->delay = tp->taps / 2;
	tp->stride = tp->taps + BLOCK + 8;
	tp->use_avx2 =
		!(flags & PM_TRUEPEAK_FORCE_SCALAR) && pm_truepeak_have_avx2();
	tp->kernel = kernel_scalar;
#if PM_HAVE_AVX2_KERNEL
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
	design(tp->coef, tp->taps, factor);
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

/* One block of at most BLOCK frames. */
static void process_block(struct pm_truepeak *tp, const float *in, size_t nb,
			  float *env)
{
	unsigned nch = tp->channels;

	for (unsigned c = 0; c < nch; c++) {
		float *row = tp->hist + c * tp->stride;
		float *x = row + tp->taps;
		float cmax = 0.0f, smax = 0.0f;

		for (size_t i = 0; i < nb; i++) {
			float v = in[i * nch + c];
			float a = fabsf(v);

			x[i] = v;
			smax = a > smax ? a : smax;
		}
		tp->kernel(x, nb, tp->coef, tp->taps, tp->factor, tp->pk);
		for (size_t i = 0; i < nb; i++)
			cmax = tp->pk[i] > cmax ? tp->pk[i] : cmax;
		if (env && c == 0)
			memcpy(env, tp->pk, nb * sizeof(float));
		else if (env)
			for (size_t i = 0; i < nb; i++)
				env[i] =
					tp->pk[i] > env[i] ? tp->pk[i] : env[i];
		if (cmax > tp->chmax[c])
			tp->chmax[c] = cmax;
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
