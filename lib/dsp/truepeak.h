/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * truepeak.h: a streaming, vectorised true-peak detector (ITU-R BS.1770
 * Annex 2 style oversampling), for metering and for the limiter's side
 * chain.
 *
 * The interpolator is a Hann-windowed sinc polyphase FIR designed so that
 * it reads what libebur128 1.2.6 reads: below 96 kHz its 4x filter is
 * libebur128's 49-tap filter (12 taps per phase); from 96 kHz the filter
 * spans 24 input samples and its half-way phase is libebur128's 2x filter.
 * 8x interleaves extra phases into the same design.  So at 4x below
 * 96 kHz the readings equal libebur128's up to float rounding, and at
 * higher rates or at 8x they are never lower than libebur128's.
 *
 * Samples are interleaved floats at full scale +-1.0.  Processing never
 * allocates; any block size works, and state carries across calls.
 */
#ifndef PM_TRUEPEAK_H
#define PM_TRUEPEAK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Flags for pm_truepeak_new(): force one kernel (tests, benchmarks). */
enum {
	PM_TRUEPEAK_FORCE_SCALAR = 1u << 0,
	PM_TRUEPEAK_FORCE_AVX2 = 1u << 1,
	/*
	 * The fine meter (factor 8 only): 64 input samples under each
	 * phase below 96 kHz, 128 from 96 kHz, so the interpolation is
	 * flat nearly to Nyquist and reads what an ideal 8x meter reads
	 * (to a few thousandths of a dB on music).  It is the meter that
	 * decides whether a master meets its ceiling; its latency is
	 * 32 (64) samples.
	 */
	PM_TRUEPEAK_FINE = 1u << 2,
};

struct pm_truepeak;

/*
 * A detector for `channels` (1..8) channels at `rate` Hz (8000..768000),
 * oversampling by `factor` (4 or 8).  The AVX2+FMA kernel is used when
 * the CPU has it, the portable one otherwise; `flags` may force either.
 * Returns a detector to free with pm_truepeak_free(), or NULL with `err`:
 * PM_EINVAL for a bad argument, PM_EUNSUPPORTED when the AVX2 kernel is
 * forced but this CPU or build lacks it, PM_ENOMEM.
 */
struct pm_truepeak *pm_truepeak_new(unsigned channels, uint32_t rate,
				    unsigned factor, unsigned flags,
				    struct pm_err *err);

/* Release a detector; NULL is a no-op. */
void pm_truepeak_free(struct pm_truepeak *tp);

/*
 * The envelope's delay in samples: the envelope value written for the
 * i-th frame passed in describes input frame i - latency (counting every
 * frame passed since creation or the last reset).  6 below 96 kHz, 12
 * from 96 kHz.
 */
size_t pm_truepeak_latency(const struct pm_truepeak *tp);

/*
 * Feed `n_samples` interleaved frames.  If `env` is not NULL, writes
 * `n_samples` envelope values to it: env[i] is the largest magnitude,
 * over all channels, of the oversampled signal at the `factor` instants
 * t, t + 1/factor, ... of the sample interval [t, t + 1) belonging to
 * input frame t = (frames fed before) + i - latency.  (Values for t < 0
 * describe the filter's pre-ringing of the first samples.)  Also updates
 * the running maxima.
 */
void pm_truepeak_process(struct pm_truepeak *tp, const float *in,
			 size_t n_samples, float *env);

/*
 * End of stream: feed `latency` frames of silence, so that the envelope
 * of the last frames and their post-ringing are measured.  If `env` is
 * not NULL, writes pm_truepeak_latency() values to it.
 */
void pm_truepeak_flush(struct pm_truepeak *tp, float *env);

/*
 * The running true peak of `channel` (linear, 1.0 = 0 dBTP): the largest
 * oversampled magnitude so far, and never less than the sample peak, as
 * libebur128 reports it.
 */
double pm_truepeak_channel_max(const struct pm_truepeak *tp, unsigned channel);

/* The running true peak over all channels in dBTP (-HUGE_VAL if silent). */
double pm_truepeak_max_dbtp(const struct pm_truepeak *tp);

/*
 * Feed `n_samples` frames as history only: nothing is interpolated, and
 * only the sample peaks take them into account.  For a caller that knows
 * (from another meter) that these frames cannot reach the level it asks
 * about; the frames after them are interpolated with the right context.
 */
void pm_truepeak_skip(struct pm_truepeak *tp, const float *in,
		      size_t n_samples);

/* Forget the signal and the maxima: as new, same settings. */
void pm_truepeak_reset(struct pm_truepeak *tp);

/*
 * Envelope values under `floor` (linear) do not matter to the caller: a
 * stretch of frames whose channels provably stay under it, and under the
 * running true peak, is not interpolated, and its envelope may read lower
 * than it is (0 for a stretch no channel reaches).  Values at or over the
 * floor and the maxima stay exact.  A limiter sets its threshold here.
 * 0 (the default): every envelope value is exact.
 */
void pm_truepeak_set_floor(struct pm_truepeak *tp, double floor);

/* The kernel in use: "avx2" or "scalar". */
const char *pm_truepeak_kernel(const struct pm_truepeak *tp);

/* Whether this build and CPU can run the AVX2+FMA kernel. */
bool pm_truepeak_have_avx2(void);

#endif
