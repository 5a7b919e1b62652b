/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * image.h: a disc and where its audio is: the layout (a pm_disc, in
 * absolute frames), the programme as a run of pieces (silence, an audio
 * file, a raw file: a DDP's IMAGE.DAT, a CUE's BINARY), and the disc's
 * texts.  A DDP (pm_disc_image_from_ddp) and a CUE or TOC sheet
 * (sheet-read.h) both become one; premaster init --from-* turns it into
 * an album (lib/sequence/import).
 */
#ifndef PM_CD_IMAGE_H
#define PM_CD_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cd/cdio.h"
#include "cd/pq.h"
#include "util/err.h"

struct pm_ddp;

enum pm_piece_kind {
	PM_PIECE_SILENCE = 0, /* digital silence nobody stores (PREGAP) */
	PM_PIECE_FILE,        /* an audio file premaster reads */
	PM_PIECE_RAW,         /* 16-bit stereo 44.1 kHz samples, no header */
};

/* One piece of the programme, in order: A-time runs through them. */
struct pm_piece {
	enum pm_piece_kind kind;
	char *path;      /* owned; FILE and RAW */
	bool big_endian; /* RAW: MOTOROLA byte order (little otherwise) */
	int64_t offset;  /* FILE: first sample used; RAW: first byte */
	uint32_t rate;   /* FILE: its rate (a CD frame is rate / 75 samples) */
	uint32_t frames; /* length in CD frames */
	char where[96];  /* "FILE:LINE" that made it, for messages, or "" */
};

struct pm_disc_image {
	struct pm_disc disc;
	size_t npieces;
	struct pm_piece *pieces; /* owned; their frames sum to the lead-out */
	/* the disc's texts: decoded CD-TEXT, or what a sheet says */
	bool has_text;
	struct pm_cdtext_text text;
	/* the raw packs when there are any (CDTEXT.BIN, CDTEXTFILE) */
	uint8_t *cdtext;
	size_t cdtext_bytes;
	char master_id[49]; /* a DDP's, or "" */
	char *release_date; /* YYYY-MM-DD from a sheet's REM DATE, or NULL */
	char *origin;       /* "DDP 'dir'", "CUE sheet 'x.cue'" */
};

/* Release what `img` owns and zero it.  A zeroed image is a no-op. */
void pm_disc_image_release(struct pm_disc_image *img);

/*
 * The image of a DDP read without errors: its disc, IMAGE.DAT as one raw
 * piece, its CD-TEXT packs and their decoding, its master ID.  Returns 0
 * or -1 with `err` (PM_EINVAL for a DDP with errors, PM_EFORMAT for
 * CD-TEXT libcdio cannot decode, PM_ENOMEM).
 */
int pm_disc_image_from_ddp(const struct pm_ddp *ddp, struct pm_disc_image *img,
			   struct pm_err *err);

/* Append a piece (copying `path`).  Returns 0 or -1 (PM_ENOMEM). */
int pm_disc_image_add(struct pm_disc_image *img, enum pm_piece_kind kind,
		      const char *path, int64_t offset, uint32_t rate,
		      uint32_t frames, const char *where, struct pm_err *err);

/* A reader of the programme, frame by frame. */
struct pm_image_reader;

/* Open a reader on `img` (borrowed).  NULL with `err` when memory runs out. */
struct pm_image_reader *pm_image_reader_new(const struct pm_disc_image *img,
					    struct pm_err *err);
void pm_image_reader_free(struct pm_image_reader *r);

/*
 * Whether frames [start, end) of the programme are digital silence (every
 * sample exactly zero; a file of more than 16 bits is read as floats, so
 * its least step counts).  Returns 1, 0, or -1 with `err` (PM_ENOINPUT,
 * PM_EIO).
 */
int pm_image_is_silent(struct pm_image_reader *r, uint32_t start, uint32_t end,
		       struct pm_err *err);

/*
 * Read frames [start, start + n) as 16-bit stereo (n * 1176 values).  A
 * file piece must be 16-bit 44.1 kHz stereo for this to be exact; other
 * files are refused (PM_EUNSUPPORTED).  Returns 0 or -1 with `err`.
 */
int pm_image_read_s16(struct pm_image_reader *r, uint32_t start, uint32_t n,
		      int16_t *out, struct pm_err *err);

/*
 * The piece holding frame `f` (the last piece for the lead-out), and
 * where in it: *into gets the frames before `f` in that piece.  Returns
 * its index, or (size_t)-1 past the programme.
 */
size_t pm_image_piece_at(const struct pm_disc_image *img, uint32_t f,
			 uint32_t *into);

#endif
