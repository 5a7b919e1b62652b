/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-sheet-read.c: premaster's own CUE and TOC reader
 * (pm_sheet_read() in lib/cd/sheet-read.c, what premaster init
 * --from-cue and --from-toc run), and reading back the programme it
 * describes (lib/cd/image.c).  The input is the sheet; when its first
 * line is "toc" or "cue", that line says which (and is not part of the
 * sheet), otherwise it is a CUE sheet.  Beside it are the files sheets
 * name: album.wav (premaster's image name, 12 s), a.wav and b.wav (6 s
 * each), a.bin (raw samples, 6 s) and album.cdt (CD-TEXT packs for
 * CDTEXTFILE, one English block of three tracks).
 */
#include <config.h>

#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cd/cdtext.h"
#include "cd/image.h"
#include "cd/sheet-read.h"
#include "io/audio.h"
#include "util/msf.h"

/* Some quiet music: a slow ramp, so that no frame is silent. */
static void put_wav(const char *dir, const char *name, unsigned seconds)
{
	struct pm_audio_spec spec = { .format = PM_FORMAT_WAV,
				      .rate = PM_CD_RATE, .channels = 2,
				      .bits = 16 };
	struct pm_err err = { 0 };
	struct pm_audio_writer *w;
	size_t n = (size_t)seconds * PM_CD_RATE;
	int16_t *s = calloc(n * 2, sizeof(*s));
	char path[1024];

	if (!s)
		abort();
	for (size_t i = 0; i < n * 2; i++)
		s[i] = (int16_t)(i % 2000 + 1);
	w = pm_audio_create(fuzz_path(path, sizeof(path), dir, name), &spec,
			    NULL, &err);
	if (!w || pm_audio_write_s16(w, s, (int64_t)n, &err) < 0 ||
	    pm_audio_finish(w, &err) < 0)
		abort();
	free(s);
}

static void put_files(const char *dir)
{
	static const char *const titles[] = { "Disc", "One", "Two", "Three" };
	struct pm_cdtext_in in = { .first_track = 1, .ntracks = 3,
				   .nblocks = 1 };
	struct pm_err err = { 0 };
	uint8_t *packs = NULL, *raw;
	size_t len = 0, n = 6u * PM_CD_RATE * 4;
	char path[1024];

	put_wav(dir, "album.wav", 12);
	put_wav(dir, "a.wav", 6);
	put_wav(dir, "b.wav", 6);
	raw = malloc(n);
	if (!raw)
		abort();
	for (size_t i = 0; i < n; i++)
		raw[i] = (uint8_t)(i % 251 + 1);
	fuzz_write(fuzz_path(path, sizeof(path), dir, "a.bin"), raw, n);
	free(raw);
	in.block[0].lang_code = 0x09;
	for (unsigned t = 0; t < 4; t++)
		in.block[0].text[0][t] = titles[t];
	if (pm_cdtext_encode(&in, &packs, &len, &err) < 0)
		abort();
	fuzz_write(fuzz_path(path, sizeof(path), dir, "album.cdt"), packs, len);
	free(packs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	const char *dir = fuzz_setup();
	struct pm_disc_image img;
	struct pm_image_reader *r;
	struct pm_err err = { 0 };
	bool is_toc = false;
	char sheet[1024];
	int16_t buf[PM_SAMPLES_PER_FRAME * 2 * 4];

	if (!ready) {
		put_files(dir);
		ready = true;
	}
	if (size >= 4 && (memcmp(data, "toc\n", 4) == 0 ||
			  memcmp(data, "cue\n", 4) == 0)) {
		is_toc = data[0] == 't';
		data += 4;
		size -= 4;
	}
	fuzz_path(sheet, sizeof(sheet), dir, is_toc ? "in.toc" : "in.cue");
	fuzz_write(sheet, data, size);
	if (pm_sheet_read(sheet, is_toc, &img, &err) < 0) {
		fuzz_expect_err(&err, "pm_sheet_read");
		return 0;
	}
	/* a sheet read is a disc: its promises hold */
	if (img.disc.ntracks < 1 || img.disc.ntracks > 99 ||
	    img.disc.track[0].index[0] < PM_PREGAP_FRAMES)
		abort();
	{
		uint32_t frames = 0;

		for (size_t i = 0; i < img.npieces; i++)
			frames += img.pieces[i].frames;
		if (frames != img.disc.leadout_frames)
			abort();
	}
	/* and its programme reads back, as far as the files go */
	r = pm_image_reader_new(&img, &err);
	if (!r)
		abort();
	if (pm_image_is_silent(r, 0, img.disc.leadout_frames < 300
					      ? img.disc.leadout_frames
					      : 300,
			       &err) < 0)
		fuzz_expect_err(&err, "pm_image_is_silent");
	if (pm_image_read_s16(r, img.disc.track[0].index[0], 4, buf, &err) < 0)
		fuzz_expect_err(&err, "pm_image_read_s16");
	pm_image_reader_free(r);
	pm_disc_image_release(&img);
	return 0;
}
