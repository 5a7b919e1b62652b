/* SPDX-License-Identifier: GPL-3.0-or-later */
/* restore.c: linear prediction and autoregressive interpolation. */
#include <config.h>

#include "dsp/restore.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

void pm_lpc_levinson(const double *r, unsigned order, double *a)
{
	double tmp[PM_LPC_MAX_ORDER + 1];
	double e = r[0];
	unsigned i, j;

	memset(a, 0, (order + 1) * sizeof(*a));
	a[0] = 1;
	if (!(e > 1e-30))
		return;
	for (i = 1; i <= order; i++) {
		double k = r[i];

		for (j = 1; j < i; j++)
			k -= a[j] * r[i - j];
		k /= e;
		if (!(fabs(k) < 1)) /* numerically singular: keep what we have */
			break;
		memcpy(tmp, a, (i + 1) * sizeof(*a));
		a[i] = k;
		for (j = 1; j < i; j++)
			a[j] = tmp[j] - k * tmp[i - j];
		e *= 1 - k * k;
	}
}

/* The autocorrelation of the known samples (pairs with an unknown left
 * out). */
static void known_r(const float *x, const unsigned char *unknown, size_t len,
		    unsigned order, double *r)
{
	unsigned k;

	for (k = 0; k <= order; k++) {
		double s = 0;

		for (size_t i = k; i < len; i++)
			if (!unknown[i] && !unknown[i - k])
				s += (double)x[i] * x[i - k];
		r[k] = s;
	}
	/* a little lag window and white noise keep the model stable */
	for (k = 1; k <= order; k++)
		r[k] *= exp(-0.5 * (0.002 * k) * (0.002 * k));
	r[0] = r[0] * (1 + 1e-9) + 1e-20;
}

/*
 * Solve the banded symmetric positive definite system A y = b (band w;
 * A(i, j) = rho[|g[i] - g[j]|] when that is at most w), by Cholesky.
 * `l` has n * (w + 1) doubles.  Returns -1 when A is not positive.
 */
static int band_solve(const size_t *g, size_t n, const double *rho,
		      unsigned w, double *l, double *y)
{
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		size_t j0 = i > w ? i - w : 0;

		for (j = j0; j <= i; j++) {
			size_t d = g[i] - g[j];
			double s = d <= w ? rho[d] : 0;
			size_t k0 = j0 > (j > w ? j - w : 0) ? j0 : (j > w ? j - w : 0);

			for (k = k0; k < j; k++)
				s -= l[i * (w + 1) + (i - k)] * l[j * (w + 1) + (j - k)];
			if (j == i) {
				if (!(s > 0))
					return -1;
				l[i * (w + 1)] = sqrt(s);
			} else {
				l[i * (w + 1) + (i - j)] = s / l[j * (w + 1)];
			}
		}
	}
	for (i = 0; i < n; i++) { /* L z = b */
		size_t j0 = i > w ? i - w : 0;

		for (j = j0; j < i; j++)
			y[i] -= l[i * (w + 1) + (i - j)] * y[j];
		y[i] /= l[i * (w + 1)];
	}
	for (i = n; i-- > 0;) { /* L' y = z */
		for (j = i + 1; j < n && j <= i + w; j++)
			y[i] -= l[j * (w + 1) + (j - i)] * y[j];
		y[i] /= l[i * (w + 1)];
	}
	return 0;
}

int pm_ar_interpolate_mask(float *x, size_t len,
			   const unsigned char *unknown, unsigned order,
			   bool clip)
{
	double r[PM_LPC_MAX_ORDER + 1], a[PM_LPC_MAX_ORDER + 1];
	double rho[PM_LPC_MAX_ORDER + 1];
	double *y = NULL, *e = NULL, *l = NULL, *b = NULL;
	size_t *g = NULL;
	size_t i, nu = 0, lo = len, hi = 0, span;
	unsigned k, p = order;
	int ret = -1;

	for (i = 0; i < len; i++)
		if (unknown[i]) {
			lo = i < lo ? i : lo;
			hi = i + 1;
			nu++;
		}
	if (p > PM_LPC_MAX_ORDER || p == 0 || nu == 0 || lo < p ||
	    hi + p > len)
		return -1;
	known_r(x, unknown, len, p, r);
	pm_lpc_levinson(r, p, a);
	for (k = 1; k <= p; k++)
		a[k] = -a[k]; /* now e[n] = sum a[k] x[n - k], a[0] = 1 */
	for (k = 0; k <= p; k++) {
		rho[k] = 0;
		for (unsigned j = 0; j + k <= p; j++)
			rho[k] += a[j] * a[j + k];
	}
	rho[0] *= 1 + 1e-9;
	span = hi - lo + 2 * (size_t)p; /* y[0] is x[lo - p] */
	y = malloc(span * sizeof(*y));
	e = malloc((hi - lo + p) * sizeof(*e));
	l = malloc(nu * (p + 1) * sizeof(*l));
	b = malloc(nu * sizeof(*b));
	g = malloc(nu * sizeof(*g));
	if (!y || !e || !l || !b || !g)
		goto out;
	for (i = 0, nu = 0; i < span; i++) {
		y[i] = x[lo - p + i];
		if (unknown[lo - p + i]) {
			y[i] = 0;
			g[nu++] = i - p; /* from lo */
		}
	}
	/* the error with the unknowns at zero, over every n they reach */
	for (i = 0; i < hi - lo + p; i++) {
		double sum = 0;

		for (k = 0; k <= p; k++)
			sum += a[k] * y[p + i - k];
		e[i] = sum;
	}
	for (i = 0; i < nu; i++) {
		double sum = 0;

		for (k = 0; k <= p; k++)
			sum += a[k] * e[g[i] + k];
		b[i] = -sum;
	}
	if (band_solve(g, nu, rho, p, l, b) < 0)
		goto out;
	for (i = 0; i < nu; i++) {
		float was = x[lo + g[i]];
		double v = b[i];

		/*
		 * A clipped sample was at least as loud as its clipped value:
		 * where the model undershoots it, that value is the better
		 * guess.
		 */
		if (clip && (was < 0 ? -v : v) < fabsf(was))
			v = was;
		x[lo + g[i]] = (float)v;
	}
	ret = 0;
out:
	free(y);
	free(e);
	free(l);
	free(b);
	free(g);
	return ret;
}

int pm_ar_interpolate(float *x, size_t len, size_t gap, size_t m,
		      unsigned order, float clip)
{
	unsigned char *unknown;
	int ret;

	if (gap + m > len || m == 0)
		return -1;
	unknown = calloc(len, 1);
	if (!unknown)
		return -1;
	memset(unknown + gap, 1, m);
	ret = pm_ar_interpolate_mask(x, len, unknown, order, clip > 0);
	free(unknown);
	return ret;
}
