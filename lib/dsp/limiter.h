/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * limiter.h: the true-peak look-ahead limiter at the end of the mastering
 * chain, and the static trim that verification applies after it.
 *
 * Side chain: the oversampled envelope of dsp/truepeak (4x or 8x) gives,
 * for every sample, the gain its neighbourhood needs to stay under the
 * ceiling.  That requirement is min-held over the look-ahead window,
 * released smoothly (one-pole, release_ms), and smoothed by two moving
 * averages whose combined length is the look-ahead, so the gain glides
 * down in an S-curve and is fully down when the peak arrives; a held
 * minimum smoothed that way can never exceed what any sample needs.
 * A second, low-frequency path (as in x42's dpl) reads the peaks of the
 * signal low-passed at 500 Hz and holds their requirement for 25 ms, so
 * that bass driving the limiter gets a steady gain instead of one that
 * follows its waveform (the distortion a short hold causes).
 *
 * The limiter aims a little under the ceiling (PM_LIMITER_MARGIN_DB) so
 * that libebur128 measures the output at or below the ceiling; a meter
 * reading above it anyway is fixed by pm_limiter_trim_db().
 *
 * Output is delayed by pm_limiter_latency_samples(): the caller drops
 * that many frames from the start and gets them back from
 * pm_limiter_flush() at the end.
 */
#ifndef PM_LIMITER_H
#define PM_LIMITER_H

#include <stddef.h>
#include <stdint.h>

#include "album/album.h"
#include "util/err.h"

/*
 * How far under the ceiling the gain aims, in dB: the guard below, and
 * room for what the 4x detector misses and the fine meter reads (peaks
 * between its points, a file's edges), so that a master seldom needs the
 * trim, which writes it again.
 */
#define PM_LIMITER_MARGIN_DB 0.1

/*
 * Every master ends at least this far under its ceiling, measured on
 * the fine 8x meter (dsp/truepeak.h, PM_TRUEPEAK_FINE) with the file's
 * edges and on the libebur128-equivalent 4x one: a master reading higher
 * gets a static trim.  The guard is room for what comes after the
 * master: 16-bit dither, a meter that interpolates differently.
 */
#define PM_TRUEPEAK_GUARD_DB 0.02

struct pm_limiter_opts {
	double ceiling_dbtp;   /* the output's true-peak ceiling (<= 0) */
	double lookahead_ms;   /* 1.5 .. 10; default 2 */
	double release_ms;     /* 1 .. 1000; default 80 */
	unsigned oversampling; /* 4 or 8; default 4 */
	double lf_hold_ms;     /* hold of the low-frequency path, 0 .. 100;
				* 0 turns the path off; default 25 */
	double lf_corner_hz;   /* its low-pass, 100 .. 2000; default 500 */
	double margin_db;      /* aim this far under the ceiling, 0 .. 1;
				* default PM_LIMITER_MARGIN_DB */
};

/* Fill `o` with the defaults above and a ceiling of -1 dBTP. */
void pm_limiter_defaults(struct pm_limiter_opts *o);

/*
 * Options from album.xml's <limiter> (look-ahead, release, oversampling)
 * and the target's ceiling; the rest are defaults.
 */
void pm_limiter_opts_from_album(struct pm_limiter_opts *o,
				const struct pm_limiter *cfg,
				double ceiling_dbtp);

struct pm_limiter_state;

/*
 * A limiter for `channels` (1..8) interleaved channels at `rate` Hz
 * (8000..768000).  All channels share one gain, so the image holds.
 * Returns a limiter to free with pm_limiter_free(), or NULL with `err`
 * PM_EINVAL (an option out of its range) or PM_ENOMEM.
 */
struct pm_limiter_state *pm_limiter_new(const struct pm_limiter_opts *o,
					unsigned channels, uint32_t rate,
					struct pm_err *err);

/*
 * The delay from input to output in frames: the look-ahead plus the
 * true-peak interpolator's delay.
 */
size_t pm_limiter_latency_samples(const struct pm_limiter_state *l);

/*
 * Limit `n_samples` frames.  out[i] is input frame (i - latency) with
 * its gain applied, counting all frames fed since creation; frames before
 * the start come out as silence.  `in` and `out` may be the same buffer.
 * Never allocates.  Audio whose envelope stays under the aim passes bit
 * for bit (gain exactly 1).
 */
void pm_limiter_process(struct pm_limiter_state *l, const float *in, float *out,
			size_t n_samples);

/*
 * End of stream: write the last pm_limiter_latency_samples() frames to
 * `out` (room for that many frames).  Afterwards the limiter is as new,
 * ready for another stream (its maximum reduction is kept).
 */
void pm_limiter_flush(struct pm_limiter_state *l, float *out);

/* The largest gain reduction applied so far, in dB (>= 0). */
/*
 * The true peak of everything fed in so far (dBTP), as the limiter's own
 * 4x (or 8x) detector saw it: the "before" figure of a report, at no
 * extra cost.
 */
double pm_limiter_input_peak_dbtp(const struct pm_limiter_state *l);

double pm_limiter_max_reduction_db(const struct pm_limiter_state *l);

/*
 * The limiter's log: each stretch of output frames where the gain
 * reduction exceeds PM_LIMITER_LOG_DB, with its deepest reduction.
 * Stretches less than PM_LIMITER_LOG_JOIN_MS apart are one; past
 * PM_LIMITER_LOG_MAX stretches the last one grows to cover the rest (the
 * log never allocates).  Frames count from the start of the stream, as
 * the output is delivered (latency removed).
 */
#define PM_LIMITER_LOG_DB 0.5
#define PM_LIMITER_LOG_JOIN_MS 250
#define PM_LIMITER_LOG_MAX 32

struct pm_limiter_stretch {
	int64_t start, end; /* output frames, [start, end) */
	double depth_db;    /* the deepest reduction in it (> 0) */
};

/* The stretches logged so far: returns their number, *s the array. */
size_t pm_limiter_log(const struct pm_limiter_state *l,
		      const struct pm_limiter_stretch **s);

/* Release a limiter; NULL is a no-op. */
void pm_limiter_free(struct pm_limiter_state *l);

/*
 * Measure and trim: the static gain in dB (<= 0) to apply to audio whose
 * true peak was measured at `measured_dbtp` so that it lands at or under
 * `ceiling_dbtp`: 0 when it already does, else the difference and a
 * guard of 0.001 dB for the rounding of the scaled samples.
 */
double pm_limiter_trim_db(double measured_dbtp, double ceiling_dbtp);

#endif
