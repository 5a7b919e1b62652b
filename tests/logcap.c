/* SPDX-License-Identifier: GPL-3.0-or-later */
/* logcap.c: capturing util/log for the unit tests. */
#include <config.h>

#include "logcap.h"

#include <stdio.h>
#include <string.h>

#include "tap.h"

static struct {
	unsigned n;
	unsigned count[PM_LOG_DEBUG + 1];
	enum pm_log_level level[LOGCAP_MAX];
	char msg[LOGCAP_MAX][512];
} cap;

static void sink(enum pm_log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	cap.count[level]++;
	if (cap.n < LOGCAP_MAX) {
		cap.level[cap.n] = level;
		snprintf(cap.msg[cap.n], sizeof(cap.msg[0]), "%s", msg);
		cap.n++;
	}
}

void logcap_start(void)
{
	logcap_clear();
	pm_log_set_sink(sink, NULL);
}

void logcap_clear(void)
{
	memset(&cap, 0, sizeof(cap));
}

unsigned logcap_count(enum pm_log_level level)
{
	return cap.count[level];
}

unsigned logcap_total(void)
{
	unsigned k = 0;

	for (int l = PM_LOG_ERROR; l < PM_LOG_DEBUG; l++)
		k += cap.count[l];
	return k;
}

unsigned logcap_matches(enum pm_log_level level, const char *text)
{
	unsigned k = 0;

	for (unsigned i = 0; i < cap.n; i++)
		if (cap.level[i] == level && strstr(cap.msg[i], text))
			k++;
	return k;
}

bool logcap_has(const char *text)
{
	for (unsigned i = 0; i < cap.n; i++)
		if (strstr(cap.msg[i], text))
			return true;
	return false;
}

bool logcap_expect(const char *text)
{
	if (logcap_has(text))
		return true;
	tap_diag("wanted '%s' in the log:", text);
	logcap_dump();
	return false;
}

const char *logcap_first(void)
{
	return cap.n ? cap.msg[0] : "";
}

const char *logcap_last(enum pm_log_level level)
{
	for (unsigned i = cap.n; i-- > 0;)
		if (cap.level[i] == level)
			return cap.msg[i];
	return "";
}

void logcap_dump(void)
{
	static const char *const names[] = { "error", "warning", "note",
					     "info", "debug" };

	for (unsigned i = 0; i < cap.n; i++)
		tap_diag("log[%u] %s: %s", i, names[cap.level[i]], cap.msg[i]);
}
