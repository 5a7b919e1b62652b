/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * parse.h: strict parsers for numbers, times and levels, used by the
 * command lines and by the album loader.  They return errors; they never
 * print or exit.
 */
#ifndef PM_PARSE_H
#define PM_PARSE_H

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

#endif
