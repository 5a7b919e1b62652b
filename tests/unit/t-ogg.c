/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-ogg.c: renumbering an Ogg stream and replacing its comment header
 * keep it valid and the audio intact; a file that is not a clean single
 * Ogg stream is refused untouched. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/audio.h"
#include "io/ogg.h"
#include "tap.h"

static char dir[] = "/tmp/t-ogg.XXXXXX";

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

static int spill(const char *path, const unsigned char *buf, size_t n)
{
	FILE *fp = fopen(path, "wb");
	int ret = -1;

	if (fp && fwrite(buf, 1, n, fp) == n)
		ret = 0;
	if (fp && fclose(fp) != 0)
		ret = -1;
	return ret;
}

/* The pages of an Ogg file, walked independently of lib/io/ogg.c: their
 * count, whether all carry `serial`, and whether each checksum holds. */
static void pages(const unsigned char *b, size_t n, uint32_t serial,
		  unsigned *count, bool *all_serial, bool *all_crc)
{
	size_t pos = 0;

	*count = 0;
	*all_serial = *all_crc = true;
	while (pos + 27 <= n && memcmp(b + pos, "OggS", 4) == 0) {
		size_t len = 27u + b[pos + 26], i;
		uint32_t s = (uint32_t)b[pos + 14] | (uint32_t)b[pos + 15] << 8 |
			     (uint32_t)b[pos + 16] << 16 |
			     (uint32_t)b[pos + 17] << 24;
		uint32_t want = (uint32_t)b[pos + 22] |
				(uint32_t)b[pos + 23] << 8 |
				(uint32_t)b[pos + 24] << 16 |
				(uint32_t)b[pos + 25] << 24;
		unsigned char *copy;

		for (i = 0; i < b[pos + 26]; i++)
			len += b[pos + 27 + i];
		if (pos + len > n)
			break;
		copy = malloc(len);
		memcpy(copy, b + pos, len);
		memset(copy + 22, 0, 4);
		if (pm_ogg_crc_update(0, copy, len) != want)
			*all_crc = false;
		free(copy);
		if (s != serial)
			*all_serial = false;
		(*count)++;
		pos += len;
	}
	if (pos != n)
		*all_crc = false;
}

/* Whether a and b differ only in the serial and CRC fields of b's pages. */
static bool only_ids_differ(const unsigned char *a, const unsigned char *b,
			    size_t n)
{
	size_t pos = 0, i, len;

	while (pos + 27 <= n) {
		len = 27u + b[pos + 26];
		for (i = 0; i < b[pos + 26] && pos + 27 + i < n; i++)
			len += b[pos + 27 + i];
		if (pos + len > n)
			return false;
		for (i = 0; i < len; i++) {
			bool id = (i >= 14 && i < 18) || (i >= 22 && i < 26);

			if (!id && a[pos + i] != b[pos + i])
				return false;
		}
		pos += len;
	}
	return pos == n;
}

static float *decode(const char *path, int64_t *frames)
{
	struct pm_err err = { 0 };
	struct pm_audio_info info;
	struct pm_audio_reader *r = pm_audio_open(path, &info, &err);
	size_t cap = 1 << 16, n = 0;
	float *buf = NULL, *grown;
	int64_t got;

	*frames = 0;
	if (!r || info.channels != 2)
		goto out;
	buf = malloc(cap * 2 * sizeof(float));
	while (buf && (got = pm_audio_read(r, buf + n * 2, 4096, &err)) > 0) {
		n += (size_t)got;
		if (cap - n < 4096) {
			grown = realloc(buf, (cap *= 2) * 2 * sizeof(float));
			if (!grown) {
				free(buf);
				buf = NULL;
			}
			buf = grown;
		}
	}
	*frames = (int64_t)n;
out:
	pm_audio_close(r);
	return buf;
}

/* Whether the pages' sequence numbers count 0, 1, 2, ... */
static bool sequence_counts(const unsigned char *b, size_t n)
{
	size_t pos = 0, len, i;
	uint32_t want = 0;

	while (pos + 27 <= n) {
		uint32_t seq = (uint32_t)b[pos + 18] | (uint32_t)b[pos + 19] << 8 |
			       (uint32_t)b[pos + 20] << 16 |
			       (uint32_t)b[pos + 21] << 24;

		if (seq != want++)
			return false;
		len = 27u + b[pos + 26];
		for (i = 0; i < b[pos + 26]; i++)
			len += b[pos + 27 + i];
		pos += len;
	}
	return pos == n;
}

static bool contains(const unsigned char *b, size_t n, const char *s)
{
	size_t k = strlen(s), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(b + i, s, k) == 0)
			return true;
	return false;
}

/* New comments: a long one that needs header pages of its own, then a
 * short set; the audio decodes the same each time. */
static void comments(const char *path, const char *name, const float *before,
		     int64_t nb)
{
	struct pm_err err = { 0 };
	char *big = malloc(70000);
	const char *c[3] = { "TITLE=T\xc3\xadtulo", "ISRC=USAB12600001", big };
	unsigned char *b0, *b1;
	size_t s0, s1;
	unsigned count;
	bool serial_ok, crc_ok;
	int64_t na = 0;
	float *after;

	memcpy(big, "NOTES=", 6);
	memset(big + 6, 'x', 70000 - 7);
	big[70000 - 1] = '\0';
	is_int(pm_ogg_rewrite(path, 0xC0FFEEu, c, 3, &err), 0,
	       "%s: a 70 kB comment header is written", name);
	b0 = slurp(path, &s0);
	pages(b0, s0, 0xC0FFEEu, &count, &serial_ok, &crc_ok);
	ok(serial_ok && crc_ok, "%s: every page has the serial and a right checksum",
	   name);
	ok(sequence_counts(b0, s0), "%s: the %u pages count up from 0", name,
	   count);
	ok(contains(b0, s0, "ISRC=USAB12600001") && contains(b0, s0, c[0]),
	   "%s: the comments are there", name);
	after = decode(path, &na);
	ok(na == nb && after &&
		   memcmp(before, after, (size_t)nb * 2 * sizeof(float)) == 0,
	   "%s: it decodes to the same %lld frames", name, (long long)na);
	free(after);

	is_int(pm_ogg_rewrite(path, 0xC0FFEEu, c, 2, &err), 0,
	       "%s: a short comment header replaces it", name);
	b1 = slurp(path, &s1);
	ok(s1 + 60000 < s0, "%s: the file shrinks (%zu to %zu bytes)", name, s0,
	   s1);
	pages(b1, s1, 0xC0FFEEu, &count, &serial_ok, &crc_ok);
	ok(serial_ok && crc_ok && sequence_counts(b1, s1),
	   "%s: its %u pages are sound", name, count);
	ok(!contains(b1, s1, "NOTES="), "%s: the old comments are gone", name);
	after = decode(path, &na);
	ok(na == nb && after &&
		   memcmp(before, after, (size_t)nb * 2 * sizeof(float)) == 0,
	   "%s: and it still decodes the same", name);
	free(after);
	free(b0);
	is_int(pm_ogg_rewrite(path, 0xC0FFEEu, c, 2, &err), 0,
	       "%s: written again", name);
	b0 = slurp(path, &s0);
	ok(s0 == s1 && memcmp(b0, b1, s0) == 0,
	   "%s: the same comments give the same bytes", name);
	free(b0);
	free(b1);
	free(big);
}

static void one_format(enum pm_format f, const char *name)
{
	struct pm_audio_spec spec = { .format = f, .rate = 48000, .channels = 2 };
	struct pm_err err = { 0 };
	struct pm_audio_writer *w;
	const char *path = path_of(name);
	size_t n = 48000, i, size0, size1;
	float *in = malloc(n * 2 * sizeof(float)), *before, *after;
	unsigned char *b0, *b1;
	int64_t nb = 0, na = 0;
	unsigned count;
	bool serial_ok, crc_ok;

	for (i = 0; i < n; i++)
		in[2 * i] = in[2 * i + 1] =
			0.5f * (float)sin(2 * M_PI * 440.0 * (double)i / 48000.0);
	w = pm_audio_create(path, &spec, NULL, &err);
	ok(w && pm_audio_write(w, in, (int64_t)n, &err) == 0 &&
		   pm_audio_finish(w, &err) == 0,
	   "%s: libsndfile writes it", name);
	b0 = slurp(path, &size0);
	pages(b0, size0, 0, &count, &serial_ok, &crc_ok);
	ok(count >= 3 && crc_ok,
	   "%s: libsndfile's %u pages pass our own checksum", name, count);
	before = decode(path, &nb);

	is_int(pm_ogg_set_serial(path, 0x5EED1234u, &err), 0,
	       "%s: renumbered", name);
	b1 = slurp(path, &size1);
	is_int((long long)size1, (long long)size0, "%s: the size is unchanged",
	       name);
	pages(b1, size1, 0x5EED1234u, &count, &serial_ok, &crc_ok);
	ok(serial_ok && count >= 3, "%s: every page carries the new serial",
	   name);
	ok(crc_ok, "%s: and every checksum matches it", name);
	after = decode(path, &na);
	ok(nb > 0 && na == nb && memcmp(before, after,
					(size_t)nb * 2 * sizeof(float)) == 0,
	   "%s: it decodes to the same %lld frames, bit for bit", name,
	   (long long)na);
	ok(size0 == size1 && only_ids_differ(b0, b1, size1),
	   "%s: nothing but serials and checksums changed", name);

	/* the same serial twice: the same bytes (what the sequencer relies on) */
	is_int(pm_ogg_set_serial(path, 0x5EED1234u, &err), 0,
	       "%s: renumbered again", name);
	free(b0);
	b0 = slurp(path, &size0);
	ok(size0 == size1 && memcmp(b0, b1, size0) == 0,
	   "%s: renumbering is idempotent", name);

	comments(path, name, before, nb);
	spill(path, b1, size1);

	/* a damaged page: refused, and the file is left as it was */
	b1[size1 - 1] ^= 0x40; /* the last page's payload */
	spill(path, b1, size1);
	is_int(pm_ogg_set_serial(path, 7, &err), -1, "%s: a damaged page is refused",
	       name);
	is_int(err.code, PM_EFORMAT, "%s: as malformed", name);
	ok(strstr(err.msg, "checksum") != NULL, "%s: saying why: %s", name,
	   err.msg);
	free(b0);
	b0 = slurp(path, &size0);
	ok(size0 == size1 && memcmp(b0, b1, size0) == 0,
	   "%s: and is not changed", name);

	/* cut short */
	b1[size1 - 1] ^= 0x40; /* mended */
	spill(path, b1, size1 - 5);
	is_int(pm_ogg_set_serial(path, 7, &err), -1, "%s: a cut page is refused",
	       name);
	ok(strstr(err.msg, "cut short") != NULL, "%s: saying so: %s", name,
	   err.msg);

	unlink(path);
	free(in);
	free(before);
	free(after);
	free(b0);
	free(b1);
}

int main(void)
{
	struct pm_err err = { 0 };
	static const unsigned char junk[64] = "RIFF....WAVEfmt ";

	if (!mkdtemp(dir))
		return 99;
	/* CRC-32/CKSUM's check value is 0x765E7680; Ogg's CRC is the same
	 * register without the final inversion */
	is_int(pm_ogg_crc_update(0, "123456789", 9), 0x765E7680u ^ 0xFFFFFFFFu,
	       "the Ogg CRC of \"123456789\"");
	is_int(pm_ogg_crc_update(pm_ogg_crc_update(0, "1234", 4), "56789", 5),
	       pm_ogg_crc_update(0, "123456789", 9), "the CRC continues");

	if (pm_audio_can_write(PM_FORMAT_OGG))
		one_format(PM_FORMAT_OGG, "vorbis.ogg");
	else
		ok(0, "this libsndfile cannot write Ogg Vorbis");
	if (pm_audio_can_write(PM_FORMAT_OPUS))
		one_format(PM_FORMAT_OPUS, "opus.opus");
	else
		ok(0, "this libsndfile cannot write Opus");

	spill(path_of("not.ogg"), junk, sizeof(junk));
	is_int(pm_ogg_set_serial(path_of("not.ogg"), 1, &err), -1,
	       "a WAV header is not Ogg");
	is_int(err.code, PM_EFORMAT, "and is malformed");
	spill(path_of("empty.ogg"), junk, 0);
	is_int(pm_ogg_set_serial(path_of("empty.ogg"), 1, &err), -1,
	       "an empty file is refused");
	is_int(pm_ogg_set_serial(path_of("missing.ogg"), 1, &err), -1,
	       "a missing file is refused");
	is_int(err.code, PM_ENOINPUT, "as a missing input");
	unlink(path_of("not.ogg"));
	unlink(path_of("empty.ogg"));
	rmdir(dir);
	return tap_done();
}
