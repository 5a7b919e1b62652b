/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dynamics.h: the compressor of the mastering chain (one band, or three
 * bands split by Linkwitz-Riley crossovers), mid/side width, and the
 * vinyl LF-mono filter ("elliptic EQ": the side channel high-passed).
 *
 * All processors take interleaved float frames of any block size, keep
 * their state across calls, never allocate while processing, and add no
 * latency.  `in` and `out` may be the same buffer.
 */
#ifndef PM_DYNAMICS_H
#define PM_DYNAMICS_H

#include <stddef.h>
#include <stdint.h>

#include "album/album.h"
#include "util/err.h"

/*
 * The static curve of one band: the gain in dB (make-up included) that a
 * steady input at `level_db` receives once the detector has settled.
 * Below threshold - knee/2 it is the make-up gain; above threshold +
 * knee/2 the output rises 1/ratio dB per dB; in between, the quadratic
 * soft knee that joins the two with matching slopes.
 */
double pm_comp_static_gain_db(const struct pm_comp_band *band, double level_db);

struct pm_comp;

/*
 * A feed-forward compressor for `channels` (1..8) at `rate` Hz, set up by
 * `cfg` (album.h): nbands 1 uses band[0]; nbands 3 splits the signal at
 * xover_low_hz and xover_high_hz with 4th-order Linkwitz-Riley
 * crossovers (the low band also passes the high crossover's all-pass, so
 * the three bands sum to an all-pass: flat magnitude) and compresses
 * band[0..2] (low, mid, high) separately.
 *
 * Detection: PM_DETECT_PEAK reads |x|; PM_DETECT_RMS reads the mean
 * square over a 10 ms exponential window.  Both read a sine of peak
 * amplitude A as 20 log10(A) dB (RMS levels are quoted +3 dB, as in
 * AES17), so a threshold means the same in both modes.  With stereo_link
 * one detector sees all channels (peak: the largest; RMS: the mean of the
 * channels' mean squares) and one gain is applied to all; otherwise each
 * channel is compressed on its own.
 *
 * The gain reduction (in dB) is smoothed by one-pole filters: it rises
 * towards its target with the time constant attack_ms and falls with
 * release_ms (63 % of a step in that time).  Below threshold the gain is
 * exactly the make-up gain, so with 0 dB make-up quiet audio passes bit
 * for bit.
 *
 * Returns a compressor to free with pm_comp_free(), or NULL with `err`
 * PM_EINVAL (ratio < 1, knee < 0, times <= 0, crossovers not increasing
 * and below rate/2, nbands not 1 or 3) or PM_ENOMEM.  `cfg->enabled` is
 * not looked at: the caller decides whether to run it.
 */
struct pm_comp *pm_comp_new(const struct pm_compressor *cfg, unsigned channels,
			    uint32_t rate, struct pm_err *err);

/* Compress `n_samples` frames from `in` to `out` (may be the same). */
void pm_comp_process(struct pm_comp *c, const float *in, float *out,
		     size_t n_samples);

/*
 * The largest gain reduction of any band so far, in dB (>= 0; make-up not
 * counted), and the current one of `band` (0 for nbands 1; the largest
 * over channels when unlinked).
 */
double pm_comp_max_reduction_db(const struct pm_comp *c);
double pm_comp_reduction_db(const struct pm_comp *c, unsigned band);

/* Release a compressor; NULL is a no-op. */
void pm_comp_free(struct pm_comp *c);

/*
 * Stereo width: scale the side signal (L - R) / 2 of interleaved stereo
 * `buf` by `side_gain` (0 mono, 1 unchanged, 2 twice as wide) in place,
 * leaving the mid signal (L + R) / 2.  A gain of exactly 1 leaves the
 * samples untouched.
 */
void pm_width_process(float *buf, size_t n_samples, double side_gain);

/* The LF-mono corner range, in Hz. */
#define PM_LFMONO_MIN_HZ     50.0
#define PM_LFMONO_MAX_HZ     300.0
#define PM_LFMONO_DEFAULT_HZ 150.0

struct pm_lfmono;

/*
 * The vinyl LF-mono filter for interleaved stereo at `rate`: the side
 * signal goes through a 4th-order Linkwitz-Riley high-pass at `corner_hz`
 * (PM_LFMONO_MIN_HZ..PM_LFMONO_MAX_HZ): two 2nd-order Butterworth
 * sections, -6 dB at the corner and 24 dB/octave below it, as an
 * elliptical EQ does; the mid signal is untouched.  Low bass thus ends up
 * in phase on both channels (no vertical groove modulation): with the
 * default 150 Hz corner, side bass at 50 Hz is 38 dB down.  Returns a filter to free
 * with pm_lfmono_free(), or NULL with `err` PM_EINVAL or PM_ENOMEM.
 */
struct pm_lfmono *pm_lfmono_new(uint32_t rate, double corner_hz,
				struct pm_err *err);

/* Filter `n_samples` stereo frames from `in` to `out` (may be the same). */
void pm_lfmono_process(struct pm_lfmono *m, const float *in, float *out,
		       size_t n_samples);

/*
 * The side signal taken out so far against all the signal fed (mid and
 * side energy), in dB; -inf when nothing was taken out.
 */
double pm_lfmono_removed_db(const struct pm_lfmono *m);

/* Release a filter; NULL is a no-op. */
void pm_lfmono_free(struct pm_lfmono *m);

#endif
