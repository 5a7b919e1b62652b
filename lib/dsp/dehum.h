/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dehum.h: mains hum removal over a whole track in memory.  The exact
 * frequency of the mains (50 or 60 Hz nominal) is measured and followed
 * through the track; every harmonic that stands above the music around
 * it is taken out by a narrow notch that follows it (0.3 to 2 Hz wide, as
 * steady as the line is), run forward and backward so that nothing else
 * changes phase, the forward pass primed with the hum so that it is gone
 * from the first sample.  Levels are a sine's peak in dBFS, of the mid signal.
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
	double fundamental_hz; /* measured over the track; 0 when no line
				  stood out */
	double min_hz, max_hz; /* the fundamental followed, at its lowest
				  and highest */
	unsigned nlines;       /* notched */
	struct pm_dehum_line line[PM_DEHUM_HARMONICS];
	/* the fundamental followed: track_hz[t] at sample (t + 1)
	 * track_step, the bounds of the measuring frames; owned */
	double *track_hz;
	size_t ntrack, track_step;
};

/*
 * Measure the hum of mains frequency `nominal_hz` (50 or 60) in the
 * `frames` interleaved stereo frames `x` at `rate`, and fill `h` with the
 * lines to notch: the harmonics (up to PM_DEHUM_HARMONICS, under 4 kHz)
 * whose line stands 6 dB or more over the median of the bins around it
 * in the track's average spectrum, turning steadily from frame to frame
 * as only a steady sinusoid does, at multiples of one frequency.  A track
 * shorter than about 5 s has no lines.  The fundamental is followed
 * from frame to frame (about 1.5 s) in h->track_hz, which the notches
 * follow; each notch is as wide as its line strays from it.  `h` is
 * overwritten (release it first); free it with pm_dehum_release().
 * Returns 0, or -1 with `err` PM_ENOMEM.
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

/* Free what pm_dehum_measure() allocated; the figures stay. */
void pm_dehum_release(struct pm_dehum *h);

#endif
