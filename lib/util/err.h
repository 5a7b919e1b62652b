/* SPDX-License-Identifier: GPL-3.0-or-later */
/* err.h: the one error type every fallible premaster function fills. */
#ifndef PM_ERR_H
#define PM_ERR_H

#include <stddef.h>

#include "util/compat.h"

/*
 * Why a call failed.  Each code maps to one documented exit status
 * (see pm_exit_status() and the EXIT STATUS section of every man page).
 */
enum pm_code {
	PM_OK = 0,
	PM_ENOMEM,       /* allocation failed (71) */
	PM_ESYS,         /* a system facility failed; sys_errno says why (71) */
	PM_EINVAL,       /* caller broke a documented precondition (70) */
	PM_EFORMAT,      /* input is malformed: audio, XML, DDP (65) */
	PM_ESCHEMA,      /* album XML violates the schema or its rules (65) */
	PM_EUNSUPPORTED, /* well-formed, but not something we handle (65) */
	PM_EMISMATCH,    /* a comparison found a difference (1) */
	PM_ENOINPUT,     /* an input is missing or unreadable (66) */
	PM_ECREATE,      /* an output cannot be created or exists (73) */
	PM_EIO,          /* a read or write failed part-way, or the disk is
			    full wherever that happens (74) */
	PM_EINTR,        /* interrupted by a signal; outputs rolled back (130) */
	PM_EBUSY,        /* another run holds the output's lock (75) */
};

struct pm_err {
	enum pm_code code;
	int sys_errno; /* errno at the failure, for codes that carry one */
	char msg[512]; /* "cannot open 'x.wav'": no prefix, no newline */
};

/*
 * Record a failure and return -1.  The message is formatted like printf.
 * `err` may be NULL, in which case nothing is recorded.
 */
int pm_err_set(struct pm_err *err, enum pm_code code, const char *fmt, ...)
	PM_PRINTF(3, 4);

/*
 * Like pm_err_set(), but saves errno first (before formatting can clobber
 * it) and appends ": strerror(errno)" to the message.  When errno says
 * the disk is full (pm_errno_full), the code becomes PM_EIO whatever
 * `code` was: a full disk has one exit status wherever it strikes.
 */
int pm_err_sys(struct pm_err *err, enum pm_code code, const char *fmt, ...)
	PM_PRINTF(3, 4);

/* Forget a previous failure. */
void pm_err_clear(struct pm_err *err);

/*
 * Prefix the message already in `err` with more context, as in
 * "track 3: " + "cannot open 'x.wav'".  Returns -1.
 */
int pm_err_prefix(struct pm_err *err, const char *fmt, ...) PM_PRINTF(2, 3);

/*
 * Whether errno value `e` means the disk is full: ENOSPC, EDQUOT, or
 * EFBIG (the file-size limit, RLIMIT_FSIZE, with SIGXFSZ ignored).
 */
int pm_errno_full(int e);

/*
 * The process exit status for a failure of this kind, following
 * sysexits(3): 65 data, 66 no input, 70 software, 71 OS, 73 cannot
 * create, 74 I/O and a full disk, 75 busy (try again later); 1 for a
 * mismatch; 130 interrupted.
 */
int pm_exit_status(const struct pm_err *err);

/* Exit statuses that are not failures of a call. */
enum {
	PM_EXIT_OK = 0,
	PM_EXIT_NOTFIT = 1, /* verify ran: the release is not fit */
	/* interrupted by SIGINT, SIGTERM or SIGHUP: 128 + SIGINT, what a
	 * shell reports for a program Ctrl-C stopped, whichever it was */
	PM_EXIT_INTERRUPTED = 130,
};

/*
 * Multiply two sizes, failing on overflow.  Returns 0 and stores the
 * product, or -1 leaving `out` untouched.
 */
int pm_mul_size(size_t a, size_t b, size_t *out);

/* malloc/calloc/realloc that set PM_ENOMEM in `err` on failure. */
void *pm_malloc(size_t n, struct pm_err *err);
void *pm_calloc(size_t count, size_t size, struct pm_err *err);
void *pm_reallocarray(void *p, size_t count, size_t size, struct pm_err *err);
char *pm_strdup(const char *s, struct pm_err *err);

#endif
