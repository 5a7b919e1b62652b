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
 * out; with `unknown` NULL, of all). */
static void known_r(const float *x, const unsigned char *unknown, size_t len,
		    unsigned order, double *r)
{
	unsigned k;

	for (k = 0; k <= order; k++) {
		double s = 0;

		for (size_t i = k; i < len; i++)
			if (!unknown || (!unknown[i] && !unknown[i - k]))
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

/*
 * The prediction-error filter a[0 .. p] (a[0] = 1, e[n] = sum a[k]
 * x[n - k]) of a model fitted to x[0 .. len), leaving out the pairs
 * with a sample in `skip` (NULL: none).  `w`, if not NULL, has len
 * samples: x is fitted as weighted by them.
 */
static void ar_fit(const float *x, const unsigned char *skip, size_t len,
		   unsigned p, float *w, double *a)
{
	double r[PM_LPC_MAX_ORDER + 1];

	if (w) {
		for (size_t i = 0; i < len; i++) {
			double t = ((double)i + 0.5) / (double)len;

			w[i] = x[i] * (float)(0.5 - 0.5 * cos(2 * M_PI * t));
		}
		x = w;
	}
	known_r(x, skip, len, p, r);
	pm_lpc_levinson(r, p, a);
	for (unsigned k = 1; k <= p; k++)
		a[k] = -a[k];
}

/*
 * Replace the samples x[i] with unknown[i] set (the first at least p
 * samples in, the last p before the end) by those that minimise the
 * prediction error of filter a[0 .. p] (§3 of defects.md).
 */
static int ar_solve(float *x, size_t len, const unsigned char *unknown,
		    unsigned p, const double *a)
{
	double rho[PM_LPC_MAX_ORDER + 1];
	double *y = NULL, *e = NULL, *l = NULL, *b = NULL;
	size_t *g = NULL;
	size_t i, nu = 0, lo = len, hi = 0, span;
	unsigned k;
	int ret = -1;

	for (i = 0; i < len; i++)
		if (unknown[i]) {
			lo = i < lo ? i : lo;
			hi = i + 1;
			nu++;
		}
	if (nu == 0)
		return 0;
	if (lo < p || hi + p > len)
		return -1;
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
	for (i = 0; i < nu; i++)
		x[lo + g[i]] = (float)b[i];
	ret = 0;
out:
	free(y);
	free(e);
	free(l);
	free(b);
	free(g);
	return ret;
}

int pm_ar_interpolate_mask(float *x, size_t len,
			   const unsigned char *unknown, unsigned order,
			   bool clip)
{
	double a[PM_LPC_MAX_ORDER + 1];
	float *was = NULL;

	size_t nu = 0;

	for (size_t i = 0; i < len; i++)
		nu += unknown[i] != 0;
	if (order > PM_LPC_MAX_ORDER || order == 0 || nu == 0)
		return -1;
	if (clip && !(was = malloc(len * sizeof(*was))))
		return -1;
	if (was)
		memcpy(was, x, len * sizeof(*was));
	ar_fit(x, unknown, len, order, NULL, a);
	if (ar_solve(x, len, unknown, order, a) < 0) {
		if (was)
			memcpy(x, was, len * sizeof(*x));
		free(was);
		return -1;
	}
	/*
	 * A clipped sample was at least as loud as its clipped value: where
	 * the model undershoots it, that value is the better guess.
	 */
	for (size_t i = 0; was && i < len; i++)
		if (unknown[i] && (was[i] < 0 ? -x[i] : x[i]) < fabsf(was[i]))
			x[i] = was[i];
	free(was);
	return 0;
}

/* Whether v falls short of clipped value c: less loud, or of the other
 * sign. */
static bool short_of(float v, float c)
{
	return (c < 0 ? -v : v) < fabsf(c);
}

int pm_ar_declip(float *x, size_t len, const unsigned char *unknown,
		 const unsigned char *skip, unsigned order, unsigned passes)
{
	double a[PM_LPC_MAX_ORDER + 1];
	float *was, *w;
	unsigned char *loose;
	size_t i, nu = 0;
	int ret = -1;

	for (i = 0; i < len; i++)
		nu += unknown[i] != 0;
	if (order > PM_LPC_MAX_ORDER || order == 0 || nu == 0 || passes == 0)
		return -1;
	was = malloc(len * sizeof(*was));
	w = malloc(len * sizeof(*w));
	loose = malloc(len);
	if (!was || !w || !loose)
		goto out;
	memcpy(was, x, len * sizeof(*was));
	/*
	 * The model is fitted under a Hann window over x, centred on the
	 * passage when x is: weighted to the music nearest it, without the
	 * edges' bias of a rectangular window.
	 */
	memcpy(loose, unknown, len);
	for (i = 0; skip && i < len; i++)
		loose[i] |= skip[i];
	ar_fit(x, loose, len, order, w, a);
	for (unsigned pass = 0; pass < passes; pass++) {
		size_t bad = 1;

		/*
		 * Later passes fit the model to the whole context, the
		 * passage as the pass before restored it (but for `skip`):
		 * a model fitted around a gap underrates what the gap held.
		 */
		if (pass > 0)
			ar_fit(x, skip, len, order, w, a);
		memcpy(loose, unknown, len);
		/*
		 * Each unknown was at least as loud as its clipped value,
		 * with its sign: the samples the solution leaves short of
		 * it are held there and the others solved again, until none
		 * is (an active set; each round fixes one more sample at
		 * least, and few rounds do in practice).
		 */
		for (unsigned round = 0; bad && round < 16; round++) {
			if (ar_solve(x, len, loose, order, a) < 0) {
				memcpy(x, was, len * sizeof(*x));
				goto out;
			}
			bad = 0;
			for (i = 0; i < len; i++)
				if (loose[i] && short_of(x[i], was[i])) {
					x[i] = was[i];
					loose[i] = 0;
					bad++;
				}
		}
		for (i = 0; bad && i < len; i++) /* the last round's */
			if (loose[i] && short_of(x[i], was[i]))
				x[i] = was[i];
	}
	ret = 0;
out:
	free(was);
	free(w);
	free(loose);
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
