/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audioinfo.c: what a WAV file's bext chunk and cue markers say, read back
 * through libsndfile (lib/io), for the tests: one "key=value" per line.
 *
 *   audioinfo FILE
 *     bext=0|1, and with one: bext_version, loudness_value, loudness_range,
 *     max_true_peak, max_momentary, max_shortterm (hundredths, as
 *     stored), description, originator, originator_ref, date, time;
 *     cues=N, then cue=POSITION for each marker in file order
 */
#include <config.h>

#include <stdio.h>
#include <sysexits.h>

#include "io/audio.h"
#include "util/err.h"

int main(int argc, char **argv)
{
	struct pm_bext_read b;
	struct pm_err err = { 0 };
	int64_t pos[100];
	int n, i;

	if (argc != 2) {
		fprintf(stderr, "usage: audioinfo FILE\n");
		return EX_USAGE;
	}
	n = pm_audio_read_bext(argv[1], &b, &err);
	if (n < 0) {
		fprintf(stderr, "audioinfo: %s\n", err.msg);
		return pm_exit_status(&err);
	}
	printf("bext=%d\n", n);
	if (n) {
		printf("bext_version=%u\n", b.version);
		printf("loudness_value=%d\n", b.loudness_value);
		printf("loudness_range=%d\n", b.loudness_range);
		printf("max_true_peak=%d\n", b.max_true_peak);
		printf("max_momentary=%d\n", b.max_momentary);
		printf("max_shortterm=%d\n", b.max_shortterm);
		printf("description=%s\n", b.description);
		printf("originator=%s\n", b.originator);
		printf("originator_ref=%s\n", b.originator_ref);
		printf("date=%s\n", b.date);
		printf("time=%s\n", b.time);
	}
	n = pm_audio_read_cues(argv[1], pos, 100, &err);
	if (n < 0) {
		fprintf(stderr, "audioinfo: %s\n", err.msg);
		return pm_exit_status(&err);
	}
	printf("cues=%d\n", n);
	for (i = 0; i < n && i < 100; i++)
		printf("cue=%lld\n", (long long)pos[i]);
	return 0;
}
