/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cd.c: the CD: Red Book, PQ, CUE and TOC read back, the DDP. */
#include <config.h>

#include "verify/verify-impl.h"

#include "util/banned.h"

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
		verify_find(v, "consistency", PM_SEV_ERROR, where, "%s", err.msg);
		free(l);
		return;
	}
	if (l->ntracks != d->ntracks) {
		verify_find(v, "consistency", PM_SEV_ERROR, where,
		     "libcdio reads %u tracks, the disc has %u", l->ntracks,
		     d->ntracks);
		free(l);
		return;
	}
	/*
	 * libcdio's cdrdao driver ends the last track at its start plus the
	 * whole FILE length, as if START were not inside it: with a pause
	 * before the last track it reads the lead-out that much late
	 * (cdrdao itself reads our TOC right).  Expect what it reads.  A
	 * disc of one track is no exception: its START is the first pause.
	 */
	want = d->leadout_frames;
	last = &d->track[d->ntracks - 1];
	if (is_toc && last->has_pause)
		want += last->index[0] - last->pause_frames;
	if (l->leadout_lsn != (int32_t)want)
		verify_find(v, "consistency", PM_SEV_ERROR, where,
		     "libcdio puts the lead-out at %d, the disc at %u",
		     l->leadout_lsn, d->leadout_frames);
	if (strcmp(l->mcn, d->upc) != 0)
		verify_find(v, "consistency", PM_SEV_ERROR, where,
		     "libcdio reads the catalogue number '%s', the disc has '%s'",
		     l->mcn, d->upc);
	for (i = 1; i <= d->ntracks; i++) {
		const struct pm_pq_track *q = &d->track[i - 1];

		if (l->start_lsn[i] != (int32_t)q->index[0])
			verify_find(v, "consistency", PM_SEV_ERROR, where,
			     "track %u starts at %d in libcdio, at %u on the disc", i,
			     l->start_lsn[i], q->index[0]);
		if (strcmp(l->isrc[i], q->isrc) != 0)
			verify_find(v, "consistency", PM_SEV_ERROR, where,
			     "track %u's ISRC reads '%s', the disc has '%s'", i,
			     l->isrc[i], q->isrc);
		if (l->preemphasis[i] != ((q->control & PM_CTL_PREEMPHASIS) != 0) ||
		    l->copy[i] != ((q->control & PM_CTL_COPY) != 0))
			verify_find(v, "consistency", PM_SEV_ERROR, where,
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
	if (!verify_is_dir(dir)) {
		verify_find(v, "ddp-integrity", PM_SEV_ERROR, "ddp",
		     "there is no DDP; run premaster ddpmake");
		return;
	}
	pm_cd_limits(a, &lim);
	ro.limits = &lim;
	pm_log_set_sink(verify_quiet, NULL);
	ddp = pm_ddp_read(dir, &ro, &err);
	pm_log_set_sink(NULL, NULL);
	if (!ddp) {
		verify_find(v, "ddp-integrity", PM_SEV_ERROR, "ddp", "%s", err.msg);
		return;
	}
	for (i = 0; i < ddp->nproblems; i++) {
		const char *m = ddp->problems[i].msg;
		bool sum = strstr(m, "CHECKSUM") != NULL;

		verify_find(v, sum ? "checksums" : "ddp-integrity",
		     ddp->problems[i].level == PM_LOG_ERROR ? PM_SEV_ERROR
							    : PM_SEV_WARNING,
		     "ddp", "%s", m);
	}
	if (!ddp->has_md5)
		verify_find(v, "checksums", PM_SEV_WARNING, "ddp",
		     "no CHECKSUM.MD5: plants ask for one");
	if (!pm_disc_same(&ddp->disc, disc, why, sizeof(why)))
		verify_find(v, "consistency", PM_SEV_ERROR, "ddp/PQDESCR",
		     "the DDP is not the disc album.xml describes: %s", why);
	if (strcmp(ddp->id.upc, disc->upc) != 0)
		verify_find(v, "upc", PM_SEV_ERROR, "ddp/DDPID",
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
		verify_find(v, "consistency", PM_SEV_ERROR, "ddp/IMAGE.DAT",
		     "IMAGE.DAT's samples differ from cd/%s", PM_CD_IMAGE);
	if (pm_cdtext_from_album(a, &cdtext, &cdtext_len, &err) == 0) {
		if (cdtext_len != ddp->cdtext_bytes ||
		    (cdtext_len && memcmp(cdtext, ddp->cdtext, cdtext_len) != 0))
			verify_find(v, "cdtext-fields", PM_SEV_ERROR, "ddp/CDTEXT.BIN",
			     "the CD-TEXT differs from what album.xml asks for");
		if (ddp->cdtext) {
			struct pm_cdtext_text ct = { 0 };

			if (pm_cdio_cdtext_decode(ddp->cdtext, ddp->cdtext_bytes,
						  &ct, &err) < 0)
				verify_find(v, "cdtext-charset", PM_SEV_ERROR,
				     "ddp/CDTEXT.BIN", "libcdio cannot decode it: %s",
				     err.msg);
			pm_cdio_cdtext_release(&ct);
		}
	}
	free(cdtext);
	pm_ddp_free(ddp);
}

void verify_cd_checks(struct pm_verify *v, const struct pm_target *t)
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

	d = verify_deliverable(v, "cd");
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
	if (!verify_is_dir(dir)) {
		verify_find(v, "consistency", PM_SEV_ERROR, "cd",
		     "there is no CD; run premaster sequence");
		return;
	}
	d->present = true;
	pm_log_set_sink(verify_quiet, NULL);
	if (pm_cd_timeline(a, t, &so, &in, &tl, &err) < 0) {
		pm_log_set_sink(NULL, NULL);
		verify_find(v, "consistency", PM_SEV_ERROR, "album", "%s", err.msg);
		return;
	}
	pm_log_set_sink(NULL, NULL);
	r = pm_audio_open(image, &info, &err);
	if (!r) {
		verify_find(v, "consistency", PM_SEV_ERROR, "cd/" PM_CD_IMAGE, "%s", err.msg);
		goto out;
	}
	if (info.rate != PM_CD_RATE || info.channels != 2 || info.bits != 16 ||
	    info.length_samples != pm_frame_samples(tl.disc.leadout_frames)) {
		verify_find(v, "consistency", PM_SEV_ERROR, "cd/" PM_CD_IMAGE,
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
		if (verify_probe_init(&pr[i], PM_CD_RATE, false, &err) < 0)
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

			if (a0 < a1 && verify_probe_add(&pr[i], f + (a0 - pos) * 2,
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
		verify_find(v, "consistency", PM_SEV_ERROR, "cd/" PM_CD_IMAGE, "%s", err.msg);
		goto out;
	}
	pm_md5_final(&whole, digest);
	pm_md5_hex(digest, v->image_md5);
	if (!silent)
		verify_find(v, "htoa-silence", PM_SEV_WARNING, "cd/" PM_CD_IMAGE,
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
			verify_find(v, "consistency", PM_SEV_ERROR, name, "%s", err.msg);
			continue;
		}
		pm_md5_final(&part[i], digest);
		if (why)
			verify_find(v, "consistency", PM_SEV_ERROR, name, "%s", why);
		else if (strcmp(hex, pm_md5_hex(digest, (char[PM_MD5_HEX_BYTES]){ 0 })) != 0)
			verify_find(v, "consistency", PM_SEV_ERROR, name,
			     "its samples differ from its part of the CD image");
	}
	for (i = 0; i < np; i++) {
		struct pm_measured *m;

		snprintf(name, sizeof(name), "cd track %02u", parts[i].track);
		m = verify_measured(d, name);
		if (!m || verify_probe_finish(&pr[i], m, &err) < 0)
			goto out;
		m->true_peak_dbtp = part_peak[i] > 0 ? 20 * log10(part_peak[i])
						     : -HUGE_VAL;
		meters[i] = pr[i].ebu;
	}
	verify_levels(v, d, meters, 0, 0, false);
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
			verify_find(v, "consistency", PM_SEV_ERROR, "cd/" PM_CD_PQ_TXT,
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
