/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * chain.c: the processing chain every target shares: DC removal (only a
 * measured offset, subtracted), EQ, compressor, width, tone match.
 */
#include <config.h>

#include "master/master-impl.h"

#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* The chain every target shares                                        */
/* ------------------------------------------------------------------ */

void master_shared_free(struct shared *s)
{
	pm_biquad_cascade_free(s->track_eq);
	pm_biquad_cascade_free(s->album_eq);
	pm_biquad_cascade_free(s->tone_eq);
	pm_comp_free(s->comp);
	memset(s, 0, sizeof(*s));
}

int master_shared_init(struct shared *s, const struct pm_album *a, size_t i,
		       uint32_t rate, const struct pm_tone_result *tone,
		       struct pm_err *err)
{
	const struct pm_mastering *m = &a->mastering;

	memset(s, 0, sizeof(*s));
	s->gain = 1.0f;
	if (i != PM_DISC) {
		const struct pm_track_master *tm = &a->tracks[i].master;

		if (tm->gain_db != 0)
			s->gain = (float)pm_db_to_gain(tm->gain_db);
		if (tm->eq.nbands) {
			s->track_eq = pm_biquad_cascade_new_eq(&tm->eq, 2, rate, err);
			if (!s->track_eq)
				goto fail;
		}
	}
	if (m->eq.nbands) {
		s->album_eq = pm_biquad_cascade_new_eq(&m->eq, 2, rate, err);
		if (!s->album_eq)
			goto fail;
	}
	if (tone && (tone->low_shelf_db != 0 || tone->high_shelf_db != 0)) {
		struct pm_biquad bq[2];

		if (pm_biquad_design(&bq[0], PM_BIQUAD_LOW_SHELF, 250,
				     tone->low_shelf_db, 0.7071, rate, err) < 0 ||
		    pm_biquad_design(&bq[1], PM_BIQUAD_HIGH_SHELF, 4000,
				     tone->high_shelf_db, 0.7071, rate, err) < 0)
			goto fail;
		s->tone_eq = pm_biquad_cascade_new(2, bq, 2, err);
		if (!s->tone_eq)
			goto fail;
	}
	if (m->comp.enabled) {
		s->comp = pm_comp_new(&m->comp, 2, rate, err);
		if (!s->comp)
			goto fail;
	}
	return 0;
fail:
	master_shared_free(s);
	return -1;
}

void master_shared_process(struct shared *s, float *buf, size_t n)
{
	size_t j;

	if (s->dc[0] != 0.0f || s->dc[1] != 0.0f)
		for (j = 0; j < n; j++) {
			buf[2 * j] -= s->dc[0];
			buf[2 * j + 1] -= s->dc[1];
		}
	if (s->gain != 1.0f)
		for (j = 0; j < n * 2; j++)
			buf[j] *= s->gain;
	if (s->stage_tp[0])
		pm_truepeak_process(s->stage_tp[0], buf, n, NULL);
	if (s->track_eq)
		pm_biquad_cascade_process(s->track_eq, buf, buf, n);
	if (s->stage_tp[1 + PM_STAGE_TRACK_EQ])
		pm_truepeak_process(s->stage_tp[1 + PM_STAGE_TRACK_EQ], buf, n,
				    NULL);
	if (s->album_eq)
		pm_biquad_cascade_process(s->album_eq, buf, buf, n);
	if (s->stage_tp[1 + PM_STAGE_ALBUM_EQ])
		pm_truepeak_process(s->stage_tp[1 + PM_STAGE_ALBUM_EQ], buf, n,
				    NULL);
	if (s->tone_eq)
		pm_biquad_cascade_process(s->tone_eq, buf, buf, n);
	if (s->comp)
		pm_comp_process(s->comp, buf, buf, n);
	if (s->stage_tp[1 + PM_STAGE_COMPRESSOR])
		pm_truepeak_process(s->stage_tp[1 + PM_STAGE_COMPRESSOR], buf,
				    n, NULL);
}
