/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * outdir.h: writing deliverables safely.  A deliverable directory (cd/,
 * ddp/, masters/cd/, ...) is built under a temporary name beside its final
 * place and swapped in only when complete, so an interrupted or failed run
 * never leaves a partial deliverable and never damages an earlier good
 * one.  Single files are written under a temporary name and renamed.
 * Names derived from titles and ids are made safe here, so no output can
 * escape its directory.  Directories and files are made as the umask
 * allows (0777 and 0666 before it), like any other program's.
 */
#ifndef PM_OUTDIR_H
#define PM_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/err.h"

struct pm_outdir {
	char *final_path; /* where it will live, e.g. OUT/ddp */
	char *tmp_path;   /* where it is being built, e.g. OUT/.ddp.tmp-1234-ab12 */
	bool force;
};

/*
 * Begin building directory `name` (a single path component, or a relative
 * path of safe components like "masters/cd") under `parent`, which is
 * created if missing.  If the final directory exists and `force` is false,
 * fails with PM_ECREATE ("exists; use --force").  Returns 0 or -1.
 *
 * The temporary directory holds a marker naming this process, its host
 * and boot, removed at commit.  Temporaries beside it whose marker names
 * a process of this host that is provably gone (SIGKILL, a crash, a
 * reboot) are removed first, with a note; any other is left alone.
 */
int pm_outdir_begin(struct pm_outdir *od, const char *parent,
		    const char *name, bool force, struct pm_err *err);

/*
 * A path inside the directory being built: tmp_path + "/" + `file`.  The
 * file name must be a single safe component (see pm_safe_name).  Returns
 * a new string to free(), or NULL with `err`.
 */
char *pm_outdir_path(const struct pm_outdir *od, const char *file,
		     struct pm_err *err);

/*
 * Swap the finished directory into place (atomically where the system
 * allows: renameat2 RENAME_EXCHANGE), then remove the old one.  Returns 0
 * or -1 with `err`; on failure the earlier directory is left in place.
 * Once pm_interrupted(), it commits nothing: PM_EINTR.
 */
int pm_outdir_commit(struct pm_outdir *od, struct pm_err *err);

/* Remove the directory being built and release `od`.  Safe to repeat. */
void pm_outdir_abort(struct pm_outdir *od);

/* Release the strings of `od` (after commit or abort). */
void pm_outdir_release(struct pm_outdir *od);

/*
 * Make `in` (UTF-8 text: a title, an id) into a safe file-name component
 * in `out` (size bytes): ASCII letters, digits, space, '-', '_', '.', ',',
 * '(' and ')' kept; other bytes and '/' replaced by '_' (a multi-byte
 * character by one '_'); leading dots and spaces dropped; trailing dots
 * and spaces dropped; at most 64 bytes; "_" if nothing is left.
 */
void pm_safe_name(const char *in, char *out, size_t size);

/*
 * Open `path` for writing under a temporary name in the same directory;
 * pm_file_commit() renames it into place (refusing to replace an existing
 * file unless `force`), pm_file_abort() deletes it.
 */
struct pm_file {
	FILE *fp;
	char *path;
	char *tmp;
	bool force;
};

int pm_file_open(struct pm_file *f, const char *path, bool force,
		 struct pm_err *err);
int pm_file_commit(struct pm_file *f, struct pm_err *err);
void pm_file_abort(struct pm_file *f);

/*
 * A file inside an output directory being made: create `path` (fopen
 * `mode`), or NULL with `err` (PM_ECREATE); and close it, checking that
 * every write and the close itself succeeded, else -1 with `err`
 * (PM_EIO).  Both messages name the path.
 */
FILE *pm_fcreate(const char *path, const char *mode, struct pm_err *err);
int pm_fclose_written(FILE *fp, const char *path, struct pm_err *err);

/* Replace the contents of the file at `path` with `n` bytes of `buf`
 * (a file finished moments ago, rewritten with new headers). */
int pm_file_rewrite(const char *path, const void *buf, size_t n,
		    struct pm_err *err);

/* Create a directory and its parents (like mkdir -p).  Returns 0 or -1. */
int pm_mkdirs(const char *path, struct pm_err *err);

/* Remove a directory tree (ours: temporary directories).  Returns 0 or -1. */
int pm_remove_tree(const char *path);

/*
 * Install SIGINT/SIGTERM/SIGHUP handlers that set a flag (see
 * pm_interrupted()); long loops poll it and fail with PM_EINTR, and the
 * tool then aborts its temporary directories and ends with
 * PM_EXIT_INTERRUPTED (130) after pm_signals_reraise().  SIGHUP is left
 * alone when it is ignored (nohup).
 */
void pm_signals_install(void);
bool pm_interrupted(void);

/*
 * Pass every signal the handlers catch on to process `pid` (a running
 * stage), including one caught already; 0 stops.  The caller still sees
 * pm_interrupted(), and waits for the stage to clean up.
 */
void pm_signals_forward(long pid);

/* The dispositions from before pm_signals_install (a child, before exec). */
void pm_signals_default(void);

/*
 * After cleanup: when the signal was SIGINT, re-raise it with its default
 * action, so that a shell running a script stops too (it sees 130).
 * Returns for SIGTERM and SIGHUP: the caller exits PM_EXIT_INTERRUPTED.
 */
void pm_signals_reraise(void);

#endif
