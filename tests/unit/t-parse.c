/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-cli.c: the strict number, level and time parsers. */
#include <config.h>

#include "tap.h"
#include "util/parse.h"

static void time_is(const char *text, uint32_t rate, int64_t want)
{
	struct pm_time t;

	if (!ok(pm_parse_time(text, &t) == 0, "'%s' parses", text))
		return;
	is_int(pm_time_samples(t, rate), want, "'%s' is %lld samples at %u",
	       text, (long long)want, rate);
}

int main(void)
{
	uint64_t u;
	int64_t i;
	double d;
	struct pm_time t;
	char buf[32];

	ok(pm_parse_uint("42", 0, 100, &u) == 0 && u == 42, "uint");
	ok(pm_parse_uint("101", 0, 100, &u) < 0, "uint above max refused");
	ok(pm_parse_uint("-1", 0, 100, &u) < 0, "negative uint refused");
	ok(pm_parse_uint("4x", 0, 100, &u) < 0, "trailing junk refused");
	ok(pm_parse_uint("", 0, 100, &u) < 0, "empty refused");
	ok(pm_parse_uint(" 4", 0, 100, &u) < 0, "leading space refused");
	ok(pm_parse_uint("99999999999999999999999", 0, UINT64_MAX, &u) < 0,
	   "overflow refused");
	ok(pm_parse_int("-5", -10, 10, &i) == 0 && i == -5, "int");
	ok(pm_parse_double("-14.5", -70, 0, &d) == 0 && d == -14.5, "double");
	ok(pm_parse_double("-14,5", -70, 0, &d) < 0, "comma is not a point");
	ok(pm_parse_double("nan", -70, 0, &d) < 0, "nan refused");
	ok(pm_parse_double("0x10", 0, 100, &d) < 0, "hex refused");
	ok(pm_parse_double("1e3", 0, 1e4, &d) == 0 && d == 1000, "exponent");
	ok(pm_parse_db("-14 LUFS", -70, 0, &d) == 0 && d == -14, "LUFS unit");
	ok(pm_parse_db("-1dBTP", -20, 0, &d) == 0 && d == -1, "dBTP unit");
	ok(pm_parse_db("-1 dBx", -20, 0, &d) < 0, "unknown unit refused");

	time_is("88200", 44100, 88200);
	time_is("2s", 44100, 88200);
	time_is("2.5s", 48000, 120000);
	time_is("250ms", 44100, 11025);
	time_is("1:23.5", 44100, 3682350);
	time_is("1:02:03.25", 1000, 3723250);
	time_is("0.000011338s", 44100, 1);
	ok(pm_parse_time("-1s", &t) < 0, "negative time refused");
	ok(pm_parse_time("1:60", &t) < 0, "60 seconds refused");
	ok(pm_parse_time("1:5", &t) < 0, "one-digit seconds refused");
	ok(pm_parse_time("2 s", &t) < 0, "space refused");
	ok(pm_parse_time("s", &t) < 0, "bare unit refused");
	ok(pm_parse_time("1.5", &t) < 0, "seconds need a unit");
	ok(pm_parse_time("1.0000000001s", &t) < 0, "past nanoseconds refused");
	pm_parse_time("88200", &t);
	ok(t.in_samples && t.den == 0, "samples wait for a rate");
	t.den = 88200;
	is_int(pm_time_samples(t, 44100), 44100, "samples convert between rates");
	t = pm_time_from_samples(1, 96000);
	is_int(pm_time_samples(t, 44100), 0, "rounding to the nearest sample");
	t = pm_time_from_samples(3, 96000);
	is_int(pm_time_samples(t, 44100), 1, "3 samples at 96k are 1 at 44.1k");
	is_str(pm_format_duration(61.5, buf, sizeof(buf)), "1:01.500",
	       "durations format");
	return tap_done();
}
