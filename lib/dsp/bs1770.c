/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bs1770.c: K-weighting, 100 ms energies, BS.1770 gating from them. */
#include <config.h>

#include "dsp/bs1770.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/db.h"
#include "util/simd.h"

#include "util/banned.h"




struct pm_bs1770 {
	unsigned channels;
	uint32_t rate;
	size_t hop;     /* samples in 100 ms */
	size_t fill;    /* samples into the current 100 ms */
	double acc;     /* its weighted sum of squares */
	/* K-weighting: shelf then high-pass, per channel, direct form I */
	double b[2][3], a[2][3];
	double z[2][3][2]; /* [channel][x, y, z][newest, older] */
	double (*weigh)(struct pm_bs1770 *m, const float *x, size_t n);
	double *e;      /* mean square per 100 ms, channels summed */
	size_t ne, cap;
};

/*
 * The BS.1770 filters for any rate, from the analogue prototypes that
 * give its published 48 kHz coefficients: a high shelf of +4 dB at
 * 1681.97 Hz and a high-pass at 38.135 Hz (the parameters libebur128 and
 * pyloudnorm use).
 */
static void design(struct pm_bs1770 *m)
{
	const double pi = 3.14159265358979323846;
	double f0 = 1681.974450955533, g = 3.999843853973347;
	double q = 0.7071752369554196, k, vh, vb, a0;

	k = tan(pi * f0 / m->rate);
	vh = pm_db_to_gain(g);
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

static double weigh_base(struct pm_bs1770 *m, const float *x, size_t n);
#if PM_HAVE_AVX2
static double weigh_avx2(struct pm_bs1770 *m, const float *x, size_t n);
#endif

struct pm_bs1770 *pm_bs1770_new(unsigned channels, uint32_t rate,
				struct pm_err *err)
{
	struct pm_bs1770 *m;

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
	m->weigh = weigh_base;
#if PM_HAVE_AVX2
	if (pm_cpu_avx2_fma())
		m->weigh = weigh_avx2;
#endif
	return m;
}

const double *pm_bs1770_blocks(const struct pm_bs1770 *m, size_t *n)
{
	*n = m->ne;
	return m->e;
}

void pm_bs1770_free(struct pm_bs1770 *m)
{
	if (!m)
		return;
	free(m->e);
	free(m);
}

static int push(struct pm_bs1770 *m, double ms, struct pm_err *err)
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
 * Both channels side by side as one two-lane value (one SSE2 register),
 * so that their recursions overlap, in direct form I: each stage's
 * feedback reaches its next output through a single multiply-add (the
 * older outputs are folded in first), where the transposed form needs
 * two in a row.  The loop is compiled twice, once for the baseline and
 * once with AVX2 and FMA, where a multiply-add is one instruction; the
 * meter picks the one this CPU runs.  Both give results far inside the
 * tolerances to libebur128 (t-bs1770); each is deterministic.
 */
#if PM_HAVE_VECTOR
/*
 * One frame `v` through both stages, on vectors of any width: the
 * shelf's output into `y`, the high-pass's into `z`, its square added to
 * `sum`, the histories moved on.  One definition, so that the two-lane
 * and the four-lane loops do the same arithmetic.
 */
#define K_STEP(v, y, t, z)                                         \
	do {                                                       \
		/* the shelf */                                    \
		t = b0 * v + b1 * x1 + b2 * x2 - a2 * y2;          \
		y = t - a1 * y1;                                   \
		/* the high-pass: numerator 1, -2, 1 */            \
		t = y - two * y1 + y2 - c2 * z2;                   \
		z = t - c1 * z1;                                   \
		sum += z * z;                                      \
		x2 = x1;                                           \
		x1 = v;                                            \
		y2 = y1;                                           \
		y1 = y;                                            \
		z2 = z1;                                           \
		z1 = z;                                            \
	} while (0)

/*
 * Frames `n` of `channels` (1 or 2, a constant in each caller) through
 * both stages; returns the sum of squares of both channels.
 */
static PM_ALWAYS_INLINE double weigh_body(struct pm_bs1770 *m, const float *x,
				       size_t n, const unsigned channels)
{
	const pm_v2d b0 = { m->b[0][0], m->b[0][0] };
	const pm_v2d b1 = { m->b[0][1], m->b[0][1] };
	const pm_v2d b2 = { m->b[0][2], m->b[0][2] };
	const pm_v2d a1 = { m->a[0][1], m->a[0][1] };
	const pm_v2d a2 = { m->a[0][2], m->a[0][2] };
	const pm_v2d c1 = { m->a[1][1], m->a[1][1] };
	const pm_v2d c2 = { m->a[1][2], m->a[1][2] };
	const pm_v2d two = { 2.0, 2.0 };
	pm_v2d x1 = { m->z[0][0][0], m->z[1][0][0] };
	pm_v2d x2 = { m->z[0][0][1], m->z[1][0][1] };
	pm_v2d y1 = { m->z[0][1][0], m->z[1][1][0] };
	pm_v2d y2 = { m->z[0][1][1], m->z[1][1][1] };
	pm_v2d z1 = { m->z[0][2][0], m->z[1][2][0] };
	pm_v2d z2 = { m->z[0][2][1], m->z[1][2][1] };
	pm_v2d sum = { 0.0, 0.0 };
	size_t i;

	for (i = 0; i < n; i++) {
		pm_v2d v, t, y, z;

		if (channels == 2) {
			v[0] = x[2 * i];
			v[1] = x[2 * i + 1];
		} else {
			v[0] = x[i];
			v[1] = 0.0;
		}
		K_STEP(v, y, t, z);
	}
	m->z[0][0][0] = x1[0];
	m->z[1][0][0] = x1[1];
	m->z[0][0][1] = x2[0];
	m->z[1][0][1] = x2[1];
	m->z[0][1][0] = y1[0];
	m->z[1][1][0] = y1[1];
	m->z[0][1][1] = y2[0];
	m->z[1][1][1] = y2[1];
	m->z[0][2][0] = z1[0];
	m->z[1][2][0] = z1[1];
	m->z[0][2][1] = z2[0];
	m->z[1][2][1] = z2[1];
	return sum[0] + sum[1];
}
#else
static double weigh_body(struct pm_bs1770 *m, const float *x, size_t n,
			 const unsigned channels)
{
	double sum = 0;

	for (unsigned c = 0; c < channels; c++) {
		double *s = &m->z[c][0][0];

		for (size_t i = 0; i < n; i++) {
			double v = x[i * channels + c], t, y, z;

			t = m->b[0][0] * v + m->b[0][1] * s[0] +
			    m->b[0][2] * s[1] - m->a[0][2] * s[3];
			y = t - m->a[0][1] * s[2];
			t = y - 2.0 * s[2] + s[3] - m->a[1][2] * s[5];
			z = t - m->a[1][1] * s[4];
			sum += z * z;
			s[1] = s[0];
			s[0] = v;
			s[3] = s[2];
			s[2] = y;
			s[5] = s[4];
			s[4] = z;
		}
	}
	return sum;
}
#endif

static double weigh_base(struct pm_bs1770 *m, const float *x, size_t n)
{
	return m->channels == 2 ? weigh_body(m, x, n, 2)
				: weigh_body(m, x, n, 1);
}

#if PM_HAVE_AVX2
PM_TARGET_AVX2 static double
weigh_avx2(struct pm_bs1770 *m, const float *x, size_t n)
{
	return m->channels == 2 ? weigh_body(m, x, n, 2)
				: weigh_body(m, x, n, 1);
}
#endif

#if PM_HAVE_AVX2
/*
 * Two stereo meters at once, four lanes: the first meter's channels in
 * lanes 0 and 1, the second's in 2 and 3.  Each lane does what
 * weigh_body() does for its channel, in the same order, so each meter
 * gets the sums it would get alone; the recursions of four channels
 * overlap where two did, and one AVX2 instruction does the work of two.
 */
PM_TARGET_AVX2 static void weigh_pair_avx2(struct pm_bs1770 *m,
					   const float *x, struct pm_bs1770 *o,
					   const float *y, size_t n,
					   double *sm, double *so)
{
#define PM_K4(v) { m->v, m->v, o->v, o->v }
	const pm_v4d b0 = PM_K4(b[0][0]), b1 = PM_K4(b[0][1]);
	const pm_v4d b2 = PM_K4(b[0][2]), a1 = PM_K4(a[0][1]);
	const pm_v4d a2 = PM_K4(a[0][2]), c1 = PM_K4(a[1][1]);
	const pm_v4d c2 = PM_K4(a[1][2]);
#undef PM_K4
#define PM_Z4(k, l) { m->z[0][k][l], m->z[1][k][l], o->z[0][k][l], o->z[1][k][l] }
	pm_v4d x1 = PM_Z4(0, 0), x2 = PM_Z4(0, 1);
	pm_v4d y1 = PM_Z4(1, 0), y2 = PM_Z4(1, 1);
	pm_v4d z1 = PM_Z4(2, 0), z2 = PM_Z4(2, 1);
#undef PM_Z4
	const pm_v4d two = { 2.0, 2.0, 2.0, 2.0 };
	pm_v4d sum = { 0.0, 0.0, 0.0, 0.0 };

	for (size_t i = 0; i < n; i++) {
		pm_v4d v = { x[2 * i], x[2 * i + 1], y[2 * i], y[2 * i + 1] };
		pm_v4d t, w, z;

		K_STEP(v, w, t, z);
	}
	for (int c = 0; c < 2; c++) {
		m->z[c][0][0] = x1[c];
		m->z[c][0][1] = x2[c];
		m->z[c][1][0] = y1[c];
		m->z[c][1][1] = y2[c];
		m->z[c][2][0] = z1[c];
		m->z[c][2][1] = z2[c];
		o->z[c][0][0] = x1[2 + c];
		o->z[c][0][1] = x2[2 + c];
		o->z[c][1][0] = y1[2 + c];
		o->z[c][1][1] = y2[2 + c];
		o->z[c][2][0] = z1[2 + c];
		o->z[c][2][1] = z2[2 + c];
	}
	*sm = sum[0] + sum[1];
	*so = sum[2] + sum[3];
}
#endif

/* Zero for state small enough to head for the (slow) denormal range. */
static void flush_state(struct pm_bs1770 *m)
{
	double *z = &m->z[0][0][0];

	for (size_t i = 0; i < sizeof(m->z) / sizeof(m->z[0][0][0]); i++)
		if (fabs(z[i]) < 1e-30)
			z[i] = 0.0;
}

int pm_bs1770_add(struct pm_bs1770 *m, const float *buf, size_t n_samples,
		  struct pm_err *err)
{
	while (n_samples > 0) {
		size_t k = m->hop - m->fill;

		if (k > n_samples)
			k = n_samples;
		m->acc += m->weigh(m, buf, k);
		m->fill += k;
		buf += k * m->channels;
		n_samples -= k;
		if (m->fill == m->hop) {
			if (push(m, m->acc / (double)m->hop, err) < 0)
				return -1;
			m->acc = 0;
			m->fill = 0;
			flush_state(m);
		}
	}
	return 0;
}

int pm_bs1770_add_pair(struct pm_bs1770 *m, const float *x,
		       struct pm_bs1770 *o, const float *y, size_t n_samples,
		       struct pm_err *err)
{
#if PM_HAVE_AVX2
	/* side by side while both are stereo and their 100 ms agree */
	if (m->weigh == weigh_avx2 && o->weigh == weigh_avx2 &&
	    m->channels == 2 && o->channels == 2 && m->hop == o->hop &&
	    m->fill == o->fill) {
		while (n_samples > 0) {
			size_t k = m->hop - m->fill;
			double sm, so;

			if (k > n_samples)
				k = n_samples;
			weigh_pair_avx2(m, x, o, y, k, &sm, &so);
			m->acc += sm;
			o->acc += so;
			m->fill += k;
			o->fill += k;
			x += 2 * k;
			y += 2 * k;
			n_samples -= k;
			if (m->fill == m->hop) {
				if (push(m, m->acc / (double)m->hop, err) < 0 ||
				    push(o, o->acc / (double)o->hop, err) < 0)
					return -1;
				m->acc = o->acc = 0;
				m->fill = o->fill = 0;
				flush_state(m);
				flush_state(o);
			}
		}
		return 0;
	}
#endif
	if (pm_bs1770_add(m, x, n_samples, err) < 0)
		return -1;
	return pm_bs1770_add(o, y, n_samples, err);
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
static double gated(struct pm_bs1770 *const *m, size_t n)
{
	const double abs_gate = pm_db_to_power(-70.0 + 0.691);
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
	rel = sum / (double)count * pm_db_to_power(-10.0);
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

double pm_bs1770_integrated(const struct pm_bs1770 *m)
{
	struct pm_bs1770 *const one[1] = { (struct pm_bs1770 *)(uintptr_t)m };

	return gated(one, 1);
}

double pm_bs1770_global(struct pm_bs1770 *const *m, size_t n)
{
	return gated(m, n);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Tech 3342: 3 s blocks every second, gated, 10th to 95th percentile. */
static double range(struct pm_bs1770 *const *m, size_t n)
{
	const double abs_gate = pm_db_to_power(-70.0 + 0.691);
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
	rel = sum / (double)nv * pm_db_to_power(-20.0);
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

double pm_bs1770_range(const struct pm_bs1770 *m)
{
	struct pm_bs1770 *const one[1] = { (struct pm_bs1770 *)(uintptr_t)m };

	return range(one, 1);
}

double pm_bs1770_global_range(struct pm_bs1770 *const *m, size_t n)
{
	return range(m, n);
}

static double max_window(const struct pm_bs1770 *m, size_t len)
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

double pm_bs1770_max_momentary(const struct pm_bs1770 *m)
{
	return max_window(m, 4);
}

double pm_bs1770_max_shortterm(const struct pm_bs1770 *m)
{
	return max_window(m, 30);
}
