/* SPDX-License-Identifier: GPL-3.0-or-later */
/* loudness.c: the reference meter, over libebur128 (its only includer). */
#include <config.h>

#include "dsp/loudness.h"

#include <math.h>
#include <stdlib.h>

#include <ebur128.h>

#include "util/db.h"

#include "util/banned.h"

struct pm_meter {
	ebur128_state *st;
	unsigned channels;
	unsigned flags;
	uint64_t hop_samples; /* 100 ms as libebur128 counts it */
	uint64_t into_hop;    /* frames fed since the last 100 ms mark */
	double max_momentary_lufs;
	double max_shortterm_lufs;
};

/* libebur128 status to our codes. */
static int ebur_fail(int rc, const char *what, struct pm_err *err)
{
	if (rc == EBUR128_ERROR_NOMEM)
		return pm_err_set(err, PM_ENOMEM, "%s: out of memory", what);
	return pm_err_set(err, PM_EINVAL, "%s: libebur128 error %d", what, rc);
}

struct pm_meter *pm_meter_new(unsigned channels, uint32_t rate, unsigned flags,
			      struct pm_err *err)
{
	struct pm_meter *m;
	int mode = EBUR128_MODE_I |
		   (flags & PM_METER_EXACT ? 0 : EBUR128_MODE_HISTOGRAM);

	if (channels < 1 || channels > 8) {
		pm_err_set(err, PM_EINVAL, "meter: %u channels (1 to 8)",
			   channels);
		return NULL;
	}
	if (rate < 8000 || rate > 768000) {
		pm_err_set(err, PM_EINVAL, "meter: sample rate %lu Hz",
			   (unsigned long)rate);
		return NULL;
	}
	if (flags & PM_METER_LRA)
		mode |= EBUR128_MODE_LRA;
	if (flags & PM_METER_MAX)
		mode |= EBUR128_MODE_S;
	if (flags & PM_METER_SAMPLE_PEAK)
		mode |= EBUR128_MODE_SAMPLE_PEAK;
	if (flags & PM_METER_TRUE_PEAK)
		mode |= EBUR128_MODE_TRUE_PEAK;

	m = pm_calloc(1, sizeof(*m), err);
	if (!m)
		return NULL;
	m->st = ebur128_init(channels, rate, mode);
	if (!m->st) {
		free(m);
		pm_err_set(err, PM_ENOMEM,
			   "meter: cannot create a libebur128 "
			   "state");
		return NULL;
	}
	/*
	 * libebur128's default map measures channel 0 as left, 1 as right,
	 * 2 as centre; so mono is one channel, as BS.1770 wants, and stereo
	 * is left plus right.
	 */
	m->channels = channels;
	m->flags = flags;
	m->hop_samples = ((uint64_t)rate + 5) / 10;
	m->max_momentary_lufs = -HUGE_VAL;
	m->max_shortterm_lufs = -HUGE_VAL;
	return m;
}

/* Note the momentary and short-term levels at a 100 ms mark. */
static int note_maxima(struct pm_meter *m, struct pm_err *err)
{
	double v;
	int rc;

	rc = ebur128_loudness_momentary(m->st, &v);
	if (rc != EBUR128_SUCCESS)
		return ebur_fail(rc, "momentary loudness", err);
	if (v > m->max_momentary_lufs)
		m->max_momentary_lufs = v;
	rc = ebur128_loudness_shortterm(m->st, &v);
	if (rc != EBUR128_SUCCESS)
		return ebur_fail(rc, "short-term loudness", err);
	if (v > m->max_shortterm_lufs)
		m->max_shortterm_lufs = v;
	return 0;
}

int pm_meter_add(struct pm_meter *m, const float *buf, int64_t n_samples,
		 struct pm_err *err)
{
	if (n_samples < 0)
		return pm_err_set(err, PM_EINVAL, "meter: negative length");
	while (n_samples > 0) {
		uint64_t n = (uint64_t)n_samples;
		int rc;

		/*
		 * Maxima are sampled every 100 ms from the start, as the
		 * momentary and short-term meters of Tech 3341 are; so feed
		 * up to the next mark and look there.
		 */
		if ((m->flags & PM_METER_MAX) &&
		    n > m->hop_samples - m->into_hop)
			n = m->hop_samples - m->into_hop;
		if (n > ((uint64_t)1 << 30))
			n = (uint64_t)1 << 30;
		rc = ebur128_add_frames_float(m->st, buf, (size_t)n);
		if (rc != EBUR128_SUCCESS)
			return ebur_fail(rc, "meter", err);
		buf += n * m->channels;
		n_samples -= (int64_t)n;
		if (m->flags & PM_METER_MAX) {
			m->into_hop += n;
			if (m->into_hop == m->hop_samples) {
				m->into_hop = 0;
				if (note_maxima(m, err) < 0)
					return -1;
			}
		}
	}
	return 0;
}

int pm_meter_result(struct pm_meter *m, struct pm_loudness_result *r,
		    struct pm_err *err)
{
	int rc;

	r->integrated_lufs = -HUGE_VAL;
	r->range_lu = 0.0;
	r->max_momentary_lufs = -HUGE_VAL;
	r->max_shortterm_lufs = -HUGE_VAL;
	r->sample_peak_db = -HUGE_VAL;
	r->true_peak_dbtp = -HUGE_VAL;

	rc = ebur128_loudness_global(m->st, &r->integrated_lufs);
	if (rc != EBUR128_SUCCESS)
		return ebur_fail(rc, "integrated loudness", err);
	if (m->flags & PM_METER_LRA) {
		rc = ebur128_loudness_range(m->st, &r->range_lu);
		if (rc != EBUR128_SUCCESS)
			return ebur_fail(rc, "loudness range", err);
	}
	if (m->flags & PM_METER_MAX) {
		r->max_momentary_lufs = m->max_momentary_lufs;
		r->max_shortterm_lufs = m->max_shortterm_lufs;
	}
	if (m->flags & (PM_METER_SAMPLE_PEAK | PM_METER_TRUE_PEAK)) {
		double sp = 0.0, tp = 0.0;

		for (unsigned c = 0; c < m->channels; c++) {
			double v;

			rc = ebur128_sample_peak(m->st, c, &v);
			if (rc != EBUR128_SUCCESS)
				return ebur_fail(rc, "sample peak", err);
			sp = fmax(sp, v);
			if (m->flags & PM_METER_TRUE_PEAK) {
				rc = ebur128_true_peak(m->st, c, &v);
				if (rc != EBUR128_SUCCESS)
					return ebur_fail(rc, "true peak", err);
				tp = fmax(tp, v);
			}
		}
		if (m->flags & PM_METER_SAMPLE_PEAK)
			r->sample_peak_db = pm_gain_to_db(sp);
		if (m->flags & PM_METER_TRUE_PEAK)
			r->true_peak_dbtp = pm_gain_to_db(tp);
	}
	return 0;
}

/*
 * The libebur128 states of `n` meters, in `stack` when they fit, else in
 * a fresh allocation the caller frees.  NULL when that fails.
 */
static ebur128_state **gather(struct pm_meter *const *m, size_t n,
			      ebur128_state **stack, size_t nstack)
{
	ebur128_state **sts = stack;

	if (n > nstack) {
		sts = calloc(n, sizeof(*sts));
		if (!sts)
			return NULL;
	}
	for (size_t i = 0; i < n; i++)
		sts[i] = m[i] ? m[i]->st : NULL;
	return sts;
}

double pm_meter_global(struct pm_meter *const *m, size_t n)
{
	ebur128_state *stack[64];
	ebur128_state **sts;
	double v = -HUGE_VAL;

	if (n == 0)
		return -HUGE_VAL;
	sts = gather(m, n, stack, PM_ARRAY_SIZE(stack));
	if (!sts)
		return NAN;
	if (ebur128_loudness_global_multiple(sts, n, &v) != EBUR128_SUCCESS)
		v = NAN;
	if (sts != stack)
		free(sts);
	return v;
}

double pm_meter_global_range(struct pm_meter *const *m, size_t n)
{
	ebur128_state *stack[64];
	ebur128_state **sts;
	double v = 0.0;

	if (n == 0)
		return 0.0;
	sts = gather(m, n, stack, PM_ARRAY_SIZE(stack));
	if (!sts)
		return NAN;
	if (ebur128_loudness_range_multiple(sts, n, &v) != EBUR128_SUCCESS)
		v = NAN;
	if (sts != stack)
		free(sts);
	return v;
}

void pm_meter_free(struct pm_meter *m)
{
	if (!m)
		return;
	ebur128_destroy(&m->st);
	free(m);
}
