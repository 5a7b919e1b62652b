/* SPDX-License-Identifier: GPL-3.0-or-later */
/* progress.c: the stage's progress bar and progress events. */
#include <config.h>

#include "util/progress.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

#include "util/banned.h"

#define BAR_WIDTH 20

static struct {
	bool draw;         /* a terminal, and wanted */
	bool drawn;        /* a line is on the screen */
	const char *stage; /* NULL: no stage open */
	double total, done;
	double shown;      /* the percent last shown (never less) */
	struct timespec start, last_draw, last_event;
	pm_progress_fn *listener;
	void *ctx;
} p;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void clear_locked(void)
{
	if (p.drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p.drawn = false;
	}
}

static void clear_hook(void)
{
	/* Called from pm_log with the log lock held; ours is separate. */
	pthread_mutex_lock(&lock);
	clear_locked();
	pthread_mutex_unlock(&lock);
}

void pm_progress_init(bool draw)
{
	pthread_mutex_lock(&lock);
	p.draw = draw && isatty(STDERR_FILENO);
	pthread_mutex_unlock(&lock);
	if (draw)
		pm_log_set_clear_hook(clear_hook);
}

void pm_progress_set_listener(pm_progress_fn *fn, void *ctx)
{
	pthread_mutex_lock(&lock);
	p.listener = fn;
	p.ctx = ctx;
	pthread_mutex_unlock(&lock);
}

/* "1:05" or "1:02:03". */
static void clock_text(double s, char *buf, size_t size)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60,
			 t % 60);
	else
		snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

/* Show the state; `final` forces it out. */
static void show_locked(bool final)
{
	struct timespec now;
	double pct, elapsed, eta = -1;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pct = p.total > 0 ? 100.0 * p.done / p.total : 0;
	if (pct > 100 || final)
		pct = 100;
	if (pct < p.shown)
		pct = p.shown;
	p.shown = pct;
	elapsed = since(&p.start, &now);
	if (final)
		eta = 0;
	else if (pct >= 1 && elapsed >= 0.05)
		eta = elapsed * (100 - pct) / pct;
	if (p.listener && (final || since(&p.last_event, &now) >= 1.0)) {
		p.last_event = now;
		p.listener(p.stage, pct, eta, p.ctx);
	}
	if (p.draw && !final && (!p.drawn || since(&p.last_draw, &now) >= 0.1)) {
		char bar[BAR_WIDTH + 1], when[32] = "";
		int fill = (int)(pct * BAR_WIDTH / 100);

		memset(bar, '#', (size_t)fill);
		memset(bar + fill, '.', (size_t)(BAR_WIDTH - fill));
		bar[BAR_WIDTH] = '\0';
		if (eta >= 0) {
			memcpy(when, "  ETA ", 7);
			clock_text(eta, when + 6, sizeof(when) - 6);
		}
		p.last_draw = now;
		fprintf(stderr, "\r\033[K%-9s [%s] %3d%%%s", p.stage, bar,
			(int)pct, when);
		fflush(stderr);
		p.drawn = true;
	}
}

void pm_progress_begin(const char *stage, double total)
{
	pthread_mutex_lock(&lock);
	p.stage = stage;
	p.total = total > 0 ? total : 1;
	p.done = 0;
	p.shown = 0;
	clock_gettime(CLOCK_MONOTONIC, &p.start);
	p.last_event = p.start;
	show_locked(false);
	pthread_mutex_unlock(&lock);
}

void pm_progress_add(double units)
{
	pthread_mutex_lock(&lock);
	if (p.stage) {
		p.done += units;
		show_locked(false);
	}
	pthread_mutex_unlock(&lock);
}

void pm_progress_expect(double units)
{
	pthread_mutex_lock(&lock);
	if (p.stage)
		p.total += units;
	pthread_mutex_unlock(&lock);
}

void pm_progress_end(void)
{
	pthread_mutex_lock(&lock);
	if (p.stage) {
		show_locked(true);
		clear_locked();
		p.stage = NULL;
	}
	pthread_mutex_unlock(&lock);
}

void pm_progress_clear(void)
{
	pthread_mutex_lock(&lock);
	clear_locked();
	pthread_mutex_unlock(&lock);
}
