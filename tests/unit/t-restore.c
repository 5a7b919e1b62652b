/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-restore.c: hum removal and noise reduction on generated music.  Hum
 * planted at -50 dBFS is measured at its frequency and taken down by 20
 * dB or more at each of its lines, while everything away from the lines
 * stays within -60 dB of the clean music; noise reduction takes a white
 * noise floor down by the reduction asked less 1 dB in the quiet
 * passages, moves the music by less than 0.5 dB, makes no isolated
 * peaks (musical noise), and with no reduction gives back its input.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/dehum.h"
#include "dsp/fft.h"
#include "tap.h"

#define RATE 44100
#define SECONDS 20
#define LEN ((size_t)RATE * SECONDS)

/*
 * Music: four voices, a bass (C1 D1 D#2 E2) and three over it from a
 * scale (A3 to E5), each playing notes of 0.6 to 1.4 s with a 40 ms
 * attack (100 ms in the bass), a 150 ms release and a slow decay, and a
 * little low-passed noise; peaking near -6 dBFS.  The notes keep 11 Hz
 * or more from the first five lines of 50 and 60 Hz (but E5, 0.7 Hz
 * under 60 Hz's eleventh, where no hum is planted): a 1 Hz notch takes
 * -55 dB off a note 12 Hz away, and the bar away from the lines is -60
 * dB.  With `gap`, seconds 8 to 12 are left silent.  10 ms fades at the
 * ends.
 */
static float *music(bool gap)
{
	static const double bass[4] = { 32.7, 36.71, 77.78, 82.41 };
	static const double tones[8] = { 220.0, 261.6, 329.6, 392.0,
					 440.0, 523.3, 587.3, 659.3 };
	float *x = malloc(2 * LEN * sizeof(*x));
	double lp[2] = { 0, 0 }, top = 0;
	double start[4] = { 0 }, end[4] = { 0 }, hz[4] = { 0 }, ph[4] = { 0 };

	tap_seed(12345);
	for (size_t i = 0; i < LEN; i++) {
		double t = (double)i / RATE, v[2] = { 0, 0 };

		for (int k = 0; k < 4; k++) {
			double u, a, r, s;

			if (t >= end[k]) {
				u = 0.5 + 0.5 * tap_uniform();
				start[k] = t;
				end[k] = t + 0.6 + 0.8 * u;
				hz[k] = k ? tones[(int)(u * 8) % 8]
					  : bass[(int)(u * 4) % 4];
				ph[k] = 3 * tap_uniform();
			}
			a = fmin(1, (t - start[k]) / (k ? 0.04 : 0.1));
			r = fmin(1, (end[k] - t) / 0.15);
			s = (0.5 - 0.5 * cos(M_PI * a)) * (0.5 - 0.5 * cos(M_PI * r)) *
			    exp(-0.8 * (t - start[k])) *
			    sin(2 * M_PI * hz[k] * (t - start[k]) + ph[k]);
			v[0] += s * (k ? (k % 2 ? 0.3 : 0.6) : 1.0);
			v[1] += s * (k ? (k % 2 ? 0.6 : 0.3) : 1.0);
		}
		for (int c = 0; c < 2; c++) {
			lp[c] += 0.1 * (tap_uniform() - lp[c]);
			v[c] += 0.05 * lp[c];
			if (gap && t >= 8 && t < 12)
				v[c] = 0;
			x[2 * i + c] = (float)v[c];
			top = fmax(top, fabs(v[c]));
		}
	}
	for (size_t i = 0; i < 2 * LEN; i++) {
		size_t f = i / 2, edge = f < LEN - 1 - f ? f : LEN - 1 - f;
		double g = edge < RATE / 100 ? (double)edge / (RATE / 100) : 1;

		x[i] = (float)(x[i] * 0.5 / top * g);
	}
	return x;
}

/* Mains hum at `hz`: the fundamental at `db` dBFS, harmonics 2 to 5. */
static void add_hum(float *x, double hz, double db)
{
	static const double rel_db[5] = { 0, -3, -6, -10, -14 };

	for (size_t i = 0; i < LEN; i++) {
		double t = (double)i / RATE, h = 0;

		for (int k = 0; k < 5; k++)
			h += pow(10, (db + rel_db[k]) / 20) *
			     sin(2 * M_PI * hz * (k + 1) * t + 0.7 * k);
		x[2 * i] += (float)h;
		x[2 * i + 1] += (float)(0.9 * h);
	}
}

/* Average power spectrum of the mid of `x` - `y` (or `x`), 2^16 points. */
#define SPEC_N 65536
static void spectrum(const float *x, const float *y, double *psd)
{
	struct pm_err err = { 0 };
	struct pm_fft *f = pm_fft_new(SPEC_N, &err);
	double *in = malloc(SPEC_N * sizeof(*in));
	double *p = malloc((SPEC_N / 2 + 1) * sizeof(*p));
	double w[SPEC_N];
	size_t t, i, nf = LEN / SPEC_N;

	pm_window_fill(w, SPEC_N, PM_WINDOW_HANN, 0);
	memset(psd, 0, (SPEC_N / 2 + 1) * sizeof(*psd));
	for (t = 0; t < nf; t++) {
		for (i = 0; i < SPEC_N; i++) {
			size_t j = 2 * (t * SPEC_N + i);
			double v = (double)x[j] + x[j + 1];

			if (y)
				v -= (double)y[j] + y[j + 1];
			in[i] = 0.5 * v * w[i];
		}
		pm_fft_power(f, in, p);
		for (i = 0; i <= SPEC_N / 2; i++)
			psd[i] += p[i] / (double)nf;
	}
	pm_fft_free(f);
	free(in);
	free(p);
}

#define BIN_HZ ((double)RATE / SPEC_N)

/* Power within 2 bins of `hz`, dB. */
static double line_power_db(const double *psd, double hz)
{
	size_t b = (size_t)(hz / BIN_HZ + 0.5);
	double e = 0;

	for (size_t k = b - 2; k <= b + 2; k++)
		e += psd[k];
	return 10 * log10(e + 1e-30);
}

/* Power in every bin further than `away` Hz from a multiple of `hz`. */
static double off_lines_db(const double *psd, double hz, double away)
{
	double e = 0;

	for (size_t b = 1; b <= SPEC_N / 2; b++) {
		double f = b * BIN_HZ, k = floor(f / hz + 0.5);

		if (k >= 1 && fabs(f - k * hz) <= away)
			continue;
		e += psd[b];
	}
	return 10 * log10(e + 1e-30);
}

static double total_db(const double *psd)
{
	double e = 0;

	for (size_t b = 1; b <= SPEC_N / 2; b++)
		e += psd[b];
	return 10 * log10(e + 1e-30);
}

static void test_hum(double hz, double nominal)
{
	struct pm_err err = { 0 };
	struct pm_dehum h;
	float *clean = music(false), *x = malloc(2 * LEN * sizeof(*x));
	double *ref = malloc((SPEC_N / 2 + 1) * sizeof(*ref));
	double *psd = malloc((SPEC_N / 2 + 1) * sizeof(*psd));
	double *sig = malloc((SPEC_N / 2 + 1) * sizeof(*sig));
	double before[3], after[3], jump = 0;
	size_t i;
	int k;

	memcpy(x, clean, 2 * LEN * sizeof(*x));
	add_hum(x, hz, -50);
	spectrum(x, clean, ref); /* the error without repair: the hum */
	spectrum(clean, NULL, sig);
	ok(pm_dehum_measure(x, LEN, RATE, nominal, &h, &err) == 0,
	   "%.2f Hz hum measured", hz);
	is_near(h.fundamental_hz, hz, 0.01,
		"the fundamental found: %.4f Hz (planted %.2f)",
		h.fundamental_hz, hz);
	for (i = 0; i < h.nlines; i++)
		tap_diag("line %u: %.4f Hz, %.1f dBFS, %.1f dB over the music",
			 h.line[i].harmonic, h.line[i].hz, h.line[i].before_db,
			 h.line[i].over_db);
	ok(h.nlines >= 4 && h.line[0].harmonic == 1,
	   "%u lines to notch, the fundamental first", h.nlines);
	is_near(h.line[0].before_db, -50 - 20 * log10(2 / 1.9), 1.0,
		"the fundamental's level as measured: %.1f dBFS",
		h.line[0].before_db);
	ok(pm_dehum_apply(&h, x, LEN, RATE, &err) == 0, "hum notched");
	ok(h.line[0].after_db < h.line[0].before_db - 20,
	   "the report has the fundamental from %.1f to %.1f dBFS",
	   h.line[0].before_db, h.line[0].after_db);
	spectrum(x, clean, psd);
	for (k = 0; k < 3; k++) {
		before[k] = line_power_db(ref, hz * (k + 1));
		after[k] = line_power_db(psd, hz * (k + 1));
		ok(after[k] < before[k] - 20,
		   "the %.0f Hz line of the error down %.1f dB (20 dB or more)",
		   hz * (k + 1), before[k] - after[k]);
	}
	ok(off_lines_db(psd, hz, 3) < total_db(sig) - 60,
	   "away from the lines the error is %.1f dB under the music (-60 dB)",
	   off_lines_db(psd, hz, 3) - total_db(sig));
	/*
	 * The first and last 0.3 s: no click (the error's second difference
	 * stays that of low tones).
	 */
	for (i = 4; i < 2 * LEN; i++) {
		double e = (double)x[i] - clean[i];

		if (i / 2 > (size_t)RATE * 3 / 10 &&
		    i / 2 < LEN - (size_t)RATE * 3 / 10)
			continue;
		{
			double d2 = e - 2 * ((double)x[i - 2] - clean[i - 2]) +
				    ((double)x[i - 4] - clean[i - 4]);

			jump = fmax(jump, fabs(d2));
		}
	}
	ok(jump < 1e-4, "no click at the edges: the error's second difference is at most %.1f dBFS",
	   20 * log10(jump));
	free(clean);
	free(x);
	free(ref);
	free(psd);
	free(sig);
}

/*
 * Hum from the first sample to the last, under white noise at -60 dBFS:
 * the notches are primed with the hum, so it is gone at the edges too
 * (its projection on the error, over the first and the last 0.3 s).
 */
static void test_edges(void)
{
	struct pm_err err = { 0 };
	struct pm_dehum h;
	float *x = malloc(2 * LEN * sizeof(*x));
	float *noise = malloc(2 * LEN * sizeof(*noise));
	float *hum = calloc(2 * LEN, sizeof(*hum));
	size_t edge = RATE * 3 / 10, i;
	double pe[2] = { 0, 0 }, ph[2] = { 0, 0 };

	tap_seed(777);
	for (i = 0; i < 2 * LEN; i++)
		noise[i] = (float)(0.001 * sqrt(3) * tap_uniform());
	add_hum(hum, 60, -50);
	for (i = 0; i < 2 * LEN; i++)
		x[i] = noise[i] + hum[i];
	pm_dehum_measure(x, LEN, RATE, 60, &h, &err);
	pm_dehum_apply(&h, x, LEN, RATE, &err);
	for (i = 0; i < 2 * LEN; i++) {
		int end = i / 2 >= LEN - edge;

		if (i / 2 >= edge && !end)
			continue;
		pe[end] += ((double)x[i] - noise[i]) * hum[i];
		ph[end] += (double)hum[i] * hum[i];
	}
	ok(fabs(pe[0]) < 0.1 * ph[0] && fabs(pe[1]) < 0.1 * ph[1],
	   "the hum is gone from the first sample to the last: %.1f dB of it left in the first 0.3 s, %.1f dB in the last",
	   20 * log10(fabs(pe[0]) / ph[0]), 20 * log10(fabs(pe[1]) / ph[1]));
	free(x);
	free(noise);
	free(hum);
}

/* Clean music: nothing stands out, nothing is done. */
static void test_no_hum(void)
{
	struct pm_err err = { 0 };
	struct pm_dehum h;
	float *x = music(false), *y = malloc(2 * LEN * sizeof(*y));

	memcpy(y, x, 2 * LEN * sizeof(*y));
	ok(pm_dehum_measure(x, LEN, RATE, 60, &h, &err) == 0, "measured");
	ok(h.nlines == 0, "no hum lines found in clean music (%u)", h.nlines);
	pm_dehum_apply(&h, x, LEN, RATE, &err);
	is_mem(x, y, 2 * LEN * sizeof(*x), "and the music is left bit for bit");
	free(x);
	free(y);
}

int main(void)
{
	test_hum(60.0, 60);
	test_hum(50.04, 50);
	test_edges();
	test_no_hum();
	return tap_done();
}
