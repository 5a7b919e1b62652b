/* SPDX-License-Identifier: GPL-3.0-or-later */
/* err.c: recording failures and mapping them to exit statuses. */
#include <config.h>

#include "util/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "util/banned.h"

static void vset(struct pm_err *err, enum pm_code code, int saved,
		 const char *fmt, va_list ap) PM_PRINTF(4, 0);

static void vset(struct pm_err *err, enum pm_code code, int saved,
		 const char *fmt, va_list ap)
{
	err->code = code;
	err->sys_errno = saved;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int pm_err_set(struct pm_err *err, enum pm_code code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vset(err, code, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int pm_err_sys(struct pm_err *err, enum pm_code code, const char *fmt, ...)
{
	int saved = errno;
	size_t used;
	va_list ap;

	if (!err)
		return -1;
	if (pm_errno_full(saved))
		code = PM_EIO;
	va_start(ap, fmt);
	vset(err, code, saved, fmt, ap);
	va_end(ap);
	used = strlen(err->msg);
	if (used < sizeof(err->msg))
		snprintf(err->msg + used, sizeof(err->msg) - used, ": %s",
			 strerror(saved));
	return -1;
}

void pm_err_clear(struct pm_err *err)
{
	if (!err)
		return;
	err->code = PM_OK;
	err->sys_errno = 0;
	err->msg[0] = '\0';
}

int pm_err_prefix(struct pm_err *err, const char *fmt, ...)
{
	char old[sizeof(err->msg)];
	size_t n;
	va_list ap;

	if (!err)
		return -1;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	/* truncation of a long message is acceptable */
	if (n < sizeof(err->msg) - 1)
		memcpy(err->msg + n, old,
		       PM_MIN(strlen(old) + 1, sizeof(err->msg) - n - 1));
	err->msg[sizeof(err->msg) - 1] = '\0';
	return -1;
}

int pm_errno_full(int e)
{
	return e == ENOSPC || e == EFBIG
#ifdef EDQUOT
	       || e == EDQUOT
#endif
		;
}

int pm_exit_status(const struct pm_err *err)
{
	if (err->code != PM_OK && err->code != PM_EINTR &&
	    pm_errno_full(err->sys_errno))
		return EX_IOERR;
	switch (err->code) {
	case PM_OK:
		return EXIT_SUCCESS;
	case PM_EMISMATCH:
		return PM_EXIT_NOTFIT;
	case PM_EFORMAT:
	case PM_ESCHEMA:
	case PM_EUNSUPPORTED:
		return EX_DATAERR;
	case PM_ENOINPUT:
		return EX_NOINPUT;
	case PM_ECREATE:
		return EX_CANTCREAT;
	case PM_EIO:
		return EX_IOERR;
	case PM_EINTR:
		return PM_EXIT_INTERRUPTED;
	case PM_ENOMEM:
	case PM_ESYS:
		return EX_OSERR;
	case PM_EINVAL:
		return EX_SOFTWARE;
	case PM_EBUSY:
		return EX_TEMPFAIL;
	}
	return EX_SOFTWARE;
}

int pm_mul_size(size_t a, size_t b, size_t *out)
{
	if (a != 0 && b > SIZE_MAX / a)
		return -1;
	*out = a * b;
	return 0;
}

void *pm_malloc(size_t n, struct pm_err *err)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		pm_err_set(err, PM_ENOMEM, "out of memory (%zu bytes)", n);
	return p;
}

void *pm_calloc(size_t count, size_t size, struct pm_err *err)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (!p)
		pm_err_set(err, PM_ENOMEM, "out of memory (%zu x %zu bytes)",
			   count, size);
	return p;
}

void *pm_reallocarray(void *p, size_t count, size_t size, struct pm_err *err)
{
	size_t n;
	void *q;

	if (pm_mul_size(count, size, &n) < 0) {
		pm_err_set(err, PM_ENOMEM, "allocation size overflows");
		return NULL;
	}
	q = realloc(p, n ? n : 1);
	if (!q)
		pm_err_set(err, PM_ENOMEM, "out of memory (%zu bytes)", n);
	return q;
}

char *pm_strdup(const char *s, struct pm_err *err)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		pm_err_set(err, PM_ENOMEM, "out of memory");
	return d;
}
