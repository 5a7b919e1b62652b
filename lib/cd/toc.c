/* SPDX-License-Identifier: GPL-3.0-or-later */
/* toc.c: the cdrdao TOC writer. */
#include <config.h>

#include "cd/sheets-impl.h"

#include "util/banned.h"

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
		return; /* album/check.c refused such text already */
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

/* Block `b`'s size information: the payload of its three 0x8F packs. */
static bool size_info(const struct pm_sheet_text *t, size_t b, uint8_t out[36])
{
	unsigned found = 0;
	size_t i;

	for (i = 0; t->packs && i + 18 <= t->packs_len; i += 18) {
		const uint8_t *p = t->packs + i;

		if (p[0] == 0x8F && ((p[3] >> 4) & 7) == b && p[1] < 3) {
			memcpy(out + 12 * p[1], p + 4, 12);
			found |= 1u << p[1];
		}
	}
	return found == 7;
}

static void toc_binary(FILE *fp, const char *indent, const char *key,
		       const uint8_t *b, size_t n)
{
	size_t i;

	fprintf(fp, "%s%s {", indent, key);
	for (i = 0; i < n; i++)
		fprintf(fp, "%s %u", i ? "," : "", b[i]);
	fputs(" }\n", fp);
}

/* DISC_ID and GENRE (code and ASCII text), as every block has them. */
static void toc_disc_items(FILE *fp, const struct pm_sheet_text *t,
			   const char *indent)
{
	struct pm_charset_result res;
	uint8_t g[256];
	char text[200];
	size_t n = 0;

	if (t->disc_id)
		toc_string(fp, indent, "DISC_ID", t->disc_id, PM_CHARSET_ASCII,
			   true);
	if (!t->genre_code)
		return;
	g[n++] = (uint8_t)(t->genre_code >> 8);
	g[n++] = (uint8_t)t->genre_code;
	if (t->genre_text &&
	    pm_charset_convert(t->genre_text, PM_CHARSET_ASCII, true, text,
			       sizeof(text), &res) == 0) {
		memcpy(g + n, text, res.len);
		n += res.len;
	}
	g[n++] = 0;
	toc_binary(fp, indent, "GENRE", g, n);
}

static void toc_cdtext(FILE *fp, const struct pm_sheet_text *t, unsigned track,
		       const char *indent)
{
	uint8_t si[36];
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
		if (track == 0)
			toc_disc_items(fp, t, inner);
		fprintf(fp, "%s  }\n", indent);
	}
	fprintf(fp, "%s}\n", indent);
	/* libcdio refuses SIZE_INFO in a TOC: say it aside */
	for (b = 0; track == 0 && b < t->nblocks; b++) {
		if (!size_info(t, b, si))
			continue;
		if (b == 0)
			fputs("// each block's size information (character code, copyright),\n"
			      "// which libcdio cannot read in a TOC, for premaster init --from-toc:\n",
			      fp);
		fprintf(fp, "// premaster: SIZE_INFO %zu", b);
		toc_binary(fp, "", "", si, sizeof(si));
	}
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
			fputs("// serial copy management, which cdrdao has no keyword for:\n"
			      "// premaster: SCMS\n",
			      fp);
		fputs("TWO_CHANNEL_AUDIO\n", fp);
		if (q->isrc[0])
			fprintf(fp, "ISRC \"%s\"\n", q->isrc);
		toc_cdtext(fp, t, i + 1, "");
		fprintf(fp, "FILE \"%s\" %s %s\n", image_name, sheet_msf(seg, b1),
			sheet_msf(next - seg, b2));
		if (q->index[0] > seg)
			fprintf(fp, "START %s\n", sheet_msf(q->index[0] - seg, b3));
		for (k = 1; k < q->nindex; k++)
			fprintf(fp, "INDEX %s\n", sheet_msf(q->index[k] - q->index[0], b1));
	}
	if (ferror(fp))
		return pm_err_sys(err, PM_EIO, "cannot write the TOC");
	return 0;
}
