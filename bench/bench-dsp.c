/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-dsp.c: speed of the DSP kernels, in multiples of real time, on a
 * few minutes of synthetic stereo audio, one thread.  Built by
 * `make bench` (never by `make check`); run it pinned to one core for
 * stable figures: `taskset -c 1 bench/bench-dsp [SECONDS]`.
 *
 * Each kernel runs over the whole signal in 4096-frame blocks, as the
 * master tool would feed it; the best of three runs is reported.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsp/biquad.h"
#include "dsp/dynamics.h"
#include "dsp/limiter.h"
#include "dsp/loudness.h"
#include "dsp/resample.h"
#include "dsp/truepeak.h"
#include "util/err.h"

#include "util/banned.h"

#define BLOCK 4096
#define RUNS  3

static uint64_t rng = 0x243f6a8885a308d3u;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 4503599627370496.0 - 1.0;
}

/*
 * "Music": pink-ish noise (a leaky integrator mix) with a slow tremolo,
 * a 55 Hz bass with its own tremolo, and a 3 ms 6 kHz tick every half
 * second; peaks around 0 dBFS, so the limiter has work to do.
 */
static float *synth(uint32_t rate, size_t n)
{
	float *x = malloc(2 * n * sizeof(float));
	double p[2] = { 0.0, 0.0 };

	if (!x)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / rate;
		double trem = 0.6 + 0.4 * sin(2 * M_PI * 0.2 * t);
		double bass = 0.35 * (0.7 + 0.3 * sin(2 * M_PI * 2 * t)) *
			      sin(2 * M_PI * 55 * t);
		double tick = fmod(t, 0.5) < 0.003
				      ? 0.4 * sin(2 * M_PI * 6000 * t)
				      : 0.0;

		for (int c = 0; c < 2; c++) {
			double w = uniform();

			p[c] = 0.97 * p[c] + 0.2 * w;
			x[2 * i + c] = (float)(trem * (0.25 * p[c] + 0.1 * w) +
					       bass + tick);
		}
	}
	return x;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void report(const char *name, double audio_s, double best_s)
{
	printf("%-28s %9.0fx real time  (%.3f s for %.0f s)\n", name,
	       audio_s / best_s, best_s, audio_s);
	fflush(stdout);
}

/* Kernels are made with valid settings; failing to is a bug here. */
static void check(const void *obj)
{
	if (!obj) {
		fprintf(stderr, "bench-dsp: cannot create a kernel\n");
		exit(70);
	}
}

/* One kernel run over the whole signal; returns seconds. */
typedef double run_fn(void *ctx, const float *x, float *y, size_t n);

static void bench(const char *name, run_fn *fn, void *ctx, const float *x,
		  float *y, size_t n, uint32_t rate)
{
	double best = HUGE_VAL;

	for (int r = 0; r < RUNS; r++) {
		double s = fn(ctx, x, y, n);

		if (s < best)
			best = s;
	}
	report(name, (double)n / rate, best);
}

struct tp_ctx {
	uint32_t rate;
	unsigned factor, flags;
};

static double run_tp(void *ctx, const float *x, float *y, size_t n)
{
	struct tp_ctx *c = ctx;
	struct pm_err err = { 0 };
	struct pm_truepeak *tp =
		pm_truepeak_new(2, c->rate, c->factor, c->flags, &err);
	float *env = malloc(BLOCK * sizeof(float));
	double t0 = now(), t;

	(void)y;
	if (!tp || !env) {
		fprintf(stderr, "bench-dsp: %s\n", err.msg);
		exit(70);
	}
	for (size_t i = 0; i < n; i += BLOCK)
		pm_truepeak_process(tp, x + 2 * i, PM_MIN(BLOCK, n - i), env);
	t = now() - t0;
	pm_truepeak_free(tp);
	free(env);
	return t;
}

static double run_eq(void *ctx, const float *x, float *y, size_t n)
{
	struct pm_biquad_cascade *c =
		pm_biquad_cascade_new_eq(ctx, 2, 44100, NULL);
	double t0 = now(), t;

	check(c);
	for (size_t i = 0; i < n; i += BLOCK)
		pm_biquad_cascade_process(c, x + 2 * i, y + 2 * i,
					  PM_MIN(BLOCK, n - i));
	t = now() - t0;
	pm_biquad_cascade_free(c);
	return t;
}

static double run_comp(void *ctx, const float *x, float *y, size_t n)
{
	struct pm_comp *c = pm_comp_new(ctx, 2, 44100, NULL);
	double t0 = now(), t;

	check(c);
	for (size_t i = 0; i < n; i += BLOCK)
		pm_comp_process(c, x + 2 * i, y + 2 * i, PM_MIN(BLOCK, n - i));
	t = now() - t0;
	pm_comp_free(c);
	return t;
}

static double run_lfmono(void *ctx, const float *x, float *y, size_t n)
{
	struct pm_lfmono *m = pm_lfmono_new(44100, 150, NULL);
	double t0 = now(), t;

	check(m);
	(void)ctx;
	for (size_t i = 0; i < n; i += BLOCK)
		pm_lfmono_process(m, x + 2 * i, y + 2 * i,
				  PM_MIN(BLOCK, n - i));
	t = now() - t0;
	pm_lfmono_free(m);
	return t;
}

static double run_limiter(void *ctx, const float *x, float *y, size_t n)
{
	struct pm_limiter_state *l = pm_limiter_new(ctx, 2, 44100, NULL);
	double t0 = now(), t;

	check(l);
	for (size_t i = 0; i < n; i += BLOCK)
		pm_limiter_process(l, x + 2 * i, y + 2 * i,
				   PM_MIN(BLOCK, n - i));
	t = now() - t0;
	pm_limiter_free(l);
	return t;
}

struct src_ctx {
	uint32_t from, to;
};

static double run_src(void *ctx, const float *x, float *y, size_t n)
{
	struct src_ctx *c = ctx;
	struct pm_resampler *r = pm_resample_new(2, c->from, c->to, NULL);
	size_t got = 0, part;
	double t0 = now(), t;

	check(r);
	for (size_t i = 0; i < n; i += BLOCK) {
		pm_resample_process(r, x + 2 * i, PM_MIN(BLOCK, n - i),
				    y + 2 * got, &part, NULL);
		got += part;
	}
	pm_resample_flush(r, y + 2 * got, &part, NULL);
	t = now() - t0;
	pm_resample_free(r);
	return t;
}

static double run_meter(void *ctx, const float *x, float *y, size_t n)
{
	unsigned flags = *(unsigned *)ctx;
	struct pm_meter *m = pm_meter_new(2, 44100, flags, NULL);
	struct pm_loudness_result res;
	double t0 = now(), t;

	check(m);
	(void)y;
	for (size_t i = 0; i < n; i += BLOCK)
		pm_meter_add(m, x + 2 * i, (int64_t)PM_MIN(BLOCK, n - i), NULL);
	pm_meter_result(m, &res, NULL);
	t = now() - t0;
	pm_meter_free(m);
	return t;
}

int main(int argc, char **argv)
{
	double seconds = 180.0;
	size_t n, n96;
	float *x, *x96, *y;
	struct tp_ctx tp4 = { 44100, 4, 0 },
		      tp4s = { 44100, 4, PM_TRUEPEAK_FORCE_SCALAR };
	struct tp_ctx tp8 = { 44100, 8, 0 },
		      tp8s = { 44100, 8, PM_TRUEPEAK_FORCE_SCALAR };
	struct pm_eq_band bands[4] = {
		{ .type = PM_EQ_LOW_SHELF,
		  .freq_hz = 90,
		  .gain_db = 2,
		  .q = 0.7071 },
		{ .type = PM_EQ_PEAK, .freq_hz = 400, .gain_db = -2, .q = 1 },
		{ .type = PM_EQ_PEAK,
		  .freq_hz = 3000,
		  .gain_db = 1.5,
		  .q = 1.4 },
		{ .type = PM_EQ_HIGH_SHELF,
		  .freq_hz = 10000,
		  .gain_db = 1,
		  .q = 0.7071 },
	};
	struct pm_eq eq = { 4, bands };
	struct pm_compressor comp = { 0 };
	struct pm_limiter_opts lim4, lim8;
	struct src_ctx s96 = { 96000, 44100 }, s48 = { 44100, 48000 };
	unsigned meter_ilra = PM_METER_LRA;
	unsigned meter_tp = PM_METER_TRUE_PEAK;
	unsigned meter_all = PM_METER_LRA | PM_METER_TRUE_PEAK;

	if (argc > 1)
		seconds = strtod(argv[1], NULL);
	if (!(seconds >= 1.0 && seconds <= 3600.0)) {
		fprintf(stderr, "usage: bench-dsp [SECONDS]\n");
		return 64;
	}
	n = (size_t)(seconds * 44100);
	n96 = (size_t)(seconds * 96000);
	x = synth(44100, n);
	x96 = synth(96000, n96);
	y = malloc(2 * (n96 + BLOCK) * sizeof(float));
	if (!x || !x96 || !y) {
		fprintf(stderr, "bench-dsp: out of memory\n");
		return 71;
	}
	printf("bench-dsp: %.0f s of stereo at 44.1 kHz (96 kHz for SRC "
	       "from 96k), blocks of %d, best of %d, one thread\n",
	       seconds, BLOCK, RUNS);
	printf("true-peak kernel on this CPU: %s\n",
	       pm_truepeak_have_avx2() ? "avx2" : "scalar");

	bench("truepeak 4x (dispatch)", run_tp, &tp4, x, y, n, 44100);
	bench("truepeak 4x scalar", run_tp, &tp4s, x, y, n, 44100);
	bench("truepeak 8x (dispatch)", run_tp, &tp8, x, y, n, 44100);
	bench("truepeak 8x scalar", run_tp, &tp8s, x, y, n, 44100);
	bench("biquad EQ 4 bands", run_eq, &eq, x, y, n, 44100);

	comp.nbands = 1;
	comp.detect = PM_DETECT_RMS;
	comp.stereo_link = true;
	comp.xover_low_hz = 200;
	comp.xover_high_hz = 3000;
	for (int b = 0; b < 3; b++) {
		comp.band[b].threshold_db = -18;
		comp.band[b].ratio = 2;
		comp.band[b].knee_db = 6;
		comp.band[b].attack_ms = 20;
		comp.band[b].release_ms = 200;
	}
	bench("compressor 1 band (rms)", run_comp, &comp, x, y, n, 44100);
	comp.nbands = 3;
	bench("compressor 3 bands (rms)", run_comp, &comp, x, y, n, 44100);
	bench("LF-mono 150 Hz", run_lfmono, NULL, x, y, n, 44100);

	pm_limiter_defaults(&lim4);
	lim8 = lim4;
	lim8.oversampling = 8;
	bench("limiter 4x (defaults)", run_limiter, &lim4, x, y, n, 44100);
	bench("limiter 8x", run_limiter, &lim8, x, y, n, 44100);

	bench("resample 96k -> 44.1k VHQ", run_src, &s96, x96, y, n96, 96000);
	bench("resample 44.1k -> 48k VHQ", run_src, &s48, x, y, n, 44100);

	bench("libebur128 I+LRA", run_meter, &meter_ilra, x, y, n, 44100);
	bench("libebur128 TP", run_meter, &meter_tp, x, y, n, 44100);
	bench("libebur128 I+LRA+TP", run_meter, &meter_all, x, y, n, 44100);

	free(x);
	free(x96);
	free(y);
	return 0;
}
