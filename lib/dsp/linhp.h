/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * linhp.h: a linear-phase high-pass for stereo frames: the input delayed,
 * less four cascaded moving averages of it (a symmetric low-pass with the
 * same delay).  Every frequency is delayed alike, so the waveform's shape,
 * and with it the true peak, is kept where a minimum-phase high-pass
 * shifts the bass against the rest and raises peaks by a dB or two
 * (doc/internals/sound.md).  The corner is where the response is 3 dB
 * down; under it the slope is 12 dB per octave, as a second-order filter's;
 * over it the response is flat to a few hundredths of a dB.  The price is
 * latency: about 0.83 s times the corner's period at 44.1 kHz (42 ms at
 * 20 Hz), which the caller removes.
 */
#ifndef PM_LINHP_H
#define PM_LINHP_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct pm_linhp;

/*
 * A high-pass at `freq_hz` (10 Hz to rate / 80) for stereo frames at
 * `rate`.  Its delay is rounded up to a multiple of `granule` frames (1:
 * exact), so that it stays a whole number of frames after resampling.
 * Free with pm_linhp_free(); NULL with `err` set (PM_EINVAL for a
 * frequency out of range, PM_ENOMEM).
 */
struct pm_linhp *pm_linhp_new(uint32_t rate, double freq_hz, size_t granule,
			      struct pm_err *err);

void pm_linhp_free(struct pm_linhp *f);

/* The delay in frames: output frame k is input frame k - delay filtered. */
size_t pm_linhp_delay(const struct pm_linhp *f);

/* Filter `n` interleaved stereo frames in place; state carries over. */
void pm_linhp_process(struct pm_linhp *f, float *buf, size_t n);

#endif
