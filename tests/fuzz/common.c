/* SPDX-License-Identifier: GPL-3.0-or-later */
/* common.c: the fuzz harnesses' scratch directory and quiet log. */
#include <config.h>

#include "common.h"

#include <dirent.h>
#include <math.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/audio.h"
#include "util/log.h"

static char scratch[512];

static void quiet(enum pm_log_level level, const char *msg, void *ctx)
{
	(void)level;
	(void)msg;
	(void)ctx;
}

/* Remove a tree of plain files and directories (no symlinks followed). */
static void remove_tree(const char *dir, bool keep_top)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[1024];
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     e->d_name) >= sizeof(path))
			continue;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(path, false);
		else
			unlink(path);
	}
	closedir(d);
	if (!keep_top)
		rmdir(dir);
}

static void cleanup(void)
{
	if (scratch[0])
		remove_tree(scratch, false);
}

const char *fuzz_setup(void)
{
	const char *tmp;

	if (scratch[0])
		return scratch;
	if (!getenv("FUZZ_VERBOSE"))
		pm_log_set_sink(quiet, NULL);
	tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if ((size_t)snprintf(scratch, sizeof(scratch), "%s/pm-fuzz.XXXXXX",
			     tmp) >= sizeof(scratch) ||
	    !mkdtemp(scratch)) {
		perror("fuzz: cannot make a scratch directory");
		abort();
	}
	atexit(cleanup);
	return scratch;
}

void fuzz_write(const char *path, const void *data, size_t n)
{
	FILE *fp = fopen(path, "wb");

	if (!fp || (n && fwrite(data, 1, n, fp) != n) || fclose(fp) != 0) {
		fprintf(stderr, "fuzz: cannot write '%s': %s\n", path,
			strerror(errno));
		abort();
	}
}

void fuzz_empty_dir(const char *dir)
{
	remove_tree(dir, true);
}

const char *fuzz_path(char *buf, size_t size, const char *dir,
		      const char *name)
{
	if ((size_t)snprintf(buf, size, "%s/%s", dir, name) >= size)
		abort();
	return buf;
}

void fuzz_expect_err(const struct pm_err *err, const char *what)
{
	if (err->code == PM_OK || err->msg[0] == '\0') {
		fprintf(stderr, "fuzz: %s failed without saying why (code %d)\n",
			what, (int)err->code);
		abort();
	}
}

bool fuzz_put_audio(const char *dir, const char *name, int format,
		    unsigned bits, uint32_t rate, double seconds)
{
	struct pm_audio_spec spec = { .format = (enum pm_format)format,
				      .rate = rate, .channels = 2,
				      .bits = bits };
	struct pm_err err = { 0 };
	struct pm_audio_writer *w;
	size_t n = (size_t)(seconds * rate);
	float *s;
	char path[1024];

	if (!pm_audio_can_write(spec.format))
		return false;
	s = calloc(n * 2 + 2, sizeof(*s));
	if (!s)
		abort();
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / rate;

		s[2 * i] = (float)(0.25 * sin(2 * M_PI * (200 + 2000 * t) * t));
		s[2 * i + 1] = (float)(0.2 * sin(2 * M_PI * 330 * t));
	}
	w = pm_audio_create(fuzz_path(path, sizeof(path), dir, name), &spec,
			    NULL, &err);
	if (!w || pm_audio_write(w, s, (int64_t)n, &err) < 0 ||
	    pm_audio_finish(w, &err) < 0) {
		fprintf(stderr, "fuzz: cannot write the seed '%s': %s\n", path,
			err.msg);
		abort();
	}
	free(s);
	return true;
}
