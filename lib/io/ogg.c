/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ogg.c: a chosen serial number for an Ogg stream libsndfile wrote. */
#include <config.h>

#include "io/ogg.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	fp = fopen(path, "r+b");
	if (!fp) {
		pm_err_sys(err, PM_EIO, "cannot rewrite '%s'", path);
		goto out;
	}
	if (fwrite(buf, 1, (size_t)size, fp) != (size_t)size) {
		pm_err_sys(err, PM_EIO, "cannot rewrite '%s'", path);
		goto out;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		pm_err_sys(err, PM_EIO, "cannot rewrite '%s'", path);
		goto out;
	}
	fp = NULL;
	ret = 0;
out:
	if (fp)
		fclose(fp);
	free(buf);
	return ret;
}
