/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * digest.c: what MD5 and SHA-256 share: both cut the message into
 * 64-byte blocks and end it with a 1 bit, zeros to 56 bytes mod 64 and
 * the length in bits, little-endian for MD5 and big-endian for SHA-256
 * (RFC 1321 section 3.1-3.2, FIPS 180-4 section 5.1.1).
 */
#include <config.h>

#include "util/digest-impl.h"

#include <stdbool.h>
#include <string.h>

#include "util/banned.h"

static void blocks(struct pm_digest *ctx, const uint8_t *p, size_t n)
{
	if (ctx->kind == PM_MD5)
		pm_md5_blocks(ctx->state, p, n);
	else
		pm_sha256_blocks(ctx->state, p, n);
}

void pm_digest_init(struct pm_digest *ctx, enum pm_digest_kind kind)
{
	static const uint32_t md5_h0[4] = { 0x67452301, 0xefcdab89, 0x98badcfe,
					    0x10325476 };
	/* FIPS 180-4 section 5.3.3: the fractional parts of the square
	 * roots of the first eight primes */
	static const uint32_t sha256_h0[8] = { 0x6a09e667, 0xbb67ae85,
					       0x3c6ef372, 0xa54ff53a,
					       0x510e527f, 0x9b05688c,
					       0x1f83d9ab, 0x5be0cd19 };

	memset(ctx, 0, sizeof(*ctx));
	ctx->kind = kind;
	if (kind == PM_MD5)
		memcpy(ctx->state, md5_h0, sizeof(md5_h0));
	else
		memcpy(ctx->state, sha256_h0, sizeof(sha256_h0));
}

void pm_digest_update(struct pm_digest *ctx, const void *data, size_t n_bytes)
{
	const uint8_t *p = data;
	size_t have = (size_t)(ctx->total_bytes % 64);

	ctx->total_bytes += n_bytes;
	if (have) {
		size_t take = 64 - have < n_bytes ? 64 - have : n_bytes;

		memcpy(ctx->block + have, p, take);
		p += take;
		n_bytes -= take;
		if (have + take < 64)
			return;
		blocks(ctx, ctx->block, 1);
	}
	/* whole blocks straight from the caller's buffer, no copy */
	if (n_bytes >= 64) {
		blocks(ctx, p, n_bytes / 64);
		p += n_bytes / 64 * 64;
		n_bytes %= 64;
	}
	if (n_bytes)
		memcpy(ctx->block, p, n_bytes);
}

size_t pm_digest_final(struct pm_digest *ctx, uint8_t *digest)
{
	bool le = ctx->kind == PM_MD5;
	uint64_t bits = ctx->total_bytes * 8;
	size_t have = (size_t)(ctx->total_bytes % 64);
	size_t npad = (have < 56 ? 56 : 120) - have, words = le ? 4 : 8, i;
	uint8_t pad[72] = { 0x80 };

	for (i = 0; i < 8; i++)
		pad[npad + i] = (uint8_t)(bits >> (le ? 8 * i : 56 - 8 * i));
	pm_digest_update(ctx, pad, npad + 8);
	for (i = 0; i < 4 * words; i++)
		digest[i] = (uint8_t)(ctx->state[i / 4] >>
				      (le ? 8 * (i % 4) : 24 - 8 * (i % 4)));
	return 4 * words;
}

size_t pm_digest_buffer(enum pm_digest_kind kind, const void *data,
			size_t n_bytes, uint8_t *digest)
{
	struct pm_digest ctx;

	pm_digest_init(&ctx, kind);
	pm_digest_update(&ctx, data, n_bytes);
	return pm_digest_final(&ctx, digest);
}

char *pm_digest_hex(const uint8_t *digest, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[2 * n] = '\0';
	return hex;
}

int pm_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
