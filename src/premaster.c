/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * premaster.c: the front end.  `premaster init` writes an album.xml from
 * audio files, `premaster build` runs master, sequence, ddpmake, manifest
 * and verify in turn, and `premaster TOOL ...` runs one tool, found beside
 * this program or in the package's libexec directory.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "album/album.h"
#include "album/paths.h"
#include "album/stamp.h"
#include "cli.h"
#include "init.h"
#include "io/audio.h"
#include "util/err.h"
#include "util/log.h"
#include "util/manifest.h"
#include "util/msf.h"
#include "util/outdir.h"

#include "util/banned.h"

static const char *const tools[] = { "master", "sequence", "ddpmake",
				     "verify" };

static void usage_main(void)
{
	printf("usage: premaster COMMAND [ARGS]\n"
	       "Turn a finished album mix into a DDP image, vinyl pre-masters and\n"
	       "streaming files, from one album.xml.\n\n"
	       "Commands:\n"
	       "  init      write an album.xml from audio files\n"
	       "  build     run master, sequence, ddpmake, manifest and verify\n"
	       "  master    master the album once per target\n"
	       "  sequence  lay out the timelines; write CUE, TOC, PQ sheet, sides\n"
	       "  ddpmake   write or extract a DDP 2.00 image\n"
	       "  manifest  write the MD5 and SHA-256 manifests of the deliverables\n"
	       "  verify    check a release against the Red Book and its targets\n\n"
	       "  -h, --help      show this help and exit\n"
	       "  -V, --version   show the version and exit\n\n"
	       "'premaster COMMAND --help' describes a command.\n"
	       "See premaster(1) and premaster-album(5).\n");
}

/* ------------------------------------------------------------------ */
/* Finding and running the tools                                        */
/* ------------------------------------------------------------------ */

static bool executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, X_OK) == 0;
}

/*
 * Where premaster-TOOL lives: $PREMASTER_EXEC_PATH, else beside this
 * program (an uninstalled build tree), else the libexec directory.
 */
static int tool_in(const char *dir, const char *tool, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/premaster-%s", dir, tool);

	return n > 0 && (size_t)n < size && executable(out) ? 0 : -1;
}

static int tool_path(const char *tool, char *out, size_t size)
{
	const char *env = getenv("PREMASTER_EXEC_PATH");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env)
		return tool_in(env, tool, out, size);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if (tool_in(self, tool, out, size) == 0)
				return 0;
		}
	}
	return tool_in(PKGLIBEXECDIR, tool, out, size);
}

static bool is_tool(const char *name)
{
	size_t i;

	for (i = 0; i < PM_ARRAY_SIZE(tools); i++)
		if (strcmp(tools[i], name) == 0)
			return true;
	return false;
}

static int run_tool(const char *tool, char **argv)
{
	static char shown[64];
	char path[PATH_MAX + 64];

	if (tool_path(tool, path, sizeof(path)) < 0) {
		pm_error("cannot find 'premaster-%s' (looked in $PREMASTER_EXEC_PATH, beside premaster, and %s)",
			 tool, PKGLIBEXECDIR);
		return EX_SOFTWARE;
	}
	/* getopt names argv[0] in its messages: say what the user typed */
	snprintf(shown, sizeof(shown), "premaster %s", tool);
	argv[0] = shown;
	execv(path, argv);
	pm_error("cannot run '%s': %s", path, strerror(errno));
	return EX_OSERR;
}

/*
 * Run a tool as a child and return its exit status (128+N if killed).
 * Its stdout is build's with --json (its events are build's events), and
 * stderr otherwise: its result lines are progress from build's view.
 * A SIGINT, SIGTERM or SIGHUP that build catches meanwhile is passed on
 * to the child, and build waits for it to clean up and exit.
 */
static int spawn(const char *tool, char *const *args, bool relay)
{
	char path[PATH_MAX + 64];
	pid_t pid;
	int status;

	if (tool_path(tool, path, sizeof(path)) < 0) {
		pm_error("cannot find 'premaster-%s'", tool);
		return EX_SOFTWARE;
	}
	pid = fork();
	if (pid < 0) {
		pm_error("cannot start '%s': %s", path, strerror(errno));
		return EX_OSERR;
	}
	if (pid == 0) {
		/* until the tool installs its handlers, a signal ends it */
		pm_signals_default();
		if (pm_interrupted())
			_exit(PM_EXIT_INTERRUPTED);
		if (!relay)
			dup2(STDERR_FILENO, STDOUT_FILENO);
		execv(path, args);
		fprintf(stderr, "premaster: error: cannot run '%s': %s\n", path,
			strerror(errno));
		_exit(EX_OSERR);
	}
	pm_signals_forward((long)pid);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			pm_signals_forward(0);
			return EX_OSERR;
		}
	pm_signals_forward(0);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* ------------------------------------------------------------------ */
/* manifest                                                             */
/* ------------------------------------------------------------------ */

static const struct pm_usage usage_manifest = {
	"usage: premaster manifest [OPTIONS] ALBUM.xml\n"
	"Write OUTDIR/manifest.md5 and manifest.sha256 over the deliverables.\n"
	"\n",
	"See premaster(1).\n"
};

/* The manifests, the result to `out` (build's goes to stderr, as its
 * stages' do); returns an exit status. */
static int write_manifests(const char *outdir, FILE *out)
{
	struct pm_err err = { 0 };
	struct pm_json j;
	size_t n = 0;

	if (pm_deliverables_manifest(outdir, &n, &err) < 0)
		return (pm_error("%s", err.msg), pm_exit_status(&err));
	if (pm_json_events() && out == stdout) {
		pm_event_begin(&j, "result");
		pm_json_int(&j, "files", (long long)n);
		pm_event_end(&j);
	} else if (pm_want_results()) {
		fprintf(out, "manifest=%s/%s files=%zu\nmanifest=%s/%s files=%zu\n",
			outdir, PM_MANIFEST_MD5, n, outdir, PM_MANIFEST_SHA256, n);
	}
	return 0;
}

static int cmd_manifest(int argc, char **argv)
{
	static const struct pm_tool_option none[] = { { NULL, 0, 0, NULL } };
	struct pm_common common = { .want_progress = true };
	const char *album;
	char *outdir;
	int ret = EX_OSERR;

	pm_log_init("premaster manifest", PM_LOG_NOTE);
	album = pm_album_operand(argc, argv, pm_tool_parse(argc, argv, none,
							   &common,
							   &usage_manifest));
	pm_signals_install();
	outdir = pm_output_dir(common.output, album);
	pm_event_start(album, outdir ? outdir : "");
	if (outdir)
		ret = write_manifests(outdir, stdout);
	free(outdir);
	if (pm_interrupted())
		pm_signals_reraise();
	return ret;
}

/* ------------------------------------------------------------------ */
/* build                                                                */
/* ------------------------------------------------------------------ */

static const struct pm_usage usage_build = {
	"usage: premaster build [OPTIONS] ALBUM.xml\n"
	"Run master, sequence, ddpmake, manifest and verify on an album.\n"
	"\n"
	"  -j, --jobs=N        tracks to process at once (1)\n"
	"      --if-changed    do nothing when album.xml, its sources and\n"
	"                      premaster are what the last fit build of\n"
	"                      OUTDIR was made from; else build as --force\n",
	"Outputs go to OUTDIR (default: 'out' beside ALBUM.xml):\n"
	"masters/, cd/, ddp/, vinyl/, streaming/, report/, and the\n"
	"manifests manifest.md5 and manifest.sha256.  One build at a time:\n"
	"a second one into the same OUTDIR exits 75.\n"
	"See premaster(1).\n"
};

static const char *const stage_names[] = { "master", "sequence", "ddpmake",
					    "manifest", "verify" };

/* a stage's status: its exit status, -1 not run, -2 up to date */
static const char *status_name(int status)
{
	return status == 0		       ? "done"
	       : status == -2		       ? "up to date"
	       : status < 0		       ? "not run"
	       : status == PM_EXIT_NOTFIT      ? "not fit"
	       : status == PM_EXIT_INTERRUPTED ? "interrupted"
					       : "failed";
}

static void stage_event(size_t s, int status, double seconds)
{
	struct pm_json j;

	pm_event_begin(&j, "stage");
	pm_json_string(&j, "stage", stage_names[s]);
	pm_json_string(&j, "status", status_name(status));
	pm_json_int(&j, "exit", status);
	pm_json_fixed(&j, "seconds", seconds, 1);
	pm_event_end(&j);
}

/* What ran, and where the outputs are: lines, or the result event. */
static void build_result(const int *status, const char *outdir, int ret)
{
	static const char *const dirs[] = { PM_DIR_MASTERS, PM_DIR_CD,
					    PM_DIR_DDP,	    PM_DIR_VINYL,
					    PM_DIR_STREAMING, PM_DIR_REPORT };
	bool outputs = ret == 0 || ret == PM_EXIT_NOTFIT;
	char p[PATH_MAX];
	struct pm_json j;
	struct stat sb;
	size_t s, k;

	if (pm_json_events()) {
		pm_event_begin(&j, "result");
		pm_json_string(&j, "status", status[0] == -2	      ? "up to date"
					     : ret == 0		      ? "fit"
					     : ret == PM_EXIT_NOTFIT ? "not fit"
								      : "failed");
		pm_json_int(&j, "exit", ret);
		pm_json_object(&j, "outputs");
		for (k = 0; outputs && k < PM_ARRAY_SIZE(dirs); k++) {
			snprintf(p, sizeof(p), "%s/%s", outdir, dirs[k]);
			if (stat(p, &sb) == 0)
				pm_json_string(&j, dirs[k], p);
		}
		pm_json_end(&j, true);
		pm_event_end(&j);
		return;
	}
	if (!pm_want_results())
		return;
	for (s = 0; s < PM_ARRAY_SIZE(stage_names); s++)
		printf("stage\t%s\t%s\n", stage_names[s], status_name(status[s]));
	for (k = 0; outputs && k < PM_ARRAY_SIZE(dirs); k++) {
		snprintf(p, sizeof(p), "%s/%s", outdir, dirs[k]);
		if (stat(p, &sb) == 0)
			printf("output\t%s\t%s\n", dirs[k], p);
	}
}

static int cmd_build(int argc, char **argv)
{
	struct pm_common common = { .want_progress = true };
	struct pm_build_guard guard;
	struct pm_err err = { 0 };
	bool if_changed = false, fresh;
	unsigned jobs = 1;
	const struct pm_tool_option opts[] = {
		{ "jobs", 'j', PM_ARG_JOBS, &jobs },
		{ "if-changed", 0, PM_ARG_TRUE, &if_changed },
		{ NULL, 0, 0, NULL }
	};
	const char *album_path;
	char *outdir = NULL, *warnings, jobs_arg[16];
	char *args[16];
	int status[5] = { -1, -1, -1, -1, -1 };
	int st, ret = 0;
	size_t s, k;
	struct timespec t0, t1;
	double secs;

	pm_log_init("premaster build", PM_LOG_NOTE);
	album_path = pm_album_operand(argc, argv, pm_tool_parse(argc, argv, opts,
								&common,
								&usage_build));
	snprintf(jobs_arg, sizeof(jobs_arg), "%u", jobs);
	pm_signals_install();
	outdir = pm_output_dir(common.output, album_path);
	if (!outdir) {
		pm_error("out of memory");
		return EX_OSERR;
	}
	warnings = pm_share_warnings();
	pm_event_start(album_path, outdir);
	/* the lock, and the stamp of what the outputs were made from */
	if (pm_guard_begin(&guard, album_path, outdir, if_changed, &fresh,
			   &err) < 0) {
		pm_error("%s", err.msg);
		ret = pm_exit_status(&err);
		goto done;
	}
	if (fresh) {
		pm_note("'%s' is up to date in '%s'", album_path, outdir);
		for (s = 0; s < PM_ARRAY_SIZE(stage_names); s++)
			status[s] = -2;
		goto done;
	}
	common.force |= if_changed; /* a changed input: rebuild it all */

	for (s = 0; s < PM_ARRAY_SIZE(stage_names); s++) {
		k = 0;
		args[k++] = (char *)(uintptr_t)stage_names[s];
		args[k++] = (char *)(uintptr_t)album_path;
		args[k++] = (char *)(uintptr_t)"-o";
		args[k++] = outdir;
		if (common.force)
			args[k++] = (char *)(uintptr_t)"--force";
		if (common.verbosity < 0)
			args[k++] = (char *)(uintptr_t)"--quiet";
		for (int v = 0; v < common.verbosity; v++)
			args[k++] = (char *)(uintptr_t)"--verbose";
		if (!common.want_progress)
			args[k++] = (char *)(uintptr_t)"--no-progress";
		if (common.json)
			args[k++] = (char *)(uintptr_t)"--json";
		if (s < 2) {
			args[k++] = (char *)(uintptr_t)"--jobs";
			args[k++] = jobs_arg;
		}
		args[k] = NULL;
		if (pm_interrupted()) {
			ret = PM_EXIT_INTERRUPTED;
			break;
		}
		pm_info("running premaster %s", stage_names[s]);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		/* the manifests: here, once every deliverable is written */
		if (strcmp(stage_names[s], "manifest") == 0)
			st = write_manifests(outdir, stderr);
		else
			st = spawn(stage_names[s], args, common.json);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		status[s] = st;
		if (common.json)
			stage_event(s, st, secs);
		if (pm_interrupted() || st == PM_EXIT_INTERRUPTED) {
			/* the stage has cleaned up: it is safe to stop */
			pm_error("%s: interrupted; stopping", stage_names[s]);
			ret = PM_EXIT_INTERRUPTED;
			break;
		}
		if (st == 0) {
			pm_note("%s: done (%.1f s)", stage_names[s], secs);
			continue;
		}
		if (st == PM_EXIT_NOTFIT) {
			pm_error("%s: the release is not fit (see %s/report/verify.txt)",
				 stage_names[s], outdir);
			ret = PM_EXIT_NOTFIT;
			break;
		}
		pm_error("%s failed (exit %d); stopping", stage_names[s], st);
		ret = st > 125 ? EX_SOFTWARE : st;
		break;
	}
done:
	if (warnings) /* what the stages warned of, not to warn of again */
		pm_log_share_warnings(warnings);
	pm_guard_end(&guard, ret, album_path);
	build_result(status, outdir, ret);
	if (warnings) {
		unlink(warnings);
		free(warnings);
	}
	free(outdir);
	if (pm_interrupted()) {
		pm_signals_reraise();
		ret = PM_EXIT_INTERRUPTED;
	}
	return ret;
}

int main(int argc, char **argv)
{
	pm_log_init("premaster", PM_LOG_NOTE);
	if (argc < 2) {
		pm_error("expected a command");
		fprintf(stderr, "Try 'premaster --help' for more information.\n");
		return EX_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage_main();
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("premaster (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "init") == 0)
		return pm_cmd_init(argc - 1, argv + 1);
	if (strcmp(argv[1], "build") == 0)
		return cmd_build(argc - 1, argv + 1);
	if (strcmp(argv[1], "manifest") == 0)
		return cmd_manifest(argc - 1, argv + 1);
	if (is_tool(argv[1]))
		return run_tool(argv[1], argv + 1);
	pm_error("'%s' is not a premaster command", argv[1]);
	fprintf(stderr, "Try 'premaster --help' for more information.\n");
	return EX_USAGE;
}
