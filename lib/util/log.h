/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * log.h: the stream of human-readable diagnostics.  Everything human goes
 * through here to stderr as "PROGNAME: error: ...", "PROGNAME: warning:
 * ...", "PROGNAME: ..." (notes and below).  The sink is replaceable, so
 * tests capture messages and assert on them.
 */
#ifndef PM_LOG_H
#define PM_LOG_H

#include "util/compat.h"

enum pm_log_level {
	PM_LOG_ERROR = 0,
	PM_LOG_WARNING,
	PM_LOG_NOTE,  /* the default threshold */
	PM_LOG_INFO,  /* -v */
	PM_LOG_DEBUG, /* -vv */
};

/* A sink receives the bare message, without prefix or newline. */
typedef void pm_log_fn(enum pm_log_level level, const char *msg, void *ctx);

/*
 * Set the program name shown in front of messages (NULL keeps the current
 * one) and the most verbose level printed.  Levels outside the enum are
 * clamped.  The name is borrowed and must outlive all logging.
 */
void pm_log_init(const char *progname, int level);

/* The current program name, for "Try 'NAME --help'". */
const char *pm_progname(void);

/* The current threshold. */
enum pm_log_level pm_log_level(void);

/* Replace the sink; NULL restores the stderr sink. */
void pm_log_set_sink(pm_log_fn *fn, void *ctx);

/* Log at a level; messages above the threshold are dropped. */
void pm_log(enum pm_log_level level, const char *fmt, ...) PM_PRINTF(2, 3);

#define pm_error(...) pm_log(PM_LOG_ERROR, __VA_ARGS__)
#define pm_warning(...) pm_log(PM_LOG_WARNING, __VA_ARGS__)
#define pm_note(...) pm_log(PM_LOG_NOTE, __VA_ARGS__)
#define pm_info(...) pm_log(PM_LOG_INFO, __VA_ARGS__)
#define pm_debug(...) pm_log(PM_LOG_DEBUG, __VA_ARGS__)

/*
 * An observer hears every message that is printed (after the threshold
 * and the once-per-run rule), beside the sink: the tools' --json mode
 * turns them into events.  NULL removes it.
 */
void pm_log_set_observer(pm_log_fn *fn, void *ctx);

/*
 * Warnings are printed once per run: a warning whose text was printed
 * before is dropped.  A run may span several processes (premaster build
 * runs each stage as its own): pm_log_share_warnings() reads the
 * warnings already printed from the file at `path` and appends each new
 * one to it.  Returns 0, or -1 when the file cannot be opened (then
 * warnings are only deduplicated within this process).
 */
int pm_log_share_warnings(const char *path);

/*
 * Log at a level once per run under `name`: the first message logged
 * under a name is printed, later ones are dropped, across the processes
 * of a run as warnings are.  For a note that several deliverables or
 * stages meet with slightly different figures (an edge fade at each
 * target's level): the name says what it is about, the text its
 * details.  With a sink set (the unit tests) every message reaches it.
 */
void pm_log_once(enum pm_log_level level, const char *name, const char *fmt,
		 ...) PM_PRINTF(3, 4);

/* How many errors and warnings were logged since start (for summaries). */
unsigned pm_log_count(enum pm_log_level level);

/*
 * Called by the progress line before any message is printed, so that the
 * message does not land on top of a half-drawn progress line.
 */
void pm_log_set_clear_hook(void (*hook)(void));

#endif
