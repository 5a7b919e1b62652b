/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * stamp.h: what a build was made from, so a catalogue job can skip an
 * album nothing has changed in (premaster build --if-changed), and one
 * build at a time per output directory (util/lock).
 *
 * The stamp, OUTDIR/.premaster-stamp, lists the MD5 of album.xml, of
 * every source it names (tracks, hidden track, tone reference) and
 * premaster's version.  A build removes it before it starts and writes
 * it when it has finished and the release is fit, so a stamp is only
 * ever there beside a complete, fit release.
 */
#ifndef PM_STAMP_H
#define PM_STAMP_H

#include <stdbool.h>

#include "util/err.h"
#include "util/lock.h"

#define PM_STAMP_FILE ".premaster-stamp"

struct pm_build_guard {
	char *outdir;
	char *stamp_path;
	char *stamp;        /* the inputs' stamp text, or NULL */
	bool made_dir;      /* outdir did not exist: removed again if the
			       build left nothing in it */
	struct pm_lock lock;
};

/*
 * Begin a build of `album_path` into `outdir` (made if missing): take
 * the lock (PM_EBUSY when another build holds it), work out the inputs'
 * stamp and, with `if_changed`, compare it with the one there: the same
 * stamp sets *up_to_date (the caller then ends at once).  Otherwise the
 * old stamp is removed.  An album that cannot be read has no stamp: it
 * is built, and the stages report why.  Returns 0, or -1 with `err`.
 */
int pm_guard_begin(struct pm_build_guard *g, const char *album_path,
		   const char *outdir, bool if_changed, bool *up_to_date,
		   struct pm_err *err);

/*
 * End the build: with `status` 0 (fit), write the stamp of `album_path`
 * (the one worked out at the start, if any); then give the lock back,
 * and remove outdir if this build made it and left it empty (a refusal
 * before the first output leaves no trace).  Safe on a guard that never
 * began.
 */
void pm_guard_end(struct pm_build_guard *g, int status,
		  const char *album_path);

/*
 * The stamp of an album's inputs as text (a line per input: the MD5 and
 * the path), newly allocated, or NULL with `err` (PM_ENOINPUT when an
 * input cannot be read, errors of pm_album_load()).
 */
char *pm_stamp_make(const char *album_path, struct pm_err *err);

#endif
