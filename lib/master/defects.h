/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * defects.h: the defect detector's thresholds from album.xml and its
 * results as findings (the audio-* rules of premaster-verify(1)), for
 * master's analysis and for verify alike.
 */
#ifndef PM_MASTER_DEFECTS_H
#define PM_MASTER_DEFECTS_H

#include <stddef.h>
#include <stdint.h>

#include "album/album.h"
#include "album/findings.h"
#include "dsp/defects.h"
#include "dsp/dehum.h"
#include "dsp/denoise.h"

/* The detector's configuration: defaults, then <verify><rule value>. */
void pm_defects_config_album(const struct pm_album *a,
			     struct pm_defects_config *c);

/* Whether album track `i` (0-based) has clicks and clipping repaired. */
void pm_repair_wanted(const struct pm_album *a, size_t i, bool *clicks,
		      bool *clipping);

/*
 * What <repair> asks of album track `i` (0-based) beyond clicks and
 * clipping, given the detector's summary `s` of its source: `hum` is 0
 * (off), 50, 60 or PM_REPAIR_AUTO (s->hum_hz says which mains, if any);
 * `noise` whether noise= is other than off, and `noise_db` the reduction
 * to make, or -1 for none: auto makes PM_DENOISE_AUTO_DB when the quiet
 * passages sit over the audio-noise-floor rule's level, none otherwise.
 */
void pm_repair_restore_wanted(const struct pm_album *a, size_t i,
			      const struct pm_defects_summary *s, int *hum,
			      bool *noise, double *noise_db);

/*
 * Hum removal then noise reduction, as wanted, over the `frames`
 * interleaved stereo frames `x` of a whole track at `rate`, in place;
 * `found_hz` is the detector's hum (50, 60 or 0 for none), which hum="auto"
 * follows; `noise_db` -1 is no noise reduction.  Fills `dh` and `dn` with what was done (nominal_hz 0 and
 * quiet_s 0 for nothing).  Returns 0, or -1 with `err` PM_ENOMEM.
 */
int pm_repair_restore(float *x, size_t frames, uint32_t rate, int hum,
		      double noise_db, double found_hz, struct pm_dehum *dh,
		      struct pm_denoise *dn, struct pm_err *err);

/*
 * File what detector `d` found in album track `track` (1-based) of
 * `deliverable` ("source" or a target), at `where` (a path, or NULL).
 */
void pm_defects_file(struct pm_findings *f, const struct pm_album *a,
		     const struct pm_defects *d,
		     const struct pm_defects_summary *s, uint32_t rate,
		     const char *deliverable, const char *where,
		     unsigned track);

/*
 * The same for a master `gain_db` louder than its source, whose source
 * findings are in `f` already: a click is filed when the source had one
 * within 10 ms (it came through), or when it stands 10 dB above the
 * click floor moved by the gain (it was added).  A mastered transient
 * is otherwise not a click.
 */
void pm_defects_file_master(struct pm_findings *f, const struct pm_album *a,
			    const struct pm_defects *d,
			    const struct pm_defects_summary *s, uint32_t rate,
			    const char *deliverable, const char *where,
			    unsigned track, double gain_db);

/*
 * audio-overcompressed: peak-to-loudness ratio and loudness range (the
 * range only for `seconds` of a minute or more).
 */
void pm_defects_dynamics(struct pm_findings *f, const struct pm_album *a,
			 const char *deliverable, const char *where,
			 unsigned track, double peak_db, double lufs,
			 double lra, double seconds);

/* audio-tonal-outlier over `n` tracks' octave band levels. */
void pm_defects_tonal(struct pm_findings *f, const struct pm_album *a,
		      const char *deliverable, const double (*band_db)[10],
		      size_t n);

#endif
