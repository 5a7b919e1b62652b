/* SPDX-License-Identifier: GPL-3.0-or-later */
/* stamp.c: what a build was made from, and one build at a time. */
#include <config.h>

#include "album/stamp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "album/album.h"
#include "album/paths.h"
#include "util/digest.h"
#include "util/log.h"
#include "util/outdir.h"
#include "util/path.h"

#include "util/banned.h"

#define HASH_CHUNK (1u << 20)

/* The output directories a stamp vouches for, when they are there. */
static const char *const outputs[] = { PM_DIR_MASTERS, PM_DIR_CD,
				       PM_DIR_DDP,     PM_DIR_VINYL,
				       PM_DIR_STREAMING, PM_DIR_REPORT };

/* A growing text. */
struct text {
	char *s;
	size_t n, cap;
	bool failed;
};

static void add(struct text *t, const char *fmt, ...) PM_PRINTF(2, 3);

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int k;

	if (t->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(t->s ? t->s + t->n : NULL, t->s ? t->cap - t->n : 0,
			      fmt, ap);
		va_end(ap);
		if (k < 0) {
			t->failed = true;
			return;
		}
		if (t->s && t->n + (size_t)k < t->cap) {
			t->n += (size_t)k;
			return;
		}
		t->cap = (t->cap + (size_t)k + 1) * 2;
		s = realloc(t->s, t->cap);
		if (!s) {
			t->failed = true;
			return;
		}
		t->s = s;
	}
}

static int hash_file(const char *path, char hex[PM_MD5_HEX_BYTES],
		     struct pm_err *err)
{
	FILE *fp = fopen(path, "rb");
	uint8_t digest[PM_MD5_BYTES];
	struct pm_digest md5;
	unsigned char *buf;
	size_t n;
	int ret = 0;

	if (!fp)
		return pm_err_sys(err, PM_ENOINPUT, "cannot open '%s'", path);
	buf = pm_malloc(HASH_CHUNK, err);
	if (!buf) {
		fclose(fp);
		return -1;
	}
	pm_digest_init(&md5, PM_MD5);
	while ((n = fread(buf, 1, HASH_CHUNK, fp)) > 0)
		pm_digest_update(&md5, buf, n);
	if (ferror(fp))
		ret = pm_err_sys(err, PM_EIO, "cannot read '%s'", path);
	fclose(fp);
	free(buf);
	pm_digest_final(&md5, digest);
	pm_digest_hex(digest, PM_MD5_BYTES, hex);
	return ret;
}

static void add_file(struct text *t, const char *kind, const char *shown,
		     const char *path, struct pm_err *err, int *ret)
{
	char hex[PM_MD5_HEX_BYTES];

	if (*ret < 0)
		return;
	if (hash_file(path, hex, err) < 0) {
		*ret = -1;
		return;
	}
	add(t, "%s %s %s\n", kind, hex, shown);
}

char *pm_stamp_make(const char *album_path, struct pm_err *err)
{
	struct text t = { 0 };
	struct pm_album *a;
	size_t i;
	int ret = 0;

	a = pm_album_load(album_path, NULL, err);
	if (!a)
		return NULL;
	add(&t, "premaster-stamp 1\npremaster %s\n", PACKAGE_VERSION);
	add_file(&t, "album", "album.xml", album_path, err, &ret);
	if (a->htoa.is_set)
		add_file(&t, "source", a->htoa.source.file, a->htoa.source.path,
			 err, &ret);
	for (i = 0; i < a->ntracks; i++)
		add_file(&t, "source", a->tracks[i].source.file,
			 a->tracks[i].source.path, err, &ret);
	if (a->mastering.tone.reference_path)
		add_file(&t, "source", a->mastering.tone.reference,
			 a->mastering.tone.reference_path, err, &ret);
	pm_album_free(a);
	if (ret < 0 || t.failed) {
		if (t.failed)
			pm_err_set(err, PM_ENOMEM, "out of memory");
		free(t.s);
		return NULL;
	}
	return t.s;
}

static bool is_dir(const char *dir, const char *name)
{
	char p[8192];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The stamp there, when it matches `inputs` and its outputs are there. */
static bool matches(const char *path, const char *outdir, const char *inputs)
{
	FILE *fp = fopen(path, "r");
	size_t n = strlen(inputs);
	char line[4096 + 64];
	char *head = NULL;
	bool ok = false;

	if (!fp)
		return false;
	head = malloc(n + 1);
	if (!head || fread(head, 1, n, fp) != n || memcmp(head, inputs, n) != 0)
		goto out;
	ok = true;
	while (ok && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "output ", 7) == 0)
			ok = is_dir(outdir, line + 7);
		else
			ok = false; /* more inputs than now */
	}
out:
	free(head);
	fclose(fp);
	return ok;
}

int pm_guard_begin(struct pm_build_guard *g, const char *album_path,
		   const char *outdir, bool if_changed, bool *up_to_date,
		   struct pm_err *err)
{
	memset(g, 0, sizeof(*g));
	*up_to_date = false;
	g->outdir = pm_strdup(outdir, err);
	if (!g->outdir)
		goto fail;
	g->made_dir = !is_dir(outdir, ".");
	if (pm_mkdirs(outdir, err) < 0)
		goto fail;
	g->stamp_path = pm_path_join(outdir, PM_STAMP_FILE, err);
	if (!g->stamp_path)
		goto fail;
	if (pm_lock_take(&g->lock, outdir, NULL, NULL, err) < 0)
		goto fail;
	if (if_changed) {
		g->stamp = pm_stamp_make(album_path, err);
		if (!g->stamp)
			goto fail;
		if (matches(g->stamp_path, outdir, g->stamp)) {
			*up_to_date = true;
			return 0;
		}
	}
	/* from here on the outputs are in the making */
	if (unlink(g->stamp_path) < 0 && errno != ENOENT) {
		pm_err_sys(err, PM_ECREATE, "cannot remove '%s'", g->stamp_path);
		goto fail;
	}
	return 0;
fail:
	pm_guard_end(g, -1, NULL);
	return -1;
}

void pm_guard_end(struct pm_build_guard *g, int status, const char *album)
{
	struct pm_err err = { 0 };
	struct pm_file f = { 0 };
	size_t i;

	if (status == 0 && g->stamp_path && album) {
		if (!g->stamp)
			g->stamp = pm_stamp_make(album, &err);
		if (g->stamp && pm_file_open(&f, g->stamp_path, true, &err) == 0) {
			fputs(g->stamp, f.fp);
			for (i = 0; i < PM_ARRAY_SIZE(outputs); i++)
				if (is_dir(g->outdir, outputs[i]))
					fprintf(f.fp, "output %s\n", outputs[i]);
			if (pm_file_commit(&f, &err) < 0)
				pm_warning("cannot write '%s': %s", g->stamp_path,
					   err.msg);
			pm_file_abort(&f);
		} else {
			pm_warning("no build stamp in '%s': %s", g->outdir,
				   err.msg);
		}
	}
	pm_lock_release(&g->lock);
	if (g->made_dir && g->outdir)
		rmdir(g->outdir); /* fails, as it should, unless empty */
	free(g->stamp);
	free(g->stamp_path);
	free(g->outdir);
	memset(g, 0, sizeof(*g));
}
