/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * verify.c: premaster verify, the release gate.  The checks are
 * lib/verify's; this writes the reports and says fit (0) or not (1).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "album/album.h"
#include "album/paths.h"
#include "album/targets.h"
#include "cli.h"
#include "util/err.h"
#include "util/log.h"
#include "util/outdir.h"
#include "verify/verify.h"

#include "util/banned.h"

struct options {
	struct pm_common common;
	const char *album;
	const char *ddp; /* --ddp DIR */
	bool reports;
};

static const struct pm_usage usage = {
	"usage: premaster verify [OPTIONS] ALBUM.xml\n"
	"       premaster verify [OPTIONS] --ddp DIR\n"
	"Check everything a build wrote against the Red Book, the album's\n"
	"identifiers and targets, and itself; say whether it is fit.\n"
	"With --ddp, check any DDP on its own and list its PQ and CD-TEXT.\n"
	"\n"
	"      --ddp=DIR       check the DDP in DIR, whoever wrote it\n"
	"      --no-reports    print the findings; write no report files\n",
	"Reads OUTDIR (default: 'out' beside ALBUM.xml) and writes\n"
	"OUTDIR/report/verify.txt, verify.json and report.html.\n"
	"With --ddp, reports are written only with -o OUTDIR.\n"
	"Exit 0: fit for release; 1: not fit; 65, 66: the input cannot\n"
	"be read.  See premaster-verify(1).\n"
};

static void parse(int argc, char **argv, struct options *o)
{
	const struct pm_tool_option opts[] = {
		{ "no-reports", 0, PM_ARG_FALSE, &o->reports },
		{ "ddp", 0, PM_ARG_TEXT, &o->ddp },
		{ NULL, 0, 0, NULL }
	};
	int first = pm_tool_parse(argc, argv, opts, &o->common, &usage);

	if (!o->ddp)
		o->album = pm_album_operand(argc, argv, first);
	else if (argc - first != 0)
		pm_usage_error("--ddp takes a DDP directory, not an album");
}

static int report(const struct pm_verify *v, const char *outdir,
		  const char *name, bool force,
		  int (*fn)(FILE *, const struct pm_verify *, struct pm_err *),
		  struct pm_err *err)
{
	struct pm_file f;

	if (pm_report_open(&f, outdir, name, force, err) < 0)
		return -1;
	if (fn(f.fp, v, err) < 0) {
		pm_file_abort(&f);
		return -1;
	}
	return pm_file_commit(&f, err);
}

/* verify.txt, verify.json and report.html in OUTDIR/report. */
static int reports(const struct pm_verify *v, const char *outdir, bool force,
		   struct pm_err *err)
{
	if (report(v, outdir, "verify.txt", force, pm_verify_write_text,
		   err) < 0 ||
	    report(v, outdir, "verify.json", force, pm_verify_write_json,
		   err) < 0 ||
	    report(v, outdir, "report.html", force, pm_verify_write_html,
		   err) < 0)
		return -1;
	return 0;
}

/* The findings and the verdict: lines on stdout, or one JSON event. */
static void verdict(const struct pm_verify *v)
{
	const struct pm_findings *f = &v->findings;
	struct pm_json j;
	size_t i;

	if (pm_json_events()) {
		/* the result is the report itself, as in verify.json */
		pm_event_begin(&j, "result");
		pm_verify_json_members(&j, v);
		pm_event_end(&j);
		return;
	}
	if (!pm_want_results())
		return;
	if (v->listing)
		fputs(v->listing, stdout);
	for (i = 0; i < f->n; i++)
		if (f->v[i].severity != PM_SEV_IGNORE)
			printf("%s\t%s\t%s\t%s\n",
			       pm_severity_name(f->v[i].severity), f->v[i].rule,
			       f->v[i].where ? f->v[i].where
					     : f->v[i].deliverable,
			       f->v[i].message);
	printf("verdict\t%s\terrors=%u\twarnings=%u\tchecks=%u\n",
	       f->errors ? "not-fit" : "fit", f->errors, f->warnings,
	       v->checks);
}

/*
 * After the checks (`checked` is their result): the reports, when
 * `outdir` is given, and the verdict.  Returns 0, or the exit status
 * after printing the error.
 */
static int conclude(const struct pm_verify *v, int checked,
		    const char *outdir, const struct options *o,
		    struct pm_err *err)
{
	if (checked == 0 && outdir && o->reports)
		checked = reports(v, outdir, o->common.force, err);
	pm_stage_end();
	if (checked < 0) {
		pm_error("%s", err->msg);
		return pm_exit_status(err);
	}
	verdict(v);
	return 0;
}

/* --ddp DIR: any DDP on its own. */
static int verify_ddp(const struct options *o)
{
	struct pm_err err = { 0 };
	struct pm_verify v = { 0 };
	int ret;

	pm_event_start(o->ddp, o->common.output);
	pm_stage_begin("verify", 0);
	ret = conclude(&v, pm_verify_ddp(o->ddp, &v, &err), o->common.output,
		       o, &err);
	if (ret == 0 && v.findings.errors) {
		pm_error("%s is not fit for a plant: %u error%s", o->ddp,
			 v.findings.errors, v.findings.errors == 1 ? "" : "s");
		ret = PM_EXIT_NOTFIT;
	}
	pm_verify_release(&v);
	if (pm_interrupted())
		pm_signals_reraise();
	return ret;
}

int main(int argc, char **argv)
{
	struct options o = { .common = { .want_progress = true }, .reports = true };
	struct pm_err err = { 0 };
	struct pm_album *album = NULL;
	struct pm_verify v = { 0 };
	struct pm_target targets[2 + 32];
	char *outdir = NULL;
	int ret = 0;

	pm_log_init("premaster verify", PM_LOG_NOTE);
	parse(argc, argv, &o);
	if (o.ddp) {
		pm_output_check(o.common.output);
		pm_signals_install();
		return verify_ddp(&o);
	}
	ret = pm_tool_album(o.album, &o.common, &album, &outdir);
	if (ret)
		return ret;
	pm_event_start(o.album, outdir);
	/* the sources, then each target's masters and deliverables */
	pm_stage_begin("verify", pm_album_seconds(album) *
					 (1.0 + 2.0 * (double)pm_album_targets(album, targets)));
	ret = conclude(&v, pm_verify_run(album, outdir, &v, &err), outdir, &o,
		       &err);
	if (ret == 0 && v.findings.errors) {
		pm_error("not fit for release: %u error%s (see %s/%s/verify.txt)",
			 v.findings.errors, v.findings.errors == 1 ? "" : "s", outdir, PM_DIR_REPORT);
		ret = PM_EXIT_NOTFIT;
	}
	pm_verify_release(&v);
	return pm_tool_end(album, outdir, ret);
}
