/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-linhp.c: the linear-phase high-pass is linear phase (its impulse
 * response is symmetric about its stated delay), -3 dB at its corner
 * (measured with sines), flat above it, 12 dB per octave below it, blocks
 * DC exactly, keeps a step's shape (no overshoot from a phase shift),
 * rounds its delay to the granule asked, and gives the same output
 * whatever the block sizes.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/linhp.h"
#include "tap.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* The gain (dB) of `f` at `hz`: a sine's steady amplitude, delay aside. */
static double sine_gain_db(uint32_t rate, double fc, double hz)
{
	struct pm_linhp *f = pm_linhp_new(rate, fc, 1, NULL);
	size_t n = (size_t)rate * 4, d = pm_linhp_delay(f), i;
	float *x = malloc(n * 2 * sizeof(float));
	double e = 0, ein = 0;

	for (i = 0; i < n; i++)
		x[2 * i] = x[2 * i + 1] =
			(float)(0.5 * sin(2 * M_PI * hz * (double)i / rate));
	pm_linhp_process(f, x, n);
	/* the last two seconds, against the input they came from */
	for (i = n / 2; i < n; i++) {
		double in = 0.5 * sin(2 * M_PI * hz * (double)(i - d) / rate);

		e += (double)x[2 * i] * x[2 * i];
		ein += in * in;
	}
	free(x);
	pm_linhp_free(f);
	return 10 * log10(e / ein);
}

int main(void)
{
	struct pm_err err = { 0 };
	struct pm_linhp *f, *g;
	size_t d, n, i, worst_at = 0;
	float *x, *y;
	double asym = 0, peak = 0, hmax = 0, dc;

	ok(pm_linhp_new(44100, 5, 1, &err) == NULL && err.code == PM_EINVAL,
	   "a corner under 10 Hz is refused");
	ok(pm_linhp_new(44100, 1000, 1, &err) == NULL,
	   "and one over rate / 80");

	/* symmetric impulse response about the delay: linear phase */
	f = pm_linhp_new(44100, 20, 1, &err);
	ok(f != NULL, "a 20 Hz high-pass at 44.1 kHz");
	d = pm_linhp_delay(f);
	ok(d > 1500 && d < 2200, "its delay is about 42 ms (%zu frames)", d);
	n = 2 * d + 1;
	x = calloc(n * 2, sizeof(float));
	x[0] = 1.0f;
	x[1] = -1.0f;
	pm_linhp_process(f, x, n);
	for (i = 0; i < d; i++) {
		double a = fabs((double)x[2 * (d - i)] - x[2 * (d + i)]);

		if (a > asym) {
			asym = a;
			worst_at = i;
		}
	}
	hmax = fabs(x[2 * d]);
	ok(asym < 1e-6 * hmax, "the impulse response is symmetric about the delay (%.2g at %zu)",
	   asym, worst_at);
	ok(x[2 * d] > 0.99 && x[2 * d] < 1.0, "and peaks there, just under 1 (%.6f)",
	   x[2 * d]);
	ok(x[2 * d + 1] == -x[2 * d], "the channels are filtered alike");
	free(x);
	pm_linhp_free(f);

	is_near(sine_gain_db(44100, 20, 20), -3.0, 0.25, "-3 dB at the corner");
	is_near(sine_gain_db(44100, 20, 100), 0.0, 0.02, "flat at 100 Hz");
	is_near(sine_gain_db(44100, 20, 1000), 0.0, 0.01, "and at 1 kHz");
	ok(sine_gain_db(44100, 20, 5) < -20, "more than 20 dB down two octaves under");
	is_near(sine_gain_db(48000, 30, 30), -3.0, 0.25, "-3 dB at a 30 Hz corner at 48 kHz");

	/* DC out exactly; a step's edge keeps its height: no overshoot */
	f = pm_linhp_new(48000, 20, 1, &err);
	d = pm_linhp_delay(f);
	n = 48000 * 2;
	x = malloc(n * 2 * sizeof(float));
	for (i = 0; i < n * 2; i++)
		x[i] = 0.5f;
	pm_linhp_process(f, x, n);
	dc = fabs(x[2 * (n - 1)]);
	ok(dc < 1e-6, "a constant is taken out (%.2g left)", dc);
	for (i = 0; i < n; i++)
		peak = fmax(peak, fabs(x[2 * i]));
	ok(peak <= 0.5 + 1e-6, "a step out of silence never overshoots (%.6f)", peak);
	free(x);
	pm_linhp_free(f);

	/* the granule, and block sizes do not matter */
	f = pm_linhp_new(48000, 25, 147, &err);
	g = pm_linhp_new(48000, 25, 147, &err);
	ok(f && g && pm_linhp_delay(f) % 147 == 0,
	   "the delay is rounded to the granule (%zu)", f ? pm_linhp_delay(f) : 0);
	n = 20000;
	x = malloc(n * 2 * sizeof(float));
	y = malloc(n * 2 * sizeof(float));
	tap_seed(7);
	for (i = 0; i < n * 2; i++)
		x[i] = y[i] = (float)tap_uniform();
	pm_linhp_process(f, x, n);
	for (i = 0; i < n;) {
		size_t k = i % 7 == 0 ? 1 : (i * 31) % 1000 + 1;

		if (k > n - i)
			k = n - i;
		pm_linhp_process(g, y + 2 * i, k);
		i += k;
	}
	is_mem(x, y, n * 2 * sizeof(float), "the same samples in blocks of any size");
	free(x);
	free(y);
	pm_linhp_free(f);
	pm_linhp_free(g);
	pm_linhp_free(NULL);
	return tap_done();
}
