/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sequence.c: writing a stretch of a timeline to a file, for every
 * deliverable.
 */
#include <config.h>

#include "sequence/sequence-impl.h"

#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* Writing a stretch of a timeline to a file                            */
/* ------------------------------------------------------------------ */

int seq_sink_write(struct sink *s, const float *buf, int64_t n,
		   struct pm_err *err)
{
	if (seq_meter_add(&s->meter, buf, n, err) < 0)
		return -1;
	if (s->rate)
		pm_progress_add((double)n / s->rate);
	if (!s->dither16)
		return pm_audio_write(s->w, buf, n, err);
	pm_dither_s16(&s->dith, buf, s->pcm, (size_t)n, 2);
	return pm_audio_write_s16(s->w, s->pcm, n, err);
}

int seq_sink_silence(struct sink *s, float *buf, int64_t n,
		     struct pm_err *err)
{
	while (n > 0) {
		int64_t k = PM_MIN(n, (int64_t)BLOCK_FRAMES);

		memset(buf, 0, (size_t)k * 2 * sizeof(float));
		if (seq_sink_write(s, buf, k, err) < 0)
			return -1;
		n -= k;
	}
	return 0;
}

