/* SPDX-License-Identifier: GPL-3.0-or-later */
/* verify.c: the release gate: findings, rule severities, the run. */
#include <config.h>

#include "verify/verify-impl.h"

#include "util/banned.h"

/*
 * The DDP reader and the layout log what they find; verify reports it as
 * findings instead, so their messages are held back while they run.
 */
void verify_quiet(enum pm_log_level level, const char *msg, void *ctx)
{
	struct verify_log *l = ctx;
	char **m;

	if (!l || (level != PM_LOG_ERROR && level != PM_LOG_WARNING))
		return;
	m = realloc(l->msg, (l->n + 1) * sizeof(*m));
	if (!m)
		return;
	l->msg = m;
	l->level = realloc(l->level, (l->n + 1) * sizeof(*l->level));
	if (!l->level)
		return;
	l->level[l->n] = level;
	if ((l->msg[l->n] = strdup(msg)) != NULL)
		l->n++;
}

void verify_log_release(struct verify_log *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->msg[i]);
	free(l->msg);
	free(l->level);
	memset(l, 0, sizeof(*l));
}

/* ------------------------------------------------------------------ */
/* Findings                                                             */
/* ------------------------------------------------------------------ */

/*
 * The deliverable a path under OUTDIR belongs to: "cd", "ddp", "vinyl",
 * a streaming profile, or "album" for anything else.
 */
static void deliverable_of(const char *where, char *out, size_t size)
{
	size_t n = strcspn(where, "/");

	if (strncmp(where, "streaming/", 10) == 0)
		snprintf(out, size, "%.*s", (int)strcspn(where + 10, "/"),
			 where + 10);
	else if (where[n] == '/' || strcmp(where, "cd") == 0 ||
		 strcmp(where, "ddp") == 0 || strcmp(where, "vinyl") == 0)
		snprintf(out, size, "%.*s", (int)n, where);
	else
		snprintf(out, size, "%s", where);
}

void verify_find(struct pm_verify *v, const char *rule, enum pm_severity dflt,
		 const char *where, const char *fmt, ...)
{
	struct pm_finding_at at = pm_finding_nowhere();
	char msg[1024], deliv[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	deliverable_of(where, deliv, sizeof(deliv));
	at.deliverable = deliv;
	at.where = where;
	pm_findings_add(&v->findings, v->album, rule, dflt, &at, "%s", msg);
}

double verify_rule_value(const struct pm_verify *v, const char *rule,
			 double dflt)
{
	double value = dflt;

	pm_rule_severity(v->album, rule, PM_SEV_ERROR, &value);
	return value;
}

bool verify_is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

struct pm_deliverable *verify_deliverable(struct pm_verify *v, const char *name)
{
	struct pm_deliverable *d = realloc(v->deliv, (v->ndeliv + 1) * sizeof(*d));

	if (!d)
		return NULL;
	v->deliv = d;
	d = &v->deliv[v->ndeliv++];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	return d;
}

struct pm_measured *verify_measured(struct pm_deliverable *d, const char *name)
{
	struct pm_measured *m = realloc(d->m, (d->n + 1) * sizeof(*m));

	if (!m)
		return NULL;
	d->m = m;
	m = &d->m[d->n++];
	memset(m, 0, sizeof(*m));
	m->name = strdup(name);
	return m;
}

/* ------------------------------------------------------------------ */
/* The run                                                              */
/* ------------------------------------------------------------------ */

int pm_verify_run(const struct pm_album *a, const char *outdir,
		  struct pm_verify *v, struct pm_err *err)
{
	struct pm_target targets[2 + 32];
	size_t nt, t, i;

	memset(v, 0, sizeof(*v));
	v->album = a;
	v->outdir = outdir;
	if (!verify_is_dir(outdir))
		return pm_err_set(err, PM_ENOINPUT,
				  "'%s' does not exist; run premaster build", outdir);
	nt = pm_album_targets(a, targets);
	v->targets = pm_calloc(nt ? nt : 1, sizeof(*v->targets), err);
	v->tracks = pm_calloc(a->ntracks ? a->ntracks : 1, sizeof(*v->tracks),
			      err);
	if (!v->targets || !v->tracks)
		return -1;
	memcpy(v->targets, targets, nt * sizeof(*targets));
	v->ntargets = nt;
	for (i = 0; i < a->ntracks; i++) {
		v->tracks[i].masters = pm_calloc(nt ? nt : 1,
						 sizeof(*v->tracks[i].masters),
						 err);
		if (!v->tracks[i].masters)
			return -1;
	}
	/*
	 * What the build started from and what master made, first: the
	 * deliverables are checked against the masters.
	 */
	verify_sources(v);
	if (pm_interrupted())
		return pm_err_set(err, PM_EINTR, "interrupted");
	verify_masters(v);
	verify_limiter_log(v);
	/*
	 * The manifests before the deliverables: hashing every file once
	 * for both lists, the DDP's checksum list then recalls its MD5s
	 * (util/manifest.h) instead of reading the image again.
	 */
	verify_manifest_checks(v);
	if (pm_interrupted())
		return pm_err_set(err, PM_EINTR, "interrupted");
	for (t = 0; t < nt; t++) {
		if (pm_interrupted())
			return pm_err_set(err, PM_EINTR, "interrupted");
		switch (targets[t].kind) {
		case PM_TARGET_CD:
			verify_cd_checks(v, &targets[t], t);
			break;
		case PM_TARGET_VINYL:
			verify_vinyl_checks(v, &targets[t]);
			break;
		case PM_TARGET_STREAM:
			verify_stream_checks(v, &targets[t], t);
			break;
		}
	}
	/*
	 * Room for the checks other modules add on the same findings: the
	 * defect detectors on the deliverables (defects.c) hook in here.
	 */
	return 0;
}

void pm_verify_release(struct pm_verify *v)
{
	size_t i, k;

	pm_findings_release(&v->findings);
	for (i = 0; i < v->ndeliv; i++) {
		for (k = 0; k < v->deliv[i].n; k++)
			free(v->deliv[i].m[k].name);
		free(v->deliv[i].m);
	}
	free(v->deliv);
	for (i = 0; v->tracks && v->album && i < v->album->ntracks; i++) {
		for (k = 0; v->tracks[i].masters && k < v->ntargets; k++) {
			free(v->tracks[i].masters[k].st);
		}
		free(v->tracks[i].masters);
		free(v->tracks[i].st);
	}
	free(v->tracks);
	free(v->targets);
	free(v->sides);
	free(v->listing);
	memset(v, 0, sizeof(*v));
}

void verify_finding_at(struct pm_verify *v, const char *rule,
		       enum pm_severity sev, const char *deliv,
		       const char *where, unsigned track, double time_s,
		       const char *fmt, ...)
{
	struct pm_finding_at at = pm_finding_nowhere();
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	at.deliverable = deliv;
	at.where = where;
	at.track = track;
	at.time_s = time_s;
	pm_findings_add(&v->findings, v->album, rule, sev, &at, "%s", msg);
}
