/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * chain.c: the processing chain every target shares: DC removal (only a
 * measured offset, subtracted, digital silence kept), linear-phase
 * highpasses, EQ, compressor, width, tone match.
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
	for (size_t k = 0; k < s->nlinhp; k++)
		pm_linhp_free(s->linhp[k]);
	memset(s, 0, sizeof(*s));
}

int master_shared_linear(struct shared *s, const struct pm_album *a, size_t i,
			 uint32_t rate, size_t granule, struct pm_err *err)
{
	const struct pm_eq *eqs[2] = { NULL, &a->mastering.eq };

	if (i != PM_DISC)
		eqs[0] = &a->tracks[i].master.eq;
	for (size_t e = 0; e < 2; e++)
		for (size_t k = 0; eqs[e] && k < eqs[e]->nbands; k++) {
			const struct pm_eq_band *b = &eqs[e]->bands[k];

			if (!b->linear_phase)
				continue;
			if (s->nlinhp == PM_ARRAY_SIZE(s->linhp))
				return pm_err_set(err, PM_EINVAL,
						  "too many linear-phase bands");
			s->linhp[s->nlinhp] = pm_linhp_new(rate, b->freq_hz,
							   granule, err);
			if (!s->linhp[s->nlinhp])
				return -1;
			s->nlinhp++;
		}
	return 0;
}

size_t master_shared_delay(const struct shared *s)
{
	size_t d = 0;

	for (size_t k = 0; k < s->nlinhp; k++)
		d += pm_linhp_delay(s->linhp[k]);
	return d;
}

/* Does `eq` have a band made of biquads (not only linear-phase ones)? */
static bool has_biquads(const struct pm_eq *eq)
{
	for (size_t k = 0; k < eq->nbands; k++)
		if (!eq->bands[k].linear_phase)
			return true;
	return false;
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
		if (has_biquads(&tm->eq)) {
			s->track_eq = pm_biquad_cascade_new_eq(&tm->eq, 2, rate, err);
			if (!s->track_eq)
				goto fail;
		}
	}
	if (has_biquads(&m->eq)) {
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

/* ------------------------------------------------------------------ */
/* Digital silence and DC                                               */
/* ------------------------------------------------------------------ */

void master_silence_init(struct silence_scan *sc, uint32_t rate,
			 struct pm_span **v, size_t *n, int64_t *frames)
{
	memset(sc, 0, sizeof(*sc));
	sc->min_frames = PM_MAX((int64_t)rate * PM_DC_SILENCE_MS / 1000, 1);
	sc->v = v;
	sc->n = n;
	sc->frames = frames;
}

static int silence_push(struct silence_scan *sc, int64_t end)
{
	if (sc->zeros >= sc->min_frames) {
		if (*sc->n == sc->cap) {
			size_t cap = sc->cap ? 2 * sc->cap : 16;
			struct pm_span *v = pm_reallocarray(*sc->v, cap,
							     sizeof(*v), NULL);

			if (!v)
				return -1;
			*sc->v = v;
			sc->cap = cap;
		}
		(*sc->v)[*sc->n].start = end - sc->zeros;
		(*sc->v)[*sc->n].end = end;
		(*sc->n)++;
		*sc->frames += sc->zeros;
	}
	sc->zeros = 0;
	return 0;
}

int master_silence_add(struct silence_scan *sc, const float *buf, size_t n)
{
	int any = 0;

	/* most blocks hold no silent frame: one vectorised pass says so */
	for (size_t j = 0; j < n; j++)
		any |= (buf[2 * j] == 0.0f) & (buf[2 * j + 1] == 0.0f);
	if (!any) {
		if (sc->zeros && silence_push(sc, sc->pos) < 0)
			return -1;
		sc->pos += (int64_t)n;
		return 0;
	}
	for (size_t j = 0; j < n; j++) {
		if (buf[2 * j] == 0.0f && buf[2 * j + 1] == 0.0f) {
			sc->zeros++;
			continue;
		}
		if (sc->zeros && silence_push(sc, sc->pos + (int64_t)j) < 0)
			return -1;
	}
	sc->pos += (int64_t)n;
	return 0;
}

int master_silence_finish(struct silence_scan *sc)
{
	return silence_push(sc, sc->pos);
}

/* How much of the DC to take off a frame `d` frames from silence (1..). */
static float dc_ramp(int64_t d, int64_t ramp)
{
	if (d >= ramp)
		return 1.0f;
	return (float)(0.5 - 0.5 * cos(M_PI * (double)d / (double)ramp));
}

void master_dc_cut(struct dc_cut *c, float *buf, size_t n)
{
	int64_t p0 = c->pos, p1 = c->pos + (int64_t)n;
	size_t j, k;

	c->pos = p1;
	if (c->dc[0] == 0.0f && c->dc[1] == 0.0f)
		return;
	while (c->next_silent < c->nsilent &&
	       c->silent[c->next_silent].end + c->ramp <= p0)
		c->next_silent++;
	if (c->next_silent == c->nsilent ||
	    c->silent[c->next_silent].start - c->ramp >= p1) {
		/* the common case: no silence near */
		for (j = 0; j < n; j++) {
			buf[2 * j] -= c->dc[0];
			buf[2 * j + 1] -= c->dc[1];
		}
		return;
	}
	for (j = 0; j < n; j++) {
		int64_t p = p0 + (int64_t)j;
		float w = 1.0f;

		for (k = c->next_silent; k < c->nsilent &&
					 c->silent[k].start - c->ramp <= p;
		     k++) {
			const struct pm_span *sp = &c->silent[k];

			if (p >= sp->end + c->ramp)
				continue;
			if (p >= sp->start && p < sp->end) {
				w = 0;
				break;
			}
			w = fminf(w, dc_ramp(p < sp->start ? sp->start - p
							   : p - sp->end + 1,
					     c->ramp));
		}
		buf[2 * j] -= w * c->dc[0];
		buf[2 * j + 1] -= w * c->dc[1];
	}
}

/* The filters, from the linear-phase highpasses on. */
static void filters(struct shared *s, float *buf, size_t n)
{
	for (size_t k = 0; k < s->nlinhp; k++)
		pm_linhp_process(s->linhp[k], buf, n);
	if (s->stage_tp[1 + PM_STAGE_LINEAR_HP])
		pm_truepeak_process(s->stage_tp[1 + PM_STAGE_LINEAR_HP], buf, n,
				    NULL);
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

void master_shared_process(struct shared *s, float *buf, size_t n)
{
	size_t j;

	master_dc_cut(&s->dc, buf, n);
	if (s->gain != 1.0f)
		for (j = 0; j < n * 2; j++)
			buf[j] *= s->gain;
	if (s->stage_tp[0])
		pm_truepeak_process(s->stage_tp[0], buf, n, NULL);
	filters(s, buf, n);
}

void master_shared_drain(struct shared *s, float *buf, size_t n)
{
	memset(buf, 0, n * 2 * sizeof(float));
	filters(s, buf, n);
}
