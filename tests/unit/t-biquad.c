/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-biquad.c: the designs hit their defining points (-3 dB corners, shelf
 * plateaus, peak gains); the processor's measured magnitude (FFT of its
 * impulse response) equals the design within 0.05 dB; no sections is a
 * bit-exact pass-through; channels and block sizes do not interact.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/fft.h"
#include "tap.h"

#define N 65536

static uint64_t rng = 0x853c49e6748fea9bu;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 4503599627370496.0 - 1.0;
}

/*
 * Run a unit impulse through `s` in the right channel of a stereo
 * cascade (the left one carries noise, to show the channels stay apart)
 * and compare the FFT of the response with the design at frequencies
 * spread log-wise from 20 Hz to 20 kHz.  Returns the worst deviation.
 */
static double measured_vs_design(const struct pm_biquad *s, size_t n,
				 uint32_t rate)
{
	struct pm_err err = { 0 };
	struct pm_biquad_cascade *c = pm_biquad_cascade_new(2, s, n, &err);
	struct pm_fft *f = pm_fft_new(N, &err);
	float *x = calloc(2 * N, sizeof(float));
	double *ir = calloc(N, sizeof(double));
	double *p = calloc(N / 2 + 1, sizeof(double));
	double worst = 0.0;

	for (size_t i = 0; i < N; i++)
		x[2 * i] = (float)(0.5 * uniform());
	x[1] = 1.0f;
	/* uneven blocks, to exercise the state hand-over too */
	for (size_t done = 0, k = 1; done < N; k = k * 5 + 3) {
		size_t m = PM_MIN(k % 3001 + 1, N - done);

		pm_biquad_cascade_process(c, x + 2 * done, x + 2 * done, m);
		done += m;
	}
	for (size_t i = 0; i < N; i++)
		ir[i] = x[2 * i + 1];
	pm_fft_power(f, ir, p);
	for (double hz = 20.0; hz <= 20000.0; hz *= 1.07) {
		size_t k = (size_t)lround(hz * N / rate);
		double fk = (double)k * rate / N;
		double got = 10.0 * log10(p[k]);
		double want = pm_biquad_response_db(s, n, fk, rate);

		worst = fmax(worst, fabs(got - want));
	}
	pm_biquad_cascade_free(c);
	pm_fft_free(f);
	free(x);
	free(ir);
	free(p);
	return worst;
}

int main(void)
{
	static const uint32_t rates[] = { 44100, 48000, 96000 };
	struct pm_err err = { 0 };
	struct pm_biquad s[8];
	struct pm_eq_band band = { 0 };
	int n;

	/* defining points of the designs */
	pm_biquad_design(&s[0], PM_BIQUAD_HIGHPASS, 100, 0, M_SQRT1_2, 48000,
			 &err);
	is_near(pm_biquad_response_db(s, 1, 100, 48000), -3.0103, 0.001,
		"HP2 Butterworth: -3 dB at the corner");
	is_near(pm_biquad_response_db(s, 1, 50, 48000), -10 * log10(1 + 16.0),
		0.02, "HP2: -12.3 dB an octave down");
	pm_biquad_design(&s[0], PM_BIQUAD_LOWPASS, 5000, 0, M_SQRT1_2, 48000,
			 &err);
	is_near(pm_biquad_response_db(s, 1, 5000, 48000), -3.0103, 0.001,
		"LP2 Butterworth: -3 dB at the corner");
	is_near(pm_biquad_response_db(s, 1, 20, 48000), 0.0, 0.001,
		"LP2 passes low frequencies");

	band.type = PM_EQ_HIGHPASS;
	band.freq_hz = 80;
	band.order = 4;
	n = pm_biquad_design_band(&band, 48000, s, &err);
	is_int(n, 2, "order-4 pass is two sections");
	is_near(pm_biquad_response_db(s, 2, 80, 48000), -3.0103, 0.001,
		"HP4 Butterworth: -3 dB at the corner");
	is_near(pm_biquad_response_db(s, 2, 40, 48000), -10 * log10(1 + 256.0),
		0.05, "HP4: -24 dB an octave down");
	is_near(pm_biquad_response_db(s, 2, 1000, 48000), 0.0, 0.001,
		"HP4 passes the midrange");

	band.type = PM_EQ_LOW_SHELF;
	band.freq_hz = 120;
	band.gain_db = 4.0;
	band.q = M_SQRT1_2;
	band.order = 2;
	is_int(pm_biquad_design_band(&band, 48000, s, &err), 1,
	       "a shelf is one section");
	is_near(pm_biquad_response_db(s, 1, 5, 48000), 4.0, 0.01,
		"low shelf plateau +4 dB");
	is_near(pm_biquad_response_db(s, 1, 120, 48000), 2.0, 0.01,
		"low shelf half gain at its frequency");
	is_near(pm_biquad_response_db(s, 1, 15000, 48000), 0.0, 0.01,
		"low shelf leaves the top alone");
	pm_biquad_design(&s[0], PM_BIQUAD_HIGH_SHELF, 8000, -3.0, M_SQRT1_2,
			 44100, &err);
	is_near(pm_biquad_response_db(s, 1, 22049, 44100), -3.0, 0.02,
		"high shelf plateau -3 dB");
	is_near(pm_biquad_response_db(s, 1, 100, 44100), 0.0, 0.01,
		"high shelf leaves the bottom alone");
	pm_biquad_design(&s[0], PM_BIQUAD_PEAK, 2500, -6.0, 2.0, 96000, &err);
	is_near(pm_biquad_response_db(s, 1, 2500, 96000), -6.0, 1e-9,
		"peak: its gain at its frequency");
	pm_biquad_design(&s[0], PM_BIQUAD_ALLPASS, 700, 0, 0.5, 48000, &err);
	is_near(pm_biquad_response_db(s, 1, 123, 48000), 0.0, 1e-9,
		"all-pass is flat");

	/* measured against designed, at three rates */
	for (size_t r = 0; r < PM_ARRAY_SIZE(rates); r++) {
		uint32_t rate = rates[r];
		struct pm_eq_band bands[4] = {
			{ .type = PM_EQ_HIGHPASS, .freq_hz = 30, .order = 4 },
			{ .type = PM_EQ_LOW_SHELF,
			  .freq_hz = 100,
			  .gain_db = 3,
			  .q = 0.7071 },
			{ .type = PM_EQ_PEAK,
			  .freq_hz = 3150,
			  .gain_db = -4.5,
			  .q = 1.4 },
			{ .type = PM_EQ_HIGH_SHELF,
			  .freq_hz = 10000,
			  .gain_db = 2,
			  .q = 0.7071 },
		};
		size_t ns = 0;
		double d;

		for (int b = 0; b < 4; b++) {
			struct pm_biquad one[2];
			int k = pm_biquad_design_band(&bands[b], rate, one,
						      &err);

			d = measured_vs_design(one, (size_t)k, rate);
			ok(d <= 0.05,
			   "%lu Hz band %d: measured = design "
			   "(worst %.2g dB)",
			   (unsigned long)rate, b, d);
			memcpy(s + ns, one, (size_t)k * sizeof(*one));
			ns += (size_t)k;
		}
		d = measured_vs_design(s, ns, rate);
		ok(d <= 0.05,
		   "%lu Hz 4 bands (5 sections): measured = design "
		   "(worst %.2g dB)",
		   (unsigned long)rate, d);
	}

	/* pass-through, channel independence, block independence */
	{
		size_t frames = 10000;
		float *x = calloc(3 * frames, sizeof(float));
		float *y = calloc(3 * frames, sizeof(float));
		float *z = calloc(3 * frames, sizeof(float));
		float *mono = calloc(frames, sizeof(float));
		struct pm_biquad_cascade *c;
		struct pm_eq eq = { 0 };
		bool same = true;

		for (size_t i = 0; i < 3 * frames; i++)
			x[i] = (float)uniform();
		c = pm_biquad_cascade_new(3, NULL, 0, &err);
		pm_biquad_cascade_process(c, x, y, frames);
		is_mem(y, x, 3 * frames * sizeof(float),
		       "no sections: bit-exact copy");
		memcpy(z, x, 3 * frames * sizeof(float));
		pm_biquad_cascade_process(c, z, z, frames);
		is_mem(z, x, 3 * frames * sizeof(float),
		       "no sections: bit-exact in place");
		pm_biquad_cascade_free(c);
		c = pm_biquad_cascade_new_eq(&eq, 2, 48000, &err);
		is_int(pm_biquad_cascade_sections(c), 0,
		       "an empty EQ has no sections");
		pm_biquad_cascade_free(c);

		pm_biquad_design(&s[0], PM_BIQUAD_PEAK, 1000, 6, 1, 48000,
				 &err);
		pm_biquad_design(&s[1], PM_BIQUAD_HIGHPASS, 40, 0, 0.7, 48000,
				 &err);
		c = pm_biquad_cascade_new(3, s, 2, &err);
		pm_biquad_cascade_process(c, x, y, frames);
		pm_biquad_cascade_free(c);
		c = pm_biquad_cascade_new(1, s, 2, &err);
		for (size_t i = 0; i < frames; i++)
			mono[i] = x[3 * i + 2];
		pm_biquad_cascade_process(c, mono, mono, frames);
		for (size_t i = 0; i < frames; i++)
			same = same && mono[i] == y[3 * i + 2];
		ok(same, "3 channels: the odd one out equals a mono run");
		pm_biquad_cascade_reset(c);
		for (size_t i = 0; i < frames; i++)
			mono[i] = x[3 * i + 2];
		for (size_t i = 0; i < frames; i += 7)
			pm_biquad_cascade_process(c, mono + i, mono + i,
						  PM_MIN(7, frames - i));
		same = true;
		for (size_t i = 0; i < frames; i++)
			same = same && mono[i] == y[3 * i + 2];
		ok(same, "after reset, blocks of 7 give the same bits");
		pm_biquad_cascade_free(c);
		free(x);
		free(y);
		free(z);
		free(mono);
	}

	/* refusals */
	ok(pm_biquad_design(&s[0], PM_BIQUAD_PEAK, 30000, 0, 1, 48000, &err) <
			   0 &&
		   err.code == PM_EINVAL,
	   "frequency above Nyquist refused");
	ok(pm_biquad_design(&s[0], PM_BIQUAD_PEAK, 1000, 0, 0, 48000, &err) < 0,
	   "Q 0 refused");
	band.type = PM_EQ_LOWPASS;
	band.order = 3;
	ok(pm_biquad_design_band(&band, 48000, s, &err) < 0, "order 3 refused");
	ok(pm_biquad_cascade_new(2, s, PM_BIQUAD_MAX_SECTIONS + 1, &err) ==
		   NULL,
	   "too many sections refused");
	pm_biquad_cascade_free(NULL);
	return tap_done();
}
