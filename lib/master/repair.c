/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * repair.c: what the defect detector found in the sources, as findings
 * and in analysis.json, and what the repairs did.  The repairs
 * themselves are the detector's interpolated samples, put in place by
 * pass 2 (render.c) before the chain, once per track for every target.
 */
#include <config.h>

#include "master/master-impl.h"

#include "util/banned.h"

void master_defect_findings(struct pm_master_run *run)
{
	const struct pm_album *a = run->album;
	double (*bands)[10];
	size_t i;

	for (i = 0; i < run->ntracks; i++) {
		const struct pm_source_analysis *s = &run->source[i];

		if (!s->defects)
			continue;
		pm_defects_file(&run->findings, a, s->defects, &s->defects_sum,
				a->tracks[i].source.info.rate, "source",
				a->tracks[i].source.file, (unsigned)i + 1);
		pm_defects_dynamics(&run->findings, a, "source",
				    a->tracks[i].source.file, (unsigned)i + 1,
				    s->true_peak_dbtp, s->integrated_lufs,
				    s->range_lu,
				    (double)s->defects_sum.frames /
					    a->tracks[i].source.info.rate);
	}
	bands = calloc(run->ntracks ? run->ntracks : 1, sizeof(*bands));
	if (bands) {
		for (i = 0; i < run->ntracks; i++)
			memcpy(bands[i], run->source[i].band_db, sizeof(bands[i]));
		pm_defects_tonal(&run->findings, a, "source",
				 (const double (*)[10])bands, run->ntracks);
		free(bands);
	}
	for (i = 0; i < run->findings.n; i++) {
		const struct pm_finding *f = &run->findings.v[i];

		if (f->severity != PM_SEV_IGNORE)
			pm_warning("track %u: %s: %s", f->track, f->rule, f->message);
	}
}

/* The "repair" object of a track in analysis.json. */
void master_repair_json(struct pm_json *j, const struct pm_source_analysis *s)
{
	const struct pm_defect *ev;
	size_t n = 0, i;

	if (!s->defects || (!s->repair_clicks && !s->repair_clipping))
		return;
	ev = pm_defects_events(s->defects, &n);
	pm_json_object(j, "repair");
	pm_json_bool(j, "clicks", s->repair_clicks);
	pm_json_bool(j, "clipping", s->repair_clipping);
	pm_json_int(j, "samples_replaced", (long long)s->repaired_samples);
	pm_json_array(j, "regions");
	for (i = 0; i < n; i++) {
		if (!ev[i].fix ||
		    (ev[i].kind == PM_DEFECT_CLICK && !s->repair_clicks) ||
		    (ev[i].kind == PM_DEFECT_CLIPPING && !s->repair_clipping))
			continue;
		pm_json_object(j, NULL);
		pm_json_string(j, "kind", ev[i].kind == PM_DEFECT_CLICK ? "click"
									: "clipping");
		pm_json_int(j, "channel", ev[i].channel);
		pm_json_int(j, "start_sample", (long long)ev[i].start);
		pm_json_int(j, "samples", (long long)ev[i].length);
		pm_json_end(j, true);
	}
	pm_json_end(j, false);
	pm_json_end(j, true);
}
