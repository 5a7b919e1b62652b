/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * manifest.c: the delivery's checksum manifests against the files: each
 * deliverable listed in manifest.md5 and manifest.sha256, each listed
 * file there, each hash right.
 */
#include <config.h>

#include "verify/verify-impl.h"

#include "util/manifest.h"

#include "util/banned.h"

/* Whether a manifest path is one of ours: relative, under a deliverable
 * directory, with no way out of OUTDIR. */
static bool deliverable_path(const char *p)
{
	size_t i, len;

	if (p[0] == '/' || strstr(p, "../") || strstr(p, "/..") ||
	    strcmp(p, "..") == 0)
		return false;
	for (i = 0; i < pm_ndeliverable_dirs; i++) {
		len = strlen(pm_deliverable_dirs[i]);
		if (strncmp(p, pm_deliverable_dirs[i], len) == 0 && p[len] == '/')
			return true;
	}
	return false;
}

static int by_bytes(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void read_one(struct pm_verify *v, const char *name, size_t hexlen,
		     struct pm_manifest *m)
{
	struct pm_err err = { 0 };
	char path[4352];

	snprintf(path, sizeof(path), "%s/%s", v->outdir, name);
	if (pm_manifest_read(path, hexlen, m, &err) < 0) {
		verify_find(v, "manifest", PM_SEV_ERROR, name, "%s", err.msg);
		return;
	}
	/* none is a warning, as a DDP without checksum files is: the
	 * deliverables may be checked before they are delivered */
	if (!m->present)
		verify_find(v, "manifest", PM_SEV_WARNING, name,
			    "there is no %s; premaster manifest writes it (build runs it)",
			    name);
	else if (m->bad)
		verify_find(v, "manifest", PM_SEV_ERROR, name,
			    "%u line%s not in the form '<hex>  <path>' (the first is line %d)",
			    m->bad, m->bad == 1 ? " is" : "s are", m->first_bad);
}

/* Every line names a deliverable that exists. */
static void lines_exist(struct pm_verify *v, const char *name,
			const struct pm_manifest *m, char **files, size_t n)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		const char *p = m->v[i].path;

		if (!deliverable_path(p)) {
			verify_find(v, "manifest", PM_SEV_ERROR, name,
				    "line %d names '%s', which is not a deliverable",
				    m->v[i].lineno, p);
			continue;
		}
		if (!bsearch(&p, files, n, sizeof(*files), by_bytes))
			verify_find(v, "manifest", PM_SEV_ERROR, name,
				    "line %d names '%s', which does not exist",
				    m->v[i].lineno, p);
	}
}

void verify_manifest_checks(struct pm_verify *v)
{
	struct pm_manifest m5 = { 0 }, m256 = { 0 };
	struct pm_hashes h = { 0 };
	struct pm_err err = { 0 };
	char **files = NULL;
	size_t n = 0, nlisted = 0, i;

	v->checks++;
	read_one(v, PM_MANIFEST_MD5, 32, &m5);
	read_one(v, PM_MANIFEST_SHA256, 64, &m256);
	if (!m5.present && !m256.present)
		goto out;
	if (pm_manifest_list(v->outdir, pm_deliverable_dirs,
			     pm_ndeliverable_dirs, &files, &n, &err) < 0) {
		verify_find(v, "manifest", PM_SEV_ERROR, PM_MANIFEST_MD5, "%s",
			    err.msg);
		goto out;
	}
	if (m5.present)
		lines_exist(v, PM_MANIFEST_MD5, &m5, files, n);
	if (m256.present)
		lines_exist(v, PM_MANIFEST_SHA256, &m256, files, n);
	/* what is listed is hashed, all at once (MD5 eight files a time) */
	for (i = 0; i < n; i++) {
		const struct pm_manifest_line *l5 = pm_manifest_find(&m5, files[i]);
		const struct pm_manifest_line *l256 =
			pm_manifest_find(&m256, files[i]);

		if (m5.present && !l5)
			verify_find(v, "manifest", PM_SEV_ERROR, files[i],
				    "not listed in %s", PM_MANIFEST_MD5);
		if (m256.present && !l256)
			verify_find(v, "manifest", PM_SEV_ERROR, files[i],
				    "not listed in %s", PM_MANIFEST_SHA256);
		if (l5 || l256)
			files[nlisted++] = files[i];
		else
			free(files[i]);
	}
	n = nlisted;
	if (pm_hash_under(v->outdir, files, n, &h, &err) < 0) {
		verify_find(v, "manifest", PM_SEV_ERROR, PM_MANIFEST_MD5, "%s",
			    err.msg);
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct pm_manifest_line *l5 = pm_manifest_find(&m5, files[i]);
		const struct pm_manifest_line *l256 =
			pm_manifest_find(&m256, files[i]);

		if (h.errs[i].code != PM_OK) {
			verify_find(v, "manifest", PM_SEV_ERROR, files[i], "%s",
				    h.errs[i].msg);
			continue;
		}
		if (l5 && strcmp(l5->hex, h.md5[i]) != 0)
			verify_find(v, "manifest", PM_SEV_ERROR, files[i],
				    "its MD5 is %s; %s line %d says %s", h.md5[i],
				    PM_MANIFEST_MD5, l5->lineno, l5->hex);
		if (l256 && strcmp(l256->hex, h.sha256[i]) != 0)
			verify_find(v, "manifest", PM_SEV_ERROR, files[i],
				    "its SHA-256 is %s; %s line %d says %s",
				    h.sha256[i], PM_MANIFEST_SHA256, l256->lineno,
				    l256->hex);
	}
out:
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	pm_manifest_release(&m5);
	pm_manifest_release(&m256);
	pm_hashes_release(&h);
}
