/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tap.c: the TAP producer behind tests/unit. */
#include <config.h>

#include "tap.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int planned = -1;
static int run;
static int failed;

void tap_plan(int n)
{
	planned = n;
	printf("1..%d\n", n);
}

void tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static bool report(bool pass, const char *file, int line, const char *fmt,
		   va_list ap) PM_PRINTF(4, 0);

static bool report(bool pass, const char *file, int line, const char *fmt,
		   va_list ap)
{
	run++;
	if (!pass)
		failed++;
	printf("%sok %d - ", pass ? "" : "not ", run);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	if (!pass)
		printf("# failed at %s:%d\n", file, line);
	fflush(stdout);
	return pass;
}

bool tap_ok(bool cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = report(cond, file, line, fmt, ap);
	va_end(ap);
	return r;
}

bool tap_is_int(long long got, long long want, const char *file, int line,
		const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = report(got == want, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		tap_diag("     got: %lld\n#   wanted: %lld", got, want);
	return r;
}

bool tap_is_str(const char *got, const char *want, const char *file,
		int line, const char *fmt, ...)
{
	va_list ap;
	bool same;
	bool r;

	if (!got || !want)
		same = got == want;
	else
		same = strcmp(got, want) == 0;
	va_start(ap, fmt);
	r = report(same, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		tap_diag("     got: '%s'\n#   wanted: '%s'", got ? got : "(null)",
			 want ? want : "(null)");
	return r;
}

bool tap_is_near(double got, double want, double tol, const char *file,
		 int line, const char *fmt, ...)
{
	va_list ap;
	double d = got - want;
	bool r;

	if (d < 0)
		d = -d;
	va_start(ap, fmt);
	r = report(d <= tol, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		tap_diag("     got: %.6f\n#   wanted: %.6f +- %g", got, want, tol);
	return r;
}

bool tap_is_mem(const void *got, const void *want, unsigned long n,
		const char *file, int line, const char *fmt, ...)
{
	const unsigned char *g = got, *w = want;
	unsigned long i = 0;
	va_list ap;
	bool r;

	while (i < n && g[i] == w[i])
		i++;
	va_start(ap, fmt);
	r = report(i == n, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		tap_diag("first difference at byte %lu: got 0x%02x, wanted 0x%02x",
			 i, g[i], w[i]);
	return r;
}

int tap_done(void)
{
	if (planned < 0)
		printf("1..%d\n", run);
	else if (planned != run)
		tap_diag("planned %d tests but ran %d", planned, run);
	return failed || (planned >= 0 && planned != run) ? 1 : 0;
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;

void tap_seed(uint64_t seed)
{
	rng = seed;
}

double tap_uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 4503599627370496.0 - 1.0;
}
