/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ddp-sums.c: the checksum files that travel with a DDP, in every layout
 * the writers of DDP images use (doc/internals/ddp-checksums.md): found
 * by looking at every small file beside the fileset, read line by line,
 * and checked against the files they list.
 */
#include <config.h>

#include "cd/ddp-impl.h"

#include <ctype.h>
#include <dirent.h>

#include "util/manifest.h"

#include "util/banned.h"

/* The names we write; a list under one of them must be complete. */
static bool known_name(const char *name)
{
	return strcmp(name, PM_DDP_CHECKSUM_MD5) == 0 ||
	       strcmp(name, PM_DDP_CHECKSUM_TXT) == 0;
}

static bool ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static bool contains_ci(const char *s, const char *what)
{
	size_t k = strlen(what);

	for (; *s; s++)
		if (strncasecmp(s, what, k) == 0)
			return true;
	return false;
}

/*
 * Whether a file beside the fileset may be a checksum list, by its name:
 * what the tools name theirs (CHECKSUM.MD5, MD5-Checksum.md5,
 * MD5_CHECKSUM.MD5, Checksum.chk, IMAGE.DAT.md5, checksum.txt, *.sfv).
 * Text files of other kinds (a PQ listing) are read too and simply list
 * nothing.
 */
static bool candidate_name(const char *name)
{
	static const char *const ext[] = { ".md5", ".md5sum", ".txt", ".chk",
					   ".crc", ".sfv", ".sum", ".crc32" };

	for (size_t i = 0; i < PM_ARRAY_SIZE(ext); i++)
		if (ends_with_ci(name, ext[i]))
			return true;
	return contains_ci(name, "checksum") || contains_ci(name, "md5");
}

/* The length of the run of hex digits at `s`. */
static size_t hex_run(const char *s)
{
	size_t n = 0;

	while (pm_hex_value((unsigned char)s[n]) >= 0)
		n++;
	return n;
}

static void hex_to_bytes(const char *s, uint8_t *out, size_t nbytes)
{
	for (size_t i = 0; i < nbytes; i++)
		out[i] = (uint8_t)(pm_hex_value((unsigned char)s[2 * i]) << 4 |
				   pm_hex_value((unsigned char)s[2 * i + 1]));
}

static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/*
 * A listed name as a file name in the fileset: quotes removed, and any
 * directory part ("./", "DDP\", an absolute path from the writer's
 * machine) dropped.
 */
static void clean_name(char *s, char *out, size_t size)
{
	char *base;
	size_t n;

	s = trim(s);
	n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s[n - 1] = '\0';
		s++;
	}
	base = s;
	for (char *p = s; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	snprintf(out, size, "%s", base);
}

/*
 * One line of a checksum file.  Returns 1 with the entry in *e, 0 for a
 * line that says nothing (blank, a comment, a section header, a setting
 * such as "Version=1.01"), -1 for a line that is none of the layouts.
 *
 *   d41d8cd98f00b204e9800998ecf8427e *IMAGE.DAT     md5sum, binary mode
 *   D41D8CD98F00B204E9800998ECF8427E  IMAGE.DAT     md5sum, text mode
 *   MD5 (IMAGE.DAT) = d41d8cd98f00b204e9800998ecf8427e   BSD md5 -r's kin
 *   IMAGE.DAT=9A1B2C3D                              CRC-32 (cue2ddp, plants)
 *   IMAGE.DAT d41d8cd98f00b204e9800998ecf8427e      name first, any of
 *   IMAGE.DAT: d41d8...  IMAGE.DAT;d41d8...         " \t=:;," between
 *   d41d8cd98f00b204e9800998ecf8427e                 bare: the file is
 *                                                   named after its subject
 */
static int parse_line(char *line, const char *sidecar_of, struct ddp_sum *e)
{
	char *s = trim(line), *end;
	size_t n = strlen(s), h;

	memset(e, 0, sizeof(*e));
	if (!*s || *s == '#' || *s == ';' || *s == '[' ||
	    (s[0] == '/' && s[1] == '/'))
		return 0;
	/* BSD: MD5 (NAME) = HEX */
	if (strncasecmp(s, "MD5", 3) == 0 && (s[3] == '(' || s[3] == ' ') &&
	    strchr(s, '(') && strrchr(s, ')')) {
		char *open = strchr(s, '('), *close = strrchr(s, ')');
		char *v = close + 1;

		while (*v == ' ' || *v == '=' || *v == '\t')
			v++;
		if (close > open && hex_run(v) == 32 && !v[32]) {
			*close = '\0';
			clean_name(open + 1, e->name, sizeof(e->name));
			hex_to_bytes(v, e->md5, PM_MD5_BYTES);
			e->has_md5 = true;
			return e->name[0] ? 1 : -1;
		}
		return -1;
	}
	/* md5sum: HEX, then " *NAME" or "  NAME" (spaces or a tab) */
	h = hex_run(s);
	if (h == 32 && (s[32] == ' ' || s[32] == '\t')) {
		char *name = s + 32;

		while (*name == ' ' || *name == '\t')
			name++;
		if (*name == '*')
			name++;
		clean_name(name, e->name, sizeof(e->name));
		hex_to_bytes(s, e->md5, PM_MD5_BYTES);
		e->has_md5 = true;
		return e->name[0] ? 1 : -1;
	}
	/* a bare checksum in a file named after its subject */
	if ((h == 32 || h == 8) && !s[h]) {
		if (!sidecar_of || !*sidecar_of)
			return -1;
		snprintf(e->name, sizeof(e->name), "%s", sidecar_of);
		goto value;
	}
	/* NAME, separators, HEX at the end of the line */
	end = s + n;
	h = 0;
	while (end > s && pm_hex_value((unsigned char)end[-1]) >= 0) {
		end--;
		h++;
	}
	if ((h == 32 || h == 8) && end > s && strchr(" \t=:;,", end[-1])) {
		char *name_end = end;

		while (name_end > s && strchr(" \t=:;,", name_end[-1]))
			name_end--;
		if (name_end == s)
			return -1;
		*name_end = '\0';
		clean_name(s, e->name, sizeof(e->name));
		s = end;
		if (!e->name[0])
			return -1;
		goto value;
	}
	/* a setting or a note, not a checksum */
	if (strchr(s, '=') || h < 8)
		return 0;
	return -1;
value:
	if (h == 32) {
		hex_to_bytes(s, e->md5, PM_MD5_BYTES);
		e->has_md5 = true;
	} else {
		uint8_t b[4];

		hex_to_bytes(s, b, 4);
		e->crc32 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
			   (uint32_t)b[2] << 8 | b[3];
		e->has_crc32 = true;
	}
	return 1;
}

int ddp_sums_parse(const char *file_name, char *text, struct ddp_sumfile *f)
{
	char sidecar[PM_DDP_DSI_MAX + 48] = "";
	const char *dot = strrchr(file_name, '.');
	char *p = text, *line;
	unsigned lineno = 0;

	memset(f, 0, sizeof(*f));
	f->name = pm_strdup(file_name, NULL);
	if (!f->name)
		return -1;
	f->known = known_name(file_name);
	/* IMAGE.DAT.md5 is about IMAGE.DAT */
	if (dot && dot != file_name)
		snprintf(sidecar, sizeof(sidecar), "%.*s",
			 (int)(dot - file_name), file_name);
	if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
	    (unsigned char)p[2] == 0xBF)
		p += 3; /* a UTF-8 byte order mark, as Windows tools write */
	while (p && *p) {
		struct ddp_sum e, *v;
		char *nl = strchr(p, '\n');
		int r;

		line = p;
		if (nl) {
			*nl = '\0';
			p = nl + 1;
		} else {
			p = NULL;
		}
		lineno++;
		r = parse_line(line, sidecar, &e);
		if (r < 0) {
			if (!f->nbad++)
				f->first_bad = lineno;
			continue;
		}
		if (r == 0)
			continue;
		e.line = lineno;
		v = realloc(f->v, (f->n + 1) * sizeof(*v));
		if (!v)
			return -1;
		f->v = v;
		f->v[f->n++] = e;
	}
	return 0;
}

void ddp_sums_release(struct ddp_sumfile *f)
{
	free(f->name);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* ------------------------------------------------------------------ */
/* Checking                                                             */
/* ------------------------------------------------------------------ */

/*
 * Hash one regular file: MD5 and, when asked, CRC-32 in one pass, over
 * the bytes it had when opened (a device is refused, not read forever; a
 * file that grows meanwhile is not read past them).
 */
static int hash_file(const char *path, uint8_t md5[PM_MD5_BYTES],
		     uint32_t *crc, bool want_crc32, struct pm_err *err)
{
	struct pm_digest ctx;
	uint8_t *buf = pm_malloc(CHUNK_BYTES, err);
	int64_t at = 0, size = 0;
	ssize_t got;
	int fd, ret = -1;

	if (!buf)
		return -1;
	fd = pm_open_regular(path, &size, err);
	if (fd < 0) {
		free(buf);
		return -1;
	}
	*crc = 0;
	/* verify has just hashed it for the manifests */
	if (!want_crc32 && pm_hash_recall(fd, md5)) {
		ret = 0;
		goto out;
	}
	pm_digest_init(&ctx, PM_MD5);
	while (at < size) {
		if (pm_interrupted()) {
			pm_err_set(err, PM_EINTR,
				   "interrupted while reading '%s'", path);
			goto out;
		}
		got = pm_read_at(fd, buf,
				  (size_t)PM_MIN((int64_t)CHUNK_BYTES, size - at),
				  at);
		if (got < 0) {
			pm_err_sys(err, PM_EIO, "cannot read '%s'", path);
			goto out;
		}
		if (got == 0)
			break;
		pm_digest_update(&ctx, buf, (size_t)got);
		if (want_crc32)
			*crc = pm_crc32_update(*crc, buf, (size_t)got);
		at += got;
	}
	pm_digest_final(&ctx, md5);
	ret = 0;
out:
	close(fd);
	free(buf);
	return ret;
}

/* The fileset's own names: DDPID, DDPMS and every stream DDPMS names. */
static const char *fileset_name(const struct pm_ddp *ddp, size_t k)
{
	return k == 0 ? PM_DDP_DDPID : k == 1 ? PM_DDP_DDPMS
					      : ddp->maps[k - 2].dsi;
}

static bool in_fileset(const struct pm_ddp *ddp, const char *name)
{
	for (size_t k = 0; k < ddp->nmaps + 2; k++)
		if (strcmp(fileset_name(ddp, k), name) == 0)
			return true;
	return false;
}

/*
 * A listed name as it is on disk: as written, or (a list made on a
 * case-insensitive file system) the one fileset file it names in
 * another case.
 */
static void resolve(const struct pm_ddp *ddp, char *name)
{
	if (in_fileset(ddp, name))
		return;
	for (size_t k = 0; k < ddp->nmaps + 2; k++) {
		const char *f = fileset_name(ddp, k);

		if (f[0] && strcasecmp(f, name) == 0) {
			snprintf(name, sizeof(((struct ddp_sum *)0)->name), "%s",
				 f);
			return;
		}
	}
}

/* What one file hashes to, computed once however many lists name it. */
struct hashed {
	char name[sizeof(((struct ddp_sum *)0)->name)];
	bool done, failed, with_crc;
	uint8_t md5[PM_MD5_BYTES];
	uint32_t crc32;
};

static int names_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The checksum lists in the fileset's directory, sorted by name. */
static int find_lists(struct ddp_reader *rd, char ***names, size_t *n)
{
	struct pm_ddp *ddp = rd->ddp;
	DIR *d = opendir(ddp->dir);
	struct dirent *de;
	char **v = NULL;

	*names = NULL;
	*n = 0;
	if (!d)
		return 0; /* read before; nothing to list */
	while ((de = readdir(d)) != NULL) {
		char **nv;

		if (de->d_name[0] == '.' || in_fileset(ddp, de->d_name) ||
		    !candidate_name(de->d_name))
			continue;
		nv = realloc(v, (*n + 1) * sizeof(*v));
		if (!nv || !(nv[*n] = strdup(de->d_name))) {
			free(nv ? nv : v);
			closedir(d);
			return pm_err_set(rd->err, PM_ENOMEM, "out of memory");
		}
		v = nv;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), names_cmp);
	*names = v;
	return 0;
}

int ddp_check_sums(struct ddp_reader *rd)
{
	struct pm_ddp *ddp = rd->ddp;
	struct ddp_sumfile *lists = NULL;
	struct hashed *h = NULL;
	size_t nnames = 0, nlists = 0, nh = 0, i, j;
	char **names = NULL;
	int ret = 0;

	if (find_lists(rd, &names, &nnames) < 0)
		return -1;
	lists = calloc(nnames ? nnames : 1, sizeof(*lists));
	if (!lists) {
		ret = pm_err_set(rd->err, PM_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < nnames; i++) {
		struct ddp_sumfile *f = &lists[nlists];
		char *path = pm_path_join(ddp->dir, names[i], rd->err);
		uint8_t *buf = NULL;
		size_t len = 0, useful = 0;
		struct pm_err e;
		struct stat st;

		if (!path) {
			ret = -1;
			goto out;
		}
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
		    known_name(names[i])) {
			/* CHECKSUM.MD5 a FIFO or a device: never read it */
			ddp_problem(rd, PM_LOG_ERROR, path,
				    "not a regular file");
			free(path);
			continue;
		}
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
		    (st.st_size > (off_t)MAX_CHECKSUM_BYTES &&
		     !known_name(names[i]))) {
			free(path);
			continue; /* a folder, or too big to be a list */
		}
		if (ddp_slurp(path, MAX_CHECKSUM_BYTES, &buf, &len, &e) < 0) {
			ddp_problem(rd, PM_LOG_ERROR, path, "%s", e.msg);
			free(path);
			continue;
		}
		buf[len] = '\0';
		if (memchr(buf, '\0', len) ||
		    ddp_sums_parse(names[i], (char *)buf, f) < 0) {
			/* binary, or no memory: not a list we read */
			free(buf);
			free(path);
			ddp_sums_release(f);
			continue;
		}
		free(buf);
		for (j = 0; j < f->n; j++) {
			resolve(ddp, f->v[j].name);
			if (in_fileset(ddp, f->v[j].name))
				useful++;
		}
		if (!useful && !f->known) {
			/* a note or a listing beside the image, not a list */
			ddp_sums_release(f);
			free(path);
			continue;
		}
		if (f->nbad)
			ddp_problem(rd, f->known ? PM_LOG_ERROR : PM_LOG_WARNING,
				    path,
				    "line %u%s is not a checksum line that premaster knows",
				    f->first_bad, f->nbad > 1 ? " (and more)" : "");
		/*
		 * A list is complete: every file of the fileset is in it.
		 * (A file that names one file is about that file alone.)
		 */
		for (size_t k = 0; k < ddp->nmaps + 2; k++) {
			const char *name = fileset_name(ddp, k);
			bool listed = false;

			if (!name[0] || (!f->known && useful < 2))
				continue;
			for (j = 0; j < f->n && !listed; j++)
				listed = strcmp(f->v[j].name, name) == 0;
			if (!listed)
				ddp_problem(rd,
					    f->known ? PM_LOG_ERROR : PM_LOG_WARNING,
					    path, "does not list '%s'", name);
		}
		free(path);
		nlists++;
	}

	/* each listed file hashed once, with CRC-32 if any list wants it */
	for (i = 0; i < nlists; i++)
		nh += lists[i].n;
	h = calloc(nh ? nh : 1, sizeof(*h));
	if (!h) {
		ret = pm_err_set(rd->err, PM_ENOMEM, "out of memory");
		goto out;
	}
	nh = 0;
	for (i = 0; i < nlists; i++)
		for (j = 0; j < lists[i].n; j++) {
			const struct ddp_sum *e = &lists[i].v[j];
			size_t k;

			for (k = 0; k < nh && strcmp(h[k].name, e->name); k++)
				;
			if (k == nh)
				snprintf(h[nh++].name, sizeof(h->name), "%s",
					 e->name);
			h[k].with_crc |= e->has_crc32;
		}
	for (i = 0; i < nlists; i++) {
		const struct ddp_sumfile *f = &lists[i];
		char *lpath = pm_path_join(ddp->dir, f->name, rd->err);

		if (!lpath) {
			ret = -1;
			goto out;
		}
		for (j = 0; j < f->n; j++) {
			const struct ddp_sum *e = &f->v[j];
			char have[PM_MD5_HEX_BYTES], want[PM_MD5_HEX_BYTES];
			struct hashed *x = h;
			struct pm_err ee;

			while (strcmp(x->name, e->name))
				x++;
			if (!x->done) {
				char *path = pm_path_join(ddp->dir, x->name,
							   rd->err);

				if (!path) {
					free(lpath);
					ret = -1;
					goto out;
				}
				x->done = true;
				if (hash_file(path, x->md5, &x->crc32,
					      x->with_crc, &ee) < 0) {
					if (ee.code == PM_EINTR ||
					    ee.code == PM_ENOMEM) {
						if (rd->err)
							*rd->err = ee;
						free(path);
						free(lpath);
						ret = -1;
						goto out;
					}
					x->failed = true;
				}
				free(path);
			}
			if (x->failed) {
				ddp_problem(rd, PM_LOG_ERROR, lpath,
					    "lists '%s', which cannot be read",
					    e->name);
				continue;
			}
			if (e->has_md5 &&
			    memcmp(x->md5, e->md5, PM_MD5_BYTES) != 0)
				ddp_problem(rd, PM_LOG_ERROR, lpath,
					    "'%s' does not match: its MD5 is %s, the list says %s",
					    e->name, pm_digest_hex(x->md5, PM_MD5_BYTES, have),
					    pm_digest_hex(e->md5, PM_MD5_BYTES, want));
			if (e->has_crc32 && x->crc32 != e->crc32)
				ddp_problem(rd, PM_LOG_ERROR, lpath,
					    "'%s' does not match: its CRC-32 is %08" PRIX32
					    ", the list says %08" PRIX32,
					    e->name, x->crc32, e->crc32);
			if (e->has_md5)
				ddp->has_md5 = true;
			if (e->has_crc32)
				ddp->has_crc32 = true;
			if (ddp->image_path && rd->d0 &&
			    strcmp(e->name, rd->d0->dsi) == 0)
				ddp->image_listed = true;
		}
		free(lpath);
	}
	/* keep the names of the lists for the reports */
	if (nlists) {
		ddp->sum_files = calloc(nlists, sizeof(*ddp->sum_files));
		for (i = 0; ddp->sum_files && i < nlists; i++) {
			ddp->sum_files[i] = lists[i].name;
			lists[i].name = NULL;
			ddp->nsum_files++;
		}
	}
out:
	for (i = 0; lists && i < nnames; i++)
		ddp_sums_release(&lists[i]);
	free(lists);
	free(h);
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	return ret;
}
