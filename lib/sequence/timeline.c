/* SPDX-License-Identifier: GPL-3.0-or-later */
/* timeline.c: the layout algorithm (see timeline.h) and the renderer. */
#include <config.h>

#include "sequence/timeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/msf.h"

#include "util/banned.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

double pm_fade_gain(enum pm_fade_shape shape, double t)
{
	if (t <= 0)
		return 0;
	if (t >= 1)
		return 1;
	switch (shape) {
	case PM_SHAPE_LINEAR:
		return t;
	case PM_SHAPE_EQUAL_POWER:
		return sin(t * M_PI / 2);
	case PM_SHAPE_LOG:
		/* exponential in amplitude, straight in dB: 60 dB of travel */
		return (pow(1000.0, t) - 1.0) / 999.0;
	case PM_SHAPE_SCURVE:
		return 0.5 - 0.5 * cos(M_PI * t);
	}
	return t;
}

struct frames {
	int64_t f; /* 588 on a CD, else 1 */
};

static int64_t up(const struct frames *fr, int64_t x)
{
	return (x + fr->f - 1) / fr->f * fr->f;
}

static int64_t down(const struct frames *fr, int64_t x)
{
	return x / fr->f * fr->f;
}

static int64_t at_rate(struct pm_time t, uint32_t rate)
{
	return t.is_set ? pm_time_samples(t, rate) : 0;
}

static unsigned control_of(const struct pm_track *t)
{
	return (t->pre_emphasis ? PM_CTL_PREEMPHASIS : 0) |
	       (t->copy_permitted ? PM_CTL_COPY : 0);
}

int pm_timeline_build(const struct pm_album *a, const size_t *which,
		      size_t n, const int64_t *lengths, int64_t htoa_length,
		      const struct pm_tl_options *o, struct pm_timeline *tl,
		      struct pm_err *err)
{
	struct frames fr = { o->cd ? PM_SAMPLES_PER_FRAME : 1 };
	const int64_t pregap_min = pm_frame_samples(PM_PREGAP_FRAMES);
	const int64_t preroll = (int64_t)o->preroll_frames * fr.f;
	int64_t prev_end = 0, floor_id = 0;
	size_t i, k, c = 0;

	memset(tl, 0, sizeof(*tl));
	tl->rate = o->rate;
	tl->cd = o->cd;
	if (n == 0)
		return pm_err_set(err, PM_EINVAL, "a timeline needs a track");
	if (o->cd && n > PM_MAX_TRACKS)
		return pm_err_set(err, PM_ESCHEMA,
				  "a CD holds at most 99 tracks, not %zu", n);
	tl->clips = pm_calloc(n + 1, sizeof(*tl->clips), err);
	tl->tracks = pm_calloc(n, sizeof(*tl->tracks), err);
	if (!tl->clips || !tl->tracks) {
		pm_timeline_release(tl);
		return -1;
	}
	tl->ntracks = n;

	for (i = 0; i < n; i++) {
		const struct pm_track *t = &a->tracks[which[i]];
		struct pm_tl_track *m = &tl->tracks[i];
		struct pm_tl_clip *cl;
		bool segue = t->xfade.is_set && i > 0 &&
			     which[i - 1] + 1 == which[i];
		int64_t len = lengths[which[i]];
		int64_t start, id, base;
		/* a pause carried by the source: index 00 where it begins (a
		 * CD's; elsewhere it is just the start of the track's audio) */
		bool in_source = o->cd && t->has_gap && t->gap_in_source &&
				 !o->fixed_gap && !segue &&
				 !(i == 0 && o->with_htoa && a->htoa.is_set);
		int64_t own = in_source ? at_rate(t->gap, o->rate) : 0;

		m->album_index = which[i];
		if (in_source && (i > 0 || o->lead_pause)) {
			/*
			 * The pause is audio: it starts on the boundary after
			 * the previous track, and the ID comes at or before
			 * the sample `own` into the source.
			 */
			start = up(&fr, prev_end);
			id = down(&fr, start + own);
			m->has_pause = i == 0 || id > start;
			m->pause = i == 0 ? 0 : m->has_pause ? start : id;
		} else if (i == 0 && o->lead_pause) {
			/* the disc's first pause, and maybe hidden audio */
			int64_t lead = t->has_gap ? at_rate(t->gap, o->rate)
						  : pregap_min;

			if (o->cd && lead < pregap_min && !o->with_htoa)
				lead = pregap_min;
			if (o->with_htoa && a->htoa.is_set) {
				const struct pm_htoa *h = &a->htoa;

				cl = &tl->clips[c++];
				cl->track = PM_TL_HTOA;
				cl->start = pregap_min;
				cl->length = htoa_length;
				cl->fade_in = at_rate(h->fade_in.length, o->rate);
				cl->in_shape = h->fade_in.shape;
				cl->fade_out = at_rate(h->fade_out.length, o->rate);
				cl->out_shape = h->fade_out.shape;
				prev_end = pregap_min + htoa_length;
				floor_id = up(&fr, prev_end);
				lead = prev_end + (t->has_gap ? at_rate(t->gap, o->rate) : 0);
			}
			start = up(&fr, lead);
			if (o->cd && start < pregap_min + preroll)
				start = pregap_min + preroll;
			id = start - preroll;
			if (id < floor_id)
				id = floor_id;
			if (o->cd && id < pregap_min)
				id = pregap_min;
			m->has_pause = true;
			m->pause = 0;
		} else if (segue) {
			int64_t x = at_rate(t->xfade.length, o->rate);
			int64_t prev_len = tl->clips[c - 1].length;
			int64_t at;

			if (x > len)
				x = len;
			if (x > prev_len)
				x = prev_len;
			start = prev_end - x;
			at = t->xfade.has_id_at ? at_rate(t->xfade.id_at, o->rate)
						: x / 2;
			if (at > x)
				at = x;
			id = down(&fr, start + at);
			m->has_pause = false;
			m->pause = id;
			tl->clips[c - 1].fade_out = x;
			tl->clips[c - 1].out_shape = t->xfade.shape;
		} else {
			int64_t gap = o->fixed_gap ? at_rate(o->gap, o->rate)
				      : t->has_gap ? at_rate(t->gap, o->rate)
						   : 0;

			if (i == 0) {
				start = 0;
				id = 0;
				m->has_pause = false;
				m->pause = 0;
			} else if (gap > 0) {
				int64_t pause = up(&fr, prev_end);

				start = up(&fr, prev_end + gap);
				id = start - preroll;
				if (id < pause)
					id = pause;
				m->has_pause = id > pause;
				m->pause = m->has_pause ? pause : id;
			} else {
				start = prev_end;
				id = down(&fr, start);
				m->has_pause = false;
				m->pause = id;
			}
		}
		m->id = id;
		m->audio = start;
		m->end = start + len;
		base = start + own; /* index marks count from index 01 */
		for (k = 0; k < t->nindexes && k < 98; k++)
			m->index[m->nindex++] =
				down(&fr, base + at_rate(t->indexes[k].at, o->rate));

		cl = &tl->clips[c++];
		cl->track = which[i];
		cl->start = start;
		cl->length = len;
		if (segue) {
			cl->fade_in = tl->clips[c - 2].fade_out;
			cl->in_shape = t->xfade.shape;
		} else if (t->fade_in.is_set) {
			cl->fade_in = at_rate(t->fade_in.length, o->rate);
			cl->in_shape = t->fade_in.shape;
		}
		if (t->fade_out.is_set) {
			cl->fade_out = at_rate(t->fade_out.length, o->rate);
			cl->out_shape = t->fade_out.shape;
		}
		if (cl->fade_in > len)
			cl->fade_in = len;
		if (cl->fade_out > len)
			cl->fade_out = len;
		prev_end = start + len;
	}
	tl->nclips = c;
	tl->length = up(&fr, prev_end);

	if (o->cd) {
		struct pm_disc *d = &tl->disc;

		memcpy(d->upc, a->release.upc, sizeof(d->upc));
		d->ntracks = (unsigned)n;
		d->leadout_frames = (uint32_t)(tl->length / PM_SAMPLES_PER_FRAME);
		for (i = 0; i < n; i++) {
			const struct pm_track *t = &a->tracks[which[i]];
			const struct pm_tl_track *m = &tl->tracks[i];
			struct pm_pq_track *q = &d->track[i];

			q->control = control_of(t);
			q->scms = t->scms;
			memcpy(q->isrc, t->isrc, sizeof(q->isrc));
			q->has_pause = m->has_pause;
			q->pause_frames = (uint32_t)(m->pause / PM_SAMPLES_PER_FRAME);
			q->nindex = 1 + (unsigned)m->nindex;
			q->index[0] = (uint32_t)(m->id / PM_SAMPLES_PER_FRAME);
			for (k = 0; k < m->nindex; k++)
				q->index[k + 1] =
					(uint32_t)(m->index[k] / PM_SAMPLES_PER_FRAME);
		}
	}
	return 0;
}

void pm_edge_fade_of(const struct pm_album *a, size_t track, uint32_t rate,
		     int64_t *len, enum pm_fade_shape *shape)
{
	const struct pm_fade *f = &a->mastering.edge_fade;

	if (track != PM_TL_HTOA && track < a->ntracks &&
	    a->tracks[track].edge_fade.is_set)
		f = &a->tracks[track].edge_fade;
	if (f->is_set) {
		*len = pm_time_samples(f->length, rate);
		*shape = f->shape;
	} else if (a->mastering.pass_through) {
		/* a re-issue stays what it was, sample for sample */
		*len = 0;
		*shape = PM_SHAPE_SCURVE;
	} else {
		*len = (int64_t)rate * PM_EDGE_FADE_MS / 1000;
		*shape = PM_SHAPE_SCURVE;
	}
}

bool pm_tl_edge_open(const struct pm_timeline *tl, size_t c, bool at_end)
{
	const struct pm_tl_clip *cl = &tl->clips[c];
	/* the silent sample next to the edge */
	int64_t s = at_end ? cl->start + cl->length : cl->start - 1;
	size_t i;

	if (cl->length <= 0 || (at_end ? cl->fade_out : cl->fade_in) > 0)
		return false;
	for (i = 0; i < tl->nclips; i++)
		if (i != c && tl->clips[i].start <= s &&
		    s < tl->clips[i].start + tl->clips[i].length)
			return false;
	return true;
}

int pm_tl_edge_fade(struct pm_timeline *tl, const struct pm_album *a,
		    size_t c, bool at_end, double level, struct pm_err *err)
{
	struct pm_tl_clip *cl = &tl->clips[c];
	struct pm_tl_edge *e;
	char name[256];
	enum pm_fade_shape shape;
	int64_t len;
	double db = level > 0 ? 20 * log10(level) : -HUGE_VAL;

	pm_edge_fade_of(a, cl->track, tl->rate, &len, &shape);
	if (len <= 0 || level < PM_EDGE_LEVEL)
		return 0;
	/* both fades of a very short clip fit in it */
	if (len > cl->length / 2)
		len = cl->length / 2;
	if (len <= 0)
		return 0;
	e = pm_reallocarray(tl->edges, tl->nedges + 1, sizeof(*e), err);
	if (!e)
		return -1;
	tl->edges = e;
	e = &tl->edges[tl->nedges++];
	e->clip = c;
	e->at_end = at_end;
	e->length = len;
	e->shape = shape;
	e->level_dbfs = db;
	if (at_end) {
		cl->fade_out = len;
		cl->out_shape = shape;
	} else {
		cl->fade_in = len;
		cl->in_shape = shape;
	}
	/*
	 * Once per run: every deliverable and every stage that lays the
	 * timeline out again (ddpmake, verify) meets the same edge, each
	 * at its own target's level; the level is for -v.
	 */
	snprintf(name, sizeof(name), "edge fade: %s of %s",
		 at_end ? "end" : "start",
		 cl->track == PM_TL_HTOA ? "the hidden track"
					 : a->tracks[cl->track].id);
	pm_log_once(PM_LOG_NOTE, name,
		    "%s meets digital silence: %.1f ms %s fade", name,
		    1000.0 * (double)len / tl->rate, pm_shape_names[shape]);
	pm_info("%s: at %.1f dBFS at %u Hz", name, db, (unsigned)tl->rate);
	return 0;
}

void pm_timeline_release(struct pm_timeline *tl)
{
	free(tl->edges);
	free(tl->clips);
	free(tl->tracks);
	memset(tl, 0, sizeof(*tl));
}

size_t pm_timeline_overlaps(const struct pm_timeline *tl, int64_t *start,
			    int64_t *end, size_t max)
{
	size_t i, n = 0;

	for (i = 1; i < tl->nclips && n < max; i++) {
		int64_t prev_end = tl->clips[i - 1].start + tl->clips[i - 1].length;

		if (tl->clips[i].start < prev_end) {
			start[n] = tl->clips[i].start;
			end[n] = prev_end;
			n++;
		}
	}
	return n;
}

int pm_tl_render_init(struct pm_tl_render *r, const struct pm_timeline *tl,
		      pm_tl_read_fn *read, void *ctx, struct pm_err *err)
{
	return pm_tl_render_init_at(r, tl, 0, read, ctx, err);
}

int pm_tl_render_init_at(struct pm_tl_render *r, const struct pm_timeline *tl,
			 int64_t from, pm_tl_read_fn *read, void *ctx,
			 struct pm_err *err)
{
	memset(r, 0, sizeof(*r));
	r->pos = from;
	r->tl = tl;
	r->read = read;
	r->ctx = ctx;
	r->scratch_frames = 8192;
	r->scratch = pm_malloc(r->scratch_frames * 2 * sizeof(float), err);
	return r->scratch ? 0 : -1;
}

void pm_tl_render_release(struct pm_tl_render *r)
{
	free(r->scratch);
	r->scratch = NULL;
}

/* Gain of clip `cl` at its sample k. */
static double clip_gain(const struct pm_tl_clip *cl, int64_t k)
{
	double g = 1.0;

	if (k < cl->fade_in)
		g *= pm_fade_gain(cl->in_shape, (double)k / (double)cl->fade_in);
	if (k >= cl->length - cl->fade_out)
		g *= pm_fade_gain(cl->out_shape, (double)(cl->length - k) /
							 (double)cl->fade_out);
	return g;
}

int pm_tl_render_next(struct pm_tl_render *r, float *out, int64_t n,
		      struct pm_err *err)
{
	const struct pm_timeline *tl = r->tl;
	int64_t p0 = r->pos, p1 = r->pos + n;
	size_t i;

	memset(out, 0, (size_t)n * 2 * sizeof(float));
	for (i = 0; i < tl->nclips; i++) {
		const struct pm_tl_clip *cl = &tl->clips[i];
		int64_t a = PM_MAX(p0, cl->start);
		int64_t b = PM_MIN(p1, cl->start + cl->length);

		while (a < b) {
			int64_t m = PM_MIN(b - a, (int64_t)r->scratch_frames);
			int64_t k0 = a - cl->start, j;
			float *dst = out + (size_t)(a - p0) * 2;
			const float *src = r->scratch;

			if (r->read(r->ctx, i, r->scratch, m, err) < 0)
				return -1;
			if (k0 >= cl->fade_in &&
			    k0 + m <= cl->length - cl->fade_out) {
				/* the common case: no fade, an exact add */
				for (j = 0; j < m * 2; j++)
					dst[j] += src[j];
			} else {
				for (j = 0; j < m; j++) {
					float g = (float)clip_gain(cl, k0 + j);

					dst[2 * j] += g * src[2 * j];
					dst[2 * j + 1] += g * src[2 * j + 1];
				}
			}
			a += m;
		}
	}
	for (i = 0; i < r->ngains; i++) {
		const struct pm_tl_gain *g = &r->gains[i];
		int64_t a = PM_MAX(p0, g->start);
		int64_t b = PM_MIN(p1, g->start + g->length);
		int64_t j;

		for (j = a; j < b; j++) {
			out[(j - p0) * 2] *= g->gain[j - g->start];
			out[(j - p0) * 2 + 1] *= g->gain[j - g->start];
		}
	}
	r->pos = p1;
	return 0;
}
