/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ogg.c: our serial number and comments in an Ogg stream libsndfile wrote. */
#include <config.h>

#include "io/ogg.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/compat.h"
#include "util/outdir.h"

#include "util/banned.h"

/* RFC 3533: a page header is 27 bytes, then the segment table. */
#define HDR 27
#define OFF_VERSION 4
#define OFF_SERIAL 14
#define OFF_CRC 22
#define OFF_NSEG 26
/* Our files are a few minutes of compressed audio; refuse the absurd. */
#define MAX_BYTES ((long)1 << 30)

static uint32_t table[256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i << 24;

		for (int k = 0; k < 8; k++)
			c = c & 0x80000000u ? (c << 1) ^ 0x04C11DB7u : c << 1;
		table[i] = c;
	}
}

uint32_t pm_ogg_crc_update(uint32_t crc, const void *data, size_t n_bytes)
{
	const uint8_t *p = data;

	pthread_once(&table_once, make_table);
	while (n_bytes--)
		crc = (crc << 8) ^ table[(crc >> 24) ^ *p++];
	return crc;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The checksum of the page at p, `len` bytes, as if its CRC field were 0. */
static uint32_t page_crc(const uint8_t *p, size_t len)
{
	static const uint8_t zero[4];
	uint32_t crc = pm_ogg_crc_update(0, p, OFF_CRC);

	crc = pm_ogg_crc_update(crc, zero, 4);
	return pm_ogg_crc_update(crc, p + OFF_CRC + 4, len - OFF_CRC - 4);
}

/*
 * Walk the pages of buf: check each, and when `serial` is non-NULL,
 * rewrite it.  Returns NULL when all is well, else why not.
 */
static const char *walk(uint8_t *buf, size_t size, const uint32_t *serial,
			size_t *where)
{
	size_t pos = 0, len, i;
	uint32_t first = 0;

	if (size == 0)
		return "it is empty";
	while (pos < size) {
		uint8_t *p = buf + pos;

		*where = pos;
		if (size - pos < HDR || memcmp(p, "OggS", 4) != 0)
			return "no Ogg page starts here";
		if (p[OFF_VERSION] != 0)
			return "the page is not Ogg version 0";
		if (size - pos < (size_t)HDR + p[OFF_NSEG])
			return "the segment table is cut short";
		len = HDR + p[OFF_NSEG];
		for (i = 0; i < p[OFF_NSEG]; i++)
			len += p[HDR + i];
		if (size - pos < len)
			return "the page is cut short";
		if (pos == 0)
			first = get_le32(p + OFF_SERIAL);
		else if (get_le32(p + OFF_SERIAL) != first)
			return "it holds more than one logical stream";
		if (!serial) {
			if (page_crc(p, len) != get_le32(p + OFF_CRC))
				return "the page checksum is wrong";
		} else {
			put_le32(p + OFF_SERIAL, *serial);
			put_le32(p + OFF_CRC, page_crc(p, len));
		}
		pos += len;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* A new comment header                                                 */
/* ------------------------------------------------------------------ */

static void put_u32(struct pm_bytes *b, uint32_t v)
{
	uint8_t q[4];

	put_le32(q, v);
	pm_bytes_put(b, q, 4);
}

/* One page of the file, as found. */
struct page {
	size_t pos, len;
	unsigned nseg;
};

/* The packets of the header pages: where each ends, and its bytes. */
struct headers {
	unsigned npackets, want;
	struct pm_bytes packet[3];
	size_t last_page; /* index of the page the last header packet ends */
};

static void headers_free(struct headers *h)
{
	unsigned i;

	for (i = 0; i < 3; i++)
		free(h->packet[i].p);
}

/*
 * Gather the header packets from the first pages: 3 for Vorbis (its
 * identification, comment and setup headers), 2 for Opus (OpusHead,
 * OpusTags).  The identification header must fill page 0 alone and the
 * last header must end its page, as both specifications require.
 */
static const char *gather(const uint8_t *buf, const struct page *pg,
			  size_t npages, struct headers *h)
{
	size_t k;
	unsigned i;

	h->want = 0;
	for (k = 0; k < npages && h->npackets < 3; k++) {
		const uint8_t *p = buf + pg[k].pos;
		const uint8_t *data = p + HDR + pg[k].nseg;

		for (i = 0; i < pg[k].nseg; i++) {
			unsigned lace = p[HDR + i];

			pm_bytes_put(&h->packet[h->npackets], data, lace);
			data += lace;
			if (lace == 255)
				continue;
			/* a packet ends here */
			if (h->npackets == 0) {
				const struct pm_bytes *b = &h->packet[0];

				if (b->n >= 7 && memcmp(b->p, "\x01vorbis", 7) == 0)
					h->want = 3;
				else if (b->n >= 8 && memcmp(b->p, "OpusHead", 8) == 0)
					h->want = 2;
				else
					return "it is neither Ogg Vorbis nor Ogg Opus";
				if (k != 0 || i + 1 != pg[k].nseg)
					return "the identification header does not fill the first page";
			}
			h->npackets++;
			if (h->npackets == h->want) {
				if (i + 1 != pg[k].nseg)
					return "audio shares a page with the headers";
				h->last_page = k;
				return NULL;
			}
		}
		if (h->packet[0].failed || h->packet[1].failed ||
		    h->packet[2].failed)
			return "out of memory";
	}
	return "the header packets are incomplete";
}

/* The new comment packet: the old one's vendor string, our comments. */
static const char *comment_packet(const struct headers *h,
				  const char *const *comments, size_t n,
				  struct pm_bytes *out)
{
	const struct pm_bytes *old = &h->packet[1];
	bool vorbis = h->want == 3;
	size_t magic = vorbis ? 7 : 8, i;
	uint32_t vlen;

	if (old->n < magic + 4 ||
	    memcmp(old->p, vorbis ? "\x03vorbis" : "OpusTags", magic) != 0)
		return "the second packet is not a comment header";
	vlen = get_le32(old->p + magic);
	if (vlen > old->n - magic - 4)
		return "the comment header's vendor string is cut short";
	pm_bytes_put(out, old->p, magic + 4 + vlen);
	put_u32(out, (uint32_t)n);
	for (i = 0; i < n; i++) {
		put_u32(out, (uint32_t)strlen(comments[i]));
		pm_bytes_put(out, comments[i], strlen(comments[i]));
	}
	if (vorbis)
		pm_bytes_put(out, "\x01", 1); /* the framing bit */
	return out->failed ? "out of memory" : NULL;
}

/*
 * Lay packets out as pages from sequence number `seq`: at most 255
 * segments a page, a packet's lacing values 255 ... 255 r (r < 255, a
 * 0 when the length is a multiple of 255), the continued flag on a page
 * that starts inside a packet, granule position 0 on a page where a
 * header packet ends and -1 on one where none does.  The last packet
 * ends its page.  The checksum is filled in later.
 */
static void paginate(struct pm_bytes *out, const struct pm_bytes *const *pkt,
		     size_t npkt, uint32_t serial, uint32_t *seq)
{
	uint8_t lace[255], hdr[HDR];
	size_t k = 0, off = 0, nlace, body, i;
	bool continued = false;

	while (k < npkt) {
		size_t start_k = k, start_off = off, left;
		bool ends = false, cont = continued;

		nlace = 0;
		body = 0;
		while (k < npkt && nlace < 255) {
			left = pkt[k]->n - off;
			if (left >= 255) {
				lace[nlace++] = 255;
				off += 255;
				body += 255;
				continued = true;
				/* exactly 255 * m bytes still need their 0 */
				continue;
			}
			lace[nlace++] = (uint8_t)left;
			body += left;
			off = 0;
			k++;
			ends = true;
			continued = false;
		}
		memset(hdr, 0, sizeof(hdr));
		memcpy(hdr, "OggS", 4);
		hdr[5] = cont ? 0x01 : 0x00;
		memset(hdr + 6, ends ? 0x00 : 0xFF, 8);
		put_le32(hdr + OFF_SERIAL, serial);
		put_le32(hdr + 18, (*seq)++);
		hdr[OFF_NSEG] = (uint8_t)nlace;
		pm_bytes_put(out, hdr, HDR);
		pm_bytes_put(out, lace, nlace);
		/* the page's data: from (start_k, start_off), body bytes */
		for (i = start_k; body > 0; i++) {
			size_t from = i == start_k ? start_off : 0;
			size_t take = PM_MIN(pkt[i]->n - from, body);

			pm_bytes_put(out, pkt[i]->p + from, take);
			body -= take;
		}
	}
}

static const char *replace_comments(const uint8_t *buf, size_t size,
				    const char *const *comments, size_t n,
				    struct pm_bytes *out)
{
	struct page *pg = NULL;
	struct headers h = { 0 };
	struct pm_bytes cp = { 0 };
	const struct pm_bytes *pkt[2];
	size_t npages = 0, cap = 0, pos = 0, k;
	uint32_t seq = 1;
	const char *why = NULL;

	while (pos < size) {
		struct page *np;
		unsigned i, nseg = buf[pos + OFF_NSEG];
		size_t len = HDR + nseg;

		for (i = 0; i < nseg; i++)
			len += buf[pos + HDR + i];
		if (npages == cap) {
			cap = cap ? 2 * cap : 64;
			np = realloc(pg, cap * sizeof(*pg));
			if (!np) {
				why = "out of memory";
				goto out;
			}
			pg = np;
		}
		pg[npages].pos = pos;
		pg[npages].len = len;
		pg[npages].nseg = nseg;
		npages++;
		pos += len;
	}
	why = gather(buf, pg, npages, &h);
	if (!why)
		why = comment_packet(&h, comments, n, &cp);
	if (why)
		goto out;
	/* page 0 as it was; then comment (and setup) headers; then audio */
	pm_bytes_put(out, buf, pg[0].len);
	pkt[0] = &cp;
	pkt[1] = &h.packet[2];
	paginate(out, pkt, h.want - 1, get_le32(buf + OFF_SERIAL), &seq);
	for (k = h.last_page + 1; k < npages; k++) {
		size_t at = out->n;

		pm_bytes_put(out, buf + pg[k].pos, pg[k].len);
		if (!out->failed)
			put_le32(out->p + at + 18, seq++);
	}
	if (out->failed)
		why = "out of memory";
out:
	headers_free(&h);
	free(cp.p);
	free(pg);
	return why;
}

static int slurp(const char *path, uint8_t **buf, size_t *size,
		 struct pm_err *err)
{
	FILE *fp = fopen(path, "rb");
	long n;

	*buf = NULL;
	if (!fp)
		return pm_err_sys(err, PM_ENOINPUT, "cannot open '%s'", path);
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);
		return pm_err_sys(err, PM_EIO, "cannot size '%s'", path);
	}
	if (n > MAX_BYTES) {
		fclose(fp);
		return pm_err_set(err, PM_EUNSUPPORTED, "'%s' is over 1 GiB", path);
	}
	*buf = malloc(n ? (size_t)n : 1);
	if (!*buf) {
		fclose(fp);
		return pm_err_set(err, PM_ENOMEM, "no memory for '%s'", path);
	}
	if (fread(*buf, 1, (size_t)n, fp) != (size_t)n) {
		fclose(fp);
		free(*buf);
		*buf = NULL;
		return pm_err_sys(err, PM_EIO, "cannot read '%s'", path);
	}
	fclose(fp);
	*size = (size_t)n;
	return 0;
}

int pm_ogg_rewrite(const char *path, uint32_t serial,
		   const char *const *comments, size_t n, struct pm_err *err)
{
	struct pm_bytes out = { 0 };
	uint8_t *buf = NULL;
	const char *why;
	size_t size = 0, where = 0;
	int ret = -1;

	if (slurp(path, &buf, &size, err) < 0)
		return -1;
	why = walk(buf, size, NULL, &where);
	if (why) {
		pm_err_set(err, PM_EFORMAT, "'%s' at byte %zu: %s", path, where,
			   why);
		goto out;
	}
	if (comments) {
		why = replace_comments(buf, size, comments, n, &out);
		if (why) {
			pm_err_set(err, strcmp(why, "out of memory") == 0 ? PM_ENOMEM
								    : PM_EFORMAT,
				   "'%s': %s", path, why);
			goto out;
		}
		free(buf);
		buf = out.p;
		size = out.n;
		out.p = NULL;
	}
	walk(buf, size, &serial, &where);
	ret = pm_file_rewrite(path, buf, size, err);
out:
	free(out.p);
	free(buf);
	return ret;
}

int pm_ogg_set_serial(const char *path, uint32_t serial, struct pm_err *err)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	const char *why;
	size_t where = 0;
	long size;
	int ret = -1;

	if (!fp)
		return pm_err_sys(err, PM_ENOINPUT, "cannot open '%s'",
				  path);
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0) {
		pm_err_sys(err, PM_EIO, "cannot size '%s'", path);
		goto out;
	}
	if (size > MAX_BYTES) {
		pm_err_set(err, PM_EUNSUPPORTED, "'%s' is over 1 GiB", path);
		goto out;
	}
	buf = malloc(size ? (size_t)size : 1);
	if (!buf) {
		pm_err_set(err, PM_ENOMEM, "no memory for '%s'", path);
		goto out;
	}
	if (fread(buf, 1, (size_t)size, fp) != (size_t)size) {
		pm_err_sys(err, PM_EIO, "cannot read '%s'", path);
		goto out;
	}
	fclose(fp);
	fp = NULL;
	/* check everything before changing anything */
	why = walk(buf, (size_t)size, NULL, &where);
	if (why) {
		pm_err_set(err, PM_EFORMAT, "'%s' at byte %zu: %s", path, where,
			   why);
		goto out;
	}
	walk(buf, (size_t)size, &serial, &where);
	ret = pm_file_rewrite(path, buf, (size_t)size, err);
out:
	free(buf);
	return ret;
}
