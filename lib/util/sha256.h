/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sha256.h: streaming SHA-256 (FIPS 180-4), for the manifest.sha256 that
 * distributors ask to accompany a delivery (sha256sum format).
 */
#ifndef PM_SHA256_H
#define PM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define PM_SHA256_BYTES     32
#define PM_SHA256_HEX_BYTES 65 /* 64 lower-case hex digits and a NUL */

/* Caller-owned hashing state; no resources, nothing to release. */
struct pm_sha256 {
	uint32_t state[8];
	uint64_t total_bytes; /* bytes hashed so far */
	uint8_t block[64];    /* a partial block waiting for more input */
};

/* Start a new hash. */
void pm_sha256_init(struct pm_sha256 *ctx);

/* Hash `n_bytes` more bytes of `data`; any split of the input gives the
 * same digest. */
void pm_sha256_update(struct pm_sha256 *ctx, const void *data, size_t n_bytes);

/* Finish: store the 32-byte digest.  `ctx` must be re-initialised before
 * it is used again. */
void pm_sha256_final(struct pm_sha256 *ctx, uint8_t digest[PM_SHA256_BYTES]);

/* The digest of one buffer. */
void pm_sha256_buffer(const void *data, size_t n_bytes,
		      uint8_t digest[PM_SHA256_BYTES]);

/* Format a digest as 64 lower-case hex digits (sha256sum's form) into
 * `hex`, which must hold PM_SHA256_HEX_BYTES.  Returns hex. */
char *pm_sha256_hex(const uint8_t digest[PM_SHA256_BYTES],
		    char hex[PM_SHA256_HEX_BYTES]);

#endif
