/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * repair.c: what the defect detector found in the sources, as findings
 * and in analysis.json, and what the repairs did.  The repairs
 * themselves are the detector's interpolated samples, put in place by
 * pass 2 (render.c) before the chain, once per track for every target,
 * and the hum removal and noise reduction that follow them there.
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

static void hum_json(struct pm_json *j, const struct pm_source_analysis *s)
{
	const struct pm_dehum *h = &s->dehum;
	char asked[8];

	if (s->repair_hum == PM_REPAIR_AUTO)
		snprintf(asked, sizeof(asked), "auto");
	else
		snprintf(asked, sizeof(asked), "%d", s->repair_hum);
	pm_json_object(j, "hum");
	pm_json_string(j, "asked", asked);
	/* null: hum="auto" and the detector found none */
	pm_json_fixed(j, "mains_hz", h->nominal_hz > 0 ? h->nominal_hz : NAN, 0);
	pm_json_fixed(j, "fundamental_hz",
		      h->nlines ? h->fundamental_hz : NAN, 4);
	pm_json_array(j, "harmonics");
	for (unsigned k = 0; k < h->nlines; k++) {
		pm_json_object(j, NULL);
		pm_json_int(j, "harmonic", h->line[k].harmonic);
		pm_json_fixed(j, "hz", h->line[k].hz, 3);
		pm_json_fixed(j, "notch_hz", h->line[k].width_hz, 2);
		pm_json_fixed(j, "over_music_db", h->line[k].over_db, 1);
		pm_json_fixed(j, "before_dbfs", h->line[k].before_db, 1);
		pm_json_fixed(j, "after_dbfs", h->line[k].after_db, 1);
		pm_json_end(j, true);
	}
	pm_json_end(j, false);
	pm_json_end(j, true);
}

static void noise_json(struct pm_json *j, const struct pm_source_analysis *s)
{
	const struct pm_denoise *d = &s->denoise;

	pm_json_object(j, "noise");
	/* auto, over a floor under the audio-noise-floor rule: 0, none */
	pm_json_fixed(j, "reduction_db", PM_MAX(s->repair_noise_db, 0.0), 1);
	/* 0: no quiet passage to learn the noise from, nothing done */
	pm_json_fixed(j, "quiet_s", d->quiet_s, 2);
	pm_json_fixed(j, "profile_dbfs", d->profile_db, 1);
	pm_json_fixed(j, "after_dbfs", d->after_db, 1);
	pm_json_end(j, true);
}

/* The "repair" object of a track in analysis.json. */
void master_repair_json(struct pm_json *j, const struct pm_source_analysis *s)
{
	const struct pm_defect *ev;
	size_t n = 0, i;

	if (!s->defects || (!s->repair_clicks && !s->repair_clipping &&
			    !s->repair_hum && !s->repair_noise))
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
	if (s->repair_hum)
		hum_json(j, s);
	if (s->repair_noise)
		noise_json(j, s);
	pm_json_end(j, true);
}

void master_restore_say(const struct pm_source_analysis *s, size_t i)
{
	const struct pm_dehum *h = &s->dehum;
	const struct pm_denoise *d = &s->denoise;
	unsigned k, top = 0;

	for (k = 1; k < h->nlines; k++)
		if (h->line[k].before_db > h->line[top].before_db)
			top = k;
	if (s->repair_hum && h->nlines)
		pm_note("track %zu: hum removed: %.3f Hz, %u lines notched, the loudest (%.0f Hz) from %.1f to %.1f dBFS",
			i + 1, h->fundamental_hz, h->nlines, h->line[top].hz,
			h->line[top].before_db, h->line[top].after_db);
	else if (s->repair_hum)
		pm_note("track %zu: hum removal: no mains line stands out of the music, nothing done",
			i + 1);
	if (s->repair_noise && d->quiet_s > 0)
		pm_note("track %zu: noise reduced by up to %.1f dB: the quiet passages (%.1f s) from %.1f to %.1f dBFS",
			i + 1, d->reduction_db, d->quiet_s, d->profile_db,
			d->after_db);
	else if (s->repair_noise && s->repair_noise_db < 0)
		pm_note("track %zu: noise reduction: the quiet passages are under the audio-noise-floor level, nothing done",
			i + 1);
	else if (s->repair_noise)
		pm_note("track %zu: noise reduction: no quiet passage to learn the noise from, nothing done",
			i + 1);
}
