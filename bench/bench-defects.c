/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-defects.c: the defect detector's speed, and the repair's, on
 * audio files, one thread.  Built by `make bench` (never by `make
 * check`); bench/bench-defects.sh runs it on the real album.
 *
 *   bench-defects FILE...
 *
 * Each file is decoded into memory first (not timed).  Then, over all
 * files: the detector alone ("detect"), and on a copy with a -20 dBFS
 * click every 2 s and a 50 ms clipped passage every 10 s (at half the
 * passage's peak, where that is -40 dBFS or more), the detector
 * computing the repairs plus putting them in place ("repair").  Then
 * the detector alone again, with each click in both channels alike.
 * Prints seconds of audio, seconds taken and multiples of real time for
 * detection and repair, and how many planted defects were found where
 * they were planted.
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

#include "bench-load.h"
#include "util/banned.h"

/* Planted positions, and how many of them an event was found near. */
struct plants {
	int64_t *at;
	size_t n;
	enum pm_defect_kind kind;
	int64_t tol;
	size_t hit;
	bool both; /* a click in both channels: found in each */
};

static void score(struct plants *p, const struct pm_defect *e, size_t ne)
{
	for (size_t k = 0; k < p->n; k++) {
		unsigned seen = 0;

		for (size_t i = 0; i < ne; i++)
			if (e[i].kind == p->kind && e[i].start <= p->at[k] + p->tol &&
			    e[i].start + e[i].length >= p->at[k] - p->tol)
				seen |= p->both ? 1u << e[i].channel : 3u;
		p->hit += seen == 3;
	}
}

/* Run the detector over x; count the clicks and clipped passages. */
static size_t run(const float *x, int64_t n, uint32_t rate, bool fix,
		  float *patch, size_t *clicks, size_t *clipped,
		  struct plants *pc, struct plants *pp)
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
	if (pc)
		score(pc, e, ne);
	if (pp)
		score(pp, e, ne);
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
	size_t hit_clicks = 0, hit_clips = 0, quiet_clips = 0, hit_both = 0;
	size_t both_clicks = 0, both_clipped = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-defects FILE...\n");
		return 64;
	}
	for (int a = 1; a < argc; a++) {
		uint32_t rate;
		int64_t n;
		float *x = bench_load("bench-defects", argv[a], &rate, &n), *y;
		struct plants pc = { .kind = PM_DEFECT_CLICK };
		struct plants pp = { .kind = PM_DEFECT_CLIPPING };
		double t0;

		if (!x)
			return 1;
		pc.tol = rate / 100;
		pp.tol = rate / 20;
		audio += (double)n / rate;
		t0 = bench_now(CLOCK_MONOTONIC);
		run(x, n, rate, false, NULL, &nat_clicks, &nat_clip, NULL, NULL);
		t_detect += bench_now(CLOCK_MONOTONIC) - t0;
		pc.at = malloc(((size_t)(n / rate) + 1) * sizeof(int64_t));
		pp.at = malloc(((size_t)(n / rate) + 1) * sizeof(int64_t));
		if (!pc.at || !pp.at)
			return 1;
		/* plant: a -20 dBFS click every 2 s (away from the clipping),
		 * 50 ms clipped at half the local peak every 10 s */
		for (int64_t k = rate; k < n - rate; k += 2 * (int64_t)rate) {
			if ((k / rate) % 10 == 5)
				continue;
			x[2 * k + (k / rate / 2) % 2] +=
				(k / rate) % 4 == 1 ? 0.1f : -0.1f;
			pc.at[pc.n++] = k;
		}
		for (int64_t k = 5 * (int64_t)rate; k < n - rate;
		     k += 10 * (int64_t)rate) {
			float lvl = 0;

			for (int64_t j = k; j < k + rate / 20; j++)
				lvl = fmaxf(lvl, fabsf(x[2 * j]));
			lvl *= 0.5f;
			/* the detector looks for flat tops above -40 dBFS */
			if (lvl < 0.01f) {
				quiet_clips++;
				continue;
			}
			pp.at[pp.n++] = k;
			for (int64_t j = k; j < k + rate / 20; j++)
				for (int c = 0; c < 2; c++)
					x[2 * j + c] = fminf(lvl, fmaxf(-lvl, x[2 * j + c]));
		}
		y = malloc((size_t)n * 2 * sizeof(*y));
		if (!y)
			return 1;
		memcpy(y, x, (size_t)n * 2 * sizeof(*y));
		t0 = bench_now(CLOCK_MONOTONIC);
		changed += run(x, n, rate, true, y, &clicks, &clipped, &pc, &pp);
		t_repair += bench_now(CLOCK_MONOTONIC) - t0;
		/* each click in the other channel too (x is as planted) */
		for (size_t k = 0; k < pc.n; k++) {
			int64_t at = pc.at[k];

			x[2 * at + 1 - (at / rate / 2) % 2] +=
				(at / rate) % 4 == 1 ? 0.1f : -0.1f;
		}
		hit_clicks += pc.hit;
		pc.hit = 0;
		pc.both = true;
		run(x, n, rate, false, NULL, &both_clicks, &both_clipped, &pc,
		    NULL);
		hit_both += pc.hit;
		planted_clicks += pc.n;
		planted_clips += pp.n;
		hit_clips += pp.hit;
		free(pc.at);
		free(pp.at);
		free(x);
		free(y);
	}
	printf("audio: %.1f s in %d files\n", audio, argc - 1);
	printf("detect: %.2f s, %.0fx real time; found %zu clicks, %zu clipped passages in the files as they are\n",
	       t_detect, audio / t_detect, nat_clicks, nat_clip);
	printf("repair: %.2f s, %.0fx real time (detect, interpolate, put in place); %zu samples replaced\n",
	       t_repair, audio / t_repair, changed);
	printf("planted: %zu clicks of -20 dBFS, %zu found within 10 ms; %zu clipped passages, %zu found within 50 ms\n",
	       planted_clicks, hit_clicks, planted_clips, hit_clips);
	printf("planted in both channels alike: %zu found in each within 10 ms\n",
	       hit_both);
	printf("(%zu passages whose clip level would be under -40 dBFS were left unclipped)\n",
	       quiet_clips);
	return 0;
}
