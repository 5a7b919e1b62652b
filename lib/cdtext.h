/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cdtext.h: CD-TEXT as it is stored in the lead-in and in a DDP's
 * CDTEXT.BIN: 18-byte packs (4 header bytes, 12 payload bytes, an inverted
 * CRC-16), up to 8 language blocks, each ending with three 0x8F size-info
 * packs.  Our own encoder (libcdio only decodes) and a structural
 * validator.  Decoding to strings is lib/disc's (libcdio).
 */
#ifndef PM_CDTEXT_H
#define PM_CDTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "album.h"
#include "err.h"

#define PM_CDTEXT_PACK_BYTES 18
#define PM_CDTEXT_MAX_BLOCKS 8
/* packs per block, the three size-info packs included (libburn's cap) */
#define PM_CDTEXT_MAX_PACKS 255

/* Pack types. */
enum {
	PM_PACK_TITLE = 0x80,
	PM_PACK_PERFORMER = 0x81,
	PM_PACK_SONGWRITER = 0x82,
	PM_PACK_COMPOSER = 0x83,
	PM_PACK_ARRANGER = 0x84,
	PM_PACK_MESSAGE = 0x85,
	PM_PACK_DISC_ID = 0x86,
	PM_PACK_GENRE = 0x87,
	PM_PACK_UPC_ISRC = 0x8E,
	PM_PACK_SIZE_INFO = 0x8F,
};

/* One language block to encode.  Strings are already in the block's
 * character set (see lib/charset), NUL-terminated. */
struct pm_cdtext_block_in {
	unsigned lang_code;      /* EBU Tech 3264: 0x09 English, ... */
	enum pm_charset charset; /* character code in the size info */
	/*
	 * text[f][0] is the disc's string, text[f][1..ntracks] the tracks'.
	 * A field is written when any of its entries is non-NULL; a NULL
	 * entry of a written field is written as an empty string.
	 */
	const char *text[PM_NFIELDS][100];
	const char *disc_id;     /* pack 0x86, or NULL */
	unsigned genre_code;     /* pack 0x87 when non-zero */
	const char *genre_text;  /* its text, or NULL */
};

struct pm_cdtext_in {
	unsigned first_track; /* 1 */
	unsigned ntracks;     /* 1..99 */
	size_t nblocks;       /* 1..8 */
	struct pm_cdtext_block_in block[PM_CDTEXT_MAX_BLOCKS];
	/* pack 0x8E, in every block: disc = UPC/EAN, tracks = ISRCs; written
	 * when the UPC or any ISRC is set */
	const char *upc;
	const char *isrc[100]; /* [1..ntracks] */
	bool copyright;        /* the size info's copyright byte: 0x03 */
};

/*
 * Encode CD-TEXT packs: per block, the text pack types in ascending
 * order (each type's strings disc, T1..Tn NUL-terminated and cut into
 * 12-byte payloads, the last one NUL-padded), then the three 0x8F
 * size-info packs.  Sequence numbers count the packs of each block from 0
 * (verify this against libburn's cdtext.txt); the character-position nibble counts characters of the
 * current string already in earlier packs, capped at 15.  No 4-byte
 * header.  Returns 0 and a new buffer of *len bytes (a multiple of 18) to
 * free(), or -1 with `err` (PM_EFORMAT when a block would pass
 * PM_CDTEXT_MAX_PACKS, PM_ENOMEM).
 */
int pm_cdtext_encode(const struct pm_cdtext_in *in, uint8_t **out,
		     size_t *len, struct pm_err *err);

/*
 * Build and encode the CD-TEXT of an album (album->cd's blocks, charsets
 * and transliteration; track texts fall back to the release's as
 * album-check documents).  Text that a block's charset cannot hold is an
 * error naming the field and the track; with transliteration each change
 * is logged as a warning.  Returns 0 with *out NULL and *len 0 when the
 * album has CD-TEXT disabled.  Returns -1 with `err` (PM_ESCHEMA for text,
 * PM_EFORMAT for size).
 */
int pm_cdtext_from_album(const struct pm_album *album, uint8_t **out,
			 size_t *len, struct pm_err *err);

/* The CRC-16 of a pack's first 16 bytes (poly 0x1021, init 0), inverted. */
uint16_t pm_cdtext_crc(const uint8_t *pack);

/*
 * Check the structure of raw packs: the length a multiple of 18 (one
 * trailing 0x00 byte is tolerated with a warning), every CRC, sequence
 * numbers consecutive from 0 in each block, block numbers 0..7 in order,
 * each block ending with three 0x8F packs whose pack counts, last
 * sequence numbers and first/last track match the packs.  When ntracks
 * is non-zero, the size info's last track must equal it.  Each problem
 * is logged as "CONTEXT: pack N: ..." (PM_LOG_ERROR).  Returns the number
 * of problems (0: sound).
 */
unsigned pm_cdtext_validate(const uint8_t *buf, size_t len, unsigned ntracks,
			    const char *context);

#endif
