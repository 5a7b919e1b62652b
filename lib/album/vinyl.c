/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vinyl.c: side capacities and splitting an album into sides. */
#include <config.h>

#include "album/vinyl.h"

#include <float.h>
#include <stdlib.h>

#include "util/banned.h"

/*
 * Warn/max per side in minutes.  12" 33: warn above 20, refuse above 26;
 * 12" 45: 12 and 18; 10" 33: 12 and 16; 10" 45: 8 and 10; 7" 45: 4 and
 * 5:30; 7" 33: 6 and 7 (cutting rooms' and plants' published figures).
 */
static const struct {
	unsigned size, speed;
	double warn_min, max_min;
} table[] = {
	{ 12, 33, 20, 26 }, { 12, 45, 12, 18 }, { 10, 33, 12, 16 },
	{ 10, 45, 8, 10 },  { 7, 45, 4, 5.5 },   { 7, 33, 6, 7 },
};

int pm_side_limits(unsigned size_in, unsigned speed_rpm,
		   struct pm_side_limits *out)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].size == size_in && table[i].speed == speed_rpm) {
			out->warn_s = table[i].warn_min * 60;
			out->max_s = table[i].max_min * 60;
			return 0;
		}
	return -1;
}

double pm_side_length(const double *len, size_t a, size_t b, double gap_s)
{
	double t = 0;
	size_t i;

	for (i = a; i < b; i++)
		t += len[i] + (i > a ? gap_s : 0);
	return t;
}

/*
 * The contiguous partition of n items into k groups minimising the
 * largest group (the linear partition problem), by dynamic programming
 * over prefixes.  n <= 99, k <= n: tiny.  Returns the largest group.
 */
static double partition(const double *len, size_t n, size_t k, double gap,
			size_t *first)
{
	double *best = malloc((n + 1) * (k + 1) * sizeof(double));
	size_t *cut = malloc((n + 1) * (k + 1) * sizeof(size_t));
	double result = DBL_MAX;
	size_t i, j, p;

	if (!best || !cut)
		goto out;
	for (i = 0; i <= n; i++)
		for (j = 0; j <= k; j++)
			best[i * (k + 1) + j] = DBL_MAX;
	best[0] = 0;
	for (j = 1; j <= k; j++)
		for (i = j; i <= n; i++)
			for (p = j - 1; p < i; p++) {
				double prev = best[p * (k + 1) + j - 1];
				double side = pm_side_length(len, p, i, gap);
				double m = prev > side ? prev : side;

				if (prev < DBL_MAX && m < best[i * (k + 1) + j]) {
					best[i * (k + 1) + j] = m;
					cut[i * (k + 1) + j] = p;
				}
			}
	result = best[n * (k + 1) + k];
	for (j = k, i = n; j > 0; j--) {
		p = cut[i * (k + 1) + j];
		first[j - 1] = p;
		i = p;
	}
	first[k] = n;
out:
	free(best);
	free(cut);
	return result;
}

size_t pm_split_sides(const double *len, size_t n, double gap_s,
		      const struct pm_side_limits *lim, size_t *first)
{
	size_t k;

	if (n == 0)
		return 0;
	for (k = 2; k <= n + (n % 2); k += 2)
		if (k <= n && partition(len, n, k, gap_s, first) <= lim->warn_s)
			return k;
	for (k = 2; k <= n; k += 2)
		if (partition(len, n, k, gap_s, first) <= lim->max_s)
			return k;
	/* one track a side (and an empty last side when n is odd) */
	k = n;
	for (size_t i = 0; i <= n; i++)
		first[i] = i;
	if (n == 1) {
		first[1] = 1;
		return 1;
	}
	return k;
}
