/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * denoise.h: a gentle, bounded noise reduction over a whole track in
 * memory.  The noise's spectrum is learnt from the track's quietest
 * passages; each bin of a short-time transform is then scaled by a
 * Wiener gain on an a-priori signal-to-noise ratio estimated the
 * decision-directed way (Ephraim and Malah), never by less than the
 * floor the reduction asked for sets, and smoothed across neighbouring
 * bins, so that what is left of the noise stays noise and not a warble
 * of tones.  The analysis and synthesis windows (square-root Hann, half
 * overlapping) add up to one: with no reduction the output is the input.
 * doc/internals/defects.md §10.
 */
#ifndef PM_DENOISE_H
#define PM_DENOISE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* The reduction <repair noise="auto"> asks for: gentle (premaster-album(5)) */
#define PM_DENOISE_AUTO_DB 6.0

struct pm_denoise {
	double reduction_db;   /* the bound: no bin is taken down further */
	double quiet_s;        /* seconds of quiet passages the profile was
				  learnt from; 0: none, nothing done */
	double profile_db;     /* those passages' level, dBFS RMS: the
				  noise's, before */
	double after_db;       /* the same passages' level after */
};

/*
 * Take the noise of the `frames` interleaved stereo frames `x` at `rate`
 * down by at most `reduction_db` (0 or more), in place, and
 * say what was done in `d`.  The noise profile comes from the 50 ms-scale
 * frames 30 dB or more under the track's loud level (its 90th
 * percentile), the quieter half of them, each channel its own; with less
 * than half a second of them the track is left as it is.  Returns 0, or
 * -1 with `err` PM_ENOMEM.
 */
int pm_denoise_run(float *x, size_t frames, uint32_t rate,
		   double reduction_db, struct pm_denoise *d,
		   struct pm_err *err);

#endif
