/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cd.c: the CD: Red Book, PQ, CUE and TOC read back, the DDP. */
#include <config.h>

#include "verify/verify-impl.h"

#include "util/manifest.h"

#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* The CD                                                               */
/* ------------------------------------------------------------------ */

static void md5_s16(struct pm_digest *md5, const int16_t *x, size_t n)
{
	uint8_t b[8192 * 4];
	size_t i;

	for (i = 0; i < n * 2; i++) {
		b[2 * i] = (uint8_t)((uint16_t)x[i] & 0xFF);
		b[2 * i + 1] = (uint8_t)((uint16_t)x[i] >> 8);
	}
	pm_digest_update(md5, b, n * 4);
}

/* The MD5 of the programme's samples, read again from `image`. */
static int programme_md5(const char *image, struct pm_digest *md5)
{
	struct pm_audio_info info;
	struct pm_err err = { 0 };
	struct pm_audio_reader *r = pm_audio_open(image, &info, &err);
	int16_t *x = malloc(8192 * 2 * sizeof(*x));
	int64_t got = -1;

	pm_digest_init(md5, PM_MD5);
	if (r && x)
		while ((got = pm_audio_read_s16(r, x, 8192, &err)) > 0)
			md5_s16(md5, x, (size_t)got);
	pm_audio_close(r);
	free(x);
	return got < 0 ? -1 : 0;
}

/*
 * Give each envelope value, for frames from `first`, to the track whose
 * audio holds that frame (pauses belong to none).  The envelope of a
 * track's last frame spans the instants up to the next track's first
 * sample and would read that sample's level: the last frame counts by
 * its own sample only (the sample peak, taken separately).
 */
static void attribute(const float *env, size_t n, int64_t first,
		      const struct pm_span *parts, size_t np, float *peak)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		int64_t t = first + (int64_t)i;

		if (t < 0)
			continue;
		while (k < np && t >= pm_frame_samples(parts[k].end_frames))
			k++;
		if (k == np)
			return;
		if (t < pm_frame_samples(parts[k].start_frames) ||
		    t == pm_frame_samples(parts[k].end_frames) - 1)
			continue;
		if (env[i] > peak[k])
			peak[k] = env[i];
	}
}

/*
 * The per-track files, read in step with the image: the spans of the
 * album's gap policy cover the programme once, in order, so each file is
 * opened when the image reaches its start and compared frame by frame.
 */
struct parts_compare {
	const struct pm_span *spans;
	size_t ns, cur;          /* the span being read */
	struct pm_audio_reader *r;
	int16_t *buf;
	bool *bad;               /* per span: differs or unreadable */
	const char **why;        /* per span */
	char (*name)[128];
};

static void parts_open(struct parts_compare *pc, const char *dir)
{
	struct pm_audio_info info;
	struct pm_err err = { 0 };
	const struct pm_span *sp = &pc->spans[pc->cur];
	char path[4096 + 256];

	snprintf(path, sizeof(path), "%s/%s/%s", dir, PM_CD_TRACKS,
		 pc->name[pc->cur]);
	pc->r = pm_audio_open(path, &info, &err);
	if (!pc->r) {
		pc->bad[pc->cur] = true;
		pc->why[pc->cur] = "cannot be read";
		return;
	}
	if (info.rate != PM_CD_RATE || info.channels != 2 || info.bits != 16) {
		pc->why[pc->cur] = "is not 44.1 kHz, 16-bit stereo";
	} else if (info.length_samples !=
		   pm_frame_samples(sp->end_frames - sp->start_frames)) {
		pc->why[pc->cur] = "has the wrong length";
	} else {
		return;
	}
	pc->bad[pc->cur] = true;
	pm_audio_close(pc->r);
	pc->r = NULL;
}

static void parts_chunk(struct parts_compare *pc, const char *dir,
			const int16_t *x, size_t n, int64_t pos)
{
	while (n > 0 && pc->cur < pc->ns) {
		const struct pm_span *sp = &pc->spans[pc->cur];
		int64_t end = pm_frame_samples(sp->end_frames);
		size_t k = (size_t)PM_MIN((int64_t)n, end - pos);

		if (pos == pm_frame_samples(sp->start_frames) && !pc->r &&
		    !pc->bad[pc->cur])
			parts_open(pc, dir);
		if (pc->r && k > 0) {
			int64_t got = pm_audio_read_s16(pc->r, pc->buf,
							(int64_t)k, NULL);

			if (got != (int64_t)k ||
			    memcmp(pc->buf, x, k * 2 * sizeof(*x)) != 0) {
				pc->bad[pc->cur] = true;
				pc->why[pc->cur] =
					"its samples differ from its part of the CD image";
				pm_audio_close(pc->r);
				pc->r = NULL;
			}
		}
		x += 2 * k;
		n -= k;
		pos += (int64_t)k;
		if (pos >= end) {
			pm_audio_close(pc->r);
			pc->r = NULL;
			pc->cur++;
		}
	}
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

/* ------------------------------------------------------------------ */
/* The PQ sheet                                                         */
/* ------------------------------------------------------------------ */

static bool msf_token(const char *s, uint32_t *frames)
{
	unsigned m, sec, f;
	char tail;

	if (strlen(s) != 8 || sscanf(s, "%2u:%2u:%2u%c", &m, &sec, &f, &tail) != 3 ||
	    sec > 59 || f > 74)
		return false;
	*frames = pm_msf_to_frames((struct pm_msf){ m, sec, f });
	return true;
}

static bool isrc_token(const char *s)
{
	return strlen(s) == 12 && isupper((unsigned char)s[0]) &&
	       isupper((unsigned char)s[1]) &&
	       strspn(s + 7, "0123456789") == 5;
}

/*
 * The PQ sheet a plant reads against the disc: its absolute times (every
 * index mark to the frame, the lead-out), each track's ISRC and whether
 * it has flags, and the UPC/EAN.
 */
void verify_pq_sheet(struct pm_verify *v, const struct pm_disc *d,
		     const char *path)
{
	const char *where = "cd/" PM_CD_PQ_TXT;
	FILE *fp = fopen(path, "r");
	char line[512];
	bool in_abs = false, seen_abs = false, leadout = false;
	unsigned marks = 0, want_marks = 0;

	if (!fp)
		return;
	for (unsigned n = 0; n < d->ntracks; n++)
		want_marks += d->track[n].nindex +
			      (d->track[n].has_pause ? 1u : 0u);
	while (fgets(line, sizeof(line), fp)) {
		char tok[8][64];
		int nt;
		unsigned trk, idx;
		uint32_t at;

		if (strncmp(line, "UPC/EAN", 7) == 0) {
			char *digits = line + strcspn(line, "0123456789");

			digits[strspn(digits, "0123456789")] = '\0';
			if (strcmp(digits, d->upc) != 0)
				verify_find(v, "consistency", PM_SEV_ERROR, where,
					    "the PQ sheet gives the UPC/EAN '%s', the disc '%s'",
					    digits, d->upc);
			continue;
		}
		if (strncmp(line, "Absolute times", 14) == 0) {
			in_abs = seen_abs = true;
			continue;
		}
		if (!in_abs)
			continue;
		nt = sscanf(line, "%63s %63s %63s %63s %63s %63s", tok[0],
			    tok[1], tok[2], tok[3], tok[4], tok[5]);
		if (nt <= 0) {
			in_abs = false; /* the blank line after the table */
			continue;
		}
		if (nt < 3 || !msf_token(tok[2], &at))
			continue; /* the column heads */
		if (strcmp(tok[0], "AA") == 0) {
			leadout = true;
			if (at != d->leadout_frames)
				verify_find(v, "consistency", PM_SEV_ERROR, where,
					    "the PQ sheet puts the lead-out at frame %u, the disc at %u",
					    at, d->leadout_frames);
			continue;
		}
		if (sscanf(tok[0], "%2u", &trk) != 1 ||
		    sscanf(tok[1], "%2u", &idx) != 1 || trk == 0)
			continue;
		if (trk > d->ntracks) {
			verify_find(v, "consistency", PM_SEV_ERROR, where,
				    "the PQ sheet lists track %u; the disc has %u",
				    trk, d->ntracks);
			continue;
		}
		{
			const struct pm_pq_track *q = &d->track[trk - 1];
			uint32_t want = idx == 0 ? q->pause_frames
				       : idx <= q->nindex ? q->index[idx - 1]
							  : UINT32_MAX;
			const char *isrc = "";

			marks++;
			if (at != want)
				verify_find(v, "consistency", PM_SEV_ERROR, where,
					    "the PQ sheet puts track %u index %02u at frame %u, the disc at %u",
					    trk, idx, at, want);
			for (int k = 3; k < nt; k++)
				if (isrc_token(tok[k]))
					isrc = tok[k];
			if (strcmp(isrc, q->isrc) != 0)
				verify_find(v, "consistency", PM_SEV_ERROR, where,
					    "the PQ sheet gives track %u the ISRC '%s', the disc '%s'",
					    trk, isrc, q->isrc);
		}
	}
	fclose(fp);
	if (!seen_abs || !leadout)
		verify_find(v, "consistency", PM_SEV_WARNING, where,
			    "premaster cannot read the PQ sheet's table of times");
	else if (marks != want_marks)
		verify_find(v, "consistency", PM_SEV_ERROR, where,
			    "the PQ sheet lists %u index marks, the disc has %u",
			    marks, want_marks);
}

/* ------------------------------------------------------------------ */
/* The DDP against the build                                            */
/* ------------------------------------------------------------------ */

static uint16_t swap16(uint16_t x)
{
	return (uint16_t)(x >> 8 | x << 8);
}

/* Where IMAGE.DAT and the CD programme part, sample by sample. */
struct ddp_compare {
	int fd;
	int64_t offset, frames;   /* the image's audio: where, how long */
	int64_t differ, swapped;  /* frames that differ; that match swapped */
	int64_t first_differ;     /* frame, or -1 */
	int64_t nonzero;          /* frames that are not digital silence */
	uint8_t *buf;
	bool io_failed;
};

static void ddp_compare_chunk(struct ddp_compare *c, const int16_t *x,
			      size_t n, int64_t pos)
{
	size_t k = 0, i;
	ssize_t got;

	if (c->fd < 0 || pos >= c->frames)
		return;
	if (pos + (int64_t)n > c->frames)
		n = (size_t)(c->frames - pos);
	got = pm_read_at(c->fd, c->buf, n * 4, c->offset + pos * 4);
	if (got < 0) {
		c->io_failed = true;
		return;
	}
	k = (size_t)got / 4;
#ifndef WORDS_BIGENDIAN
	/* the usual case, an image that is the programme: the bytes are
	 * the samples, and only the silent frames are left to count */
	if (memcmp(c->buf, x, k * 4) == 0) {
		int64_t nz = 0;

		for (i = 0; i < k; i++) {
			uint32_t w;

			memcpy(&w, x + 2 * i, sizeof(w));
			nz += w != 0;
		}
		c->nonzero += nz;
		i = k;
	} else
#endif
		i = 0;
	for (; i < k; i++) {
		const uint8_t *b = c->buf + 4 * i;
		uint16_t l = (uint16_t)(b[0] | b[1] << 8);
		uint16_t r = (uint16_t)(b[2] | b[3] << 8);

		if (x[2 * i] || x[2 * i + 1])
			c->nonzero++;
		if ((int16_t)l == x[2 * i] && (int16_t)r == x[2 * i + 1])
			continue;
		if (c->first_differ < 0)
			c->first_differ = pos + (int64_t)i;
		c->differ++;
		if ((int16_t)swap16(l) == x[2 * i] &&
		    (int16_t)swap16(r) == x[2 * i + 1])
			c->swapped++;
	}
	if (k < n) { /* the image ends early: the rest differs */
		if (c->first_differ < 0)
			c->first_differ = pos + (int64_t)k;
		c->differ += (int64_t)(n - k);
	}
}

/* The album track and the time in it of an image frame. */
static unsigned track_at(const struct pm_disc *d, int64_t frame, double *t)
{
	unsigned n;

	for (n = d->ntracks; n > 1; n--)
		if (frame >= pm_frame_samples(d->track[n - 1].index[0]))
			break;
	*t = (double)(frame - pm_frame_samples(d->track[n - 1].index[0])) /
	     PM_CD_RATE;
	return n;
}

/* What the DDP reader found, as findings. */
/* A message of the reader's is about a checksum list. */
static bool about_sums(const struct pm_ddp *ddp, const char *m)
{
	const char *file = strrchr(m, '/');

	/* "DIR/FILE: ..." */
	file = file ? file + 1 : m;
	for (size_t k = 0; k < ddp->nsum_files; k++)
		if (strncmp(file, ddp->sum_files[k],
			    strlen(ddp->sum_files[k])) == 0 &&
		    file[strlen(ddp->sum_files[k])] == ':')
			return true;
	return strstr(m, "CHECKSUM") || strstr(m, "does not match") ||
	       strstr(m, "does not list") || strstr(m, "not a checksum line");
}

void verify_ddp_problems(struct pm_verify *v, const struct pm_ddp *ddp,
			 const struct verify_log *log)
{
	/*
	 * The reader logs every problem (the Red Book and CD-TEXT checks
	 * in detail, where its list has one summary of them): the log says
	 * what is wrong, when there is one.
	 */
	size_t n = log ? log->n : ddp->nproblems;

	for (size_t i = 0; i < n; i++) {
		const char *m = log ? log->msg[i] : ddp->problems[i].msg;
		enum pm_log_level l = log ? log->level[i]
					  : ddp->problems[i].level;

		verify_find(v, about_sums(ddp, m) ? "checksums" : "ddp-integrity",
			    l == PM_LOG_ERROR ? PM_SEV_ERROR : PM_SEV_WARNING,
			    "ddp", "%s", m);
	}
	if (!ddp->nsum_files)
		verify_find(v, "checksums", PM_SEV_WARNING, "ddp",
			    "there is no checksum list (CHECKSUM.MD5 or another writer's): plants ask for one");
	else if (!ddp->image_listed)
		verify_find(v, "checksums", PM_SEV_WARNING, "ddp",
			    "no checksum list names the audio image");
}

static void ddp_checks(struct pm_verify *v, const struct pm_disc *disc,
		       struct pm_ddp *ddp, const struct ddp_compare *c,
		       int64_t programme_frames)
{
	const struct pm_album *a = v->album;
	struct pm_err err = { 0 };
	char why[256];
	uint8_t *cdtext = NULL;
	size_t cdtext_len = 0;

	if (!pm_disc_same(&ddp->disc, disc, why, sizeof(why)))
		verify_find(v, "consistency", PM_SEV_ERROR, "ddp/PQDESCR",
			    "the DDP is not the disc album.xml describes: %s", why);
	if (strcmp(ddp->id.upc, disc->upc) != 0)
		verify_find(v, "upc", PM_SEV_ERROR, "ddp/DDPID",
			    "DDPID says UPC/EAN '%s', the album '%s'", ddp->id.upc,
			    disc->upc);
	/*
	 * The image's samples against the CD programme, read side by side;
	 * never a checksum list, which may be missing or made for the
	 * wrong file.
	 */
	v->checks++;
	if (c->fd < 0 || c->io_failed) {
		verify_find(v, "ddp-audio", PM_SEV_ERROR, "ddp/" PM_DDP_IMAGE,
			    "the audio image cannot be read");
	} else if (c->frames != programme_frames) {
		verify_finding_at(v, "ddp-audio", PM_SEV_ERROR, "ddp", "ddp/" PM_DDP_IMAGE, 0,
			 NAN,
			 "the image holds %lld samples, the CD programme %lld (%+.3f s)",
			 (long long)c->frames, (long long)programme_frames,
			 (double)(c->frames - programme_frames) / PM_CD_RATE);
	} else if (c->differ && c->swapped == c->differ &&
		   c->swapped * 2 > c->nonzero) {
		verify_finding_at(v, "ddp-byte-order", PM_SEV_ERROR, "ddp",
			 "ddp/" PM_DDP_IMAGE, 0, NAN,
			 "the image's samples are the CD programme's with their two bytes swapped: it is big-endian, and DDP audio is little-endian");
	} else if (c->differ) {
		double t;
		unsigned track = track_at(disc, c->first_differ, &t);

		verify_finding_at(v, "ddp-audio", PM_SEV_ERROR, "ddp", "ddp/" PM_DDP_IMAGE,
			 track, t,
			 "%lld of its %lld samples differ from the CD programme (cd/%s), the first in track %u at %.3f s",
			 (long long)c->differ, (long long)c->frames, PM_CD_IMAGE,
			 track, t);
	}
	if (pm_cdtext_from_album(a, &cdtext, &cdtext_len, &err) == 0) {
		if (cdtext_len != ddp->cdtext_bytes ||
		    (cdtext_len && memcmp(cdtext, ddp->cdtext, cdtext_len) != 0))
			verify_find(v, "cdtext-fields", PM_SEV_ERROR,
				    "ddp/CDTEXT.BIN",
				    "the CD-TEXT differs from what album.xml asks for");
		if (ddp->cdtext) {
			struct pm_cdtext_text ct = { 0 };

			if (pm_cdio_cdtext_decode(ddp->cdtext, ddp->cdtext_bytes,
						  &ct, &err) < 0)
				verify_find(v, "cdtext-charset", PM_SEV_ERROR,
					    "ddp/CDTEXT.BIN",
					    "libcdio cannot decode it: %s", err.msg);
			pm_cdio_cdtext_release(&ct);
		}
	}
	free(cdtext);
}

/* The DDP, read before the CD so that its image is compared in step. */
static struct pm_ddp *ddp_open(struct pm_verify *v, struct ddp_compare *c)
{
	struct pm_ddp_read_options ro = { .keep_broken = true };
	struct pm_disc_limits lim;
	struct pm_err err = { 0 };
	struct verify_log log = { 0 };
	struct pm_ddp *ddp;
	char dir[4096];

	c->fd = -1;
	c->first_differ = -1;
	snprintf(dir, sizeof(dir), "%s/%s", v->outdir, PM_DIR_DDP);
	v->checks++;
	if (!verify_is_dir(dir)) {
		verify_find(v, "ddp-integrity", PM_SEV_ERROR, "ddp",
			    "there is no DDP; run premaster ddpmake");
		return NULL;
	}
	pm_cd_limits(v->album, &lim);
	ro.limits = &lim;
	pm_log_set_sink(verify_quiet, &log);
	ddp = pm_ddp_read(dir, &ro, &err);
	pm_log_set_sink(NULL, NULL);
	if (!ddp) {
		verify_find(v, "ddp-integrity", PM_SEV_ERROR, "ddp", "%s",
			    err.msg);
		verify_log_release(&log);
		return NULL;
	}
	verify_ddp_problems(v, ddp, &log);
	verify_log_release(&log);
	if (ddp->image_path) {
		/* a regular file only: a FIFO would block the open, a
		 * device never end */
		c->fd = pm_open_regular(ddp->image_path, NULL, NULL);
		c->offset = ddp->image_offset_bytes;
		c->frames = pm_frame_samples(ddp->image_frames);
		c->buf = malloc(8192 * 4);
		if (c->fd >= 0) {
			struct stat st;

			/* a short file is what it holds, not what DDPMS says */
			if (fstat(c->fd, &st) == 0 &&
			    (st.st_size - c->offset) / 4 < c->frames)
				c->frames = (st.st_size - c->offset) / 4;
		}
		if (!c->buf && c->fd >= 0) {
			close(c->fd);
			c->fd = -1;
		}
	}
	return ddp;
}

void verify_cd_checks(struct pm_verify *v, const struct pm_target *t,
		      size_t target_index)
{
	const struct pm_album *a = v->album;
	struct pm_seq_options so = { .outdir = v->outdir };
	struct pm_inputs in = { 0 };
	struct pm_timeline tl = { 0 };
	struct pm_err err = { 0 };
	struct pm_deliverable *d;
	struct pm_span spans[2 * PM_MAX_TRACKS], parts[2 * PM_MAX_TRACKS];
	struct pm_digest whole;
	struct parts_compare pc = { 0 };
	bool bad[2 * PM_MAX_TRACKS] = { false };
	const char *why[2 * PM_MAX_TRACKS] = { NULL };
	char names[2 * PM_MAX_TRACKS][128];
	struct probe *pr = NULL;
	struct pm_bs1770 *meters[PM_MAX_TRACKS];
	float part_peak[PM_MAX_TRACKS] = { 0 };
	float part_tp[PM_MAX_TRACKS] = { 0 };
	struct pm_truepeak *tp = NULL;
	float *env = NULL;
	size_t lat = 0;
	struct pm_audio_info info;
	struct pm_audio_reader *r = NULL;
	struct ddp_compare cmp = { .fd = -1, .first_differ = -1 };
	struct pm_ddp *ddp = NULL;
	char dir[4096], image[4096 + 64], path[4096 + 256];
	char name[128];
	uint8_t digest[PM_MD5_BYTES];
	int16_t *x = NULL;
	float *f = NULL;
	size_t ns, np = 0, i;
	int64_t pos = 0, got;
	bool silent = true, recalled = false;
	struct stat ist;

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
	v->disc = tl.disc;
	v->has_disc = true;
	v->has_htoa = a->htoa.is_set;
	if (a->cd.want_ddp)
		ddp = ddp_open(v, &cmp);
	r = pm_audio_open(image, &info, &err);
	if (!r) {
		verify_find(v, "consistency", PM_SEV_ERROR, "cd/" PM_CD_IMAGE,
			    "%s", err.msg);
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
	/*
	 * What the files must hold, and each track's own audio for its
	 * figures: index 01 to where the next track's pause or index 01
	 * begins (a loudness range that counts a pause, or a true peak
	 * over-read from the next track's first sample, would not be the
	 * track's).  The true peak is the player's: one detector over the
	 * whole programme, as the DAC sees a crossfade or a gapless join,
	 * each value given to its track (attribute()).
	 */
	ns = pm_disc_spans(&tl.disc, a->cd.track_gaps, spans);
	np = pm_disc_spans(&tl.disc, PM_GAPS_NONE, parts);
	pr = calloc(np ? np : 1, sizeof(*pr));
	x = malloc(8192 * 2 * sizeof(*x));
	f = malloc(8192 * 2 * sizeof(*f));
	if (!pr || !x || !f)
		goto out;
	env = malloc((8192 + 64) * sizeof(*env));
	tp = pm_truepeak_new(2, PM_CD_RATE, 4, 0, &err);
	if (!env || !tp)
		goto out;
	lat = pm_truepeak_latency(tp);
	for (i = 0; i < np; i++)
		if (verify_probe_init(&pr[i], PM_CD_RATE, false, &err) < 0)
			goto out;
	pm_digest_init(&whole, PM_MD5);
	/*
	 * IMAGE.DAT that holds nothing but the programme, little-endian, is
	 * the programme's bytes: when the comparison below finds them equal,
	 * the MD5 the manifest check took of the file is the programme's.
	 */
	if (cmp.fd >= 0 && cmp.offset == 0 && fstat(cmp.fd, &ist) == 0 &&
	    ist.st_size == (off_t)pm_frame_samples(tl.disc.leadout_frames) * 4)
		recalled = pm_hash_recall(cmp.fd, digest);
	for (i = 0; i < ns; i++) {
		if (spans[i].track)
			pm_track_file_name(a, spans[i].track - 1, "wav",
					   names[i], sizeof(names[i]));
		else
			snprintf(names[i], sizeof(names[i]), "%02u-pause.wav",
				 spans[i].pause_of);
	}
	pc.spans = spans;
	pc.ns = ns;
	pc.bad = bad;
	pc.why = why;
	pc.name = names;
	pc.buf = malloc(8192 * 2 * sizeof(*pc.buf));
	if (!pc.buf)
		goto out;
	while ((got = pm_audio_read_s16(r, x, 8192, &err)) > 0) {
		size_t n = (size_t)got, j;

		if (!recalled)
			md5_s16(&whole, x, n);
		ddp_compare_chunk(&cmp, x, n, pos);
		for (j = 0; j < n * 2; j++)
			f[j] = (float)x[j] / 32768.0f;
		for (j = 0; j < n * 2 && pos + (int64_t)(j / 2) <
						 pm_frame_samples(PM_PREGAP_FRAMES);
		     j++)
			if (x[j] != 0)
				silent = false;
		parts_chunk(&pc, dir, x, n, pos);
		for (i = 0; i < np; i++) {
			int64_t a0 = PM_MAX(pos, pm_frame_samples(parts[i].start_frames));
			int64_t a1 = PM_MIN(pos + (int64_t)n,
					    pm_frame_samples(parts[i].end_frames));

			if (a0 >= a1)
				continue;
			if (verify_probe_add(&pr[i], f + (a0 - pos) * 2,
					     (size_t)(a1 - a0), &err) < 0)
				goto out;
			for (j = (size_t)(a0 - pos) * 2; j < (size_t)(a1 - pos) * 2;
			     j++)
				if (fabsf(f[j]) > part_peak[i])
					part_peak[i] = fabsf(f[j]);
		}
		pm_truepeak_process(tp, f, n, env);
		attribute(env, n, pos - (int64_t)lat, parts, np, part_tp);
		pos += (int64_t)n;
	}
	pm_truepeak_flush(tp, env);
	attribute(env, lat, pos - (int64_t)lat, parts, np, part_tp);
	if (got < 0) {
		verify_find(v, "consistency", PM_SEV_ERROR, "cd/" PM_CD_IMAGE,
			    "%s", err.msg);
		goto out;
	}
	if (recalled && (cmp.differ || cmp.io_failed ||
			 cmp.frames != pm_frame_samples(tl.disc.leadout_frames))) {
		/* not the same bytes after all: the programme's own, again */
		recalled = false;
		if (programme_md5(image, &whole) < 0) {
			verify_find(v, "consistency", PM_SEV_ERROR,
				    "cd/" PM_CD_IMAGE,
				    "the image cannot be read a second time");
			goto out;
		}
	}
	if (!recalled)
		pm_digest_final(&whole, digest);
	pm_digest_hex(digest, PM_MD5_BYTES, v->image_md5);
	if (!silent && !a->htoa.is_set)
		verify_find(v, "htoa-silence", PM_SEV_WARNING, "cd/" PM_CD_IMAGE,
			    "the first 2 seconds are not digital silence");

	/* every per-track file, bit for bit */
	for (i = 0; i < ns; i++) {
		v->checks++;
		if (bad[i])
			verify_find(v, "consistency", PM_SEV_ERROR, names[i], "%s",
				    why[i]);
	}
	for (i = 0; i < np; i++) {
		struct pm_measured *m;

		snprintf(name, sizeof(name), "cd track %02u", parts[i].track);
		m = verify_measured(d, name);
		if (!m || verify_probe_finish(&pr[i], m, &err) < 0)
			goto out;
		m->track = parts[i].track;
		m->peak_dbfs = part_peak[i] > 0 ? 20 * log10(part_peak[i])
						: -HUGE_VAL;
		/* never under the sample peak, as libebur128 reports it */
		part_tp[i] = PM_MAX(part_tp[i], part_peak[i]);
		m->true_peak_dbtp = part_tp[i] > 0 ? 20 * log10(part_tp[i])
						   : -HUGE_VAL;
		m->samples = pm_frame_samples(parts[i].end_frames -
					      parts[i].start_frames);
		/* a pause in the source is the master's too, under index 00 */
		if (parts[i].track && parts[i].track <= a->ntracks &&
		    a->tracks[parts[i].track - 1].gap_in_source) {
			const struct pm_pq_track *q =
				&tl.disc.track[parts[i].track - 1];

			m->samples += pm_frame_samples(q->index[0] -
						       q->pause_frames);
		}
		meters[i] = pr[i].k;
	}
	verify_levels(v, d, meters, 0, 0, false);
	verify_sanity(v, d, target_index, PM_CD_RATE, 588);
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
		v->checks++;
		if (access(path, R_OK) != 0)
			verify_find(v, "consistency", PM_SEV_ERROR,
				    "cd/" PM_CD_PQ_TXT, "the PQ sheet is missing");
		else
			verify_pq_sheet(v, &tl.disc, path);
	}
	if (ddp)
		ddp_checks(v, &tl.disc, ddp, &cmp,
			   pm_frame_samples(tl.disc.leadout_frames));
out:
	for (i = 0; pr && i < np; i++) {
		pm_bs1770_free(pr[i].k);
		pm_truepeak_free(pr[i].tp);
	}
	pm_audio_close(pc.r);
	free(pc.buf);
	free(env);
	pm_truepeak_free(tp);
	if (cmp.fd >= 0)
		close(cmp.fd);
	free(cmp.buf);
	pm_ddp_free(ddp);
	free(pr);
	free(x);
	free(f);
	pm_audio_close(r);
	pm_timeline_release(&tl);
	pm_inputs_release(&in);
}
