/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-fft.c: the real FFT against a direct DFT, windows, tone analysis. */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dsp/fft.h"
#include "tap.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;

/* A uniform deviate in [-1, 1), from a fixed-seed xorshift. */
static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 4503599627370496.0 - 1.0;
}

/* Largest deviation of pm_fft_forward() from the textbook DFT. */
static double dft_error(size_t n)
{
	struct pm_err err = { 0 };
	struct pm_fft *f = pm_fft_new(n, &err);
	double *x = calloc(n, sizeof(double));
	double *X = calloc(n + 2, sizeof(double));
	double worst = 0.0;

	for (size_t i = 0; i < n; i++)
		x[i] = uniform();
	pm_fft_forward(f, x, X);
	for (size_t k = 0; k <= n / 2; k++) {
		double re = 0.0, im = 0.0;

		for (size_t i = 0; i < n; i++) {
			double a = -2.0 * M_PI * (double)(k * i % n) / n;

			re += x[i] * cos(a);
			im += x[i] * sin(a);
		}
		worst = fmax(worst, hypot(X[2 * k] - re, X[2 * k + 1] - im));
	}
	pm_fft_free(f);
	free(x);
	free(X);
	return worst;
}

/*
 * Largest deviation of pm_fft_inverse(pm_fft_forward(x)) from x: the
 * forward transform being right (dft_error), this proves the inverse.
 */
static double inverse_error(size_t n)
{
	struct pm_err err = { 0 };
	struct pm_fft *f = pm_fft_new(n, &err);
	double *x = calloc(n, sizeof(double));
	double *y = calloc(n, sizeof(double));
	double *X = calloc(n + 2, sizeof(double));
	double worst = 0.0;

	for (size_t i = 0; i < n; i++)
		x[i] = uniform();
	pm_fft_forward(f, x, X);
	pm_fft_inverse(f, X, y);
	for (size_t i = 0; i < n; i++)
		worst = fmax(worst, fabs(y[i] - x[i]));
	pm_fft_free(f);
	free(x);
	free(y);
	free(X);
	return worst;
}

int main(void)
{
	struct pm_err err = { 0 };
	struct pm_tone_analysis ta;
	const size_t big = 65536;
	const uint32_t rate = 48000;
	struct pm_fft *f;
	double *x, *p, *w;
	float *s;
	double e_time = 0.0, e_freq = 0.0;

	/* exactness against the definition, small and mid sizes */
	for (size_t n = 4; n <= 8192; n *= 2)
		ok(inverse_error(n) < 1e-13,
		   "inverse of forward of %zu points gives back x (%.1e)", n,
		   inverse_error(n));
	ok(dft_error(4) < 1e-12, "4-point FFT equals the DFT");
	ok(dft_error(8) < 1e-12, "8-point FFT equals the DFT");
	ok(dft_error(64) < 1e-11, "64-point FFT equals the DFT");
	ok(dft_error(1024) < 1e-9, "1024-point FFT equals the DFT");

	f = pm_fft_new(1000, &err);
	ok(f == NULL && err.code == PM_EINVAL, "non-power-of-two size refused");
	f = pm_fft_new(2, &err);
	ok(f == NULL, "size 2 refused");

	/* Parseval on a large transform */
	f = pm_fft_new(big, &err);
	x = calloc(big, sizeof(double));
	p = calloc(big / 2 + 1, sizeof(double));
	w = calloc(big, sizeof(double));
	s = calloc(big, sizeof(float));
	for (size_t i = 0; i < big; i++) {
		x[i] = uniform();
		e_time += x[i] * x[i];
	}
	pm_fft_power(f, x, p);
	for (size_t k = 0; k <= big / 2; k++)
		e_freq += (k == 0 || k == big / 2 ? 1.0 : 2.0) * p[k];
	is_near(e_freq / ((double)big * e_time), 1.0, 1e-12,
		"Parseval holds for %zu points", big);
	is_int(pm_fft_size(f), big, "plan remembers its size");
	pm_fft_free(f);

	/* window constants */
	pm_window_fill(w, big, PM_WINDOW_HANN, 0);
	is_near(pm_window_coherent_gain(w, big), 0.5, 1e-9, "Hann gain 0.5");
	is_near(pm_window_enbw_bins(w, big), 1.5, 1e-6, "Hann ENBW 1.5 bins");
	pm_window_fill(w, big, PM_WINDOW_BLACKMAN_HARRIS, 0);
	is_near(pm_window_enbw_bins(w, big), 2.0044, 1e-3,
		"Blackman-Harris ENBW 2.004 bins");
	pm_window_fill(w, big, PM_WINDOW_KAISER, 20.0);
	is_near(w[big / 2], 1.0, 1e-12, "Kaiser peak 1 in the middle");
	ok(w[0] < 1e-7, "Kaiser(20) edge below 1e-7");

	/* a sine with a -60 dBc third harmonic */
	for (size_t i = 0; i < big; i++) {
		double t = (double)i / rate;

		s[i] = (float)(0.5 * sin(2 * M_PI * 997.0 * t) +
			       0.5e-3 * sin(2 * M_PI * 2991.0 * t + 0.3));
	}
	ok(pm_tone_analyse(s, big, 1, rate, 997.0, 20, 20000, &ta, &err) == 0,
	   "analysis runs");
	is_near(ta.tone_db, 20 * log10(0.5), 0.01, "tone level %.4f dB",
		ta.tone_db);
	is_near(ta.tone_hz, 997.0, 0.05, "tone at %.3f Hz", ta.tone_hz);
	is_near(ta.thdn_db, -60.0, 0.05, "THD+N %.3f dB", ta.thdn_db);
	is_near(ta.spur_hz, 2991.0, 1.0, "spur at %.1f Hz", ta.spur_hz);
	is_near(ta.spur_db, 20 * log10(0.5e-3), 0.05, "spur level %.3f dB",
		ta.spur_db);

	/* a clean float sine: the analysis floor is far below -120 dB */
	for (size_t i = 0; i < big; i++)
		s[i] = (float)(0.89 * sin(2 * M_PI * 1000.3 * i / rate));
	pm_tone_analyse(s, big, 1, rate, 1000.3, 20, 20000, &ta, &err);
	ok(ta.thdn_db < -135.0, "float sine THD+N %.1f dB < -135 (floor)",
	   ta.thdn_db);

	/* sine plus known white noise: THD+N is the in-band noise share */
	for (size_t i = 0; i < big; i++)
		s[i] = (float)(0.5 * sin(2 * M_PI * 1000.0 * i / rate) +
			       1e-3 * uniform());
	pm_tone_analyse(s, big, 1, rate, 1000.0, 20, 20000, &ta, &err);
	{
		double noise = (1e-6 / 3.0) * (19980.0 / 24000.0);

		is_near(ta.thdn_db, 10 * log10(noise / 0.125), 0.3,
			"THD+N with white noise %.2f dB", ta.thdn_db);
	}

	/* interleaved stride picks the channel */
	for (size_t i = 0; i < big / 2; i++) {
		s[2 * i] = 0.0f;
		s[2 * i + 1] =
			(float)(0.25 * sin(2 * M_PI * 3000.0 * i / rate));
	}
	pm_tone_analyse(s + 1, big / 2, 2, rate, 3000.0, 20, 20000, &ta, &err);
	is_near(ta.tone_db, 20 * log10(0.25), 0.01, "stride 2 reads channel 1");

	ok(pm_tone_analyse(s, 100, 1, rate, 1000, 20, 20000, &ta, &err) < 0 &&
		   err.code == PM_EINVAL,
	   "too short a block is refused");

	free(x);
	free(p);
	free(w);
	free(s);
	return tap_done();
}
