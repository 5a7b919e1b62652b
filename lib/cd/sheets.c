/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sheets.c: CUE, cdrdao TOC and PQ sheet writers. */
#include <config.h>

#include "cd/sheets.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "album/charset.h"
#include "cd/cdio.h"
#include "cd/msf.h"
#include "util/xmlw.h"

#include "util/banned.h"

int pm_sheet_text_from_album(const struct pm_album *a, struct pm_sheet_text *t,
			    struct pm_err *err)
{
	size_t b, i;
	int f;

	memset(t, 0, sizeof(*t));
	if (!a->cd.cdtext)
		return 0;
	t->transliterate = a->cd.transliterate;
	for (b = 0; b < a->cd.nblocks && b < 8; b++) {
		struct pm_sheet_text_block *blk = &t->block[b];

		blk->lang_code = a->cd.blocks[b].lang_code;
		blk->charset = a->cd.blocks[b].charset;
		for (f = 0; f < PM_NFIELDS; f++)
			for (i = 0; i <= a->ntracks; i++) {
				const char *v = pm_album_cdtext(
					a, b, (enum pm_field)f,
					i == 0 ? PM_DISC : i - 1);

				if (!v)
					continue;
				blk->s[f][i] = pm_strdup(v, err);
				if (!blk->s[f][i]) {
					pm_sheet_text_release(t);
					return -1;
				}
			}
		t->nblocks++;
	}
	return 0;
}

void pm_sheet_text_release(struct pm_sheet_text *t)
{
	size_t b, i;
	int f;

	for (b = 0; b < 8; b++)
		for (f = 0; f < PM_NFIELDS; f++)
			for (i = 0; i < 100; i++)
				free(t->block[b].s[f][i]);
	memset(t, 0, sizeof(*t));
}

const char *pm_sheet_text_get(const struct pm_sheet_text *t, enum pm_field f,
			     unsigned track)
{
	if (!t || t->nblocks == 0 || track > 99)
		return NULL;
	return t->block[0].s[f][track];
}

static const char *msf(uint32_t frames, char *buf)
{
	return pm_msf_format(frames, buf);
}

/* ------------------------------------------------------------------ */
/* CUE                                                                  */
/* ------------------------------------------------------------------ */

/*
 * CUE text is written in the first CD-TEXT block's character set
 * (ISO-8859-1 unless the album says otherwise): CUE has no declared
 * encoding, and burners and libcdio copy or read its bytes as CD-TEXT.
 */
static void cue_string(FILE *fp, const char *indent, const char *key,
		       const char *value, const struct pm_sheet_text *t)
{
	struct pm_charset_result res;
	char bytes[1024];
	const char *p;

	if (!value)
		return;
	if (pm_charset_convert(value, t->block[0].charset, t->transliterate,
			       bytes, sizeof(bytes), &res) < 0)
		return; /* album-check refused such text already */
	fprintf(fp, "%s%s \"", indent, key);
	for (p = bytes; *p; p++)
		fputc(*p == '"' ? '\'' : *p, fp);
	fputs("\"\n", fp);
}

static const char *const cue_keys[PM_NFIELDS] = {
	[PM_FIELD_TITLE] = "TITLE",
	[PM_FIELD_PERFORMER] = "PERFORMER",
	[PM_FIELD_SONGWRITER] = "SONGWRITER",
	[PM_FIELD_COMPOSER] = "REM COMPOSER",
	[PM_FIELD_ARRANGER] = "REM ARRANGER",
	[PM_FIELD_MESSAGE] = "REM MESSAGE",
};

int pm_cue_write(FILE *fp, const struct pm_disc *d,
		 const struct pm_sheet_text *t, const char *image_name,
		 struct pm_err *err)
{
	char b1[12];
	unsigned i, k;
	int f;

	fprintf(fp, "REM COMMENT \"premaster %s; times are absolute: %s starts at 00:00:00 with the 2-second pause\"\n",
		PACKAGE_VERSION, image_name);
	if (d->upc[0])
		fprintf(fp, "CATALOG %s\n", d->upc);
	for (f = 0; f < PM_NFIELDS; f++)
		cue_string(fp, "", cue_keys[f],
			   pm_sheet_text_get(t, (enum pm_field)f, 0), t);
	fprintf(fp, "FILE \"%s\" WAVE\n", image_name);
	for (i = 0; i < d->ntracks; i++) {
		const struct pm_pq_track *q = &d->track[i];

		fprintf(fp, "  TRACK %02u AUDIO\n", i + 1);
		if (q->control & (PM_CTL_PREEMPHASIS | PM_CTL_COPY) || q->scms)
			fprintf(fp, "    FLAGS%s%s%s\n",
				q->control & PM_CTL_COPY ? " DCP" : "",
				q->control & PM_CTL_PREEMPHASIS ? " PRE" : "",
				q->scms ? " SCMS" : "");
		if (q->isrc[0])
			fprintf(fp, "    ISRC %s\n", q->isrc);
		for (f = 0; f < PM_NFIELDS; f++)
			cue_string(fp, "    ", cue_keys[f],
				   pm_sheet_text_get(t, (enum pm_field)f, i + 1), t);
		if (q->has_pause)
			fprintf(fp, "    INDEX 00 %s\n", msf(q->pause_frames, b1));
		for (k = 0; k < q->nindex; k++)
			fprintf(fp, "    INDEX %02u %s\n", k + 1,
				msf(q->index[k], b1));
	}
	if (ferror(fp))
		return pm_err_sys(err, PM_EIO, "cannot write the CUE sheet");
	return 0;
}

/* The span holding absolute frame `f`, or -1. */
static long span_of(const struct pm_span *spans, size_t n, uint32_t f)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (f >= spans[k].start_frames && f < spans[k].end_frames)
			return (long)k;
	return -1;
}

int pm_cue_write_files(FILE *fp, const struct pm_disc *d,
		       const struct pm_sheet_text *t, const struct pm_span *spans,
		       size_t nspans, const char *const *names,
		       struct pm_err *err)
{
	char b1[12];
	long cur = -1, k;
	unsigned i, x;
	int f;

	fprintf(fp, "REM COMMENT \"premaster %s; one file per track, times within each file\"\n",
		PACKAGE_VERSION);
	if (d->upc[0])
		fprintf(fp, "CATALOG %s\n", d->upc);
	for (f = 0; f < PM_NFIELDS; f++)
		cue_string(fp, "", cue_keys[f],
			   pm_sheet_text_get(t, (enum pm_field)f, 0), t);
	for (i = 0; i < d->ntracks; i++) {
		const struct pm_pq_track *q = &d->track[i];
		bool track_line = false;

		for (x = q->has_pause ? 0 : 1; x <= q->nindex; x++) {
			uint32_t at = x == 0 ? q->pause_frames : q->index[x - 1];

			k = span_of(spans, nspans, at);
			if (k < 0) {
				/* a dropped pause: the burner makes it */
				if (!track_line) {
					fprintf(fp, "  TRACK %02u AUDIO\n", i + 1);
					track_line = true;
				}
				fprintf(fp, "    PREGAP %s\n",
					pm_msf_format(q->index[0] - q->pause_frames, b1));
				continue;
			}
			if (k != cur) {
				fprintf(fp, "FILE \"%s\" WAVE\n", names[k]);
				cur = k;
			}
			if (!track_line) {
				fprintf(fp, "  TRACK %02u AUDIO\n", i + 1);
				if (q->control & (PM_CTL_PREEMPHASIS | PM_CTL_COPY) ||
				    q->scms)
					fprintf(fp, "    FLAGS%s%s%s\n",
						q->control & PM_CTL_COPY ? " DCP" : "",
						q->control & PM_CTL_PREEMPHASIS ? " PRE" : "",
						q->scms ? " SCMS" : "");
				if (q->isrc[0])
					fprintf(fp, "    ISRC %s\n", q->isrc);
				for (f = 0; f < PM_NFIELDS; f++)
					cue_string(fp, "    ", cue_keys[f],
						   pm_sheet_text_get(t, (enum pm_field)f,
								    i + 1),
						   t);
				track_line = true;
			}
			fprintf(fp, "    INDEX %02u %s\n", x,
				pm_msf_format(at - spans[k].start_frames, b1));
		}
	}
	if (ferror(fp))
		return pm_err_sys(err, PM_EIO, "cannot write the CUE sheet");
	return 0;
}

int pm_sheet_text_from_cdtext(const struct pm_cdtext_text *cd,
			     struct pm_sheet_text *t, struct pm_err *err)
{
	size_t b, n;
	int f;

	memset(t, 0, sizeof(*t));
	t->transliterate = true; /* decoded text came from the charset */
	for (b = 0; b < cd->nblocks && b < 8; b++) {
		const struct pm_cdtext_lang *l = &cd->block[b];

		t->block[b].lang_code = l->lang_code;
		t->block[b].charset = l->char_code == 0x01	 ? PM_CHARSET_ASCII
				      : l->char_code == 0x80 ? PM_CHARSET_MSJIS
							     : PM_CHARSET_ISO8859_1;
		for (f = 0; f < PM_NFIELDS; f++)
			for (n = 0; n <= 99 && n <= PM_DISC_MAX_TRACKS; n++) {
				if (!l->text[f][n])
					continue;
				t->block[b].s[f][n] = pm_strdup(l->text[f][n], err);
				if (!t->block[b].s[f][n]) {
					pm_sheet_text_release(t);
					return -1;
				}
			}
		t->nblocks++;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* cdrdao TOC                                                           */
/* ------------------------------------------------------------------ */

static void toc_string(FILE *fp, const char *indent, const char *key,
		       const char *utf8, enum pm_charset cs, bool translit)
{
	char bytes[1024];
	struct pm_charset_result res;
	const unsigned char *p;

	if (!utf8)
		return;
	if (pm_charset_convert(utf8, cs, translit, bytes, sizeof(bytes),
			       &res) < 0)
		return; /* album-check refused such text already */
	fprintf(fp, "%s%s \"", indent, key);
	for (p = (const unsigned char *)bytes; *p; p++) {
		if (*p == '"' || *p == '\\' || *p < 0x20 || *p > 0x7E)
			fprintf(fp, "\\%03o", *p);
		else
			fputc(*p, fp);
	}
	fputs("\"\n", fp);
}

static const char *const toc_keys[PM_NFIELDS] = {
	[PM_FIELD_TITLE] = "TITLE",
	[PM_FIELD_PERFORMER] = "PERFORMER",
	[PM_FIELD_SONGWRITER] = "SONGWRITER",
	[PM_FIELD_COMPOSER] = "COMPOSER",
	[PM_FIELD_ARRANGER] = "ARRANGER",
	[PM_FIELD_MESSAGE] = "MESSAGE",
};

static void toc_cdtext(FILE *fp, const struct pm_sheet_text *t, unsigned track,
		       const char *indent)
{
	size_t b;
	int f;

	if (!t || t->nblocks == 0)
		return;
	fprintf(fp, "%sCD_TEXT {\n", indent);
	if (track == 0) {
		fprintf(fp, "%s  LANGUAGE_MAP {", indent);
		for (b = 0; b < t->nblocks; b++)
			fprintf(fp, " %zu : %u", b, t->block[b].lang_code);
		fputs(" }\n", fp);
	}
	for (b = 0; b < t->nblocks; b++) {
		char inner[32];

		fprintf(fp, "%s  LANGUAGE %zu {\n", indent, b);
		snprintf(inner, sizeof(inner), "%s    ", indent);
		for (f = 0; f < PM_NFIELDS; f++)
			toc_string(fp, inner, toc_keys[f], t->block[b].s[f][track],
				   t->block[b].charset, t->transliterate);
		fprintf(fp, "%s  }\n", indent);
	}
	fprintf(fp, "%s}\n", indent);
}

int pm_toc_write(FILE *fp, const struct pm_disc *d,
		 const struct pm_sheet_text *t, const char *image_name,
		 struct pm_err *err)
{
	char b1[12], b2[12], b3[12];
	unsigned i, k;

	fprintf(fp, "// premaster %s: %s holds the whole programme from 00:00:00,\n"
		    "// the 2-second pause included; each track takes its slice.\n",
		PACKAGE_VERSION, image_name);
	fputs("CD_DA\n", fp);
	if (d->upc[0])
		fprintf(fp, "CATALOG \"%s\"\n", d->upc);
	toc_cdtext(fp, t, 0, "");
	for (i = 0; i < d->ntracks; i++) {
		const struct pm_pq_track *q = &d->track[i];
		uint32_t seg = i == 0 ? 0
				      : (q->has_pause ? q->pause_frames : q->index[0]);
		uint32_t next = i + 1 < d->ntracks
					? (d->track[i + 1].has_pause
						   ? d->track[i + 1].pause_frames
						   : d->track[i + 1].index[0])
					: d->leadout_frames;

		fprintf(fp, "\n// track %02u\nTRACK AUDIO\n", i + 1);
		fputs(q->control & PM_CTL_COPY ? "COPY\n" : "NO COPY\n", fp);
		fputs(q->control & PM_CTL_PREEMPHASIS ? "PRE_EMPHASIS\n"
						      : "NO PRE_EMPHASIS\n",
		      fp);
		if (q->scms)
			fputs("// SCMS: serial copy management (cdrdao has no keyword for it)\n",
			      fp);
		fputs("TWO_CHANNEL_AUDIO\n", fp);
		if (q->isrc[0])
			fprintf(fp, "ISRC \"%s\"\n", q->isrc);
		toc_cdtext(fp, t, i + 1, "");
		fprintf(fp, "FILE \"%s\" %s %s\n", image_name, msf(seg, b1),
			msf(next - seg, b2));
		if (q->index[0] > seg)
			fprintf(fp, "START %s\n", msf(q->index[0] - seg, b3));
		for (k = 1; k < q->nindex; k++)
			fprintf(fp, "INDEX %s\n", msf(q->index[k] - q->index[0], b1));
	}
	if (ferror(fp))
		return pm_err_sys(err, PM_EIO, "cannot write the TOC");
	return 0;
}

/* ------------------------------------------------------------------ */
/* PQ sheet                                                             */
/* ------------------------------------------------------------------ */

void pm_sheet_date(char *buf, size_t size)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	unsigned long long v;
	time_t when = time(NULL);
	struct tm tm;
	char *end;

	if (sde && *sde) {
		errno = 0;
		v = strtoull(sde, &end, 10);
		if (!errno && *end == '\0')
			when = (time_t)v;
	}
	gmtime_r(&when, &tm);
	strftime(buf, size, "%Y-%m-%d", &tm);
}

/* Cover time: from exact frames, rounded to the nearest second. */
static const char *cover(uint32_t frames, char *buf, size_t size)
{
	uint32_t s = (frames + PM_FRAMES_PER_SEC / 2) / PM_FRAMES_PER_SEC;

	snprintf(buf, size, "%u:%02u", s / 60, s % 60);
	return buf;
}

static const char *flags_of(const struct pm_pq_track *q, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", q->control & PM_CTL_PREEMPHASIS ? "PRE " : "",
		 q->control & PM_CTL_COPY ? "COPY " : "",
		 q->scms ? "SCMS " : "");
	if (!buf[0])
		snprintf(buf, n, "-");
	else
		buf[strlen(buf) - 1] = '\0';
	return buf;
}

struct row {
	unsigned track, index;
	uint32_t start, pause, length;
	bool has_pause_col, has_length;
	const char *isrc, *flags, *title, *performer;
};

static void html_cell(FILE *fp, const char *s)
{
	fputs("<td>", fp);
	pm_xml_escape(fp, s ? s : "", false);
	fputs("</td>", fp);
}

static void put_row(FILE *fp, bool html, const struct row *r)
{
	char st[12], pa[12], le[12], tr[4], ix[4];

	msf(r->start, st);
	if (r->has_pause_col)
		msf(r->pause, pa);
	else
		pa[0] = '\0';
	if (r->has_length)
		msf(r->length, le);
	else
		le[0] = '\0';
	if (r->track == 0xAA)
		snprintf(tr, sizeof(tr), "AA");
	else
		snprintf(tr, sizeof(tr), "%02u", r->track);
	snprintf(ix, sizeof(ix), "%02u", r->index);
	if (html) {
		fputs("<tr>", fp);
		html_cell(fp, tr);
		html_cell(fp, ix);
		html_cell(fp, st);
		html_cell(fp, pa);
		html_cell(fp, le);
		html_cell(fp, r->isrc);
		html_cell(fp, r->flags);
		html_cell(fp, r->title);
		html_cell(fp, r->performer);
		fputs("</tr>\n", fp);
	} else {
		fprintf(fp, "%-3s %-3s %-9s %-9s %-9s %-12s %-11s %s%s%s\n", tr,
			ix, st, pa, le, r->isrc ? r->isrc : "", r->flags,
			r->title ? r->title : "",
			r->performer ? " / " : "",
			r->performer ? r->performer : "");
	}
}

static void header_line(FILE *fp, bool html, const char *key,
			const char *value)
{
	if (!value || !*value)
		return;
	if (html) {
		fputs("<tr><th>", fp);
		pm_xml_escape(fp, key, false);
		fputs("</th><td>", fp);
		pm_xml_escape(fp, value, false);
		fputs("</td></tr>\n", fp);
	} else {
		fprintf(fp, "%-32s %s\n", key, value);
	}
}

static void table_start(FILE *fp, bool html, const char *caption)
{
	if (html) {
		fputs("<h2>", fp);
		pm_xml_escape(fp, caption, false);
		fputs("</h2>\n<table class=\"pq\">\n<tr><th>Track</th><th>Index</th>"
		      "<th>Start</th><th>Pause</th><th>Length</th><th>ISRC</th>"
		      "<th>Flags</th><th>Title</th><th>Performer</th></tr>\n",
		      fp);
	} else {
		fprintf(fp, "\n%s\n%-3s %-3s %-9s %-9s %-9s %-12s %-11s %s\n",
			caption, "Trk", "Idx", "Start", "Pause", "Length", "ISRC",
			"Flags", "Title / Performer");
	}
}

int pm_pqsheet_write(FILE *fp, const struct pm_disc *d,
		     const struct pm_sheet_text *t,
		     const struct pm_pq_info *info, bool html,
		     struct pm_err *err)
{
	char buf[256], b1[12], b2[16], fl[32];
	uint32_t origin = d->track[0].index[0];
	unsigned i, k, pass;
	size_t b;
	struct row r;

	if (html) {
		fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<title>PQ sheet</title>\n<style>\n"
		      "body{font-family:sans-serif;margin:2em}"
		      "table{border-collapse:collapse;margin-bottom:1.5em}"
		      "th,td{border:1px solid #999;padding:2px 8px;text-align:left}"
		      "table.pq td:nth-child(-n+5){font-family:monospace}"
		      ".sign{margin-top:3em}\n</style>\n</head>\n<body>\n"
		      "<h1>PQ sheet</h1>\n<table class=\"head\">\n",
		      fp);
	} else {
		fputs("PQ SHEET\n========\n\n", fp);
	}
	header_line(fp, html, "Artist", info->artist);
	header_line(fp, html, "Title", info->title);
	header_line(fp, html, "Label", info->label);
	header_line(fp, html, "Catalogue number", info->catalog);
	header_line(fp, html, "UPC/EAN (MCN)", d->upc[0] ? d->upc : "none");
	header_line(fp, html, "Master ID", info->master_id);
	snprintf(buf, sizeof(buf), "%u", d->ntracks);
	header_line(fp, html, "Tracks", buf);
	snprintf(buf, sizeof(buf), "%s (%u frames, the 2-second pause included)",
		 msf(d->leadout_frames, b1), d->leadout_frames);
	header_line(fp, html, "Total running time to lead-out", buf);
	snprintf(buf, sizeof(buf), "%s", msf(d->leadout_frames - origin, b1));
	header_line(fp, html, "Playing time from track 1 index 01", buf);
	if (t && t->nblocks) {
		size_t n = 0;

		buf[0] = '\0';
		for (b = 0; b < t->nblocks; b++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      "%sblock %zu: language 0x%02X, %s",
					      b ? "; " : "", b,
					      t->block[b].lang_code,
					      pm_charset_name(t->block[b].charset));
		header_line(fp, html, "CD-TEXT", buf);
	} else {
		header_line(fp, html, "CD-TEXT", "none");
	}
	if (info->htoa)
		header_line(fp, html, "Hidden track (HTOA)", info->htoa);
	buf[0] = '\0';
	for (i = 0, b = 0; i < d->ntracks; i++)
		if (d->track[i].control & PM_CTL_PREEMPHASIS)
			b += (size_t)snprintf(buf + b, sizeof(buf) - b, "%s%u",
					      b ? ", " : "", i + 1);
	if (buf[0])
		header_line(fp, html, "Pre-emphasis on tracks", buf);
	buf[0] = '\0';
	for (i = 0, b = 0; i < d->ntracks; i++)
		if (d->track[i].nindex > 1)
			b += (size_t)snprintf(buf + b, sizeof(buf) - b, "%s%u (%u)",
					      b ? ", " : "", i + 1,
					      d->track[i].nindex - 1);
	if (buf[0])
		header_line(fp, html, "Index points 02+ on tracks", buf);
	header_line(fp, html, "Notes", info->notes);
	header_line(fp, html, "Frame rounding",
		    "positions are whole CD frames (1/75 s); an ID sits on the frame at or before its audio; lengths run from index 01 to the next track's index 01 or the lead-out; cover times round exact frames to the nearest second");
	header_line(fp, html, "Date", info->date);
	header_line(fp, html, "Written by", info->version);
	if (html)
		fputs("</table>\n", fp);

	for (pass = 0; pass < 2; pass++) {
		uint32_t base = pass == 0 ? 0 : origin;

		table_start(fp, html,
			    pass == 0 ? "Absolute times (from the start of the disc, pause included)"
				      : "Relative times (cover times, from track 1 index 01)");
		if (pass == 0) {
			memset(&r, 0, sizeof(r));
			r.track = 0;
			r.flags = "-";
			r.title = "lead-in";
			put_row(fp, html, &r);
		}
		for (i = 0; i < d->ntracks; i++) {
			const struct pm_pq_track *q = &d->track[i];
			const char *title = pm_sheet_text_get(t, PM_FIELD_TITLE, i + 1);
			const char *perf = pm_sheet_text_get(t, PM_FIELD_PERFORMER, i + 1);

			flags_of(q, fl, sizeof(fl));
			if (q->has_pause && pass == 0) {
				memset(&r, 0, sizeof(r));
				r.track = i + 1;
				r.index = 0;
				r.start = q->pause_frames;
				r.has_pause_col = true;
				r.pause = q->index[0] - q->pause_frames;
				r.isrc = q->isrc;
				r.flags = fl;
				put_row(fp, html, &r);
			}
			for (k = 0; k < q->nindex; k++) {
				memset(&r, 0, sizeof(r));
				r.track = i + 1;
				r.index = k + 1;
				r.start = q->index[k] - base;
				if (k == 0) {
					r.has_length = true;
					r.length = pm_disc_track_frames(d, i + 1);
					r.title = title;
					r.performer = perf;
				}
				r.isrc = q->isrc;
				r.flags = fl;
				put_row(fp, html, &r);
			}
		}
		if (pass == 0) {
			memset(&r, 0, sizeof(r));
			r.track = 0xAA;
			r.index = 1;
			r.start = d->leadout_frames;
			r.flags = "-";
			r.title = "lead-out";
			put_row(fp, html, &r);
		}
		if (html)
			fputs("</table>\n", fp);
	}
	if (html) {
		fputs("<h2>Cover times</h2>\n<table>\n<tr><th>Track</th><th>Length</th><th>Title</th></tr>\n",
		      fp);
		for (i = 0; i < d->ntracks; i++) {
			snprintf(buf, sizeof(buf), "%u", i + 1);
			fputs("<tr>", fp);
			html_cell(fp, buf);
			html_cell(fp, cover(pm_disc_track_frames(d, i + 1), b2,
					    sizeof(b2)));
			html_cell(fp, pm_sheet_text_get(t, PM_FIELD_TITLE, i + 1));
			fputs("</tr>\n", fp);
		}
		fputs("</table>\n<p class=\"sign\">Approved: ______________________ "
		      "Date: ____________</p>\n</body>\n</html>\n",
		      fp);
	} else {
		fputs("\nCover times (M:SS)\n", fp);
		for (i = 0; i < d->ntracks; i++) {
			const char *title = pm_sheet_text_get(t, PM_FIELD_TITLE, i + 1);

			fprintf(fp, "%2u  %7s  %s\n", i + 1,
				cover(pm_disc_track_frames(d, i + 1), b2, sizeof(b2)),
				title ? title : "");
		}
		fputs("\nApproved: ______________________  Date: ____________\n",
		      fp);
	}
	if (ferror(fp))
		return pm_err_sys(err, PM_EIO, "cannot write the PQ sheet");
	return 0;
}
