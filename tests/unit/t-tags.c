/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-tags.c: the identifiers lib/io/tags writes into FLAC and MP3 files:
 * they are there in the layout each format defines (a VORBIS_COMMENT
 * block; an ID3v2.4 tag with syncsafe sizes and UTF-8 text frames, and
 * no other ID3 tag, LAME's ID3v1 trailer included), and the audio
 * decodes bit for bit as before.  (tests/cli/deliver.sh reads every tag
 * back with ffprobe.)
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/audio.h"
#include "io/tags.h"
#include "tap.h"

static char dir[] = "/tmp/t-tags.XXXXXX";

static const char *path_of(const char *name)
{
	static char p[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static unsigned char *slurp(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	*size = 0;
	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
	    fread(buf, 1, (size_t)n, fp) == (size_t)n)
		*size = (size_t)n;
	fclose(fp);
	return buf;
}

static const unsigned char *find(const unsigned char *b, size_t n,
				 const void *s, size_t k)
{
	size_t i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(b + i, s, k) == 0)
			return b + i;
	return NULL;
}

static float *decode(const char *path, int64_t *frames)
{
	struct pm_err err = { 0 };
	struct pm_audio_info info;
	struct pm_audio_reader *r = pm_audio_open(path, &info, &err);
	float *buf = NULL;
	int64_t got, n = 0;

	*frames = 0;
	if (!r)
		return NULL;
	buf = malloc((size_t)(info.length_samples + 4096) * 2 * sizeof(float));
	while (buf && (got = pm_audio_read(r, buf + n * 2, 4096, &err)) > 0)
		n += got;
	pm_audio_close(r);
	*frames = n;
	return buf;
}

static const struct pm_tag tags[] = {
	{ "TITLE", "D\xc3\xa9j\xc3\xa0 vu" }, /* UTF-8 */
	{ "ARTIST", "The Artist" },
	{ "ALBUM", "The Album" },
	{ "ALBUMARTIST", "Album Artist" },
	{ "TRACKNUMBER", "3" },
	{ "TRACKTOTAL", "12" },
	{ "DISCNUMBER", "1" },
	{ "DISCTOTAL", "1" },
	{ "ISRC", "USAB12600003" },
	{ "BARCODE", "0036000291452" },
	{ "COPYRIGHT", "2026 The Label" },
	{ "CATALOGNUMBER", "LBL 001" },
	{ "GENRE", NULL }, /* left out */
};

static void write_file(const char *path, enum pm_format f, const char *name)
{
	struct pm_audio_spec spec = { .format = f, .rate = 44100, .channels = 2,
				      .bits = 16 };
	struct pm_audio_meta meta = { .title = "libsndfile title",
				      .artist = "libsndfile artist" };
	struct pm_err err = { 0 };
	struct pm_audio_writer *w = pm_audio_create(path, &spec, &meta, &err);
	size_t n = 44100, i;
	float *x = malloc(n * 2 * sizeof(float));

	for (i = 0; i < n; i++)
		x[2 * i] = x[2 * i + 1] =
			0.4f * (float)sin(2 * M_PI * 997.0 * (double)i / 44100.0);
	ok(w && pm_audio_write(w, x, (int64_t)n, &err) == 0 &&
		   pm_audio_finish(w, &err) == 0,
	   "%s: libsndfile writes it", name);
	free(x);
}

/* An ID3v2.4 frame's text: 4-byte id, syncsafe size, 2 flag bytes. */
static bool id3_frame(const unsigned char *tag, size_t n, const char *id,
		      const char *want, size_t want_len)
{
	size_t pos = 10;

	while (pos + 10 <= n && tag[pos] != 0) {
		size_t len = (size_t)tag[pos + 4] << 21 |
			     (size_t)tag[pos + 5] << 14 |
			     (size_t)tag[pos + 6] << 7 | tag[pos + 7];

		if ((tag[pos + 4] | tag[pos + 5] | tag[pos + 6] | tag[pos + 7]) &
		    0x80)
			return false; /* not syncsafe */
		if (memcmp(tag + pos, id, 4) == 0 && len == want_len &&
		    pos + 10 + len <= n && memcmp(tag + pos + 10, want, len) == 0)
			return true;
		pos += 10 + len;
	}
	return false;
}

static void mp3(void)
{
	const char *path = path_of("t.mp3");
	struct pm_err err = { 0 };
	unsigned char *b;
	size_t n, tag_len;
	float *before, *after;
	int64_t nb, na;

	write_file(path, PM_FORMAT_MP3, "mp3");
	b = slurp(path, &n);
	ok(b && n > 128 && memcmp(b + n - 128, "TAG", 3) == 0,
	   "mp3: libsndfile had LAME write an ID3v1 trailer");
	free(b);
	before = decode(path, &nb);
	is_int(pm_tags_write(path, PM_FORMAT_MP3, tags, PM_ARRAY_SIZE(tags), 0,
			     &err),
	       0, "mp3: tagged");
	b = slurp(path, &n);
	ok(b && n > 10 && memcmp(b, "ID3\x04\x00\x00", 6) == 0,
	   "mp3: an ID3v2.4 tag without flags leads");
	tag_len = b ? 10 + ((size_t)b[6] << 21 | (size_t)b[7] << 14 |
			    (size_t)b[8] << 7 | b[9])
		    : 0;
	ok(b && tag_len < n && b[tag_len] == 0xFF && (b[tag_len + 1] & 0xE0) == 0xE0,
	   "mp3: an MPEG frame follows it right away");
	ok(b && memcmp(b + n - 128, "TAG", 3) != 0, "mp3: no ID3v1 trailer is left");
	ok(b && !find(b + 10, n - 10, "ID3", 3), "mp3: nor LAME's ID3v2.3 tag");
	ok(b && id3_frame(b, tag_len, "TSRC", "\x03USAB12600003", 13),
	   "mp3: TSRC holds the ISRC, UTF-8 encoded");
	ok(b && id3_frame(b, tag_len, "TRCK", "\x03" "3/12", 5),
	   "mp3: TRCK is track/total");
	ok(b && id3_frame(b, tag_len, "TPE2", "\x03" "Album Artist", 13),
	   "mp3: TPE2 is the album artist");
	ok(b && id3_frame(b, tag_len, "TCOP", "\x03" "2026 The Label", 15),
	   "mp3: TCOP starts with the year");
	ok(b && id3_frame(b, tag_len, "TXXX", "\x03" "BARCODE\0" "0036000291452",
			  22),
	   "mp3: TXXX:BARCODE holds the barcode");
	ok(b && id3_frame(b, tag_len, "TIT2", "\x03" "D\xc3\xa9j\xc3\xa0 vu", 10),
	   "mp3: the title is UTF-8");
	ok(b && !find(b, tag_len, "TCON", 4), "mp3: an empty value is left out");
	after = decode(path, &na);
	ok(nb > 0 && na == nb && after &&
		   memcmp(before, after, (size_t)nb * 2 * sizeof(float)) == 0,
	   "mp3: it decodes to the same %lld frames", (long long)na);
	free(after);
	free(b);
	is_int(pm_tags_write(path, PM_FORMAT_MP3, tags, 3, 0, &err), 0,
	       "mp3: tagged again, with fewer tags");
	b = slurp(path, &n);
	ok(b && memcmp(b, "ID3\x04", 4) == 0 && !find(b + 10, n - 10, "ID3", 3) &&
		   !find(b, n, "TSRC", 4),
	   "mp3: one tag, the new one");
	after = decode(path, &na);
	ok(na == nb && after &&
		   memcmp(before, after, (size_t)nb * 2 * sizeof(float)) == 0,
	   "mp3: and the same audio");
	free(after);
	free(before);
	free(b);
}

static void flac(void)
{
	const char *path = path_of("t.flac");
	struct pm_err err = { 0 };
	unsigned char *b;
	size_t n;
	float *before, *after;
	int64_t nb, na;

	write_file(path, PM_FORMAT_FLAC, "flac");
	before = decode(path, &nb);
	is_int(pm_tags_write(path, PM_FORMAT_FLAC, tags, PM_ARRAY_SIZE(tags), 0,
			     &err),
	       0, "flac: tagged");
	b = slurp(path, &n);
	ok(b && memcmp(b, "fLaC", 4) == 0, "flac: still a FLAC stream");
	ok(b && find(b, n, "ISRC=USAB12600003", 17) &&
		   find(b, n, "BARCODE=0036000291452", 21) &&
		   find(b, n, "ALBUMARTIST=Album Artist", 24) &&
		   find(b, n, "TRACKTOTAL=12", 13),
	   "flac: the comments are there");
	ok(b && !find(b, n, "libsndfile title", 16),
	   "flac: libsndfile's comments are replaced");
	ok(b && !find(b, n, "GENRE=", 6), "flac: an empty value is left out");
	after = decode(path, &na);
	ok(nb > 0 && na == nb && after &&
		   memcmp(before, after, (size_t)nb * 2 * sizeof(float)) == 0,
	   "flac: it decodes to the same %lld frames", (long long)na);
	free(after);
	free(before);
	free(b);
}

int main(void)
{
	struct pm_err err = { 0 };
	FILE *fp;

	if (!mkdtemp(dir))
		return 99;
	flac();
	if (pm_audio_can_write(PM_FORMAT_MP3))
		mp3();
	else
		ok(0, "this libsndfile cannot write MP3");

	fp = fopen(path_of("junk.mp3"), "wb");
	if (fp) {
		fputs("not an mpeg stream at all, just text", fp);
		fclose(fp);
	}
	is_int(pm_tags_write(path_of("junk.mp3"), PM_FORMAT_MP3, tags, 2, 0, &err),
	       -1, "a file that is not MP3 is refused");
	is_int(err.code, PM_EFORMAT, "as malformed: %s", err.msg);
	is_int(pm_tags_write(path_of("junk.mp3"), PM_FORMAT_FLAC, tags, 2, 0,
			     &err),
	       -1, "and as FLAC too");
	is_int(pm_tags_write(path_of("missing.mp3"), PM_FORMAT_MP3, tags, 2, 0,
			     &err),
	       -1, "a missing file is refused");

	unlink(path_of("t.mp3"));
	unlink(path_of("t.flac"));
	unlink(path_of("junk.mp3"));
	rmdir(dir);
	return tap_done();
}
