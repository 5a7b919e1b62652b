/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-load.h: what the C benchmarks share. */
#ifndef PM_BENCH_LOAD_H
#define PM_BENCH_LOAD_H

#include <stdint.h>
#include <time.h>

/*
 * The whole of an audio file as interleaved stereo floats (a mono file
 * twice), NULL with a message on stderr prefixed by `who` when it cannot
 * be read.  Free it.
 */
float *bench_load(const char *who, const char *path, uint32_t *rate,
		  int64_t *frames);

/* Seconds on `clk` (CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID). */
double bench_now(clockid_t clk);

#endif
