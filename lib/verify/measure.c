/* SPDX-License-Identifier: GPL-3.0-or-later */
/* measure.c: measuring a delivered stream: loudness, true peak, length. */
#include <config.h>

#include "verify/verify-impl.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* Measuring a stream                                                   */
/* ------------------------------------------------------------------ */

/*
 * `with_tp` false: the true peak is measured by the caller over the whole
 * programme instead (a slice cut mid-waveform would over-read as an
 * abrupt start or stop in a detector of its own).
 */
int verify_probe_init(struct probe *p, uint32_t rate, bool with_tp,
		      struct pm_err *err)
{
	memset(p, 0, sizeof(*p));
	p->rate = rate;
	p->first_sound = -1;
	p->k = pm_bs1770_new(2, rate, err);
	if (with_tp)
		p->tp = pm_truepeak_new(2, rate, 4, 0, err);
	return p->k && (p->tp || !with_tp) ? 0 : -1;
}

/* Largest magnitude and sum of a block, in eight lanes. */
static void block_stats(const float *x, size_t n, float *peak, double *sum)
{
	float m[8] = { 0 }, t[8] = { 0 };
	size_t i = 0;

#ifdef __SSE2__
	{
		/* the same lanes in registers (the arrays stayed in memory) */
		const __m128 mag = _mm_castsi128_ps(_mm_set1_epi32(INT32_MAX));
		__m128 m0 = _mm_setzero_ps(), m1 = m0, t0 = m0, t1 = m0;

		for (; i + 8 <= n; i += 8) {
			__m128 a = _mm_loadu_ps(x + i), b = _mm_loadu_ps(x + i + 4);

			m0 = _mm_max_ps(_mm_and_ps(a, mag), m0);
			m1 = _mm_max_ps(_mm_and_ps(b, mag), m1);
			t0 = _mm_add_ps(t0, a);
			t1 = _mm_add_ps(t1, b);
		}
		_mm_storeu_ps(m, m0);
		_mm_storeu_ps(m + 4, m1);
		_mm_storeu_ps(t, t0);
		_mm_storeu_ps(t + 4, t1);
	}
#else
	for (; i + 8 <= n; i += 8)
		for (int k = 0; k < 8; k++) {
			float v = x[i + (size_t)k], a = fabsf(v);

			m[k] = a > m[k] ? a : m[k];
			t[k] += v;
		}
#endif
	for (; i < n; i++) {
		m[0] = fabsf(x[i]) > m[0] ? fabsf(x[i]) : m[0];
		t[0] += x[i];
	}
	for (int k = 0; k < 8; k++) {
		*peak = m[k] > *peak ? m[k] : *peak;
		*sum += t[k];
	}
}

static float frame_max(const float *x, size_t i)
{
	float a = fabsf(x[2 * i]), b = fabsf(x[2 * i + 1]);

	return a > b ? a : b;
}

int verify_probe_add(struct probe *p, const float *x, size_t n,
		     struct pm_err *err)
{
	float peak = 0;
	size_t i;

	pm_progress_add((double)n / p->rate);
	if (pm_bs1770_add(p->k, x, n, err) < 0)
		return -1;
	if (p->tp)
		pm_truepeak_process(p->tp, x, n, NULL);
	block_stats(x, 2 * n, &peak, &p->sum);
	if (peak > p->peak)
		p->peak = peak;
	if (peak >= SILENCE) {
		/* the first and last sound: only the ends are searched */
		if (p->first_sound < 0)
			for (i = 0; i < n; i++)
				if (frame_max(x, i) >= SILENCE) {
					p->first_sound = p->n + (int64_t)i;
					break;
				}
		for (i = n; i-- > 0;)
			if (frame_max(x, i) >= SILENCE) {
				p->last_sound = p->n + (int64_t)i;
				break;
			}
	}
	if (peak >= 32767.0f / 32768.0f || p->run) {
		for (i = 0; i < n; i++) {
			if (frame_max(x, i) >= 32767.0f / 32768.0f) {
				if (++p->run == 3)
					p->clipped_runs++;
			} else {
				p->run = 0;
			}
		}
	}
	p->n += (int64_t)n;
	return 0;
}

/* Finish into `m`; the loudness meter stays for album loudness. */
int verify_probe_finish(struct probe *p, struct pm_measured *m,
			struct pm_err *err)
{
	(void)err;
	if (p->tp)
		pm_truepeak_flush(p->tp, NULL);
	m->seconds = (double)p->n / p->rate;
	m->samples = p->n;
	m->rate = p->rate;
	m->peak_dbfs = p->peak > 0 ? 20 * log10(p->peak) : -HUGE_VAL;
	m->lufs = pm_bs1770_integrated(p->k);
	m->range_lu = pm_bs1770_range(p->k);
	if (p->tp)
		m->true_peak_dbtp = pm_truepeak_max_dbtp(p->tp);
	m->lead_silence_s = p->first_sound < 0 ? m->seconds
					       : (double)p->first_sound / p->rate;
	m->trail_silence_s = p->first_sound < 0
				     ? m->seconds
				     : (double)(p->n - 1 - p->last_sound) / p->rate;
	m->clipped_runs = p->clipped_runs;
	m->dc_db = p->n ? 20 * log10(fabs(p->sum) / (2.0 * (double)p->n) + 1e-30)
			: -HUGE_VAL;
	pm_truepeak_free(p->tp);
	p->tp = NULL;
	return 0;
}

/*
 * Where the sequencer may have faded a file inside it: after a run of
 * PM_EDGE_SILENCE zero frames in the master (a fade-in), and before one
 * (a fade-out, known only once the run is long enough: until then the
 * quieter samples are pending).
 */
struct quiet {
	int64_t lead;      /* file frames before the master's first (a pause) */
	int64_t zeros;     /* master zero frames just before */
	int64_t in_until;  /* a fade-in zone ends here */
	int64_t pend_first, pend_n;
	float pend_max;
};

static void commit_pending(struct quiet *q, struct pm_measured *m)
{
	if (!q->pend_n)
		return;
	if (m->master_differ == 0 ||
	    q->pend_first + q->lead < m->master_first_differ)
		m->master_first_differ = q->pend_first + q->lead;
	m->master_differ += q->pend_n;
	if (q->pend_max > m->master_max_diff)
		m->master_max_diff = q->pend_max;
	q->pend_n = 0;
	q->pend_max = 0;
}

/*
 * Frames of a file that must be digital silence (a pause the sequencer
 * put before or after the master), from file frame `at`: what is not
 * counts as differing from the master.
 */
static void compare_silence(const float *x, size_t n, int64_t at,
			    struct pm_measured *m)
{
	for (size_t i = 0; i < 2 * n; i++) {
		float d = fabsf(x[i]);

		if (d == 0)
			continue;
		if (m->master_differ++ == 0)
			m->master_first_differ = at + (int64_t)(i / 2);
		if (d > m->master_max_diff)
			m->master_max_diff = d;
	}
}

/*
 * The largest difference between `n` stereo frames of a file and of its
 * master, two frames a vector where there is SSE2; *silent is set when a frame
 * of the master is digital silence (both channels zero, of either sign).
 */
static float diff_max(const float *x, const float *mv, size_t n,
		      bool *silent)
{
	float r = 0, quiet = INFINITY;
	size_t i = 0;

#ifdef __SSE2__
	{
		/* two frames a vector; a frame's louder channel, from the
		 * vector with its pairs swapped, gives the quietest frame */
		const __m128 mag = _mm_castsi128_ps(_mm_set1_epi32(INT32_MAX));
		__m128 d0 = _mm_setzero_ps(), d1 = d0;
		__m128 q0 = _mm_set1_ps(INFINITY), q1 = q0;
		float dv[4], qv[4];

		for (; i + 4 <= n; i += 4) {
			__m128 a = _mm_loadu_ps(x + 2 * i);
			__m128 b = _mm_loadu_ps(x + 2 * i + 4);
			__m128 ma = _mm_and_ps(_mm_loadu_ps(mv + 2 * i), mag);
			__m128 mb = _mm_and_ps(_mm_loadu_ps(mv + 2 * i + 4), mag);

			a = _mm_and_ps(_mm_sub_ps(a, _mm_loadu_ps(mv + 2 * i)),
				       mag);
			b = _mm_and_ps(
				_mm_sub_ps(b, _mm_loadu_ps(mv + 2 * i + 4)), mag);
			d0 = _mm_max_ps(a, d0);
			d1 = _mm_max_ps(b, d1);
			q0 = _mm_min_ps(q0, _mm_max_ps(ma, _mm_shuffle_ps(
							       ma, ma, 0xb1)));
			q1 = _mm_min_ps(q1, _mm_max_ps(mb, _mm_shuffle_ps(
							       mb, mb, 0xb1)));
		}
		_mm_storeu_ps(dv, _mm_max_ps(d0, d1));
		_mm_storeu_ps(qv, _mm_min_ps(q0, q1));
		for (int k = 0; k < 4; k++) {
			r = dv[k] > r ? dv[k] : r;
			quiet = qv[k] < quiet ? qv[k] : quiet;
		}
	}
#endif
	for (; i < n; i++) {
		float a = fabsf(x[2 * i] - mv[2 * i]);
		float b = fabsf(x[2 * i + 1] - mv[2 * i + 1]);
		float m = PM_MAX(fabsf(mv[2 * i]), fabsf(mv[2 * i + 1]));

		r = PM_MAX(r, PM_MAX(a, b));
		quiet = PM_MIN(quiet, m);
	}
	*silent = quiet == 0;
	return r;
}

/*
 * The next `n` frames of the master beside a delivered file, compared:
 * how many differ by more than `tol`, and by how much at most.  Within
 * `edge` frames of the file's first and last sample, and of digital
 * silence inside it, the sequencer may have faded the file (an edge
 * fade): there it may be quieter than its master, never louder.
 */
static void compare_master(struct pm_audio_reader *mr, unsigned channels,
			   float *mbuf, const float *x, size_t n, float tol,
			   int64_t edge, int64_t length, struct quiet *q,
			   struct pm_measured *m)
{
	int64_t got = pm_audio_read(mr, mbuf, (int64_t)n, NULL);
	int64_t at0 = m->samples_compared;

	/*
	 * Most blocks: away from the edges and from silence in the master,
	 * nothing pending, every sample within the tolerance.  The loop
	 * below would only raise the largest difference.
	 */
	if (channels == 2 && got > 0 && q->zeros == 0 && q->pend_n == 0 &&
	    at0 >= edge && at0 >= q->in_until && at0 + got <= length - edge) {
		bool silent;
		float d = diff_max(x, mbuf, (size_t)got, &silent);

		if (!silent && d <= tol) {
			if (d > m->master_max_diff)
				m->master_max_diff = d;
			m->samples_compared += got;
			return;
		}
	}
	for (size_t i = 0; i < (size_t)PM_MAX(got, 0); i++) {
		int64_t at = m->samples_compared + (int64_t)i;
		bool silent = true;

		for (unsigned c = 0; c < 2; c++)
			silent = silent &&
				 mbuf[channels == 1 ? i : 2 * i + c] == 0;
		if (silent) {
			if (++q->zeros == PM_EDGE_SILENCE &&
			    q->pend_first >= at + 1 - PM_EDGE_SILENCE - edge) {
				q->pend_n = 0; /* a fade-out into it */
				q->pend_max = 0;
			}
		} else {
			if (q->zeros >= PM_EDGE_SILENCE)
				q->in_until = at + edge;
			q->zeros = 0;
			if (q->pend_n && at > q->pend_first + edge)
				commit_pending(q, m);
		}
		for (unsigned c = 0; c < 2; c++) {
			float mv = mbuf[channels == 1 ? i : 2 * i + c];
			float d = fabsf(x[2 * i + c] - mv);
			bool quieter = fabsf(x[2 * i + c]) <= fabsf(mv) + tol;

			if ((at < edge || at >= length - edge ||
			     at < q->in_until) && quieter)
				d = 0;
			if (d > tol && quieter && edge > 0) {
				if (!q->pend_n)
					q->pend_first = at;
				q->pend_n++;
				if (d > q->pend_max)
					q->pend_max = d;
				continue;
			}
			if (d > tol) {
				if (m->master_differ++ == 0)
					m->master_first_differ = at + q->lead;
			}
			if (d > m->master_max_diff)
				m->master_max_diff = d;
		}
	}
	m->samples_compared += PM_MAX(got, 0);
}

/* Measure a whole file; keeps its loudness meter in *keep. */
int verify_measure_file(struct pm_verify *v, const char *path,
			struct pm_measured *m, struct pm_audio_info *info,
			struct pm_bs1770 **keep, const char *master,
			int64_t lead, struct pm_err *err)
{
	struct pm_audio_reader *r = pm_audio_open(path, info, err);
	struct pm_audio_reader *mr = NULL;
	struct pm_audio_info minfo;
	struct probe p = { 0 };
	struct quiet quiet = { 0 };
	float *buf = NULL, *mono = NULL, *mbuf = NULL, tol = 0;
	int64_t got, edge = 0, pos = 0, mlen = 0;
	size_t i;
	int ret = -1;

	if (!r)
		return -1;
	/*
	 * A lossless file of a track the sequencer did not join to another
	 * is its master at the delivered rate and depth: 24-bit masters are
	 * written at 24 bits and must come back bit for bit; a 16-bit file
	 * is its float master dithered, within two steps.
	 */
	if (master && !info->is_lossy && info->channels <= 2) {
		mr = pm_audio_open(master, &minfo, NULL);
		/* the file may hold a pause before the master (`lead`
		 * frames) or after it: silence the comparison asks for */
		if (mr && (minfo.rate != info->rate || minfo.channels > 2 ||
			   lead < 0 ||
			   minfo.length_samples + lead > info->length_samples)) {
			pm_audio_close(mr);
			mr = NULL;
		}
		if (mr)
			mlen = minfo.length_samples;
		quiet.lead = lead;
		tol = info->bits == 16 ? 2.0f / 32768.0f : 0.0f;
		if (m->track && m->track <= v->album->ntracks) {
			enum pm_fade_shape shape;

			pm_edge_fade_of(v->album, m->track - 1, info->rate,
					&edge, &shape);
		}
		m->compared = mr != NULL;
		if (mr)
			mbuf = pm_malloc(8192 * 2 * sizeof(float), err);
		if (mr && !mbuf)
			goto out;
	}
	if (info->channels > 2) {
		pm_err_set(err, PM_EFORMAT, "'%s' has %u channels", path,
			   info->channels);
		goto out;
	}
	buf = pm_malloc(8192 * 2 * sizeof(float), err);
	mono = pm_malloc(8192 * sizeof(float), err);
	if (!buf || !mono || verify_probe_init(&p, info->rate, true, err) < 0)
		goto out;
	while ((got = pm_audio_read(r, info->channels == 1 ? mono : buf, 8192,
				    err)) > 0) {
		if (info->channels == 1)
			for (i = 0; i < (size_t)got; i++)
				buf[2 * i] = buf[2 * i + 1] = mono[i];
		if (mr) {
			/* before the master, the master, after it */
			int64_t a = PM_MIN(PM_MAX(lead - pos, 0), got);
			int64_t b = PM_MIN(PM_MAX(lead + mlen - pos, a), got);

			compare_silence(buf, (size_t)a, pos, m);
			if (b > a)
				compare_master(mr, minfo.channels, mbuf,
					       buf + 2 * a, (size_t)(b - a), tol,
					       edge, mlen, &quiet, m);
			compare_silence(buf + 2 * b, (size_t)(got - b), pos + b,
					m);
		}
		pos += got;
		if (verify_probe_add(&p, buf, (size_t)got, err) < 0)
			goto out;
	}
	commit_pending(&quiet, m);
	if (got < 0 || verify_probe_finish(&p, m, err) < 0)
		goto out;
	*keep = p.k;
	p.k = NULL;
	ret = 0;
out:
	pm_bs1770_free(p.k);
	pm_truepeak_free(p.tp);
	pm_audio_close(r);
	pm_audio_close(mr);
	free(buf);
	free(mono);
	free(mbuf);
	return ret;
}

/* Silence, clipping and DC of one file, as findings. */
void verify_qc(struct pm_verify *v, const struct pm_measured *m)
{
	double lead = verify_rule_value(v, "leading-silence", 10.0);
	double trail = verify_rule_value(v, "trailing-silence", 10.0);
	double dc = verify_rule_value(v, "dc-offset", -40.0);

	if (m->lead_silence_s > lead)
		verify_find(v, "leading-silence", PM_SEV_WARNING, m->name,
		     "%.1f s of silence before the audio (more than %.0f s)",
		     m->lead_silence_s, lead);
	if (m->trail_silence_s > trail)
		verify_find(v, "trailing-silence", PM_SEV_WARNING, m->name,
		     "%.1f s of silence after the audio (more than %.0f s)",
		     m->trail_silence_s, trail);
	if (m->clipped_runs)
		verify_find(v, "clipping", PM_SEV_WARNING, m->name,
		     "%u run%s of three or more samples at full scale",
		     m->clipped_runs, m->clipped_runs == 1 ? "" : "s");
	if (m->dc_db > dc)
		verify_find(v, "dc-offset", PM_SEV_WARNING, m->name,
		     "DC offset at %.1f dBFS (above %.0f dBFS)", m->dc_db, dc);
}

#define HOT_TOLERANCE_LU 0.1

/* Loudness against the target, true peak against the ceiling. */
void verify_levels(struct pm_verify *v, struct pm_deliverable *d,
		   struct pm_bs1770 **meters, double hot_above, double hot_ceiling,
		   bool has_hot)
{
	const struct pm_loudness *ld = &v->album->mastering.loudness;
	double tol = verify_rule_value(v, "loudness-target", 1.0);
	double spread = verify_rule_value(v, "loudness-spread", 10.0);
	double lo = HUGE_VAL, hi = -HUGE_VAL, level;
	size_t i;

	if (d->n == 0)
		return;
	d->album_lufs = pm_bs1770_global(meters, d->n);
	/* a master made at the threshold measures a few hundredths either
	 * side of it once encoded; only a clearly louder one is "louder" */
	if (has_hot && d->album_lufs > hot_above + HOT_TOLERANCE_LU)
		d->ceiling_dbtp = hot_ceiling;
	for (i = 0; i < d->n; i++) {
		const struct pm_measured *m = &d->m[i];
		/* the loud-file rule holds file by file too */
		double ceiling = has_hot && isfinite(m->lufs) &&
						 m->lufs > hot_above + HOT_TOLERANCE_LU
					 ? PM_MIN(d->ceiling_dbtp, hot_ceiling)
					 : d->ceiling_dbtp;

		if (m->true_peak_dbtp > ceiling)
			verify_find(v, "true-peak", PM_SEV_ERROR, m->name,
			     "true peak %.3f dBTP is over the %.2f dBTP ceiling%s",
			     m->true_peak_dbtp, ceiling,
			     ceiling < d->ceiling_dbtp ? " of a loud file" : "");
		if (isfinite(m->lufs)) {
			lo = PM_MIN(lo, m->lufs);
			hi = PM_MAX(hi, m->lufs);
		}
		if (d->has_target && ld->mode == PM_LOUDNESS_TRACK &&
		    isfinite(m->lufs) && fabs(m->lufs - d->target_lufs) > tol)
			verify_find(v, "loudness-target", PM_SEV_ERROR, m->name,
			     "%.2f LUFS, %.2f LU from the %.1f LUFS target (tolerance %.2f)",
			     m->lufs, m->lufs - d->target_lufs, d->target_lufs, tol);
	}
	if (hi > lo && hi - lo > spread)
		verify_find(v, "loudness-spread", PM_SEV_WARNING, d->name,
		     "track loudness spans %.1f LU (%.1f to %.1f LUFS)", hi - lo,
		     lo, hi);
	if (!d->has_target || ld->mode == PM_LOUDNESS_TRACK)
		return;
	level = d->album_lufs;
	if (ld->loudest_track)
		level = hi;
	if (ld->mode == PM_LOUDNESS_ANCHOR) {
		const struct pm_track *an = pm_album_track(v->album, ld->anchor);

		if (an && (size_t)(an - v->album->tracks) < d->n)
			level = d->m[an - v->album->tracks].lufs;
	}
	if (isfinite(level) && fabs(level - d->target_lufs) > tol)
		verify_find(v, "loudness-target",
		     strcmp(d->name, "vinyl") == 0 ? PM_SEV_WARNING : PM_SEV_ERROR,
		     d->name,
		     "%s loudness %.2f LUFS, %.2f LU from the %.1f LUFS target (tolerance %.2f)",
		     ld->mode == PM_LOUDNESS_ANCHOR ? "the anchor's"
		     : ld->loudest_track	    ? "the loudest track's"
						    : "album",
		     level, level - d->target_lufs, d->target_lufs, tol);
}
