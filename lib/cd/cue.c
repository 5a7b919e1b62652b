/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cue.c: the CDRWIN CUE sheet writer. */
#include <config.h>

#include "cd/sheets-impl.h"

#include "util/banned.h"

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
		return; /* album/check.c refused such text already */
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

/* The disc's lines: catalogue number, CD-TEXT file and album text. */
static void disc_lines(FILE *fp, const struct pm_disc *d,
		       const struct pm_sheet_text *t)
{
	int f;

	if (d->upc[0])
		fprintf(fp, "CATALOG %s\n", d->upc);
	if (t && t->cdtext_file)
		fprintf(fp, "CDTEXTFILE \"%s\"\n", t->cdtext_file);
	for (f = 0; f < PM_NFIELDS; f++)
		cue_string(fp, "", cue_keys[f],
			   pm_sheet_text_get(t, (enum pm_field)f, 0), t);
}

/* TRACK n and what belongs to it before its indexes. */
static void track_lines(FILE *fp, const struct pm_pq_track *q, unsigned n,
			const struct pm_sheet_text *t)
{
	int f;

	fprintf(fp, "  TRACK %02u AUDIO\n", n);
	if (q->control & (PM_CTL_PREEMPHASIS | PM_CTL_COPY) || q->scms)
		fprintf(fp, "    FLAGS%s%s%s\n",
			q->control & PM_CTL_COPY ? " DCP" : "",
			q->control & PM_CTL_PREEMPHASIS ? " PRE" : "",
			q->scms ? " SCMS" : "");
	if (q->isrc[0])
		fprintf(fp, "    ISRC %s\n", q->isrc);
	for (f = 0; f < PM_NFIELDS; f++)
		cue_string(fp, "    ", cue_keys[f],
			   pm_sheet_text_get(t, (enum pm_field)f, n), t);
}

int pm_cue_write(FILE *fp, const struct pm_disc *d,
		 const struct pm_sheet_text *t, const char *image_name,
		 struct pm_err *err)
{
	char b1[12];
	unsigned i, k;

	fprintf(fp, "REM COMMENT \"premaster %s; times are absolute: %s starts at 00:00:00 with the 2-second pause\"\n",
		PACKAGE_VERSION, image_name);
	disc_lines(fp, d, t);
	fprintf(fp, "FILE \"%s\" WAVE\n", image_name);
	for (i = 0; i < d->ntracks; i++) {
		const struct pm_pq_track *q = &d->track[i];

		track_lines(fp, q, i + 1, t);
		if (q->has_pause)
			fprintf(fp, "    INDEX 00 %s\n", sheet_msf(q->pause_frames, b1));
		for (k = 0; k < q->nindex; k++)
			fprintf(fp, "    INDEX %02u %s\n", k + 1,
				sheet_msf(q->index[k], b1));
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

	fprintf(fp, "REM COMMENT \"premaster %s; one file per track, times within each file\"\n",
		PACKAGE_VERSION);
	disc_lines(fp, d, t);
	for (i = 0; i < d->ntracks; i++) {
		const struct pm_pq_track *q = &d->track[i];
		long first = span_of(spans, nspans, q->index[0]);

		/* a FILE comes before the TRACK that starts in it */
		for (x = q->has_pause ? 0 : 1; x <= q->nindex; x++) {
			k = span_of(spans, nspans,
				    x == 0 ? q->pause_frames : q->index[x - 1]);
			if (k >= 0) {
				first = k;
				break;
			}
		}
		if (first >= 0 && first != cur) {
			fprintf(fp, "FILE \"%s\" WAVE\n", names[first]);
			cur = first;
		}
		track_lines(fp, q, i + 1, t);
		for (x = q->has_pause ? 0 : 1; x <= q->nindex; x++) {
			uint32_t at = x == 0 ? q->pause_frames : q->index[x - 1];

			k = span_of(spans, nspans, at);
			if (k < 0) {
				/* a dropped pause: the burner makes it */
				fprintf(fp, "    PREGAP %s\n",
					pm_msf_format(q->index[0] - q->pause_frames, b1));
				continue;
			}
			if (k != cur) {
				fprintf(fp, "FILE \"%s\" WAVE\n", names[k]);
				cur = k;
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
	if (cd->nblocks) {
		t->disc_id = cd->block[0].disc_id;
		t->genre_code = cd->block[0].genre_code;
		t->genre_text = cd->block[0].genre_text;
	}
	return 0;
}
