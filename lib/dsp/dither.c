/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dither.c: TPDF and noise-shaped requantisation to 16-bit. */
#include <config.h>

#include "dsp/dither.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "util/simd.h"

#include "util/banned.h"

/*
 * F-weighted noise-shaping filter, 9 taps (Lipshitz, Vanderkooy and
 * Wannamaker, "Minimally audible noise shaping", JAES 1991): the noise
 * transfer function is 1 - H(z) with H(z) = sum h[k] z^-(k+1).
 */
static const float fweight[9] = { 2.412f, -3.370f, 3.937f, -4.174f, 3.353f,
				   -2.205f, 1.281f, -0.569f, 0.0847f };

void pm_dither_init(struct pm_ditherer *d, enum pm_dither kind, uint64_t seed)
{
	uint64_t z = seed;
	int k;

	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->rng = seed ? seed : 0x853C49E6748FEA9BULL;
	/* splitmix64 seeds the lanes; a lane must never be zero */
	for (k = 0; k < PM_DITHER_LANES; k++) {
		uint64_t x;

		z += 0x9E3779B97F4A7C15ULL;
		x = z;
		x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
		x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
		x ^= x >> 31;
		d->lane[k] = (uint32_t)x ? (uint32_t)x : 0x9E3779B9u;
	}
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

/*
 * TPDF, the common case, in eight lanes: sample j of the stream takes its
 * noise from lane j mod 8, each lane a xorshift32 generator drawn twice a
 * sample (two uniform variates of 24 bits make the triangle).  The lanes
 * are independent, so eight samples go at once; the vector code and the
 * scalar code for the ends do the same IEEE operations in the same order
 * (no fused multiply-add), so the output does not depend on the block
 * sizes, the CPU or the compiler's choice of instructions.
 */
static uint32_t xs32(uint32_t a)
{
	a ^= a << 13;
	a ^= a >> 17;
	a ^= a << 5;
	return a;
}

static int16_t tpdf_one(struct pm_ditherer *d, float x)
{
	const float scale = 1.0f / 16777216.0f;
	float v = x * 32768.0f, r;
	uint32_t *s = &d->lane[d->next_lane];
	uint32_t a = xs32(*s), b = xs32(a);

	*s = b;
	d->next_lane = (d->next_lane + 1) % PM_DITHER_LANES;
	if (exact16(v)) {
		d->passed++;
		return (int16_t)v;
	}
	d->dithered++;
	r = v + ((float)(int32_t)(a >> 8) + (float)(int32_t)(b >> 8)) * scale;
	r = r - 1.0f;
	return q16(r);
}

#if PM_HAVE_VECTOR
typedef uint32_t u32x8 __attribute__((vector_size(32)));
typedef int32_t i32x8 __attribute__((vector_size(32)));
typedef float f32x8 __attribute__((vector_size(32)));

/*
 * Eight samples a step, lanes aligned (next_lane == 0 on entry).  The
 * body is compiled twice, for AVX2 (without FMA: the arithmetic must stay
 * the same, so the output is identical) and for the baseline; the CPU
 * picks one at run time.
 */
static inline __attribute__((always_inline)) size_t
tpdf_vector_body(struct pm_ditherer *d, const float *in, int16_t *out, size_t n)
{
#define SPLAT(x) { x, x, x, x, x, x, x, x }
	const f32x8 scale = SPLAT(1.0f / 16777216.0f), full = SPLAT(32768.0f);
	const f32x8 one = SPLAT(1.0f), magic = SPLAT(12582912.0f);
	const f32x8 lo = SPLAT(-32768.0f), hi = SPLAT(32767.0f);
	const i32x8 ilo = SPLAT(-32768), ihi = SPLAT(32767);
#undef SPLAT
	u32x8 s;
	i32x8 passed = { 0 };
	size_t i, k;

	memcpy(&s, d->lane, sizeof(s));
	for (i = 0; i + 8 <= n; i += 8) {
		u32x8 a = s, b;
		f32x8 v, r, t;
		i32x8 ti, ri, exact, big, small;
		int16_t o[8];

		a ^= a << 13;
		a ^= a >> 17;
		a ^= a << 5;
		b = a;
		b ^= b << 13;
		b ^= b >> 17;
		b ^= b << 5;
		s = b;
		memcpy(&v, in + i, sizeof(v));
		v = v * full;
		ti = __builtin_convertvector(v, i32x8);
		t = __builtin_convertvector(ti, f32x8);
		exact = (t == v) & (v >= lo) & (v <= hi);
		r = v + (__builtin_convertvector((i32x8)(a >> 8), f32x8) +
			 __builtin_convertvector((i32x8)(b >> 8), f32x8)) *
				scale;
		r = r - one;
		/* round to nearest, ties to even, then clamp */
		big = r > hi;
		small = r < lo;
		r = (r + magic) - magic;
		ri = __builtin_convertvector(r, i32x8);
		ri = (big & ihi) | (small & ilo) | (~(big | small) & ri);
		ri = (exact & ti) | (~exact & ri);
		passed -= exact;
		for (k = 0; k < 8; k++)
			o[k] = (int16_t)ri[k];
		memcpy(out + i, o, sizeof(o));
	}
	memcpy(d->lane, &s, sizeof(s));
	for (k = 0; k < 8; k++)
		d->passed += (uint64_t)passed[k];
	d->dithered += i - (size_t)(passed[0] + passed[1] + passed[2] +
				    passed[3] + passed[4] + passed[5] +
				    passed[6] + passed[7]);
	return i;
}
#if PM_HAVE_AVX2
PM_TARGET_AVX2_INT static size_t
tpdf_vector_avx2(struct pm_ditherer *d, const float *in, int16_t *out, size_t n)
{
	return tpdf_vector_body(d, in, out, n);
}
#endif

static size_t tpdf_vector_base(struct pm_ditherer *d, const float *in,
			       int16_t *out, size_t n)
{
	return tpdf_vector_body(d, in, out, n);
}

static size_t tpdf_vector(struct pm_ditherer *d, const float *in,
			  int16_t *out, size_t n)
{
#if PM_HAVE_AVX2
	if (pm_cpu_avx2())
		return tpdf_vector_avx2(d, in, out, n);
#endif
	return tpdf_vector_base(d, in, out, n);
}
#endif

static bool use_vector = true;

void pm_dither_use_vector(bool on)
{
	use_vector = on;
}

static void tpdf_run(struct pm_ditherer *d, const float *in, int16_t *out,
		     size_t n)
{
	size_t i = 0;

	while (i < n && d->next_lane != 0) {
		out[i] = tpdf_one(d, in[i]);
		i++;
	}
#if PM_HAVE_VECTOR
	if (use_vector)
		i += tpdf_vector(d, in + i, out + i, n - i);
#endif
	for (; i < n; i++)
		out[i] = tpdf_one(d, in[i]);
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
