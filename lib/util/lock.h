/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lock.h: one build at a time in a directory.  The lock is a small file
 * saying who holds it (process id, host, start time), created with
 * link(2), which is atomic on local disks and on NFS alike, so builds on
 * several hosts sharing storage see each other.  A lock whose process is
 * gone is taken over, but only on the host that made it: another host's
 * processes cannot be seen from here.
 */
#ifndef PM_LOCK_H
#define PM_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/err.h"

#define PM_LOCK_FILE ".premaster.lock"

/* Who holds a lock. */
struct pm_lock_owner {
	long pid;
	char host[256];
	char started[32]; /* UTC, "2026-01-01T12:00:00Z" */
};

struct pm_lock {
	char *path;               /* DIR/.premaster.lock while held */
	struct pm_lock_owner me;
};

/*
 * Take the lock of directory `dir` (which must exist).  When another
 * build holds it, fills `holder` (may be NULL) and fails with PM_EBUSY;
 * a lock left by a process of this host that is no longer running is
 * removed first (and `took_over`, when not NULL, is set).  Returns 0 or
 * -1 with `err` (PM_EBUSY, PM_ECREATE when the lock cannot be written).
 */
int pm_lock_take(struct pm_lock *lock, const char *dir,
		 struct pm_lock_owner *holder, bool *took_over,
		 struct pm_err *err);

/* Give the lock back (only if it is still ours).  Safe to repeat. */
void pm_lock_release(struct pm_lock *lock);

/* Read the owner a lock file names.  Returns 0, or -1 when unreadable. */
int pm_lock_read(const char *path, struct pm_lock_owner *owner);

#endif
