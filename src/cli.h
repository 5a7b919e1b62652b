/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli.h: the tool half of the command line, linked into the programs in
 * src/ only: the options every tool shares, usage errors (which exit 64),
 * and the console contract (results on stdout, diagnostics on stderr,
 * -q, --json, the progress bar).  lib/ never exits; this file may.
 */
#ifndef PM_SRC_CLI_H
#define PM_SRC_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "util/compat.h"
#include "util/err.h"
#include "util/json.h"
#include "util/outdir.h"
#include "util/parse.h"

/* The options every tool takes, parsed into one place. */
struct pm_common {
	int verbosity; /* -q: -1, default 0, each -v: +1 */
	bool want_progress;
	bool force;
	bool json;          /* --json: events on stdout, one per line */
	const char *output; /* -o, borrowed from argv */
};

enum {
	PM_OPT_NO_PROGRESS = 256,
	PM_OPT_JSON,
	PM_OPT_FIRST_TOOL = 300, /* tools number their long-only options from here */
};

/* The short options shared by every tool, for the getopt string. */
#define PM_COMMON_SHORTOPTS "hVqvfo:"

/* Entries for the long options table shared by every tool. */
#define PM_COMMON_LONGOPTS                                           \
	{ "help", no_argument, NULL, 'h' },                          \
	{ "version", no_argument, NULL, 'V' },                       \
	{ "quiet", no_argument, NULL, 'q' },                         \
	{ "verbose", no_argument, NULL, 'v' },                       \
	{ "force", no_argument, NULL, 'f' },                         \
	{ "output", required_argument, NULL, 'o' },                  \
	{ "no-progress", no_argument, NULL, PM_OPT_NO_PROGRESS },    \
	{ "json", no_argument, NULL, PM_OPT_JSON }

/* Help text lines for the shared options (ends with a newline). */
extern const char pm_common_help[];

/*
 * A tool's --help: `head` (what it does and its own options), then the
 * shared options, a blank line and `notes` (where outputs go, the man
 * page).
 */
struct pm_usage {
	const char *head, *notes;
};

/* Print the help to stdout. */
void pm_usage_print(const struct pm_usage *usage);

/*
 * Handle one getopt result if it is a shared option.  -h prints `usage`
 * with stdout and exits 0; -V prints the version and exits 0.  Returns
 * true when the option was handled.
 */
bool pm_common_option(int c, const char *arg, struct pm_common *common,
		      const struct pm_usage *usage);

/*
 * A tool's own options, for pm_tool_parse: the long name, the short
 * letter (0 for none), what the option does and where it puts it.
 */
enum pm_arg {
	PM_ARG_TRUE,  /* no argument; *(bool *)value = true */
	PM_ARG_FALSE, /* no argument; *(bool *)value = false */
	PM_ARG_TEXT,  /* an argument; *(const char **)value = it */
	PM_ARG_JOBS,  /* -j: 1 to 64; *(unsigned *)value = it */
};

struct pm_tool_option {
	const char *name;
	char letter;
	enum pm_arg kind;
	void *value;
};

#define PM_TOOL_OPTIONS_MAX 16

/*
 * Parse a tool's command line: the shared options into `common`, which
 * are then applied (pm_common_apply), and the tool's own `opts` (at most
 * PM_TOOL_OPTIONS_MAX, ended by an entry with a NULL name) into their
 * values.  -h prints `usage`; an unknown option is a usage error.
 * Returns the index in argv of the first operand.
 */
int pm_tool_parse(int argc, char **argv, const struct pm_tool_option *opts,
		  struct pm_common *common, const struct pm_usage *usage);

/*
 * What master, sequence and verify do first: check -o, install the
 * signal handlers, open the album (checked) and find OUTDIR.  Returns 0,
 * or the exit status after printing the error.
 */
struct pm_album;
int pm_tool_album(const char *path, const struct pm_common *common,
		  struct pm_album **album, char **outdir);

/*
 * --only=LIST: each name must be one of the album's `nt` targets, else a
 * usage error naming `what` ("target", "deliverable") and what there is.
 */
struct pm_target;
void pm_only_check(const char *only, const struct pm_target *targets,
		   size_t nt, const char *what);

/*
 * pm_tool_parse for a tool that takes one ALBUM.xml, then pm_tool_album.
 * Returns 0 with the album's path in *path, or the exit status.
 */
int pm_tool_start(int argc, char **argv, const struct pm_tool_option *opts,
		  const struct pm_usage *usage, struct pm_common *common,
		  const char **path, struct pm_album **album, char **outdir);

/*
 * The end of a tool that opened an album: free it and OUTDIR; after an
 * interrupt re-raise the signal (exit 130), else return `ret`.
 */
int pm_tool_end(struct pm_album *album, char *outdir, int ret);

/* The one ALBUM.xml operand at argv[first], or a usage error. */
const char *pm_album_operand(int argc, char **argv, int first);

/* Print "PROG: error: MSG" and "Try 'PROG --help' ..." and exit 64. */
PM_NORETURN void pm_usage_error(const char *fmt, ...) PM_PRINTF(1, 2);

/* Print only the "Try 'PROG --help'" line and exit 64 (getopt spoke). */
PM_NORETURN void pm_usage_fail(void);

/* The value of -j/--jobs: 1 to 64, or a usage error (exit 64). */
unsigned pm_jobs_option(const char *arg);

/*
 * Refuse (a usage error, exit 64) an -o that is empty or names the root
 * directory, however it is spelt ("/", "/tmp/..", a link to "/"), before
 * anything is written.  NULL (no -o) passes.
 */
void pm_output_check(const char *output);

/*
 * Where a tool writes: `output` (-o) when given (checked first by
 * pm_output_check), else "out" in the directory of `album`.  Newly
 * allocated; NULL when memory runs out.
 */
char *pm_output_dir(const char *output, const char *album);

/*
 * Open OUTDIR/report/NAME to be written under a temporary name, making
 * the folder; the caller writes f->fp and commits or aborts the file.
 */
int pm_report_open(struct pm_file *f, const char *outdir, const char *name,
		   bool force, struct pm_err *err);

/*
 * Apply the shared options after parsing: the log's threshold (-q leaves
 * errors only, -v adds notes and debugging), the progress bar (drawn on
 * a terminal unless -q, --no-progress or --json), --json events, and
 * warnings printed once per run: when the environment names a file in
 * PREMASTER_WARNINGS (premaster build sets it for its stages), warnings
 * an earlier stage printed are not printed again.
 */
void pm_common_apply(const struct pm_common *common);

/*
 * The console contract.  Results go to stdout, diagnostics to stderr.
 * In text mode a tool prints its result lines itself when
 * pm_want_results(); with --json it writes events instead, each one JSON
 * object on its own line of stdout, {"event": ..., "tool": ..., ...}:
 *
 *   start       the tool began: album, outdir
 *   progress    stage, percent, eta_s (at most one a second)
 *   diagnostic  level ("error", "warning", "note", ...), message
 *   result      the tool's results (one or more)
 *   stage       premaster build: a stage finished: stage, status, exit
 *
 * Diagnostics are still printed on stderr too.
 */
bool pm_want_results(void); /* text results: neither -q nor --json */
bool pm_json_events(void);  /* --json */

/*
 * Start an event object on stdout: {"event":EVENT,"tool":TOOL, then the
 * caller adds its members to `j` and closes it with pm_event_end().
 */
void pm_event_begin(struct pm_json *j, const char *event);
void pm_event_end(struct pm_json *j);

/*
 * premaster build: a file its stages share to print each warning once per
 * run, made in $TMPDIR and named in PREMASTER_WARNINGS.  Returns its path
 * (remove it and free the string at the end), or NULL when it cannot be
 * made (then warnings may repeat).
 */
char *pm_share_warnings(void);

/* The "start" event (--json only). */
void pm_event_start(const char *album, const char *outdir);

/*
 * Open the tool's stage on the progress bar, expecting `seconds` of audio
 * to be processed (the library adds as it goes), and close it.
 */
void pm_stage_begin(const char *stage, double seconds);
void pm_stage_end(void);

#endif
