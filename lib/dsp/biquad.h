/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * biquad.h: second-order IIR sections designed by the RBJ Audio EQ
 * Cookbook formulas in double precision, and a cascade processor for
 * interleaved float audio with double-precision state (transposed direct
 * form II).  This is the EQ of the mastering chain and the building block
 * of the crossovers in dsp/dynamics.
 */
#ifndef PM_BIQUAD_H
#define PM_BIQUAD_H

#include <stddef.h>
#include <stdint.h>

#include "album/album.h"
#include "util/err.h"

/* Most sections one cascade runs (16 EQ bands of order 4, and more). */
#define PM_BIQUAD_MAX_SECTIONS 64

enum pm_biquad_type {
	PM_BIQUAD_LOWPASS = 0,
	PM_BIQUAD_HIGHPASS,
	PM_BIQUAD_LOW_SHELF,
	PM_BIQUAD_HIGH_SHELF,
	PM_BIQUAD_PEAK,
	PM_BIQUAD_ALLPASS,
};

/*
 * One section, normalised so that a0 = 1:
 * H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2).
 */
struct pm_biquad {
	double b0, b1, b2, a1, a2;
};

/* The section that passes audio unchanged (b0 = 1, the rest 0). */
extern const struct pm_biquad pm_biquad_identity;

/*
 * Design one section of `type` at `freq_hz` for `rate` Hz.  `q` is the
 * cookbook's Q (0.7071 gives Butterworth passes and the steepest shelf
 * without overshoot); `gain_db` is used by shelves and peaks: the shelf's
 * plateau and the peak's gain at `freq_hz`.  Returns 0, or -1 with `err`
 * PM_EINVAL when freq_hz is not inside (0, rate/2), q is not in
 * (0, 100] or |gain_db| > 48.
 */
int pm_biquad_design(struct pm_biquad *bq, enum pm_biquad_type type,
		     double freq_hz, double gain_db, double q, uint32_t rate,
		     struct pm_err *err);

/*
 * Design the sections of one EQ band of album.xml: order-2 passes,
 * shelves and peaks are one section with the band's Q; order-4 passes
 * are two cascaded sections forming a 4th-order Butterworth (Q 0.5412
 * and 1.3066; the band's Q is not used), -3 dB at freq_hz.  Writes 1 or
 * 2 sections to `out` and returns how many, or -1 with `err` (PM_EINVAL,
 * as pm_biquad_design(), or an order other than 2 or 4 on a pass).
 */
int pm_biquad_design_band(const struct pm_eq_band *band, uint32_t rate,
			  struct pm_biquad out[2], struct pm_err *err);

/*
 * The magnitude response in dB of `n` cascaded sections at `freq_hz`
 * (0 .. rate/2), computed from the coefficients.  For tests and reports.
 */
double pm_biquad_response_db(const struct pm_biquad *s, size_t n,
			     double freq_hz, uint32_t rate);

struct pm_biquad_cascade;

/*
 * A processor running `n` sections (0..PM_BIQUAD_MAX_SECTIONS, copied) in
 * series on each of `channels` (1..8) channels independently.  With no
 * sections it passes audio through bit for bit.  Returns a cascade to
 * free with pm_biquad_cascade_free(), or NULL with `err` (PM_EINVAL,
 * PM_ENOMEM).
 */
struct pm_biquad_cascade *pm_biquad_cascade_new(unsigned channels,
						const struct pm_biquad *s,
						size_t n, struct pm_err *err);

/*
 * A cascade for a whole album.xml EQ: every band, in order, designed for
 * `rate`.  Returns NULL with `err` as pm_biquad_design_band() or
 * pm_biquad_cascade_new().
 */
struct pm_biquad_cascade *pm_biquad_cascade_new_eq(const struct pm_eq *eq,
						   unsigned channels,
						   uint32_t rate,
						   struct pm_err *err);

/*
 * Filter `n_samples` interleaved frames from `in` to `out` (which may be
 * the same buffer).  State carries across calls; never allocates.
 */
void pm_biquad_cascade_process(struct pm_biquad_cascade *c, const float *in,
			       float *out, size_t n_samples);

/* Clear the filter state (silence before the next sample). */
void pm_biquad_cascade_reset(struct pm_biquad_cascade *c);

/* The number of sections. */
size_t pm_biquad_cascade_sections(const struct pm_biquad_cascade *c);

/* Release a cascade; NULL is a no-op. */
void pm_biquad_cascade_free(struct pm_biquad_cascade *c);

#endif
