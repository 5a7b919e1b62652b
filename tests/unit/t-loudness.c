/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-loudness.c: the meter against EBU Tech 3341 (cases 1-5) and Tech 3342
 * (cases 1-4), with the test signals synthesised as their specifications
 * describe them: 1 kHz stereo sines at 48 kHz, levels in dBFS of the sine
 * peak, the same signal in both channels.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dsp/loudness.h"
#include "tap.h"
#include "util/db.h"

#define RATE  48000
#define CHUNK 4800

struct seg {
	double level_db;
	double seconds;
};

/* A sine oscillator by rotation of a unit phasor, in double. */
struct osc {
	double c, s, re, im;
};

static void osc_init(struct osc *o, double hz, double rate)
{
	o->c = cos(2 * M_PI * hz / rate);
	o->s = sin(2 * M_PI * hz / rate);
	o->re = 1.0;
	o->im = 0.0;
}

static double osc_next(struct osc *o)
{
	double v = o->im, re = o->re;

	o->re = re * o->c - o->im * o->s;
	o->im = re * o->s + o->im * o->c;
	return v;
}

/*
 * Feed `nseg` segments of a `hz` sine on `channels` identical channels
 * into `m`, continuous in phase across segments.
 */
static int feed(struct pm_meter *m, unsigned channels, double hz,
		const struct seg *segs, size_t nseg)
{
	static float buf[CHUNK * 2];
	struct pm_err err = { 0 };
	struct osc o;

	osc_init(&o, hz, RATE);
	for (size_t s = 0; s < nseg; s++) {
		double a = pow(10.0, segs[s].level_db / 20.0);
		int64_t left = llround(segs[s].seconds * RATE);

		while (left > 0) {
			size_t n = left < CHUNK ? (size_t)left : CHUNK;

			for (size_t i = 0; i < n; i++) {
				float v = (float)(a * osc_next(&o));

				for (unsigned c = 0; c < channels; c++)
					buf[i * channels + c] = v;
			}
			if (pm_meter_add(m, buf, (int64_t)n, &err) < 0) {
				tap_diag("%s", err.msg);
				return -1;
			}
			left -= (int64_t)n;
		}
	}
	return 0;
}

/* Measure a programme of segments; NAN on failure. */
static struct pm_loudness_result measure(unsigned flags, unsigned channels,
					 double hz, const struct seg *segs,
					 size_t nseg)
{
	struct pm_err err = { 0 };
	struct pm_loudness_result r = { NAN, NAN, NAN, NAN, NAN, NAN };
	struct pm_meter *m = pm_meter_new(channels, RATE, flags, &err);

	if (m && feed(m, channels, hz, segs, nseg) == 0 &&
	    pm_meter_result(m, &r, &err) < 0)
		tap_diag("%s", err.msg);
	pm_meter_free(m);
	return r;
}

int main(void)
{
	static const struct seg c1[] = { { -23, 20 } };
	static const struct seg c2[] = { { -33, 20 } };
	static const struct seg c3[] = { { -36, 10 },
					 { -23, 60 },
					 { -36, 10 } };
	static const struct seg c4[] = {
		{ -72, 10 }, { -36, 10 }, { -23, 60 }, { -36, 10 }, { -72, 10 }
	};
	static const struct seg c5[] = { { -26, 20 },
					 { -20, 20.1 },
					 { -26, 20 } };
	static const struct seg l1[] = { { -20, 20 }, { -30, 20 } };
	static const struct seg l2[] = { { -20, 20 }, { -15, 20 } };
	static const struct seg l3[] = { { -40, 20 }, { -20, 20 } };
	static const struct seg l4[] = {
		{ -50, 20 }, { -35, 20 }, { -20, 20 }, { -35, 20 }, { -50, 20 }
	};
	static const struct seg k14[] = { { -14, 5 } };
	static const struct seg quiet[] = { { -20, 5 } };
	struct pm_loudness_result r;
	struct pm_err err = { 0 };
	struct pm_meter *ms[2] = { NULL, NULL };
	const unsigned all = PM_METER_LRA | PM_METER_MAX |
			     PM_METER_SAMPLE_PEAK | PM_METER_TRUE_PEAK;

	/* EBU Tech 3341 */
	r = measure(0, 2, 1000, c1, PM_ARRAY_SIZE(c1));
	is_near(r.integrated_lufs, -23.0, 0.1, "3341 case 1: %.2f LUFS",
		r.integrated_lufs);
	r = measure(0, 2, 1000, c2, PM_ARRAY_SIZE(c2));
	is_near(r.integrated_lufs, -33.0, 0.1, "3341 case 2: %.2f LUFS",
		r.integrated_lufs);
	r = measure(0, 2, 1000, c3, PM_ARRAY_SIZE(c3));
	is_near(r.integrated_lufs, -23.0, 0.1, "3341 case 3: %.2f LUFS",
		r.integrated_lufs);
	r = measure(0, 2, 1000, c4, PM_ARRAY_SIZE(c4));
	is_near(r.integrated_lufs, -23.0, 0.1, "3341 case 4: %.2f LUFS",
		r.integrated_lufs);
	r = measure(0, 2, 1000, c5, PM_ARRAY_SIZE(c5));
	is_near(r.integrated_lufs, -23.0, 0.1, "3341 case 5: %.2f LUFS",
		r.integrated_lufs);

	/* EBU Tech 3342 */
	r = measure(PM_METER_LRA, 2, 1000, l1, PM_ARRAY_SIZE(l1));
	is_near(r.range_lu, 10.0, 1.0, "3342 case 1: LRA %.2f LU", r.range_lu);
	r = measure(PM_METER_LRA, 2, 1000, l2, PM_ARRAY_SIZE(l2));
	is_near(r.range_lu, 5.0, 1.0, "3342 case 2: LRA %.2f LU", r.range_lu);
	r = measure(PM_METER_LRA, 2, 1000, l3, PM_ARRAY_SIZE(l3));
	is_near(r.range_lu, 20.0, 1.0, "3342 case 3: LRA %.2f LU", r.range_lu);
	r = measure(PM_METER_LRA, 2, 1000, l4, PM_ARRAY_SIZE(l4));
	is_near(r.range_lu, 15.0, 1.0, "3342 case 4: LRA %.2f LU", r.range_lu);

	/* 997 Hz at -14 dBFS in both channels reads -14 LUFS */
	r = measure(all, 2, 997, k14, PM_ARRAY_SIZE(k14));
	is_near(r.integrated_lufs, -14.0, 0.05, "997 Hz -14 dBFS: %.3f LUFS",
		r.integrated_lufs);
	is_near(r.max_momentary_lufs, -14.0, 0.1, "max momentary %.3f",
		r.max_momentary_lufs);
	is_near(r.max_shortterm_lufs, -14.0, 0.1, "max short-term %.3f",
		r.max_shortterm_lufs);
	is_near(r.sample_peak_db, -14.0, 0.01, "sample peak %.3f dB",
		r.sample_peak_db);
	ok(r.true_peak_dbtp >= r.sample_peak_db && r.true_peak_dbtp < -13.99,
	   "true peak %.3f dBTP between sample peak and the sine's peak",
	   r.true_peak_dbtp);
	ok(r.range_lu < 0.5, "a steady tone has no range (%.2f LU)",
	   r.range_lu);

	/* mono is one channel: 3 dB below the same sine in stereo */
	r = measure(0, 1, 997, k14, PM_ARRAY_SIZE(k14));
	is_near(r.integrated_lufs, -14.0 - 10 * log10(2.0), 0.05,
		"mono 997 Hz -14 dBFS: %.3f LUFS", r.integrated_lufs);

	/* album loudness gates the blocks of all tracks together */
	ms[0] = pm_meter_new(2, RATE, PM_METER_LRA, &err);
	ms[1] = pm_meter_new(2, RATE, PM_METER_LRA, &err);
	feed(ms[0], 2, 997, quiet, 1);
	feed(ms[1], 2, 997, k14, 1);
	{
		double want = 10 * log10((pow(10, -2.0) + pow(10, -1.4)) / 2);
		double got = pm_meter_global(ms, 2);

		is_near(got, want, 0.1,
			"album of -20 and -14: %.3f LUFS "
			"(energy mean %.3f)",
			got, want);
		got = pm_meter_global_range(ms, 2);
		is_near(got, 6.0, 1.0, "album range %.2f LU", got);
	}
	ok(isinf(pm_meter_global(ms, 0)), "empty album is silent");
	pm_meter_free(ms[0]);
	pm_meter_free(ms[1]);

	/* silence reads -inf; bad arguments are refused */
	ms[0] = pm_meter_new(2, RATE, PM_METER_TRUE_PEAK, &err);
	{
		static float z[2 * 4800];

		pm_meter_add(ms[0], z, 4800, &err);
		pm_meter_result(ms[0], &r, &err);
		ok(isinf(r.integrated_lufs) && r.integrated_lufs < 0,
		   "silence is -inf LUFS");
		ok(isinf(r.true_peak_dbtp) && r.true_peak_dbtp < 0,
		   "silence is -inf dBTP");
	}
	pm_meter_free(ms[0]);
	ok(pm_meter_new(0, RATE, 0, &err) == NULL && err.code == PM_EINVAL,
	   "zero channels refused");
	ok(pm_meter_new(2, 100, 0, &err) == NULL && err.code == PM_EINVAL,
	   "absurd rate refused");
	pm_meter_free(NULL);

	is_near(pm_db_to_gain(-6.0206), 0.5, 1e-5, "dB to gain");
	is_near(pm_gain_to_db(0.5), -6.0206, 1e-4, "gain to dB");
	ok(isinf(pm_gain_to_db(0.0)), "gain 0 is -inf dB");
	return tap_done();
}
