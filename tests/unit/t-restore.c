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
#include "dsp/denoise.h"
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
			s = (0.5 - 0.5 * cos(M_PI * a)) *
			    (0.5 - 0.5 * cos(M_PI * r)) *
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
		tap_diag("line %u: %.4f Hz, %.1f dBFS, %.1f dB over the music, notched %.2f Hz wide",
			 h.line[i].harmonic, h.line[i].hz, h.line[i].before_db,
			 h.line[i].over_db, h.line[i].width_hz);
	ok(h.nlines >= 4 && h.line[0].harmonic == 1,
	   "%u lines to notch, the fundamental first", h.nlines);
	is_near(h.line[0].before_db, -50 - 20 * log10(2 / 1.9), 1.0,
		"the fundamental's level as measured: %.1f dBFS",
		h.line[0].before_db);
	ok(pm_dehum_apply(&h, x, LEN, RATE, &err) == 0, "hum notched");
	pm_dehum_release(&h);
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
	pm_dehum_release(&h);
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

/*
 * Mains that wander: 60 Hz +- 0.04 Hz over 15 s, the harmonics k times
 * as far (180 Hz by +-0.12 Hz, a third of a 0.3 Hz notch either way).
 * The fundamental is followed and the notches with it: each of the first
 * three lines 20 dB down or more in the error, and the music away from
 * them within -60 dB.
 */
static void test_drift(void)
{
	struct pm_err err = { 0 };
	struct pm_dehum h;
	float *clean = music(false), *x = malloc(2 * LEN * sizeof(*x));
	double *ref = malloc((SPEC_N / 2 + 1) * sizeof(*ref));
	double *psd = malloc((SPEC_N / 2 + 1) * sizeof(*psd));
	double *sig = malloc((SPEC_N / 2 + 1) * sizeof(*sig));
	double widest = 0;
	size_t i;

	for (i = 0; i < LEN; i++) {
		double t = (double)i / RATE, h0 = 0;
		double ph = 2 * M_PI * 60 * t -
			    0.04 * 15 * cos(2 * M_PI * t / 15);

		for (int k = 1; k <= 3; k++)
			h0 += pow(10, -50.0 / 20) / k * sin(k * ph + k);
		x[2 * i] = clean[2 * i] + (float)h0;
		x[2 * i + 1] = clean[2 * i + 1] + (float)h0;
	}
	spectrum(x, clean, ref);
	spectrum(clean, NULL, sig);
	pm_dehum_measure(x, LEN, RATE, 60, &h, &err);
	for (i = 0; i < h.nlines; i++)
		widest = fmax(widest, h.line[i].width_hz);
	ok(h.nlines >= 3, "%u wandering lines found, notches up to %.2f Hz wide",
	   h.nlines, widest);
	pm_dehum_apply(&h, x, LEN, RATE, &err);
	ok(h.max_hz - h.min_hz > 0.05 && h.max_hz - h.min_hz < 0.12,
	   "the fundamental followed from %.3f to %.3f Hz (60 +- 0.04 planted)",
	   h.min_hz, h.max_hz);
	pm_dehum_release(&h);
	spectrum(x, clean, psd);
	for (int k = 1; k <= 3; k++) {
		double e0 = 0, e1 = 0;
		size_t b = (size_t)(60.0 * k / BIN_HZ + 0.5);

		/* the line's power over the bins it wanders through */
		for (size_t q = b - 3; q <= b + 3; q++) {
			e0 += ref[q];
			e1 += psd[q];
		}
		ok(10 * log10(e1 / e0) < -20,
		   "the wandering %d Hz line of the error down %.1f dB (20 dB or more)",
		   60 * k, -10 * log10(e1 / e0));
	}
	ok(off_lines_db(psd, 60, 3) < total_db(sig) - 60,
	   "away from the lines the error is %.1f dB under the music (-60 dB)",
	   off_lines_db(psd, 60, 3) - total_db(sig));
	free(clean);
	free(x);
	free(ref);
	free(psd);
	free(sig);
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
	pm_dehum_release(&h);
	is_mem(x, y, 2 * LEN * sizeof(*x), "and the music is left bit for bit");
	free(x);
	free(y);
}

/* RMS level of both channels over seconds [a, b), dBFS */
static double level_db(const float *x, double a, double b)
{
	double e = 0;
	size_t i0 = (size_t)(a * RATE), i1 = (size_t)(b * RATE);

	for (size_t i = 2 * i0; i < 2 * i1; i++)
		e += (double)x[i] * x[i];
	return 10 * log10(e / (2.0 * (double)(i1 - i0)) + 1e-30);
}

/*
 * Isolated peaks in the short-time spectrum of seconds [a, b) of the left
 * channel: the share of the bins (300 Hz to 15 kHz, 2048 points, Hann)
 * over 10 times their frequency's mean power.  Noise has e^-10 of them;
 * musical noise, bins let through alone, many more.
 */
static double peaky(const float *x, double a, double b)
{
	struct pm_err err = { 0 };
	struct pm_fft *f = pm_fft_new(2048, &err);
	double in[2048], w[2048], p[1025], mean[1025] = { 0 };
	double (*all)[1025];
	size_t i0 = (size_t)(a * RATE), nf = (size_t)((b - a) * RATE) / 2048;
	size_t t, k, over = 0, total = 0;

	all = malloc(nf * sizeof(*all));
	pm_window_fill(w, 2048, PM_WINDOW_HANN, 0);
	for (t = 0; t < nf; t++) {
		for (k = 0; k < 2048; k++)
			in[k] = w[k] * x[2 * (i0 + t * 2048 + k)];
		pm_fft_power(f, in, p);
		for (k = 0; k < 1025; k++) {
			all[t][k] = p[k];
			mean[k] += p[k] / (double)nf;
		}
	}
	for (t = 0; t < nf; t++)
		for (k = 14; k < 697; k++) {
			total++;
			over += all[t][k] > 10 * mean[k];
		}
	pm_fft_free(f);
	free(all);
	return (double)over / (double)total;
}

static void test_noise(double reduction)
{
	struct pm_err err = { 0 };
	struct pm_denoise d;
	float *clean = music(true), *x = malloc(2 * LEN * sizeof(*x));
	float *y = malloc(2 * LEN * sizeof(*y));
	double drop, m1, m2;

	tap_seed(99);
	for (size_t i = 0; i < 2 * LEN; i++)
		x[i] = clean[i] + (float)(0.001 * sqrt(3) * tap_uniform());
	memcpy(y, x, 2 * LEN * sizeof(*y));
	ok(pm_denoise_run(y, LEN, RATE, reduction, &d, &err) == 0,
	   "noise reduced by up to %.0f dB", reduction);
	ok(d.quiet_s >= 2 && d.quiet_s <= 4.5,
	   "the profile learnt from %.1f s of the 4 s gap", d.quiet_s);
	is_near(d.profile_db, -60, 1, "the noise profile at %.1f dBFS (-60 planted)",
		d.profile_db);
	drop = level_db(x, 9, 11) - level_db(y, 9, 11);
	ok(drop >= reduction - 1 && drop <= reduction + 0.5,
	   "the quiet passage down %.1f dB (%.0f asked)", drop, reduction);
	ok(d.after_db <= d.profile_db - (reduction - 1),
	   "the report has it from %.1f to %.1f dBFS", d.profile_db, d.after_db);
	m1 = level_db(y, 2, 6) - level_db(x, 2, 6);
	m2 = level_db(y, 14, 18) - level_db(x, 14, 18);
	ok(fabs(m1) < 0.5 && fabs(m2) < 0.5,
	   "the music moved by %.2f and %.2f dB (less than 0.5 dB)", m1, m2);
	ok(peaky(y, 8.5, 11.5) < 3e-4,
	   "what is left of the noise is noise: %.1e of its bins stand alone (%.1e before)",
	   peaky(y, 8.5, 11.5), peaky(x, 8.5, 11.5));
	free(clean);
	free(x);
	free(y);
}

/* No reduction: the input, to float rounding; no quiet passage: as is. */
static void test_noise_none(void)
{
	struct pm_err err = { 0 };
	struct pm_denoise d;
	float *x = music(true), *y = malloc(2 * LEN * sizeof(*y));
	double worst = 0;

	tap_seed(99);
	for (size_t i = 0; i < 2 * LEN; i++)
		x[i] += (float)(0.001 * sqrt(3) * tap_uniform());
	memcpy(y, x, 2 * LEN * sizeof(*y));
	ok(pm_denoise_run(y, LEN, RATE, 0, &d, &err) == 0 && d.quiet_s > 0,
	   "a reduction of 0 dB run");
	for (size_t i = 0; i < 2 * LEN; i++)
		worst = fmax(worst, fabs((double)y[i] - x[i]));
	ok(worst < 1e-6, "and the output is the input: %.1e at most apart",
	   worst);
	free(x);
	x = music(false);
	memcpy(y, x, 2 * LEN * sizeof(*y));
	ok(pm_denoise_run(y, LEN, RATE, 10, &d, &err) == 0 && d.quiet_s == 0,
	   "music without a quiet passage has no noise profile");
	is_mem(y, x, 2 * LEN * sizeof(*y), "and is left bit for bit");
	free(x);
	free(y);
}

int main(void)
{
	test_hum(60.0, 60);
	test_hum(50.04, 50);
	test_edges();
	test_drift();
	test_no_hum();
	test_noise(10);
	test_noise(PM_DENOISE_AUTO_DB);
	test_noise_none();
	return tap_done();
}
