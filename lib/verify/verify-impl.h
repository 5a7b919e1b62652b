/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * verify-impl.h: what the parts of the release gate share; private to
 * lib/verify/.
 */
#ifndef PM_VERIFY_IMPL_H
#define PM_VERIFY_IMPL_H

#include "verify/verify.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "album/paths.h"
#include "album/sources.h"
#include "album/targets.h"
#include "album/vinyl.h"
#include "cd/cdio.h"
#include "cd/cdtext.h"
#include "cd/ddp.h"
#include "cd/pq.h"
#include "cd/sheets.h"
#include "dsp/loudness.h"
#include "dsp/truepeak.h"
#include "io/audio.h"
#include "sequence/sequence.h"
#include "sequence/timeline.h"
#include "util/json.h"
#include "util/log.h"
#include "util/md5.h"
#include "util/msf.h"
#include "util/outdir.h"
#include "util/path.h"
#include "util/progress.h"
#include "util/xmlw.h"

#define SILENCE 0.001 /* -60 dBFS: below it a sample counts as silence */

struct probe {
	struct pm_meter *ebu;
	struct pm_truepeak *tp;
	uint32_t rate;
	int64_t n, first_sound, last_sound;
	unsigned run, clipped_runs;
	double sum;
};

void verify_cd_checks(struct pm_verify *v, const struct pm_target *t);

/* Loudness against the target, true peak against the ceiling. */
void verify_levels(struct pm_verify *v, struct pm_deliverable *d,
		   struct pm_meter **meters, double hot_above, double hot_ceiling,
		   bool has_hot);

/* Measure a whole file; keeps its libebur128 meter in *keep. */
int verify_measure_file(struct pm_verify *v, const char *path,
			struct pm_measured *m, struct pm_audio_info *info,
			struct pm_meter **keep, struct pm_err *err);

int verify_probe_add(struct probe *p, const float *x, size_t n,
		     struct pm_err *err);

/* Finish into `m`; the libebur128 meter stays for album loudness. */
int verify_probe_finish(struct probe *p, struct pm_measured *m,
			struct pm_err *err);

/*
 * `with_tp` false: the true peak is measured by the caller over the whole
 * programme instead (a slice cut mid-waveform would over-read as an
 * abrupt start or stop in a detector of its own).
 */
int verify_probe_init(struct probe *p, uint32_t rate, bool with_tp,
		      struct pm_err *err);

/* Silence, clipping and DC of one file, as findings. */
void verify_qc(struct pm_verify *v, const struct pm_measured *m);

struct pm_deliverable *verify_deliverable(struct pm_verify *v, const char *name);

void verify_find(struct pm_verify *v, const char *rule, enum pm_severity dflt,
		 const char *where, const char *fmt, ...) PM_PRINTF(5, 6);

bool verify_is_dir(const char *p);

struct pm_measured *verify_measured(struct pm_deliverable *d, const char *name);

/*
 * The DDP reader and the layout log what they find; verify reports it as
 * findings instead, so their messages are held back while they run.
 */
void verify_quiet(enum pm_log_level level, const char *msg, void *ctx);

double verify_rule_value(const struct pm_verify *v, const char *rule,
			 double dflt);

#endif
