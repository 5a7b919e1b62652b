/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * common.h: what the fuzz harnesses share.  Each tests/fuzz/fuzz-*.c
 * defines LLVMFuzzerTestOneInput(); it is linked either with libFuzzer
 * (--enable-fuzzers: tests/fuzz/fuzz-NAME) or with replay.c, the main
 * that `make check` runs over the seed corpus (tests/fuzz/replay-NAME).
 * A harness exits only through abort() (a broken promise of the API it
 * drives) or a sanitizer report; bad input itself is never a finding.
 */
#ifndef PM_FUZZ_COMMON_H
#define PM_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Once per process: silence lib/log (FUZZ_VERBOSE=1 in the environment
 * keeps it on stderr) and make a private scratch directory under $TMPDIR
 * (or /tmp), removed with its contents at exit.  Returns its path.
 */
const char *fuzz_setup(void);

/* Write `n` bytes to `path`, replacing it; aborts when it cannot. */
void fuzz_write(const char *path, const void *data, size_t n);

/* Remove everything inside directory `dir` (not `dir` itself). */
void fuzz_empty_dir(const char *dir);

/* `dir` + "/" + `name` into buf (aborts when it does not fit). */
const char *fuzz_path(char *buf, size_t size, const char *dir,
		      const char *name);

/*
 * A failing call must say why: a code and a message.  Aborts (the
 * finding) when `err` was left empty.
 */
void fuzz_expect_err(const struct pm_err *err, const char *what);

#endif
