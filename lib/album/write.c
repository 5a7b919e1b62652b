/* SPDX-License-Identifier: GPL-3.0-or-later */
/* write.c: album.xml from the model, and comparing two models. */
#include <config.h>

#include "album/write.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/msf.h"
#include "util/xmlw.h"

#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* Values                                                               */
/* ------------------------------------------------------------------ */

const char *pm_time_format(struct pm_time t, char *buf, size_t size)
{
	int64_t whole, frac;
	int n;

	if (t.in_samples) {
		snprintf(buf, size, "%" PRId64, t.num);
		return buf;
	}
	/* seconds: den is 1e9 for every parsed time; stay general */
	if (t.den != PM_TIME_NS) {
		int64_t ns = t.den ? (int64_t)llround((double)t.num * PM_TIME_NS /
						      t.den)
				   : 0;
		t.num = ns;
	}
	whole = t.num / PM_TIME_NS;
	frac = t.num % PM_TIME_NS;
	if (!frac) {
		snprintf(buf, size, "%" PRId64 "s", whole);
		return buf;
	}
	n = snprintf(buf, size, "%" PRId64 ".%09" PRId64, whole, frac);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if ((size_t)n + 1 < size) {
		buf[n] = 's';
		buf[n + 1] = '\0';
	}
	return buf;
}

const char *pm_decimal_format(double v, char *buf, size_t size)
{
	int p;

	if (v == 0) {
		snprintf(buf, size, "0");
		return buf;
	}
	/* the shortest %g that reads back, unless it needs an exponent */
	for (p = 1; p <= 17; p++) {
		snprintf(buf, size, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (!strchr(buf, 'e') && !strchr(buf, 'E'))
		return buf;
	for (p = 0; p <= 40; p++) {
		snprintf(buf, size, "%.*f", p, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

/* ------------------------------------------------------------------ */
/* Writing                                                              */
/* ------------------------------------------------------------------ */

struct writer {
	struct pm_xmlw w;
	char buf[64];
};

static void attr_num(struct writer *x, const char *name, double v)
{
	pm_xmlw_attr(&x->w, name, pm_decimal_format(v, x->buf, sizeof(x->buf)));
}

static void attr_time(struct writer *x, const char *name, struct pm_time t)
{
	if (t.is_set)
		pm_xmlw_attr(&x->w, name,
			     pm_time_format(t, x->buf, sizeof(x->buf)));
}

static void attr_uint(struct writer *x, const char *name, unsigned v)
{
	pm_xmlw_attrf(&x->w, name, "%u", v);
}

static void attr_true(struct writer *x, const char *name, bool v, bool dflt)
{
	if (v != dflt)
		pm_xmlw_attr(&x->w, name, v ? "true" : "false");
}

static void texts(struct writer *x, const char *name, const struct pm_texts *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		pm_xmlw_start(&x->w, name);
		if (t->v[i].lang)
			pm_xmlw_attr(&x->w, "lang", t->v[i].lang);
		pm_xmlw_end_text(&x->w, t->v[i].value ? t->v[i].value : "");
	}
}

static void source(struct writer *x, const struct pm_source *s)
{
	pm_xmlw_start(&x->w, "source");
	pm_xmlw_attr(&x->w, "file", s->file);
	attr_time(x, "in", s->in);
	attr_time(x, "out", s->out);
	pm_xmlw_end(&x->w);
}

static void gain(struct writer *x, double db)
{
	if (db == 0)
		return;
	pm_xmlw_start(&x->w, "gain");
	attr_num(x, "db", db);
	pm_xmlw_end(&x->w);
}

static void fade(struct writer *x, const char *name, const struct pm_fade *f)
{
	/* an edge fade's default shape is the s-curve, the others' linear */
	enum pm_fade_shape dflt = strcmp(name, "edge-fade") == 0
					  ? PM_SHAPE_SCURVE
					  : PM_SHAPE_LINEAR;

	if (!f->is_set)
		return;
	pm_xmlw_start(&x->w, name);
	attr_time(x, "length", f->length);
	if (f->shape != dflt)
		pm_xmlw_attr(&x->w, "shape", pm_shape_names[f->shape]);
	pm_xmlw_end(&x->w);
}

static void eq(struct writer *x, const struct pm_eq *e)
{
	size_t i;

	if (!e->nbands)
		return;
	pm_xmlw_start(&x->w, "eq");
	for (i = 0; i < e->nbands; i++) {
		const struct pm_eq_band *b = &e->bands[i];

		pm_xmlw_start(&x->w, "band");
		pm_xmlw_attr(&x->w, "type", pm_eq_names[b->type]);
		attr_num(x, "freq", b->freq_hz);
		if (b->gain_db != 0)
			attr_num(x, "gain-db", b->gain_db);
		if (b->q != 0.7071)
			attr_num(x, "q", b->q);
		if (b->order != 2)
			attr_uint(x, "order", b->order);
		if (b->linear_phase)
			pm_xmlw_attr(&x->w, "phase", "linear");
		pm_xmlw_end(&x->w);
	}
	pm_xmlw_end(&x->w);
}

static void release(struct writer *x, const struct pm_release *r)
{
	int f;

	pm_xmlw_start(&x->w, "release");
	for (f = 0; f < PM_NFIELDS; f++)
		texts(x, pm_field_element[f], &r->text[f]);
	if (r->label)
		pm_xmlw_text_element(&x->w, "label", r->label);
	if (r->catalog)
		pm_xmlw_text_element(&x->w, "catalog", r->catalog);
	if (r->upc[0])
		pm_xmlw_text_element(&x->w, "upc", r->upc);
	if (r->release_date)
		pm_xmlw_text_element(&x->w, "release-date", r->release_date);
	if (r->genre) {
		pm_xmlw_start(&x->w, "genre");
		if (pm_genre_token(r->genre_code))
			pm_xmlw_attr(&x->w, "code", pm_genre_token(r->genre_code));
		pm_xmlw_end_text(&x->w, r->genre);
	}
	if (r->p_line) {
		pm_xmlw_start(&x->w, "p-line");
		attr_uint(x, "year", r->p_year);
		pm_xmlw_end_text(&x->w, r->p_line);
	}
	if (r->c_line) {
		pm_xmlw_start(&x->w, "c-line");
		attr_uint(x, "year", r->c_year);
		pm_xmlw_end_text(&x->w, r->c_line);
	}
	if (r->master_id)
		pm_xmlw_text_element(&x->w, "master-id", r->master_id);
	pm_xmlw_end(&x->w);
}

static void repair(struct writer *x, const struct pm_repair *r)
{
	static const char *const onoff[] = { "", "off", "on" };

	if (!r->clicks && !r->clipping && !r->hum && !r->noise)
		return;
	pm_xmlw_start(&x->w, "repair");
	if (r->clicks)
		pm_xmlw_attr(&x->w, "clicks", onoff[r->clicks]);
	if (r->clipping)
		pm_xmlw_attr(&x->w, "clipping", onoff[r->clipping]);
	if (r->hum == PM_REPAIR_OFF || r->hum == PM_REPAIR_AUTO)
		pm_xmlw_attr(&x->w, "hum", r->hum == PM_REPAIR_OFF ? "off" : "auto");
	else if (r->hum)
		pm_xmlw_attrf(&x->w, "hum", "%d", r->hum);
	if (r->noise == PM_REPAIR_DB)
		attr_num(x, "noise", r->noise_db);
	else if (r->noise)
		pm_xmlw_attr(&x->w, "noise",
			     r->noise == PM_REPAIR_OFF ? "off" : "auto");
	pm_xmlw_end(&x->w);
}

static bool same_repair(const struct pm_repair *a, const struct pm_repair *b)
{
	return a->clicks == b->clicks && a->clipping == b->clipping &&
	       a->hum == b->hum && a->noise == b->noise &&
	       (a->noise != PM_REPAIR_DB || a->noise_db == b->noise_db);
}

static void track(struct writer *x, const struct pm_track *t)
{
	size_t k;
	int f;

	pm_xmlw_start(&x->w, "track");
	pm_xmlw_attr(&x->w, "id", t->id);
	source(x, &t->source);
	for (f = 0; f < PM_NFIELDS; f++)
		texts(x, pm_field_element[f], &t->text[f]);
	if (t->isrc[0])
		pm_xmlw_text_element(&x->w, "isrc", t->isrc);
	gain(x, t->gain_db);
	fade(x, "fade-in", &t->fade_in);
	fade(x, "fade-out", &t->fade_out);
	if (t->has_gap) {
		pm_xmlw_start(&x->w, "gap");
		attr_time(x, "length", t->gap);
		attr_true(x, "in-source", t->gap_in_source, false);
		pm_xmlw_end(&x->w);
	}
	if (t->xfade.is_set) {
		pm_xmlw_start(&x->w, "crossfade");
		attr_time(x, "length", t->xfade.length);
		if (t->xfade.shape != PM_SHAPE_EQUAL_POWER)
			pm_xmlw_attr(&x->w, "shape",
				     pm_shape_names[t->xfade.shape]);
		if (t->xfade.has_id_at)
			attr_time(x, "id-at", t->xfade.id_at);
		pm_xmlw_end(&x->w);
	}
	fade(x, "edge-fade", &t->edge_fade);
	for (k = 0; k < t->nindexes; k++) {
		pm_xmlw_start(&x->w, "index");
		attr_time(x, "at", t->indexes[k].at);
		pm_xmlw_end(&x->w);
	}
	if (t->pre_emphasis || t->copy_permitted || t->scms) {
		pm_xmlw_start(&x->w, "flags");
		attr_true(x, "pre-emphasis", t->pre_emphasis, false);
		attr_true(x, "copy", t->copy_permitted, false);
		attr_true(x, "scms", t->scms, false);
		pm_xmlw_end(&x->w);
	}
	if (t->master.gain_db != 0 || t->master.eq.nbands) {
		pm_xmlw_start(&x->w, "mastering");
		if (t->master.gain_db != 0)
			attr_num(x, "gain-db", t->master.gain_db);
		eq(x, &t->master.eq);
		pm_xmlw_end(&x->w);
	}
	repair(x, &t->repair);
	pm_xmlw_end(&x->w);
}

static void htoa(struct writer *x, const struct pm_htoa *h)
{
	pm_xmlw_start(&x->w, "htoa");
	source(x, &h->source);
	texts(x, "title", &h->title);
	gain(x, h->gain_db);
	fade(x, "fade-in", &h->fade_in);
	fade(x, "fade-out", &h->fade_out);
	pm_xmlw_end(&x->w);
}

/* The defaults of pm_album_defaults(), to leave out what they say. */
static const struct pm_album *defaults(void)
{
	static struct pm_album d;
	static bool done;

	if (!done) {
		pm_album_defaults(&d);
		done = true;
	}
	return &d;
}

static bool same_band(const struct pm_comp_band *a,
		      const struct pm_comp_band *b)
{
	return a->threshold_db == b->threshold_db && a->ratio == b->ratio &&
	       a->knee_db == b->knee_db && a->attack_ms == b->attack_ms &&
	       a->release_ms == b->release_ms && a->makeup_db == b->makeup_db;
}

static void comp_params(struct writer *x, const struct pm_comp_band *b)
{
	attr_num(x, "threshold-db", b->threshold_db);
	attr_num(x, "ratio", b->ratio);
	attr_num(x, "knee-db", b->knee_db);
	attr_num(x, "attack-ms", b->attack_ms);
	attr_num(x, "release-ms", b->release_ms);
	attr_num(x, "makeup-db", b->makeup_db);
}

static bool comp_is_default(const struct pm_compressor *c)
{
	const struct pm_compressor *d = &defaults()->mastering.comp;

	return !c->enabled && c->nbands == d->nbands &&
	       same_band(&c->band[0], &d->band[0]) &&
	       same_band(&c->band[1], &d->band[1]) &&
	       same_band(&c->band[2], &d->band[2]) &&
	       c->xover_low_hz == d->xover_low_hz &&
	       c->xover_high_hz == d->xover_high_hz &&
	       c->detect == d->detect && c->stereo_link == d->stereo_link;
}

static void compressor(struct writer *x, const struct pm_compressor *c)
{
	static const char *const names[] = { "low", "mid", "high" };
	unsigned k;

	pm_xmlw_start(&x->w, "compressor");
	attr_true(x, "enabled", c->enabled, true);
	comp_params(x, &c->band[0]);
	if (c->detect == PM_DETECT_PEAK)
		pm_xmlw_attr(&x->w, "detect", "peak");
	attr_true(x, "stereo-link", c->stereo_link, true);
	if (c->nbands != 1)
		attr_uint(x, "bands", c->nbands);
	if (c->xover_low_hz != 200)
		attr_num(x, "low-crossover", c->xover_low_hz);
	if (c->xover_high_hz != 3000)
		attr_num(x, "high-crossover", c->xover_high_hz);
	for (k = 1; k < 3; k++) {
		if (same_band(&c->band[k], &c->band[0]))
			continue;
		pm_xmlw_start(&x->w, "band");
		pm_xmlw_attr(&x->w, "name", names[k]);
		comp_params(x, &c->band[k]);
		pm_xmlw_end(&x->w);
	}
	pm_xmlw_end(&x->w);
}

static void mastering(struct writer *x, const struct pm_mastering *m)
{
	static const char *const modes[] = { "album", "track", "anchor" };
	static const char *const tones[] = { "off", "report", "match" };
	const struct pm_mastering *d = &defaults()->mastering;
	const struct pm_limiter *l = &m->limiter;
	const struct pm_loudness *ld = &m->loudness;
	const struct pm_tone *t = &m->tone;
	bool lim = !l->enabled || l->lookahead_ms != d->limiter.lookahead_ms ||
		   l->release_ms != d->limiter.release_ms ||
		   l->oversampling != d->limiter.oversampling;
	bool loud = ld->mode != PM_LOUDNESS_ALBUM || ld->has_target ||
		    ld->has_ceiling || ld->anchor || ld->loudest_track;
	bool tone = t->mode != PM_TONE_REPORT || t->reference ||
		    t->max_db != d->tone.max_db;
	bool comp = !comp_is_default(&m->comp);

	if (!m->pass_through && !m->eq.nbands && !comp && m->width == 1.0 &&
	    !lim && !loud && !tone && !m->edge_fade.is_set && !m->repair.line)
		return;
	pm_xmlw_start(&x->w, "mastering");
	attr_true(x, "pass-through", m->pass_through, false);
	repair(x, &m->repair);
	eq(x, &m->eq);
	if (comp)
		compressor(x, &m->comp);
	if (m->width != 1.0) {
		pm_xmlw_start(&x->w, "width");
		attr_num(x, "amount", m->width);
		pm_xmlw_end(&x->w);
	}
	fade(x, "edge-fade", &m->edge_fade);
	if (lim) {
		pm_xmlw_start(&x->w, "limiter");
		attr_true(x, "enabled", l->enabled, true);
		if (l->lookahead_ms != d->limiter.lookahead_ms)
			attr_num(x, "lookahead-ms", l->lookahead_ms);
		if (l->release_ms != d->limiter.release_ms)
			attr_num(x, "release-ms", l->release_ms);
		if (l->oversampling != d->limiter.oversampling)
			attr_uint(x, "oversampling", l->oversampling);
		pm_xmlw_end(&x->w);
	}
	if (loud) {
		pm_xmlw_start(&x->w, "loudness");
		if (ld->mode != PM_LOUDNESS_ALBUM)
			pm_xmlw_attr(&x->w, "mode", modes[ld->mode]);
		if (ld->has_target)
			attr_num(x, "target-lufs", ld->target_lufs);
		if (ld->has_ceiling)
			attr_num(x, "ceiling-dbtp", ld->ceiling_dbtp);
		if (ld->anchor)
			pm_xmlw_attr(&x->w, "anchor", ld->anchor);
		attr_true(x, "loudest-track", ld->loudest_track, false);
		pm_xmlw_end(&x->w);
	}
	if (tone) {
		pm_xmlw_start(&x->w, "tone-match");
		if (t->mode != PM_TONE_REPORT)
			pm_xmlw_attr(&x->w, "mode", tones[t->mode]);
		if (t->reference)
			pm_xmlw_attr(&x->w, "reference", t->reference);
		if (t->max_db != d->tone.max_db)
			attr_num(x, "max-db", t->max_db);
		pm_xmlw_end(&x->w);
	}
	pm_xmlw_end(&x->w);
}

/*
 * Times by value: sample counts by their count (the rate is the
 * source's, the same on both sides), seconds exactly, and a count
 * against seconds at the CD rate (the model's defaults are CD lengths).
 */
static bool same_time(struct pm_time a, struct pm_time b)
{
	if (a.is_set != b.is_set)
		return false;
	if (!a.is_set)
		return true;
	if (a.in_samples && b.in_samples)
		return a.num == b.num;
	if (!a.in_samples && !b.in_samples)
		return (long double)a.num * b.den == (long double)b.num * a.den;
	return pm_time_samples(a, PM_CD_RATE) == pm_time_samples(b, PM_CD_RATE);
}

static void cd(struct writer *x, const struct pm_cd *c)
{
	static const char *const dithers[] = { "tpdf", "shaped", "none" };
	static const char *const peaks[] = { "limit", "refuse" };
	const struct pm_cd *d = &defaults()->cd;
	size_t b;

	pm_xmlw_start(&x->w, "cd");
	attr_true(x, "enabled", c->enabled, true);
	attr_true(x, "ddp", c->want_ddp, true);
	attr_true(x, "cue", c->want_cue, true);
	attr_true(x, "toc", c->want_toc, true);
	attr_true(x, "pq-sheet", c->want_pq_sheet, true);
	attr_true(x, "checksum-crc32", c->want_crc32, false);
	if (c->preroll_frames)
		attr_uint(x, "pre-roll-frames", c->preroll_frames);
	if (c->has_target)
		attr_num(x, "target-lufs", c->target_lufs);
	if (c->has_ceiling)
		attr_num(x, "ceiling-dbtp", c->ceiling_dbtp);
	if (c->dither != PM_DITHER_TPDF)
		pm_xmlw_attr(&x->w, "dither", dithers[c->dither]);
	if (!same_time(c->warn_length, d->warn_length))
		attr_time(x, "warn-length", c->warn_length);
	if (!same_time(c->max_length, d->max_length))
		attr_time(x, "max-length", c->max_length);
	if (c->track_gaps != PM_GAPS_APPEND)
		pm_xmlw_attr(&x->w, "track-gaps", pm_gap_names[c->track_gaps]);
	if (c->xfade_peaks != PM_XFADE_LIMIT)
		pm_xmlw_attr(&x->w, "crossfade-peaks", peaks[c->xfade_peaks]);
	if (!c->cdtext || c->transliterate || c->copyright || c->disc_id ||
	    c->nblocks) {
		pm_xmlw_start(&x->w, "cd-text");
		attr_true(x, "enabled", c->cdtext, true);
		attr_true(x, "transliterate", c->transliterate, false);
		attr_true(x, "copyright", c->copyright, false);
		if (c->disc_id)
			pm_xmlw_attr(&x->w, "disc-id", c->disc_id);
		for (b = 0; b < c->nblocks; b++) {
			pm_xmlw_start(&x->w, "block");
			pm_xmlw_attr(&x->w, "language",
				     c->blocks[b].lang ? c->blocks[b].lang : "");
			if (c->blocks[b].charset != PM_CHARSET_ISO8859_1)
				pm_xmlw_attr(&x->w, "charset",
					     pm_charset_names[c->blocks[b].charset]);
			pm_xmlw_end(&x->w);
		}
		pm_xmlw_end(&x->w);
	}
	pm_xmlw_end(&x->w);
}

static void rate_attr(struct writer *x, const char *name, uint32_t rate)
{
	if (rate == 0)
		pm_xmlw_attr(&x->w, name, "source");
	else if (rate == 1)
		pm_xmlw_attr(&x->w, name, "album");
	else
		pm_xmlw_attrf(&x->w, name, "%" PRIu32, rate);
}

static void bits_attr(struct writer *x, const char *name, unsigned bits)
{
	if (bits == 0)
		pm_xmlw_attr(&x->w, name, "float");
	else
		attr_uint(x, name, bits);
}

static void vinyl(struct writer *x, const struct pm_album *a)
{
	const struct pm_vinyl *v = &a->vinyl;
	const struct pm_vinyl *d = &defaults()->vinyl;
	char list[PM_MAX_TRACKS * 130];
	size_t s, k, n;

	pm_xmlw_start(&x->w, "vinyl");
	attr_true(x, "enabled", v->enabled, true);
	if (v->size_in != d->size_in)
		attr_uint(x, "size", v->size_in);
	if (v->speed_rpm != d->speed_rpm)
		attr_uint(x, "speed", v->speed_rpm);
	if (!same_time(v->gap, d->gap))
		attr_time(x, "gap", v->gap);
	if (v->lf_mono_hz != d->lf_mono_hz)
		attr_num(x, "lf-mono-hz", v->lf_mono_hz);
	if (v->has_target)
		attr_num(x, "target-lufs", v->target_lufs);
	if (v->has_ceiling)
		attr_num(x, "ceiling-dbtp", v->ceiling_dbtp);
	if (v->rate != d->rate)
		rate_attr(x, "rate", v->rate);
	if (v->bits != d->bits)
		bits_attr(x, "bits", v->bits);
	for (s = 0; s < v->nsides; s++) {
		const struct pm_vinyl_side *side = &v->sides[s];

		n = 0;
		list[0] = '\0';
		for (k = 0; k < side->ntracks && side->tracks[k] < a->ntracks;
		     k++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
					      n ? " " : "",
					      a->tracks[side->tracks[k]].id);
		pm_xmlw_start(&x->w, "side");
		pm_xmlw_attr(&x->w, "name", side->name ? side->name : "");
		pm_xmlw_attr(&x->w, "tracks", list);
		pm_xmlw_end(&x->w);
	}
	pm_xmlw_end(&x->w);
}

static void stream(struct writer *x, const struct pm_stream *s)
{
	pm_xmlw_start(&x->w, "streaming");
	pm_xmlw_attr(&x->w, "profile", s->name);
	if (s->preset)
		pm_xmlw_attr(&x->w, "preset", s->preset);
	if (s->has_target)
		attr_num(x, "target-lufs", s->target_lufs);
	if (s->has_ceiling)
		attr_num(x, "ceiling-dbtp", s->ceiling_dbtp);
	if (s->has_format)
		pm_xmlw_attr(&x->w, "format", pm_format_names[s->format]);
	if (s->has_bits)
		bits_attr(x, "bits", s->bits);
	if (s->has_rate)
		rate_attr(x, "rate", s->rate);
	if (s->has_gaps)
		pm_xmlw_attr(&x->w, "gaps", pm_gap_names[s->gaps]);
	pm_xmlw_end(&x->w);
}

static void rules(struct writer *x, const struct pm_album *a)
{
	static const char *const sev[] = { "error", "warning", "ignore" };
	size_t i;

	pm_xmlw_start(&x->w, "verify");
	for (i = 0; i < a->nrules; i++) {
		const struct pm_rule *r = &a->rules[i];

		pm_xmlw_start(&x->w, "rule");
		pm_xmlw_attr(&x->w, "id", r->id);
		if (r->has_severity)
			pm_xmlw_attr(&x->w, "severity", sev[r->severity]);
		if (r->has_value)
			attr_num(x, "value", r->value);
		pm_xmlw_end(&x->w);
	}
	pm_xmlw_end(&x->w);
}

/* What the schema requires of the model's shape. */
static int shape_check(const struct pm_album *a, struct pm_err *err)
{
	size_t i;

	if (!pm_texts_get(&a->release.text[PM_FIELD_TITLE], NULL, false) &&
	    a->release.text[PM_FIELD_TITLE].n == 0)
		return pm_err_set(err, PM_EINVAL, "the release has no title");
	if (a->ntracks < 1 || a->ntracks > PM_MAX_TRACKS)
		return pm_err_set(err, PM_EINVAL,
				  "%zu tracks; an album has 1 to %d",
				  a->ntracks, PM_MAX_TRACKS);
	for (i = 0; i < a->ntracks; i++) {
		const struct pm_track *t = &a->tracks[i];

		if (!t->id || !t->source.file || !t->text[PM_FIELD_TITLE].n)
			return pm_err_set(err, PM_EINVAL,
					  "track %zu has no %s", i + 1,
					  !t->id ? "id"
					  : !t->source.file ? "source"
							    : "title");
	}
	if (a->htoa.is_set && !a->htoa.source.file)
		return pm_err_set(err, PM_EINVAL,
				  "the hidden track has no source");
	if ((a->vinyl.enabled || a->vinyl.line) && !a->vinyl.nsides)
		return pm_err_set(err, PM_EINVAL,
				  "the vinyl cut has no sides");
	return 0;
}

int pm_album_write(FILE *fp, const struct pm_album *a,
		   const struct pm_album_write_options *o, struct pm_err *err)
{
	struct writer x;
	size_t i;

	if (shape_check(a, err) < 0)
		return -1;
	pm_xmlw_init(&x.w, fp);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", fp);
	pm_xmlw_start(&x.w, "album");
	pm_xmlw_attr(&x.w, "xmlns", PM_ALBUM_NS);
	pm_xmlw_attr(&x.w, "version", PM_ALBUM_VERSION);
	if (o && o->comment)
		pm_xmlw_comment(&x.w, o->comment);
	release(&x, &a->release);
	pm_xmlw_start(&x.w, "tracks");
	if (a->htoa.is_set)
		htoa(&x, &a->htoa);
	for (i = 0; i < a->ntracks; i++)
		track(&x, &a->tracks[i]);
	pm_xmlw_end(&x.w);
	if (o && o->mastering_comment)
		pm_xmlw_comment(&x.w, o->mastering_comment);
	mastering(&x, &a->mastering);
	/* always said: without <deliverables> an album gets a CD */
	pm_xmlw_start(&x.w, "deliverables");
	if (a->cd.enabled || a->cd.line)
		cd(&x, &a->cd);
	if (a->vinyl.enabled || a->vinyl.line)
		vinyl(&x, a);
	for (i = 0; i < a->nstreams; i++)
		stream(&x, &a->streams[i]);
	pm_xmlw_end(&x.w);
	if (a->nrules) {
		if (o && o->verify_comment)
			pm_xmlw_comment(&x.w, o->verify_comment);
		rules(&x, a);
	}
	pm_xmlw_end(&x.w);
	if (ferror(fp))
		return pm_err_sys(err, PM_EIO, "cannot write the album");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Comparing                                                            */
/* ------------------------------------------------------------------ */

struct cmp {
	char *why;
	size_t size;
	bool differ;
};

static bool differ(struct cmp *c, const char *fmt, ...) PM_PRINTF(2, 3);

static bool differ(struct cmp *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->differ && c->why && c->size) {
		va_start(ap, fmt);
		vsnprintf(c->why, c->size, fmt, ap);
		va_end(ap);
	}
	c->differ = true;
	return false;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

#define SAME(c, cond, ...) ((cond) || differ((c), __VA_ARGS__))

static bool same_texts(struct cmp *c, const struct pm_texts *a,
		       const struct pm_texts *b, const char *what)
{
	size_t i;

	if (a->n != b->n)
		return differ(c, "%s: %zu texts, not %zu", what, a->n, b->n);
	for (i = 0; i < a->n; i++)
		if (!same_str(a->v[i].lang, b->v[i].lang) ||
		    !same_str(a->v[i].value, b->v[i].value))
			return differ(c, "%s: text %zu is '%s', not '%s'", what,
				      i + 1, a->v[i].value ? a->v[i].value : "",
				      b->v[i].value ? b->v[i].value : "");
	return true;
}

static bool same_source(struct cmp *c, const struct pm_source *a,
			const struct pm_source *b, const char *what)
{
	return SAME(c, same_str(a->file, b->file), "%s: source '%s', not '%s'",
		    what, a->file ? a->file : "", b->file ? b->file : "") &&
	       SAME(c, same_time(a->in, b->in) && same_time(a->out, b->out),
		    "%s: the trims differ", what);
}

static bool same_fade(const struct pm_fade *a, const struct pm_fade *b)
{
	return a->is_set == b->is_set &&
	       (!a->is_set ||
		(same_time(a->length, b->length) && a->shape == b->shape));
}

static bool same_eq(const struct pm_eq *a, const struct pm_eq *b)
{
	size_t i;

	if (a->nbands != b->nbands)
		return false;
	for (i = 0; i < a->nbands; i++) {
		const struct pm_eq_band *x = &a->bands[i], *y = &b->bands[i];

		if (x->type != y->type || x->freq_hz != y->freq_hz ||
		    x->gain_db != y->gain_db || x->q != y->q ||
		    x->order != y->order || x->linear_phase != y->linear_phase)
			return false;
	}
	return true;
}

static bool same_track(struct cmp *c, const struct pm_track *a,
		       const struct pm_track *b, size_t n)
{
	char what[64];
	size_t k;
	int f;

	snprintf(what, sizeof(what), "track %zu", n);
	if (!SAME(c, same_str(a->id, b->id), "%s: id '%s', not '%s'", what,
		  a->id ? a->id : "", b->id ? b->id : "") ||
	    !same_source(c, &a->source, &b->source, what))
		return false;
	for (f = 0; f < PM_NFIELDS; f++)
		if (!same_texts(c, &a->text[f], &b->text[f], what))
			return false;
	if (!SAME(c, strcmp(a->isrc, b->isrc) == 0, "%s: ISRC %s, not %s",
		  what, a->isrc, b->isrc) ||
	    !SAME(c, a->gain_db == b->gain_db, "%s: the gain differs", what) ||
	    !SAME(c, same_fade(&a->fade_in, &b->fade_in) &&
			     same_fade(&a->fade_out, &b->fade_out),
		  "%s: the fades differ", what) ||
	    !SAME(c, a->has_gap == b->has_gap &&
			     (!a->has_gap ||
			      (same_time(a->gap, b->gap) &&
			       a->gap_in_source == b->gap_in_source)),
		  "%s: the gap differs", what) ||
	    !SAME(c, a->xfade.is_set == b->xfade.is_set &&
			     (!a->xfade.is_set ||
			      (same_time(a->xfade.length, b->xfade.length) &&
			       a->xfade.shape == b->xfade.shape &&
			       a->xfade.has_id_at == b->xfade.has_id_at &&
			       (!a->xfade.has_id_at ||
				same_time(a->xfade.id_at, b->xfade.id_at)))),
		  "%s: the crossfade differs", what) ||
	    !SAME(c, same_fade(&a->edge_fade, &b->edge_fade),
		  "%s: the edge fade differs", what) ||
	    !SAME(c, a->nindexes == b->nindexes, "%s: %zu index marks, not %zu",
		  what, a->nindexes, b->nindexes))
		return false;
	for (k = 0; k < a->nindexes; k++)
		if (!same_time(a->indexes[k].at, b->indexes[k].at))
			return differ(c, "%s: index %02zu differs", what, k + 2);
	return SAME(c, a->pre_emphasis == b->pre_emphasis &&
			       a->copy_permitted == b->copy_permitted &&
			       a->scms == b->scms,
		    "%s: the flags differ", what) &&
	       SAME(c, same_repair(&a->repair, &b->repair),
		    "%s: its repair differs", what) &&
	       SAME(c, a->master.gain_db == b->master.gain_db &&
			       same_eq(&a->master.eq, &b->master.eq),
		    "%s: its mastering trims differ", what);
}

static bool same_release(struct cmp *c, const struct pm_release *a,
			 const struct pm_release *b)
{
	int f;

	for (f = 0; f < PM_NFIELDS; f++)
		if (!same_texts(c, &a->text[f], &b->text[f], "the release"))
			return false;
	return SAME(c, same_str(a->label, b->label) &&
			       same_str(a->catalog, b->catalog) &&
			       strcmp(a->upc, b->upc) == 0 &&
			       same_str(a->release_date, b->release_date),
		    "the release's label, catalogue, UPC or date differs") &&
	       SAME(c, same_str(a->genre, b->genre) &&
			       a->genre_code == b->genre_code,
		    "the genre differs") &&
	       SAME(c, same_str(a->p_line, b->p_line) && a->p_year == b->p_year &&
			       same_str(a->c_line, b->c_line) &&
			       a->c_year == b->c_year &&
			       same_str(a->master_id, b->master_id),
		    "the P/C lines or the master ID differ");
}

static bool same_mastering(struct cmp *c, const struct pm_mastering *a,
			   const struct pm_mastering *b)
{
	const struct pm_compressor *x = &a->comp, *y = &b->comp;
	const struct pm_loudness *p = &a->loudness, *q = &b->loudness;
	int k;

	if (!SAME(c, a->pass_through == b->pass_through,
		  "pass-through differs") ||
	    !SAME(c, same_repair(&a->repair, &b->repair), "the repair differs") ||
	    !SAME(c, same_eq(&a->eq, &b->eq), "the album EQ differs") ||
	    !SAME(c, a->width == b->width, "the width differs") ||
	    !SAME(c, same_fade(&a->edge_fade, &b->edge_fade),
		  "the edge fade differs"))
		return false;
	for (k = 0; k < 3; k++)
		if (!same_band(&x->band[k], &y->band[k]))
			return differ(c, "compressor band %d differs", k + 1);
	return SAME(c, x->enabled == y->enabled && x->nbands == y->nbands &&
			       x->xover_low_hz == y->xover_low_hz &&
			       x->xover_high_hz == y->xover_high_hz &&
			       x->detect == y->detect &&
			       x->stereo_link == y->stereo_link,
		    "the compressor differs") &&
	       SAME(c, a->limiter.enabled == b->limiter.enabled &&
			       a->limiter.lookahead_ms == b->limiter.lookahead_ms &&
			       a->limiter.release_ms == b->limiter.release_ms &&
			       a->limiter.oversampling == b->limiter.oversampling,
		    "the limiter differs") &&
	       SAME(c, p->mode == q->mode && p->has_target == q->has_target &&
			       (!p->has_target || p->target_lufs == q->target_lufs) &&
			       p->has_ceiling == q->has_ceiling &&
			       (!p->has_ceiling ||
				p->ceiling_dbtp == q->ceiling_dbtp) &&
			       same_str(p->anchor, q->anchor) &&
			       p->loudest_track == q->loudest_track,
		    "the loudness policy differs") &&
	       SAME(c, a->tone.mode == b->tone.mode &&
			       same_str(a->tone.reference, b->tone.reference) &&
			       a->tone.max_db == b->tone.max_db,
		    "tone-match differs");
}

static bool same_cd(struct cmp *c, const struct pm_cd *a, const struct pm_cd *b)
{
	size_t i;

	if (!SAME(c, a->enabled == b->enabled && a->want_ddp == b->want_ddp &&
			     a->want_cue == b->want_cue &&
			     a->want_toc == b->want_toc &&
			     a->want_pq_sheet == b->want_pq_sheet &&
			     a->want_crc32 == b->want_crc32,
		  "the CD's outputs differ") ||
	    !SAME(c, a->preroll_frames == b->preroll_frames &&
			     a->has_target == b->has_target &&
			     (!a->has_target || a->target_lufs == b->target_lufs) &&
			     a->has_ceiling == b->has_ceiling &&
			     (!a->has_ceiling || a->ceiling_dbtp == b->ceiling_dbtp) &&
			     a->dither == b->dither &&
			     same_time(a->warn_length, b->warn_length) &&
			     same_time(a->max_length, b->max_length) &&
			     a->track_gaps == b->track_gaps &&
			     a->xfade_peaks == b->xfade_peaks,
		  "the CD's settings differ") ||
	    !SAME(c, a->cdtext == b->cdtext &&
			     a->transliterate == b->transliterate &&
			     a->copyright == b->copyright &&
			     same_str(a->disc_id, b->disc_id) &&
			     a->nblocks == b->nblocks,
		  "the CD-TEXT settings differ"))
		return false;
	for (i = 0; i < a->nblocks; i++)
		if (!same_str(a->blocks[i].lang, b->blocks[i].lang) ||
		    a->blocks[i].lang_code != b->blocks[i].lang_code ||
		    a->blocks[i].charset != b->blocks[i].charset)
			return differ(c, "CD-TEXT block %zu differs", i + 1);
	return true;
}

static bool same_vinyl(struct cmp *c, const struct pm_vinyl *a,
		       const struct pm_vinyl *b)
{
	size_t s, k;

	if (!SAME(c, a->enabled == b->enabled && a->size_in == b->size_in &&
			     a->speed_rpm == b->speed_rpm &&
			     same_time(a->gap, b->gap) &&
			     a->lf_mono_hz == b->lf_mono_hz &&
			     a->has_target == b->has_target &&
			     (!a->has_target || a->target_lufs == b->target_lufs) &&
			     a->has_ceiling == b->has_ceiling &&
			     (!a->has_ceiling || a->ceiling_dbtp == b->ceiling_dbtp) &&
			     a->rate == b->rate && a->bits == b->bits &&
			     a->nsides == b->nsides,
		  "the vinyl settings differ"))
		return false;
	for (s = 0; s < a->nsides; s++) {
		const struct pm_vinyl_side *x = &a->sides[s], *y = &b->sides[s];

		if (!same_str(x->name, y->name) || x->ntracks != y->ntracks)
			return differ(c, "vinyl side %zu differs", s + 1);
		for (k = 0; k < x->ntracks; k++)
			if (x->tracks[k] != y->tracks[k])
				return differ(c, "vinyl side %zu differs", s + 1);
	}
	return true;
}

static bool same_stream(struct cmp *c, const struct pm_stream *a,
			const struct pm_stream *b)
{
	return SAME(c, same_str(a->name, b->name) &&
			       same_str(a->preset, b->preset) &&
			       a->has_target == b->has_target &&
			       (!a->has_target || a->target_lufs == b->target_lufs) &&
			       a->has_ceiling == b->has_ceiling &&
			       (!a->has_ceiling || a->ceiling_dbtp == b->ceiling_dbtp) &&
			       a->has_format == b->has_format &&
			       (!a->has_format || a->format == b->format) &&
			       a->has_bits == b->has_bits &&
			       (!a->has_bits || a->bits == b->bits) &&
			       a->has_rate == b->has_rate &&
			       (!a->has_rate || a->rate == b->rate) &&
			       a->has_gaps == b->has_gaps &&
			       (!a->has_gaps || a->gaps == b->gaps),
		    "streaming profile '%s' differs", a->name ? a->name : "");
}

bool pm_album_same(const struct pm_album *a, const struct pm_album *b,
		   char *why, size_t size)
{
	struct cmp c = { .why = why, .size = size };
	size_t i;

	if (why && size)
		why[0] = '\0';
	if (!same_release(&c, &a->release, &b->release))
		return false;
	if (!SAME(&c, a->htoa.is_set == b->htoa.is_set,
		  "one has hidden track one audio"))
		return false;
	if (a->htoa.is_set &&
	    (!same_source(&c, &a->htoa.source, &b->htoa.source, "the hidden track") ||
	     !same_texts(&c, &a->htoa.title, &b->htoa.title, "the hidden track") ||
	     !SAME(&c, a->htoa.gain_db == b->htoa.gain_db &&
			       same_fade(&a->htoa.fade_in, &b->htoa.fade_in) &&
			       same_fade(&a->htoa.fade_out, &b->htoa.fade_out),
		   "the hidden track's gain or fades differ")))
		return false;
	if (!SAME(&c, a->ntracks == b->ntracks, "%zu tracks, not %zu",
		  a->ntracks, b->ntracks))
		return false;
	for (i = 0; i < a->ntracks; i++)
		if (!same_track(&c, &a->tracks[i], &b->tracks[i], i + 1))
			return false;
	if (!same_mastering(&c, &a->mastering, &b->mastering) ||
	    !same_cd(&c, &a->cd, &b->cd) || !same_vinyl(&c, &a->vinyl, &b->vinyl) ||
	    !SAME(&c, a->nstreams == b->nstreams, "%zu streaming profiles, not %zu",
		  a->nstreams, b->nstreams))
		return false;
	for (i = 0; i < a->nstreams; i++)
		if (!same_stream(&c, &a->streams[i], &b->streams[i]))
			return false;
	if (!SAME(&c, a->nrules == b->nrules, "%zu verify rules, not %zu",
		  a->nrules, b->nrules))
		return false;
	for (i = 0; i < a->nrules; i++) {
		const struct pm_rule *x = &a->rules[i], *y = &b->rules[i];

		if (!same_str(x->id, y->id) || x->has_severity != y->has_severity ||
		    (x->has_severity && x->severity != y->severity) ||
		    x->has_value != y->has_value ||
		    (x->has_value && x->value != y->value))
			return differ(&c, "verify rule %zu differs", i + 1);
	}
	return true;
}
