/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-dither.c: the 16-bit requantiser: TPDF removes the distortion plain
 * rounding leaves, adds the noise it should, shaping moves that noise out
 * of 1.5-6 kHz, and exact values and silence pass untouched.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/dither.h"
#include "dsp/fft.h"
#include "tap.h"

#define N 65536
#define RATE 44100.0

static float in[N * 2];
static int16_t out[N * 2];
static double w[N], x[N], pw[N / 2 + 1];

/* Power spectrum of the error (or of the output) of channel 0, windowed. */
static void spectrum(struct pm_fft *f, bool error_only)
{
	size_t i;

	for (i = 0; i < N; i++)
		x[i] = w[i] * ((double)out[2 * i] / 32768.0 -
			       (error_only ? (double)in[2 * i] : 0.0));
	pm_fft_power(f, x, pw);
}

/* Level in dB re a full-scale sine of the power in bins [a, b]. */
static double band_db(double f0, double f1)
{
	double cg = pm_window_coherent_gain(w, N), sum = 0;
	size_t a = (size_t)(f0 / RATE * N), b = (size_t)(f1 / RATE * N), k;

	for (k = a; k <= b; k++)
		sum += pw[k];
	/* a full-scale sine puts (N * cg / 2)^2 into its bins */
	return 10 * log10(sum / pow(N * cg / 2, 2) + 1e-300);
}

/*
 * How far the 9 bins around `f` stand above the local floor: the mean of
 * 9-bin sums over the 400 Hz around it, the centre excluded.  A tone
 * stands out by tens of dB; noise by about nothing.
 */
static double above_floor_db(double f)
{
	size_t c = (size_t)(f / RATE * N + 0.5), k, j, m = 0;
	double centre = 0, floor = 0;

	for (k = c - 4; k <= c + 4; k++)
		centre += pw[k];
	for (k = c - 300; k + 9 <= c + 300; k += 9) {
		if (k + 9 > c - 20 && k < c + 20)
			continue;
		for (j = k; j < k + 9; j++)
			floor += pw[j];
		m++;
	}
	return 10 * log10(centre / (floor / (double)m));
}

static void sine(double dbfs)
{
	double amp = pow(10, dbfs / 20);
	size_t i;

	for (i = 0; i < N; i++)
		in[2 * i] = in[2 * i + 1] =
			(float)(amp * sin(2 * M_PI * 1000.0 * (double)i / RATE));
}

int main(void)
{
	struct pm_ditherer d;
	struct pm_fft *f = pm_fft_new(N, NULL);
	int16_t again[64];
	double err2 = 0, h3_plain, h3_tpdf, noise, lo, hi;
	size_t i;

	pm_window_fill(w, N, PM_WINDOW_BLACKMAN_HARRIS, 0);

	/* plain rounding of a -70 dBFS sine: harmonics */
	sine(-70);
	pm_dither_init(&d, PM_DITHER_NONE, 1);
	pm_dither_s16(&d, in, out, N, 2);
	spectrum(f, false);
	h3_plain = above_floor_db(3000);
	ok(h3_plain > 10, "without dither the 3rd harmonic shows, %.1f dB over the floor",
	   h3_plain);

	/* TPDF: no harmonics, and -96 dBFS of noise */
	pm_dither_init(&d, PM_DITHER_TPDF, 1);
	pm_dither_s16(&d, in, out, N, 2);
	spectrum(f, false);
	h3_tpdf = above_floor_db(3000);
	ok(h3_tpdf < 4, "TPDF leaves no 3rd harmonic: %.1f dB over the floor",
	   h3_tpdf);
	ok(above_floor_db(5000) < 4, "nor a 5th: %.1f dB", above_floor_db(5000));
	for (i = 0; i < N; i++) {
		double e = (double)out[2 * i] / 32768.0 - (double)in[2 * i];

		err2 += e * e;
	}
	noise = 10 * log10(err2 / N);
	is_near(noise, -96.3, 1.0, "TPDF residual noise %.2f dBFS (theory -96.3)",
		noise);
	ok(d.dithered > N && d.passed < N / 100, "every inexact sample dithered");

	/* shaped: the noise leaves 1.5-6 kHz for 15-22 kHz */
	pm_dither_init(&d, PM_DITHER_SHAPED, 1);
	pm_dither_s16(&d, in, out, N, 2);
	spectrum(f, true);
	lo = band_db(1500, 6000) - 10 * log10(4500);
	hi = band_db(15000, 22000) - 10 * log10(7000);
	ok(hi - lo >= 30, "shaped: 1.5-6 kHz noise %.1f dB below 15-22 kHz",
	   hi - lo);
	spectrum(f, false);
	ok(above_floor_db(3000) < 4, "shaped: no harmonic distortion either (%.1f dB)",
	   above_floor_db(3000));

	/* exact 16-bit values and digital silence pass untouched */
	for (i = 0; i < 64; i++)
		in[i] = (float)((int)(i * 997 % 65536) - 32768) / 32768.0f;
	in[10] = 0;
	pm_dither_init(&d, PM_DITHER_SHAPED, 7);
	pm_dither_s16(&d, in, out, 32, 2);
	for (i = 0; i < 64; i++)
		if (out[i] != (int16_t)((int)(i * 997 % 65536) - 32768) && i != 10)
			break;
	ok(i == 64 && out[10] == 0, "16-bit values pass bit-identical");
	memset(in, 0, 64 * sizeof(float));
	pm_dither_init(&d, PM_DITHER_TPDF, 7);
	pm_dither_s16(&d, in, out, 32, 2);
	for (i = 0; i < 64 && out[i] == 0; i++)
		;
	ok(i == 64, "digital silence stays digitally silent");

	/* the vector code and the plain code give the same bits, whatever
	 * the block sizes */
	{
		static int16_t a[N * 2], b[N * 2];
		size_t pos, step;

		sine(-30);
		for (i = 0; i < 4096; i++)
			in[2 * i] = in[2 * i + 1] = 0; /* silence passes */
		pm_dither_use_vector(true);
		pm_dither_init(&d, PM_DITHER_TPDF, 42);
		for (pos = 0, step = 1; pos < N; pos += step, step = step * 3 % 997 + 1)
			pm_dither_s16(&d, in + 2 * pos, a + 2 * pos,
				      PM_MIN(step, N - pos), 2);
		pm_dither_use_vector(false);
		pm_dither_init(&d, PM_DITHER_TPDF, 42);
		pm_dither_s16(&d, in, b, N, 2);
		pm_dither_use_vector(true);
		ok(memcmp(a, b, sizeof(a)) == 0,
		   "vector and plain TPDF agree bit for bit, in odd block sizes");
	}

	/* determinism, and clipping */
	sine(-20);
	pm_dither_init(&d, PM_DITHER_TPDF, 99);
	pm_dither_s16(&d, in, out, 32, 2);
	memcpy(again, out, sizeof(again));
	pm_dither_init(&d, PM_DITHER_TPDF, 99);
	pm_dither_s16(&d, in, out, 32, 2);
	ok(memcmp(again, out, sizeof(again)) == 0, "the same seed, the same bits");
	in[0] = 2.0f;
	in[1] = -2.0f;
	pm_dither_s16(&d, in, out, 1, 2);
	ok(out[0] == 32767 && out[1] == -32768, "over full scale clips");
	pm_fft_free(f);
	return tap_done();
}
