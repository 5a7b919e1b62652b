/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dehum.h: mains hum removal over a whole track in memory.  The exact
 * frequency of each harmonic of the mains (50 or 60 Hz nominal) is
 * measured over the track; every harmonic that stands above the music
 * around it is taken out by a narrow notch (0.3 to 2 Hz wide, as steady
 * as the line is), run forward and
 * backward so that nothing else changes phase, with its state primed
 * from the hum at each end so that the hum is gone from the first
 * sample.  Levels are a sine's peak in dBFS, of the mid signal.
 * doc/internals/defects.md §9.
 */
#ifndef PM_DEHUM_H
#define PM_DEHUM_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Harmonics looked at, the fundamental being the first */
#define PM_DEHUM_HARMONICS 12

struct pm_dehum_line {
	unsigned harmonic;  /* 1 for the fundamental */
	double hz;          /* the notch's centre: harmonic times the
			       fundamental measured */
	double width_hz;    /* the notch's width at -3 dB: as narrow as
			       the line is steady */
	double over_db;     /* how far the line stood over the music
			       around it */
	double before_db;   /* the line's level in the source */
	double after_db;    /* the same bins' level after the notch */
};

struct pm_dehum {
	double nominal_hz;     /* 50 or 60 */
	double fundamental_hz; /* measured; 0 when no line stood out */
	unsigned nlines;       /* notched */
	struct pm_dehum_line line[PM_DEHUM_HARMONICS];
};

/*
 * Measure the hum of mains frequency `nominal_hz` (50 or 60) in the
 * `frames` interleaved stereo frames `x` at `rate`, and fill `h` with the
 * lines to notch: the harmonics (up to PM_DEHUM_HARMONICS, under 4 kHz)
 * whose line stands 6 dB or more over the median of the bins around it
 * in the track's average spectrum, turning steadily from frame to frame
 * as only a steady sinusoid does, at multiples of one frequency.  A track
 * shorter than about 5 s has no lines.  Returns 0, or -1 with `err` PM_ENOMEM.
 */
int pm_dehum_measure(const float *x, size_t frames, uint32_t rate,
		     double nominal_hz, struct pm_dehum *h,
		     struct pm_err *err);

/*
 * Notch the lines of `h` out of both channels of `x` and fill in each
 * line's after_db.  Nothing is done when `h` has no lines.  Returns 0,
 * or -1 with `err` PM_ENOMEM.
 */
int pm_dehum_apply(struct pm_dehum *h, float *x, size_t frames,
		   uint32_t rate, struct pm_err *err);

#endif
