/* SPDX-License-Identifier: GPL-3.0-or-later */
/* log.c: the diagnostics stream and its default stderr sink. */
#include <config.h>

#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "util/banned.h"

static const char *prog = "premaster";
static enum pm_log_level threshold = PM_LOG_NOTE;
static pm_log_fn *sink;
static void *sink_ctx;
static void (*clear_hook)(void);
static unsigned counts[PM_LOG_DEBUG + 1];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void pm_log_init(const char *progname, int level)
{
	if (progname)
		prog = progname;
	if (level < PM_LOG_ERROR)
		level = PM_LOG_ERROR;
	if (level > PM_LOG_DEBUG)
		level = PM_LOG_DEBUG;
	threshold = (enum pm_log_level)level;
}

const char *pm_progname(void)
{
	return prog;
}

enum pm_log_level pm_log_level(void)
{
	return threshold;
}

void pm_log_set_sink(pm_log_fn *fn, void *ctx)
{
	sink = fn;
	sink_ctx = ctx;
}

void pm_log_set_clear_hook(void (*hook)(void))
{
	clear_hook = hook;
}

unsigned pm_log_count(enum pm_log_level level)
{
	return counts[level];
}

static void to_stderr(enum pm_log_level level, const char *msg)
{
	const char *tag = "";

	if (level == PM_LOG_ERROR)
		tag = "error: ";
	else if (level == PM_LOG_WARNING)
		tag = "warning: ";
	if (clear_hook)
		clear_hook();
	fprintf(stderr, "%s: %s%s\n", prog, tag, msg);
}

void pm_log(enum pm_log_level level, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	pthread_mutex_lock(&lock);
	counts[level]++;
	if (level > threshold && !sink) {
		pthread_mutex_unlock(&lock);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sink)
		sink(level, msg, sink_ctx);
	else
		to_stderr(level, msg);
	pthread_mutex_unlock(&lock);
}
