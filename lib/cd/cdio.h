/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cdio.h: what a disc image says about itself, read through libcdio.
 * cd/cdio.c is the only file that includes libcdio headers; nothing of
 * libcdio (cdtext_t, CdIo_t, its enums) appears here.  It decodes CD-TEXT
 * packs (a DDP's CDTEXT.BIN) and reads CUE sheets and TOCs back.
 */
#ifndef PM_CDIO_H
#define PM_CDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "album/album.h"
#include "util/err.h"

#define PM_DISC_MAX_TRACKS        99
#define PM_DISC_MAX_CDTEXT_BLOCKS 8

/*
 * One decoded CD-TEXT language block.  Strings are UTF-8 (libcdio
 * converts from the block's character code), owned, and NULL when the
 * block has no such string or an empty one: CD-TEXT writes an absent
 * entry of a present field as an empty string, so the two cannot be
 * told apart.
 */
struct pm_cdtext_lang {
	unsigned block;     /* block number 0..7 */
	unsigned lang_code; /* EBU Tech 3264: 0x09 English, 0x08 German */
	unsigned char_code; /* 0x00 ISO-8859-1, 0x01 ASCII, 0x80 MS-JIS */
	bool copyright;     /* the size info's copyright byte was 0x03 */
	unsigned first_track;
	unsigned last_track;
	/* [f][0] is the disc's string, [f][n] track n's (pack 0x80 + f) */
	char *text[PM_NFIELDS][PM_DISC_MAX_TRACKS + 1];
	char *upc;                          /* pack 0x8E, disc */
	char *isrc[PM_DISC_MAX_TRACKS + 1]; /* pack 0x8E, [n] track n */
	char *disc_id;                      /* pack 0x86 */
	unsigned genre_code;                /* pack 0x87; 0 none */
	char *genre_text;                   /* pack 0x87's text */
};

/* The CD-TEXT of a disc: its language blocks in block order. */
struct pm_cdtext_text {
	size_t nblocks;
	struct pm_cdtext_lang block[PM_DISC_MAX_CDTEXT_BLOCKS];
};

/*
 * Decode raw CD-TEXT packs (`len` bytes: 18-byte packs, optionally one
 * trailing 0x00 byte or a leading 4-byte header, both of which libcdio
 * itself refuses) into `text`, which is overwritten.  libcdio does the
 * decoding; around it, each block is handed over on its own (libcdio
 * 2.1 applies the last block's character code to every block) and each
 * string starts a pack of its own (libcdio 2.1 drops an empty string
 * without moving on to the next track, which shifts the rest of the pack
 * to the wrong tracks).  CRCs are not checked: that is
 * pm_cdtext_validate()'s job, and it should run first.  libcdio's
 * messages go to util/log at PM_LOG_DEBUG.
 *
 * Returns 0, or -1 with `err` set (PM_EFORMAT: not packs, blocks out of
 * order, a block without size information, libcdio refused it;
 * PM_EUNSUPPORTED: a string longer than libcdio's 256-byte buffer;
 * PM_ENOMEM) and `text` released.  Release with pm_cdio_cdtext_release().
 */
int pm_cdio_cdtext_decode(const uint8_t *buf, size_t len,
			  struct pm_cdtext_text *text, struct pm_err *err);

/* Free the strings of `text` and zero it.  A zeroed struct is a no-op. */
void pm_cdio_cdtext_release(struct pm_cdtext_text *text);

/* The block in language `lang_code`, or NULL.  Borrowed from `text`. */
const struct pm_cdtext_lang *
pm_cdio_cdtext_lang(const struct pm_cdtext_text *text, unsigned lang_code);

/* ------------------------------------------------------------------ */
/* Reading CUE sheets and cdrdao TOCs back                               */

/* What libcdio's image drivers make of a CUE sheet or a TOC. */
struct pm_image_layout {
	unsigned first_track, ntracks;
	int32_t start_lsn[100];  /* [n]: track n's index 01, LSN */
	int32_t leadout_lsn;
	char isrc[100][13];      /* [n]: track n's ISRC, or "" */
	bool preemphasis[100], copy[100];
	char mcn[14];            /* the catalogue number, or "" */
	char title[100][161];    /* CD-TEXT titles: [0] disc, [n] track n */
	char performer[100][161];
};

/*
 * Open the CUE sheet or TOC at `sheet` (is_toc says which) with libcdio
 * and read its layout.  libcdio looks for the audio beside a CUE sheet as
 * NAME.bin and resolves a TOC's FILE against the working directory, so
 * the sheet is read from a private temporary directory where `audio` (the
 * image file the sheet references) is linked under the names libcdio
 * wants.  LSN 0 is the file's first sector.  Returns 0, or -1 with `err`
 * (PM_EFORMAT when libcdio refuses the sheet).
 */
int pm_cdio_read_image(const char *sheet, bool is_toc, const char *audio,
		       struct pm_image_layout *out, struct pm_err *err);

#endif
