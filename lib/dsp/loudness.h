/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * loudness.h: the reference loudness meter (ITU-R BS.1770-4, EBU R128),
 * a thin wrapper over libebur128, the only module that includes it.
 * Levels are in LUFS/LU/dBFS/dBTP; a level of silence is -HUGE_VAL.
 */
#ifndef PM_LOUDNESS_H
#define PM_LOUDNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* What to measure; integrated loudness is always measured. */
enum {
	PM_METER_LRA = 1u << 0,         /* loudness range */
	PM_METER_MAX = 1u << 1,         /* max momentary and short-term */
	PM_METER_SAMPLE_PEAK = 1u << 2,
	PM_METER_TRUE_PEAK = 1u << 3,   /* libebur128's own (slow, scalar) */
	PM_METER_EXACT = 1u << 4,       /* keep every block instead of a
					   0.1 LU histogram: exact, and memory
					   grows with the length */
};

struct pm_loudness_result {
	double integrated_lufs;
	double range_lu;          /* with PM_METER_LRA, else 0 */
	double max_momentary_lufs; /* with PM_METER_MAX */
	double max_shortterm_lufs; /* with PM_METER_MAX */
	double sample_peak_db;    /* with PM_METER_SAMPLE_PEAK, max over channels */
	double true_peak_dbtp;    /* with PM_METER_TRUE_PEAK, max over channels */
};

struct pm_meter;

/*
 * A meter for interleaved float audio of `channels` (1..8) at `rate`.
 * Mono is measured as one channel (BS.1770); stereo as left and right.
 * Returns NULL with `err` on a bad argument (PM_EINVAL) or PM_ENOMEM.
 */
struct pm_meter *pm_meter_new(unsigned channels, uint32_t rate,
			      unsigned flags, struct pm_err *err);

/* Feed `n_samples` frames.  Returns 0 or -1 with `err`. */
int pm_meter_add(struct pm_meter *m, const float *buf, int64_t n_samples,
		 struct pm_err *err);

/* The measurements so far.  Returns 0 or -1 with `err`. */
int pm_meter_result(struct pm_meter *m, struct pm_loudness_result *r,
		    struct pm_err *err);

/*
 * The integrated loudness of several meters taken as one programme (album
 * loudness, BS.1770 gating over all their blocks).  NULL entries are
 * skipped.  NAN if memory runs out (more than 64 meters need an array).
 */
double pm_meter_global(struct pm_meter *const *m, size_t n);

/*
 * The loudness range of several meters as one (each needs PM_METER_LRA;
 * NAN if one lacks it or memory runs out).
 */
double pm_meter_global_range(struct pm_meter *const *m, size_t n);

void pm_meter_free(struct pm_meter *m);

#endif
