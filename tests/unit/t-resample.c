/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-resample.c: 96 -> 44.1 kHz aliasing of a 23 kHz tone and THD+N of a
 * 1 kHz tone (the Hydrogenaudio/Infinitewave style tests); exact output
 * lengths whatever the blocks; time alignment (the output is the ideal
 * sine at the new rate, no delay); 44.1 -> 48 -> 44.1 kHz round trip.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/fft.h"
#include "dsp/resample.h"
#include "tap.h"

/*
 * Resample `n` frames of `ch` channels in blocks of pseudo-random sizes;
 * returns the output (its length in *m) or NULL.
 */
static float *convert(const float *x, size_t n, unsigned ch, uint32_t from,
		      uint32_t to, size_t *m)
{
	struct pm_err err = { 0 };
	struct pm_resampler *r = pm_resample_new(ch, from, to, &err);
	size_t cap = (size_t)pm_resample_length((int64_t)n, from, to) + 4096;
	float *y = calloc(cap * ch, sizeof(float));
	size_t done = 0, got = 0, k = 7, part;
	int rc = 0;

	if (!r) {
		tap_diag("%s", err.msg);
		free(y);
		return NULL;
	}
	while (done < n && rc == 0) {
		size_t step = PM_MIN(k % 9001 + 1, n - done);

		if (got + pm_resample_room(r, step) > cap)
			break;
		rc = pm_resample_process(r, x + done * ch, step, y + got * ch,
					 &part, &err);
		done += step;
		got += part;
		k = k * 31 + 17;
	}
	if (rc == 0 && got + pm_resample_flush_room(r) <= cap)
		rc = pm_resample_flush(r, y + got * ch, &part, &err);
	else
		rc = -1;
	if (rc < 0) {
		tap_diag("resampling failed: %s", err.msg);
		free(y);
		y = NULL;
	}
	got += part;
	*m = got;
	pm_resample_free(r);
	return y;
}

/* A stereo sine (left sin, right cos) of `n` frames at `rate`. */
static float *sine(double hz, double db, uint32_t rate, size_t n)
{
	float *x = calloc(2 * n, sizeof(float));
	double a = pow(10.0, db / 20.0);

	for (size_t i = 0; i < n; i++) {
		double ph = 2 * M_PI * hz * (double)i / rate;

		x[2 * i] = (float)(a * sin(ph));
		x[2 * i + 1] = (float)(a * cos(ph));
	}
	return x;
}

int main(void)
{
	struct pm_err err = { 0 };
	struct pm_tone_analysis ta;
	size_t n = 96000 * 3 / 2, m;
	float *x, *y;

	/* a 23 kHz tone must vanish, not fold back to 21.1 kHz */
	x = sine(23000, -4, 96000, n);
	y = convert(x, n, 2, 96000, 44100, &m);
	is_int(m, pm_resample_length((int64_t)n, 96000, 44100),
	       "96 -> 44.1 kHz: exact length %zu", m);
	pm_tone_analyse(y + 2 * 4410, m - 2 * 4410, 2, 44100, 0, 20, 22050, &ta,
			&err);
	ok(ta.spur_db - (-4.0) <= -100.0,
	   "23 kHz -4 dBFS: worst component %.1f dBc at %.0f Hz (<= -100)",
	   ta.spur_db + 4.0, ta.spur_hz);
	free(x);
	free(y);

	/* a 1 kHz tone comes out clean */
	x = sine(1000, -1, 96000, n);
	y = convert(x, n, 2, 96000, 44100, &m);
	pm_tone_analyse(y + 2 * 4410, m - 2 * 4410, 2, 44100, 1000, 20, 20000,
			&ta, &err);
	ok(ta.thdn_db <= -120.0, "1 kHz -1 dBFS: THD+N %.1f dB (<= -120)",
	   ta.thdn_db);
	is_near(ta.tone_db, -1.0, 0.01, "and its level is kept (%.4f dB)",
		ta.tone_db);
	pm_tone_analyse(y + 2 * 4410 + 1, m - 2 * 4410, 2, 44100, 1000, 20,
			20000, &ta, &err);
	ok(ta.thdn_db <= -120.0, "right channel too: %.1f dB", ta.thdn_db);
	free(x);
	free(y);

	/*
	 * Time alignment: 48 -> 44.1 kHz, the output must be the same sine
	 * sampled at the new rate, from the same time origin.
	 */
	{
		size_t k = 48000;
		double a = pow(10.0, -3.0 / 20), e2 = 0.0, s2 = 0.0;

		x = sine(997, -3, 48000, k);
		y = convert(x, k, 2, 48000, 44100, &m);
		for (size_t i = 4410; i + 4410 < m; i++) {
			double ph = 2 * M_PI * 997.0 * (double)i / 44100;
			double d = y[2 * i] - a * sin(ph);

			e2 += d * d;
			s2 += a * a * sin(ph) * sin(ph);
		}
		ok(10 * log10(e2 / s2) <= -100.0,
		   "48 -> 44.1 kHz: output is the ideal sine, no delay "
		   "(error %.1f dB)",
		   10 * log10(e2 / s2));
		free(x);
		free(y);
	}

	/* 44.1 -> 48 -> 44.1 kHz: lengths and content survive */
	{
		size_t k = 44100 + 37, m2;
		float *z;
		double e2 = 0.0, s2 = 0.0;

		x = calloc(2 * k, sizeof(float));
		for (size_t i = 0; i < k; i++) {
			double t = (double)i / 44100;

			x[2 * i] = (float)(0.4 * sin(2 * M_PI * 440 * t) +
					   0.3 * sin(2 * M_PI * 9000 * t));
			x[2 * i + 1] = (float)(0.5 * sin(2 * M_PI * 15000 * t));
		}
		y = convert(x, k, 2, 44100, 48000, &m);
		is_int(m, pm_resample_length((int64_t)k, 44100, 48000),
		       "44.1 -> 48 kHz: %zu frames", m);
		z = convert(y, m, 2, 48000, 44100, &m2);
		is_int(m2, k, "and back: %zu frames again", m2);
		for (size_t i = 8000; i + 8000 < k; i++) {
			for (int c = 0; c < 2; c++) {
				double d = (double)z[2 * i + c] - x[2 * i + c];

				e2 += d * d;
				s2 += (double)x[2 * i + c] * x[2 * i + c];
			}
		}
		ok(10 * log10(e2 / s2) <= -100.0,
		   "round trip error %.1f dB (<= -100)", 10 * log10(e2 / s2));
		free(x);
		free(y);
		free(z);
	}

	/* exact lengths for awkward sizes and rate pairs */
	{
		static const uint32_t pairs[][2] = {
			{ 44100, 48000 },  { 48000, 44100 },  { 96000, 44100 },
			{ 44100, 192000 }, { 192000, 44100 }, { 88200, 48000 }
		};
		static const size_t lens[] = { 1, 2, 999, 4411, 30011 };
		bool all = true;

		for (size_t p = 0; p < PM_ARRAY_SIZE(pairs); p++) {
			for (size_t l = 0; l < PM_ARRAY_SIZE(lens); l++) {
				float *in = calloc(lens[l], sizeof(float));
				float *out;
				int64_t want = pm_resample_length(
					(int64_t)lens[l], pairs[p][0],
					pairs[p][1]);

				for (size_t i = 0; i < lens[l]; i++)
					in[i] = (float)sin(0.1 * i);
				out = convert(in, lens[l], 1, pairs[p][0],
					      pairs[p][1], &m);
				if (!out || (int64_t)m != want) {
					all = false;
					tap_diag("%lu -> %lu, %zu frames: got "
						 "%zu, want %lld",
						 (unsigned long)pairs[p][0],
						 (unsigned long)pairs[p][1],
						 lens[l], m, (long long)want);
				}
				free(in);
				free(out);
			}
		}
		ok(all, "output length round(n * out / in) for every pair and "
			"length tried");
		is_int(pm_resample_length(441, 44100, 48000), 480,
		       "441 frames at 44.1 kHz are 480 at 48 kHz");
		is_int(pm_resample_length(1, 48000, 44100), 1,
		       "1 frame rounds to 1");
	}

	/* equal rates copy bit for bit */
	{
		x = sine(1234, -2, 48000, 10000);
		y = convert(x, 10000, 2, 48000, 48000, &m);
		ok(m == 10000 && memcmp(x, y, sizeof(float) * 2 * m) == 0,
		   "48 -> 48 kHz: bit-exact copy");
		free(x);
		free(y);
	}

	ok(pm_resample_new(2, 1000, 44100, &err) == NULL &&
		   err.code == PM_EINVAL,
	   "1 kHz input refused");
	ok(strncmp(pm_resample_version(), "libsoxr-", 8) == 0, "version %s",
	   pm_resample_version());
	pm_resample_free(NULL);
	return tap_done();
}
