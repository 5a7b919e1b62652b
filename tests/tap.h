/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tap.h: a small TAP producer for the C unit tests.  Each failed check
 * prints "# failed at FILE:LINE" with what was got and expected.
 */
#ifndef PM_TAP_H
#define PM_TAP_H

#include <stdbool.h>
#include <stdint.h>

#include "util/compat.h"

/* Declare the number of tests up front (optional: tap_done prints it). */
void tap_plan(int n);

/* Skip the whole file: prints "1..0 # SKIP why" and exits 0. */
PM_NORETURN void tap_skip_all(const char *why);

/* A diagnostic line "# ...". */
void tap_diag(const char *fmt, ...) PM_PRINTF(1, 2);

bool tap_ok(bool cond, const char *file, int line, const char *fmt, ...)
	PM_PRINTF(4, 5);
bool tap_is_int(long long got, long long want, const char *file, int line,
		const char *fmt, ...) PM_PRINTF(5, 6);
bool tap_is_str(const char *got, const char *want, const char *file,
		int line, const char *fmt, ...) PM_PRINTF(5, 6);
/* |got - want| <= tol */
bool tap_is_near(double got, double want, double tol, const char *file,
		 int line, const char *fmt, ...) PM_PRINTF(6, 7);
/* memcmp equality, with the first differing offset on failure */
bool tap_is_mem(const void *got, const void *want, unsigned long n,
		const char *file, int line, const char *fmt, ...)
	PM_PRINTF(6, 7);

#define ok(cond, ...) tap_ok((cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) \
	tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) \
	tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define is_near(got, want, tol, ...) \
	tap_is_near((got), (want), (tol), __FILE__, __LINE__, __VA_ARGS__)
#define is_mem(got, want, n, ...) \
	tap_is_mem((got), (want), (n), __FILE__, __LINE__, __VA_ARGS__)

/*
 * A repeatable noise source for generated test signals: uniform in
 * [-1, 1), xorshift64 from a fixed seed, the same sequence in every run.
 */
double tap_uniform(void);

/* Start tap_uniform()'s sequence again from `seed` (not 0). */
void tap_seed(uint64_t seed);

/* Print the plan if none was given; return the exit status (0 or 1). */
int tap_done(void);

#endif
