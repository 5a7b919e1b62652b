/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * meta.c: what every delivered file says about itself: the tags of a
 * streaming file, the LIST/INFO and bext chunks of a WAV, and the
 * loudness measured while it is written.
 */
#include <config.h>

#include "sequence/sequence-impl.h"

#include <time.h>

#include "album/charset.h"

#include "util/banned.h"

/* The default (unlabelled) text of a track's field, else the album's for
 * the people fields, as tags use them. */
static const char *track_text(const struct pm_album *a, size_t k,
			      enum pm_field f)
{
	const char *v = NULL;

	if (k != PM_DISC)
		v = pm_texts_get(&a->tracks[k].text[f], NULL, false);
	if (!v && (k == PM_DISC || f != PM_FIELD_TITLE))
		v = pm_texts_get(&a->release.text[f], NULL, false);
	return v;
}

static void add_tag(struct seq_tags *t, const char *key, const char *value)
{
	if (value && *value && t->n < PM_ARRAY_SIZE(t->v)) {
		t->v[t->n].key = key;
		t->v[t->n].value = value;
		t->n++;
	}
}

void seq_track_tags(const struct pm_album *a, size_t k, struct seq_tags *t)
{
	const struct pm_release *r = &a->release;

	memset(t, 0, sizeof(*t));
	snprintf(t->number, sizeof(t->number), "%zu", k + 1);
	snprintf(t->total, sizeof(t->total), "%zu", a->ntracks);
	if (r->c_line)
		snprintf(t->copyright, sizeof(t->copyright), "%u %s", r->c_year,
			 r->c_line);
	snprintf(t->encoder, sizeof(t->encoder), "premaster %s",
		 PACKAGE_VERSION);
	add_tag(t, "TITLE", track_text(a, k, PM_FIELD_TITLE));
	add_tag(t, "ARTIST", track_text(a, k, PM_FIELD_PERFORMER));
	add_tag(t, "ALBUM", pm_texts_get(&r->text[PM_FIELD_TITLE], NULL, false));
	add_tag(t, "ALBUMARTIST",
		pm_texts_get(&r->text[PM_FIELD_PERFORMER], NULL, false));
	add_tag(t, "TRACKNUMBER", t->number);
	add_tag(t, "TRACKTOTAL", t->total);
	add_tag(t, "DISCNUMBER", "1");
	add_tag(t, "DISCTOTAL", "1");
	add_tag(t, "DATE", r->release_date);
	add_tag(t, "GENRE", r->genre);
	add_tag(t, "ISRC", a->tracks[k].isrc);
	add_tag(t, "BARCODE", r->upc);
	add_tag(t, "LABEL", r->label);
	add_tag(t, "CATALOGNUMBER", r->catalog);
	add_tag(t, "COPYRIGHT", t->copyright);
	add_tag(t, "COMPOSER", track_text(a, k, PM_FIELD_COMPOSER));
	add_tag(t, "ENCODER", t->encoder);
}

/* UTF-8 to the printable ASCII bext holds, near equivalents for the
 * rest (and '?' where there is none). */
static void ascii(const char *in, char *out, size_t size)
{
	struct pm_charset_result res;
	size_t i;

	if (!in) {
		out[0] = '\0';
		return;
	}
	if (pm_charset_convert(in, PM_CHARSET_ASCII, true, out, size, &res) == 0)
		return;
	for (i = 0; in[i] && i + 1 < size; i++)
		out[i] = (unsigned char)in[i] >= 0x20 && (unsigned char)in[i] < 0x7F
				 ? in[i]
				 : '?';
	out[i] = '\0';
}

/* The date of a file: SOURCE_DATE_EPOCH when set, else the release date,
 * so the same album makes the same bytes. */
static void file_date(const struct pm_album *a, char *date, size_t dsize,
		      char *tod, size_t tsize)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;

	date[0] = tod[0] = '\0';
	if (sde && *sde) {
		unsigned long long v = strtoull(sde, &end, 10);
		time_t when = (time_t)v;
		struct tm tm;

		if (*end == '\0' && gmtime_r(&when, &tm)) {
			strftime(date, dsize, "%Y-%m-%d", &tm);
			strftime(tod, tsize, "%H:%M:%S", &tm);
			return;
		}
	}
	if (a->release.release_date) {
		snprintf(date, dsize, "%s", a->release.release_date);
		snprintf(tod, tsize, "00:00:00");
	}
}

void seq_wav_meta(const struct pm_album *a, size_t k, const char *what,
		  uint32_t rate, unsigned bits, struct seq_wav_meta *m)
{
	const struct pm_release *r = &a->release;
	const char *title = track_text(a, k, PM_FIELD_TITLE);
	const char *artist = track_text(a, k, PM_FIELD_PERFORMER);
	char t[200], ar[200];
	size_t n;

	memset(m, 0, sizeof(*m));
	if (k != PM_DISC) {
		snprintf(m->number, sizeof(m->number), "%zu/%zu", k + 1,
			 a->ntracks);
		m->meta.tracknumber = m->number;
	}
	if (r->c_line)
		snprintf(m->copyright, sizeof(m->copyright), "%u %s", r->c_year,
			 r->c_line);
	snprintf(m->software, sizeof(m->software), "premaster %s",
		 PACKAGE_VERSION);
	m->meta.title = title;
	m->meta.artist = artist;
	m->meta.album = pm_texts_get(&r->text[PM_FIELD_TITLE], NULL, false);
	m->meta.date = r->release_date;
	m->meta.genre = r->genre;
	m->meta.copyright = r->c_line ? m->copyright : NULL;
	m->meta.software = m->software;
	m->meta.bext = &m->bext;

	/* the description: who and what first (a short display shows 64
	 * characters), then the identifiers */
	ascii(artist, ar, sizeof(ar));
	ascii(title, t, sizeof(t));
	n = (size_t)snprintf(m->description, sizeof(m->description), "%s - %s",
			     ar, t);
	if (k != PM_DISC && a->tracks[k].isrc[0] && n < sizeof(m->description))
		n += (size_t)snprintf(m->description + n,
				      sizeof(m->description) - n, "; ISRC %s",
				      a->tracks[k].isrc);
	if (r->upc[0] && n < sizeof(m->description))
		n += (size_t)snprintf(m->description + n,
				      sizeof(m->description) - n, "; UPC/EAN %s",
				      r->upc);
	if (r->catalog && n < sizeof(m->description)) {
		ascii(r->catalog, t, sizeof(t));
		n += (size_t)snprintf(m->description + n,
				      sizeof(m->description) - n, "; cat. %s", t);
	}
	if (n < sizeof(m->description))
		snprintf(m->description + n, sizeof(m->description) - n,
			 "; %s master", what);
	ascii(r->engineer ? r->engineer : r->label ? r->label : m->software,
	      m->originator, sizeof(m->originator));
	if (k != PM_DISC)
		snprintf(m->reference, sizeof(m->reference), "%s",
			 a->tracks[k].isrc);
	file_date(a, m->date, sizeof(m->date), m->time, sizeof(m->time));
	snprintf(m->history, sizeof(m->history),
		 "A=PCM,F=%u,W=%u,M=stereo,T=%s %s", rate, bits ? bits : 32,
		 m->software, what);
	m->bext.description = m->description;
	m->bext.originator = m->originator;
	m->bext.originator_ref = m->reference[0] ? m->reference : NULL;
	m->bext.date = m->date[0] ? m->date : NULL;
	m->bext.time = m->time[0] ? m->time : NULL;
	m->bext.coding_history = m->history;
}

/* ------------------------------------------------------------------ */
/* Loudness as the file is written                                      */
/* ------------------------------------------------------------------ */

int seq_meter_init(struct seq_meter *m, uint32_t rate, struct pm_err *err)
{
	memset(m, 0, sizeof(*m));
	m->k = pm_bs1770_new(2, rate, err);
	if (!m->k)
		return -1;
	m->tp = pm_truepeak_new(2, rate, 4, 0, err);
	if (!m->tp) {
		pm_bs1770_free(m->k);
		m->k = NULL;
		return -1;
	}
	/* only the maximum matters: stretches provably under it are not
	 * interpolated, and the maximum stays exact */
	pm_truepeak_set_floor(m->tp, 1.0);
	return 0;
}

int seq_meter_add(struct seq_meter *m, const float *buf, int64_t n,
		  struct pm_err *err)
{
	if (!m->k)
		return 0;
	if (pm_bs1770_add(m->k, buf, (size_t)n, err) < 0)
		return -1;
	pm_truepeak_process(m->tp, buf, (size_t)n, NULL);
	return 0;
}

void seq_meter_result(struct seq_meter *m, struct pm_bext_loudness *l)
{
	pm_truepeak_flush(m->tp, NULL);
	l->integrated_lufs = pm_bs1770_integrated(m->k);
	l->range_lu = pm_bs1770_range(m->k);
	l->max_true_peak_dbtp = pm_truepeak_max_dbtp(m->tp);
	l->max_momentary_lufs = pm_bs1770_max_momentary(m->k);
	l->max_shortterm_lufs = pm_bs1770_max_shortterm(m->k);
}

void seq_meter_free(struct seq_meter *m)
{
	pm_bs1770_free(m->k);
	pm_truepeak_free(m->tp);
	memset(m, 0, sizeof(*m));
}
