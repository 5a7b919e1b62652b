/* SPDX-License-Identifier: GPL-3.0-or-later */
/* report.c: analysis.json, the mastering report. */
#include <config.h>

#include "master/master-impl.h"

#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* The report                                                           */
/* ------------------------------------------------------------------ */

static void json_analysis(struct pm_json *j, const char *key,
			  const struct pm_source_analysis *s, bool pass_through)
{
	int b;

	pm_json_object(j, key);
	pm_json_fixed(j, "integrated_lufs", s->integrated_lufs, 2);
	pm_json_fixed(j, "range_lu", s->range_lu, 2);
	pm_json_fixed(j, "max_momentary_lufs", s->max_momentary_lufs, 2);
	pm_json_fixed(j, "max_shortterm_lufs", s->max_shortterm_lufs, 2);
	pm_json_fixed(j, "sample_peak_dbfs", s->sample_peak_db, 2);
	pm_json_fixed(j, "true_peak_dbtp", s->true_peak_dbtp, 2);
	pm_json_array(j, "dc_offset_dbfs");
	pm_json_fixed(j, NULL, s->dc_db[0], 1);
	pm_json_fixed(j, NULL, s->dc_db[1], 1);
	pm_json_end(j, false);
	pm_json_bool(j, "dc_removed",
		     !pass_through &&
			     (fabs(s->dc_mean[0]) >= PM_DC_THRESHOLD ||
			      fabs(s->dc_mean[1]) >= PM_DC_THRESHOLD));
	pm_json_fixed(j, "crest_factor_db", s->crest_db, 2);
	pm_json_int(j, "clipped_runs", s->clipped_runs);
	pm_json_int(j, "clipped_samples", (long long)s->clipped_samples);
	pm_json_array(j, "octave_bands_db");
	for (b = 0; b < PM_TONE_BANDS; b++)
		pm_json_fixed(j, NULL, s->band_db[b], 2);
	pm_json_end(j, false);
	pm_json_fixed(j, "after_shared_chain_lufs", s->chain_lufs, 2);
	pm_json_fixed(j, "after_shared_chain_true_peak_dbtp", s->chain_peak_dbtp, 2);
	pm_json_fixed(j, "compressor_max_reduction_db", s->chain_max_gr_db, 2);
	{
		static const char *const stage[PM_STAGES] = {
			"linear_highpass", "track_eq", "album_eq", "compressor"
		};
		bool any = false;

		for (b = 0; b < PM_STAGES; b++)
			any = any || isfinite(s->stage_tp_added_db[b]);
		if (any) {
			/* what each filter did to the true peak */
			pm_json_object(j, "true_peak_added_db");
			for (b = 0; b < PM_STAGES; b++)
				if (isfinite(s->stage_tp_added_db[b]))
					pm_json_fixed(j, stage[b],
						      s->stage_tp_added_db[b], 2);
			pm_json_end(j, true);
		}
	}
	pm_json_end(j, true);
}

static void json_render(struct pm_json *j, const struct pm_render_result *r)
{
	pm_json_fixed(j, "gain_db", r->gain_db, 2);
	pm_json_fixed(j, "true_peak_before_dbtp", r->peak_in_dbtp, 2);
	pm_json_fixed(j, "true_peak_after_dbtp", r->peak_out_dbtp, 3);
	pm_json_fixed(j, "limiter_max_reduction_db", r->max_gr_db, 2);
	pm_json_fixed(j, "trim_db", r->trim_db, 3);
	pm_json_fixed(j, "ceiling_dbtp", r->ceiling_dbtp, 2);
	if (r->has_lfmono)
		pm_json_fixed(j, "lf_mono_removed_db", r->lf_removed_db, 1);
	if (r->dc_removed[0] != 0 || r->dc_removed[1] != 0) {
		pm_json_array(j, "dc_removed_after_limiting_db");
		for (unsigned c = 0; c < 2; c++)
			pm_json_fixed(j, NULL,
				      pm_gain_to_db(fabs(r->dc_removed[c])), 1);
		pm_json_end(j, false);
	}
	pm_json_array(j, "limiting");
	for (unsigned k = 0; k < r->nlimiting; k++) {
		pm_json_object(j, NULL);
		pm_json_fixed(j, "start_s", r->limiting[k].start_s, 3);
		pm_json_fixed(j, "end_s", r->limiting[k].end_s, 3);
		pm_json_fixed(j, "depth_db", r->limiting[k].depth_db, 2);
		pm_json_end(j, true);
	}
	pm_json_end(j, false);
	pm_json_fixed(j, "loudness_lufs", r->lufs, 2);
	pm_json_fixed(j, "shortfall_lu", r->shortfall_lu, 2);
	pm_json_int(j, "rate", r->rate);
	pm_json_int(j, "length_samples", (long long)r->length_samples);
}

int pm_master_report_json(FILE *fp, const struct pm_master_run *run,
			  struct pm_err *err)
{
	const struct pm_album *a = run->album;
	static const char *const modes[] = { "album", "track", "anchor" };
	struct pm_json j;
	size_t i, t;
	int b;

	pm_json_init(&j, fp);
	pm_json_object(&j, NULL);
	pm_json_string(&j, "generator", "premaster " PACKAGE_VERSION);
	pm_json_string(&j, "title", pm_texts_get(&a->release.text[PM_FIELD_TITLE],
						 NULL, false));
	pm_json_object(&j, "policy");
	pm_json_string(&j, "mode", modes[a->mastering.loudness.mode]);
	pm_json_bool(&j, "loudest_track", a->mastering.loudness.loudest_track);
	if (a->mastering.loudness.has_target)
		pm_json_fixed(&j, "target_lufs", a->mastering.loudness.target_lufs, 1);
	if (a->mastering.loudness.anchor)
		pm_json_string(&j, "anchor", a->mastering.loudness.anchor);
	pm_json_end(&j, true);
	pm_json_object(&j, "album");
	pm_json_fixed(&j, "integrated_lufs", run->album_lufs, 2);
	pm_json_fixed(&j, "range_lu", run->album_range_lu, 2);
	pm_json_fixed(&j, "after_shared_chain_lufs", run->album_chain_lufs, 2);
	pm_json_fixed(&j, "seconds", run->seconds, 3);
	pm_json_end(&j, true);
	pm_json_array(&j, "tracks");
	for (i = 0; i < run->ntracks; i++) {
		pm_json_object(&j, NULL);
		pm_json_int(&j, "number", (long long)i + 1);
		pm_json_string(&j, "id", a->tracks[i].id);
		pm_json_string(&j, "title",
			       pm_texts_get(&a->tracks[i].text[PM_FIELD_TITLE],
					    NULL, false));
		json_analysis(&j, "source", &run->source[i],
			      run->album->mastering.pass_through);
		master_repair_json(&j, &run->source[i]);
		if (a->mastering.tone.mode != PM_TONE_OFF) {
			const struct pm_tone_result *tr = &run->tone[i];

			pm_json_object(&j, "tone");
			pm_json_array(&j, "deviation_from_album_db");
			for (b = 0; b < PM_TONE_BANDS; b++)
				pm_json_fixed(&j, NULL, tr->dev_db[b], 2);
			pm_json_end(&j, false);
			if (run->has_reference) {
				pm_json_array(&j, "deviation_from_reference_db");
				for (b = 0; b < PM_TONE_BANDS; b++)
					pm_json_fixed(&j, NULL, tr->ref_dev_db[b], 2);
				pm_json_end(&j, false);
			}
			pm_json_fixed(&j, "tilt_db_per_octave", tr->tilt_db_per_oct, 2);
			if (a->mastering.tone.mode == PM_TONE_MATCH) {
				pm_json_fixed(&j, "applied_low_shelf_db", tr->low_shelf_db, 2);
				pm_json_fixed(&j, "applied_high_shelf_db", tr->high_shelf_db, 2);
			}
			pm_json_end(&j, true);
		}
		pm_json_end(&j, true);
	}
	pm_json_end(&j, false);
	pm_json_array(&j, "findings");
	for (i = 0; i < run->findings.n; i++)
		pm_finding_json(&j, &run->findings.v[i]);
	pm_json_end(&j, false);
	pm_json_array(&j, "octave_band_centres_hz");
	for (b = 0; b < PM_TONE_BANDS; b++)
		pm_json_number(&j, NULL, pm_tone_band_hz[b]);
	pm_json_end(&j, false);
	pm_json_array(&j, "targets");
	for (t = 0; t < run->ntargets; t++) {
		const struct pm_target_result *tr = &run->targets[t];

		pm_json_object(&j, NULL);
		pm_json_string(&j, "name", tr->target.name);
		if (tr->target.has_target)
			pm_json_fixed(&j, "target_lufs", tr->target.target_lufs, 1);
		pm_json_fixed(&j, "ceiling_dbtp", tr->ceiling_dbtp, 2);
		pm_json_bool(&j, "limiter", tr->target.limiter &&
						    a->mastering.limiter.enabled);
		pm_json_fixed(&j, "album_lufs", tr->album_lufs, 2);
		pm_json_fixed(&j, "album_error_lu", tr->album_error_lu, 2);
		pm_json_int(&j, "renders", tr->renders);
		pm_json_array(&j, "tracks");
		for (i = 0; i < run->ntracks; i++) {
			pm_json_object(&j, NULL);
			pm_json_int(&j, "number", (long long)i + 1);
			json_render(&j, &tr->track[i]);
			pm_json_end(&j, true);
		}
		pm_json_end(&j, false);
		pm_json_end(&j, true);
	}
	pm_json_end(&j, false);
	pm_json_end(&j, true);
	if (ferror(fp))
		return pm_err_sys(err, PM_EIO, "cannot write the analysis report");
	return 0;
}
