/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ddpmake.c: premaster ddpmake (not written yet). */
#include <config.h>

#include <sysexits.h>

#include "log.h"

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pm_log_init("premaster ddpmake", PM_LOG_NOTE);
	pm_error("this stage is not written yet");
	return EX_SOFTWARE;
}
