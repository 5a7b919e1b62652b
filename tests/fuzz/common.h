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
 * Seeds that are made, not kept: a harness whose inputs are audio files
 * defines this to write a few short ones (made with lib/io at run time;
 * no audio is kept in the repository) into `dir`.  replay-NAME replays
 * them after the kept corpus, and `replay-NAME --seeds DIR` writes them
 * for a libFuzzer run.  Weak: harnesses without such seeds leave it out.
 */
void fuzz_make_seeds(const char *dir) __attribute__((weak));

/*
 * Write `seconds` of a quiet stereo chirp in `format` (`bits` 16, 24, or
 * 0 for float) to dir/name; false when lib/io cannot write the format
 * here.  For fuzz_make_seeds().
 */
bool fuzz_put_audio(const char *dir, const char *name, int format,
		    unsigned bits, uint32_t rate, double seconds);

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
