/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * verify-impl.h: what the parts of the release gate share; private to
 * lib/verify/.
 */
#ifndef PM_VERIFY_IMPL_H
#define PM_VERIFY_IMPL_H

#include "verify/verify.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
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
#include "dsp/bs1770.h"
#include "dsp/loudness.h"
#include "dsp/truepeak.h"
#include "io/audio.h"
#include "sequence/sequence.h"
#include "sequence/timeline.h"
#include "util/json.h"
#include "util/log.h"
#include "util/digest.h"
#include "util/msf.h"
#include "util/outdir.h"
#include "util/path.h"
#include "util/progress.h"
#include "util/xmlw.h"

#ifndef PM_CLAMP
#define PM_CLAMP(x, lo, hi) ((x) < (lo) ? (lo) : (x) > (hi) ? (hi) : (x))
#endif

#define SILENCE 0.001 /* -60 dBFS: below it a sample counts as silence */

/*
 * The DDP reader and the layout log what they find; verify reports it as
 * findings instead, so their messages are held back while they run:
 * with a struct verify_log as `ctx`, errors and warnings are kept.
 */
struct verify_log {
	size_t n;
	char **msg;
	enum pm_log_level *level;
};

void verify_quiet(enum pm_log_level level, const char *msg, void *ctx);

/* A finding about deliverable `deliv` at `where` (a file, or NULL), of
 * album track `track` (0: none) at `time_s` seconds into it (NaN: none). */
void verify_finding_at(struct pm_verify *v, const char *rule,
		       enum pm_severity sev, const char *deliv,
		       const char *where, unsigned track, double time_s,
		       const char *fmt, ...) PM_PRINTF(8, 9);
void verify_log_release(struct verify_log *l);

struct probe {
	struct pm_bs1770 *k;
	float peak;
	struct pm_truepeak *tp;
	uint32_t rate;
	int64_t n, first_sound, last_sound;
	unsigned run, clipped_runs;
	double sum;
};

void verify_cd_checks(struct pm_verify *v, const struct pm_target *t,
		      size_t target_index);

void verify_vinyl_checks(struct pm_verify *v, const struct pm_target *t);
void verify_stream_checks(struct pm_verify *v, const struct pm_target *t,
			  size_t target_index);

/* The DDP reader's problems, and whether there is a checksum list. */
void verify_ddp_problems(struct pm_verify *v, const struct pm_ddp *ddp,
			 const struct verify_log *log);

/* The PQ sheet's times, ISRCs and UPC/EAN against the disc. */
void verify_pq_sheet(struct pm_verify *v, const struct pm_disc *d,
		     const char *path);

/* Sources: not numbers, cut short; their figures and curves. */
void verify_sources(struct pm_verify *v);

/* Masters: not numbers, over the ceiling; their figures and curves. */
void verify_masters(struct pm_verify *v);

/*
 * From OUTDIR/report/analysis.json (analysis.c): the limiter's log per
 * master, and the true peak each filter of the shared chain added per
 * track.
 */
extern const char *const verify_stage_keys[PM_VERIFY_STAGES];
extern const char *const verify_stage_names[PM_VERIFY_STAGES];
void verify_limiter_log(struct pm_verify *v);

/*
 * The frames a WAV or AIFF header claims (libsndfile reads only what is
 * there); -1 for other files.
 */
int64_t verify_header_frames(const char *path);

/*
 * Each per-track file of deliverable `d` (target `target_index`) against
 * its master: silent or almost where the master is not, shorter than the
 * master by more than `slack` samples at `rate` (0: the file's own).
 */
void verify_sanity(struct pm_verify *v, const struct pm_deliverable *d,
		   size_t target_index, uint32_t rate, int64_t slack);

/* manifest.md5 and manifest.sha256 against the deliverables (rule
 * "manifest"). */
void verify_manifest_checks(struct pm_verify *v);

/* Loudness against the target, true peak against the ceiling. */
void verify_levels(struct pm_verify *v, struct pm_deliverable *d,
		   struct pm_bs1770 **meters, double hot_above, double hot_ceiling,
		   bool has_hot);

/*
 * Measure a whole file; keeps its loudness meter in *keep.  With
 * `master` (may be NULL), a lossless file is compared sample by sample
 * with that master when both have the same rate: the file is `lead`
 * frames of silence (a pause before the track), the master, and silence
 * to its end (a pause after it).
 */
int verify_measure_file(struct pm_verify *v, const char *path,
			struct pm_measured *m, struct pm_audio_info *info,
			struct pm_bs1770 **keep, const char *master,
			int64_t lead, struct pm_err *err);

int verify_probe_add(struct probe *p, const float *x, size_t n,
		     struct pm_err *err);

/* Finish into `m`; the loudness meter stays for album loudness. */
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



/* The pictures (svg.c). */
extern const char *const verify_colour_source;
extern const char *const verify_colour_gr;
extern const char *const verify_colour_track[2];
extern const char *const verify_colour_pause;
const char *verify_target_colour(size_t t);
void verify_svg_loudness(FILE *fp, const struct pm_verify *v);
void verify_svg_tone(FILE *fp, const struct pm_verify *v, size_t track,
		     size_t target, double gain_db);
void verify_svg_disc(FILE *fp, const struct pm_verify *v);
void verify_svg_vinyl(FILE *fp, const struct pm_verify *v);

double verify_rule_value(const struct pm_verify *v, const char *rule,
			 double dflt);

#endif
