/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-cdtext.c: the CD-TEXT encoder against cue2ddp's output
 * (doc/internals/ddp-cdtext.md §12), the validator, the album mapping,
 * and round trips through libcdio (cd/cdio.c), the independent decoder.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "album/album.h"
#include "cd/cdio.h"
#include "cd/cdtext.h"
#include "logcap.h"
#include "tap.h"
#include "util/err.h"
#include "util/log.h"

/* ------------------------------------------------------------------ */
/* Vector A: cue2ddp output (ddp-reverse-eng exp/011)                   */
/* ------------------------------------------------------------------ */

static const uint8_t vector_a[11][18] = {
	{ 0x80, 0x00, 0x00, 0x00, 0x44, 0x69, 0x73, 0x63, 0x20, 0x54, 0x69,
	  0x74, 0x6C, 0x65, 0x00, 0x54, 0xA7, 0x14 },
	{ 0x80, 0x01, 0x01, 0x01, 0x72, 0x61, 0x63, 0x6B, 0x20, 0x4F, 0x6E,
	  0x65, 0x00, 0x54, 0x72, 0x61, 0x8C, 0x65 },
	{ 0x80, 0x02, 0x02, 0x03, 0x63, 0x6B, 0x20, 0x54, 0x77, 0x6F, 0x00,
	  0x00, 0x00, 0x00, 0x00, 0x00, 0xE6, 0xB6 },
	{ 0x81, 0x00, 0x03, 0x00, 0x44, 0x69, 0x73, 0x63, 0x20, 0x50, 0x65,
	  0x72, 0x66, 0x6F, 0x72, 0x6D, 0xE3, 0x18 },
	{ 0x81, 0x00, 0x04, 0x0C, 0x65, 0x72, 0x00, 0x50, 0x65, 0x72, 0x66,
	  0x20, 0x4F, 0x6E, 0x65, 0x00, 0x33, 0xB1 },
	{ 0x81, 0x02, 0x05, 0x00, 0x50, 0x65, 0x72, 0x66, 0x20, 0x54, 0x77,
	  0x6F, 0x00, 0x00, 0x00, 0x00, 0x1B, 0x61 },
	{ 0x82, 0x00, 0x06, 0x00, 0x44, 0x69, 0x73, 0x63, 0x20, 0x57, 0x72,
	  0x69, 0x74, 0x65, 0x72, 0x00, 0x22, 0xB0 },
	{ 0x82, 0x01, 0x07, 0x00, 0x57, 0x72, 0x69, 0x74, 0x65, 0x72, 0x20,
	  0x4F, 0x6E, 0x65, 0x00, 0x00, 0x22, 0x44 },
	{ 0x8F, 0x00, 0x08, 0x00, 0x00, 0x01, 0x02, 0x00, 0x03, 0x03, 0x02,
	  0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x8B },
	{ 0x8F, 0x01, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	  0x03, 0x0A, 0x00, 0x00, 0x00, 0x36, 0x1B },
	{ 0x8F, 0x02, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00,
	  0x00, 0x00, 0x00, 0x00, 0x00, 0x87, 0xED },
};

static void vector_a_input(struct pm_cdtext_in *in)
{
	struct pm_cdtext_block_in *b = &in->block[0];

	memset(in, 0, sizeof(*in));
	in->first_track = 1;
	in->ntracks = 2;
	in->nblocks = 1;
	b->lang_code = 0x09;
	b->charset = PM_CHARSET_ISO8859_1;
	b->text[PM_FIELD_TITLE][0] = "Disc Title";
	b->text[PM_FIELD_PERFORMER][0] = "Disc Performer";
	b->text[PM_FIELD_SONGWRITER][0] = "Disc Writer";
	b->text[PM_FIELD_TITLE][1] = "Track One";
	b->text[PM_FIELD_PERFORMER][1] = "Perf One";
	b->text[PM_FIELD_SONGWRITER][1] = "Writer One";
	b->text[PM_FIELD_TITLE][2] = "Track Two";
	b->text[PM_FIELD_PERFORMER][2] = "Perf Two";
	/* T2 has no songwriter: the encoder writes a lone NUL for it */
}

/* Store the CRC of a pack whose bytes the test changed on purpose. */
static void fix_crc(uint8_t *pack)
{
	uint16_t crc = pm_cdtext_crc(pack);

	pack[16] = (uint8_t)(crc >> 8);
	pack[17] = (uint8_t)(crc & 0xFF);
}

static void test_crc(void)
{
	/*
	 * Packs with CRCs from elsewhere: vector A (cue2ddp), and the Sony
	 * examples quoted in libburn's doc/cdtext.txt (a size info and a
	 * TOC pack).
	 */
	static const uint8_t sony[][18] = {
		{ 0x8f, 0x00, 0x2a, 0x00, 0x01, 0x01, 0x03, 0x00, 0x06, 0x05,
		  0x04, 0x05, 0x07, 0x06, 0x01, 0x02, 0x48, 0x65 },
		{ 0x8f, 0x01, 0x2b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		  0x06, 0x03, 0x2c, 0x00, 0x00, 0x00, 0xc0, 0x20 },
		{ 0x8f, 0x02, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00,
		  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x45 },
		{ 0x88, 0x00, 0x23, 0x00, 0x01, 0x0e, 0x00, 0x3f, 0x02, 0x12,
		  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x00 },
		{ 0x89, 0x01, 0x28, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
		  0x02, 0x29, 0x30, 0x02, 0x34, 0x3a, 0xf3, 0x0c },
	};
	size_t i;

	for (i = 0; i < 11; i++)
		is_int(pm_cdtext_crc(vector_a[i]),
		       vector_a[i][16] << 8 | vector_a[i][17],
		       "CRC of vector A pack %zu", i);
	for (i = 0; i < sizeof(sony) / sizeof(sony[0]); i++)
		is_int(pm_cdtext_crc(sony[i]), sony[i][16] << 8 | sony[i][17],
		       "CRC of libburn's Sony example pack %02X (seq 0x%02X)",
		       sony[i][0], sony[i][2]);
}

static void test_vector_a(void)
{
	struct pm_cdtext_in in;
	struct pm_err err = { 0 };
	uint8_t *out = NULL;
	size_t len = 0;

	vector_a_input(&in);
	if (!ok(pm_cdtext_encode(&in, &out, &len, &err) == 0,
		"vector A encodes"))
		tap_diag("%s", err.msg);
	is_int(len, 198, "vector A: 11 packs, 198 bytes");
	if (out && len == 198) {
		for (size_t i = 0; i < 11; i++)
			is_mem(out + 18 * i, vector_a[i], 18,
			       "vector A pack %zu byte for byte", i);
		is_mem(out + 7 * 18 + 4, "Writer One\0\0", 12,
		       "T2's missing songwriter is the lone NUL closing pack 7");
	}
	free(out);
}

/* ------------------------------------------------------------------ */
/* The validator                                                        */
/* ------------------------------------------------------------------ */

static uint8_t *vector_copy(size_t extra)
{
	uint8_t *b = calloc(1, sizeof(vector_a) + extra);

	if (b)
		memcpy(b, vector_a, sizeof(vector_a));
	return b;
}

static void test_validate(void)
{
	uint8_t *b;
	unsigned n;

	logcap_clear();
	is_int(pm_cdtext_validate(&vector_a[0][0], sizeof(vector_a), 2, "A"), 0,
	       "vector A is sound");
	is_int(logcap_total(), 0, "and nothing is logged");
	logcap_clear();
	is_int(pm_cdtext_validate(&vector_a[0][0], sizeof(vector_a), 0, "A"), 0,
	       "vector A is sound without a track count");

	b = vector_copy(1);
	if (!b)
		return;

	/* one flipped CRC byte */
	logcap_clear();
	b[3 * 18 + 17] ^= 0x01;
	n = pm_cdtext_validate(b, 198, 2, "CDTEXT.BIN");
	is_int(n, 1, "a flipped CRC byte is one problem");
	is_int(logcap_matches(PM_LOG_ERROR,
		      "CDTEXT.BIN: pack 3: CRC is 0xE319, expected 0xE318"),
	       1, "named with pack, found and expected CRC");
	b[3 * 18 + 17] ^= 0x01;

	/* one flipped payload byte */
	logcap_clear();
	b[5 * 18 + 6] ^= 0x20;
	n = pm_cdtext_validate(b, 198, 2, "CDTEXT.BIN");
	is_int(n, 1, "a flipped payload byte is one problem (%u)", n);
	is_int(logcap_matches(PM_LOG_ERROR,
		      "CDTEXT.BIN: pack 5: CRC is 0x1B61, expected 0x"),
	       1, "found by the CRC of pack 5");
	b[5 * 18 + 6] ^= 0x20;

	/* truncated */
	logcap_clear();
	n = pm_cdtext_validate(b, 190, 2, "T");
	ok(n >= 1, "a truncated buffer is refused (%u problems)", n);
	is_int(logcap_matches(PM_LOG_ERROR,
		      "T: 190 bytes are not a whole number of 18-byte packs (10 packs and 10 bytes)"),
	       1, "the length is named");
	is_int(logcap_matches(PM_LOG_ERROR, "block 0 does not end with the three 0x8F"),
	       1, "and the missing size-info pack");

	/* wrong 0x8F count: 3 title packs claimed as 4 */
	logcap_clear();
	b[8 * 18 + 8] = 4;
	fix_crc(b + 8 * 18);
	n = pm_cdtext_validate(b, 198, 2, "T");
	is_int(n, 1, "a wrong pack count is one problem");
	is_int(logcap_matches(PM_LOG_ERROR,
		      "T: pack 8: size info counts 4 packs of type 0x80; the block has 3"),
	       1, "named with type and both counts");
	memcpy(b, vector_a, sizeof(vector_a));

	/* wrong last sequence number */
	logcap_clear();
	b[9 * 18 + 12] = 0x0B;
	fix_crc(b + 9 * 18);
	is_int(pm_cdtext_validate(b, 198, 2, "T"), 1,
	       "a wrong last sequence number is one problem");
	is_int(logcap_matches(PM_LOG_ERROR,
		      "T: pack 9: size info gives 11 as the last sequence number of block 0; it is 10"),
	       1, "named");
	memcpy(b, vector_a, sizeof(vector_a));

	/* a sequence gap */
	logcap_clear();
	b[5 * 18 + 2] = 6;
	fix_crc(b + 5 * 18);
	n = pm_cdtext_validate(b, 198, 2, "T");
	ok(n >= 1, "a sequence gap is refused (%u problems)", n);
	is_int(logcap_matches(PM_LOG_ERROR, "T: pack 5: sequence number 6, expected 5"),
	       1, "at the pack where it happens");
	memcpy(b, vector_a, sizeof(vector_a));

	/* a pack left out entirely */
	logcap_clear();
	memmove(b + 4 * 18, b + 5 * 18, 6 * 18);
	n = pm_cdtext_validate(b, 180, 2, "T");
	ok(n >= 2, "a missing pack is refused (%u problems)", n);
	is_int(logcap_matches(PM_LOG_ERROR, "T: pack 4: sequence number 5, expected 4"),
	       1, "as a sequence gap");
	memcpy(b, vector_a, sizeof(vector_a));

	/* one trailing 0x00 byte, as Sonoris writes */
	logcap_clear();
	b[198] = 0x00;
	is_int(pm_cdtext_validate(b, 199, 2, "T"), 0,
	       "one trailing 0x00 byte is tolerated");
	is_int(logcap_matches(PM_LOG_WARNING,
		      "T: one trailing 0x00 byte after the last pack (tolerated)"),
	       1, "with a warning");
	logcap_clear();
	b[198] = 0x01;
	is_int(pm_cdtext_validate(b, 199, 2, "T"), 1,
	       "a trailing 0x01 byte is not");

	/* the size info's last track against the disc's */
	logcap_clear();
	is_int(pm_cdtext_validate(b, 198, 3, "T"), 1,
	       "last track 2 on a 3-track disc is a problem");
	is_int(logcap_matches(PM_LOG_ERROR,
		      "T: pack 8: size info gives 2 as the last track; the disc has 3"),
	       1, "named");

	/* a pack's track number that does not name its first string */
	logcap_clear();
	b[1 * 18 + 1] = 2;
	fix_crc(b + 18);
	is_int(pm_cdtext_validate(b, 198, 2, "T"), 1,
	       "a wrong track number is a problem");
	is_int(logcap_matches(PM_LOG_ERROR, "T: pack 1: track number 2, expected 1"), 1,
	       "named");
	memcpy(b, vector_a, sizeof(vector_a));

	/* a character position off the rule: only a warning */
	logcap_clear();
	b[4 * 18 + 3] = 0x0B;
	fix_crc(b + 4 * 18);
	is_int(pm_cdtext_validate(b, 198, 2, "T"), 0,
	       "a wrong character position is not a problem");
	is_int(logcap_matches(PM_LOG_WARNING,
		      "T: pack 4: character position 11, an encoder would write 12"),
	       1, "but a warning");
	memcpy(b, vector_a, sizeof(vector_a));

	/* a control character in ISO-8859-1 text */
	logcap_clear();
	b[0 * 18 + 5] = 0x07;
	fix_crc(b);
	is_int(pm_cdtext_validate(b, 198, 2, "T"), 1,
	       "a control character in a title is a problem");
	is_int(logcap_matches(PM_LOG_ERROR,
		      "T: pack 0: byte 0x07 at payload offset 1 is not a character of ISO-8859-1"),
	       1, "named");
	memcpy(b, vector_a, sizeof(vector_a));

	/* block number 1 without a block 0 */
	logcap_clear();
	for (int i = 0; i < 11; i++) {
		b[i * 18 + 3] |= 0x10;
		fix_crc(b + i * 18);
	}
	ok(pm_cdtext_validate(b, 198, 2, "T") >= 1,
	   "a file starting with block 1 is refused");
	is_int(logcap_matches(PM_LOG_ERROR, "T: pack 0: block number 1, expected 0"), 1,
	       "named");
	memcpy(b, vector_a, sizeof(vector_a));
	free(b);

	/* the cdrecord/wodim form, with its 4-byte header */
	b = calloc(1, 202);
	if (!b)
		return;
	b[0] = 0;
	b[1] = 200; /* file length - 2 */
	memcpy(b + 4, vector_a, sizeof(vector_a));
	logcap_clear();
	is_int(pm_cdtext_validate(b, 202, 2, "T"), 1,
	       "a 4-byte header is one problem");
	is_int(logcap_matches(PM_LOG_ERROR, "T: starts with a 4-byte header"), 1,
	       "named for what it is");
	free(b);

	logcap_clear();
	is_int(pm_cdtext_validate((const uint8_t *)"", 0, 0, NULL), 1,
	       "no packs at all is a problem");
	is_int(logcap_matches(PM_LOG_ERROR, "CD-TEXT: no packs"), 1,
	       "with the default context");
}

/*
 * Pack types above 0x8F: a crafted CDTEXT.BIN once indexed a 16-entry
 * per-type counter with them and wrote past it (issue 9).  Every such
 * type, at the first, a middle and the last pack, is one named problem.
 */
static void test_pack_type_range(void)
{
	unsigned bad = 0, named = 0, tried = 0;

	for (unsigned type = 0x90; type <= 0xFF; type++) {
		for (size_t at = 0; at < 11; at += 5) {
			uint8_t *b = vector_copy(0);

			if (!b)
				return;
			b[at * 18] = (uint8_t)type;
			tried++;
			fix_crc(b + at * 18);
			logcap_clear();
			if (pm_cdtext_validate(b, sizeof(vector_a), 2, "T") < 1)
				bad++;
			if (logcap_matches(PM_LOG_ERROR, "is not a pack type"))
				named++;
			free(b);
		}
	}
	is_int(bad, 0, "pack types 0x90 to 0xFF are problems");
	is_int(named, tried, "each is named as no pack type");
}

/* ------------------------------------------------------------------ */
/* Decoding vector A and friends through libcdio                        */
/* ------------------------------------------------------------------ */

static void test_decode_vector(void)
{
	struct pm_cdtext_text tx = { 0 };
	struct pm_err err = { 0 };
	const struct pm_cdtext_lang *l;
	uint8_t *b;

	if (!ok(pm_cdio_cdtext_decode(&vector_a[0][0], sizeof(vector_a), &tx,
				      &err) == 0,
		"libcdio decodes vector A"))
		tap_diag("%s", err.msg);
	is_int(tx.nblocks, 1, "one block");
	l = pm_cdio_cdtext_lang(&tx, 0x09);
	ok(l != NULL, "in English");
	if (l) {
		is_int(l->char_code, 0x00, "ISO-8859-1");
		is_int(l->first_track, 1, "first track 1");
		is_int(l->last_track, 2, "last track 2");
		is_str(l->text[PM_FIELD_TITLE][0], "Disc Title", "disc title");
		is_str(l->text[PM_FIELD_PERFORMER][0], "Disc Performer",
		       "disc performer");
		is_str(l->text[PM_FIELD_SONGWRITER][0], "Disc Writer",
		       "disc songwriter");
		is_str(l->text[PM_FIELD_TITLE][1], "Track One", "T1 title");
		is_str(l->text[PM_FIELD_PERFORMER][1], "Perf One",
		       "T1 performer");
		is_str(l->text[PM_FIELD_SONGWRITER][1], "Writer One",
		       "T1 songwriter");
		is_str(l->text[PM_FIELD_TITLE][2], "Track Two", "T2 title");
		is_str(l->text[PM_FIELD_PERFORMER][2], "Perf Two",
		       "T2 performer");
		is_str(l->text[PM_FIELD_SONGWRITER][2], NULL,
		       "T2 has no songwriter");
		ok(!l->copyright, "not copyrighted");
	}
	pm_cdio_cdtext_release(&tx);
	ok(tx.nblocks == 0, "release zeroes");

	b = vector_copy(4);
	if (!b)
		return;
	b[198] = 0;
	ok(pm_cdio_cdtext_decode(b, 199, &tx, &err) == 0,
	   "a trailing 0x00 byte is stripped for libcdio");
	pm_cdio_cdtext_release(&tx);
	memmove(b + 4, b, 198);
	b[0] = 0;
	b[1] = 200;
	b[2] = b[3] = 0;
	ok(pm_cdio_cdtext_decode(b, 202, &tx, &err) == 0,
	   "so is the 4-byte header");
	if (tx.nblocks)
		is_str(tx.block[0].text[PM_FIELD_TITLE][2], "Track Two",
		       "and the texts come through");
	pm_cdio_cdtext_release(&tx);

	is_int(pm_cdio_cdtext_decode(b, 17, &tx, &err), -1,
	       "17 bytes do not decode");
	is_int(err.code, PM_EFORMAT, "as PM_EFORMAT");
	memcpy(b, vector_a, 8 * 18);
	is_int(pm_cdio_cdtext_decode(b, 8 * 18, &tx, &err), -1,
	       "a block without size info does not decode");
	is_str(err.msg,
	       "CD-TEXT block 0 has no size information (three 0x8F packs)",
	       "and says why");
	free(b);
}

/* ------------------------------------------------------------------ */
/* Round trips through libcdio                                          */
/* ------------------------------------------------------------------ */

#define RT_TRACKS 12

struct rt_text {
	char latin1[RT_TRACKS + 1][PM_NFIELDS][96];
	char utf8[RT_TRACKS + 1][PM_NFIELDS][128];
	char isrc[RT_TRACKS + 1][13];
};

/* The same text twice: in ISO-8859-1 for the encoder, UTF-8 to compare. */
#define TWICE(rt, t, f, l1, u8, n)                                             \
	do {                                                                   \
		snprintf((rt)->latin1[t][f], sizeof((rt)->latin1[t][f]), l1,   \
			 n);                                                   \
		snprintf((rt)->utf8[t][f], sizeof((rt)->utf8[t][f]), u8, n);   \
	} while (0)

static void rt_fill(struct rt_text *rt, struct pm_cdtext_in *in)
{
	memset(in, 0, sizeof(*in));
	in->first_track = 1;
	in->ntracks = RT_TRACKS;
	in->nblocks = 2;
	in->copyright = true;
	in->block[0].lang_code = 0x09;
	in->block[1].lang_code = 0x08;
	TWICE(rt, 0, PM_FIELD_TITLE, "Caf\xE9 Society, volume %u",
	      "Café Society, volume %u", 1u);
	TWICE(rt, 0, PM_FIELD_PERFORMER, "The M\xFCller Trio %u",
	      "The Müller Trio %u", 3u);
	for (unsigned t = 1; t <= RT_TRACKS; t++) {
		TWICE(rt, t, PM_FIELD_TITLE,
		      "Track %02u: A rather long title \xE9t\xE9",
		      "Track %02u: A rather long title été", t);
		TWICE(rt, t, PM_FIELD_PERFORMER, "Performer %u", "Performer %u",
		      t);
		snprintf(rt->isrc[t], sizeof(rt->isrc[t]), "DEA12%02u%05u", 24u,
			 t);
	}
	for (unsigned t = 0; t <= RT_TRACKS; t++) {
		for (int f = 0; f < 2; f++)
			in->block[0].text[f][t] = rt->latin1[t][f];
		in->isrc[t] = t ? rt->isrc[t] : NULL;
	}
	in->upc = "4006381333931";
	in->block[0].disc_id = "PM-0001";
	in->block[0].genre_code = 5; /* classical */
	in->block[0].genre_text = "Chamber music";
}

static void rt_fill_de(struct rt_text *rt, struct pm_cdtext_in *in)
{
	TWICE(rt, 0, PM_FIELD_MESSAGE,
	      "Stra\xDF"
	      "enmusik f\xFCr %u gro\xDF"
	      "e Gitarren",
	      "Straßenmusik für %u große Gitarren", 2u);
	for (unsigned t = 1; t <= RT_TRACKS; t++)
		TWICE(rt, t, PM_FIELD_TITLE,
		      "St\xFC"
		      "ck Nummer %u \xFC"
		      "ber die Stra\xDF"
		      "e",
		      "Stück Nummer %u über die Straße", t);
	TWICE(rt, 0, PM_FIELD_TITLE,
	      "Gro\xDF"
	      "e Musik %u",
	      "Große Musik %u", 1u);
	in->block[1].text[PM_FIELD_TITLE][0] = rt->latin1[0][PM_FIELD_TITLE];
	in->block[1].text[PM_FIELD_MESSAGE][0] =
		rt->latin1[0][PM_FIELD_MESSAGE];
	for (unsigned t = 1; t <= RT_TRACKS; t++)
		in->block[1].text[PM_FIELD_TITLE][t] =
			rt->latin1[t][PM_FIELD_TITLE];
}

static void test_round_trip(void)
{
	static struct rt_text en, de;
	struct pm_cdtext_in in;
	struct pm_cdtext_text tx = { 0 };
	struct pm_err err = { 0 };
	const struct pm_cdtext_lang *l;
	uint8_t *out = NULL;
	size_t len = 0;
	int bad = 0, capped = 0;

	rt_fill(&en, &in);
	rt_fill_de(&de, &in);
	if (!ok(pm_cdtext_encode(&in, &out, &len, &err) == 0,
		"12 tracks in English and German encode"))
		tap_diag("%s", err.msg);
	logcap_clear();
	is_int(pm_cdtext_validate(out, len, RT_TRACKS, "RT"), 0,
	       "and validate");
	if (!is_int(logcap_total(), 0, "without a warning"))
		logcap_dump();
	for (size_t i = 0; i < len / 18; i++)
		if ((out[i * 18 + 3] & 0x0F) == 15)
			capped++;
	ok(capped > 0,
	   "long titles reach the capped character position 15 (%d packs)",
	   capped);

	if (!ok(pm_cdio_cdtext_decode(out, len, &tx, &err) == 0,
		"libcdio decodes them"))
		tap_diag("%s", err.msg);
	is_int(tx.nblocks, 2, "two blocks");
	l = pm_cdio_cdtext_lang(&tx, 0x09);
	if (ok(l && l->block == 0, "block 0 is English")) {
		is_int(l->char_code, 0x00, "in ISO-8859-1");
		ok(l->copyright, "copyrighted");
		is_int(l->last_track, RT_TRACKS, "12 tracks");
		for (unsigned t = 0; t <= RT_TRACKS; t++)
			for (int f = 0; f < 2; f++)
				if (!l->text[f][t] ||
				    strcmp(l->text[f][t], en.utf8[t][f]) != 0) {
					bad++;
					tap_diag("en %u/%d: '%s' != '%s'", t, f,
						 l->text[f][t] ? l->text[f][t]
							       : "(null)",
						 en.utf8[t][f]);
				}
		is_int(bad, 0, "every English title and performer comes back");
		is_str(l->text[PM_FIELD_TITLE][0], "Café Society, volume 1",
		       "Latin-1 é as UTF-8");
		is_str(l->text[PM_FIELD_SONGWRITER][3], NULL, "no songwriters");
		is_str(l->upc, "4006381333931", "UPC");
		bad = 0;
		for (unsigned t = 1; t <= RT_TRACKS; t++)
			if (!l->isrc[t] || strcmp(l->isrc[t], en.isrc[t]) != 0)
				bad++;
		is_int(bad, 0, "every ISRC");
		is_str(l->isrc[12], "DEA122400012", "T12's ISRC");
		is_str(l->disc_id, "PM-0001", "disc id");
		is_int(l->genre_code, 5, "genre code");
		is_str(l->genre_text, "Chamber music", "genre text");
	}
	l = pm_cdio_cdtext_lang(&tx, 0x08);
	if (ok(l && l->block == 1, "block 1 is German")) {
		bad = 0;
		for (unsigned t = 0; t <= RT_TRACKS; t++)
			if (!l->text[PM_FIELD_TITLE][t] ||
			    strcmp(l->text[PM_FIELD_TITLE][t],
				   de.utf8[t][PM_FIELD_TITLE]) != 0) {
				bad++;
				tap_diag("de %u: '%s'", t,
					 l->text[PM_FIELD_TITLE][t]
						 ? l->text[PM_FIELD_TITLE][t]
						 : "(null)");
			}
		is_int(bad, 0, "every German title comes back");
		is_str(l->text[PM_FIELD_TITLE][5],
		       "Stück Nummer 5 über die Straße", "ü and ß");
		is_str(l->text[PM_FIELD_MESSAGE][0],
		       "Straßenmusik für 2 große Gitarren", "the disc message");
		is_str(l->text[PM_FIELD_MESSAGE][1], NULL, "tracks have none");
		is_str(l->text[PM_FIELD_PERFORMER][0], NULL,
		       "no performers in German");
		is_str(l->isrc[7], "DEA122400007", "ISRCs in every block");
		is_int(l->genre_code, 0, "no genre in block 1");
	}
	pm_cdio_cdtext_release(&tx);
	free(out);
}

static void test_charpos(void)
{
	struct pm_cdtext_in in;
	struct pm_err err = { 0 };
	uint8_t *out = NULL;
	size_t len = 0;

	memset(&in, 0, sizeof(in));
	in.first_track = 1;
	in.ntracks = 1;
	in.nblocks = 1;
	in.block[0].lang_code = 0x09;
	in.block[0].text[PM_FIELD_TITLE][0] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcd"; /* 40 chars */
	in.block[0].text[PM_FIELD_TITLE][1] = "One";
	if (!ok(pm_cdtext_encode(&in, &out, &len, &err) == 0,
		"a 40-character title encodes"))
		return;
	/* by the rule: characters of the string in earlier packs, max 15 */
	is_int(out[0 * 18 + 3], 0x00, "pack 0: position 0");
	is_int(out[1 * 18 + 3], 0x0C, "pack 1: position 12");
	is_int(out[2 * 18 + 3], 0x0F, "pack 2: position 24, capped at 15");
	is_int(out[3 * 18 + 3], 0x0F, "pack 3: position 36, capped at 15");
	is_int(out[3 * 18 + 1], 0, "pack 3 still starts in the disc title");
	is_mem(out + 3 * 18 + 4, "abcd\0One\0\0\0\0", 12,
	       "whose end shares the pack with T1");
	free(out);
}

static void test_tracks_99(void)
{
	static char title[100][8];
	struct pm_cdtext_in in;
	struct pm_cdtext_text tx = { 0 };
	struct pm_err err = { 0 };
	uint8_t *out = NULL;
	size_t len = 0;
	int bad = 0;

	memset(&in, 0, sizeof(in));
	in.first_track = 1;
	in.ntracks = 99;
	in.nblocks = 1;
	in.block[0].lang_code = 0x09;
	for (unsigned t = 0; t <= 99; t++) {
		snprintf(title[t], sizeof(title[t]), "T%u", t);
		in.block[0].text[PM_FIELD_TITLE][t] = title[t];
	}
	if (!ok(pm_cdtext_encode(&in, &out, &len, &err) == 0,
		"99 tracks encode"))
		tap_diag("%s", err.msg);
	is_int(pm_cdtext_validate(out, len, 99, "99"), 0, "and validate");
	if (ok(pm_cdio_cdtext_decode(out, len, &tx, &err) == 0, "and decode") &&
	    tx.nblocks == 1) {
		is_int(tx.block[0].last_track, 99, "last track 99");
		for (unsigned t = 0; t <= 99; t++)
			if (!tx.block[0].text[PM_FIELD_TITLE][t] ||
			    strcmp(tx.block[0].text[PM_FIELD_TITLE][t],
				   title[t]) != 0)
				bad++;
		is_int(bad, 0, "every one of the 100 titles comes back");
	}
	pm_cdio_cdtext_release(&tx);
	free(out);
}

static void test_overflow(void)
{
	static char title[100][40];
	struct pm_cdtext_in in;
	struct pm_err err = { 0 };
	uint8_t *out = NULL;
	size_t len = 0;

	/*
	 * 100 strings of 3024 bytes with their NULs: 252 title packs, plus
	 * 3 size-info packs, is the most a block holds.
	 */
	memset(&in, 0, sizeof(in));
	in.first_track = 1;
	in.ntracks = 99;
	in.nblocks = 2;
	in.block[0].lang_code = 0x09;
	in.block[1].lang_code = 0x08;
	for (unsigned t = 0; t <= 99; t++) {
		memset(title[t], 'a' + (char)(t % 26), t < 24 ? 30 : 29);
		in.block[1].text[PM_FIELD_TITLE][t] = title[t];
	}
	/* "Small" and 99 empty track titles: 105 bytes, 9 packs, + 3 */
	in.block[0].text[PM_FIELD_TITLE][0] = "Small";
	ok(pm_cdtext_encode(&in, &out, &len, &err) == 0,
	   "a block of exactly 255 packs encodes");
	is_int(len, (12 + 255) * 18, "12 packs in block 0, 255 in block 1");
	if (out && len == (12 + 255) * 18) {
		is_int(out[12 * 18 + 2], 0,
		       "block 1's sequence numbers start again at 0");
		is_int(out[(12 + 254) * 18 + 2], 254, "and end at 254");
	}
	free(out);
	out = NULL;

	title[50][29] = 'z';
	is_int(pm_cdtext_encode(&in, &out, &len, &err), -1,
	       "one byte more is refused");
	is_int(err.code, PM_EFORMAT, "as PM_EFORMAT");
	is_str(err.msg,
	       "CD-TEXT block 1 (language code 0x08) needs 256 packs; at most 255 fit in a block (shorten its texts)",
	       "naming the block");
	ok(out == NULL && len == 0, "with no output");

	in.ntracks = 100;
	is_int(pm_cdtext_encode(&in, &out, &len, &err), -1,
	       "100 tracks are refused");
	is_int(err.code, PM_EINVAL, "as PM_EINVAL");
}

/* ------------------------------------------------------------------ */
/* libcdio's quirks, worked around in cd/cdio.c                         */
/* ------------------------------------------------------------------ */

static void test_decoder_quirks(void)
{
	struct pm_cdtext_in in;
	struct pm_cdtext_text tx = { 0 };
	struct pm_err err = { 0 };
	uint8_t *out = NULL;
	size_t len = 0;
	static char longer[300];

	memset(&in, 0, sizeof(in));
	in.first_track = 1;
	in.ntracks = 3;
	in.nblocks = 2;
	in.block[0].lang_code = 0x09;
	in.block[0].text[PM_FIELD_TITLE][0] = "Caf\xE9";
	in.block[0].text[PM_FIELD_TITLE][1] = "One";
	in.block[0].text[PM_FIELD_TITLE][2] = "\t"; /* same as track 1 */
	in.block[0].text[PM_FIELD_TITLE][3] = "Three";
	/* disc and T1 performers empty: lone NULs before "P2" */
	in.block[0].text[PM_FIELD_PERFORMER][2] = "P2";
	in.block[0].text[PM_FIELD_PERFORMER][3] = "P3";
	/* block 1 in MS-JIS: libcdio would read block 0 as Shift JIS too */
	in.block[1].lang_code = 0x69;
	in.block[1].charset = PM_CHARSET_MSJIS;
	in.block[1].text[PM_FIELD_TITLE][0] = "\x93\xFA\x96\x7B"; /* 日本 */
	in.upc = NULL;
	in.isrc[2] = "JPABC2400002";
	if (!ok(pm_cdtext_encode(&in, &out, &len, &err) == 0,
		"a tricky disc encodes"))
		tap_diag("%s", err.msg);
	if (ok(pm_cdio_cdtext_decode(out, len, &tx, &err) == 0,
	       "and decodes") &&
	    tx.nblocks == 2) {
		struct pm_cdtext_lang *l = &tx.block[0];

		is_str(l->text[PM_FIELD_TITLE][0], "Café",
		       "block 0 keeps its own ISO-8859-1");
		is_str(l->text[PM_FIELD_TITLE][2], "One",
		       "a lone TAB repeats the previous track");
		is_str(l->text[PM_FIELD_PERFORMER][0], NULL,
		       "empty disc performer");
		is_str(l->text[PM_FIELD_PERFORMER][1], NULL,
		       "empty T1 performer");
		is_str(l->text[PM_FIELD_PERFORMER][2], "P2",
		       "P2 stays on track 2 after two empty strings");
		is_str(l->text[PM_FIELD_PERFORMER][3], "P3", "P3 on track 3");
		is_str(l->upc, NULL, "no UPC");
		is_str(l->isrc[1], NULL, "no ISRC on T1");
		is_str(l->isrc[2], "JPABC2400002",
		       "T2's ISRC after the empty UPC and T1 entries");
		is_int(tx.block[1].lang_code, 0x69, "block 1 is Japanese");
		is_int(tx.block[1].char_code, 0x80, "in MS-JIS");
		is_str(tx.block[1].text[PM_FIELD_TITLE][0], "日本",
		       "decoded from Shift JIS");
	}
	pm_cdio_cdtext_release(&tx);
	free(out);

	/* a string longer than libcdio's buffer */
	memset(longer, 'x', sizeof(longer) - 1);
	memset(&in, 0, sizeof(in));
	in.first_track = 1;
	in.ntracks = 1;
	in.nblocks = 1;
	in.block[0].lang_code = 0x09;
	in.block[0].text[PM_FIELD_TITLE][0] = longer;
	out = NULL;
	ok(pm_cdtext_encode(&in, &out, &len, &err) == 0,
	   "a 299-byte title encodes");
	is_int(pm_cdio_cdtext_decode(out, len, &tx, &err), -1,
	       "but is not handed to libcdio");
	is_int(err.code, PM_EUNSUPPORTED, "as PM_EUNSUPPORTED");
	free(out);
}

/* ------------------------------------------------------------------ */
/* MS-JIS                                                               */
/* ------------------------------------------------------------------ */

static void test_msjis(void)
{
	struct pm_cdtext_in in;
	struct pm_err err = { 0 };
	uint8_t *out = NULL;
	size_t len = 0;

	/* 日本 and 語 in Shift JIS (JIS X 0208 rows 38, 43 and 24) */
	memset(&in, 0, sizeof(in));
	in.first_track = 1;
	in.ntracks = 1;
	in.nblocks = 1;
	in.block[0].lang_code = 0x69;
	in.block[0].charset = PM_CHARSET_MSJIS;
	in.block[0].text[PM_FIELD_TITLE][0] = "\x93\xFA\x96\x7B";
	in.block[0].text[PM_FIELD_TITLE][1] = "\x8C\xEA";
	in.isrc[1] = "JPABC2400001";
	if (!ok(pm_cdtext_encode(&in, &out, &len, &err) == 0, "MS-JIS encodes"))
		tap_diag("%s", err.msg);
	if (!out)
		return;
	is_int(out[0], 0x80, "a title pack");
	is_int(out[3], 0x80, "with the DBCC bit, block 0, position 0");
	is_mem(out + 4, "\x93\xFA\x96\x7B\0\0\x8C\xEA\0\0\0\0", 12,
	       "double-byte text, each string ended by two NULs");
	is_int(out[18], 0x8E, "then the ISRC pack");
	is_int(out[18 + 3], 0x00, "single-byte: no DBCC bit");
	is_int(out[3 * 18], 0x8F,
	       "the ISRCs take two packs, then the size info");
	is_int(out[3 * 18 + 4], 0x80, "size info: character code 0x80");
	logcap_clear();
	if (!is_int(pm_cdtext_validate(out, len, 1, "J"), 0,
		    "MS-JIS validates"))
		logcap_dump();
	free(out);

	in.block[0].text[PM_FIELD_TITLE][1] = "A\x8C\xEA";
	out = NULL;
	is_int(pm_cdtext_encode(&in, &out, &len, &err), -1,
	       "a single-byte character in an MS-JIS block is refused");
	is_int(err.code, PM_EINVAL, "as PM_EINVAL");
}

/* ------------------------------------------------------------------ */
/* From album.xml                                                       */
/* ------------------------------------------------------------------ */

static char tmpdir[64];

static const char *write_album(const char *name, const char *xml)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fputs(xml, f);
	fclose(f);
	return path;
}

#define ALBUM_HEAD                                                             \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                         \
	"<album version=\"1\" xmlns=\"urn:x-premaster:album:1\">\n"

static const char good_album[] = ALBUM_HEAD
	"  <release>\n"
	"    <title>Café Noir</title>\n"
	"    <title lang=\"de\">Schwarzer Kaffee</title>\n"
	"    <artist>Zoë Ångström</artist>\n"
	"    <artist lang=\"de\">Zoë (de)</artist>\n"
	"    <composer>Dvořák</composer>\n"
	"    <upc>036000291452</upc>\n"
	"    <genre code=\"jazz\">Café jazz</genre>\n"
	"  </release>\n"
	"  <tracks>\n"
	"    <track id=\"t1\">\n"
	"      <source file=\"1.wav\"/>\n"
	"      <title>Première</title>\n"
	"      <title lang=\"de\">Erste</title>\n"
	"      <isrc>FR-Z03-24-00001</isrc>\n"
	"    </track>\n"
	"    <track id=\"t2\">\n"
	"      <source file=\"2.wav\"/>\n"
	"      <title>Deuxième</title>\n"
	"      <title lang=\"de\">Zweite</title>\n"
	"      <artist>Ünal</artist>\n"
	"      <artist lang=\"de\">Ünal (de)</artist>\n"
	"      <isrc>FRZ032400002</isrc>\n"
	"    </track>\n"
	"    <track id=\"t3\">\n"
	"      <source file=\"3.wav\"/>\n"
	"      <title>Łódź</title>\n"
	"      <title lang=\"de\">Dritte – Łódź</title>\n"
	"      <composer>Smetana</composer>\n"
	"    </track>\n"
	"  </tracks>\n"
	"  <deliverables>\n"
	"    <cd>\n"
	"      <cd-text transliterate=\"%s\" copyright=\"true\" disc-id=\"PM 0042\">\n"
	"        <block language=\"en\"/>\n"
	"        <block language=\"de\"/>\n"
	"      </cd-text>\n"
	"    </cd>\n"
	"  </deliverables>\n"
	"</album>\n";

static struct pm_album *load_good(const char *translit, struct pm_err *err)
{
	char xml[sizeof(good_album) + 16];
	const char *path;

	snprintf(xml, sizeof(xml), good_album, translit);
	path = write_album("good.xml", xml);
	return path ? pm_album_load(path, NULL, err) : NULL;
}

static void test_from_album(void)
{
	struct pm_err err = { 0 };
	struct pm_album *a;
	struct pm_cdtext_text tx = { 0 };
	const struct pm_cdtext_lang *en, *de;
	uint8_t *out = NULL;
	size_t len = 0;
	int rc;

	logcap_clear();
	a = load_good("true", &err);
	if (!ok(a != NULL, "the album loads with transliteration")) {
		tap_diag("%s", err.msg);
		logcap_dump();
		return;
	}
	logcap_clear();
	rc = pm_cdtext_from_album(a, &out, &len, &err);
	if (!ok(rc == 0 && out, "and becomes CD-TEXT"))
		tap_diag("%s", err.msg);
	is_int(logcap_matches(PM_LOG_WARNING,
		      "track 3 ('t3') title: CD-TEXT 'en' (iso-8859-1) transliterated to 'Lódz'"),
	       1,
	       "Łódź is transliterated, with a warning naming field and track");
	is_int(logcap_matches(PM_LOG_WARNING,
		      "track 3 ('t3') title: CD-TEXT 'de' (iso-8859-1) transliterated to 'Dritte - Lódz'"),
	       1, "in the German block too (en dash and all)");
	is_int(logcap_matches(PM_LOG_WARNING,
		      "track 1 ('t1') composer: CD-TEXT 'en' (iso-8859-1) transliterated to 'Dvorák'"),
	       1,
	       "an inherited composer is reported for the track that inherits it");
	is_int(logcap_matches(PM_LOG_WARNING,
		      "album genre: CD-TEXT 'en' (ascii) transliterated to 'Cafe jazz'"),
	       1, "the genre text is ASCII");
	is_int(logcap_matches(PM_LOG_WARNING,
		      "track 2 ('t2') composer: CD-TEXT 'de' (iso-8859-1) transliterated to 'Dvorák'"),
	       1, "the German block shows the original composer, transliterated");
	if (!is_int(logcap_matches(PM_LOG_ERROR, ""), 0, "no errors") || logcap_total() != 10)
		logcap_dump();
	is_int(logcap_total(), 10, "and no other warnings");

	logcap_clear();
	is_int(pm_cdtext_validate(out, len, 3, "album"), 0,
	       "the album's CD-TEXT validates");
	if (!ok(pm_cdio_cdtext_decode(out, len, &tx, &err) == 0, "and decodes"))
		tap_diag("%s", err.msg);
	en = pm_cdio_cdtext_lang(&tx, 0x09);
	de = pm_cdio_cdtext_lang(&tx, 0x08);
	if (ok(en && en->block == 0, "English is block 0")) {
		is_str(en->text[PM_FIELD_TITLE][0], "Café Noir",
		       "the unlabelled album title");
		is_str(en->text[PM_FIELD_TITLE][2], "Deuxième", "T2 title");
		is_str(en->text[PM_FIELD_TITLE][3], "Lódz",
		       "T3 transliterated where ISO-8859-1 lacks a letter");
		is_str(en->text[PM_FIELD_PERFORMER][0], "Zoë Ångström",
		       "album artist");
		is_str(en->text[PM_FIELD_PERFORMER][1], "Zoë Ångström",
		       "T1 inherits the album artist");
		is_str(en->text[PM_FIELD_PERFORMER][2], "Ünal",
		       "T2 has its own");
		is_str(en->text[PM_FIELD_COMPOSER][0], "Dvorák",
		       "album composer");
		is_str(en->text[PM_FIELD_COMPOSER][3], "Smetana",
		       "T3's own composer");
		is_str(en->text[PM_FIELD_COMPOSER][2], "Dvorák",
		       "T2 inherits the composer");
		is_str(en->text[PM_FIELD_SONGWRITER][0], NULL,
		       "no songwriters");
		is_str(en->upc, "0036000291452", "UPC as EAN-13");
		is_str(en->isrc[1], "FRZ032400001", "T1 ISRC, normalised");
		is_str(en->isrc[3], NULL, "T3 has none");
		is_str(en->disc_id, "PM 0042", "disc id");
		is_int(en->genre_code, 14, "genre jazz (14)");
		is_str(en->genre_text, "Cafe jazz", "genre text");
		ok(en->copyright, "copyright");
	}
	if (ok(de && de->block == 1, "German is block 1")) {
		is_str(de->text[PM_FIELD_TITLE][0], "Schwarzer Kaffee",
		       "the German album title");
		is_str(de->text[PM_FIELD_TITLE][1], "Erste", "T1 in German");
		is_str(de->text[PM_FIELD_TITLE][3], "Dritte - Lódz",
		       "T3 in German, transliterated");
		is_str(de->text[PM_FIELD_PERFORMER][0], "Zoë (de)",
		       "the German album artist");
		is_str(de->text[PM_FIELD_PERFORMER][2], "Ünal (de)",
		       "T2's German artist");
		is_str(de->text[PM_FIELD_PERFORMER][1], "Zoë (de)",
		       "T1 inherits the German album artist");
		is_str(de->text[PM_FIELD_COMPOSER][3], "Smetana",
		       "without a German composer, block 1 shows the original");
		is_str(de->isrc[2], "FRZ032400002", "ISRCs in block 1 too");
	}
	pm_cdio_cdtext_release(&tx);
	free(out);
	out = NULL;

	/* without transliteration the text cannot be written */
	a->cd.transliterate = false;
	logcap_clear();
	is_int(pm_cdtext_from_album(a, &out, &len, &err), -1,
	       "without transliteration Łódź is refused");
	is_int(err.code, PM_ESCHEMA, "as PM_ESCHEMA");
	is_str(err.msg,
	       "track 3 ('t3') title: 'Ł' (U+0141) cannot be written in CD-TEXT iso-8859-1 (set transliterate=\"true\" on <cd-text> to replace it)",
	       "naming field, track and character");
	ok(out == NULL && len == 0, "no output");

	/*
	 * The defensive all-or-none check: without the album composer only
	 * T3 has one (album/check.c refuses this at load time).
	 */
	a->cd.transliterate = true;
	{
		struct pm_texts *rt = &a->release.text[PM_FIELD_COMPOSER];
		size_t rn = rt->n;

		rt->n = 0;
		is_int(pm_cdtext_from_album(a, &out, &len, &err), -1,
		       "a field on one track only is refused");
		is_str(err.msg,
		       "track 1 ('t1') has no composer in CD-TEXT block 'en', but t3 has one; CD-TEXT needs it for every track or none",
		       "in the album checks' words");
		rt->n = rn;
	}

	/* CD-TEXT off */
	a->cd.cdtext = false;
	out = (uint8_t *)&rc;
	len = 7;
	is_int(pm_cdtext_from_album(a, &out, &len, &err), 0,
	       "CD-TEXT disabled is not an error");
	ok(out == NULL && len == 0, "and gives nothing");
	pm_album_free(a);

	/* album/check.c already refuses it at load time */
	logcap_clear();
	a = load_good("false", &err);
	ok(a == NULL, "without transliteration the album does not even load");
	ok(logcap_matches(PM_LOG_ERROR,
		  "track 3 ('t3') title: 'Ł' (U+0141) cannot be written in CD-TEXT iso-8859-1") ==
		   1,
	   "the album checks name the same field, track and character");
	pm_album_free(a);
}

static void test_album_msjis(void)
{
	static const char xml[] = ALBUM_HEAD
		"  <release>\n"
		"    <title>Tokyo</title>\n"
		"    <title lang=\"ja\">東京</title>\n"
		"  </release>\n"
		"  <tracks>\n"
		"    <track id=\"a\">\n"
		"      <source file=\"a.wav\"/>\n"
		"      <title>Rain</title>\n"
		"      <title lang=\"ja\">雨の日</title>\n"
		"    </track>\n"
		"    <track id=\"b\">\n"
		"      <source file=\"b.wav\"/>\n"
		"      <title>Night 2</title>\n"
		"      <title lang=\"ja\">夜 2</title>\n"
		"    </track>\n"
		"  </tracks>\n"
		"  <deliverables>\n"
		"    <cd>\n"
		"      <cd-text transliterate=\"%s\">\n"
		"        <block language=\"en\"/>\n"
		"        <block language=\"ja\" charset=\"ms-jis\"/>\n"
		"      </cd-text>\n"
		"    </cd>\n"
		"  </deliverables>\n"
		"</album>\n";
	char buf[sizeof(xml) + 8];
	struct pm_err err = { 0 };
	struct pm_album *a;
	struct pm_cdtext_text tx = { 0 };
	const struct pm_cdtext_lang *ja;
	const char *path;
	uint8_t *out = NULL;
	size_t len = 0;

	snprintf(buf, sizeof(buf), xml, "false");
	path = write_album("ja.xml", buf);
	a = path ? pm_album_load(path, NULL, &err) : NULL;
	if (!ok(a != NULL, "a Japanese block loads")) {
		tap_diag("%s", err.msg);
		logcap_dump();
		return;
	}
	is_int(pm_cdtext_from_album(a, &out, &len, &err), -1,
	       "'夜 2' has single-byte characters");
	is_str(err.msg,
	       "track 2 ('b') title: ' ' (U+0020) is a single-byte character; CD-TEXT ms-jis holds double-byte characters only (set transliterate=\"true\" on <cd-text> to write its full-width form)",
	       "refused, naming field, track and character");
	a->cd.transliterate = true;
	logcap_clear();
	if (!ok(pm_cdtext_from_album(a, &out, &len, &err) == 0,
		"with transliteration it encodes"))
		tap_diag("%s", err.msg);
	is_int(logcap_matches(PM_LOG_WARNING,
		      "track 2 ('b') title: CD-TEXT 'ja' (ms-jis) transliterated to '夜　２'"),
	       1, "widened to full-width, with a warning");
	is_int(pm_cdtext_validate(out, len, 2, "ja"), 0, "it validates");
	if (ok(pm_cdio_cdtext_decode(out, len, &tx, &err) == 0,
	       "libcdio decodes it")) {
		ja = pm_cdio_cdtext_lang(&tx, 0x69);
		if (ok(ja && ja->block == 1 && ja->char_code == 0x80,
		       "block 1 is Japanese, MS-JIS")) {
			is_str(ja->text[PM_FIELD_TITLE][0], "東京",
			       "album title");
			is_str(ja->text[PM_FIELD_TITLE][1], "雨の日", "T1");
			is_str(ja->text[PM_FIELD_TITLE][2], "夜　２",
			       "T2, full-width");
		}
		if (tx.nblocks > 0)
			is_str(tx.block[0].text[PM_FIELD_TITLE][2], "Night 2",
			       "block 0 stays ISO-8859-1");
	}
	pm_cdio_cdtext_release(&tx);
	free(out);
	pm_album_free(a);
}

static void test_album_overflow(void)
{
	size_t cap = 64 * 1024, n = 0;
	char *xml = malloc(cap);
	struct pm_err err = { 0 };
	struct pm_album *a = NULL;
	const char *path;
	uint8_t *out = NULL;
	size_t len = 0;
	char title[161];

	if (!xml)
		return;
	memset(title, 'x', 160);
	title[160] = '\0';
	n += (size_t)snprintf(
		xml + n, cap - n,
		ALBUM_HEAD "<release><title>Long</title></release><tracks>\n");
	for (int t = 1; t <= 99; t++)
		n += (size_t)snprintf(
			xml + n, cap - n,
			"<track id=\"t%d\"><source file=\"%d.wav\"/><title>%s</title></track>\n",
			t, t, title);
	snprintf(
		xml + n, cap - n,
		"</tracks><deliverables><cd><cd-text><block language=\"fr\"/></cd-text></cd></deliverables></album>\n");
	path = write_album("long.xml", xml);
	a = path ? pm_album_load(path, NULL, &err) : NULL;
	if (ok(a != NULL, "99 tracks with 160-character titles load")) {
		is_int(pm_cdtext_from_album(a, &out, &len, &err), -1,
		       "but do not fit CD-TEXT");
		is_int(err.code, PM_EFORMAT, "PM_EFORMAT");
		is_str(err.msg,
		       "CD-TEXT block 'fr' needs 1332 packs; at most 255 fit in a block (shorten its texts)",
		       "naming the block by its language");
	} else {
		tap_diag("%s", err.msg);
	}
	pm_album_free(a);
	free(xml);
}

int main(void)
{
	pm_log_init("t-cdtext", PM_LOG_DEBUG);
	logcap_start();
	snprintf(tmpdir, sizeof(tmpdir), "%s", "/tmp/t-cdtext-XXXXXX");
	if (!mkdtemp(tmpdir))
		tap_skip_all("cannot create a temporary directory");

	test_crc();
	test_vector_a();
	test_validate();
	test_pack_type_range();
	test_decode_vector();
	test_charpos();
	test_round_trip();
	test_tracks_99();
	test_overflow();
	test_decoder_quirks();
	test_msjis();
	test_from_album();
	test_album_msjis();
	test_album_overflow();

	{
		static const char *const names[] = { "good.xml", "ja.xml",
						     "long.xml" };
		char p[128];

		for (size_t i = 0; i < 3; i++) {
			snprintf(p, sizeof(p), "%s/%s", tmpdir, names[i]);
			remove(p);
		}
		rmdir(tmpdir);
	}
	return tap_done();
}
