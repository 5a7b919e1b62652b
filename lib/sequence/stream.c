/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * stream.c: streaming: the per-track files of each profile, lossless and
 * lossy.
 */
#include <config.h>

#include "sequence/sequence-impl.h"

#include <sys/stat.h>
#include <time.h>

#include "util/json.h"

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

static bool is_lossy(enum pm_format f)
{
	return f == PM_FORMAT_OGG || f == PM_FORMAT_OPUS || f == PM_FORMAT_MP3;
}

/* libsndfile draws the Ogg serial at random: ours is the file's name's
 * CRC, so the same album gives the same bytes. */
static uint32_t serial_of(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return pm_crc32_update(0, base, strlen(base));
}

static int open_stream_file(const struct pm_outdir *od, const char *name,
			    const struct pm_target *t, uint32_t rate,
			    const struct pm_album *a, size_t track,
			    struct sink *sink, struct pm_err *err)
{
	struct pm_audio_spec spec = { .format = t->format, .rate = rate,
				      .channels = 2, .bits = t->bits,
				      .enc = t->enc };
	struct seq_wav_meta wm;
	char *path = pm_outdir_path(od, name, err);

	if (!path)
		return -1;
	/*
	 * WAV: LIST/INFO and bext; the other formats get their tags when
	 * the file is complete (lib/io/tags), AIFF libsndfile's strings.
	 * A pause of the split policy is the album's, not a track's.
	 */
	seq_wav_meta(a, track, t->name, rate, t->bits, &wm);
	if (t->format != PM_FORMAT_WAV)
		wm.meta.bext = NULL;
	sink->w = pm_audio_create(path, &spec, &wm.meta, err);
	sink->rate = rate;
	free(sink->path);
	sink->path = path;
	if (!sink->w)
		return -1;
	if (t->format == PM_FORMAT_WAV &&
	    seq_meter_init(&sink->meter, rate, err) < 0)
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

static int close_stream_file(struct sink *sink, const struct pm_album *a,
			     const struct pm_target *t, size_t track,
			     struct pm_seq_result *res, struct pm_err *err)
{
	struct pm_audio_writer *w = sink->w;
	struct seq_tags tags;

	sink->w = NULL;
	if (sink->meter.k) {
		struct pm_bext_loudness l;

		seq_meter_result(&sink->meter, &l);
		pm_audio_set_loudness(w, &l);
		seq_meter_free(&sink->meter);
	}
	if (pm_audio_finish(w, err) < 0)
		return -1;
	if (track != PM_DISC) {
		seq_track_tags(a, track, &tags);
		if (pm_tags_write(sink->path, t->format, tags.v, tags.n,
				  serial_of(sink->path), err) < 0)
			return -1;
	} else if ((t->format == PM_FORMAT_OGG || t->format == PM_FORMAT_OPUS) &&
		   pm_ogg_set_serial(sink->path, serial_of(sink->path), err) < 0) {
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

/*
 * The ceiling a crossfade is held to: the profile's loud-file ceiling
 * when it has one, since the files a crossfade ends up in may be loud
 * ones (their masters' loudness is not known here).
 */
static double xfade_ceiling(const struct pm_target *t)
{
	double c = pm_target_ceiling(t);

	return t->has_hot ? PM_MIN(c, t->hot_ceiling_dbtp) : c;
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
		struct pm_tl_gain *gains = NULL;
		struct pm_xfade_result xr = { 0 };
		size_t ngains = 0;
		size_t which[PM_MAX_TRACKS];
		uint32_t rate = p->in->rate[first];
		int64_t pos = 0;

		last = segment_end(a, first);
		for (k = first; k <= last; k++) {
			which[k - first] = k;
			/* pm_target_rate gives a crossfaded run one rate */
			if (p->in->rate[k] != rate)
				return pm_err_set(err, PM_EFORMAT,
						  "'%s' and '%s' crossfade but their masters are at %u and %u Hz (run premaster master again)",
						  a->tracks[first].id,
						  a->tracks[k].id, rate,
						  p->in->rate[k]);
		}
		to.rate = rate;
		if (pm_timeline_build(a, which, last - first + 1, p->in->length,
				      0, &to, &tl, err) < 0)
			return -1;
		if (pm_feed_edge_fades(&tl, a, p->in, err) < 0) {
			pm_timeline_release(&tl);
			return -1;
		}
		/* crossfades sum two signals: their peaks are checked first,
		 * as on the CD */
		if ((last > first &&
		     pm_xfade_check(a, p->in, &tl, xfade_ceiling(t),
				    a->cd.xfade_peaks, &gains, &ngains, &xr,
				    err) < 0) ||
		    pm_feed_init(&feed, p->in, &tl, 0, err) < 0 ||
		    pm_tl_render_init(&rr, &tl, pm_feed_read, &feed, err) < 0)
			goto seg_fail;
		rr.gains = gains;
		rr.ngains = ngains;
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
				    close_stream_file(&p->sink, a, t, PM_DISC,
						      res, err) < 0)
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
			if (close_stream_file(&p->sink, a, t, k, res, err) < 0)
				goto seg_fail;
		}
		res->length_s += (double)tl.length / rate;
		pm_tl_render_release(&rr);
		pm_feed_release(&feed);
		pm_xfade_gains_free(gains, ngains);
		pm_timeline_release(&tl);
		continue;
seg_fail:
		pm_tl_render_release(&rr);
		pm_feed_release(&feed);
		pm_xfade_gains_free(gains, ngains);
		pm_timeline_release(&tl);
		return -1;
	}
	return 0;
}

/* The true peak of each track file as a player decodes it, measured as
 * verify measures them; and the highest. */
static int stream_decoded_peak(struct stream_pass *p, double *tp,
			       double *dbtp, struct pm_err *err)
{
	const char *ext = pm_format_ext(p->t->format);
	char name[128];
	size_t k;

	*dbtp = -HUGE_VAL;
	for (k = 0; k < p->a->ntracks; k++) {
		struct pm_audio_info info;
		struct pm_audio_reader *r;
		struct pm_truepeak *meter = NULL;
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
			meter = pm_truepeak_new(2, info.rate, 4, 0, err);
		else
			pm_err_set(err, PM_EFORMAT, "'%s' decodes to %u channels",
				   name, info.channels);
		if (meter) {
			pm_truepeak_set_floor(meter, 1.0);
			while ((got = pm_audio_read(r, p->buf, BLOCK_FRAMES,
						    err)) > 0)
				pm_truepeak_process(meter, p->buf, (size_t)got,
						    NULL);
		}
		pm_audio_close(r);
		if (!meter || got < 0) {
			pm_truepeak_free(meter);
			return -1;
		}
		pm_truepeak_flush(meter, NULL);
		tp[k] = pm_truepeak_max_dbtp(meter);
		if (tp[k] > *dbtp)
			*dbtp = tp[k];
		pm_truepeak_free(meter);
	}
	return 0;
}

/*
 * How far under the ceiling the second encode aims.  A codec is nearly
 * linear in level: the same audio a little quieter decodes with its
 * overshoot a little quieter too, so the first decode predicts the
 * second.  Not exactly: the highest peak of the codec's noise is a new
 * draw each encode (MP3 quantises its scale factors in 1.5 dB steps,
 * Vorbis its floor in coarse steps, every codec shapes its noise to the
 * signal).  Measured on the real album's masters and on generated music
 * (Opus 96 and 160 kb/s, Vorbis q5 and q6, MP3 192 and 320 kb/s CBR and
 * V0, trims of 0.1 to 2 dB), the second decode peaked up to 0.3 dB over
 * the linear prediction for MP3 and Opus, and up to 0.5 dB for Vorbis
 * (at 96 kHz; 0.3 dB at 44.1 kHz), more where the first encode had
 * overshot more.  So the aim is a margin of 0.1 dB and half the
 * overshoot below the ceiling, at least 0.3 dB (0.6 dB for Vorbis) and
 * at most 1 dB.
 */
static double codec_margin(enum pm_format f, double overshoot_db)
{
	double m = 0.1 + 0.5 * overshoot_db;
	double floor_db = f == PM_FORMAT_OGG ? 0.6 : 0.3;

	return PM_MIN(PM_MAX(m, floor_db), 1.0);
}

/* Per file: bit rate and decoded true peak, for the report. */
static int stream_report(struct stream_pass *p, const double *tp,
			 struct pm_seq_result *res, struct pm_err *err)
{
	const char *ext = pm_format_ext(p->t->format);
	size_t k;

	res->file = pm_calloc(p->a->ntracks, sizeof(*res->file), err);
	if (!res->file)
		return -1;
	res->nfiles = p->a->ntracks;
	for (k = 0; k < p->a->ntracks; k++) {
		struct pm_seq_file *f = &res->file[k];
		struct pm_audio_info info;
		struct stat st;
		char *path;

		pm_track_file_name(p->a, k, ext, f->name, sizeof(f->name));
		path = pm_outdir_path(p->od, f->name, err);
		if (!path)
			return -1;
		if (stat(path, &st) < 0) {
			pm_err_sys(err, PM_EIO, "cannot stat '%s'", path);
			free(path);
			return -1;
		}
		if (pm_audio_probe(path, &info, err) < 0) {
			free(path);
			return -1;
		}
		free(path);
		f->kbps = info.length_samples > 0
				  ? (double)st.st_size * 8.0 / 1000.0 /
					    ((double)info.length_samples / info.rate)
				  : 0;
		f->decoded_tp_dbtp = tp[k];
	}
	return 0;
}

/*
 * OUTDIR/report/lossy-<profile>.json: how the profile was encoded, the
 * trim it needed, and each file's bit rate and decoded true peak.
 */
static int lossy_report(const struct pm_seq_options *o,
			const struct pm_target *t, const struct pm_seq_result *res,
			struct pm_err *err)
{
	struct pm_file f = { 0 };
	struct pm_json j;
	char dir[4096], path[4352], rel[256];
	size_t k;

	snprintf(dir, sizeof(dir), "%s/%s", o->outdir, PM_DIR_REPORT);
	snprintf(path, sizeof(path), "%s/lossy-%s.json", dir, t->name);
	if (pm_mkdirs(dir, err) < 0 || pm_file_open(&f, path, true, err) < 0)
		return -1;
	pm_json_init(&j, f.fp);
	pm_json_object(&j, NULL);
	pm_json_string(&j, "profile", t->name);
	pm_json_string(&j, "format", pm_format_name(t->format));
	pm_json_object(&j, "encoder");
	if (t->format == PM_FORMAT_MP3)
		pm_json_string(&j, "mode",
			       pm_bitrate_mode_names[t->enc.mode == PM_BITRATE_DEFAULT
							     ? (t->enc.has_quality && !t->enc.has_kbps
									? PM_BITRATE_VBR
									: PM_BITRATE_CBR)
							     : t->enc.mode]);
	if (t->enc.has_kbps)
		pm_json_fixed(&j, "kbps", t->enc.kbps, 1);
	if (t->enc.has_quality)
		pm_json_fixed(&j, "quality", t->enc.quality, 2);
	pm_json_end(&j, true);
	pm_json_fixed(&j, "ceiling_dbtp", pm_target_ceiling(t), 2);
	pm_json_int(&j, "encodes", res->encodes);
	pm_json_fixed(&j, "trim_db", res->codec_trim_db, 2);
	pm_json_fixed(&j, "decoded_tp_dbtp", res->decoded_tp_dbtp, 2);
	pm_json_array(&j, "files");
	for (k = 0; k < res->nfiles; k++) {
		snprintf(rel, sizeof(rel), "%s/%.40s/%.128s", PM_DIR_STREAMING,
			 t->name, res->file[k].name);
		pm_json_object(&j, NULL);
		pm_json_string(&j, "file", rel);
		pm_json_fixed(&j, "kbps", res->file[k].kbps, 1);
		pm_json_fixed(&j, "trim_db", res->codec_trim_db, 2);
		pm_json_fixed(&j, "decoded_tp_dbtp", res->file[k].decoded_tp_dbtp, 2);
		pm_json_end(&j, true);
	}
	pm_json_end(&j, false);
	pm_json_end(&j, true);
	fputc('\n', f.fp);
	if (ferror(f.fp)) {
		pm_file_abort(&f);
		return pm_err_sys(err, PM_EIO, "cannot write '%s'", path);
	}
	return pm_file_commit(&f, err);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int pm_sequence_stream(const struct pm_album *a, const struct pm_target *t,
		       const struct pm_seq_options *o,
		       struct pm_seq_result *res, struct pm_err *err)
{
	struct pm_inputs in = { 0 };
	struct pm_outdir od = { 0 };
	struct stream_pass p = { .a = a, .t = t, .in = &in, .od = &od,
				 .gain = 1.0f };
	struct timespec t0;
	char masters[4096], dir[128];
	double ceiling = pm_target_ceiling(t), peak, first_peak = 0, aim = 0;
	double *tp = NULL;
	int ret = -1;

	snprintf(masters, sizeof(masters), "%s/%s", o->outdir, PM_DIR_MASTERS);
	if (pm_inputs_find(&in, a, t, o->masters_dir ? o->masters_dir : masters,
			   o->unity, err) < 0)
		return -1;
	res->from_masters = in.kind == PM_INPUT_MASTERS;
	snprintf(dir, sizeof(dir), "%s/%s", PM_DIR_STREAMING, t->name);
	/* two blocks: the timeline's, and the trimmed copy */
	p.buf = pm_malloc(BLOCK_FRAMES * 4 * sizeof(float), err);
	tp = pm_calloc(a->ntracks ? a->ntracks : 1, sizeof(*tp), err);
	if (!p.buf || !tp ||
	    pm_outdir_begin(&od, o->outdir, dir, o->force, err) < 0)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	res->encodes = 1;
	if (stream_files(&p, res, err) < 0)
		goto out;
	res->lossy = is_lossy(t->format);
	/*
	 * Lossy encoders overshoot: a master at the ceiling decodes above it
	 * (0.4 to 2 dB at low bit rates).  Decode what was written; if it
	 * peaks over the ceiling, write the whole profile once more, quieter
	 * by what the first decode predicts (one trim for every track keeps
	 * the album's balance).
	 */
	if (res->lossy) {
		if (stream_decoded_peak(&p, tp, &peak, err) < 0)
			goto out;
		first_peak = peak;
		if (peak > ceiling) {
			aim = ceiling - codec_margin(t->format, peak - ceiling);
			res->codec_trim_db = aim - peak;
			p.gain = (float)pm_db_to_gain(res->codec_trim_db);
			pm_note("%s: the encoded files peak at %.2f dBTP, over the %.2f dBTP ceiling; encoding them again %.2f dB quieter",
				t->name, peak, ceiling, -res->codec_trim_db);
			res->encodes = 2;
			if (stream_files(&p, res, err) < 0 ||
			    stream_decoded_peak(&p, tp, &peak, err) < 0)
				goto out;
			pm_info("%s: predicted %.2f dBTP, decoded %.2f dBTP",
				t->name, aim, peak);
		}
		res->decoded_tp_dbtp = peak;
		if (peak > ceiling)
			pm_warning("%s: the encoded files still peak at %.2f dBTP after a %.2f dB trim (first encode %.2f dBTP), over the %.2f dBTP ceiling",
				   t->name, peak, res->codec_trim_db, first_peak,
				   ceiling);
		if (stream_report(&p, tp, res, err) < 0)
			goto out;
	}
	res->encode_s = seconds_since(&t0);
	if (pm_outdir_commit(&od, err) < 0 ||
	    (res->lossy && lossy_report(o, t, res, err) < 0))
		goto out;
	ret = 0;
out:
	seq_meter_free(&p.sink.meter);
	pm_audio_finish(p.sink.w, NULL);
	free(p.sink.pcm);
	free(p.sink.path);
	pm_outdir_release(&od);
	pm_inputs_release(&in);
	free(p.buf);
	free(tp);
	return ret;
}

void pm_seq_result_release(struct pm_seq_result *res)
{
	free(res->file);
	res->file = NULL;
	res->nfiles = 0;
}
