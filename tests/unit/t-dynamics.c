/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-dynamics.c: compressor static curve, exact unity below threshold,
 * attack and release time constants, stereo link, the 3-band split
 * summing flat; stereo width; vinyl LF-mono attenuation of the side
 * channel with the mid channel untouched.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/dynamics.h"
#include "dsp/fft.h"
#include "tap.h"

#define RATE 48000

static uint64_t rng = 0xda942042e4dd58b5u;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 4503599627370496.0 - 1.0;
}

static struct pm_compressor comp_cfg(double thr, double ratio, double knee,
				     double att, double rel, double makeup)
{
	struct pm_compressor c = { 0 };

	c.enabled = true;
	c.nbands = 1;
	c.band[0].threshold_db = thr;
	c.band[0].ratio = ratio;
	c.band[0].knee_db = knee;
	c.band[0].attack_ms = att;
	c.band[0].release_ms = rel;
	c.band[0].makeup_db = makeup;
	c.band[1] = c.band[2] = c.band[0];
	c.xover_low_hz = 200;
	c.xover_high_hz = 3000;
	c.detect = PM_DETECT_PEAK;
	c.stereo_link = true;
	return c;
}

static double rms(const float *x, size_t n, unsigned stride)
{
	double s = 0.0;

	for (size_t i = 0; i < n; i++)
		s += (double)x[i * stride] * x[i * stride];
	return sqrt(s / (double)n);
}

static double db(double v)
{
	return 20.0 * log10(v);
}

/* Steady-state gain (dB) of a compressor for DC at `level_db`, peak mode. */
static double dc_gain_db(const struct pm_compressor *cfg, double level_db)
{
	struct pm_err err = { 0 };
	struct pm_comp *c = pm_comp_new(cfg, 2, RATE, &err);
	size_t n = RATE / 2;
	float *x = calloc(2 * n, sizeof(float));
	float a = (float)pow(10.0, level_db / 20.0);
	double g;

	for (size_t i = 0; i < 2 * n; i++)
		x[i] = a;
	pm_comp_process(c, x, x, n);
	g = db(x[2 * n - 1] / a);
	pm_comp_free(c);
	free(x);
	return g;
}

/* Output level of a stereo sine through a compressor, last quarter. */
static double sine_out_db(const struct pm_compressor *cfg, double hz,
			  double level_db)
{
	struct pm_err err = { 0 };
	struct pm_comp *c = pm_comp_new(cfg, 2, RATE, &err);
	size_t n = RATE;
	float *x = calloc(2 * n, sizeof(float));
	double a = pow(10.0, level_db / 20.0), v;

	for (size_t i = 0; i < n; i++)
		x[2 * i] = x[2 * i + 1] =
			(float)(a * sin(2 * M_PI * hz * i / RATE));
	pm_comp_process(c, x, x, n);
	v = db(rms(x + 2 * (3 * n / 4), n / 4, 2) * sqrt(2.0));
	pm_comp_free(c);
	free(x);
	return v;
}

/* First index from `from` where pred(gr) holds; gr from in/out ratios. */
static double time_to_ms(const float *in, const float *out, size_t from,
			 size_t n, double level, bool rising)
{
	for (size_t i = from; i < n; i++) {
		double gr = db(in[2 * i] / out[2 * i]);

		if (rising ? gr >= level : gr <= level)
			return (double)(i - from + 1) * 1000.0 / RATE;
	}
	return -1.0;
}

static void test_compressor(void)
{
	struct pm_err err = { 0 };
	struct pm_compressor cfg = comp_cfg(-20, 4, 6, 5, 50, 2);
	struct pm_comp_band *b = &cfg.band[0];
	bool curve_ok = true;
	double worst = 0.0;

	/* the curve itself */
	is_near(pm_comp_static_gain_db(b, -30), 2.0, 1e-12, "curve: below");
	is_near(pm_comp_static_gain_db(b, -23), 2.0, 1e-12,
		"curve: knee start");
	is_near(pm_comp_static_gain_db(b, -20), 2.0 - 0.75 * 9 / 12, 1e-12,
		"curve: mid-knee");
	is_near(pm_comp_static_gain_db(b, -17), 2.0 - 0.75 * 3, 1e-12,
		"curve: knee end joins the slope");
	is_near(pm_comp_static_gain_db(b, -10), 2.0 - 0.75 * 10, 1e-12,
		"curve: 10 dB over at 4:1");

	/* the processor follows it: DC in peak mode settles exactly */
	for (double l = -40; l <= 0; l += 1.0) {
		double d = fabs(dc_gain_db(&cfg, l) -
				pm_comp_static_gain_db(b, l));

		worst = fmax(worst, d);
		curve_ok = curve_ok && d < 0.01;
	}
	ok(curve_ok,
	   "peak mode, DC -40..0 dB: static gain as designed "
	   "(worst %.2g dB)",
	   worst);

	/* RMS mode, sines: the AES17-style level makes it the same curve */
	cfg = comp_cfg(-24, 3, 10, 10, 200, 0);
	cfg.detect = PM_DETECT_RMS;
	curve_ok = true;
	worst = 0.0;
	for (double l = -40; l <= -6; l += 2.0) {
		double d = fabs(sine_out_db(&cfg, 1000, l) -
				(l + pm_comp_static_gain_db(&cfg.band[0], l)));

		worst = fmax(worst, d);
		curve_ok = curve_ok && d < 0.1;
	}
	ok(curve_ok,
	   "RMS mode, 1 kHz sines: static curve within 0.1 dB "
	   "(worst %.3f dB)",
	   worst);

	/* below threshold: bit-exact, every detector mode */
	for (int mode = 0; mode < 4; mode++) {
		size_t n = 20000;
		float *x = calloc(2 * n, sizeof(float));
		float *y = calloc(2 * n, sizeof(float));
		struct pm_comp *c;

		cfg = comp_cfg(-20, 4, 6, 5, 50, 0);
		cfg.detect = mode & 1 ? PM_DETECT_RMS : PM_DETECT_PEAK;
		cfg.stereo_link = mode & 2;
		for (size_t i = 0; i < 2 * n; i++)
			x[i] = (float)(0.031 * uniform()); /* < -30 dB */
		c = pm_comp_new(&cfg, 2, RATE, &err);
		pm_comp_process(c, x, y, n);
		is_mem(y, x, 2 * n * sizeof(float),
		       "below threshold: "
		       "bit-exact (%s, %s)",
		       mode & 1 ? "rms" : "peak",
		       mode & 2 ? "linked" : "unlinked");
		is_near(pm_comp_max_reduction_db(c), 0.0, 0.0,
			"and no reduction reported");
		pm_comp_free(c);
		free(x);
		free(y);
	}

	/* make-up below threshold is a plain gain */
	cfg = comp_cfg(-20, 4, 6, 5, 50, 3);
	is_near(dc_gain_db(&cfg, -40), 3.0, 1e-6,
		"make-up +3 dB below "
		"threshold");

	/* attack and release time constants: DC steps, knee 0 */
	{
		size_t n = RATE * 3 / 2, up = RATE / 10, down = RATE * 6 / 10;
		float *x = calloc(2 * n, sizeof(float));
		float *y = calloc(2 * n, sizeof(float));
		struct pm_comp *c;
		double ta, tr;

		cfg = comp_cfg(-20, 4, 0, 10, 100, 0);
		for (size_t i = 0; i < n; i++) {
			double a = i >= up && i < down ? -10 : -40;

			x[2 * i] = x[2 * i + 1] = (float)pow(10, a / 20);
		}
		c = pm_comp_new(&cfg, 2, RATE, &err);
		pm_comp_process(c, x, y, n);
		ta = time_to_ms(x, y, up, n, 0.632 * 7.5, true);
		tr = time_to_ms(x, y, down, n, 0.368 * 7.5, false);
		is_near(ta, 10.0, 0.1, "attack: 63%% of 7.5 dB in %.2f ms", ta);
		is_near(tr, 100.0, 0.5, "release: to 37%% in %.2f ms", tr);
		is_near(db(x[2 * (down - 1)] / y[2 * (down - 1)]), 7.5, 0.01,
			"full reduction 7.5 dB at 4:1, 10 dB over");
		is_near(pm_comp_max_reduction_db(c), 7.5, 0.01,
			"max reduction reported");
		is_near(pm_comp_reduction_db(c, 0), 0.0, 1e-3,
			"current reduction back to none");
		pm_comp_free(c);
		free(x);
		free(y);
	}

	/* stereo link: a quiet channel follows a loud one only if linked */
	for (int linked = 0; linked < 2; linked++) {
		size_t n = RATE / 4;
		float *x = calloc(2 * n, sizeof(float));
		float *y = calloc(2 * n, sizeof(float));
		struct pm_comp *c;

		cfg = comp_cfg(-20, 4, 0, 1, 50, 0);
		cfg.stereo_link = linked;
		for (size_t i = 0; i < n; i++) {
			x[2 * i] = 0.3f;
			x[2 * i + 1] = 0.01f;
		}
		c = pm_comp_new(&cfg, 2, RATE, &err);
		pm_comp_process(c, x, y, n);
		if (linked)
			is_near(y[2 * n - 1] / x[2 * n - 1],
				y[2 * n - 2] / x[2 * n - 2], 1e-6,
				"linked: the quiet channel gets the same gain");
		else
			ok(y[2 * n - 1] == x[2 * n - 1],
			   "unlinked: the quiet channel passes untouched");
		pm_comp_free(c);
		free(x);
		free(y);
	}
}

static void test_three_bands(void)
{
	struct pm_err err = { 0 };
	struct pm_compressor cfg = comp_cfg(0, 4, 0, 5, 50, 0);
	const size_t n = 65536;
	float *x = calloc(2 * n, sizeof(float));
	double *ir = calloc(n, sizeof(double));
	double *p = calloc(n / 2 + 1, sizeof(double));
	struct pm_fft *f = pm_fft_new(n, &err);
	struct pm_comp *c;
	double worst = 0.0, dev0;

	/* all bands idle: the output is the sum of the bands */
	cfg.nbands = 3;
	x[0] = x[1] = 1e-3f;
	c = pm_comp_new(&cfg, 2, RATE, &err);
	ok(c != NULL, "3-band compressor created");
	pm_comp_process(c, x, x, n);
	for (size_t i = 0; i < n; i++)
		ir[i] = x[2 * i + 1] * 1e3;
	pm_fft_power(f, ir, p);
	for (size_t k = (size_t)(20.0 * n / RATE); k * RATE <= 20000 * n; k++)
		worst = fmax(worst, fabs(10 * log10(p[k])));
	ok(worst <= 0.1, "LR4 bands sum flat 20 Hz-20 kHz (worst %.2g dB)",
	   worst);
	dev0 = fabs(ir[0] - 1.0);
	ok(dev0 > 1e-3, "and the sum is an all-pass, not a wire (h[0] %.4f)",
	   ir[0]);
	pm_comp_free(c);

	/* only the high band compresses: bass untouched, treble reduced */
	cfg.band[2].threshold_db = -40;
	cfg.band[2].ratio = 10;
	is_near(sine_out_db(&cfg, 100, -10), -10.0, 0.1,
		"100 Hz passes the idle low band");
	ok(sine_out_db(&cfg, 15000, -10) < -25.0,
	   "15 kHz is pressed down by the high band");

	cfg.xover_low_hz = 4000;
	ok(pm_comp_new(&cfg, 2, RATE, &err) == NULL && err.code == PM_EINVAL,
	   "crossovers out of order refused");
	cfg = comp_cfg(0, 0.5, 0, 5, 50, 0);
	ok(pm_comp_new(&cfg, 2, RATE, &err) == NULL, "ratio below 1 refused");
	pm_fft_free(f);
	free(x);
	free(ir);
	free(p);
}

/* Side (or mid) gain in dB of the LF-mono filter for a steady sine. */
static double lfmono_db(double corner, double hz, bool side)
{
	struct pm_err err = { 0 };
	struct pm_lfmono *m = pm_lfmono_new(RATE, corner, &err);
	size_t n = RATE;
	float *x = calloc(2 * n, sizeof(float));
	float *y = calloc(2 * n, sizeof(float));
	double in = 0.0, out = 0.0;

	for (size_t i = 0; i < n; i++) {
		double mid = 0.3 * sin(2 * M_PI * hz * i / RATE);
		double sd = 0.2 * sin(2 * M_PI * hz * i / RATE + 1.0);

		x[2 * i] = (float)(mid + sd);
		x[2 * i + 1] = (float)(mid - sd);
	}
	pm_lfmono_process(m, x, y, n);
	for (size_t i = n / 2; i < n; i++) {
		double a = side ? x[2 * i] - x[2 * i + 1]
				: x[2 * i] + x[2 * i + 1];
		double b = side ? y[2 * i] - y[2 * i + 1]
				: y[2 * i] + y[2 * i + 1];

		in += a * a;
		out += b * b;
	}
	pm_lfmono_free(m);
	free(x);
	free(y);
	return 10 * log10(out / in);
}

/* Correlation of L and R of a stereo buffer. */
static double correlation(const float *x, size_t n)
{
	double lr = 0.0, ll = 0.0, rr = 0.0;

	for (size_t i = 0; i < n; i++) {
		lr += (double)x[2 * i] * x[2 * i + 1];
		ll += (double)x[2 * i] * x[2 * i];
		rr += (double)x[2 * i + 1] * x[2 * i + 1];
	}
	return lr / sqrt(ll * rr);
}

static void test_stereo(void)
{
	struct pm_err err = { 0 };
	static const double corners[] = { 50, 150, 300 };

	for (size_t i = 0; i < PM_ARRAY_SIZE(corners); i++) {
		double fc = corners[i];
		double a2 = -lfmono_db(fc, fc / 2, true);
		double a4 = -lfmono_db(fc, fc / 4, true);

		/* 4th-order Linkwitz-Riley: 24 dB/octave */
		ok(a2 >= 23.5, "LF-mono %g Hz: side -%.2f dB at corner/2", fc,
		   a2);
		ok(a4 >= 47.0, "LF-mono %g Hz: side -%.2f dB at corner/4", fc,
		   a4);
		is_near(lfmono_db(fc, fc, true), -6.02, 0.1,
			"LF-mono %g Hz: side -6 dB at the corner (LR4)", fc);
		is_near(lfmono_db(fc, fc / 4, false), 0.0, 0.1,
			"LF-mono %g Hz: mid unchanged at corner/4", fc);
		is_near(lfmono_db(fc, fc, false), 0.0, 0.1,
			"LF-mono %g Hz: mid unchanged at the corner", fc);
		is_near(lfmono_db(fc, 2000, true), 0.0, 0.01,
			"LF-mono %g Hz: side untouched at 2 kHz", fc);
	}

	/* a mono signal passes bit for bit */
	{
		size_t n = 10000;
		float *x = calloc(2 * n, sizeof(float));
		float *y = calloc(2 * n, sizeof(float));
		struct pm_lfmono *m = pm_lfmono_new(RATE, 150, &err);

		for (size_t i = 0; i < n; i++)
			x[2 * i] = x[2 * i + 1] = (float)uniform();
		pm_lfmono_process(m, x, y, n);
		is_mem(y, x, 2 * n * sizeof(float),
		       "LF-mono: mono input passes bit for bit");
		pm_lfmono_free(m);
		free(x);
		free(y);
	}

	/* decorrelated noise ends up correlated in the band at corner/4 */
	{
		size_t n = 4 * RATE;
		float *x = calloc(2 * n, sizeof(float));
		float *y = calloc(2 * n, sizeof(float));
		struct pm_lfmono *m = pm_lfmono_new(RATE, 150, &err);
		struct pm_biquad bp[4];
		struct pm_biquad_cascade *c;
		double before, after;

		for (size_t i = 0; i < 2 * n; i++)
			x[i] = (float)(0.5 * uniform());
		pm_lfmono_process(m, x, y, n);
		/* a band around 37.5 Hz: HP4 at 30 Hz, LP4 at 47 Hz */
		pm_biquad_design(&bp[0], PM_BIQUAD_HIGHPASS, 30, 0, 0.5412,
				 RATE, &err);
		pm_biquad_design(&bp[1], PM_BIQUAD_HIGHPASS, 30, 0, 1.3066,
				 RATE, &err);
		pm_biquad_design(&bp[2], PM_BIQUAD_LOWPASS, 47, 0, 0.5412, RATE,
				 &err);
		pm_biquad_design(&bp[3], PM_BIQUAD_LOWPASS, 47, 0, 1.3066, RATE,
				 &err);
		c = pm_biquad_cascade_new(2, bp, 4, &err);
		pm_biquad_cascade_process(c, x, x, n);
		pm_biquad_cascade_reset(c);
		pm_biquad_cascade_process(c, y, y, n);
		before = correlation(x + RATE, n - RATE / 2);
		after = correlation(y + RATE, n - RATE / 2);
		ok(fabs(before) < 0.2, "noise L/R uncorrelated before (%.3f)",
		   before);
		ok(after >= 0.95, "LF-mono 150 Hz: correlation %.3f near 37 Hz",
		   after);
		pm_biquad_cascade_free(c);
		pm_lfmono_free(m);
		free(x);
		free(y);
	}
	ok(pm_lfmono_new(RATE, 20, &err) == NULL && err.code == PM_EINVAL,
	   "LF-mono corner 20 Hz refused");
	pm_lfmono_free(NULL);

	/* width */
	{
		float a[4] = { 0.5f, 0.1f, -0.25f, 0.75f };
		float b[4];

		memcpy(b, a, sizeof(a));
		pm_width_process(b, 2, 1.0);
		is_mem(b, a, sizeof(a), "width 1: untouched");
		pm_width_process(b, 2, 0.0);
		ok(b[0] == b[1] && b[2] == b[3] && b[0] == 0.3f &&
			   b[2] == 0.25f,
		   "width 0: mono (mid in both)");
		memcpy(b, a, sizeof(a));
		pm_width_process(b, 2, 2.0);
		is_near(b[0] - b[1], 2 * (a[0] - a[1]), 1e-6,
			"width 2: side doubled");
		is_near(b[2] + b[3], a[2] + a[3], 1e-6, "width 2: mid kept");
	}
}

int main(void)
{
	test_compressor();
	test_three_bands();
	test_stereo();
	return tap_done();
}
