/* SPDX-License-Identifier: GPL-3.0-or-later */
/* image.c: a disc's programme as pieces, and reading it back. */
#include <config.h>

#include "cd/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cd/ddp.h"
#include "io/audio.h"
#include "util/msf.h"
#include "util/path.h"

#include "util/banned.h"

#define CHUNK 256u            /* CD frames per raw read */
#define FBUF_FRAMES 65536     /* file frames per float read */

void pm_disc_image_release(struct pm_disc_image *img)
{
	size_t i;

	for (i = 0; i < img->npieces; i++)
		free(img->pieces[i].path);
	free(img->pieces);
	pm_cdio_cdtext_release(&img->text);
	free(img->cdtext);
	free(img->release_date);
	free(img->origin);
	memset(img, 0, sizeof(*img));
}

int pm_disc_image_add(struct pm_disc_image *img, enum pm_piece_kind kind,
		      const char *path, int64_t offset, uint32_t rate,
		      uint32_t frames, const char *where, struct pm_err *err)
{
	struct pm_piece *p;

	p = pm_reallocarray(img->pieces, img->npieces + 1, sizeof(*p), err);
	if (!p)
		return -1;
	img->pieces = p;
	p = &img->pieces[img->npieces];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->offset = offset;
	p->rate = rate ? rate : PM_CD_RATE;
	p->frames = frames;
	snprintf(p->where, sizeof(p->where), "%s", where ? where : "");
	if (path) {
		p->path = pm_strdup(path, err);
		if (!p->path)
			return -1;
	}
	img->npieces++;
	return 0;
}

int pm_disc_image_from_ddp(const struct pm_ddp *ddp, struct pm_disc_image *img,
			   struct pm_err *err)
{
	size_t n;

	memset(img, 0, sizeof(*img));
	if (ddp->nerrors > 0 || !ddp->image_path)
		return pm_err_set(err, PM_EINVAL, "'%s' has %u error%s",
				  ddp->dir, ddp->nerrors,
				  ddp->nerrors == 1 ? "" : "s");
	if (ddp->image_start_frames != 0 ||
	    ddp->image_frames < ddp->disc.leadout_frames)
		return pm_err_set(err, PM_EUNSUPPORTED,
				  "'%s': the image holds sectors %u to %u, not the programme's 0 to %u",
				  ddp->dir, ddp->image_start_frames,
				  ddp->image_start_frames + ddp->image_frames,
				  ddp->disc.leadout_frames);
	img->disc = ddp->disc;
	snprintf(img->master_id, sizeof(img->master_id), "%s",
		 ddp->id.master_id);
	n = strlen(ddp->dir) + 16;
	img->origin = pm_malloc(n, err);
	if (!img->origin)
		goto fail;
	snprintf(img->origin, n, "DDP '%s'", ddp->dir);
	if (pm_disc_image_add(img, PM_PIECE_RAW, ddp->image_path,
			      ddp->image_offset_bytes, PM_CD_RATE,
			      ddp->disc.leadout_frames, NULL, err) < 0)
		goto fail;
	if (ddp->cdtext && ddp->cdtext_bytes) {
		img->cdtext = pm_malloc(ddp->cdtext_bytes, err);
		if (!img->cdtext)
			goto fail;
		memcpy(img->cdtext, ddp->cdtext, ddp->cdtext_bytes);
		img->cdtext_bytes = ddp->cdtext_bytes;
		if (pm_cdio_cdtext_decode(img->cdtext, img->cdtext_bytes,
					  &img->text, err) < 0)
			goto fail;
		img->has_text = true;
	}
	return 0;
fail:
	pm_disc_image_release(img);
	return -1;
}

size_t pm_image_piece_at(const struct pm_disc_image *img, uint32_t f,
			 uint32_t *into)
{
	uint32_t at = 0;
	size_t i;

	for (i = 0; i < img->npieces; i++) {
		if (f < at + img->pieces[i].frames ||
		    (i + 1 == img->npieces && f == at + img->pieces[i].frames)) {
			*into = f - at;
			return i;
		}
		at += img->pieces[i].frames;
	}
	return (size_t)-1;
}

/* ------------------------------------------------------------------ */
/* Reading                                                              */
/* ------------------------------------------------------------------ */

struct pm_image_reader {
	const struct pm_disc_image *img;
	size_t open; /* the piece whose file is open, or (size_t)-1 */
	int fd;
	struct pm_audio_reader *ar;
	struct pm_audio_info info;
	float *f;
	int16_t *s;
};

struct pm_image_reader *pm_image_reader_new(const struct pm_disc_image *img,
					    struct pm_err *err)
{
	struct pm_image_reader *r = pm_calloc(1, sizeof(*r), err);

	if (!r)
		return NULL;
	r->img = img;
	r->open = (size_t)-1;
	r->fd = -1;
	r->f = pm_malloc((size_t)FBUF_FRAMES * 2 * sizeof(float), err);
	r->s = pm_malloc((size_t)CHUNK * PM_SAMPLES_PER_FRAME * 2 *
				 sizeof(int16_t),
			 err);
	if (!r->f || !r->s) {
		pm_image_reader_free(r);
		return NULL;
	}
	return r;
}

static void close_piece(struct pm_image_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	pm_audio_close(r->ar);
	r->fd = -1;
	r->ar = NULL;
	r->open = (size_t)-1;
}

void pm_image_reader_free(struct pm_image_reader *r)
{
	if (!r)
		return;
	close_piece(r);
	free(r->f);
	free(r->s);
	free(r);
}

/* A piece's file is shorter than the image says. */
static int ends_early(const struct pm_piece *p, struct pm_err *err)
{
	return pm_err_set(err, PM_EIO, "%s%s'%s' ends early", p->where,
			  *p->where ? ": " : "", p->path);
}

static int open_piece(struct pm_image_reader *r, size_t k, struct pm_err *err)
{
	const struct pm_piece *p = &r->img->pieces[k];

	if (r->open == k)
		return 0;
	close_piece(r);
	if (p->kind == PM_PIECE_RAW) {
		r->fd = open(p->path, O_RDONLY);
		if (r->fd < 0)
			return pm_err_sys(err, PM_ENOINPUT, "%s%scannot open '%s'",
					  p->where, *p->where ? ": " : "",
					  p->path);
	} else if (p->kind == PM_PIECE_FILE) {
		r->ar = pm_audio_open(p->path, &r->info, err);
		if (!r->ar)
			return -1;
		if (r->info.rate != p->rate || r->info.channels < 1 ||
		    r->info.channels > 2)
			return pm_err_set(err, PM_EFORMAT,
					  "'%s' changed: it is %u channels at %u Hz",
					  p->path, r->info.channels, r->info.rate);
	}
	r->open = k;
	return 0;
}

/* Samples of a piece's file for `frames` CD frames. */
static int64_t file_samples(const struct pm_piece *p, uint32_t frames)
{
	return (int64_t)frames * p->rate / PM_FRAMES_PER_SEC;
}

/*
 * Visit frames [start, end) piece by piece: fn(r, piece, first frame in
 * the piece, frames, pos in the output).  Stops at the first non-zero.
 */
typedef int visit_fn(struct pm_image_reader *r, size_t k, uint32_t from,
		     uint32_t n, void *ctx, struct pm_err *err);

static int visit(struct pm_image_reader *r, uint32_t start, uint32_t end,
		 visit_fn *fn, void *ctx, struct pm_err *err)
{
	const struct pm_disc_image *img = r->img;
	uint32_t at = 0;
	size_t k;
	int ret;

	for (k = 0; k < img->npieces && at < end; k++) {
		const struct pm_piece *p = &img->pieces[k];
		uint32_t a = start > at ? start - at : 0;
		uint32_t b = end - at < p->frames ? end - at : p->frames;

		if (a < b) {
			ret = fn(r, k, a, b - a, ctx, err);
			if (ret != 1)
				return ret;
		}
		at += p->frames;
	}
	if (at < end)
		return pm_err_set(err, PM_EFORMAT,
				  "the programme ends at frame %u, before %u", at,
				  end);
	return 1;
}

static int silent_piece(struct pm_image_reader *r, size_t k, uint32_t from,
			uint32_t n, void *ctx, struct pm_err *err)
{
	const struct pm_piece *p = &r->img->pieces[k];
	int64_t left, got, j;

	(void)ctx;
	if (p->kind == PM_PIECE_SILENCE)
		return 1;
	if (open_piece(r, k, err) < 0)
		return -1;
	if (p->kind == PM_PIECE_RAW) {
		int64_t off = p->offset + (int64_t)from * PM_BYTES_PER_FRAME;
		uint8_t *b = (uint8_t *)r->s;

		while (n > 0) {
			uint32_t m = n < CHUNK ? n : CHUNK;
			size_t bytes = (size_t)m * PM_BYTES_PER_FRAME;
			ssize_t g = pm_read_at(r->fd, b, bytes, off);

			if (g < 0)
				return pm_err_sys(err, PM_EIO, "cannot read '%s'",
						  p->path);
			if ((size_t)g != bytes)
				return ends_early(p, err);
			for (size_t i = 0; i < bytes; i++)
				if (b[i])
					return 0;
			off += (int64_t)bytes;
			n -= m;
		}
		return 1;
	}
	if (pm_audio_seek(r->ar, p->offset + file_samples(p, from), err) < 0)
		return -1;
	left = file_samples(p, n);
	while (left > 0) {
		int64_t m = left < FBUF_FRAMES ? left : FBUF_FRAMES;

		got = pm_audio_read(r->ar, r->f, m, err);
		if (got < 0)
			return -1;
		if (got == 0)
			return ends_early(p, err);
		for (j = 0; j < got * (int64_t)r->info.channels; j++)
			if (r->f[j] != 0.0f)
				return 0;
		left -= got;
	}
	return 1;
}

int pm_image_is_silent(struct pm_image_reader *r, uint32_t start, uint32_t end,
		       struct pm_err *err)
{
	return visit(r, start, end, silent_piece, NULL, err);
}

static int read_piece(struct pm_image_reader *r, size_t k, uint32_t from,
		      uint32_t n, void *ctx, struct pm_err *err)
{
	const struct pm_piece *p = &r->img->pieces[k];
	int16_t **out = ctx;
	size_t values = (size_t)n * PM_SAMPLES_PER_FRAME * 2;

	if (p->kind == PM_PIECE_SILENCE) {
		memset(*out, 0, values * sizeof(int16_t));
		*out += values;
		return 1;
	}
	if (open_piece(r, k, err) < 0)
		return -1;
	if (p->kind == PM_PIECE_RAW) {
		size_t bytes = (size_t)n * PM_BYTES_PER_FRAME;
		ssize_t g = pm_read_at(r->fd, *out, bytes,
				       p->offset +
					       (int64_t)from * PM_BYTES_PER_FRAME);
		uint8_t *b = (uint8_t *)*out;

		if (g < 0)
			return pm_err_sys(err, PM_EIO, "cannot read '%s'", p->path);
		if ((size_t)g != bytes)
			return ends_early(p, err);
		/* to host order, from the piece's */
		for (size_t i = 0; i < values; i++) {
			unsigned lo = b[2 * i + (p->big_endian ? 1 : 0)];
			unsigned hi = b[2 * i + (p->big_endian ? 0 : 1)];

			(*out)[i] = (int16_t)(uint16_t)(lo | hi << 8);
		}
		*out += values;
		return 1;
	}
	if (r->info.rate != PM_CD_RATE || r->info.channels != 2 ||
	    r->info.bits != 16 || r->info.is_float || r->info.is_lossy)
		return pm_err_set(err, PM_EUNSUPPORTED,
				  "%s%s'%s' is not CD audio (16-bit 44.1 kHz stereo): it cannot be cut into new files",
				  p->where, *p->where ? ": " : "", p->path);
	if (pm_audio_seek(r->ar, p->offset + (int64_t)from * PM_SAMPLES_PER_FRAME,
			  err) < 0)
		return -1;
	for (int64_t left = (int64_t)n * PM_SAMPLES_PER_FRAME; left > 0;) {
		int64_t got = pm_audio_read_s16(r->ar, *out, left, err);

		if (got < 0)
			return -1;
		if (got == 0)
			return ends_early(p, err);
		*out += got * 2;
		left -= got;
	}
	return 1;
}

int pm_image_read_s16(struct pm_image_reader *r, uint32_t start, uint32_t n,
		      int16_t *out, struct pm_err *err)
{
	int16_t *p = out;

	return visit(r, start, start + n, read_piece, &p, err) < 0 ? -1 : 0;
}
