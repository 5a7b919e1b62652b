/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * init.h: a first album.xml from audio files, what `premaster init`
 * writes: one track per file in the order given, titles from the tags or
 * the file names, ISRCs counted up from the first, 2-second pauses, the
 * default mastering chain, a CD, vinyl sides that fit, and streaming
 * profiles.
 */
#ifndef PM_INIT_H
#define PM_INIT_H

#include <stddef.h>
#include <stdio.h>

#include "util/err.h"

struct pm_init_options {
	const char *title;      /* NULL: the first file's album tag */
	const char *artist;     /* NULL: the first file's artist tag */
	const char *upc;        /* normalised EAN-13, or NULL */
	const char *catalog;    /* or NULL */
	const char *isrc_first; /* normalised, or NULL */
	const char *dir;        /* the album's folder, absolute and
				   normalised: sources are written
				   relative to it */
};

/*
 * Probe the `n` audio `files` (any format premaster reads; a lossy one
 * draws a warning) and write the album to `fp` with pm_album_write().
 * Returns 0, or -1 with `err`: PM_ENOINPUT (a file is missing),
 * PM_EFORMAT or PM_EUNSUPPORTED (not audio premaster takes, or at a rate
 * or with channels it cannot use), PM_EINVAL (the ISRCs run out),
 * PM_ENOMEM, PM_EIO.
 */
int pm_init_album(FILE *fp, const struct pm_init_options *o,
		  char *const *files, size_t n, struct pm_err *err);

#endif
