/* SPDX-License-Identifier: GPL-3.0-or-later */
/* parse.c: strict number, time and level parsers. */
#include <config.h>

#include "util/parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/banned.h"

int pm_parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!text || !isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int pm_parse_int(const char *text, int64_t min, int64_t max, int64_t *out)
{
	long long v;
	char *end;
	const char *p = text;

	if (!text)
		return -1;
	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * strtod honours LC_NUMERIC; we never change it from "C", so a comma is
 * never a decimal separator.  Hex floats, inf and nan are refused by
 * checking the characters first.
 */
static int strict_double(const char *text, const char **endp, double *out)
{
	const char *p = text;
	char *end;
	double v;
	bool digits = false;

	if (*p == '-' || *p == '+')
		p++;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits = true;
		}
	}
	if (!digits)
		return -1;
	if ((*p == 'e' || *p == 'E') &&
	    (isdigit((unsigned char)p[1]) ||
	     ((p[1] == '-' || p[1] == '+') && isdigit((unsigned char)p[2])))) {
		p += 2;
		while (isdigit((unsigned char)*p))
			p++;
	}
	errno = 0;
	v = strtod(text, &end);
	if (errno || end != p || !isfinite(v))
		return -1;
	*endp = end;
	*out = v;
	return 0;
}

int pm_parse_double(const char *text, double min, double max, double *out)
{
	const char *end;
	double v;

	if (!text || strict_double(text, &end, &v) < 0 || *end != '\0')
		return -1;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int pm_parse_db(const char *text, double min, double max, double *out)
{
	static const char *const units[] = { "db", "dbfs", "dbtp", "lufs",
					     "lu", "lkfs" };
	const char *end;
	double v;
	size_t i;

	if (!text || strict_double(text, &end, &v) < 0)
		return -1;
	while (*end == ' ')
		end++;
	if (*end) {
		for (i = 0; i < PM_ARRAY_SIZE(units); i++)
			if (strcasecmp(end, units[i]) == 0)
				break;
		if (i == PM_ARRAY_SIZE(units))
			return -1;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Parse "SS" or "SS.fff" into nanoseconds; at most 9 decimals. */
static int seconds_ns(const char *p, const char *stop, int64_t max_whole,
		      int64_t *ns)
{
	int64_t whole = 0, frac = 0, scale = PM_TIME_NS;
	bool digits = false;

	while (p < stop && isdigit((unsigned char)*p)) {
		whole = whole * 10 + (*p - '0');
		if (whole > max_whole)
			return -1;
		p++;
		digits = true;
	}
	if (p < stop && *p == '.') {
		p++;
		while (p < stop && isdigit((unsigned char)*p)) {
			if (scale == 1)
				return -1;
			scale /= 10;
			frac += (*p - '0') * scale;
			p++;
			digits = true;
		}
	}
	if (!digits || p != stop)
		return -1;
	*ns = whole * (int64_t)PM_TIME_NS + frac;
	return 0;
}

static int whole_number(const char *p, const char *stop, int64_t max,
			int64_t *out)
{
	int64_t v = 0;

	if (p == stop)
		return -1;
	for (; p < stop; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (*p - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

int pm_parse_time(const char *text, struct pm_time *out)
{
	/* Ten hours is far beyond any medium; it keeps arithmetic in range. */
	const int64_t max_s = 36000;
	const char *end, *c1, *c2;
	size_t n;
	int64_t ns, a, b;
	uint64_t samples;

	if (!text || !*text)
		return -1;
	n = strlen(text);
	end = text + n;
	memset(out, 0, sizeof(*out));
	if (pm_parse_uint(text, 0, (uint64_t)max_s * 768000, &samples) == 0) {
		out->num = (int64_t)samples;
		out->in_samples = true;
		out->is_set = true;
		return 0;
	}
	if (n > 2 && strcmp(end - 2, "ms") == 0) {
		if (seconds_ns(text, end - 2, max_s * 1000, &ns) < 0)
			return -1;
		/* read as seconds, so scale down: digits past 1 ns are lost */
		ns /= 1000;
	} else if (n > 1 && end[-1] == 's') {
		if (seconds_ns(text, end - 1, max_s, &ns) < 0)
			return -1;
	} else {
		/* [H:]M:SS[.fff]: the seconds part always has two digits */
		c1 = strchr(text, ':');
		if (!c1)
			return -1;
		c2 = strchr(c1 + 1, ':');
		a = 0;
		if (c2) {
			if (whole_number(text, c1, 9, &a) < 0)
				return -1;
			text = c1 + 1;
			c1 = c2;
		}
		if (whole_number(text, c1, c2 ? 59 : max_s / 60, &b) < 0)
			return -1;
		if (!isdigit((unsigned char)c1[1]) ||
		    !isdigit((unsigned char)c1[2]) ||
		    (c1[3] != '\0' && c1[3] != '.'))
			return -1;
		if (seconds_ns(c1 + 1, end, 59, &ns) < 0)
			return -1;
		ns += (a * 3600 + b * 60) * (int64_t)PM_TIME_NS;
	}
	out->num = ns;
	out->den = PM_TIME_NS;
	out->is_set = true;
	return 0;
}

struct pm_time pm_time_from_samples(int64_t samples, uint32_t rate)
{
	struct pm_time t = { .num = samples, .den = rate, .in_samples = true,
			     .is_set = true };
	return t;
}

struct pm_time pm_time_from_seconds(double seconds)
{
	struct pm_time t = { .num = llround(seconds * PM_TIME_NS),
			     .den = PM_TIME_NS, .is_set = true };
	return t;
}

int64_t pm_time_samples(struct pm_time t, uint32_t rate)
{
	int64_t q, r;

	if (!t.is_set)
		return 0;
	if (t.den == 0 || t.den == rate)
		return t.num;
	/*
	 * num * rate stays below 2^63: num <= 36000 s * 1e9, rate <= 768000
	 * would overflow, so split into quotient and remainder first.
	 */
	q = t.num / t.den;
	r = t.num % t.den;
	return q * rate + (r * (int64_t)rate + t.den / 2) / t.den;
}

double pm_time_seconds(struct pm_time t)
{
	if (!t.is_set || t.den == 0)
		return 0.0;
	return (double)t.num / (double)t.den;
}

const char *pm_format_duration(double seconds, char *buf, unsigned size)
{
	long long ms = llround(seconds * 1000.0);

	if (ms < 0)
		ms = 0;
	snprintf(buf, size, "%lld:%02lld.%03lld", ms / 60000, ms / 1000 % 60,
		 ms % 1000);
	return buf;
}
