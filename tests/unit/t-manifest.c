/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-manifest.c: SHA-256 against the FIPS 180-4 examples, and the
 * manifests: every file under the deliverable roots and nothing else,
 * sorted, hashes that pm_hash_file (and so md5sum/sha256sum) agree with,
 * odd names escaped and read back, other tools' forms read.
 */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "util/digest-impl.h"
#include "util/manifest.h"
#include "util/outdir.h"
#include "util/digest.h"

static char dir[] = "/tmp/t-manifest.XXXXXX";

static const char *path_of(const char *name)
{
	static char p[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static void put(const char *name, const char *text)
{
	struct pm_err err = { 0 };
	char d[512], *slash;
	FILE *fp;

	snprintf(d, sizeof(d), "%s", path_of(name));
	slash = strrchr(d, '/');
	*slash = '\0';
	pm_mkdirs(d, &err);
	fp = fopen(path_of(name), "wb");
	if (fp) {
		fputs(text, fp);
		fclose(fp);
	}
}

static const char *sha_of(const void *data, size_t n)
{
	static char hex[PM_SHA256_HEX_BYTES];
	uint8_t d[PM_SHA256_BYTES];

	pm_digest_buffer(PM_SHA256, data, n, d);
	return pm_digest_hex(d, PM_SHA256_BYTES, hex);
}

static void vectors(void)
{
	/* FIPS 180-4 / its examples document: "abc", the 448-bit message,
	 * a million 'a's; and the empty message */
	static const char two_blocks[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char *million = malloc(1000000);
	struct pm_digest ctx;
	uint8_t d[PM_SHA256_BYTES];
	char hex[PM_SHA256_HEX_BYTES];
	size_t i;

	is_str(sha_of("", 0),
	       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	       "SHA-256 of the empty message");
	is_str(sha_of("abc", 3),
	       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "SHA-256 of \"abc\"");
	is_str(sha_of(two_blocks, strlen(two_blocks)),
	       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	       "SHA-256 of the 448-bit message (padding to a second block)");
	memset(million, 'a', 1000000);
	is_str(sha_of(million, 1000000),
	       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	       "SHA-256 of a million 'a's");
	/* any split of the input: the same digest */
	pm_digest_init(&ctx, PM_SHA256);
	for (i = 0; i < 1000000; i += 1 + i % 131)
		pm_digest_update(&ctx, million + i,
				 (i + 1 + i % 131 > 1000000 ? 1000000 : i + 1 + i % 131) - i);
	pm_digest_final(&ctx, d);
	is_str(pm_digest_hex(d, PM_SHA256_BYTES, hex),
	       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	       "the same in uneven pieces");
	free(million);
}

/*
 * The x86 SHA instructions (where the CPU has them) and the portable
 * code agree on every length around the block and padding boundaries,
 * and on a long message; the vectors above ran through the first.
 */
static void both_paths(void)
{
	size_t n = 70000, len, bad = 0;
	uint8_t *buf = malloc(n), a[PM_SHA256_BYTES], b[PM_SHA256_BYTES];
	uint32_t x = 12345;

	for (len = 0; len < n; len++) {
		x = x * 1103515245u + 12345u;
		buf[len] = (uint8_t)(x >> 16);
	}
	for (len = 0; len <= n; len = len < 300 ? len + 1 : len * 3 + 7) {
		pm_digest_portable(false);
		pm_digest_buffer(PM_SHA256, buf, len, a);
		pm_digest_portable(true);
		pm_digest_buffer(PM_SHA256, buf, len, b);
		bad += memcmp(a, b, sizeof(a)) != 0;
	}
	pm_digest_portable(false);
	ok(bad == 0, "SHA-256: the SHA-instruction and portable paths agree (%zu lengths differ)",
	   bad);
	/* two messages at once give what each gives alone */
	bad = 0;
	for (len = 1; len <= 64; len = len * 2 + 1) {
		uint32_t s0[8], s1[8], t0[8], t1[8];

		for (unsigned w = 0; w < 8; w++) {
			s0[w] = t0[w] = 0x01020304u * (w + 1);
			s1[w] = t1[w] = 0x9e3779b9u ^ w;
		}
		pm_sha256_blocks(s0, buf, len);
		pm_sha256_blocks(s1, buf + 64 * len + 3, len);
		pm_sha256_blocks2(t0, buf, t1, buf + 64 * len + 3, len);
		bad += memcmp(s0, t0, sizeof(s0)) != 0 ||
		       memcmp(s1, t1, sizeof(s1)) != 0;
	}
	ok(bad == 0, "SHA-256: two messages at once agree with one at a time (%zu differ)",
	   bad);
	free(buf);
}

static const char *const roots[] = { "cd", "ddp", "streaming" };

static void manifests(void)
{
	struct pm_err err = { 0 };
	struct pm_manifest m5, m256;
	const struct pm_manifest_line *l;
	char md5[PM_MD5_HEX_BYTES], sha[PM_SHA256_HEX_BYTES];
	char **files = NULL;
	size_t n = 0, i;
	bool sorted = true;

	put("cd/album.wav", "image");
	put("cd/tracks/01-One.wav", "one");
	put("ddp/IMAGE.DAT", "dat");
	put("streaming/a/01-One.flac", "flac one");
	put("streaming/b/odd\\name.wav", "backslash");
	put("streaming/b/new\nline.wav", "newline");
	put("streaming/.b.tmp-1/partial.wav", "temporary");
	put("report/verify.json", "{}");
	put("masters/cd/01-One.wav", "master");

	is_int(pm_manifest_list(dir, roots, 3, &files, &n, &err), 0,
	       "the deliverables are listed");
	is_int(n, 6, "six of them: not report/, masters/ or a temporary directory");
	for (i = 1; i < n; i++)
		sorted = sorted && strcmp(files[i - 1], files[i]) < 0;
	ok(sorted, "in the order of their bytes");
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);

	is_int(pm_manifest_write(dir, roots, 3, &n, &err), 0,
	       "the manifests are written");
	is_int(n, 6, "over the six files");
	is_int(pm_manifest_read(path_of(PM_MANIFEST_MD5), 32, &m5, &err), 0,
	       "manifest.md5 reads back");
	is_int(pm_manifest_read(path_of(PM_MANIFEST_SHA256), 64, &m256, &err), 0,
	       "manifest.sha256 reads back");
	ok(m5.present && m5.n == 6 && m5.bad == 0, "six good MD5 lines");
	ok(m256.present && m256.n == 6 && m256.bad == 0, "six good SHA-256 lines");
	l = pm_manifest_find(&m256, "cd/album.wav");
	is_str(l ? l->hex : "", sha_of("image", 5), "album.wav's SHA-256");
	pm_hash_file(path_of("streaming/b/odd\\name.wav"), md5, sha, &err);
	l = pm_manifest_find(&m5, "streaming/b/odd\\name.wav");
	is_str(l ? l->hex : "", md5, "a backslash in a name is escaped and read back");
	l = pm_manifest_find(&m5, "streaming/b/new\nline.wav");
	ok(l != NULL, "and a newline too");
	pm_manifest_release(&m5);
	pm_manifest_release(&m256);

	/* written again after a change: the new hash */
	put("cd/album.wav", "IMAGE");
	is_int(pm_manifest_write(dir, roots, 3, &n, &err), 0,
	       "the manifests are written again");
	pm_manifest_read(path_of(PM_MANIFEST_SHA256), 64, &m256, &err);
	l = pm_manifest_find(&m256, "cd/album.wav");
	is_str(l ? l->hex : "", sha_of("IMAGE", 5), "with the changed file's hash");
	pm_manifest_release(&m256);

	/* other tools' forms: upper case, binary mode, CR LF */
	put("other.md5", "D41D8CD98F00B204E9800998ECF8427E *cd/empty.wav\r\n"
			 "not a line\n"
			 "\\d41d8cd98f00b204e9800998ecf8427e  cd/back\\\\slash\n");
	is_int(pm_manifest_read(path_of("other.md5"), 32, &m5, &err), 0,
	       "an md5sum file of another tool reads");
	ok(m5.n == 2 && m5.bad == 1 && m5.first_bad == 2,
	   "two lines, one bad one at line 2");
	l = pm_manifest_find(&m5, "cd/empty.wav");
	is_str(l ? l->hex : "", "d41d8cd98f00b204e9800998ecf8427e",
	       "upper case and binary mode are read, the hex in lower case");
	ok(pm_manifest_find(&m5, "cd/back\\slash") != NULL,
	   "an escaped name is unescaped");
	pm_manifest_release(&m5);
	is_int(pm_manifest_read(path_of("none.md5"), 32, &m5, &err), 0,
	       "a missing manifest is no error");
	ok(!m5.present, "but is not present");
}

/* `n` bytes of a pseudo-random sequence seeded by `seed`, and written
 * to the file `name` unless it is NULL. */
static uint8_t *noise_file(const char *name, size_t n, unsigned seed)
{
	uint8_t *b = malloc(n ? n : 1);
	uint32_t x = seed * 2654435761u + 1;
	FILE *fp = name ? fopen(path_of(name), "wb") : NULL;

	for (size_t i = 0; i < n; i++) {
		x = x * 1664525u + 1013904223u;
		b[i] = (uint8_t)(x >> 24);
	}
	if (fp) {
		fwrite(b, 1, n, fp);
		fclose(fp);
	}
	return b;
}

/*
 * Many files at once (MD5 in eight lanes): sizes around the block and
 * padding edges and around the 1 MB reads, lanes ending at different
 * times, a missing file among them; each hash as one buffer gives it.
 */
static void many_files(const char *how)
{
	static const size_t sizes[] = {
		0, 1, 55, 56, 63, 64, 65, 127, 128, 129, 5000, 100000,
		(1 << 20) - 1, 1 << 20, (1 << 20) + 1, (1 << 20) + 63,
		(2 << 20) + 100, (3 << 20) + 17, 64000, 7, 300000,
	};
	enum { N = sizeof(sizes) / sizeof(sizes[0]) + 1 };
	char names[N][32], *rel[N];
	struct pm_hashes h;
	struct pm_err err = { 0 };
	bool md5_ok = true, sha_ok = true, others_ok = true;

	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "many/%02zu.bin", i);
		rel[i] = names[i];
	}
	mkdir(path_of("many"), 0777);
	for (size_t i = 0; i + 1 < N; i++)
		free(noise_file(names[i], sizes[i], (unsigned)i));
	is_int(pm_hash_under(dir, rel, N, &h, &err), 0,
	       "%s: %d files hashed at once", how, (int)N);
	for (size_t i = 0; i + 1 < N; i++) {
		uint8_t *b = noise_file(NULL, sizes[i], (unsigned)i);
		uint8_t d5[PM_MD5_BYTES], d256[PM_SHA256_BYTES];
		char hex5[PM_MD5_HEX_BYTES], hex256[PM_SHA256_HEX_BYTES];

		pm_digest_buffer(PM_MD5, b, sizes[i], d5);
		pm_digest_buffer(PM_SHA256, b, sizes[i], d256);
		pm_digest_hex(d5, PM_MD5_BYTES, hex5);
		pm_digest_hex(d256, PM_SHA256_BYTES, hex256);
		if (h.errs[i].code != PM_OK || strcmp(h.md5[i], hex5) != 0) {
			md5_ok = false;
			tap_diag("%s (%zu bytes): MD5 %s, wanted %s", names[i],
			     sizes[i], h.md5[i], hex5);
		}
		if (strcmp(h.sha256[i], hex256) != 0)
			sha_ok = false;
		free(b);
	}
	ok(md5_ok, "%s: every MD5 is the one-buffer MD5", how);
	ok(sha_ok, "%s: every SHA-256 is the one-buffer SHA-256", how);
	for (size_t i = 0; i + 1 < N; i++)
		others_ok = others_ok && h.errs[i].code == PM_OK;
	{
		/* recalled for the same file, not once it has changed */
		uint8_t d5[PM_MD5_BYTES];
		char hex5[PM_MD5_HEX_BYTES];
		int fd = open(path_of(names[12]), O_RDONLY);
		bool same = fd >= 0 && pm_hash_recall(fd, d5) &&
			    strcmp(pm_digest_hex(d5, PM_MD5_BYTES, hex5),
				   h.md5[12]) == 0;

		ok(same, "%s: a hashed file's MD5 is recalled", how);
		if (fd >= 0)
			close(fd);
		usleep(20000); /* a later modification time, on any clock */
		free(noise_file(names[12], sizes[12], 99));
		fd = open(path_of(names[12]), O_RDONLY);
		ok(fd >= 0 && !pm_hash_recall(fd, d5),
		   "%s: but not once the file is written again", how);
		if (fd >= 0)
			close(fd);
		free(noise_file(names[12], sizes[12], 12));
	}
	ok(others_ok && h.errs[N - 1].code == PM_ENOINPUT &&
		   strstr(h.errs[N - 1].msg, names[N - 1]) != NULL,
	   "%s: the missing file is named, the others hashed", how);
	pm_hashes_release(&h);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 99;
	vectors();
	pm_digest_portable(true);
	vectors();
	pm_digest_portable(false);
	both_paths();
	manifests();
	many_files("vector");
	pm_digest_portable(true);
	many_files("baseline");
	pm_digest_portable(false);
	pm_remove_tree(dir);
	return tap_done();
}
