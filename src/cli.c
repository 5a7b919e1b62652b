/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli.c: the options every tool shares, and the console contract. */
#include <config.h>

#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "util/log.h"
#include "util/progress.h"

#include "util/banned.h"

const char pm_common_help[] =
	"  -o, --output=PATH   where to write (see the man page for defaults)\n"
	"  -f, --force         overwrite existing outputs\n"
	"  -q, --quiet         print errors only\n"
	"  -v, --verbose       print more; repeat for debugging output\n"
	"      --no-progress   never draw the progress line\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n";

bool pm_common_option(int c, const char *arg, struct pm_common *common,
		      void (*usage)(void))
{
	switch (c) {
	case 'h':
		usage();
		exit(EXIT_SUCCESS);
	case 'V':
		printf("%s (%s) %s\n", pm_progname(), PACKAGE_NAME,
		       PACKAGE_VERSION);
		exit(EXIT_SUCCESS);
	case 'q':
		common->verbosity = -1;
		common->want_progress = false;
		return true;
	case 'v':
		if (common->verbosity < 0)
			common->verbosity = 0;
		common->verbosity++;
		return true;
	case 'f':
		common->force = true;
		return true;
	case 'o':
		common->output = arg;
		return true;
	case PM_OPT_NO_PROGRESS:
		common->want_progress = false;
		return true;
	default:
		return false;
	}
}

void pm_usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pm_error("%s", msg);
	pm_usage_fail();
}

void pm_usage_fail(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n",
		pm_progname());
	exit(EX_USAGE);
}

void pm_common_apply(const struct pm_common *common)
{
	/* -q: errors only, as every --help says */
	pm_log_init(NULL, common->verbosity < 0 ? PM_LOG_ERROR
					       : PM_LOG_NOTE + common->verbosity);
	pm_progress_init(common->want_progress && common->verbosity >= 0);
}

unsigned pm_jobs_option(const char *arg)
{
	uint64_t u;

	if (pm_parse_uint(arg, 1, 64, &u) < 0)
		pm_usage_error("-j wants a number from 1 to 64, not '%s'", arg);
	return (unsigned)u;
}

char *pm_output_dir(const char *output, const char *album)
{
	const char *slash;
	size_t n;
	char *out;

	if (output)
		return strdup(output);
	slash = strrchr(album, '/');
	n = slash ? (size_t)(slash - album) + 1 : 0; /* with the slash */
	out = malloc(n + 4);
	if (out)
		snprintf(out, n + 4, "%.*sout", (int)n, album);
	return out;
}
