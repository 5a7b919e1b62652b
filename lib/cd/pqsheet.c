/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pqsheet.c: the PQ sheet a plant reads, as text and HTML. */
#include <config.h>

#include "cd/sheets-impl.h"

#include "util/banned.h"

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

	sheet_msf(r->start, st);
	if (r->has_pause_col)
		sheet_msf(r->pause, pa);
	else
		pa[0] = '\0';
	if (r->has_length)
		sheet_msf(r->length, le);
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

/* "English (0x09)", or "language 0x5E" for a code without a name. */
static const char *lang_label(unsigned code, char *buf, size_t size)
{
	const char *name = pm_language_name(code);

	if (name)
		snprintf(buf, size, "%s (0x%02X)", name, code);
	else
		snprintf(buf, size, "language 0x%02X", code);
	return buf;
}

static const char *const field_label[PM_NFIELDS] = {
	"Title", "Performer", "Songwriter", "Composer", "Arranger", "Message",
};

/* The CD-TEXT of every block, as the caller says it is on the disc. */
static void cdtext_section(FILE *fp, bool html, const struct pm_sheet_text *t,
			   unsigned ntracks)
{
	char lang[64];
	size_t b;
	unsigned n;
	int f;

	if (!t || t->nblocks == 0)
		return;
	if (html)
		fputs("<h2>CD-TEXT as written to the disc</h2>\n", fp);
	else
		fputs("\nCD-TEXT as written to the disc (decoded from CDTEXT.BIN)\n", fp);
	for (b = 0; b < t->nblocks; b++) {
		const struct pm_sheet_text_block *blk = &t->block[b];
		bool used[PM_NFIELDS] = { false };

		for (f = 0; f < PM_NFIELDS; f++)
			for (n = 0; n <= ntracks && n < 100; n++)
				used[f] = used[f] || blk->s[f][n];
		lang_label(blk->lang_code, lang, sizeof(lang));
		if (html) {
			fprintf(fp, "<h3>Block %zu: ", b);
			pm_xml_escape(fp, lang, false);
			fprintf(fp, ", %s</h3>\n<table class=\"cdtext\">\n<tr><th>Track</th>",
				pm_charset_name(blk->charset));
			for (f = 0; f < PM_NFIELDS; f++)
				if (used[f])
					fprintf(fp, "<th>%s</th>", field_label[f]);
			fputs("</tr>\n", fp);
		} else {
			fprintf(fp, "\nBlock %zu: %s, %s\n", b, lang,
				pm_charset_name(blk->charset));
		}
		for (n = 0; n <= ntracks && n < 100; n++) {
			char tr[8];

			if (n == 0)
				snprintf(tr, sizeof(tr), "Disc");
			else
				snprintf(tr, sizeof(tr), "%02u", n);
			if (html) {
				fputs("<tr>", fp);
				html_cell(fp, tr);
				for (f = 0; f < PM_NFIELDS; f++)
					if (used[f])
						html_cell(fp, blk->s[f][n]);
				fputs("</tr>\n", fp);
				continue;
			}
			for (f = 0; f < PM_NFIELDS; f++)
				if (blk->s[f][n])
					fprintf(fp, "  %-5s %-11s %s\n",
						f == 0 || !blk->s[0][n] ? tr : "",
						field_label[f], blk->s[f][n]);
		}
		if (html)
			fputs("</table>\n", fp);
	}
}

/* The DDP's checksums, or a word on where they will come from. */
static void ddp_lines(FILE *fp, bool html, const struct pm_pq_info *info)
{
	char key[64];
	size_t i;

	if (!info->want_ddp)
		return;
	if (!info->ddp_image_md5) {
		header_line(fp, html, "DDP image",
			    "not written yet: premaster ddpmake adds its checksums here");
		return;
	}
	header_line(fp, html, "DDP IMAGE.DAT MD5", info->ddp_image_md5);
	for (i = 0; i < info->nddp_files; i++) {
		snprintf(key, sizeof(key), "DDP %s MD5", info->ddp_files[i].name);
		header_line(fp, html, key, info->ddp_files[i].md5);
	}
}

/*
 * Print rules: the margins and type that keep a disc of 20 tracks on one
 * or two pages of A4 or Letter (the narrower width and the shorter
 * height of the two), tables that fill the width and wrap long titles,
 * rows never split across pages, and headings kept with what follows.
 */
static const char css[] =
	"body{font-family:sans-serif;margin:2em}"
	"table{border-collapse:collapse;margin-bottom:1.5em}"
	"th,td{border:1px solid #999;padding:2px 8px;text-align:left;"
	"vertical-align:top}"
	"table.pq td:nth-child(-n+5){font-family:monospace;white-space:nowrap}"
	"td{overflow-wrap:anywhere}"
	".sign{margin-top:3em}\n"
	"@page{margin:10mm 10mm 12mm 10mm}\n"
	"@media print{"
	"body{margin:0;font-size:8pt;line-height:1.15}"
	"h1{font-size:13pt;margin:0 0 4pt}"
	"h2{font-size:10pt;margin:8pt 0 3pt;break-after:avoid;"
	"page-break-after:avoid}"
	"h3{font-size:9pt;margin:6pt 0 2pt;break-after:avoid;"
	"page-break-after:avoid}"
	"table{width:100%;margin-bottom:6pt;font-size:7.5pt}"
	"th,td{padding:1px 3px}"
	"tr{break-inside:avoid;page-break-inside:avoid}"
	"thead{display:table-header-group}"
	".sign{margin-top:14pt;break-inside:avoid}"
	"}\n";

int pm_pqsheet_write(FILE *fp, const struct pm_disc *d,
		     const struct pm_sheet_text *t,
		     const struct pm_pq_info *info, bool html,
		     struct pm_err *err)
{
	char buf[512], b1[12], b2[16], fl[32], lang[64];
	uint32_t origin = d->track[0].index[0];
	unsigned i, k, pass;
	size_t b;
	struct row r;

	if (html) {
		fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<title>PQ sheet</title>\n<style>\n", fp);
		fputs(css, fp);
		fputs("</style>\n</head>\n<body>\n"
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
	header_line(fp, html, "Customer", info->customer);
	header_line(fp, html, "Mastering engineer", info->engineer);
	snprintf(buf, sizeof(buf), "%u", d->ntracks);
	header_line(fp, html, "Tracks", buf);
	snprintf(buf, sizeof(buf), "%s (%u frames, the 2-second pause included)",
		 sheet_msf(d->leadout_frames, b1), d->leadout_frames);
	header_line(fp, html, "Total running time to lead-out", buf);
	snprintf(buf, sizeof(buf), "%s", sheet_msf(d->leadout_frames - origin, b1));
	header_line(fp, html, "Playing time from track 1 index 01", buf);
	if (t && t->nblocks) {
		size_t n = 0;

		buf[0] = '\0';
		for (b = 0; b < t->nblocks && n < sizeof(buf); b++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      "%sblock %zu: %s, %s",
					      b ? "; " : "", b,
					      lang_label(t->block[b].lang_code,
							 lang, sizeof(lang)),
					      pm_charset_name(t->block[b].charset));
		header_line(fp, html, "CD-TEXT", buf);
	} else {
		header_line(fp, html, "CD-TEXT", "none");
	}
	ddp_lines(fp, html, info);
	if (info->htoa)
		header_line(fp, html, "Hidden track (HTOA)", info->htoa);
	buf[0] = '\0';
	for (i = 0, b = 0; i < d->ntracks && b < sizeof(buf); i++)
		if (d->track[i].control & PM_CTL_PREEMPHASIS)
			b += (size_t)snprintf(buf + b, sizeof(buf) - b, "%s%u",
					      b ? ", " : "", i + 1);
	if (buf[0])
		header_line(fp, html, "Pre-emphasis on tracks", buf);
	buf[0] = '\0';
	for (i = 0, b = 0; i < d->ntracks && b < sizeof(buf); i++)
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
	if (info->ntransitions) {
		if (html)
			fputs("<h2>Crossfades and segues</h2>\n<ul>\n", fp);
		else
			fputs("\nCrossfades and segues (the audio runs across these track boundaries)\n",
			      fp);
		for (b = 0; b < info->ntransitions; b++) {
			if (html) {
				fputs("<li>", fp);
				pm_xml_escape(fp, info->transitions[b], false);
				fputs("</li>\n", fp);
			} else {
				fprintf(fp, "  %s\n", info->transitions[b]);
			}
		}
		if (html)
			fputs("</ul>\n", fp);
	}
	cdtext_section(fp, html, t, d->ntracks);
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
