/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sequence.c: premaster sequence, the timeline.  Lays the album out for
 * each deliverable and writes the CD (image, per-track files, CUE, TOC,
 * PQ sheet), the vinyl sides and the streaming files from the masters,
 * or from the sources at unity gain when there are no masters.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "album/album.h"
#include "album/paths.h"
#include "album/targets.h"
#include "cli.h"
#include "sequence/sequence.h"
#include "util/err.h"
#include "util/log.h"
#include "util/msf.h"
#include "util/outdir.h"
#include "util/pool.h"

#include "util/banned.h"

struct options {
	struct pm_common common;
	const char *album;
	const char *masters;
	const char *only;
	unsigned jobs;
	bool unity;
};

static const struct pm_usage usage = {
	"usage: premaster sequence [OPTIONS] ALBUM.xml\n"
	"Lay out the album's timelines and write the CD image with its CUE,\n"
	"TOC and PQ sheet, the vinyl sides and the streaming files.\n"
	"\n"
	"  -j, --jobs=N        deliverables to write at once (1)\n"
	"      --unity         read the sources at unity gain, even if\n"
	"                      masters exist\n"
	"      --masters=DIR   where the masters are (OUTDIR/masters)\n"
	"      --only=LIST     only these deliverables: cd, vinyl, or\n"
	"                      streaming profile names, comma-separated\n",
	"Outputs go to OUTDIR (default: 'out' beside ALBUM.xml).\n"
	"See premaster-sequence(1).\n"
};

struct job {
	const struct pm_album *album;
	const struct pm_target *target;
	const struct pm_seq_options *so;
	struct pm_seq_result res;
	struct pm_err err;
	int status;
};

static void run_job(void *job)
{
	struct job *j = job;
	int (*fn)(const struct pm_album *, const struct pm_target *,
		  const struct pm_seq_options *, struct pm_seq_result *,
		  struct pm_err *);

	fn = j->target->kind == PM_TARGET_CD	  ? pm_sequence_cd
	     : j->target->kind == PM_TARGET_VINYL ? pm_sequence_vinyl
						  : pm_sequence_stream;
	j->status = fn(j->album, j->target, j->so, &j->res, &j->err);
}

static void report_json(const struct job *j, const char *outdir)
{
	const struct pm_target *t = j->target;
	const struct pm_seq_result *r = &j->res;
	char dir[4096], msf[12];
	struct pm_json js;

	if (t->kind == PM_TARGET_CD)
		snprintf(dir, sizeof(dir), "%s/cd", outdir);
	else if (t->kind == PM_TARGET_VINYL)
		snprintf(dir, sizeof(dir), "%s/vinyl", outdir);
	else
		snprintf(dir, sizeof(dir), "%s/streaming/%s", outdir, t->name);
	pm_event_begin(&js, "result");
	pm_json_string(&js, "deliverable", t->name);
	pm_json_string(&js, "dir", dir);
	pm_json_string(&js, "source", r->from_masters ? "masters" : "sources");
	pm_json_fixed(&js, "length_s", r->length_s, 3);
	pm_json_int(&js, "files", r->files);
	if (t->kind == PM_TARGET_CD) {
		pm_json_string(&js, "leadout", pm_msf_format(r->frames, msf));
		pm_json_int(&js, "frames", r->frames);
		pm_json_int(&js, "dithered", (long long)r->dithered);
		pm_json_int(&js, "passed", (long long)r->passed);
		pm_json_int(&js, "crossfades_limited", r->crossfades_limited);
	}
	if (r->lossy) {
		pm_json_fixed(&js, "decoded_tp_dbtp", r->decoded_tp_dbtp, 2);
		pm_json_fixed(&js, "codec_trim_db", r->codec_trim_db, 2);
	}
	pm_event_end(&js);
}

static void report(const struct job *j, const char *outdir)
{
	const struct pm_target *t = j->target;
	const struct pm_seq_result *r = &j->res;
	char msf[12], dur[32];

	if (pm_json_events()) {
		report_json(j, outdir);
		return;
	}
	if (!pm_want_results())
		return;
	pm_format_duration(r->length_s, dur, sizeof(dur));
	if (t->kind == PM_TARGET_CD) {
		printf("deliverable=cd dir=%s/cd source=%s leadout=%s frames=%u files=%u dithered=%llu passed=%llu crossfades_limited=%u\n",
		       outdir, r->from_masters ? "masters" : "sources",
		       pm_msf_format(r->frames, msf), r->frames, r->files,
		       (unsigned long long)r->dithered,
		       (unsigned long long)r->passed, r->crossfades_limited);
	} else if (t->kind == PM_TARGET_VINYL) {
		printf("deliverable=vinyl dir=%s/vinyl source=%s length=%s sides=%u\n",
		       outdir, r->from_masters ? "masters" : "sources", dur,
		       r->files);
	} else {
		printf("deliverable=%s dir=%s/streaming/%s source=%s length=%s files=%u encode_s=%.2f",
		       t->name, outdir, t->name,
		       r->from_masters ? "masters" : "sources", dur, r->files,
		       r->encode_s);
		if (r->lossy)
			printf(" format=%s encodes=%u decoded_tp_dbtp=%.2f codec_trim_db=%.2f",
			       pm_format_name(t->format), r->encodes,
			       r->decoded_tp_dbtp, r->codec_trim_db);
		putchar('\n');
		for (size_t k = 0; k < r->nfiles; k++)
			printf("file=streaming/%s/%s kbps=%.1f trim_db=%.2f decoded_tp_dbtp=%.2f\n",
			       t->name, r->file[k].name, r->file[k].kbps,
			       r->codec_trim_db, r->file[k].decoded_tp_dbtp);
	}
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Before anything is written: --masters must name masters for every
 * deliverable asked for (a typo must not quietly give the sources at
 * unity gain); without it, a deliverable with no masters in OUTDIR is
 * made from the sources, and the user is told.  Returns 0 or an exit
 * status.
 */
static int masters_check(const struct options *o, const char *outdir,
			 const struct job *jobs, size_t nj)
{
	char path[4096];
	size_t i;

	if (o->unity)
		return 0;
	if (o->masters && !is_dir(o->masters)) {
		pm_error("--masters: '%s' is not a directory of masters (premaster master writes them to OUTDIR/masters)",
			 o->masters);
		return EX_NOINPUT;
	}
	for (i = 0; i < nj; i++) {
		if (o->masters)
			snprintf(path, sizeof(path), "%s/%s", o->masters,
				 jobs[i].target->name);
		else
			snprintf(path, sizeof(path), "%s/%s/%s", outdir,
				 PM_DIR_MASTERS, jobs[i].target->name);
		if (is_dir(path))
			continue;
		if (o->masters) {
			pm_error("--masters: '%s' has no masters for '%s' ('%s' is missing)",
				 o->masters, jobs[i].target->name, path);
			return EX_NOINPUT;
		}
		pm_note("%s: no masters in '%s'; reading the sources at unity gain (premaster master makes masters)",
			jobs[i].target->name, path);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { .common = { .want_progress = true }, .jobs = 1 };
	struct pm_album *album = NULL;
	struct pm_target targets[2 + 32];
	struct pm_seq_options so = { 0 };
	struct job *jobs = NULL;
	size_t nt, nj = 0, i;
	char *outdir = NULL;
	int ret = 0;
	const struct pm_tool_option opts[] = {
		{ "jobs", 'j', PM_ARG_JOBS, &o.jobs },
		{ "unity", 0, PM_ARG_TRUE, &o.unity },
		{ "masters", 0, PM_ARG_TEXT, &o.masters },
		{ "only", 0, PM_ARG_TEXT, &o.only },
		{ NULL, 0, 0, NULL }
	};

	pm_log_init("premaster sequence", PM_LOG_NOTE);
	ret = pm_tool_start(argc, argv, opts, &usage, &o.common, &o.album,
			    &album, &outdir);
	if (ret)
		return ret;
	so.outdir = outdir;
	so.masters_dir = o.masters;
	so.force = o.common.force;
	so.unity = o.unity;

	nt = pm_album_targets(album, targets);
	pm_only_check(o.only, targets, nt, "deliverable");
	jobs = calloc(nt ? nt : 1, sizeof(*jobs));
	if (!jobs) {
		pm_error("out of memory");
		ret = EX_OSERR;
		goto out;
	}
	for (i = 0; i < nt; i++) {
		if (!pm_target_wanted(o.only, &targets[i]))
			continue;
		jobs[nj].album = album;
		jobs[nj].target = &targets[i];
		jobs[nj].so = &so;
		nj++;
	}
	if (nj == 0) {
		pm_warning("no deliverable to sequence");
		goto out;
	}
	ret = masters_check(&o, outdir, jobs, nj);
	if (ret)
		goto out;
	pm_event_start(o.album, outdir);
	pm_stage_begin("sequence", pm_album_seconds(album) * (double)nj);
	pm_pool_run(jobs, nj, sizeof(*jobs), run_job, o.jobs, NULL);
	pm_stage_end();
	for (i = 0; i < nj; i++) {
		if (jobs[i].status == 0) {
			report(&jobs[i], outdir);
			continue;
		}
		pm_error("%s: %s", jobs[i].target->name, jobs[i].err.msg);
		if (ret == 0 || jobs[i].err.code == PM_EINTR)
			ret = pm_exit_status(&jobs[i].err);
		if (jobs[i].err.code == PM_EINTR)
			break;
	}
out:
	for (i = 0; jobs && i < nj; i++)
		pm_seq_result_release(&jobs[i].res);
	free(jobs);
	return pm_tool_end(album, outdir, ret);
}
