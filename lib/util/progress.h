/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * progress.h: how far the running stage has come.
 *
 * A tool opens its stage with the work it expects, in any one unit
 * (premaster counts seconds of audio processed); the library adds work
 * as it does it, from any thread.  Where stderr is a terminal and the
 * user did not ask for -q or --no-progress, one line is redrawn there:
 *
 *     master    [##########..........]  50%  ETA 0:31
 *
 * Pipes, log files and the test suite never see it.  A listener (the
 * tools' --json events) is told the stage, percent and ETA at most once
 * a second, and once at the end.  The percent never goes backwards:
 * when the work turns out larger than expected, the stage says so with
 * pm_progress_expect() and the bar waits.  Without an open stage every
 * call is a no-op, so library code reports progress unconditionally.
 */
#ifndef PM_PROGRESS_H
#define PM_PROGRESS_H

#include <stdbool.h>

/* Decide once whether to draw: false for -q, --no-progress, --json. */
void pm_progress_init(bool draw);

typedef void pm_progress_fn(const char *stage, double percent, double eta_s,
			    void *ctx);

/* Hear of progress (NULL: nobody).  eta_s is negative while unknown. */
void pm_progress_set_listener(pm_progress_fn *fn, void *ctx);

/* Open a stage named `stage` (borrowed) expecting `total` units. */
void pm_progress_begin(const char *stage, double total);

/* `units` more work done.  Thread-safe. */
void pm_progress_add(double units);

/* The stage needs `units` more than it expected.  Thread-safe. */
void pm_progress_expect(double units);

/* Close the stage: report 100% and erase the line. */
void pm_progress_end(void);

/* Erase the line (before a message is printed).  Thread-safe. */
void pm_progress_clear(void);

#endif
