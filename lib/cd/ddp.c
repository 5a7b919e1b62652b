/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ddp.c: DDP 2.00 fixed-width fields and file helpers shared by the writer,
 * reader and extractor.
 */
#include <config.h>

#include "cd/ddp-impl.h"

#include "util/banned.h"

/* IMAGE.DAT is little-endian: swap the samples on a big-endian host. */
void ddp_le16_swap(int16_t *s, size_t n)
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

int ddp_write_all(int fd, const void *buf, size_t n)
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

/* ------------------------------------------------------------------ */
/* Fixed-width ASCII fields                                             */
/* ------------------------------------------------------------------ */

/* Left-aligned text into a field already filled with spaces. */
void ddp_put_text(uint8_t *rec, size_t off, size_t width, const char *s)
{
	size_t n = strlen(s);

	memcpy(rec + off, s, n < width ? n : width);
}

/* A right-aligned number padded with spaces, cue2ddp's form. */
void ddp_put_num(uint8_t *rec, size_t off, size_t width, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%*" PRIu64, (int)width, v);
	memcpy(rec + off, buf + strlen(buf) - width, width);
}

/* Two zero-padded digits (PQ fields). */
void ddp_put_2d(uint8_t *rec, size_t off, unsigned v)
{
	rec[off] = (uint8_t)('0' + v / 10 % 10);
	rec[off + 1] = (uint8_t)('0' + v % 10);
}

/* A field as a C string with trailing spaces (and NULs) removed. */
void ddp_get_text(const uint8_t *rec, size_t off, size_t width, char *out)
{
	size_t n = width;

	memcpy(out, rec + off, width);
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\0'))
		n--;
	out[n] = '\0';
}

/* A field as text for a message, bytes outside printable ASCII as '?'. */
const char *ddp_shown(const uint8_t *rec, size_t off, size_t width,
		      char *buf)
{
	for (size_t i = 0; i < width; i++) {
		uint8_t c = rec[off + i];

		buf[i] = c >= 0x20 && c < 0x7F ? (char)c : '?';
	}
	buf[width] = '\0';
	return buf;
}

bool ddp_is_blank(const uint8_t *rec, size_t off, size_t width)
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
int ddp_get_num(const uint8_t *rec, size_t off, size_t width, int64_t *v)
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
int ddp_get_2d(const uint8_t *rec, size_t off)
{
	uint8_t a = rec[off], b = rec[off + 1];

	if (a < '0' || a > '9' || b < '0' || b > '9')
		return -1;
	return (a - '0') * 10 + (b - '0');
}
