/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kmeter.c: K-weighting, 100 ms energies, BS.1770 gating from them. */
#include <config.h>

#include "kmeter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

struct pm_kmeter {
	unsigned channels;
	uint32_t rate;
	size_t hop;     /* samples in 100 ms */
	size_t fill;    /* samples into the current 100 ms */
	double acc;     /* its weighted sum of squares */
	/* K-weighting: shelf then high-pass, per channel, transposed DF II */
	double b[2][3], a[2][3];
	double z[2][2][2]; /* [channel][stage][state] */
	double *e;      /* mean square per 100 ms, channels summed */
	size_t ne, cap;
};

/*
 * The BS.1770 filters for any rate, from the analogue prototypes that
 * give its published 48 kHz coefficients: a high shelf of +4 dB at
 * 1681.97 Hz and a high-pass at 38.135 Hz (the parameters libebur128 and
 * pyloudnorm use).
 */
static void design(struct pm_kmeter *m)
{
	const double pi = 3.14159265358979323846;
	double f0 = 1681.974450955533, g = 3.999843853973347;
	double q = 0.7071752369554196, k, vh, vb, a0;

	k = tan(pi * f0 / m->rate);
	vh = pow(10.0, g / 20.0);
	vb = pow(vh, 0.4996667741545416);
	a0 = 1.0 + k / q + k * k;
	m->b[0][0] = (vh + vb * k / q + k * k) / a0;
	m->b[0][1] = 2.0 * (k * k - vh) / a0;
	m->b[0][2] = (vh - vb * k / q + k * k) / a0;
	m->a[0][1] = 2.0 * (k * k - 1.0) / a0;
	m->a[0][2] = (1.0 - k / q + k * k) / a0;

	f0 = 38.13547087602444;
	q = 0.5003270373238773;
	k = tan(pi * f0 / m->rate);
	a0 = 1.0 + k / q + k * k;
	m->b[1][0] = 1.0;
	m->b[1][1] = -2.0;
	m->b[1][2] = 1.0;
	m->a[1][1] = 2.0 * (k * k - 1.0) / a0;
	m->a[1][2] = (1.0 - k / q + k * k) / a0;
}

struct pm_kmeter *pm_kmeter_new(unsigned channels, uint32_t rate,
				struct pm_err *err)
{
	struct pm_kmeter *m;

	if (channels < 1 || channels > 2 || rate < 8000) {
		pm_err_set(err, PM_EINVAL, "the K-meter takes mono or stereo");
		return NULL;
	}
	m = pm_calloc(1, sizeof(*m), err);
	if (!m)
		return NULL;
	m->channels = channels;
	m->rate = rate;
	m->hop = (size_t)((rate + 5) / 10);
	design(m);
	return m;
}

void pm_kmeter_free(struct pm_kmeter *m)
{
	if (!m)
		return;
	free(m->e);
	free(m);
}

static int push(struct pm_kmeter *m, double ms, struct pm_err *err)
{
	if (m->ne == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 1024;
		double *e = pm_reallocarray(m->e, cap, sizeof(*e), err);

		if (!e)
			return -1;
		m->e = e;
		m->cap = cap;
	}
	m->e[m->ne++] = ms;
	return 0;
}

/*
 * One channel of `n` frames through both stages, returning the sum of
 * squares.  The state lives in locals, so the compiler keeps it in
 * registers; the two channels are independent streams.
 */
static double weigh(struct pm_kmeter *m, unsigned c, const float *x,
		    size_t stride, size_t n)
{
	const double b00 = m->b[0][0], b01 = m->b[0][1], b02 = m->b[0][2];
	const double a01 = m->a[0][1], a02 = m->a[0][2];
	const double a11 = m->a[1][1], a12 = m->a[1][2];
	double s0 = m->z[c][0][0], s1 = m->z[c][0][1];
	double t0 = m->z[c][1][0], t1 = m->z[c][1][1];
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		double v = x[i * stride], y, w;

		y = b00 * v + s0;
		s0 = b01 * v - a01 * y + s1;
		s1 = b02 * v - a02 * y;
		w = y + t0;
		t0 = -2.0 * y - a11 * w + t1;
		t1 = y - a12 * w;
		sum += w * w;
	}
	m->z[c][0][0] = s0;
	m->z[c][0][1] = s1;
	m->z[c][1][0] = t0;
	m->z[c][1][1] = t1;
	return sum;
}

int pm_kmeter_add(struct pm_kmeter *m, const float *buf, size_t n_samples,
		  struct pm_err *err)
{
	while (n_samples > 0) {
		size_t k = m->hop - m->fill;
		unsigned c;

		if (k > n_samples)
			k = n_samples;
		for (c = 0; c < m->channels; c++)
			m->acc += weigh(m, c, buf + c, m->channels, k);
		m->fill += k;
		buf += k * m->channels;
		n_samples -= k;
		if (m->fill == m->hop) {
			if (push(m, m->acc / (double)m->hop, err) < 0)
				return -1;
			m->acc = 0;
			m->fill = 0;
		}
	}
	return 0;
}

static double lufs(double ms)
{
	return ms > 0 ? -0.691 + 10.0 * log10(ms) : -HUGE_VAL;
}

/* Mean square of `len` consecutive 100 ms energies from `e`. */
static double window(const double *e, size_t len)
{
	double s = 0;
	size_t i;

	for (i = 0; i < len; i++)
		s += e[i];
	return s / (double)len;
}

/* BS.1770 gating over the 400 ms blocks of several energy lists. */
static double gated(struct pm_kmeter *const *m, size_t n)
{
	const double abs_gate = pow(10.0, (-70.0 + 0.691) / 10.0);
	double sum = 0, rel;
	size_t count = 0, i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j + 4 <= m[i]->ne; j++) {
			double z = window(m[i]->e + j, 4);

			if (z > abs_gate) {
				sum += z;
				count++;
			}
		}
	if (count == 0)
		return -HUGE_VAL;
	rel = sum / (double)count * pow(10.0, -10.0 / 10.0);
	sum = 0;
	count = 0;
	for (i = 0; i < n; i++)
		for (j = 0; j + 4 <= m[i]->ne; j++) {
			double z = window(m[i]->e + j, 4);

			if (z > abs_gate && z > rel) {
				sum += z;
				count++;
			}
		}
	return count ? lufs(sum / (double)count) : -HUGE_VAL;
}

double pm_kmeter_integrated(const struct pm_kmeter *m)
{
	struct pm_kmeter *const one[1] = { (struct pm_kmeter *)(uintptr_t)m };

	return gated(one, 1);
}

double pm_kmeter_global(struct pm_kmeter *const *m, size_t n)
{
	return gated(m, n);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Tech 3342: 3 s blocks every second, gated, 10th to 95th percentile. */
static double range(struct pm_kmeter *const *m, size_t n)
{
	const double abs_gate = pow(10.0, (-70.0 + 0.691) / 10.0);
	double *v = NULL, sum = 0, rel;
	size_t nv = 0, cap = 0, i, j, k, lo, hi;
	double r = 0;

	for (i = 0; i < n; i++)
		for (j = 0; j + 30 <= m[i]->ne; j += 10) {
			double z = window(m[i]->e + j, 30);

			if (z <= abs_gate)
				continue;
			if (nv == cap) {
				double *t;

				cap = cap ? cap * 2 : 256;
				t = realloc(v, cap * sizeof(*v));
				if (!t) {
					free(v);
					return 0;
				}
				v = t;
			}
			v[nv++] = z;
			sum += z;
		}
	if (nv == 0) {
		free(v);
		return 0;
	}
	rel = sum / (double)nv * pow(10.0, -20.0 / 10.0);
	for (i = 0, k = 0; i < nv; i++)
		if (v[i] > rel)
			v[k++] = v[i];
	if (k > 0) {
		qsort(v, k, sizeof(*v), cmp_double);
		lo = (size_t)((double)(k - 1) * 0.10 + 0.5);
		hi = (size_t)((double)(k - 1) * 0.95 + 0.5);
		r = lufs(v[hi]) - lufs(v[lo]);
	}
	free(v);
	return r;
}

double pm_kmeter_range(const struct pm_kmeter *m)
{
	struct pm_kmeter *const one[1] = { (struct pm_kmeter *)(uintptr_t)m };

	return range(one, 1);
}

double pm_kmeter_global_range(struct pm_kmeter *const *m, size_t n)
{
	return range(m, n);
}

static double max_window(const struct pm_kmeter *m, size_t len)
{
	double best = 0;
	size_t j;

	for (j = 0; j + len <= m->ne; j++) {
		double z = window(m->e + j, len);

		if (z > best)
			best = z;
	}
	return lufs(best);
}

double pm_kmeter_max_momentary(const struct pm_kmeter *m)
{
	return max_window(m, 4);
}

double pm_kmeter_max_shortterm(const struct pm_kmeter *m)
{
	return max_window(m, 30);
}
