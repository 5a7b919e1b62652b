/* SPDX-License-Identifier: GPL-3.0-or-later */
/* resample.c: streaming SRC over libsoxr (its only includer). */
#include <config.h>

#include "dsp/resample.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <soxr.h>

#include "util/banned.h"

struct pm_resampler {
	soxr_t soxr; /* NULL when the rates are equal */
	unsigned channels;
	uint32_t in_rate, out_rate;
	uint64_t in_total;  /* frames fed in this stream */
	uint64_t out_total; /* frames given out in this stream */
};

/* round(n * out / in) for n < 2^43 frames (over a year at 192 kHz). */
static uint64_t scaled_round(uint64_t n, uint32_t in, uint32_t out)
{
	return (n * out + in / 2) / in;
}

static uint64_t scaled_ceil(uint64_t n, uint32_t in, uint32_t out)
{
	return (n * out + in - 1) / in;
}

int64_t pm_resample_length(int64_t in_samples, uint32_t in_rate,
			   uint32_t out_rate)
{
	if (in_samples <= 0 || in_rate == 0)
		return 0;
	return (int64_t)scaled_round((uint64_t)in_samples, in_rate, out_rate);
}

struct pm_resampler *pm_resample_new(unsigned channels, uint32_t in_rate,
				     uint32_t out_rate, struct pm_err *err)
{
	struct pm_resampler *r;
	soxr_error_t e = NULL;
	soxr_io_spec_t io;
	soxr_quality_spec_t q;
	soxr_runtime_spec_t rt;

	if (channels < 1 || channels > 8 || in_rate < 8000 ||
	    in_rate > 768000 || out_rate < 8000 || out_rate > 768000) {
		pm_err_set(err, PM_EINVAL,
			   "resampler: %u channels, %lu to "
			   "%lu Hz",
			   channels, (unsigned long)in_rate,
			   (unsigned long)out_rate);
		return NULL;
	}
	r = pm_calloc(1, sizeof(*r), err);
	if (!r)
		return NULL;
	r->channels = channels;
	r->in_rate = in_rate;
	r->out_rate = out_rate;
	if (in_rate == out_rate)
		return r;

	io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
	/*
	 * 28-bit precision (about 170 dB of stop band), the 0.913 default
	 * pass band, linear phase: the "very high quality" of SoX's rate -v,
	 * measured at -150 dB THD+N and -162 dBc aliasing (see
	 * doc/internals/targets.md §6).  One thread: callers parallelise
	 * across tracks.
	 */
	q = soxr_quality_spec(SOXR_VHQ, SOXR_LINEAR_PHASE);
	rt = soxr_runtime_spec(1);
	r->soxr = soxr_create(in_rate, out_rate, channels, &e, &io, &q, &rt);
	if (!r->soxr || e) {
		pm_err_set(err, PM_ESYS, "libsoxr: %s",
			   e ? e : "cannot create a resampler");
		if (r->soxr)
			soxr_delete(r->soxr);
		free(r);
		return NULL;
	}
	return r;
}

size_t pm_resample_room(const struct pm_resampler *r, size_t in_samples)
{
	uint64_t upto;

	if (!r->soxr)
		return in_samples;
	/*
	 * libsoxr never gives out more than the input so far is worth at
	 * the new rate; what it held back comes out with later input.
	 */
	upto = scaled_ceil(r->in_total + in_samples, r->in_rate, r->out_rate);
	return (size_t)(upto - PM_MIN(upto, r->out_total)) + 1;
}

int pm_resample_process(struct pm_resampler *r, const float *in,
			size_t in_samples, float *out, size_t *out_samples,
			struct pm_err *err)
{
	size_t room = pm_resample_room(r, in_samples);
	size_t written = 0;

	*out_samples = 0;
	if (!r->soxr) {
		memmove(out, in, in_samples * r->channels * sizeof(float));
		r->in_total += in_samples;
		r->out_total += in_samples;
		*out_samples = in_samples;
		return 0;
	}
	while (in_samples > 0) {
		size_t idone = 0, odone = 0;
		soxr_error_t e;

		e = soxr_process(r->soxr, in, in_samples, &idone,
				 out + written * r->channels, room - written,
				 &odone);
		if (e)
			return pm_err_set(err, PM_ESYS, "libsoxr: %s", e);
		if (idone == 0 && odone == 0)
			return pm_err_set(err, PM_ESYS,
					  "libsoxr: no progress "
					  "with %zu frames of room",
					  room - written);
		in += idone * r->channels;
		in_samples -= idone;
		r->in_total += idone;
		written += odone;
	}
	r->out_total += written;
	*out_samples = written;
	return 0;
}

size_t pm_resample_flush_room(const struct pm_resampler *r)
{
	uint64_t total = scaled_round(r->in_total, r->in_rate, r->out_rate);

	return (size_t)(total - PM_MIN(total, r->out_total));
}

int pm_resample_flush(struct pm_resampler *r, float *out, size_t *out_samples,
		      struct pm_err *err)
{
	size_t want = pm_resample_flush_room(r);
	size_t written = 0;

	*out_samples = 0;
	if (r->soxr) {
		while (written < want) {
			size_t odone = 0;
			soxr_error_t e;

			/* a NULL input tells libsoxr the stream has ended */
			e = soxr_process(r->soxr, NULL, 0, NULL,
					 out + written * r->channels,
					 want - written, &odone);
			if (e)
				return pm_err_set(err, PM_ESYS, "libsoxr: %s",
						  e);
			if (odone == 0)
				break;
			written += odone;
		}
		/*
		 * Should the filter's tail come up short of the exact
		 * length, the rest is silence (what the tail decays to).
		 */
		memset(out + written * r->channels, 0,
		       (want - written) * r->channels * sizeof(float));
		soxr_clear(r->soxr);
	}
	*out_samples = want;
	r->in_total = 0;
	r->out_total = 0;
	return 0;
}

void pm_resample_free(struct pm_resampler *r)
{
	if (!r)
		return;
	if (r->soxr)
		soxr_delete(r->soxr);
	free(r);
}

const char *pm_resample_version(void)
{
	return soxr_version();
}
