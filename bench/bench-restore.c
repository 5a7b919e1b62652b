/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-restore.c: the speed of hum removal and noise reduction on audio
 * files, one thread.  Built by `make bench` (never by `make check`);
 * bench/bench-defects.sh runs it on the real album.
 *
 *   bench-restore FILE...
 *
 * Each file is decoded into memory first (not timed).  Then, over all
 * files: the files as they are through hum="60" and noise="6" (what a
 * clean album costs, and how much it is changed, when both are forced
 * on it), and a copy with 60 Hz hum at -30 dBFS (and its harmonics 2 to
 * 5 at a half, a third ... of it: loud enough to stand out of this
 * music's bass) and white noise at -70 dBFS planted, through hum removal
 * (hum="60"), noise reduction by 6 dB and both as master runs them.
 * Prints seconds of audio, seconds taken (wall clock and this thread's
 * CPU) and multiples of real time for each, and what the repairs found.
 */
#include <config.h>

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsp/dehum.h"
#include "dsp/denoise.h"
#include "io/audio.h"
#include "master/defects.h"
#include "util/err.h"

#include "bench-load.h"
#include "util/banned.h"

/*
 * y = x with 60 Hz hum at -30 dBFS (harmonics 2 to 5 at a half, a third
 * ... of it) and white noise at -70 dBFS, as asked.
 */
static void plant(float *y, const float *x, int64_t n, uint32_t rate,
		  bool hum, bool noise)
{
	uint64_t r = 0x9e3779b97f4a7c15u;

	for (int64_t i = 0; i < n; i++) {
		double t = (double)i / rate, h = 0;

		for (int k = 1; hum && k <= 5; k++)
			h += pow(10, -30.0 / 20) / k *
			     sin(2 * M_PI * 60 * k * t + k);
		for (int c = 0; c < 2; c++) {
			double v = h;

			if (noise) {
				r ^= r << 13;
				r ^= r >> 7;
				r ^= r << 17;
				v += pow(10, -70.0 / 20) * sqrt(3) *
				     ((double)(r >> 11) / 4503599627370496.0 -
				      1.0);
			}
			y[2 * i + c] = x[2 * i + c] + (float)v;
		}
	}
}

struct clock2 {
	double wall, cpu;
};

static void tick(struct clock2 *c)
{
	c->wall -= bench_now(CLOCK_MONOTONIC);
	c->cpu -= bench_now(CLOCK_THREAD_CPUTIME_ID);
}

static void tock(struct clock2 *c)
{
	c->wall += bench_now(CLOCK_MONOTONIC);
	c->cpu += bench_now(CLOCK_THREAD_CPUTIME_ID);
}

static void say(const char *what, const struct clock2 *c, double audio)
{
	printf("%s: %.2f s, %.0fx real time (CPU %.2f s, %.0fx)\n", what,
	       c->wall, audio / c->wall, c->cpu, audio / c->cpu);
}

int main(int argc, char **argv)
{
	struct clock2 clean = { 0 }, hum = { 0 }, noise = { 0 }, both = { 0 };
	double audio = 0, worst_after = -HUGE_VAL, noise_drop = HUGE_VAL;
	double clean_change = -HUGE_VAL;
	unsigned lines = 0, clean_lines = 0, clean_noise = 0;
	struct pm_err err = { 0 };

	if (argc < 2) {
		fprintf(stderr, "usage: bench-restore FILE...\n");
		return 64;
	}
	for (int a = 1; a < argc; a++) {
		uint32_t rate;
		int64_t n;
		float *x = bench_load("bench-restore", argv[a], &rate, &n), *y;
		struct pm_dehum dh;
		struct pm_denoise dn;
		double e = 0, d = 0;

		if (!x)
			return 1;
		y = malloc((size_t)n * 2 * sizeof(*y));
		if (!y)
			return 1;
		audio += (double)n / rate;
		/* as they are, both forced on */
		memcpy(y, x, (size_t)n * 2 * sizeof(*y));
		tick(&clean);
		if (pm_repair_restore(y, (size_t)n, rate, 60, PM_DENOISE_AUTO_DB,
				      0, &dh, &dn, &err) < 0)
			return 1;
		tock(&clean);
		clean_noise += dn.quiet_s > 0;
		clean_lines += dh.nlines;
		for (int64_t i = 0; i < 2 * n; i++) {
			e += (double)x[i] * x[i];
			d += ((double)y[i] - x[i]) * ((double)y[i] - x[i]);
		}
		clean_change = fmax(clean_change, 10 * log10(d / e + 1e-30));
		plant(y, x, n, rate, true, false);
		tick(&hum);
		if (pm_dehum_measure(y, (size_t)n, rate, 60, &dh, &err) < 0 ||
		    pm_dehum_apply(&dh, y, (size_t)n, rate, &err) < 0)
			return 1;
		tock(&hum);
		pm_dehum_release(&dh);
		for (unsigned k = 0; k < dh.nlines; k++) {
			if (dh.line[k].harmonic > 5)
				continue;
			lines++;
			worst_after = fmax(worst_after,
					   dh.line[k].after_db - dh.line[k].before_db);
		}
		plant(y, x, n, rate, false, true);
		tick(&noise);
		if (pm_denoise_run(y, (size_t)n, rate, PM_DENOISE_AUTO_DB, &dn,
				   &err) < 0)
			return 1;
		tock(&noise);
		if (dn.quiet_s > 0)
			noise_drop = fmin(noise_drop,
					  dn.profile_db - dn.after_db);
		plant(y, x, n, rate, true, true);
		tick(&both);
		if (pm_repair_restore(y, (size_t)n, rate, 60, PM_DENOISE_AUTO_DB,
				      0, &dh, &dn, &err) < 0)
			return 1;
		tock(&both);
		free(x);
		free(y);
	}
	printf("audio: %.1f s in %d files\n", audio, argc - 1);
	say("clean, hum=\"60\" noise=\"6\" forced", &clean, audio);
	printf("clean: %u hum lines stood out at 60 Hz; %u of %d tracks had quiet passages to learn noise from; the largest change %.1f dB under the music\n",
	       clean_lines, clean_noise, argc - 1, clean_change);
	say("hum removal, 60 Hz planted", &hum, audio);
	printf("hum: %u of the planted lines notched, each %.1f dB down or more\n",
	       lines, -worst_after);
	say("noise reduction by 6 dB, noise planted", &noise, audio);
	if (isfinite(noise_drop))
		printf("noise: the quiet passages down %.1f dB or more\n",
		       noise_drop);
	say("hum and noise, as master runs them", &both, audio);
	return 0;
}
