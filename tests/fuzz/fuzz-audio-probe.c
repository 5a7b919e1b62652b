/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-audio-probe.c: a source file as premaster first meets it
 * (lib/io/audio.c over libsndfile): pm_audio_probe(), which decodes a
 * lossy file to its end to learn its true length, then a reader that
 * reads a second or so as floats, seeks back and reads 16-bit samples,
 * and the tags and bext chunk init and verify read.  The input is the
 * file.  Seeds are made at run time: short WAV (16-bit, 24-bit, float),
 * AIFF, FLAC, Ogg Vorbis, Opus and MP3 files, as lib/io writes them here.
 */
#include <config.h>

#include "common.h"

#include <stdlib.h>

#include "io/audio.h"

#define BLOCK 4096 /* floats */

void fuzz_make_seeds(const char *dir)
{
	fuzz_put_audio(dir, "s16.wav", PM_FORMAT_WAV, 16, 44100, 0.05);
	fuzz_put_audio(dir, "s24.wav", PM_FORMAT_WAV, 24, 48000, 0.05);
	fuzz_put_audio(dir, "float.wav", PM_FORMAT_WAV, 0, 96000, 0.02);
	fuzz_put_audio(dir, "s16.aif", PM_FORMAT_AIFF, 16, 44100, 0.05);
	fuzz_put_audio(dir, "s24.flac", PM_FORMAT_FLAC, 24, 48000, 0.05);
	fuzz_put_audio(dir, "vorbis.ogg", PM_FORMAT_OGG, 0, 44100, 0.2);
	fuzz_put_audio(dir, "a.opus", PM_FORMAT_OPUS, 0, 48000, 0.2);
	fuzz_put_audio(dir, "a.mp3", PM_FORMAT_MP3, 0, 44100, 0.2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_setup();
	static float buf[BLOCK];
	static int16_t s16[BLOCK];
	struct pm_audio_info info;
	struct pm_audio_reader *r;
	struct pm_audio_tags tags = { 0 };
	struct pm_bext_read bext;
	struct pm_err err = { 0 };
	char path[1024];
	int64_t got = 0, n;

	fuzz_path(path, sizeof(path), dir, "in");
	fuzz_write(path, data, size);
	if (pm_audio_probe(path, &info, &err) < 0) {
		fuzz_expect_err(&err, "pm_audio_probe");
		return 0;
	}
	if (info.channels < 1 || info.rate < 1 || info.length_samples < 0)
		abort();
	r = pm_audio_open(path, &info, &err);
	if (!r) {
		fuzz_expect_err(&err, "pm_audio_open");
		return 0;
	}
	pm_audio_set_nonfinite(r, size % 2 ? PM_NONFINITE_KEEP
					   : PM_NONFINITE_ZERO);
	n = info.channels <= BLOCK ? BLOCK / info.channels : 0;
	while (n > 0 && got < 65536) {
		int64_t k = pm_audio_read(r, buf, n, &err);

		if (k < 0) {
			fuzz_expect_err(&err, "pm_audio_read");
			break;
		}
		if (k == 0 || k > n)
			break;
		got += k;
	}
	if (n > 0 && pm_audio_seek(r, 0, &err) == 0 &&
	    pm_audio_read_s16(r, s16, n, &err) < 0)
		fuzz_expect_err(&err, "pm_audio_read_s16");
	pm_audio_close(r);
	if (pm_audio_read_tags(path, &tags, &err) == 0)
		pm_audio_tags_release(&tags);
	pm_audio_read_bext(path, &bext, &err);
	return 0;
}
