/* SPDX-License-Identifier: GPL-3.0-or-later */
/* render.c: pass 2: rendering each track once per target. */
#include <config.h>

#include "master/master-impl.h"

#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* Pass 2: rendering                                                    */
/* ------------------------------------------------------------------ */

#define FINE_GATE_DB 1.5 /* see lane_init */
#define FINE_CHUNK 256   /* frames the fine meter skips or not at once */
#define FINE_REACH 64    /* frames either side of a chunk that count */

struct lane {
	struct pm_target_result *tr;
	struct pm_render_result *res;
	int group;     /* the rate group it reads from, or -1: the source */
	struct pm_lfmono *lfmono;
	struct pm_limiter_state *lim;
	struct pm_truepeak *tp_in, *tp_out; /* tp_in only without a limiter */
	struct pm_truepeak *tp_fine;        /* the fine 8x meter of the output */
	struct pm_audio_writer *w;
	char *path;
	float *a, *b;  /* work buffers */
	float *env;    /* the 4x meter's envelope of a block */
	float gate;    /* the fine meter works where that reaches this */
	size_t cap;    /* frames they hold */
	size_t skip;   /* limiter latency still to drop */
	size_t pre_skip; /* the shared chain's delay still to drop */
	float gain;
	bool vinyl;
	bool int24;    /* the master is 24-bit: quantise before measuring */
	int64_t written;
	/* what it wrote: the sums, and its runs of digital silence (for
	 * the DC that limiting can put back, taken out after) */
	double sum[2];
	struct silence_scan sil;
	struct pm_span *silent;
	size_t nsilent;
	int64_t silent_frames;
};

static void lane_free(struct lane *l)
{
	pm_lfmono_free(l->lfmono);
	pm_limiter_free(l->lim);
	pm_truepeak_free(l->tp_in);
	pm_truepeak_free(l->tp_out);
	pm_truepeak_free(l->tp_fine);
	if (l->w)
		pm_audio_finish(l->w, NULL);
	free(l->path);
	free(l->a);
	free(l->b);
	free(l->env);
	free(l->silent);
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
	/* the cut's LF mono is mastering too: pass-through has none */
	l->vinyl = tr->target.kind == PM_TARGET_VINYL &&
		   !tr->target.pass_through;
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
	l->res->ceiling_dbtp = htoa ? tr->ceiling_dbtp
				    : master_track_ceiling(p->run, tr, p->track);
	if (tr->target.limiter && a->mastering.limiter.enabled) {
		pm_limiter_opts_from_album(&lo, &a->mastering.limiter,
					   l->res->ceiling_dbtp);
		/*
		 * A track whose peak at this gain stays under the guard
		 * (as analysis measured it on the same 4x detector) keeps
		 * the guard as its aim: the limiter leaves it alone, and the
		 * master stays its mix times one gain (a trim, should the
		 * fine meter read over, is a static gain too).  One that is
		 * limited anyway gets the wider margin, so that it is seldom
		 * trimmed and written twice.
		 */
		if (!htoa) {
			const struct pm_source_analysis *sa =
				&p->run->source[p->track];
			/* measured after the shared chain only when a target
			 * without a limiter needs it; else the source's */
			double pk = isfinite(sa->chain_peak_dbtp)
					    ? sa->chain_peak_dbtp
					    : sa->true_peak_dbtp;

			if (pk + l->res->gain_db <=
			    l->res->ceiling_dbtp - PM_TRUEPEAK_GUARD_DB)
				lo.margin_db = PM_TRUEPEAK_GUARD_DB;
		}
		l->lim = pm_limiter_new(&lo, 2, rate, err);
		if (!l->lim)
			return -1;
		l->skip = pm_limiter_latency_samples(l->lim);
		l->cap = PM_MAX(l->cap, l->skip);
	}
	l->a = pm_malloc(l->cap * 2 * sizeof(float), err);
	l->b = pm_malloc(l->cap * 2 * sizeof(float), err);
	l->env = pm_malloc(l->cap * sizeof(float), err);
	if (!l->lim)
		l->tp_in = pm_truepeak_new(2, rate, 4, 0, err);
	l->tp_out = pm_truepeak_new(2, rate, 4, 0, err);
	l->tp_fine = pm_truepeak_new(2, rate, 8, PM_TRUEPEAK_FINE, err);
	if (!l->a || !l->b || !l->env || (!l->lim && !l->tp_in) ||
	    !l->tp_out || !l->tp_fine)
		return -1;
	/*
	 * Between the 4x meter's points a band-limited signal rises by at
	 * most 0.7 dB (a tone at Nyquist, a quarter of a sample from its
	 * crest is cos(pi/8) down): where the 4x envelope stays more than
	 * FINE_GATE_DB under the trim's threshold the fine meter cannot
	 * read over it, and need not interpolate.
	 */
	l->gate = (float)pm_db_to_gain(l->res->ceiling_dbtp -
				       PM_TRUEPEAK_GUARD_DB - FINE_GATE_DB);
	master_silence_init(&l->sil, rate, &l->silent, &l->nsilent,
			    &l->silent_frames);
	pm_truepeak_set_floor(l->tp_out, l->gate);
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
 * Round to the 24-bit grid in place, clipped, as io/audio writes it (x
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

/*
 * Feed `k` frames, whose 4x envelope is in l->env, to the fine meter:
 * in chunks, each interpolated only when the envelope around it reaches
 * the gate (and always at the edges of the call, where the envelope
 * around a chunk is not all here).
 */
static void fine_feed(struct lane *l, const float *x, size_t k)
{
	size_t lat = pm_truepeak_latency(l->tp_out), s, e, i, from = 0;

	/* chunks in a row that need no interpolation are skipped in one
	 * call, from `from` on */
	for (s = 0; s < k; s = e) {
		bool near;

		e = PM_MIN(k, s + FINE_CHUNK);
		near = s < FINE_REACH || e + FINE_REACH + lat > k;
		if (!near) {
			/* the envelope's largest, eight lanes at a time */
			const float *v = l->env + s - FINE_REACH + lat;
			size_t len = e - s + 2 * FINE_REACH;
			float m[8] = { 0 };

			for (i = 0; i + 8 <= len; i += 8)
				for (int c = 0; c < 8; c++)
					m[c] = v[i + (size_t)c] > m[c]
						       ? v[i + (size_t)c]
						       : m[c];
			for (; i < len; i++)
				m[0] = v[i] > m[0] ? v[i] : m[0];
			for (int c = 0; c < 8; c++)
				near = near || m[c] >= l->gate;
		}
		if (!near)
			continue;
		if (from < s)
			pm_truepeak_skip(l->tp_fine, x + 2 * from, s - from);
		pm_truepeak_process(l->tp_fine, x + 2 * s, e - s, NULL);
		from = e;
	}
	if (from < k)
		pm_truepeak_skip(l->tp_fine, x + 2 * from, k - from);
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
	pm_truepeak_process(l->tp_out, x, k, l->env);
	fine_feed(l, x, k);
	if (pm_bs1770_add(m, x, k, err) < 0)
		return -1;
	{
		/*
		 * Eight running sums, four frames at a time, and whether any
		 * sample is zero (without one no frame is silent), in one
		 * vectorised pass.
		 */
		float acc[8] = { 0 };
		int zero[8] = { 0 }, any = 0;
#if PM_HAVE_VECTOR
		/* in registers: as arrays they went through memory */
		pm_v4f a0 = { 0, 0, 0, 0 }, a1 = a0;
		pm_v4i z0 = { 0, 0, 0, 0 }, z1 = z0;

		for (j = 0; j + 4 <= k; j += 4) {
			pm_v4f u, v;

			memcpy(&u, x + 2 * j, sizeof(u));
			memcpy(&v, x + 2 * j + 4, sizeof(v));
			a0 += u;
			a1 += v;
			z0 |= u == 0.0f;
			z1 |= v == 0.0f;
		}
		memcpy(acc, &a0, sizeof(a0));
		memcpy(acc + 4, &a1, sizeof(a1));
		memcpy(zero, &z0, sizeof(z0));
		memcpy(zero + 4, &z1, sizeof(z1));
#else
		for (j = 0; j + 4 <= k; j += 4)
			for (int c = 0; c < 8; c++) {
				acc[c] += x[2 * j + (size_t)c];
				zero[c] |= x[2 * j + (size_t)c] == 0.0f;
			}
#endif
		for (; j < k; j++) {
			acc[0] += x[2 * j];
			acc[1] += x[2 * j + 1];
			zero[0] |= x[2 * j] == 0.0f;
		}
		l->sum[0] += (double)acc[0] + acc[2] + acc[4] + acc[6];
		l->sum[1] += (double)acc[1] + acc[3] + acc[5] + acc[7];
		for (int c = 0; c < 8; c++)
			any |= zero[c];
		if (any || l->sil.zeros) {
			if (master_silence_add(&l->sil, x, k) < 0)
				return pm_err_set(err, PM_ENOMEM, "out of memory");
		} else {
			l->sil.pos += (int64_t)k;
		}
	}
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
	b = pm_reallocarray(l->env, frames, sizeof(float), err);
	if (!b)
		return -1;
	l->env = b;
	l->cap = frames;
	return 0;
}

/* Leave out what the shared chain's delay put first (its silence). */
static void pre_skip(struct lane *l, const float **in, size_t *n)
{
	size_t d = PM_MIN(l->pre_skip, *n);

	if (d == 0)
		return; /* *in may be NULL at the end: no offset to it */
	*in += d * 2;
	*n -= d;
	l->pre_skip -= d;
}

static int lane_push(struct lane *l, const float *in, size_t n,
		     struct pm_bs1770 *m, struct pm_err *err)
{
	pre_skip(l, &in, &n);
	if (!n)
		return 0;
	if (lane_reserve(l, n, err) < 0)
		return -1;
	memcpy(l->a, in, n * 2 * sizeof(float));
	return lane_tail(l, n, false, m, err);
}

/* The last `n` frames (a resampler's tail, or none), and the end. */
static int lane_finish(struct lane *l, const float *in, size_t n,
		       struct pm_bs1770 *m, struct pm_err *err)
{
	pre_skip(l, &in, &n);
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
	pm_truepeak_flush(l->tp_fine, NULL);
	if (l->tp_in) {
		pm_truepeak_flush(l->tp_in, NULL);
		l->res->peak_in_dbtp = pm_truepeak_max_dbtp(l->tp_in);
	} else {
		l->res->peak_in_dbtp = pm_limiter_input_peak_dbtp(l->lim);
	}
	/* the higher of libebur128's reading and the fine 8x one */
	l->res->peak_out_dbtp = PM_MAX(pm_truepeak_max_dbtp(l->tp_out),
				       pm_truepeak_max_dbtp(l->tp_fine));
	l->res->max_gr_db = l->lim ? pm_limiter_max_reduction_db(l->lim) : 0;
	l->res->has_lfmono = l->lfmono != NULL;
	l->res->nlimiting = 0;
	if (l->lim) {
		const struct pm_limiter_stretch *s;
		size_t ns = pm_limiter_log(l->lim, &s), k;

		for (k = 0; k < ns && k < PM_ARRAY_SIZE(l->res->limiting); k++) {
			l->res->limiting[k].start_s = (double)s[k].start / l->res->rate;
			l->res->limiting[k].end_s = (double)s[k].end / l->res->rate;
			l->res->limiting[k].depth_db = s[k].depth_db;
		}
		l->res->nlimiting = (unsigned)k;
	}
	l->res->lf_removed_db =
		l->lfmono ? pm_lfmono_removed_db(l->lfmono) : -HUGE_VAL;
	l->res->length_samples = l->written;
	l->res->trim_db = 0;
	l->res->dc_removed[0] = l->res->dc_removed[1] = 0;
	{
		struct pm_audio_writer *w = l->w;

		l->w = NULL;
		return pm_audio_finish(w, err);
	}
}

/*
 * Read the lane's master back, pass each block of it through `fn`, and
 * write it again: under a temporary name (`suffix`), renamed over the
 * master when whole.  Returns 0 or -1 with `err`.
 */
static int rewrite(struct lane *l, const char *suffix,
		   void (*fn)(struct lane *, void *, float *, size_t), void *ctx,
		   struct pm_err *err)
{
	struct pm_audio_reader *r = NULL;
	struct pm_audio_writer *w = NULL;
	struct pm_audio_info info;
	struct pm_audio_spec spec = { .format = PM_FORMAT_WAV, .channels = 2,
				      .bits = 0 };
	size_t n = strlen(l->path) + strlen(suffix) + 2;
	char *tmp = pm_malloc(n, err);
	int64_t got;
	int ret = -1;

	if (!tmp)
		return -1;
	snprintf(tmp, n, "%s.%s", l->path, suffix);
	r = pm_audio_open(l->path, &info, err);
	if (!r)
		goto out;
	spec.rate = info.rate;
	spec.bits = l->int24 ? 24 : 0;
	w = pm_audio_create(tmp, &spec, NULL, err);
	if (!w)
		goto out;
	while ((got = pm_audio_read(r, l->a, (int64_t)l->cap, err)) > 0) {
		fn(l, ctx, l->a, (size_t)got);
		if (pm_audio_write(w, l->a, got, err) < 0)
			goto out;
	}
	if (got < 0)
		goto out;
	ret = pm_audio_finish(w, err);
	w = NULL;
	if (ret == 0 && rename(tmp, l->path) < 0)
		ret = pm_err_sys(err, PM_EIO, "cannot replace '%s'", l->path);
out:
	pm_audio_finish(w, NULL);
	pm_audio_close(r);
	free(tmp);
	return ret;
}

static void scale_block(struct lane *l, void *ctx, float *x, size_t n)
{
	float g = *(const float *)ctx;

	(void)l;
	for (size_t j = 0; j < n * 2; j++)
		x[j] *= g;
}

/*
 * A master over its ceiling less the guard (the limiter aims under it on
 * its 4x detector, but the fine 8x meter reads between those points, and
 * a master without a limiter, or resampler ringing, can pass): scale it
 * by a static trim measured against both meters, and rewrite it.
 */
static int trim(struct lane *l, double trim_db, struct pm_err *err)
{
	float g = (float)pm_db_to_gain(trim_db);

	if (rewrite(l, "trim", scale_block, &g, err) < 0)
		return -1;
	l->res->trim_db = trim_db;
	l->res->peak_out_dbtp += trim_db;
	return 0;
}

/* Take the DC out of a block of the master and measure it again. */
static void undc_block(struct lane *l, void *ctx, float *x, size_t n)
{
	master_dc_cut(ctx, x, n);
	if (l->int24)
		quantise24(x, n * 2);
	pm_truepeak_process(l->tp_out, x, n, l->env);
	fine_feed(l, x, n);
}

/*
 * The limiter takes its gain down at the loud side of an asymmetric wave
 * more than at the quiet one, and so can give a master back a DC that
 * was taken out of its source.  Where the master's sound has a mean of
 * PM_DC_THRESHOLD or more, it is taken out of the master as of the
 * source (exactly, not in digital silence, faded beside it), and the
 * master's true peak measured again on both meters; a trim follows if
 * that brought it over.
 */
static int undc(struct lane *l, struct pm_err *err)
{
	struct dc_cut c = { .dc = { 0, 0 } };
	int64_t sound = l->written - l->silent_frames;
	uint32_t rate = l->res->rate;

	if (master_silence_finish(&l->sil) < 0)
		return pm_err_set(err, PM_ENOMEM, "out of memory");
	if (sound <= 0)
		return 0;
	for (unsigned ch = 0; ch < 2; ch++) {
		double m = l->sum[ch] / (double)sound;

		if (fabs(m) >= PM_DC_THRESHOLD)
			c.dc[ch] = (float)m;
	}
	if (c.dc[0] == 0.0f && c.dc[1] == 0.0f)
		return 0;
	c.silent = l->silent;
	c.nsilent = l->nsilent;
	c.ramp = PM_MAX((int64_t)rate * PM_DC_RAMP_MS / 1000, 1);
	/* the lane's meters are spent: new ones, the fine one gated alike */
	pm_truepeak_free(l->tp_out);
	pm_truepeak_free(l->tp_fine);
	l->tp_out = pm_truepeak_new(2, rate, 4, 0, err);
	l->tp_fine = pm_truepeak_new(2, rate, 8, PM_TRUEPEAK_FINE, err);
	if (!l->tp_out || !l->tp_fine)
		return -1;
	pm_truepeak_set_floor(l->tp_out, l->gate);
	if (rewrite(l, "undc", undc_block, &c, err) < 0)
		return -1;
	pm_truepeak_flush(l->tp_out, NULL);
	pm_truepeak_flush(l->tp_fine, NULL);
	l->res->peak_out_dbtp = PM_MAX(pm_truepeak_max_dbtp(l->tp_out),
				       pm_truepeak_max_dbtp(l->tp_fine));
	l->res->dc_removed[0] = c.dc[0];
	l->res->dc_removed[1] = c.dc[1];
	return 0;
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

/*
 * Hum removal and noise reduction need the whole track at once: when
 * <repair> asks for either, read it into `*whole`, put the click and
 * clipping repairs in place, then remove the hum and reduce the noise
 * (doc/internals/defects.md §8).  Otherwise `*whole` stays NULL and the
 * track streams.
 */
static int load_restored(struct pass2 *p, struct pm_track_reader *r,
			 struct pm_source_analysis *src, uint32_t rate,
			 int64_t frames, float **whole)
{
	struct pm_err *err = &p->err;
	const struct pm_album *a = p->run->album;
	float *x;

	pm_repair_restore_wanted(a, p->track,
				 src->defects ? &src->defects_sum : NULL,
				 &src->repair_hum, &src->repair_noise,
				 &src->repair_noise_db);
	if (!src->repair_hum && !src->repair_noise)
		return 0;
	x = pm_calloc((size_t)frames * 2 + 2, sizeof(float), err);
	if (!x)
		return -1;
	*whole = x;
	if (pm_track_read(r, x, frames, err) < 0)
		return -1;
	if (src->defects && (src->repair_clicks || src->repair_clipping))
		src->repaired_samples += pm_defects_patch(
			src->defects, src->repair_clicks, src->repair_clipping,
			x, 0, (size_t)frames);
	if (pm_repair_restore(x, (size_t)frames, rate, src->repair_hum,
			      src->repair_noise_db, src->defects_sum.hum_hz,
			      &src->dehum, &src->denoise, err) < 0) {
		pm_err_prefix(err, "track %zu: ", p->track + 1);
		return -1;
	}
	if (!src->restore_said)
		master_restore_say(src, p->track);
	src->restore_said = true;
	return 0;
}

/*
 * The shared chain's output to every lane: the width (the same for every
 * target, so once, before resampling), each rate group's resampler, the
 * lanes.
 */
static int to_lanes(struct pass2 *p, struct lane *lanes,
		    struct rgroup *groups, size_t ng, float *buf, size_t n,
		    double width, struct pm_err *err)
{
	size_t g, t;

	if (width != 1.0)
		pm_width_process(buf, n, width);
	for (g = 0; g < ng; g++)
		if (rgroup_reserve(&groups[g], pm_resample_room(groups[g].rs, n),
				   err) < 0 ||
		    pm_resample_process(groups[g].rs, buf, n, groups[g].buf,
					&groups[g].got, err) < 0)
			return -1;
	for (t = 0; t < p->run->ntargets; t++) {
		struct lane *l = &lanes[t];

		if (!l->w)
			continue;
		if (l->group < 0 && lane_push(l, buf, n, p->meters[t], err) < 0)
			return -1;
		if (l->group >= 0 &&
		    lane_push(l, groups[l->group].buf, groups[l->group].got,
			      p->meters[t], err) < 0)
			return -1;
	}
	return 0;
}

static size_t gcd(size_t a, size_t b)
{
	while (b) {
		size_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * The linear-phase highpasses, their delay a whole number of frames at
 * every lane's rate, and each lane told how much of it to leave out.
 */
static int linear_highpasses(struct pass2 *p, struct shared *sh,
			     struct lane *lanes, uint32_t rate,
			     struct pm_err *err)
{
	size_t granule = 1, t, d;

	for (t = 0; t < p->run->ntargets; t++) {
		size_t lr = lanes[t].w ? lanes[t].res->rate : rate;
		size_t step = rate / gcd(rate, lr);

		granule = granule / gcd(granule, step) * step;
	}
	if (master_shared_linear(sh, p->run->album, p->track, rate, granule,
				 err) < 0)
		return -1;
	d = master_shared_delay(sh);
	for (t = 0; t < p->run->ntargets; t++)
		if (lanes[t].w)
			lanes[t].pre_skip = d / (rate / gcd(rate, lanes[t].res->rate)) *
					    (lanes[t].res->rate /
					     gcd(rate, lanes[t].res->rate));
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
	float *buf = NULL, *whole = NULL;
	double width = run->album->mastering.width;
	uint32_t rate;
	int64_t left, pos = 0;
	size_t t, g, ng = 0, nlanes = 0;
	int ret = -1;
	struct pm_source_analysis *src =
		p->track == PM_DISC ? NULL : &run->source[p->track];
	const struct pm_tone_result *tone =
		p->track == PM_DISC ? NULL : &run->tone[p->track];

	rate = p->track == PM_DISC ? p->in->htoa_rate : p->in->rate[p->track];
	left = p->track == PM_DISC ? p->in->htoa_length : p->in->length[p->track];
	if (src)
		src->repaired_samples = 0;
	lanes = pm_calloc(run->ntargets, sizeof(*lanes), err);
	groups = pm_calloc(run->ntargets, sizeof(*groups), err);
	buf = pm_malloc(BLOCK * 2 * sizeof(float), err);
	if (!lanes || !groups || !buf)
		goto out;
	r = pm_track_open(p->in, p->track, err);
	if (!r || master_shared_init(&sh, run->album, p->track, rate, tone, err) < 0)
		goto out;
	if (src && load_restored(p, r, src, rate, left, &whole) < 0)
		goto out;
	/* pass-through promises the sources as they are: no DC taken out */
	if (p->track != PM_DISC && !run->album->mastering.pass_through)
		for (t = 0; t < 2; t++)
			if (fabs(run->source[p->track].dc_mean[t]) >=
			    PM_DC_THRESHOLD)
				sh.dc.dc[t] = (float)run->source[p->track].dc_mean[t];
	if (src) {
		/* digital silence stays exact zero (master.h) */
		sh.dc.silent = src->silent;
		sh.dc.nsilent = src->nsilent;
		sh.dc.ramp = PM_MAX((int64_t)rate * PM_DC_RAMP_MS / 1000, 1);
	}
	for (t = 0; t < run->ntargets; t++) {
		if (!p->want[t])
			continue;
		if (p->track == PM_DISC && run->targets[t].target.kind != PM_TARGET_CD)
			continue;
		if (lane_init(&lanes[t], p, t, err) < 0)
			goto out;
		nlanes++;
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
	if (linear_highpasses(p, &sh, lanes, rate, err) < 0)
		goto out;
	while (left > 0) {
		size_t n = (size_t)PM_MIN((int64_t)BLOCK, left);

		if (pm_interrupted()) {
			pm_err_set(err, PM_EINTR, "interrupted");
			goto out;
		}
		if (whole)
			memcpy(buf, whole + 2 * pos, n * 2 * sizeof(float));
		else if (pm_track_read(r, buf, (int64_t)n, err) < 0)
			goto out;
		/* repairs before the chain, for every target at once */
		if (!whole && src && src->defects &&
		    (src->repair_clicks || src->repair_clipping))
			src->repaired_samples += pm_defects_patch(
				src->defects, src->repair_clicks,
				src->repair_clipping, buf, pos, n);
		pos += (int64_t)n;
		left -= (int64_t)n;
		pm_progress_add((double)n / rate * nlanes);
		master_shared_process(&sh, buf, n);
		if (to_lanes(p, lanes, groups, ng, buf, n, width, err) < 0)
			goto out;
	}
	/* what the linear-phase highpasses still hold */
	for (int64_t d = (int64_t)master_shared_delay(&sh); d > 0;) {
		size_t n = (size_t)PM_MIN((int64_t)BLOCK, d);

		master_shared_drain(&sh, buf, n);
		if (to_lanes(p, lanes, groups, ng, buf, n, width, err) < 0)
			goto out;
		d -= (int64_t)n;
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
		/* pass-through promises the sources as they are */
		if (!l->tr->target.pass_through &&
		    !run->album->mastering.pass_through && undc(l, err) < 0)
			goto out;
		if (l->res->peak_out_dbtp >
			    l->res->ceiling_dbtp - PM_TRUEPEAK_GUARD_DB &&
		    !l->tr->target.pass_through &&
		    trim(l, pm_limiter_trim_db(l->res->peak_out_dbtp,
					       l->res->ceiling_dbtp -
						       PM_TRUEPEAK_GUARD_DB),
			 err) < 0)
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
	free(whole);
	master_shared_free(&sh);
	pm_track_close(r);
	return ret;
}

void master_pass2_job(void *job)
{
	struct pass2 *p = job;

	p->status = render(p);
}
