/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli.c: the options every tool shares, and the console contract. */
#include <config.h>

#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "album/check.h"
#include "album/paths.h"
#include "album/targets.h"
#include "util/log.h"
#include "util/outdir.h"
#include "util/progress.h"

#include "util/banned.h"

const char pm_common_help[] =
	"  -o, --output=PATH   where to write (see the man page for defaults)\n"
	"  -f, --force         overwrite existing outputs\n"
	"  -q, --quiet         print errors only\n"
	"  -v, --verbose       print more; repeat for debugging output\n"
	"      --no-progress   never draw the progress bar\n"
	"      --json          print events and results as JSON lines\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n";

void pm_usage_print(const struct pm_usage *usage)
{
	fputs(usage->head, stdout);
	fputs(pm_common_help, stdout);
	putchar('\n');
	fputs(usage->notes, stdout);
}

bool pm_common_option(int c, const char *arg, struct pm_common *common,
		      const struct pm_usage *usage)
{
	switch (c) {
	case 'h':
		pm_usage_print(usage);
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
	case PM_OPT_JSON:
		common->json = true;
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

static struct {
	bool quiet, json;
} console;

/* The tool's short name for events: "master" of "premaster master". */
static const char *tool_name(void)
{
	const char *p = pm_progname(), *sp = strrchr(p, ' ');

	return sp ? sp + 1 : p;
}

/* Events come from worker threads too (progress, diagnostics): one at a
 * time on stdout. */
static pthread_mutex_t event_lock = PTHREAD_MUTEX_INITIALIZER;

void pm_event_begin(struct pm_json *j, const char *event)
{
	pthread_mutex_lock(&event_lock);
	pm_json_init_compact(j, stdout);
	pm_json_object(j, NULL);
	pm_json_string(j, "event", event);
	pm_json_string(j, "tool", tool_name());
}

void pm_event_end(struct pm_json *j)
{
	pm_json_end(j, true);
	fflush(stdout);
	pthread_mutex_unlock(&event_lock);
}

static void progress_event(const char *stage, double percent, double eta_s,
			   void *ctx)
{
	struct pm_json j;

	(void)ctx;
	pm_event_begin(&j, "progress");
	pm_json_string(&j, "stage", stage);
	pm_json_fixed(&j, "percent", percent, 1);
	if (eta_s >= 0)
		pm_json_fixed(&j, "eta_s", eta_s, 1);
	else
		pm_json_number(&j, "eta_s", NAN);
	pm_event_end(&j);
}

static void diagnostic_event(enum pm_log_level level, const char *msg,
			     void *ctx)
{
	static const char *const names[] = { "error", "warning", "note",
					     "info", "debug" };
	struct pm_json j;

	(void)ctx;
	pm_event_begin(&j, "diagnostic");
	pm_json_string(&j, "level", names[level]);
	pm_json_string(&j, "message", msg);
	pm_event_end(&j);
}

void pm_common_apply(const struct pm_common *common)
{
	const char *shared = getenv("PREMASTER_WARNINGS");

	console.quiet = common->verbosity < 0;
	console.json = common->json;
	/* -q: errors only, as every --help says */
	pm_log_init(NULL, common->verbosity < 0 ? PM_LOG_ERROR
					       : PM_LOG_NOTE + common->verbosity);
	pm_progress_init(common->want_progress && common->verbosity >= 0 &&
			 !common->json);
	if (shared && *shared)
		pm_log_share_warnings(shared);
	if (common->json) {
		pm_progress_set_listener(progress_event, NULL);
		pm_log_set_observer(diagnostic_event, NULL);
	}
}

bool pm_want_results(void)
{
	return !console.quiet && !console.json;
}

bool pm_json_events(void)
{
	return console.json;
}

void pm_event_start(const char *album, const char *outdir)
{
	struct pm_json j;

	if (!console.json)
		return;
	pm_event_begin(&j, "start");
	pm_json_string(&j, "album", album);
	if (outdir)
		pm_json_string(&j, "outdir", outdir);
	pm_event_end(&j);
}

void pm_stage_begin(const char *stage, double seconds)
{
	pm_progress_begin(stage, seconds);
}

void pm_stage_end(void)
{
	pm_progress_end();
}

unsigned pm_jobs_option(const char *arg)
{
	uint64_t u;

	if (pm_parse_uint(arg, 1, 64, &u) < 0)
		pm_usage_error("-j wants a number from 1 to 64, not '%s'", arg);
	return (unsigned)u;
}

int pm_tool_parse(int argc, char **argv, const struct pm_tool_option *opts,
		  struct pm_common *common, const struct pm_usage *usage)
{
	static const struct option shared[] = { PM_COMMON_LONGOPTS };
	struct option longopts[PM_ARRAY_SIZE(shared) + PM_TOOL_OPTIONS_MAX + 1];
	char shorts[sizeof(PM_COMMON_SHORTOPTS) + 2 * PM_TOOL_OPTIONS_MAX];
	size_t n = 0, ns = strlen(PM_COMMON_SHORTOPTS), k;
	int c;

	memcpy(longopts, shared, sizeof(shared));
	memcpy(shorts, PM_COMMON_SHORTOPTS, ns);
	for (k = 0; opts[k].name && k < PM_TOOL_OPTIONS_MAX; k++) {
		bool arg = opts[k].kind >= PM_ARG_TEXT;
		struct option *l = &longopts[PM_ARRAY_SIZE(shared) + n++];

		l->name = opts[k].name;
		l->has_arg = arg ? required_argument : no_argument;
		l->flag = NULL;
		l->val = opts[k].letter ? opts[k].letter
					: PM_OPT_FIRST_TOOL + (int)k;
		if (opts[k].letter) {
			shorts[ns++] = opts[k].letter;
			if (arg)
				shorts[ns++] = ':';
		}
	}
	memset(&longopts[PM_ARRAY_SIZE(shared) + n], 0, sizeof(*longopts));
	shorts[ns] = '\0';
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		if (pm_common_option(c, optarg, common, usage))
			continue;
		for (k = 0; k < n; k++)
			if (c == (opts[k].letter ? opts[k].letter
						 : PM_OPT_FIRST_TOOL + (int)k))
				break;
		if (k == n)
			pm_usage_fail();
		switch (opts[k].kind) {
		case PM_ARG_TRUE:
		case PM_ARG_FALSE:
			*(bool *)opts[k].value = opts[k].kind == PM_ARG_TRUE;
			break;
		case PM_ARG_TEXT:
			*(const char **)opts[k].value = optarg;
			break;
		case PM_ARG_JOBS:
			*(unsigned *)opts[k].value = pm_jobs_option(optarg);
			break;
		}
	}
	pm_common_apply(common);
	return optind;
}

const char *pm_album_operand(int argc, char **argv, int first)
{
	if (argc - first != 1)
		pm_usage_error("expected one ALBUM.xml");
	return argv[first];
}

int pm_tool_album(const char *path, const struct pm_common *common,
		  struct pm_album **album, char **outdir)
{
	struct pm_err err = { 0 };

	*outdir = NULL;
	pm_output_check(common->output);
	pm_signals_install();
	*album = pm_album_open(path, &err);
	if (!*album) {
		pm_error("%s", err.msg);
		return pm_exit_status(&err);
	}
	*outdir = pm_output_dir(common->output, path);
	if (!*outdir) {
		pm_album_free(*album);
		*album = NULL;
		pm_error("out of memory");
		return EX_OSERR;
	}
	return 0;
}

int pm_tool_start(int argc, char **argv, const struct pm_tool_option *opts,
		  const struct pm_usage *usage, struct pm_common *common,
		  const char **path, struct pm_album **album, char **outdir)
{
	*path = pm_album_operand(argc, argv, pm_tool_parse(argc, argv, opts,
							   common, usage));
	return pm_tool_album(*path, common, album, outdir);
}

int pm_tool_end(struct pm_album *album, char *outdir, int ret)
{
	pm_album_free(album);
	free(outdir);
	if (pm_interrupted()) {
		pm_signals_reraise();
		ret = PM_EXIT_INTERRUPTED;
	}
	return ret;
}

void pm_only_check(const char *only, const struct pm_target *targets,
		   size_t nt, const char *what)
{
	char bad[64], known[512];

	if (only && pm_targets_check_list(only, targets, nt, bad, sizeof(bad),
					  known, sizeof(known)) < 0)
		pm_usage_error("--only: the album has no %s '%s' (it has %s)",
			       what, bad, known);
}

int pm_report_open(struct pm_file *f, const char *outdir, const char *name,
		   bool force, struct pm_err *err)
{
	size_t n = strlen(outdir) + sizeof(PM_DIR_REPORT) + strlen(name) + 3;
	char *path = malloc(n);
	int ret = -1;

	if (!path)
		return pm_err_set(err, PM_ENOMEM, "out of memory");
	snprintf(path, n, "%s/%s", outdir, PM_DIR_REPORT);
	if (pm_mkdirs(path, err) == 0) {
		snprintf(path, n, "%s/%s/%s", outdir, PM_DIR_REPORT, name);
		ret = pm_file_open(f, path, force, err);
	}
	free(path);
	return ret;
}

/* Append component `c` (n bytes) to the absolute path `p` (size bytes). */
static bool path_push(char *p, size_t size, const char *c, size_t n)
{
	size_t len = strlen(p);

	if (len + 1 + n + 1 > size)
		return false;
	if (len > 1)
		p[len++] = '/';
	memcpy(p + len, c, n);
	p[len + n] = '\0';
	return true;
}

/* Drop the last component of the absolute path `p` ("/" stays "/"). */
static void path_pop(char *p)
{
	char *slash = strrchr(p, '/');

	if (slash == p)
		p[1] = '\0';
	else if (slash)
		*slash = '\0';
}

/*
 * Whether writing into `path` would write into the root directory.  The
 * part of the path that exists is resolved as the system resolves it
 * (symbolic links, ".."); the rest is taken as the directories that
 * would be created for it, where ".." is the parent of the previous one.
 * Returns -1 when that cannot be told (a path too long, no current
 * directory): the writes themselves will fail then.
 */
static int is_root(const char *path)
{
	char at[PATH_MAX], probe[PATH_MAX + 2];
	const char *p = path, *c;
	bool exists = true;
	size_t n;

	if (path[0] == '/')
		snprintf(at, sizeof(at), "/");
	else if (!getcwd(at, sizeof(at)))
		return -1;
	for (; *p; p = c + n) {
		while (*p == '/')
			p++;
		c = p;
		n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (exists) {
			snprintf(probe, sizeof(probe), "%s", at);
			if (!path_push(probe, sizeof(probe), c, n))
				return -1;
			if (realpath(probe, at))
				continue;
			exists = false;
			if (strlen(probe) >= sizeof(at))
				return -1;
			memcpy(at, probe, strlen(probe) + 1);
			path_pop(at);
		}
		if (n == 2 && c[0] == '.' && c[1] == '.')
			path_pop(at);
		else if (!path_push(at, sizeof(at), c, n))
			return -1;
	}
	return strcmp(at, "/") == 0;
}

void pm_output_check(const char *output)
{
	if (!output)
		return;
	if (!*output)
		pm_usage_error("-o: the output path is empty");
	if (is_root(output) == 1)
		pm_usage_error("-o '%s': refusing to write into the root directory",
			       output);
}

char *pm_output_dir(const char *output, const char *album)
{
	const char *slash;
	size_t n;
	char *out;

	pm_output_check(output);
	if (output)
		return strdup(output);
	slash = strrchr(album, '/');
	n = slash ? (size_t)(slash - album) + 1 : 0; /* with the slash */
	out = malloc(n + 4);
	if (out)
		snprintf(out, n + 4, "%.*sout", (int)n, album);
	return out;
}

/*
 * A file the stages share to print each warning once per run: made in
 * $TMPDIR, named in PREMASTER_WARNINGS, removed at the end.
 */
char *pm_share_warnings(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path;
	size_t n;
	int fd;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	n = strlen(tmp) + 32;

	path = malloc(n);
	if (!path)
		return NULL;
	snprintf(path, n, "%s/premaster-warn.XXXXXX", tmp);
	fd = mkstemp(path);
	if (fd < 0) {
		free(path);
		return NULL;
	}
	close(fd);
	if (setenv("PREMASTER_WARNINGS", path, 1) < 0 ||
	    pm_log_share_warnings(path) < 0) {
		unlink(path);
		free(path);
		return NULL;
	}
	return path;
}
