/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * progress.h: one carriage-return-rewritten status line on stderr, drawn
 * only when stderr is a terminal and the user did not ask for --quiet or
 * --no-progress.  Pipes and the test suite never see it.
 */
#ifndef PM_PROGRESS_H
#define PM_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

/* Decide once whether to draw: `wanted` is false for -q/--no-progress. */
void pm_progress_init(bool wanted);

/*
 * Show "LABEL  NN%" for `done` of `total` units.  Redraws at most ten
 * times a second.  Thread-safe.
 */
void pm_progress_update(const char *label, uint64_t done, uint64_t total);

/* Erase the line (before a message, and at the end). */
void pm_progress_clear(void);

#endif
