/* SPDX-License-Identifier: GPL-3.0-or-later */
/* master.c: premaster (not written yet). */
#include <config.h>

#include <sysexits.h>

#include "log.h"

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pm_log_init("premaster", PM_LOG_NOTE);
	pm_error("this stage is not written yet");
	return EX_SOFTWARE;
}
