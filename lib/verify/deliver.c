/* SPDX-License-Identifier: GPL-3.0-or-later */
/* deliver.c: vinyl sides and streaming files against their targets. */
#include <config.h>

#include "verify/verify-impl.h"

#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* Vinyl and streaming                                                  */
/* ------------------------------------------------------------------ */

static void file_checks(struct pm_verify *v, struct pm_deliverable *d,
			const char *rel, const struct pm_target *t,
			uint32_t rate, struct pm_bs1770 **keep, unsigned track,
			const char *master, int64_t lead)
{
	struct pm_audio_info info;
	struct pm_measured *m;
	struct pm_err err = { 0 };
	char path[4096 + 512];

	snprintf(path, sizeof(path), "%s/%s", v->outdir, rel);
	v->checks++;
	m = verify_measured(d, rel);
	if (!m)
		return;
	m->track = track;
	if (verify_measure_file(v, path, m, &info, keep, master, lead,
				&err) < 0) {
		verify_find(v, "consistency", PM_SEV_ERROR, rel, "%s", err.msg);
		d->n--;
		free(m->name);
		return;
	}
	m->lossy = info.is_lossy;
	if (info.rate != rate)
		verify_find(v, "sample-rate", PM_SEV_ERROR, rel, "%u Hz; %s asks for %u Hz",
		     info.rate, t->name, rate);
	if (!info.is_lossy && info.bits != t->bits)
		verify_find(v, "sample-rate", PM_SEV_ERROR, rel, "%u-bit; %s asks for %u-bit",
		     info.bits, t->name, t->bits);
	if (info.is_extensible)
		verify_find(v, "wav-format", PM_SEV_ERROR, rel,
		     "WAVE_FORMAT_EXTENSIBLE: distributors such as Spotify want format 1");
	verify_qc(v, m);
}

/* A track the sequencer joins to a neighbour is not its master alone. */
static bool joined(const struct pm_album *a, size_t k)
{
	return a->tracks[k].xfade.is_set ||
	       (k + 1 < a->ntracks && a->tracks[k + 1].xfade.is_set) ||
	       a->tracks[k].fade_in.is_set || a->tracks[k].fade_out.is_set;
}

void verify_vinyl_checks(struct pm_verify *v, const struct pm_target *t)
{
	const struct pm_album *a = v->album;
	struct pm_deliverable *d = verify_deliverable(v, "vinyl");
	struct pm_bs1770 *meters[8] = { 0 };
	struct pm_side_limits lim;
	char dir[4096], name[160], rel[256];
	uint32_t rate;
	size_t s;

	if (!d)
		return;
	d->ceiling_dbtp = t->ceiling_dbtp;
	d->has_target = t->has_target;
	d->target_lufs = t->target_lufs;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", v->outdir, PM_DIR_VINYL) >=
	    sizeof(dir))
		return;
	v->checks++;
	if (!verify_is_dir(dir)) {
		verify_find(v, "consistency", PM_SEV_ERROR, "vinyl",
		     "there are no vinyl sides; run premaster sequence");
		return;
	}
	d->present = true;
	pm_side_limits(a->vinyl.size_in, a->vinyl.speed_rpm, &lim);
	v->side_warn_s = lim.warn_s;
	v->side_max_s = lim.max_s;
	free(v->sides);
	v->sides = calloc(a->vinyl.nsides ? a->vinyl.nsides : 1, sizeof(*v->sides));
	v->nsides = 0;
	for (s = 0; s < a->vinyl.nsides && s < 8; s++) {
		const struct pm_vinyl_side *vs = &a->vinyl.sides[s];

		if (vs->ntracks == 0)
			continue;
		rate = pm_target_rate(t, a, vs->tracks[0]);
		pm_vinyl_file_name(a, vs->name, rate, t->bits, name,
				   sizeof(name));
		snprintf(rel, sizeof(rel), "%s/%.160s", PM_DIR_VINYL, name);
		file_checks(v, d, rel, t, rate, &meters[d->n], 0, NULL, 0);
		if (v->sides) {
			struct pm_vside *o = &v->sides[v->nsides++];

			snprintf(o->name, sizeof(o->name), "%s", vs->name);
			o->seconds = d->n ? d->m[d->n - 1].seconds : 0;
			o->first = vs->tracks[0];
			o->ntracks = vs->ntracks;
		}
		if (d->n && d->m[d->n - 1].seconds > lim.max_s)
			verify_find(v, "vinyl-side-length", PM_SEV_ERROR, rel,
			     "side %s runs %.0f s; a %u\" side at %u rpm holds %.0f s",
			     vs->name, d->m[d->n - 1].seconds,
			     a->vinyl.size_in, a->vinyl.speed_rpm, lim.max_s);
	}
	verify_levels(v, d, meters, 0, 0, false);
	for (s = 0; s < 8; s++)
		pm_bs1770_free(meters[s]);
}

/*
 * The pause the sequencer puts at the start of track k's file: the one
 * before the track, when pauses go with the track that follows them.
 * A pause after the track is found by length.
 */
static int64_t lead_pause(const struct pm_album *a, const struct pm_target *t,
			  size_t k, uint32_t rate)
{
	const struct pm_track *tr = &a->tracks[k];

	if (t->gaps != PM_GAPS_PREPEND || k == 0 || !tr->has_gap ||
	    tr->xfade.is_set)
		return 0;
	return pm_time_samples(tr->gap, rate);
}

void verify_stream_checks(struct pm_verify *v, const struct pm_target *t,
			  size_t target_index)
{
	const struct pm_album *a = v->album;
	struct pm_deliverable *d = verify_deliverable(v, t->name);
	struct pm_bs1770 *meters[PM_MAX_TRACKS] = { 0 };
	char dir[4096], name[128], rel[256], master[4096 + 256];
	uint32_t rate;
	size_t k;

	if (!d)
		return;
	d->ceiling_dbtp = t->ceiling_dbtp;
	d->has_target = t->has_target;
	d->target_lufs = t->target_lufs;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s/%s", v->outdir,
			     PM_DIR_STREAMING, t->name) >= sizeof(dir))
		return;
	v->checks++;
	if (!verify_is_dir(dir)) {
		verify_find(v, "consistency", PM_SEV_ERROR, t->name,
		     "there are no files for %s; run premaster sequence", t->name);
		return;
	}
	d->present = true;
	for (k = 0; k < a->ntracks; k++) {
		pm_track_file_name(a, k, pm_format_ext(t->format), name, sizeof(name));
		snprintf(rel, sizeof(rel), "%s/%.40s/%.128s", PM_DIR_STREAMING,
			 t->name, name);
		pm_track_file_name(a, k, "wav", name, sizeof(name));
		snprintf(master, sizeof(master), "%s/%s/%s/%s", v->outdir,
			 PM_DIR_MASTERS, t->name, name);
		rate = pm_target_rate(t, a, k);
		file_checks(v, d, rel, t, rate, &meters[d->n], (unsigned)k + 1,
			    joined(a, k) ? NULL : master,
			    lead_pause(a, t, k, rate));
	}
	verify_levels(v, d, meters, t->hot_above_lufs, t->hot_ceiling_dbtp, t->has_hot);
	verify_sanity(v, d, target_index, 0, 0);
	for (k = 0; k < PM_MAX_TRACKS; k++)
		pm_bs1770_free(meters[k]);
}

/* ------------------------------------------------------------------ */
/* Each deliverable against its masters                                 */
/* ------------------------------------------------------------------ */

/* The lossy codecs' own delay and padding: a few thousand samples. */
#define LOSSY_SLACK_S 0.05
/* Lossy files agree with their masters by level within this. */
#define LOSSY_LEVEL_LU 1.0
/* A file this far under its master has lost its audio. */
#define SILENT_BELOW_LU 20.0

void verify_sanity(struct pm_verify *v, const struct pm_deliverable *d,
		   size_t target_index, uint32_t rate, int64_t slack)
{
	const struct pm_album *a = v->album;

	for (size_t i = 0; i < d->n; i++) {
		const struct pm_measured *m = &d->m[i];
		const struct pm_vmaster *ms;
		uint32_t r = rate ? rate : m->rate;
		int64_t want;
		struct pm_finding_at at = pm_finding_nowhere();
		char deliv[48];

		if (!m->track || m->track > a->ntracks || !v->tracks ||
		    target_index >= v->ntargets)
			continue;
		ms = &v->tracks[m->track - 1].masters[target_index];
		if (!ms->present)
			continue;
		snprintf(deliv, sizeof(deliv), "%s", d->name);
		at.deliverable = deliv;
		at.where = m->name;
		at.track = m->track;
		v->checks++;
		if (ms->peak_dbfs >= 20 * log10(SILENCE) &&
		    (m->peak_dbfs < 20 * log10(SILENCE) ||
		     (isfinite(ms->lufs) &&
		      (!isfinite(m->lufs) || m->lufs < ms->lufs - SILENT_BELOW_LU)))) {
			at.time_s = 0;
			pm_findings_add(&v->findings, a, "audio-silent", PM_SEV_ERROR,
					&at,
					"track %u is silent or almost (peak %.1f dBFS, %.1f LUFS) where its master is not (peak %.1f dBFS, %.1f LUFS)",
					m->track, m->peak_dbfs, m->lufs,
					ms->peak_dbfs, ms->lufs);
		}
		want = (int64_t)(ms->seconds * r + 0.5);
		if (joined(a, m->track - 1))
			continue; /* a crossfade takes audio from the file */
		if (m->lossy)
			slack = (int64_t)(LOSSY_SLACK_S * r);
		if (m->samples + slack < want) {
			at.time_s = (double)m->samples / r;
			pm_findings_add(&v->findings, a, "audio-short", PM_SEV_ERROR,
					&at,
					"track %u ends %.3f s before its master does (%.3f s of %.3f s)",
					m->track, (double)(want - m->samples) / r,
					(double)m->samples / r, ms->seconds);
		}
		if (m->compared && m->master_differ) {
			at.time_s = (double)m->master_first_differ / r;
			pm_findings_add(&v->findings, a, "consistency", PM_SEV_ERROR,
					&at,
					"track %u: %lld samples differ from its master (by up to %.1f dB below full scale), the first at %.3f s",
					m->track, (long long)m->master_differ,
					20 * log10(m->master_max_diff + 1e-30),
					at.time_s);
		}
		if (m->lossy && isfinite(m->lufs) && isfinite(ms->lufs) &&
		    fabs(m->lufs - ms->lufs) > LOSSY_LEVEL_LU) {
			at.time_s = NAN;
			pm_findings_add(&v->findings, a, "consistency", PM_SEV_ERROR,
					&at,
					"track %u: %.2f LUFS, %.2f LU from its master's %.2f LUFS",
					m->track, m->lufs, m->lufs - ms->lufs, ms->lufs);
		}
	}
}

