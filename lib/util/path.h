/* SPDX-License-Identifier: GPL-3.0-or-later */
/* path.h: file-system paths. */
#ifndef PM_PATH_H
#define PM_PATH_H

#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"

/*
 * `target` relative to directory `base`, both absolute and normalised
 * (realpath), so that an album.xml keeps working when its folder moves:
 * "../mixes/a.wav".  Newly allocated; NULL when memory runs out.
 */
char *pm_path_relative(const char *base, const char *target);

/* "DIR/NAME", newly allocated, or NULL with `err` (PM_ENOMEM). */
char *pm_path_join(const char *dir, const char *name, struct pm_err *err);

/*
 * Open `path` for reading if it is a regular file (symbolic links are
 * followed).  A FIFO, device or directory is refused without blocking:
 * the open never waits for a writer, and nothing is read from it.  The
 * file's size goes to *size_bytes when that is not NULL, so callers can
 * bound their reads by it.  Returns the descriptor, or -1 with `err`:
 * PM_ENOINPUT when the file is missing or unreadable, PM_EFORMAT when it
 * is not a regular file.
 */
int pm_open_regular(const char *path, int64_t *size_bytes, struct pm_err *err);

/*
 * Read up to `n` bytes at `offset` of `fd`, retrying after signals.
 * Returns the count, short only at the end of the file, or -1 (errno).
 */
ssize_t pm_read_at(int fd, void *buf, size_t n, int64_t offset);

#endif
