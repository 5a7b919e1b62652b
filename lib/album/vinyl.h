/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * vinyl.h: how much a record side holds, and splitting an album into
 * sides.  Figures from cutting rooms and plants: see
 * doc/internals/targets.md §3, "Vinyl side lengths".
 */
#ifndef PM_VINYL_H
#define PM_VINYL_H

#include <stddef.h>

struct pm_side_limits {
	double warn_s; /* longer than this costs level and bass */
	double max_s;  /* longer than this is refused */
};

/*
 * The limits for a record of `size_in` inches at `speed_rpm` (33 or 45).
 * Returns 0, or -1 for a size/speed no plant cuts (7" at 33 is allowed).
 */
int pm_side_limits(unsigned size_in, unsigned speed_rpm,
		   struct pm_side_limits *out);

/*
 * Split tracks of `lengths_s` (in album order) into an even number of
 * sides, in order, each track on one side, the gap counted between
 * tracks of a side.  Uses the fewest sides whose longest side stays
 * within warn_s (or, failing that, max_s; or, failing that, the fewest
 * that give each long track a side), and among splits with that many
 * sides the one with the shortest longest side.  Writes the first track
 * index of each side to `first` (room for n + 1 entries) and returns the
 * number of sides.
 */
size_t pm_split_sides(const double *lengths_s, size_t n, double gap_s,
		      const struct pm_side_limits *lim, size_t *first);

/* The playing time of tracks [a, b) as one side. */
double pm_side_length(const double *lengths_s, size_t a, size_t b,
		      double gap_s);

#endif
