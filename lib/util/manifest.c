/* SPDX-License-Identifier: GPL-3.0-or-later */
/* manifest.c: manifest.md5 and manifest.sha256 over a delivery. */
#include <config.h>

#include "util/manifest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/outdir.h"

#include "util/banned.h"

#define READ_BYTES (1 << 20)

int pm_hash_file(const char *path, char md5[PM_MD5_HEX_BYTES],
		 char sha256[PM_SHA256_HEX_BYTES], struct pm_err *err)
{
	struct pm_digest m;
	struct pm_digest s;
	uint8_t d5[PM_MD5_BYTES], d256[PM_SHA256_BYTES];
	unsigned char *buf;
	ssize_t got;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return pm_err_sys(err, PM_ENOINPUT, "cannot open '%s'", path);
	buf = malloc(READ_BYTES);
	if (!buf) {
		close(fd);
		return pm_err_set(err, PM_ENOMEM, "out of memory");
	}
	pm_digest_init(&m, PM_MD5);
	pm_digest_init(&s, PM_SHA256);
	while ((got = read(fd, buf, READ_BYTES)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			pm_err_sys(err, PM_EIO, "cannot read '%s'", path);
			free(buf);
			close(fd);
			return -1;
		}
		pm_digest_update(&m, buf, (size_t)got);
		pm_digest_update(&s, buf, (size_t)got);
	}
	free(buf);
	close(fd);
	pm_digest_final(&m, d5);
	pm_digest_final(&s, d256);
	pm_digest_hex(d5, PM_MD5_BYTES, md5);
	pm_digest_hex(d256, PM_SHA256_BYTES, sha256);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Listing                                                              */
/* ------------------------------------------------------------------ */

struct list {
	char **v;
	size_t n, cap;
};

static int list_add(struct list *l, const char *rel, struct pm_err *err)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		char **v = pm_reallocarray(l->v, cap, sizeof(*v), err);

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = pm_strdup(rel, err);
	if (!l->v[l->n])
		return -1;
	l->n++;
	return 0;
}

static int walk(const char *dir, const char *rel, struct list *l,
		struct pm_err *err)
{
	char path[8192], sub[8192];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int ret = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >= sizeof(path))
		return pm_err_set(err, PM_EINVAL, "'%s/%s': path too long", dir, rel);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0
				       : pm_err_sys(err, PM_EIO, "cannot list '%s'", path);
	while (ret == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", rel, e->d_name) >=
			    sizeof(sub) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, sub) >=
			    sizeof(path)) {
			ret = pm_err_set(err, PM_EINVAL, "'%s': path too long", sub);
			break;
		}
		if (lstat(path, &st) < 0)
			ret = pm_err_sys(err, PM_EIO, "cannot stat '%s'", path);
		else if (S_ISDIR(st.st_mode))
			ret = walk(dir, sub, l, err);
		else if (S_ISREG(st.st_mode))
			ret = list_add(l, sub, err);
	}
	closedir(d);
	return ret;
}

static int by_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pm_manifest_list(const char *dir, const char *const *roots, size_t nroots,
		     char ***paths, size_t *n, struct pm_err *err)
{
	struct list l = { 0 };
	size_t i;

	*paths = NULL;
	*n = 0;
	for (i = 0; i < nroots; i++)
		if (walk(dir, roots[i], &l, err) < 0) {
			while (l.n)
				free(l.v[--l.n]);
			free(l.v);
			return -1;
		}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), by_bytes);
	*paths = l.v;
	*n = l.n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading                                                              */
/* ------------------------------------------------------------------ */

/* Undo md5sum's escapes (\\ and \n) in place; false for any other. */
static bool unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s != '\\') {
			*w++ = *s;
			continue;
		}
		s++;
		if (*s == '\\')
			*w++ = '\\';
		else if (*s == 'n')
			*w++ = '\n';
		else
			return false;
	}
	*w = '\0';
	return true;
}

/* One line, without its end: "[\]<hex> <' '|'*'><path>". */
static bool parse_line(char *line, size_t hexlen, struct pm_manifest_line *out)
{
	bool escaped = line[0] == '\\';
	char *p = line + escaped;
	size_t i;

	for (i = 0; i < hexlen; i++)
		if (pm_hex_value((unsigned char)p[i]) < 0)
			return false;
	if (p[hexlen] != ' ' || (p[hexlen + 1] != ' ' && p[hexlen + 1] != '*') ||
	    p[hexlen + 2] == '\0')
		return false;
	for (i = 0; i < hexlen; i++)
		out->hex[i] = "0123456789abcdef"[pm_hex_value((unsigned char)p[i])];
	out->hex[hexlen] = '\0';
	p += hexlen + 2;
	if (escaped && !unescape(p))
		return false;
	out->path = strdup(p);
	return out->path != NULL;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct pm_manifest_line *)a)->path,
		      ((const struct pm_manifest_line *)b)->path);
}

int pm_manifest_read(const char *path, size_t hexlen, struct pm_manifest *m,
		     struct pm_err *err)
{
	FILE *fp = fopen(path, "rb");
	char line[8192];
	int lineno = 0;
	size_t cap = 0;

	memset(m, 0, sizeof(*m));
	if (!fp)
		return errno == ENOENT ? 0
				       : pm_err_sys(err, PM_EIO, "cannot open '%s'", path);
	m->present = true;
	while (fgets(line, sizeof(line), fp)) {
		size_t len = strlen(line);
		struct pm_manifest_line l = { 0 };

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (!parse_line(line, hexlen, &l)) {
			if (!m->bad++)
				m->first_bad = lineno;
			continue;
		}
		l.lineno = lineno;
		if (m->n == cap) {
			struct pm_manifest_line *v;

			cap = cap ? 2 * cap : 256;
			v = pm_reallocarray(m->v, cap, sizeof(*v), err);
			if (!v) {
				free(l.path);
				fclose(fp);
				pm_manifest_release(m);
				return -1;
			}
			m->v = v;
		}
		m->v[m->n++] = l;
	}
	if (ferror(fp)) {
		fclose(fp);
		pm_manifest_release(m);
		return pm_err_sys(err, PM_EIO, "cannot read '%s'", path);
	}
	fclose(fp);
	if (m->n)
		qsort(m->v, m->n, sizeof(*m->v), by_path);
	return 0;
}

const struct pm_manifest_line *pm_manifest_find(const struct pm_manifest *m,
						const char *path)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->v[mid].path, path);

		if (c == 0)
			return &m->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void pm_manifest_release(struct pm_manifest *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------ */
/* Writing                                                              */
/* ------------------------------------------------------------------ */

static void put_line(FILE *fp, const char *hex, const char *path)
{
	const char *p;

	if (!strpbrk(path, "\\\n")) {
		fprintf(fp, "%s  %s\n", hex, path);
		return;
	}
	fprintf(fp, "\\%s  ", hex);
	for (p = path; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", fp);
		else if (*p == '\n')
			fputs("\\n", fp);
		else
			fputc(*p, fp);
	}
	fputc('\n', fp);
}

int pm_manifest_write(const char *dir, const char *const *roots,
		      size_t nroots, size_t *nfiles, struct pm_err *err)
{
	struct pm_file f5 = { 0 }, f256 = { 0 };
	char p5[8192], p256[8192], path[8192];
	char md5[PM_MD5_HEX_BYTES], sha[PM_SHA256_HEX_BYTES];
	char **files = NULL;
	size_t n = 0, i;
	int ret = -1;

	snprintf(p5, sizeof(p5), "%s/%s", dir, PM_MANIFEST_MD5);
	snprintf(p256, sizeof(p256), "%s/%s", dir, PM_MANIFEST_SHA256);
	if (pm_manifest_list(dir, roots, nroots, &files, &n, err) < 0 ||
	    pm_file_open(&f5, p5, true, err) < 0 ||
	    pm_file_open(&f256, p256, true, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (pm_hash_file(path, md5, sha, err) < 0)
			goto out;
		put_line(f5.fp, md5, files[i]);
		put_line(f256.fp, sha, files[i]);
		if (pm_interrupted()) {
			pm_err_set(err, PM_EINTR, "interrupted");
			goto out;
		}
	}
	if (ferror(f5.fp) || ferror(f256.fp)) {
		pm_err_sys(err, PM_EIO, "cannot write the manifests in '%s'", dir);
		goto out;
	}
	if (pm_file_commit(&f5, err) < 0 || pm_file_commit(&f256, err) < 0)
		goto out;
	if (nfiles)
		*nfiles = n;
	ret = 0;
out:
	pm_file_abort(&f5);
	pm_file_abort(&f256);
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return ret;
}
