/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-outdir.c: atomic deliverable directories and safe names. */
#include <config.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "util/outdir.h"

static char dir[] = "/tmp/t-outdir.XXXXXX";

static bool exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

static int entries(const char *p)
{
	DIR *d = opendir(p);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' || (e->d_name[1] && e->d_name[1] != '.'))
			n++;
	closedir(d);
	return n;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

/* The mode bits of `p`, or -1. */
static int mode_of(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/* A temporary directory begun by a child that then dies as if killed. */
static void leave_temp(const char *parent, const char *name, char *tmp,
		       size_t size)
{
	int fds[2], status;
	pid_t pid;
	ssize_t n;

	tmp[0] = '\0';
	if (pipe(fds) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		struct pm_outdir od;

		close(fds[0]);
		if (pm_outdir_begin(&od, parent, name, true, NULL) == 0 &&
		    write(fds[1], od.tmp_path, strlen(od.tmp_path)) > 0)
			_exit(0); /* no abort, no cleanup: like SIGKILL */
		_exit(1);
	}
	close(fds[1]);
	n = pid > 0 ? read(fds[0], tmp, size - 1) : -1;
	tmp[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
}

/* A temporary directory with a marker for `pid` on `host`. */
static void fake_temp(const char *path, long pid, const char *host)
{
	char m[600];
	FILE *f;

	mkdir(path, 0777);
	snprintf(m, sizeof(m), "%s/.premaster-owner", path);
	f = fopen(m, "w");
	fprintf(f, "premaster temporary directory\npid %ld\nhost %s\nboot \nstart 0\n",
		pid, host);
	fclose(f);
}

static void stale(void)
{
	struct pm_outdir od;
	struct pm_err err = { 0 };
	char dead[512], parent[512], alive[600], other[600], plain[600];
	char host[256] = "";
	pid_t child;
	int status;

	snprintf(parent, sizeof(parent), "%s/stale", dir);
	mkdir(parent, 0777);
	leave_temp(parent, "spotify", dead, sizeof(dead));
	ok(dead[0] && exists(dead), "a killed build leaves its temporary: %s",
	   dead);

	/* the same names, with owners that are alive or not ours to judge */
	gethostname(host, sizeof(host) - 1);
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	snprintf(alive, sizeof(alive), "%s/.cd.tmp-aliveA", parent);
	fake_temp(alive, (long)child, host);
	snprintf(other, sizeof(other), "%s/.cd.tmp-otherB", parent);
	fake_temp(other, 1, "another-host.example");
	snprintf(plain, sizeof(plain), "%s/.cd.tmp-plainC", parent);
	mkdir(plain, 0777);

	ok(pm_outdir_begin(&od, parent, "vinyl", false, &err) == 0,
	   "a later build begins");
	ok(!exists(dead), "and removes the temporary of the dead one");
	ok(exists(alive), "but not one whose owner is alive");
	ok(exists(other), "nor one from another host");
	ok(exists(plain), "nor one without a marker");
	pm_outdir_abort(&od);
	pm_outdir_release(&od);

	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	ok(pm_outdir_begin(&od, parent, "vinyl", false, &err) == 0 &&
		   !exists(alive),
	   "once its owner is gone, that one goes too");
	pm_outdir_abort(&od);
	pm_outdir_release(&od);
	ok(exists(other) && exists(plain), "the others stay");
}

static void modes(void)
{
	struct pm_outdir od;
	struct pm_err err = { 0 };
	struct pm_file pf;
	char p[512];
	mode_t old = umask(022);

	ok(pm_outdir_begin(&od, dir, "umask", false, &err) == 0, "begin");
	is_int(mode_of(od.tmp_path), 0755, "umask 022: the directory is 0755");
	ok(pm_outdir_commit(&od, &err) == 0, "commit");
	pm_outdir_release(&od);
	snprintf(p, sizeof(p), "%s/umask", dir);
	is_int(mode_of(p), 0755, "and stays 0755 in place");
	pm_remove_tree(p);

	umask(002);
	ok(pm_outdir_begin(&od, dir, "umask", false, &err) == 0, "begin");
	is_int(mode_of(od.tmp_path), 0775, "umask 002: 0775, for the group");
	pm_outdir_abort(&od);
	pm_outdir_release(&od);
	snprintf(p, sizeof(p), "%s/umask.txt", dir);
	ok(pm_file_open(&pf, p, false, &err) == 0 &&
		   pm_file_commit(&pf, &err) == 0,
	   "a file");
	is_int(mode_of(p), 0664, "umask 002: a file is 0664");
	unlink(p);

	umask(077);
	ok(pm_file_open(&pf, p, false, &err) == 0 &&
		   pm_file_commit(&pf, &err) == 0,
	   "a file");
	is_int(mode_of(p), 0600, "umask 077: 0600");
	unlink(p);
	umask(old);
}

int main(void)
{
	struct pm_outdir od;
	struct pm_err err = { 0 };
	struct pm_file pf;
	char out[80], p[512], q[512];
	char *fp;

	if (!mkdtemp(dir))
		tap_skip_all("cannot make a scratch directory");
	ok(pm_outdir_begin(&od, dir, "ddp", false, &err) == 0, "begin");
	ok(strstr(od.tmp_path, "/.ddp.tmp-") != NULL, "a hidden temporary: %s",
	   od.tmp_path);
	fp = pm_outdir_path(&od, "IMAGE.DAT", &err);
	put(fp, "one");
	free(fp);
	snprintf(p, sizeof(p), "%s/ddp", dir);
	ok(!exists(p), "nothing at the final name while building");
	ok(pm_outdir_commit(&od, &err) == 0, "commit");
	pm_outdir_release(&od);
	snprintf(q, sizeof(q), "%s/ddp/IMAGE.DAT", dir);
	ok(exists(q), "the directory is in place");
	is_int(entries(dir), 1, "and no temporary is left");

	ok(pm_outdir_begin(&od, dir, "ddp", false, &err) < 0 &&
		   err.code == PM_ECREATE,
	   "an existing deliverable needs --force: %s", err.msg);
	ok(pm_outdir_begin(&od, dir, "ddp", true, &err) == 0, "begin with force");
	fp = pm_outdir_path(&od, "NEW", &err);
	put(fp, "two");
	free(fp);
	pm_outdir_abort(&od);
	pm_outdir_release(&od);
	ok(exists(q), "an aborted build leaves the old one intact");
	is_int(entries(dir), 1, "and removes its temporary");

	ok(pm_outdir_begin(&od, dir, "ddp", true, &err) == 0, "begin again");
	fp = pm_outdir_path(&od, "NEW", &err);
	put(fp, "two");
	free(fp);
	ok(pm_outdir_commit(&od, &err) == 0, "commit over the old one");
	pm_outdir_release(&od);
	snprintf(p, sizeof(p), "%s/ddp/NEW", dir);
	ok(exists(p) && !exists(q), "the new one replaced the old one");
	is_int(entries(dir), 1, "no leftovers after the swap");

	ok(pm_outdir_begin(&od, dir, "masters/cd", false, &err) == 0,
	   "nested names are allowed");
	ok(pm_outdir_commit(&od, &err) == 0, "and commit");
	pm_outdir_release(&od);
	ok(pm_outdir_begin(&od, dir, "../escape", false, &err) < 0,
	   "'..' is refused");
	ok(pm_outdir_begin(&od, dir, "/abs", false, &err) < 0,
	   "absolute names are refused");
	ok(pm_outdir_begin(&od, dir, "x", false, &err) == 0, "begin");
	ok(pm_outdir_path(&od, "../../etc/passwd", &err) == NULL,
	   "a file name cannot escape");
	pm_outdir_release(&od);

	pm_safe_name("../../etc/passwd", out, sizeof(out));
	ok(strchr(out, '/') == NULL, "safe names have no slash: %s", out);
	is_str(out, "_.._etc_passwd", "and no leading dots");
	pm_safe_name("...", out, sizeof(out));
	is_str(out, "_", "nothing left becomes _");
	pm_safe_name("Caf\xc3\xa9: \"Live\"", out, sizeof(out));
	is_str(out, "Caf__ _Live_", "one _ per character");
	pm_safe_name("0123456789012345678901234567890123456789012345678901234567890123456789",
		     out, sizeof(out));
	is_int(strlen(out), 64, "at most 64 bytes");

	snprintf(p, sizeof(p), "%s/file.txt", dir);
	ok(pm_file_open(&pf, p, false, &err) == 0, "atomic file open");
	fputs("x", pf.fp);
	ok(!exists(p), "invisible until committed");
	ok(pm_file_commit(&pf, &err) == 0 && exists(p), "committed");
	ok(pm_file_open(&pf, p, false, &err) < 0 && err.code == PM_ECREATE,
	   "no overwrite without force");
	ok(pm_file_open(&pf, p, true, &err) == 0, "force");
	pm_file_abort(&pf);
	ok(exists(p), "an aborted replacement keeps the original");

	modes();
	stale();
	pm_remove_tree(dir);
	return tap_done();
}
