/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * restore.h: linear prediction and the interpolation of missing samples
 * by an autoregressive model, least squares in the manner of Janssen,
 * Veldhuis and Vries (1986); doc/internals/defects.md §3.
 */
#ifndef PM_RESTORE_H
#define PM_RESTORE_H

#include <stdbool.h>
#include <stddef.h>

#define PM_LPC_MAX_ORDER 48

/*
 * Prediction coefficients a[1..order] (a[0] = 1) of the autocorrelation
 * r[0..order], by Levinson-Durbin; a silent r gives all zeros.
 */
void pm_lpc_levinson(const double *r, unsigned order, double *a);

/*
 * Replace x[gap .. gap + m) by the samples that minimise the prediction
 * error of an order `order` model fitted to the context around it:
 * x[0 .. gap) before and x[gap + m .. len) after (each at least `order`
 * samples long).  With `clip` > 0 the interpolated samples are kept at or
 * beyond ±clip, with the sign the samples in the gap had (a clipped run
 * is known to have been at least that loud): where the model undershoots
 * the clip level, the clip level stays.  Returns 0, or -1 when out
 * of memory or the context is too short (x is then unchanged).
 */
int pm_ar_interpolate(float *x, size_t len, size_t gap, size_t m,
		      unsigned order, float clip);

/*
 * The same for the samples x[i] with unknown[i] set, anywhere in x (the
 * first at least `order` samples in, the last `order` before the end);
 * the model is fitted to the known samples.  With `clip`, each unknown
 * sample stays at least as loud as it was, with its sign.
 */
int pm_ar_interpolate_mask(float *x, size_t len,
			   const unsigned char *unknown, unsigned order,
			   bool clip);

/*
 * Declip: the samples x[i] with unknown[i] set were clipped, each was at
 * least as loud as its value there, with its sign.  They are
 * interpolated as by pm_ar_interpolate_mask() under that constraint
 * (the samples the solution would leave short of it are held at it and
 * the rest solved again), then `passes` - 1 times more with the model
 * fitted to the whole of x as restored.  The samples with skip[i] set
 * (skip may be NULL), clipped but left for another call, are left out of
 * every fit.  Returns 0, or -1 (x unchanged).
 */
int pm_ar_declip(float *x, size_t len, const unsigned char *unknown,
		 const unsigned char *skip, unsigned order, unsigned passes);

#endif
