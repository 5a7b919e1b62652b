/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-album-xml.c: the album.xml loader (pm_album_load() in
 * lib/album/xml.c with the built-in schema and the checks after it),
 * then the writer's round trip: an album that loads is written out with
 * pm_album_write() and must load back as the same album.  The input is
 * the file album.xml; the sources it names do not exist, which loading
 * does not need.
 */
#include <config.h>

#include "common.h"

#include <stdio.h>
#include <stdlib.h>

#include "album/album.h"
#include "album/write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_setup();
	struct pm_err err = { 0 };
	struct pm_album *a, *b;
	char path[1024], again[1024], why[256];
	FILE *fp;

	fuzz_path(path, sizeof(path), dir, "album.xml");
	fuzz_write(path, data, size);
	a = pm_album_load(path, NULL, &err);
	if (!a) {
		fuzz_expect_err(&err, "pm_album_load");
		return 0;
	}
	fuzz_path(again, sizeof(again), dir, "again.xml");
	fp = fopen(again, "w");
	if (!fp)
		abort();
	if (pm_album_write(fp, a, NULL, &err) < 0) {
		fuzz_expect_err(&err, "pm_album_write");
		fclose(fp);
		pm_album_free(a);
		return 0;
	}
	if (fclose(fp) != 0)
		abort();
	b = pm_album_load(again, NULL, &err);
	if (!b) {
		fprintf(stderr, "fuzz: the album written back does not load: "
				"%s\n", err.msg);
		abort();
	}
	if (!pm_album_same(a, b, why, sizeof(why))) {
		fprintf(stderr, "fuzz: the album written back differs: %s\n",
			why);
		abort();
	}
	pm_album_free(b);
	pm_album_free(a);
	return 0;
}
