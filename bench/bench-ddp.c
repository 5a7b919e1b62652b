/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-ddp.c: the driver behind bench-ddp.sh.
 *   bench-ddp gen WAV MINUTES      write a synthetic CD image WAV
 *   bench-ddp write WAV OUTDIR [--crc32]
 *                                  write OUTDIR/ddp from it (12 tracks)
 *                                  and print the seconds pm_ddp_write took
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cd/ddp.h"
#include "cd/pq.h"
#include "io/audio.h"
#include "util/log.h"
#include "util/msf.h"

#include "util/banned.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Noise from a fixed-seed xorshift, silence for the first 2 seconds. */
static int gen(const char *path, unsigned minutes)
{
	const struct pm_audio_spec spec = { .format = PM_FORMAT_WAV,
					    .rate = PM_CD_RATE,
					    .channels = 2,
					    .bits = 16 };
	struct pm_err err = { 0 };
	struct pm_audio_writer *w = pm_audio_create(path, &spec, NULL, &err);
	uint32_t frames = minutes * 60 * PM_FRAMES_PER_SEC, x = 2463534242u;
	int16_t *buf = calloc(PM_SAMPLES_PER_FRAME * 2 * 75, sizeof(int16_t));

	if (!w || !buf) {
		fprintf(stderr, "bench-ddp: %s\n", err.msg);
		return 1;
	}
	for (uint32_t f = 0; f < frames; f += 75) {
		for (size_t i = 0;
		     f >= 150 && i < PM_SAMPLES_PER_FRAME * 2 * 75; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = (int16_t)(x >> 18); /* about -12 dBFS */
		}
		if (pm_audio_write_s16(w, buf, pm_frame_samples(75), &err) < 0)
			break;
	}
	free(buf);
	if (err.code || pm_audio_finish(w, &err) < 0) {
		fprintf(stderr, "bench-ddp: %s\n", err.msg);
		return 1;
	}
	return 0;
}

static int write_ddp(const char *wav, const char *outdir, bool want_crc32)
{
	struct pm_ddp_write_options opt = { .master_id = "BENCH",
					    .want_crc32 = want_crc32,
					    .force = true };
	struct pm_audio_info info;
	struct pm_err err = { 0 };
	struct pm_disc disc;
	struct pm_disc_limits lim = pm_disc_limits_default();
	double t0, t1;
	uint32_t frames;

	if (pm_audio_probe(wav, &info, &err) < 0) {
		fprintf(stderr, "bench-ddp: %s\n", err.msg);
		return 1;
	}
	frames = pm_frames_floor(info.length_samples);
	memset(&disc, 0, sizeof(disc));
	disc.ntracks = 12;
	for (unsigned n = 0; n < disc.ntracks; n++) {
		disc.track[n].nindex = 1;
		disc.track[n].index[0] = 150 + (frames - 150) / 12 * n;
		disc.track[n].pause_frames = disc.track[n].index[0];
	}
	disc.track[0].has_pause = true;
	disc.track[0].pause_frames = 0;
	disc.leadout_frames = frames;
	lim.warn_frames = lim.max_frames; /* a bench, not a release */
	opt.limits = &lim;

	t0 = now();
	if (pm_ddp_write(&disc, wav, outdir, &opt, NULL, &err) < 0) {
		fprintf(stderr, "bench-ddp: %s\n", err.msg);
		return 1;
	}
	t1 = now();
	printf("%.3f\n", t1 - t0);
	return 0;
}

int main(int argc, char **argv)
{
	pm_log_init("bench-ddp", PM_LOG_WARNING);
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		return gen(argv[2], (unsigned)strtoul(argv[3], NULL, 10));
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "write") == 0)
		return write_ddp(argv[2], argv[3],
				 argc == 5 && strcmp(argv[4], "--crc32") == 0);
	fprintf(stderr, "usage: bench-ddp gen WAV MINUTES\n"
			"       bench-ddp write WAV OUTDIR [--crc32]\n");
	return 64;
}
