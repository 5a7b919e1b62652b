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

/* The autocorrelation of the context on both sides of the gap. */
static void context_r(const float *x, size_t len, size_t gap, size_t m,
		      unsigned order, double *r)
{
	size_t pieces[2][2] = { { 0, gap }, { gap + m, len } };
	unsigned k;

	memset(r, 0, (order + 1) * sizeof(*r));
	for (int p = 0; p < 2; p++) {
		const float *y = x + pieces[p][0];
		size_t n = pieces[p][1] - pieces[p][0];

		for (k = 0; k <= order && k < n; k++) {
			double s = 0;

			for (size_t i = k; i < n; i++)
				s += (double)y[i] * y[i - k];
			r[k] += s;
		}
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

int pm_ar_interpolate(float *x, size_t len, size_t gap, size_t m,
		      unsigned order, float clip)
{
	double r[PM_LPC_MAX_ORDER + 1], a[PM_LPC_MAX_ORDER + 1];
	double rho[PM_LPC_MAX_ORDER + 1];
	double *y = NULL, *e = NULL, *l = NULL, *b = NULL;
	size_t *g = NULL;
	signed char *sign = NULL;
	bool *fixed = NULL;
	size_t i, nu, span;
	unsigned k, p = order;
	int ret = -1;

	if (p > PM_LPC_MAX_ORDER || p == 0 || m == 0 || gap < p ||
	    gap + m + p > len)
		return -1;
	context_r(x, len, gap, m, p, r);
	pm_lpc_levinson(r, p, a);
	for (k = 1; k <= p; k++)
		a[k] = -a[k]; /* now e[n] = sum a[k] x[n - k], a[0] = 1 */
	for (k = 0; k <= p; k++) {
		rho[k] = 0;
		for (unsigned j = 0; j + k <= p; j++)
			rho[k] += a[j] * a[j + k];
	}
	rho[0] *= 1 + 1e-9;
	span = m + 2 * (size_t)p; /* y[0] is x[gap - p] */
	y = malloc(span * sizeof(*y));
	e = malloc((m + p) * sizeof(*e));
	l = malloc(m * (p + 1) * sizeof(*l));
	b = malloc(m * sizeof(*b));
	g = malloc(m * sizeof(*g));
	sign = malloc(m);
	fixed = calloc(m, sizeof(*fixed));
	if (!y || !e || !l || !b || !g || !sign || !fixed)
		goto out;
	for (i = 0; i < span; i++)
		y[i] = x[gap - p + i];
	for (i = 0; i < m; i++)
		sign[i] = x[gap + i] < 0 ? -1 : 1;
	for (int iter = 0; iter < 16; iter++) {
		bool again = false;

		nu = 0;
		for (i = 0; i < m; i++)
			if (!fixed[i]) {
				y[p + i] = 0;
				g[nu++] = i;
			}
		if (nu == 0)
			break;
		/* the error with the unknowns at zero, over every n they reach */
		for (i = 0; i < m + p; i++) {
			double s = 0;

			for (k = 0; k <= p; k++)
				s += a[k] * y[p + i - k];
			e[i] = s;
		}
		for (i = 0; i < nu; i++) {
			double s = 0;

			for (k = 0; k <= p; k++)
				s += a[k] * e[g[i] + k];
			b[i] = -s;
		}
		if (band_solve(g, nu, rho, p, l, b) < 0)
			goto out;
		for (i = 0; i < nu; i++)
			y[p + g[i]] = b[i];
		if (!(clip > 0))
			break;
		/* a clipped sample was at least as loud as the clip level */
		for (i = 0; i < nu; i++)
			if (sign[g[i]] * y[p + g[i]] < clip) {
				fixed[g[i]] = true;
				y[p + g[i]] = sign[g[i]] * (double)clip;
				again = true;
			}
		if (!again)
			break;
	}
	for (i = 0; i < m; i++)
		x[gap + i] = (float)y[p + i];
	ret = 0;
out:
	free(y);
	free(e);
	free(l);
	free(b);
	free(g);
	free(sign);
	free(fixed);
	return ret;
}
