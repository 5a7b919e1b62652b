/* SPDX-License-Identifier: GPL-3.0-or-later */
/* log.c: the diagnostics stream and its default stderr sink. */
#include <config.h>

#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

static const char *prog = "premaster";
static enum pm_log_level threshold = PM_LOG_NOTE;
static pm_log_fn *sink;
static void *sink_ctx;
static void (*clear_hook)(void);
static pm_log_fn *observer;
static void *observer_ctx;
static FILE *shared_file; /* warnings printed by earlier stages */

/*
 * The warnings printed so far, as 64-bit FNV-1a hashes of their text in
 * an open-addressed table that doubles when half full.
 */
static struct {
	uint64_t *v;
	size_t size, n;
} seen;
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

void pm_log_set_observer(pm_log_fn *fn, void *ctx)
{
	pthread_mutex_lock(&lock);
	observer = fn;
	observer_ctx = ctx;
	pthread_mutex_unlock(&lock);
}

static uint64_t hash_text(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h | 1; /* 0 marks an empty slot */
}

/* Remember `h`; returns false when it was already there. */
static bool remember(uint64_t h)
{
	size_t i;

	if (2 * (seen.n + 1) > seen.size) {
		size_t size = seen.size ? 2 * seen.size : 256;
		uint64_t *v = calloc(size, sizeof(*v));

		if (!v)
			return true; /* cannot remember: print it */
		for (i = 0; i < seen.size; i++) {
			size_t k;

			if (!seen.v[i])
				continue;
			for (k = seen.v[i] & (size - 1); v[k]; k = (k + 1) & (size - 1))
				;
			v[k] = seen.v[i];
		}
		free(seen.v);
		seen.v = v;
		seen.size = size;
	}
	for (i = h & (seen.size - 1); seen.v[i]; i = (i + 1) & (seen.size - 1))
		if (seen.v[i] == h)
			return false;
	seen.v[i] = h;
	seen.n++;
	return true;
}

int pm_log_share_warnings(const char *path)
{
	char line[2048];
	FILE *fp = fopen(path, "a+");

	if (!fp)
		return -1;
	pthread_mutex_lock(&lock);
	rewind(fp);
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		remember(hash_text(line));
	}
	if (shared_file)
		fclose(shared_file);
	shared_file = fp;
	pthread_mutex_unlock(&lock);
	return 0;
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

/*
 * Print `fmt` at `level`, once per run when `once` names the message (a
 * warning is named by its text).  The name goes into the shared file as
 * "once: NAME", which no warning's text starts with.
 */
static void vlog(enum pm_log_level level, const char *once, const char *fmt,
		 va_list ap)
{
	char msg[2048], key[2048];

	pthread_mutex_lock(&lock);
	counts[level]++;
	if (level > threshold && !sink) {
		pthread_mutex_unlock(&lock);
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (once)
		snprintf(key, sizeof(key), "once: %s", once);
	else if (level == PM_LOG_WARNING)
		snprintf(key, sizeof(key), "%s", msg);
	if ((once || level == PM_LOG_WARNING) && !sink) {
		if (!remember(hash_text(key))) {
			pthread_mutex_unlock(&lock);
			return;
		}
		if (shared_file && !strchr(key, '\n')) {
			fprintf(shared_file, "%s\n", key);
			fflush(shared_file);
		}
	}
	if (sink)
		sink(level, msg, sink_ctx);
	else
		to_stderr(level, msg);
	if (observer && level <= threshold)
		observer(level, msg, observer_ctx);
	pthread_mutex_unlock(&lock);
}

void pm_log(enum pm_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, NULL, fmt, ap);
	va_end(ap);
}

void pm_log_once(enum pm_log_level level, const char *name, const char *fmt,
		 ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, name, fmt, ap);
	va_end(ap);
}
