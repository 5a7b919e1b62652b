/* SPDX-License-Identifier: GPL-3.0-or-later */
/* outdir.c: atomic deliverable directories and files, safe names, signals. */
#include <config.h>

#include "util/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/path.h"

#include "util/banned.h"

int pm_mkdirs(const char *path, struct pm_err *err)
{
	char *p = pm_strdup(path, err);
	char *s;
	char c;
	struct stat st;

	if (!p)
		return -1;
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			pm_err_sys(err, PM_ECREATE, "cannot create directory '%s'",
				   p);
			free(p);
			return -1;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
		pm_err_set(err, PM_ECREATE, "'%s' is not a directory", p);
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

int pm_remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	struct stat st;
	char *sub;
	int ret = 0;

	if (!d)
		return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		sub = pm_path_join(path, e->d_name, NULL);
		if (!sub) {
			ret = -1;
			continue;
		}
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			ret |= pm_remove_tree(sub);
		else if (unlink(sub) < 0)
			ret = -1;
		free(sub);
	}
	closedir(d);
	if (rmdir(path) < 0)
		ret = -1;
	return ret;
}

/*
 * Replace the trailing "XXXXXX" of `tmpl` with letters and digits and
 * create it: a directory (mode 0777) or an empty file open for writing
 * (0666), both as the umask allows, as mkdir(1) and touch(1) would make
 * them (mkdtemp and mkstemp make 0700 and 0600, which nobody else on a
 * shared studio machine could read).  Returns the file's descriptor, 0
 * for a directory, or -1 with errno.
 */
static int make_unique(char *tmpl, bool dir)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static uint64_t counter;
	size_t n = strlen(tmpl), i;
	struct timespec ts;
	uint64_t x;
	int tries, fd;

	if (n < 6 || strcmp(tmpl + n - 6, "XXXXXX") != 0) {
		errno = EINVAL;
		return -1;
	}
	for (tries = 0; tries < 1000; tries++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		pthread_mutex_lock(&lock);
		counter += 0x9E3779B97F4A7C15u;
		x = counter;
		pthread_mutex_unlock(&lock);
		/* a name nobody else is making now; not a secret */
		x ^= (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^
		     (uint64_t)getpid() << 40;
		x ^= x >> 31;
		x *= 0xBF58476D1CE4E5B9u;
		x ^= x >> 27;
		for (i = 0; i < 6; i++) {
			tmpl[n - 6 + i] = set[x % (sizeof(set) - 1)];
			x /= sizeof(set) - 1;
		}
		if (dir) {
			if (mkdir(tmpl, 0777) == 0)
				return 0;
		} else {
			fd = open(tmpl, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
				  0666);
			if (fd >= 0)
				return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/*
 * Ownership markers.  Each temporary directory holds MARKER, saying which
 * process on which host (and boot) builds it, so that a later run can
 * remove what a killed one left (SIGKILL, a power cut) when it can prove
 * the owner is gone; it is removed just before the directory is renamed
 * into place.
 */
#define MARKER ".premaster-owner"
#define MARKER_MAGIC "premaster temporary directory"

struct owner {
	long pid;
	char host[256];
	char boot[64];           /* the kernel's boot id; "" if unknown */
	unsigned long long start; /* the process's start time; 0 if unknown */
};

static void read_line_of(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, (int)size, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/* When process `pid` started (clock ticks after boot), or 0. */
static unsigned long long start_time(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	FILE *f;
	size_t n;
	int field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the name, field 2, may hold spaces and ')': skip to the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (p)
		v = strtoull(p + 1, NULL, 10);
	return v;
}

static void owner_self(struct owner *o)
{
	memset(o, 0, sizeof(*o));
	o->pid = (long)getpid();
	if (gethostname(o->host, sizeof(o->host) - 1) < 0)
		o->host[0] = '\0';
	read_line_of("/proc/sys/kernel/random/boot_id", o->boot,
		     sizeof(o->boot));
	o->start = start_time(o->pid);
}

static int write_marker(const char *dir)
{
	struct owner o;
	char *path = pm_path_join(dir, MARKER, NULL);
	FILE *f;
	int ret = -1;

	if (!path)
		return -1;
	owner_self(&o);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%s\npid %ld\nhost %s\nboot %s\nstart %llu\n",
			MARKER_MAGIC, o.pid, o.host, o.boot, o.start);
		ret = fclose(f) == 0 ? 0 : -1;
	}
	free(path);
	return ret;
}

static void copy_field(char *out, size_t size, const char *in)
{
	size_t n = strlen(in);

	if (n >= size)
		n = size - 1;
	memcpy(out, in, n);
	out[n] = '\0';
}

/* Read a marker; returns 0 when it is one of ours, else -1. */
static int read_marker(const char *dir, struct owner *o)
{
	char *path = pm_path_join(dir, MARKER, NULL);
	char line[320];
	bool magic = false;
	FILE *f;

	memset(o, 0, sizeof(*o));
	o->pid = -1;
	if (!path)
		return -1;
	f = fopen(path, "r");
	free(path);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(line, MARKER_MAGIC) == 0)
			magic = true;
		else if (strncmp(line, "pid ", 4) == 0)
			o->pid = strtol(line + 4, NULL, 10);
		else if (strncmp(line, "host ", 5) == 0)
			copy_field(o->host, sizeof(o->host), line + 5);
		else if (strncmp(line, "boot ", 5) == 0)
			copy_field(o->boot, sizeof(o->boot), line + 5);
		else if (strncmp(line, "start ", 6) == 0)
			o->start = strtoull(line + 6, NULL, 10);
	}
	fclose(f);
	return magic && o->pid > 0 && o->host[0] ? 0 : -1;
}

/*
 * Whether the process a marker names is provably gone: it ran on this
 * host, and this host has rebooted since, or no such process exists, or
 * the process with its id started at another time (the id was reused).
 * A process on another host sharing the file system is never judged.
 */
static bool owner_gone(const struct owner *o, const struct owner *self)
{
	unsigned long long start;

	if (strcmp(o->host, self->host) != 0 || o->pid == self->pid)
		return false;
	if (o->boot[0] && self->boot[0] && strcmp(o->boot, self->boot) != 0)
		return true;
	if (kill((pid_t)o->pid, 0) < 0 && errno == ESRCH)
		return true;
	start = start_time(o->pid);
	return o->start && start && start != o->start;
}

/* Whether `name` looks like one of our temporary directories. */
static bool temp_name(const char *name)
{
	const char *t = strstr(name, ".tmp-");

	return name[0] == '.' && t && strlen(t + 5) == 6;
}

/* Remove the temporaries in `parent` that dead runs of ours left. */
static void remove_stale(const char *parent)
{
	struct owner self, o;
	struct dirent *e;
	struct stat st;
	DIR *d;
	char *sub;

	d = opendir(parent);
	if (!d)
		return;
	owner_self(&self);
	while ((e = readdir(d)) != NULL) {
		if (!temp_name(e->d_name))
			continue;
		sub = pm_path_join(parent, e->d_name, NULL);
		if (!sub)
			break;
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode) &&
		    read_marker(sub, &o) == 0 && owner_gone(&o, &self)) {
			if (pm_remove_tree(sub) == 0)
				pm_note("removed '%s', which process %ld left unfinished (it is gone)",
					sub, o.pid);
			else
				pm_warning("cannot remove '%s', which process %ld left unfinished",
					   sub, o.pid);
		}
		free(sub);
	}
	closedir(d);
}

/* Whether a relative path is made only of safe components. */
static bool safe_relative(const char *name)
{
	const char *p = name;

	if (!*name || *name == '/')
		return false;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

int pm_outdir_begin(struct pm_outdir *od, const char *parent,
		    const char *name, bool force, struct pm_err *err)
{
	struct stat st;
	char *leaf_parent = NULL, *tmpl = NULL;
	const char *leaf;
	size_t n;

	memset(od, 0, sizeof(*od));
	od->force = force;
	if (!safe_relative(name))
		return pm_err_set(err, PM_EINVAL, "unsafe output name '%s'", name);
	od->final_path = pm_path_join(parent, name, err);
	if (!od->final_path)
		goto fail;
	if (stat(od->final_path, &st) == 0 && !force) {
		pm_err_set(err, PM_ECREATE,
			   "'%s' exists; use --force to replace it",
			   od->final_path);
		goto fail;
	}
	/* the temporary directory sits beside the final one */
	leaf = strrchr(od->final_path, '/');
	n = (size_t)(leaf - od->final_path);
	leaf_parent = pm_malloc(n + 1, err);
	if (!leaf_parent)
		goto fail;
	memcpy(leaf_parent, od->final_path, n);
	leaf_parent[n] = '\0';
	if (pm_mkdirs(leaf_parent, err) < 0)
		goto fail;
	remove_stale(leaf_parent);
	n = strlen(leaf_parent) + strlen(leaf) + 32;
	tmpl = pm_malloc(n, err);
	if (!tmpl)
		goto fail;
	snprintf(tmpl, n, "%s/.%s.tmp-XXXXXX", leaf_parent, leaf + 1);
	if (make_unique(tmpl, true) < 0) {
		pm_err_sys(err, PM_ECREATE, "cannot create a directory beside '%s'",
			   od->final_path);
		goto fail;
	}
	od->tmp_path = tmpl;
	if (write_marker(tmpl) < 0) {
		tmpl = NULL;
		pm_err_sys(err, PM_ECREATE, "cannot write in '%s'", od->tmp_path);
		goto fail;
	}
	free(leaf_parent);
	return 0;
fail:
	free(tmpl);
	free(leaf_parent);
	pm_outdir_release(od);
	return -1;
}

char *pm_outdir_path(const struct pm_outdir *od, const char *file,
		     struct pm_err *err)
{
	if (!safe_relative(file)) {
		pm_err_set(err, PM_EINVAL, "unsafe output file name '%s'", file);
		return NULL;
	}
	return pm_path_join(od->tmp_path, file, err);
}

static int exchange(const char *a, const char *b)
{
#if defined(SYS_renameat2) && defined(RENAME_EXCHANGE)
	return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b,
			    RENAME_EXCHANGE);
#elif defined(SYS_renameat2)
	return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2u);
#else
	errno = ENOSYS;
	return -1;
#endif
}

/* The marker goes just before the directory becomes a deliverable. */
static int drop_marker(const struct pm_outdir *od, struct pm_err *err)
{
	char *path = pm_path_join(od->tmp_path, MARKER, err);
	int ret = 0;

	if (!path)
		return -1;
	if (unlink(path) < 0 && errno != ENOENT)
		ret = pm_err_sys(err, PM_EIO, "cannot remove '%s'", path);
	free(path);
	return ret;
}

int pm_outdir_commit(struct pm_outdir *od, struct pm_err *err)
{
	struct stat st;
	char *old;
	size_t n;

	/* an interrupt that came after the work's last look is still one:
	 * nothing new is put in place once the user has asked to stop */
	if (pm_interrupted())
		return pm_err_set(err, PM_EINTR, "interrupted");
	if (drop_marker(od, err) < 0)
		return -1;
	if (lstat(od->final_path, &st) < 0) {
		if (rename(od->tmp_path, od->final_path) < 0)
			return pm_err_sys(err, PM_ECREATE, "cannot rename '%s' to '%s'",
					  od->tmp_path, od->final_path);
		free(od->tmp_path);
		od->tmp_path = NULL;
		return 0;
	}
	if (!od->force)
		return pm_err_set(err, PM_ECREATE,
				  "'%s' appeared while building; use --force",
				  od->final_path);
	/*
	 * Swap the two directories in one step, so that at every moment one
	 * complete deliverable is in place; then remove the old one, which
	 * now has the temporary name.
	 */
	if (exchange(od->tmp_path, od->final_path) == 0) {
		pm_remove_tree(od->tmp_path);
		free(od->tmp_path);
		od->tmp_path = NULL;
		return 0;
	}
	/* No renameat2 (old kernel, other filesystems): two renames. */
	n = strlen(od->tmp_path) + 8;
	old = pm_malloc(n, err);
	if (!old)
		return -1;
	snprintf(old, n, "%s.old", od->tmp_path);
	if (rename(od->final_path, old) < 0) {
		pm_err_sys(err, PM_ECREATE, "cannot move '%s' aside",
			   od->final_path);
		free(old);
		return -1;
	}
	if (rename(od->tmp_path, od->final_path) < 0) {
		pm_err_sys(err, PM_ECREATE, "cannot rename '%s' to '%s'",
			   od->tmp_path, od->final_path);
		rename(old, od->final_path);
		free(old);
		return -1;
	}
	pm_remove_tree(old);
	free(old);
	free(od->tmp_path);
	od->tmp_path = NULL;
	return 0;
}

void pm_outdir_abort(struct pm_outdir *od)
{
	if (od->tmp_path) {
		pm_remove_tree(od->tmp_path);
		free(od->tmp_path);
		od->tmp_path = NULL;
	}
}

void pm_outdir_release(struct pm_outdir *od)
{
	pm_outdir_abort(od);
	free(od->final_path);
	od->final_path = NULL;
}

void pm_safe_name(const char *in, char *out, size_t size)
{
	size_t n = 0, limit = size - 1 < 64 ? size - 1 : 64;
	const unsigned char *p = (const unsigned char *)in;

	while (*p && (*p == '.' || *p == ' '))
		p++;
	for (; *p && n < limit; p++) {
		unsigned char c = *p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '_' ||
		    c == '.' || c == ',' || c == '(' || c == ')') {
			out[n++] = (char)c;
		} else if (c >= 0x80 && c < 0xC0) {
			/* continuation byte: already replaced with its lead */
		} else {
			out[n++] = '_';
		}
	}
	while (n > 0 && (out[n - 1] == '.' || out[n - 1] == ' '))
		n--;
	if (n == 0)
		out[n++] = '_';
	out[n] = '\0';
}

int pm_file_open(struct pm_file *f, const char *path, bool force,
		 struct pm_err *err)
{
	struct stat st;
	const char *slash;
	size_t n;
	int fd;

	memset(f, 0, sizeof(*f));
	f->force = force;
	if (!force && stat(path, &st) == 0)
		return pm_err_set(err, PM_ECREATE,
				  "'%s' exists; use --force to replace it", path);
	f->path = pm_strdup(path, err);
	if (!f->path)
		return -1;
	n = strlen(path) + 16;
	f->tmp = pm_malloc(n, err);
	if (!f->tmp)
		goto fail;
	slash = strrchr(path, '/');
	if (slash)
		snprintf(f->tmp, n, "%.*s.%s.XXXXXX", (int)(slash - path + 1),
			 path, slash + 1);
	else
		snprintf(f->tmp, n, ".%s.XXXXXX", path);
	fd = make_unique(f->tmp, false);
	if (fd < 0) {
		pm_err_sys(err, PM_ECREATE, "cannot create '%s'", path);
		goto fail;
	}
	f->fp = fdopen(fd, "wb");
	if (!f->fp) {
		pm_err_sys(err, PM_ECREATE, "cannot create '%s'", path);
		close(fd);
		unlink(f->tmp);
		goto fail;
	}
	return 0;
fail:
	free(f->tmp);
	free(f->path);
	f->tmp = f->path = NULL;
	return -1;
}

int pm_file_commit(struct pm_file *f, struct pm_err *err)
{
	struct stat st;
	int ret = 0;

	if (fflush(f->fp) != 0 || ferror(f->fp)) {
		ret = pm_err_sys(err, PM_EIO, "cannot write '%s'", f->path);
		fclose(f->fp);
		f->fp = NULL;
		pm_file_abort(f);
		return ret;
	}
	if (fclose(f->fp) != 0) {
		f->fp = NULL;
		ret = pm_err_sys(err, PM_EIO, "cannot write '%s'", f->path);
		pm_file_abort(f);
		return ret;
	}
	f->fp = NULL;
	if (!f->force && stat(f->path, &st) == 0) {
		ret = pm_err_set(err, PM_ECREATE,
				 "'%s' appeared while writing; use --force",
				 f->path);
		pm_file_abort(f);
		return ret;
	}
	if (rename(f->tmp, f->path) < 0) {
		ret = pm_err_sys(err, PM_ECREATE, "cannot rename to '%s'", f->path);
		pm_file_abort(f);
		return ret;
	}
	free(f->tmp);
	free(f->path);
	f->tmp = f->path = NULL;
	return 0;
}

void pm_file_abort(struct pm_file *f)
{
	if (f->fp) {
		fclose(f->fp);
		f->fp = NULL;
	}
	if (f->tmp) {
		unlink(f->tmp);
		free(f->tmp);
		f->tmp = NULL;
	}
	free(f->path);
	f->path = NULL;
}

static volatile sig_atomic_t caught;
static volatile sig_atomic_t forward_to; /* a child's pid, or 0 */
static bool hup_ignored;

static void on_signal(int sig)
{
	int saved = errno;

	caught = sig;
	if (forward_to > 0)
		kill((pid_t)forward_to, sig);
	errno = saved;
}

void pm_signals_install(void)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* under nohup a hangup is not meant to stop us */
	if (sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		hup_ignored = true;
	else
		sigaction(SIGHUP, &sa, NULL);
}

void pm_signals_default(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, hup_ignored ? SIG_IGN : SIG_DFL);
}

void pm_signals_forward(long pid)
{
	forward_to = (sig_atomic_t)(pid > 0 ? pid : 0);
	/* one that came before we knew the child is passed on now */
	if (pid > 0 && caught)
		kill((pid_t)pid, caught);
}

bool pm_interrupted(void)
{
	return caught != 0;
}

void pm_signals_reraise(void)
{
	/*
	 * Only SIGINT: a shell running a script waits for the program
	 * Ctrl-C reached and stops the script too only if the program died
	 * of SIGINT.  TERM and HUP end with PM_EXIT_INTERRUPTED, which is
	 * what the shell reports for SIGINT: one status for an interrupted
	 * run.
	 */
	if (caught != SIGINT)
		return;
	signal(SIGINT, SIG_DFL);
	raise(SIGINT);
}

FILE *pm_fcreate(const char *path, const char *mode, struct pm_err *err)
{
	FILE *fp = fopen(path, mode);

	if (!fp)
		pm_err_sys(err, PM_ECREATE, "cannot create '%s'", path);
	return fp;
}

int pm_fclose_written(FILE *fp, const char *path, struct pm_err *err)
{
	bool failed = ferror(fp) != 0;

	if (fclose(fp) != 0 || failed)
		return pm_err_sys(err, PM_EIO, "cannot write '%s'", path);
	return 0;
}

int pm_file_rewrite(const char *path, const void *buf, size_t n,
		    struct pm_err *err)
{
	FILE *fp = fopen(path, "wb");
	bool ok = fp && fwrite(buf, 1, n, fp) == n;

	if (fp && fclose(fp) != 0)
		ok = false;
	if (!ok)
		return pm_err_sys(err, PM_EIO, "cannot rewrite '%s'", path);
	return 0;
}
