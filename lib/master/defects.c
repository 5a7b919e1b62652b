/* SPDX-License-Identifier: GPL-3.0-or-later */
/* defects.c: the defect detector's thresholds and findings. */
#include <config.h>

#include "master/defects.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/compat.h"

#include "sequence/timeline.h"

#include "util/banned.h"

#define MAX_LISTED 20 /* findings of one rule per track before a summary */

static double rule_value(const struct pm_album *a, const char *rule,
			 double dflt)
{
	double v = dflt;

	if (a)
		pm_rule_severity(a, rule, PM_SEV_WARNING, &v);
	return v;
}

void pm_defects_config_album(const struct pm_album *a,
			     struct pm_defects_config *c)
{
	pm_defects_config_default(c);
	c->click_ratio = pow(10, rule_value(a, "audio-click", PM_CLICK_RATIO_DB) / 20);
	c->click_floor = pow(10, rule_value(a, "audio-click-floor", -21) / 20);
	c->clip_run = (unsigned)PM_MAX(1.0, rule_value(a, "audio-clipping", 3));
	c->edge = pow(10, rule_value(a, "audio-hard-edge", -60) / 20);
	c->hum_margin_db = rule_value(a, "audio-hum", 12);
}

void pm_repair_wanted(const struct pm_album *a, size_t i, bool *clicks,
		      bool *clipping)
{
	const struct pm_repair *al = &a->mastering.repair;
	const struct pm_repair *t = &a->tracks[i].repair;

	*clicks = (t->clicks ? t->clicks : al->clicks) == PM_REPAIR_ON;
	*clipping = (t->clipping ? t->clipping : al->clipping) == PM_REPAIR_ON;
}

void pm_repair_restore_wanted(const struct pm_album *a, size_t i,
			      const struct pm_defects_summary *s, int *hum,
			      bool *noise, double *noise_db)
{
	const struct pm_repair *al = &a->mastering.repair;
	const struct pm_repair *t = &a->tracks[i].repair;
	int h = t->hum ? t->hum : al->hum;
	const struct pm_repair *n = t->noise ? t : al;

	*hum = h == 50 || h == 60 || h == PM_REPAIR_AUTO ? h : 0;
	*noise = n->noise == PM_REPAIR_AUTO || n->noise == PM_REPAIR_DB;
	*noise_db = n->noise == PM_REPAIR_DB ? n->noise_db : -1;
	/*
	 * auto follows the audio-noise-floor rule, as hum="auto" follows
	 * audio-hum: the quiet passages of a clean mix are quiet music
	 * (a reverb's tail, an intro), not noise to take away.
	 */
	if (n->noise == PM_REPAIR_AUTO && s && isfinite(s->noise_floor_db) &&
	    s->noise_floor_db > rule_value(a, "audio-noise-floor", -45))
		*noise_db = PM_DENOISE_AUTO_DB;
}

int pm_repair_restore(float *x, size_t frames, uint32_t rate, int hum,
		      double noise_db, double found_hz, struct pm_dehum *dh,
		      struct pm_denoise *dn, struct pm_err *err)
{
	double mains = hum == PM_REPAIR_AUTO ? found_hz : hum;

	memset(dh, 0, sizeof(*dh));
	memset(dn, 0, sizeof(*dn));
	dn->profile_db = dn->after_db = -HUGE_VAL;
	/*
	 * The hum first: its lines would otherwise be part of the noise
	 * profile, and a notch rings less on audio whose noise is intact.
	 */
	if (mains > 0) {
		int r = pm_dehum_measure(x, frames, rate, mains, dh, err);

		if (r == 0)
			r = pm_dehum_apply(dh, x, frames, rate, err);
		pm_dehum_release(dh);
		if (r < 0)
			return -1;
	}
	if (noise_db >= 0 &&
	    pm_denoise_run(x, frames, rate, noise_db, dn, err) < 0)
		return -1;
	return 0;
}

static double db(double x)
{
	return x > 0 ? 20 * log10(x) : -HUGE_VAL;
}

static int by_start(const void *x, const void *y)
{
	const struct pm_defect *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

static const char *const chan_names[] = { "the left channel", "the right channel",
					   "both channels" };

/* Clicks within 1 ms, clipped runs within 10 ms, are one finding. */
static void file_kind(struct pm_findings *f, const struct pm_album *a,
		      const struct pm_defect *ev, size_t n, uint32_t rate,
		      enum pm_defect_kind kind, struct pm_finding_at *at)
{
	const char *rule = kind == PM_DEFECT_CLICK ? "audio-click"
						   : "audio-clipping";
	int64_t join = kind == PM_DEFECT_CLICK ? rate / 1000 : rate / 100;
	unsigned listed = 0, more = 0;
	size_t i = 0, j;

	while (i < n) {
		int64_t end;
		unsigned chans = 0;
		int64_t samples = 0;
		float level = 0;

		if (ev[i].kind != kind) {
			i++;
			continue;
		}
		end = ev[i].start + ev[i].length;
		for (j = i; j < n; j++) {
			if (ev[j].kind != kind)
				continue;
			if (ev[j].start > end + join)
				break;
			end = PM_MAX(end, ev[j].start + ev[j].length);
			chans |= 1u << ev[j].channel;
			level = PM_MAX(level, ev[j].level);
			samples += ev[j].count;
		}
		if (listed == MAX_LISTED) {
			more++;
			i = j;
			continue;
		}
		listed++;
		at->time_s = (double)ev[i].start / rate;
		at->duration_s = (double)(end - ev[i].start) / rate;
		at->level_db = db(level);
		if (kind == PM_DEFECT_CLICK)
			pm_findings_add(f, a, rule, PM_SEV_WARNING, at,
					"a click at %.3f s in %s, %.1f dBFS over the music's prediction",
					at->time_s, chan_names[chans - 1],
					at->level_db);
		else
			pm_findings_add(f, a, rule, PM_SEV_WARNING, at,
					"clipping at %.3f s for %.1f ms in %s: %lld samples at %.2f dBFS",
					at->time_s, 1000 * at->duration_s,
					chan_names[chans - 1], (long long)samples,
					at->level_db);
		i = j;
	}
	if (more) {
		*at = (struct pm_finding_at){ .deliverable = at->deliverable,
					      .where = at->where,
					      .track = at->track,
					      .time_s = NAN,
					      .duration_s = NAN,
					      .level_db = NAN };
		pm_findings_add(f, a, rule, PM_SEV_WARNING, at,
				"and %u more %s not listed", more,
				kind == PM_DEFECT_CLICK ? "clicks" : "clipped passages");
	}
}

/* A source click of `track` within 10 ms of `t` among the findings. */
static bool source_click(const struct pm_findings *f, unsigned track,
			 double t)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].track == track && strcmp(f->v[i].rule, "audio-click") == 0 &&
		    f->v[i].deliverable && strcmp(f->v[i].deliverable, "source") == 0 &&
		    fabs(f->v[i].time_s - t) <= 0.01)
			return true;
	return false;
}

/*
 * Whether the source of `track` has a clipped passage within 50 ms of
 * [t0, t1] s, or more than were listed (then where is not known).
 */
static bool source_clipping(const struct pm_findings *f, unsigned track,
			    double t0, double t1)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct pm_finding *g = &f->v[i];
		double end;

		if (g->track != track || strcmp(g->rule, "audio-clipping") != 0 ||
		    !g->deliverable || strcmp(g->deliverable, "source") != 0)
			continue;
		if (!isfinite(g->time_s))
			return true;
		end = g->time_s + (isfinite(g->duration_s) ? g->duration_s : 0);
		if (g->time_s <= t1 + 0.05 && t0 <= end + 0.05)
			return true;
	}
	return false;
}

static void file_all(struct pm_findings *f, const struct pm_album *a,
		     const struct pm_defects *d,
		     const struct pm_defects_summary *s, uint32_t rate,
		     const char *deliverable, const char *where,
		     unsigned track, bool master, double gain_db);

void pm_defects_file(struct pm_findings *f, const struct pm_album *a,
		     const struct pm_defects *d,
		     const struct pm_defects_summary *s, uint32_t rate,
		     const char *deliverable, const char *where,
		     unsigned track)
{
	file_all(f, a, d, s, rate, deliverable, where, track, false, 0);
}

void pm_defects_file_master(struct pm_findings *f, const struct pm_album *a,
			    const struct pm_defects *d,
			    const struct pm_defects_summary *s, uint32_t rate,
			    const char *deliverable, const char *where,
			    unsigned track, double gain_db)
{
	file_all(f, a, d, s, rate, deliverable, where, track, true,
		 isfinite(gain_db) ? gain_db : 0);
}

static void file_all(struct pm_findings *f, const struct pm_album *a,
		     const struct pm_defects *d,
		     const struct pm_defects_summary *s, uint32_t rate,
		     const char *deliverable, const char *where,
		     unsigned track, bool master, double gain_db)
{
	struct pm_finding_at at = pm_finding_nowhere();
	const struct pm_defect *ev0 = pm_defects_events(d, &(size_t){ 0 });
	size_t n, i;
	struct pm_defect *ev;
	double dc = rule_value(a, "audio-dc-offset", -40);
	double floor_db = rule_value(a, "audio-noise-floor", -45);
	double corr = rule_value(a, "audio-mono-compat", 0);
	int64_t fade = 0;
	enum pm_fade_shape shape;

	pm_defects_events(d, &n);
	at.deliverable = deliverable;
	at.where = where;
	at.track = track;
	ev = malloc((n ? n : 1) * sizeof(*ev));
	if (!ev)
		return;
	if (n)
		memcpy(ev, ev0, n * sizeof(*ev));
	if (master) {
		struct pm_defects_config cfg;
		size_t k = 0;

		pm_defects_config_album(a, &cfg);
		/*
		 * A master's clicks: those that came through from its source,
		 * or that stand well over what its gain made of the floor
		 * (added).  Its flat tops under full scale: those that came
		 * through.  The chain clips nothing under full scale, and a
		 * 16-bit source turned up or down keeps the pairs and threes
		 * of equal samples its slow stretches hold, now off the 16-bit
		 * grid, where they would pass for clipping.
		 */
		for (i = 0; i < n; i++) {
			double t0 = (double)ev[i].start / rate;
			double t1 = t0 + (double)ev[i].length / rate;
			bool keep = true;

			if (ev[i].kind == PM_DEFECT_CLICK)
				keep = source_click(f, track, t0) ||
				       db(ev[i].level) >=
					       db(cfg.click_floor) + gain_db + 10;
			else if (ev[i].kind == PM_DEFECT_CLIPPING)
				keep = ev[i].level >= PM_FULL_SCALE ||
				       source_clipping(f, track, t0, t1);
			if (keep)
				ev[k++] = ev[i];
		}
		n = k;
	}
	qsort(ev, n, sizeof(*ev), by_start);
	file_kind(f, a, ev, n, rate, PM_DEFECT_CLICK, &at);
	at = pm_finding_nowhere();
	at.deliverable = deliverable;
	at.where = where;
	at.track = track;
	file_kind(f, a, ev, n, rate, PM_DEFECT_CLIPPING, &at);
	if (master && track >= 1 && track <= a->ntracks)
		pm_edge_fade_of(a, track - 1, rate, &fade, &shape);
	for (i = 0; i < n; i++) {
		if (ev[i].kind != PM_DEFECT_EDGE_START &&
		    ev[i].kind != PM_DEFECT_EDGE_END)
			continue;
		/* a master's own first and last samples: the sequencer
		 * fades them where they meet silence, in every deliverable */
		if (fade > 0 &&
		    (ev[i].kind == PM_DEFECT_EDGE_START ? ev[i].start == 0
							: ev[i].start + 1 >= s->frames))
			continue;
		at.time_s = (double)ev[i].start / rate;
		at.duration_s = NAN;
		at.level_db = db(ev[i].level);
		pm_findings_add(f, a, "audio-hard-edge", PM_SEV_WARNING, &at,
				ev[i].kind == PM_DEFECT_EDGE_START
					? "the sound starts at %.3f s on a %.1f dBFS sample straight out of digital silence"
					: "the sound stops at %.3f s on a %.1f dBFS sample straight into digital silence",
				at.time_s, at.level_db);
	}
	free(ev);
	at.duration_s = NAN;
	if (s->hum_hz > 0) {
		at.time_s = NAN;
		at.level_db = s->hum_db;
		pm_findings_add(f, a, "audio-hum", PM_SEV_WARNING, &at,
				"%.0f Hz hum at %.1f dBFS stands out of the %s in %.0f%% of the track, with %u of its harmonics 2 to 4",
				s->hum_hz, s->hum_db,
				master ? "master (it came through)" : "music",
				100 * s->hum_fraction, s->hum_harmonics);
	}
	if (isfinite(s->noise_floor_db) && s->noise_floor_db > floor_db) {
		at.time_s = (double)s->noise_at / rate;
		at.level_db = s->noise_floor_db;
		pm_findings_add(f, a, "audio-noise-floor", PM_SEV_WARNING, &at,
				"the quiet passages sit at %.1f dBFS RMS (from %.1f s), above %.0f dBFS",
				s->noise_floor_db, at.time_s, floor_db);
	}
	for (int c = 0; c < 2; c++)
		if (db(fabs(s->dc[c])) > dc) {
			at.time_s = NAN;
			at.level_db = db(fabs(s->dc[c]));
			pm_findings_add(f, a, "audio-dc-offset", PM_SEV_WARNING, &at,
					"%s has a DC offset of %.1f dBFS (more than %.0f dBFS)",
					chan_names[c], at.level_db, dc);
		}
	if (s->correlation < corr) {
		at.time_s = (double)s->worst_at / rate;
		at.level_db = -s->mono_loss_db;
		pm_findings_add(f, a, "audio-mono-compat", PM_SEV_WARNING, &at,
				"the channels correlate at %.2f (under %.2f): summed to mono the track loses %.1f dB; worst at %.1f s (%.2f)",
				s->correlation, corr, s->mono_loss_db, at.time_s,
				s->worst_correlation);
	}
}

void pm_defects_dynamics(struct pm_findings *f, const struct pm_album *a,
			 const char *deliverable, const char *where,
			 unsigned track, double peak_db, double lufs,
			 double lra, double seconds)
{
	struct pm_finding_at at = pm_finding_nowhere();
	double plr_min = rule_value(a, "audio-overcompressed", 6);
	double lra_min = rule_value(a, "audio-overcompressed-range", 1);
	double plr = peak_db - lufs;

	if (!isfinite(plr) || !isfinite(lra))
		return;
	/* a loudness range needs a minute or so of music to mean much */
	if (plr >= plr_min && (lra >= lra_min || seconds < 60))
		return;
	at.deliverable = deliverable;
	at.where = where;
	at.track = track;
	at.level_db = plr;
	pm_findings_add(f, a, "audio-overcompressed", PM_SEV_WARNING, &at,
			"peak to loudness ratio %.1f dB (limit %.1f dB), loudness range %.1f LU (limit %.1f LU)",
			plr, plr_min, lra, lra_min);
}

void pm_defects_tonal(struct pm_findings *f, const struct pm_album *a,
		      const char *deliverable, const double (*band_db)[10],
		      size_t n)
{
	double avg[10] = { 0 }, limit = rule_value(a, "audio-tonal-outlier", 6);
	size_t i;
	int k;

	if (n < 3)
		return;
	for (i = 0; i < n; i++) {
		double mean = 0;

		for (k = 0; k < 10; k++)
			mean += band_db[i][k] / 10;
		for (k = 0; k < 10; k++)
			avg[k] += (band_db[i][k] - mean) / (double)n;
	}
	for (i = 0; i < n; i++) {
		double mean = 0, worst = 0;
		int at_k = 0;
		struct pm_finding_at at = pm_finding_nowhere();

		for (k = 0; k < 10; k++)
			mean += band_db[i][k] / 10;
		/* 63 Hz .. 8 kHz: the bands every mix fills */
		for (k = 1; k < 9; k++) {
			double dev = band_db[i][k] - mean - avg[k];

			if (fabs(dev) > fabs(worst)) {
				worst = dev;
				at_k = k;
			}
		}
		if (fabs(worst) <= limit || !isfinite(worst))
			continue;
		at.deliverable = deliverable;
		at.track = (unsigned)i + 1;
		at.level_db = worst;
		pm_findings_add(f, a, "audio-tonal-outlier", PM_SEV_WARNING, &at,
				"the octave band at %g Hz stands %+.1f dB from the album's balance (limit %.0f dB)",
				31.25 * (1 << at_k), worst, limit);
	}
}
