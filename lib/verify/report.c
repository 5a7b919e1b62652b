/* SPDX-License-Identifier: GPL-3.0-or-later */
/* report.c: verify.txt, verify.json and report.html. */
#include <config.h>

#include "verify/verify-impl.h"

#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* Reports                                                              */
/* ------------------------------------------------------------------ */

static const char *title_of(const struct pm_verify *v)
{
	const char *t = pm_texts_get(&v->album->release.text[PM_FIELD_TITLE],
				     NULL, false);

	return t ? t : "";
}

int pm_verify_write_text(FILE *fp, const struct pm_verify *v,
			 struct pm_err *err)
{
	char date[16], dur[32];
	size_t i, k;

	pm_sheet_date(date, sizeof(date));
	fprintf(fp, "premaster verify: %s\n%s\n\n", title_of(v), date);
	fprintf(fp, "Verdict: %s (%u error%s, %u warning%s, %u checks)\n",
		v->findings.errors ? "NOT FIT" : "FIT", v->findings.errors, v->findings.errors == 1 ? "" : "s",
		v->findings.warnings, v->findings.warnings == 1 ? "" : "s", v->checks);
	if (v->image_md5[0])
		fprintf(fp, "CD programme MD5 (16-bit LE samples): %s\n", v->image_md5);
	fputs("\nFindings\n", fp);
	if (v->findings.n == 0)
		fputs("  none\n", fp);
	for (i = 0; i < v->findings.n; i++)
		if (v->findings.v[i].severity != PM_SEV_IGNORE)
			fprintf(fp, "  %-7s  %-18s %s: %s\n",
				pm_severity_name(v->findings.v[i].severity),
				v->findings.v[i].rule, v->findings.v[i].where,
				v->findings.v[i].message);
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
	if (ferror(fp))
		return pm_err_sys(err, PM_EIO, "cannot write the verify report");
	return 0;
}

int pm_verify_write_json(FILE *fp, const struct pm_verify *v,
			 struct pm_err *err)
{
	struct pm_json j;
	size_t i, k;

	pm_json_init(&j, fp);
	pm_json_object(&j, NULL);
	pm_json_string(&j, "generator", "premaster " PACKAGE_VERSION);
	pm_json_string(&j, "title", title_of(v));
	pm_json_bool(&j, "fit", v->findings.errors == 0);
	pm_json_int(&j, "errors", v->findings.errors);
	pm_json_int(&j, "warnings", v->findings.warnings);
	pm_json_int(&j, "checks", v->checks);
	if (v->image_md5[0])
		pm_json_string(&j, "cd_programme_md5", v->image_md5);
	pm_json_array(&j, "findings");
	for (i = 0; i < v->findings.n; i++)
		pm_finding_json(&j, &v->findings.v[i]);
	pm_json_end(&j, false);
	pm_json_array(&j, "deliverables");
	for (i = 0; i < v->ndeliv; i++) {
		const struct pm_deliverable *d = &v->deliv[i];

		pm_json_object(&j, NULL);
		pm_json_string(&j, "name", d->name);
		pm_json_bool(&j, "present", d->present);
		pm_json_fixed(&j, "album_lufs", d->album_lufs, 2);
		if (d->has_target)
			pm_json_fixed(&j, "target_lufs", d->target_lufs, 1);
		pm_json_fixed(&j, "ceiling_dbtp", d->ceiling_dbtp, 2);
		pm_json_array(&j, "files");
		for (k = 0; k < d->n; k++) {
			const struct pm_measured *m = &d->m[k];

			pm_json_object(&j, NULL);
			pm_json_string(&j, "name", m->name);
			pm_json_fixed(&j, "seconds", m->seconds, 3);
			pm_json_fixed(&j, "loudness_lufs", m->lufs, 2);
			pm_json_fixed(&j, "range_lu", m->range_lu, 2);
			pm_json_fixed(&j, "true_peak_dbtp", m->true_peak_dbtp, 3);
			pm_json_fixed(&j, "leading_silence_s", m->lead_silence_s, 2);
			pm_json_fixed(&j, "trailing_silence_s", m->trail_silence_s, 2);
			pm_json_int(&j, "clipped_runs", m->clipped_runs);
			pm_json_fixed(&j, "dc_offset_dbfs", m->dc_db, 1);
			pm_json_end(&j, true);
		}
		pm_json_end(&j, false);
		pm_json_end(&j, true);
	}
	pm_json_end(&j, false);
	pm_json_end(&j, true);
	if (ferror(fp))
		return pm_err_sys(err, PM_EIO, "cannot write the verify report");
	return 0;
}

static void cell(FILE *fp, const char *s)
{
	fputs("<td>", fp);
	pm_xml_escape(fp, s, false);
	fputs("</td>", fp);
}

int pm_verify_write_html(FILE *fp, const struct pm_verify *v,
			 struct pm_err *err)
{
	char buf[64], date[16];
	size_t i, k;

	pm_sheet_date(date, sizeof(date));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
	      fp);
	pm_xml_escape(fp, title_of(v), false);
	fputs(": release report</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:2em;max-width:70em}"
	      "table{border-collapse:collapse;margin-bottom:1.5em}"
	      "th,td{border:1px solid #999;padding:2px 8px;text-align:left}"
	      "td.n{text-align:right;font-family:monospace}"
	      ".fit{color:#070}.notfit{color:#b00}.error{background:#fdd}"
	      ".warning{background:#ffd}\n</style>\n</head>\n<body>\n<h1>",
	      fp);
	pm_xml_escape(fp, title_of(v), false);
	fprintf(fp, "</h1>\n<p class=\"%s\"><strong>%s</strong>: %u error%s, %u warning%s, %u checks (%s)</p>\n",
		v->findings.errors ? "notfit" : "fit", v->findings.errors ? "Not fit for release" : "Fit for release",
		v->findings.errors, v->findings.errors == 1 ? "" : "s", v->findings.warnings,
		v->findings.warnings == 1 ? "" : "s", v->checks, date);
	fputs("<p>Related: <a href=\"../cd/pq-sheet.html\">PQ sheet</a>, "
	      "<a href=\"verify.json\">verify.json</a>, "
	      "<a href=\"analysis.json\">analysis.json</a></p>\n",
	      fp);
	fputs("<h2>Findings</h2>\n<table>\n<tr><th>Severity</th><th>Rule</th><th>Where</th><th>Finding</th></tr>\n",
	      fp);
	for (i = 0; i < v->findings.n; i++) {
		if (v->findings.v[i].severity == PM_SEV_IGNORE)
			continue;
		fprintf(fp, "<tr class=\"%s\">", pm_severity_name(v->findings.v[i].severity));
		cell(fp, pm_severity_name(v->findings.v[i].severity));
		cell(fp, v->findings.v[i].rule);
		cell(fp, v->findings.v[i].where);
		cell(fp, v->findings.v[i].message);
		fputs("</tr>\n", fp);
	}
	if (v->findings.n == 0)
		fputs("<tr><td colspan=\"4\">none</td></tr>\n", fp);
	fputs("</table>\n", fp);
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
			fprintf(fp, "<td class=\"n\">%s</td><td class=\"n\">%.2f</td>"
				    "<td class=\"n\">%.1f</td><td class=\"n\">%.3f</td>"
				    "<td class=\"n\">%.1f / %.1f s</td></tr>\n",
				pm_format_duration(m->seconds, buf, sizeof(buf)), m->lufs,
				m->range_lu, m->true_peak_dbtp, m->lead_silence_s,
				m->trail_silence_s);
		}
		fputs("</table>\n", fp);
	}
	fputs("</body>\n</html>\n", fp);
	if (ferror(fp))
		return pm_err_sys(err, PM_EIO, "cannot write the HTML report");
	return 0;
}
