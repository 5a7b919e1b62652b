/* SPDX-License-Identifier: GPL-3.0-or-later */
/* report.c: verify.txt, verify.json (the --json result) and report.html. */
#include <config.h>

#include "verify/verify-impl.h"

#include "util/banned.h"

static const char *title_of(const struct pm_verify *v)
{
	const char *t = v->album ? pm_texts_get(&v->album->release.text[PM_FIELD_TITLE],
						NULL, false)
				 : v->ddp_dir;

	return t ? t : "";
}

static const char *where_of(const struct pm_finding *f)
{
	return f->where ? f->where : f->deliverable ? f->deliverable : "-";
}

int pm_verify_write_text(FILE *fp, const struct pm_verify *v,
			 struct pm_err *err)
{
	char date[16], dur[32];
	size_t i, k;

	pm_sheet_date(date, sizeof(date));
	fprintf(fp, "premaster verify: %s\n%s\n\n", title_of(v), date);
	fprintf(fp, "Verdict: %s (%u error%s, %u warning%s, %u checks)\n",
		v->findings.errors ? "NOT FIT" : "FIT", v->findings.errors,
		v->findings.errors == 1 ? "" : "s", v->findings.warnings,
		v->findings.warnings == 1 ? "" : "s", v->checks);
	if (v->image_md5[0])
		fprintf(fp, "CD programme MD5 (16-bit LE samples): %s\n", v->image_md5);
	fputs("\nFindings\n", fp);
	if (v->findings.n == 0)
		fputs("  none\n", fp);
	for (i = 0; i < v->findings.n; i++) {
		const struct pm_finding *f = &v->findings.v[i];

		fprintf(fp, "  %-7s  %-18s %s", pm_severity_name(f->severity),
			f->rule, where_of(f));
		if (f->track)
			fprintf(fp, " (track %u", f->track);
		if (f->track && !isnan(f->time_s))
			fprintf(fp, " at %.3f s", f->time_s);
		fprintf(fp, "%s: %s%s\n", f->track ? ")" : "", f->message,
			f->overridden ? " [severity set by album.xml]" : "");
	}
	for (i = 0; i < v->ndeliv; i++) {
		const struct pm_deliverable *d = &v->deliv[i];

		fprintf(fp, "\n%s: %s", d->name, d->present ? "" : "missing");
		if (d->present) {
			fprintf(fp, "album %.2f LUFS", d->album_lufs);
			if (d->has_target)
				fprintf(fp, ", target %.1f LUFS", d->target_lufs);
			fprintf(fp, ", ceiling %.2f dBTP", d->ceiling_dbtp);
		}
		fputc('\n', fp);
		for (k = 0; k < d->n; k++) {
			const struct pm_measured *m = &d->m[k];

			fprintf(fp, "  %-48s %9s  %7.2f LUFS  %5.1f LU  %7.3f dBTP\n",
				m->name,
				pm_format_duration(m->seconds, dur, sizeof(dur)),
				m->lufs, m->range_lu, m->true_peak_dbtp);
		}
	}
	if (v->listing)
		fprintf(fp, "\n%s", v->listing);
	if (ferror(fp))
		return pm_err_sys(err, PM_EIO, "cannot write the verify report");
	return 0;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                 */
/* ------------------------------------------------------------------ */

static void json_disc(struct pm_json *j, const struct pm_disc *d)
{
	pm_json_object(j, "disc");
	pm_json_int(j, "tracks", d->ntracks);
	pm_json_int(j, "leadout_frames", d->leadout_frames);
	pm_json_string(j, "upc", d->upc);
	pm_json_array(j, "track");
	for (unsigned n = 0; n < d->ntracks; n++) {
		const struct pm_pq_track *q = &d->track[n];

		pm_json_object(j, NULL);
		pm_json_int(j, "number", n + 1);
		if (q->has_pause)
			pm_json_int(j, "index00_frames", q->pause_frames);
		pm_json_array(j, "index_frames");
		for (unsigned k = 0; k < q->nindex; k++)
			pm_json_int(j, NULL, q->index[k]);
		pm_json_end(j, false);
		pm_json_string(j, "isrc", q->isrc);
		pm_json_int(j, "control", q->control);
		pm_json_end(j, true);
	}
	pm_json_end(j, false);
	pm_json_end(j, true);
}

void pm_verify_json_members(struct pm_json *j, const struct pm_verify *v)
{
	size_t i, k;

	pm_json_string(j, "generator", "premaster " PACKAGE_VERSION);
	pm_json_string(j, "title", title_of(v));
	if (v->ddp_dir)
		pm_json_string(j, "ddp", v->ddp_dir);
	pm_json_bool(j, "fit", v->findings.errors == 0);
	pm_json_int(j, "errors", v->findings.errors);
	pm_json_int(j, "warnings", v->findings.warnings);
	pm_json_int(j, "ignored", v->findings.ignored);
	pm_json_int(j, "checks", v->checks);
	if (v->image_md5[0])
		pm_json_string(j, "cd_programme_md5", v->image_md5);
	pm_json_array(j, "findings");
	for (i = 0; i < v->findings.n; i++)
		pm_finding_json(j, &v->findings.v[i]);
	pm_json_end(j, false);
	if (v->has_disc)
		json_disc(j, &v->disc);
	if (v->listing)
		pm_json_string(j, "listing", v->listing);
	if (v->album && v->tracks) {
		pm_json_array(j, "tracks");
		for (i = 0; i < v->album->ntracks; i++) {
			const struct pm_vtrack *t = &v->tracks[i];

			pm_json_object(j, NULL);
			pm_json_int(j, "track", (long long)i + 1);
			pm_json_fixed(j, "source_seconds", t->seconds, 3);
			pm_json_fixed(j, "source_lufs", t->lufs, 2);
			pm_json_fixed(j, "source_range_lu", t->range_lu, 2);
			pm_json_fixed(j, "source_true_peak_dbtp", t->true_peak_dbtp, 3);
			pm_json_array(j, "masters");
			for (k = 0; k < v->ntargets; k++) {
				const struct pm_vmaster *m = &t->masters[k];

				if (!m->present)
					continue;
				pm_json_object(j, NULL);
				pm_json_string(j, "target", v->targets[k].name);
				pm_json_fixed(j, "seconds", m->seconds, 3);
				pm_json_fixed(j, "loudness_lufs", m->lufs, 2);
				pm_json_fixed(j, "gain_db", m->lufs - t->lufs, 2);
				pm_json_fixed(j, "range_lu", m->range_lu, 2);
				pm_json_fixed(j, "true_peak_dbtp", m->true_peak_dbtp, 3);
				if (m->has_log) {
					pm_json_fixed(j, "max_gain_reduction_db",
						      m->max_gr_db, 2);
					pm_json_fixed(j, "limited_s", m->limited_s, 3);
					pm_json_array(j, "limiting");
					for (unsigned s = 0; s < m->nlimiting; s++) {
						pm_json_object(j, NULL);
						pm_json_fixed(j, "start_s",
							      m->limiting[s].start_s, 3);
						pm_json_fixed(j, "end_s",
							      m->limiting[s].end_s, 3);
						pm_json_fixed(j, "depth_db",
							      m->limiting[s].depth_db, 2);
						pm_json_end(j, true);
					}
					pm_json_end(j, false);
				}
				pm_json_end(j, true);
			}
			pm_json_end(j, false);
			pm_json_end(j, true);
		}
		pm_json_end(j, false);
	}
	pm_json_array(j, "deliverables");
	for (i = 0; i < v->ndeliv; i++) {
		const struct pm_deliverable *d = &v->deliv[i];

		pm_json_object(j, NULL);
		pm_json_string(j, "name", d->name);
		pm_json_bool(j, "present", d->present);
		pm_json_fixed(j, "album_lufs", d->album_lufs, 2);
		if (d->has_target)
			pm_json_fixed(j, "target_lufs", d->target_lufs, 1);
		pm_json_fixed(j, "ceiling_dbtp", d->ceiling_dbtp, 2);
		pm_json_array(j, "files");
		for (k = 0; k < d->n; k++) {
			const struct pm_measured *m = &d->m[k];

			pm_json_object(j, NULL);
			pm_json_string(j, "name", m->name);
			if (m->track)
				pm_json_int(j, "track", m->track);
			pm_json_fixed(j, "seconds", m->seconds, 3);
			pm_json_fixed(j, "loudness_lufs", m->lufs, 2);
			pm_json_fixed(j, "range_lu", m->range_lu, 2);
			pm_json_fixed(j, "true_peak_dbtp", m->true_peak_dbtp, 3);
			pm_json_fixed(j, "peak_dbfs", m->peak_dbfs, 3);
			pm_json_fixed(j, "leading_silence_s", m->lead_silence_s, 2);
			pm_json_fixed(j, "trailing_silence_s", m->trail_silence_s, 2);
			pm_json_int(j, "clipped_runs", m->clipped_runs);
			pm_json_fixed(j, "dc_offset_dbfs", m->dc_db, 1);
			if (m->compared)
				pm_json_bool(j, "equals_master", m->master_differ == 0);
			pm_json_end(j, true);
		}
		pm_json_end(j, false);
		pm_json_end(j, true);
	}
	pm_json_end(j, false);
}

int pm_verify_write_json(FILE *fp, const struct pm_verify *v,
			 struct pm_err *err)
{
	struct pm_json j;

	pm_json_init(&j, fp);
	pm_json_object(&j, NULL);
	pm_verify_json_members(&j, v);
	pm_json_end(&j, true);
	if (ferror(fp))
		return pm_err_sys(err, PM_EIO, "cannot write the verify report");
	return 0;
}

/* ------------------------------------------------------------------ */
/* HTML                                                                 */
/* ------------------------------------------------------------------ */

static void cell(FILE *fp, const char *s)
{
	fputs("<td>", fp);
	pm_xml_escape(fp, s ? s : "", false);
	fputs("</td>", fp);
}

static void num(FILE *fp, double x, int decimals)
{
	if (isfinite(x))
		fprintf(fp, "<td class=\"n\">%.*f</td>", decimals, x);
	else
		fputs("<td class=\"n\">-</td>", fp);
}

static void findings_table(FILE *fp, const struct pm_verify *v)
{
	fputs("<h2 id=\"findings\">Findings</h2>\n<table>\n<tr><th>#</th><th>Severity</th><th>Rule</th>"
	      "<th>Deliverable</th><th>Track</th><th>Time</th><th>Where</th><th>Finding</th></tr>\n",
	      fp);
	for (size_t i = 0; i < v->findings.n; i++) {
		const struct pm_finding *f = &v->findings.v[i];
		bool marked = f->track && !isnan(f->time_s) && v->album &&
			      f->severity != PM_SEV_IGNORE;

		fprintf(fp, "<tr id=\"f%zu\" class=\"%s\"><td>%zu</td>", i + 1,
			pm_severity_name(f->severity), i + 1);
		fputs("<td>", fp);
		fputs(pm_severity_name(f->severity), fp);
		if (f->overridden)
			fputs(" (album.xml)", fp);
		fputs("</td>", fp);
		cell(fp, f->rule);
		cell(fp, f->deliverable);
		if (f->track)
			fprintf(fp, "<td class=\"n\"><a href=\"#t%u\">%u</a></td>",
				f->track, f->track);
		else
			fputs("<td></td>", fp);
		if (marked)
			fprintf(fp, "<td class=\"n\"><a href=\"#m%zu\">%.3f s</a></td>",
				i + 1, f->time_s);
		else if (!isnan(f->time_s))
			fprintf(fp, "<td class=\"n\">%.3f s</td>", f->time_s);
		else
			fputs("<td></td>", fp);
		cell(fp, f->where);
		cell(fp, f->message);
		fputs("</tr>\n", fp);
	}
	if (v->findings.n == 0)
		fputs("<tr><td colspan=\"8\">none</td></tr>\n", fp);
	fputs("</table>\n", fp);
}

/* A master's stretches of limiting, one a line: times and depth. */
static void limiting_cell(FILE *fp, const struct pm_vmaster *m)
{
	char a[32], b[32];

	fputs("<td class=\"limiting\">", fp);
	for (unsigned k = 0; k < m->nlimiting; k++)
		fprintf(fp, "%s%s&#8211;%s %.1f&#160;dB", k ? "<br/>" : "",
			pm_format_duration(m->limiting[k].start_s, a, sizeof(a)),
			pm_format_duration(m->limiting[k].end_s, b, sizeof(b)),
			m->limiting[k].depth_db);
	if (m->has_log && !m->nlimiting)
		fputs("none", fp);
	fputs("</td>", fp);
}

static void track_table(FILE *fp, const struct pm_verify *v)
{
	const struct pm_album *a = v->album;

	fputs("<h2>Tracks</h2>\n<p>Per target: the gain the master applied "
	      "(its loudness against the source's), the limiter's deepest "
	      "gain reduction, the time it spent over 0.5 dB and each such "
	      "stretch (start&#8211;end, minutes:seconds into the master, and "
	      "its depth), true peak before "
	      "(source) and after (master), loudness, loudness range, and the "
	      "tone against the source per octave band from 31.5 Hz to 16 kHz "
	      "(bars in red: more than 1 dB off).</p>\n<table>\n"
	      "<tr><th>Track</th><th>Target</th><th>Gain dB</th><th>Max GR dB</th>"
	      "<th>Limiting s</th><th>Limiter stretches</th><th>TP before</th>"
	      "<th>TP after</th><th>LUFS</th>"
	      "<th>LRA</th><th>Tone</th><th>Findings</th></tr>\n",
	      fp);
	for (size_t i = 0; i < a->ntracks; i++) {
		const struct pm_vtrack *t = &v->tracks[i];
		const char *title = pm_texts_get(&a->tracks[i].text[PM_FIELD_TITLE],
						 NULL, false);

		fprintf(fp, "<tr id=\"t%zu\"><td rowspan=\"%zu\">%zu ", i + 1,
			v->ntargets + 1, i + 1);
		pm_xml_escape(fp, title ? title : "", false);
		fputs("</td><td>source</td><td></td><td></td><td></td><td></td>", fp);
		num(fp, t->true_peak_dbtp, 2);
		fputs("<td></td>", fp);
		num(fp, t->lufs, 2);
		num(fp, t->range_lu, 1);
		fputs("<td></td><td rowspan=\"1\">", fp);
		for (size_t k = 0; k < v->findings.n; k++)
			if (v->findings.v[k].track == i + 1 &&
			    v->findings.v[k].severity != PM_SEV_IGNORE)
				fprintf(fp, "<a class=\"%s\" href=\"#f%zu\">%s</a> ",
					pm_severity_name(v->findings.v[k].severity),
					k + 1, v->findings.v[k].rule);
		fputs("</td></tr>\n", fp);
		for (size_t k = 0; k < v->ntargets; k++) {
			const struct pm_vmaster *m = &t->masters[k];
			double gain = m->lufs - t->lufs;

			fprintf(fp, "<tr><td style=\"color:%s\">",
				verify_target_colour(k));
			pm_xml_escape(fp, v->targets[k].name, false);
			fputs("</td>", fp);
			if (!m->present) {
				fputs("<td colspan=\"9\">no master</td><td></td></tr>\n", fp);
				continue;
			}
			num(fp, gain, 2);
			num(fp, m->has_log ? m->max_gr_db : NAN, 2);
			num(fp, m->has_log ? m->limited_s : NAN, 1);
			limiting_cell(fp, m);
			num(fp, t->true_peak_dbtp, 2);
			num(fp, m->true_peak_dbtp, 2);
			num(fp, m->lufs, 2);
			num(fp, m->range_lu, 1);
			fputs("<td>", fp);
			if (t->source_read)
				verify_svg_tone(fp, v, i, k, gain);
			fputs("</td><td></td></tr>\n", fp);
		}
	}
	fputs("</table>\n", fp);
}

int pm_verify_write_html(FILE *fp, const struct pm_verify *v,
			 struct pm_err *err)
{
	char buf[64], date[16];
	size_t i, k;

	pm_sheet_date(date, sizeof(date));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>",
	      fp);
	pm_xml_escape(fp, title_of(v), false);
	fputs(": release report</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:2em;max-width:80em}"
	      "table{border-collapse:collapse;margin-bottom:1.5em}"
	      "th,td{border:1px solid #999;padding:2px 8px;text-align:left;vertical-align:middle}"
	      "td.n{text-align:right;font-family:monospace}"
	      "td.limiting{white-space:nowrap;font-family:monospace}"
	      ".fit{color:#070}.notfit{color:#b00}tr.error{background:#fdd}"
	      "tr.warning{background:#ffd}tr.ignore{color:#888}a.error{color:#b00}"
	      "svg.pic{display:block;margin:0.5em 0 1.5em;max-width:70em}"
	      ":target{outline:2px solid #000}\n</style>\n</head>\n<body>\n<h1>",
	      fp);
	pm_xml_escape(fp, title_of(v), false);
	fprintf(fp, "</h1>\n<p class=\"%s\"><strong>%s</strong>: %u error%s, %u warning%s, %u ignored, %u checks (%s)</p>\n",
		v->findings.errors ? "notfit" : "fit",
		v->findings.errors ? "Not fit for release" : "Fit for release",
		v->findings.errors, v->findings.errors == 1 ? "" : "s",
		v->findings.warnings, v->findings.warnings == 1 ? "" : "s",
		v->findings.ignored, v->checks, date);
	if (v->album)
		fputs("<p>Related: <a href=\"../cd/pq-sheet.html\">PQ sheet</a>, "
		      "<a href=\"verify.json\">verify.json</a>, "
		      "<a href=\"analysis.json\">analysis.json</a></p>\n",
		      fp);
	if (v->album && v->tracks) {
		fputs("<h2>Loudness over the album</h2>\n<p>Short-term loudness "
		      "(3 s) of the source mix (grey) and of each target's "
		      "master, with its target (dashed) and the track "
		      "boundaries; below, per target whose limiter worked, "
		      "each stretch of more than 0.5 dB of gain reduction as "
		      "deep as its deepest reduction, on the same time scale. "
		      "Dots mark findings; each links to its row.</p>\n<p>",
		      fp);
		fprintf(fp, "<span style=\"color:%s\">&#9632; source</span> ",
			verify_colour_source);
		for (k = 0; k < v->ntargets; k++) {
			fprintf(fp, "<span style=\"color:%s\">&#9632; ",
				verify_target_colour(k));
			pm_xml_escape(fp, v->targets[k].name, false);
			fputs("</span> ", fp);
		}
		fprintf(fp, "<span style=\"color:%s\">&#9632; gain reduction</span></p>\n",
			verify_colour_gr);
		verify_svg_loudness(fp, v);
	}
	findings_table(fp, v);
	if (v->album && v->tracks)
		track_table(fp, v);
	if (v->has_disc) {
		fputs("<h2>The disc</h2>\n", fp);
		verify_svg_disc(fp, v);
	}
	if (v->nsides) {
		fputs("<h2>Vinyl sides</h2>\n", fp);
		verify_svg_vinyl(fp, v);
	}
	if (v->listing) {
		fputs("<h2>DDP</h2>\n<pre>", fp);
		pm_xml_escape(fp, v->listing, false);
		fputs("</pre>\n", fp);
	}
	for (i = 0; i < v->ndeliv; i++) {
		const struct pm_deliverable *d = &v->deliv[i];

		fputs("<h2>", fp);
		pm_xml_escape(fp, d->name, false);
		fputs("</h2>\n", fp);
		if (!d->present) {
			fputs("<p>missing</p>\n", fp);
			continue;
		}
		fprintf(fp, "<p>Album loudness %.2f LUFS", d->album_lufs);
		if (d->has_target)
			fprintf(fp, " (target %.1f LUFS)", d->target_lufs);
		fprintf(fp, "; true-peak ceiling %.2f dBTP.</p>\n", d->ceiling_dbtp);
		fputs("<table>\n<tr><th>File</th><th>Length</th><th>LUFS</th><th>LRA</th>"
		      "<th>True peak</th><th>Lead/trail silence</th></tr>\n",
		      fp);
		for (k = 0; k < d->n; k++) {
			const struct pm_measured *m = &d->m[k];

			fputs("<tr>", fp);
			cell(fp, m->name);
			fprintf(fp, "<td class=\"n\">%s</td>",
				pm_format_duration(m->seconds, buf, sizeof(buf)));
			num(fp, m->lufs, 2);
			num(fp, m->range_lu, 1);
			num(fp, m->true_peak_dbtp, 3);
			fprintf(fp, "<td class=\"n\">%.1f / %.1f s</td></tr>\n",
				m->lead_silence_s, m->trail_silence_s);
		}
		fputs("</table>\n", fp);
	}
	fputs("</body>\n</html>\n", fp);
	if (ferror(fp))
		return pm_err_sys(err, PM_EIO, "cannot write the HTML report");
	return 0;
}
