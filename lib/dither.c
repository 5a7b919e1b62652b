/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dither.c: TPDF and noise-shaped requantisation to 16-bit. */
#include <config.h>

#include "dither.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "banned.h"

/*
 * F-weighted noise-shaping filter, 9 taps (Lipshitz, Vanderkooy and
 * Wannamaker, "Minimally audible noise shaping", JAES 1991): the noise
 * transfer function is 1 - H(z) with H(z) = sum h[k] z^-(k+1).
 */
static const float fweight[9] = { 2.412f, -3.370f, 3.937f, -4.174f, 3.353f,
				   -2.205f, 1.281f, -0.569f, 0.0847f };

void pm_dither_init(struct pm_ditherer *d, enum pm_dither kind, uint64_t seed)
{
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->rng = seed ? seed : 0x853C49E6748FEA9BULL;
}

static uint64_t next(struct pm_ditherer *d)
{
	uint64_t x = d->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	d->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Triangular noise in (-1, 1) LSB from one 64-bit draw. */
static float tpdf(struct pm_ditherer *d)
{
	uint64_t r = next(d);
	const float scale = 1.0f / 4294967296.0f;

	return ((float)(uint32_t)r + (float)(uint32_t)(r >> 32)) * scale - 1.0f;
}


/*
 * Round to the nearest integer, ties to even, without a library call:
 * adding 1.5 * 2^23 leaves no fraction bits in a float whose magnitude is
 * below 2^22, and the FPU rounds on the way.  Valid for |v| < 2^22.
 */
static float round_near(float v)
{
	const float magic = 12582912.0f;

	return (v + magic) - magic;
}

static int16_t q16(float v)
{
	if (v > 32767.0f)
		return 32767;
	if (v < -32768.0f)
		return -32768;
	return (int16_t)round_near(v);
}

/* Whether 32768 * x is a whole number in the 16-bit range. */
static bool exact16(float v)
{
	return v >= -32768.0f && v <= 32767.0f && (float)(int32_t)v == v;
}

/* The common case, TPDF, as a tight loop with the state in registers. */
static void tpdf_run(struct pm_ditherer *d, const float *in, int16_t *out,
		     size_t n)
{
	const float scale = 1.0f / 4294967296.0f;
	uint64_t x = d->rng, passed = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		float v = in[i] * 32768.0f;
		uint64_t r;

		if (exact16(v)) {
			out[i] = (int16_t)v;
			passed++;
			continue;
		}
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		r = x * 0x2545F4914F6CDD1DULL;
		v += ((float)(uint32_t)r + (float)(uint32_t)(r >> 32)) * scale -
		     1.0f;
		out[i] = q16(v);
	}
	d->rng = x;
	d->passed += passed;
	d->dithered += n - passed;
}

void pm_dither_s16(struct pm_ditherer *d, const float *in, int16_t *out,
		   size_t n_samples, unsigned channels)
{
	size_t i;
	unsigned c;

	if (d->kind == PM_DITHER_TPDF) {
		tpdf_run(d, in, out, n_samples * channels);
		return;
	}
	for (i = 0; i < n_samples; i++) {
		for (c = 0; c < channels; c++) {
			size_t j = i * channels + c;
			float v = in[j] * 32768.0f, w, fb = 0;
			float *e = d->err[c];
			int16_t y;
			int k;

			if (exact16(v)) {
				out[j] = (int16_t)v;
				d->passed++;
				if (d->kind == PM_DITHER_SHAPED) {
					memmove(e + 1, e, 8 * sizeof(*e));
					e[0] = 0;
				}
				continue;
			}
			d->dithered++;
			if (d->kind == PM_DITHER_NONE) {
				out[j] = q16(v);
				continue;
			}
			for (k = 0; k < 9; k++)
				fb += fweight[k] * e[k];
			w = v - fb;
			y = q16(w + tpdf(d));
			memmove(e + 1, e, 8 * sizeof(*e));
			/* keep the loop stable when the output clips */
			e[0] = fmaxf(-4.0f, fminf(4.0f, (float)y - w));
			out[j] = y;
		}
	}
}
