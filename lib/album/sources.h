/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sources.h: where a target's audio comes from.  Normally the masters that
 * premaster master rendered for the target (OUTDIR/masters/<target>/);
 * without them, the album's sources at unity gain (trims and the track
 * gain applied, mono made stereo), so the CD path works and is testable
 * without the mastering stage.
 */
#ifndef PM_SOURCES_H
#define PM_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "album/album.h"
#include "album/targets.h"
#include "util/err.h"

enum pm_input_kind { PM_INPUT_MASTERS = 0, PM_INPUT_SOURCES };

struct pm_inputs {
	enum pm_input_kind kind;
	const struct pm_album *album; /* borrowed */
	char *dir;                    /* masters directory, or NULL */
	size_t ntracks;
	uint32_t *rate;               /* per track: the rate read at */
	int64_t *length;              /* per track: samples at that rate */
	char **path;                  /* per track: the file read */
	bool has_htoa;
	uint32_t htoa_rate;
	int64_t htoa_length;
	char *htoa_path;
};

/*
 * Find the audio for `target`: the masters in `masters_dir`/<target name>
 * when that directory exists (every track must be there, at the rate the
 * target asks for), else, or when `unity` is true, the sources.  Sources
 * at another rate than the target asks for are refused (that needs the
 * mastering stage's resampler).  Returns 0 or -1 with `err`.
 */
int pm_inputs_find(struct pm_inputs *in, const struct pm_album *album,
		   const struct pm_target *target, const char *masters_dir,
		   bool unity, struct pm_err *err);

/*
 * The album's sources at their own rates (trims and the track gain
 * applied by the reader): what the mastering stage reads.  Includes the
 * hidden track when the album has one.  Returns 0 or -1 with `err`.
 */
int pm_inputs_sources(struct pm_inputs *in, const struct pm_album *album,
		      struct pm_err *err);

void pm_inputs_release(struct pm_inputs *in);

/* The file name of the hidden track's master: "00-<title>.wav". */
void pm_htoa_file_name(const struct pm_album *album, char *out, size_t size);

/* A sequential reader of one track's audio as stereo float. */
struct pm_track_reader;

/*
 * Open track `i` (or PM_DISC for the hidden track) for reading from its
 * first used sample.  Returns NULL with `err`.
 */
struct pm_track_reader *pm_track_open(const struct pm_inputs *in, size_t i,
				      struct pm_err *err);

/* Move to sample `offset` of the track's used audio.  Returns 0 or -1. */
int pm_track_seek(struct pm_track_reader *r, int64_t offset,
		  struct pm_err *err);

/*
 * Read the next `n` stereo frames.  Past the end, zeros.  Returns 0 or -1
 * with `err`.
 */
int pm_track_read(struct pm_track_reader *r, float *buf, int64_t n,
		  struct pm_err *err);

void pm_track_close(struct pm_track_reader *r);

#endif
