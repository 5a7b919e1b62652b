/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * write.h: album.xml from the model, the inverse of pm_album_load():
 * every element and attribute the model holds, in the schema's order,
 * values the schema would default left out.  Loading what is written
 * gives the same model (pm_album_same), which is what lets premaster
 * init, and the import of a DDP, CUE or TOC, write whatever they build
 * in memory.
 */
#ifndef PM_ALBUM_WRITE_H
#define PM_ALBUM_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "album/album.h"
#include "util/err.h"

struct pm_album_write_options {
	/* a comment right after <album>, or NULL; may span lines */
	const char *comment;
	/* a comment before <mastering> and one before <verify>, or NULL */
	const char *mastering_comment;
	const char *verify_comment;
};

/*
 * Write `album` as album.xml to `fp` (UTF-8, with the XML declaration).
 * Source files are written as album->tracks[i].source.file says (the
 * caller makes them relative to where the album will live).  Times keep
 * their form: a sample count stays one, seconds are written as seconds.
 *
 * Refuses a model the schema would refuse for its shape: no release
 * title, a track without an id, a source or a title, more than 99
 * tracks, a vinyl cut without sides (PM_EINVAL, naming it).  Values are
 * not range-checked: pm_album_load() does that on the way back.  Returns
 * 0, or -1 with `err` (PM_EINVAL, PM_EIO when writing fails).
 * `o` may be NULL.
 */
int pm_album_write(FILE *fp, const struct pm_album *album,
		   const struct pm_album_write_options *o, struct pm_err *err);

/*
 * Whether two albums say the same: every value pm_album_load() reads,
 * compared by value (a time of "2s" equals one of "2000ms"), and not
 * where it was read from (lines, paths, what probing filled in).  When
 * they differ, the first difference is described in `why` (may be NULL).
 */
bool pm_album_same(const struct pm_album *a, const struct pm_album *b,
		   char *why, size_t size);

/* A time as album.xml writes it ("88200", "2.5s") into buf (>= 32). */
const char *pm_time_format(struct pm_time t, char *buf, size_t size);

/*
 * A number as album.xml writes it: the shortest decimal that reads back
 * as the same double, never in exponent form ("-14", "0.7071").
 */
const char *pm_decimal_format(double v, char *buf, size_t size);

#endif
