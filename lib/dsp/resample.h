/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * resample.h: sample-rate conversion over libsoxr, the only module that
 * includes it.  Very high quality (SOXR_VHQ, 28-bit precision), linear
 * phase, streaming interleaved float.
 *
 * Output is time-aligned with the input (output frame k is the signal at
 * time k / out_rate, as input frame j is at j / in_rate: the filter's
 * delay is compensated), and a stream of N input frames gives exactly
 * pm_resample_length(N, in, out) = round(N * out / in) output frames.
 */
#ifndef PM_RESAMPLE_H
#define PM_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* The output length of a whole stream: round(in_samples * out / in). */
int64_t pm_resample_length(int64_t in_samples, uint32_t in_rate,
			   uint32_t out_rate);

struct pm_resampler;

/*
 * A converter of `channels` (1..8) from `in_rate` to `out_rate` (each
 * 8000..768000 Hz; premaster uses 44.1 to 192 kHz).  Equal rates copy the
 * audio bit for bit.  Returns a converter to free with
 * pm_resample_free(), or NULL with `err` PM_EINVAL, PM_ENOMEM, or
 * PM_ESYS when libsoxr refuses (its message is kept).
 */
struct pm_resampler *pm_resample_new(unsigned channels, uint32_t in_rate,
				     uint32_t out_rate, struct pm_err *err);

/*
 * How many output frames the next pm_resample_process() with `in_samples`
 * input frames may write: the room `out` must have.  It is at most
 * ceil(in_samples * out / in) plus what earlier calls held back for the
 * filter's delay.
 */
size_t pm_resample_room(const struct pm_resampler *r, size_t in_samples);

/*
 * Convert `in_samples` frames of `in`, writing frames to `out` (room for
 * pm_resample_room(r, in_samples) frames) and their number to
 * `*out_samples`; it may be fewer than in_samples * ratio while the
 * filter fills.  All input is consumed.  Never allocates.  Returns 0, or
 * -1 with `err` (PM_ESYS: libsoxr failed).
 */
int pm_resample_process(struct pm_resampler *r, const float *in,
			size_t in_samples, float *out, size_t *out_samples,
			struct pm_err *err);

/* How many frames pm_resample_flush() will write. */
size_t pm_resample_flush_room(const struct pm_resampler *r);

/*
 * End of stream: write the remaining frames (pm_resample_flush_room()) to
 * `out`, their number to `*out_samples`, so that the stream's total is
 * exactly pm_resample_length().  Afterwards the converter is ready for a
 * new stream.  Returns 0, or -1 with `err` (PM_ESYS).
 */
int pm_resample_flush(struct pm_resampler *r, float *out, size_t *out_samples,
		      struct pm_err *err);

/* Release a converter; NULL is a no-op. */
void pm_resample_free(struct pm_resampler *r);

/* "libsoxr-0.1.3", for reports. */
const char *pm_resample_version(void);

#endif
