/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * md5.h: streaming MD5 (RFC 1321), for the checksum files plants ask to
 * accompany a DDP image (CHECKSUM.MD5, md5sum format).  Fast enough to
 * hash IMAGE.DAT while it is written.
 */
#ifndef PM_MD5_H
#define PM_MD5_H

#include <stddef.h>
#include <stdint.h>

#define PM_MD5_BYTES     16
#define PM_MD5_HEX_BYTES 33 /* 32 lower-case hex digits and a NUL */

/* Caller-owned hashing state; no resources, nothing to release. */
struct pm_md5 {
	uint32_t state[4];
	uint64_t total_bytes; /* bytes hashed so far */
	uint8_t block[64];    /* a partial block waiting for more input */
};

/* Start a new hash. */
void pm_md5_init(struct pm_md5 *ctx);

/* Hash `n_bytes` more bytes of `data`; any split of the input gives the
 * same digest. */
void pm_md5_update(struct pm_md5 *ctx, const void *data, size_t n_bytes);

/* Finish: store the 16-byte digest.  `ctx` must be re-initialised before
 * it is used again. */
void pm_md5_final(struct pm_md5 *ctx, uint8_t digest[PM_MD5_BYTES]);

/* The digest of one buffer. */
void pm_md5_buffer(const void *data, size_t n_bytes,
		   uint8_t digest[PM_MD5_BYTES]);

/* Format a digest as 32 lower-case hex digits (md5sum's form) into `hex`,
 * which must hold PM_MD5_HEX_BYTES.  Returns hex. */
char *pm_md5_hex(const uint8_t digest[PM_MD5_BYTES],
		 char hex[PM_MD5_HEX_BYTES]);

#endif
