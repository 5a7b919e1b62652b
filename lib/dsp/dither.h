/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dither.h: the last step of the CD path, float to 16-bit.  TPDF dither
 * (the sum of two uniform variates, +-1 LSB peak), optionally shaped by a
 * 9th-order F-weighted error-feedback filter (Lipshitz, Vanderkooy and
 * Wannamaker's published coefficients, for 44.1 kHz).  Deterministic:
 * the same input and seed give the same output.
 *
 * A sample that is already an exact 16-bit value (x * 32768 a whole number
 * in range) is passed through untouched: 16-bit material at unity gain
 * stays bit-identical, and digital silence stays digitally silent (pauses
 * and the first two seconds of the disc are never filled with dither).
 */
#ifndef PM_DITHER_H
#define PM_DITHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "album/album.h"

#define PM_DITHER_MAX_CHANNELS 2

#define PM_DITHER_LANES 8

struct pm_ditherer {
	enum pm_dither kind;
	uint64_t rng;                  /* shaped and plain rounding */
	uint32_t lane[PM_DITHER_LANES]; /* TPDF: independent generators */
	unsigned next_lane;            /* the lane of the next sample */
	float err[PM_DITHER_MAX_CHANNELS][9]; /* shaping history, newest first */
	uint64_t dithered, passed;            /* samples, for reports */
};

/* Set up a ditherer of `kind` with a fixed seed. */
void pm_dither_init(struct pm_ditherer *d, enum pm_dither kind, uint64_t seed);

/*
 * Quantise `n_samples` frames of `channels` (1 or 2) interleaved floats to
 * 16-bit.  Values beyond full scale are clipped.
 */
void pm_dither_s16(struct pm_ditherer *d, const float *in, int16_t *out,
		   size_t n_samples, unsigned channels);

/*
 * For tests: turn the eight-lane vector code off (false) or on (true, the
 * default).  Both give the same output; the tests prove it.
 */
void pm_dither_use_vector(bool on);

#endif
