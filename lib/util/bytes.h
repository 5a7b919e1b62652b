/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bytes.h: a byte buffer that grows as it is written, for headers and
 * pages built in memory (Ogg comment packets, ID3v2.4 tags).
 */
#ifndef PM_BYTES_H
#define PM_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Start it zeroed; free p when done.  Once an allocation fails, `failed`
 * stays set and later writes do nothing, so a caller checks once. */
struct pm_bytes {
	uint8_t *p;
	size_t n, cap;
	bool failed;
};

/* Append `n` bytes of `data`. */
void pm_bytes_put(struct pm_bytes *b, const void *data, size_t n);

#endif
