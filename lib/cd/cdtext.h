/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cdtext.h: CD-TEXT as it is stored in the lead-in and in a DDP's
 * CDTEXT.BIN: 18-byte packs (4 header bytes, 12 payload bytes, an inverted
 * CRC-16), up to 8 language blocks, each ending with three 0x8F size-info
 * packs.  Our own encoder (libcdio only decodes) and a structural
 * validator.  Decoding to strings is cd/cdio.c's (libcdio).  The layout:
 * doc/internals/ddp-cdtext.md §7.
 */
#ifndef PM_CDTEXT_H
#define PM_CDTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "album/album.h"
#include "util/err.h"

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
 * character set (see album/charset.h), NUL-terminated. */
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
 * size-info packs.  Sequence numbers count the packs of each block from
 * 0: they restart at 0 in every block (libburn's doc/cdtext.txt: "Sequence
 * numbers of each block are counted separately"; libburn keeps one
 * counter per block and libcdio's decoder restarts its count at each new
 * block).  The character-position nibble counts characters of the current
 * string already in earlier packs, capped at 15.
 *
 * MS-JIS blocks (character code 0x80) hold double-byte characters only:
 * their 0x80..0x85 packs carry the DBCC bit (bit 7 of byte 3), their
 * strings end with two NUL bytes and character positions count 2-byte
 * characters.  0x86, 0x87 and 0x8E are single-byte ASCII in every block.
 * Repeated texts are written out in full; the optional TAB shorthand
 * ("same as the previous track") is never used.
 *
 * No 4-byte header.  Returns 0 and a new buffer of *len bytes (a multiple
 * of 18) to free(), or -1 with `err`: PM_EFORMAT when a block would pass
 * PM_CDTEXT_MAX_PACKS (the message names the block), PM_EINVAL for input
 * outside the limits above (track numbers past 99, more than 8 blocks,
 * text of an MS-JIS block that is not double-byte), PM_ENOMEM.
 */
int pm_cdtext_encode(const struct pm_cdtext_in *in, uint8_t **out,
		     size_t *len, struct pm_err *err);

/*
 * Build and encode the CD-TEXT of an album: one block per
 * album->cd.blocks entry, in that order, with its language code and
 * character set; texts chosen by pm_album_cdtext() (album/check.c's
 * rule: the block's language, the unlabelled text in the first block,
 * track artist/songwriter/composer/arranger falling back to the
 * release's); the UPC and ISRCs (0x8E), the genre code and text (0x87,
 * ASCII) and the disc id (0x86) in every block; the copyright byte.
 * Every string is converted with pm_charset_convert(); with
 * transliteration each changed string is logged as a warning naming the
 * field and track ("track 3 ('t3') title: CD-TEXT 'en' (iso-8859-1)
 * transliterated to 'Lódz'").  MS-JIS blocks take double-byte characters
 * only: with transliteration printable ASCII is widened to its full-width
 * form, without it a single-byte character is an error.
 *
 * Returns 0 with *out NULL and *len 0 when the album has CD-TEXT (or the
 * CD) disabled.  Returns -1 with `err`: PM_ESCHEMA for text a block's
 * character set cannot hold ("track 3 ('t3') title: 'ł' (U+0142) cannot
 * be written in CD-TEXT iso-8859-1"), too long, or a field set for some
 * tracks but not all; PM_EFORMAT when a block passes PM_CDTEXT_MAX_PACKS
 * ("CD-TEXT block 'de' needs 300 packs; ..."); PM_ENOMEM.
 */
int pm_cdtext_from_album(const struct pm_album *album, uint8_t **out,
			 size_t *len, struct pm_err *err);

/*
 * The CRC-16 of a pack's first 16 bytes (poly 0x1021, init 0, no
 * reflection), inverted: the value stored big-endian in bytes 16..17.
 */
uint16_t pm_cdtext_crc(const uint8_t *pack);

/* A block's size information: the 36 payload bytes of its 0x8F packs. */
struct pm_cdtext_size_info {
	unsigned char_code; /* 0x00 ISO-8859-1, 0x01 ASCII, 0x80 MS-JIS */
	unsigned first_track;
	unsigned last_track;
	unsigned copyright;  /* 0x00 none, 0x03 copyrighted */
	unsigned npacks[16]; /* packs of type 0x80 + i, 0x8F's own 3 included */
	unsigned last_seq[PM_CDTEXT_MAX_BLOCKS];  /* per block */
	unsigned lang_code[PM_CDTEXT_MAX_BLOCKS]; /* per block, EBU Tech 3264 */
};

/*
 * Decode the size information of block `block` from raw packs (`len`
 * bytes; a trailing partial pack is ignored).  Looks for the block's 0x8F
 * packs with track bytes 0, 1 and 2; CRCs are not checked (that is
 * pm_cdtext_validate's job).  Returns 0, or -1 when the block has not all
 * three.
 */
int pm_cdtext_size_info(const uint8_t *buf, size_t len, unsigned block,
			struct pm_cdtext_size_info *si);

/*
 * Check the structure of raw packs: the length a multiple of 18 (one
 * trailing 0x00 byte is tolerated with a warning), every CRC, sequence
 * numbers consecutive from 0 in each block, block numbers 0..7 in order,
 * each block ending with three 0x8F packs whose pack counts, last
 * sequence numbers and first/last track match the packs.  When ntracks
 * is non-zero, the size info's last track must equal it.  Also checked:
 * pack types, the extension flag, the DBCC bit against the character
 * code, every text type (0x80..0x85, 0x8E) holding one string for the
 * disc and one per track with each pack's track number naming the string
 * at its first byte, and text bytes valid in the block's character code
 * (no control characters; ASCII blocks below 0x7F).  A character
 * position other than the one an encoder would write is only a warning
 * (decoders ignore it).
 *
 * Packs are numbered from 0 in the file.  Each problem is logged as
 * "CONTEXT: pack N: ..." (PM_LOG_ERROR; `context` NULL reads "CD-TEXT").
 * Returns the number of problems (0: sound).
 */
unsigned pm_cdtext_validate(const uint8_t *buf, size_t len, unsigned ntracks,
			    const char *context);

#endif
