/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run.c: the mastering run: jobs, the loudness policy, the two passes in
 * turn.
 */
#include <config.h>

#include "master/master-impl.h"

#include "util/banned.h"

const double pm_tone_band_hz[PM_TONE_BANDS] = { 31.5, 63,   125,  250,  500,
						1000, 2000, 4000, 8000, 16000 };

/* ------------------------------------------------------------------ */
/* Jobs: the longest tracks first                                       */
/* ------------------------------------------------------------------ */

/*
 * Job i is track i, or the hidden track after the last: its length in
 * seconds is its cost.  The longest go first, so that with several
 * workers the last to finish is a short one (the results do not depend
 * on the order).
 */
static void pool_order(const struct pm_inputs *in, size_t n, size_t *order)
{
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		double len = i < in->ntracks
				     ? (double)in->length[i] / in->rate[i]
				     : (double)in->htoa_length / in->htoa_rate;

		/* insertion: n is at most 100 */
		for (j = i; j > 0; j--) {
			k = order[j - 1];
			if ((k < in->ntracks ? (double)in->length[k] / in->rate[k]
					     : (double)in->htoa_length /
						       in->htoa_rate) >= len)
				break;
			order[j] = k;
		}
		order[j] = i;
	}
}

static void pool_run(void *jobs, size_t n, size_t size, void (*fn)(void *),
		     unsigned threads, const struct pm_inputs *in)
{
	size_t order[PM_MAX_TRACKS + 1];
	bool ordered = n <= PM_ARRAY_SIZE(order);

	if (ordered)
		pool_order(in, n, order);
	pm_pool_run(jobs, n, size, fn, threads, ordered ? order : NULL);
}

static void pass1_job(void *job)
{
	struct pass1 *p = job;

	p->status = master_analyse(p);
}

/* ------------------------------------------------------------------ */
/* The loudness policy                                                  */
/* ------------------------------------------------------------------ */

static void policy(struct pm_master_run *run, struct pm_target_result *tr,
		   struct pm_bs1770 **chain_meters)
{
	const struct pm_album *a = run->album;
	const struct pm_loudness *ld = &a->mastering.loudness;
	const struct pm_target *t = &tr->target;
	bool limiter = t->limiter && a->mastering.limiter.enabled;
	double g_album = 0, level, worst_peak = -HUGE_VAL;
	size_t i;

	tr->ceiling_dbtp = t->ceiling_dbtp;
	if (t->pass_through) {
		/* the sources as they are, peaks and all */
		for (i = 0; i < run->ntracks; i++)
			tr->track[i].gain_db = 0;
		return;
	}
	if (t->has_target) {
		switch (ld->mode) {
		case PM_LOUDNESS_TRACK:
			break;
		case PM_LOUDNESS_ANCHOR: {
			const struct pm_track *an = pm_album_track(a, ld->anchor);

			level = run->source[an - a->tracks].chain_lufs;
			g_album = t->target_lufs - level;
			break;
		}
		case PM_LOUDNESS_ALBUM:
			if (ld->loudest_track) {
				level = -HUGE_VAL;
				for (i = 0; i < run->ntracks; i++)
					if (run->source[i].chain_lufs > level)
						level = run->source[i].chain_lufs;
			} else {
				level = pm_bs1770_global(chain_meters, run->ntracks);
			}
			g_album = t->target_lufs - level;
			break;
		}
	}
	for (i = 0; i < run->ntracks; i++) {
		struct pm_render_result *r = &tr->track[i];

		r->gain_db = g_album;
		if (t->has_target && ld->mode == PM_LOUDNESS_TRACK)
			r->gain_db = t->target_lufs - run->source[i].chain_lufs;
		if (!isfinite(r->gain_db))
			r->gain_db = 0; /* a silent track keeps its level */
	}
	/* Spotify: masters louder than -14 LUFS get -2 dBTP */
	if (t->has_hot) {
		double out = t->has_target ? t->target_lufs
					   : run->album_chain_lufs + g_album;

		if (out > t->hot_above_lufs)
			tr->ceiling_dbtp = t->hot_ceiling_dbtp;
	}
	/* a lossy format's encoder overshoots: its masters keep the room,
	 * so the decoded files meet the ceiling at the target's loudness */
	tr->ceiling_dbtp -= pm_lossy_headroom(t->format);
	if (limiter)
		return;
	/*
	 * No limiter (vinyl, or the album turned it off): a linear gain that
	 * stops at the ceiling.  In album and anchor modes the album keeps
	 * one gain, so the loudest peak decides for all.
	 */
	for (i = 0; i < run->ntracks; i++) {
		double room = master_track_ceiling(run, tr, i) -
			      PM_LIMITER_MARGIN_DB -
			      run->source[i].chain_peak_dbtp;

		if (ld->mode == PM_LOUDNESS_TRACK || !t->has_target) {
			if (tr->track[i].gain_db > room) {
				tr->track[i].shortfall_lu = tr->track[i].gain_db - room;
				tr->track[i].gain_db = room;
			}
		} else if (room - g_album < worst_peak || worst_peak == -HUGE_VAL) {
			worst_peak = room - g_album;
		}
	}
	if (t->has_target && ld->mode != PM_LOUDNESS_TRACK && worst_peak < 0)
		for (i = 0; i < run->ntracks; i++) {
			tr->track[i].gain_db += worst_peak;
			tr->track[i].shortfall_lu = -worst_peak;
		}
}

/*
 * The ceiling of track `i`'s master for target `tr`: the target's, or
 * the profile's loud-file ceiling when the track at its gain is louder
 * than the profile's threshold (a loud file's encode overshoots more:
 * Spotify asks -2 dBTP of files louder than -14 LUFS).  Limiting only
 * makes a file quieter, so a file judged quiet here stays quiet.  Tracks
 * joined by crossfades share their files' audio, so a run of them takes
 * the lower ceiling if any one of them is loud.
 */
double master_track_ceiling(const struct pm_master_run *run,
			    const struct pm_target_result *tr, size_t i)
{
	const struct pm_target *t = &tr->target;
	const struct pm_album *a = run->album;
	double c = tr->ceiling_dbtp, out;
	size_t first = i, last = i, k;

	if (!t->has_hot || t->pass_through || i >= run->ntracks)
		return c;
	while (first > 0 && a->tracks[first].xfade.is_set)
		first--;
	while (last + 1 < run->ntracks && a->tracks[last + 1].xfade.is_set)
		last++;
	for (k = first; k <= last; k++) {
		out = run->source[k].chain_lufs + tr->track[k].gain_db;
		if (isfinite(out) && out > t->hot_above_lufs)
			c = PM_MIN(c, t->hot_ceiling_dbtp -
					      pm_lossy_headroom(t->format));
	}
	return c;
}

/*
 * How far each track's level moves on its way to target `tr`: the
 * policy's gain, less the limiting its peaks will need under the
 * ceiling.  Beyond max-gain-db the source is the wrong file (a float
 * file at +60 dBFS, a near-silent one), and rendering it would hide
 * that.  Returns the number of tracks beyond; each is an error, or with
 * `only_warn` a warning.
 */
static unsigned check_gains(const struct pm_master_run *run,
			    const struct pm_target_result *tr, bool only_warn)
{
	const struct pm_album *a = run->album;
	const double max = a->mastering.loudness.max_gain_db;
	bool limiter = tr->target.limiter && a->mastering.limiter.enabled;
	unsigned n = 0;
	size_t i;

	for (i = 0; i < run->ntracks; i++) {
		const struct pm_source_analysis *sa = &run->source[i];
		double g = tr->track[i].gain_db, peak, limiting = 0, moved;

		peak = isfinite(sa->chain_peak_dbtp) ? sa->chain_peak_dbtp
						       : sa->true_peak_dbtp;
		if (limiter && isfinite(peak))
			limiting = PM_MAX(0.0, peak + g - tr->ceiling_dbtp);
		moved = g - limiting;
		if (!isfinite(moved) || fabs(moved) <= max)
			continue;
		n++;
		pm_log(only_warn ? PM_LOG_WARNING : PM_LOG_ERROR,
		       "%s:%d: track %zu ('%s'): target '%s' moves it %+.1f dB (gain %+.1f dB, limiting %.1f dB), beyond the %g dB a source should need (max-gain-db on <loudness>); it measures %.1f LUFS and peaks at %+.1f dBTP: is it the right file, at the right scale?",
		       a->path, a->tracks[i].line, i + 1, a->tracks[i].id,
		       tr->target.name, moved, g, limiting, max,
		       sa->integrated_lufs, sa->true_peak_dbtp);
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* The run                                                              */
/* ------------------------------------------------------------------ */

void pm_master_run_release(struct pm_master_run *run)
{
	size_t t;

	for (t = 0; run->targets && t < run->ntargets; t++)
		free(run->targets[t].track);
	free(run->targets);
	for (t = 0; run->source && t < run->ntracks; t++) {
		pm_defects_free(run->source[t].defects);
		free(run->source[t].silent);
	}
	free(run->source);
	free(run->tone);
	pm_findings_release(&run->findings);
	memset(run, 0, sizeof(*run));
}

static void free_meters(struct pm_bs1770 **m, size_t n)
{
	size_t i;

	for (i = 0; m && i < n; i++)
		pm_bs1770_free(m[i]);
	free(m);
}

/* Run pass 2 for the targets in `want`; measure each target's output. */
static int render_targets(struct pm_master_run *run, const struct pm_inputs *in,
			  struct pm_outdir *dirs, bool *want, unsigned jobs,
			  struct pm_err *err)
{
	size_t nt = run->ntargets, n = run->ntracks + (in->has_htoa ? 1 : 0);
	struct pass2 *jobsv = pm_calloc(n, sizeof(*jobsv), err);
	struct pm_bs1770 **meters = pm_calloc(n * nt, sizeof(*meters), err);
	size_t i, t;
	int ret = -1;

	if (!jobsv || !meters)
		goto out;
	for (i = 0; i < n; i++) {
		jobsv[i].run = run;
		jobsv[i].in = in;
		jobsv[i].track = i < run->ntracks ? i : PM_DISC;
		jobsv[i].dirs = dirs;
		jobsv[i].want = want;
		jobsv[i].meters = meters + i * nt;
		for (t = 0; t < nt; t++) {
			uint32_t rate = jobsv[i].track == PM_DISC
						? PM_CD_RATE
						: pm_target_rate(&run->targets[t].target,
								 run->album, i);

			if (!want[t])
				continue;
			meters[i * nt + t] = pm_bs1770_new(2, rate, err);
			if (!meters[i * nt + t])
				goto out;
		}
	}
	pool_run(jobsv, n, sizeof(*jobsv), master_pass2_job, jobs, in);
	for (i = 0; i < n; i++)
		if (jobsv[i].status < 0) {
			*err = jobsv[i].err;
			goto out;
		}
	for (t = 0; t < nt; t++) {
		struct pm_target_result *tr = &run->targets[t];
		struct pm_bs1770 *album[PM_MAX_TRACKS];

		if (!want[t])
			continue;
		for (i = 0; i < run->ntracks; i++) {
			album[i] = meters[i * nt + t];
			tr->track[i].lufs = pm_bs1770_integrated(album[i]);
		}
		tr->album_lufs = pm_bs1770_global(album, run->ntracks);
	}
	ret = 0;
out:
	free_meters(meters, n * nt);
	free(jobsv);
	return ret;
}

/* How far the loudness policy missed, and whether to render again. */
static bool correct(struct pm_master_run *run, struct pm_target_result *tr)
{
	const struct pm_loudness *ld = &run->album->mastering.loudness;
	const struct pm_target *t = &tr->target;
	bool again = false;
	size_t i;
	double level, e, step, tol = TOLERANCE_LU;

	tr->album_error_lu = 0;
	if (!t->has_target)
		return false;
	for (i = 0; i < run->ntracks; i++)
		if (tr->track[i].max_gr_db > 1.0)
			tol = TOLERANCE_LIMITED_LU;
	if (ld->mode == PM_LOUDNESS_TRACK) {
		for (i = 0; i < run->ntracks; i++) {
			struct pm_render_result *r = &tr->track[i];

			e = r->lufs - t->target_lufs;
			if (isfinite(e) &&
			    fabs(e) > (r->max_gr_db > 1.0 ? TOLERANCE_LIMITED_LU
							  : TOLERANCE_LU) &&
			    r->shortfall_lu == 0) {
				r->gain_db -= e;
				again = true;
			}
		}
		tr->album_error_lu = tr->album_lufs - t->target_lufs;
		return again;
	}
	if (ld->mode == PM_LOUDNESS_ANCHOR) {
		level = tr->track[pm_album_track(run->album, ld->anchor) -
				  run->album->tracks].lufs;
	} else if (ld->loudest_track) {
		level = -HUGE_VAL;
		for (i = 0; i < run->ntracks; i++)
			if (tr->track[i].lufs > level)
				level = tr->track[i].lufs;
	} else {
		level = tr->album_lufs;
	}
	e = level - t->target_lufs;
	tr->album_error_lu = e;
	if (!isfinite(e) || fabs(e) <= tol || tr->track[0].shortfall_lu > 0)
		return false;
	/*
	 * Under heavy limiting a dB of gain buys less than a LU: after the
	 * first correction, step by the slope the last one showed (the
	 * secant), within sane bounds.
	 */
	step = -e;
	if (tr->renders > 1 && tr->last_step_db != 0) {
		double slope = (e - tr->last_error_lu) / tr->last_step_db;

		if (slope > 0.1 && slope < 1.5)
			step = -e / slope;
	}
	tr->last_error_lu = e;
	tr->last_step_db = step;
	for (i = 0; i < run->ntracks; i++)
		tr->track[i].gain_db += step;
	return true;
}

int pm_master(const struct pm_album *a, const struct pm_master_options *o,
	      struct pm_master_run *run, struct pm_err *err)
{
	struct pm_target targets[2 + 32];
	struct pm_inputs in = { 0 };
	struct pass1 *p1 = NULL, ref = { 0 };
	struct pm_bs1770 **chain = NULL, **src = NULL;
	struct pm_outdir *dirs = NULL;
	bool *want = NULL, need_peak = false;
	size_t nt, n, i, t, k;
	unsigned renders, beyond = 0;
	int ret = -1;

	memset(run, 0, sizeof(*run));
	run->album = a;
	run->ntracks = a->ntracks;
	if (pm_inputs_sources(&in, a, err) < 0)
		return -1;
	n = a->ntracks + (in.has_htoa ? 1 : 0);
	run->source = pm_calloc(a->ntracks, sizeof(*run->source), err);
	run->tone = pm_calloc(a->ntracks, sizeof(*run->tone), err);
	p1 = pm_calloc(n, sizeof(*p1), err);
	chain = pm_calloc(a->ntracks, sizeof(*chain), err);
	src = pm_calloc(a->ntracks, sizeof(*src), err);
	if (!run->source || !run->tone || !p1 || !chain || !src)
		goto out;
	for (i = 0; i < a->ntracks; i++)
		run->seconds += (double)in.length[i] / in.rate[i];

	/* pass 1; the shared chain's peak only matters without a limiter */
	nt = pm_album_targets(a, targets);
	for (t = 0; t < nt; t++)
		if (pm_target_wanted(o->only, &targets[t]) &&
		    !(targets[t].limiter && a->mastering.limiter.enabled))
			need_peak = true;
	for (i = 0; i < n; i++) {
		p1[i].chain_peak = need_peak;
		p1[i].a = a;
		p1[i].in = &in;
		p1[i].track = i < a->ntracks ? i : PM_DISC;
		p1[i].out = i < a->ntracks ? &run->source[i] : &run->htoa;
	}
	pool_run(p1, n, sizeof(*p1), pass1_job, o->jobs, &in);
	for (i = 0; i < n; i++)
		if (p1[i].status < 0) {
			*err = p1[i].err;
			goto out;
		}
	for (i = 0; i < a->ntracks; i++) {
		chain[i] = p1[i].chain_meter;
		src[i] = p1[i].src_meter;
	}
	run->album_lufs = pm_bs1770_global(src, a->ntracks);
	run->album_range_lu = pm_bs1770_global_range(src, a->ntracks);
	run->album_chain_lufs = pm_bs1770_global(chain, a->ntracks);
	if (a->mastering.tone.reference_path) {
		ref.a = a;
		ref.ref_path = a->mastering.tone.reference_path;
		ref.out = &run->htoa; /* scratch; copied below */
		{
			struct pm_source_analysis keep = run->htoa;

			if (master_analyse(&ref) < 0) {
				*err = ref.err;
				goto out;
			}
			memcpy(run->reference_band_db, run->htoa.band_db,
			       sizeof(run->reference_band_db));
			run->htoa = keep;
			run->has_reference = true;
		}
	}
	if (a->mastering.tone.mode != PM_TONE_OFF)
		master_tone(run);
	master_defect_findings(run);

	/* the targets and their gains */
	run->targets = pm_calloc(nt ? nt : 1, sizeof(*run->targets), err);
	if (!run->targets)
		goto out;
	for (t = 0; t < nt; t++) {
		if (!pm_target_wanted(o->only, &targets[t]))
			continue;
		k = run->ntargets++;
		run->targets[k].target = targets[t];
		run->targets[k].track = pm_calloc(a->ntracks,
						  sizeof(*run->targets[k].track),
						  err);
		if (!run->targets[k].track)
			goto out;
		policy(run, &run->targets[k], chain);
		beyond += check_gains(run, &run->targets[k], o->analyse_only);
	}
	if (beyond && !o->analyse_only) {
		pm_err_set(err, PM_EUNSUPPORTED,
			   "'%s': %u source level%s beyond max-gain-db (see above); nothing written",
			   a->path, beyond, beyond == 1 ? " is" : "s are");
		goto out;
	}
	if (o->analyse_only || run->ntargets == 0) {
		ret = 0;
		goto out;
	}

	/* pass 2, and corrections */
	dirs = pm_calloc(run->ntargets, sizeof(*dirs), err);
	want = pm_calloc(run->ntargets, sizeof(*want), err);
	if (!dirs || !want)
		goto out;
	for (t = 0; t < run->ntargets; t++) {
		char name[128];

		snprintf(name, sizeof(name), "%s/%s", PM_DIR_MASTERS,
			 run->targets[t].target.name);
		if (pm_outdir_begin(&dirs[t], o->outdir, name, o->force, err) < 0)
			goto out;
		want[t] = true;
	}
	for (renders = 1; renders <= MAX_RENDERS; renders++) {
		bool any = false;

		if (render_targets(run, &in, dirs, want, o->jobs, err) < 0)
			goto out;
		for (t = 0; t < run->ntargets; t++) {
			if (!want[t])
				continue;
			run->targets[t].renders = renders;
			want[t] = renders < MAX_RENDERS &&
				  correct(run, &run->targets[t]);
			if (want[t]) {
				pm_progress_expect(pm_album_seconds(run->album));
				pm_info("%s: %.2f LU off the target after render %u; rendering again",
					run->targets[t].target.name,
					run->targets[t].album_error_lu, renders);
				any = true;
			}
		}
		if (!any)
			break;
	}
	for (t = 0; t < run->ntargets; t++)
		if (pm_outdir_commit(&dirs[t], err) < 0)
			goto out;
	ret = 0;
out:
	for (t = 0; dirs && t < run->ntargets; t++)
		pm_outdir_release(&dirs[t]);
	free(dirs);
	free(want);
	for (i = 0; p1 && i < n; i++) {
		pm_bs1770_free(p1[i].chain_meter);
		pm_bs1770_free(p1[i].src_meter);
	}
	pm_bs1770_free(ref.src_meter);
	free(p1);
	free(chain);
	free(src);
	pm_inputs_release(&in);
	return ret;
}
