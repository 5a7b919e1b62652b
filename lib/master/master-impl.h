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

struct shared {
	struct pm_biquad_cascade *track_eq, *album_eq, *tone_eq;
	struct pm_comp *comp;
	float gain; /* the track's mastering gain trim */
	float dc[2]; /* the measured DC to subtract (0: none) */
	/* borrowed meters of the true peak into the filters and after
	 * each (analysis only; NULL: not measured) */
	struct pm_truepeak *stage_tp[PM_STAGES + 1];
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

void master_pass2_job(void *job);

double master_track_ceiling(const struct pm_master_run *run,
			    const struct pm_target_result *tr, size_t i);

#endif
