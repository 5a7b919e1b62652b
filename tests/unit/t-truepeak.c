/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-truepeak.c: the detector agrees with libebur128 (through dsp/loudness)
 * on faded test signals at 44.1, 48 and 96 kHz; 8x never reads less than
 * 4x; the scalar and AVX2 kernels agree; the envelope is where the header
 * says it is, whatever the block sizes.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/loudness.h"
#include "dsp/truepeak.h"
#include "tap.h"

static uint64_t rng = 0x2545f4914f6cdd1du;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 4503599627370496.0 - 1.0;
}

enum sig { SIG_QUARTER, SIG_10K, SIG_NOISE, NSIG };
static const char *const sig_name[NSIG] = { "fs/4 45deg -6 dBFS",
					    "10 kHz -20 dBFS", "noise" };

/*
 * `n` stereo frames of a test signal with 0.5 s raised-cosine fades at
 * both ends (abrupt onsets make true-peak meters disagree).
 * The right channel is the left one at 0.9 and a quarter-period later
 * for tones, and independent for noise.
 */
static float *make(enum sig s, uint32_t rate, size_t n)
{
	float *x = calloc(2 * n, sizeof(float));
	size_t fade = rate / 2;

	for (size_t i = 0; i < n; i++) {
		double g = 1.0, l, r;
		size_t edge = i < n - 1 - i ? i : n - 1 - i;

		if (edge < fade)
			g = 0.5 - 0.5 * cos(M_PI * (double)edge / fade);
		switch (s) {
		case SIG_QUARTER:
			l = 0.5012 * sin(M_PI / 2 * i + M_PI / 4);
			r = 0.9 * 0.5012 * sin(M_PI / 2 * i + M_PI / 4 + 0.2);
			break;
		case SIG_10K:
			l = 0.1 * sin(2 * M_PI * 10000.0 * i / rate);
			r = 0.09 * sin(2 * M_PI * 10000.0 * i / rate + 1.0);
			break;
		case SIG_NOISE:
		default:
			l = 0.5 * uniform();
			r = 0.5 * uniform();
			break;
		}
		x[2 * i] = (float)(g * l);
		x[2 * i + 1] = (float)(g * r);
	}
	return x;
}

static double ebur128_tp(const float *x, size_t n, uint32_t rate)
{
	struct pm_err err = { 0 };
	struct pm_loudness_result r;
	struct pm_meter *m = pm_meter_new(2, rate, PM_METER_TRUE_PEAK, &err);

	pm_meter_add(m, x, (int64_t)n, &err);
	pm_meter_result(m, &r, &err);
	pm_meter_free(m);
	return r.true_peak_dbtp;
}

/* Our reading, fed in uneven blocks; NAN if the detector cannot be made. */
static double our_tp(const float *x, size_t n, uint32_t rate, unsigned factor,
		     unsigned flags)
{
	struct pm_err err = { 0 };
	struct pm_truepeak *tp = pm_truepeak_new(2, rate, factor, flags, &err);
	size_t done = 0, step = 1;
	double v;

	if (!tp) {
		tap_diag("%s", err.msg);
		return NAN;
	}
	while (done < n) {
		size_t k = PM_MIN(step, n - done);

		pm_truepeak_process(tp, x + 2 * done, k, NULL);
		done += k;
		step = step * 3 + 1;
		if (step > 5000)
			step = 7;
	}
	v = pm_truepeak_max_dbtp(tp);
	pm_truepeak_free(tp);
	return v;
}

/* Envelope of the whole signal plus the flush, n + latency values. */
static float *envelope(const float *x, size_t n, uint32_t rate, unsigned factor,
		       unsigned flags, size_t block)
{
	struct pm_err err = { 0 };
	struct pm_truepeak *tp = pm_truepeak_new(2, rate, factor, flags, &err);
	float *env;
	size_t lat, done = 0;

	if (!tp)
		return NULL;
	lat = pm_truepeak_latency(tp);
	env = calloc(n + lat, sizeof(float));
	while (done < n) {
		size_t k = PM_MIN(block, n - done);

		pm_truepeak_process(tp, x + 2 * done, k, env + done);
		done += k;
	}
	pm_truepeak_flush(tp, env + n);
	pm_truepeak_free(tp);
	return env;
}

int main(void)
{
	static const uint32_t rates[] = { 44100, 48000, 96000 };
	struct pm_err err = { 0 };
	bool avx2 = pm_truepeak_have_avx2();

	tap_diag("AVX2+FMA kernel %savailable", avx2 ? "" : "not ");
	for (size_t ri = 0; ri < PM_ARRAY_SIZE(rates); ri++) {
		uint32_t rate = rates[ri];
		size_t n = rate;

		for (int s = 0; s < NSIG; s++) {
			float *x = make((enum sig)s, rate, n);
			double ref = ebur128_tp(x, n, rate);
			double t4 = our_tp(x, n, rate, 4, 0);
			double t4s =
				our_tp(x, n, rate, 4, PM_TRUEPEAK_FORCE_SCALAR);
			double t8 = our_tp(x, n, rate, 8, 0);

			is_near(t4, ref, 0.02,
				"%lu Hz %s: 4x %.4f dBTP, "
				"libebur128 %.4f",
				(unsigned long)rate, sig_name[s], t4, ref);
			is_near(t4s, ref, 0.02, "%lu Hz %s: scalar 4x %.4f",
				(unsigned long)rate, sig_name[s], t4s);
			ok(t8 >= t4 - 0.005, "%lu Hz %s: 8x %.4f >= 4x %.4f",
			   (unsigned long)rate, sig_name[s], t8, t4);
			free(x);
		}
	}

	/* below 96 kHz the 4x filter is libebur128's own: near-equality */
	{
		float *x = make(SIG_NOISE, 44100, 44100);
		double d = fabs(our_tp(x, 44100, 44100, 4, 0) -
				ebur128_tp(x, 44100, 44100));

		ok(d < 0.0005, "44.1 kHz noise: within %.6f dB of libebur128",
		   d);
		free(x);
	}

	/* the fs/4 sine at 45 degrees: 3 dB between sample and true peak */
	{
		float *x = make(SIG_QUARTER, 48000, 96000);
		double t8 = our_tp(x, 96000, 48000, 8, 0);

		is_near(t8, 20 * log10(0.5012), 0.05,
			"fs/4 at 45 deg: 8x reads the sine's peak (%.3f)", t8);
		free(x);
	}

	/* kernels agree sample by sample; block size does not matter */
	for (unsigned factor = 4; factor <= 8; factor += 4) {
		for (size_t ri = 0; ri < PM_ARRAY_SIZE(rates); ri += 2) {
			uint32_t rate = rates[ri];
			size_t n = rate / 4;
			float *x = make(SIG_NOISE, rate, n);
			float *es = envelope(x, n, rate, factor,
					     PM_TRUEPEAK_FORCE_SCALAR, 4096);
			float *es1 = envelope(x, n, rate, factor,
					      PM_TRUEPEAK_FORCE_SCALAR, 37);
			float *ev =
				avx2 ? envelope(x, n, rate, factor,
						PM_TRUEPEAK_FORCE_AVX2, 4096)
				     : NULL;
			float *ev1 = avx2 ? envelope(x, n, rate, factor,
						     PM_TRUEPEAK_FORCE_AVX2, 1)
					  : NULL;
			double worst = 0.0;
			size_t m = n + (rate < 96000 ? 6 : 12);

			is_mem(es, es1, m * sizeof(float),
			       "%ux %lu Hz scalar: blocks of 37 = one block",
			       factor, (unsigned long)rate);
			if (avx2) {
				for (size_t i = 0; i < m; i++)
					worst = fmax(worst, fabs((double)es[i] -
								 ev[i]));
				ok(worst <= 1e-6,
				   "%ux %lu Hz: scalar and AVX2 "
				   "envelopes agree (worst %.2g)",
				   factor, (unsigned long)rate, worst);
				is_mem(ev, ev1, m * sizeof(float),
				       "%ux %lu Hz AVX2: blocks of 1 = one "
				       "block",
				       factor, (unsigned long)rate);
			} else {
				ok(1, "# SKIP no AVX2 on this machine");
				ok(1, "# SKIP no AVX2 on this machine");
			}
			free(x);
			free(es);
			free(es1);
			free(ev);
			free(ev1);
		}
	}

	/*
	 * A meter (no envelope) skips stretches too quiet to raise the peak;
	 * its maxima must be exactly those of interpolating every frame.
	 * Noise whose level swells and falls by 30 dB, with the loudest
	 * moment in the middle and near-peak flicks late, where skipping
	 * is most tempting and most wrong.
	 */
	for (unsigned factor = 4; factor <= 8; factor += 4) {
		for (size_t ri = 0; ri < PM_ARRAY_SIZE(rates); ri++) {
			uint32_t rate = rates[ri];
			size_t n = rate * 2, i;
			float *x = make(SIG_NOISE, rate, n);
			struct pm_truepeak *full, *fast, *flo;
			float *env = calloc(n + 64, sizeof(float));
			float *env2 = calloc(n + 64, sizeof(float));
			const float floor = 0.4f;
			bool same = true, above = true;
			size_t zeros = 0;
			unsigned c;

			for (i = 0; i < n; i++) {
				double t = (double)i / (double)n;
				double g = pow(10.0, -1.5 * (1.0 - sin(M_PI * t)));

				if (i % 9973 == 0 && i > n / 2)
					g = 0.97; /* a flick near the peak */
				x[2 * i] = (float)(x[2 * i] * g);
				x[2 * i + 1] = (float)(x[2 * i + 1] * g * 0.7);
			}
			full = pm_truepeak_new(2, rate, factor, 0, &err);
			fast = pm_truepeak_new(2, rate, factor, 0, &err);
			flo = pm_truepeak_new(2, rate, factor, 0, &err);
			pm_truepeak_set_floor(flo, floor);
			for (i = 0; i < n; i += 1000) {
				size_t k = PM_MIN(1000, n - i);

				pm_truepeak_process(full, x + 2 * i, k, env + i);
				pm_truepeak_process(fast, x + 2 * i, k, NULL);
				pm_truepeak_process(flo, x + 2 * i, k, env2 + i);
			}
			pm_truepeak_flush(full, env + n);
			pm_truepeak_flush(fast, NULL);
			pm_truepeak_flush(flo, env2 + n);
			for (c = 0; c < 2; c++)
				same = same &&
				       pm_truepeak_channel_max(full, c) ==
					       pm_truepeak_channel_max(fast, c) &&
				       pm_truepeak_channel_max(full, c) ==
					       pm_truepeak_channel_max(flo, c);
			for (i = 0; i < n + pm_truepeak_latency(full); i++) {
				if (env2[i] == env[i])
					continue;
				if (env[i] < floor && env2[i] < env[i])
					zeros++;
				else
					above = false;
			}
			ok(above && zeros > 0,
			   "%ux %lu Hz: with a floor, the envelope is exact "
			   "except %zu values under it, read lower",
			   factor, (unsigned long)rate, zeros);
			pm_truepeak_free(flo);
			free(env2);
			ok(same,
			   "%ux %lu Hz: the meter's skipping changes no maximum "
			   "(%.6f, %.6f)",
			   factor, (unsigned long)rate,
			   pm_truepeak_channel_max(fast, 0),
			   pm_truepeak_channel_max(fast, 1));
			pm_truepeak_free(full);
			pm_truepeak_free(fast);
			free(env);
			free(x);
		}
	}

	/* an impulse: the envelope peaks at frame + latency, exactly 1 */
	{
		size_t n = 1000, at = 300;
		float *x = calloc(2 * n, sizeof(float));
		float *e;
		size_t best = 0;

		x[2 * at + 1] = -1.0f;
		e = envelope(x, n, 48000, 4, 0, 64);
		for (size_t i = 0; i < n + 6; i++)
			if (e[i] > e[best])
				best = i;
		is_int(best, at + 6, "impulse envelope at frame + latency");
		ok(e[best] == 1.0f, "and it is the sample itself, 1.0");
		ok(e[at + 5] > 0.5f && e[at + 5] < 1.0f,
		   "the interval before it holds the rising interpolation");
		free(e);
		free(x);
	}

	/* API edges */
	{
		struct pm_truepeak *tp = pm_truepeak_new(2, 48000, 4, 0, &err);

		is_int(pm_truepeak_latency(tp), 6, "latency 6 at 48 kHz");
		ok(isinf(pm_truepeak_max_dbtp(tp)), "nothing fed: -inf");
		ok(strcmp(pm_truepeak_kernel(tp), avx2 ? "avx2" : "scalar") ==
			   0,
		   "kernel %s chosen", pm_truepeak_kernel(tp));
		pm_truepeak_free(tp);
		tp = pm_truepeak_new(1, 192000, 8, 0, &err);
		is_int(pm_truepeak_latency(tp), 12, "latency 12 at 192 kHz");
		pm_truepeak_free(tp);
	}
	/*
	 * The fine meter: a tone near Nyquist, sampled so that no sample
	 * lands near its crest, reads its amplitude (the exact true peak)
	 * within 0.01 dB at 8x, where the 12-tap 4x and 8x read low; and
	 * the first sample of a file that starts at full level counts
	 * against the silence before it.
	 */
	for (int ri = 0; ri < 3; ri++) {
		uint32_t rate = rates[ri];
		double f = 0.40 * rate, amp = 0.5;
		size_t n = rate, i;
		float *x = malloc(2 * n * sizeof(float));
		struct pm_truepeak *fine =
			pm_truepeak_new(2, rate, 8, PM_TRUEPEAK_FINE, &err);
		double got, coarse;

		for (i = 0; i < n; i++) {
			size_t e = i < n - 1 - i ? i : n - 1 - i;
			double g = e < rate / 4 ? 0.5 - 0.5 * cos(M_PI * e / (rate / 4.0)) : 1.0;

			x[2 * i] = x[2 * i + 1] =
				(float)(g * amp * sin(2 * M_PI * f * i / rate + 0.3));
		}
		pm_truepeak_process(fine, x, n, NULL);
		pm_truepeak_flush(fine, NULL);
		got = pm_truepeak_max_dbtp(fine);
		coarse = our_tp(x, n, rate, 4, 0);
		ok(fabs(got - 20 * log10(amp)) < 0.01,
		   "fine 8x at %lu Hz reads a %.0f Hz tone at %.4f dBTP (exact %.4f; 4x %.4f)",
		   (unsigned long)rate, f, got, 20 * log10(amp), coarse);
		is_int(pm_truepeak_latency(fine), rate < 96000 ? 32 : 64,
		       "fine latency at %lu Hz", (unsigned long)rate);
		pm_truepeak_free(fine);
		free(x);
	}
	{
		float step[4] = { 0.9f, 0.9f, 0.9f, 0.9f };
		struct pm_truepeak *fine =
			pm_truepeak_new(2, 44100, 8, PM_TRUEPEAK_FINE, &err);

		pm_truepeak_process(fine, step, 2, NULL);
		pm_truepeak_flush(fine, NULL);
		ok(pm_truepeak_max_dbtp(fine) > 20 * log10(0.9) + 0.5,
		   "a file's edges count against silence: a 2-sample 0.9 step reads %.2f dBTP",
		   pm_truepeak_max_dbtp(fine));
		pm_truepeak_free(fine);
	}
	/*
	 * Frames fed as history only (pm_truepeak_skip) leave the maxima of
	 * what follows exactly as if they had been interpolated: a quiet
	 * first half skipped, a loud second half measured.
	 */
	{
		size_t n = 20000, i;
		float *x = malloc(2 * n * sizeof(float));
		struct pm_truepeak *all =
			pm_truepeak_new(2, 44100, 8, PM_TRUEPEAK_FINE, &err);
		struct pm_truepeak *part =
			pm_truepeak_new(2, 44100, 8, PM_TRUEPEAK_FINE, &err);

		for (i = 0; i < 2 * n; i++)
			x[i] = (float)((i < n ? 0.01 : 0.7) * uniform());
		pm_truepeak_process(all, x, n, NULL);
		pm_truepeak_skip(part, x, n / 2 - 100);
		pm_truepeak_process(part, x + 2 * (n / 2 - 100),
				    n - n / 2 + 100, NULL);
		pm_truepeak_flush(all, NULL);
		pm_truepeak_flush(part, NULL);
		ok(pm_truepeak_max_dbtp(all) == pm_truepeak_max_dbtp(part),
		   "skipped history: the same true peak (%.4f, %.4f dBTP)",
		   pm_truepeak_max_dbtp(all), pm_truepeak_max_dbtp(part));
		pm_truepeak_free(all);
		pm_truepeak_free(part);
		free(x);
	}
	ok(pm_truepeak_new(2, 48000, 4, PM_TRUEPEAK_FINE, &err) == NULL,
	   "fine is 8x only");
	ok(pm_truepeak_new(2, 48000, 2, 0, &err) == NULL &&
		   err.code == PM_EINVAL,
	   "2x is refused");
	ok(pm_truepeak_new(9, 48000, 4, 0, &err) == NULL, "9 channels refused");
	pm_truepeak_free(NULL);
	return tap_done();
}
