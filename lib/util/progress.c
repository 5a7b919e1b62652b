/* SPDX-License-Identifier: GPL-3.0-or-later */
/* progress.c: the terminal-only progress line. */
#include <config.h>

#include "util/progress.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

#include "util/banned.h"

static bool enabled;
static bool drawn;
static struct timespec last;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void clear_locked(void)
{
	if (drawn) {
		fputs("\r\033[K", stderr);
		drawn = false;
	}
}

static void clear_hook(void)
{
	/* Called from pm_log with the log lock held; ours is separate. */
	pthread_mutex_lock(&lock);
	clear_locked();
	pthread_mutex_unlock(&lock);
}

void pm_progress_init(bool wanted)
{
	enabled = wanted && isatty(STDERR_FILENO);
	if (enabled)
		pm_log_set_clear_hook(clear_hook);
}

void pm_progress_update(const char *label, uint64_t done, uint64_t total)
{
	struct timespec now;
	double dt;
	unsigned pct;

	if (!enabled)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&lock);
	dt = (double)(now.tv_sec - last.tv_sec) +
	     (double)(now.tv_nsec - last.tv_nsec) / 1e9;
	if (drawn && dt < 0.1 && done < total) {
		pthread_mutex_unlock(&lock);
		return;
	}
	last = now;
	pct = total ? (unsigned)(done * 100 / total) : 0;
	if (pct > 100)
		pct = 100;
	fprintf(stderr, "\r\033[K%s %3u%%", label, pct);
	fflush(stderr);
	drawn = true;
	pthread_mutex_unlock(&lock);
}

void pm_progress_clear(void)
{
	if (!enabled)
		return;
	pthread_mutex_lock(&lock);
	clear_locked();
	fflush(stderr);
	pthread_mutex_unlock(&lock);
}
