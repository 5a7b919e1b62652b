/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dither.c: TPDF and noise-shaped requantisation to 16-bit. */
#include <config.h>

#include "dither.h"

#include <math.h>
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

static int16_t clip16(float v)
{
	long q = lrintf(v);

	if (q > 32767)
		q = 32767;
	else if (q < -32768)
		q = -32768;
	return (int16_t)q;
}

void pm_dither_s16(struct pm_ditherer *d, const float *in, int16_t *out,
		   size_t n_samples, unsigned channels)
{
	size_t i;
	unsigned c;

	for (i = 0; i < n_samples; i++) {
		for (c = 0; c < channels; c++) {
			size_t j = i * channels + c;
			float v = in[j] * 32768.0f, w, fb = 0;
			float *e = d->err[c];
			int16_t y;
			int k;

			if (v == rintf(v) && v >= -32768.0f && v <= 32767.0f) {
				out[j] = (int16_t)v;
				d->passed++;
				if (d->kind == PM_DITHER_SHAPED) {
					memmove(e + 1, e, 8 * sizeof(*e));
					e[0] = 0;
				}
				continue;
			}
			d->dithered++;
			switch (d->kind) {
			case PM_DITHER_NONE:
				out[j] = clip16(v);
				break;
			case PM_DITHER_TPDF:
				out[j] = clip16(v + tpdf(d));
				break;
			case PM_DITHER_SHAPED:
				for (k = 0; k < 9; k++)
					fb += fweight[k] * e[k];
				w = v - fb;
				y = clip16(w + tpdf(d));
				memmove(e + 1, e, 8 * sizeof(*e));
				/* keep the loop stable when the output clips */
				e[0] = fmaxf(-4.0f, fminf(4.0f, (float)y - w));
				out[j] = y;
				break;
			}
		}
	}
}
