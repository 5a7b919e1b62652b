/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-checksum.c: MD5 against RFC 1321 and md5sum; CRC-32 against zlib's. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "util/crc32.h"
#include "util/digest.h"

static const char *md5_of(const void *data, size_t n)
{
	static char hex[PM_MD5_HEX_BYTES];
	uint8_t digest[PM_MD5_BYTES];

	pm_digest_buffer(PM_MD5, data, n, digest);
	return pm_digest_hex(digest, PM_MD5_BYTES, hex);
}

/* A bit-at-a-time CRC-32 straight from the definition, to check the
 * sliced one on data no published vector covers. */
static uint32_t crc32_slow(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void rfc1321(void)
{
	/* RFC 1321, appendix A.5 "test suite" */
	static const struct {
		const char *in, *md5;
	} v[] = {
		{ "", "d41d8cd98f00b204e9800998ecf8427e" },
		{ "a", "0cc175b9c0f1b6a831c399e269772661" },
		{ "abc", "900150983cd24fb0d6963f7d28e17f72" },
		{ "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
		{ "abcdefghijklmnopqrstuvwxyz",
		  "c3fcd3d76192e4007dfb496cca67e13b" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		  "0123456789",
		  "d174ab98d277d9f5a5611c2c9f419d9f" },
		{ "1234567890123456789012345678901234567890"
		  "1234567890123456789012345678901234567890",
		  "57edf4a22be3c955ac49da2e2107b67a" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		is_str(md5_of(v[i].in, strlen(v[i].in)), v[i].md5,
		       "RFC 1321 MD5(\"%.20s\")", v[i].in);
}

/* Every split of the input into two updates gives the one digest. */
static void streaming(void)
{
	uint8_t buf[300], digest[PM_MD5_BYTES];
	char want[PM_MD5_HEX_BYTES], got[PM_MD5_HEX_BYTES];
	struct pm_digest ctx;
	int bad_md5 = 0, bad_crc = 0;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	snprintf(want, sizeof(want), "%s", md5_of(buf, sizeof(buf)));
	for (size_t cut = 0; cut <= sizeof(buf); cut++) {
		pm_digest_init(&ctx, PM_MD5);
		pm_digest_update(&ctx, buf, cut);
		pm_digest_update(&ctx, buf + cut, sizeof(buf) - cut);
		pm_digest_final(&ctx, digest);
		if (strcmp(pm_digest_hex(digest, PM_MD5_BYTES, got), want) != 0)
			bad_md5++;
		if (pm_crc32_update(pm_crc32_update(0, buf, cut), buf + cut,
				    sizeof(buf) - cut) !=
		    crc32_slow(buf, sizeof(buf)))
			bad_crc++;
	}
	is_int(bad_md5, 0, "MD5: any split of 300 bytes gives one digest");
	is_int(bad_crc, 0, "CRC-32: any split of 300 bytes gives one CRC");

	/* byte by byte across the padding boundaries 55, 56, 63, 64 */
	for (size_t n = 54; n <= 66; n++) {
		pm_digest_init(&ctx, PM_MD5);
		for (size_t i = 0; i < n; i++)
			pm_digest_update(&ctx, buf + i, 1);
		pm_digest_final(&ctx, digest);
		snprintf(want, sizeof(want), "%s", md5_of(buf, n));
		if (strcmp(pm_digest_hex(digest, PM_MD5_BYTES, got), want) != 0)
			bad_md5++;
	}
	is_int(bad_md5, 0, "MD5: byte-wise updates at 54..66 bytes agree");
}

static void crc32_vectors(void)
{
	static const char fox[] = "The quick brown fox jumps over the lazy dog";

	is_int(pm_crc32_update(0, "", 0), 0, "CRC-32 of nothing is 0");
	is_int(pm_crc32_update(0, "123456789", 9), 0xCBF43926u,
	       "CRC-32 check value of \"123456789\" (zlib, PNG)");
	is_int(pm_crc32_update(0, fox, strlen(fox)), 0x414FA339u,
	       "CRC-32 of the quick brown fox");
	is_int(pm_crc32_update(0, "a", 1), 0xE8B7BE43u, "CRC-32 of \"a\"");
}

/*
 * Real cue2ddp files ([rev] exp/003, exp/007: CHECKSUM.MD5 and
 * CHECKSUM.TXT written by cue2ddp itself) hash to what that tool wrote.
 */
static void cue2ddp_files(void)
{
	char ddpid[129];
	static const char mid[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijkl";

	/* DDPID with no UPC and no master ID */
	memset(ddpid, ' ', 128);
	ddpid[128] = '\0';
	memcpy(ddpid, "DDP 2.00", 8);
	memcpy(ddpid + 87, "CD", 2);
	is_str(md5_of(ddpid, 128), "187970110683c92c25bdb82256354780",
	       "MD5 of cue2ddp's blank DDPID matches its CHECKSUM.MD5");
	is_int(pm_crc32_update(0, ddpid, 128), 0x730DC92Du,
	       "CRC-32 of cue2ddp's blank DDPID matches its CHECKSUM.TXT");

	memcpy(ddpid + 38, mid, 48);
	is_str(md5_of(ddpid, 128), "6c197ff2f20c4631faaf09aa8a18c9d3",
	       "MD5 of cue2ddp's DDPID with a 48-character master ID");
	is_int(pm_crc32_update(0, ddpid, 128), 0xA8CA727Cu,
	       "CRC-32 of cue2ddp's DDPID with a 48-character master ID");
}

/* 3 MB of pseudo-random bytes: our MD5 equals md5sum's, CRC the slow one. */
static void big_buffer(void)
{
	const size_t n = 3u * 1000 * 1000 + 17;
	char path[] = "/tmp/t-checksum-XXXXXX";
	char cmd[256], line[128];
	uint8_t *buf = malloc(n);
	uint32_t x = 2463534242u;
	FILE *fp = NULL;
	int fd;

	if (!ok(buf != NULL, "allocate 3 MB"))
		return;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)(x >> 24);
	}
	is_int(pm_crc32_update(0, buf, n), crc32_slow(buf, n),
	       "sliced CRC-32 equals the bitwise one over 3 MB");

	fd = mkstemp(path);
	if (!ok(fd >= 0, "temporary file")) {
		free(buf);
		return;
	}
	fp = fdopen(fd, "wb");
	ok(fp && fwrite(buf, 1, n, fp) == n && fclose(fp) == 0, "write 3 MB");
	snprintf(cmd, sizeof(cmd), "md5sum < %s", path);
	fp = popen(cmd, "r");
	line[0] = '\0';
	if (fp) {
		if (!fgets(line, sizeof(line), fp))
			line[0] = '\0';
		pclose(fp);
	}
	line[32] = '\0';
	is_str(md5_of(buf, n), line, "MD5 of 3 MB equals md5sum's");
	unlink(path);
	free(buf);
}

int main(void)
{
	rfc1321();
	streaming();
	crc32_vectors();
	cue2ddp_files();
	big_buffer();
	return tap_done();
}
