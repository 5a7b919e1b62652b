/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-ddp-read.c: a client's DDP fileset, as pm_ddp_read() reads it
 * (lib/cd/ddp-read.c, ddp-sums.c: DDPID, DDPMS, the PQ descriptor, the
 * CD-TEXT stream, the checksum lists), then, for a DDP without errors,
 * its listing and the extraction of its tracks (ddp-extract.c).
 *
 * The input is the fileset, one file after another, each starting with
 * a line "##FILE NAME" and running to the next such line or the end:
 *
 *   ##FILE DDPID
 *   <128 bytes>
 *   ##FILE DDPMS
 *   ...
 *
 * The audio would make inputs large, so a file whose name ends in ".DAT"
 * holds a decimal size instead, and the harness writes that many zero
 * bytes (at most 8 MB); seeds' checksum lists are made to match.  Names
 * holding '/' or starting with '.' are skipped.
 */
#include <config.h>

#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "album/album.h"
#include "cd/ddp.h"

#define MARK "##FILE "
#define MAX_IMAGE (8u << 20)

static FILE *devnull;

static const uint8_t *find(const uint8_t *p, const uint8_t *end,
			   const char *s)
{
	size_t n = strlen(s);

	for (; (size_t)(end - p) >= n; p++)
		if (memcmp(p, s, n) == 0)
			return p;
	return NULL;
}

static void put_image(const char *path, const uint8_t *p, size_t n)
{
	static uint8_t *zeros;
	size_t size = 0;
	FILE *fp;

	for (size_t i = 0; i < n && i < 9 && p[i] >= '0' && p[i] <= '9'; i++)
		size = size * 10 + (size_t)(p[i] - '0');
	if (size > MAX_IMAGE)
		size = MAX_IMAGE;
	if (!zeros && !(zeros = calloc(MAX_IMAGE, 1)))
		abort();
	fp = fopen(path, "wb");
	if (!fp || (size && fwrite(zeros, 1, size, fp) != size) ||
	    fclose(fp) != 0)
		abort();
}

/* Lay the input's files out in `dir`. */
static void unpack(const char *dir, const uint8_t *p, size_t size)
{
	const uint8_t *end = p + size;

	p = find(p, end, MARK);
	while (p) {
		const uint8_t *name = p + strlen(MARK), *eol, *next;
		char file[64], path[1024];
		size_t len;

		eol = memchr(name, '\n', (size_t)(end - name));
		if (!eol)
			return;
		next = find(eol + 1, end, "\n" MARK);
		len = (size_t)(eol - name);
		if (len > 0 && len < sizeof(file) && name[0] != '.' &&
		    !memchr(name, '/', len) && !memchr(name, '\0', len)) {
			const uint8_t *body = eol + 1;
			size_t n = (size_t)((next ? next : end) - body);

			memcpy(file, name, len);
			file[len] = '\0';
			fuzz_path(path, sizeof(path), dir, file);
			if (len > 4 && strcmp(file + len - 4, ".DAT") == 0)
				put_image(path, body, n);
			else
				fuzz_write(path, body, n);
		}
		p = next ? next + 1 : NULL;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *top = fuzz_setup();
	struct pm_ddp_read_options opt = { .keep_broken = true };
	struct pm_err err = { 0 };
	struct pm_ddp *ddp;
	char dir[1024], out[1024];

	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	fuzz_empty_dir(top);
	fuzz_path(dir, sizeof(dir), top, "ddp");
	if (mkdir(dir, 0700) < 0)
		abort();
	unpack(dir, data, size);
	ddp = pm_ddp_read(dir, &opt, &err);
	if (!ddp) {
		fuzz_expect_err(&err, "pm_ddp_read");
		return 0;
	}
	if (ddp->nerrors == 0) {
		if (pm_ddp_listing(devnull, &ddp->disc, &err) < 0)
			fuzz_expect_err(&err, "pm_ddp_listing");
		fuzz_path(out, sizeof(out), top, "tracks");
		if (pm_ddp_extract(ddp, (enum pm_gap_policy)(size % PM_NGAP_POLICIES), out,
				   true, &err) < 0)
			fuzz_expect_err(&err, "pm_ddp_extract");
	}
	pm_ddp_free(ddp);
	return 0;
}
