/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * digest.h: streaming MD5 (RFC 1321) and SHA-256 (FIPS 180-4), for the
 * checksum files plants ask to accompany a DDP image (CHECKSUM.MD5) and
 * the manifests distributors ask for (manifest.md5, manifest.sha256).
 * Fast enough to hash IMAGE.DAT while it is written.
 */
#ifndef PM_DIGEST_H
#define PM_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pm_digest_kind { PM_MD5, PM_SHA256 };

#define PM_MD5_BYTES        16
#define PM_MD5_HEX_BYTES    33 /* 32 lower-case hex digits and a NUL */
#define PM_SHA256_BYTES     32
#define PM_SHA256_HEX_BYTES 65 /* 64 lower-case hex digits and a NUL */

/* Caller-owned hashing state; no resources, nothing to release. */
struct pm_digest {
	enum pm_digest_kind kind;
	uint32_t state[8];
	uint64_t total_bytes; /* bytes hashed so far */
	uint8_t block[64];    /* a partial block waiting for more input */
};

/* Start a new hash. */
void pm_digest_init(struct pm_digest *ctx, enum pm_digest_kind kind);

/* Hash `n_bytes` more bytes of `data`; any split of the input gives the
 * same digest. */
void pm_digest_update(struct pm_digest *ctx, const void *data, size_t n_bytes);

/* Finish: store the digest (PM_MD5_BYTES or PM_SHA256_BYTES) and return
 * its length.  `ctx` must be started again before it is used again. */
size_t pm_digest_final(struct pm_digest *ctx, uint8_t *digest);

/* The digest of one buffer; returns its length. */
size_t pm_digest_buffer(enum pm_digest_kind kind, const void *data,
			size_t n_bytes, uint8_t *digest);

/* Format the `n`-byte `digest` as lower-case hex digits (md5sum's and
 * sha256sum's form) into `hex`, which must hold 2 * n + 1.  Returns hex. */
char *pm_digest_hex(const uint8_t *digest, size_t n, char *hex);

/*
 * SHA-256 uses the x86 SHA instructions where the CPU has them, and
 * MD5 over many files AVX2; `on` makes both use their baseline code
 * instead (for tests that compare them).
 */
void pm_digest_portable(bool on);

/* The value of the hex digit `c` (either case), or -1. */
int pm_hex_value(int c);

#endif
