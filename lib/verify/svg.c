/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * svg.c: the pictures of report.html, drawn as inline SVG: loudness over
 * the album with the limiter's work below it, each track's tone against
 * its source, the disc to scale, the vinyl sides against their limits.
 * Nothing is fetched: the report is one file.
 */
#include <config.h>

#include "verify/verify-impl.h"

#include "util/banned.h"

/* The colours, fixed so that a test can find them in a screenshot. */
const char *const verify_colour_source = "#7f7f7f";
const char *const verify_colour_gr = "#c71585";
const char *const verify_colour_track[2] = { "#4682b4", "#87ceeb" };
const char *const verify_colour_pause = "#d3d3d3";
static const char *const target_colour[] = { "#1f77b4", "#d62728", "#2ca02c",
					     "#9467bd", "#ff7f0e", "#17becf",
					     "#8c564b", "#bcbd22" };

const char *verify_target_colour(size_t t)
{
	return target_colour[t % PM_ARRAY_SIZE(target_colour)];
}

#define W 1000.0  /* picture width in user units */
#define LEFT 50.0 /* room for the scale */
#define RIGHT 10.0
#define MAX_POINTS 1200

/* Where each track starts on the album's time line (seconds). */
static double track_offset(const struct pm_verify *v, size_t i)
{
	double t = 0;

	for (size_t k = 0; k < i; k++)
		t += v->tracks[k].seconds;
	return t;
}

static double album_seconds(const struct pm_verify *v)
{
	return v->album ? track_offset(v, v->album->ntracks) : 0;
}

static double x_of(double t, double total)
{
	return LEFT + (W - LEFT - RIGHT) * (total > 0 ? t / total : 0);
}

/*
 * A curve of per-100-ms values from album time `t0`, squeezed to at most
 * MAX_POINTS per picture width by keeping each bucket's largest value;
 * values under `floor` are drawn at `floor`.
 */
static void polyline(FILE *fp, const float *y, size_t n, double t0,
		     double total, double y0, double ytop, double lo, double hi,
		     const char *colour, double width)
{
	size_t per = 1, i;
	double span = (double)n * PM_VERIFY_BLOCK_S;

	if (!n)
		return;
	if (total > 0 && span / total * MAX_POINTS < (double)n)
		per = (size_t)ceil((double)n / (span / total * MAX_POINTS));
	fprintf(fp, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" points=\"",
		colour, width);
	for (i = 0; i < n; i += per) {
		float m = -1e9f;

		for (size_t k = i; k < i + per && k < n; k++)
			if (y[k] > m)
				m = y[k];
		if (m < lo)
			m = (float)lo;
		if (m > hi)
			m = (float)hi;
		fprintf(fp, "%.1f,%.1f ",
			x_of(t0 + (double)i * PM_VERIFY_BLOCK_S, total),
			y0 - (y0 - ytop) * ((double)m - lo) / (hi - lo));
	}
	fputs("\"/>\n", fp);
}

static double y_scale(double v, double lo, double hi, double y0, double ytop)
{
	return y0 - (y0 - ytop) * (PM_CLAMP(v, lo, hi) - lo) / (hi - lo);
}

/* Marks on the pictures for findings with a time, linked to the table. */
static void finding_marks(FILE *fp, const struct pm_verify *v, double total,
			  double y)
{
	for (size_t i = 0; i < v->findings.n; i++) {
		const struct pm_finding *f = &v->findings.v[i];
		double x;

		if (!f->track || isnan(f->time_s) || !v->album ||
		    f->track > v->album->ntracks ||
		    f->severity == PM_SEV_IGNORE)
			continue;
		x = x_of(track_offset(v, f->track - 1) + f->time_s, total);
		fprintf(fp,
			"<a href=\"#f%zu\"><circle id=\"m%zu\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"><title>",
			i + 1, i + 1, x, y,
			f->severity == PM_SEV_ERROR ? "#ff0000" : "#ffa500");
		pm_xml_escape(fp, f->rule, false);
		fputs(": ", fp);
		pm_xml_escape(fp, f->message, false);
		fputs("</title></circle></a>\n", fp);
	}
}

/* Does any master of target `t` carry a stretch of limiting? */
static bool target_limited(const struct pm_verify *v, size_t t)
{
	for (size_t i = 0; i < v->album->ntracks; i++)
		if (v->tracks[i].masters[t].nlimiting)
			return true;
	return false;
}

#define STRIP_H 60.0   /* a limiter strip's height */
#define STRIP_GAP 24.0 /* room above it for its label */

/*
 * Target `t`'s limiter strip from `gtop` down: a bar per stretch of the
 * log (doc/internals/sound.md), as wide as the stretch on the
 * picture's time scale and as deep as its deepest reduction, with the
 * track, times and depth as its tooltip.
 */
static void limiter_strip(FILE *fp, const struct pm_verify *v, size_t t,
			  double total, double gtop, double grmax)
{
	double g0 = gtop + STRIP_H;
	char a[32], b[32];

	fprintf(fp, "<g id=\"limiter-");
	pm_xml_escape(fp, v->targets[t].name, true);
	fprintf(fp,
		"\" class=\"limiter\">\n<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\" stroke=\"#999999\"/>\n"
		"<text x=\"4\" y=\"%.0f\" font-size=\"11\" fill=\"%s\">",
		LEFT, gtop, W - LEFT - RIGHT, STRIP_H, gtop - 5,
		verify_target_colour(t));
	pm_xml_escape(fp, v->targets[t].name, false);
	fputs(": limiter gain reduction (dB, down)</text>\n", fp);
	for (size_t i = 0; i < v->album->ntracks; i++) {
		const struct pm_vmaster *m = &v->tracks[i].masters[t];
		double t0 = track_offset(v, i);

		for (unsigned k = 0; k < m->nlimiting; k++) {
			const struct pm_vlimit *s = &m->limiting[k];
			double x = x_of(t0 + s->start_s, total);
			double w = PM_MAX(x_of(t0 + s->end_s, total) - x, 1.0);

			fprintf(fp,
				"<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
				x, gtop, w,
				STRIP_H * PM_MIN(s->depth_db / grmax, 1.0),
				verify_colour_gr);
			pm_xml_escape(fp, v->targets[t].name, false);
			fprintf(fp, ", track %zu, %s to %s: %.1f dB</title></rect>\n",
				i + 1, pm_format_duration(s->start_s, a, sizeof(a)),
				pm_format_duration(s->end_s, b, sizeof(b)),
				s->depth_db);
		}
	}
	fprintf(fp,
		"<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" text-anchor=\"end\">0</text><text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" text-anchor=\"end\">%.0f</text>\n</g>\n",
		LEFT - 4, gtop + 10, LEFT - 4, g0, grmax);
}

void verify_svg_loudness(FILE *fp, const struct pm_verify *v)
{
	const struct pm_album *a = v->album;
	double total = album_seconds(v), lo = -40, hi = 0;
	double top = 20, y0 = 260, grmax = 3, bottom;
	size_t i, t, nstrips = 0;

	if (!a || total <= 0)
		return;
	/* one scale for every strip, so that targets compare */
	for (t = 0; t < v->ntargets; t++) {
		if (!target_limited(v, t))
			continue;
		nstrips++;
		for (i = 0; i < a->ntracks; i++)
			grmax = PM_MAX(grmax, ceil(v->tracks[i].masters[t].max_gr_db));
	}
	bottom = y0 + (STRIP_GAP + STRIP_H) * (double)nstrips;
	fprintf(fp,
		"<svg id=\"loudness\" class=\"pic\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\" aria-label=\"short-term loudness over the album\">\n",
		W, bottom + 20);
	fprintf(fp, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\" stroke=\"#999999\"/>\n",
		LEFT, top, W - LEFT - RIGHT, y0 - top);
	for (double l = lo; l <= hi; l += 10)
		fprintf(fp,
			"<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eeeeee\"/><text x=\"%.0f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%.0f</text>\n",
			LEFT, W - RIGHT, y_scale(l, lo, hi, y0, top),
			y_scale(l, lo, hi, y0, top), LEFT - 4,
			y_scale(l, lo, hi, y0, top) + 3, l);
	fprintf(fp, "<text x=\"4\" y=\"14\" font-size=\"11\">LUFS (short-term)</text>\n");
	/* each target's limiter strip below, on the same time scale */
	for (t = 0, i = 0; t < v->ntargets; t++)
		if (target_limited(v, t))
			limiter_strip(fp, v, t, total,
				      y0 + STRIP_GAP +
					      (STRIP_GAP + STRIP_H) * (double)i++,
				      grmax);
	/* track boundaries, through the strips */
	for (i = 0; i < a->ntracks; i++) {
		double x = x_of(track_offset(v, i), total);

		fprintf(fp,
			"<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#444444\" stroke-dasharray=\"2,3\"/><text x=\"%.1f\" y=\"%.0f\" font-size=\"10\">%zu</text>\n",
			x, x, top, bottom, x + 2, top + 10, i + 1);
	}
	/* the source mix, then each target's master and its target line */
	for (i = 0; i < a->ntracks; i++)
		polyline(fp, v->tracks[i].st, v->tracks[i].nst,
			 track_offset(v, i), total, y0, top, lo, hi,
			 verify_colour_source, 1.2);
	for (t = 0; t < v->ntargets; t++) {
		for (i = 0; i < a->ntracks; i++)
			polyline(fp, v->tracks[i].masters[t].st,
				 v->tracks[i].masters[t].nst, track_offset(v, i),
				 total, y0, top, lo, hi, verify_target_colour(t),
				 1.0);
		if (v->targets[t].has_target)
			fprintf(fp,
				"<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"8,4\"><title>%s target %.1f LUFS</title></line>\n",
				LEFT, W - RIGHT,
				y_scale(v->targets[t].target_lufs, lo, hi, y0, top),
				y_scale(v->targets[t].target_lufs, lo, hi, y0, top),
				verify_target_colour(t), v->targets[t].name,
				v->targets[t].target_lufs);
	}
	finding_marks(fp, v, total, top + 20);
	fputs("</svg>\n", fp);
}

/* The tone of a master against its source, per octave band. */
void verify_svg_tone(FILE *fp, const struct pm_verify *v, size_t track,
		     size_t target, double gain_db)
{
	const struct pm_vtrack *t = &v->tracks[track];
	const struct pm_vmaster *m = &t->masters[target];
	double w = 160, h = 40, range = 3;

	fprintf(fp,
		"<svg class=\"tone\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\">"
		"<line x1=\"0\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#999999\"/>",
		w, h, w, h, w, h / 2, h / 2);
	for (size_t b = 0; b < PM_VERIFY_BANDS; b++) {
		double dev = m->band_db[b] - t->band_db[b] - gain_db;
		double bh, x = 4 + (double)b * (w - 8) / PM_VERIFY_BANDS;

		if (!isfinite(dev))
			continue;
		bh = PM_CLAMP(dev, -range, range) / range * (h / 2 - 2);
		fprintf(fp,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%.0f Hz: %+.1f dB</title></rect>",
			x, bh > 0 ? h / 2 - bh : h / 2,
			(w - 8) / PM_VERIFY_BANDS - 2, fabs(bh) + 0.5,
			fabs(dev) > 1.0 ? "#d62728" : verify_target_colour(target),
			b == 0 ? 31.5 : 31.25 * pow(2, (double)b), dev);
	}
	fputs("</svg>", fp);
}

/* The disc to scale: pauses, tracks, index marks, HTOA, lead-out. */
void verify_svg_disc(FILE *fp, const struct pm_verify *v)
{
	const struct pm_disc *d = &v->disc;
	double total = d->leadout_frames, y = 20, h = 40;

	if (!v->has_disc || total <= 0)
		return;
	fprintf(fp,
		"<svg id=\"disc\" class=\"pic\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f 110\" width=\"100%%\" role=\"img\" aria-label=\"the disc to scale\">\n",
		W);
	for (unsigned n = 1; n <= d->ntracks; n++) {
		const struct pm_pq_track *q = &d->track[n - 1];
		uint32_t start = q->has_pause ? q->pause_frames : q->index[0];
		uint32_t end = n < d->ntracks
				       ? (d->track[n].has_pause ? d->track[n].pause_frames
								: d->track[n].index[0])
				       : d->leadout_frames;
		double xs = x_of(start, total), x1 = x_of(q->index[0], total);
		double xe = x_of(end, total);

		if (x1 > xs)
			fprintf(fp,
				"<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\"><title>%s before track %u: %.2f s</title></rect>\n",
				xs, y, x1 - xs, h,
				n == 1 && v->has_htoa ? "#ffd700" : verify_colour_pause,
				n == 1 && v->has_htoa ? "hidden track" : "pause", n,
				(q->index[0] - start) / 75.0);
		fprintf(fp,
			"<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\"><title>track %u: %.2f s</title></rect>\n"
			"<text x=\"%.2f\" y=\"%.0f\" font-size=\"10\">%u</text>\n",
			x1, y, PM_MAX(xe - x1, 0.5), h,
			verify_colour_track[(n - 1) % 2], n, (end - q->index[0]) / 75.0,
			x1 + 1, y + h + 12, n);
		for (unsigned k = 1; k < q->nindex; k++) {
			double xi = x_of(q->index[k], total);

			fprintf(fp,
				"<line x1=\"%.2f\" x2=\"%.2f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#000000\" stroke-width=\"1.5\"><title>track %u index %02u</title></line>\n",
				xi, xi, y - 6, y + h, n, k + 1);
		}
	}
	fprintf(fp,
		"<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#000000\" stroke-width=\"2\"/><text x=\"%.1f\" y=\"12\" font-size=\"10\" text-anchor=\"end\">lead-out %u:%02u:%02u</text>\n",
		x_of(total, total), x_of(total, total), y - 8, y + h + 4,
		x_of(total, total), d->leadout_frames / 4500,
		d->leadout_frames / 75 % 60, d->leadout_frames % 75);
	fputs("<text x=\"4\" y=\"100\" font-size=\"10\">grey: pauses; gold: hidden track one audio; black ticks: index marks 02 and up</text>\n</svg>\n",
	      fp);
}

/* The vinyl sides against the format's limits, with their tracks. */
void verify_svg_vinyl(FILE *fp, const struct pm_verify *v)
{
	double max = v->side_max_s * 1.1, h = 24, y = 10;

	if (!v->nsides || max <= 0)
		return;
	fprintf(fp,
		"<svg id=\"vinyl\" class=\"pic\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\" aria-label=\"vinyl sides\">\n",
		W, y + (h + 10) * (double)v->nsides + 20);
	for (size_t s = 0; s < v->nsides; s++) {
		const struct pm_vside *o = &v->sides[s];
		double yy = y + (h + 10) * (double)s, t = 0;

		fprintf(fp, "<text x=\"4\" y=\"%.0f\" font-size=\"12\">Side ",
			yy + 16);
		pm_xml_escape(fp, o->name, false);
		fputs("</text>\n", fp);
		for (size_t k = 0; k < o->ntracks && v->album &&
				   o->first + k < v->album->ntracks;
		     k++) {
			double len = v->tracks[o->first + k].seconds;
			double x0 = x_of(t, max), x1 = x_of(t + len, max);

			fprintf(fp,
				"<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\" stroke=\"#ffffff\"><title>track %zu</title></rect><text x=\"%.1f\" y=\"%.0f\" font-size=\"10\" fill=\"#ffffff\">%zu</text>\n",
				x0, yy, PM_MAX(x1 - x0, 0.5), h,
				verify_colour_track[k % 2], o->first + k + 1,
				x0 + 2, yy + 15, o->first + k + 1);
			t += len;
		}
		fprintf(fp,
			"<text x=\"%.1f\" y=\"%.0f\" font-size=\"10\">%.0f s</text>\n",
			x_of(o->seconds, max) + 4, yy + 15, o->seconds);
	}
	fprintf(fp,
		"<line x1=\"%.1f\" x2=\"%.1f\" y1=\"4\" y2=\"%.0f\" stroke=\"#ffa500\" stroke-width=\"2\"><title>longer costs level and bass: %.0f s</title></line>\n"
		"<line x1=\"%.1f\" x2=\"%.1f\" y1=\"4\" y2=\"%.0f\" stroke=\"#ff0000\" stroke-width=\"2\"><title>the most a side holds: %.0f s</title></line>\n</svg>\n",
		x_of(v->side_warn_s, max), x_of(v->side_warn_s, max),
		y + (h + 10) * (double)v->nsides, v->side_warn_s,
		x_of(v->side_max_s, max), x_of(v->side_max_s, max),
		y + (h + 10) * (double)v->nsides, v->side_max_s);
}
