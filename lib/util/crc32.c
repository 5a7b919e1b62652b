/* SPDX-License-Identifier: GPL-3.0-or-later */
/* crc32.c: zlib's CRC-32, eight bytes per step ("slicing-by-8"). */
#include <config.h>

#include "util/crc32.h"

#include <pthread.h>

#include "util/banned.h"

/*
 * table[0] is the classic byte-at-a-time table of the reflected
 * polynomial; table[k][b] is the CRC of byte b followed by k zero bytes,
 * so that eight table look-ups, independent of each other, advance the
 * CRC by eight bytes at once.
 */
static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int k = 1; k < 8; k++)
			table[k][i] = (table[k - 1][i] >> 8) ^
				      table[0][table[k - 1][i] & 0xFF];
}

static inline uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint32_t pm_crc32_update(uint32_t crc, const void *data, size_t n_bytes)
{
	const uint8_t *p = data;
	uint32_t c = ~crc;

	pthread_once(&table_once, make_table);
	while (n_bytes >= 8) {
		uint32_t lo = load_le32(p) ^ c, hi = load_le32(p + 4);

		c = table[7][lo & 0xFF] ^ table[6][(lo >> 8) & 0xFF] ^
		    table[5][(lo >> 16) & 0xFF] ^ table[4][lo >> 24] ^
		    table[3][hi & 0xFF] ^ table[2][(hi >> 8) & 0xFF] ^
		    table[1][(hi >> 16) & 0xFF] ^ table[0][hi >> 24];
		p += 8;
		n_bytes -= 8;
	}
	while (n_bytes--)
		c = (c >> 8) ^ table[0][(c ^ *p++) & 0xFF];
	return ~c;
}
