/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ddp-write.c: writing a DDP 2.00 image: DDPID, DDPMS, PQDESCR, CDTEXT.BIN,
 * IMAGE.DAT, checksums.
 */
#include <config.h>

#include "cd/ddp-impl.h"

#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* Writing: the records                                                 */
/* ------------------------------------------------------------------ */

static void format_ddpid(uint8_t rec[PM_DDPID_BYTES], const char *upc,
			 const char *master_id)
{
	memset(rec, ' ', PM_DDPID_BYTES);
	ddp_put_text(rec, ID_LEVEL, 8, "DDP 2.00");
	ddp_put_text(rec, ID_UPC, 13, upc);
	ddp_put_text(rec, ID_MID, PM_DDP_MASTER_ID_MAX, master_id ? master_id : "");
	/* BK blank ("the spec says it should be empty"), user text none */
	ddp_put_text(rec, ID_TY, 2, "CD");
}

struct stream {
	const char *dst, *sub, *cdm, *trk, *dsi;
	char ssm, scr;
	uint64_t dsl;
	long pre2; /* -1: blank */
};

static void format_map(uint8_t rec[PM_DDPMS_PACKET_BYTES],
		       const struct stream *s)
{
	memset(rec, ' ', PM_DDPMS_PACKET_BYTES);
	ddp_put_text(rec, MS_MPV, 4, "VVVM");
	ddp_put_text(rec, MS_DST, 2, s->dst);
	ddp_put_num(rec, MS_DSL, 8, s->dsl);
	ddp_put_text(rec, MS_SUB, 8, s->sub);
	ddp_put_text(rec, MS_CDM, 2, s->cdm);
	rec[MS_SSM] = (uint8_t)s->ssm;
	rec[MS_SCR] = (uint8_t)s->scr;
	if (s->pre2 >= 0)
		ddp_put_num(rec, MS_PRE2, 4, (uint64_t)s->pre2);
	ddp_put_text(rec, MS_TRK, 2, s->trk);
	ddp_put_text(rec, MS_DSIZ, 3, " 17");
	ddp_put_text(rec, MS_DSI, PM_DDP_DSI_MAX, s->dsi);
}

static void format_pq(uint8_t rec[PM_PQ_PACKET_BYTES],
		      const struct pm_pq_entry *e)
{
	static const char hex[] = "0123456789ABCDEF";
	struct pm_msf msf = pm_msf_from_frames(e->frames);

	memset(rec, ' ', PM_PQ_PACKET_BYTES);
	ddp_put_text(rec, PQ_SPV, 4, "VVVS");
	if (e->track == LEADOUT)
		ddp_put_text(rec, PQ_TRK, 2, "AA");
	else
		ddp_put_2d(rec, PQ_TRK, e->track);
	ddp_put_2d(rec, PQ_IDX, e->index);
	/* HRS stays blank, as cue2ddp, Sonoris and distillery write it */
	ddp_put_2d(rec, PQ_MIN, msf.min);
	ddp_put_2d(rec, PQ_SEC, msf.sec);
	ddp_put_2d(rec, PQ_FRM, msf.frame);
	rec[PQ_CB1] = (uint8_t)hex[e->control & 0xF];
	rec[PQ_CB1 + 1] = e->scms ? 'S' : '1';
	ddp_put_text(rec, PQ_ISRC, 12, e->isrc);
	ddp_put_text(rec, PQ_UPC, 13, e->upc);
}

/* ------------------------------------------------------------------ */
/* Writing: checks, files, the image                                    */
/* ------------------------------------------------------------------ */

/* One line of the checksum files. */
struct sum {
	const char *name;
	uint8_t md5[PM_MD5_BYTES];
	uint32_t crc32;
};

static int check_master_id(const char *mid, struct pm_err *err)
{
	size_t n;

	if (!mid)
		return 0;
	n = strlen(mid);
	if (n > PM_DDP_MASTER_ID_MAX)
		return pm_err_set(
			err, PM_EINVAL,
			"master ID '%s' is %zu characters; DDP allows at most %d",
			mid, n, PM_DDP_MASTER_ID_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)mid[i] < 0x20 ||
		    (unsigned char)mid[i] > 0x7E)
			return pm_err_set(
				err, PM_EINVAL,
				"master ID '%s': character %zu is not printable ASCII",
				mid, i + 1);
	return 0;
}

static int check_audio(const char *wav, const struct pm_audio_info *info,
		       uint32_t leadout_frames, struct pm_err *err)
{
	int64_t want = pm_frame_samples(leadout_frames);
	char a[12], b[12];

	if (info->channels != PM_CD_CHANNELS)
		return pm_err_set(
			err, PM_EFORMAT,
			"'%s' has %u channels; a CD image is stereo (four-channel CDs are not made)",
			wav, info->channels);
	if (info->rate != PM_CD_RATE)
		return pm_err_set(
			err, PM_EFORMAT,
			"'%s' is sampled at %u Hz; a CD image is 44100 Hz", wav,
			info->rate);
	if (info->bits != 16 || info->is_float || info->is_lossy)
		return pm_err_set(
			err, PM_EFORMAT,
			"'%s' is not 16-bit integer PCM; a CD image must already be dithered to 16 bits",
			wav);
	if (info->length_samples != want)
		return pm_err_set(
			err, PM_EFORMAT,
			"'%s' holds %" PRId64
			" samples (%s); the disc's lead-out at %s needs exactly %" PRId64,
			wav, info->length_samples,
			pm_msf_format(pm_frames_floor(info->length_samples), a),
			pm_msf_format(leadout_frames, b), want);
	return 0;
}

static int check_cdtext(const struct pm_ddp_write_options *opt,
			unsigned ntracks, struct pm_err *err)
{
	unsigned n;

	if (opt->cdtext_bytes == 0 ||
	    opt->cdtext_bytes % PM_CDTEXT_PACK_BYTES != 0)
		return pm_err_set(
			err, PM_EFORMAT,
			"the CD-TEXT is %zu bytes, not a whole number of 18-byte packs",
			opt->cdtext_bytes);
	n = pm_cdtext_validate(opt->cdtext, opt->cdtext_bytes, ntracks,
			       "CD-TEXT");
	if (n > 0)
		return pm_err_set(
			err, PM_EFORMAT,
			"the CD-TEXT has %u problem%s (logged); no DDP written",
			n, n == 1 ? "" : "s");
	return 0;
}

/* Write a small file of the fileset and note its checksums. */
static int write_small(const struct pm_outdir *od, const char *name,
		       const void *data, size_t n, struct sum *sum,
		       struct pm_err *err)
{
	char *path = pm_outdir_path(od, name, err);
	int fd, ret = -1;

	if (!path)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0) {
		pm_err_sys(err, PM_ECREATE, "cannot create '%s'", path);
		goto out;
	}
	if (ddp_write_all(fd, data, n) < 0) {
		pm_err_sys(err, PM_EIO, "cannot write '%s'", path);
		close(fd);
		goto out;
	}
	if (close(fd) < 0) {
		pm_err_sys(err, PM_EIO, "cannot write '%s'", path);
		goto out;
	}
	sum->name = name;
	pm_digest_buffer(PM_MD5, data, n, sum->md5);
	sum->crc32 = pm_crc32_update(0, data, n);
	ret = 0;
out:
	free(path);
	return ret;
}

/*
 * Hashing IMAGE.DAT beside the I/O.  The writer's main thread reads the
 * WAV into a ring of chunks and writes each chunk out; a second thread
 * runs MD5 (and CRC-32) over the same chunks.  MD5 alone costs about what
 * md5sum does, so doing it in line, after the read and before the write,
 * would put the writer at md5sum plus all its I/O; beside the I/O it is
 * the larger of the two.  If the thread cannot be started, chunks are
 * hashed in line: slower, same bytes.
 */
#define RING 4u

struct hasher {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool threaded;
	bool stop;            /* no more chunks will come */
	uint8_t *chunk[RING]; /* owned */
	size_t bytes[RING];
	uint64_t published; /* chunks handed over */
	uint64_t hashed;    /* chunks done */
	struct pm_digest md5;
	uint32_t crc32;
	bool want_crc32;
};

static void hash_chunk(struct hasher *h, const uint8_t *p, size_t n)
{
	pm_digest_update(&h->md5, p, n);
	if (h->want_crc32)
		h->crc32 = pm_crc32_update(h->crc32, p, n);
}

static void *hasher_main(void *arg)
{
	struct hasher *h = arg;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		size_t slot, n;

		while (h->hashed == h->published && !h->stop)
			pthread_cond_wait(&h->cond, &h->lock);
		if (h->hashed == h->published)
			break;
		slot = (size_t)(h->hashed % RING);
		n = h->bytes[slot];
		pthread_mutex_unlock(&h->lock);
		hash_chunk(h, h->chunk[slot], n);
		pthread_mutex_lock(&h->lock);
		h->hashed++;
		pthread_cond_broadcast(&h->cond);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

static int hasher_init(struct hasher *h, bool want_crc32, struct pm_err *err)
{
	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	pm_digest_init(&h->md5, PM_MD5);
	h->want_crc32 = want_crc32;
	for (unsigned i = 0; i < RING; i++) {
		h->chunk[i] = pm_malloc(CHUNK_BYTES, err);
		if (!h->chunk[i])
			return -1;
	}
	h->threaded = pthread_create(&h->thread, NULL, hasher_main, h) == 0;
	return 0;
}

/* The next free chunk: wait until the hasher is done with it. */
static uint8_t *hasher_next(struct hasher *h)
{
	size_t slot = (size_t)(h->published % RING);

	if (h->threaded) {
		pthread_mutex_lock(&h->lock);
		while (h->published - h->hashed >= RING)
			pthread_cond_wait(&h->cond, &h->lock);
		pthread_mutex_unlock(&h->lock);
	}
	return h->chunk[slot];
}

/* Hand the chunk from hasher_next() over, `n` bytes of it. */
static void hasher_publish(struct hasher *h, size_t n)
{
	size_t slot = (size_t)(h->published % RING);

	if (!h->threaded) {
		hash_chunk(h, h->chunk[slot], n);
		h->published++;
		h->hashed++;
		return;
	}
	pthread_mutex_lock(&h->lock);
	h->bytes[slot] = n;
	h->published++;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

/* Wait for every published chunk, stop the thread, free the ring. */
static void hasher_release(struct hasher *h)
{
	if (h->threaded) {
		pthread_mutex_lock(&h->lock);
		h->stop = true;
		pthread_cond_broadcast(&h->cond);
		pthread_mutex_unlock(&h->lock);
		pthread_join(h->thread, NULL);
		h->threaded = false;
	}
	for (unsigned i = 0; i < RING; i++) {
		free(h->chunk[i]);
		h->chunk[i] = NULL;
	}
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
}

/*
 * Copy the programme from the WAV into IMAGE.DAT, hashing as it goes:
 * one read and one write per chunk on this thread, MD5 (and CRC-32) on
 * the hasher's, and no copies in between.
 */
static int write_image(struct pm_audio_reader *r, const char *wav,
		       const struct pm_outdir *od, uint32_t frames,
		       bool want_crc32, struct sum *sum, struct pm_err *err)
{
	char *path = pm_outdir_path(od, PM_DDP_IMAGE, err);
	struct hasher h;
	bool have_hasher = false;
	uint32_t done = 0;
	int fd = -1, ret = -1;

	if (!path)
		return -1;
	have_hasher = true;
	if (hasher_init(&h, want_crc32, err) < 0)
		goto out;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0) {
		pm_err_sys(err, PM_ECREATE, "cannot create '%s'", path);
		goto out;
	}
	while (done < frames) {
		uint32_t n = PM_MIN(CHUNK_FRAMES, frames - done);
		int64_t want = pm_frame_samples(n), got;
		size_t bytes = (size_t)n * PM_BYTES_PER_FRAME;
		int16_t *buf = (int16_t *)(void *)hasher_next(&h);

		if (pm_interrupted()) {
			pm_err_set(err, PM_EINTR,
				   "interrupted while writing '%s'", path);
			goto out;
		}
		got = pm_audio_read_s16(r, buf, want, err);
		if (got < 0)
			goto out;
		if (got != want) {
			pm_err_set(err, PM_EIO,
				   "'%s' ended after %" PRId64
				   " samples; the disc needs %" PRId64,
				   wav, pm_frame_samples(done) + got,
				   pm_frame_samples(frames));
			goto out;
		}
		ddp_le16_swap(buf, (size_t)want * PM_CD_CHANNELS);
		hasher_publish(&h, bytes);
		if (ddp_write_all(fd, buf, bytes) < 0) {
			pm_err_sys(err, PM_EIO, "cannot write '%s'", path);
			goto out;
		}
		done += n;
		pm_progress_add((double)n / PM_FRAMES_PER_SEC);
	}
	if (close(fd) < 0) {
		fd = -1;
		pm_err_sys(err, PM_EIO, "cannot write '%s'", path);
		goto out;
	}
	fd = -1;
	hasher_release(&h);
	have_hasher = false;
	sum->name = PM_DDP_IMAGE;
	pm_digest_final(&h.md5, sum->md5);
	sum->crc32 = h.crc32;
	ret = 0;
out:
	if (have_hasher)
		hasher_release(&h);
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

/* CHECKSUM.MD5 (md5sum's binary-mode lines) and CHECKSUM.TXT (cue2ddp). */
static int write_checksums(const struct pm_outdir *od, const struct sum *sums,
			   size_t nsums, bool want_crc32, struct pm_err *err)
{
	char text[1024];
	char hex[PM_MD5_HEX_BYTES];
	struct sum unused;
	size_t n = 0;

	for (size_t i = 0; i < nsums; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s *%s\n",
				      pm_digest_hex(sums[i].md5, PM_MD5_BYTES, hex),
				      sums[i].name);
	if (write_small(od, PM_DDP_CHECKSUM_MD5, text, n, &unused, err) < 0)
		return -1;
	if (!want_crc32)
		return 0;
	n = (size_t)snprintf(text, sizeof(text), "[CRC32 Checksum]\n");
	for (size_t i = 0; i < nsums; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "%s=%08" PRIX32 "\n", sums[i].name,
				      sums[i].crc32);
	return write_small(od, PM_DDP_CHECKSUM_TXT, text, n, &unused, err);
}

int pm_ddp_write(const struct pm_disc *disc, const char *image_wav,
		 const char *outdir, const struct pm_ddp_write_options *opt,
		 struct pm_ddp_written *out, struct pm_err *err)
{
	const struct pm_ddp_write_options defaults = { 0 };
	struct pm_outdir od = { 0 };
	struct pm_audio_reader *r = NULL;
	struct pm_audio_info info;
	struct pm_pq_entry *entries = NULL;
	uint8_t *pq = NULL;
	uint8_t ddpid[PM_DDPID_BYTES];
	uint8_t ddpms[3 * PM_DDPMS_PACKET_BYTES];
	struct sum sums[5];
	struct stream st;
	char *context = NULL;
	size_t nentries = 0, nsums = 0, nmaps = 0;
	unsigned nerr;
	int ret = -1;

	if (!opt)
		opt = &defaults;
	memset(sums, 0, sizeof(sums));
	if (check_master_id(opt->master_id, err) < 0)
		goto out;
	context = opt->context ? pm_strdup(opt->context, err)
			       : pm_path_join(outdir, PM_DIR_DDP, err);
	if (!context)
		goto out;
	nerr = pm_disc_check(disc, opt->limits, context);
	if (nerr > 0) {
		pm_err_set(
			err, PM_EFORMAT,
			"%s: the disc breaks %u rule%s of the Red Book (logged); no DDP written",
			context, nerr, nerr == 1 ? "" : "s");
		goto out;
	}
	if (disc->leadout_frames > PM_MAX_DISC_FRAMES) {
		pm_err_set(err, PM_EUNSUPPORTED,
			   "%s: a DDP's PQ cannot express times past 99:59:74",
			   context);
		goto out;
	}
	if (disc->track[0].index[0] > 9999) {
		pm_err_set(err, PM_EUNSUPPORTED,
			   "%s: track 1's index 01 at frame %" PRIu32
			   " does not fit DDPMS PRE2 (at most 9999 frames)",
			   context, disc->track[0].index[0]);
		goto out;
	}
	if (opt->cdtext && check_cdtext(opt, disc->ntracks, err) < 0)
		goto out;
	r = pm_audio_open(image_wav, &info, err);
	if (!r || check_audio(image_wav, &info, disc->leadout_frames, err) < 0)
		goto out;

	/* every byte is decided before the first file is created */
	entries = pm_disc_entries(disc, &nentries, err);
	if (!entries)
		goto out;
	pq = pm_calloc(nentries, PM_PQ_PACKET_BYTES, err);
	if (!pq)
		goto out;
	for (size_t i = 0; i < nentries; i++)
		format_pq(pq + i * PM_PQ_PACKET_BYTES, &entries[i]);
	format_ddpid(ddpid, disc->upc, opt->master_id);
	/* cue2ddp's and HOFA's order: CD-TEXT, PQ, audio */
	if (opt->cdtext) {
		st = (struct stream){ .dst = "S0",
				      .sub = "CDTEXT  ",
				      .cdm = "",
				      .trk = "00",
				      .dsi = PM_DDP_CDTEXT,
				      .ssm = ' ',
				      .scr = ' ',
				      .dsl = opt->cdtext_bytes,
				      .pre2 = -1 };
		format_map(ddpms + nmaps++ * PM_DDPMS_PACKET_BYTES, &st);
	}
	st = (struct stream){ .dst = "S0",
			      .sub = "PQ DESCR",
			      .cdm = "",
			      .trk = "",
			      .dsi = PM_DDP_PQDESCR,
			      .ssm = ' ',
			      .scr = ' ',
			      .dsl = (uint64_t)nentries * PM_PQ_PACKET_BYTES,
			      .pre2 = -1 };
	format_map(ddpms + nmaps++ * PM_DDPMS_PACKET_BYTES, &st);
	/* SCR 0 (Sonoris, HOFA), not cue2ddp's 1: audio is not scrambled */
	st = (struct stream){ .dst = "D0",
			      .sub = "",
			      .cdm = "DA",
			      .trk = "",
			      .dsi = PM_DDP_IMAGE,
			      .ssm = '7',
			      .scr = '0',
			      .dsl = disc->leadout_frames,
			      .pre2 = (long)disc->track[0].index[0] };
	format_map(ddpms + nmaps++ * PM_DDPMS_PACKET_BYTES, &st);

	if (pm_outdir_begin(&od, outdir, PM_DIR_DDP, opt->force, err) < 0)
		goto out;
	/* sums[] in CHECKSUM.MD5 order: DDPID DDPMS [CDTEXT.BIN] PQ IMAGE */
	if (write_small(&od, PM_DDP_DDPID, ddpid, sizeof(ddpid), &sums[nsums++],
			err) < 0 ||
	    write_small(&od, PM_DDP_DDPMS, ddpms, nmaps * PM_DDPMS_PACKET_BYTES,
			&sums[nsums++], err) < 0)
		goto out;
	if (opt->cdtext &&
	    write_small(&od, PM_DDP_CDTEXT, opt->cdtext, opt->cdtext_bytes,
			&sums[nsums++], err) < 0)
		goto out;
	if (write_small(&od, PM_DDP_PQDESCR, pq, nentries * PM_PQ_PACKET_BYTES,
			&sums[nsums++], err) < 0 ||
	    write_image(r, image_wav, &od, disc->leadout_frames,
			opt->want_crc32, &sums[nsums++], err) < 0 ||
	    write_checksums(&od, sums, nsums, opt->want_crc32, err) < 0)
		goto out;
	if (pm_outdir_commit(&od, err) < 0)
		goto out;
	if (out) {
		memset(out, 0, sizeof(*out));
		pm_digest_hex(sums[nsums - 1].md5, PM_MD5_BYTES, out->image_md5);
		out->image_crc32 = sums[nsums - 1].crc32;
		out->image_bytes =
			(uint64_t)disc->leadout_frames * PM_BYTES_PER_FRAME;
		out->npq_packets = nentries;
	}
	ret = 0;
out:
	pm_progress_clear();
	pm_outdir_release(&od); /* removes the temporary directory, if any */
	pm_audio_close(r);
	free(entries);
	free(pq);
	free(context);
	return ret;
}
