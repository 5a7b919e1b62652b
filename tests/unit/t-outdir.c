/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-outdir.c: atomic deliverable directories and safe names. */
#include <config.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	pm_remove_tree(dir);
	return tap_done();
}
