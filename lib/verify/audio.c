/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio.c: the sources and the masters, decoded once each: samples that
 * are not numbers, sources shorter than their headers say, masters over
 * their ceilings, and the figures and curves the report draws.
 */
#include <config.h>

#include "verify/verify-impl.h"

#include <stdio.h>

#include "dsp/bs1770.h"
#include "dsp/fft.h"
#include "master/defects.h"

#include "util/banned.h"

#define BLOCK 8192

/* ------------------------------------------------------------------ */
/* What a header claims                                                 */
/* ------------------------------------------------------------------ */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * The frames a WAV or AIFF header says its data chunk holds, from the
 * chunk's size and the frame size: libsndfile quietly reads what is
 * there, so a file cut short in transfer would pass unseen.  -1 when the
 * file is of another kind (FLAC says its length in STREAMINFO, which the
 * decoder checks itself) or the header is not one we walk.
 */
int64_t verify_header_frames(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t h[12], c[8], fmt[16];
	unsigned block = 0;
	int64_t ret = -1;
	bool aiff;

	if (!fp)
		return -1;
	if (fread(h, 1, 12, fp) != 12)
		goto out;
	aiff = memcmp(h, "FORM", 4) == 0 &&
	       (memcmp(h + 8, "AIFF", 4) == 0 || memcmp(h + 8, "AIFC", 4) == 0);
	if (!aiff && (memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0))
		goto out;
	while (fread(c, 1, 8, fp) == 8) {
		uint32_t size = aiff ? be32(c + 4) : le32(c + 4);
		long skip = (long)size + (long)(size & 1);

		if (!aiff && memcmp(c, "fmt ", 4) == 0 && size >= 16) {
			if (fread(fmt, 1, 16, fp) != 16)
				goto out;
			block = (unsigned)fmt[12] | (unsigned)fmt[13] << 8;
			skip -= 16;
		} else if (aiff && memcmp(c, "COMM", 4) == 0 && size >= 8) {
			if (fread(fmt, 1, 8, fp) != 8)
				goto out;
			block = ((unsigned)fmt[0] << 8 | fmt[1]) *
				(((unsigned)fmt[6] << 8 | fmt[7]) + 7) / 8;
			skip -= 8;
		} else if (!aiff && memcmp(c, "data", 4) == 0) {
			if (block && size != 0xFFFFFFFFu)
				ret = (int64_t)size / block;
			goto out;
		} else if (aiff && memcmp(c, "SSND", 4) == 0) {
			if (block && size >= 8)
				ret = (int64_t)(size - 8) / block;
			goto out;
		}
		if (fseek(fp, skip, SEEK_CUR) != 0)
			goto out;
	}
out:
	fclose(fp);
	return ret;
}

/* ------------------------------------------------------------------ */
/* One pass over a file                                                 */
/* ------------------------------------------------------------------ */

/* Long-term spectrum by octave bands, from a block every 4 seconds. */
struct bands {
	struct pm_fft *fft;
	size_t n, every;
	double *win, *in, *pow;
	float *hold; /* the block being gathered (mid channel) */
	size_t fill;
	int64_t next; /* frame where the next block starts */
	uint32_t rate;
	double sum[PM_VERIFY_BANDS];
	unsigned blocks;
};

static const double band_hz[PM_VERIFY_BANDS] = { 31.5, 63,   125,  250,
						  500,  1000, 2000, 4000,
						  8000, 16000 };

static int bands_init(struct bands *b, uint32_t rate, struct pm_err *err)
{
	memset(b, 0, sizeof(*b));
	b->rate = rate;
	b->n = rate > 64000 ? 16384 : 8192;
	b->every = (size_t)rate * 4;
	b->fft = pm_fft_new(b->n, err);
	b->win = pm_malloc(b->n * sizeof(double), err);
	b->in = pm_malloc(b->n * sizeof(double), err);
	b->pow = pm_malloc((b->n / 2 + 1) * sizeof(double), err);
	b->hold = pm_malloc(b->n * sizeof(float), err);
	if (!b->fft || !b->win || !b->in || !b->pow || !b->hold)
		return -1;
	for (size_t i = 0; i < b->n; i++)
		b->win[i] = 0.5 - 0.5 * cos(2 * M_PI * (double)i / (double)b->n);
	return 0;
}

static void bands_block(struct bands *b)
{
	double bin_hz = (double)b->rate / (double)b->n;

	for (size_t i = 0; i < b->n; i++)
		b->in[i] = b->hold[i] * b->win[i];
	pm_fft_power(b->fft, b->in, b->pow);
	for (size_t k = 0; k < PM_VERIFY_BANDS; k++) {
		double lo = band_hz[k] / M_SQRT2, hi = band_hz[k] * M_SQRT2;
		size_t i0 = (size_t)ceil(lo / bin_hz), i1 = (size_t)(hi / bin_hz);

		for (size_t i = i0 ? i0 : 1; i <= i1 && i <= b->n / 2; i++)
			b->sum[k] += b->pow[i];
	}
	b->blocks++;
}

/* Only one block in every `every` frames is taken: the rest is skipped
 * whole, not looked at frame by frame. */
static void bands_add(struct bands *b, const float *x, size_t n, int64_t pos)
{
	size_t i = 0;

	while (i < n) {
		int64_t t = pos + (int64_t)i;
		size_t m;

		if (t < b->next) {
			i += (size_t)PM_MIN(b->next - t, (int64_t)(n - i));
			continue;
		}
		m = PM_MIN(n - i, b->n - b->fill);
		for (size_t j = 0; j < m; j++)
			b->hold[b->fill + j] =
				0.5f * (x[2 * (i + j)] + x[2 * (i + j) + 1]);
		b->fill += m;
		i += m;
		if (b->fill == b->n) {
			bands_block(b);
			b->fill = 0;
			b->next = pos + (int64_t)i + (int64_t)b->every;
		}
	}
}

static void bands_result(struct bands *b, double *out)
{
	/* levels relative to a full-scale sine's bin power, so that the
	 * master's and the source's compare whatever their rates */
	double ref = (double)b->n * (double)b->n / 16.0 * 0.375;

	for (size_t k = 0; k < PM_VERIFY_BANDS; k++)
		out[k] = b->blocks && b->sum[k] > 0
				 ? 10 * log10(b->sum[k] / b->blocks / ref)
				 : -HUGE_VAL;
}

static void bands_free(struct bands *b)
{
	pm_fft_free(b->fft);
	free(b->win);
	free(b->in);
	free(b->pow);
	free(b->hold);
}

/* The largest magnitude, in a form the compiler vectorises. */
static float peak_of(const float *x, size_t n, float peak)
{
	float m[8] = { 0 };
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
		for (int k = 0; k < 8; k++) {
			float a = fabsf(x[i + (size_t)k]);

			m[k] = a > m[k] ? a : m[k];
		}
	for (; i < n; i++)
		peak = fabsf(x[i]) > peak ? fabsf(x[i]) : peak;
	for (int k = 0; k < 8; k++)
		peak = m[k] > peak ? m[k] : peak;
	return peak;
}

/* Whether any of x[0..n) is NaN or infinite: all exponent bits set,
 * looked for in a loop the compiler vectorises. */
static bool any_nonfinite(const float *x, size_t n)
{
	uint32_t all = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t u;

		memcpy(&u, &x[i], sizeof(u));
		all |= (u & 0x7f800000u) == 0x7f800000u;
	}
	return all != 0;
}

/* What a pass over one file found. */
struct scan {
	int64_t frames, claimed, nonfinite, first_nonfinite;
	double seconds, lufs, range_lu, true_peak_dbtp, peak_dbfs;
	double band_db[PM_VERIFY_BANDS];
	size_t nst;
	float *st;
	uint32_t rate;
	bool is_float;
	bool lossy; /* claimed is a last granule position */
};

/*
 * A scan's figures into a source's (struct pm_vtrack) or a master's
 * (struct pm_vmaster) fields, which are named alike; the curve moves.
 */
#define KEEP_FIGURES(dst, s)                                                   \
	do {                                                                   \
		(dst)->seconds = (s)->seconds;                                 \
		(dst)->lufs = (s)->lufs;                                       \
		(dst)->range_lu = (s)->range_lu;                               \
		(dst)->true_peak_dbtp = (s)->true_peak_dbtp;                   \
		(dst)->peak_dbfs = (s)->peak_dbfs;                             \
		memcpy((dst)->band_db, (s)->band_db, sizeof((dst)->band_db));  \
		(dst)->st = (s)->st;                                           \
		(dst)->nst = (s)->nst;                                         \
	} while (0)

/* Short-term loudness every 100 ms from the meter's 100 ms energies. */
static float *shortterm(const struct pm_bs1770 *k, size_t *n)
{
	size_t ne, i;
	const double *e = pm_bs1770_blocks(k, &ne);
	float *st = malloc((ne ? ne : 1) * sizeof(*st));
	double acc = 0;

	*n = 0;
	if (!st)
		return NULL;
	for (i = 0; i < ne; i++) {
		size_t w = i < 30 ? i + 1 : 30;

		acc += e[i];
		if (i >= 30)
			acc -= e[i - 30];
		st[i] = acc > 1e-20 ? (float)(-0.691 + 10 * log10(acc / (double)w))
				    : -200.0f;
	}
	*n = ne;
	return st;
}

/*
 * Decode `path` from frame `from` for `count` frames (-1: to the end):
 * loudness, true peak, sample peak, band levels, the short-term curve,
 * samples that are not numbers (made zero for the meters).
 */
static int scan_file(const char *path, int64_t from, int64_t count,
		     struct scan *s, struct pm_defects **det, bool master,
		     bool hum, const struct pm_album *album, struct pm_err *err)
{
	struct pm_audio_info info;
	struct pm_audio_reader *r = pm_audio_open(path, &info, err);
	struct pm_bs1770 *k = NULL;
	struct pm_truepeak *tp = NULL;
	struct bands b = { 0 };
	float *buf = NULL, *mono = NULL;
	int64_t got, pos = 0;
	float peak = 0;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	s->first_nonfinite = -1;
	if (!r)
		return -1;
	/* they are counted below, not refused by the reader */
	pm_audio_set_nonfinite(r, PM_NONFINITE_KEEP);
	if (info.channels > 2) {
		pm_err_set(err, PM_EFORMAT, "'%s' has %u channels", path,
			   info.channels);
		goto out;
	}
	s->rate = info.rate;
	s->is_float = info.is_float;
	s->lossy = info.is_lossy;
	s->claimed = verify_header_frames(path);
	if (s->claimed < 0)
		s->claimed = info.length_samples;
	buf = pm_malloc(BLOCK * 2 * sizeof(float), err);
	mono = pm_malloc(BLOCK * sizeof(float), err);
	k = pm_bs1770_new(2, info.rate, err);
	tp = pm_truepeak_new(2, info.rate, 4, 0, err);
	if (!buf || !mono || !k || !tp || bands_init(&b, info.rate, err) < 0)
		goto out;
	if (det) {
		struct pm_defects_config dc;

		pm_defects_config_album(album, &dc);
		/*
		 * A master's hum is its source's, which is reported: it is
		 * searched for only where it may have come through (`hum`).
		 */
		dc.no_hum = master && !hum;
		*det = pm_defects_new(info.rate, &dc, err);
		if (!*det)
			goto out;
	}
	while ((got = pm_audio_read(r, info.channels == 1 ? mono : buf, BLOCK,
				    err)) > 0) {
		size_t n = (size_t)got, i, a = 0, e = n;

		pm_progress_add((double)n / info.rate);
		if (info.channels == 1)
			for (i = 0; i < n; i++)
				buf[2 * i] = buf[2 * i + 1] = mono[i];
		/* only float files can hold what is not a number */
		for (i = info.is_float && any_nonfinite(buf, 2 * n) ? 0 : 2 * n;
		     i < 2 * n; i++)
			if (!isfinite(buf[i])) {
				if (s->first_nonfinite < 0)
					s->first_nonfinite = pos + (int64_t)i / 2;
				s->nonfinite++;
				buf[i] = 0;
			}
		peak = peak_of(buf, 2 * n, peak);
		/* only [from, from + count) is the track's */
		if (pos < from)
			a = (size_t)PM_MIN((int64_t)n, from - pos);
		if (count >= 0 && pos + (int64_t)n > from + count)
			e = (size_t)PM_MAX(from + count - pos, (int64_t)a);
		if (e > a) {
			if (pm_bs1770_add(k, buf + 2 * a, e - a, err) < 0)
				goto out;
			pm_truepeak_process(tp, buf + 2 * a, e - a, NULL);
			bands_add(&b, buf + 2 * a, e - a, pos + (int64_t)a - from);
			if (det && pm_defects_add(*det, buf + 2 * a, e - a) < 0) {
				pm_err_set(err, PM_ENOMEM, "out of memory");
				goto out;
			}
		}
		pos += (int64_t)n;
	}
	if (got < 0)
		goto out;
	pm_truepeak_flush(tp, NULL);
	s->frames = pos;
	s->seconds = (double)(count >= 0 ? PM_MIN(count, pos - from) : pos - from) /
		     info.rate;
	s->lufs = pm_bs1770_integrated(k);
	s->range_lu = pm_bs1770_range(k);
	s->true_peak_dbtp = pm_truepeak_max_dbtp(tp);
	s->peak_dbfs = peak > 0 ? 20 * log10(peak) : -HUGE_VAL;
	bands_result(&b, s->band_db);
	s->st = shortterm(k, &s->nst);
	ret = s->st ? 0 : pm_err_set(err, PM_ENOMEM, "out of memory");
out:
	bands_free(&b);
	pm_bs1770_free(k);
	pm_truepeak_free(tp);
	pm_audio_close(r);
	free(buf);
	free(mono);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Sources                                                              */
/* ------------------------------------------------------------------ */

/* A source with fewer frames than its header or last granule claims. */
static void source_short(struct pm_verify *v, const struct pm_source *src,
			 unsigned track, const struct scan *s, int64_t from)
{
	/* a lossy stream's last granule often claims a little too much */
	bool granule = s->lossy && s->frames == src->info.length_samples;
	char why[256];

	if (granule)
		snprintf(why, sizeof(why),
			 "its last granule position claims %lld frames, it decodes to %lld; the decoded audio is used",
			 (long long)s->claimed, (long long)s->frames);
	else
		snprintf(why, sizeof(why),
			 "the file ends after %lld of the %lld frames its header claims (%.3f s of %.3f s)%s",
			 (long long)s->frames, (long long)s->claimed,
			 (double)s->frames / s->rate,
			 (double)s->claimed / s->rate,
			 src->accept_truncated
				 ? " (used as it is: truncated=\"accept\")"
				 : "");
	verify_finding_at(v, "source-truncated",
			  granule || src->accept_truncated ? PM_SEV_WARNING
							   : PM_SEV_ERROR,
			  "source", src->file, track,
			  (double)(s->frames - from) / s->rate, "%s", why);
}

void verify_sources(struct pm_verify *v)
{
	const struct pm_album *a = v->album;

	for (size_t i = 0; i < a->ntracks; i++) {
		const struct pm_source *src = &a->tracks[i].source;
		struct pm_vtrack *t = &v->tracks[i];
		struct pm_err err = { 0 };
		uint32_t rate = src->info.rate;
		int64_t from = rate ? pm_time_samples(src->in, rate) : 0;
		struct scan s;

		struct pm_defects *det = NULL;
		struct pm_defects_summary ds;

		v->checks++;
		if (scan_file(src->path, from, pm_source_length(src), &s, &det,
			      false, true, a, &err) < 0) {
			pm_defects_free(det);
			verify_finding_at(v, "consistency", PM_SEV_ERROR, "source",
				   src->file, (unsigned)i + 1, NAN, "%s", err.msg);
			continue;
		}
		/*
		 * What album.xml accepts (non-finite="zero", truncated=
		 * "accept", a lossy stream whose last granule claims a little
		 * too much) the album checks let through with a warning, and
		 * so does the report.
		 */
		if (s.nonfinite)
			verify_finding_at(v, "audio-nan",
				   src->nonfinite_zero ? PM_SEV_WARNING
						       : PM_SEV_ERROR,
				   "source", src->file, (unsigned)i + 1,
				   (double)(s.first_nonfinite - from) / s.rate,
				   "%lld samples are not numbers (NaN or infinite); the first at %.3f s of the file%s",
				   (long long)s.nonfinite,
				   (double)s.first_nonfinite / s.rate,
				   src->nonfinite_zero
					   ? " (made silence: non-finite=\"zero\")"
					   : "");
		if (s.frames < s.claimed)
			source_short(v, src, (unsigned)i + 1, &s, from);
		t->source_read = true;
		KEEP_FIGURES(t, &s);
		if (pm_defects_finish(det, &ds) == 0) {
			t->source_hum_hz = ds.hum_hz;
			t->source_hum_db = ds.hum_db;
			pm_defects_file(&v->findings, a, det, &ds, s.rate, "source",
					src->file, (unsigned)i + 1);
			pm_defects_dynamics(&v->findings, a, "source", src->file,
					    (unsigned)i + 1, s.true_peak_dbtp,
					    s.lufs, s.range_lu, s.seconds);
		}
		pm_defects_free(det);
	}
}

/* ------------------------------------------------------------------ */
/* Masters                                                              */
/* ------------------------------------------------------------------ */

#define HOT_TOLERANCE_LU 0.1

void verify_masters(struct pm_verify *v)
{
	const struct pm_album *a = v->album;
	char dir[4096], path[4096 + 256], rel[512], name[160];

	for (size_t t = 0; t < v->ntargets; t++) {
		const struct pm_target *tg = &v->targets[t];
		double ceiling = tg->ceiling_dbtp, lo = 0;
		double e = 0;
		size_t n = 0;

		snprintf(dir, sizeof(dir), "%s/%s/%s", v->outdir, PM_DIR_MASTERS,
			 tg->name);
		if (!verify_is_dir(dir)) {
			verify_finding_at(v, "consistency", PM_SEV_WARNING, tg->name,
				   PM_DIR_MASTERS, 0, NAN,
				   "there are no masters for %s in %s: they are not checked",
				   tg->name, PM_DIR_MASTERS);
			continue;
		}
		for (size_t i = 0; i < a->ntracks; i++) {
			struct pm_vmaster *m = &v->tracks[i].masters[t];
			struct pm_err err = { 0 };
			struct scan s;
			struct pm_defects *det = NULL;
			struct pm_defects_summary ds;
			int hum_fix = 0;
			bool noise_fix;
			double noise_db;

			pm_track_file_name(a, i, "wav", name, sizeof(name));
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			snprintf(rel, sizeof(rel), "%s/%s/%s", PM_DIR_MASTERS,
				 tg->name, name);
			/*
			 * Hum is searched for in the masters of a track whose
			 * source has it (did it come through?) or whose hum
			 * album.xml asks to remove (is any left?).
			 */
			pm_repair_restore_wanted(a, i, NULL, &hum_fix, &noise_fix,
						 &noise_db);
			v->checks++;
			if (scan_file(path, 0, -1, &s, &det, true,
				      hum_fix != 0 || v->tracks[i].source_hum_hz > 0,
				      a, &err) < 0) {
				pm_defects_free(det);
				verify_finding_at(v, "consistency", PM_SEV_ERROR,
					   tg->name, rel, (unsigned)i + 1, NAN,
					   "%s", err.msg);
				continue;
			}
			if (s.nonfinite)
				verify_finding_at(v, "audio-nan", PM_SEV_ERROR, tg->name,
					   rel, (unsigned)i + 1,
					   (double)s.first_nonfinite / s.rate,
					   "%lld samples of the master are not numbers (NaN or infinite)",
					   (long long)s.nonfinite);
			if (s.frames < s.claimed)
				verify_finding_at(v, "source-truncated", PM_SEV_ERROR,
					   tg->name, rel, (unsigned)i + 1,
					   (double)s.frames / s.rate,
					   "the master ends after %lld of the %lld frames its header claims",
					   (long long)s.frames, (long long)s.claimed);
			m->present = true;
			KEEP_FIGURES(m, &s);
			/* clicks, clipping and edges that came through or
			 * were added; the sources' other figures are theirs */
			if (pm_defects_finish(det, &ds) == 0) {
				/*
				 * Where <repair hum> took the source's hum down by
				 * 20 dB or more (the master's gain aside), what
				 * stands at its frequencies is the music's own (a
				 * kick's line) or too little to matter: the repair
				 * did what it promises.
				 */
				double g = v->tracks[i].source_read &&
						   isfinite(m->lufs - v->tracks[i].lufs)
						   ? m->lufs - v->tracks[i].lufs
						   : 0;

				if (hum_fix && ds.hum_hz > 0 &&
				    v->tracks[i].source_hum_hz > 0 &&
				    ds.hum_db - g <= v->tracks[i].source_hum_db - 20)
					ds.hum_hz = 0;
				ds.noise_floor_db = NAN;
				ds.dc[0] = ds.dc[1] = 0;
				ds.correlation = 1;
				pm_defects_file_master(
					&v->findings, a, det, &ds, s.rate, tg->name,
					rel, (unsigned)i + 1,
					v->tracks[i].source_read
						? m->lufs - v->tracks[i].lufs
						: 0);
			}
			pm_defects_free(det);
			if (isfinite(s.lufs)) {
				e += pow(10, s.lufs / 10) * s.seconds;
				lo += s.seconds;
				n++;
			}
		}
		/* the album's level decides Spotify's lower ceiling, as in
		 * verify_levels() */
		if (tg->has_hot && n && lo > 0 &&
		    10 * log10(e / lo) > tg->hot_above_lufs + HOT_TOLERANCE_LU)
			ceiling = tg->hot_ceiling_dbtp;
		for (size_t i = 0; i < a->ntracks; i++) {
			const struct pm_vmaster *m = &v->tracks[i].masters[t];

			if (!m->present)
				continue;
			pm_track_file_name(a, i, "wav", name, sizeof(name));
			snprintf(rel, sizeof(rel), "%s/%s/%s", PM_DIR_MASTERS,
				 tg->name, name);
			if (m->true_peak_dbtp > ceiling)
				verify_finding_at(v, "master-ceiling", PM_SEV_ERROR,
					   tg->name, rel, (unsigned)i + 1, NAN,
					   "the master's true peak %.3f dBTP is over the %.2f dBTP ceiling of %s",
					   m->true_peak_dbtp, ceiling, tg->name);
		}
	}
}
