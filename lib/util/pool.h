/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pool.h: the one thread pool.  A fixed array of independent jobs is
 * handed out to worker threads, the calling thread among them, until
 * none is left.  Results never depend on the number of threads or on
 * which thread ran a job.
 */
#ifndef PM_POOL_H
#define PM_POOL_H

#include <stddef.h>

/* The most threads a pool runs (the -j limit). */
#define PM_POOL_MAX_THREADS 64

/*
 * Call fn(job) for each of the `n` jobs of `size` bytes at `jobs`, on up
 * to `threads` threads (at most PM_POOL_MAX_THREADS, at most n).  With
 * `order` (a permutation of 0..n-1), jobs are handed out in that order,
 * for example the longest first, so that the last to finish is short.
 * A thread that cannot be started is neither waited for nor missed: the
 * threads that run do its share.  Returns when every job has run.
 */
void pm_pool_run(void *jobs, size_t n, size_t size, void (*fn)(void *job),
		 unsigned threads, const size_t *order);

#endif
