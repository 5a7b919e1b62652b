/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-defects.c: the defect detector's speed, and the repair's, on
 * audio files, one thread.  Built by `make bench` (never by `make
 * check`); bench/bench-defects.sh runs it on the real album.
 *
 *   bench-defects FILE...
 *
 * Each file is decoded into memory first (not timed).  Then, over all
 * files: the detector alone ("detect"), and on a copy with a click every
 * 2 s and a 50 ms clipped passage every 10 s, the detector computing the
 * repairs plus putting them in place ("repair").  Prints seconds of
 * audio, seconds taken and multiples of real time for each, and the
 * planted defects found.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsp/defects.h"
#include "io/audio.h"
#include "util/err.h"

#include "util/banned.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static float *load(const char *path, uint32_t *rate, int64_t *frames)
{
	struct pm_err err = { 0 };
	struct pm_audio_info info;
	struct pm_audio_reader *r = pm_audio_open(path, &info, &err);
	float *x, *mono = NULL;
	int64_t got = 0, k;

	if (!r) {
		fprintf(stderr, "bench-defects: %s\n", err.msg);
		return NULL;
	}
	x = malloc((size_t)info.length_samples * 2 * sizeof(*x) + 8);
	if (info.channels == 1)
		mono = malloc((size_t)info.length_samples * sizeof(*mono) + 4);
	while (x && got < info.length_samples &&
	       (k = pm_audio_read(r, mono ? mono + got : x + 2 * got,
				  info.length_samples - got, &err)) > 0)
		got += k;
	for (k = 0; mono && k < got; k++)
		x[2 * k] = x[2 * k + 1] = mono[k];
	free(mono);
	pm_audio_close(r);
	*rate = info.rate;
	*frames = got;
	return x;
}

/* Run the detector over x; returns the events of `kind` it found. */
static size_t run(const float *x, int64_t n, uint32_t rate, bool fix,
		  float *patch, size_t *clicks, size_t *clipped)
{
	struct pm_defects_config c;
	struct pm_defects_summary s;
	struct pm_err err = { 0 };
	struct pm_defects *d;
	const struct pm_defect *e;
	size_t ne, i, changed = 0;

	pm_defects_config_default(&c);
	c.fix_clicks = c.fix_clipping = fix;
	d = pm_defects_new(rate, &c, &err);
	if (!d)
		return 0;
	for (int64_t k = 0; k < n; k += 8192)
		pm_defects_add(d, x + 2 * k, (size_t)(n - k < 8192 ? n - k : 8192));
	pm_defects_finish(d, &s);
	if (patch)
		changed = pm_defects_patch(d, true, true, patch, 0, (size_t)n);
	e = pm_defects_events(d, &ne);
	for (i = 0; i < ne; i++) {
		*clicks += e[i].kind == PM_DEFECT_CLICK;
		*clipped += e[i].kind == PM_DEFECT_CLIPPING;
	}
	pm_defects_free(d);
	return changed;
}

int main(int argc, char **argv)
{
	double audio = 0, t_detect = 0, t_repair = 0;
	size_t nat_clicks = 0, nat_clip = 0, clicks = 0, clipped = 0;
	size_t planted_clicks = 0, planted_clips = 0, changed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-defects FILE...\n");
		return 64;
	}
	for (int a = 1; a < argc; a++) {
		uint32_t rate;
		int64_t n;
		float *x = load(argv[a], &rate, &n), *y;
		double t0;

		if (!x)
			return 1;
		audio += (double)n / rate;
		t0 = now();
		run(x, n, rate, false, NULL, &nat_clicks, &nat_clip);
		t_detect += now() - t0;
		/* plant: a -14 dBFS click every 2 s, 50 ms clipped every 10 s */
		for (int64_t k = rate; k < n - rate; k += 2 * (int64_t)rate) {
			x[2 * k + (k / rate) % 2] += 0.2f;
			planted_clicks++;
		}
		for (int64_t k = 5 * (int64_t)rate; k < n - rate;
		     k += 10 * (int64_t)rate) {
			float lvl = 0;

			for (int64_t j = k; j < k + rate / 20; j++)
				lvl = fmaxf(lvl, fabsf(x[2 * j]));
			lvl *= 0.5f;
			for (int64_t j = k; j < k + rate / 20; j++)
				for (int c = 0; c < 2; c++)
					x[2 * j + c] = fminf(lvl, fmaxf(-lvl, x[2 * j + c]));
			planted_clips++;
		}
		y = malloc((size_t)n * 2 * sizeof(*y));
		if (!y)
			return 1;
		memcpy(y, x, (size_t)n * 2 * sizeof(*y));
		t0 = now();
		changed += run(x, n, rate, true, y, &clicks, &clipped);
		t_repair += now() - t0;
		free(x);
		free(y);
	}
	printf("audio: %.1f s in %d files\n", audio, argc - 1);
	printf("detect: %.2f s, %.0fx real time; found %zu clicks, %zu clipped passages in the files as they are\n",
	       t_detect, audio / t_detect, nat_clicks, nat_clip);
	printf("repair: %.2f s, %.0fx real time (detect, interpolate, put in place); %zu samples replaced; planted %zu clicks and %zu clipped passages, found %zu clicks and %zu clipped passages\n",
	       t_repair, audio / t_repair, changed, planted_clicks,
	       planted_clips, clicks, clipped);
	return 0;
}
