/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * master.c: premaster master, album-consistent mastering rendered once
 * per target.  The work is lib/master/'s; this is options and output.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "album/album.h"
#include "album/paths.h"
#include "album/targets.h"
#include "cli.h"
#include "master/master.h"
#include "util/err.h"
#include "util/log.h"
#include "util/outdir.h"

#include "util/banned.h"

struct options {
	struct pm_common common;
	const char *album;
	const char *only;
	unsigned jobs;
	bool analyse_only;
};

static const struct pm_usage usage = {
	"usage: premaster master [OPTIONS] ALBUM.xml\n"
	"Analyse the album and master it once per target (CD, vinyl, each\n"
	"streaming profile) with one shared chain and one loudness policy.\n"
	"\n"
	"  -j, --jobs=N        tracks to process at once (1)\n"
	"      --only=LIST     only these targets: cd, vinyl, streaming or\n"
	"                      profile names, comma-separated\n"
	"      --analyse-only  measure and report; write no masters\n",
	"Masters go to OUTDIR/masters/<target>/, the report to\n"
	"OUTDIR/report/analysis.json (OUTDIR: 'out' beside ALBUM.xml).\n"
	"See premaster-master(1).\n"
};

static int write_report(const struct pm_master_run *run, const char *outdir,
			bool force, struct pm_err *err)
{
	struct pm_file f;

	if (pm_report_open(&f, outdir, "analysis.json", force, err) < 0)
		return -1;
	if (pm_master_report_json(f.fp, run, err) < 0) {
		pm_file_abort(&f);
		return -1;
	}
	return pm_file_commit(&f, err);
}

/* The results of one target: on stdout as a line, or a JSON event. */
static void target_result(const struct pm_master_run *run,
			  const struct pm_target_result *tr)
{
	double peak = -HUGE_VAL, gr = 0, shortfall = 0;
	double error_lu = fabs(tr->album_error_lu) < 0.005 ? 0.0
							   : tr->album_error_lu;
	struct pm_json j;
	size_t i;

	for (i = 0; i < run->ntracks; i++) {
		peak = PM_MAX(peak, tr->track[i].peak_out_dbtp);
		gr = PM_MAX(gr, tr->track[i].max_gr_db);
		shortfall = PM_MAX(shortfall, tr->track[i].shortfall_lu);
	}
	if (shortfall > 0)
		pm_warning("%s: the %.2f dBTP ceiling stopped a linear gain %.2f LU short of %.1f LUFS (no limiter on this target)",
			   tr->target.name, tr->ceiling_dbtp, shortfall,
			   tr->target.target_lufs);
	if (pm_json_events()) {
		pm_event_begin(&j, "result");
		pm_json_string(&j, "target", tr->target.name);
		pm_json_fixed(&j, "album_lufs", tr->album_lufs, 2);
		if (tr->target.has_target) {
			pm_json_fixed(&j, "target_lufs", tr->target.target_lufs, 1);
			pm_json_fixed(&j, "error_lu", error_lu, 2);
		}
		pm_json_fixed(&j, "ceiling_dbtp", tr->ceiling_dbtp, 2);
		pm_json_fixed(&j, "max_true_peak_dbtp", peak, 3);
		pm_json_fixed(&j, "max_limiting_db", gr, 2);
		pm_json_int(&j, "renders", tr->renders);
		pm_event_end(&j);
		return;
	}
	if (!pm_want_results())
		return;
	printf("target=%s album_lufs=%.2f", tr->target.name, tr->album_lufs);
	if (tr->target.has_target)
		printf(" target_lufs=%.1f error_lu=%.2f", tr->target.target_lufs,
		       error_lu);
	printf(" ceiling_dbtp=%.2f max_true_peak_dbtp=%.3f max_limiting_db=%.2f renders=%u\n",
	       tr->ceiling_dbtp, peak, gr, tr->renders);
}

static void summary(const struct pm_master_run *run, double secs,
		    bool analysed_only)
{
	struct pm_json j;
	size_t t;

	for (t = 0; !analysed_only && t < run->ntargets; t++)
		target_result(run, &run->targets[t]);
	if (pm_json_events()) {
		pm_event_begin(&j, "result");
		pm_json_fixed(&j, "album_lufs", run->album_lufs, 2);
		pm_json_fixed(&j, "album_range_lu", run->album_range_lu, 2);
		pm_json_fixed(&j, "seconds", run->seconds, 1);
		pm_event_end(&j);
	} else if (pm_want_results()) {
		printf("album_lufs=%.2f album_range_lu=%.2f seconds=%.1f\n",
		       run->album_lufs, run->album_range_lu, run->seconds);
	}
	pm_info("%.1f s of audio per pass in %.2f s (%.0fx real time)",
		run->seconds, secs, secs > 0 ? run->seconds / secs : 0);
}

/* Passes over the album: the analysis, then one render per target. */
static double passes(const struct pm_album *album, const char *only,
		     bool analyse_only)
{
	struct pm_target targets[2 + 32];
	size_t nt = pm_album_targets(album, targets), t;
	double n = 1;

	for (t = 0; !analyse_only && t < nt; t++)
		if (pm_target_wanted(only, &targets[t]))
			n++;
	return n;
}

int main(int argc, char **argv)
{
	struct options o = { .common = { .want_progress = true }, .jobs = 1 };
	struct pm_master_options mo = { 0 };
	struct pm_master_run run = { 0 };
	struct pm_err err = { 0 };
	struct pm_album *album = NULL;
	struct timespec t0, t1;
	char *outdir = NULL;
	int ret = 0;
	const struct pm_tool_option opts[] = {
		{ "jobs", 'j', PM_ARG_JOBS, &o.jobs },
		{ "only", 0, PM_ARG_TEXT, &o.only },
		{ "analyse-only", 0, PM_ARG_TRUE, &o.analyse_only },
		{ NULL, 0, 0, NULL }
	};

	pm_log_init("premaster master", PM_LOG_NOTE);
	ret = pm_tool_start(argc, argv, opts, &usage, &o.common, &o.album,
			    &album, &outdir);
	if (ret)
		return ret;
	if (o.only) {
		struct pm_target targets[2 + 32];

		pm_only_check(o.only, targets, pm_album_targets(album, targets),
			      "target");
	}
	mo.outdir = outdir;
	mo.force = o.common.force;
	mo.jobs = o.jobs;
	mo.only = o.only;
	mo.analyse_only = o.analyse_only;
	pm_event_start(o.album, outdir);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pm_stage_begin("master", pm_album_seconds(album) *
					 passes(album, o.only, o.analyse_only));
	if (pm_master(album, &mo, &run, &err) < 0 ||
	    write_report(&run, outdir, o.common.force, &err) < 0) {
		pm_stage_end();
		pm_error("%s", err.msg);
		ret = pm_exit_status(&err);
		goto out;
	}
	pm_stage_end();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	summary(&run, (double)(t1.tv_sec - t0.tv_sec) +
			      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		o.analyse_only);
out:
	pm_master_run_release(&run);
	return pm_tool_end(album, outdir, ret);
}
