/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-audio.c: bit-exact round trips, the WAV format tag, determinism. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/audio.h"
#include "tap.h"

static char dir[] = "/tmp/t-audio.XXXXXX";

static const char *path_of(const char *name)
{
	static char p[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

/* Values exactly on the grid of `bits`, including both extremes. */
static void grid(float *buf, size_t n, unsigned bits)
{
	double scale = (double)(1u << (bits - 1));
	uint64_t x = 88172645463325252ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (float)((double)((int64_t)(x % (uint64_t)(2 * scale)) -
					  (int64_t)scale) / scale);
	}
	buf[0] = -1.0f;
	buf[1] = (float)((scale - 1) / scale);
}

static void roundtrip(enum pm_format f, unsigned bits, const char *name)
{
	struct pm_audio_spec spec = { .format = f, .rate = 96000, .channels = 2,
				      .bits = bits };
	struct pm_err err = { 0 };
	struct pm_audio_writer *w;
	struct pm_audio_reader *r;
	struct pm_audio_info info;
	size_t n = 20000;
	float *in = malloc(n * 2 * sizeof(float));
	float *out = calloc(n * 2, sizeof(float));

	grid(in, n * 2, bits ? bits : 24);
	w = pm_audio_create(path_of(name), &spec, NULL, &err);
	ok(w && pm_audio_write(w, in, (int64_t)n, &err) == 0 &&
		   pm_audio_finish(w, &err) == 0,
	   "%s: written", name);
	r = pm_audio_open(path_of(name), &info, &err);
	ok(r != NULL, "%s: reopened", name);
	if (r) {
		is_int(info.rate, 96000, "%s: rate", name);
		is_int(info.bits, bits, "%s: bits", name);
		is_int(pm_audio_read(r, out, (int64_t)n, &err), n, "%s: all read", name);
		is_mem(out, in, n * 2 * sizeof(float), "%s: bit-exact", name);
		pm_audio_close(r);
	}
	free(in);
	free(out);
}

static unsigned le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned char *file_bytes(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = NULL;
	long size;

	*n = 0;
	if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (b = malloc((size_t)size)) &&
	    fread(b, 1, (size_t)size, f) == (size_t)size)
		*n = (size_t)size;
	if (f)
		fclose(f);
	return b;
}

/*
 * The vectorised 24-bit conversions against the scalar ones: every
 * length from 1 to 40 frames (the vector loops stop short of the end),
 * with ties between two steps, full scale and beyond, infinities and a
 * NaN.  The same bytes are written and the same floats read back.
 */
static void vector_24(void)
{
	struct pm_audio_spec spec = { .format = PM_FORMAT_WAV, .rate = 48000,
				      .channels = 2, .bits = 24 };
	struct pm_err err = { 0 };
	float x[80], got[2][80];
	unsigned char *bytes[2];
	size_t nbytes[2];
	bool same_bytes = true, same_floats = true;
	uint64_t seed = 12345;

	for (size_t frames = 1; frames <= 40; frames++) {
		for (size_t i = 0; i < 2 * frames; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			/* a step and a half: a tie between two 24-bit values */
			x[i] = (float)((double)((int64_t)(seed >> 40) - (1 << 23)) /
				       8388608.0 + (i % 3 == 0 ? 0.5 / 8388608.0 : 0));
		}
		x[0] = 1.0f;
		if (frames > 3) {
			x[1] = -1.5f;
			x[2] = INFINITY;
			x[3] = -INFINITY;
			x[4] = NAN;
			x[5] = 8388607.5f / 8388608.0f;
		}
		for (int v = 0; v < 2; v++) {
			struct pm_audio_writer *w;
			struct pm_audio_reader *r;
			struct pm_audio_info info;

			pm_audio_use_vector(v == 1);
			w = pm_audio_create(path_of("v24.wav"), &spec, NULL, &err);
			if (!w || pm_audio_write(w, x, (int64_t)frames, &err) < 0 ||
			    pm_audio_finish(w, &err) < 0) {
				same_bytes = false;
				continue;
			}
			bytes[v] = file_bytes(path_of("v24.wav"), &nbytes[v]);
			r = pm_audio_open(path_of("v24.wav"), &info, &err);
			if (!r || pm_audio_read(r, got[v], (int64_t)frames, &err) !=
					  (int64_t)frames)
				same_floats = false;
			pm_audio_close(r);
		}
		if (nbytes[0] != nbytes[1] ||
		    memcmp(bytes[0], bytes[1], nbytes[0]) != 0)
			same_bytes = false;
		if (memcmp(got[0], got[1], 2 * frames * sizeof(float)) != 0)
			same_floats = false;
		free(bytes[0]);
		free(bytes[1]);
	}
	pm_audio_use_vector(true);
	ok(same_bytes, "24-bit: the vector writer writes the scalar one's bytes");
	ok(same_floats, "24-bit: the vector reader reads the scalar one's floats");
	unlink(path_of("v24.wav"));
}

/* Write `n` frames of `buf` (stereo) as `name` in `format`/`bits`. */
static void write_file(const char *name, enum pm_format format, unsigned bits,
		       const float *buf, int64_t n)
{
	struct pm_audio_spec spec = { .format = format, .rate = 44100,
				      .channels = 2, .bits = bits };
	struct pm_err err = { 0 };
	struct pm_audio_writer *w = pm_audio_create(path_of(name), &spec, NULL,
						    &err);

	if (w)
		pm_audio_write(w, buf, n, &err);
	pm_audio_finish(w, &err);
}

/* NaN and Inf: refused at the right frame and channel, or made silence. */
static void nonfinite(void)
{
	static float buf[2 * 44100], got[2 * 44100];
	struct pm_audio_info info;
	struct pm_err err = { 0 };
	struct pm_audio_reader *r;
	size_t i;
	int64_t n;

	for (i = 0; i < PM_ARRAY_SIZE(buf); i++)
		buf[i] = 0.25f * (float)sin((double)i * 0.01);
	buf[2 * 30000 + 1] = INFINITY;
	buf[2 * 40000] = NAN;
	write_file("inf.wav", PM_FORMAT_WAV, 0, buf, 44100);
	write_file("inf.aif", PM_FORMAT_AIFF, 0, buf, 44100);

	r = pm_audio_open(path_of("inf.wav"), &info, &err);
	ok(r && pm_audio_read(r, got, 20000, &err) == 20000,
	   "the clean part of a float WAV reads");
	ok(r && pm_audio_read(r, got, 20000, &err) < 0 &&
		   err.code == PM_EFORMAT,
	   "the part with +Inf is refused");
	ok(strstr(err.msg, "sample 30000 (at 0:00.680) of channel 2 is +Inf") !=
		   NULL,
	   "at its frame, time and channel: %s", err.msg);
	ok(r && pm_audio_seek(r, 35000, &err) == 0 &&
		   pm_audio_read(r, got, 9000, &err) < 0 &&
		   strstr(err.msg, "sample 40000 (at 0:00.907) of channel 1 is NaN"),
	   "after a seek the frame is still right: %s", err.msg);
	pm_audio_close(r);

	r = pm_audio_open(path_of("inf.aif"), &info, &err);
	ok(r && pm_audio_read(r, got, 44100, &err) < 0 &&
		   strstr(err.msg, "sample 30000 ") != NULL,
	   "a float AIFF (read through libsndfile) too: %s", err.msg);
	pm_audio_close(r);

	r = pm_audio_open(path_of("inf.wav"), &info, &err);
	pm_audio_set_nonfinite(r, PM_NONFINITE_ZERO);
	n = r ? pm_audio_read(r, got, 44100, &err) : -1;
	ok(n == 44100, "PM_NONFINITE_ZERO reads it all");
	ok(got[2 * 30000 + 1] == 0.0f && got[2 * 40000] == 0.0f,
	   "the non-finite samples are silence");
	ok(got[2 * 30000] == buf[2 * 30000] && got[2 * 40000 + 1] ==
		   buf[2 * 40000 + 1],
	   "their neighbours are untouched");
	pm_audio_close(r);
}

/* A file cut short: the header's length and the file's. */
static void truncated(void)
{
	static float buf[2 * 44100];
	struct pm_audio_info info;
	struct pm_err err = { 0 };
	const char *names[] = { "cut.wav", "cut.aif", "cut-f.wav" };
	enum pm_format formats[] = { PM_FORMAT_WAV, PM_FORMAT_AIFF,
				     PM_FORMAT_WAV };
	unsigned bits[] = { 16, 24, 0 };
	size_t k;

	for (k = 0; k < 3; k++) {
		write_file(names[k], formats[k], bits[k], buf, 44100);
		ok(pm_audio_probe(path_of(names[k]), &info, &err) == 0 &&
			   info.header_samples == 44100 &&
			   info.length_samples == 44100,
		   "%s whole: the header and the file agree", names[k]);
		ok(truncate(path_of(names[k]), 20000) == 0, "cut it");
		ok(pm_audio_probe(path_of(names[k]), &info, &err) == 0 &&
			   info.header_samples == 44100 &&
			   info.length_samples < 44100 &&
			   info.length_samples > 0,
		   "%s cut: the header says 44100, the file holds %lld",
		   names[k], (long long)info.length_samples);
	}
	write_file("whole.flac", PM_FORMAT_FLAC, 16, buf, 44100);
	ok(pm_audio_probe(path_of("whole.flac"), &info, &err) == 0 &&
		   info.header_samples == info.length_samples,
	   "formats without such a header: the two agree");
}

int main(void)
{
	struct pm_audio_spec spec = { .format = PM_FORMAT_WAV, .rate = 44100,
				      .channels = 2, .bits = 24 };
	struct pm_audio_meta meta = { .title = "T", .artist = "A" };
	struct pm_err err = { 0 };
	struct pm_audio_writer *w;
	struct pm_audio_reader *r;
	struct pm_audio_info info;
	struct pm_audio_tags tags;
	unsigned char head[64], a[4096], b[4096];
	float buf[200];
	int16_t s16[4];
	FILE *f;
	size_t na, nb;

	if (!mkdtemp(dir))
		tap_skip_all("cannot make a scratch directory");
	roundtrip(PM_FORMAT_WAV, 16, "s16.wav");
	roundtrip(PM_FORMAT_WAV, 24, "s24.wav");
	roundtrip(PM_FORMAT_WAV, 0, "f32.wav");
	roundtrip(PM_FORMAT_FLAC, 16, "s16.flac");
	roundtrip(PM_FORMAT_FLAC, 24, "s24.flac");
	roundtrip(PM_FORMAT_AIFF, 24, "s24.aif");
	vector_24();
	nonfinite();
	truncated();

	/* Spotify wants format tag 1, never WAVE_FORMAT_EXTENSIBLE */
	f = fopen(path_of("s24.wav"), "rb");
	ok(f && fread(head, 1, sizeof(head), f) == sizeof(head), "header read");
	if (f)
		fclose(f);
	ok(memcmp(head + 12, "fmt ", 4) == 0, "fmt chunk first");
	is_int(le16(head + 20), 1, "24-bit WAV has format tag 0x0001");
	f = fopen(path_of("f32.wav"), "rb");
	ok(f && fread(head, 1, sizeof(head), f) == sizeof(head), "header read");
	if (f)
		fclose(f);
	is_int(le16(head + 20), 3, "float WAV has format tag 0x0003");

	/* the same samples give the same bytes */
	memset(buf, 0, sizeof(buf));
	buf[7] = 0.25f;
	spec.bits = 0;
	w = pm_audio_create(path_of("d1.wav"), &spec, &meta, &err);
	pm_audio_write(w, buf, 100, &err);
	pm_audio_finish(w, &err);
	sleep(1);
	w = pm_audio_create(path_of("d2.wav"), &spec, &meta, &err);
	pm_audio_write(w, buf, 100, &err);
	pm_audio_finish(w, &err);
	f = fopen(path_of("d1.wav"), "rb");
	na = fread(a, 1, sizeof(a), f);
	fclose(f);
	f = fopen(path_of("d2.wav"), "rb");
	nb = fread(b, 1, sizeof(b), f);
	fclose(f);
	ok(na == nb && memcmp(a, b, na) == 0,
	   "writing is deterministic (no timestamps)");
	ok(pm_audio_read_tags(path_of("d1.wav"), &tags, &err) == 0 &&
		   tags.title && strcmp(tags.title, "T") == 0,
	   "tags read back");
	pm_audio_tags_release(&tags);

	/* clipping, not wrapping; 16-bit read is exact */
	buf[0] = 1.5f;
	buf[1] = -1.5f;
	buf[2] = 0.5f;
	buf[3] = -0.5f;
	spec.bits = 16;
	w = pm_audio_create(path_of("clip.wav"), &spec, NULL, &err);
	pm_audio_write(w, buf, 2, &err);
	pm_audio_finish(w, &err);
	r = pm_audio_open(path_of("clip.wav"), &info, &err);
	ok(r && pm_audio_read_s16(r, s16, 2, &err) == 2, "16-bit read");
	ok(s16[0] == 32767 && s16[1] == -32768 && s16[2] == 16384 &&
		   s16[3] == -16384,
	   "full scale clips; halves are exact");
	pm_audio_close(r);

	ok(!pm_audio_open(path_of("absent.wav"), &info, &err) &&
		   err.code == PM_ENOINPUT,
	   "a missing file is no input");
	f = fopen(path_of("junk.wav"), "w");
	fputs("not audio at all", f);
	fclose(f);
	ok(!pm_audio_open(path_of("junk.wav"), &info, &err) &&
		   err.code == PM_EFORMAT,
	   "junk is a format error: %s", err.msg);
	ok(!pm_audio_open(dir, &info, &err) && err.code == PM_ENOINPUT,
	   "a directory is not audio");
	ok(pm_audio_can_write(PM_FORMAT_FLAC), "FLAC is writable");
	{
		/* a minute of Vorbis in one call crashed inside libvorbis */
		int64_t n = 60 * 44100;
		float *big = calloc((size_t)n * 2, sizeof(float));

		spec.format = PM_FORMAT_OGG;
		spec.bits = 0;
		w = big ? pm_audio_create(path_of("minute.ogg"), &spec, NULL, &err)
			: NULL;
		ok(w && pm_audio_write(w, big, n, &err) == 0 &&
			   pm_audio_finish(w, &err) == 0,
		   "a minute of Ogg Vorbis written in one call");
		ok(pm_audio_probe(path_of("minute.ogg"), &info, &err) == 0 &&
			   info.length_samples == n,
		   "and it decodes to a minute");
		free(big);
	}
	return tap_done();
}
