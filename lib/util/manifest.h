/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * manifest.h: checksum manifests over a delivery, as distributors ask
 * for them: OUTDIR/manifest.md5 and OUTDIR/manifest.sha256, one line per
 * file, "<hex>  <path>" with the path relative to OUTDIR, in the order
 * of the paths' bytes; the layout md5sum -c and sha256sum -c read
 * (a path holding a backslash or a newline is escaped their way).
 */
#ifndef PM_MANIFEST_H
#define PM_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/digest.h"

#define PM_MANIFEST_MD5 "manifest.md5"
#define PM_MANIFEST_SHA256 "manifest.sha256"

/* Hash a file both ways in one pass.  Returns 0 or -1 with `err`. */
int pm_hash_file(const char *path, char md5[PM_MD5_HEX_BYTES],
		 char sha256[PM_SHA256_HEX_BYTES], struct pm_err *err);

/*
 * Hash `n` files both ways: md5[i] and sha256[i], or errs[i] set for a
 * file that cannot be opened or read (the others are hashed all the
 * same; md5[i] is then empty).  MD5, the slow one, runs over eight files
 * at once, the largest first.  Returns 0, or -1 with `err` when nothing
 * can go on (PM_ENOMEM, PM_EINTR).
 */
int pm_hash_files(const char *const *paths, size_t n,
		  char (*md5)[PM_MD5_HEX_BYTES],
		  char (*sha256)[PM_SHA256_HEX_BYTES], struct pm_err *errs,
		  struct pm_err *err);

/*
 * The MD5 of the open file `fd` when pm_hash_files() hashed it in this
 * process and it is the same file, unchanged (device, inode, size,
 * modification and change times).  Returns true with `md5` filled.
 */
bool pm_hash_recall(int fd, uint8_t md5[PM_MD5_BYTES]);

/* What pm_hash_under() gives: n of each, to release. */
struct pm_hashes {
	char (*md5)[PM_MD5_HEX_BYTES];
	char (*sha256)[PM_SHA256_HEX_BYTES];
	struct pm_err *errs; /* code PM_OK where the file was hashed */
};

/* pm_hash_files() over the paths `rel` relative to `dir`.  Returns 0
 * with `h` filled (release it), or -1 with `err`. */
int pm_hash_under(const char *dir, char *const *rel, size_t n,
		  struct pm_hashes *h, struct pm_err *err);
void pm_hashes_release(struct pm_hashes *h);

/*
 * The files under `roots` (directories relative to `dir`; missing ones
 * are skipped), recursively, as sorted paths relative to `dir`.  Names
 * starting with '.' (our temporary directories) are left out.  Returns
 * 0 with *paths (n of them, each and the array to free) or -1.
 */
int pm_manifest_list(const char *dir, const char *const *roots, size_t nroots,
		     char ***paths, size_t *n, struct pm_err *err);

/* One line of a manifest. */
struct pm_manifest_line {
	char *path;
	char hex[PM_SHA256_HEX_BYTES]; /* lower case */
	int lineno;
};

struct pm_manifest {
	bool present;
	size_t n;
	struct pm_manifest_line *v; /* owned */
	unsigned bad;    /* lines that are not "<hex>  <path>" */
	int first_bad;   /* the first of them */
};

/*
 * Read a manifest written in md5sum/sha256sum form: `hexlen` is 32 or
 * 64.  Either hex case and either mode marker (' ' text, '*' binary) are
 * accepted, as the tools do; CR LF ends a line too.  A missing file gives
 * present false and 0.  Returns 0 or -1 with `err` (PM_EIO).
 */
int pm_manifest_read(const char *path, size_t hexlen, struct pm_manifest *m,
		     struct pm_err *err);

/* The line for `path`, or NULL (binary search: lines sorted as written). */
const struct pm_manifest_line *pm_manifest_find(const struct pm_manifest *m,
						const char *path);

void pm_manifest_release(struct pm_manifest *m);

/*
 * Write DIR/manifest.md5 and DIR/manifest.sha256 over every file under
 * `roots`, each hashed once for both, each manifest atomically (written
 * under a temporary name, renamed).  *nfiles (may be NULL) gets the
 * count.  Returns 0 or -1 with `err` (PM_EINTR when interrupted).
 */
int pm_manifest_write(const char *dir, const char *const *roots,
		      size_t nroots, size_t *nfiles, struct pm_err *err);

#endif
