/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdtext.c: CD-TEXT packs: our encoder, the album mapping, a validator. */
#include <config.h>

#include "cd/cdtext.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "album/charset.h"
#include "album/check.h"
#include "util/log.h"

#include "util/banned.h"

#define PAYLOAD_BYTES 12
#define NTYPES        16 /* pack types 0x80..0x8F */

/* Byte 3 of a pack: DBCC bit, block number, character position. */
#define DBCC_BIT     0x80u
#define BLOCK_OF(b3) (((unsigned)(b3) >> 4) & 0x07u)
#define CHARPOS_MAX  15u

/* Character codes of the size info. */
enum {
	CHARCODE_ISO8859_1 = 0x00,
	CHARCODE_ASCII = 0x01,
	CHARCODE_MSJIS = 0x80,
	CHARCODE_KOREAN = 0x81,
	CHARCODE_MANDARIN = 0x82,
};

uint16_t pm_cdtext_crc(const uint8_t *pack)
{
	uint16_t crc = 0;

	for (size_t i = 0; i < 16; i++) {
		crc ^= (uint16_t)(pack[i] << 8);
		for (int bit = 0; bit < 8; bit++)
			crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u)
					      : (uint16_t)(crc << 1);
	}
	return (uint16_t)~crc;
}

static unsigned char_code_of(enum pm_charset cs)
{
	switch (cs) {
	case PM_CHARSET_ASCII:
		return CHARCODE_ASCII;
	case PM_CHARSET_MSJIS:
		return CHARCODE_MSJIS;
	case PM_CHARSET_ISO8859_1:
		break;
	}
	return CHARCODE_ISO8859_1;
}

static bool is_double_byte_code(unsigned char_code)
{
	return char_code == CHARCODE_MSJIS || char_code == CHARCODE_KOREAN ||
	       char_code == CHARCODE_MANDARIN;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                             */
/* ------------------------------------------------------------------ */

/*
 * Packs are produced twice: a first pass only counts them (out NULL, the
 * packs go to `scratch`), so that a block's size and every block's last
 * sequence number are known before the second pass writes the real thing.
 */
struct packer {
	uint8_t *out; /* NULL: count only */
	uint8_t scratch[PM_CDTEXT_PACK_BYTES];
	uint8_t *pack; /* the open pack, or NULL */
	size_t fill;   /* payload bytes used in the open pack */
	size_t npacks; /* packs closed so far, all blocks */
	unsigned block;
	bool is_dbcc;           /* the DBCC bit for the packs being written */
	unsigned nblock;        /* packs closed so far in this block */
	unsigned count[NTYPES]; /* per type, this block */
};

static void close_pack(struct packer *p)
{
	uint16_t crc;

	if (!p->pack)
		return;
	memset(p->pack + 4 + p->fill, 0, PAYLOAD_BYTES - p->fill);
	crc = pm_cdtext_crc(p->pack);
	p->pack[16] = (uint8_t)(crc >> 8);
	p->pack[17] = (uint8_t)(crc & 0xFF);
	p->count[p->pack[0] - PM_PACK_TITLE]++;
	p->nblock++;
	p->npacks++;
	p->pack = NULL;
	p->fill = 0;
}

static void open_pack(struct packer *p, unsigned type, unsigned track,
		      size_t charpos)
{
	uint8_t *q =
		p->out ? p->out + p->npacks * PM_CDTEXT_PACK_BYTES : p->scratch;

	q[0] = (uint8_t)type;
	q[1] = (uint8_t)track;     /* extension flag (bit 7) 0 */
	q[2] = (uint8_t)p->nblock; /* the first pass may count past 255 */
	q[3] = (uint8_t)((p->is_dbcc ? DBCC_BIT : 0) | (p->block << 4) |
			 (charpos > CHARPOS_MAX ? CHARPOS_MAX : charpos));
	p->pack = q;
	p->fill = 0;
}

/*
 * Append bytes of one string of `track` to the packs of `type`.  `base`
 * bytes of the string were appended before; its first `nbinary` bytes
 * are binary (the genre code) and do not count as characters; `width` is
 * the bytes per character.
 */
static void put_string(struct packer *p, unsigned type, unsigned track,
		       const uint8_t *s, size_t n, size_t base, size_t nbinary,
		       size_t width)
{
	for (size_t i = 0; i < n; i++) {
		size_t at = base + i;

		if (p->pack && p->fill == PAYLOAD_BYTES)
			close_pack(p);
		if (!p->pack)
			open_pack(p, type, track,
				  at > nbinary ? (at - nbinary) / width : 0);
		p->pack[4 + p->fill++] = s[i];
	}
}

/* A text field's string and its terminator (one NUL per byte of width). */
static void put_text(struct packer *p, unsigned type, unsigned track,
		     const char *text, size_t width)
{
	static const uint8_t nuls[2] = { 0, 0 };
	size_t n = text ? strlen(text) : 0;

	put_string(p, type, track, (const uint8_t *)(text ? text : ""), n, 0, 0,
		   width);
	put_string(p, type, track, nuls, width, n, 0, width);
}

static bool field_is_set(const struct pm_cdtext_block_in *b, int f,
			 unsigned ntracks)
{
	for (unsigned t = 0; t <= ntracks; t++)
		if (b->text[f][t])
			return true;
	return false;
}

static bool has_upc_isrc(const struct pm_cdtext_in *in)
{
	if (in->upc && in->upc[0])
		return true;
	for (unsigned t = 1; t <= in->ntracks; t++)
		if (in->isrc[t] && in->isrc[t][0])
			return true;
	return false;
}

static void put_size_info(struct packer *p, const struct pm_cdtext_in *in,
			  const struct pm_cdtext_block_in *b,
			  const unsigned *last_seq)
{
	uint8_t si[36] = { 0 };
	size_t k;

	p->is_dbcc = false;
	si[0] = (uint8_t)char_code_of(b->charset);
	si[1] = (uint8_t)in->first_track;
	si[2] = (uint8_t)(in->first_track + in->ntracks - 1);
	si[3] = in->copyright ? 0x03 : 0x00;
	for (k = 0; k < NTYPES; k++)
		si[4 + k] = (uint8_t)p->count[k];
	si[4 + NTYPES - 1] = 3; /* the size info's own packs */
	for (k = 0; k < PM_CDTEXT_MAX_BLOCKS; k++)
		si[20 + k] = (uint8_t)last_seq[k];
	for (k = 0; k < in->nblocks; k++)
		si[28 + k] = (uint8_t)in->block[k].lang_code;
	for (k = 0; k < 3; k++) {
		open_pack(p, PM_PACK_SIZE_INFO, (unsigned)k, 0);
		memcpy(p->pack + 4, si + PAYLOAD_BYTES * k, PAYLOAD_BYTES);
		p->fill = PAYLOAD_BYTES;
		close_pack(p);
	}
}

static void put_block(struct packer *p, const struct pm_cdtext_in *in,
		      unsigned blk, const unsigned *last_seq)
{
	const struct pm_cdtext_block_in *b = &in->block[blk];
	bool is_dbcc = b->charset == PM_CHARSET_MSJIS;
	size_t width = is_dbcc ? 2 : 1;
	unsigned t;

	p->block = blk;
	p->nblock = 0;
	memset(p->count, 0, sizeof(p->count));

	for (int f = 0; f < PM_NFIELDS; f++) {
		if (!field_is_set(b, f, in->ntracks))
			continue;
		p->is_dbcc = is_dbcc;
		for (t = 0; t <= in->ntracks; t++)
			put_text(p, PM_PACK_TITLE + (unsigned)f,
				 t ? in->first_track + t - 1 : 0, b->text[f][t],
				 width);
		close_pack(p);
	}
	p->is_dbcc = false;
	if (b->disc_id) {
		put_text(p, PM_PACK_DISC_ID, 0, b->disc_id, 1);
		close_pack(p);
	}
	if (b->genre_code) {
		uint8_t code[2] = { (uint8_t)(b->genre_code >> 8),
				    (uint8_t)(b->genre_code & 0xFF) };
		const char *g = b->genre_text ? b->genre_text : "";

		put_string(p, PM_PACK_GENRE, 0, code, 2, 0, 2, 1);
		put_string(p, PM_PACK_GENRE, 0, (const uint8_t *)g,
			   strlen(g) + 1, 2, 2, 1);
		close_pack(p);
	}
	if (has_upc_isrc(in)) {
		put_text(p, PM_PACK_UPC_ISRC, 0, in->upc, 1);
		for (t = 1; t <= in->ntracks; t++)
			put_text(p, PM_PACK_UPC_ISRC, in->first_track + t - 1,
				 in->isrc[t], 1);
		close_pack(p);
	}
	put_size_info(p, in, b, last_seq);
}

/* Shift JIS: is every character of `s` double-byte? */
static bool is_double_byte_text(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		bool lead = (u[0] >= 0x81 && u[0] <= 0x9F) ||
			    (u[0] >= 0xE0 && u[0] <= 0xFC);
		bool trail = (u[1] >= 0x40 && u[1] <= 0x7E) ||
			     (u[1] >= 0x80 && u[1] <= 0xFC);

		if (!lead || !trail)
			return false;
		u += 2;
	}
	return true;
}

static int check_input(const struct pm_cdtext_in *in, struct pm_err *err)
{
	if (in->nblocks < 1 || in->nblocks > PM_CDTEXT_MAX_BLOCKS)
		return pm_err_set(err, PM_EINVAL,
				  "CD-TEXT needs 1 to %d blocks, not %zu",
				  PM_CDTEXT_MAX_BLOCKS, in->nblocks);
	if (in->ntracks < 1 || in->first_track < 1 ||
	    in->first_track + in->ntracks - 1 > 99)
		return pm_err_set(err, PM_EINVAL,
				  "CD-TEXT tracks %u to %u are outside 1 to 99",
				  in->first_track,
				  in->first_track + in->ntracks - 1);
	for (size_t k = 0; k < in->nblocks; k++) {
		const struct pm_cdtext_block_in *b = &in->block[k];

		if (b->lang_code > 0x7F)
			return pm_err_set(
				err, PM_EINVAL,
				"CD-TEXT block %zu: language code 0x%X is not an EBU Tech 3264 code",
				k, b->lang_code);
		if (b->genre_code > 0xFFFF)
			return pm_err_set(
				err, PM_EINVAL,
				"CD-TEXT block %zu: genre code %u does not fit in 16 bits",
				k, b->genre_code);
		if (b->charset != PM_CHARSET_MSJIS)
			continue;
		for (int f = 0; f < PM_NFIELDS; f++)
			for (unsigned t = 0; t <= in->ntracks; t++)
				if (b->text[f][t] &&
				    !is_double_byte_text(b->text[f][t]))
					return pm_err_set(
						err, PM_EINVAL,
						"CD-TEXT block %zu: %s %u's %s is not double-byte MS-JIS text",
						k, t ? "track" : "disc (track)",
						t, pm_field_element[f]);
	}
	return 0;
}

/* Which block did not fit, for pm_cdtext_from_album's message. */
struct overflow {
	unsigned block;
	unsigned npacks;
};

/* pm_cdtext_encode, also filling `of` when a block does not fit. */
static int encode(const struct pm_cdtext_in *in, uint8_t **out, size_t *len,
		  struct overflow *of, struct pm_err *err)
{
	struct packer p = { 0 };
	unsigned last_seq[PM_CDTEXT_MAX_BLOCKS] = { 0 };
	unsigned blk;

	*out = NULL;
	*len = 0;
	if (check_input(in, err) < 0)
		return -1;
	/* pass 1: sizes */
	for (blk = 0; blk < in->nblocks; blk++) {
		put_block(&p, in, blk, last_seq);
		if (p.nblock > PM_CDTEXT_MAX_PACKS) {
			if (of) {
				of->block = blk;
				of->npacks = p.nblock;
			}
			return pm_err_set(
				err, PM_EFORMAT,
				"CD-TEXT block %u (language code 0x%02X) needs %u packs; at most %d fit in a block (shorten its texts)",
				blk, in->block[blk].lang_code, p.nblock,
				PM_CDTEXT_MAX_PACKS);
		}
		last_seq[blk] = p.nblock - 1;
	}
	/* pass 2: the packs */
	p.out = pm_calloc(p.npacks, PM_CDTEXT_PACK_BYTES, err);
	if (!p.out)
		return -1;
	*len = p.npacks * PM_CDTEXT_PACK_BYTES;
	p.npacks = 0;
	for (blk = 0; blk < in->nblocks; blk++)
		put_block(&p, in, blk, last_seq);
	*out = p.out;
	return 0;
}

int pm_cdtext_encode(const struct pm_cdtext_in *in, uint8_t **out, size_t *len,
		     struct pm_err *err)
{
	return encode(in, out, len, NULL, err);
}

/* ------------------------------------------------------------------ */
/* From an album                                                        */
/* ------------------------------------------------------------------ */

/* Converted strings, owned here until the packs are written. */
struct strings {
	struct pm_cdtext_in in;
	size_t n, cap;
	char **v;
};

static char *keep(struct strings *s, const char *text, size_t n,
		  struct pm_err *err)
{
	char *copy;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		char **v = pm_reallocarray(s->v, cap, sizeof(*v), err);

		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	copy = pm_malloc(n + 1, err);
	if (!copy)
		return NULL;
	memcpy(copy, text, n);
	copy[n] = '\0';
	s->v[s->n++] = copy;
	return copy;
}

/* "track 3 ('t3') title", "album artist", "album genre" for messages. */
static const char *what_of(const struct pm_album *a, size_t track,
			   const char *field, char *buf, size_t size)
{
	if (track)
		snprintf(buf, size, "track %zu ('%s') %s", track,
			 a->tracks[track - 1].id, field);
	else
		snprintf(buf, size, "album %s", field);
	return buf;
}

/*
 * MS-JIS blocks hold double-byte characters only.  With transliteration,
 * printable ASCII becomes its full-width form (U+FF01..U+FF5E, the space
 * U+3000), which code page 932 writes as two bytes; otherwise the first
 * single-byte character is reported.  Writes UTF-8 to `out`; returns the
 * number of characters widened, or -1 with *bad_cp set.
 */
static int widen(const char *in, bool translit, char *out, size_t size,
		 uint32_t *bad_cp)
{
	size_t n = 0, k;
	int nwide = 0;
	uint32_t cp;

	while (*in) {
		k = pm_utf8_decode(in, &cp);
		if (k == 0) /* pm_charset_convert reports it */
			k = 1;
		else if (cp >= 0x20 && cp <= 0x7E) {
			uint32_t w = cp == 0x20 ? 0x3000 : 0xFF01 + (cp - 0x21);

			if (!translit) {
				*bad_cp = cp;
				return -1;
			}
			if (n + 4 > size)
				return -1;
			out[n++] = (char)(0xE0 | (w >> 12));
			out[n++] = (char)(0x80 | ((w >> 6) & 0x3F));
			out[n++] = (char)(0x80 | (w & 0x3F));
			nwide++;
			in += k;
			continue;
		}
		if (n + k + 1 > size)
			return -1;
		memcpy(out + n, in, k);
		n += k;
		in += k;
	}
	out[n] = '\0';
	return nwide;
}

/* Single-byte CD-TEXT (ISO-8859-1 or ASCII) as UTF-8, for messages. */
static const char *latin1_to_utf8(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (const unsigned char *u = (const unsigned char *)in; *u; u++) {
		if (n + 3 > size)
			break;
		if (*u < 0x80) {
			out[n++] = (char)*u;
		} else {
			out[n++] = (char)(0xC0 | (*u >> 6));
			out[n++] = (char)(0x80 | (*u & 0x3F));
		}
	}
	out[n] = '\0';
	return out;
}

/*
 * Convert one UTF-8 string into block `blk`'s character set and keep it.
 * Returns the kept string, or NULL with `err` (PM_ESCHEMA for text the
 * set cannot hold, naming `what`).
 */
static const char *convert(struct strings *s, const struct pm_album *a,
			   size_t blk, enum pm_charset cs, const char *v,
			   const char *what, struct pm_err *err)
{
	const struct pm_cdtext_block *b = &a->cd.blocks[blk];
	struct pm_charset_result res;
	char out[512], wide[1536], shown[1024], cpd[32];
	uint32_t bad = 0;
	int nwide = 0;

	if (cs == PM_CHARSET_MSJIS) {
		nwide = widen(v, a->cd.transliterate, wide, sizeof(wide), &bad);
		if (nwide < 0 && bad) {
			pm_err_set(
				err, PM_ESCHEMA,
				"%s: %s is a single-byte character; CD-TEXT %s holds double-byte characters only (set transliterate=\"true\" on <cd-text> to write its full-width form)",
				what, pm_describe_cp(bad, cpd, sizeof(cpd)),
				pm_charset_name(cs));
			return NULL;
		}
		if (nwide < 0) {
			pm_err_set(err, PM_ESCHEMA, "%s: too long for CD-TEXT",
				   what);
			return NULL;
		}
		v = wide;
	}
	if (pm_charset_convert(v, cs, a->cd.transliterate, out, sizeof(out),
			       &res) < 0) {
		if (res.too_long)
			pm_err_set(err, PM_ESCHEMA, "%s: too long for CD-TEXT",
				   what);
		else
			pm_err_set(
				err, PM_ESCHEMA,
				"%s: %s cannot be written in CD-TEXT %s%s",
				what,
				pm_describe_cp(res.bad_cp, cpd, sizeof(cpd)),
				pm_charset_name(cs),
				a->cd.transliterate || res.bad_cp < 0x20 ||
						res.bad_cp == 0xFFFFFFFFu
					? ""
					: " (set transliterate=\"true\" on <cd-text> to replace it)");
		return NULL;
	}
	if (cs == PM_CHARSET_MSJIS && !is_double_byte_text(out)) {
		pm_err_set(err, PM_ESCHEMA,
			   "%s: cannot be written as double-byte CD-TEXT %s",
			   what, pm_charset_name(cs));
		return NULL;
	}
	if (res.nchanged || nwide > 0)
		pm_warning("%s: CD-TEXT '%s' (%s) transliterated to '%s'", what,
			   b->lang ? b->lang : "", pm_charset_name(cs),
			   cs == PM_CHARSET_MSJIS
				   ? wide
				   : latin1_to_utf8(out, shown, sizeof(shown)));
	return keep(s, out, res.len, err);
}

static int fill_block(struct strings *s, const struct pm_album *a, size_t blk,
		      struct pm_err *err)
{
	const struct pm_cdtext_block *cb = &a->cd.blocks[blk];
	struct pm_cdtext_block_in *b = &s->in.block[blk];
	char what[128];
	size_t t;

	b->lang_code = cb->lang_code;
	b->charset = cb->charset;
	for (int f = 0; f < PM_NFIELDS; f++) {
		size_t have = 0, missing = 0; /* the first track with, without */

		for (t = 0; t <= a->ntracks; t++) {
			const char *v = pm_album_cdtext(
				a, blk, (enum pm_field)f, t == 0 ? PM_DISC : t - 1);

			if (!v)
				continue;
			what_of(a, t, pm_field_element[f], what, sizeof(what));
			b->text[f][t] =
				convert(s, a, blk, cb->charset, v, what, err);
			if (!b->text[f][t])
				return -1;
		}
		/* album/check.c refuses this at load time; stay defensive */
		for (t = 1; t <= a->ntracks; t++) {
			if (!b->text[f][t] && !missing)
				missing = t;
			else if (b->text[f][t] && !have)
				have = t;
		}
		if (have && missing)
			return pm_err_set(
				err, PM_ESCHEMA,
				"track %zu ('%s') has no %s in CD-TEXT block '%s', but %s has one; CD-TEXT needs it for every track or none",
				missing, a->tracks[missing - 1].id,
				pm_field_element[f], cb->lang ? cb->lang : "",
				a->tracks[have - 1].id);
	}
	/* disc id and genre text are ASCII in every block (Sony) */
	if (a->cd.disc_id) {
		b->disc_id = convert(s, a, blk, PM_CHARSET_ASCII, a->cd.disc_id,
				     "disc-id", err);
		if (!b->disc_id)
			return -1;
	}
	b->genre_code = a->release.genre_code;
	if (b->genre_code && a->release.genre) {
		b->genre_text = convert(s, a, blk, PM_CHARSET_ASCII,
					a->release.genre, "album genre", err);
		if (!b->genre_text)
			return -1;
	}
	return 0;
}

int pm_cdtext_from_album(const struct pm_album *a, uint8_t **out, size_t *len,
			 struct pm_err *err)
{
	struct strings *s = NULL;
	struct overflow of = { 0 };
	size_t blk;
	int ret = -1;

	*out = NULL;
	*len = 0;
	if (!a->cd.enabled || !a->cd.cdtext)
		return 0;
	if (a->ntracks < 1 || a->ntracks > 99)
		return pm_err_set(
			err, PM_ESCHEMA,
			"CD-TEXT needs 1 to 99 tracks; the album has %zu",
			a->ntracks);
	if (a->cd.nblocks < 1 || a->cd.nblocks > PM_CDTEXT_MAX_BLOCKS)
		return pm_err_set(
			err, PM_ESCHEMA,
			"CD-TEXT needs 1 to %d blocks; the album has %zu",
			PM_CDTEXT_MAX_BLOCKS, a->cd.nblocks);
	s = pm_calloc(1, sizeof(*s), err);
	if (!s)
		return -1;
	s->in.first_track = 1;
	s->in.ntracks = (unsigned)a->ntracks;
	s->in.nblocks = a->cd.nblocks;
	s->in.copyright = a->cd.copyright;
	if (a->release.upc[0])
		s->in.upc = a->release.upc;
	for (size_t t = 0; t < a->ntracks; t++)
		if (a->tracks[t].isrc[0])
			s->in.isrc[t + 1] = a->tracks[t].isrc;
	for (blk = 0; blk < a->cd.nblocks; blk++)
		if (fill_block(s, a, blk, err) < 0)
			goto out;
	if (encode(&s->in, out, len, &of, err) < 0) {
		if (of.npacks)
			pm_err_set(
				err, PM_EFORMAT,
				"CD-TEXT block '%s' needs %u packs; at most %d fit in a block (shorten its texts)",
				a->cd.blocks[of.block].lang
					? a->cd.blocks[of.block].lang
					: "",
				of.npacks, PM_CDTEXT_MAX_PACKS);
		goto out;
	}
	ret = 0;
out:
	if (s) {
		for (size_t i = 0; i < s->n; i++)
			free(s->v[i]);
		free(s->v);
		free(s);
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* Size information                                                     */
/* ------------------------------------------------------------------ */

static void size_info_decode(const uint8_t *si, struct pm_cdtext_size_info *o)
{
	size_t k;

	o->char_code = si[0];
	o->first_track = si[1];
	o->last_track = si[2];
	o->copyright = si[3];
	for (k = 0; k < NTYPES; k++)
		o->npacks[k] = si[4 + k];
	for (k = 0; k < PM_CDTEXT_MAX_BLOCKS; k++) {
		o->last_seq[k] = si[20 + k];
		o->lang_code[k] = si[28 + k];
	}
}

int pm_cdtext_size_info(const uint8_t *buf, size_t len, unsigned block,
			struct pm_cdtext_size_info *si)
{
	uint8_t raw[36];
	unsigned seen = 0;

	for (size_t i = 0; i + PM_CDTEXT_PACK_BYTES <= len;
	     i += PM_CDTEXT_PACK_BYTES) {
		const uint8_t *q = buf + i;

		if (q[0] != PM_PACK_SIZE_INFO || BLOCK_OF(q[3]) != block ||
		    q[1] > 2)
			continue;
		memcpy(raw + PAYLOAD_BYTES * q[1], q + 4, PAYLOAD_BYTES);
		seen |= 1u << q[1];
	}
	if (seen != 7)
		return -1;
	size_info_decode(raw, si);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Validation                                                           */
/* ------------------------------------------------------------------ */

struct checker {
	const char *ctx;
	const uint8_t *packs; /* the whole packs */
	size_t npacks;
	unsigned ntracks;
	unsigned problems;
};

static void problem(struct checker *c, const char *fmt, ...) PM_PRINTF(2, 3);

static void problem(struct checker *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pm_error("%s: %s", c->ctx, msg);
	c->problems++;
}

/* One block: packs [first, end) of the file. */
struct block_span {
	size_t first, end;
	unsigned last_seq;
	bool has_size_info;
	struct pm_cdtext_size_info si;
};

static const uint8_t *pack_at(const struct checker *c, size_t i)
{
	return c->packs + i * PM_CDTEXT_PACK_BYTES;
}

/* The track number of string `k` of a text type: 0 is the disc. */
static unsigned track_of_string(unsigned first_track, unsigned k)
{
	return k == 0 ? 0 : first_track + k - 1;
}

/*
 * Walk the strings of one pack type in a block: each pack's track number
 * must name the string at its first byte, there must be one string for
 * the disc and each track (`nstrings`; 0 when unknown), and text bytes
 * must belong to the character code.
 */
static void check_strings(struct checker *c, const struct block_span *b,
			  unsigned type, unsigned first_track,
			  unsigned nstrings)
{
	bool is_text = type <= PM_PACK_MESSAGE;
	bool is_dbcc = is_text && b->has_size_info &&
		       is_double_byte_code(b->si.char_code);
	bool is_multi = type <= PM_PACK_MESSAGE || type == PM_PACK_UPC_ISRC;
	size_t width = is_dbcc ? 2 : 1;
	unsigned k = 0;   /* strings completed */
	size_t chars = 0; /* characters of the current string so far */
	bool has_tab = false, in_padding = false, reported = false;
	size_t last = 0, seen = 0;

	if (!is_multi)
		nstrings = 1;
	for (size_t i = b->first; i < b->end; i++) {
		const uint8_t *q = pack_at(c, i);
		size_t j = 0;
		unsigned want_track = track_of_string(first_track, k);
		size_t want_pos = chars > CHARPOS_MAX ? CHARPOS_MAX : chars;

		if (q[0] != type)
			continue;
		seen++;
		last = i;
		if (in_padding) {
			problem(c,
				"pack %zu: a further 0x%02X pack after the last track's string",
				i, type);
			continue;
		}
		if (type == PM_PACK_GENRE && seen == 1)
			j = 2; /* the genre code */
		if ((q[1] & 0x7F) != want_track)
			problem(c,
				"pack %zu: track number %u, expected %u (the string at its first byte)",
				i, q[1] & 0x7Fu, want_track);
		if (is_text && ((q[3] & DBCC_BIT) != 0) != is_dbcc)
			problem(c,
				"pack %zu: the DBCC bit is %s, but the block's character code is 0x%02X",
				i, (q[3] & DBCC_BIT) ? "set" : "clear",
				b->si.char_code);
		else if (!is_text && (q[3] & DBCC_BIT))
			problem(c,
				"pack %zu: the DBCC bit is set on a single-byte pack type 0x%02X",
				i, type);
		if ((q[3] & 0x0Fu) != want_pos)
			pm_warning(
				"%s: pack %zu: character position %u, an encoder would write %zu",
				c->ctx, i, q[3] & 0x0Fu, want_pos);
		for (; j + width <= PAYLOAD_BYTES; j += width) {
			const uint8_t *u = q + 4 + j;
			bool is_nul = u[0] == 0 && (width == 1 || u[1] == 0);

			if (in_padding) {
				if (!is_nul && !reported) {
					problem(c,
						"pack %zu: bytes after the last track's string of type 0x%02X",
						i, type);
					reported = true;
				}
				continue;
			}
			if (!is_nul) {
				if (u[0] == 0x09 &&
				    (width == 1 || u[1] == 0x09))
					has_tab = true;
				else if (!is_dbcc && !reported &&
					 (u[0] < 0x20 || u[0] == 0x7F ||
					  (u[0] >= 0x80 && u[0] < 0xA0) ||
					  (u[0] > 0x7E &&
					   (!is_text ||
					    b->si.char_code ==
						    CHARCODE_ASCII)))) {
					problem(c,
						"pack %zu: byte 0x%02X at payload offset %zu is not a character of %s",
						i, u[0], j,
						!is_text ? "printable ASCII"
						: b->si.char_code ==
								CHARCODE_ASCII
							? "ASCII"
							: "ISO-8859-1");
					reported = true;
				}
				chars++;
				continue;
			}
			if (has_tab && chars != 1 && !reported) {
				problem(c,
					"pack %zu: a TAB inside a string of type 0x%02X (only a lone TAB, 'same as before', is allowed)",
					i, type);
				reported = true;
			}
			k++;
			chars = 0;
			has_tab = false;
			if (nstrings && k == nstrings)
				in_padding = true;
		}
	}
	if (!seen)
		return;
	if (chars > 0)
		problem(c,
			"pack %zu: the last string of type 0x%02X is not terminated",
			last, type);
	else if (nstrings && k < nstrings)
		problem(c,
			"pack %zu: type 0x%02X has %u string%s; it needs %u (the disc and each track)",
			last, type, k, k == 1 ? "" : "s", nstrings);
}

static void check_block(struct checker *c, struct block_span *b,
			const struct block_span *blocks, size_t nblocks,
			unsigned bno)
{
	unsigned count[NTYPES] = { 0 };
	size_t n = b->end - b->first, i, si_at;
	unsigned prev_type = 0, first_track, nstrings = 0;

	for (i = b->first; i < b->end; i++) {
		const uint8_t *q = pack_at(c, i);

		/* pm_cdtext_validate() has reported types out of range */
		if (q[0] < PM_PACK_TITLE || q[0] > PM_PACK_SIZE_INFO)
			continue;
		count[q[0] - PM_PACK_TITLE]++;
		if (q[0] < prev_type)
			pm_warning(
				"%s: pack %zu: type 0x%02X after type 0x%02X (types are written in ascending order)",
				c->ctx, i, q[0], prev_type);
		prev_type = q[0];
		if (q[0] == PM_PACK_SIZE_INFO && b->end - i > 3)
			problem(c,
				"pack %zu: a 0x8F size-info pack before the end of block %u",
				i, bno);
	}
	if (n > PM_CDTEXT_MAX_PACKS)
		pm_warning(
			"%s: block %u has %zu packs, more than %d (libburn's limit)",
			c->ctx, bno, n, PM_CDTEXT_MAX_PACKS);

	/* the last three packs: 0x8F with track bytes 0, 1, 2 */
	si_at = b->end >= b->first + 3 ? b->end - 3 : b->first;
	for (i = 0; i < 3 && b->first + i < b->end; i++) {
		const uint8_t *q = pack_at(c, si_at + i);

		if (q[0] != PM_PACK_SIZE_INFO || q[1] != i)
			break;
	}
	if (n < 3 || i < 3) {
		problem(c,
			"pack %zu: block %u does not end with the three 0x8F size-info packs",
			b->end - 1, bno);
	} else {
		uint8_t raw[36];

		for (i = 0; i < 3; i++)
			memcpy(raw + PAYLOAD_BYTES * i,
			       pack_at(c, si_at + i) + 4, PAYLOAD_BYTES);
		size_info_decode(raw, &b->si);
		b->has_size_info = true;
	}

	if (b->has_size_info) {
		const struct pm_cdtext_size_info *si = &b->si;

		for (i = 0; i < NTYPES; i++)
			if (si->npacks[i] != count[i])
				problem(c,
					"pack %zu: size info counts %u pack%s of type 0x%02zX; the block has %u",
					si_at, si->npacks[i],
					si->npacks[i] == 1 ? "" : "s", 0x80 + i,
					count[i]);
		for (i = 0; i < PM_CDTEXT_MAX_BLOCKS; i++) {
			unsigned want = i < nblocks ? blocks[i].last_seq : 0;

			if (si->last_seq[i] != want)
				problem(c,
					"pack %zu: size info gives %u as the last sequence number of block %zu; it is %u",
					si_at + 1 + (i >= 4), si->last_seq[i],
					i, want);
		}
		for (i = 0; i < PM_CDTEXT_MAX_BLOCKS; i++) {
			if (i < nblocks && si->lang_code[i] == 0)
				pm_warning(
					"%s: pack %zu: block %zu has no language code",
					c->ctx, si_at + 2, i);
			if (i >= nblocks && si->lang_code[i] != 0)
				problem(c,
					"pack %zu: size info gives language code 0x%02X to block %zu, which does not exist",
					si_at + 2, si->lang_code[i], i);
			if (bno > 0 && blocks[0].has_size_info &&
			    si->lang_code[i] != blocks[0].si.lang_code[i])
				problem(c,
					"pack %zu: size info gives language code 0x%02X to block %zu; block 0's says 0x%02X",
					si_at + 2, si->lang_code[i], i,
					blocks[0].si.lang_code[i]);
		}
		if (si->char_code != CHARCODE_ISO8859_1 &&
		    si->char_code != CHARCODE_ASCII &&
		    !is_double_byte_code(si->char_code))
			problem(c, "pack %zu: unknown character code 0x%02X",
				si_at, si->char_code);
		if (si->copyright != 0x00 && si->copyright != 0x03)
			pm_warning(
				"%s: pack %zu: copyright byte 0x%02X (0x00 or 0x03 expected)",
				c->ctx, si_at, si->copyright);
		if (si->first_track < 1 || si->first_track > 99 ||
		    si->last_track < si->first_track || si->last_track > 99)
			problem(c, "pack %zu: size info gives tracks %u to %u",
				si_at, si->first_track, si->last_track);
		else if (c->ntracks && si->last_track != c->ntracks)
			problem(c,
				"pack %zu: size info gives %u as the last track; the disc has %u",
				si_at, si->last_track, c->ntracks);
		if (bno > 0 && blocks[0].has_size_info &&
		    (si->first_track != blocks[0].si.first_track ||
		     si->last_track != blocks[0].si.last_track))
			problem(c,
				"pack %zu: size info gives tracks %u to %u; block 0's gives %u to %u",
				si_at, si->first_track, si->last_track,
				blocks[0].si.first_track,
				blocks[0].si.last_track);
	}

	/* the strings of each type */
	first_track = b->has_size_info ? b->si.first_track : 1;
	if (b->has_size_info && b->si.last_track >= b->si.first_track)
		nstrings = b->si.last_track - b->si.first_track + 2;
	else if (c->ntracks)
		nstrings = c->ntracks + 1;
	for (unsigned t = PM_PACK_TITLE; t < PM_PACK_SIZE_INFO; t++)
		if (t <= PM_PACK_GENRE || t == PM_PACK_UPC_ISRC)
			check_strings(c, b, t, first_track, nstrings);
}

unsigned pm_cdtext_validate(const uint8_t *buf, size_t len, unsigned ntracks,
			    const char *context)
{
	struct checker c = { .ctx = context ? context : "CD-TEXT",
			     .ntracks = ntracks };
	struct block_span blocks[PM_CDTEXT_MAX_BLOCKS] = { { 0 } };
	size_t nblocks = 0, rest = len % PM_CDTEXT_PACK_BYTES, i;
	unsigned cur_block = 0, want_seq = 0;

	c.packs = buf;
	c.npacks = len / PM_CDTEXT_PACK_BYTES;
	if (rest == 1 && buf[len - 1] == 0x00) {
		pm_warning(
			"%s: one trailing 0x00 byte after the last pack (tolerated)",
			c.ctx);
	} else if (rest == 4 && len >= 4 &&
		   ((size_t)buf[0] << 8 | buf[1]) == len - 2 && buf[2] == 0 &&
		   buf[3] == 0) {
		problem(&c,
			"starts with a 4-byte header (the cdrecord textfile form), which DDP does not use");
		c.packs = buf + 4;
	} else if (rest != 0) {
		problem(&c,
			"%zu bytes are not a whole number of %d-byte packs (%zu packs and %zu bytes)",
			len, PM_CDTEXT_PACK_BYTES, c.npacks, rest);
	}
	if (c.npacks == 0) {
		problem(&c, "no packs");
		return c.problems;
	}

	for (i = 0; i < c.npacks; i++) {
		const uint8_t *q = pack_at(&c, i);
		uint16_t crc = pm_cdtext_crc(q);
		uint16_t got = (uint16_t)(q[16] << 8 | q[17]);
		unsigned blk = BLOCK_OF(q[3]);

		if (crc != got)
			problem(&c, "pack %zu: CRC is 0x%04X, expected 0x%04X",
				i, got, crc);
		if (q[0] < PM_PACK_TITLE || q[0] > PM_PACK_SIZE_INFO)
			problem(&c,
				"pack %zu: 0x%02X is not a pack type (0x80 to 0x8F)",
				i, q[0]);
		if (q[1] & 0x80)
			problem(&c, "pack %zu: the extension flag is set", i);

		if (i == 0 || blk != cur_block) {
			if (i == 0 ? blk != 0 : blk != cur_block + 1)
				problem(&c,
					"pack %zu: block number %u, expected %u",
					i, blk, i == 0 ? 0 : cur_block + 1);
			if (i > 0)
				blocks[nblocks - 1].end = i;
			if (nblocks == PM_CDTEXT_MAX_BLOCKS ||
			    (i > 0 && blk < cur_block)) {
				problem(&c,
					"pack %zu: block %u cannot follow block %u",
					i, blk, cur_block);
				c.npacks = i; /* the rest cannot be placed */
				break;
			}
			blocks[nblocks++].first = i;
			cur_block = blk;
			want_seq = 0;
		}
		if (q[2] != (want_seq & 0xFF))
			problem(&c, "pack %zu: sequence number %u, expected %u",
				i, q[2], want_seq & 0xFFu);
		want_seq = q[2] + 1u;
		blocks[nblocks - 1].last_seq = q[2];
	}
	blocks[nblocks - 1].end = c.npacks;

	/* size infos first, so that later blocks can compare with block 0 */
	for (i = 0; i < nblocks; i++)
		check_block(&c, &blocks[i], blocks, nblocks, (unsigned)i);
	return c.problems;
}
