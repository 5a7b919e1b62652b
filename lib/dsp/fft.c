/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fft.c: real FFT, analysis windows and tone analysis for measurements. */
#include <config.h>

#include "dsp/fft.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/simd.h"

#include "util/banned.h"

struct pm_fft {
	size_t n;    /* real points */
	size_t m;    /* complex points of the half-size transform, n/2 */
	double *tw;  /* e^{-2 pi i k / n}, k = 0 .. n/2 - 1, (re, im) */
	double *z;   /* m complex scratch values */
	double *out; /* n + 2 doubles for pm_fft_power() */
	size_t *rev; /* the bit-reversal permutation of m points */
	/* the twiddles of each radix-2 stage from the third on, in the
	 * order its butterflies take them (AVX2 only; else NULL) */
	double *stw;
};

static bool is_pow2(size_t n)
{
	return n && (n & (n - 1)) == 0;
}

struct pm_fft *pm_fft_new(size_t n, struct pm_err *err)
{
	struct pm_fft *f = NULL;

	if (n < 4 || n > PM_FFT_MAX_SIZE || !is_pow2(n)) {
		pm_err_set(err, PM_EINVAL,
			   "FFT size %zu is not a power of two "
			   "from 4 to %zu",
			   n, PM_FFT_MAX_SIZE);
		return NULL;
	}
	f = pm_calloc(1, sizeof(*f), err);
	if (!f)
		return NULL;
	f->n = n;
	f->m = n / 2;
	f->tw = pm_calloc(n, sizeof(double), err);
	f->z = pm_calloc(n, sizeof(double), err);
	f->out = pm_calloc(n + 2, sizeof(double), err);
	f->rev = pm_calloc(n / 2, sizeof(size_t), err);
	if (!f->tw || !f->z || !f->out || !f->rev) {
		pm_fft_free(f);
		return NULL;
	}
	/*
	 * Each twiddle straight from sin/cos rather than by recurrence, so
	 * the error does not grow with the index: the THD+N measurements
	 * need a floor far below -150 dB.
	 */
	for (size_t k = 0; k < n / 2; k++) {
		double a = -2.0 * M_PI * (double)k / (double)n;

		f->tw[2 * k] = cos(a);
		f->tw[2 * k + 1] = sin(a);
	}
#if PM_HAVE_AVX2 && PM_HAVE_SHUFFLE
	if (pm_cpu_avx2() && f->m >= 8) {
		size_t at = 0;

		/* the stages with len = 8 .. m take m - 4 twiddles in all */
		f->stw = pm_calloc(2 * f->m, sizeof(double), err);
		if (!f->stw) {
			pm_fft_free(f);
			return NULL;
		}
		for (size_t len = 8; len <= f->m; len <<= 1)
			for (size_t j = 0; j < len / 2; j++, at++) {
				f->stw[2 * at] = f->tw[2 * j * (n / len)];
				f->stw[2 * at + 1] = f->tw[2 * j * (n / len) + 1];
			}
	}
#endif
	for (size_t i = 1, j = 0; i < f->m; i++) {
		size_t bit = f->m >> 1;

		while (j & bit) {
			j ^= bit;
			bit >>= 1;
		}
		j |= bit;
		f->rev[i] = j;
	}
	return f;
}

void pm_fft_free(struct pm_fft *f)
{
	if (!f)
		return;
	free(f->tw);
	free(f->z);
	free(f->out);
	free(f->rev);
	free(f->stw);
	free(f);
}

size_t pm_fft_size(const struct pm_fft *f)
{
	return f->n;
}

#if PM_HAVE_AVX2 && PM_HAVE_SHUFFLE
/*
 * The radix-2 stages from len = 8 on, two butterflies per four-lane
 * vector, each lane's arithmetic that of the portable loop (the sum in
 * the imaginary part taken the other way round, which is exact).  AVX2
 * without FMA: a fused multiply-add would round differently.
 */
PM_TARGET_AVX2_INT static void stages_avx2(struct pm_fft *f)
{
	double *z = f->z;
	const double *w = f->stw;
	size_t m = f->m;

	for (size_t len = 8; len <= m; len <<= 1) {
		size_t half = len / 2;

		for (size_t i = 0; i < m; i += len) {
			for (size_t j = 0; j < half; j += 2) {
				double *pa = z + 2 * (i + j);
				double *pb = z + 2 * (i + j + half);
				pm_v4d a, b, t, wr, wi, p, q, v;

				memcpy(&a, pa, sizeof(a));
				memcpy(&b, pb, sizeof(b));
				memcpy(&t, w + 2 * j, sizeof(t));
				wr = __builtin_shufflevector(t, t, 0, 0, 2, 2);
				wi = __builtin_shufflevector(t, t, 1, 1, 3, 3);
				/* (br wr - bi wi, bi wr + br wi) */
				p = b * wr;
				q = __builtin_shufflevector(b, b, 1, 0, 3, 2) * wi;
				v = __builtin_shufflevector(p - q, p + q, 0, 5, 2, 7);
				b = a - v;
				a = a + v;
				memcpy(pa, &a, sizeof(a));
				memcpy(pb, &b, sizeof(b));
			}
		}
		w += 2 * half;
	}
}
#endif

/*
 * In-place radix-2 complex FFT of f->m points in f->z.  The first two
 * stages, whose twiddles are 1 and -i, are one pass of radix-4
 * butterflies without multiplications (the noise reduction runs its
 * transforms over every frame of a track).
 */
static void complex_fft(struct pm_fft *f)
{
	double *z = f->z;
	size_t m = f->m, len = 2;

	for (size_t i = 1; i < m; i++) {
		size_t j = f->rev[i];

		if (i < j) {
			double tr = z[2 * i], ti = z[2 * i + 1];

			z[2 * i] = z[2 * j];
			z[2 * i + 1] = z[2 * j + 1];
			z[2 * j] = tr;
			z[2 * j + 1] = ti;
		}
	}
	if (m >= 4) {
		for (size_t i = 0; i < m; i += 4) {
			double *a = z + 2 * i;
			double s0r = a[0] + a[2], s0i = a[1] + a[3];
			double d0r = a[0] - a[2], d0i = a[1] - a[3];
			double s1r = a[4] + a[6], s1i = a[5] + a[7];
			double d1r = a[4] - a[6], d1i = a[5] - a[7];

			/* the second stage: twiddles 1 and -i */
			a[0] = s0r + s1r;
			a[1] = s0i + s1i;
			a[4] = s0r - s1r;
			a[5] = s0i - s1i;
			a[2] = d0r + d1i;
			a[3] = d0i - d1r;
			a[6] = d0r - d1i;
			a[7] = d0i + d1r;
		}
		len = 8;
	}
#if PM_HAVE_AVX2 && PM_HAVE_SHUFFLE
	if (f->stw) {
		stages_avx2(f);
		return;
	}
#endif
	for (; len <= m; len <<= 1) {
		size_t half = len / 2;
		size_t step = f->n / len; /* twiddle stride in the n table */

		for (size_t i = 0; i < m; i += len) {
			for (size_t j = 0; j < half; j++) {
				double wr = f->tw[2 * j * step];
				double wi = f->tw[2 * j * step + 1];
				double *a = z + 2 * (i + j);
				double *b = z + 2 * (i + j + half);
				double vr = b[0] * wr - b[1] * wi;
				double vi = b[0] * wi + b[1] * wr;

				b[0] = a[0] - vr;
				b[1] = a[1] - vi;
				a[0] += vr;
				a[1] += vi;
			}
		}
	}
}

void pm_fft_forward(struct pm_fft *f, const double *in, double *out)
{
	size_t m = f->m;
	double *z = f->z;

	/* pack even samples as real parts, odd ones as imaginary parts */
	memcpy(z, in, f->n * sizeof(double));
	complex_fft(f);

	/*
	 * Split Z = E + iO into the spectra of the even and odd samples and
	 * combine them: X[k] = E[k] + W^k O[k].
	 */
	for (size_t k = 0; k <= m; k++) {
		size_t a = k < m ? k : 0, b = k ? m - k : 0;
		double zr = z[2 * a], zi = z[2 * a + 1];
		double cr = z[2 * b], ci = -z[2 * b + 1]; /* conj(Z[m-k]) */
		double er = 0.5 * (zr + cr), ei = 0.5 * (zi + ci);
		/* O = (Z - conj) / 2i */
		double or_ = 0.5 * (zi - ci), oi = -0.5 * (zr - cr);
		double wr, wi;

		if (k < m) {
			wr = f->tw[2 * k];
			wi = f->tw[2 * k + 1];
		} else {
			wr = -1.0;
			wi = 0.0;
		}
		out[2 * k] = er + wr * or_ - wi * oi;
		out[2 * k + 1] = ei + wr * oi + wi * or_;
	}
}

void pm_fft_inverse(struct pm_fft *f, const double *in, double *out)
{
	size_t m = f->m;
	double *z = f->z;
	double s = 1.0 / (double)m;

	/*
	 * Undo the split of pm_fft_forward(): E[k] = (X[k] + conj X[m-k]) / 2,
	 * O[k] = (X[k] - conj X[m-k]) / 2 W^-k, Z = E + iO; then the inverse
	 * complex transform as the conjugate of the forward one of conj Z.
	 */
	for (size_t k = 0; k < m; k++) {
		double ar = in[2 * k], ai = k ? in[2 * k + 1] : 0;
		double br = in[2 * (m - k)], bi = k ? -in[2 * (m - k) + 1] : 0;
		double er = 0.5 * (ar + br), ei = 0.5 * (ai + bi);
		double dr = 0.5 * (ar - br), di = 0.5 * (ai - bi);
		double wr = f->tw[2 * k], wi = -f->tw[2 * k + 1];
		double or_ = dr * wr - di * wi, oi = dr * wi + di * wr;

		z[2 * k] = er - oi;
		z[2 * k + 1] = -(ei + or_);
	}
	complex_fft(f);
	for (size_t j = 0; j < m; j++) {
		out[2 * j] = z[2 * j] * s;
		out[2 * j + 1] = -z[2 * j + 1] * s;
	}
}

void pm_fft_power(struct pm_fft *f, const double *in, double *power)
{
	pm_fft_forward(f, in, f->out);
	for (size_t k = 0; k <= f->m; k++) {
		double re = f->out[2 * k], im = f->out[2 * k + 1];

		power[k] = re * re + im * im;
	}
}

/* The modified Bessel function I0, by its power series. */
static double bessel_i0(double x)
{
	double sum = 1.0, term = 1.0, q = x * x / 4.0;

	for (int k = 1; k < 500; k++) {
		term *= q / ((double)k * (double)k);
		sum += term;
		if (term < sum * 1e-18)
			break;
	}
	return sum;
}

void pm_window_fill(double *w, size_t n, enum pm_window type, double param)
{
	double i0b = type == PM_WINDOW_KAISER ? bessel_i0(param) : 1.0;

	for (size_t i = 0; i < n; i++) {
		double ph = 2.0 * M_PI * (double)i / (double)n;
		double r;

		switch (type) {
		case PM_WINDOW_HANN:
			w[i] = 0.5 - 0.5 * cos(ph);
			break;
		case PM_WINDOW_BLACKMAN_HARRIS:
			w[i] = 0.35875 - 0.48829 * cos(ph) +
			       0.14128 * cos(2 * ph) - 0.01168 * cos(3 * ph);
			break;
		case PM_WINDOW_KAISER:
			r = 2.0 * (double)i / (double)n - 1.0;
			w[i] = bessel_i0(param * sqrt(fmax(0.0, 1.0 - r * r))) /
			       i0b;
			break;
		case PM_WINDOW_RECT:
		default:
			w[i] = 1.0;
			break;
		}
	}
}

double pm_window_coherent_gain(const double *w, size_t n)
{
	double s = 0.0;

	for (size_t i = 0; i < n; i++)
		s += w[i];
	return n ? s / (double)n : 0.0;
}

double pm_window_enbw_bins(const double *w, size_t n)
{
	double s = 0.0, s2 = 0.0;

	for (size_t i = 0; i < n; i++) {
		s += w[i];
		s2 += w[i] * w[i];
	}
	return s > 0.0 ? (double)n * s2 / (s * s) : 0.0;
}

/* Half-width, in bins, of what counts as one sinusoid under the window. */
#define LOBE_BINS   12
#define KAISER_BETA 20.0

int pm_tone_analyse(const float *x, size_t n_samples, unsigned stride,
		    uint32_t rate, double f0_hz, double lo_hz, double hi_hz,
		    struct pm_tone_analysis *out, struct pm_err *err)
{
	struct pm_fft *f = NULL;
	double *buf = NULL, *w = NULL, *p = NULL;
	size_t n = 4096, nb, k0 = 0, klo, khi, kspur = 0;
	double sw2 = 0.0, scale, s_tone = 0.0, s_rest = 0.0, s_kw = 0.0;
	double best = -1.0;
	bool has_tone = f0_hz > 0.0;
	int ret = -1;

	if (n_samples < 4096 || stride == 0 || rate == 0 || lo_hz < 0.0 ||
	    hi_hz > rate / 2.0 || lo_hz >= hi_hz || f0_hz >= rate / 2.0) {
		return pm_err_set(err, PM_EINVAL,
				  "tone analysis: bad arguments");
	}
	while (n * 2 <= n_samples && n * 2 <= PM_FFT_MAX_SIZE)
		n *= 2;
	nb = n / 2 + 1;
	f = pm_fft_new(n, err);
	buf = pm_calloc(n, sizeof(double), err);
	w = pm_calloc(n, sizeof(double), err);
	p = pm_calloc(nb, sizeof(double), err);
	if (!f || !buf || !w || !p)
		goto out;

	pm_window_fill(w, n, PM_WINDOW_KAISER, KAISER_BETA);
	for (size_t i = 0; i < n; i++) {
		buf[i] = (double)x[i * stride] * w[i];
		sw2 += w[i] * w[i];
	}
	pm_fft_power(f, buf, p);
	/* one-sided power of a sinusoid A: n * A^2 / 4 * sum(w^2) */
	scale = 4.0 / ((double)n * sw2);

	klo = (size_t)ceil(lo_hz * (double)n / rate);
	khi = (size_t)floor(hi_hz * (double)n / rate);
	if (khi > nb - 1)
		khi = nb - 1;
	if (has_tone)
		k0 = (size_t)lround(f0_hz * (double)n / rate);

	for (size_t k = 0; k < nb; k++) {
		bool in_tone =
			has_tone && k + LOBE_BINS >= k0 && k <= k0 + LOBE_BINS;

		if (in_tone) {
			s_tone += p[k];
			s_kw += p[k] * (double)k;
		} else if (k >= klo && k <= khi) {
			s_rest += p[k];
			/* the worst spur: the strongest local peak */
			if (p[k] > best && (k == 0 || p[k] >= p[k - 1]) &&
			    (k + 1 >= nb || p[k] >= p[k + 1])) {
				best = p[k];
				kspur = k;
			}
		}
	}

	out->fft_size = n;
	out->tone_db = s_tone > 0.0 ? 10.0 * log10(s_tone * scale) : -HUGE_VAL;
	out->tone_hz = s_tone > 0.0 ? s_kw / s_tone * rate / (double)n : 0.0;
	out->thdn_db = s_tone > 0.0 && s_rest > 0.0
			       ? 10.0 * log10(s_rest / s_tone)
			       : -HUGE_VAL;
	out->residual_db =
		s_rest > 0.0 ? 10.0 * log10(s_rest * scale) : -HUGE_VAL;
	out->spur_db = -HUGE_VAL;
	out->spur_hz = 0.0;
	if (best > 0.0) {
		size_t a = kspur > LOBE_BINS ? kspur - LOBE_BINS : 0;
		size_t b = PM_MIN(kspur + LOBE_BINS, nb - 1);
		double s = 0.0;

		for (size_t k = a; k <= b; k++) {
			bool in_tone = has_tone && k + LOBE_BINS >= k0 &&
				       k <= k0 + LOBE_BINS;

			if (!in_tone)
				s += p[k];
		}
		out->spur_db = 10.0 * log10(s * scale);
		out->spur_hz = (double)kspur * rate / (double)n;
	}
	ret = 0;
out:
	pm_fft_free(f);
	free(buf);
	free(w);
	free(p);
	return ret;
}
