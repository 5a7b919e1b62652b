/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bs1770.h: a fast BS.1770-4 loudness meter for the mastering hot path.
 *
 * The signal is K-weighted (the BS.1770 shelf and high-pass, designed for
 * the actual rate) and its weighted mean square is kept for every 100 ms;
 * everything else is computed from those energies at the end: integrated
 * loudness (400 ms blocks every 100 ms, absolute gate -70 LUFS, relative
 * gate -10 LU), loudness range (3 s blocks every second, gates -70 LUFS
 * and -20 LU, 10th to 95th percentile, as EBU Tech 3342 and libebur128),
 * the maxima of momentary and short-term loudness (every 100 ms), and the
 * loudness of several programmes as one (an album) or of a programme
 * under a gain, without running the audio again.
 *
 * libebur128 (dsp/loudness) stays the reference: the tests hold this
 * meter to it, and verify measures deliverables with it.
 */
#ifndef PM_BS1770_H
#define PM_BS1770_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct pm_bs1770;

/* A meter for interleaved stereo (2) or mono (1) float at `rate`. */
struct pm_bs1770 *pm_bs1770_new(unsigned channels, uint32_t rate,
				struct pm_err *err);

/* Feed frames.  Returns 0, or -1 with `err` (PM_ENOMEM). */
int pm_bs1770_add(struct pm_bs1770 *m, const float *buf, size_t n_samples,
		  struct pm_err *err);

/*
 * Feed the same number of frames to two meters: `x` to `m`, `y` to `o`.
 * The same as two pm_bs1770_add() calls, and faster when both are stereo
 * at one rate and have been fed alike.  Returns 0, or -1 with `err`.
 */
int pm_bs1770_add_pair(struct pm_bs1770 *m, const float *x,
		       struct pm_bs1770 *o, const float *y, size_t n_samples,
		       struct pm_err *err);

/* Integrated loudness in LUFS (-HUGE_VAL for silence). */
double pm_bs1770_integrated(const struct pm_bs1770 *m);

/* Loudness range in LU. */
double pm_bs1770_range(const struct pm_bs1770 *m);

double pm_bs1770_max_momentary(const struct pm_bs1770 *m);
double pm_bs1770_max_shortterm(const struct pm_bs1770 *m);

/* Integrated loudness of several meters as one programme. */
double pm_bs1770_global(struct pm_bs1770 *const *m, size_t n);

/* Loudness range of several meters as one programme. */
double pm_bs1770_global_range(struct pm_bs1770 *const *m, size_t n);

/*
 * The K-weighted mean square of every complete 100 ms so far, channels
 * summed (loudness is -0.691 + 10 log10 of a mean of them): *n of them,
 * owned by the meter.  verify draws short-term loudness from these.
 */
const double *pm_bs1770_blocks(const struct pm_bs1770 *m, size_t *n);

void pm_bs1770_free(struct pm_bs1770 *m);

#endif
