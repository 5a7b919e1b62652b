/* SPDX-License-Identifier: GPL-3.0-or-later */
/* import.c: a disc back into an album (see import.h). */
#include <config.h>

#include "sequence/import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "album/album.h"
#include "album/charset.h"
#include "album/write.h"
#include "cd/cdtext.h"
#include "io/audio.h"
#include "sequence/timeline.h"
#include "util/log.h"
#include "util/msf.h"
#include "util/outdir.h"
#include "util/path.h"
#include "util/progress.h"

#include "util/banned.h"

/* A span of the programme in frames, [start, end). */
struct span {
	uint32_t start, end;
};

/* Where each source comes from, decided before anything is written. */
struct plan {
	unsigned n;
	struct span src[PM_MAX_TRACKS]; /* each track's source */
	uint32_t gap[PM_MAX_TRACKS];    /* its pause, in frames; 0: none */
	bool in_source[PM_MAX_TRACKS];  /* the pause is in its source */
	bool htoa;
	struct span htoa_span;
};

struct importer {
	const struct pm_disc_image *img;
	const struct pm_import_options *o;
	struct pm_import_result *res;
	struct pm_image_reader *rd;
	struct plan plan;
	struct pm_album *a;
	struct pm_outdir od;
	bool have_od;
	char *cut[PM_MAX_TRACKS + 1]; /* [0] hidden track, [n] track n:
					 the name to cut it to, or NULL */
};

static void loss(struct importer *im, const char *fmt, ...) PM_PRINTF(2, 3);

static void loss(struct importer *im, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pm_warning("%s: %s", im->img->origin ? im->img->origin : "the disc",
		   msg);
	im->res->losses++;
}

/* ------------------------------------------------------------------ */
/* The plan                                                             */
/* ------------------------------------------------------------------ */

static int silent(struct importer *im, uint32_t a, uint32_t b,
		  struct pm_err *err)
{
	return a >= b ? 1 : pm_image_is_silent(im->rd, a, b, err);
}

static int make_plan(struct importer *im, struct pm_err *err)
{
	const struct pm_disc *d = &im->img->disc;
	struct plan *pl = &im->plan;
	unsigned i;
	int s;

	pl->n = d->ntracks;
	for (i = 0; i < d->ntracks; i++) {
		const struct pm_pq_track *q = &d->track[i];
		uint32_t p = i == 0 ? 0
			     : q->has_pause ? q->pause_frames
					    : q->index[0];
		uint32_t id = q->index[0];
		uint32_t end = i + 1 < d->ntracks
				       ? (d->track[i + 1].has_pause
						  ? d->track[i + 1].pause_frames
						  : d->track[i + 1].index[0])
				       : d->leadout_frames;

		pl->src[i].start = id;
		pl->src[i].end = end;
		if (id == p)
			continue;
		s = silent(im, p, id, err);
		if (s < 0)
			return -1;
		if (s) {
			/* a pause of silence: track 1's 2 s are the default */
			pl->gap[i] = i == 0 && id == PM_PREGAP_FRAMES ? 0 : id - p;
			im->res->silent_pauses += i > 0;
			continue;
		}
		if (i == 0 && id > PM_PREGAP_FRAMES) {
			s = silent(im, 0, PM_PREGAP_FRAMES, err);
			if (s < 0)
				return -1;
			if (s) {
				/* audio after the first 2 s: hidden track one */
				pl->htoa = true;
				pl->htoa_span.start = PM_PREGAP_FRAMES;
				pl->htoa_span.end = id;
				im->res->htoa = true;
				continue;
			}
		}
		/* audio under index 00: the pause is the source's */
		pl->src[i].start = p;
		pl->gap[i] = id - p;
		pl->in_source[i] = true;
		im->res->audio_pauses++;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Sources                                                              */
/* ------------------------------------------------------------------ */

/*
 * Give `t` a source for frames [sp.start, sp.end): the file that holds
 * them all, trimmed, or a file to cut (`name`, in the sources directory).
 */
static int choose_source(struct importer *im, struct pm_source *src,
			 struct span sp, size_t slot, const char *name,
			 uint32_t *rate, struct pm_err *err)
{
	const struct pm_disc_image *img = im->img;
	uint32_t into, into_last;
	size_t k = pm_image_piece_at(img, sp.start, &into);
	size_t k2 = pm_image_piece_at(img, sp.end - 1, &into_last);
	const struct pm_piece *p = k < img->npieces ? &img->pieces[k] : NULL;
	struct pm_audio_info info;
	char *abs = NULL, *rel = NULL;
	int64_t in, out;
	size_t n;

	*rate = PM_CD_RATE;
	if (p && k == k2 && p->kind == PM_PIECE_FILE) {
		if (pm_audio_probe(p->path, &info, err) < 0)
			return -1;
		abs = realpath(p->path, NULL);
		if (!abs)
			return pm_err_sys(err, PM_ENOINPUT, "cannot find '%s'",
					  p->path);
		rel = pm_path_relative(im->o->album_dir, abs);
		free(abs);
		if (!rel)
			return pm_err_set(err, PM_ENOMEM, "out of memory");
		src->file = rel;
		in = p->offset + (int64_t)into * p->rate / PM_FRAMES_PER_SEC;
		out = in + (int64_t)(sp.end - sp.start) * p->rate /
				   PM_FRAMES_PER_SEC;
		/* sample counts: the probe gives them the file's rate; the
		 * last file may end inside its last frame, which the CD pads */
		if (in)
			src->in = pm_time_from_samples(in, 0);
		if (out < info.length_samples)
			src->out = pm_time_from_samples(out, 0);
		*rate = p->rate;
		im->res->referenced++;
		return 0;
	}
	n = strlen(im->o->sources) + strlen(name) + 2;
	src->file = pm_malloc(n, err);
	if (!src->file)
		return -1;
	snprintf(src->file, n, "%s/%s", im->o->sources, name);
	im->cut[slot] = pm_strdup(name, err);
	return im->cut[slot] ? 0 : -1;
}

static int cut_file(struct importer *im, const char *name, struct span sp,
		    int16_t *buf, struct pm_err *err)
{
	const struct pm_audio_spec spec = { .format = PM_FORMAT_WAV,
					    .rate = PM_CD_RATE,
					    .channels = 2, .bits = 16 };
	struct pm_audio_writer *w;
	char *path = pm_outdir_path(&im->od, name, err);
	uint32_t at;

	if (!path)
		return -1;
	w = pm_audio_create(path, &spec, NULL, err);
	free(path);
	if (!w)
		return -1;
	for (at = sp.start; at < sp.end;) {
		uint32_t n = sp.end - at < 256 ? sp.end - at : 256;

		if (pm_interrupted()) {
			pm_err_set(err, PM_EINTR, "interrupted");
			goto fail;
		}
		if (pm_image_read_s16(im->rd, at, n, buf, err) < 0 ||
		    pm_audio_write_s16(w, buf, pm_frame_samples(n), err) < 0)
			goto fail;
		pm_progress_add((double)n / PM_FRAMES_PER_SEC);
		at += n;
	}
	im->res->extracted++;
	return pm_audio_finish(w, err);
fail:
	pm_audio_finish(w, NULL);
	return -1;
}

static int cut_sources(struct importer *im, struct pm_err *err)
{
	int16_t *buf;
	unsigned i;
	bool any = false;
	char *parent;
	int ret = -1;

	for (i = 0; i <= im->plan.n; i++)
		any |= im->cut[i] != NULL;
	if (!any)
		return 0;
	parent = pm_strdup(im->o->album_dir, err);
	if (!parent)
		return -1;
	if (pm_outdir_begin(&im->od, parent, im->o->sources, im->o->force,
			    err) < 0) {
		free(parent);
		return -1;
	}
	free(parent);
	im->have_od = true;
	snprintf(im->res->sources_dir, sizeof(im->res->sources_dir), "%s",
		 im->od.final_path);
	buf = pm_malloc(256 * PM_BYTES_PER_FRAME, err);
	if (!buf)
		return -1;
	if (im->cut[0] &&
	    cut_file(im, im->cut[0], im->plan.htoa_span, buf, err) < 0)
		goto out;
	for (i = 1; i <= im->plan.n; i++)
		if (im->cut[i] &&
		    cut_file(im, im->cut[i], im->plan.src[i - 1], buf, err) < 0)
			goto out;
	ret = 0;
out:
	free(buf);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The album                                                            */
/* ------------------------------------------------------------------ */

static int add_text(struct pm_texts *t, const char *lang, const char *value,
		    struct pm_err *err)
{
	struct pm_text *v = pm_reallocarray(t->v, t->n + 1, sizeof(*v), err);

	if (!v)
		return -1;
	t->v = v;
	v = &t->v[t->n];
	memset(v, 0, sizeof(*v));
	v->value = pm_strdup(value, err);
	if (lang)
		v->lang = pm_strdup(lang, err);
	if (!v->value || (lang && !v->lang))
		return -1;
	t->n++;
	return 0;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static const char *field_name(int f)
{
	return pm_field_element[f];
}

/* A text as the schema takes it: at most 160 characters. */
static const char *fit(struct importer *im, const char *v, char *buf,
		       size_t size, const char *what)
{
	size_t n = 0, chars = 0;

	if (!v)
		return NULL;
	while (v[n]) {
		if (((unsigned char)v[n] & 0xC0) != 0x80 && ++chars > 160)
			break;
		n++;
	}
	if (!v[n])
		return v;
	if (n >= size)
		n = size - 1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	loss(im, "%s is longer than the 160 characters album.xml holds; cut to '%s'",
	     what, buf);
	return buf;
}

/* The texts of block 0 and the differences of the other blocks. */
static int texts(struct importer *im, struct pm_err *err)
{
	const struct pm_cdtext_text *ct = &im->img->text;
	struct pm_album *a = im->a;
	const struct pm_cdtext_lang *b0 = &ct->block[0];
	char buf[1024], what[128];
	size_t b, t;
	int f;

	/* block 0: the unlabelled texts; the release's are inherited */
	for (f = 0; f < PM_NFIELDS; f++) {
		const char *disc = b0->text[f][0];

		snprintf(what, sizeof(what), "the album %s", field_name(f));
		if (disc && f != PM_FIELD_TITLE &&
		    add_text(&a->release.text[f], NULL,
			     fit(im, disc, buf, sizeof(buf), what), err) < 0)
			return -1;
		for (t = 1; t <= a->ntracks; t++) {
			const char *v = b0->text[f][t];
			bool inherits = f != PM_FIELD_TITLE &&
					f != PM_FIELD_MESSAGE;

			snprintf(what, sizeof(what), "track %zu's %s", t,
				 field_name(f));
			if (f == PM_FIELD_TITLE && !v)
				continue; /* "Track N" below */
			if (!v && inherits && disc)
				loss(im, "%s is empty in CD-TEXT, but the album's is not: it will read '%s'",
				     what, disc);
			if (!v || (inherits && same_str(v, disc)))
				continue;
			if (add_text(&a->tracks[t - 1].text[f], NULL,
				     fit(im, v, buf, sizeof(buf), what), err) < 0)
				return -1;
		}
	}
	/* the other blocks: what falling back to block 0 would not give */
	for (b = 1; b < ct->nblocks && b < a->cd.nblocks; b++) {
		const struct pm_cdtext_lang *l = &ct->block[b];
		const char *lang = a->cd.blocks[b].lang;

		for (t = 0; t <= a->ntracks; t++) {
			for (f = 0; f < PM_NFIELDS; f++) {
				const char *want = l->text[f][t];
				const char *have = pm_album_cdtext(
					a, b, (enum pm_field)f,
					t ? t - 1 : PM_DISC);
				struct pm_texts *into =
					t ? &a->tracks[t - 1].text[f]
					  : &a->release.text[f];

				if (same_str(want, have))
					continue;
				if (t)
					snprintf(what, sizeof(what),
						 "track %zu's %s in block '%s'",
						 t, field_name(f), lang);
				else
					snprintf(what, sizeof(what),
						 "the album %s in block '%s'",
						 field_name(f), lang);
				if (!want) {
					loss(im, "%s is empty in CD-TEXT: it will read '%s'",
					     what, have);
					continue;
				}
				if (add_text(into, lang,
					     fit(im, want, buf, sizeof(buf), what),
					     err) < 0)
					return -1;
			}
		}
	}
	return 0;
}

/*
 * Every text must be writable in its block's character set: a sheet's
 * text (UTF-8) may not be.  Transliteration is turned on when it helps
 * (a loss: the disc will read the near equivalents); a text it cannot
 * help is refused, named.
 */
static int charsets(struct importer *im, struct pm_err *err)
{
	struct pm_album *a = im->a;
	struct pm_charset_result res;
	char out[1024], what[128], cp[32];
	size_t b, t;
	int f, pass;

	for (pass = 0; pass < 2; pass++) {
		for (b = 0; b < a->cd.nblocks; b++)
			for (t = 0; t <= a->ntracks; t++)
				for (f = 0; f < PM_NFIELDS; f++) {
					const char *v = pm_album_cdtext(
						a, b, (enum pm_field)f,
						t ? t - 1 : PM_DISC);

					if (!v || pm_charset_convert(
							  v, a->cd.blocks[b].charset,
							  a->cd.transliterate, out,
							  sizeof(out), &res) == 0)
						continue;
					if (t)
						snprintf(what, sizeof(what),
							 "track %zu's %s", t,
							 pm_field_element[f]);
					else
						snprintf(what, sizeof(what),
							 "the album %s",
							 pm_field_element[f]);
					if (pass == 0 && !res.too_long) {
						a->cd.transliterate = true;
						loss(im, "%s '%s' is not %s: CD-TEXT gets near equivalents (transliterate=\"true\")",
						     what, v,
						     pm_charset_name(a->cd.blocks[b].charset));
						goto again;
					}
					return pm_err_set(
						err, PM_EFORMAT,
						"%s '%s': %s cannot be written in CD-TEXT %s",
						what, v,
						res.too_long ? "it is too long and"
							     : pm_describe_cp(res.bad_cp, cp,
									      sizeof(cp)),
						pm_charset_name(a->cd.blocks[b].charset));
				}
		return 0;
again:;
	}
	return 0;
}

/* The CD-TEXT blocks, and what every block shares. */
static int cdtext_settings(struct importer *im, struct pm_err *err)
{
	const struct pm_cdtext_text *ct = &im->img->text;
	struct pm_album *a = im->a;
	size_t b, nb = im->img->has_text ? ct->nblocks : 0;

	a->cd.blocks = pm_calloc(nb ? nb : 1, sizeof(*a->cd.blocks), err);
	if (!a->cd.blocks)
		return -1;
	a->cd.cdtext = nb > 0;
	for (b = 0; b < (nb ? nb : 1); b++) {
		struct pm_cdtext_block *cb = &a->cd.blocks[b];
		unsigned code = nb ? ct->block[b].lang_code : 0x09;
		const char *iso = pm_language_iso(code);

		if (!iso) {
			loss(im, "CD-TEXT block %zu has language code 0x%02X, which album.xml cannot name; it becomes English",
			     b, code);
			iso = "en";
			code = 0x09;
		}
		cb->lang = pm_strdup(iso, err);
		if (!cb->lang)
			return -1;
		cb->lang_code = code;
		cb->charset = !nb ? PM_CHARSET_ISO8859_1
			      : ct->block[b].char_code == 0x01 ? PM_CHARSET_ASCII
			      : ct->block[b].char_code == 0x80 ? PM_CHARSET_MSJIS
							       : PM_CHARSET_ISO8859_1;
		if (nb && ct->block[b].char_code != 0x00 &&
		    ct->block[b].char_code != 0x01 &&
		    ct->block[b].char_code != 0x80)
			loss(im, "CD-TEXT block %zu has character code 0x%02X; it becomes ISO-8859-1",
			     b, ct->block[b].char_code);
		a->cd.nblocks++;
	}
	if (!nb)
		return 0;
	a->cd.copyright = ct->block[0].copyright;
	if (ct->block[0].disc_id) {
		a->cd.disc_id = pm_strdup(ct->block[0].disc_id, err);
		if (!a->cd.disc_id)
			return -1;
	}
	if (ct->block[0].genre_code) {
		const char *token = pm_genre_token(ct->block[0].genre_code);
		const char *text = ct->block[0].genre_text;

		if (!token) {
			loss(im, "CD-TEXT genre code %u is not one album.xml names; it is left out",
			     ct->block[0].genre_code);
		} else {
			if (!text)
				loss(im, "the CD-TEXT genre has a code but no text; the text '%s' is added",
				     token);
			a->release.genre = pm_strdup(text ? text : token, err);
			if (!a->release.genre)
				return -1;
			a->release.genre_code = ct->block[0].genre_code;
		}
	}
	return 0;
}

static const char *o_catalog(const struct importer *im)
{
	return im->o->catalog && *im->o->catalog ? im->o->catalog : NULL;
}

static int build_album(struct importer *im, struct pm_err *err)
{
	const struct pm_disc_image *img = im->img;
	const struct pm_disc *d = &img->disc;
	struct plan *pl = &im->plan;
	struct pm_album *a;
	char name[32], id[16], buf[1024];
	const char *title;
	uint32_t rate;
	size_t i, k;

	a = im->a = pm_calloc(1, sizeof(*a), err);
	if (!a)
		return -1;
	pm_album_defaults(a);
	a->tracks = pm_calloc(d->ntracks, sizeof(*a->tracks), err);
	if (!a->tracks)
		return -1;
	a->ntracks = d->ntracks;
	memcpy(a->release.upc, d->upc, sizeof(a->release.upc));
	if (img->master_id[0] &&
	    !(a->release.master_id = pm_strdup(img->master_id, err)))
		return -1;
	if (o_catalog(im) &&
	    !(a->release.catalog = pm_strdup(o_catalog(im), err)))
		return -1;
	if (img->release_date &&
	    !(a->release.release_date = pm_strdup(img->release_date, err)))
		return -1;
	a->cd.enabled = true;
	if (cdtext_settings(im, err) < 0)
		return -1;
	title = img->has_text ? img->text.block[0].text[PM_FIELD_TITLE][0] : NULL;
	if (!title && img->has_text)
		loss(im, "CD-TEXT has no album title; '%s' is written for it",
		     im->o->title ? im->o->title : "Untitled");
	if (add_text(&a->release.text[PM_FIELD_TITLE], NULL,
		     title ? fit(im, title, buf, sizeof(buf), "the album title")
			   : im->o->title ? im->o->title : "Untitled",
		     err) < 0)
		return -1;

	if (pl->htoa) {
		a->htoa.is_set = true;
		if (choose_source(im, &a->htoa.source, pl->htoa_span, 0,
				  "00-hidden.wav", &rate, err) < 0)
			return -1;
	}
	for (i = 0; i < d->ntracks; i++) {
		const struct pm_pq_track *q = &d->track[i];
		struct pm_track *t = &a->tracks[i];

		snprintf(id, sizeof(id), "t%zu", i + 1);
		snprintf(name, sizeof(name), "%02zu.wav", i + 1);
		t->id = pm_strdup(id, err);
		if (!t->id || choose_source(im, &t->source, pl->src[i], i + 1,
					    name, &rate, err) < 0)
			return -1;
		memcpy(t->isrc, q->isrc, sizeof(t->isrc));
		t->pre_emphasis = (q->control & PM_CTL_PREEMPHASIS) != 0;
		t->copy_permitted = (q->control & PM_CTL_COPY) != 0;
		t->scms = q->scms;
		if (pl->gap[i]) {
			t->has_gap = true;
			/* in the source's samples: CD frames are whole */
			t->gap = pm_time_from_samples(
				(int64_t)pl->gap[i] * rate / PM_FRAMES_PER_SEC, 0);
			t->gap_in_source = pl->in_source[i];
		}
		t->nindexes = q->nindex - 1;
		if (t->nindexes) {
			t->indexes = pm_calloc(t->nindexes, sizeof(*t->indexes),
					       err);
			if (!t->indexes)
				return -1;
			im->res->indexes += (unsigned)t->nindexes;
		}
		for (k = 1; k < q->nindex; k++) {
			t->indexes[k - 1].at = pm_time_from_samples(
				(int64_t)(q->index[k] - q->index[0]) * rate /
					PM_FRAMES_PER_SEC,
				0);
		}
	}
	if (img->has_text && (texts(im, err) < 0 || charsets(im, err) < 0))
		return -1;
	for (i = 0; i < a->ntracks; i++) {
		if (a->tracks[i].text[PM_FIELD_TITLE].n)
			continue;
		if (img->has_text && img->text.block[0].text[PM_FIELD_TITLE][0])
			loss(im, "track %zu has no CD-TEXT title; 'Track %02zu' is written for it",
			     i + 1, i + 1);
		snprintf(buf, sizeof(buf), "Track %02zu", i + 1);
		if (add_text(&a->tracks[i].text[PM_FIELD_TITLE], NULL, buf,
			     err) < 0)
			return -1;
	}

	/* pass-through, and a re-issue keeps the peaks it had */
	a->mastering.pass_through = true;
	a->mastering.tone.mode = PM_TONE_OFF;
	a->rules = pm_calloc(1, sizeof(*a->rules), err);
	if (!a->rules || !(a->rules[0].id = pm_strdup("true-peak", err)))
		return -1;
	a->rules[0].has_severity = true;
	a->rules[0].severity = PM_SEV_WARNING;
	a->nrules = 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Checking what was written                                            */
/* ------------------------------------------------------------------ */

/* The CD-TEXT the album encodes, against the disc's. */
static int check_cdtext(struct importer *im, const struct pm_album *a,
			struct pm_err *err)
{
	const struct pm_disc_image *img = im->img;
	struct pm_cdtext_text back = { 0 };
	uint8_t *packs = NULL;
	size_t len = 0, b, t;
	int f, ret = -1;

	im->res->nblocks = img->has_text ? (unsigned)img->text.nblocks : 0;
	if (!img->has_text) {
		im->res->cdtext = PM_IMPORT_CDTEXT_NONE;
		return 0;
	}
	if (pm_cdtext_from_album(a, &packs, &len, err) < 0)
		return -1;
	if (img->cdtext && len == img->cdtext_bytes &&
	    memcmp(packs, img->cdtext, len) == 0) {
		im->res->cdtext = PM_IMPORT_CDTEXT_IDENTICAL;
		free(packs);
		return 0;
	}
	if (pm_cdio_cdtext_decode(packs, len, &back, err) < 0)
		goto out;
	im->res->cdtext = PM_IMPORT_CDTEXT_SAME_TEXT;
	if (back.nblocks != img->text.nblocks)
		im->res->cdtext = PM_IMPORT_CDTEXT_CHANGED;
	for (b = 0; b < back.nblocks && b < img->text.nblocks; b++)
		for (f = 0; f < PM_NFIELDS; f++)
			for (t = 0; t <= a->ntracks; t++)
				if (!same_str(back.block[b].text[f][t],
					      img->text.block[b].text[f][t]))
					im->res->cdtext = PM_IMPORT_CDTEXT_CHANGED;
	if (im->res->cdtext == PM_IMPORT_CDTEXT_CHANGED && !im->res->losses)
		loss(im, "the album's CD-TEXT reads differently from the disc's");
	ret = 0;
out:
	pm_cdio_cdtext_release(&back);
	free(packs);
	return ret;
}

/*
 * Read the written album back: the same model, and laid out for the CD
 * the very disc it came from.
 */
static int check_album_quietly(struct importer *im, const char *path,
			       struct pm_err *err);

/*
 * What the album says was said when it was made (the losses); reading
 * it back would say it again, about a temporary file: only errors, which
 * would be ours, are shown.
 */
static int check_album(struct importer *im, const char *path,
		       struct pm_err *err)
{
	enum pm_log_level was = pm_log_level();
	int ret;

	pm_log_init(NULL, PM_LOG_ERROR);
	ret = check_album_quietly(im, path, err);
	pm_log_init(NULL, (int)was);
	return ret;
}

static int check_album_quietly(struct importer *im, const char *path,
			       struct pm_err *err)
{
	const struct pm_disc_image *img = im->img;
	struct pm_tl_options to = { .rate = PM_CD_RATE, .cd = true,
				    .lead_pause = true };
	struct pm_timeline tl = { 0 };
	int64_t lengths[PM_MAX_TRACKS], htoa = 0;
	size_t which[PM_MAX_TRACKS], i, k;
	struct pm_album *back;
	char why[256];
	int ret = -1;

	back = pm_album_load(path, NULL, err);
	if (!back)
		return pm_err_prefix(err, "the album written does not load: ");
	if (!pm_album_same(im->a, back, why, sizeof(why))) {
		pm_err_set(err, PM_EINVAL,
			   "the album written reads back differently (%s)", why);
		goto out;
	}
	/* sample counts are the sources' own; those are CD frames apart */
	for (i = 0; i < back->ntracks; i++) {
		struct pm_track *t = &back->tracks[i];
		uint32_t rate = PM_CD_RATE;
		uint32_t into;
		size_t p = pm_image_piece_at(img, im->plan.src[i].start, &into);

		if (p < img->npieces && img->pieces[p].kind == PM_PIECE_FILE &&
		    !im->cut[i + 1])
			rate = img->pieces[p].rate;
		if (t->has_gap && t->gap.in_samples)
			t->gap.den = rate;
		for (k = 0; k < t->nindexes; k++)
			if (t->indexes[k].at.in_samples)
				t->indexes[k].at.den = rate;
		which[i] = i;
		lengths[i] = pm_frame_samples(im->plan.src[i].end -
					      im->plan.src[i].start);
	}
	if (im->plan.htoa) {
		htoa = pm_frame_samples(im->plan.htoa_span.end -
					im->plan.htoa_span.start);
		to.with_htoa = true;
	}
	if (pm_timeline_build(back, which, back->ntracks, lengths, htoa, &to,
			      &tl, err) < 0)
		goto out;
	if (!pm_disc_same(&tl.disc, &img->disc, why, sizeof(why)) ||
	    tl.length != pm_frame_samples(img->disc.leadout_frames)) {
		pm_err_set(err, PM_EINVAL,
			   "the album would not give the disc back: the layout %s",
			   why);
		goto out;
	}
	ret = check_cdtext(im, back, err);
out:
	pm_timeline_release(&tl);
	pm_album_free(back);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The whole import                                                     */
/* ------------------------------------------------------------------ */

static const char mastering_note[] =
	"Pass-through: no EQ, limiter or loudness change, so the CD is built "
	"sample for sample from these sources. To re-master, remove "
	"pass-through and add a chain.";
static const char verify_note[] =
	"A re-issue keeps the peaks it was delivered with: true peak over the "
	"CD ceiling is a warning, not a failure.";

int pm_import(const struct pm_disc_image *img,
	      const struct pm_import_options *o, struct pm_import_result *res,
	      struct pm_err *err)
{
	struct importer im = { .img = img, .o = o, .res = res };
	struct pm_album_write_options wo = { .mastering_comment = mastering_note,
					     .verify_comment = verify_note };
	struct pm_file out = { 0 };
	char comment[4200];
	unsigned i;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	res->ntracks = img->disc.ntracks;
	if (img->disc.ntracks < 1 || img->disc.ntracks > PM_MAX_TRACKS)
		return pm_err_set(err, PM_EFORMAT, "%s has %u tracks",
				  img->origin ? img->origin : "the disc",
				  img->disc.ntracks);
	/* refuse early what would be refused at the end */
	if (!o->force && access(o->album_path, F_OK) == 0)
		return pm_err_set(err, PM_ECREATE,
				  "'%s' exists; use --force to replace it",
				  o->album_path);
	im.rd = pm_image_reader_new(img, err);
	if (!im.rd)
		return -1;
	if (make_plan(&im, err) < 0 || build_album(&im, err) < 0)
		goto out;
	if (pm_file_open(&out, o->album_path, o->force, err) < 0)
		goto out;
	snprintf(comment, sizeof(comment),
		 "Imported by premaster init from %s; see premaster-album(5).",
		 img->origin ? img->origin : "a disc");
	wo.comment = comment;
	if (pm_album_write(out.fp, im.a, &wo, err) < 0)
		goto out;
	if (fflush(out.fp) != 0) {
		pm_err_sys(err, PM_EIO, "cannot write '%s'", out.tmp);
		goto out;
	}
	if (check_album(&im, out.tmp, err) < 0)
		goto out;
	pm_progress_expect((double)img->disc.leadout_frames / PM_FRAMES_PER_SEC);
	if (cut_sources(&im, err) < 0)
		goto out;
	if (im.have_od && pm_outdir_commit(&im.od, err) < 0)
		goto out;
	if (pm_file_commit(&out, err) < 0)
		goto out;
	ret = 0;
out:
	pm_progress_clear();
	pm_file_abort(&out);
	if (im.have_od) {
		if (ret < 0)
			pm_outdir_abort(&im.od);
		pm_outdir_release(&im.od);
	}
	for (i = 0; i <= PM_MAX_TRACKS; i++)
		free(im.cut[i]);
	pm_album_free(im.a);
	pm_image_reader_free(im.rd);
	return ret;
}
