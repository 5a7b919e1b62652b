/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * replay.c: the main of tests/fuzz/replay-NAME, which feeds every file of
 * the harness's seed corpus to its LLVMFuzzerTestOneInput() once, built
 * like the rest of the tests (gcc, ASan or valgrind), and speaks TAP: one
 * line per input.  An input that breaks the harness ends the program
 * (abort or a sanitizer), which the TAP driver reports as a failure.
 *
 *   replay-NAME              the folders in PM_FUZZ_CORPUS (under SRCDIR),
 *                            then the seeds the harness makes, if any
 *   replay-NAME PATH...      these files, or every file in these folders
 *   replay-NAME --seeds DIR  write the made seeds into DIR, and stop
 */
#include <config.h>

#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct list {
	char **v;
	size_t n, cap;
};

static void add(struct list *l, const char *path)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	l->v[l->n] = strdup(path);
	if (!l->v[l->n])
		abort();
	l->n++;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file, or the regular files of a folder (not hidden), in name order. */
static int collect(struct list *l, const char *path)
{
	struct stat st;
	struct dirent *e;
	size_t first = l->n;
	DIR *d;

	if (stat(path, &st) < 0) {
		printf("Bail out! cannot open '%s': %s\n", path,
		       strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		add(l, path);
		return 0;
	}
	d = opendir(path);
	if (!d) {
		printf("Bail out! cannot read '%s': %s\n", path,
		       strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char p[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			add(l, p);
	}
	closedir(d);
	qsort(l->v + first, l->n - first, sizeof(*l->v), by_name);
	return 0;
}

/* Where the made seeds are, while they are replayed. */
static char made[4096];

/* A path as the TAP line shows it: under the source tree, relative; a
 * made seed as "made/NAME". */
static const char *shown(const char *path)
{
	size_t n = strlen(SRCDIR);

	static char buf[4096];

	if (made[0] && strncmp(path, made, strlen(made)) == 0) {
		snprintf(buf, sizeof(buf), "made%s", path + strlen(made));
		return buf;
	}

	return strncmp(path, SRCDIR, n) == 0 && path[n] == '/' ? path + n + 1
							       : path;
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	long size;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0) {
		/* libFuzzer hands over a buffer of exactly the input: so do we,
		 * for ASan to see a read past its end */
		buf = malloc(size ? (size_t)size : 1);
		if (buf && fread(buf, 1, (size_t)size, fp) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
		*n = (size_t)size;
	}
	fclose(fp);
	return buf;
}

/* Remove the made seeds (plain files in one folder) and the folder. */
static void remove_seeds(const char *dir, const struct list *l, size_t first)
{
	for (size_t i = first; i < l->n; i++)
		unlink(l->v[i]);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	struct list l = { 0 };
	int failed = 0;
	size_t first_made = 0;

	if (argc == 3 && strcmp(argv[1], "--seeds") == 0) {
		if (!fuzz_make_seeds) {
			fprintf(stderr, "%s: this harness makes no seeds\n",
				argv[0]);
			return 0;
		}
		if (mkdir(argv[2], 0777) < 0 && errno != EEXIST) {
			fprintf(stderr, "%s: cannot make '%s': %s\n", argv[0],
				argv[2], strerror(errno));
			return 1;
		}
		fuzz_setup();
		fuzz_make_seeds(argv[2]);
		return 0;
	}
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (collect(&l, argv[i]) < 0)
				return 1;
	} else {
		char spec[] = PM_FUZZ_CORPUS, *save = NULL;

		for (char *t = strtok_r(spec, ":", &save); t;
		     t = strtok_r(NULL, ":", &save)) {
			char p[4096];

			snprintf(p, sizeof(p), "%s/%s", SRCDIR, t);
			if (collect(&l, p) < 0)
				return 1;
		}
		if (fuzz_make_seeds) {
			const char *tmp = getenv("TMPDIR");

			snprintf(made, sizeof(made), "%s/pm-seeds.XXXXXX",
				 tmp && *tmp ? tmp : "/tmp");
			if (!mkdtemp(made)) {
				printf("Bail out! cannot make a folder for the "
				       "seeds: %s\n", strerror(errno));
				return 1;
			}
			fuzz_setup();
			fuzz_make_seeds(made);
			first_made = l.n;
			if (collect(&l, made) < 0)
				return 1;
		}
	}
	if (l.n == 0) {
		printf("Bail out! no inputs\n");
		return 1;
	}
	printf("1..%zu\n", l.n);
	for (size_t i = 0; i < l.n; i++) {
		size_t n = 0;
		uint8_t *buf = slurp(l.v[i], &n);

		if (!buf) {
			printf("not ok %zu - %s: cannot read it\n", i + 1,
			       shown(l.v[i]));
			failed = 1;
			continue;
		}
		/* a crash here takes the whole test down: say what it was on */
		fprintf(stderr, "replaying %s (%zu bytes)\n", l.v[i], n);
		LLVMFuzzerTestOneInput(buf, n);
		free(buf);
		printf("ok %zu - %s\n", i + 1, shown(l.v[i]));
		fflush(stdout);
	}
	if (made[0])
		remove_seeds(made, &l, first_made);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	return failed;
}
