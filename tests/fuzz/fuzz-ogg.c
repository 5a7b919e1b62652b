/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-ogg.c: premaster's own Ogg page code (lib/io/ogg.c), which
 * rewrites a streaming file's serial number and its comment header after
 * libsndfile has encoded it.  The input is the file: the serial is set,
 * then, on a fresh copy, the comments are replaced.  A file it accepts
 * must be accepted again as it was left.  Seeds are made at run time:
 * short Ogg Vorbis and Opus files.
 */
#include <config.h>

#include "common.h"

#include <stdio.h>
#include <stdlib.h>

#include "io/audio.h"
#include "io/ogg.h"

void fuzz_make_seeds(const char *dir)
{
	fuzz_put_audio(dir, "vorbis.ogg", PM_FORMAT_OGG, 0, 44100, 0.1);
	fuzz_put_audio(dir, "stereo.opus", PM_FORMAT_OPUS, 0, 48000, 0.1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const comments[] = {
		"TITLE=Fuzz", "ARTIST=premaster", "ISRC=USAB12600001",
		"COMMENT=\xc3\xa9t\xc3\xa9",
	};
	const char *dir = fuzz_setup();
	struct pm_err err = { 0 };
	char path[1024];

	fuzz_path(path, sizeof(path), dir, "in.ogg");
	fuzz_write(path, data, size);
	if (pm_ogg_set_serial(path, 0x1234567u, &err) < 0) {
		fuzz_expect_err(&err, "pm_ogg_set_serial");
	} else if (pm_ogg_set_serial(path, 7, &err) < 0) {
		fprintf(stderr, "fuzz: a file pm_ogg_set_serial wrote is "
				"refused: %s\n", err.msg);
		abort();
	}
	fuzz_write(path, data, size);
	if (pm_ogg_rewrite(path, 42, comments, 4, &err) < 0) {
		fuzz_expect_err(&err, "pm_ogg_rewrite");
	} else if (pm_ogg_rewrite(path, 43, comments, 2, &err) < 0) {
		fprintf(stderr, "fuzz: a file pm_ogg_rewrite wrote is "
				"refused: %s\n", err.msg);
		abort();
	}
	return 0;
}
