/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * logcap.h: what util/log said, captured for the unit tests to assert on.
 * logcap_start() replaces the stderr sink; messages are kept (the first
 * LOGCAP_MAX of them) with their levels until logcap_clear().
 */
#ifndef PM_LOGCAP_H
#define PM_LOGCAP_H

#include <stdbool.h>

#include "util/log.h"

#define LOGCAP_MAX 1024

/* Capture from now on, starting empty. */
void logcap_start(void);

/* Forget what was captured. */
void logcap_clear(void);

/* How many messages were logged at `level` since the last clear. */
unsigned logcap_count(enum pm_log_level level);

/* How many messages were logged, debug messages (libcdio's chatter) aside. */
unsigned logcap_total(void);

/* How many messages at `level` contain `text`. */
unsigned logcap_matches(enum pm_log_level level, const char *text);

/* Whether any message, at any level, contains `text`. */
bool logcap_has(const char *text);

/* logcap_has(), and on failure a TAP diagnostic with the whole log. */
bool logcap_expect(const char *text);

/* The first message captured, at any level, or "". */
const char *logcap_first(void);

/* The last message at `level`, or "" when there is none. */
const char *logcap_last(enum pm_log_level level);

/* The whole log as TAP diagnostics. */
void logcap_dump(void);

#endif
