/* SPDX-License-Identifier: GPL-3.0-or-later */
/* master.c: the two-pass album mastering engine (see mastering.h). */
#include <config.h>

#include "master/master.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "album/paths.h"
#include "album/sources.h"
#include "cd/msf.h"
#include "dsp/biquad.h"
#include "dsp/bs1770.h"
#include "dsp/dynamics.h"
#include "dsp/fft.h"
#include "dsp/limiter.h"
#include "dsp/loudness.h"
#include "dsp/resample.h"
#include "dsp/truepeak.h"
#include "io/audio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/outdir.h"
#include "util/pool.h"
#include "util/progress.h"

#include "util/db.h"
#include "util/simd.h"

#if PM_HAVE_AVX2
#include <immintrin.h>
#endif

#include "util/banned.h"

#define BLOCK 8192        /* frames per processing block */
#define SPECTRUM_N 4096   /* long-term spectrum frame */
/*
 * A render is repeated when the loudness is further off than this: the
 * promise is 0.1 LU when the limiter takes at most 1 dB and 0.3 LU
 * otherwise; these aim well inside it.
 */
#define TOLERANCE_LU 0.05
#define TOLERANCE_LIMITED_LU 0.15
#define MAX_RENDERS 4

const double pm_tone_band_hz[PM_TONE_BANDS] = { 31.5, 63,   125,  250,  500,
						1000, 2000, 4000, 8000, 16000 };

static double db(double x)
{
	return x > 0 ? 20 * log10(x) : -HUGE_VAL;
}

/* ------------------------------------------------------------------ */
/* The chain every target shares                                        */
/* ------------------------------------------------------------------ */

struct shared {
	struct pm_biquad_cascade *track_eq, *album_eq, *tone_eq;
	struct pm_comp *comp;
	float gain; /* the track's mastering gain trim */
};

static void shared_free(struct shared *s)
{
	pm_biquad_cascade_free(s->track_eq);
	pm_biquad_cascade_free(s->album_eq);
	pm_biquad_cascade_free(s->tone_eq);
	pm_comp_free(s->comp);
	memset(s, 0, sizeof(*s));
}

static int shared_init(struct shared *s, const struct pm_album *a, size_t i,
		       uint32_t rate, const struct pm_tone_result *tone,
		       struct pm_err *err)
{
	const struct pm_mastering *m = &a->mastering;

	memset(s, 0, sizeof(*s));
	s->gain = 1.0f;
	if (i != PM_DISC) {
		const struct pm_track_master *tm = &a->tracks[i].master;

		if (tm->gain_db != 0)
			s->gain = (float)pm_db_to_gain(tm->gain_db);
		if (tm->eq.nbands) {
			s->track_eq = pm_biquad_cascade_new_eq(&tm->eq, 2, rate, err);
			if (!s->track_eq)
				goto fail;
		}
	}
	if (m->eq.nbands) {
		s->album_eq = pm_biquad_cascade_new_eq(&m->eq, 2, rate, err);
		if (!s->album_eq)
			goto fail;
	}
	if (tone && (tone->low_shelf_db != 0 || tone->high_shelf_db != 0)) {
		struct pm_biquad bq[2];

		if (pm_biquad_design(&bq[0], PM_BIQUAD_LOW_SHELF, 250,
				     tone->low_shelf_db, 0.7071, rate, err) < 0 ||
		    pm_biquad_design(&bq[1], PM_BIQUAD_HIGH_SHELF, 4000,
				     tone->high_shelf_db, 0.7071, rate, err) < 0)
			goto fail;
		s->tone_eq = pm_biquad_cascade_new(2, bq, 2, err);
		if (!s->tone_eq)
			goto fail;
	}
	if (m->comp.enabled) {
		s->comp = pm_comp_new(&m->comp, 2, rate, err);
		if (!s->comp)
			goto fail;
	}
	return 0;
fail:
	shared_free(s);
	return -1;
}

static void shared_process(struct shared *s, float *buf, size_t n)
{
	size_t j;

	if (s->gain != 1.0f)
		for (j = 0; j < n * 2; j++)
			buf[j] *= s->gain;
	if (s->track_eq)
		pm_biquad_cascade_process(s->track_eq, buf, buf, n);
	if (s->album_eq)
		pm_biquad_cascade_process(s->album_eq, buf, buf, n);
	if (s->tone_eq)
		pm_biquad_cascade_process(s->tone_eq, buf, buf, n);
	if (s->comp)
		pm_comp_process(s->comp, buf, buf, n);
}

/* ------------------------------------------------------------------ */
/* Pass 1: analysis                                                     */
/* ------------------------------------------------------------------ */

struct spectrum {
	struct pm_fft *fft;
	double win[SPECTRUM_N];
	double frame[SPECTRUM_N];
	double power[SPECTRUM_N / 2 + 1];
	double band[PM_TONE_BANDS];
	signed char band_of[SPECTRUM_N / 2 + 1]; /* bin -> band, or -1 */
	size_t fill;
	unsigned count;
	uint32_t rate;
};

static int spectrum_init(struct spectrum *sp, uint32_t rate, struct pm_err *err)
{
	memset(sp, 0, sizeof(*sp));
	sp->rate = rate;
	sp->fft = pm_fft_new(SPECTRUM_N, err);
	if (!sp->fft)
		return -1;
	pm_window_fill(sp->win, SPECTRUM_N, PM_WINDOW_HANN, 0);
	for (size_t k = 0; k <= SPECTRUM_N / 2; k++) {
		double f = (double)k * rate / SPECTRUM_N;

		sp->band_of[k] = -1;
		for (int b = 0; k > 0 && b < PM_TONE_BANDS; b++) {
			double c = pm_tone_band_hz[b];

			if (f >= c / M_SQRT2 && f < c * M_SQRT2) {
				sp->band_of[k] = (signed char)b;
				break;
			}
		}
	}
	return 0;
}

/*
 * Mid channel; one frame in four is enough for a long-term average, and
 * only those frames are gathered.
 */
static void spectrum_add(struct spectrum *sp, const float *buf, size_t n)
{
	size_t j = 0, k;

	while (j < n) {
		size_t take = PM_MIN(n - j, SPECTRUM_N - sp->fill);

		if (sp->count % 4 == 0)
			for (k = 0; k < take; k++)
				sp->frame[sp->fill + k] =
					0.5 * ((double)buf[2 * (j + k)] +
					       buf[2 * (j + k) + 1]);
		sp->fill += take;
		j += take;
		if (sp->fill < SPECTRUM_N)
			continue;
		sp->fill = 0;
		if (sp->count++ % 4 != 0)
			continue;
		for (k = 0; k < SPECTRUM_N; k++)
			sp->frame[k] *= sp->win[k];
		pm_fft_power(sp->fft, sp->frame, sp->power);
		for (k = 1; k <= SPECTRUM_N / 2; k++)
			if (sp->band_of[k] >= 0)
				sp->band[sp->band_of[k]] += sp->power[k];
	}
}

static void spectrum_finish(struct spectrum *sp, double *band_db)
{
	int b;

	for (b = 0; b < PM_TONE_BANDS; b++)
		band_db[b] = sp->band[b] > 0 ? 10 * log10(sp->band[b]) : -200;
	pm_fft_free(sp->fft);
	sp->fft = NULL;
}

/* Full scale as a 16-bit converter reaches it. */
#define CLIP_LEVEL (32767.0f / 32768.0f)

/*
 * Per-channel sums, the sum of squares and the peak of stereo frames, in
 * two-lane doubles (left, right) with two accumulators each: no branch
 * and no long chain of dependent additions, so compilers vectorise it.
 */
#if PM_HAVE_VECTOR
typedef pm_v2d v2d;
typedef long long v2i __attribute__((vector_size(16)));
#else
#error "mastering.c needs GCC or clang vector extensions"
#endif

struct stats {
	double sum[2];  /* per channel */
	double sq;      /* sum of squares, both channels */
	double peak;
	float block_peak; /* of the last block */
	v2d sq_acc[2];
};

static void stats_init(struct stats *s)
{
	memset(s, 0, sizeof(*s));
}

static inline v2d vmax2(v2d a, v2d b)
{
	v2i gt = a > b;

	return (v2d)((gt & (v2i)a) | (~gt & (v2i)b));
}

static void stats_add(struct stats *s, const float *buf, size_t n)
{
	const v2i mag = { 0x7fffffffffffffffLL, 0x7fffffffffffffffLL };
	v2d sum0 = { 0, 0 }, sum1 = sum0, pk0 = sum0, pk1 = sum0;
	v2d sq0 = s->sq_acc[0], sq1 = s->sq_acc[1];
	size_t j = 0;

	for (; j + 2 <= n; j += 2) {
		v2d a = { buf[2 * j], buf[2 * j + 1] };
		v2d b = { buf[2 * j + 2], buf[2 * j + 3] };

		sum0 += a;
		sum1 += b;
		sq0 += a * a;
		sq1 += b * b;
		pk0 = vmax2((v2d)((v2i)a & mag), pk0);
		pk1 = vmax2((v2d)((v2i)b & mag), pk1);
	}
	for (; j < n; j++) {
		v2d a = { buf[2 * j], buf[2 * j + 1] };

		sum0 += a;
		sq0 += a * a;
		pk0 = vmax2((v2d)((v2i)a & mag), pk0);
	}
	/* block sums go into the totals, so the error does not grow */
	sum0 += sum1;
	s->sum[0] += sum0[0];
	s->sum[1] += sum0[1];
	s->sq_acc[0] = sq0;
	s->sq_acc[1] = sq1;
	pk0 = vmax2(pk0, pk1);
	s->block_peak = (float)(pk0[0] > pk0[1] ? pk0[0] : pk0[1]);
	if (s->block_peak > s->peak)
		s->peak = s->block_peak;
}

static void stats_finish(struct stats *s)
{
	v2d q = s->sq_acc[0] + s->sq_acc[1];

	s->sq = q[0] + q[1];
}

struct pass1 {
	const struct pm_album *a;
	const struct pm_inputs *in;
	size_t track; /* or PM_DISC */
	struct pm_source_analysis *out;
	struct pm_bs1770 *chain_meter; /* kept for album loudness, owned */
	struct pm_bs1770 *src_meter;   /* likewise */
	const char *ref_path;          /* the tone reference instead */
	bool chain_peak;               /* measure the shared chain's peak */
	int status;
	struct pm_err err;
};

static int analyse(struct pass1 *p)
{
	struct pm_err *err = &p->err;
	struct pm_source_analysis *o = p->out;
	struct pm_track_reader *r = NULL;
	struct pm_audio_reader *ref = NULL;
	struct pm_audio_info info;
	struct pm_truepeak *tp_src = NULL, *tp_chain = NULL;
	struct shared sh = { 0 };
	struct spectrum sp = { 0 };
	float *buf = NULL, *mono = NULL;
	struct stats st;
	unsigned run = 0;
	uint32_t rate;
	int64_t left, total;
	int ret = -1;

	memset(o, 0, sizeof(*o));
	stats_init(&st);
	if (p->ref_path) {
		ref = pm_audio_open(p->ref_path, &info, err);
		if (!ref)
			goto out;
		rate = info.rate;
		left = info.length_samples;
		if (info.channels > 2) {
			pm_err_set(err, PM_EFORMAT, "'%s': only mono or stereo", p->ref_path);
			goto out;
		}
	} else {
		rate = p->track == PM_DISC ? p->in->htoa_rate : p->in->rate[p->track];
		left = p->track == PM_DISC ? p->in->htoa_length
					   : p->in->length[p->track];
		r = pm_track_open(p->in, p->track, err);
		if (!r)
			goto out;
		info.channels = 2;
	}
	total = left;
	buf = pm_malloc(BLOCK * 2 * sizeof(float), err);
	mono = pm_malloc(BLOCK * sizeof(float), err);
	if (!buf || !mono || spectrum_init(&sp, rate, err) < 0)
		goto out;
	tp_src = pm_truepeak_new(2, rate, 4, 0, err);
	p->src_meter = pm_bs1770_new(2, rate, err);
	if (!tp_src || !p->src_meter)
		goto out;
	if (!p->ref_path) {
		if (p->chain_peak) {
			tp_chain = pm_truepeak_new(2, rate, 4, 0, err);
			if (!tp_chain)
				goto out;
		}
		p->chain_meter = pm_bs1770_new(2, rate, err);
		if (!p->chain_meter ||
		    shared_init(&sh, p->a, p->track, rate, NULL, err) < 0)
			goto out;
	}
	while (left > 0) {
		size_t n = (size_t)PM_MIN((int64_t)BLOCK, left), j;

		if (pm_interrupted()) {
			pm_err_set(err, PM_EINTR, "interrupted");
			goto out;
		}
		if (ref) {
			int64_t got = pm_audio_read(ref, info.channels == 1 ? mono : buf,
						    (int64_t)n, err);

			if (got < 0)
				goto out;
			if (got == 0)
				break;
			n = (size_t)got;
			if (info.channels == 1)
				for (j = 0; j < n; j++)
					buf[2 * j] = buf[2 * j + 1] = mono[j];
		} else if (pm_track_read(r, buf, (int64_t)n, err) < 0) {
			goto out;
		}
		left -= (int64_t)n;
		stats_add(&st, buf, n);
		if (st.block_peak >= CLIP_LEVEL) {
			/* full scale reached: count the clipped runs exactly */
			for (j = 0; j < n * 2; j++) {
				if (fabsf(buf[j]) >= CLIP_LEVEL) {
					o->clipped_samples++;
					if (++run == 3)
						o->clipped_runs++;
				} else if ((j & 1) == 0) {
					run = 0;
				}
			}
		} else if (n > 0) {
			run = 0;
		}
		pm_truepeak_process(tp_src, buf, n, NULL);
		if (pm_bs1770_add(p->src_meter, buf, n, err) < 0)
			goto out;
		spectrum_add(&sp, buf, n);
		if (!ref) {
			shared_process(&sh, buf, n);
			if (tp_chain)
				pm_truepeak_process(tp_chain, buf, n, NULL);
			if (pm_bs1770_add(p->chain_meter, buf, n, err) < 0)
				goto out;
		}
	}
	pm_truepeak_flush(tp_src, NULL);
	o->integrated_lufs = pm_bs1770_integrated(p->src_meter);
	o->range_lu = pm_bs1770_range(p->src_meter);
	o->max_momentary_lufs = pm_bs1770_max_momentary(p->src_meter);
	o->max_shortterm_lufs = pm_bs1770_max_shortterm(p->src_meter);
	stats_finish(&st);
	o->sample_peak_db = db(st.peak);
	o->true_peak_dbtp = pm_truepeak_max_dbtp(tp_src);
	o->dc_db[0] = db(fabs(st.sum[0]) / (double)PM_MAX(total, 1));
	o->dc_db[1] = db(fabs(st.sum[1]) / (double)PM_MAX(total, 1));
	o->rms_db = 10 * log10(st.sq / (2.0 * (double)PM_MAX(total, 1)) + 1e-30);
	o->crest_db = o->sample_peak_db - o->rms_db;
	spectrum_finish(&sp, o->band_db);
	if (!ref) {
		o->chain_lufs = pm_bs1770_integrated(p->chain_meter);
		o->chain_peak_dbtp = -HUGE_VAL;
		if (tp_chain) {
			pm_truepeak_flush(tp_chain, NULL);
			o->chain_peak_dbtp = pm_truepeak_max_dbtp(tp_chain);
		}
		o->chain_max_gr_db = sh.comp ? pm_comp_max_reduction_db(sh.comp) : 0;
	}
	ret = 0;
out:
	if (sp.fft)
		pm_fft_free(sp.fft);
	shared_free(&sh);
	pm_truepeak_free(tp_src);
	pm_truepeak_free(tp_chain);
	pm_track_close(r);
	pm_audio_close(ref);
	free(buf);
	free(mono);
	return ret;
}

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

	p->status = analyse(p);
}

/* ------------------------------------------------------------------ */
/* Tonal consistency                                                    */
/* ------------------------------------------------------------------ */

/* Level-match two spectra (mean over the bands) and subtract. */
static void deviation(const double *a, const double *b, double *dev)
{
	double mean = 0;
	int k;

	for (k = 0; k < PM_TONE_BANDS; k++)
		mean += a[k] - b[k];
	mean /= PM_TONE_BANDS;
	for (k = 0; k < PM_TONE_BANDS; k++)
		dev[k] = a[k] - b[k] - mean;
}

static double clampd(double x, double lim)
{
	return x > lim ? lim : x < -lim ? -lim : x;
}

static void tone(struct pm_master_run *run)
{
	const struct pm_tone *cfg = &run->album->mastering.tone;
	double avg[PM_TONE_BANDS] = { 0 }, norm[PM_TONE_BANDS];
	size_t i;
	int k;

	for (i = 0; i < run->ntracks; i++) {
		double mean = 0;

		for (k = 0; k < PM_TONE_BANDS; k++)
			mean += run->source[i].band_db[k];
		mean /= PM_TONE_BANDS;
		for (k = 0; k < PM_TONE_BANDS; k++)
			avg[k] += (run->source[i].band_db[k] - mean) /
				  (double)run->ntracks;
	}
	for (i = 0; i < run->ntracks; i++) {
		struct pm_tone_result *t = &run->tone[i];
		double sx = 0, sy = 0, sxx = 0, sxy = 0, lo = 0, hi = 0;

		deviation(run->source[i].band_db, avg, t->dev_db);
		if (run->has_reference)
			deviation(run->source[i].band_db, run->reference_band_db,
				  t->ref_dev_db);
		for (k = 0; k < PM_TONE_BANDS; k++) {
			sx += k;
			sy += t->dev_db[k];
			sxx += (double)k * k;
			sxy += k * t->dev_db[k];
		}
		t->tilt_db_per_oct = (PM_TONE_BANDS * sxy - sx * sy) /
				     (PM_TONE_BANDS * sxx - sx * sx);
		if (cfg->mode != PM_TONE_MATCH)
			continue;
		/* toward the reference when there is one, else the album */
		memcpy(norm, run->has_reference ? t->ref_dev_db : t->dev_db,
		       sizeof(norm));
		for (k = 0; k < 4; k++)
			lo += norm[k] / 4; /* 31.5 .. 250 Hz */
		for (k = 7; k < PM_TONE_BANDS; k++)
			hi += norm[k] / 3; /* 4 .. 16 kHz */
		t->low_shelf_db = clampd(-lo, cfg->max_db);
		t->high_shelf_db = clampd(-hi, cfg->max_db);
		t->tilt_db = t->high_shelf_db - t->low_shelf_db;
	}
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
	if (limiter)
		return;
	/*
	 * No limiter (vinyl, or the album turned it off): a linear gain that
	 * stops at the ceiling.  In album and anchor modes the album keeps
	 * one gain, so the loudest peak decides for all.
	 */
	for (i = 0; i < run->ntracks; i++) {
		double room = tr->ceiling_dbtp - PM_LIMITER_MARGIN_DB -
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

/* ------------------------------------------------------------------ */
/* Pass 2: rendering                                                    */
/* ------------------------------------------------------------------ */

struct lane {
	struct pm_target_result *tr;
	struct pm_render_result *res;
	int group;     /* the rate group it reads from, or -1: the source */
	struct pm_lfmono *lfmono;
	struct pm_limiter_state *lim;
	struct pm_truepeak *tp_in, *tp_out; /* tp_in only without a limiter */
	struct pm_audio_writer *w;
	char *path;
	float *a, *b;  /* work buffers */
	size_t cap;    /* frames they hold */
	size_t skip;   /* limiter latency still to drop */
	float gain;
	bool vinyl;
	bool int24;    /* the master is 24-bit: quantise before measuring */
	int64_t written;
};

struct pass2 {
	struct pm_master_run *run;
	const struct pm_inputs *in;
	size_t track; /* or PM_DISC */
	struct pm_outdir *dirs; /* per target, borrowed */
	bool *want;             /* per target: render it this time */
	struct pm_bs1770 **meters; /* per target: this track's output meter */
	int status;
	struct pm_err err;
};

static void lane_free(struct lane *l)
{
	pm_lfmono_free(l->lfmono);
	pm_limiter_free(l->lim);
	pm_truepeak_free(l->tp_in);
	pm_truepeak_free(l->tp_out);
	if (l->w)
		pm_audio_finish(l->w, NULL);
	free(l->path);
	free(l->a);
	free(l->b);
	memset(l, 0, sizeof(*l));
}

static int lane_init(struct lane *l, struct pass2 *p, size_t ti,
		     struct pm_err *err)
{
	const struct pm_album *a = p->run->album;
	struct pm_target_result *tr = &p->run->targets[ti];
	bool htoa = p->track == PM_DISC;
	uint32_t rate = htoa ? PM_CD_RATE : pm_target_rate(&tr->target, a, p->track);
	struct pm_audio_spec spec = { .format = PM_FORMAT_WAV, .rate = rate,
				      .channels = 2, .bits = 0 };
	struct pm_limiter_opts lo;
	char name[96];

	memset(l, 0, sizeof(*l));
	l->tr = tr;
	l->res = htoa ? &tr->htoa : &tr->track[p->track];
	l->res->rate = rate;
	l->gain = (float)pm_db_to_gain(htoa ? tr->track[0].gain_db : l->res->gain_db);
	l->vinyl = tr->target.kind == PM_TARGET_VINYL;
	/*
	 * A target delivered as 24-bit PCM gets a 24-bit master: the
	 * sequencer would quantise it to those very values (it dithers only
	 * to 16 bits), and a quarter fewer bytes are written.  The CD and
	 * float targets keep float masters (the CD's 16-bit dither needs
	 * them; 16-bit material at unity gain stays bit-identical).
	 */
	l->int24 = tr->target.kind != PM_TARGET_CD && tr->target.bits == 24 &&
		   (tr->target.format == PM_FORMAT_WAV ||
		    tr->target.format == PM_FORMAT_FLAC ||
		    tr->target.format == PM_FORMAT_AIFF);
	if (l->int24 && !htoa)
		spec.bits = 24;
	else
		l->int24 = false;
	l->cap = BLOCK;
	if (l->vinyl) {
		l->lfmono = pm_lfmono_new(rate, a->vinyl.lf_mono_hz, err);
		if (!l->lfmono)
			return -1;
	}
	if (tr->target.limiter && a->mastering.limiter.enabled) {
		pm_limiter_opts_from_album(&lo, &a->mastering.limiter,
					   tr->ceiling_dbtp);
		l->lim = pm_limiter_new(&lo, 2, rate, err);
		if (!l->lim)
			return -1;
		l->skip = pm_limiter_latency_samples(l->lim);
		l->cap = PM_MAX(l->cap, l->skip);
	}
	l->a = pm_malloc(l->cap * 2 * sizeof(float), err);
	l->b = pm_malloc(l->cap * 2 * sizeof(float), err);
	if (!l->lim)
		l->tp_in = pm_truepeak_new(2, rate, 4, 0, err);
	l->tp_out = pm_truepeak_new(2, rate, 4, 0, err);
	if (!l->a || !l->b || (!l->lim && !l->tp_in) || !l->tp_out)
		return -1;
	if (htoa)
		pm_htoa_file_name(a, name, sizeof(name));
	else
		pm_track_file_name(a, p->track, "wav", name, sizeof(name));
	l->path = pm_outdir_path(&p->dirs[ti], name, err);
	if (!l->path)
		return -1;
	l->w = pm_audio_create(l->path, &spec, NULL, err);
	return l->w ? 0 : -1;
}

/*
 * Round to the 24-bit grid in place, clipped, as lib/audio writes it (x
 * 2^23 rounded half to even): the master's samples are then measured as
 * they are stored.  1.5 * 2^52 added and taken away rounds a double.
 */
#if PM_HAVE_AVX2
/*
 * The same, eight at a time: round half to even (as the magic number
 * does), clip (min() gives its second operand for a NaN, as the scalar
 * comparison does), scale back.  Returns how many were done.
 */
PM_TARGET_AVX2_INT static size_t quantise24_avx2(float *x, size_t n)
{
	const __m256d up = _mm256_set1_pd(8388608.0);
	const __m256d down = _mm256_set1_pd(1.0 / 8388608.0);
	const __m256d hi = _mm256_set1_pd(8388607.0);
	const __m256d lo = _mm256_set1_pd(-8388608.0);
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		__m256 f = _mm256_loadu_ps(x + i);
		__m256d a = _mm256_cvtps_pd(_mm256_castps256_ps128(f));
		__m256d b = _mm256_cvtps_pd(_mm256_extractf128_ps(f, 1));

		a = _mm256_round_pd(_mm256_mul_pd(a, up),
				    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
		b = _mm256_round_pd(_mm256_mul_pd(b, up),
				    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
		a = _mm256_mul_pd(_mm256_max_pd(_mm256_min_pd(a, hi), lo), down);
		b = _mm256_mul_pd(_mm256_max_pd(_mm256_min_pd(b, hi), lo), down);
		_mm256_storeu_ps(x + i,
				 _mm256_set_m128(_mm256_cvtpd_ps(b),
						 _mm256_cvtpd_ps(a)));
	}
	return i;
}
#define HAVE_QUANTISE24_AVX2 1
#endif

static void quantise24(float *x, size_t n)
{
	const double magic = 6755399441055744.0;
	size_t i = 0;

#ifdef HAVE_QUANTISE24_AVX2
	if (pm_cpu_avx2())
		i = quantise24_avx2(x, n);
#endif
	for (; i < n; i++) {
		double v = ((double)x[i] * 8388608.0 + magic) - magic;

		v = v < 8388607.0 ? v : 8388607.0;
		v = v > -8388608.0 ? v : -8388608.0;
		x[i] = (float)(v * (1.0 / 8388608.0));
	}
}

/* Width, LF-mono, gain, limiter, measure, write: `n` frames in l->a. */
static int lane_tail(struct lane *l, size_t n, bool flush, struct pm_bs1770 *m,
		     struct pm_err *err)
{
	float *x = l->a, *y = l->b;
	size_t j, k = n;

	if (n) {
		if (l->lfmono)
			pm_lfmono_process(l->lfmono, x, x, n);
		if (l->gain != 1.0f)
			for (j = 0; j < n * 2; j++)
				x[j] *= l->gain;
		if (l->tp_in)
			pm_truepeak_process(l->tp_in, x, n, NULL);
	}
	if (l->lim) {
		if (n)
			pm_limiter_process(l->lim, x, y, n);
		if (flush) {
			/* the limiter's delay line: its last `latency` frames */
			size_t lat = pm_limiter_latency_samples(l->lim);

			pm_limiter_flush(l->lim, y + n * 2);
			k = n + lat;
		}
		x = y;
		if (l->skip) {
			size_t d = PM_MIN(l->skip, k);

			x += d * 2;
			k -= d;
			l->skip -= d;
		}
	}
	if (k == 0)
		return 0;
	if (l->int24)
		quantise24(x, k * 2);
	pm_truepeak_process(l->tp_out, x, k, NULL);
	if (pm_bs1770_add(m, x, k, err) < 0)
		return -1;
	l->written += (int64_t)k;
	return pm_audio_write(l->w, x, (int64_t)k, err);
}

/*
 * Make the work buffers hold `frames`.  The resampler may give out more
 * than its first call promised (what it held back for its filter's delay
 * comes out with later input), so the room is checked before each call.
 */
static int lane_reserve(struct lane *l, size_t frames, struct pm_err *err)
{
	float *a, *b;

	if (frames <= l->cap)
		return 0;
	a = pm_reallocarray(l->a, frames * 2, sizeof(float), err);
	if (!a)
		return -1;
	l->a = a;
	b = pm_reallocarray(l->b, frames * 2, sizeof(float), err);
	if (!b)
		return -1;
	l->b = b;
	l->cap = frames;
	return 0;
}

static int lane_push(struct lane *l, const float *in, size_t n,
		     struct pm_bs1770 *m, struct pm_err *err)
{
	if (lane_reserve(l, n, err) < 0)
		return -1;
	memcpy(l->a, in, n * 2 * sizeof(float));
	return lane_tail(l, n, false, m, err);
}

/* The last `n` frames (a resampler's tail, or none), and the end. */
static int lane_finish(struct lane *l, const float *in, size_t n,
		       struct pm_bs1770 *m, struct pm_err *err)
{
	/* the limiter's flush needs room after them */
	if (lane_reserve(l, n + (l->lim ? pm_limiter_latency_samples(l->lim)
					: 0),
			 err) < 0)
		return -1;
	if (n)
		memcpy(l->a, in, n * 2 * sizeof(float));
	if (lane_tail(l, n, true, m, err) < 0)
		return -1;
	pm_truepeak_flush(l->tp_out, NULL);
	if (l->tp_in) {
		pm_truepeak_flush(l->tp_in, NULL);
		l->res->peak_in_dbtp = pm_truepeak_max_dbtp(l->tp_in);
	} else {
		l->res->peak_in_dbtp = pm_limiter_input_peak_dbtp(l->lim);
	}
	l->res->peak_out_dbtp = pm_truepeak_max_dbtp(l->tp_out);
	l->res->max_gr_db = l->lim ? pm_limiter_max_reduction_db(l->lim) : 0;
	l->res->length_samples = l->written;
	l->res->trim_db = 0;
	{
		struct pm_audio_writer *w = l->w;

		l->w = NULL;
		return pm_audio_finish(w, err);
	}
}

/*
 * A master over its ceiling (the limiter aims under it, but a master
 * without one, or resampler ringing, can pass): scale it by a static trim
 * measured against the same interpolator, and rewrite it.
 */
static int trim(struct lane *l, double trim_db, struct pm_err *err)
{
	struct pm_audio_reader *r = NULL;
	struct pm_audio_writer *w = NULL;
	struct pm_audio_info info;
	struct pm_audio_spec spec = { .format = PM_FORMAT_WAV, .channels = 2,
				      .bits = 0 };
	float g = (float)pm_db_to_gain(trim_db);
	char *tmp = NULL;
	size_t n = strlen(l->path) + 8;
	int64_t got, j;
	int ret = -1;

	tmp = pm_malloc(n, err);
	if (!tmp)
		return -1;
	snprintf(tmp, n, "%s.trim", l->path);
	r = pm_audio_open(l->path, &info, err);
	if (!r)
		goto out;
	spec.rate = info.rate;
	spec.bits = l->int24 ? 24 : 0;
	w = pm_audio_create(tmp, &spec, NULL, err);
	if (!w)
		goto out;
	while ((got = pm_audio_read(r, l->a, (int64_t)l->cap, err)) > 0) {
		for (j = 0; j < got * 2; j++)
			l->a[j] *= g;
		if (pm_audio_write(w, l->a, got, err) < 0)
			goto out;
	}
	if (got < 0)
		goto out;
	ret = pm_audio_finish(w, err);
	w = NULL;
	if (ret == 0 && rename(tmp, l->path) < 0)
		ret = pm_err_sys(err, PM_EIO, "cannot replace '%s'", l->path);
	l->res->trim_db = trim_db;
	l->res->peak_out_dbtp += trim_db;
out:
	pm_audio_finish(w, NULL);
	pm_audio_close(r);
	free(tmp);
	return ret;
}

/*
 * The lanes that want one output rate share its resampler: the CD and the
 * vinyl cut of a 96 kHz track convert it once.
 */
struct rgroup {
	uint32_t rate;
	struct pm_resampler *rs;
	float *buf;
	size_t cap; /* frames buf holds */
	size_t got; /* frames in it */
};

static int rgroup_reserve(struct rgroup *g, size_t frames, struct pm_err *err)
{
	float *b;

	if (frames <= g->cap)
		return 0;
	b = pm_reallocarray(g->buf, frames * 2, sizeof(float), err);
	if (!b)
		return -1;
	g->buf = b;
	g->cap = frames;
	return 0;
}

static int render(struct pass2 *p)
{
	struct pm_master_run *run = p->run;
	struct pm_err *err = &p->err;
	struct pm_track_reader *r = NULL;
	struct shared sh = { 0 };
	struct lane *lanes = NULL;
	struct rgroup *groups = NULL;
	float *buf = NULL;
	double width = run->album->mastering.width;
	uint32_t rate;
	int64_t left;
	size_t t, g, ng = 0;
	int ret = -1;
	const struct pm_tone_result *tone =
		p->track == PM_DISC ? NULL : &run->tone[p->track];

	rate = p->track == PM_DISC ? p->in->htoa_rate : p->in->rate[p->track];
	left = p->track == PM_DISC ? p->in->htoa_length : p->in->length[p->track];
	lanes = pm_calloc(run->ntargets, sizeof(*lanes), err);
	groups = pm_calloc(run->ntargets, sizeof(*groups), err);
	buf = pm_malloc(BLOCK * 2 * sizeof(float), err);
	if (!lanes || !groups || !buf)
		goto out;
	r = pm_track_open(p->in, p->track, err);
	if (!r || shared_init(&sh, run->album, p->track, rate, tone, err) < 0)
		goto out;
	for (t = 0; t < run->ntargets; t++) {
		if (!p->want[t])
			continue;
		if (p->track == PM_DISC && run->targets[t].target.kind != PM_TARGET_CD)
			continue;
		if (lane_init(&lanes[t], p, t, err) < 0)
			goto out;
		lanes[t].group = -1;
		if (lanes[t].res->rate == rate)
			continue;
		for (g = 0; g < ng && groups[g].rate != lanes[t].res->rate; g++)
			;
		if (g == ng) {
			groups[g].rate = lanes[t].res->rate;
			groups[g].rs = pm_resample_new(2, rate, groups[g].rate,
						       err);
			if (!groups[g].rs)
				goto out;
			ng++;
		}
		lanes[t].group = (int)g;
	}
	while (left > 0) {
		size_t n = (size_t)PM_MIN((int64_t)BLOCK, left);

		if (pm_interrupted()) {
			pm_err_set(err, PM_EINTR, "interrupted");
			goto out;
		}
		if (pm_track_read(r, buf, (int64_t)n, err) < 0)
			goto out;
		left -= (int64_t)n;
		shared_process(&sh, buf, n);
		/* the same width for every target: once, before resampling */
		if (width != 1.0)
			pm_width_process(buf, n, width);
		for (g = 0; g < ng; g++)
			if (rgroup_reserve(&groups[g],
					   pm_resample_room(groups[g].rs, n),
					   err) < 0 ||
			    pm_resample_process(groups[g].rs, buf, n,
						groups[g].buf, &groups[g].got,
						err) < 0)
				goto out;
		for (t = 0; t < run->ntargets; t++) {
			struct lane *l = &lanes[t];

			if (!l->w)
				continue;
			if (l->group < 0 &&
			    lane_push(l, buf, n, p->meters[t], err) < 0)
				goto out;
			if (l->group >= 0 &&
			    lane_push(l, groups[l->group].buf,
				      groups[l->group].got, p->meters[t],
				      err) < 0)
				goto out;
		}
	}
	for (g = 0; g < ng; g++)
		if (rgroup_reserve(&groups[g],
				   pm_resample_flush_room(groups[g].rs),
				   err) < 0 ||
		    pm_resample_flush(groups[g].rs, groups[g].buf,
				      &groups[g].got, err) < 0)
			goto out;
	for (t = 0; t < run->ntargets; t++) {
		struct lane *l = &lanes[t];
		int gi = l->group;

		if (!l->w)
			continue;
		if (lane_finish(l, gi < 0 ? NULL : groups[gi].buf,
				gi < 0 ? 0 : groups[gi].got, p->meters[t],
				err) < 0)
			goto out;
		if (l->res->peak_out_dbtp > l->tr->ceiling_dbtp &&
		    trim(l, pm_limiter_trim_db(l->res->peak_out_dbtp,
					       l->tr->ceiling_dbtp), err) < 0)
			goto out;
	}
	if (p->track != PM_DISC)
		run->source[p->track].chain_max_gr_db =
			sh.comp ? pm_comp_max_reduction_db(sh.comp)
				: run->source[p->track].chain_max_gr_db;
	ret = 0;
out:
	for (t = 0; lanes && t < run->ntargets; t++)
		lane_free(&lanes[t]);
	for (g = 0; groups && g < ng; g++) {
		pm_resample_free(groups[g].rs);
		free(groups[g].buf);
	}
	free(groups);
	free(lanes);
	free(buf);
	shared_free(&sh);
	pm_track_close(r);
	return ret;
}

static void pass2_job(void *job)
{
	struct pass2 *p = job;

	p->status = render(p);
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
	free(run->source);
	free(run->tone);
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
	pool_run(jobsv, n, sizeof(*jobsv), pass2_job, jobs, in);
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
	unsigned renders;
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

			if (analyse(&ref) < 0) {
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
		tone(run);

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

/* ------------------------------------------------------------------ */
/* The report                                                           */
/* ------------------------------------------------------------------ */

static void json_analysis(struct pm_json *j, const char *key,
			  const struct pm_source_analysis *s)
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
	pm_json_end(j, true);
}

static void json_render(struct pm_json *j, const struct pm_render_result *r)
{
	pm_json_fixed(j, "gain_db", r->gain_db, 2);
	pm_json_fixed(j, "true_peak_before_dbtp", r->peak_in_dbtp, 2);
	pm_json_fixed(j, "true_peak_after_dbtp", r->peak_out_dbtp, 3);
	pm_json_fixed(j, "limiter_max_reduction_db", r->max_gr_db, 2);
	pm_json_fixed(j, "trim_db", r->trim_db, 3);
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
		json_analysis(&j, "source", &run->source[i]);
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
