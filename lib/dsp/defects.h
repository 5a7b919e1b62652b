/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * defects.h: the defect detector master and verify share.  Streaming
 * and per channel: fed blocks of interleaved stereo float frames, it
 * finds clicks and pops, clipped runs, hard edges against digital
 * silence and mains hum, and measures DC, the noise floor of the quiet
 * passages and the correlation of the channels.  Positions are frames
 * from the first frame fed.  It can compute, for each click and clipped
 * run, the samples an autoregressive interpolation puts in its place
 * (dsp/restore.h), so that a repair needs no second look at the
 * neighbourhood.  The methods are in doc/internals/defects.md.
 */
#ifndef PM_DEFECTS_H
#define PM_DEFECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

enum pm_defect_kind {
	PM_DEFECT_CLICK,
	PM_DEFECT_CLIPPING,
	PM_DEFECT_EDGE_START, /* sound straight out of digital silence */
	PM_DEFECT_EDGE_END    /* sound cut straight into digital silence */
};

/* One event in one channel. */
struct pm_defect {
	enum pm_defect_kind kind;
	unsigned channel;   /* 0 left, 1 right */
	int64_t start;      /* first frame */
	int64_t length;     /* frames */
	int64_t count;      /* clipping: the clipped samples among them */
	float level;        /* click: its size; clipping: the clip level;
			       edge: the sample at the edge (magnitudes) */
	float *fix;         /* `length` samples to put in its place, or NULL;
			       owned (a clipped passage's unclipped samples
			       are there as they were) */
	float tail_amp;     /* a pop: its step, where it starts */
	float tail_tau;     /* and its time constant, samples (0: a click) */
};

struct pm_defects_config {
	double click_ratio;    /* a click's residual over the local
				  residual level (linear) */
	double click_floor;    /* smallest click residual (linear) */
	unsigned clip_run;     /* shortest clipped run, samples */
	double edge;           /* edge sample level (linear) */
	double hum_margin_db;  /* a mains line over its neighbours */
	bool no_hum;           /* skip the hum search (its FFTs): for audio
				  whose hum is its source's, a master */
	bool fix_clicks, fix_clipping;
	bool portable;         /* the portable code even where the CPU has
				  AVX2 and FMA (the tests compare the two) */
};

/* A click's residual over the local residual level by default, dB: the
 * lowest at which the clean real album raises no false alarm (§2 of
 * doc/internals/defects.md) */
#define PM_CLICK_RATIO_DB 19.1

/* The defaults: the thresholds premaster-verify(1) documents. */
void pm_defects_config_default(struct pm_defects_config *c);

/* Whole-track figures. */
struct pm_defects_summary {
	int64_t frames;
	double dc[2];            /* mean, per channel */
	double correlation;      /* of left and right, whole track */
	double mono_loss_db;     /* mid level under the channels' level */
	double worst_correlation; /* of the 1 s window where it is lowest */
	int64_t worst_at;        /* that window's first frame */
	double noise_floor_db;   /* quietest passages, dBFS RMS; NAN: none */
	int64_t noise_at;
	double hum_hz;           /* 50 or 60 when hum was found, else 0 */
	double hum_db;           /* its fundamental's level, dBFS (sine peak) */
	double hum_fraction;     /* of the analysed frames it stood out in */
	unsigned hum_harmonics;  /* of 2..4 that stood out too */
};

struct pm_defects;

struct pm_defects *pm_defects_new(uint32_t rate,
				  const struct pm_defects_config *c,
				  struct pm_err *err);

/* Feed `n` interleaved stereo frames.  Returns 0 or -1 (out of memory). */
int pm_defects_add(struct pm_defects *d, const float *x, size_t n);

/* The end of the audio; fills `s`.  Returns 0 or -1 (out of memory). */
int pm_defects_finish(struct pm_defects *d, struct pm_defects_summary *s);

/* The events found, in order of their first frame per kind. */
const struct pm_defect *pm_defects_events(const struct pm_defects *d,
					  size_t *n);

void pm_defects_free(struct pm_defects *d);

/*
 * Put the events' fixes of kinds `clicks` and `clipping` into frames
 * [pos, pos + n) of the interleaved stereo `x`; every other sample is
 * left as it is.  Returns the number of samples changed.
 */
size_t pm_defects_patch(const struct pm_defects *d, bool clicks,
			bool clipping, float *x, int64_t pos, size_t n);

/* Full scale as a 16-bit converter reaches it. */
#define PM_FULL_SCALE (32767.0f / 32768.0f)

#endif
