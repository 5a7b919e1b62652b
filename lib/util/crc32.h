/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * crc32.h: the CRC-32 of zlib, PNG and Ethernet (reflected polynomial
 * 0xEDB88320, initial and final value all ones), as cue2ddp's
 * CHECKSUM.TXT uses it.  Pure functions, no state to release.
 */
#ifndef PM_CRC32_H
#define PM_CRC32_H

#include <stddef.h>
#include <stdint.h>

/*
 * Continue the CRC `crc` (0 to start) over `n_bytes` of `data` and return
 * the new value, exactly as zlib's crc32(crc, data, n) does: so
 * pm_crc32_update(pm_crc32_update(0, a, na), b, nb) equals the CRC of a
 * followed by b.
 */
uint32_t pm_crc32_update(uint32_t crc, const void *data, size_t n_bytes);

#endif
