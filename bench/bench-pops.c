/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-pops.c: how well the click repair takes out pops (steps that
 * decay like a capacitor discharging), on audio files.  Built by `make
 * bench` (never by `make check`); bench/bench-defects.sh runs it on the
 * real album.
 *
 *   bench-pops FILE...
 *
 * From each file, ten seconds from a third of the way in, with eight
 * pops planted in the left channel for each time constant (0.1, 0.3, 1,
 * 2 and 5 ms): steps of 0.5 and 0.2 of full scale, either sign, a
 * second apart, cut short where they would pass full scale (as a real
 * source would have clipped them).  Each version goes through the
 * detector with the click repair on.  A pop counts as repaired when the
 * error against the clean excerpt, over the pop and eight time
 * constants after it, comes down by 15 dB or more (issue 11's bar).
 * Prints the count per time constant, how many pops were not found as
 * clicks within 10 ms, and how many of those were reported as clipping
 * there (a step that holds full scale for three samples or more).  Then
 * the same with each pop in both channels alike (found: in the left
 * channel).  Then both again with the excerpt in 16 bits, with TPDF
 * dither.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/defects.h"
#include "util/err.h"

#include "bench-load.h"
#include "util/banned.h"

#define TAUS 5
#define POPS 8

static const double tau_ms[TAUS] = { 0.1, 0.3, 1, 2, 5 };

/* Energy of (x - ref) in the left channel over [a, b), in dB. */
static double err_db(const float *x, const float *ref, int64_t a, int64_t b)
{
	double e = 1e-30;

	for (int64_t i = a; i < b; i++) {
		double v = (double)x[2 * i] - ref[2 * i];

		e += v * v;
	}
	return 10 * log10(e);
}

/*
 * Plant POPS pops decaying with time constant tau (samples) into a copy
 * of ref[0 .. n), repair them, and add to *good the ones repaired by 15
 * dB and to *missed those not found.  Whether it could run.
 */
static bool sweep(const float *ref, int64_t n, uint32_t rate, double tau,
		  bool both, int *good, int *missed, int *clipped)
{
	size_t bytes = (size_t)n * 2 * sizeof(float), ne;
	float *x = malloc(bytes), *y = malloc(bytes);
	int64_t at[POPS], len = (int64_t)ceil(8 * tau);
	struct pm_defects_config c;
	struct pm_defects_summary s;
	struct pm_err err = { 0 };
	struct pm_defects *d;
	const struct pm_defect *e;

	if (!x || !y) {
		free(x);
		free(y);
		return false;
	}
	memcpy(x, ref, bytes);
	for (int k = 0; k < POPS; k++) {
		double amp = (k < POPS / 2 ? 0.5 : 0.2) * (k % 2 ? -1 : 1);

		at[k] = rate / 2 + (int64_t)k * (rate + 1237);
		for (int64_t i = 0; i < len; i++) {
			float *v = &x[2 * (at[k] + i)];
			float u = (float)(amp * exp(-(double)i / tau));

			v[0] = fminf(1.0f, fmaxf(-1.0f, v[0] + u));
			if (both)
				v[1] = fminf(1.0f, fmaxf(-1.0f, v[1] + u));
		}
	}
	pm_defects_config_default(&c);
	c.fix_clicks = c.fix_clipping = true;
	d = pm_defects_new(rate, &c, &err);
	if (!d) {
		fprintf(stderr, "bench-pops: %s\n", err.msg);
		free(x);
		free(y);
		return false;
	}
	for (int64_t k = 0; k < n; k += 8192)
		pm_defects_add(d, x + 2 * k, (size_t)(n - k < 8192 ? n - k : 8192));
	pm_defects_finish(d, &s);
	memcpy(y, x, bytes);
	pm_defects_patch(d, true, true, y, 0, n);
	e = pm_defects_events(d, &ne);
	for (int k = 0; k < POPS; k++) {
		int64_t a = at[k] - 64, b = at[k] + len + 64;
		bool found = false, clip = false;

		for (size_t i = 0; i < ne; i++)
			if (e[i].channel == 0 &&
			    e[i].start + e[i].length >= at[k] - rate / 100 &&
			    e[i].start <= at[k] + rate / 100) {
				found |= e[i].kind == PM_DEFECT_CLICK;
				clip |= e[i].kind == PM_DEFECT_CLIPPING;
			}
		*missed += !found;
		*clipped += !found && clip;
		*good += err_db(y, ref, a, b) <= err_db(x, ref, a, b) - 15;
	}
	pm_defects_free(d);
	free(x);
	free(y);
	return true;
}

static void report(const char *what, int files, const int *good,
		   const int *missed, const int *clipped)
{
	printf("pops%s: %d per time constant, %d excerpts of 10 s; repaired by 15 dB or more:",
	       what, POPS * files, files);
	for (int t = 0; t < TAUS; t++)
		printf(" %g ms %d", tau_ms[t], good[t]);
	printf("; not found within 10 ms:");
	for (int t = 0; t < TAUS; t++)
		printf(" %d", missed[t]);
	printf(" (of them reported as clipping there:");
	for (int t = 0; t < TAUS; t++)
		printf(" %d", clipped[t]);
	printf(")\n");
}

/*
 * x[0 .. 2 n) to 16 bits with TPDF dither of one step peak to peak each
 * side (a fixed sequence, so that runs compare), as a CD's source or a
 * 16-bit master would be: the band above the music then holds the
 * dither.
 */
static void to_16_bits(float *x, int64_t n)
{
	uint32_t state = 12345;

	for (int64_t i = 0; i < 2 * n; i++) {
		double u = 0, v;

		for (int k = 0; k < 2; k++) {
			state = state * 1664525u + 1013904223u;
			u += (double)state / 4294967296.0 - 0.5;
		}
		v = floor(x[i] * 32768.0 + u + 0.5);
		x[i] = (float)(fmin(32767.0, fmax(-32768.0, v)) / 32768.0);
	}
}

int main(int argc, char **argv)
{
	int good[4][TAUS] = { { 0 } }, missed[4][TAUS] = { { 0 } };
	int clipped[4][TAUS] = { { 0 } }, files = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-pops FILE...\n");
		return 64;
	}
	for (int a = 1; a < argc; a++) {
		uint32_t rate;
		int64_t n, from, len;
		float *x = bench_load("bench-pops", argv[a], &rate, &n);

		if (!x)
			return 1;
		len = 10 * (int64_t)rate;
		from = n / 3;
		if (from + len > n) {
			free(x);
			continue;
		}
		for (int b = 0; b < 4; b++) {
			if (b == 2)
				to_16_bits(x + 2 * from, len);
			for (int t = 0; t < TAUS; t++)
				if (!sweep(x + 2 * from, len, rate,
					   tau_ms[t] * 1e-3 * rate, b % 2 == 1,
					   &good[b][t], &missed[b][t],
					   &clipped[b][t])) {
					free(x);
					return 1;
				}
		}
		files++;
		free(x);
	}
	report("", files, good[0], missed[0], clipped[0]);
	report(" in both channels", files, good[1], missed[1], clipped[1]);
	report(" in 16 bits", files, good[2], missed[2], clipped[2]);
	report(" in 16 bits, in both channels", files, good[3], missed[3],
	       clipped[3]);
	return 0;
}
