/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * master-impl.h: what the parts of the mastering engine share; private to
 * lib/master/.
 */
#ifndef PM_MASTER_IMPL_H
#define PM_MASTER_IMPL_H

#include "master/master.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <immintrin.h>

#include "album/paths.h"
#include "album/sources.h"
#include "dsp/biquad.h"
#include "dsp/bs1770.h"
#include "dsp/dynamics.h"
#include "dsp/linhp.h"
#include "dsp/fft.h"
#include "dsp/limiter.h"
#include "dsp/loudness.h"
#include "dsp/resample.h"
#include "dsp/truepeak.h"
#include "io/audio.h"
#include "master/defects.h"
#include "util/db.h"
#include "util/json.h"
#include "util/log.h"
#include "util/msf.h"
#include "util/outdir.h"
#include "util/pool.h"
#include "util/progress.h"
#include "util/simd.h"

#define BLOCK 8192        /* frames per processing block */
#define SPECTRUM_N 4096   /* long-term spectrum frame */
/*
 * A render is repeated when the loudness is further off than this: the
 * promise is 0.1 LU when the limiter takes at most 1 dB and 0.3 LU
 * otherwise; these aim well inside it.
 */
#define TOLERANCE_LU 0.05
#define TOLERANCE_LIMITED_LU 0.15
#define MAX_RENDERS 4

struct pass1 {
	const struct pm_album *a;
	const struct pm_inputs *in;
	size_t track; /* or PM_DISC */
	struct pm_source_analysis *out;
	struct pm_bs1770 *chain_meter; /* kept for album loudness, owned */
	struct pm_bs1770 *src_meter;   /* likewise */
	const char *ref_path;          /* the tone reference instead */
	bool chain_peak;               /* measure the shared chain's peak */
	int status;
	struct pm_err err;
};

/*
 * Finding the runs of digital silence (PM_DC_SILENCE_MS or longer) of
 * interleaved stereo audio, block by block, into a growing array the
 * caller owns: *v (n runs, covering *frames frames in all).
 */
struct silence_scan {
	int64_t pos, zeros, min_frames;
	size_t cap;
	struct pm_span **v;
	size_t *n;
	int64_t *frames;
};

void master_silence_init(struct silence_scan *sc, uint32_t rate,
			 struct pm_span **v, size_t *n, int64_t *frames);
/* Adds the runs that end in `buf`; -1 when out of memory. */
int master_silence_add(struct silence_scan *sc, const float *buf, size_t n);
/* The run the audio ends in, if long enough. */
int master_silence_finish(struct silence_scan *sc);

/*
 * Taking a measured DC out, exactly, except in digital silence, the
 * subtraction faded out over `ramp` frames before each run of it and in
 * after (master.h).
 */
struct dc_cut {
	float dc[2];                /* to subtract (0: none) */
	const struct pm_span *silent; /* borrowed */
	size_t nsilent, next_silent;
	int64_t pos, ramp;          /* frames */
};

/* Frames [c->pos, c->pos + n) of `buf`; moves c->pos on. */
void master_dc_cut(struct dc_cut *c, float *buf, size_t n);

struct shared {
	struct pm_biquad_cascade *track_eq, *album_eq, *tone_eq;
	struct pm_comp *comp;
	float gain; /* the track's mastering gain trim */
	struct dc_cut dc; /* the source's measured DC */
	/* borrowed meters of the true peak into the filters and after
	 * each (analysis only; NULL: not measured) */
	struct pm_truepeak *stage_tp[PM_STAGES + 1];
	/* the linear-phase highpasses of the track's and the album's EQ,
	 * first in the chain (they commute with the biquads); owned */
	size_t nlinhp;
	struct pm_linhp *linhp[32]; /* the schema: 16 bands per <eq> */
};

struct pass2 {
	struct pm_master_run *run;
	const struct pm_inputs *in;
	size_t track; /* or PM_DISC */
	struct pm_outdir *dirs; /* per target, borrowed */
	bool *want;             /* per target: render it this time */
	struct pm_bs1770 **meters; /* per target: this track's output meter */
	int status;
	struct pm_err err;
};

int master_analyse(struct pass1 *p);

void master_tone(struct pm_master_run *run);

/* The audio-* findings on the sources, into run->findings, and logged. */
void master_defect_findings(struct pm_master_run *run);

/* A track's "repair" object in analysis.json, when it has repairs. */
void master_repair_json(struct pm_json *j, const struct pm_source_analysis *s);

/* Log what hum removal and noise reduction did to track `i` (0-based). */
void master_restore_say(const struct pm_source_analysis *s, size_t i);

void master_shared_free(struct shared *s);

int master_shared_init(struct shared *s, const struct pm_album *a, size_t i,
		       uint32_t rate, const struct pm_tone_result *tone,
		       struct pm_err *err);

void master_shared_process(struct shared *s, float *buf, size_t n);

/*
 * The linear-phase highpasses of track `i` (and the album), their delays
 * rounded to `granule` frames; after master_shared_init().  Returns 0 or
 * -1 with `err`.
 */
int master_shared_linear(struct shared *s, const struct pm_album *a, size_t i,
			 uint32_t rate, size_t granule, struct pm_err *err);

/* Frames the chain delays its output by (its linear-phase highpasses). */
size_t master_shared_delay(const struct shared *s);

/*
 * The chain's last `n` frames, held back by its delay: silence pushed
 * through the filters (not the DC removal or gain, which belong to the
 * source's frames).
 */
void master_shared_drain(struct shared *s, float *buf, size_t n);

void master_pass2_job(void *job);

double master_track_ceiling(const struct pm_master_run *run,
			    const struct pm_target_result *tr, size_t i);

#endif
