/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-limiter.c: the output's true peak, measured by libebur128 (through
 * dsp/loudness), never exceeds the ceiling on torture signals; audio under
 * the ceiling passes bit for bit once the latency is compensated; a 1 kHz
 * sine driven 3 dB in and a 40 Hz sine driven 6 dB in come out clean
 * (THD+N), the latter thanks to the LF-aware hold.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/fft.h"
#include "dsp/limiter.h"
#include "dsp/loudness.h"
#include "tap.h"

static uint64_t rng = 0x6a09e667f3bcc909u;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 4503599627370496.0 - 1.0;
}

/* Raised-cosine fade weight of frame i of n, `fade` frames each end. */
static double fade_w(size_t i, size_t n, size_t fade)
{
	size_t edge = i < n - 1 - i ? i : n - 1 - i;

	if (edge >= fade)
		return 1.0;
	return 0.5 - 0.5 * cos(M_PI * (double)edge / fade);
}

enum sig { SIG_QUARTER, SIG_1K, SIG_NOISE, SIG_BASS, SIG_HF, NSIG };
static const char *const sig_name[NSIG] = { "fs/4 at 45 deg", "1 kHz", "noise",
					    "bass + transients", "15 kHz" };

/* `n` stereo frames of a torture signal, true peak near `peak` (linear). */
static float *make(enum sig s, uint32_t rate, size_t n, double peak)
{
	float *x = calloc(2 * n, sizeof(float));
	size_t fade = rate / 2;

	for (size_t i = 0; i < n; i++) {
		double t = (double)i / rate, l, r;

		switch (s) {
		case SIG_QUARTER:
			l = sin(M_PI / 2 * i + M_PI / 4);
			r = 0.8 * sin(M_PI / 2 * i + M_PI / 4);
			break;
		case SIG_1K:
			l = sin(2 * M_PI * 1000 * t);
			r = sin(2 * M_PI * 1000 * t + 0.5);
			break;
		case SIG_NOISE:
			l = 0.55 * uniform();
			r = 0.55 * uniform();
			break;
		case SIG_BASS: {
			/* 55 Hz, with 3 ms 7 kHz bursts and clicks on top */
			double ph = fmod(t, 0.125);
			double burst =
				ph < 0.003 ? sin(2 * M_PI * 7000 * t) : 0.0;
			double click = (i % 3001) == 0 ? 0.6 : 0.0;

			l = 0.6 * sin(2 * M_PI * 55 * t) + 0.5 * burst + click;
			r = 0.6 * sin(2 * M_PI * 55 * t + 0.3) - 0.5 * burst;
			l += 0.05 * uniform();
			r += 0.05 * uniform();
			break;
		}
		case SIG_HF:
		default:
			l = sin(2 * M_PI * 15000 * t + 0.3);
			r = sin(2 * M_PI * 15100 * t);
			break;
		}
		x[2 * i] = (float)(peak * fade_w(i, n, fade) * l);
		x[2 * i + 1] = (float)(peak * fade_w(i, n, fade) * r);
	}
	return x;
}

/*
 * Run the limiter over `n` stereo frames in uneven blocks, compensate the
 * latency (drop its head, take the flush), and return the n frames.
 */
static float *limit(const struct pm_limiter_opts *o, uint32_t rate,
		    const float *x, size_t n, double *max_gr)
{
	struct pm_err err = { 0 };
	struct pm_limiter_state *l = pm_limiter_new(o, 2, rate, &err);
	size_t lat, done = 0, step = 1;
	float *y, *out;

	if (!l) {
		tap_diag("%s", err.msg);
		return NULL;
	}
	lat = pm_limiter_latency_samples(l);
	y = calloc(2 * (n + lat), sizeof(float));
	while (done < n) {
		size_t k = PM_MIN(step, n - done);

		pm_limiter_process(l, x + 2 * done, y + 2 * done, k);
		done += k;
		step = step * 2 + 1;
		if (step > 3000)
			step = 5;
	}
	pm_limiter_flush(l, y + 2 * n);
	out = calloc(2 * n, sizeof(float));
	memcpy(out, y + 2 * lat, 2 * n * sizeof(float));
	if (max_gr)
		*max_gr = pm_limiter_max_reduction_db(l);
	pm_limiter_free(l);
	free(y);
	return out;
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

/* THD+N of the left channel from frame `from`, 20 Hz - 20 kHz. */
static double thdn(const float *y, size_t n, size_t from, uint32_t rate,
		   double hz)
{
	struct pm_err err = { 0 };
	struct pm_tone_analysis ta;

	if (pm_tone_analyse(y + 2 * from, n - from, 2, rate, hz, 20, 20000, &ta,
			    &err) < 0) {
		tap_diag("%s", err.msg);
		return 0.0;
	}
	return ta.thdn_db;
}

static void test_ceiling(void)
{
	static const uint32_t rates[] = { 44100, 48000, 96000 };
	struct pm_limiter_opts o;

	pm_limiter_defaults(&o);
	o.ceiling_dbtp = -1.0;
	for (size_t ri = 0; ri < PM_ARRAY_SIZE(rates); ri++) {
		uint32_t rate = rates[ri];
		size_t n = rate;

		for (int s = 0; s < NSIG; s++) {
			/* 6 dB over the ceiling (noise: about 6 dB) */
			float *x =
				make((enum sig)s, rate, n, pow(10, 5.0 / 20));
			float *y = limit(&o, rate, x, n, NULL);
			double in = ebur128_tp(x, n, rate);
			double out = ebur128_tp(y, n, rate);

			ok(out <= o.ceiling_dbtp,
			   "%lu Hz %s: %+.2f dBTP in, %+.4f out <= %+.1f",
			   (unsigned long)rate, sig_name[s], in, out,
			   o.ceiling_dbtp);
			free(x);
			free(y);
		}
	}

	/* 8x detection, a 0 dBTP ceiling, a slow release, more drive */
	o.oversampling = 8;
	o.ceiling_dbtp = 0.0;
	o.release_ms = 500;
	for (int s = 0; s < NSIG; s++) {
		size_t n = 48000;
		float *x = make((enum sig)s, 48000, n, pow(10, 12.0 / 20));
		float *y = limit(&o, 48000, x, n, NULL);
		double out = ebur128_tp(y, n, 48000);

		ok(out <= o.ceiling_dbtp, "8x, 12 dB over, %s: %+.4f dBTP",
		   sig_name[s], out);
		free(x);
		free(y);
	}

	/* abrupt starts and single-sample spikes, no fades at all */
	pm_limiter_defaults(&o);
	{
		size_t n = 24000;
		float *x = calloc(2 * n, sizeof(float));
		float *y;
		double out;

		for (size_t i = 0; i < n; i++) {
			double v = (i / 1000) % 2 ? 1.9 : -1.9;

			x[2 * i] = (float)(i % 997 == 0 ? 3.0 : v * 0.5);
			x[2 * i + 1] = (float)(i % 2 ? 1.5 : -1.5);
		}
		y = limit(&o, 48000, x, n, NULL);
		out = ebur128_tp(y, n, 48000);
		ok(out <= o.ceiling_dbtp,
		   "square waves and spikes from the "
		   "first sample: %+.4f dBTP",
		   out);
		free(x);
		free(y);
	}
}

static void test_transparency(void)
{
	struct pm_limiter_opts o;
	size_t n = 48000;
	float *x, *y;
	double gr = -1.0;

	pm_limiter_defaults(&o);
	o.ceiling_dbtp = -1.0;
	/* noise with its true peak 6 dB under the ceiling */
	x = make(SIG_NOISE, 48000, n, 1.0);
	{
		double tp = ebur128_tp(x, n, 48000);
		float a = (float)pow(10, (o.ceiling_dbtp - 6.0 - tp) / 20);

		for (size_t i = 0; i < 2 * n; i++)
			x[i] *= a;
	}
	y = limit(&o, 48000, x, n, &gr);
	is_mem(y, x, 2 * n * sizeof(float),
	       "6 dB under the ceiling: bit-exact after latency");
	is_near(gr, 0.0, 0.0, "and no gain reduction");
	free(x);
	free(y);

	/* after a flush the limiter starts over exactly */
	{
		struct pm_err err = { 0 };
		struct pm_limiter_state *l = pm_limiter_new(&o, 2, 48000, &err);
		size_t m = 5000, lat = pm_limiter_latency_samples(l);
		float *a = make(SIG_1K, 48000, m, 2.0);
		float *b1 = calloc(2 * (m + lat), sizeof(float));
		float *b2 = calloc(2 * (m + lat), sizeof(float));

		is_int(lat, 96 + 6, "latency: 2 ms look-ahead + 6 at 48 kHz");
		pm_limiter_process(l, a, b1, m);
		pm_limiter_flush(l, b1 + 2 * m);
		pm_limiter_process(l, a, b2, m);
		pm_limiter_flush(l, b2 + 2 * m);
		is_mem(b2, b1, 2 * (m + lat) * sizeof(float),
		       "second stream after a flush: same output");
		pm_limiter_free(l);
		free(a);
		free(b1);
		free(b2);
	}
}

static void test_distortion(void)
{
	struct pm_limiter_opts o;
	uint32_t rate = 48000;
	size_t n = rate / 2 + 65536;
	float *x, *y;
	double d, gr, d_nolf;

	/*
	 * 1 kHz, 3 dB into the limiter, release 50 ms; and 997 Hz, whose
	 * peaks fall on ever different sampling phases, so the envelope
	 * (and with it the gain) ripples a little.
	 */
	pm_limiter_defaults(&o);
	o.ceiling_dbtp = -1.0;
	o.release_ms = 50;
	for (int k = 0; k < 2; k++) {
		double hz = k ? 997.0 : 1000.0;
		struct pm_err err = { 0 };
		struct pm_tone_analysis ta;

		x = calloc(2 * n, sizeof(float));
		for (size_t i = 0; i < n; i++)
			x[2 * i] = x[2 * i + 1] =
				(float)(pow(10, 2.0 / 20) *
					sin(2 * M_PI * hz * i / rate));
		y = limit(&o, rate, x, n, &gr);
		d = thdn(y, n, rate / 2, rate, hz);
		ok(d <= -60.0, "%g Hz driven 3 dB: THD+N %.1f dB <= -60", hz,
		   d);
		pm_tone_analyse(y + rate, n - rate / 2, 2, rate, hz, 20, 20000,
				&ta, &err);
		is_near(ta.tone_db, o.ceiling_dbtp - PM_LIMITER_MARGIN_DB, 0.02,
			"%g Hz lands at the aim: %.3f dB", hz, ta.tone_db);
		ok(gr >= 3.0 - 0.01, "reduction %.3f dB reported", gr);
		free(x);
		free(y);
	}

	/* 40 Hz, 6 dB into the limiter, default settings */
	pm_limiter_defaults(&o);
	x = calloc(2 * n, sizeof(float));
	for (size_t i = 0; i < n; i++)
		x[2 * i] = x[2 * i + 1] =
			(float)(pow(10, 5.0 / 20) *
				sin(2 * M_PI * 40.0 * i / rate));
	y = limit(&o, rate, x, n, NULL);
	d = thdn(y, n, rate / 2, rate, 40);
	ok(d <= -40.0, "40 Hz driven 6 dB: THD+N %.1f dB <= -40", d);
	free(y);
	/* the same without the LF path follows the waveform */
	o.lf_hold_ms = 0;
	y = limit(&o, rate, x, n, NULL);
	d_nolf = thdn(y, n, rate / 2, rate, 40);
	ok(d_nolf > d + 10.0,
	   "without the LF hold: %.1f dB (hold is what "
	   "helps)",
	   d_nolf);
	free(x);
	free(y);
}

static void test_ramp(void)
{
	struct pm_limiter_opts o;
	uint32_t rate = 48000;
	size_t n = rate / 2, at = rate / 4, w = 96;
	float *x = calloc(2 * n, sizeof(float));
	float *y;
	double g_before, g_early, g_peak;

	/* a -40 dB pilot shows the gain; a loud burst arrives at `at` */
	pm_limiter_defaults(&o);
	for (size_t i = 0; i < n; i++) {
		double v = 0.01 * sin(2 * M_PI * 100.0 * i / rate + 1.0);

		if (i >= at && i < at + 480)
			v += 2.0 * sin(2 * M_PI * 1000.0 * (i - at) / rate);
		x[2 * i] = x[2 * i + 1] = (float)v;
	}
	y = limit(&o, rate, x, n, NULL);
	g_early = y[2 * (at - w - 8)] / x[2 * (at - w - 8)];
	g_before = y[2 * (at - 1)] / x[2 * (at - 1)];
	g_peak = 1.0;
	for (size_t i = at; i < at + 480; i++)
		g_peak = fmin(g_peak, fabs(y[2 * i] / x[2 * i]));
	ok(g_early == 1.0, "gain untouched before the look-ahead window");
	ok(g_before < 0.7, "gain already down (%.3f) as the burst starts",
	   g_before);
	ok(g_peak < 0.5 && ebur128_tp(y, n, rate) <= o.ceiling_dbtp,
	   "burst held under the ceiling (gain %.3f)", g_peak);
	free(x);
	free(y);
}

/*
 * The log: a 1 kHz tone at -20 dBFS with two bursts 6 dB over a -1 dBTP
 * ceiling, at 1.0-1.5 s and 2.5-2.8 s, and a third burst only 0.2 dB
 * over: two stretches, where the bursts are, about 7 dB deep; the small
 * one is not logged.
 */
static void test_log(void)
{
	const uint32_t rate = 48000;
	size_t n = 4 * rate, i, ns, lat, k;
	float *x = malloc(2 * n * sizeof(float)), *y, *tail;
	struct pm_err err = { 0 };
	struct pm_limiter_opts o;
	struct pm_limiter_state *l;
	const struct pm_limiter_stretch *s;

	for (i = 0; i < n; i++) {
		double t = (double)i / rate, a = 0.1;

		if ((t >= 1.0 && t < 1.5) || (t >= 2.5 && t < 2.8))
			a = pow(10, 5.0 / 20);
		else if (t >= 3.3 && t < 3.6)
			a = pow(10, -0.8 / 20);
		x[2 * i] = x[2 * i + 1] = (float)(a * sin(2 * M_PI * 1000 * t));
	}
	pm_limiter_defaults(&o);
	o.ceiling_dbtp = -1.0;
	l = pm_limiter_new(&o, 2, rate, &err);
	lat = pm_limiter_latency_samples(l);
	y = malloc(2 * n * sizeof(float));
	tail = malloc(2 * lat * sizeof(float));
	for (k = 0; k < n; k += 1000)
		pm_limiter_process(l, x + 2 * k, y + 2 * k, PM_MIN(1000, n - k));
	pm_limiter_flush(l, tail);
	ns = pm_limiter_log(l, &s);
	is_int(ns, 2, "the log has the two bursts over the ceiling");
	if (ns == 2) {
		ok(fabs(s[0].start / (double)rate - 1.0) < 0.005 &&
			   s[0].end / (double)rate > 1.5 &&
			   s[0].end / (double)rate < 1.9,
		   "the first from %.3f s to %.3f s",
		   s[0].start / (double)rate, s[0].end / (double)rate);
		ok(fabs(s[1].start / (double)rate - 2.5) < 0.005 &&
			   s[1].end / (double)rate > 2.8 &&
			   s[1].end / (double)rate < 3.2,
		   "the second from %.3f s to %.3f s",
		   s[1].start / (double)rate, s[1].end / (double)rate);
		ok(s[0].depth_db > 6.0 && s[0].depth_db < 6.5,
		   "about 6 dB deep (%.2f dB)", s[0].depth_db);
	}
	pm_limiter_free(l);
	free(x);
	free(y);
	free(tail);
}

int main(void)
{
	struct pm_err err = { 0 };
	struct pm_limiter_opts o;

	test_ceiling();
	test_transparency();
	test_distortion();
	test_ramp();
	test_log();

	is_near(pm_limiter_trim_db(-0.8, -1.0), -0.201, 1e-9,
		"trim: 0.2 dB over needs -0.201 dB");
	is_near(pm_limiter_trim_db(-1.2, -1.0), 0.0, 0.0,
		"trim: under the ceiling needs nothing");
	pm_limiter_defaults(&o);
	o.lookahead_ms = 1.0;
	ok(pm_limiter_new(&o, 2, 48000, &err) == NULL && err.code == PM_EINVAL,
	   "look-ahead under 1.5 ms refused");
	pm_limiter_defaults(&o);
	o.oversampling = 2;
	ok(pm_limiter_new(&o, 2, 48000, &err) == NULL, "2x refused");
	{
		struct pm_limiter cfg = { .enabled = true,
					  .lookahead_ms = 3,
					  .release_ms = 120,
					  .oversampling = 8 };

		pm_limiter_opts_from_album(&o, &cfg, -2.0);
		ok(o.lookahead_ms == 3 && o.release_ms == 120 &&
			   o.oversampling == 8 && o.ceiling_dbtp == -2.0 &&
			   o.lf_hold_ms == 25,
		   "options from album.xml's limiter");
	}
	pm_limiter_free(NULL);
	return tap_done();
}
