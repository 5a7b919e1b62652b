/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-err.c: error recording and the exit status table. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sysexits.h>

#include "tap.h"
#include "util/err.h"

int main(void)
{
	struct pm_err err = { 0 };
	size_t out = 7;

	is_int(pm_err_set(&err, PM_EFORMAT, "bad %s", "thing"), -1,
	       "pm_err_set returns -1");
	is_str(err.msg, "bad thing", "message formatted");
	is_int(pm_exit_status(&err), EX_DATAERR, "format errors exit 65");
	errno = ENOENT;
	pm_err_sys(&err, PM_ENOINPUT, "cannot open '%s'", "x.wav");
	is_str(err.msg, "cannot open 'x.wav': No such file or directory",
	       "system errors carry strerror");
	is_int(err.sys_errno, ENOENT, "and the saved errno");
	is_int(pm_exit_status(&err), EX_NOINPUT, "missing input exits 66");
	pm_err_prefix(&err, "track %d: ", 3);
	ok(strncmp(err.msg, "track 3: cannot open", 20) == 0,
	   "prefix adds context: %s", err.msg);
	err.code = PM_ECREATE;
	is_int(pm_exit_status(&err), EX_CANTCREAT, "cannot create exits 73");
	err.code = PM_EIO;
	is_int(pm_exit_status(&err), EX_IOERR, "I/O exits 74");
	err.code = PM_EMISMATCH;
	is_int(pm_exit_status(&err), 1, "a mismatch exits 1");
	err.code = PM_EINVAL;
	is_int(pm_exit_status(&err), EX_SOFTWARE, "an internal error exits 70");
	err.code = PM_ENOMEM;
	is_int(pm_exit_status(&err), EX_OSERR, "out of memory exits 71");
	err.code = PM_EINTR;
	err.sys_errno = 0;
	is_int(pm_exit_status(&err), 130, "an interrupted run exits 130");

	/* a full disk is 74 wherever it happens, creating or writing */
	errno = ENOSPC;
	pm_err_sys(&err, PM_ECREATE, "cannot create directory '%s'", "cd");
	is_int(err.code, PM_EIO, "ENOSPC creating a directory is an I/O error");
	is_int(pm_exit_status(&err), EX_IOERR, "so it exits 74, not 73");
	errno = EFBIG;
	pm_err_sys(&err, PM_ECREATE, "cannot rename");
	is_int(pm_exit_status(&err), EX_IOERR, "the file-size limit (EFBIG) too");
#ifdef EDQUOT
	errno = EDQUOT;
	pm_err_sys(&err, PM_ECREATE, "cannot create");
	is_int(pm_exit_status(&err), EX_IOERR, "and a full quota (EDQUOT)");
#endif
	errno = ENOSPC;
	pm_err_sys(&err, PM_EIO, "cannot write");
	is_int(pm_exit_status(&err), EX_IOERR, "ENOSPC writing: 74");
	err.code = PM_ECREATE;
	is_int(pm_exit_status(&err), EX_IOERR,
	       "a code set by hand with a full-disk errno: 74");
	errno = EACCES;
	pm_err_sys(&err, PM_ECREATE, "cannot create");
	is_int(pm_exit_status(&err), EX_CANTCREAT, "other creation errors: 73");
	ok(pm_err_set(NULL, PM_EINVAL, "x") == -1, "NULL err is allowed");
	is_int(pm_mul_size(SIZE_MAX / 2, 3, &out), -1, "overflow detected");
	is_int(out, 7, "output untouched on overflow");
	is_int(pm_mul_size(1000, 1000, &out), 0, "small product");
	is_int(out, 1000000, "product stored");
	memset(err.msg, 'x', sizeof(err.msg) - 1);
	err.msg[sizeof(err.msg) - 1] = '\0';
	pm_err_prefix(&err, "prefix: ");
	is_int(strlen(err.msg), sizeof(err.msg) - 1, "long messages truncate safely");
	return tap_done();
}
