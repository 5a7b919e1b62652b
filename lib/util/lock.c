/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lock.c: one build at a time in a directory (see lock.h). */
#include <config.h>

#include "util/lock.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

#include "util/banned.h"

static void whoami(struct pm_lock_owner *o)
{
	time_t now = time(NULL);
	struct tm tm;

	memset(o, 0, sizeof(*o));
	o->pid = (long)getpid();
	if (gethostname(o->host, sizeof(o->host) - 1) < 0 || !o->host[0])
		snprintf(o->host, sizeof(o->host), "localhost");
	o->host[sizeof(o->host) - 1] = '\0';
	if (gmtime_r(&now, &tm))
		strftime(o->started, sizeof(o->started), "%Y-%m-%dT%H:%M:%SZ",
			 &tm);
}

int pm_lock_read(const char *path, struct pm_lock_owner *o)
{
	FILE *fp = fopen(path, "r");
	char line[320], *v;
	int got = 0;

	memset(o, 0, sizeof(*o));
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		v = strchr(line, ' ');
		if (!v)
			continue;
		*v++ = '\0';
		if (strcmp(line, "pid") == 0) {
			o->pid = strtol(v, NULL, 10);
			got |= 1;
		} else if (strcmp(line, "host") == 0) {
			snprintf(o->host, sizeof(o->host), "%s", v);
			got |= 2;
		} else if (strcmp(line, "started") == 0) {
			snprintf(o->started, sizeof(o->started), "%s", v);
		}
	}
	fclose(fp);
	return got == 3 && o->pid > 0 ? 0 : -1;
}

static bool same_owner(const struct pm_lock_owner *a,
		       const struct pm_lock_owner *b)
{
	return a->pid == b->pid && strcmp(a->host, b->host) == 0 &&
	       strcmp(a->started, b->started) == 0;
}

/* A process of this host that is gone for sure (not merely not ours). */
static bool gone(const struct pm_lock_owner *o, const struct pm_lock_owner *me)
{
	return strcmp(o->host, me->host) == 0 && o->pid > 0 &&
	       kill((pid_t)o->pid, 0) < 0 && errno == ESRCH;
}

/* Move a stale lock aside, if it is still the one read. */
static bool take_over(const char *path, const struct pm_lock_owner *stale,
		      const struct pm_lock_owner *me)
{
	char aside[4096 + 64];
	struct pm_lock_owner now;
	bool ok;

	snprintf(aside, sizeof(aside), "%s.stale-%ld", path, me->pid);
	if (rename(path, aside) < 0)
		return false;
	ok = pm_lock_read(aside, &now) == 0 && same_owner(&now, stale);
	/* another process took it over meanwhile: give it back */
	if (!ok && link(aside, path) < 0)
		pm_debug("'%s': a lock moved aside could not go back", path);
	unlink(aside);
	return ok;
}

int pm_lock_take(struct pm_lock *lock, const char *dir,
		 struct pm_lock_owner *holder, bool *took_over,
		 struct pm_err *err)
{
	struct pm_lock_owner other;
	char *path = NULL, *tmp = NULL;
	size_t n = strlen(dir) + sizeof(PM_LOCK_FILE) + 2;
	FILE *fp;
	int tries, ret = -1;

	memset(lock, 0, sizeof(*lock));
	if (took_over)
		*took_over = false;
	whoami(&lock->me);
	path = pm_malloc(n, err);
	tmp = pm_malloc(n + 300, err);
	if (!path || !tmp)
		goto out;
	snprintf(path, n, "%s/%s", dir, PM_LOCK_FILE);
	snprintf(tmp, n + 300, "%s.%s.%ld", path, lock->me.host, lock->me.pid);
	fp = fopen(tmp, "w");
	if (!fp) {
		pm_err_sys(err, PM_ECREATE, "cannot write the lock '%s'", tmp);
		goto out;
	}
	fprintf(fp, "pid %ld\nhost %s\nstarted %s\n", lock->me.pid,
		lock->me.host, lock->me.started);
	if (fclose(fp) != 0) {
		pm_err_sys(err, PM_ECREATE, "cannot write the lock '%s'", tmp);
		goto out;
	}
	for (tries = 0; tries < 4; tries++) {
		if (link(tmp, path) == 0) {
			lock->path = path;
			path = NULL;
			ret = 0;
			goto out;
		}
		if (errno != EEXIST) {
			pm_err_sys(err, PM_ECREATE, "cannot take the lock '%s'",
				   path);
			goto out;
		}
		if (pm_lock_read(path, &other) < 0) {
			/* being written, or not ours to judge: wait a little */
			struct timespec ts = { 0, 50 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			continue;
		}
		if (!gone(&other, &lock->me))
			break;
		if (take_over(path, &other, &lock->me)) {
			pm_warning("'%s' was left by process %ld on %s (started %s), which is gone: taking it over",
				   path, other.pid, other.host, other.started);
			if (took_over)
				*took_over = true;
		}
	}
	if (pm_lock_read(path, &other) < 0)
		memset(&other, 0, sizeof(other));
	if (holder)
		*holder = other;
	pm_err_set(err, PM_EBUSY,
		   "'%s' is being built by process %ld on %s since %s (%s); wait for it, or remove the lock if that build is gone",
		   dir, other.pid, other.host[0] ? other.host : "an unknown host",
		   other.started[0] ? other.started : "an unknown time", path);
out:
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(path);
	return ret;
}

void pm_lock_release(struct pm_lock *lock)
{
	struct pm_lock_owner now;

	if (!lock->path)
		return;
	if (pm_lock_read(lock->path, &now) == 0 && same_owner(&now, &lock->me))
		unlink(lock->path);
	free(lock->path);
	lock->path = NULL;
}
