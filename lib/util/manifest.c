/* SPDX-License-Identifier: GPL-3.0-or-later */
/* manifest.c: manifest.md5 and manifest.sha256 over a delivery. */
#include <config.h>

#include "util/manifest.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/digest-impl.h"
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
/* Many files: MD5 sixteen at a time                                      */
/* ------------------------------------------------------------------ */

#define LANES PM_MD5_LANES

/*
 * What this process has hashed: a DDP's checksum list names files the
 * manifests have just hashed (verify checks both), so their MD5 is
 * recalled rather than computed again, as long as the file is the same
 * one, unchanged: device, inode, size and both times.
 */
#define RECALL_MAX 512

struct recalled {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	uint8_t md5[PM_MD5_BYTES];
};

static struct recalled recall[RECALL_MAX];
static size_t nrecall;
static pthread_mutex_t recall_lock = PTHREAD_MUTEX_INITIALIZER;

static bool same_file(const struct recalled *r, const struct stat *st)
{
	return r->dev == st->st_dev && r->ino == st->st_ino &&
	       r->size == st->st_size &&
	       r->mtime.tv_sec == st->st_mtim.tv_sec &&
	       r->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	       r->ctime.tv_sec == st->st_ctim.tv_sec &&
	       r->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

static void remember(int fd, uint64_t bytes, const uint8_t md5[PM_MD5_BYTES])
{
	struct stat st;
	size_t i;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != bytes)
		return; /* it changed while it was read */
	pthread_mutex_lock(&recall_lock);
	for (i = 0; i < nrecall; i++)
		if (recall[i].dev == st.st_dev && recall[i].ino == st.st_ino)
			break;
	if (i == nrecall && nrecall < RECALL_MAX)
		nrecall++;
	if (i < nrecall) {
		recall[i].dev = st.st_dev;
		recall[i].ino = st.st_ino;
		recall[i].size = st.st_size;
		recall[i].mtime = st.st_mtim;
		recall[i].ctime = st.st_ctim;
		memcpy(recall[i].md5, md5, PM_MD5_BYTES);
	}
	pthread_mutex_unlock(&recall_lock);
}

bool pm_hash_recall(int fd, uint8_t md5[PM_MD5_BYTES])
{
	struct stat st;
	bool found = false;

	if (fstat(fd, &st) < 0)
		return false;
	pthread_mutex_lock(&recall_lock);
	for (size_t i = 0; i < nrecall && !found; i++)
		if (same_file(&recall[i], &st)) {
			memcpy(md5, recall[i].md5, PM_MD5_BYTES);
			found = true;
		}
	pthread_mutex_unlock(&recall_lock);
	return found;
}

/* One file being hashed in one of the MD5 lanes. */
struct lane {
	int fd;             /* -1: idle */
	size_t file;        /* its index in the caller's arrays */
	uint8_t *buf;       /* READ_BYTES */
	size_t have, pos;   /* bytes in buf; of them, MD5 has taken pos */
	uint64_t total;     /* bytes read from the file so far */
	bool eof;
	uint32_t sha[8];    /* SHA-256's state: it has taken pos bytes too */
};

struct by_size {
	size_t i;
	off_t size;
};

static int larger_first(const void *a, const void *b)
{
	const struct by_size *x = a, *y = b;

	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static void lane_close(struct lane *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

/* Start file `i` in lane `j`; false (errs[i] set) when it cannot open. */
static bool lane_start(struct lane *l, uint32_t st[4][LANES], unsigned j,
		       size_t i, const char *path, struct pm_err *e)
{
	struct pm_digest m;

	l->fd = open(path, O_RDONLY);
	if (l->fd < 0) {
		pm_err_sys(e, PM_ENOINPUT, "cannot open '%s'", path);
		return false;
	}
	l->file = i;
	l->have = l->pos = 0;
	l->total = 0;
	l->eof = false;
	pm_digest_init(&m, PM_SHA256);
	memcpy(l->sha, m.state, sizeof(l->sha));
	pm_digest_init(&m, PM_MD5);
	for (unsigned w = 0; w < 4; w++)
		st[w][j] = m.state[w];
	return true;
}

/* Read until the lane holds a whole block or its file ends; false (errs
 * set) on a read error. */
static bool lane_fill(struct lane *l, const char *path, struct pm_err *e)
{
	while (!l->eof && l->have - l->pos < 64) {
		size_t left = l->have - l->pos;
		ssize_t got;

		memmove(l->buf, l->buf + l->pos, left);
		l->have = left;
		l->pos = 0;
		got = read(l->fd, l->buf + left, READ_BYTES - left);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			pm_err_sys(e, PM_EIO, "cannot read '%s'", path);
			return false;
		}
		if (got == 0) {
			l->eof = true;
			break;
		}
		l->have += (size_t)got;
		l->total += (uint64_t)got;
	}
	return true;
}

/* The lane's file is read and all its whole blocks are in: finish. */
static void lane_finish(struct lane *l, uint32_t st[4][LANES], unsigned j,
			char (*md5)[PM_MD5_HEX_BYTES],
			char (*sha256)[PM_SHA256_HEX_BYTES])
{
	struct pm_digest m, sha;
	uint8_t d5[PM_MD5_BYTES], d256[PM_SHA256_BYTES];
	size_t left = l->have - l->pos;

	pm_digest_init(&m, PM_MD5);
	for (unsigned w = 0; w < 4; w++)
		m.state[w] = st[w][j];
	m.total_bytes = l->total - left;
	pm_digest_update(&m, l->buf + l->pos, left);
	pm_digest_final(&m, d5);
	pm_digest_init(&sha, PM_SHA256);
	memcpy(sha.state, l->sha, sizeof(l->sha));
	sha.total_bytes = l->total - left;
	pm_digest_update(&sha, l->buf + l->pos, left);
	pm_digest_final(&sha, d256);
	remember(l->fd, l->total, d5);
	pm_digest_hex(d5, PM_MD5_BYTES, md5[l->file]);
	pm_digest_hex(d256, PM_SHA256_BYTES, sha256[l->file]);
	lane_close(l);
}

/* SHA-256 of the next k blocks of every busy lane, two lanes at a time. */
static void sha_lanes(struct lane *lanes, size_t k)
{
	struct lane *odd = NULL;

	for (unsigned j = 0; j < LANES; j++) {
		struct lane *l = &lanes[j];

		if (l->fd < 0)
			continue;
		if (!odd) {
			odd = l;
			continue;
		}
		pm_sha256_blocks2(odd->sha, odd->buf + odd->pos, l->sha,
				  l->buf + l->pos, k);
		odd = NULL;
	}
	if (odd)
		pm_sha256_blocks(odd->sha, odd->buf + odd->pos, k);
}

/*
 * The busy lanes' MD5 over all they hold (at most two lanes), and their
 * SHA-256 past the `k` blocks sha_lanes() took.
 */
static void tail_md5(struct lane *lanes, uint32_t st[4][LANES], size_t k)
{
	uint32_t one[2][4];
	size_t blocks[2], done = 0;
	unsigned idx[2], busy = 0;

	for (unsigned j = 0; j < LANES && busy < 2; j++)
		if (lanes[j].fd >= 0)
			idx[busy++] = j;
	for (unsigned b = 0; b < busy; b++) {
		struct lane *l = &lanes[idx[b]];

		blocks[b] = (l->have - l->pos) / 64;
		for (unsigned w = 0; w < 4; w++)
			one[b][w] = st[w][idx[b]];
	}
	if (busy == 2) {
		done = PM_MIN(blocks[0], blocks[1]);
		pm_md5_blocks2(one[0], lanes[idx[0]].buf + lanes[idx[0]].pos,
			       one[1], lanes[idx[1]].buf + lanes[idx[1]].pos,
			       done);
	}
	for (unsigned b = 0; b < busy; b++) {
		struct lane *l = &lanes[idx[b]];

		pm_md5_blocks(one[b], l->buf + l->pos + 64 * done,
			      blocks[b] - done);
		for (unsigned w = 0; w < 4; w++)
			st[w][idx[b]] = one[b][w];
		pm_sha256_blocks(l->sha, l->buf + l->pos + 64 * k,
				 blocks[b] - k);
		l->pos += 64 * blocks[b];
	}
}

int pm_hash_files(const char *const *paths, size_t n,
		  char (*md5)[PM_MD5_HEX_BYTES],
		  char (*sha256)[PM_SHA256_HEX_BYTES], struct pm_err *errs,
		  struct pm_err *err)
{
	struct lane lanes[LANES];
	uint32_t st[4][LANES];
	struct by_size *order;
	size_t next = 0, i;
	int ret = -1;

	order = pm_reallocarray(NULL, n ? n : 1, sizeof(*order), err);
	if (!order)
		return -1;
	for (i = 0; i < n; i++) {
		struct stat sb;

		order[i].i = i;
		order[i].size = stat(paths[i], &sb) == 0 ? sb.st_size : 0;
		memset(&errs[i], 0, sizeof(errs[i]));
		md5[i][0] = sha256[i][0] = '\0';
	}
	/* the largest first, so that the long files share the lanes */
	qsort(order, n, sizeof(*order), larger_first);
	memset(lanes, 0, sizeof(lanes));
	memset(st, 0, sizeof(st));
	for (unsigned j = 0; j < LANES; j++) {
		lanes[j].fd = -1;
		lanes[j].buf = calloc(1, READ_BYTES);
		if (!lanes[j].buf) {
			pm_err_set(err, PM_ENOMEM, "out of memory");
			goto out;
		}
	}
	for (;;) {
		const uint8_t *p[LANES];
		size_t k = SIZE_MAX;
		unsigned active = 0;

		if (pm_interrupted()) {
			pm_err_set(err, PM_EINTR, "interrupted");
			goto out;
		}
		for (unsigned j = 0; j < LANES; j++) {
			struct lane *l = &lanes[j];

			for (;;) {
				if (l->fd < 0) {
					if (next == n)
						break;
					i = order[next++].i;
					if (!lane_start(l, st, j, i, paths[i],
							&errs[i]))
						continue;
				}
				if (!lane_fill(l, paths[l->file],
					       &errs[l->file])) {
					lane_close(l);
					continue;
				}
				if (l->have - l->pos >= 64)
					break;
				lane_finish(l, st, j, md5, sha256);
			}
			if (l->fd >= 0) {
				size_t blocks = (l->have - l->pos) / 64;

				active++;
				if (blocks < k)
					k = blocks;
			}
		}
		if (active == 0)
			break;
		if (active >= 3) {
			/* idle lanes hash their stale buffers, unread */
			for (unsigned j = 0; j < LANES; j++)
				p[j] = lanes[j].fd >= 0
					       ? lanes[j].buf + lanes[j].pos
					       : lanes[j].buf;
			pm_md5_blocks_lanes(st, p, k);
			sha_lanes(lanes, k);
			for (unsigned j = 0; j < LANES; j++)
				if (lanes[j].fd >= 0)
					lanes[j].pos += 64 * k;
			continue;
		}
		sha_lanes(lanes, k);
		/* a file or two left: MD5 in scalar code, two files
		 * interleaved, is faster than the vector lanes */
		tail_md5(lanes, st, k);
	}
	ret = 0;
out:
	for (unsigned j = 0; j < LANES; j++) {
		lane_close(&lanes[j]);
		free(lanes[j].buf);
	}
	free(order);
	return ret;
}

int pm_hash_under(const char *dir, char *const *rel, size_t n,
		  struct pm_hashes *h, struct pm_err *err)
{
	char **paths;
	size_t i;
	int ret = -1;

	memset(h, 0, sizeof(*h));
	paths = pm_reallocarray(NULL, n ? n : 1, sizeof(*paths), err);
	h->md5 = pm_reallocarray(NULL, n ? n : 1, sizeof(*h->md5), err);
	h->sha256 = pm_reallocarray(NULL, n ? n : 1, sizeof(*h->sha256), err);
	h->errs = pm_reallocarray(NULL, n ? n : 1, sizeof(*h->errs), err);
	if (!paths || !h->md5 || !h->sha256 || !h->errs)
		goto out;
	for (i = 0; i < n; i++)
		paths[i] = NULL;
	for (i = 0; i < n; i++) {
		size_t len = strlen(dir) + strlen(rel[i]) + 2;

		paths[i] = pm_malloc(len, err);
		if (!paths[i])
			goto out;
		snprintf(paths[i], len, "%s/%s", dir, rel[i]);
	}
	ret = pm_hash_files((const char *const *)paths, n, h->md5, h->sha256,
			    h->errs, err);
out:
	if (paths)
		for (i = 0; i < n; i++)
			free(paths[i]);
	free(paths);
	if (ret < 0)
		pm_hashes_release(h);
	return ret;
}

void pm_hashes_release(struct pm_hashes *h)
{
	free(h->md5);
	free(h->sha256);
	free(h->errs);
	memset(h, 0, sizeof(*h));
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
	struct pm_hashes h = { 0 };
	char p5[8192], p256[8192];
	char **files = NULL;
	size_t n = 0, i;
	int ret = -1;

	snprintf(p5, sizeof(p5), "%s/%s", dir, PM_MANIFEST_MD5);
	snprintf(p256, sizeof(p256), "%s/%s", dir, PM_MANIFEST_SHA256);
	if (pm_manifest_list(dir, roots, nroots, &files, &n, err) < 0 ||
	    pm_file_open(&f5, p5, true, err) < 0 ||
	    pm_file_open(&f256, p256, true, err) < 0)
		goto out;
	if (pm_hash_under(dir, files, n, &h, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (h.errs[i].code != PM_OK) {
			*err = h.errs[i];
			goto out;
		}
		put_line(f5.fp, h.md5[i], files[i]);
		put_line(f256.fp, h.sha256[i], files[i]);
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
	pm_hashes_release(&h);
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return ret;
}
