/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli.h: strict parsers for numbers, times and levels (used by the command
 * lines and by the album loader), and the options every tool shares.
 */
#ifndef PM_CLI_H
#define PM_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "util/compat.h"

/*
 * Parse a whole decimal unsigned integer in [min, max].  Leading or
 * trailing junk, signs, empty text and overflow fail.  Returns 0 or -1.
 */
int pm_parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *out);

/* Parse a whole signed decimal integer in [min, max]. */
int pm_parse_int(const char *text, int64_t min, int64_t max, int64_t *out);

/*
 * Parse a finite decimal number in [min, max] in the "C" locale (a point,
 * never a comma).  Returns 0 or -1.
 */
int pm_parse_double(const char *text, double min, double max, double *out);

/*
 * Parse a level in decibels: "-14", "-14.0", "-1dB", "-14 LUFS", "-1 dBTP"
 * (the unit is optional and case-insensitive; spaces before it allowed).
 */
int pm_parse_db(const char *text, double min, double max, double *out);

/*
 * An authored time or position.  Either a count of samples at the rate of
 * the audio it belongs to (`in_samples`; `den` is 0 until the rate is
 * known, then the rate), or a duration of num/den seconds with den = 1e9.
 */
struct pm_time {
	int64_t num;
	uint32_t den;
	bool in_samples;
	bool is_set;
};

#define PM_TIME_NS 1000000000u

/*
 * Parse a time: "88200" (samples), "2s", "2.5s", "250ms", "1:23.5"
 * (minutes:seconds), "1:02:03.5" (hours:minutes:seconds).  Negative times
 * are refused.  Returns 0 or -1.
 */
int pm_parse_time(const char *text, struct pm_time *out);

/* A time of exactly `samples` samples at `rate`. */
struct pm_time pm_time_from_samples(int64_t samples, uint32_t rate);

/* A time of `seconds` (rounded to the nanosecond). */
struct pm_time pm_time_from_seconds(double seconds);

/*
 * The time as a sample count at `rate`, rounded to the nearest sample.
 * A sample count with no known rate yet is returned as is.
 */
int64_t pm_time_samples(struct pm_time t, uint32_t rate);

/* The time in seconds (for display and for reports). */
double pm_time_seconds(struct pm_time t);

/* Format a duration in seconds as "M:SS.mmm" into buf (>= 32 bytes). */
const char *pm_format_duration(double seconds, char *buf, unsigned size);

/* The options every tool takes, parsed into one place. */
struct pm_common {
	int verbosity; /* -q: -1, default 0, each -v: +1 */
	bool want_progress;
	bool force;
	const char *output; /* -o, borrowed from argv */
};

enum {
	PM_OPT_NO_PROGRESS = 256,
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
	{ "no-progress", no_argument, NULL, PM_OPT_NO_PROGRESS }

/* Help text lines for the shared options (ends with a newline). */
extern const char pm_common_help[];

/*
 * Handle one getopt result if it is a shared option.  -h calls `usage`
 * with stdout and exits 0; -V prints the version and exits 0.  Returns
 * true when the option was handled.
 */
bool pm_common_option(int c, const char *arg, struct pm_common *common,
		      void (*usage)(void));

/* Print "PROG: error: MSG" and "Try 'PROG --help' ..." and exit 64. */
PM_NORETURN void pm_usage_error(const char *fmt, ...) PM_PRINTF(1, 2);

/* Print only the "Try 'PROG --help'" line and exit 64 (getopt spoke). */
PM_NORETURN void pm_usage_fail(void);

/* The value of -j/--jobs: 1 to 64, or a usage error (exit 64). */
unsigned pm_jobs_option(const char *arg);

/*
 * Where a tool writes: `output` (-o) when given, else "out" in the
 * directory of `album`.  Newly allocated; NULL when memory runs out.
 */
char *pm_output_dir(const char *output, const char *album);

/* Apply verbosity and progress settings after parsing. */
void pm_common_apply(const struct pm_common *common);

#endif
