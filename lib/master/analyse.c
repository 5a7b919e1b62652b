/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * analyse.c: pass 1: analysing every source, and the album's tonal
 * consistency.
 */
#include <config.h>

#include "master/master-impl.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/banned.h"

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
#error "lib/master needs GCC or clang vector extensions"
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

/* a where a > b, else b (a NaN gives b) */
static inline v2d vmax2(v2d a, v2d b)
{
#ifdef __SSE2__
	/* the same choice in one instruction */
	return (v2d)_mm_max_pd((__m128d)a, (__m128d)b);
#else
	v2i gt = a > b;

	return (v2d)((gt & (v2i)a) | (~gt & (v2i)b));
#endif
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

int master_analyse(struct pass1 *p)
{
	struct pm_err *err = &p->err;
	struct pm_source_analysis *o = p->out;
	struct pm_track_reader *r = NULL;
	struct pm_audio_reader *ref = NULL;
	struct pm_audio_info info;
	struct pm_truepeak *tp_src = NULL, *tp_chain = NULL;
	struct pm_truepeak *stage_tp[PM_STAGES + 1] = { 0 };
	bool chain_own = false; /* tp_chain is not a stage's meter */
	size_t sg, k;
	struct shared sh = { 0 };
	struct spectrum sp = { 0 };
	float *buf = NULL, *src = NULL, *mono = NULL;
	struct stats st;
	struct silence_scan silence = { 0 };
	bool scan_silence = false; /* a track's source: o->silent is freed */
	unsigned run[2] = { 0, 0 }; /* per channel */
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
		master_silence_init(&silence, rate, &o->silent, &o->nsilent,
				    &o->silent_frames);
		scan_silence = p->track != PM_DISC;
		info.channels = 2;
		if (p->track != PM_DISC) {
			struct pm_defects_config dc;

			pm_defects_config_album(p->a, &dc);
			pm_repair_wanted(p->a, p->track, &o->repair_clicks,
					 &o->repair_clipping);
			dc.fix_clicks = o->repair_clicks;
			dc.fix_clipping = o->repair_clipping;
			o->defects = pm_defects_new(rate, &dc, err);
			if (!o->defects)
				goto out;
		}
	}
	total = left;
	buf = pm_malloc(BLOCK * 2 * sizeof(float), err);
	src = pm_malloc(BLOCK * 2 * sizeof(float), err);
	mono = pm_malloc(BLOCK * sizeof(float), err);
	if (!buf || !src || !mono || spectrum_init(&sp, rate, err) < 0)
		goto out;
	tp_src = pm_truepeak_new(2, rate, 4, 0, err);
	p->src_meter = pm_bs1770_new(2, rate, err);
	if (!tp_src || !p->src_meter)
		goto out;
	if (!p->ref_path) {
		p->chain_meter = pm_bs1770_new(2, rate, err);
		if (!p->chain_meter ||
		    master_shared_init(&sh, p->a, p->track, rate, NULL, err) < 0 ||
		    master_shared_linear(&sh, p->a, p->track, rate, 1, err) < 0)
			goto out;
		/* what each filter does to the true peak, when there are
		 * filters */
		if (p->chain_peak &&
		    (sh.nlinhp || sh.track_eq || sh.album_eq || sh.comp)) {
			bool has[PM_STAGES + 1] = {
				true, sh.nlinhp > 0, sh.track_eq != NULL,
				sh.album_eq != NULL, sh.comp != NULL
			};

			for (sg = 0; sg <= PM_STAGES; sg++) {
				if (!has[sg])
					continue;
				/* with no gain trim (and no DC known yet) the
				 * filters' input is the source: its meter */
				if (sg == 0 && sh.gain == 1.0f &&
				    sh.dc.dc[0] == 0.0f && sh.dc.dc[1] == 0.0f) {
					stage_tp[0] = tp_src;
					continue;
				}
				stage_tp[sg] = pm_truepeak_new(2, rate, 4, 0, err);
				if (!stage_tp[sg])
					goto out;
				sh.stage_tp[sg] = stage_tp[sg];
			}
		}
		/* what leaves the compressor leaves the chain: one meter */
		if (p->chain_peak) {
			tp_chain = stage_tp[1 + PM_STAGE_COMPRESSOR];
			if (!tp_chain) {
				tp_chain = pm_truepeak_new(2, rate, 4, 0, err);
				chain_own = true;
			}
			if (!tp_chain)
				goto out;
		}
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
		if (!ref)
			pm_progress_add((double)n / rate);
		stats_add(&st, buf, n);
		if (scan_silence &&
		    master_silence_add(&silence, buf, n) < 0) {
			pm_err_set(err, PM_ENOMEM, "out of memory");
			goto out;
		}
		if (st.block_peak >= CLIP_LEVEL) {
			/* full scale reached: count the clipped runs exactly */
			for (j = 0; j < n * 2; j++) {
				if (fabsf(buf[j]) >= CLIP_LEVEL) {
					o->clipped_samples++;
					if (++run[j & 1] == 3)
						o->clipped_runs++;
				} else {
					run[j & 1] = 0;
				}
			}
		} else if (n > 0) {
			run[0] = run[1] = 0;
		}
		if (o->defects && pm_defects_add(o->defects, buf, n) < 0) {
			pm_err_set(err, PM_ENOMEM, "out of memory");
			goto out;
		}
		pm_truepeak_process(tp_src, buf, n, NULL);
		spectrum_add(&sp, buf, n);
		if (ref) {
			if (pm_bs1770_add(p->src_meter, buf, n, err) < 0)
				goto out;
		} else {
			/* the source and the chain's output, metered side
			 * by side */
			memcpy(src, buf, n * 2 * sizeof(float));
			master_shared_process(&sh, buf, n);
			if (chain_own)
				pm_truepeak_process(tp_chain, buf, n, NULL);
			if (pm_bs1770_add_pair(p->src_meter, src, p->chain_meter,
					       buf, n, err) < 0)
				goto out;
		}
	}
	/* what the linear-phase highpasses still hold */
	for (int64_t d = ref ? 0 : (int64_t)master_shared_delay(&sh); d > 0;) {
		size_t n = (size_t)PM_MIN((int64_t)BLOCK, d);

		master_shared_drain(&sh, buf, n);
		if (chain_own)
			pm_truepeak_process(tp_chain, buf, n, NULL);
		if (pm_bs1770_add(p->chain_meter, buf, n, err) < 0)
			goto out;
		d -= (int64_t)n;
	}
	pm_truepeak_flush(tp_src, NULL);
	o->integrated_lufs = pm_bs1770_integrated(p->src_meter);
	o->range_lu = pm_bs1770_range(p->src_meter);
	o->max_momentary_lufs = pm_bs1770_max_momentary(p->src_meter);
	o->max_shortterm_lufs = pm_bs1770_max_shortterm(p->src_meter);
	stats_finish(&st);
	o->sample_peak_db = pm_gain_to_db(st.peak);
	o->true_peak_dbtp = pm_truepeak_max_dbtp(tp_src);
	if (scan_silence && master_silence_finish(&silence) < 0) {
		pm_err_set(err, PM_ENOMEM, "out of memory");
		goto out;
	}
	/* the sound's mean: digital silence adds nothing to the sums */
	o->dc_mean[0] = st.sum[0] / (double)PM_MAX(total - o->silent_frames, 1);
	o->dc_mean[1] = st.sum[1] / (double)PM_MAX(total - o->silent_frames, 1);
	o->dc_db[0] = pm_gain_to_db(fabs(o->dc_mean[0]));
	o->dc_db[1] = pm_gain_to_db(fabs(o->dc_mean[1]));
	o->rms_db = 10 * log10(st.sq / (2.0 * (double)PM_MAX(total, 1)) + 1e-30);
	o->crest_db = o->sample_peak_db - o->rms_db;
	spectrum_finish(&sp, o->band_db);
	if (!ref) {
		o->chain_lufs = pm_bs1770_integrated(p->chain_meter);
		/* each meter ends once: the source's has already */
		for (sg = 0; sg <= PM_STAGES; sg++)
			if (stage_tp[sg] && stage_tp[sg] != tp_src)
				pm_truepeak_flush(stage_tp[sg], NULL);
		if (chain_own)
			pm_truepeak_flush(tp_chain, NULL);
		o->chain_peak_dbtp = tp_chain ? pm_truepeak_max_dbtp(tp_chain)
					      : -HUGE_VAL;
		o->chain_max_gr_db = sh.comp ? pm_comp_max_reduction_db(sh.comp) : 0;
		for (sg = 0; sg < PM_STAGES; sg++) {
			o->stage_tp_added_db[sg] = NAN;
			if (!stage_tp[sg + 1])
				continue;
			/* against the meter before it: the input or the last
			 * filter that was there */
			for (k = sg + 1; k-- > 0;)
				if (stage_tp[k])
					break;
			o->stage_tp_added_db[sg] =
				pm_truepeak_max_dbtp(stage_tp[sg + 1]) -
				pm_truepeak_max_dbtp(stage_tp[k]);
		}
	}
	if (o->defects && pm_defects_finish(o->defects, &o->defects_sum) < 0) {
		pm_err_set(err, PM_ENOMEM, "out of memory");
		goto out;
	}
	ret = 0;
out:
	if (sp.fft)
		pm_fft_free(sp.fft);
	master_shared_free(&sh);
	pm_truepeak_free(tp_src);
	if (chain_own)
		pm_truepeak_free(tp_chain);
	for (sg = 0; sg <= PM_STAGES; sg++)
		if (stage_tp[sg] != tp_src)
			pm_truepeak_free(stage_tp[sg]);
	pm_track_close(r);
	pm_audio_close(ref);
	free(buf);
	free(src);
	free(mono);
	return ret;
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

void master_tone(struct pm_master_run *run)
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
