/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * targets.h: what each deliverable is mastered to.  The loudness targets,
 * ceilings and file formats live in one data table (targets.c), not in
 * code paths; album.xml can override every value.  The table and its
 * sources: doc/internals/targets.md.
 */
#ifndef PM_TARGETS_H
#define PM_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "album/album.h"
#include "util/err.h"

enum pm_target_kind { PM_TARGET_CD = 0, PM_TARGET_VINYL, PM_TARGET_STREAM };

/* Rate policies besides a fixed rate. */
enum { PM_RATE_SOURCE = 0, PM_RATE_ALBUM = 1 };

struct pm_preset {
	const char *name;
	enum pm_target_kind kind;
	bool has_target;     /* false: keep the mastering level */
	double target_lufs;
	double ceiling_dbtp;
	/* a lower ceiling for masters louder than hot_above_lufs (Spotify) */
	bool has_hot;
	double hot_above_lufs, hot_ceiling_dbtp;
	bool limiter;        /* vinyl: none */
	enum pm_format format;
	unsigned bits;       /* 0: float */
	uint32_t rate;       /* a rate in Hz, or PM_RATE_SOURCE/PM_RATE_ALBUM */
	enum pm_gap_policy gaps;
	const char *note;    /* where the figure comes from */
	/* the lossy encoders, used when album.xml sets format to one */
	struct pm_encoder opus, vorbis, mp3;
};

/* The table, and its length. */
extern const struct pm_preset pm_presets[];
extern const size_t pm_npresets;

/* The preset called `name`, or NULL. */
const struct pm_preset *pm_preset_find(const char *name);

/* A deliverable's settings once album.xml's overrides are applied. */
struct pm_target {
	char name[40]; /* "cd", "vinyl", or the streaming profile */
	enum pm_target_kind kind;
	bool has_target;
	double target_lufs;
	double ceiling_dbtp;
	bool has_hot;
	double hot_above_lufs, hot_ceiling_dbtp;
	bool limiter;
	enum pm_format format;
	unsigned bits;
	uint32_t rate; /* Hz, PM_RATE_SOURCE or PM_RATE_ALBUM */
	enum pm_gap_policy gaps;
	struct pm_encoder enc; /* for a lossy format: the preset's settings
				  for it, then album.xml's */
	/* <mastering pass-through="true">: unity gain, no limiter, no trim
	 * to the ceiling (which verify still measures) */
	bool pass_through;
};

/*
 * The album's targets in a fixed order: cd (if enabled), vinyl (if
 * enabled), then each streaming profile in document order.  `out` must
 * hold 2 + album->nstreams entries.  Returns the count.
 */
size_t pm_album_targets(const struct pm_album *album, struct pm_target *out);

/*
 * Whether the comma-separated --only `list` names target `t`, by its
 * name or as "streaming" (every streaming profile).  NULL names all.
 */
bool pm_target_wanted(const char *list, const struct pm_target *t);

/*
 * Check a comma-separated --only list against the album's targets: each
 * name must be a target's or "streaming".  Returns 0, or -1 with the
 * first unknown name copied to `bad` and the known ones to `known`.
 */
int pm_targets_check_list(const char *list, const struct pm_target *t,
			  size_t n, char *bad, size_t bad_size, char *known,
			  size_t known_size);

/* The rate most tracks have (ties: the higher), for PM_RATE_ALBUM. */
uint32_t pm_album_rate(const struct pm_album *album);

/* The true-peak ceiling of a target's files: the hot one when its
 * loudness target is above hot_above_lufs (Spotify's -2 dBTP rule). */
double pm_target_ceiling(const struct pm_target *t);

/*
 * The headroom a lossy format's masters keep under the target's ceiling
 * (dB, 0 for the others): the overshoot its encoder typically adds, so
 * that the decoded files meet the ceiling at the target's loudness and
 * the codec trim after encoding (lib/sequence/stream.c) stays small.
 * Measured on limited masters at -1 dBTP: Opus at 160 kb/s overshoots by
 * 0.3 to 1.4 dB, Ogg Vorbis at quality 6 and MP3 at 320 kb/s or V0 by
 * 0.1 to 0.7 dB.
 */
double pm_lossy_headroom(enum pm_format format);

/* Whether a lossy format can be written at `rate` (true for the others):
 * Opus at 8, 12, 16, 24 or 48 kHz; MP3 at the MPEG-1/2/2.5 rates. */
bool pm_lossy_rate_ok(enum pm_format format, uint32_t rate);

/* The rate a target renders track `i` at.  An Opus profile with no rate
 * of its own is 48 kHz; an MP3 one whose policy lands on a rate MP3
 * cannot carry (88.2, 96 kHz, ...) takes 48 kHz for multiples of 48 kHz
 * and 44.1 kHz otherwise.  Under the source-rate policy, tracks that
 * become one piece of audio share a rate, the highest of their sources:
 * a run of tracks joined by crossfades in streaming, and a vinyl side;
 * so a crossfade never meets two rates, whatever the mixes are at. */
uint32_t pm_target_rate(const struct pm_target *t,
			const struct pm_album *album, size_t i);

#endif
