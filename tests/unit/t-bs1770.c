/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-bs1770.c: the fast meter against the reference, libebur128: the same
 * integrated loudness, range, maxima and album loudness, within a small
 * fraction of the tolerances the product promises.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/bs1770.h"
#include "dsp/loudness.h"
#include "tap.h"

static uint64_t rng = 88172645463325252ULL;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0 * 2 - 1;
}

/*
 * Programme-like material: a tone cluster and noise whose level moves
 * every couple of seconds, so gating and range have work to do.
 */
static float *programme(uint32_t rate, double seconds, double level_db,
		       unsigned seed, size_t *n)
{
	size_t len = (size_t)(seconds * rate), i;
	float *x = malloc(len * 2 * sizeof(float));
	double lp = 0;

	rng = 88172645463325252ULL + seed;
	for (i = 0; i < len; i++) {
		double t = (double)i / rate;
		double env = pow(10, (level_db + 8 * sin(2 * M_PI * t / (7.0 + seed))) / 20);
		double v;

		lp += 0.05 * (uniform() - lp);
		v = 0.3 * sin(2 * M_PI * 110 * t) + 0.2 * sin(2 * M_PI * 440 * t + seed) +
		    0.1 * sin(2 * M_PI * 5000 * t) + 0.6 * lp + 0.05 * uniform();
		x[2 * i] = (float)(env * v);
		x[2 * i + 1] = (float)(env * (0.8 * v + 0.2 * lp));
	}
	*n = len;
	return x;
}

static void compare(uint32_t rate, double seconds, double level, unsigned seed)
{
	struct pm_bs1770 *k = pm_bs1770_new(2, rate, NULL);
	struct pm_meter *r = pm_meter_new(2, rate, PM_METER_LRA | PM_METER_MAX | PM_METER_EXACT, NULL);
	struct pm_loudness_result lr;
	size_t n;
	float *x = programme(rate, seconds, level, seed, &n);

	pm_bs1770_add(k, x, n, NULL);
	pm_meter_add(r, x, (int64_t)n, NULL);
	pm_meter_result(r, &lr, NULL);
	is_near(pm_bs1770_integrated(k), lr.integrated_lufs, 0.01,
		"%u Hz, %.0f s: integrated %.3f LUFS as libebur128", rate, seconds,
		lr.integrated_lufs);
	is_near(pm_bs1770_range(k), lr.range_lu, 0.05,
		"%u Hz: range %.2f LU as libebur128", rate, lr.range_lu);
	is_near(pm_bs1770_max_momentary(k), lr.max_momentary_lufs, 0.02,
		"%u Hz: max momentary as libebur128", rate);
	is_near(pm_bs1770_max_shortterm(k), lr.max_shortterm_lufs, 0.02,
		"%u Hz: max short-term as libebur128", rate);
	free(x);
	pm_bs1770_free(k);
	pm_meter_free(r);
}

/*
 * Two meters fed side by side (pm_bs1770_add_pair) keep exactly the 100 ms
 * energies each gets alone, in uneven pieces and with the two out of
 * step (`lead` frames fed to the first alone beforehand).
 */
static void pair(uint32_t rate, size_t lead)
{
	struct pm_bs1770 *a = pm_bs1770_new(2, rate, NULL);
	struct pm_bs1770 *b = pm_bs1770_new(2, rate, NULL);
	struct pm_bs1770 *a1 = pm_bs1770_new(2, rate, NULL);
	struct pm_bs1770 *b1 = pm_bs1770_new(2, rate, NULL);
	size_t n, nx, ny, na, nb, i, step = 1;
	float *x = programme(rate, 7, -18, 11, &nx);
	float *y = programme(rate, 7, -9, 12, &ny);
	const double *ea, *eb, *ea1, *eb1;
	int fails = 0;

	n = nx < ny ? nx : ny;
	pm_bs1770_add(a, x, lead, NULL);
	pm_bs1770_add(a1, x, lead, NULL);
	for (i = lead; i < n; i += step, step = step * 7 % 1031 + 1) {
		size_t k = n - i < step ? n - i : step;

		fails += pm_bs1770_add_pair(a, x + 2 * i, b, y + 2 * (i - lead),
					    k, NULL) != 0;
		pm_bs1770_add(a1, x + 2 * i, k, NULL);
		pm_bs1770_add(b1, y + 2 * (i - lead), k, NULL);
	}
	ea = pm_bs1770_blocks(a, &na);
	ea1 = pm_bs1770_blocks(a1, &n);
	ok(fails == 0 && na == n && na > 60 &&
	   memcmp(ea, ea1, na * sizeof(*ea)) == 0,
	   "%u Hz, %zu frames apart: the first of a pair meters as alone "
	   "(%zu blocks, bit-exact)", rate, lead, na);
	eb = pm_bs1770_blocks(b, &nb);
	eb1 = pm_bs1770_blocks(b1, &n);
	ok(nb == n && nb > 60 && memcmp(eb, eb1, nb * sizeof(*eb)) == 0,
	   "%u Hz, %zu frames apart: the second of a pair meters as alone "
	   "(%zu blocks, bit-exact)", rate, lead, nb);
	free(x);
	free(y);
	pm_bs1770_free(a);
	pm_bs1770_free(b);
	pm_bs1770_free(a1);
	pm_bs1770_free(b1);
}

int main(void)
{
	struct pm_bs1770 *k[3];
	struct pm_meter *r[3];
	size_t n, i, j;
	float *x;

	compare(44100, 60, -20, 1);
	compare(48000, 45, -14, 2);
	compare(96000, 30, -30, 3);
	compare(192000, 20, -18, 4);
	compare(88200, 25, -40, 5);
	pair(44100, 0);
	pair(96000, 0);
	pair(48000, 1234);

	/* an album: three tracks at different levels, as one programme */
	for (i = 0; i < 3; i++) {
		k[i] = pm_bs1770_new(2, 44100, NULL);
		r[i] = pm_meter_new(2, 44100, PM_METER_LRA | PM_METER_EXACT, NULL);
		x = programme(44100, 20 + 5 * (double)i, -30 + 8 * (double)i,
			      (unsigned)i + 7, &n);
		pm_bs1770_add(k[i], x, n, NULL);
		pm_meter_add(r[i], x, (int64_t)n, NULL);
		free(x);
	}
	is_near(pm_bs1770_global(k, 3), pm_meter_global(r, 3), 0.01,
		"album loudness as ebur128_loudness_global_multiple (%.3f)",
		pm_meter_global(r, 3));
	is_near(pm_bs1770_global_range(k, 3), pm_meter_global_range(r, 3), 0.05,
		"album range as libebur128 (%.2f)", pm_meter_global_range(r, 3));

	/* EBU Tech 3341 case 1: 1 kHz at -23 dBFS, stereo: -23 LUFS */
	k[0] = (pm_bs1770_free(k[0]), pm_bs1770_new(2, 48000, NULL));
	x = malloc(48000 * 20 * 2 * sizeof(float));
	for (j = 0; j < 48000 * 20; j++)
		x[2 * j] = x[2 * j + 1] =
			(float)(pow(10, -23.0 / 20) * sin(2 * M_PI * 1000 * (double)j / 48000));
	pm_bs1770_add(k[0], x, 48000 * 20, NULL);
	is_near(pm_bs1770_integrated(k[0]), -23.0, 0.1, "Tech 3341 case 1: %.2f",
		pm_bs1770_integrated(k[0]));
	free(x);
	/* silence */
	k[1] = (pm_bs1770_free(k[1]), pm_bs1770_new(1, 44100, NULL));
	x = calloc(44100 * 5, sizeof(float));
	pm_bs1770_add(k[1], x, 44100 * 5, NULL);
	ok(isinf(pm_bs1770_integrated(k[1])) && pm_bs1770_integrated(k[1]) < 0,
	   "silence is -inf");
	free(x);
	for (i = 0; i < 3; i++) {
		pm_bs1770_free(k[i]);
		pm_meter_free(r[i]);
	}
	return tap_done();
}
