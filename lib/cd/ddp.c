/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ddp.c: DDP 2.00 audio filesets: writer, checking reader, track extractor. */
#include <config.h>

#include "cd/ddp.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "album/isrc.h"
#include "album/paths.h"
#include "cd/cdtext.h"
#include "cd/msf.h"
#include "io/audio.h"
#include "util/crc32.h"
#include "util/outdir.h"
#include "util/progress.h"

#include "util/banned.h"

/* Sectors moved per read/write/hash step: 588 KiB, big enough that the
 * per-call overhead vanishes, small enough to stay in the cache. */
#define CHUNK_FRAMES 256u
#define CHUNK_BYTES  (CHUNK_FRAMES * PM_BYTES_PER_FRAME)

/* Upper bounds on what the reader loads into memory (style B.6). */
#define MAX_DDPMS_BYTES    (128u * 1024)
#define MAX_PQ_BYTES       (1024u * 1024) /* 99 tracks x 100 indexes x 64 */
#define MAX_CDTEXT_BYTES   (64u * 1024)   /* 8 blocks x 255 packs x 18 */
#define MAX_CHECKSUM_BYTES (64u * 1024)

/* Field offsets, from ddp-2.00.md §2-§4. */
enum {
	ID_LEVEL = 0,
	ID_UPC = 8,
	ID_MID = 38,
	ID_BK = 86,
	ID_TY = 87,
	ID_TXTLEN = 93,
};
enum {
	MS_MPV = 0,
	MS_DST = 4,
	MS_DSP = 6,
	MS_DSL = 14,
	MS_DSS = 22,
	MS_SUB = 30,
	MS_CDM = 38,
	MS_SSM = 40,
	MS_SCR = 41,
	MS_PRE1 = 42,
	MS_PRE2 = 46,
	MS_PST = 50,
	MS_MED = 54,
	MS_TRK = 55,
	MS_IDX = 57,
	MS_ISRC = 59,
	MS_DSIZ = 71,
	MS_DSI = 74,
	MS_NEW = 91,
	MS_OFS = 104,
};
enum {
	PQ_SPV = 0,
	PQ_TRK = 4,
	PQ_IDX = 6,
	PQ_HRS = 8,
	PQ_MIN = 10,
	PQ_SEC = 12,
	PQ_FRM = 14,
	PQ_CB1 = 16,
	PQ_CB2 = 18,
	PQ_ISRC = 20,
	PQ_UPC = 32,
	PQ_TXT = 45,
};

#define LEADOUT 0xAAu

static char *path_join(const char *dir, const char *name, struct pm_err *err)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = pm_malloc(n, err);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* IMAGE.DAT is little-endian: swap the samples on a big-endian host. */
static void le16_swap(int16_t *s, size_t n)
{
#ifdef WORDS_BIGENDIAN
	for (size_t i = 0; i < n; i++) {
		uint16_t v = (uint16_t)s[i];

		s[i] = (int16_t)(uint16_t)((v >> 8) | (v << 8));
	}
#else
	(void)s;
	(void)n;
#endif
}

static int write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w == 0)
			errno = EIO; /* no progress and no reason given */
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read up to n bytes at `offset`; returns the count (short only at EOF). */
static ssize_t read_at(int fd, void *buf, size_t n, int64_t offset)
{
	uint8_t *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, p + got, n - got,
				  (off_t)(offset + (int64_t)got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* ------------------------------------------------------------------ */
/* Fixed-width ASCII fields */

/* Left-aligned text into a field already filled with spaces. */
static void put_text(uint8_t *rec, size_t off, size_t width, const char *s)
{
	size_t n = strlen(s);

	memcpy(rec + off, s, n < width ? n : width);
}

/* A right-aligned number padded with spaces, cue2ddp's form. */
static void put_num(uint8_t *rec, size_t off, size_t width, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%*" PRIu64, (int)width, v);
	memcpy(rec + off, buf + strlen(buf) - width, width);
}

/* Two zero-padded digits (PQ fields). */
static void put_2d(uint8_t *rec, size_t off, unsigned v)
{
	rec[off] = (uint8_t)('0' + v / 10 % 10);
	rec[off + 1] = (uint8_t)('0' + v % 10);
}

/* A field as a C string with trailing spaces (and NULs) removed. */
static void get_text(const uint8_t *rec, size_t off, size_t width, char *out)
{
	size_t n = width;

	memcpy(out, rec + off, width);
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\0'))
		n--;
	out[n] = '\0';
}

/* A field as text for a message, bytes outside printable ASCII as '?'. */
static const char *shown(const uint8_t *rec, size_t off, size_t width,
			 char *buf)
{
	for (size_t i = 0; i < width; i++) {
		uint8_t c = rec[off + i];

		buf[i] = c >= 0x20 && c < 0x7F ? (char)c : '?';
	}
	buf[width] = '\0';
	return buf;
}

static bool is_blank(const uint8_t *rec, size_t off, size_t width)
{
	for (size_t i = 0; i < width; i++)
		if (rec[off + i] != ' ')
			return false;
	return true;
}

/*
 * A numeric field: decimal digits padded with spaces (cue2ddp) or zeros
 * (Sonoris, HOFA).  Returns 1 with *v, 0 when blank, -1 when not a number.
 */
static int get_num(const uint8_t *rec, size_t off, size_t width, int64_t *v)
{
	size_t i = 0, end = width;
	int64_t x = 0;

	while (i < width && rec[off + i] == ' ')
		i++;
	if (i == width)
		return 0;
	while (end > i && rec[off + end - 1] == ' ')
		end--;
	for (; i < end; i++) {
		uint8_t c = rec[off + i];

		if (c < '0' || c > '9')
			return -1;
		x = x * 10 + (c - '0');
	}
	*v = x;
	return 1;
}

/* Two digits, exactly (PQ fields).  Returns 0..99 or -1. */
static int get_2d(const uint8_t *rec, size_t off)
{
	uint8_t a = rec[off], b = rec[off + 1];

	if (a < '0' || a > '9' || b < '0' || b > '9')
		return -1;
	return (a - '0') * 10 + (b - '0');
}

/* ------------------------------------------------------------------ */
/* Writing: the records */

static void format_ddpid(uint8_t rec[PM_DDPID_BYTES], const char *upc,
			 const char *master_id)
{
	memset(rec, ' ', PM_DDPID_BYTES);
	put_text(rec, ID_LEVEL, 8, "DDP 2.00");
	put_text(rec, ID_UPC, 13, upc);
	put_text(rec, ID_MID, PM_DDP_MASTER_ID_MAX, master_id ? master_id : "");
	/* BK blank ("the spec says it should be empty"), user text none */
	put_text(rec, ID_TY, 2, "CD");
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
	put_text(rec, MS_MPV, 4, "VVVM");
	put_text(rec, MS_DST, 2, s->dst);
	put_num(rec, MS_DSL, 8, s->dsl);
	put_text(rec, MS_SUB, 8, s->sub);
	put_text(rec, MS_CDM, 2, s->cdm);
	rec[MS_SSM] = (uint8_t)s->ssm;
	rec[MS_SCR] = (uint8_t)s->scr;
	if (s->pre2 >= 0)
		put_num(rec, MS_PRE2, 4, (uint64_t)s->pre2);
	put_text(rec, MS_TRK, 2, s->trk);
	put_text(rec, MS_DSIZ, 3, " 17");
	put_text(rec, MS_DSI, PM_DDP_DSI_MAX, s->dsi);
}

static void format_pq(uint8_t rec[PM_PQ_PACKET_BYTES],
		      const struct pm_pq_entry *e)
{
	static const char hex[] = "0123456789ABCDEF";
	struct pm_msf msf = pm_msf_from_frames(e->frames);

	memset(rec, ' ', PM_PQ_PACKET_BYTES);
	put_text(rec, PQ_SPV, 4, "VVVS");
	if (e->track == LEADOUT)
		put_text(rec, PQ_TRK, 2, "AA");
	else
		put_2d(rec, PQ_TRK, e->track);
	put_2d(rec, PQ_IDX, e->index);
	/* HRS stays blank, as cue2ddp, Sonoris and distillery write it */
	put_2d(rec, PQ_MIN, msf.min);
	put_2d(rec, PQ_SEC, msf.sec);
	put_2d(rec, PQ_FRM, msf.frame);
	rec[PQ_CB1] = (uint8_t)hex[e->control & 0xF];
	rec[PQ_CB1 + 1] = e->scms ? 'S' : '1';
	put_text(rec, PQ_ISRC, 12, e->isrc);
	put_text(rec, PQ_UPC, 13, e->upc);
}

/* ------------------------------------------------------------------ */
/* Writing: checks, files, the image */

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
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0) {
		pm_err_sys(err, PM_ECREATE, "cannot create '%s'", path);
		goto out;
	}
	if (write_all(fd, data, n) < 0) {
		pm_err_sys(err, PM_EIO, "cannot write '%s'", path);
		close(fd);
		goto out;
	}
	if (close(fd) < 0) {
		pm_err_sys(err, PM_EIO, "cannot write '%s'", path);
		goto out;
	}
	sum->name = name;
	pm_md5_buffer(data, n, sum->md5);
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
	struct pm_md5 md5;
	uint32_t crc32;
	bool want_crc32;
};

static void hash_chunk(struct hasher *h, const uint8_t *p, size_t n)
{
	pm_md5_update(&h->md5, p, n);
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
	pm_md5_init(&h->md5);
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
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
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
		le16_swap(buf, (size_t)want * PM_CD_CHANNELS);
		hasher_publish(&h, bytes);
		if (write_all(fd, buf, bytes) < 0) {
			pm_err_sys(err, PM_EIO, "cannot write '%s'", path);
			goto out;
		}
		done += n;
		pm_progress_update(PM_DDP_IMAGE, done, frames);
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
	pm_md5_final(&h.md5, sum->md5);
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
				      pm_md5_hex(sums[i].md5, hex),
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
			       : path_join(outdir, PM_DIR_DDP, err);
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
		pm_md5_hex(sums[nsums - 1].md5, out->image_md5);
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

/* ------------------------------------------------------------------ */
/* Reading: problems */

struct reader {
	struct pm_ddp *ddp;
	const struct pm_ddp_read_options *opt;
	struct pm_err *err;
	char *ddpms_path, *pq_path, *cdtext_path;
	const struct pm_ddp_map *d0, *pqmap, *cdtextmap;
	uint32_t pq_upc_set; /* packets carrying a UPC */
	char pq_upc[PM_EAN_LEN + 1];
};

static void record(struct pm_ddp *ddp, enum pm_log_level level, bool do_log,
		   const char *msg)
{
	struct pm_ddp_problem *p;

	if (do_log)
		pm_log(level, "%s", msg);
	if (level == PM_LOG_ERROR)
		ddp->nerrors++;
	else
		ddp->nwarnings++;
	p = realloc(ddp->problems, (ddp->nproblems + 1) * sizeof(*p));
	if (!p)
		return; /* logged and counted; only the list is short */
	ddp->problems = p;
	p[ddp->nproblems].level = level;
	p[ddp->nproblems].msg = strdup(msg);
	if (p[ddp->nproblems].msg)
		ddp->nproblems++;
}

/* Log and list one problem, "PATH: message". */
PM_PRINTF(4, 5)
static void problem(struct reader *rd, enum pm_log_level level,
		    const char *path, const char *fmt, ...)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "%s: ", path);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	record(rd->ddp, level, true, msg);
}

/*
 * pm_disc_check() and pm_cdtext_validate() log each problem themselves;
 * list one summary for their errors and one for their warnings, and
 * count them all.  (Warnings are counted from the log's totals.)
 */
static void summarise(struct pm_ddp *ddp, const char *path, unsigned nerr,
		      unsigned nwarn, const char *what)
{
	char msg[512];

	if (nerr > 0) {
		snprintf(msg, sizeof(msg), "%s: %u %s error%s (logged above)",
			 path, nerr, what, nerr == 1 ? "" : "s");
		record(ddp, PM_LOG_ERROR, false, msg);
		ddp->nerrors += nerr - 1;
	}
	if (nwarn > 0) {
		snprintf(msg, sizeof(msg), "%s: %u %s warning%s (logged above)",
			 path, nwarn, what, nwarn == 1 ? "" : "s");
		record(ddp, PM_LOG_WARNING, false, msg);
		ddp->nwarnings += nwarn - 1;
	}
}

#define err_at(rd, path, ...) problem((rd), PM_LOG_ERROR, (path), __VA_ARGS__)
#define warn_at(rd, path, ...)                                                 \
	problem((rd), PM_LOG_WARNING, (path), __VA_ARGS__)

/*
 * Read a whole small file.  Returns 0, or -1 with `err`: PM_ENOINPUT
 * when it cannot be opened, PM_EIO, PM_EFORMAT when it exceeds `max`.
 */
static int slurp(const char *path, size_t max, uint8_t **buf, size_t *len,
		 struct pm_err *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	ssize_t got;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return pm_err_sys(err, PM_ENOINPUT, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return pm_err_set(err, PM_ENOINPUT,
				  "'%s' is not a regular file", path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return pm_err_set(err, PM_EFORMAT,
				  "%" PRId64 " bytes, more than %zu",
				  (int64_t)st.st_size, max);
	}
	*buf = pm_malloc((size_t)st.st_size + 1, err);
	if (!*buf) {
		close(fd);
		return -1;
	}
	got = read_at(fd, *buf, (size_t)st.st_size, 0);
	close(fd);
	if (got < 0) {
		free(*buf);
		*buf = NULL;
		return pm_err_sys(err, PM_EIO, "cannot read '%s'", path);
	}
	*len = (size_t)got;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading: DDPID */

/*
 * Whether a user-text reading is self-consistent: a length of 1..max
 * at `len_off`, and nothing but blanks after the text it declares.
 */
static int text_reading(const uint8_t *rec, size_t len_off, size_t text_off)
{
	int64_t n;

	if (get_num(rec, len_off, 2, &n) != 1 || n < 1 ||
	    n > (int64_t)(PM_DDPID_BYTES - text_off))
		return 0;
	if (!is_blank(rec, text_off + (size_t)n,
		      PM_DDPID_BYTES - text_off - (size_t)n))
		return -(int)n; /* fits, but text continues past it */
	return (int)n;
}

/*
 * The user text: length at 93 and text at 95 (ddpinfo, ddplib since
 * 2020), or 93 blank, length at 94 and text at 96 (Sonoris, HOFA).
 * " 11Hello" reads both ways (length 1 at 93, or 11 at 94), so the
 * reading after whose text only blanks follow wins; then the first.
 */
static void parse_user_text(struct pm_ddp_id *id)
{
	const uint8_t *rec = id->raw;
	int a = text_reading(rec, ID_TXTLEN, 95);
	int b = rec[ID_TXTLEN] == ' ' ? text_reading(rec, ID_TXTLEN + 1, 96)
				      : 0;
	int n;

	if (a > 0 || (a < 0 && b <= 0)) {
		id->user_text_offset = 95;
		n = a > 0 ? a : -a;
	} else if (b != 0) {
		id->user_text_offset = 96;
		n = b > 0 ? b : -b;
	} else {
		id->user_text_offset = 0;
		return;
	}
	get_text(rec, (size_t)id->user_text_offset, (size_t)n, id->user_text);
}

/*
 * A UPC/EAN field (DDPID or PQ): 13 digits, or a 12-digit UPC-A
 * left-aligned (HOFA).  Stores the EAN-13 in `out` ("" for blank or all
 * zeros).  Returns 0, or -1 after logging the problem.
 */
static int parse_upc(struct reader *rd, const char *path, const char *what,
		     const uint8_t *rec, size_t off, char out[PM_EAN_LEN + 1])
{
	char field[PM_EAN_LEN + 1], shownbuf[PM_EAN_LEN + 1];
	const char *why = "";
	int check;

	out[0] = '\0';
	get_text(rec, off, PM_EAN_LEN, field);
	if (field[0] == '\0' || strspn(field, "0") == strlen(field))
		return 0;
	if (strspn(field, "0123456789") != strlen(field) ||
	    (strlen(field) != 12 && strlen(field) != 13)) {
		err_at(rd, path, "%s UPC/EAN '%s' is not 12 or 13 digits", what,
		       shown(rec, off, PM_EAN_LEN, shownbuf));
		return -1;
	}
	if (pm_ean_normalize(field, out, &why) < 0) {
		check = pm_gs1_check_digit(out, PM_EAN_LEN - 1);
		err_at(rd, path, "%s UPC/EAN '%s': %s (it should end in %d)",
		       what, field, why, check);
		out[0] = '\0';
		return -1;
	}
	return 0;
}

static void parse_ddpid(struct reader *rd, const char *path, const uint8_t *buf,
			size_t len)
{
	struct pm_ddp_id *id = &rd->ddp->id;
	char s[PM_DDPID_BYTES + 1];

	if (len != PM_DDPID_BYTES)
		err_at(rd, path, "%zu bytes; a DDPID is %d", len,
		       PM_DDPID_BYTES);
	memset(id->raw, ' ', sizeof(id->raw));
	memcpy(id->raw, buf, PM_MIN(len, sizeof(id->raw)));
	get_text(id->raw, ID_LEVEL, 8, id->level);
	if (strcmp(id->level, "DDP 2.00") != 0)
		err_at(rd, path, "DDP level '%s' is not 'DDP 2.00'",
		       shown(id->raw, ID_LEVEL, 8, s));
	get_text(id->raw, ID_UPC, 13, id->upc_field);
	parse_upc(rd, path, "the", id->raw, ID_UPC, id->upc);
	get_text(id->raw, ID_MID, PM_DDP_MASTER_ID_MAX, id->master_id);
	for (size_t i = 0; id->master_id[i]; i++)
		if ((unsigned char)id->master_id[i] < 0x20 ||
		    (unsigned char)id->master_id[i] > 0x7E) {
			warn_at(rd, path,
				"the master ID '%s' is not printable ASCII",
				shown(id->raw, ID_MID, PM_DDP_MASTER_ID_MAX,
				      s));
			break;
		}
	id->book = (char)id->raw[ID_BK];
	get_text(id->raw, ID_TY, 2, id->type);
	if (strcmp(id->type, "CD") != 0)
		err_at(rd, path, "disc type '%s' is not 'CD'",
		       shown(id->raw, ID_TY, 2, s));
	parse_user_text(id);
}

/* ------------------------------------------------------------------ */
/* Reading: DDPMS */

/* A stream file name must stay inside the fileset's directory. */
static bool plain_name(const char *s)
{
	if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == '\\' || (unsigned char)*s < 0x20 ||
		    (unsigned char)*s > 0x7E)
			return false;
	return true;
}

/* A numeric map field; blank is -1, garbage an error. */
static int64_t map_num(struct reader *rd, size_t k, const uint8_t *rec,
		       size_t off, size_t width, const char *name)
{
	char s[16];
	int64_t v = -1;

	if (get_num(rec, off, width, &v) < 0) {
		err_at(rd, rd->ddpms_path,
		       "packet %zu: %s '%s' is not a number", k + 1, name,
		       shown(rec, off, width, s));
		return -1;
	}
	return v;
}

static void parse_map(struct reader *rd, size_t k, const uint8_t *rec,
		      struct pm_ddp_map *m)
{
	char s[PM_DDPMS_PACKET_BYTES + 1];
	int64_t dsiz;

	memcpy(m->raw, rec, PM_DDPMS_PACKET_BYTES);
	get_text(rec, MS_DST, 2, m->dst);
	m->dsl = map_num(rd, k, rec, MS_DSL, 8, "DSL");
	m->dss = map_num(rd, k, rec, MS_DSS, 8, "DSS");
	get_text(rec, MS_SUB, 8, m->sub);
	get_text(rec, MS_CDM, 2, m->cdm);
	m->ssm = (int)map_num(rd, k, rec, MS_SSM, 1, "SSM");
	m->scr = (int)map_num(rd, k, rec, MS_SCR, 1, "SCR");
	m->pre1 = (int)map_num(rd, k, rec, MS_PRE1, 4, "PRE1");
	m->pre2 = (int)map_num(rd, k, rec, MS_PRE2, 4, "PRE2");
	m->pst = (int)map_num(rd, k, rec, MS_PST, 4, "PST");
	get_text(rec, MS_TRK, 2, m->trk);
	m->new_session = rec[MS_NEW] == 'S';
	m->ofs_bytes = map_num(rd, k, rec, MS_OFS, 9, "OFS");
	/* the DSI's width: " 17" (cue2ddp) or "017" (Sonoris) */
	dsiz = map_num(rd, k, rec, MS_DSIZ, 3, "DSI size");
	if (dsiz < 0) {
		dsiz = PM_DDP_DSI_MAX;
	} else if (dsiz < 1 || dsiz > PM_DDP_DSI_MAX) {
		err_at(rd, rd->ddpms_path,
		       "packet %zu: DSI size %" PRId64 " is not 1 to %d", k + 1,
		       dsiz, PM_DDP_DSI_MAX);
		dsiz = PM_DDP_DSI_MAX;
	}
	get_text(rec, MS_DSI, (size_t)dsiz, m->dsi);
	if (!plain_name(m->dsi)) {
		err_at(rd, rd->ddpms_path,
		       "packet %zu: DSI '%s' is not a plain file name in the fileset",
		       k + 1, shown(rec, MS_DSI, (size_t)dsiz, s));
		m->dsi[0] = '\0';
	}
}

/* Which stream each packet is; the checks of ddp-2.00.md §14.2. */
static void classify_maps(struct reader *rd)
{
	struct pm_ddp *ddp = rd->ddp;
	size_t npq = 0, ncdtext = 0, nd0 = 0;

	for (size_t k = 0; k < ddp->nmaps; k++) {
		const struct pm_ddp_map *m = &ddp->maps[k];

		if (m->raw[0] == 0) /* a packet without VVVM, reported */
			continue;
		if (strcmp(m->dst, "S0") == 0 &&
		    strcmp(m->sub, "PQ DESCR") == 0) {
			if (npq++ == 0)
				rd->pqmap = m;
		} else if (strcmp(m->dst, "S0") == 0 &&
			   strcmp(m->sub, "CDTEXT") == 0) {
			if (ncdtext++ == 0)
				rd->cdtextmap = m;
			if (m->trk[0] && strcmp(m->trk, "00") != 0)
				warn_at(rd, rd->ddpms_path,
					"packet %zu: the CDTEXT stream's TRK is '%s', not 00 or blank",
					k + 1, m->trk);
		} else if (strcmp(m->dst, "D0") == 0) {
			if (strcmp(m->cdm, "DA") != 0) {
				err_at(rd, rd->ddpms_path,
				       "packet %zu: main data stream '%s' is CD mode '%s', not audio (DA)",
				       k + 1, m->dsi, m->cdm);
				continue;
			}
			if (nd0++ == 0)
				rd->d0 = m;
			if (m->ssm != 7 && m->ssm != 0)
				err_at(rd, rd->ddpms_path,
				       "packet %zu: SSM %d is not 7 (2352-byte sectors)",
				       k + 1, m->ssm);
			if (m->scr > 1)
				err_at(rd, rd->ddpms_path,
				       "packet %zu: SCR %d is not 0 or 1",
				       k + 1, m->scr);
		} else {
			warn_at(rd, rd->ddpms_path,
				"packet %zu: stream type '%s' '%s' ('%s') is not part of an audio CD; ignored",
				k + 1, m->dst, m->sub, m->dsi);
		}
	}
	if (npq != 1)
		err_at(rd, rd->ddpms_path,
		       "has %zu 'S0 PQ DESCR' streams; exactly one is needed",
		       npq);
	if (ncdtext > 1)
		err_at(rd, rd->ddpms_path,
		       "has %zu CDTEXT streams; at most one is allowed",
		       ncdtext);
	if (nd0 == 0)
		err_at(rd, rd->ddpms_path, "has no 'D0 DA' audio stream");
	else if (nd0 > 1)
		err_at(rd, rd->ddpms_path,
		       "has %zu audio streams; premaster reads single-stream audio images",
		       nd0);
	if (rd->d0 && rd->d0->dss > 0)
		err_at(rd, rd->ddpms_path,
		       "the audio stream starts at sector %" PRId64
		       "; the first one must start at 0",
		       rd->d0->dss);
	if (rd->d0 && rd->d0->dsl <= 0)
		err_at(rd, rd->ddpms_path,
		       "the audio stream's DSL is blank or 0");
}

/* Every DSI file exists and has the size its DSL says. */
static void check_stream_files(struct reader *rd)
{
	struct pm_ddp *ddp = rd->ddp;
	struct pm_err e;

	for (size_t k = 0; k < ddp->nmaps; k++) {
		const struct pm_ddp_map *m = &ddp->maps[k];
		struct stat st;
		char *path;
		int64_t want;

		if (!m->dsi[0] ||
		    (m != rd->d0 && m != rd->pqmap && m != rd->cdtextmap))
			continue;
		path = path_join(ddp->dir, m->dsi, &e);
		if (!path)
			continue;
		if (stat(path, &st) < 0) {
			err_at(rd, rd->ddpms_path,
			       "packet %zu names '%s', which is missing", k + 1,
			       m->dsi);
		} else if (m == rd->d0) {
			want = PM_MAX(m->ofs_bytes, 0) +
			       PM_MAX(m->dsl, 0) * PM_BYTES_PER_FRAME;
			if (st.st_size != want)
				err_at(rd, path,
				       "%" PRId64
				       " bytes, but DDPMS says %" PRId64
				       " sectors (%" PRId64 " bytes)",
				       (int64_t)st.st_size, m->dsl, want);
		} else if (m == rd->pqmap) {
			if (m->dsl % PM_PQ_PACKET_BYTES != 0)
				err_at(rd, rd->ddpms_path,
				       "packet %zu: PQ DSL %" PRId64
				       " is not a multiple of 64",
				       k + 1, m->dsl);
			if (st.st_size != m->dsl)
				err_at(rd, path,
				       "%" PRId64
				       " bytes, but DDPMS says %" PRId64,
				       (int64_t)st.st_size, m->dsl);
		} else if (st.st_size != m->dsl && st.st_size != m->dsl + 1) {
			/* CD-TEXT: one trailing 0x00 is looked at later */
			err_at(rd, path,
			       "%" PRId64 " bytes, but DDPMS says %" PRId64,
			       (int64_t)st.st_size, m->dsl);
		}
		free(path);
	}
}

static int read_ddpms(struct reader *rd)
{
	struct pm_ddp *ddp = rd->ddp;
	uint8_t *buf = NULL;
	size_t len = 0, n;
	struct pm_err e;
	char s[8];

	if (slurp(rd->ddpms_path, MAX_DDPMS_BYTES, &buf, &len, &e) < 0) {
		if (e.code != PM_EFORMAT) {
			if (rd->err)
				*rd->err = e;
			return -1;
		}
		err_at(rd, rd->ddpms_path, "%s", e.msg);
		return 0;
	}
	if (len == 0)
		err_at(rd, rd->ddpms_path, "empty");
	else if (len % PM_DDPMS_PACKET_BYTES != 0)
		err_at(rd, rd->ddpms_path, "%zu bytes, not a multiple of %d",
		       len, PM_DDPMS_PACKET_BYTES);
	n = len / PM_DDPMS_PACKET_BYTES;
	ddp->maps = pm_calloc(n ? n : 1, sizeof(*ddp->maps), rd->err);
	if (!ddp->maps) {
		free(buf);
		return -1;
	}
	ddp->nmaps = n;
	for (size_t k = 0; k < n; k++) {
		const uint8_t *rec = buf + k * PM_DDPMS_PACKET_BYTES;

		if (memcmp(rec + MS_MPV, "VVVM", 4) != 0) {
			err_at(rd, rd->ddpms_path,
			       "packet %zu starts with '%s', not 'VVVM'", k + 1,
			       shown(rec, 0, 4, s));
			continue; /* raw[0] stays 0: skipped */
		}
		parse_map(rd, k, rec, &ddp->maps[k]);
	}
	free(buf);
	classify_maps(rd);
	check_stream_files(rd);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading: the PQ descriptor */

static const char *tt_ii(const struct pm_pq_entry *e, char *buf)
{
	if (e->track == LEADOUT)
		snprintf(buf, 8, "AA/%02u", e->index % 100);
	else
		snprintf(buf, 8, "%02u/%02u", e->track % 100, e->index % 100);
	return buf;
}

/* Decode one 64-byte packet.  Returns 0, or -1 (logged) to skip it. */
static int parse_pq_packet(struct reader *rd, size_t k, const uint8_t *rec,
			   struct pm_pq_entry *e)
{
	const char *path = rd->pq_path;
	char s[20], upc[PM_EAN_LEN + 1];
	int trk, idx, mm, ss, ff;
	uint8_t c0 = rec[PQ_CB1], c1 = rec[PQ_CB1 + 1];

	memset(e, 0, sizeof(*e));
	if (memcmp(rec + PQ_SPV, "VVVS", 4) != 0) {
		err_at(rd, path, "packet %zu starts with '%s', not 'VVVS'",
		       k + 1, shown(rec, PQ_SPV, 4, s));
		return -1;
	}
	trk = memcmp(rec + PQ_TRK, "AA", 2) == 0 ? (int)LEADOUT
						 : get_2d(rec, PQ_TRK);
	idx = get_2d(rec, PQ_IDX);
	if (trk < 0 || idx < 0) {
		err_at(rd, path,
		       "packet %zu: track/index '%s' is not NN/NN or AA/01",
		       k + 1, shown(rec, PQ_TRK, 4, s));
		return -1;
	}
	e->track = (unsigned)trk;
	e->index = (unsigned)idx;
	/* HRS is reserved: blank (cue2ddp, Sonoris) or 00 */
	if (!is_blank(rec, PQ_HRS, 2) && get_2d(rec, PQ_HRS) != 0) {
		char t[8];

		err_at(rd, path, "packet %zu (%s): HRS '%s' is not blank or 00",
		       k + 1, tt_ii(e, t), shown(rec, PQ_HRS, 2, s));
	}
	mm = get_2d(rec, PQ_MIN);
	ss = get_2d(rec, PQ_SEC);
	ff = get_2d(rec, PQ_FRM);
	if (mm < 0 || ss < 0 || ss > 59 || ff < 0 || ff > 74) {
		char t[8];

		err_at(rd, path,
		       "packet %zu (%s): time '%s' is not a valid MMSSFF (seconds 00-59, frames 00-74)",
		       k + 1, tt_ii(e, t), shown(rec, PQ_MIN, 6, s));
		return -1;
	}
	e->frames = pm_msf_to_frames(
		(struct pm_msf){ (unsigned)mm, (unsigned)ss, (unsigned)ff });
	if (c0 >= '0' && c0 <= '9')
		e->control = (unsigned)(c0 - '0');
	else if (c0 >= 'A' && c0 <= 'F')
		e->control = (unsigned)(c0 - 'A' + 10);
	else
		c1 = 0; /* not a control code: fall into the error below */
	if (c1 != '1' && c1 != 'S') {
		char t[8];

		err_at(rd, path,
		       "packet %zu (%s): CB1 '%s' is not a control code ('01', '31', '0S', ...)",
		       k + 1, tt_ii(e, t), shown(rec, PQ_CB1, 2, s));
		return -1;
	}
	e->scms = c1 == 'S';
	if (!is_blank(rec, PQ_ISRC, 12)) {
		get_text(rec, PQ_ISRC, 12, e->isrc);
		if (!pm_isrc_valid(e->isrc)) {
			char t[8];

			err_at(rd, path,
			       "packet %zu (%s): ISRC '%s' is not valid", k + 1,
			       tt_ii(e, t), shown(rec, PQ_ISRC, 12, s));
			e->isrc[0] = '\0';
		}
	}
	if (parse_upc(rd, path, "the PQ", rec, PQ_UPC, upc) == 0 && upc[0]) {
		if (rd->pq_upc[0] && strcmp(rd->pq_upc, upc) != 0)
			err_at(rd, path,
			       "packet %zu: UPC/EAN %s differs from %s in an earlier packet",
			       k + 1, upc, rd->pq_upc);
		else
			memcpy(rd->pq_upc, upc, sizeof(upc));
		memcpy(e->upc, upc, sizeof(upc));
		rd->pq_upc_set++;
	}
	return 0;
}

/*
 * Walk the packets in order: the lead-in, tracks 01..N with consecutive
 * indexes in time order, then one or two lead-outs at the end of the
 * audio; build the disc from them.
 */
static void pq_to_disc(struct reader *rd)
{
	struct pm_ddp *ddp = rd->ddp;
	struct pm_disc *disc = &ddp->disc;
	const char *path = rd->pq_path;
	const struct pm_pq_entry *prev = NULL;
	size_t k = 0, nleadout = 0;
	unsigned cur = 0, last_index = 0;
	char a[12], b[12], x[8], y[8];

	memset(disc, 0, sizeof(*disc));
	if (ddp->npq == 0) {
		err_at(rd, path, "has no PQ packets");
		return;
	}
	if (ddp->pq[0].track != 0 || ddp->pq[0].index != 0 ||
	    ddp->pq[0].frames != 0)
		err_at(rd, path,
		       "the first packet is %s at %s, not the lead-in 00/00 at 00:00:00",
		       tt_ii(&ddp->pq[0], x),
		       pm_msf_format(ddp->pq[0].frames, a));
	else if (ddp->pq[0].control != 0 || ddp->pq[0].scms)
		warn_at(rd, path, "the lead-in's control is not 01");
	if (ddp->pq[0].track == 0)
		k = 1;

	for (; k < ddp->npq; k++) {
		const struct pm_pq_entry *e = &ddp->pq[k];
		struct pm_pq_track *t;

		if (prev && e->frames < prev->frames) {
			err_at(rd, path,
			       "packet %zu (%s at %s) comes before packet %zu (%s at %s): the PQ is out of order",
			       k + 1, tt_ii(e, x), pm_msf_format(e->frames, a),
			       k, tt_ii(prev, y),
			       pm_msf_format(prev->frames, b));
			return;
		}
		prev = e;
		if (e->track == LEADOUT) {
			if (e->index != 1)
				err_at(rd, path,
				       "packet %zu: the lead-out is AA/%02u, not AA/01",
				       k + 1, e->index);
			if (nleadout++ > 0 && e->frames != disc->leadout_frames)
				err_at(rd, path,
				       "packet %zu: the two lead-outs differ",
				       k + 1);
			if (e->control != 0 || e->scms)
				warn_at(rd, path,
					"packet %zu: the lead-out's control is not 01",
					k + 1);
			disc->leadout_frames = e->frames;
			continue;
		}
		if (nleadout > 0) {
			err_at(rd, path,
			       "packet %zu (%s) follows the lead-out: the PQ is out of order",
			       k + 1, tt_ii(e, x));
			return;
		}
		if (e->track == 0 || (e->track != cur && e->track != cur + 1)) {
			err_at(rd, path,
			       "packet %zu: track %02u follows track %02u; tracks must run 01, 02, ... in order: the PQ is out of order",
			       k + 1, e->track, cur);
			return;
		}
		if (e->track == cur + 1) {
			/* a new track starts with index 00 or 01 */
			if (cur == PM_MAX_TRACKS) {
				err_at(rd, path, "more than 99 tracks");
				return;
			}
			if (e->index > 1) {
				err_at(rd, path,
				       "packet %zu: track %02u starts with index %02u, not 00 or 01",
				       k + 1, e->track, e->index);
				return;
			}
			cur = e->track;
			t = &disc->track[cur - 1];
			disc->ntracks = cur;
			t->control = e->control;
			t->scms = e->scms;
			if (e->index == 0) {
				t->has_pause = true;
				t->pause_frames = e->frames;
			}
		} else {
			t = &disc->track[cur - 1];
			if (e->index != last_index + 1) {
				err_at(rd, path,
				       "packet %zu: %s follows index %02u; indexes must be consecutive: the PQ is out of order",
				       k + 1, tt_ii(e, x), last_index);
				return;
			}
			if (e->control != t->control || e->scms != t->scms)
				err_at(rd, path,
				       "packet %zu (%s): the control differs from the track's first packet; it must be constant",
				       k + 1, tt_ii(e, x));
		}
		if (e->index >= 1) {
			t->index[e->index - 1] = e->frames;
			t->nindex = e->index;
			if (e->index == 1 && !t->has_pause)
				t->pause_frames = e->frames;
		}
		last_index = e->index;
		if (e->isrc[0]) {
			if (t->isrc[0] && strcmp(t->isrc, e->isrc) != 0)
				err_at(rd, path,
				       "packet %zu (%s): ISRC %s differs from %s on the track's earlier packet",
				       k + 1, tt_ii(e, x), e->isrc, t->isrc);
			else
				memcpy(t->isrc, e->isrc, sizeof(t->isrc));
		}
	}
	if (nleadout == 0)
		err_at(rd, path, "has no lead-out (AA/01) packet");
	else if (nleadout > 2)
		err_at(rd, path,
		       "has %zu lead-out packets; 1 or 2 are expected",
		       nleadout);
	if (nleadout > 0 && rd->d0 && rd->d0->dsl > 0 &&
	    (int64_t)disc->leadout_frames != rd->d0->dsl)
		err_at(rd, path,
		       "the lead-out at %s is not at the end of the audio, %s (%" PRId64
		       " sectors in DDPMS)",
		       pm_msf_format(disc->leadout_frames, a),
		       pm_msf_format((uint32_t)rd->d0->dsl, b), rd->d0->dsl);
	memcpy(disc->upc, rd->pq_upc, sizeof(disc->upc));
}

static void read_pq(struct reader *rd)
{
	struct pm_ddp *ddp = rd->ddp;
	struct pm_disc masked;
	uint8_t *buf = NULL;
	size_t len = 0, n, i = 0;
	struct pm_err e;
	unsigned nerr, nwarn;

	if (!rd->pqmap || !rd->pqmap->dsi[0])
		return;
	rd->pq_path = path_join(ddp->dir, rd->pqmap->dsi, &e);
	if (!rd->pq_path)
		return;
	if (slurp(rd->pq_path, MAX_PQ_BYTES, &buf, &len, &e) < 0) {
		if (e.code == PM_EFORMAT)
			err_at(rd, rd->pq_path, "%s", e.msg);
		return; /* a missing file is already reported */
	}
	if (len % PM_PQ_PACKET_BYTES != 0)
		err_at(rd, rd->pq_path, "%zu bytes, not a multiple of %d", len,
		       PM_PQ_PACKET_BYTES);
	n = len / PM_PQ_PACKET_BYTES;
	ddp->pq = calloc(n ? n : 1, sizeof(*ddp->pq));
	if (!ddp->pq) {
		free(buf);
		err_at(rd, rd->pq_path, "out of memory");
		return;
	}
	for (size_t k = 0; k < n; k++)
		if (parse_pq_packet(rd, k, buf + k * PM_PQ_PACKET_BYTES,
				    &ddp->pq[i]) == 0)
			i++;
	ddp->npq = i;
	free(buf);
	if (ddp->nerrors > 0 && i < n)
		return; /* packets are missing: the sequence means nothing */
	pq_to_disc(rd);

	if (rd->pq_upc[0] && ddp->id.upc[0] &&
	    strcmp(rd->pq_upc, ddp->id.upc) != 0)
		err_at(rd, rd->pq_path,
		       "the PQ's UPC/EAN %s differs from DDPID's %s",
		       rd->pq_upc, ddp->id.upc);
	else if (ddp->id.upc[0] && !rd->pq_upc[0])
		warn_at(rd, rd->pq_path,
			"the UPC/EAN %s is in DDPID only; the pressed disc will carry no catalogue number",
			ddp->id.upc);
	else if (rd->pq_upc[0] && !ddp->id.upc[0] && !ddp->id.upc_field[0])
		warn_at(rd, rd->pq_path,
			"the UPC/EAN %s is in the PQ only, not in DDPID",
			rd->pq_upc);

	/*
	 * Four-channel is a warning when reading (ddp-2.00.md §8: cue2ddp
	 * writes it, ddpinfo refuses it); pm_disc_check() would make it an
	 * error, so it checks a copy without that bit.
	 */
	masked = ddp->disc;
	for (unsigned t = 0; t < masked.ntracks; t++)
		if (masked.track[t].control & PM_CTL_FOUR_CHANNEL) {
			warn_at(rd, rd->pq_path,
				"track %u: the control sets the four-channel bit, which ddpinfo and plants may refuse",
				t + 1);
			masked.track[t].control &=
				~(unsigned)PM_CTL_FOUR_CHANNEL;
		}
	if (masked.ntracks == 0)
		return;
	nwarn = pm_log_count(PM_LOG_WARNING);
	nerr = pm_disc_check(&masked, rd->opt->limits, rd->pq_path);
	summarise(ddp, rd->pq_path, nerr, pm_log_count(PM_LOG_WARNING) - nwarn,
		  "Red Book");
	if (rd->d0 && rd->d0->pre2 >= 0 && ddp->disc.track[0].nindex > 0 &&
	    (uint32_t)rd->d0->pre2 != ddp->disc.track[0].index[0])
		warn_at(rd, rd->ddpms_path,
			"PRE2 is %d, but track 1's index 01 is at sector %" PRIu32,
			rd->d0->pre2, ddp->disc.track[0].index[0]);
}

/* ------------------------------------------------------------------ */
/* Reading: CD-TEXT, the image, checksums */

static void read_cdtext(struct reader *rd)
{
	struct pm_ddp *ddp = rd->ddp;
	uint8_t *buf = NULL;
	size_t len = 0;
	struct pm_err e;
	unsigned n, nwarn;

	if (!rd->cdtextmap || !rd->cdtextmap->dsi[0])
		return;
	rd->cdtext_path = path_join(ddp->dir, rd->cdtextmap->dsi, &e);
	if (!rd->cdtext_path)
		return;
	if (slurp(rd->cdtext_path, MAX_CDTEXT_BYTES, &buf, &len, &e) < 0) {
		if (e.code == PM_EFORMAT)
			err_at(rd, rd->cdtext_path, "%s", e.msg);
		return;
	}
	/* Sonoris adds one 0x00 (235 = 13 x 18 + 1); the Sony spec allows it */
	if (len % PM_CDTEXT_PACK_BYTES == 1 && buf[len - 1] == 0) {
		warn_at(rd, rd->cdtext_path,
			"one trailing 0x00 byte after the packs (tolerated)");
		len--;
	}
	nwarn = pm_log_count(PM_LOG_WARNING);
	n = pm_cdtext_validate(buf, len, ddp->disc.ntracks, rd->cdtext_path);
	summarise(ddp, rd->cdtext_path, n, pm_log_count(PM_LOG_WARNING) - nwarn,
		  "CD-TEXT");
	ddp->cdtext = buf;
	ddp->cdtext_bytes = len;
}

/* The first 150 sectors are the 2-second pause: digital silence. */
static void check_silence(struct reader *rd)
{
	struct pm_ddp *ddp = rd->ddp;
	uint8_t *buf;
	size_t n = PM_PREGAP_FRAMES * PM_BYTES_PER_FRAME;
	ssize_t got;
	int fd;

	if (!ddp->image_path || ddp->nerrors > 0 ||
	    ddp->image_frames < PM_PREGAP_FRAMES)
		return;
	buf = malloc(n);
	fd = open(ddp->image_path, O_RDONLY);
	if (buf && fd >= 0) {
		got = read_at(fd, buf, n, ddp->image_offset_bytes);
		for (ssize_t i = 0; i < got; i++)
			if (buf[i] != 0) {
				warn_at(rd, ddp->image_path,
					"the first 2 seconds (the pause before track 1) are not digital silence");
				break;
			}
	}
	if (fd >= 0)
		close(fd);
	free(buf);
}

/* Hash one file: MD5 and, when asked, CRC-32 in one pass. */
static int hash_file(const char *path, uint8_t md5[PM_MD5_BYTES], uint32_t *crc,
		     bool want_crc32, struct pm_err *err)
{
	struct pm_md5 ctx;
	uint8_t *buf = pm_malloc(CHUNK_BYTES, err);
	int64_t at = 0;
	ssize_t got;
	int fd, ret = -1;

	if (!buf)
		return -1;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		free(buf);
		return pm_err_sys(err, PM_ENOINPUT, "cannot open '%s'", path);
	}
	pm_md5_init(&ctx);
	*crc = 0;
	for (;;) {
		if (pm_interrupted()) {
			pm_err_set(err, PM_EINTR,
				   "interrupted while reading '%s'", path);
			goto out;
		}
		got = read_at(fd, buf, CHUNK_BYTES, at);
		if (got < 0) {
			pm_err_sys(err, PM_EIO, "cannot read '%s'", path);
			goto out;
		}
		if (got == 0)
			break;
		pm_md5_update(&ctx, buf, (size_t)got);
		if (want_crc32)
			*crc = pm_crc32_update(*crc, buf, (size_t)got);
		at += got;
	}
	pm_md5_final(&ctx, md5);
	ret = 0;
out:
	close(fd);
	free(buf);
	return ret;
}

/* One line of a checksum file: a file and what it should hash to. */
struct listed {
	char name[PM_DDP_DSI_MAX + 32];
	bool has_md5, has_crc32;
	uint8_t md5[PM_MD5_BYTES];
	uint32_t crc32;
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static struct listed *find_listed(struct listed *l, size_t *n, size_t max,
				  const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(l[i].name, name) == 0)
			return &l[i];
	if (*n == max)
		return NULL;
	memset(&l[*n], 0, sizeof(l[*n]));
	snprintf(l[*n].name, sizeof(l[*n].name), "%s", name);
	return &l[(*n)++];
}

/* Split text into lines, without CR; returns the next line or NULL. */
static char *next_line(char **p)
{
	char *s = *p, *e;

	if (!s || !*s)
		return NULL;
	e = strchr(s, '\n');
	if (e) {
		*e = '\0';
		*p = e + 1;
	} else {
		*p = s + strlen(s);
	}
	if (*s && s[strlen(s) - 1] == '\r')
		s[strlen(s) - 1] = '\0';
	return s;
}

/* md5sum lines: "<32 hex> *NAME" (binary) or "<32 hex>  NAME" (text). */
static void parse_md5_file(struct reader *rd, const char *path, char *text,
			   struct listed *l, size_t *n, size_t max)
{
	char *p = text, *line;
	size_t lineno = 0;

	while ((line = next_line(&p)) != NULL) {
		struct listed *f;
		uint8_t md5[PM_MD5_BYTES];
		bool okay = strlen(line) > 34 && line[32] == ' ' &&
			    (line[33] == '*' || line[33] == ' ');

		lineno++;
		if (!*line)
			continue;
		for (int i = 0; okay && i < PM_MD5_BYTES; i++) {
			int hi = hexval(line[2 * i]),
			    lo = hexval(line[2 * i + 1]);

			okay = hi >= 0 && lo >= 0;
			md5[i] = (uint8_t)(hi << 4 | lo);
		}
		if (!okay || !plain_name(line + 34)) {
			err_at(rd, path, "line %zu is not '<md5> *NAME'",
			       lineno);
			continue;
		}
		f = find_listed(l, n, max, line + 34);
		if (!f) {
			err_at(rd, path, "lists too many files");
			return;
		}
		f->has_md5 = true;
		memcpy(f->md5, md5, sizeof(md5));
	}
}

/* cue2ddp's CHECKSUM.TXT: "[CRC32 Checksum]" then "NAME=XXXXXXXX". */
static void parse_crc_file(struct reader *rd, const char *path, char *text,
			   struct listed *l, size_t *n, size_t max)
{
	char *p = text, *line;
	size_t lineno = 0;
	bool header = false;

	while ((line = next_line(&p)) != NULL) {
		char *eq = strrchr(line, '=');
		struct listed *f;
		uint32_t crc = 0;
		bool okay = eq && strlen(eq + 1) == 8;

		lineno++;
		if (!*line)
			continue;
		if (!header) {
			header = strcmp(line, "[CRC32 Checksum]") == 0;
			if (!header) {
				err_at(rd, path,
				       "does not start with '[CRC32 Checksum]'");
				return;
			}
			continue;
		}
		for (int i = 0; okay && i < 8; i++) {
			int v = hexval(eq[1 + i]);

			okay = v >= 0;
			crc = crc << 4 | (uint32_t)(v < 0 ? 0 : v);
		}
		if (okay) {
			*eq = '\0';
			okay = plain_name(line);
		}
		if (!okay) {
			err_at(rd, path, "line %zu is not 'NAME=XXXXXXXX'",
			       lineno);
			continue;
		}
		f = find_listed(l, n, max, line);
		if (!f) {
			err_at(rd, path, "lists too many files");
			return;
		}
		f->has_crc32 = true;
		f->crc32 = crc;
	}
}

/*
 * CHECKSUM.MD5 and CHECKSUM.TXT, when present: every listed file exists
 * and matches, and every file of the fileset is listed.  Each file is
 * read once for both.  Returns -1 only when interrupted (or out of
 * memory); mismatches are problems.
 */
static int check_checksums(struct reader *rd)
{
	static const char *const names[2] = { PM_DDP_CHECKSUM_MD5,
					      PM_DDP_CHECKSUM_TXT };
	struct pm_ddp *ddp = rd->ddp;
	struct listed l[64];
	size_t nl = 0;
	char *paths[2] = { NULL, NULL };
	int ret = 0;

	for (int i = 0; i < 2; i++) {
		uint8_t *buf = NULL;
		size_t len = 0;
		struct pm_err e;

		paths[i] = path_join(ddp->dir, names[i], rd->err);
		if (!paths[i]) {
			ret = -1;
			goto out;
		}
		if (access(paths[i], F_OK) < 0)
			continue;
		if (slurp(paths[i], MAX_CHECKSUM_BYTES, &buf, &len, &e) < 0) {
			err_at(rd, paths[i], "%s", e.msg);
			continue;
		}
		buf[len] = '\0';
		if (i == 0) {
			ddp->has_md5 = true;
			parse_md5_file(rd, paths[i], (char *)buf, l, &nl,
				       PM_ARRAY_SIZE(l));
		} else {
			ddp->has_crc32 = true;
			parse_crc_file(rd, paths[i], (char *)buf, l, &nl,
				       PM_ARRAY_SIZE(l));
		}
		free(buf);
	}

	/* every file of the fileset is listed in each checksum file */
	for (int i = 0; i < 2; i++) {
		bool present = i == 0 ? ddp->has_md5 : ddp->has_crc32;

		for (size_t k = 0; present && k < ddp->nmaps + 2; k++) {
			const char *name = k == 0   ? PM_DDP_DDPID
					   : k == 1 ? PM_DDP_DDPMS
						    : ddp->maps[k - 2].dsi;
			bool listed = false;

			if (!name[0])
				continue;
			for (size_t j = 0; j < nl; j++)
				if (strcmp(l[j].name, name) == 0)
					listed = i == 0 ? l[j].has_md5
							: l[j].has_crc32;
			if (!listed)
				err_at(rd, paths[i], "does not list '%s'",
				       name);
		}
	}

	for (size_t j = 0; j < nl; j++) {
		uint8_t md5[PM_MD5_BYTES];
		char have[PM_MD5_HEX_BYTES], want[PM_MD5_HEX_BYTES];
		uint32_t crc = 0;
		struct pm_err e;
		char *path = path_join(ddp->dir, l[j].name, rd->err);

		if (!path) {
			ret = -1;
			goto out;
		}
		if (hash_file(path, md5, &crc, l[j].has_crc32, &e) < 0) {
			free(path);
			if (e.code == PM_EINTR || e.code == PM_ENOMEM) {
				if (rd->err)
					*rd->err = e;
				ret = -1;
				goto out;
			}
			err_at(rd, paths[l[j].has_md5 ? 0 : 1],
			       "lists '%s', which cannot be read", l[j].name);
			continue;
		}
		free(path);
		if (l[j].has_md5 && memcmp(md5, l[j].md5, sizeof(md5)) != 0)
			err_at(rd, paths[0],
			       "'%s' does not match: its MD5 is %s, the list says %s",
			       l[j].name, pm_md5_hex(md5, have),
			       pm_md5_hex(l[j].md5, want));
		if (l[j].has_crc32 && crc != l[j].crc32)
			err_at(rd, paths[1],
			       "'%s' does not match: its CRC-32 is %08" PRIX32
			       ", the list says %08" PRIX32,
			       l[j].name, crc, l[j].crc32);
	}
out:
	free(paths[0]);
	free(paths[1]);
	return ret;
}

struct pm_ddp *pm_ddp_read(const char *dir,
			   const struct pm_ddp_read_options *opt,
			   struct pm_err *err)
{
	const struct pm_ddp_read_options defaults = { 0 };
	struct reader rd = { .opt = opt ? opt : &defaults, .err = err };
	struct pm_ddp *ddp = NULL;
	struct stat st;
	uint8_t *buf = NULL;
	char *path = NULL;
	size_t len = 0;

	if (stat(dir, &st) < 0) {
		pm_err_sys(err, PM_ENOINPUT, "cannot open '%s'", dir);
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		pm_err_set(
			err, PM_ENOINPUT,
			"'%s' is not a directory (a DDP image is a directory of files)",
			dir);
		return NULL;
	}
	ddp = pm_calloc(1, sizeof(*ddp), err);
	if (!ddp)
		return NULL;
	rd.ddp = ddp;
	ddp->dir = pm_strdup(dir, err);
	path = path_join(dir, PM_DDP_DDPID, err);
	rd.ddpms_path = path_join(dir, PM_DDP_DDPMS, err);
	if (!ddp->dir || !path || !rd.ddpms_path)
		goto fail;

	if (slurp(path, 4096, &buf, &len, err) < 0) {
		if (err && err->code == PM_EFORMAT)
			pm_err_prefix(err, "'%s': ", path);
		goto fail;
	}
	parse_ddpid(&rd, path, buf, len);
	free(buf);
	buf = NULL;
	if (read_ddpms(&rd) < 0)
		goto fail;
	if (rd.d0 && rd.d0->dsi[0]) {
		ddp->image_path = path_join(dir, rd.d0->dsi, err);
		if (!ddp->image_path)
			goto fail;
		ddp->image_offset_bytes = PM_MAX(rd.d0->ofs_bytes, 0);
		ddp->image_start_frames = 0;
		ddp->image_frames = (uint32_t)PM_MAX(rd.d0->dsl, 0);
	}
	read_pq(&rd);
	read_cdtext(&rd);
	check_silence(&rd);
	if (!rd.opt->skip_checksums && check_checksums(&rd) < 0)
		goto fail;

	if (ddp->nerrors > 0 && !rd.opt->keep_broken) {
		const char *first = "";

		for (size_t i = 0; i < ddp->nproblems; i++)
			if (ddp->problems[i].level == PM_LOG_ERROR) {
				first = ddp->problems[i].msg;
				break;
			}
		pm_err_set(err, PM_EFORMAT, "%s%s", first,
			   ddp->nerrors > 1 ? " (and more, logged)" : "");
		goto fail;
	}
	free(path);
	free(rd.ddpms_path);
	free(rd.pq_path);
	free(rd.cdtext_path);
	return ddp;
fail:
	free(buf);
	free(path);
	free(rd.ddpms_path);
	free(rd.pq_path);
	free(rd.cdtext_path);
	pm_ddp_free(ddp);
	return NULL;
}

void pm_ddp_free(struct pm_ddp *ddp)
{
	if (!ddp)
		return;
	for (size_t i = 0; i < ddp->nproblems; i++)
		free(ddp->problems[i].msg);
	free(ddp->problems);
	free(ddp->maps);
	free(ddp->pq);
	free(ddp->cdtext);
	free(ddp->image_path);
	free(ddp->dir);
	free(ddp);
}

/* ------------------------------------------------------------------ */
/* Extracting */

static const char *cb1(unsigned control, bool scms, char *buf)
{
	static const char hex[] = "0123456789ABCDEF";

	buf[0] = hex[control & 0xF];
	buf[1] = scms ? 'S' : '1';
	buf[2] = '\0';
	return buf;
}

/* Append a word to a comma-separated list. */
static void add_word(char *buf, size_t size, const char *word)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%s%s", n ? "," : "", word);
}

int pm_ddp_listing(FILE *fp, const struct pm_disc *disc, struct pm_err *err)
{
	struct pm_pq_entry *e;
	size_t n;
	char t[12], c[4];

	e = pm_disc_entries(disc, &n, err);
	if (!e)
		return -1;
	fprintf(fp, "TRACK\tINDEX\tTIME\tISRC\tCONTROL\tFLAGS\n");
	if (disc->upc[0])
		fprintf(fp, "UPC\t%s\n", disc->upc);
	for (size_t i = 0; i < n; i++) {
		char flags[64] = "";

		if (i > 0 && e[i].track == LEADOUT && e[i - 1].track == LEADOUT)
			continue; /* the lead-out is written twice, listed once
				   */
		if (e[i].control & PM_CTL_PREEMPHASIS)
			add_word(flags, sizeof(flags), "pre-emphasis");
		if (e[i].control & PM_CTL_COPY)
			add_word(flags, sizeof(flags), "copy");
		if (e[i].scms)
			add_word(flags, sizeof(flags), "scms");
		if (e[i].control & PM_CTL_DATA)
			add_word(flags, sizeof(flags), "data");
		if (e[i].control & PM_CTL_FOUR_CHANNEL)
			add_word(flags, sizeof(flags), "four-channel");
		if (e[i].track == LEADOUT)
			fprintf(fp, "AA");
		else
			fprintf(fp, "%02u", e[i].track);
		fprintf(fp, "\t%02u\t%s\t%s\t%s\t%s\n", e[i].index,
			pm_msf_format(e[i].frames, t),
			e[i].isrc[0] ? e[i].isrc : "-",
			cb1(e[i].control, e[i].scms, c),
			flags[0] ? flags : "-");
	}
	free(e);
	if (ferror(fp))
		return pm_err_sys(err, PM_EIO, "cannot write the PQ listing");
	return 0;
}

/* Copy frames [start, end) of the image into a new 16-bit WAV. */
static int extract_span(const struct pm_ddp *ddp, int fd, const char *path,
			uint32_t start, uint32_t end, int16_t *buf,
			struct pm_err *err)
{
	const struct pm_audio_spec spec = { .format = PM_FORMAT_WAV,
					    .rate = PM_CD_RATE,
					    .channels = PM_CD_CHANNELS,
					    .bits = 16 };
	struct pm_audio_writer *w = pm_audio_create(path, &spec, NULL, err);
	uint32_t at = start;

	if (!w)
		return -1;
	while (at < end) {
		uint32_t n = PM_MIN(CHUNK_FRAMES, end - at);
		size_t bytes = (size_t)n * PM_BYTES_PER_FRAME;
		int64_t offset = ddp->image_offset_bytes +
				 (int64_t)(at - ddp->image_start_frames) *
					 PM_BYTES_PER_FRAME;
		ssize_t got;

		if (pm_interrupted()) {
			pm_err_set(err, PM_EINTR,
				   "interrupted while writing '%s'", path);
			goto fail;
		}
		got = read_at(fd, buf, bytes, offset);
		if (got < 0) {
			pm_err_sys(err, PM_EIO, "cannot read '%s'",
				   ddp->image_path);
			goto fail;
		}
		if ((size_t)got != bytes) {
			pm_err_set(err, PM_EIO,
				   "'%s' ends before sector %" PRIu32,
				   ddp->image_path, at + n);
			goto fail;
		}
		le16_swap(buf, bytes / 2);
		if (pm_audio_write_s16(w, buf, pm_frame_samples(n), err) < 0)
			goto fail;
		at += n;
	}
	return pm_audio_finish(w, err);
fail:
	pm_audio_finish(w, NULL);
	return -1;
}

int pm_ddp_extract_into(const struct pm_ddp *ddp, enum pm_gap_policy policy,
			const struct pm_outdir *od, struct pm_err *err)
{
	struct pm_span spans[2 * PM_MAX_TRACKS];
	int16_t *buf = NULL;
	char *path = NULL;
	FILE *fp = NULL;
	size_t n;
	int fd = -1, ret = -1;

	if (ddp->nerrors > 0 || !ddp->image_path || ddp->disc.ntracks == 0)
		return pm_err_set(
			err, PM_EINVAL,
			"'%s' has %u error%s; refusing to extract tracks from it",
			ddp->dir, ddp->nerrors, ddp->nerrors == 1 ? "" : "s");
	n = pm_disc_spans(&ddp->disc, policy, spans);
	buf = pm_malloc(CHUNK_BYTES, err);
	if (!buf)
		goto out;
	fd = open(ddp->image_path, O_RDONLY);
	if (fd < 0) {
		pm_err_sys(err, PM_ENOINPUT, "cannot open '%s'",
			   ddp->image_path);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char name[32];

		if (spans[i].track)
			snprintf(name, sizeof(name), "%02u.wav",
				 spans[i].track);
		else
			snprintf(name, sizeof(name), "%02u-pause.wav",
				 spans[i].pause_of);
		path = pm_outdir_path(od, name, err);
		if (!path || extract_span(ddp, fd, path, spans[i].start_frames,
					  spans[i].end_frames, buf, err) < 0)
			goto out;
		free(path);
		path = NULL;
		pm_progress_update("tracks", i + 1, n);
	}
	path = pm_outdir_path(od, PM_DDP_LISTING, err);
	if (!path)
		goto out;
	fp = fopen(path, "w");
	if (!fp) {
		pm_err_sys(err, PM_ECREATE, "cannot create '%s'", path);
		goto out;
	}
	if (pm_ddp_listing(fp, &ddp->disc, err) < 0)
		goto out;
	if (fclose(fp) != 0) {
		fp = NULL;
		pm_err_sys(err, PM_EIO, "cannot write '%s'", path);
		goto out;
	}
	fp = NULL;
	ret = 0;
out:
	pm_progress_clear();
	if (fp)
		fclose(fp);
	if (fd >= 0)
		close(fd);
	free(path);
	free(buf);
	return ret;
}

int pm_ddp_extract(const struct pm_ddp *ddp, enum pm_gap_policy policy,
		   const char *outdir, bool force, struct pm_err *err)
{
	struct pm_outdir od = { 0 };
	char *parent = pm_strdup(outdir, err);
	const char *name;
	char *slash;
	size_t len;
	int ret = -1;

	if (!parent)
		return -1;
	len = strlen(parent);
	while (len > 1 && parent[len - 1] == '/')
		parent[--len] = '\0';
	slash = strrchr(parent, '/');
	if (!slash) {
		name = parent;
	} else {
		*slash = '\0';
		name = slash + 1;
	}
	if (pm_outdir_begin(&od, slash ? (slash == parent ? "/" : parent) : ".",
			    name, force, err) < 0)
		goto out;
	if (pm_ddp_extract_into(ddp, policy, &od, err) < 0 ||
	    pm_outdir_commit(&od, err) < 0)
		goto out;
	ret = 0;
out:
	pm_outdir_release(&od);
	free(parent);
	return ret;
}
