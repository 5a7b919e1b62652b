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
	(void)level;
	(void)msg;
	(void)ctx;
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
