/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sequence.c: rendering timelines into the CD, vinyl and streaming files. */
#include <config.h>

#include "sequence/sequence.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "album/paths.h"
#include "album/sources.h"
#include "album/vinyl.h"
#include "cd/msf.h"
#include "cd/pq.h"
#include "cd/sheets.h"
#include "dsp/dither.h"
#include "dsp/truepeak.h"
#include "io/audio.h"
#include "io/ogg.h"
#include "sequence/timeline.h"
#include "sequence/xfade.h"
#include "util/crc32.h"
#include "util/db.h"
#include "util/log.h"
#include "util/outdir.h"
#include "util/progress.h"

#include "util/banned.h"

#define BLOCK_FRAMES 8192

enum pm_severity pm_rule_severity(const struct pm_album *a, const char *id,
				  enum pm_severity dflt, double *value)
{
	size_t i;

	for (i = 0; i < a->nrules; i++) {
		if (strcmp(a->rules[i].id, id) != 0)
			continue;
		if (value && a->rules[i].has_value)
			*value = a->rules[i].value;
		return a->rules[i].has_severity ? a->rules[i].severity : dflt;
	}
	return dflt;
}

/* ------------------------------------------------------------------ */
/* The CD                                                               */
/* ------------------------------------------------------------------ */

static uint32_t frames_of(struct pm_time t)
{
	return (uint32_t)(pm_time_samples(t, PM_CD_RATE) / PM_SAMPLES_PER_FRAME);
}

static int write_text(const struct pm_outdir *od, const char *name,
		      int (*fn)(FILE *, const void *, struct pm_err *),
		      const void *ctx, struct pm_err *err)
{
	char *path = pm_outdir_path(od, name, err);
	FILE *fp;
	int ret;

	if (!path)
		return -1;
	fp = fopen(path, "w");
	if (!fp) {
		ret = pm_err_sys(err, PM_ECREATE, "cannot create '%s'", path);
		free(path);
		return ret;
	}
	ret = fn(fp, ctx, err);
	if (fclose(fp) != 0 && ret == 0)
		ret = pm_err_sys(err, PM_EIO, "cannot write '%s'", path);
	free(path);
	return ret;
}

struct cd_text_ctx {
	const struct pm_album *a;
	const struct pm_disc *d;
	const struct pm_sheet_text *t;
	bool html;
	const char *htoa;
};

static int put_cue(FILE *fp, const void *ctx, struct pm_err *err)
{
	const struct cd_text_ctx *c = ctx;

	return pm_cue_write(fp, c->d, c->t, PM_CD_IMAGE, err);
}

static int put_toc(FILE *fp, const void *ctx, struct pm_err *err)
{
	const struct cd_text_ctx *c = ctx;

	return pm_toc_write(fp, c->d, c->t, PM_CD_IMAGE, err);
}

static int put_pq(FILE *fp, const void *ctx, struct pm_err *err)
{
	const struct cd_text_ctx *c = ctx;
	const struct pm_album *a = c->a;
	struct pm_pq_info info = { 0 };
	char date[16], version[32];

	pm_sheet_date(date, sizeof(date));
	snprintf(version, sizeof(version), "premaster %s", PACKAGE_VERSION);
	info.artist = pm_texts_get(&a->release.text[PM_FIELD_PERFORMER], NULL,
				   false);
	info.title = pm_texts_get(&a->release.text[PM_FIELD_TITLE], NULL, false);
	info.label = a->release.label;
	info.catalog = a->release.catalog;
	info.master_id = a->release.master_id;
	info.date = date;
	info.version = version;
	info.htoa = c->htoa;
	return pm_pqsheet_write(fp, c->d, c->t, &info, c->html, err);
}

void pm_cd_limits(const struct pm_album *a, struct pm_disc_limits *lim)
{
	*lim = pm_disc_limits_default();
	lim->warn_frames = frames_of(a->cd.warn_length);
	lim->max_frames = frames_of(a->cd.max_length);
	if (lim->max_frames > PM_MAX_DISC_FRAMES)
		lim->max_frames = PM_MAX_DISC_FRAMES;
}

/* The Red Book check, each problem at the line of the track it is about
 * (the timeline's CD track n is the album's track n), the disc's at the
 * <cd> element. */
static unsigned cd_check(const struct pm_album *a,
			 const struct pm_timeline *tl,
			 const struct pm_disc_limits *lim)
{
	int line[PM_MAX_TRACKS] = { 0 };
	struct pm_disc_lines lines = { .disc = a->cd.line,
				       .ntracks = tl->disc.ntracks,
				       .track = line };
	size_t i;

	if (lines.ntracks > PM_MAX_TRACKS)
		lines.ntracks = PM_MAX_TRACKS;
	for (i = 0; i < lines.ntracks && i < a->ntracks; i++)
		line[i] = a->tracks[i].line;
	return pm_disc_check_at(&tl->disc, lim, a->path, &lines);
}

int pm_cd_timeline(const struct pm_album *a, const struct pm_target *t,
		 const struct pm_seq_options *o, struct pm_inputs *in,
		 struct pm_timeline *tl, struct pm_err *err)
{
	struct pm_tl_options to = { 0 };
	struct pm_disc_limits lim;
	char masters[4096];
	size_t *which, i;
	unsigned problems;
	int ret;

	snprintf(masters, sizeof(masters), "%s/%s", o->outdir, PM_DIR_MASTERS);
	if (pm_inputs_find(in, a, t, o->masters_dir ? o->masters_dir : masters,
			   o->unity, err) < 0)
		return -1;
	which = pm_calloc(a->ntracks, sizeof(*which), err);
	if (!which) {
		pm_inputs_release(in);
		return -1;
	}
	for (i = 0; i < a->ntracks; i++)
		which[i] = i;
	to.rate = PM_CD_RATE;
	to.cd = true;
	to.lead_pause = true;
	to.preroll_frames = a->cd.preroll_frames;
	to.with_htoa = in->has_htoa;
	ret = pm_timeline_build(a, which, a->ntracks, in->length,
				in->htoa_length, &to, tl, err);
	free(which);
	if (ret < 0) {
		pm_inputs_release(in);
		return -1;
	}
	pm_cd_limits(a, &lim);
	problems = cd_check(a, tl, &lim);
	if (problems) {
		pm_timeline_release(tl);
		pm_inputs_release(in);
		return pm_err_set(err, PM_ESCHEMA,
				  "the CD layout breaks %u Red Book rule%s (see above)",
				  problems, problems == 1 ? "" : "s");
	}
	return 0;
}

/* One open per-track file while the image is written. */
struct span_out {
	struct pm_span span;
	char name[96];
	struct pm_audio_writer *w;
};

static int open_span(const struct pm_outdir *od, struct span_out *s,
		     struct pm_err *err)
{
	struct pm_audio_spec spec = { .format = PM_FORMAT_WAV, .rate = PM_CD_RATE,
				      .channels = 2, .bits = 16 };
	char rel[128];
	char *path;

	snprintf(rel, sizeof(rel), "%s/%s", PM_CD_TRACKS, s->name);
	path = pm_outdir_path(od, rel, err);
	if (!path)
		return -1;
	s->w = pm_audio_create(path, &spec, NULL, err);
	free(path);
	return s->w ? 0 : -1;
}

int pm_sequence_cd(const struct pm_album *a, const struct pm_target *t,
		   const struct pm_seq_options *o, struct pm_seq_result *res,
		   struct pm_err *err)
{
	struct pm_inputs in = { 0 };
	struct pm_timeline tl = { 0 };
	struct pm_tl_render rr = { 0 };
	struct pm_sheet_text text = { 0 };
	struct pm_outdir od = { 0 };
	struct pm_ditherer dith;
	struct pm_audio_spec spec = { .format = PM_FORMAT_WAV, .rate = PM_CD_RATE,
				      .channels = 2, .bits = 16 };
	struct pm_audio_writer *image = NULL;
	struct span_out spans[2 * PM_MAX_TRACKS];
	struct pm_span raw[2 * PM_MAX_TRACKS];
	struct pm_xfade_result xr = { 0 };
	struct pm_tl_gain *gains = NULL;
	size_t ngains = 0;
	struct pm_feed feed = { 0 };
	struct cd_text_ctx ctx = { 0 };
	size_t nspans = 0, i;
	float *buf = NULL;
	int16_t *pcm = NULL;
	char *path = NULL, *tracks_dir = NULL;
	char htoa_note[128];
	int64_t pos;
	int ret = -1;

	memset(spans, 0, sizeof(spans));
	if (pm_cd_timeline(a, t, o, &in, &tl, err) < 0)
		goto out;
	res->from_masters = in.kind == PM_INPUT_MASTERS;

	/* crossfades sum two signals: their peaks are checked first */
	if (pm_xfade_check(a, &in, &tl, t->ceiling_dbtp, a->cd.xfade_peaks,
			   &gains, &ngains, &xr, err) < 0)
		goto out;
	res->crossfades_limited = xr.limited;
	res->crossfade_max_dbtp = xr.max_dbtp;

	if (pm_sheet_text_from_album(a, &text, err) < 0)
		goto out;
	if (pm_outdir_begin(&od, o->outdir, PM_DIR_CD, o->force, err) < 0)
		goto out;
	tracks_dir = pm_outdir_path(&od, PM_CD_TRACKS, err);
	if (!tracks_dir || pm_mkdirs(tracks_dir, err) < 0)
		goto out;
	path = pm_outdir_path(&od, PM_CD_IMAGE, err);
	if (!path)
		goto out;
	image = pm_audio_create(path, &spec, NULL, err);
	if (!image)
		goto out;

	nspans = pm_disc_spans(&tl.disc, a->cd.track_gaps, raw);
	for (i = 0; i < nspans; i++) {
		spans[i].span = raw[i];
		if (raw[i].track)
			pm_track_file_name(a, raw[i].track - 1, "wav",
					   spans[i].name, sizeof(spans[i].name));
		else
			snprintf(spans[i].name, sizeof(spans[i].name),
				 "%02u-pause.wav", raw[i].pause_of);
	}

	buf = pm_malloc(BLOCK_FRAMES * 2 * sizeof(float), err);
	pcm = pm_malloc(BLOCK_FRAMES * 2 * sizeof(int16_t), err);
	if (!buf || !pcm || pm_feed_init(&feed, &in, &tl, 0, err) < 0 ||
	    pm_tl_render_init(&rr, &tl, pm_feed_read, &feed, err) < 0)
		goto out;
	rr.gains = gains;
	rr.ngains = ngains;
	pm_dither_init(&dith, a->cd.dither, 0x5EC0E5CE);
	for (pos = 0; pos < tl.length; pos += BLOCK_FRAMES) {
		int64_t n = PM_MIN((int64_t)BLOCK_FRAMES, tl.length - pos);

		if (pm_tl_render_next(&rr, buf, n, err) < 0)
			goto out;
		pm_dither_s16(&dith, buf, pcm, (size_t)n, 2);
		if (pm_audio_write_s16(image, pcm, n, err) < 0)
			goto out;
		for (i = 0; i < nspans; i++) {
			struct span_out *s = &spans[i];
			int64_t s0 = pm_frame_samples(s->span.start_frames);
			int64_t s1 = pm_frame_samples(s->span.end_frames);
			int64_t a0 = PM_MAX(pos, s0), a1 = PM_MIN(pos + n, s1);

			if (a0 >= a1)
				continue;
			if (!s->w && open_span(&od, s, err) < 0)
				goto out;
			if (pm_audio_write_s16(s->w, pcm + (a0 - pos) * 2, a1 - a0,
					       err) < 0)
				goto out;
			if (a1 == s1) {
				struct pm_audio_writer *w = s->w;

				s->w = NULL;
				if (pm_audio_finish(w, err) < 0)
					goto out;
				res->files++;
			}
		}
		pm_progress_update("cd", (uint64_t)pos, (uint64_t)tl.length);
	}
	pm_progress_clear();
	ret = pm_audio_finish(image, err);
	image = NULL;
	if (ret < 0)
		goto out;
	ret = -1;
	res->dithered = dith.dithered;
	res->passed = dith.passed;
	res->frames = tl.disc.leadout_frames;
	res->length_s = (double)tl.length / PM_CD_RATE;

	ctx.a = a;
	ctx.d = &tl.disc;
	ctx.t = &text;
	ctx.htoa = NULL;
	if (in.has_htoa) {
		snprintf(htoa_note, sizeof(htoa_note),
			 "%.2f s of audio in track 1's pregap from 00:02:00; the first 2 s are digital silence; many players cannot reach it",
			 (double)in.htoa_length / PM_CD_RATE);
		ctx.htoa = htoa_note;
	}
	if (a->cd.want_cue && write_text(&od, PM_CD_CUE, put_cue, &ctx, err) < 0)
		goto out;
	if (a->cd.want_toc && write_text(&od, PM_CD_TOC, put_toc, &ctx, err) < 0)
		goto out;
	if (a->cd.want_pq_sheet) {
		if (write_text(&od, PM_CD_PQ_TXT, put_pq, &ctx, err) < 0)
			goto out;
		ctx.html = true;
		if (write_text(&od, PM_CD_PQ_HTML, put_pq, &ctx, err) < 0)
			goto out;
	}
	if (pm_interrupted()) {
		pm_err_set(err, PM_EINTR, "interrupted");
		goto out;
	}
	if (pm_outdir_commit(&od, err) < 0)
		goto out;
	ret = 0;
out:
	pm_progress_clear();
	pm_tl_render_release(&rr);
	pm_feed_release(&feed);
	for (i = 0; i < nspans; i++)
		pm_audio_finish(spans[i].w, NULL);
	pm_audio_finish(image, NULL);
	pm_outdir_release(&od);
	pm_sheet_text_release(&text);
	pm_xfade_gains_free(gains, ngains);
	pm_timeline_release(&tl);
	pm_inputs_release(&in);
	free(buf);
	free(pcm);
	free(path);
	free(tracks_dir);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Writing a stretch of a timeline to a file                            */
/* ------------------------------------------------------------------ */

struct sink {
	struct pm_audio_writer *w;
	char *path; /* streaming: the file being written */
	bool ogg;   /* streaming: give it our serial number when done */
	bool dither16;
	struct pm_ditherer dith;
	int16_t *pcm;
};

static int sink_write(struct sink *s, const float *buf, int64_t n,
		      struct pm_err *err)
{
	if (!s->dither16)
		return pm_audio_write(s->w, buf, n, err);
	pm_dither_s16(&s->dith, buf, s->pcm, (size_t)n, 2);
	return pm_audio_write_s16(s->w, s->pcm, n, err);
}

static int sink_silence(struct sink *s, float *buf, int64_t n,
			struct pm_err *err)
{
	while (n > 0) {
		int64_t k = PM_MIN(n, (int64_t)BLOCK_FRAMES);

		memset(buf, 0, (size_t)k * 2 * sizeof(float));
		if (sink_write(s, buf, k, err) < 0)
			return -1;
		n -= k;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Vinyl                                                                */
/* ------------------------------------------------------------------ */

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static void fmt_side_time(double s, char *buf, size_t size)
{
	long long cs = llround(s * 100.0);

	snprintf(buf, size, "%02lld:%02lld.%02lld", cs / 6000, cs / 100 % 60,
		 cs % 100);
}

int pm_sequence_vinyl(const struct pm_album *a, const struct pm_target *t,
		      const struct pm_seq_options *o,
		      struct pm_seq_result *res, struct pm_err *err)
{
	const struct pm_vinyl *v = &a->vinyl;
	struct pm_inputs in = { 0 };
	struct pm_outdir od = { 0 };
	struct pm_side_limits lim;
	struct sink sink = { 0 };
	struct pm_audio_spec spec = { .format = PM_FORMAT_WAV, .channels = 2 };
	char masters[4096], name[160], t1[64], t2[64];
	float *buf = NULL;
	FILE *sheet = NULL;
	char *path = NULL;
	size_t s, k;
	enum pm_severity sev;
	int ret = -1;

	if (v->nsides == 0) {
		pm_warning("vinyl: no sides listed; nothing to cut");
		return 0;
	}
	if (pm_side_limits(v->size_in, v->speed_rpm, &lim) < 0)
		return pm_err_set(err, PM_ESCHEMA, "%s:%d: no plant cuts %u\" records at %u rpm",
				  a->path, v->line, v->size_in, v->speed_rpm);
	snprintf(masters, sizeof(masters), "%s/%s", o->outdir, PM_DIR_MASTERS);
	if (pm_inputs_find(&in, a, t, o->masters_dir ? o->masters_dir : masters,
			   o->unity, err) < 0)
		return -1;
	res->from_masters = in.kind == PM_INPUT_MASTERS;
	buf = pm_malloc(BLOCK_FRAMES * 2 * sizeof(float), err);
	if (!buf || pm_outdir_begin(&od, o->outdir, PM_DIR_VINYL, o->force, err) < 0)
		goto out;
	path = pm_outdir_path(&od, PM_VINYL_SHEET, err);
	if (!path)
		goto out;
	sheet = fopen(path, "w");
	if (!sheet) {
		pm_err_sys(err, PM_ECREATE, "cannot create '%s'", path);
		goto out;
	}
	fprintf(sheet, "VINYL TIMING SHEET\n==================\n\n");
	fprintf(sheet, "%-24s %s\n", "Artist", or_empty(pm_texts_get(
		&a->release.text[PM_FIELD_PERFORMER], NULL, false)));
	fprintf(sheet, "%-24s %s\n", "Title", or_empty(pm_texts_get(
		&a->release.text[PM_FIELD_TITLE], NULL, false)));
	if (a->release.catalog)
		fprintf(sheet, "%-24s %s\n", "Catalogue number", a->release.catalog);
	fprintf(sheet, "%-24s %u\" at %s rpm, %.1f s between tracks\n", "Format",
		v->size_in, v->speed_rpm == 33 ? "33 1/3" : "45",
		pm_time_seconds(v->gap));
	fprintf(sheet, "%-24s times are mm:ss.hh (hundredths) from the start of each side's file\n",
		"Time base");

	for (s = 0; s < v->nsides; s++) {
		const struct pm_vinyl_side *side = &v->sides[s];
		struct pm_timeline tl = { 0 };
		struct pm_tl_options to = { 0 };
		struct pm_tl_render rr = { 0 };
		struct pm_feed feed = { 0 };
		int64_t *lengths = NULL;
		uint32_t rate;
		int64_t pos;
		double len_s;
		char *fpath;

		if (side->ntracks == 0)
			continue;
		rate = in.rate[side->tracks[0]];
		lengths = pm_calloc(a->ntracks, sizeof(*lengths), err);
		if (!lengths)
			goto out;
		for (k = 0; k < side->ntracks; k++) {
			size_t i = side->tracks[k];

			if (in.rate[i] != rate) {
				free(lengths);
				pm_err_set(err, PM_EFORMAT,
					   "side %s: tracks at %u and %u Hz; a side is one file at one rate",
					   side->name, rate, in.rate[i]);
				goto out;
			}
			lengths[i] = in.length[i];
			if (k > 0 && a->tracks[i].xfade.is_set &&
			    side->tracks[k - 1] + 1 != i)
				pm_warning("side %s: '%s' crossfades with a track not before it on this side; it starts without the crossfade",
					   side->name, a->tracks[i].id);
		}
		if (a->tracks[side->tracks[0]].xfade.is_set)
			pm_warning("side %s: '%s' crossfades with the track before it, which is on another side; it starts without the crossfade",
				   side->name, a->tracks[side->tracks[0]].id);
		to.rate = rate;
		to.fixed_gap = true;
		to.gap = v->gap;
		if (pm_timeline_build(a, side->tracks, side->ntracks, lengths, 0,
				      &to, &tl, err) < 0) {
			free(lengths);
			goto out;
		}
		free(lengths);
		len_s = (double)tl.length / rate;
		sev = pm_rule_severity(a, "vinyl-side-length", PM_SEV_ERROR, NULL);
		if (len_s > lim.max_s && sev == PM_SEV_ERROR) {
			pm_timeline_release(&tl);
			fmt_side_time(len_s, t1, sizeof(t1));
			fmt_side_time(lim.max_s, t2, sizeof(t2));
			pm_err_set(err, PM_ESCHEMA,
				   "side %s runs %s, more than a %u\" side at %u rpm holds (%s); move tracks or set the verify rule vinyl-side-length to warning",
				   side->name, t1, v->size_in, v->speed_rpm, t2);
			goto out;
		}
		if (len_s > lim.warn_s && sev != PM_SEV_IGNORE) {
			fmt_side_time(len_s, t1, sizeof(t1));
			pm_warning("side %s runs %s: longer than %.0f minutes costs level and bass on a %u\" %u rpm record",
				   side->name, t1, lim.warn_s / 60, v->size_in,
				   v->speed_rpm);
		}
		pm_vinyl_file_name(a, side->name, rate, t->bits, name, sizeof(name));
		fpath = pm_outdir_path(&od, name, err);
		if (!fpath) {
			pm_timeline_release(&tl);
			goto out;
		}
		spec.rate = rate;
		spec.bits = t->bits;
		sink.w = pm_audio_create(fpath, &spec, NULL, err);
		free(fpath);
		if (!sink.w || pm_feed_init(&feed, &in, &tl, 0, err) < 0 ||
		    pm_tl_render_init(&rr, &tl, pm_feed_read, &feed, err) < 0) {
			pm_feed_release(&feed);
			pm_timeline_release(&tl);
			goto out;
		}
		sink.dither16 = t->bits == 16;
		if (sink.dither16) {
			pm_dither_init(&sink.dith, PM_DITHER_TPDF, 0x7E5 + s);
			free(sink.pcm);
			sink.pcm = pm_malloc(BLOCK_FRAMES * 2 * sizeof(int16_t), err);
			if (!sink.pcm)
				goto side_fail;
		}
		for (pos = 0; pos < tl.length; pos += BLOCK_FRAMES) {
			int64_t n = PM_MIN((int64_t)BLOCK_FRAMES, tl.length - pos);

			if (pm_tl_render_next(&rr, buf, n, err) < 0 ||
			    sink_write(&sink, buf, n, err) < 0)
				goto side_fail;
		}
		if (pm_audio_finish(sink.w, err) < 0) {
			sink.w = NULL;
			goto side_fail;
		}
		sink.w = NULL;
		res->files++;
		res->length_s += len_s;
		fmt_side_time(len_s, t1, sizeof(t1));
		fprintf(sheet, "\nSide %s  %s  (%s)\n", side->name, name, t1);
		for (k = 0; k < tl.ntracks; k++) {
			const struct pm_tl_track *m = &tl.tracks[k];
			const char *title = pm_texts_get(
				&a->tracks[m->album_index].text[PM_FIELD_TITLE],
				NULL, false);

			fmt_side_time((double)m->audio / rate, t1, sizeof(t1));
			fmt_side_time((double)m->end / rate, t2, sizeof(t2));
			fprintf(sheet, "  %s%zu  %s - %s  %s\n", side->name, k + 1,
				t1, t2, title ? title : "");
		}
		pm_tl_render_release(&rr);
		pm_feed_release(&feed);
		pm_timeline_release(&tl);
		continue;
side_fail:
		pm_tl_render_release(&rr);
		pm_feed_release(&feed);
		pm_timeline_release(&tl);
		goto out;
	}
	if (fclose(sheet) != 0) {
		sheet = NULL;
		pm_err_sys(err, PM_EIO, "cannot write the timing sheet");
		goto out;
	}
	sheet = NULL;
	if (pm_outdir_commit(&od, err) < 0)
		goto out;
	ret = 0;
out:
	if (sheet)
		fclose(sheet);
	pm_audio_finish(sink.w, NULL);
	free(sink.pcm);
	pm_outdir_release(&od);
	pm_inputs_release(&in);
	free(buf);
	free(path);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Streaming                                                            */
/* ------------------------------------------------------------------ */

/* The last track of the crossfade-linked run starting at `first`. */
static size_t segment_end(const struct pm_album *a, size_t first)
{
	size_t e = first;

	while (e + 1 < a->ntracks && a->tracks[e + 1].xfade.is_set)
		e++;
	return e;
}

static int64_t gap_before(const struct pm_album *a, size_t i, uint32_t rate)
{
	if (i == 0 || i >= a->ntracks || !a->tracks[i].has_gap ||
	    a->tracks[i].xfade.is_set)
		return 0;
	return pm_time_samples(a->tracks[i].gap, rate);
}

static int open_stream_file(const struct pm_outdir *od, const char *name,
			    const struct pm_target *t, uint32_t rate,
			    const struct pm_album *a, size_t track,
			    struct sink *sink, struct pm_err *err)
{
	struct pm_audio_spec spec = { .format = t->format, .rate = rate,
				      .channels = 2, .bits = t->bits };
	struct pm_audio_meta meta = { 0 };
	char num[48], date[16], soft[32];
	char *path = pm_outdir_path(od, name, err);

	if (!path)
		return -1;
	if (track != PM_DISC) {
		snprintf(num, sizeof(num), "%zu/%zu", track + 1, a->ntracks);
		meta.title = pm_texts_get(&a->tracks[track].text[PM_FIELD_TITLE],
					  NULL, false);
		meta.artist = pm_album_cdtext(a, 0, PM_FIELD_PERFORMER, track);
		meta.tracknumber = num;
	}
	meta.album = pm_texts_get(&a->release.text[PM_FIELD_TITLE], NULL, false);
	if (a->release.release_date) {
		snprintf(date, sizeof(date), "%s", a->release.release_date);
		meta.date = date;
	}
	meta.genre = a->release.genre;
	meta.copyright = a->release.c_line;
	snprintf(soft, sizeof(soft), "premaster %s", PACKAGE_VERSION);
	meta.software = soft;
	sink->w = pm_audio_create(path, &spec, &meta, err);
	free(sink->path);
	sink->path = path;
	sink->ogg = t->format == PM_FORMAT_OGG || t->format == PM_FORMAT_OPUS;
	if (!sink->w)
		return -1;
	sink->dither16 = t->bits == 16 && (t->format == PM_FORMAT_WAV ||
					   t->format == PM_FORMAT_FLAC ||
					   t->format == PM_FORMAT_AIFF);
	if (sink->dither16) {
		pm_dither_init(&sink->dith, PM_DITHER_TPDF,
			       0xA11CE + (uint64_t)track);
		if (!sink->pcm)
			sink->pcm = pm_malloc(BLOCK_FRAMES * 2 * sizeof(int16_t), err);
		if (!sink->pcm)
			return -1;
	}
	return 0;
}

static int close_stream_file(struct sink *sink, struct pm_seq_result *res,
			     struct pm_err *err)
{
	struct pm_audio_writer *w = sink->w;

	sink->w = NULL;
	if (pm_audio_finish(w, err) < 0)
		return -1;
	/* libsndfile draws the serial at random: ours is the file's name's
	 * CRC, so the same album gives the same bytes */
	if (sink->ogg) {
		const char *base = strrchr(sink->path, '/');

		base = base ? base + 1 : sink->path;
		if (pm_ogg_set_serial(sink->path,
				      pm_crc32_update(0, base, strlen(base)),
				      err) < 0)
			return -1;
	}
	res->files++;
	return 0;
}

/* Everything one pass over a streaming profile needs. */
struct stream_pass {
	const struct pm_album *a;
	const struct pm_target *t;
	struct pm_inputs *in;
	struct pm_outdir *od;
	struct sink sink;
	float *buf;
	float gain; /* the codec-headroom trim, linear; 1 when none */
};

static int stream_write(struct stream_pass *p, const float *buf, int64_t n,
			struct pm_err *err)
{
	float *x = p->buf + (size_t)BLOCK_FRAMES * 2;
	size_t i;

	if (p->gain == 1.0f)
		return sink_write(&p->sink, buf, n, err);
	for (i = 0; i < (size_t)n * 2; i++)
		x[i] = buf[i] * p->gain;
	return sink_write(&p->sink, x, n, err);
}

/* Write every file of the profile once, at p->gain. */
static int stream_files(struct stream_pass *p, struct pm_seq_result *res,
			struct pm_err *err)
{
	const struct pm_album *a = p->a;
	const struct pm_target *t = p->t;
	const char *ext = pm_format_ext(t->format);
	char name[128], pname[128];
	float *buf = p->buf;
	size_t first, last, k;

	res->files = 0;
	res->length_s = 0;
	for (first = 0; first < a->ntracks; first = last + 1) {
		struct pm_timeline tl = { 0 };
		struct pm_tl_options to = { 0 };
		struct pm_tl_render rr = { 0 };
		struct pm_feed feed = { 0 };
		size_t which[PM_MAX_TRACKS];
		uint32_t rate = p->in->rate[first];
		int64_t pos = 0;

		last = segment_end(a, first);
		for (k = first; k <= last; k++) {
			which[k - first] = k;
			if (p->in->rate[k] != rate)
				return pm_err_set(err, PM_EFORMAT,
						  "'%s' and '%s' crossfade but are at %u and %u Hz",
						  a->tracks[first].id,
						  a->tracks[k].id, rate,
						  p->in->rate[k]);
		}
		to.rate = rate;
		if (pm_timeline_build(a, which, last - first + 1, p->in->length,
				      0, &to, &tl, err) < 0)
			return -1;
		if (pm_feed_init(&feed, p->in, &tl, 0, err) < 0 ||
		    pm_tl_render_init(&rr, &tl, pm_feed_read, &feed, err) < 0)
			goto seg_fail;
		for (k = first; k <= last; k++) {
			int64_t end = k == last ? tl.length : tl.tracks[k - first + 1].id;
			int64_t g;

			pm_track_file_name(a, k, ext, name, sizeof(name));
			/* a pause of the split policy is a file of its own */
			g = gap_before(a, k, rate);
			if (g > 0 && t->gaps == PM_GAPS_SPLIT) {
				snprintf(pname, sizeof(pname), "%02zu-pause.%s", k + 1, ext);
				if (open_stream_file(p->od, pname, t, rate, a,
						     PM_DISC, &p->sink, err) < 0 ||
				    sink_silence(&p->sink, buf, g, err) < 0 ||
				    close_stream_file(&p->sink, res, err) < 0)
					goto seg_fail;
			}
			if (open_stream_file(p->od, name, t, rate, a, k, &p->sink,
					     err) < 0)
				goto seg_fail;
			if (g > 0 && t->gaps == PM_GAPS_PREPEND &&
			    sink_silence(&p->sink, buf, g, err) < 0)
				goto seg_fail;
			while (pos < end) {
				int64_t n = PM_MIN((int64_t)BLOCK_FRAMES, end - pos);

				if (pm_tl_render_next(&rr, buf, n, err) < 0 ||
				    stream_write(p, buf, n, err) < 0)
					goto seg_fail;
				pos += n;
			}
			g = gap_before(a, k + 1, rate);
			if (k == last && g > 0 && t->gaps == PM_GAPS_APPEND &&
			    sink_silence(&p->sink, buf, g, err) < 0)
				goto seg_fail;
			if (close_stream_file(&p->sink, res, err) < 0)
				goto seg_fail;
		}
		res->length_s += (double)tl.length / rate;
		pm_tl_render_release(&rr);
		pm_feed_release(&feed);
		pm_timeline_release(&tl);
		continue;
seg_fail:
		pm_tl_render_release(&rr);
		pm_feed_release(&feed);
		pm_timeline_release(&tl);
		return -1;
	}
	return 0;
}

/* The highest true peak of the profile's track files as a player decodes
 * them, measured as verify measures them. */
static int stream_decoded_peak(struct stream_pass *p, double *dbtp,
			       struct pm_err *err)
{
	const char *ext = pm_format_ext(p->t->format);
	char name[128];
	size_t k;

	*dbtp = -HUGE_VAL;
	for (k = 0; k < p->a->ntracks; k++) {
		struct pm_audio_info info;
		struct pm_audio_reader *r;
		struct pm_truepeak *tp = NULL;
		char *path;
		int64_t got = 0;

		pm_track_file_name(p->a, k, ext, name, sizeof(name));
		path = pm_outdir_path(p->od, name, err);
		if (!path)
			return -1;
		r = pm_audio_open(path, &info, err);
		free(path);
		if (!r)
			return -1;
		if (info.channels == 2)
			tp = pm_truepeak_new(2, info.rate, 4, 0, err);
		else
			pm_err_set(err, PM_EFORMAT, "'%s' decodes to %u channels",
				   name, info.channels);
		if (tp)
			while ((got = pm_audio_read(r, p->buf, BLOCK_FRAMES,
						    err)) > 0)
				pm_truepeak_process(tp, p->buf, (size_t)got, NULL);
		pm_audio_close(r);
		if (!tp || got < 0) {
			pm_truepeak_free(tp);
			return -1;
		}
		pm_truepeak_flush(tp, NULL);
		if (pm_truepeak_max_dbtp(tp) > *dbtp)
			*dbtp = pm_truepeak_max_dbtp(tp);
		pm_truepeak_free(tp);
	}
	return 0;
}

static bool is_lossy(enum pm_format f)
{
	return f == PM_FORMAT_OGG || f == PM_FORMAT_OPUS || f == PM_FORMAT_MP3;
}

/* A lossy encoder's overshoot is trimmed in this many passes at most. */
#define CODEC_PASSES 4
/* Aim this far under the ceiling: the encoder is not quite linear. */
#define CODEC_MARGIN_DB 0.05

int pm_sequence_stream(const struct pm_album *a, const struct pm_target *t,
		       const struct pm_seq_options *o,
		       struct pm_seq_result *res, struct pm_err *err)
{
	struct pm_inputs in = { 0 };
	struct pm_outdir od = { 0 };
	struct stream_pass p = { .a = a, .t = t, .in = &in, .od = &od,
				 .gain = 1.0f };
	char masters[4096], dir[128];
	double ceiling = pm_target_ceiling(t), peak, trim_db = 0;
	int pass, ret = -1;

	snprintf(masters, sizeof(masters), "%s/%s", o->outdir, PM_DIR_MASTERS);
	if (pm_inputs_find(&in, a, t, o->masters_dir ? o->masters_dir : masters,
			   o->unity, err) < 0)
		return -1;
	res->from_masters = in.kind == PM_INPUT_MASTERS;
	snprintf(dir, sizeof(dir), "%s/%s", PM_DIR_STREAMING, t->name);
	/* two blocks: the timeline's, and the trimmed copy */
	p.buf = pm_malloc(BLOCK_FRAMES * 4 * sizeof(float), err);
	if (!p.buf || pm_outdir_begin(&od, o->outdir, dir, o->force, err) < 0)
		goto out;
	/*
	 * Lossy encoders overshoot: a master at the ceiling decodes above it
	 * (0.4 to 2 dB at low bit rates).  Decode what was written, and if
	 * it peaks over the ceiling, write the whole profile again a little
	 * quieter: one trim for every track keeps the album's balance.
	 */
	for (pass = 1;; pass++) {
		if (stream_files(&p, res, err) < 0)
			goto out;
		if (!is_lossy(t->format))
			break;
		if (stream_decoded_peak(&p, &peak, err) < 0)
			goto out;
		res->decoded_tp_dbtp = peak;
		if (peak <= ceiling || pass == CODEC_PASSES)
			break;
		trim_db += ceiling - peak - CODEC_MARGIN_DB;
		p.gain = (float)pm_db_to_gain(trim_db);
		pm_note("%s: the encoded files peak at %.2f dBTP, over the %.2f dBTP ceiling; writing them again %.2f dB quieter",
			    t->name, peak, ceiling, -trim_db);
	}
	res->lossy = is_lossy(t->format);
	res->codec_trim_db = trim_db;
	if (res->lossy && res->decoded_tp_dbtp > ceiling)
		pm_warning("%s: the encoded files still peak at %.2f dBTP after %d passes, over the %.2f dBTP ceiling",
			       t->name, res->decoded_tp_dbtp, CODEC_PASSES,
			       ceiling);
	if (pm_outdir_commit(&od, err) < 0)
		goto out;
	ret = 0;
out:
	pm_audio_finish(p.sink.w, NULL);
	free(p.sink.pcm);
	free(p.sink.path);
	pm_outdir_release(&od);
	pm_inputs_release(&in);
	free(p.buf);
	return ret;
}
