/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-load.c: what the C benchmarks share. */
#include <config.h>

#include "bench-load.h"

#include <stdio.h>
#include <stdlib.h>

#include "io/audio.h"
#include "util/err.h"

#include "util/banned.h"

double bench_now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

float *bench_load(const char *who, const char *path, uint32_t *rate,
		  int64_t *frames)
{
	struct pm_err err = { 0 };
	struct pm_audio_info info;
	struct pm_audio_reader *r = pm_audio_open(path, &info, &err);
	float *x, *mono = NULL;
	int64_t got = 0, k;

	if (!r) {
		fprintf(stderr, "%s: %s\n", who, err.msg);
		return NULL;
	}
	x = malloc((size_t)info.length_samples * 2 * sizeof(*x) + 8);
	if (info.channels == 1)
		mono = malloc((size_t)info.length_samples * sizeof(*mono) + 4);
	while (x && got < info.length_samples &&
	       (k = pm_audio_read(r, mono ? mono + got : x + 2 * got,
				  info.length_samples - got, &err)) > 0)
		got += k;
	for (k = 0; mono && k < got; k++)
		x[2 * k] = x[2 * k + 1] = mono[k];
	free(mono);
	pm_audio_close(r);
	*rate = info.rate;
	*frames = got;
	return x;
}
