/* SPDX-License-Identifier: GPL-3.0-or-later */
/* findings.c: the findings list master and verify share. */
#include <config.h>

#include "album/findings.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

struct pm_finding_at pm_finding_nowhere(void)
{
	struct pm_finding_at at = { .time_s = NAN, .duration_s = NAN,
				    .level_db = NAN };

	return at;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int pm_findings_add(struct pm_findings *f, const struct pm_album *album,
		    const char *rule, enum pm_severity dflt,
		    const struct pm_finding_at *at, const char *fmt, ...)
{
	enum pm_severity sev = dflt;
	struct pm_finding *x;
	char msg[1024];
	va_list ap;

	if (album)
		sev = pm_rule_severity(album, rule, dflt, NULL);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x = realloc(f->v, (f->n + 1) * sizeof(*x));
	if (!x)
		return -1;
	f->v = x;
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	snprintf(x->rule, sizeof(x->rule), "%s", rule);
	x->severity = sev;
	x->overridden = sev != dflt;
	x->deliverable = dup_or_null(at ? at->deliverable : NULL);
	x->where = dup_or_null(at ? at->where : NULL);
	x->track = at ? at->track : 0;
	x->time_s = at ? at->time_s : NAN;
	x->duration_s = at ? at->duration_s : NAN;
	x->level_db = at ? at->level_db : NAN;
	x->message = strdup(msg);
	if (sev == PM_SEV_ERROR)
		f->errors++;
	else if (sev == PM_SEV_WARNING)
		f->warnings++;
	else
		f->ignored++;
	return (int)sev;
}

void pm_findings_release(struct pm_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].deliverable);
		free(f->v[i].where);
		free(f->v[i].message);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

const char *pm_severity_name(enum pm_severity s)
{
	return s == PM_SEV_ERROR ? "error"
	       : s == PM_SEV_WARNING ? "warning"
				     : "ignore";
}

void pm_finding_json(struct pm_json *j, const struct pm_finding *f)
{
	pm_json_object(j, NULL);
	pm_json_string(j, "rule", f->rule);
	pm_json_string(j, "severity", pm_severity_name(f->severity));
	if (f->deliverable)
		pm_json_string(j, "deliverable", f->deliverable);
	else
		pm_json_number(j, "deliverable", NAN); /* null */
	pm_json_number(j, "track", f->track ? f->track : NAN);
	pm_json_fixed(j, "time_s", f->time_s, 3);
	pm_json_string(j, "message", f->message ? f->message : "");
	if (f->where)
		pm_json_string(j, "where", f->where);
	if (!isnan(f->duration_s))
		pm_json_fixed(j, "duration_s", f->duration_s, 3);
	if (!isnan(f->level_db))
		pm_json_fixed(j, "level_db", f->level_db, 2);
	if (f->overridden)
		pm_json_bool(j, "overridden", true);
	pm_json_end(j, true);
}
