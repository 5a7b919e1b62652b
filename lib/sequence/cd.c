/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cd.c: the CD: the timeline laid out to the frame, the image, CUE, TOC, PQ
 * sheet and track files.
 */
#include <config.h>

#include "sequence/sequence-impl.h"

#include "cd/cdtext.h"

#include "util/banned.h"

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
};

/* The CUE's CDTEXTFILE: the very packs the DDP's CDTEXT.BIN holds. */
static int put_cdt(FILE *fp, const void *ctx, struct pm_err *err)
{
	const struct cd_text_ctx *c = ctx;

	if (fwrite(c->t->packs, 1, c->t->packs_len, fp) != c->t->packs_len)
		return pm_err_sys(err, PM_EIO, "cannot write the CD-TEXT file");
	return 0;
}

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

/* Crossfades and segues, one line per track that has one. */
static size_t transitions(const struct pm_album *a, char (*line)[200],
			  const char **lines)
{
	size_t i, n = 0;

	for (i = 1; i < a->ntracks && i < PM_MAX_TRACKS; i++) {
		const struct pm_track *t = &a->tracks[i];

		if (t->xfade.is_set) {
			double len = pm_time_seconds(t->xfade.length);
			double at = t->xfade.has_id_at ? pm_time_seconds(t->xfade.id_at)
						       : len / 2;

			snprintf(line[n], 200,
				 "Track %zu: crossfades from track %zu over %.2f s (%s); its ID is %.2f s into the overlap",
				 i + 1, i, len, pm_shape_names[t->xfade.shape], at);
		} else if (!t->has_gap || pm_time_samples(t->gap, PM_CD_RATE) == 0) {
			snprintf(line[n], 200,
				 "Track %zu: segue from track %zu with no pause; its ID is on the frame at or before the join",
				 i + 1, i);
		} else {
			continue;
		}
		lines[n] = line[n];
		n++;
	}
	return n;
}

/*
 * The CD-TEXT as the disc will carry it: encoded as for CDTEXT.BIN, then
 * decoded back, so the sheet shows the transliterations and every block.
 */
static int disc_text(const struct pm_album *a, struct pm_sheet_text *t,
		     struct pm_err *err)
{
	struct pm_cdtext_text cd = { 0 };
	uint8_t *packs = NULL;
	size_t len = 0;
	int ret;

	memset(t, 0, sizeof(*t));
	if (pm_cdtext_from_album(a, &packs, &len, err) < 0)
		return -1;
	if (!packs)
		return 0;
	ret = pm_cdio_cdtext_decode(packs, len, &cd, err);
	free(packs);
	if (ret == 0)
		ret = pm_sheet_text_from_cdtext(&cd, t, err);
	pm_cdio_cdtext_release(&cd);
	return ret;
}

static int pq_file(const char *dir, const char *name, bool html,
		   const struct pm_disc *d, const struct pm_sheet_text *t,
		   const struct pm_pq_info *info, struct pm_err *err)
{
	struct pm_file f = { 0 };
	char path[4352];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (pm_file_open(&f, path, true, err) < 0)
		return -1;
	if (pm_pqsheet_write(f.fp, d, t, info, html, err) < 0) {
		pm_file_abort(&f);
		return -1;
	}
	return pm_file_commit(&f, err);
}

int pm_cd_pq_sheets(const struct pm_album *a, const struct pm_timeline *tl,
		    const struct pm_inputs *in, const char *dir,
		    const char *ddp_image_md5, const struct pm_pq_file *files,
		    size_t nfiles, struct pm_err *err)
{
	char line[PM_MAX_TRACKS][200];
	const char *lines[PM_MAX_TRACKS];
	struct pm_sheet_text text;
	struct pm_pq_info info = { 0 };
	char date[16], version[32], htoa[160];
	int ret;

	if (disc_text(a, &text, err) < 0)
		return -1;
	pm_sheet_date(date, sizeof(date));
	snprintf(version, sizeof(version), "premaster %s", PACKAGE_VERSION);
	info.artist = pm_texts_get(&a->release.text[PM_FIELD_PERFORMER], NULL,
				   false);
	info.title = pm_texts_get(&a->release.text[PM_FIELD_TITLE], NULL, false);
	/* as on the disc, when it has CD-TEXT */
	if (text.nblocks && text.block[0].s[PM_FIELD_TITLE][0])
		info.title = text.block[0].s[PM_FIELD_TITLE][0];
	if (text.nblocks && text.block[0].s[PM_FIELD_PERFORMER][0])
		info.artist = text.block[0].s[PM_FIELD_PERFORMER][0];
	info.label = a->release.label;
	info.catalog = a->release.catalog;
	info.master_id = a->release.master_id;
	info.customer = a->release.customer;
	info.engineer = a->release.engineer;
	info.notes = a->release.notes;
	info.date = date;
	info.version = version;
	if (in->has_htoa) {
		snprintf(htoa, sizeof(htoa),
			 "%.2f s of audio in track 1's pregap from 00:02:00; the first 2 s are digital silence; many players cannot reach it",
			 (double)in->htoa_length / PM_CD_RATE);
		info.htoa = htoa;
	}
	info.ntransitions = transitions(a, line, lines);
	info.transitions = lines;
	info.want_ddp = a->cd.want_ddp;
	info.ddp_image_md5 = ddp_image_md5;
	info.ddp_files = files;
	info.nddp_files = nfiles;
	ret = pq_file(dir, PM_CD_PQ_TXT, false, &tl->disc, &text, &info, err);
	if (ret == 0)
		ret = pq_file(dir, PM_CD_PQ_HTML, true, &tl->disc, &text, &info,
			      err);
	pm_sheet_text_release(&text);
	return ret;
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
	if (pm_feed_edge_fades(tl, a, in, err) < 0) {
		pm_timeline_release(tl);
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
	struct seq_meter meter;
};

static int open_span(const struct pm_album *a, const struct pm_outdir *od,
		     struct span_out *s, struct pm_err *err)
{
	struct pm_audio_spec spec = { .format = PM_FORMAT_WAV, .rate = PM_CD_RATE,
				      .channels = 2, .bits = 16 };
	struct seq_wav_meta wm;
	char rel[128];
	char *path;

	snprintf(rel, sizeof(rel), "%s/%s", PM_CD_TRACKS, s->name);
	path = pm_outdir_path(od, rel, err);
	if (!path)
		return -1;
	/* a pause of the split policy is the album's, not a track's */
	seq_wav_meta(a, s->span.track ? s->span.track - 1 : PM_DISC, "cd",
		     PM_CD_RATE, 16, &wm);
	s->w = pm_audio_create(path, &spec, &wm.meta, err);
	free(path);
	if (!s->w)
		return -1;
	return seq_meter_init(&s->meter, PM_CD_RATE, err);
}

/* Finish a track file with the loudness its meter saw in its bext chunk
 * (the meter stays, for the image's). */
static int finish_metered(struct pm_audio_writer *w, struct seq_meter *m,
			  struct pm_bext_loudness *l, struct pm_err *err)
{
	seq_meter_result(m, l);
	pm_audio_set_loudness(w, l);
	return pm_audio_finish(w, err);
}

/*
 * The image's loudness, from its track files' meters: true peak the
 * highest of theirs, momentary and short-term the same (a window across
 * a file boundary is not counted), integrated loudness and range over
 * all their blocks as one programme.  Their files cover the image but
 * for the pauses the "none" policy leaves out, which are silence.  One
 * meter less over the whole programme: true peak is the costly part.
 */
static void image_loudness(struct span_out *spans, size_t n,
			   const struct pm_bext_loudness *each,
			   struct pm_bext_loudness *l)
{
	struct pm_bs1770 *k[2 * PM_MAX_TRACKS];
	size_t i, nk = 0;

	l->max_true_peak_dbtp = l->max_momentary_lufs = l->max_shortterm_lufs =
		-HUGE_VAL;
	for (i = 0; i < n; i++) {
		if (!spans[i].meter.k)
			continue;
		k[nk++] = spans[i].meter.k;
		l->max_true_peak_dbtp = PM_MAX(l->max_true_peak_dbtp,
					       each[i].max_true_peak_dbtp);
		l->max_momentary_lufs = PM_MAX(l->max_momentary_lufs,
					       each[i].max_momentary_lufs);
		l->max_shortterm_lufs = PM_MAX(l->max_shortterm_lufs,
					       each[i].max_shortterm_lufs);
	}
	l->integrated_lufs = nk ? pm_bs1770_global(k, nk) : -HUGE_VAL;
	l->range_lu = nk ? pm_bs1770_global_range(k, nk) : -HUGE_VAL;
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
	uint8_t *packs = NULL;
	size_t packs_len = 0;
	struct pm_span raw[2 * PM_MAX_TRACKS];
	struct pm_xfade_result xr = { 0 };
	struct pm_tl_gain *gains = NULL;
	size_t ngains = 0;
	struct pm_feed feed = { 0 };
	struct cd_text_ctx ctx = { 0 };
	struct seq_wav_meta wm;
	struct pm_bext_loudness loud[2 * PM_MAX_TRACKS], image_loud;
	size_t nspans = 0, i;
	float *buf = NULL;
	int16_t *pcm = NULL;
	char *path = NULL, *tracks_dir = NULL;
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

	if (pm_sheet_text_from_album(a, &text, err) < 0 ||
	    pm_cdtext_from_album(a, &packs, &packs_len, err) < 0)
		goto out;
	text.packs = packs;
	text.packs_len = packs_len;
	if (packs && a->cd.want_cue)
		text.cdtext_file = PM_CD_CDTEXT;
	if (pm_outdir_begin(&od, o->outdir, PM_DIR_CD, o->force, err) < 0)
		goto out;
	tracks_dir = pm_outdir_path(&od, PM_CD_TRACKS, err);
	if (!tracks_dir || pm_mkdirs(tracks_dir, err) < 0)
		goto out;
	path = pm_outdir_path(&od, PM_CD_IMAGE, err);
	if (!path)
		goto out;
	seq_wav_meta(a, PM_DISC, "cd image", PM_CD_RATE, 16, &wm);
	image = pm_audio_create(path, &spec, &wm.meta, err);
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
			if (!s->w && open_span(a, &od, s, err) < 0)
				goto out;
			if (seq_meter_add(&s->meter, buf + (a0 - pos) * 2, a1 - a0,
					  err) < 0 ||
			    pm_audio_write_s16(s->w, pcm + (a0 - pos) * 2, a1 - a0,
					       err) < 0)
				goto out;
			if (a1 == s1) {
				struct pm_audio_writer *w = s->w;

				s->w = NULL;
				if (finish_metered(w, &s->meter, &loud[i],
						   err) < 0)
					goto out;
				res->files++;
			}
		}
		pm_progress_add((double)PM_MIN((int64_t)BLOCK_FRAMES, tl.length - pos) /
				PM_CD_RATE);
	}
	image_loudness(spans, nspans, loud, &image_loud);
	pm_audio_set_loudness(image, &image_loud);
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
	if (text.cdtext_file &&
	    write_text(&od, PM_CD_CDTEXT, put_cdt, &ctx, err) < 0)
		goto out;
	if (a->cd.want_cue && write_text(&od, PM_CD_CUE, put_cue, &ctx, err) < 0)
		goto out;
	if (a->cd.want_toc && write_text(&od, PM_CD_TOC, put_toc, &ctx, err) < 0)
		goto out;
	if (a->cd.want_pq_sheet) {
		if (pm_cd_pq_sheets(a, &tl, &in, od.tmp_path, NULL, NULL, 0,
				    err) < 0)
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
	for (i = 0; i < nspans; i++) {
		seq_meter_free(&spans[i].meter);
		pm_audio_finish(spans[i].w, NULL);
	}
	pm_audio_finish(image, NULL);
	pm_outdir_release(&od);
	pm_sheet_text_release(&text);
	free(packs);
	pm_xfade_gains_free(gains, ngains);
	pm_timeline_release(&tl);
	pm_inputs_release(&in);
	free(buf);
	free(pcm);
	free(path);
	free(tracks_dir);
	return ret;
}
