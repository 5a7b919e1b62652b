/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * findings.h: what a check found, in the one format master's analysis
 * and verify share (analysis.json, verify.json, the reports).
 *
 * Each finding has a stable rule id, documented in premaster-verify(1),
 * whose severity album.xml may change or turn off (<verify><rule>).  A
 * finding turned off is kept with severity PM_SEV_IGNORE, so that the
 * report can say what album.xml silenced.  Positions are in the album's
 * terms: `track` is the album track number (1-based; 0 for none) and
 * `time_s` counts seconds from the start of that track's audio.
 */
#ifndef PM_FINDINGS_H
#define PM_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "album/album.h"
#include "util/compat.h"
#include "util/json.h"

struct pm_finding {
	char rule[32];
	enum pm_severity severity;
	bool overridden;   /* album.xml set the severity */
	char *deliverable; /* "source", "cd", "ddp", "vinyl", a streaming
			      profile, or "album"; owned */
	char *where;       /* a path relative to OUTDIR, or NULL; owned */
	unsigned track;    /* album track number, 0: none */
	double time_s;     /* NAN: none */
	double duration_s; /* NAN: none */
	double level_db;   /* NAN: none */
	char *message;     /* owned */
};

struct pm_findings {
	size_t n;
	struct pm_finding *v; /* owned */
	unsigned errors, warnings, ignored;
};

/* Where a finding is: fill what applies; the rest stays "none". */
struct pm_finding_at {
	const char *deliverable;
	const char *where;
	unsigned track;
	double time_s, duration_s, level_db;
};

/* A position with nothing set (times and levels NAN). */
struct pm_finding_at pm_finding_nowhere(void);

/*
 * Add a finding of `rule` at the severity album.xml gives it (`dflt`
 * when it says nothing).  `album` may be NULL (then `dflt` holds).
 * Returns the severity it was filed at, or -1 when memory ran out.
 */
int pm_findings_add(struct pm_findings *f, const struct pm_album *album,
		    const char *rule, enum pm_severity dflt,
		    const struct pm_finding_at *at, const char *fmt, ...)
	PM_PRINTF(6, 7);

/* Release the findings (not the struct).  */
void pm_findings_release(struct pm_findings *f);

/* "error", "warning" or "ignore". */
const char *pm_severity_name(enum pm_severity s);

/*
 * Write one finding as a JSON object: rule, severity, deliverable,
 * track, time_s, message, and whatever else is set (where, duration_s,
 * level_db, overridden).  Unset values are null.
 */
void pm_finding_json(struct pm_json *j, const struct pm_finding *f);

#endif
