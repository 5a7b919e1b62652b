/* SPDX-License-Identifier: GPL-3.0-or-later */
/* linhp.c: the linear-phase high-pass, by moving averages. */
#include <config.h>

#include "dsp/linhp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define STAGES 4

struct pm_linhp {
	size_t m;              /* the moving averages' length, odd */
	size_t delay;          /* frames, total */
	double *ring[STAGES];  /* each average's last m inputs, stereo */
	double sum[STAGES][2];
	size_t k;              /* where the rings are */
	float *dry;            /* the input, 2 (m - 1) frames ago */
	size_t ndry, kdry;
	float *pad;            /* the output delayed to a granule */
	size_t npad, kpad;
};

/* The low-pass's magnitude at `f`: (sin(pi f m / fs) / (m sin(pi f / fs)))^4 */
static double lp_gain(double f, double rate, size_t m)
{
	double a = sin(M_PI * f * (double)m / rate);
	double b = (double)m * sin(M_PI * f / rate);

	return pow(a / b, STAGES);
}

struct pm_linhp *pm_linhp_new(uint32_t rate, double freq_hz, size_t granule,
			      struct pm_err *err)
{
	struct pm_linhp *f;
	size_t m, best = 0, lo, hi, s;
	double want = 1.0 - sqrt(0.5), dbest = HUGE_VAL;

	if (!(freq_hz >= 10) || freq_hz > rate / 80.0) {
		pm_err_set(err, PM_EINVAL,
			   "a linear-phase high-pass at %g Hz: the corner must be 10 Hz to %g Hz",
			   freq_hz, rate / 80.0);
		return NULL;
	}
	/* 1 - LP at the corner is 1/sqrt(2): near m = 0.417 fs / fc */
	lo = (size_t)(0.3 * rate / freq_hz) | 1;
	hi = (size_t)(0.6 * rate / freq_hz) | 1;
	for (m = lo; m <= hi; m += 2) {
		double d = fabs(lp_gain(freq_hz, rate, m) - want);

		if (d < dbest) {
			dbest = d;
			best = m;
		}
	}
	f = pm_calloc(1, sizeof(*f), err);
	if (!f)
		return NULL;
	f->m = best;
	f->ndry = 2 * (best - 1);
	f->delay = f->ndry;
	if (granule > 1 && f->delay % granule)
		f->delay += granule - f->delay % granule;
	f->npad = f->delay - f->ndry;
	for (s = 0; s < STAGES; s++) {
		f->ring[s] = pm_calloc(best * 2, sizeof(double), err);
		if (!f->ring[s])
			goto fail;
	}
	f->dry = pm_calloc(f->ndry * 2, sizeof(float), err);
	f->pad = pm_calloc((f->npad ? f->npad : 1) * 2, sizeof(float), err);
	if (!f->dry || !f->pad)
		goto fail;
	return f;
fail:
	pm_linhp_free(f);
	return NULL;
}

void pm_linhp_free(struct pm_linhp *f)
{
	if (!f)
		return;
	for (size_t s = 0; s < STAGES; s++)
		free(f->ring[s]);
	free(f->dry);
	free(f->pad);
	free(f);
}

size_t pm_linhp_delay(const struct pm_linhp *f)
{
	return f->delay;
}

void pm_linhp_process(struct pm_linhp *f, float *buf, size_t n)
{
	double inv = 1.0 / (double)f->m;

	for (size_t j = 0; j < n; j++) {
		for (unsigned c = 0; c < 2; c++) {
			double v = buf[2 * j + c];
			float x = buf[2 * j + c], dry, y;

			for (size_t s = 0; s < STAGES; s++) {
				double *slot = &f->ring[s][2 * f->k + c];

				f->sum[s][c] += v - *slot;
				*slot = v;
				v = f->sum[s][c] * inv;
			}
			dry = f->dry[2 * f->kdry + c];
			f->dry[2 * f->kdry + c] = x;
			y = (float)((double)dry - v);
			if (f->npad) {
				float z = f->pad[2 * f->kpad + c];

				f->pad[2 * f->kpad + c] = y;
				y = z;
			}
			buf[2 * j + c] = y;
		}
		if (++f->kdry == f->ndry)
			f->kdry = 0;
		if (f->npad && ++f->kpad == f->npad)
			f->kpad = 0;
		if (++f->k == f->m) {
			/*
			 * Each time round, the sums are made again from
			 * their rings, so that rounding cannot build up over
			 * an album's worth of additions and subtractions.
			 */
			f->k = 0;
			for (size_t s = 0; s < STAGES; s++)
				for (unsigned c = 0; c < 2; c++) {
					double t = 0;

					for (size_t i = 0; i < f->m; i++)
						t += f->ring[s][2 * i + c];
					f->sum[s][c] = t;
				}
		}
	}
}
