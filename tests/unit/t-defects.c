/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-defects.c: the defect detector finds what is planted in generated
 * music (clicks, a pop, clipped runs, hum, hard edges, DC, channels out
 * of phase) and stays quiet on the clean music; the repairs bring the
 * error against the clean music down and leave every other sample as it
 * was; the AR interpolation restores a gap in a sine.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/defects.h"
#include "dsp/restore.h"
#include "tap.h"

#define RATE 44100
#define LEN (RATE * 10)

#define uniform tap_uniform

/*
 * Smooth music: chords whose notes swell and fade, a walking bass and
 * low-passed noise, peaking near `peak`; 10 ms fades at both ends.
 */
static float *music(double peak)
{
	float *x = malloc(2 * LEN * sizeof(*x));
	double lp[2] = { 0, 0 }, top = 0;
	static const double hz[6] = { 220, 277.2, 329.6, 440, 554.4, 659.3 };

	for (int64_t i = 0; i < LEN; i++) {
		double t = (double)i / RATE, v[2] = { 0, 0 };

		for (int k = 0; k < 6; k++) {
			double env = 0.5 + 0.5 * sin(2 * M_PI * 0.3 * t + k);
			double s = env * sin(2 * M_PI * hz[k] * t + k) / (1 + k % 3);

			v[0] += s * (k % 2 ? 0.4 : 0.8);
			v[1] += s * (k % 2 ? 0.8 : 0.4);
		}
		for (int c = 0; c < 2; c++) {
			lp[c] += 0.2 * (uniform() - lp[c]);
			v[c] += 0.6 * sin(2 * M_PI * (55 + 5 * floor(t)) * t) +
				0.1 * lp[c];
			x[2 * i + c] = (float)v[c];
			top = fmax(top, fabs(v[c]));
		}
	}
	for (int64_t i = 0; i < 2 * LEN; i++) {
		int64_t f = i / 2, edge = f < LEN - 1 - f ? f : LEN - 1 - f;
		double g = edge < RATE / 100 ? (double)edge / (RATE / 100) : 1;

		x[i] = (float)(x[i] * peak / top * g);
	}
	return x;
}

static struct pm_defects *detect_rate(const float *x, int64_t n,
				      uint32_t rate, bool fix, bool portable,
				      struct pm_defects_summary *s)
{
	struct pm_defects_config c;
	struct pm_err err = { 0 };
	struct pm_defects *d;

	pm_defects_config_default(&c);
	c.fix_clicks = c.fix_clipping = fix;
	c.portable = portable;
	d = pm_defects_new(rate, &c, &err);
	/* blocks of an odd size, so that frames and blocks do not line up */
	for (int64_t i = 0; i < n; i += 3001)
		pm_defects_add(d, x + 2 * i, (size_t)(n - i < 3001 ? n - i : 3001));
	pm_defects_finish(d, s);
	return d;
}

static struct pm_defects *detect_portable(const float *x, int64_t n,
					  bool fix, bool portable,
					  struct pm_defects_summary *s)
{
	return detect_rate(x, n, RATE, fix, portable, s);
}

static struct pm_defects *detect(const float *x, int64_t n, bool fix,
				 struct pm_defects_summary *s)
{
	return detect_portable(x, n, fix, false, s);
}

static size_t count(const struct pm_defects *d, enum pm_defect_kind k)
{
	size_t n, i, c = 0;
	const struct pm_defect *e = pm_defects_events(d, &n);

	for (i = 0; i < n; i++)
		c += e[i].kind == k;
	return c;
}

/* An event of kind `k` in channel `ch` starting within `tol` of `at`. */
static bool found(const struct pm_defects *d, enum pm_defect_kind k,
		  unsigned ch, int64_t at, int64_t tol)
{
	size_t n, i;
	const struct pm_defect *e = pm_defects_events(d, &n);

	for (i = 0; i < n; i++)
		if (e[i].kind == k && e[i].channel == ch &&
		    e[i].start + e[i].length >= at - tol && e[i].start <= at + tol)
			return true;
	return false;
}

/* Error energy against `ref` in channel `ch` over [a, b), in dB. */
static double err_db(const float *x, const float *ref, unsigned ch,
		     int64_t a, int64_t b)
{
	double e = 0;

	for (int64_t i = a; i < b; i++) {
		double v = (double)x[2 * i + ch] - ref[2 * i + ch];

		e += v * v;
	}
	return 10 * log10(e + 1e-30);
}

static void clean(void)
{
	float *x = music(0.7);
	struct pm_defects_summary s;
	struct pm_defects *d = detect(x, LEN, false, &s);

	is_int(count(d, PM_DEFECT_CLICK), 0, "clean music: no click");
	is_int(count(d, PM_DEFECT_CLIPPING), 0, "clean music: no clipping");
	is_int(count(d, PM_DEFECT_EDGE_START) + count(d, PM_DEFECT_EDGE_END), 0,
	       "clean music, faded in and out: no hard edge");
	ok(s.hum_hz == 0, "clean music: no hum (%.0f%% of the frames)",
	   100 * s.hum_fraction);
	ok(s.correlation > 0.3, "clean music: channels correlate (%.2f)",
	   s.correlation);
	ok(fabs(s.dc[0]) < 1e-3, "clean music: no DC (%g)", s.dc[0]);
	pm_defects_free(d);
	free(x);
}

/* The quiet pad under percussive() and drums(): two sines. */
static void quiet_pad(float *x)
{
	for (int64_t i = 0; i < LEN; i++) {
		double t = (double)i / RATE;

		x[2 * i] = (float)(0.03 * sin(2 * M_PI * 165 * t));
		x[2 * i + 1] = (float)(0.03 * sin(2 * M_PI * 247.5 * t + 1));
	}
}

/*
 * Percussive music: a note every 250 ms keyed on at full level in the
 * middle of its waveform (a sampled or synthesised attack without a
 * ramp), eight harmonics up to 7 kHz decaying in 80 ms, panned, over a
 * quiet pad.  Each onset is a burst in the residual as short and as
 * strong as a click's.  `at` gets the onsets' frames.
 */
static float *percussive(int64_t *at, int *nat)
{
	float *x = malloc(2 * LEN * sizeof(*x));
	static const double hz[8] = { 110, 146.8, 196, 220, 293.7, 392, 440, 587.3 };

	*nat = 0;
	quiet_pad(x);
	for (int64_t on = RATE / 4; on < LEN - RATE / 4; on += RATE / 4) {
		int k = *nat % 8;
		double f = hz[(k * 5) % 8], phase = 0.3 + 0.7 * k;
		/* not tap_uniform(): the other tests keep their noise */
		double pan = 0.25 + 0.07 * ((k * 3) % 8);
		double amp = 0.15 + 0.03 * ((k * 7) % 8);

		at[(*nat)++] = on;
		for (int64_t i = on; i < on + RATE / 4; i++) {
			double t = (double)(i - on) / RATE, v = 0;

			for (int h = 1; h <= 8 && f * h < 7000; h++)
				v += sin(2 * M_PI * f * h * t + phase * h) / h;
			v *= amp * exp(-t / 0.08);
			x[2 * i] += (float)(v * (1 - pan));
			x[2 * i + 1] += (float)(v * pan);
		}
	}
	return x;
}

/*
 * Musical onsets are not clicks; clicks at or between them still are
 * (doc/internals/defects.md §2).
 */
static void onsets(void)
{
	int64_t at[64], click[8];
	int nat;
	float *x = percussive(at, &nat);
	struct pm_defects_summary s;
	struct pm_defects *d = detect(x, LEN, false, &s);
	bool all = true;

	is_int(count(d, PM_DEFECT_CLICK), 0,
	       "%d notes keyed on without an attack: no click", nat);
	pm_defects_free(d);
	/* -20 dBFS clicks: four between the notes, four 1 to 4 ms into one */
	for (int k = 0; k < 8; k++) {
		click[k] = at[3 + 4 * k] + (k < 4 ? RATE / 8 : (k - 3) * RATE / 1000);
		x[2 * click[k] + k % 2] += k % 3 ? 0.1f : -0.1f;
	}
	d = detect(x, LEN, false, &s);
	for (int k = 0; k < 8; k++)
		if (!found(d, PM_DEFECT_CLICK, (unsigned)k % 2, click[k], RATE / 100)) {
			all = false;
			tap_diag("the click at %.3f s is not found",
				 (double)click[k] / RATE);
		}
	ok(all, "-20 dBFS clicks among them are found within 10 ms, 4 of them in a note's first 4 ms");
	is_int(count(d, PM_DEFECT_CLICK), 8, "and nothing else");
	pm_defects_free(d);
	free(x);
}

/* Whether each of the clicks at[0 .. n) is found in both channels. */
static bool found_in_each(const struct pm_defects *d, const int64_t *at,
			  int n)
{
	bool all = true;

	for (int k = 0; k < n; k++)
		for (unsigned c = 0; c < 2; c++)
			if (!found(d, PM_DEFECT_CLICK, c, at[k], RATE / 100)) {
				all = false;
				tap_diag("the click at %.4f s is not found in channel %u",
					 (double)at[k] / RATE, c);
			}
	return all;
}

/*
 * Drums in the middle of the mix: every 250 ms a hit of noise and a
 * 180 Hz body, the same in both channels, rising in half a millisecond
 * and decaying in 60 ms, over a quiet pad.  `at` gets the hits' frames.
 */
static float *drums(int64_t *at, int *nat)
{
	float *x = malloc(2 * LEN * sizeof(*x));
	uint32_t seed = 12345;

	*nat = 0;
	quiet_pad(x);
	for (int64_t on = RATE / 4; on < LEN - RATE / 4; on += RATE / 4) {
		at[(*nat)++] = on;
		for (int64_t i = on; i < on + RATE / 4; i++) {
			double t = (double)(i - on) / RATE, v;

			seed = seed * 1664525u + 1013904223u;
			v = 0.01 * ((double)(seed >> 8) / (1 << 24) - 0.5) +
			    0.25 * sin(2 * M_PI * 180 * t);
			v *= PM_MIN(1.0, t / 0.0005) * exp(-t / 0.06);
			x[2 * i] += (float)v;
			x[2 * i + 1] += (float)v;
		}
	}
	return x;
}

/*
 * Drums the same in both channels are not clicks (the click test also
 * reads the residual from both sides of a burst now, and an impulse
 * there must not be confused with a drum's start), and a click in both
 * channels alike on a drum's first milliseconds still is.
 */
static void clicks_on_drums(void)
{
	int64_t at[64], click[8];
	int nat;
	float *x = drums(at, &nat);
	struct pm_defects_summary s;
	struct pm_defects *d = detect(x, LEN, false, &s);

	is_int(count(d, PM_DEFECT_CLICK), 0, "%d drum hits: no click", nat);
	pm_defects_free(d);
	/* -20 dBFS, 0.5 to 4 ms into the hit */
	for (int k = 0; k < 8; k++) {
		click[k] = at[2 + 4 * k] + (k + 1) * RATE / 2000;
		for (int c = 0; c < 2; c++)
			x[2 * click[k] + c] += k % 3 ? 0.1f : -0.1f;
	}
	d = detect(x, LEN, false, &s);
	ok(found_in_each(d, click, 8), "-20 dBFS clicks in both channels 0.5 to 4 ms into 8 drum hits are found in each within 10 ms");
	is_int(count(d, PM_DEFECT_CLICK), 16, "and nothing else");
	pm_defects_free(d);
	free(x);
}

/*
 * Clicks of 0.15 in both channels, over quiet music in the left and
 * noise in the right (uniform, 0.021 RMS): the left finds them, and in
 * the right they stand about 7 times over the noise, under the factor
 * of 9.  Found in each: the click found at the same sample in the other
 * channel vouches for the candidate there (without that, none of the
 * right channel's is found).
 */
static void twin_clicks(void)
{
	float *x = malloc(2 * LEN * sizeof(*x));
	int64_t click[8];
	uint32_t seed = 777;
	struct pm_defects_summary s;
	struct pm_defects *d;

	quiet_pad(x);
	for (int64_t i = 0; i < LEN; i++) {
		seed = seed * 1664525u + 1013904223u;
		x[2 * i + 1] += (float)(0.074 * ((double)(seed >> 8) / (1 << 24) - 0.5));
	}
	for (int k = 0; k < 8; k++) {
		float v = k % 3 ? 0.15f : -0.15f;

		click[k] = RATE / 2 + k * (RATE / 2 + 101);
		x[2 * click[k]] += v;
		x[2 * click[k] + 1] += v;
	}
	d = detect(x, LEN, false, &s);
	ok(found_in_each(d, click, 8), "clicks in both channels, 7 times over the noise in one, are found in each within 10 ms");
	is_int(count(d, PM_DEFECT_CLICK), 16, "and nothing else");
	pm_defects_free(d);
	free(x);
}

/* A 16-bit sub-bass holds its peak value for several samples: not a
 * flat top. */
/*
 * A sine of peak `amp` at `hz`, rounded to `bits` bits, holds values at
 * its tops for as long as it creeps past a step there, and that is not
 * clipping.
 */
static void no_flat_top(double amp, double hz, int bits, const char *what)
{
	float *x = malloc(2 * LEN * sizeof(*x));
	double q = ldexp(1, bits - 1);
	struct pm_defects_summary s;
	struct pm_defects *d;

	for (int64_t i = 0; i < LEN; i++)
		for (int c = 0; c < 2; c++)
			x[2 * i + c] = (float)(floor(amp * q *
						     sin(2 * M_PI * hz * i / RATE) +
						     0.5) / q);
	d = detect(x, LEN, false, &s);
	is_int(count(d, PM_DEFECT_CLIPPING), 0, "%s has no flat top", what);
	pm_defects_free(d);
	free(x);
}

static void sub_bass(void)
{
	no_flat_top(0.0631, 20, 16, "a 16-bit 20 Hz sine at -24 dBFS");
}

static void clicks_and_pops(void)
{
	static const double amp[8] = { 0.1, -0.1, 0.3, -0.5, 0.1, -0.2, 1.0, -0.1 };
	float *ref = music(0.7), *x = malloc(2 * LEN * sizeof(*x)), *y;
	struct pm_defects_summary s;
	struct pm_defects *d;
	int64_t at[9];
	size_t n, i;
	const struct pm_defect *e;
	bool kept = true;

	memcpy(x, ref, 2 * LEN * sizeof(*x));
	for (int k = 0; k < 8; k++) {
		at[k] = RATE / 2 + k * (RATE + 1237);
		x[2 * at[k] + k % 2] += (float)amp[k];
	}
	/* a pop: a step that decays in 0.1 ms */
	at[8] = 9 * RATE + 333;
	for (i = 0; i < 44; i++)
		x[2 * (at[8] + (int64_t)i)] += (float)(0.5 * exp(-(double)i / 4.4));
	d = detect(x, LEN, true, &s);
	for (int k = 0; k < 8; k++)
		ok(found(d, PM_DEFECT_CLICK, (unsigned)k % 2, at[k], RATE / 100),
		   "a click of %+.1f (%.0f dBFS) at %.3f s is found within 10 ms",
		   amp[k], 20 * log10(fabs(amp[k])), (double)at[k] / RATE);
	ok(found(d, PM_DEFECT_CLICK, 0, at[8], RATE / 100),
	   "a pop at %.3f s is found within 10 ms", (double)at[8] / RATE);
	is_int(count(d, PM_DEFECT_CLICK), 9, "and nothing else");
	y = malloc(2 * LEN * sizeof(*y));
	memcpy(y, x, 2 * LEN * sizeof(*y));
	pm_defects_patch(d, true, true, y, 0, LEN);
	for (int k = 0; k < 9; k++) {
		unsigned ch = k == 8 ? 0 : (unsigned)k % 2;
		double before = err_db(x, ref, ch, at[k] - 64, at[k] + 128);
		double after = err_db(y, ref, ch, at[k] - 64, at[k] + 128);

		ok(after < before - 15,
		   "%s %d repaired: error %.1f dB, %.1f dB without repair",
		   k == 8 ? "the pop" : "click", k + 1, after, before);
	}
	/* every sample outside the repaired regions is as it was */
	e = pm_defects_events(d, &n);
	for (int64_t f = 0; f < LEN; f++)
		for (unsigned c = 0; c < 2; c++) {
			bool inside = false;

			for (i = 0; i < n; i++)
				if (e[i].fix && e[i].channel == c &&
				    f >= e[i].start && f < e[i].start + e[i].length)
					inside = true;
			if (!inside && memcmp(&x[2 * f + c], &y[2 * f + c],
					      sizeof(float)) != 0)
				kept = false;
		}
	ok(kept, "every sample outside the repaired clicks is bit-identical");
	pm_defects_free(d);
	free(ref);
	free(x);
	free(y);
}

/*
 * Pops that decay for longer than the burst the click test finds: a
 * step of 0.5 decaying with a time constant of 0.3 ms (as
 * tests/mkfixture.c plants one), 1 ms and 5 ms, whose tails the music's
 * model predicts and so hardly shows in its residual; the last in both
 * channels at once, where the other channel cannot help tell it from
 * the music.  Each is found, its tail is taken off with it, and the
 * error against the clean music over the pop and five time constants
 * after it comes down by 15 dB or more (10 dB at 1 ms).
 */
static void long_pops(void)
{
	static const double ms[7] = { 0.3, 0.3, 1.0, 1.0, 5.0, 5.0, 0.3 };
	float *ref = music(0.7), *x = malloc(2 * LEN * sizeof(*x)), *y;
	struct pm_defects_summary s;
	struct pm_defects *d;
	int64_t at[7];

	memcpy(x, ref, 2 * LEN * sizeof(*x));
	for (int k = 0; k < 7; k++) {
		double tau = ms[k] * 1e-3 * RATE, amp = k % 2 ? -0.5 : 0.5;

		at[k] = RATE + k * (RATE + 777);
		for (int64_t i = 0; i < (int64_t)(8 * tau); i++)
			for (int c = 0; c < (k == 6 ? 2 : 1); c++)
				x[2 * (at[k] + i) + c] +=
					(float)(amp * exp(-(double)i / tau));
	}
	d = detect(x, LEN, true, &s);
	y = malloc(2 * LEN * sizeof(*y));
	memcpy(y, x, 2 * LEN * sizeof(*y));
	pm_defects_patch(d, true, true, y, 0, LEN);
	for (int k = 0; k < 8; k++) {
		int i = k < 7 ? k : 6;
		unsigned c = k == 7;
		int64_t b = at[i] + (int64_t)(5 * ms[i] * 1e-3 * RATE) + 64;
		double before = err_db(x, ref, c, at[i] - 64, b);
		double after = err_db(y, ref, c, at[i] - 64, b);

		ok(found(d, PM_DEFECT_CLICK, c, at[i], RATE / 100),
		   "a pop decaying in %.1f ms at %.3f s%s is found within 10 ms",
		   ms[i], (double)at[i] / RATE,
		   i < 6 ? "" : c ? " (right)" : " (left; in both)");
		ok(after < before - (ms[i] == 1.0 ? 10 : 15),
		   "and repaired with its tail: error %.1f dB, %.1f dB without",
		   after, before);
	}
	pm_defects_free(d);
	free(ref);
	free(x);
	free(y);
}

static void clipping(void)
{
	float *ref = music(0.7), *x = malloc(2 * LEN * sizeof(*x)), *y;
	struct pm_defects_summary s;
	struct pm_defects *d;
	int64_t a = 3 * RATE, b = 5 * RATE, len5 = RATE / 200;
	double before, after;

	memcpy(x, ref, 2 * LEN * sizeof(*x));
	/* 50 ms with a flat top at 0.3, then 5 ms of full scale */
	for (int64_t i = a; i < a + RATE / 20; i++)
		for (int c = 0; c < 2; c++)
			x[2 * i + c] = fminf(0.3f, fmaxf(-0.3f, x[2 * i + c]));
	for (int64_t i = b; i < b + len5; i++)
		x[2 * i + 1] = 1.0f;
	d = detect(x, LEN, true, &s);
	ok(found(d, PM_DEFECT_CLIPPING, 0, a, RATE / 20) &&
		   found(d, PM_DEFECT_CLIPPING, 1, a, RATE / 20),
	   "50 ms flat-topped at -10 dBFS are found within 50 ms in both channels");
	ok(found(d, PM_DEFECT_CLIPPING, 1, b, RATE / 20),
	   "5 ms at full scale in the right channel are found within 50 ms");
	is_int(count(d, PM_DEFECT_CLICK), 0, "clipping is not reported as clicks");
	y = malloc(2 * LEN * sizeof(*y));
	memcpy(y, x, 2 * LEN * sizeof(*y));
	pm_defects_patch(d, false, true, y, 0, LEN);
	before = err_db(x, ref, 0, a, a + RATE / 20) ;
	after = err_db(y, ref, 0, a, a + RATE / 20);
	ok(after < before - 6, "the clipped passage repaired: error %.1f dB, %.1f dB without",
	   after, before);
	pm_defects_free(d);
	free(ref);
	free(x);
	free(y);
}

/*
 * A passage clipped in a swell, the clipper's work as real music shows
 * it: its first flat tops short (each alone too short to be a finding),
 * then runs long enough, more than 10 ms after them.  The short ones are
 * the same passage's: it is reported from the first, and the repair
 * takes the error down by 6 dB and more there too.
 */
static void short_flat_tops(void)
{
	float *ref = music(0.7), *x = malloc(2 * LEN * sizeof(*x)), *y;
	struct pm_defects_summary s;
	struct pm_defects *d;
	int64_t a = 6 * RATE, len = RATE / 20, first = -1, from = -1, i;
	float top = 0, lvl;
	size_t n, k, run = 0, shorts = 0;
	const struct pm_defect *e;

	/* the swell: from half the level to all of it through the passage */
	for (i = 0; i < LEN; i++) {
		double g = i < a         ? 0.5
			   : i < a + len ? 0.5 + 0.5 * (double)(i - a) / len
					 : 1;

		ref[2 * i] *= (float)g;
		ref[2 * i + 1] *= (float)g;
	}
	for (i = a; i < a + len; i++)
		top = fmaxf(top, fabsf(ref[2 * i]));
	lvl = 0.7f * top;
	memcpy(x, ref, 2 * LEN * sizeof(*x));
	for (i = a; i < a + len; i++) {
		x[2 * i] = fminf(lvl, fmaxf(-lvl, x[2 * i]));
		if (fabsf(x[2 * i]) == lvl) {
			run++;
		} else {
			if (run >= 2 && first < 0)
				first = i - (int64_t)run;
			shorts += run >= 2 && run < 16 && i < a + len / 2;
			run = 0;
		}
	}
	ok(first >= 0 && first < a + len / 2 && shorts >= 1,
	   "the planted passage starts with a short flat top "
	   "(%zu in its first half)", shorts);
	d = detect(x, LEN, true, &s);
	e = pm_defects_events(d, &n);
	for (k = 0; k < n; k++)
		if (e[k].kind == PM_DEFECT_CLIPPING && e[k].channel == 0 &&
		    e[k].start <= a + len && e[k].start + e[k].length >= a)
			from = from < 0 ? e[k].start : from;
	ok(from >= 0 && from <= first,
	   "it is reported from its first flat top (%.1f ms in, %.1f ms)",
	   1e3 * (double)(from - a) / RATE, 1e3 * (double)(first - a) / RATE);
	y = malloc(2 * LEN * sizeof(*y));
	memcpy(y, x, 2 * LEN * sizeof(*y));
	pm_defects_patch(d, false, true, y, 0, LEN);
	for (int half = 0; half < 2; half++) {
		int64_t p = a, q = half ? a + len : a + len / 2;
		double before = err_db(x, ref, 0, p, q);
		double after = err_db(y, ref, 0, p, q);

		ok(after < before - 6,
		   "%s repaired: error %.1f dB, %.1f dB without",
		   half ? "the whole passage" : "its short-topped first half",
		   after, before);
	}
	pm_defects_free(d);
	free(ref);
	free(x);
	free(y);
}

/*
 * Clipping under -24 dBFS: quiet music clipped at half its peak, in
 * audio finer than 16 bits, leaves flat tops of a few samples each that
 * the wave runs into steeply; they are found and repaired.  The top of
 * a slow 24-bit wave holds a value for many samples but creeps up to it,
 * and is not clipping.
 */
static void quiet_clipping(void)
{
	float *ref = music(0.06), *x = malloc(2 * LEN * sizeof(*x)), *y;
	struct pm_defects_summary s;
	struct pm_defects *d;
	int64_t a = 4 * RATE, len = RATE / 20, i;
	float top = 0, lvl;
	double before, after;

	for (i = a; i < a + len; i++)
		top = fmaxf(top, fabsf(ref[2 * i]));
	lvl = 0.5f * top;
	memcpy(x, ref, 2 * LEN * sizeof(*x));
	for (i = a; i < a + len; i++)
		for (int c = 0; c < 2; c++)
			x[2 * i + c] = fminf(lvl, fmaxf(-lvl, x[2 * i + c]));
	d = detect(x, LEN, true, &s);
	ok(found(d, PM_DEFECT_CLIPPING, 0, a, RATE / 20) &&
		   found(d, PM_DEFECT_CLIPPING, 1, a, RATE / 20),
	   "50 ms clipped at %.1f dBFS are found within 50 ms in both channels",
	   20 * log10(lvl));
	is_int(count(d, PM_DEFECT_CLIPPING), 2, "and nothing else");
	y = malloc(2 * LEN * sizeof(*y));
	memcpy(y, x, 2 * LEN * sizeof(*y));
	pm_defects_patch(d, false, true, y, 0, LEN);
	before = err_db(x, ref, 0, a, a + len);
	after = err_db(y, ref, 0, a, a + len);
	ok(after < before - 6,
	   "the quiet clipped passage repaired: error %.1f dB, %.1f dB without",
	   after, before);
	pm_defects_free(d);
	no_flat_top(0.0316, 0.5, 24, "a 24-bit 0.5 Hz wave at -30 dBFS");
	free(ref);
	free(x);
	free(y);
}

/*
 * A click in a pause: digital silence both sides of it.  It is a click
 * (not the hard edges of a sound), and its repair is silence again.
 */
static void click_in_silence(void)
{
	float *x = music(0.7), *y;
	struct pm_defects_summary s;
	struct pm_defects *d;
	int64_t at = 4 * RATE + RATE / 2, i;
	bool zero = true;

	for (i = 4 * RATE; i < 5 * RATE; i++)
		x[2 * i] = x[2 * i + 1] = 0;
	x[2 * at + 1] = -0.1f;
	d = detect(x, LEN, true, &s);
	ok(found(d, PM_DEFECT_CLICK, 1, at, RATE / 100),
	   "a -20 dBFS click in digital silence is found within 10 ms");
	is_int(count(d, PM_DEFECT_CLICK), 1, "and nothing else is a click");
	y = malloc(2 * LEN * sizeof(*y));
	memcpy(y, x, 2 * LEN * sizeof(*y));
	pm_defects_patch(d, true, false, y, 0, LEN);
	for (i = 4 * RATE; i < 5 * RATE; i++)
		zero = zero && y[2 * i] == 0 && y[2 * i + 1] == 0;
	ok(zero, "its repair is digital silence again");
	pm_defects_free(d);
	free(x);
	free(y);
}

/*
 * The portable code and the AVX2+FMA one (where the CPU has it) find the
 * same events: their residuals differ in the last bits only.
 */
static void twins(void)
{
	float *x = music(0.7);
	struct pm_defects_summary s1, s2;
	struct pm_defects *d1, *d2;
	const struct pm_defect *e1, *e2;
	size_t n1, n2, same = 0;

	for (int k = 0; k < 8; k++)
		x[2 * (RATE / 3 + k * (RATE + 999)) + k % 2] += k % 3 ? 0.1f : -0.2f;
	for (int64_t i = 4 * RATE; i < 4 * RATE + RATE / 50; i++)
		x[2 * i] = fminf(x[2 * i], 0.25f);
	d1 = detect_portable(x, LEN, false, true, &s1);
	d2 = detect_portable(x, LEN, false, false, &s2);
	e1 = pm_defects_events(d1, &n1);
	e2 = pm_defects_events(d2, &n2);
	for (size_t i = 0; i < n1 && i < n2; i++)
		same += e1[i].kind == e2[i].kind &&
			e1[i].channel == e2[i].channel &&
			llabs(e1[i].start - e2[i].start) <= 2;
	ok(n1 == 9 && n2 == n1 && same == n1,
	   "portable and vector code find the same %zu and %zu events (%zu alike)",
	   n1, n2, same);
	is_near(s1.dc[0], s2.dc[0], 1e-6, "and the same DC");
	is_near(s1.correlation, s2.correlation, 1e-5, "and the same correlation");
	pm_defects_free(d1);
	pm_defects_free(d2);
	free(x);
}

static void hum(double hz)
{
	float *x = music(0.03); /* a quiet track, peaks near -30 dBFS */
	struct pm_defects_summary s;
	struct pm_defects *d;

	for (int64_t i = 0; i < LEN; i++)
		for (int h = 1; h <= 3; h++) {
			float v = (float)(0.00316 / h * sin(2 * M_PI * hz * h * i / RATE));

			x[2 * i] += v;
			x[2 * i + 1] += v;
		}
	d = detect(x, LEN, false, &s);
	ok(s.hum_hz == hz, "%.0f Hz hum at -50 dBFS on a quiet track is found (%.0f Hz)",
	   hz, s.hum_hz);
	is_near(s.hum_db, -50, 1.5, "at its level");
	pm_defects_free(d);
	free(x);
}

static void edges_dc_phase(void)
{
	float *x = music(0.7);
	struct pm_defects_summary s;
	struct pm_defects *d;
	size_t n;
	const struct pm_defect *e;

	/* silence, then the music straight in; cut at 8 s into silence */
	memset(x, 0, 2 * RATE * sizeof(*x));
	memset(x + 2 * 8 * RATE, 0, 2 * 2 * RATE * sizeof(*x));
	d = detect(x, LEN, false, &s);
	e = pm_defects_events(d, &n);
	ok(found(d, PM_DEFECT_EDGE_START, 0, RATE, 0) ||
		   found(d, PM_DEFECT_EDGE_START, 1, RATE, 0),
	   "sound straight out of digital silence is a hard edge, at its sample");
	ok(found(d, PM_DEFECT_EDGE_END, 0, 8 * RATE - 1, 0) ||
		   found(d, PM_DEFECT_EDGE_END, 1, 8 * RATE - 1, 0),
	   "sound cut into digital silence is a hard edge, at its last sample");
	is_int(count(d, PM_DEFECT_CLICK), 0, "the edges are not clicks");
	(void)e;
	pm_defects_free(d);
	free(x);

	x = music(0.5);
	for (int64_t i = 0; i < LEN; i++) {
		x[2 * i] += 0.05f;
		x[2 * i + 1] = -x[2 * i] + 0.05f;
	}
	d = detect(x, LEN, false, &s);
	is_near(s.dc[0], 0.05, 0.002, "DC is measured per channel");
	ok(s.correlation < -0.9, "channels out of phase correlate below -0.9 (%.2f)",
	   s.correlation);
	ok(s.mono_loss_db > 12, "and lose %.1f dB in mono", s.mono_loss_db);
	pm_defects_free(d);
	free(x);
}

static void interpolation(void)
{
	float x[2000], ref[2000];
	double e = 0, sig = 0;

	for (int i = 0; i < 2000; i++)
		ref[i] = x[i] = (float)(0.5 * sin(0.05 * i) + 0.3 * sin(0.21 * i + 1));
	for (int i = 1000; i < 1040; i++)
		x[i] = 0.9f;
	ok(pm_ar_interpolate(x, 2000, 1000, 40, 32, 0) == 0, "a 40-sample gap is interpolated");
	for (int i = 1000; i < 1040; i++) {
		e += (x[i] - ref[i]) * (x[i] - ref[i]);
		sig += ref[i] * ref[i];
	}
	ok(10 * log10(e / sig) < -50, "two sines come back within -50 dB (%.1f dB)",
	   10 * log10(e / sig));
	ok(pm_ar_interpolate(x, 2000, 10, 40, 32, 0) < 0,
	   "too little context is refused");
}

/*
 * Clicks in one channel of dense music mixed to the middle: noise and
 * a chord, the same in both channels but for a little noise of each
 * channel's own.  Each channel's residual is loud, and a click of 0.2
 * (-14 dBFS) stands only about five times over it; the difference of
 * the two channels' residuals is quiet, and the click stands out there.
 * Each is found in its own channel, and nothing else is.
 */
static void one_channel_in_dense_music(void)
{
	float *x = malloc(2 * LEN * sizeof(*x));
	int64_t at[6];
	struct pm_defects_summary s;
	struct pm_defects *d;

	for (int64_t i = 0; i < LEN; i++) {
		double t = (double)i / RATE;
		double common = 0.07 * uniform() + 0.2 * sin(2 * M_PI * 220 * t) +
				0.15 * sin(2 * M_PI * 330 * t);

		for (int c = 0; c < 2; c++)
			x[2 * i + c] = (float)(common + 0.005 * uniform());
	}
	for (int k = 0; k < 6; k++) {
		at[k] = RATE / 2 + k * (RATE + 1237);
		x[2 * at[k] + k % 2] += k % 3 ? 0.2f : -0.2f;
	}
	d = detect(x, LEN, false, &s);
	for (int k = 0; k < 6; k++)
		ok(found(d, PM_DEFECT_CLICK, (unsigned)k % 2, at[k], RATE / 100),
		   "a click in channel %d of dense music at %.3f s is found "
		   "within 10 ms", k % 2, (double)at[k] / RATE);
	is_int(count(d, PM_DEFECT_CLICK), 6, "and nothing else");
	pm_defects_free(d);
	free(x);
}

/*
 * Pops on loud music whose step the source cut at full scale: one or two
 * samples of it at 0 dBFS, too few for the clipping rule, and a pop
 * decaying in 1 ms that holds it for several, entered by a jump and
 * left gently, unlike clipped music.  They are clicks: each is found,
 * no clipping is reported, and the repair brings the error down by 15
 * dB (10 at 1 ms, as in long_pops()).  (The click test used to leave
 * anything next to a sample at full scale to the clipping rule, which
 * found nothing in the first four and took the fifth for clipping.)
 */
static void full_scale_pops(void)
{
	static const double lo[5] = { 0.55, 0.55, 0.62, 0.62, 0.5 };
	static const double tau[5] = { 4.41, 4.41, 4.41, 4.41, 44.1 };
	float *ref = music(0.8), *x = malloc(2 * LEN * sizeof(*x)), *y;
	struct pm_defects_summary s;
	struct pm_defects *d;
	int64_t at[5];
	int held[5];

	memcpy(x, ref, 2 * LEN * sizeof(*x));
	for (int k = 0; k < 5; k++) {
		double sign = k % 2 ? -1 : 1;
		int64_t i = RATE / 2 + k * (RATE * 19 / 10);

		/* the first sample from here on at lo to lo + 0.03 */
		while (sign * x[2 * i] < lo[k] || sign * x[2 * i] > lo[k] + 0.03)
			i++;
		at[k] = i;
		held[k] = 0;
		for (int64_t j = 0; j < (int64_t)(8 * tau[k]); j++) {
			double v = x[2 * (i + j)] +
				   sign * 0.5 * exp(-(double)j / tau[k]);

			held[k] += fabs(v) >= 1;
			x[2 * (i + j)] = (float)fmax(-1, fmin(1, v));
		}
	}
	d = detect(x, LEN, true, &s);
	y = malloc(2 * LEN * sizeof(*y));
	memcpy(y, x, 2 * LEN * sizeof(*y));
	pm_defects_patch(d, true, true, y, 0, LEN);
	for (int k = 0; k < 5; k++) {
		int64_t b = at[k] + (int64_t)(5 * tau[k]) + 64;
		double before = err_db(x, ref, 0, at[k] - 64, b);
		double after = err_db(y, ref, 0, at[k] - 64, b);

		ok((k < 4 ? held[k] >= 1 && held[k] <= 2 : held[k] >= 3) &&
			   found(d, PM_DEFECT_CLICK, 0, at[k], RATE / 100),
		   "a pop decaying in %.1f ms held at full scale for %d sample%s at %.3f s is found within 10 ms",
		   tau[k] / RATE * 1e3, held[k], held[k] == 1 ? "" : "s",
		   (double)at[k] / RATE);
		ok(after < before - (k < 4 ? 15 : 10),
		   "and repaired: error %.1f dB, %.1f dB without", after, before);
	}
	is_int(count(d, PM_DEFECT_CLIPPING), 0, "no clipping is reported there");
	is_int(count(d, PM_DEFECT_CLICK), 5, "nor any other click");
	pm_defects_free(d);
	free(ref);
	free(x);
	free(y);
}

/*
 * A 16-bit source: the music on the 16-bit grid, with TPDF dither, and a
 * pause of dither alone.  A -20 dBFS click in the pause (near silence
 * both sides) is a click, not a sound's entry; and one within a few
 * samples of three equal samples (a slow wave's top on the 16-bit grid)
 * is a click, not a clipped passage: the click itself, off the grid,
 * does not make the audio finer than 16 bits.
 */
static void sixteen_bit(void)
{
	float *x = music(0.5);
	int64_t pause = 6 * RATE, quiet = pause + RATE / 4, near = -1;
	struct pm_defects_summary s;
	struct pm_defects *d;

	for (int64_t i = 0; i < LEN; i++)
		for (int c = 0; c < 2; c++) {
			double v = i >= pause && i < pause + RATE / 2 ? 0 :
				   x[2 * i + c];

			v += (uniform() - uniform()) / 32768;
			x[2 * i + c] = (float)(rint(v * 32768) / 32768);
		}
	/* where the wave creeps by 2 steps or less, three equal samples */
	for (int64_t i = 2 * RATE; i < 4 * RATE && near < 0; i++)
		if (fabsf(x[2 * i] - x[2 * i + 2]) <= 2.5f / 32768 &&
		    fabsf(x[2 * i + 2] - x[2 * i + 4]) <= 2.5f / 32768 &&
		    fabsf(x[2 * i]) >= 0.02f) {
			x[2 * i + 2] = x[2 * i + 4] = x[2 * i];
			near = i + 8;
		}
	ok(near > 0, "the 16-bit music creeps at a wave's top");
	if (near < 0)
		near = 3 * RATE;
	x[2 * quiet] += 0.1f;
	x[2 * near] += x[2 * near] > 0 ? -0.1f : 0.1f;
	d = detect(x, LEN, false, &s);
	ok(found(d, PM_DEFECT_CLICK, 0, quiet, RATE / 100),
	   "a -20 dBFS click in a pause of 16-bit dither is found");
	ok(found(d, PM_DEFECT_CLICK, 0, near, RATE / 100),
	   "one 8 samples after three equal samples on the 16-bit grid is found");
	is_int(count(d, PM_DEFECT_CLICK), 2, "and nothing else");
	pm_defects_free(d);
	free(x);
}

/*
 * At 96 kHz in 16 bits with dither, a slow wave's top is a staircase of
 * pairs and threes, each sample like a neighbour, and holds one level
 * for twice the samples it does at 44.1 kHz: not clipping.  A passage
 * clipped at half its peak still is.
 */
static void slow_tops_at_96k(void)
{
	static const double wave[3][2] = { { 40, 0.09 }, { 25, 0.1 }, { 30, 0.2 } };
	const uint32_t rate = 96000;
	float *x = malloc(2 * LEN * sizeof(*x));
	int64_t cut = LEN / 2;
	struct pm_defects_summary s;
	struct pm_defects *d;

	for (int w = 0; w < 3; w++) {
		for (int64_t i = 0; i < LEN; i++)
			for (int c = 0; c < 2; c++) {
				double v = wave[w][1] * 32768 *
					   sin(2 * M_PI * wave[w][0] * i / rate + c);

				v += uniform() - uniform();
				x[2 * i + c] = (float)(floor(v + 0.5) / 32768);
			}
		d = detect_rate(x, LEN, rate, false, false, &s);
		is_int(count(d, PM_DEFECT_CLIPPING), 0,
		       "a 16-bit %.0f Hz sine at %.0f dBFS, dithered, at 96 kHz, has no flat top",
		       wave[w][0], 20 * log10(wave[w][1]));
		pm_defects_free(d);
	}
	for (int64_t i = cut; i < cut + (int64_t)rate / 20; i++)
		for (int c = 0; c < 2; c++)
			x[2 * i + c] = fminf(0.1f, fmaxf(-0.1f, x[2 * i + c]));
	d = detect_rate(x, LEN, rate, false, false, &s);
	ok(found(d, PM_DEFECT_CLIPPING, 0, cut, rate / 20),
	   "and 50 ms of it clipped at half its peak is found within 50 ms");
	pm_defects_free(d);
	free(x);
}

/*
 * A 16-bit source turned down by 1 dB in floating point (a mix
 * normalised so, or a master of it): off the 16-bit grid, but its slow
 * stretches still hold pairs and threes of equal samples, which are not
 * flat tops.  Nor once turned up by 3 dB.
 */
static void scaled_16_bit(void)
{
	static const double gain[2] = { 0.8913, 1.4125 };
	float *ref = music(0.5), *x = malloc(2 * LEN * sizeof(*x));
	struct pm_defects_summary s;
	struct pm_defects *d;

	for (int64_t i = 0; i < 2 * LEN; i++) {
		double v = ref[i] * 32768.0 + uniform() - uniform();

		ref[i] = (float)(rint(v) / 32768);
	}
	for (int g = 0; g < 2; g++) {
		for (int64_t i = 0; i < 2 * LEN; i++)
			x[i] = (float)(ref[i] * gain[g]);
		d = detect(x, LEN, false, &s);
		is_int(count(d, PM_DEFECT_CLIPPING), 0,
		       "16-bit music turned %s by %.0f dB in floating point has no flat top",
		       gain[g] < 1 ? "down" : "up",
		       fabs(20 * log10(gain[g])));
		pm_defects_free(d);
	}
	free(ref);
	free(x);
}

int main(void)
{
	clean();
	onsets();
	clicks_on_drums();
	twin_clicks();
	sub_bass();
	clicks_and_pops();
	long_pops();
	full_scale_pops();
	clipping();
	short_flat_tops();
	quiet_clipping();
	click_in_silence();
	twins();
	hum(60);
	hum(50);
	edges_dc_phase();
	interpolation();
	one_channel_in_dense_music();
	sixteen_bit();
	slow_tops_at_96k();
	scaled_16_bit();
	return tap_done();
}
