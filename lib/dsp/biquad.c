/* SPDX-License-Identifier: GPL-3.0-or-later */
/* biquad.c: RBJ cookbook sections and a blocked cascade processor. */
#include <config.h>

#include "dsp/biquad.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/simd.h"

#include "util/banned.h"


/* Frames per inner block. */
#define BLOCK 256
/* Sections run together per pass over a block (state kept in registers). */
#define GROUP 4

const struct pm_biquad pm_biquad_identity = { 1.0, 0.0, 0.0, 0.0, 0.0 };

#if PM_HAVE_VECTOR
typedef pm_v2d pair;
#else
typedef struct {
	double v[2];
} pair;
#endif

struct pm_biquad_cascade {
	pair buf[BLOCK]; /* one channel pair of a block */
	unsigned channels;
	size_t n;
	struct pm_biquad s[PM_BIQUAD_MAX_SECTIONS];
	/*
	 * Per channel pair, per group of GROUP sections, ns + 1 histories
	 * (the group's input, then each section's output): newest left,
	 * newest right, older left, older right.
	 */
	double *state;
	void (*process)(struct pm_biquad_cascade *c, const float *in,
			float *out, size_t n_samples);
};


static void process_base(struct pm_biquad_cascade *c, const float *in,
			 float *out, size_t n_samples);

/* Histories of state for `n` sections (see the struct). */
static size_t histories(size_t n)
{
	return n + (n + GROUP - 1) / GROUP + (n == 0);
}
#if PM_HAVE_AVX2
static void process_avx2(struct pm_biquad_cascade *c, const float *in,
			 float *out, size_t n_samples);
#endif

int pm_biquad_design(struct pm_biquad *bq, enum pm_biquad_type type,
		     double freq_hz, double gain_db, double q, uint32_t rate,
		     struct pm_err *err)
{
	double w0, cs, sn, alpha, A, sa, b0, b1, b2, a0, a1, a2;

	if (!(rate > 0 && freq_hz > 0.0 && freq_hz < rate / 2.0))
		return pm_err_set(err, PM_EINVAL,
				  "filter frequency %g Hz is "
				  "not between 0 and %g Hz",
				  freq_hz, rate / 2.0);
	if (!(q > 0.0 && q <= 100.0))
		return pm_err_set(err, PM_EINVAL,
				  "filter Q %g is not in "
				  "(0, 100]",
				  q);
	if (!(fabs(gain_db) <= 48.0))
		return pm_err_set(err, PM_EINVAL,
				  "filter gain %g dB is beyond "
				  "+-48 dB",
				  gain_db);

	w0 = 2.0 * M_PI * freq_hz / rate;
	cs = cos(w0);
	sn = sin(w0);
	alpha = sn / (2.0 * q);
	A = pow(10.0, gain_db / 40.0);
	sa = 2.0 * sqrt(A) * alpha;

	switch (type) {
	case PM_BIQUAD_LOWPASS:
	case PM_BIQUAD_HIGHPASS:
		/* the same poles; zeros at Nyquist or at DC */
		b1 = type == PM_BIQUAD_LOWPASS ? 1.0 - cs : -(1.0 + cs);
		b0 = fabs(b1) / 2.0;
		b2 = b0;
		a0 = 1.0 + alpha;
		a1 = -2.0 * cs;
		a2 = 1.0 - alpha;
		break;
	case PM_BIQUAD_LOW_SHELF:
		b0 = A * ((A + 1.0) - (A - 1.0) * cs + sa);
		b1 = 2.0 * A * ((A - 1.0) - (A + 1.0) * cs);
		b2 = A * ((A + 1.0) - (A - 1.0) * cs - sa);
		a0 = (A + 1.0) + (A - 1.0) * cs + sa;
		a1 = -2.0 * ((A - 1.0) + (A + 1.0) * cs);
		a2 = (A + 1.0) + (A - 1.0) * cs - sa;
		break;
	case PM_BIQUAD_HIGH_SHELF:
		b0 = A * ((A + 1.0) + (A - 1.0) * cs + sa);
		b1 = -2.0 * A * ((A - 1.0) + (A + 1.0) * cs);
		b2 = A * ((A + 1.0) + (A - 1.0) * cs - sa);
		a0 = (A + 1.0) - (A - 1.0) * cs + sa;
		a1 = 2.0 * ((A - 1.0) - (A + 1.0) * cs);
		a2 = (A + 1.0) - (A - 1.0) * cs - sa;
		break;
	case PM_BIQUAD_PEAK:
		b0 = 1.0 + alpha * A;
		b1 = -2.0 * cs;
		b2 = 1.0 - alpha * A;
		a0 = 1.0 + alpha / A;
		a1 = -2.0 * cs;
		a2 = 1.0 - alpha / A;
		break;
	case PM_BIQUAD_ALLPASS:
		b0 = 1.0 - alpha;
		b1 = -2.0 * cs;
		b2 = 1.0 + alpha;
		a0 = 1.0 + alpha;
		a1 = -2.0 * cs;
		a2 = 1.0 - alpha;
		break;
	default:
		return pm_err_set(err, PM_EINVAL, "unknown filter type %d",
				  (int)type);
	}
	bq->b0 = b0 / a0;
	bq->b1 = b1 / a0;
	bq->b2 = b2 / a0;
	bq->a1 = a1 / a0;
	bq->a2 = a2 / a0;
	return 0;
}

int pm_biquad_design_band(const struct pm_eq_band *band, uint32_t rate,
			  struct pm_biquad out[2], struct pm_err *err)
{
	/* Butterworth poles of order 4: Q = 1 / (2 cos(k pi / 8)), k = 1, 3 */
	static const double q4[2] = { 0.54119610014619698, 1.3065629648763766 };
	enum pm_biquad_type t;

	/* no section: the chain runs it as a filter of its own (linhp.h) */
	if (band->linear_phase)
		return 0;
	switch (band->type) {
	case PM_EQ_HIGHPASS:
	case PM_EQ_LOWPASS:
		t = band->type == PM_EQ_HIGHPASS ? PM_BIQUAD_HIGHPASS
						 : PM_BIQUAD_LOWPASS;
		if (band->order == 4) {
			for (int i = 0; i < 2; i++)
				if (pm_biquad_design(&out[i], t, band->freq_hz,
						     0.0, q4[i], rate, err) < 0)
					return -1;
			return 2;
		}
		if (band->order != 2 && band->order != 0)
			return pm_err_set(err, PM_EINVAL,
					  "filter order %u "
					  "(2 or 4)",
					  band->order);
		break;
	case PM_EQ_LOW_SHELF:
		t = PM_BIQUAD_LOW_SHELF;
		break;
	case PM_EQ_HIGH_SHELF:
		t = PM_BIQUAD_HIGH_SHELF;
		break;
	case PM_EQ_PEAK:
		t = PM_BIQUAD_PEAK;
		break;
	default:
		return pm_err_set(err, PM_EINVAL, "unknown EQ band type %d",
				  (int)band->type);
	}
	if (pm_biquad_design(&out[0], t, band->freq_hz, band->gain_db,
			     band->q > 0.0 ? band->q : M_SQRT1_2, rate,
			     err) < 0)
		return -1;
	return 1;
}

double pm_biquad_response_db(const struct pm_biquad *s, size_t n,
			     double freq_hz, uint32_t rate)
{
	double w = 2.0 * M_PI * freq_hz / rate;
	double c1 = cos(w), s1 = sin(w), c2 = cos(2 * w), s2 = sin(2 * w);
	double db = 0.0;

	for (size_t i = 0; i < n; i++) {
		/* numerator and denominator at z = e^{jw} */
		double nr = s[i].b0 + s[i].b1 * c1 + s[i].b2 * c2;
		double ni = -s[i].b1 * s1 - s[i].b2 * s2;
		double dr = 1.0 + s[i].a1 * c1 + s[i].a2 * c2;
		double di = -s[i].a1 * s1 - s[i].a2 * s2;

		db += 10.0 * log10((nr * nr + ni * ni) / (dr * dr + di * di));
	}
	return db;
}

struct pm_biquad_cascade *pm_biquad_cascade_new(unsigned channels,
						const struct pm_biquad *s,
						size_t n, struct pm_err *err)
{
	struct pm_biquad_cascade *c;
	size_t pairs = (channels + 1) / 2;

	if (channels < 1 || channels > 8 || n > PM_BIQUAD_MAX_SECTIONS) {
		pm_err_set(err, PM_EINVAL,
			   "filter cascade: %u channels, "
			   "%zu sections",
			   channels, n);
		return NULL;
	}
	c = pm_calloc(1, sizeof(*c), err);
	if (!c)
		return NULL;
	c->channels = channels;
	c->n = n;
	if (n)
		memcpy(c->s, s, n * sizeof(*s));
	c->state = pm_calloc(pairs * histories(n) * 4, sizeof(double), err);
	if (!c->state) {
		free(c);
		return NULL;
	}
	c->process = process_base;
#if PM_HAVE_AVX2
	if (pm_cpu_avx2_fma())
		c->process = process_avx2;
#endif
	return c;
}

struct pm_biquad_cascade *pm_biquad_cascade_new_eq(const struct pm_eq *eq,
						   unsigned channels,
						   uint32_t rate,
						   struct pm_err *err)
{
	struct pm_biquad s[PM_BIQUAD_MAX_SECTIONS];
	size_t n = 0;

	for (size_t i = 0; eq && i < eq->nbands; i++) {
		int k;

		if (n + 2 > PM_BIQUAD_MAX_SECTIONS) {
			pm_err_set(err, PM_EINVAL, "too many EQ bands");
			return NULL;
		}
		k = pm_biquad_design_band(&eq->bands[i], rate, s + n, err);
		if (k < 0)
			return NULL;
		n += (size_t)k;
	}
	return pm_biquad_cascade_new(channels, s, n, err);
}

/*
 * Both channels of a pair go through the same recursion side by side, as
 * one two-lane value: two independent recursions for the CPU to overlap,
 * and one SIMD register where the compiler has vector extensions.
 */
#if PM_HAVE_VECTOR
static PM_ALWAYS_INLINE pair pr_make(double l, double r)
{
	pair p = { l, r };

	return p;
}

/* b0 x + b1 x1 + b2 x2 - a2 y2: everything but the newest feedback */
static PM_ALWAYS_INLINE pair pr_df1_feed(pair x, pair x1, pair x2, pair y2,
				      const struct pm_biquad *s)
{
	return s->b0 * x + s->b1 * x1 + s->b2 * x2 - s->a2 * y2;
}

static PM_ALWAYS_INLINE pair pr_msub1(pair t, pair y1, double a1)
{
	return t - a1 * y1;
}

#define PR_L(p) ((p)[0])
#define PR_R(p) ((p)[1])
#else
static PM_ALWAYS_INLINE pair pr_make(double l, double r)
{
	pair p = { { l, r } };

	return p;
}

static PM_ALWAYS_INLINE pair pr_df1_feed(pair x, pair x1, pair x2, pair y2,
				      const struct pm_biquad *s)
{
	return pr_make(s->b0 * x.v[0] + s->b1 * x1.v[0] + s->b2 * x2.v[0] -
			       s->a2 * y2.v[0],
		       s->b0 * x.v[1] + s->b1 * x1.v[1] + s->b2 * x2.v[1] -
			       s->a2 * y2.v[1]);
}

static PM_ALWAYS_INLINE pair pr_msub1(pair t, pair y1, double a1)
{
	return pr_make(t.v[0] - a1 * y1.v[0], t.v[1] - a1 * y1.v[1]);
}

#define PR_L(p) ((p).v[0])
#define PR_R(p) ((p).v[1])
#endif

static double flush(double v)
{
	return fabs(v) < 1e-30 ? 0.0 : v;
}

/*
 * Run `ns` (a constant in each caller, so the section loop unrolls and the
 * state stays in registers) sections over a block of channel pairs, in
 * direct form I.  `st` holds ns + 1 histories of two pairs each (newest,
 * older): the group's input, then each section's output, which is the
 * next section's input.  Each output takes the older feedback term first
 * and the newest last, so one multiply-add separates an output from the
 * one before: the recursion runs at the speed of that one instruction,
 * where the transposed form needs two in a row.
 */
static PM_ALWAYS_INLINE void run_group(pair *buf, size_t nb,
				    const struct pm_biquad *s, double *st,
				    const int ns)
{
	pair h1[GROUP + 1], h2[GROUP + 1], v[GROUP + 1];

	/* the loops over sections must unroll for the state to be registers */
#pragma GCC unroll 8
	for (int j = 0; j <= ns; j++) {
		h1[j] = pr_make(st[4 * j], st[4 * j + 1]);
		h2[j] = pr_make(st[4 * j + 2], st[4 * j + 3]);
	}
	for (size_t i = 0; i < nb; i++) {
		v[0] = buf[i];
#pragma GCC unroll 8
		for (int k = 0; k < ns; k++) {
			pair t = pr_df1_feed(v[k], h1[k], h2[k], h2[k + 1],
					     &s[k]);

			v[k + 1] = pr_msub1(t, h1[k + 1], s[k].a1);
		}
#pragma GCC unroll 8
		for (int j = 0; j <= ns; j++) {
			h2[j] = h1[j];
			h1[j] = v[j];
		}
		buf[i] = v[ns];
	}
	/*
	 * Flush decaying state to zero long before it could reach the
	 * denormal range, where arithmetic turns slow.
	 */
#pragma GCC unroll 8
	for (int j = 0; j <= ns; j++) {
		st[4 * j] = flush(PR_L(h1[j]));
		st[4 * j + 1] = flush(PR_R(h1[j]));
		st[4 * j + 2] = flush(PR_L(h2[j]));
		st[4 * j + 3] = flush(PR_R(h2[j]));
	}
}

static PM_ALWAYS_INLINE void run_sections(struct pm_biquad_cascade *c, double *st,
				       size_t nb)
{
	for (size_t k = 0; k < c->n; k += GROUP) {
		const struct pm_biquad *s = c->s + k;
		/*
		 * Each group keeps its own copy of its input's history: the
		 * group before it has already moved its output's on.
		 */
		double *t = st + 4 * (k + k / GROUP);

		switch (c->n - k) {
		case 1:
			run_group(c->buf, nb, s, t, 1);
			break;
		case 2:
			run_group(c->buf, nb, s, t, 2);
			break;
		case 3:
			run_group(c->buf, nb, s, t, 3);
			break;
		default:
			run_group(c->buf, nb, s, t, GROUP);
			break;
		}
	}
}

static PM_ALWAYS_INLINE void process_body(struct pm_biquad_cascade *c,
				       const float *in, float *out,
				       size_t n_samples)
{
	unsigned nch = c->channels;

	while (n_samples > 0) {
		size_t nb = n_samples < BLOCK ? n_samples : BLOCK;

		if (nch == 2) {
			/* one pair per frame, with no test per frame */
			for (size_t i = 0; i < nb; i++)
				c->buf[i] = pr_make(in[2 * i], in[2 * i + 1]);
			run_sections(c, c->state, nb);
			for (size_t i = 0; i < nb; i++) {
				out[2 * i] = (float)PR_L(c->buf[i]);
				out[2 * i + 1] = (float)PR_R(c->buf[i]);
			}
			in += nb * nch;
			out += nb * nch;
			n_samples -= nb;
			continue;
		}
		for (unsigned ch = 0; ch < nch; ch += 2) {
			bool two = ch + 1 < nch;
			double *st = c->state + (size_t)(ch / 2) * histories(c->n) * 4;

			if (nch == 2) {
				for (size_t i = 0; i < nb; i++)
					c->buf[i] = pr_make(in[2 * i],
							    in[2 * i + 1]);
			} else {
				for (size_t i = 0; i < nb; i++)
					c->buf[i] = pr_make(
						in[i * nch + ch],
						two ? in[i * nch + ch + 1]
						    : 0.0);
			}
			run_sections(c, st, nb);
			for (size_t i = 0; i < nb; i++) {
				out[i * nch + ch] = (float)PR_L(c->buf[i]);
				if (two)
					out[i * nch + ch + 1] =
						(float)PR_R(c->buf[i]);
			}
		}
		in += nb * nch;
		out += nb * nch;
		n_samples -= nb;
	}
}

static void process_base(struct pm_biquad_cascade *c, const float *in,
			 float *out, size_t n_samples)
{
	process_body(c, in, out, n_samples);
}

#if PM_HAVE_AVX2
/* The same loop where a multiply-add is one FMA instruction. */
PM_TARGET_AVX2 static void
process_avx2(struct pm_biquad_cascade *c, const float *in, float *out,
	     size_t n_samples)
{
	process_body(c, in, out, n_samples);
}
#endif

void pm_biquad_cascade_process(struct pm_biquad_cascade *c, const float *in,
			       float *out, size_t n_samples)
{
	if (c->n == 0) {
		if (in != out)
			memmove(out, in, n_samples * c->channels * sizeof(float));
		return;
	}
	c->process(c, in, out, n_samples);
}

void pm_biquad_cascade_reset(struct pm_biquad_cascade *c)
{
	size_t pairs = (c->channels + 1) / 2;

	memset(c->state, 0, pairs * histories(c->n) * 4 * sizeof(double));
}

size_t pm_biquad_cascade_sections(const struct pm_biquad_cascade *c)
{
	return c->n;
}

void pm_biquad_cascade_free(struct pm_biquad_cascade *c)
{
	if (!c)
		return;
	free(c->state);
	free(c);
}
