/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vinyl.c: vinyl: one file per side, the timing sheet. */
#include <config.h>

#include "sequence/sequence-impl.h"

#include "util/banned.h"

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
	char masters[4096], name[160], t1[64], t2[64], what[64];
	struct seq_wav_meta wm;
	struct pm_audio_cue cues[100];
	struct pm_bext_loudness loud;
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
		if (pm_feed_edge_fades(&tl, a, &in, err) < 0) {
			pm_timeline_release(&tl);
			goto out;
		}
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
		/* a cue marker at each track's first sample: the bands a
		 * cutting engineer sees */
		snprintf(what, sizeof(what), "vinyl side %s", side->name);
		seq_wav_meta(a, PM_DISC, what, rate, t->bits, &wm);
		for (k = 0; k < tl.ntracks && k < PM_ARRAY_SIZE(cues); k++) {
			cues[k].id = (uint32_t)k + 1;
			cues[k].pos_samples = tl.tracks[k].audio;
		}
		wm.meta.cues = cues;
		wm.meta.ncues = k;
		sink.w = pm_audio_create(fpath, &spec, &wm.meta, err);
		sink.rate = spec.rate;
		free(fpath);
		if (sink.w && seq_meter_init(&sink.meter, rate, err) < 0) {
			pm_timeline_release(&tl);
			goto out;
		}
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
			    seq_sink_write(&sink, buf, n, err) < 0)
				goto side_fail;
		}
		seq_meter_result(&sink.meter, &loud);
		seq_meter_free(&sink.meter);
		pm_audio_set_loudness(sink.w, &loud);
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
	seq_meter_free(&sink.meter);
	pm_audio_finish(sink.w, NULL);
	free(sink.pcm);
	pm_outdir_release(&od);
	pm_inputs_release(&in);
	free(buf);
	free(path);
	return ret;
}
