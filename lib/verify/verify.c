/* SPDX-License-Identifier: GPL-3.0-or-later */
/* verify.c: the release gate's checks and reports (see verify.h). */
#include <config.h>

#include "verify/verify.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "album/paths.h"
#include "album/sources.h"
#include "album/targets.h"
#include "album/vinyl.h"
#include "cd/cdio.h"
#include "cd/cdtext.h"
#include "cd/ddp.h"
#include "cd/msf.h"
#include "cd/pq.h"
#include "cd/sheets.h"
#include "dsp/loudness.h"
#include "dsp/truepeak.h"
#include "io/audio.h"
#include "sequence/sequence.h"
#include "sequence/timeline.h"
#include "util/json.h"
#include "util/log.h"
#include "util/md5.h"
#include "util/outdir.h"
#include "util/xmlw.h"

#include "util/banned.h"

#define SILENCE 0.001 /* -60 dBFS: below it a sample counts as silence */

/*
 * The DDP reader and the layout log what they find; verify reports it as
 * findings instead, so their messages are held back while they run.
 */
static void quiet(enum pm_log_level level, const char *msg, void *ctx)
{
	(void)level;
	(void)msg;
	(void)ctx;
}

/* ------------------------------------------------------------------ */
/* Findings                                                             */
/* ------------------------------------------------------------------ */

static void find(struct pm_verify *v, const char *rule, enum pm_severity dflt,
		 const char *where, const char *fmt, ...) PM_PRINTF(5, 6);

static void find(struct pm_verify *v, const char *rule, enum pm_severity dflt,
		 const char *where, const char *fmt, ...)
{
	enum pm_severity sev = pm_rule_severity(v->album, rule, dflt, NULL);
	struct pm_finding *f;
	char msg[1024];
	va_list ap;

	if (sev == PM_SEV_IGNORE)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f = realloc(v->findings, (v->nfindings + 1) * sizeof(*f));
	if (!f)
		return;
	v->findings = f;
	f = &v->findings[v->nfindings++];
	f->severity = sev;
	snprintf(f->rule, sizeof(f->rule), "%s", rule);
	f->where = strdup(where);
	f->msg = strdup(msg);
	if (sev == PM_SEV_ERROR)
		v->errors++;
	else
		v->warnings++;
}

static double rule_value(const struct pm_verify *v, const char *rule,
			 double dflt)
{
	double value = dflt;

	pm_rule_severity(v->album, rule, PM_SEV_ERROR, &value);
	return value;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static struct pm_deliverable *deliverable(struct pm_verify *v, const char *name)
{
	struct pm_deliverable *d = realloc(v->deliv, (v->ndeliv + 1) * sizeof(*d));

	if (!d)
		return NULL;
	v->deliv = d;
	d = &v->deliv[v->ndeliv++];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	return d;
}

static struct pm_measured *measured(struct pm_deliverable *d, const char *name)
{
	struct pm_measured *m = realloc(d->m, (d->n + 1) * sizeof(*m));

	if (!m)
		return NULL;
	d->m = m;
	m = &d->m[d->n++];
	memset(m, 0, sizeof(*m));
	m->name = strdup(name);
	return m;
}

/* ------------------------------------------------------------------ */
/* Measuring a stream                                                   */
/* ------------------------------------------------------------------ */

struct probe {
	struct pm_meter *ebu;
	struct pm_truepeak *tp;
	uint32_t rate;
	int64_t n, first_sound, last_sound;
	unsigned run, clipped_runs;
	double sum;
};

/*
 * `with_tp` false: the true peak is measured by the caller over the whole
 * programme instead (a slice cut mid-waveform would over-read as an
 * abrupt start or stop in a detector of its own).
 */
static int probe_init(struct probe *p, uint32_t rate, bool with_tp,
		      struct pm_err *err)
{
	memset(p, 0, sizeof(*p));
	p->rate = rate;
	p->first_sound = -1;
	p->ebu = pm_meter_new(2, rate, PM_METER_LRA | PM_METER_EXACT, err);
	if (with_tp)
		p->tp = pm_truepeak_new(2, rate, 4, 0, err);
	return p->ebu && (p->tp || !with_tp) ? 0 : -1;
}

static int probe_add(struct probe *p, const float *x, size_t n,
		     struct pm_err *err)
{
	size_t i;

	if (pm_meter_add(p->ebu, x, (int64_t)n, err) < 0)
		return -1;
	if (p->tp)
		pm_truepeak_process(p->tp, x, n, NULL);
	for (i = 0; i < n; i++) {
		float a = fabsf(x[2 * i]), b = fabsf(x[2 * i + 1]);
		float m = a > b ? a : b;

		p->sum += (double)x[2 * i] + x[2 * i + 1];
		if (m >= SILENCE) {
			if (p->first_sound < 0)
				p->first_sound = p->n + (int64_t)i;
			p->last_sound = p->n + (int64_t)i;
		}
		if (m >= 32767.0f / 32768.0f) {
			if (++p->run == 3)
				p->clipped_runs++;
		} else {
			p->run = 0;
		}
	}
	p->n += (int64_t)n;
	return 0;
}

/* Finish into `m`; the libebur128 meter stays for album loudness. */
static int probe_finish(struct probe *p, struct pm_measured *m,
			struct pm_err *err)
{
	struct pm_loudness_result r;

	if (p->tp)
		pm_truepeak_flush(p->tp, NULL);
	if (pm_meter_result(p->ebu, &r, err) < 0)
		return -1;
	m->seconds = (double)p->n / p->rate;
	m->lufs = r.integrated_lufs;
	m->range_lu = r.range_lu;
	if (p->tp)
		m->true_peak_dbtp = pm_truepeak_max_dbtp(p->tp);
	m->lead_silence_s = p->first_sound < 0 ? m->seconds
					       : (double)p->first_sound / p->rate;
	m->trail_silence_s = p->first_sound < 0
				     ? m->seconds
				     : (double)(p->n - 1 - p->last_sound) / p->rate;
	m->clipped_runs = p->clipped_runs;
	m->dc_db = p->n ? 20 * log10(fabs(p->sum) / (2.0 * (double)p->n) + 1e-30)
			: -HUGE_VAL;
	pm_truepeak_free(p->tp);
	p->tp = NULL;
	return 0;
}

/* Measure a whole file; keeps its libebur128 meter in *keep. */
static int measure_file(struct pm_verify *v, const char *path,
			struct pm_measured *m, struct pm_audio_info *info,
			struct pm_meter **keep, struct pm_err *err)
{
	struct pm_audio_reader *r = pm_audio_open(path, info, err);
	struct probe p = { 0 };
	float *buf = NULL, *mono = NULL;
	int64_t got;
	size_t i;
	int ret = -1;

	(void)v;
	if (!r)
		return -1;
	if (info->channels > 2) {
		pm_err_set(err, PM_EFORMAT, "'%s' has %u channels", path,
			   info->channels);
		goto out;
	}
	buf = pm_malloc(8192 * 2 * sizeof(float), err);
	mono = pm_malloc(8192 * sizeof(float), err);
	if (!buf || !mono || probe_init(&p, info->rate, true, err) < 0)
		goto out;
	while ((got = pm_audio_read(r, info->channels == 1 ? mono : buf, 8192,
				    err)) > 0) {
		if (info->channels == 1)
			for (i = 0; i < (size_t)got; i++)
				buf[2 * i] = buf[2 * i + 1] = mono[i];
		if (probe_add(&p, buf, (size_t)got, err) < 0)
			goto out;
	}
	if (got < 0 || probe_finish(&p, m, err) < 0)
		goto out;
	*keep = p.ebu;
	p.ebu = NULL;
	ret = 0;
out:
	pm_meter_free(p.ebu);
	pm_truepeak_free(p.tp);
	pm_audio_close(r);
	free(buf);
	free(mono);
	return ret;
}

/* Silence, clipping and DC of one file, as findings. */
static void qc(struct pm_verify *v, const struct pm_measured *m)
{
	double lead = rule_value(v, "leading-silence", 10.0);
	double trail = rule_value(v, "trailing-silence", 10.0);
	double dc = rule_value(v, "dc-offset", -40.0);

	if (m->lead_silence_s > lead)
		find(v, "leading-silence", PM_SEV_WARNING, m->name,
		     "%.1f s of silence before the audio (more than %.0f s)",
		     m->lead_silence_s, lead);
	if (m->trail_silence_s > trail)
		find(v, "trailing-silence", PM_SEV_WARNING, m->name,
		     "%.1f s of silence after the audio (more than %.0f s)",
		     m->trail_silence_s, trail);
	if (m->clipped_runs)
		find(v, "clipping", PM_SEV_WARNING, m->name,
		     "%u run%s of three or more samples at full scale",
		     m->clipped_runs, m->clipped_runs == 1 ? "" : "s");
	if (m->dc_db > dc)
		find(v, "dc-offset", PM_SEV_WARNING, m->name,
		     "DC offset at %.1f dBFS (above %.0f dBFS)", m->dc_db, dc);
}

#define HOT_TOLERANCE_LU 0.1

/* Loudness against the target, true peak against the ceiling. */
static void levels(struct pm_verify *v, struct pm_deliverable *d,
		   struct pm_meter **meters, double hot_above, double hot_ceiling,
		   bool has_hot)
{
	const struct pm_loudness *ld = &v->album->mastering.loudness;
	double tol = rule_value(v, "loudness-target", 1.0);
	double spread = rule_value(v, "loudness-spread", 10.0);
	double lo = HUGE_VAL, hi = -HUGE_VAL, level;
	size_t i;

	if (d->n == 0)
		return;
	d->album_lufs = pm_meter_global(meters, d->n);
	/* a master made at the threshold measures a few hundredths either
	 * side of it once encoded; only a clearly louder one is "louder" */
	if (has_hot && d->album_lufs > hot_above + HOT_TOLERANCE_LU)
		d->ceiling_dbtp = hot_ceiling;
	for (i = 0; i < d->n; i++) {
		const struct pm_measured *m = &d->m[i];

		if (m->true_peak_dbtp > d->ceiling_dbtp)
			find(v, "true-peak", PM_SEV_ERROR, m->name,
			     "true peak %.3f dBTP is over the %.2f dBTP ceiling",
			     m->true_peak_dbtp, d->ceiling_dbtp);
		if (isfinite(m->lufs)) {
			lo = PM_MIN(lo, m->lufs);
			hi = PM_MAX(hi, m->lufs);
		}
		if (d->has_target && ld->mode == PM_LOUDNESS_TRACK &&
		    isfinite(m->lufs) && fabs(m->lufs - d->target_lufs) > tol)
			find(v, "loudness-target", PM_SEV_ERROR, m->name,
			     "%.2f LUFS, %.2f LU from the %.1f LUFS target (tolerance %.2f)",
			     m->lufs, m->lufs - d->target_lufs, d->target_lufs, tol);
	}
	if (hi > lo && hi - lo > spread)
		find(v, "loudness-spread", PM_SEV_WARNING, d->name,
		     "track loudness spans %.1f LU (%.1f to %.1f LUFS)", hi - lo,
		     lo, hi);
	if (!d->has_target || ld->mode == PM_LOUDNESS_TRACK)
		return;
	level = d->album_lufs;
	if (ld->loudest_track)
		level = hi;
	if (ld->mode == PM_LOUDNESS_ANCHOR) {
		const struct pm_track *an = pm_album_track(v->album, ld->anchor);

		if (an && (size_t)(an - v->album->tracks) < d->n)
			level = d->m[an - v->album->tracks].lufs;
	}
	if (isfinite(level) && fabs(level - d->target_lufs) > tol)
		find(v, "loudness-target",
		     strcmp(d->name, "vinyl") == 0 ? PM_SEV_WARNING : PM_SEV_ERROR,
		     d->name,
		     "%s loudness %.2f LUFS, %.2f LU from the %.1f LUFS target (tolerance %.2f)",
		     ld->mode == PM_LOUDNESS_ANCHOR ? "the anchor's"
		     : ld->loudest_track	    ? "the loudest track's"
						    : "album",
		     level, level - d->target_lufs, d->target_lufs, tol);
}

/* ------------------------------------------------------------------ */
/* The CD                                                               */
/* ------------------------------------------------------------------ */

/* Give each envelope value, for frames from `first`, to its part. */
static void attribute(const float *env, size_t n, int64_t first,
		      const struct pm_span *parts, size_t np, double *peak)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		int64_t t = first + (int64_t)i;

		if (t < 0)
			continue;
		while (k + 1 < np && t >= pm_frame_samples(parts[k].end_frames))
			k++;
		if (env[i] > peak[k])
			peak[k] = env[i];
	}
}

static void md5_s16(struct pm_md5 *md5, const int16_t *x, size_t n)
{
	uint8_t b[8192 * 4];
	size_t i;

	for (i = 0; i < n * 2; i++) {
		b[2 * i] = (uint8_t)((uint16_t)x[i] & 0xFF);
		b[2 * i + 1] = (uint8_t)((uint16_t)x[i] >> 8);
	}
	pm_md5_update(md5, b, n * 4);
}

static int md5_of_wav(const char *path, uint32_t rate, int64_t want,
		      char hex[PM_MD5_HEX_BYTES], const char **why,
		      struct pm_err *err)
{
	struct pm_audio_info info;
	struct pm_audio_reader *r = pm_audio_open(path, &info, err);
	struct pm_md5 md5;
	uint8_t digest[PM_MD5_BYTES];
	int16_t *x = NULL;
	int64_t got;

	*why = NULL;
	if (!r)
		return -1;
	if (info.rate != rate || info.channels != 2 || info.bits != 16) {
		*why = "is not 44.1 kHz, 16-bit stereo";
		pm_audio_close(r);
		return 0;
	}
	if (info.length_samples != want) {
		*why = "has the wrong length";
		pm_audio_close(r);
		return 0;
	}
	x = pm_malloc(8192 * 2 * sizeof(*x), err);
	if (!x) {
		pm_audio_close(r);
		return -1;
	}
	pm_md5_init(&md5);
	while ((got = pm_audio_read_s16(r, x, 8192, err)) > 0)
		md5_s16(&md5, x, (size_t)got);
	pm_md5_final(&md5, digest);
	pm_md5_hex(digest, hex);
	free(x);
	pm_audio_close(r);
	return got < 0 ? -1 : 0;
}

/* A CUE or TOC read back by libcdio against the disc. */
static void check_sheet(struct pm_verify *v, const struct pm_disc *d,
			const char *sheet, bool is_toc, const char *image,
			const char *where)
{
	struct pm_image_layout *l = calloc(1, sizeof(*l));
	const struct pm_pq_track *last;
	struct pm_err err = { 0 };
	uint32_t want;
	unsigned i;

	v->checks++;
	if (!l)
		return;
	if (pm_cdio_read_image(sheet, is_toc, image, l, &err) < 0) {
		find(v, "consistency", PM_SEV_ERROR, where, "%s", err.msg);
		free(l);
		return;
	}
	if (l->ntracks != d->ntracks) {
		find(v, "consistency", PM_SEV_ERROR, where,
		     "libcdio reads %u tracks, the disc has %u", l->ntracks,
		     d->ntracks);
		free(l);
		return;
	}
	/*
	 * libcdio's cdrdao driver ends the last track at its start plus the
	 * whole FILE length, as if START were not inside it: with a pause
	 * before the last track it reads the lead-out that much late
	 * (cdrdao itself reads our TOC right).  Expect what it reads.
	 */
	want = d->leadout_frames;
	last = &d->track[d->ntracks - 1];
	if (is_toc && d->ntracks > 1 && last->has_pause)
		want += last->index[0] - last->pause_frames;
	if (l->leadout_lsn != (int32_t)want)
		find(v, "consistency", PM_SEV_ERROR, where,
		     "libcdio puts the lead-out at %d, the disc at %u",
		     l->leadout_lsn, d->leadout_frames);
	if (strcmp(l->mcn, d->upc) != 0)
		find(v, "consistency", PM_SEV_ERROR, where,
		     "libcdio reads the catalogue number '%s', the disc has '%s'",
		     l->mcn, d->upc);
	for (i = 1; i <= d->ntracks; i++) {
		const struct pm_pq_track *q = &d->track[i - 1];

		if (l->start_lsn[i] != (int32_t)q->index[0])
			find(v, "consistency", PM_SEV_ERROR, where,
			     "track %u starts at %d in libcdio, at %u on the disc", i,
			     l->start_lsn[i], q->index[0]);
		if (strcmp(l->isrc[i], q->isrc) != 0)
			find(v, "consistency", PM_SEV_ERROR, where,
			     "track %u's ISRC reads '%s', the disc has '%s'", i,
			     l->isrc[i], q->isrc);
		if (l->preemphasis[i] != ((q->control & PM_CTL_PREEMPHASIS) != 0) ||
		    l->copy[i] != ((q->control & PM_CTL_COPY) != 0))
			find(v, "consistency", PM_SEV_ERROR, where,
			     "track %u's flags read back differently", i);
	}
	free(l);
}

static void ddp_checks(struct pm_verify *v, const struct pm_disc *disc,
		       const char *image_md5)
{
	const struct pm_album *a = v->album;
	struct pm_ddp_read_options ro = { .keep_broken = true };
	struct pm_disc_limits lim;
	struct pm_err err = { 0 };
	struct pm_ddp *ddp;
	char dir[4096], path[4096 + 64], why[256], line[256], want[PM_MD5_HEX_BYTES] = "";
	uint8_t *cdtext = NULL;
	size_t cdtext_len = 0, i;
	FILE *fp;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", v->outdir, PM_DIR_DDP) >=
	    sizeof(dir))
		return;
	v->checks++;
	if (!is_dir(dir)) {
		find(v, "ddp-integrity", PM_SEV_ERROR, "ddp",
		     "there is no DDP; run premaster ddpmake");
		return;
	}
	pm_cd_limits(a, &lim);
	ro.limits = &lim;
	pm_log_set_sink(quiet, NULL);
	ddp = pm_ddp_read(dir, &ro, &err);
	pm_log_set_sink(NULL, NULL);
	if (!ddp) {
		find(v, "ddp-integrity", PM_SEV_ERROR, "ddp", "%s", err.msg);
		return;
	}
	for (i = 0; i < ddp->nproblems; i++) {
		const char *m = ddp->problems[i].msg;
		bool sum = strstr(m, "CHECKSUM") != NULL;

		find(v, sum ? "checksums" : "ddp-integrity",
		     ddp->problems[i].level == PM_LOG_ERROR ? PM_SEV_ERROR
							    : PM_SEV_WARNING,
		     "ddp", "%s", m);
	}
	if (!ddp->has_md5)
		find(v, "checksums", PM_SEV_WARNING, "ddp",
		     "no CHECKSUM.MD5: plants ask for one");
	if (!pm_disc_same(&ddp->disc, disc, why, sizeof(why)))
		find(v, "consistency", PM_SEV_ERROR, "ddp/PQDESCR",
		     "the DDP is not the disc album.xml describes: %s", why);
	if (strcmp(ddp->id.upc, disc->upc) != 0)
		find(v, "upc", PM_SEV_ERROR, "ddp/DDPID",
		     "DDPID says UPC/EAN '%s', the album '%s'", ddp->id.upc, disc->upc);
	/* the image's samples: by the checksum file, or by reading it */
	snprintf(path, sizeof(path), "%s/%s", dir, PM_DDP_CHECKSUM_MD5);
	fp = fopen(path, "r");
	while (fp && fgets(line, sizeof(line), fp))
		if (strstr(line, PM_DDP_IMAGE) && strlen(line) > 32)
			snprintf(want, sizeof(want), "%.32s", line);
	if (fp)
		fclose(fp);
	if (want[0] && image_md5[0] && strcmp(want, image_md5) != 0)
		find(v, "consistency", PM_SEV_ERROR, "ddp/IMAGE.DAT",
		     "IMAGE.DAT's samples differ from cd/%s", PM_CD_IMAGE);
	if (pm_cdtext_from_album(a, &cdtext, &cdtext_len, &err) == 0) {
		if (cdtext_len != ddp->cdtext_bytes ||
		    (cdtext_len && memcmp(cdtext, ddp->cdtext, cdtext_len) != 0))
			find(v, "cdtext-fields", PM_SEV_ERROR, "ddp/CDTEXT.BIN",
			     "the CD-TEXT differs from what album.xml asks for");
		if (ddp->cdtext) {
			struct pm_cdtext_text ct = { 0 };

			if (pm_cdio_cdtext_decode(ddp->cdtext, ddp->cdtext_bytes,
						  &ct, &err) < 0)
				find(v, "cdtext-charset", PM_SEV_ERROR,
				     "ddp/CDTEXT.BIN", "libcdio cannot decode it: %s",
				     err.msg);
			pm_cdio_cdtext_release(&ct);
		}
	}
	free(cdtext);
	pm_ddp_free(ddp);
}

static void cd_checks(struct pm_verify *v, const struct pm_target *t)
{
	const struct pm_album *a = v->album;
	struct pm_seq_options so = { .outdir = v->outdir };
	struct pm_inputs in = { 0 };
	struct pm_timeline tl = { 0 };
	struct pm_err err = { 0 };
	struct pm_deliverable *d;
	struct pm_span spans[2 * PM_MAX_TRACKS], parts[2 * PM_MAX_TRACKS];
	struct pm_md5 whole, part[2 * PM_MAX_TRACKS];
	struct probe *pr = NULL;
	struct pm_truepeak *tp = NULL;
	float *env = NULL;
	double part_peak[2 * PM_MAX_TRACKS] = { 0 };
	size_t lat = 0;
	struct pm_meter *meters[PM_MAX_TRACKS];
	struct pm_audio_info info;
	struct pm_audio_reader *r = NULL;
	char dir[4096], image[4096 + 64], path[4096 + 256];
	char hex[PM_MD5_HEX_BYTES], name[128];
	uint8_t digest[PM_MD5_BYTES];
	int16_t *x = NULL;
	float *f = NULL;
	size_t ns, np, i;
	int64_t pos = 0, got;
	bool silent = true;

	d = deliverable(v, "cd");
	if (!d)
		return;
	d->ceiling_dbtp = t->ceiling_dbtp;
	d->has_target = t->has_target;
	d->target_lufs = t->target_lufs;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", v->outdir, PM_DIR_CD) >=
	    sizeof(dir))
		return;
	snprintf(image, sizeof(image), "%s/%s", dir, PM_CD_IMAGE);
	v->checks++;
	if (!is_dir(dir)) {
		find(v, "consistency", PM_SEV_ERROR, "cd",
		     "there is no CD; run premaster sequence");
		return;
	}
	d->present = true;
	pm_log_set_sink(quiet, NULL);
	if (pm_cd_timeline(a, t, &so, &in, &tl, &err) < 0) {
		pm_log_set_sink(NULL, NULL);
		find(v, "consistency", PM_SEV_ERROR, "album", "%s", err.msg);
		return;
	}
	pm_log_set_sink(NULL, NULL);
	r = pm_audio_open(image, &info, &err);
	if (!r) {
		find(v, "consistency", PM_SEV_ERROR, "cd/" PM_CD_IMAGE, "%s", err.msg);
		goto out;
	}
	if (info.rate != PM_CD_RATE || info.channels != 2 || info.bits != 16 ||
	    info.length_samples != pm_frame_samples(tl.disc.leadout_frames)) {
		find(v, "consistency", PM_SEV_ERROR, "cd/" PM_CD_IMAGE,
		     "%u Hz, %u channels, %u bits, %lld samples; the album's CD is 44100 Hz, 2, 16, %lld",
		     info.rate, info.channels, info.bits,
		     (long long)info.length_samples,
		     (long long)pm_frame_samples(tl.disc.leadout_frames));
		goto out;
	}
	/* what the files must hold, and each track's part for loudness */
	ns = pm_disc_spans(&tl.disc, a->cd.track_gaps, spans);
	np = pm_disc_spans(&tl.disc, PM_GAPS_APPEND, parts);
	pr = calloc(np, sizeof(*pr));
	x = malloc(8192 * 2 * sizeof(*x));
	f = malloc(8192 * 2 * sizeof(*f));
	env = malloc((8192 + 64) * sizeof(*env));
	tp = pm_truepeak_new(2, PM_CD_RATE, 4, 0, &err);
	if (!pr || !x || !f || !env || !tp)
		goto out;
	lat = pm_truepeak_latency(tp);
	for (i = 0; i < np; i++)
		if (probe_init(&pr[i], PM_CD_RATE, false, &err) < 0)
			goto out;
	pm_md5_init(&whole);
	for (i = 0; i < ns; i++)
		pm_md5_init(&part[i]);
	while ((got = pm_audio_read_s16(r, x, 8192, &err)) > 0) {
		size_t n = (size_t)got, j;

		md5_s16(&whole, x, n);
		for (j = 0; j < n * 2; j++)
			f[j] = (float)x[j] / 32768.0f;
		for (j = 0; j < n * 2 && pos + (int64_t)(j / 2) <
						 pm_frame_samples(PM_PREGAP_FRAMES);
		     j++)
			if (x[j] != 0)
				silent = false;
		for (i = 0; i < ns; i++) {
			int64_t a0 = PM_MAX(pos, pm_frame_samples(spans[i].start_frames));
			int64_t a1 = PM_MIN(pos + (int64_t)n,
					    pm_frame_samples(spans[i].end_frames));

			if (a0 < a1)
				md5_s16(&part[i], x + (a0 - pos) * 2, (size_t)(a1 - a0));
		}
		for (i = 0; i < np; i++) {
			int64_t a0 = PM_MAX(pos, pm_frame_samples(parts[i].start_frames));
			int64_t a1 = PM_MIN(pos + (int64_t)n,
					    pm_frame_samples(parts[i].end_frames));

			if (a0 < a1 && probe_add(&pr[i], f + (a0 - pos) * 2,
						 (size_t)(a1 - a0), &err) < 0)
				goto out;
		}
		pm_truepeak_process(tp, f, n, env);
		attribute(env, n, pos - (int64_t)lat, parts, np, part_peak);
		pos += (int64_t)n;
	}
	pm_truepeak_flush(tp, env);
	attribute(env, lat, pos - (int64_t)lat, parts, np, part_peak);
	if (got < 0) {
		find(v, "consistency", PM_SEV_ERROR, "cd/" PM_CD_IMAGE, "%s", err.msg);
		goto out;
	}
	pm_md5_final(&whole, digest);
	pm_md5_hex(digest, v->image_md5);
	if (!silent)
		find(v, "htoa-silence", PM_SEV_WARNING, "cd/" PM_CD_IMAGE,
		     "the first 2 seconds are not digital silence");

	/* every per-track file, bit for bit */
	for (i = 0; i < ns; i++) {
		const char *why;

		if (spans[i].track)
			pm_track_file_name(a, spans[i].track - 1, "wav", name,
					   sizeof(name));
		else
			snprintf(name, sizeof(name), "%02u-pause.wav", spans[i].pause_of);
		snprintf(path, sizeof(path), "%s/%s/%s", dir, PM_CD_TRACKS, name);
		v->checks++;
		if (md5_of_wav(path, PM_CD_RATE,
			       pm_frame_samples(spans[i].end_frames -
						spans[i].start_frames),
			       hex, &why, &err) < 0) {
			find(v, "consistency", PM_SEV_ERROR, name, "%s", err.msg);
			continue;
		}
		pm_md5_final(&part[i], digest);
		if (why)
			find(v, "consistency", PM_SEV_ERROR, name, "%s", why);
		else if (strcmp(hex, pm_md5_hex(digest, (char[PM_MD5_HEX_BYTES]){ 0 })) != 0)
			find(v, "consistency", PM_SEV_ERROR, name,
			     "its samples differ from its part of the CD image");
	}
	for (i = 0; i < np; i++) {
		struct pm_measured *m;

		snprintf(name, sizeof(name), "cd track %02u", parts[i].track);
		m = measured(d, name);
		if (!m || probe_finish(&pr[i], m, &err) < 0)
			goto out;
		m->true_peak_dbtp = part_peak[i] > 0 ? 20 * log10(part_peak[i])
						     : -HUGE_VAL;
		meters[i] = pr[i].ebu;
	}
	levels(v, d, meters, 0, 0, false);
	if (a->cd.want_cue) {
		snprintf(path, sizeof(path), "%s/%s", dir, PM_CD_CUE);
		check_sheet(v, &tl.disc, path, false, image, "cd/" PM_CD_CUE);
	}
	if (a->cd.want_toc) {
		snprintf(path, sizeof(path), "%s/%s", dir, PM_CD_TOC);
		check_sheet(v, &tl.disc, path, true, image, "cd/" PM_CD_TOC);
	}
	if (a->cd.want_pq_sheet) {
		snprintf(path, sizeof(path), "%s/%s", dir, PM_CD_PQ_TXT);
		if (access(path, R_OK) != 0)
			find(v, "consistency", PM_SEV_ERROR, "cd/" PM_CD_PQ_TXT,
			     "the PQ sheet is missing");
	}
	if (a->cd.want_ddp)
		ddp_checks(v, &tl.disc, v->image_md5);
out:
	for (i = 0; pr && i < np; i++) {
		pm_meter_free(pr[i].ebu);
		pm_truepeak_free(pr[i].tp);
	}
	free(pr);
	free(x);
	free(f);
	free(env);
	pm_truepeak_free(tp);
	pm_audio_close(r);
	pm_timeline_release(&tl);
	pm_inputs_release(&in);
}

/* ------------------------------------------------------------------ */
/* Vinyl and streaming                                                  */
/* ------------------------------------------------------------------ */

static void file_checks(struct pm_verify *v, struct pm_deliverable *d,
			const char *rel, const struct pm_target *t,
			uint32_t rate, struct pm_meter **keep)
{
	struct pm_audio_info info;
	struct pm_measured *m;
	struct pm_err err = { 0 };
	char path[4096 + 512];

	snprintf(path, sizeof(path), "%s/%s", v->outdir, rel);
	v->checks++;
	m = measured(d, rel);
	if (!m)
		return;
	if (measure_file(v, path, m, &info, keep, &err) < 0) {
		find(v, "consistency", PM_SEV_ERROR, rel, "%s", err.msg);
		d->n--;
		free(m->name);
		return;
	}
	if (info.rate != rate)
		find(v, "sample-rate", PM_SEV_ERROR, rel, "%u Hz; %s asks for %u Hz",
		     info.rate, t->name, rate);
	if (!info.is_lossy && info.bits != t->bits)
		find(v, "sample-rate", PM_SEV_ERROR, rel, "%u-bit; %s asks for %u-bit",
		     info.bits, t->name, t->bits);
	if (info.is_extensible)
		find(v, "wav-format", PM_SEV_ERROR, rel,
		     "WAVE_FORMAT_EXTENSIBLE: distributors such as Spotify want format 1");
	qc(v, m);
}

static void vinyl_checks(struct pm_verify *v, const struct pm_target *t)
{
	const struct pm_album *a = v->album;
	struct pm_deliverable *d = deliverable(v, "vinyl");
	struct pm_meter *meters[8] = { 0 };
	struct pm_side_limits lim;
	char dir[4096], name[160], rel[256];
	uint32_t rate;
	size_t s;

	if (!d)
		return;
	d->ceiling_dbtp = t->ceiling_dbtp;
	d->has_target = t->has_target;
	d->target_lufs = t->target_lufs;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", v->outdir, PM_DIR_VINYL) >=
	    sizeof(dir))
		return;
	v->checks++;
	if (!is_dir(dir)) {
		find(v, "consistency", PM_SEV_ERROR, "vinyl",
		     "there are no vinyl sides; run premaster sequence");
		return;
	}
	d->present = true;
	pm_side_limits(a->vinyl.size_in, a->vinyl.speed_rpm, &lim);
	for (s = 0; s < a->vinyl.nsides && s < 8; s++) {
		if (a->vinyl.sides[s].ntracks == 0)
			continue;
		rate = pm_target_rate(t, a, a->vinyl.sides[s].tracks[0]);
		pm_vinyl_file_name(a, a->vinyl.sides[s].name, rate, t->bits, name,
				   sizeof(name));
		snprintf(rel, sizeof(rel), "%s/%.160s", PM_DIR_VINYL, name);
		file_checks(v, d, rel, t, rate, &meters[d->n]);
		if (d->n && d->m[d->n - 1].seconds > lim.max_s)
			find(v, "vinyl-side-length", PM_SEV_ERROR, rel,
			     "side %s runs %.0f s; a %u\" side at %u rpm holds %.0f s",
			     a->vinyl.sides[s].name, d->m[d->n - 1].seconds,
			     a->vinyl.size_in, a->vinyl.speed_rpm, lim.max_s);
	}
	levels(v, d, meters, 0, 0, false);
	for (s = 0; s < 8; s++)
		pm_meter_free(meters[s]);
}

static void stream_checks(struct pm_verify *v, const struct pm_target *t)
{
	const struct pm_album *a = v->album;
	struct pm_deliverable *d = deliverable(v, t->name);
	struct pm_meter *meters[PM_MAX_TRACKS] = { 0 };
	char dir[4096], name[128], rel[256];
	size_t k;

	if (!d)
		return;
	d->ceiling_dbtp = t->ceiling_dbtp;
	d->has_target = t->has_target;
	d->target_lufs = t->target_lufs;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s/%s", v->outdir,
			     PM_DIR_STREAMING, t->name) >= sizeof(dir))
		return;
	v->checks++;
	if (!is_dir(dir)) {
		find(v, "consistency", PM_SEV_ERROR, t->name,
		     "there are no files for %s; run premaster sequence", t->name);
		return;
	}
	d->present = true;
	for (k = 0; k < a->ntracks; k++) {
		pm_track_file_name(a, k, pm_format_ext(t->format), name, sizeof(name));
		snprintf(rel, sizeof(rel), "%s/%.40s/%.128s", PM_DIR_STREAMING,
			 t->name, name);
		file_checks(v, d, rel, t, pm_target_rate(t, a, k), &meters[d->n]);
	}
	levels(v, d, meters, t->hot_above_lufs, t->hot_ceiling_dbtp, t->has_hot);
	for (k = 0; k < PM_MAX_TRACKS; k++)
		pm_meter_free(meters[k]);
}

int pm_verify_run(const struct pm_album *a, const char *outdir,
		  struct pm_verify *v, struct pm_err *err)
{
	struct pm_target targets[2 + 32];
	size_t nt, t;

	memset(v, 0, sizeof(*v));
	v->album = a;
	v->outdir = outdir;
	if (!is_dir(outdir))
		return pm_err_set(err, PM_ENOINPUT,
				  "'%s' does not exist; run premaster build", outdir);
	nt = pm_album_targets(a, targets);
	for (t = 0; t < nt; t++) {
		if (pm_interrupted())
			return pm_err_set(err, PM_EINTR, "interrupted");
		switch (targets[t].kind) {
		case PM_TARGET_CD:
			cd_checks(v, &targets[t]);
			break;
		case PM_TARGET_VINYL:
			vinyl_checks(v, &targets[t]);
			break;
		case PM_TARGET_STREAM:
			stream_checks(v, &targets[t]);
			break;
		}
	}
	return 0;
}

void pm_verify_release(struct pm_verify *v)
{
	size_t i, k;

	for (i = 0; i < v->nfindings; i++) {
		free(v->findings[i].where);
		free(v->findings[i].msg);
	}
	free(v->findings);
	for (i = 0; i < v->ndeliv; i++) {
		for (k = 0; k < v->deliv[i].n; k++)
			free(v->deliv[i].m[k].name);
		free(v->deliv[i].m);
	}
	free(v->deliv);
	memset(v, 0, sizeof(*v));
}

/* ------------------------------------------------------------------ */
/* Reports                                                              */
/* ------------------------------------------------------------------ */

static const char *sev_name(enum pm_severity s)
{
	return s == PM_SEV_ERROR ? "error" : s == PM_SEV_WARNING ? "warning" : "ignore";
}

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
		v->errors ? "NOT FIT" : "FIT", v->errors, v->errors == 1 ? "" : "s",
		v->warnings, v->warnings == 1 ? "" : "s", v->checks);
	if (v->image_md5[0])
		fprintf(fp, "CD programme MD5 (16-bit LE samples): %s\n", v->image_md5);
	fputs("\nFindings\n", fp);
	if (v->nfindings == 0)
		fputs("  none\n", fp);
	for (i = 0; i < v->nfindings; i++)
		fprintf(fp, "  %-7s  %-18s %s: %s\n",
			sev_name(v->findings[i].severity), v->findings[i].rule,
			v->findings[i].where, v->findings[i].msg);
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
	pm_json_bool(&j, "fit", v->errors == 0);
	pm_json_int(&j, "errors", v->errors);
	pm_json_int(&j, "warnings", v->warnings);
	pm_json_int(&j, "checks", v->checks);
	if (v->image_md5[0])
		pm_json_string(&j, "cd_programme_md5", v->image_md5);
	pm_json_array(&j, "findings");
	for (i = 0; i < v->nfindings; i++) {
		pm_json_object(&j, NULL);
		pm_json_string(&j, "severity", sev_name(v->findings[i].severity));
		pm_json_string(&j, "rule", v->findings[i].rule);
		pm_json_string(&j, "where", v->findings[i].where);
		pm_json_string(&j, "message", v->findings[i].msg);
		pm_json_end(&j, true);
	}
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
		v->errors ? "notfit" : "fit", v->errors ? "Not fit for release" : "Fit for release",
		v->errors, v->errors == 1 ? "" : "s", v->warnings,
		v->warnings == 1 ? "" : "s", v->checks, date);
	fputs("<p>Related: <a href=\"../cd/pq-sheet.html\">PQ sheet</a>, "
	      "<a href=\"verify.json\">verify.json</a>, "
	      "<a href=\"analysis.json\">analysis.json</a></p>\n",
	      fp);
	fputs("<h2>Findings</h2>\n<table>\n<tr><th>Severity</th><th>Rule</th><th>Where</th><th>Finding</th></tr>\n",
	      fp);
	for (i = 0; i < v->nfindings; i++) {
		fprintf(fp, "<tr class=\"%s\">", sev_name(v->findings[i].severity));
		cell(fp, sev_name(v->findings[i].severity));
		cell(fp, v->findings[i].rule);
		cell(fp, v->findings[i].where);
		cell(fp, v->findings[i].msg);
		fputs("</tr>\n", fp);
	}
	if (v->nfindings == 0)
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
