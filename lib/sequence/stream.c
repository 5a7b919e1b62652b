/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * stream.c: streaming: the per-track files of each profile, lossless and
 * lossy.
 */
#include <config.h>

#include "sequence/sequence-impl.h"

#include "util/banned.h"

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
	sink->rate = rate;
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
		return seq_sink_write(&p->sink, buf, n, err);
	for (i = 0; i < (size_t)n * 2; i++)
		x[i] = buf[i] * p->gain;
	return seq_sink_write(&p->sink, x, n, err);
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
				    seq_sink_silence(&p->sink, buf, g, err) < 0 ||
				    close_stream_file(&p->sink, res, err) < 0)
					goto seg_fail;
			}
			if (open_stream_file(p->od, name, t, rate, a, k, &p->sink,
					     err) < 0)
				goto seg_fail;
			if (g > 0 && t->gaps == PM_GAPS_PREPEND &&
			    seq_sink_silence(&p->sink, buf, g, err) < 0)
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
			    seq_sink_silence(&p->sink, buf, g, err) < 0)
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
