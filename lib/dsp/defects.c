/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * defects.c: the streaming defect detector (doc/internals/defects.md).
 *
 * The audio is gathered per channel into frames of FR samples and held
 * three frames at a time: the newest frame gets its prediction residual
 * (a low-order model fitted to that frame), and the frame before it is
 * examined, with a whole frame of context on both sides.  Only a few
 * candidates get the closer look; everything per sample is a short FIR
 * filter and block sums the compiler vectorises.
 */
#include <config.h>

#include "dsp/defects.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/fft.h"
#include "dsp/restore.h"
#include "util/compat.h"
#include "util/simd.h"

#include "util/banned.h"

#define FR 8192           /* samples per analysis frame */
#define ORDER 12          /* the detector's prediction order */
#define POP_ORDER 32      /* the model a pop's tail is told from music by */
#define LPN 4096          /* samples per fitted model */
#define FIX_ORDER 32      /* the interpolation's, for clicks */
#define CLIP_ORDER 48     /* and for clipped passages */
#define CLIP_CONTEXT 2048 /* samples each side of a clipped passage, at
			     least (4 times its length) */
#define CLIP_PASSES 3     /* its model fitted anew to the restored passage */
#define SEG 32            /* samples per residual segment */
#define NSEG (3 * FR / SEG)
#define REACH 8           /* segments of background each side */
#define MAX_EVENTS 20000
#define MAX_FIX (2 * FR) /* longest passage interpolated */
#define SILENT (1.0f / 65536) /* below half a 16-bit step: digital silence */
#define FLAT_LEVEL 0.01f  /* flat tops are looked for above -40 dBFS */
#define FLAT_LOUD 0.0631f /* -24 dBFS: the level FLAT_RUN holds above */
#define FLAT_RUN 16       /* shortest flat top below full scale (a 16-bit
			   sub-bass peak can hold a value for 15); under
			   FLAT_LOUD it grows as the level's inverse root */
#define FINE_REACH 8192   /* samples either side read for a finer grid */
#define FINE_PAIRS 3      /* equal neighbours there that make it coarse */
#define HIST_BINS 300     /* noise floor histogram: 0.5 dB, -150 .. 0 dBFS */
#define CONTEXT_DIV 43    /* models either side of a click: rate / 43
			     samples, 23 ms */
#define ONSET_DB 3.0      /* what changes across an onset, at least */
#define IMPULSE_FIT 0.5   /* of a burst's energy an impulse explains */
#define STEP_MARGIN 0.1  /* an onset's step fits its burst this much better */
#define STEADY_IMPULSE 0.1 /* of a burst in steady music an impulse explains */
#define POP_ONSET_DB 6.0 /* what changes across a pop, its tail taken off */
#define ONE_CHANNEL_DB (-12.0) /* the other channel's burst, at most */
#define OWN_IMPULSE 0.6   /* of a one-channel burst's own span an impulse explains */
#define NEAR_MISS 0.6     /* of the click factor: a second look (closer_candidate()) */
#define POP_CLAMPS 16     /* samples at full scale a pop's cut step may hold */
#define HUM_RATE 4000     /* the hum search's lowest decimated rate, Hz */
#define HTAPS 3           /* decimation filter length, in decimated samples */

/* frames of room for the held three to move along in before they are
 * moved back to the start (step()) */
#define ROOM 8

struct chan {
	float *x;        /* frames base .. base + 3 FR, within xroom */
	float *e;        /* their prediction residual, within eroom */
	float *xroom, *eroom; /* ROOM frames each, in d->room */
	float seg_e[NSEG], seg_p[NSEG];
	int64_t covered; /* frames before this are in a click already */
	int64_t clip_covered; /* and in a clipped passage */
	bool has_e[3];   /* whether each frame's residual is computed */
	int may_clip[3];      /* per frame: a sample at full scale, or two
				 loud samples alike */
};

struct pm_defects {
	struct pm_defects_config c;
	uint32_t rate;
	struct chan ch[2];
	float *room;     /* the channels' rooms and xe; NULL once finished */
	float *xe;        /* a channel's residual less the other's share
			     (find_clicks(), near one candidate at a time) */
	bool use_avx2;   /* the residual's AVX2+FMA twin (§1) */
	bool may[3];     /* whether each frame may hold a click (gate()) */
	float win[LPN];
	size_t fill;     /* samples in the newest frame */
	int64_t base;    /* frame of x[0] */
	int64_t fed;     /* frames fed */
	int64_t end;     /* INT64_MAX until the end is known */
	struct pm_defect *ev;
	size_t nev, cap;
	bool failed;
	/* edges */
	int64_t silent_run;
	bool sound_seen;
	int64_t last_pos;  /* the last frame with sound */
	float last_level;
	unsigned last_ch;
	/* whole-track figures */
	double sum[2], sll, srr, slr, wll, wrr, wlr;
	int64_t wfill, wstart, worst_at;
	double worst;
	/* noise floor: 50 ms windows */
	double nsq;
	int64_t nfill, nsilent, nstart;
	unsigned hist[HIST_BINS];
	int64_t hist_at[HIST_BINS];
	/* hum: the mid channel, low-passed and decimated before its FFT */
	struct pm_fft *fft;
	size_t hn, hfill;  /* frame length at the full rate */
	size_t hd, hm;     /* decimation factor, frame length after it */
	float *hbuf;       /* HTAPS history samples, then the frame */
	float *hk;         /* the decimation filter, HTAPS * hd taps */
	double *hwin, *hdec, *hpow;
	unsigned hframes, hskip;
	unsigned hstand[2][4];
	double hlevel[2];
};

void pm_defects_config_default(struct pm_defects_config *c)
{
	memset(c, 0, sizeof(*c));
	c->click_ratio = pow(10, PM_CLICK_RATIO_DB / 20);
	c->click_floor = 0.0891;            /* -21 dBFS */
	c->clip_run = 3;
	c->edge = 0.001;                    /* -60 dBFS */
	c->hum_margin_db = 12;
}

/*
 * Three moving sums of `dec` samples in a row (a third-order CIC filter):
 * its zeros sit on the multiples of the decimated rate, where everything
 * that would fold onto the mains lines comes from, and it loses under
 * 0.1 dB at 240 Hz.  Normalised to a gain of one at DC.
 */
static void hum_kernel(float *k, size_t dec)
{
	double t[HTAPS * 64] = { 0 }, u[HTAPS * 64], sum = 0;
	size_t n = 1, i, j;

	t[0] = 1;
	for (int pass = 0; pass < HTAPS; pass++) {
		memset(u, 0, sizeof(u));
		for (i = 0; i < n; i++)
			for (j = 0; j < dec; j++)
				u[i + j] += t[i];
		n += dec - 1;
		memcpy(t, u, sizeof(t));
	}
	for (i = 0; i < n; i++)
		sum += t[i];
	for (i = 0; i < n; i++)
		k[i] = (float)(t[i] / sum);
}

struct pm_defects *pm_defects_new(uint32_t rate,
				  const struct pm_defects_config *c,
				  struct pm_err *err)
{
	struct pm_defects *d = pm_calloc(1, sizeof(*d), err);
	size_t i;

	if (!d)
		return NULL;
	d->c = *c;
	d->rate = rate;
	/* the rooms and d->xe, wanted only until pm_defects_finish() */
	d->room = pm_calloc(4 * ROOM * FR + 3 * FR, sizeof(float), err);
	if (!d->room) {
		free(d);
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		d->ch[i].xroom = d->room + 2 * i * ROOM * FR;
		d->ch[i].eroom = d->ch[i].xroom + ROOM * FR;
		d->ch[i].x = d->ch[i].xroom;
		d->ch[i].e = d->ch[i].eroom;
	}
	d->xe = d->room + 4 * ROOM * FR;
	d->base = -2 * FR;
	d->end = INT64_MAX;
	d->worst = 2;
#if PM_HAVE_AVX2
	d->use_avx2 = !c->portable && pm_cpu_avx2_fma();
#endif
	for (i = 0; i < LPN; i++)
		d->win[i] = (float)(0.5 - 0.5 * cos(2 * M_PI * ((double)i + 0.5) / LPN));
	/* bins of 3 Hz or finer resolve 50 and 60 Hz and their harmonics */
	d->hn = 4096;
	while ((double)rate / (double)d->hn > 2.7)
		d->hn *= 2;
	/* the lines are under 250 Hz: a rate of 4 kHz or more keeps them,
	 * and the transform shrinks by the factor (§6) */
	d->hd = 1;
	while (rate / (2 * d->hd) >= HUM_RATE && d->hn / (2 * d->hd) >= 256 &&
	       d->hd < 64)
		d->hd *= 2;
	d->hm = d->hn / d->hd;
	d->fft = pm_fft_new(d->hm, err);
	d->hwin = pm_malloc(d->hm * sizeof(double), err);
	d->hdec = pm_malloc(d->hm * sizeof(double), err);
	d->hbuf = pm_calloc(d->hn + HTAPS * d->hd, sizeof(float), err);
	d->hk = pm_calloc(HTAPS * d->hd, sizeof(float), err);
	d->hpow = pm_malloc((d->hm / 2 + 1) * sizeof(double), err);
	if (!d->fft || !d->hwin || !d->hdec || !d->hbuf || !d->hk || !d->hpow) {
		pm_defects_free(d);
		return NULL;
	}
	pm_window_fill(d->hwin, d->hm, PM_WINDOW_HANN, 0);
	hum_kernel(d->hk, d->hd);
	return d;
}

void pm_defects_free(struct pm_defects *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nev; i++)
		free(d->ev[i].fix);
	free(d->ev);
	free(d->room);
	pm_fft_free(d->fft);
	free(d->hwin);
	free(d->hdec);
	free(d->hbuf);
	free(d->hk);
	free(d->hpow);
	free(d);
}

const struct pm_defect *pm_defects_events(const struct pm_defects *d,
					  size_t *n)
{
	*n = d->nev;
	return d->ev;
}

static struct pm_defect *add_event(struct pm_defects *d,
				   enum pm_defect_kind kind, unsigned ch,
				   int64_t start, int64_t length, float level)
{
	struct pm_defect *e;

	if (d->nev == MAX_EVENTS)
		return NULL;
	if (d->nev == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 64;

		e = realloc(d->ev, cap * sizeof(*e));
		if (!e) {
			d->failed = true;
			return NULL;
		}
		d->ev = e;
		d->cap = cap;
	}
	e = &d->ev[d->nev++];
	e->kind = kind;
	e->channel = ch;
	e->start = start;
	e->length = length;
	e->level = level;
	e->count = length;
	e->fix = NULL;
	e->tail_amp = e->tail_tau = 0;
	return e;
}

/* ------------------------------------------------------------------ */
/* Residual                                                             */
/* ------------------------------------------------------------------ */

/* sum w[i] w[i - k] for i in [k, n), four lanes at a time. */
static double autocorr(const float *w, size_t n, unsigned k)
{
	size_t i = k;
	double sum = 0;
#if PM_HAVE_VECTOR
	pm_v4f acc0 = { 0, 0, 0, 0 }, acc1 = acc0;

	for (; i + 8 <= n; i += 8) {
		pm_v4f a, b, c, e;

		memcpy(&a, w + i, sizeof(a));
		memcpy(&b, w + i - k, sizeof(b));
		memcpy(&c, w + i + 4, sizeof(c));
		memcpy(&e, w + i + 4 - k, sizeof(e));
		acc0 += a * b;
		acc1 += c * e;
	}
	acc0 += acc1;
	sum = (double)acc0[0] + acc0[1] + acc0[2] + acc0[3];
#endif
	for (; i < n; i++)
		sum += (double)w[i] * w[i - k];
	return sum;
}

/* e[i] = x[i] - sum a[k] x[i - k], k = 1 .. ORDER, for LPN samples (a
 * multiple of 4). */
static void fir(const float *restrict x, float *restrict e, const float *a)
{
	size_t i = 0;
	unsigned k;
#if PM_HAVE_VECTOR
	for (; i + 4 <= LPN; i += 4) {
		pm_v4f acc, v;

		memcpy(&acc, x + i, sizeof(acc));
		for (k = 1; k <= ORDER; k++) {
			memcpy(&v, x + (ptrdiff_t)i - (ptrdiff_t)k, sizeof(v));
			acc -= a[k] * v;
		}
		memcpy(e + i, &acc, sizeof(acc));
	}
#else
	for (; i < LPN; i++) {
		const float *xi = x + i;
		float acc = *xi;

		for (k = 1; k <= ORDER; k++)
			acc -= a[k] * xi[-(ptrdiff_t)k];
		e[i] = acc;
	}
#endif
}

/*
 * Whether frame x[0 .. FR) may hold a clipped run: most frames have
 * nothing at full scale and no two loud samples alike, and one pass that
 * the compiler vectorises says so.  x[-1] is the sample before.
 */
static PM_ALWAYS_INLINE int clip_scan(const float *x)
{
	int any = 0;

	const float *before = x - 1;

	for (size_t i = 0; i < FR; i++)
		any |= (fabsf(x[i]) >= PM_FULL_SCALE) |
		       ((x[i] == before[i]) & (fabsf(x[i]) >= FLAT_LEVEL));
	return any;
}

/*
 * Frame `f`'s prediction residual (0 the oldest, 2 the newest held),
 * from a model fitted to each LPN samples of it (short enough to follow
 * the music).  The frame before it must still be held: the filter reads
 * ORDER samples back.
 */
static void residual_base(struct pm_defects *d, struct chan *c, unsigned f)
{
	double r[ORDER + 1], a[ORDER + 1];
	float w[LPN], af[ORDER + 1];
	size_t i;
	unsigned k;

	for (size_t h = 0; h < FR; h += LPN) {
		const float *x = c->x + f * FR + h;
		float *e = c->e + f * FR + h;

		for (i = 0; i < LPN; i++)
			w[i] = x[i] * d->win[i];
		for (k = 0; k <= ORDER; k++)
			r[k] = autocorr(w, LPN, k);
		r[0] = r[0] * (1 + 1e-6) + 1e-18;
		pm_lpc_levinson(r, ORDER, a);
		for (k = 1; k <= ORDER; k++)
			af[k] = (float)a[k];
		fir(x, e, af);
	}
	for (size_t s = f * FR / SEG; s < (f + 1) * FR / SEG; s++) {
		const float *es = c->e + s * SEG;
		float sq[4] = { 0, 0, 0, 0 }, pk[4] = { 0, 0, 0, 0 };

		for (i = 0; i < SEG; i += 4)
			for (k = 0; k < 4; k++) {
				float v = fabsf(es[i + k]);

				sq[k] += v * v;
				pk[k] = v > pk[k] ? v : pk[k];
			}
		c->seg_e[s] = sq[0] + sq[1] + sq[2] + sq[3];
		c->seg_p[s] = PM_MAX(PM_MAX(pk[0], pk[1]), PM_MAX(pk[2], pk[3]));
	}
}

#if PM_HAVE_AVX2
PM_TARGET_AVX2 static PM_ALWAYS_INLINE pm_v8f load8(const float *p)
{
	pm_v8f v;

	memcpy(&v, p, sizeof(v));
	return v;
}

PM_TARGET_AVX2 static PM_ALWAYS_INLINE pm_v8f set8(float x)
{
	pm_v8f v = { x, x, x, x, x, x, x, x };

	return v;
}

/*
 * The same residual eight lanes wide, a multiply-add one FMA: every lag
 * of the autocorrelation in one pass over the block, with each load
 * serving two lags, and the filter on 16 samples at a time in four
 * independent chains so that the FMAs' latency is hidden.  Its sums run
 * in another order than the portable one's, so the residual differs in
 * the last bits; the same build on the same machine gives the same
 * bytes.
 */
PM_TARGET_AVX2 static void residual_avx2(struct pm_defects *d, struct chan *c,
					 unsigned f)
{
	double r[ORDER + 1], a[ORDER + 1];
	float w[LPN + 16];
	size_t i;
	unsigned k;

	/* ORDER zeros before the window, so that every lag reads whole
	 * vectors from the block's start */
	memset(w, 0, 16 * sizeof(float));
	for (size_t h = 0; h < FR; h += LPN) {
		const float *x = c->x + f * FR + h;
		float *e = c->e + f * FR + h;
		const float *wv = w + 16;
		pm_v8f acc[ORDER + 1], af[ORDER + 1];

		for (i = 0; i < LPN; i += 8) {
			pm_v8f v = load8(x + i) * load8(d->win + i);

			memcpy(w + 16 + i, &v, sizeof(v));
		}
		/* named accumulators, so that they stay in registers */
#if ORDER != 12
#error "the unrolled autocorrelation has 13 lags"
#endif
		{
			pm_v8f a0 = set8(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0;
			pm_v8f a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
			pm_v8f a10 = a0, a11 = a0, a12 = a0;

			for (i = 0; i < LPN; i += 8) {
				pm_v8f v = load8(wv + i);

#define LAG(k) a##k += v * load8(wv + i - k)
				LAG(0); LAG(1); LAG(2); LAG(3); LAG(4);
				LAG(5); LAG(6); LAG(7); LAG(8); LAG(9);
				LAG(10); LAG(11); LAG(12);
#undef LAG
			}
			acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
			acc[4] = a4; acc[5] = a5; acc[6] = a6; acc[7] = a7;
			acc[8] = a8; acc[9] = a9; acc[10] = a10; acc[11] = a11;
			acc[12] = a12;
		}
		for (k = 0; k <= ORDER; k++) {
			double sum = 0;

			for (int l = 0; l < 8; l++)
				sum += acc[k][l];
			r[k] = sum;
		}
		r[0] = r[0] * (1 + 1e-6) + 1e-18;
		pm_lpc_levinson(r, ORDER, a);
		for (k = 1; k <= ORDER; k++)
			af[k] = set8((float)a[k]);
		for (i = 0; i < LPN; i += 16) {
			pm_v8f e0 = load8(x + i), e1 = load8(x + i + 8);
			pm_v8f f0 = set8(0), f1 = set8(0);

			for (k = 1; k < ORDER; k += 2) {
				e0 -= af[k] * load8(x + i - k);
				e1 -= af[k] * load8(x + i + 8 - k);
				f0 += af[k + 1] * load8(x + i - k - 1);
				f1 += af[k + 1] * load8(x + i + 8 - k - 1);
			}
			e0 -= f0;
			e1 -= f1;
			memcpy(e + i, &e0, sizeof(e0));
			memcpy(e + i + 8, &e1, sizeof(e1));
		}
	}
	for (size_t s = f * FR / SEG; s < (f + 1) * FR / SEG; s++) {
		const float *es = c->e + s * SEG;
		pm_v8f sq = set8(0), pk = set8(0);
		const pm_v8i mag = { INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX,
				     INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX };
		float m = 0;

		for (i = 0; i < SEG; i += 8) {
			pm_v8f v = (pm_v8f)((pm_v8i)load8(es + i) & mag);
			pm_v8i gt = (pm_v8i)(v > pk);

			sq += v * v;
			pk = (pm_v8f)(((pm_v8i)v & gt) | ((pm_v8i)pk & ~gt));
		}
		c->seg_e[s] = ((sq[0] + sq[1]) + (sq[2] + sq[3])) +
			      ((sq[4] + sq[5]) + (sq[6] + sq[7]));
		for (int l = 0; l < 8; l++)
			m = PM_MAX(m, pk[l]);
		c->seg_p[s] = m;
	}
}
#endif

/* Frame f's residual, computed once. */
static void residual(struct pm_defects *d, struct chan *c, unsigned f)
{
	if (c->has_e[f])
		return;
	c->has_e[f] = true;
#if PM_HAVE_AVX2
	if (d->use_avx2) {
		residual_avx2(d, c, f);
		return;
	}
#endif
	residual_base(d, c, f);
}

/*
 * Whether frame x[0 .. FR) may hold a click (§1): a click whose residual
 * reaches the click floor is an impulse about that high, and an impulse
 * of height h makes the second difference x[n] - 2 x[n-1] + x[n-2] reach
 * 2h one sample after it (a step of height h makes it reach h).  A frame
 * whose second difference stays under half the floor holds no click; on
 * music that is quiet or dark, most frames, so their model and residual
 * are not computed at all.  x[-2] and x[-1] are the samples before.
 */
static PM_ALWAYS_INLINE bool gate(const struct pm_defects *d, const float *x)
{
	const float lim = 0.5f * (float)d->c.click_floor;
	const float *x1 = x - 1, *x2 = x - 2; /* the samples before */
	float m[8] = { 0 };

	for (size_t i = 0; i < FR; i += 8)
		for (int k = 0; k < 8; k++) {
			size_t j = i + (size_t)k;
			float v = fabsf(x[j] - 2 * x1[j] + x2[j]);

			m[k] = v > m[k] ? v : m[k];
		}
	for (int k = 0; k < 8; k++)
		if (m[k] >= lim)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Clipping                                                             */
/* ------------------------------------------------------------------ */

static PM_ALWAYS_INLINE bool clipped_at(const float *x, size_t i)
{
	float v = fabsf(x[i]);

	if (v >= PM_FULL_SCALE)
		return true;
	return v >= FLAT_LEVEL &&
	       ((i > 0 && x[i - 1] == x[i]) || (i + 1 < 3 * FR && x[i + 1] == x[i]));
}

/*
 * The shortest flat top at level `lvl` below full scale that is taken
 * for clipping.  A smooth wave's peak of height A (in 16-bit steps)
 * stays within a step of it for a time proportional to 1 / sqrt(A), so
 * the run a quiet 16-bit sub-bass can hold grows as the level falls;
 * and, being a time, it holds more samples at rates over 44.1 kHz.
 */
static size_t flat_run(const struct pm_defects *d, float lvl)
{
	double run = FLAT_RUN * PM_MAX(1.0, d->rate / 44100.0);

	if (lvl >= FLAT_LOUD)
		return (size_t)ceil(run);
	return (size_t)ceil(run * sqrt(FLAT_LOUD / lvl));
}

/*
 * Whether some sample of x[a .. b) lies off the 16-bit grid.  Audio of
 * finer resolution holds a value for a few samples running only where
 * the wave barely moves (a 24-bit peak at -40 dBFS stays within a step
 * of its top for under a sample at 40 Hz), so a short flat top there
 * that the wave runs into steeply is as sure a sign of clipping as one
 * at full scale.
 */
static bool fine_grid(const float *x, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++) {
		float v = x[i] * 32768.0f;

		if (v != rintf(v))
			return true;
	}
	return false;
}

/*
 * Whether x[a .. b), but for the samples [lo, hi), is audio finer than
 * 16 bits around a flat top at magnitude lvl: some sample lies off the
 * 16-bit grid, and within FINE_REACH of [lo, hi) fewer than FINE_PAIRS
 * pairs of neighbours are equal off the grid at another magnitude (a
 * 24-bit wave's slow peak can hold a value for two samples now and
 * then; a 16-bit source's own plateaus, on the grid, do not count where
 * it was clipped at a level off it).  A
 * 16-bit source turned up or down by a gain (a master of it, a mix
 * normalised in floating point) is off the grid, but keeps the pairs
 * and threes of equal samples its slow stretches hold; audio of finer
 * resolution holds none but where it was clipped.
 */
static bool fine_audio(const float *x, size_t a, size_t b, size_t lo,
		       size_t hi, float lvl)
{
	size_t wa = lo > FINE_REACH ? lo - FINE_REACH : 0;
	size_t wb = PM_MIN(hi + FINE_REACH, (size_t)3 * FR), pairs = 0;

	if (!((lo > a && fine_grid(x, a, PM_MIN(lo, b))) ||
	      (hi < b && fine_grid(x, PM_MAX(hi, a), b))))
		return false;
	for (size_t k = wa; k + 1 < wb; k++)
		if ((k + 1 < lo || k >= hi) && x[k] == x[k + 1] &&
		    fabsf(x[k]) != lvl && fabsf(x[k]) < PM_FULL_SCALE &&
		    fine_grid(x, k, k + 1) && ++pairs == FINE_PAIRS)
			return false;
	return true;
}

/*
 * Whether the wave runs into the flat run x[i .. j) and out of it
 * steeply, as a clipper cuts it (by 1/256 of the level or more in one
 * sample), not creeping up to it as the top of a slow wave does.
 */
static bool steep(const float *x, size_t i, size_t j, float lvl)
{
	return i > 0 && fabsf(x[i] - x[i - 1]) >= lvl / 256 &&
	       fabsf(x[j] - x[j - 1]) >= lvl / 256;
}

/* The clipped run starting at i, if it is long enough: its end, else i. */
static size_t clip_run(const struct pm_defects *d, const float *x, size_t i,
		       size_t lim, float *lvl)
{
	bool full = fabsf(x[i]) >= PM_FULL_SCALE;
	size_t j, need, flat = 1, held = 1;

	*lvl = fabsf(x[i]);
	for (j = i + 1; j < lim && clipped_at(x, j) && (x[j] < 0) == (x[i] < 0);
	     j++) {
		full = full && fabsf(x[j]) >= PM_FULL_SCALE;
		*lvl = PM_MIN(*lvl, fabsf(x[j]));
		held = x[j] == x[j - 1] ? held + 1 : 1;
		flat = PM_MAX(flat, held);
	}
	need = d->c.clip_run;
	if (j - i < need)
		return i;
	if (full)
		return j;
	/*
	 * a long flat top; under -24 dBFS, one cut steeply.  Long at one
	 * level: the top of a slow wave in a 16-bit source (at 96 kHz, or
	 * with dither) is a staircase of pairs and threes, each sample
	 * like a neighbour, for 20 samples or more.
	 */
	if (flat >= flat_run(d, *lvl) &&
	    (*lvl >= FLAT_LOUD || steep(x, i, j, *lvl)))
		return j;
	/* a short one cut steeply, in audio finer than 16 bits */
	if (steep(x, i, j, *lvl) &&
	    fine_audio(x, i > 64 ? i - 64 : 0, PM_MIN(j + 64, (size_t)3 * FR),
		       i, j, *lvl))
		return j;
	return i;
}

/*
 * Whether x[i .. j), a run clip_run() took, is one level throughout:
 * full scale, or each sample at the first's magnitude.
 */
static bool flat_top(const float *x, size_t i, size_t j)
{
	for (size_t k = i; k < j; k++)
		if (fabsf(x[k]) < PM_FULL_SCALE && fabsf(x[k]) != fabsf(x[i]))
			return false;
	return true;
}

/*
 * Whether the run of full-scale samples x[i .. j) is a step the source
 * cut at full scale, a pop's, not clipped music: short, jumped into
 * (by a fifth of full scale or more in one sample), and left at a
 * quarter of that slope or less, as a decaying step is.  Music that is
 * clipped leaves its flat tops about as steeply as it ran into them.
 */
static bool cut_step(const float *x, size_t i, size_t j)
{
	float in = fabsf(x[i] - x[i - 1]), out = fabsf(x[j] - x[j - 1]);

	return j - i <= POP_CLAMPS && fabsf(x[i]) >= PM_FULL_SCALE &&
	       in >= 0.1f && in >= 4 * out;
}

/*
 * Whether x[i] is in a flat run at clip level `lvl`: two equal samples
 * or more, as loud as the level to within a hundred-thousandth (the same
 * clipper's work, however short the run).
 */
static bool at_level(const float *x, size_t i, float lvl)
{
	return clipped_at(x, i) && fabsf(fabsf(x[i]) - lvl) <= 1e-5f * lvl;
}

/*
 * Restore the clipped samples of x[ca .. cb) (unknown[i - a] set for
 * x[i], over [a, b)) into fix[ca - a ..], with a model fitted around
 * them, leaving the other clipped samples of [a, b) out of it.
 */
static int declip_cluster(const float *x, const unsigned char *unknown,
			  size_t a, size_t b, size_t ca, size_t cb, float *fix)
{
	size_t ctx = PM_MAX(CLIP_CONTEXT, 4 * (cb - ca));
	size_t lo = ca > ctx ? ca - ctx : 0;
	size_t hi = PM_MIN(cb + ctx, (size_t)3 * FR);
	unsigned char *u = calloc(hi - lo, 1), *skip = calloc(hi - lo, 1);
	float *tmp = malloc((hi - lo) * sizeof(*tmp));
	int ret = -1;

	if (u && skip && tmp) {
		memcpy(tmp, x + lo, (hi - lo) * sizeof(*tmp));
		memcpy(u + (ca - lo), unknown + (ca - a), cb - ca);
		for (size_t i = PM_MAX(a, lo); i < PM_MIN(b, hi); i++)
			skip[i - lo] = unknown[i - a] && (i < ca || i >= cb);
		ret = pm_ar_declip(tmp, hi - lo, u, skip, CLIP_ORDER,
				   CLIP_PASSES);
	}
	if (ret == 0)
		memcpy(fix + (ca - a), tmp + (ca - lo),
		       (cb - ca) * sizeof(*fix));
	free(u);
	free(skip);
	free(tmp);
	return ret;
}

/*
 * The interpolated samples for clipped region [a, b) of x: the clipped
 * samples of the passage [p, q) found, and those at its level `lvl`
 * around it.  Clipped stretches more than `join` apart are restored
 * each with a model of its own surroundings.
 */
static float *fix_clipped(const float *x, size_t a, size_t b, size_t p,
			  size_t q, float lvl, size_t join)
{
	unsigned char *unknown = calloc(b - a, 1);
	float *fix = malloc((b - a) * sizeof(*fix));
	size_t i, ca = b, last = 0;

	if (!unknown || !fix || b - a > MAX_FIX)
		goto fail;
	memcpy(fix, x + a, (b - a) * sizeof(*fix));
	/* every clipped sample of the passage is unknown, short runs too */
	for (i = a; i < b; i++)
		unknown[i - a] = i >= p && i < q ? clipped_at(x, i)
						 : at_level(x, i, lvl);
	for (i = a; i <= b; i++) {
		if (ca < b && (i == b || (unknown[i - a] && i > last + join))) {
			if (declip_cluster(x, unknown, a, b, ca, last + 1,
					   fix) < 0)
				goto fail;
			ca = b;
		}
		if (i < b && unknown[i - a]) {
			ca = ca < b ? ca : i;
			last = i;
		}
	}
	free(unknown);
	return fix;
fail:
	free(unknown);
	free(fix);
	return NULL;
}

/*
 * Clipped runs starting in the middle frame, with the runs that follow
 * them within 10 ms: one event each, repaired as one.
 */
static void find_clipping(struct pm_defects *d, struct chan *c, unsigned ch)
{
	const float *x = c->x;
	size_t join = d->rate / 100, lim = 3 * FR - 600, i, j, k, a, b;
	size_t near = d->rate / 20, start = FR, back;

	if (!c->may_clip[1])
		return;
	if (c->clip_covered > d->base + FR)
		start = (size_t)(c->clip_covered - d->base);
	for (i = start; i < 2 * FR; i++) {
		float lvl, l2;
		int64_t count;

		/* most samples: under full scale, like neither neighbour */
		if (x[i] != x[i - 1] && x[i] != x[i + 1] &&
		    fabsf(x[i]) < PM_FULL_SCALE)
			continue;
		if (fabsf(x[i]) < FLAT_LEVEL || !clipped_at(x, i) || (clipped_at(x, i - 1) &&
					  (x[i - 1] < 0) == (x[i] < 0)))
			continue;
		j = clip_run(d, x, i, lim, &lvl);
		if (j == i || d->base + (int64_t)j > d->end)
			continue;
		/* a pop's step, cut: the click test's, if it looks here */
		if (d->may[1] && cut_step(x, i, j))
			continue;
		count = (int64_t)(j - i);
		/* no further back than 50 ms, nor into what is reported */
		back = i > near ? i - near : 0;
		if (c->clip_covered > d->base + (int64_t)back)
			back = (size_t)(c->clip_covered - d->base);
		back = PM_MAX(back, (size_t)1);
		/* the runs that follow closely belong to the same passage */
		for (k = j; k < lim && k < j + join; k++) {
			size_t e;

			if (!clipped_at(x, k) || (clipped_at(x, k - 1) &&
						  (x[k - 1] < 0) == (x[k] < 0)))
				continue;
			e = clip_run(d, x, k, lim, &l2);
			if (e == k) {
				while (k + 1 < lim && clipped_at(x, k + 1))
					k++;
				continue;
			}
			count += (int64_t)(e - k);
			lvl = PM_MIN(lvl, l2);
			j = e;
			k = e - 1;
		}
		/*
		 * The flat runs at the passage's level around it, short ones
		 * too, are the same clipper's: the passage reaches them.
		 */
		a = i;
		b = j;
		for (k = i; k-- > back;)
			if (at_level(x, k, lvl) && at_level(x, k + 1, lvl))
				a = k;
		for (k = j; k + 1 < PM_MIN(j + near, lim); k++)
			if (at_level(x, k, lvl) && at_level(x, k + 1, lvl))
				b = k + 2;
		if (b - a > MAX_FIX) {
			a = i;
			b = j;
		}
		{
			struct pm_defect *ev =
				add_event(d, PM_DEFECT_CLIPPING, ch,
					  d->base + (int64_t)a,
					  (int64_t)(b - a), lvl);

			if (ev) {
				ev->count = count;
				if (d->c.fix_clipping)
					ev->fix = fix_clipped(x, a, b, i, j,
							      lvl, join);
			}
		}
		c->clip_covered = d->base + (int64_t)b;
		i = b - 1;
	}
}

/* ------------------------------------------------------------------ */
/* Clicks                                                               */
/* ------------------------------------------------------------------ */

static bool silent_span(const float *x, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		if (fabsf(x[i]) >= SILENT)
			return false;
	return true;
}

/* x[0 .. n) under a Hann window, into w. */
static void hann(const float *x, size_t n, float *w)
{
	for (size_t i = 0; i < n; i++)
		w[i] = (float)(x[i] * (0.5 - 0.5 * cos(2 * M_PI * ((double)i + 0.5) /
						       (double)n)));
}

/*
 * A model of order `order` fitted to x[0 .. n) under a Hann window (n
 * at most FR / 2), into a[0 .. order]; its residual's energy per sample
 * under the window is returned.
 */
static double fit_model_order(const float *x, size_t n, double *a,
			      unsigned order)
{
	float w[FR / 2];
	double r[POP_ORDER + 1], e;
	size_t i;

	hann(x, n, w);
	for (unsigned k = 0; k <= order; k++) {
		double sum = 0;

		for (i = k; i < n; i++)
			sum += (double)w[i] * w[i - k];
		r[k] = sum;
	}
	r[0] = r[0] * (1 + 1e-6) + 1e-18;
	pm_lpc_levinson(r, order, a);
	e = r[0];
	for (unsigned k = 1; k <= order; k++)
		e -= a[k] * r[k];
	return PM_MAX(e, 0) / (0.375 * (double)n) + 1e-30;
}

static void fit_model(const float *x, size_t n, double *a)
{
	(void)fit_model_order(x, n, a, ORDER);
}

/* The mean square prediction error of model a over x[0 .. n). */
static double model_error(const float *x, size_t n, const double *a)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++) {
		double v = x[i];

		for (unsigned k = 1; k <= ORDER; k++)
			v -= a[k] * x[(ptrdiff_t)i - (ptrdiff_t)k];
		sum += v * v;
	}
	return sum / (double)n + 1e-20;
}

/* Energy of x[a .. b) in dB (relative). */
static double energy_db(const float *x, size_t a, size_t b)
{
	double sum = 0;

	for (size_t i = a; i < b; i++)
		sum += (double)x[i] * x[i];
	return 10 * log10(sum + 1e-20);
}

#define NFIT (2 * ORDER + 16) /* residual samples a burst's shape is fitted to */

/*
 * How much of the energy `ew` of residual r[0 .. NFIT), from 8 samples
 * before the peak, template t[0 .. n) explains at its best place within
 * 3 samples of the peak.
 */
static double template_fit(const double *r, double ew, const double *t,
			   size_t n)
{
	double tt = 0, best = 0;

	for (size_t k = 0; k < n; k++)
		tt += t[k] * t[k];
	for (int s = -3; s <= 3; s++) {
		double dot = 0;

		for (size_t k = 0; k < n && 8 + s + (int)k < NFIT; k++)
			dot += r[8 + s + (int)k] * t[k];
		best = PM_MAX(best, dot * dot / (tt * ew + 1e-30));
	}
	return best;
}

/*
 * How much of ep[0 .. NFIT) (a residual, ep[8] at the burst's peak) the
 * template t[0 .. n) explains, at its best place within three samples
 * of the peak, once both sides are read: the residual filtered by h
 * reversed (over h's energy, each sample's error when the model
 * interpolates it from the samples either side), and the template
 * likewise.  An impulse's shows there as a peak a sample or two wide,
 * a sound's start as what is left of its first samples once the
 * samples after have predicted them.
 */
static double two_sided_fit(const double *ep, const double *h,
			    const double *t, size_t n)
{
	const int m = NFIT - ORDER;
	double ei[NFIT - ORDER], ee = 0, best = 0;

	for (int i = 0; i < m; i++) {
		double v = 0;

		for (unsigned j = 0; j <= ORDER; j++)
			v += h[j] * ep[i + (int)j];
		ei[i] = v;
		ee += v * v;
	}
	for (int s = -3; s <= 3; s++) {
		double dot = 0, tt = 0;

		for (int i = 0; i < m; i++) {
			double v = 0;

			for (unsigned j = 0; j <= ORDER; j++) {
				int k = i + (int)j - 8 - s;

				if (k >= 0 && k < (int)n)
					v += h[j] * t[k];
			}
			dot += v * ei[i];
			tt += v * v;
		}
		best = PM_MAX(best, dot * dot / (tt * ee + 1e-30));
	}
	return best;
}

/*
 * How much of the residual ep[0 .. NFIT) (ep[8] at the burst's peak)
 * an impulse's h[0 .. ORDER] explains over its own span, at its best
 * place from 8 samples before the peak to 6 after: the share of those
 * ORDER + 1 samples' energy, not of the window's.  An impulse added to
 * music leaves h scaled there, over whatever the music leaves; a sharp
 * feature of the music itself leaves a spike that h's tail does not
 * follow.
 */
static double own_span_fit(const double *ep, const double *h)
{
	double hh = 0, best = 0;

	for (unsigned k = 0; k <= ORDER; k++)
		hh += h[k] * h[k];
	for (int s = 0; s <= 14; s++) {
		double dot = 0, ee = 0;

		for (unsigned k = 0; k <= ORDER; k++) {
			dot += ep[s + (int)k] * h[k];
			ee += ep[s + (int)k] * ep[s + (int)k];
		}
		best = PM_MAX(best, dot * dot / (hh * ee + 1e-30));
	}
	return best;
}

/*
 * Whether the burst at p is a click rather than the start of a musical
 * sound (doc/internals/defects.md §2): a sound that starts changes what
 * follows it, a click does not.  Models fitted to the music just before
 * and just after the burst predict each other's side as well as their
 * own in steady music; the level does not jump in either channel.  There
 * an impulse must still explain some of the burst (STEADY_IMPULSE).  Where
 * the music changes, the burst must be the shape an added impulse makes
 * in the residual (read from before it, or from both sides), or stand
 * in its own channel only; *weak then says whether that shape is not
 * there even over the burst's own span (OWN_IMPULSE).
 */
/* samples either side of a burst its context is read over */
static size_t context_len(const struct pm_defects *d)
{
	return PM_MIN(PM_MAX((size_t)d->rate / CONTEXT_DIV, (size_t)64),
		      (size_t)FR / 2);
}

/*
 * Whether the music either side of the burst at p in x is the same: a
 * model fitted to each side predicts the other as well as its own, the
 * residual's level does not change across, and neither x nor the other
 * channel o (NULL: not read) is louder after than before.  The model
 * before the burst into ap.
 */
static bool steady_around(const struct pm_defects *d, const float *x,
			  const float *o, size_t p, double lim, double *ap)
{
	size_t n = context_len(d), q = 2 * n - 64;
	const float *xp = x + p - 2 * ORDER - n, *xf = x + p + 2 * ORDER + 4;
	double af[ORDER + 1], change, level;

	fit_model(xp, n, ap);
	fit_model(xf, n, af);
	{
		double pp = model_error(xp, n, ap), pf = model_error(xf, n, ap);
		double ff = model_error(xf, n, af), fp = model_error(xp, n, af);

		/* the spectra's distance, and the residual's level change */
		change = 5 * (log10(pf / pp) + log10(fp / ff));
		level = 5 * (log10(pf / pp) - log10(fp / ff));
	}
	return change < lim && fabs(level) < lim &&
	       energy_db(x, p + 64, p + 64 + q) -
			       energy_db(x, p - 64 - q, p - 64) <
		       lim &&
	       (!o || energy_db(o, p + 64, p + 64 + q) -
				      energy_db(o, p - 64 - q, p - 64) <
			      lim);
}

static bool click_not_onset(const struct pm_defects *d, unsigned ch,
			    size_t p, double g, bool *weak)
{
	const struct chan *c = &d->ch[ch], *o = &d->ch[1 - ch];
	const float *x = c->x;
	size_t n = context_len(d);
	double ap[ORDER + 1], h[ORDER + 1];
	double ep[NFIT], hs[NFIT], ew = 0, impulse, step, own = 0, other = 0;
	double ao[ORDER + 1];
	size_t i;
	bool steady = steady_around(d, x, o->x, p, ONSET_DB, ap);

	/*
	 * An impulse added at p + s leaves [1, -a1 .. -a12] at p + s in the
	 * residual of the model before it; a sound that starts with a jump
	 * leaves that filter's step response, its running sum.  The burst
	 * must fit the first, and the second not clearly better (where the
	 * model makes the two alike, they fit alike).  A click found in the
	 * difference of the channels' residuals (g, the other's share, not
	 * 0) is looked at there: the other channel's own model's residual
	 * is taken out, with the sound they share.
	 */
	h[0] = 1;
	for (unsigned k = 1; k <= ORDER; k++)
		h[k] = -ap[k];
	if (g != 0)
		fit_model(o->x + p - 2 * ORDER - n, n, ao);
	for (i = 0; i < NFIT; i++) {
		const float *xi = x + p - 8 + i, *oi = o->x + p - 8 + i;
		double v = xi[0];

		for (unsigned k = 1; k <= ORDER; k++)
			v -= ap[k] * xi[-(ptrdiff_t)k];
		if (g != 0) {
			double u = oi[0];

			for (unsigned k = 1; k <= ORDER; k++)
				u -= ao[k] * oi[-(ptrdiff_t)k];
			v -= g * u;
		}
		ep[i] = v;
		ew += v * v;
		hs[i] = (i ? hs[i - 1] : 0) + (i <= ORDER ? h[i] : 0);
	}
	impulse = template_fit(ep, ew, h, ORDER + 1);
	/*
	 * Where the music either side is the same, an impulse (read from
	 * one side or both) must explain some of the burst.  A sound's
	 * instant attack, or a jump of a steady sound over a few samples,
	 * leaves a residual the impulse explains under 3% of; at 44.1 kHz
	 * such jumps stand out of the residual more than at 48 kHz, and
	 * were taken for clicks.  Read from both sides, or in the
	 * difference of the channels, a few of them reach 10% to 40% in a
	 * 16-bit source's dither; over the burst's own span the impulse
	 * still explains under 3% of them, and over 90% of a click's
	 * (doc/internals/defects.md §2).
	 */
	if (steady)
		return own_span_fit(ep, h) >= OWN_IMPULSE &&
		       (impulse >= STEADY_IMPULSE ||
			two_sided_fit(ep, h, h, ORDER + 1) >= STEADY_IMPULSE);
	step = template_fit(ep, ew, hs, NFIT - 8 - 3);
	if (impulse >= IMPULSE_FIT && impulse > step - STEP_MARGIN)
		return true;
	/*
	 * A click on a sound's first samples, in both channels alike (so
	 * that neither the difference of the channels nor the test below
	 * sees it), is read from both sides: what the sound leaves of its
	 * start in the residual is predicted from the samples after it, an
	 * impulse is not.
	 */
	impulse = two_sided_fit(ep, h, h, ORDER + 1);
	if (impulse >= IMPULSE_FIT &&
	    impulse > two_sided_fit(ep, h, hs, NFIT - 8 - 3) - STEP_MARGIN)
		return true;
	if (g != 0)
		return false;
	for (i = p - 4; i < p + ORDER + 4; i++) {
		own += (double)c->e[i] * c->e[i];
		other += (double)o->e[i] * o->e[i];
	}
	/*
	 * A burst in one channel only: a click on a sound's start in both,
	 * or the sharp start of a sound panned to one side (a hi-hat's, a
	 * dip a 96 kHz mix draws over 20 samples and 44.1 kHz over 9).  The
	 * click leaves the impulse's shape over the impulse's own span; the
	 * sound's start leaves a spike its tail does not follow.  Unless
	 * that shape is there, only a pop's tail after it (click_at())
	 * makes it a click.
	 */
	*weak = own_span_fit(ep, h) < OWN_IMPULSE;
	return other < own * pow(10, ONE_CHANNEL_DB / 10);
}

/* A click x[a .. b) with digital silence both sides: silence again. */
static void click_in_silence(struct pm_defects *d, struct chan *c,
			     unsigned ch, size_t a, size_t b, float peak)
{
	int64_t at = d->base + (int64_t)a;
	struct pm_defect *ev;

	if (at < 0)
		return;
	ev = add_event(d, PM_DEFECT_CLICK, ch, at, (int64_t)(b - a), peak);
	if (ev && d->c.fix_clicks)
		ev->fix = calloc(b - a, sizeof(float));
	c->covered = d->base + (int64_t)b + 16;
}

/*
 * A pop: a step that decays, A r^(t - p) from the click's peak p on, as
 * a capacitor discharging.  Its first samples are the burst the click
 * test found; its tail is smooth, so the music's model predicts most of
 * it and it hardly shows in the residual, but it is there in the sound
 * for as long as it takes to decay.
 */

struct pop {
	double amp, r;
	double cut[POP_CLAMPS]; /* what the clamped samples (pop_model) miss */
	size_t start; /* where its step is, amp there */
	size_t end; /* where it has decayed by 43 dB (5 time constants) */
};

#define POP_TAUS 7
#define POP_MODEL 2048 /* samples before the click the model is fitted to */
#define POP_WINDOW 4096 /* samples from the click a tail is looked for in */
#define POP_LEAD 8 /* and before its peak, where it may start */
#define POP_PRE 256 /* samples before that the residual's level is read in */

/*
 * A model a pop's tail is told from the music by: its residual from
 * POP_LEAD samples before the click's peak on, and what an impulse added
 * to the channel at t leaves in that residual at t + j (h[j]).
 */
struct pop_model {
	double h[POP_ORDER + 1];
	double buf[POP_WINDOW + POP_LEAD];
	double wt[POP_WINDOW + POP_LEAD]; /* each sample's weight in a fit */
	double floor; /* the residual's energy per sample before the click */
	bool weighted; /* wt is the residual's inverse level, not 1 */
	ptrdiff_t clamp[POP_CLAMPS]; /* the burst's samples at full scale */
	unsigned nclamp;
};

#define POP_BLOCK 32 /* samples per block the weights are measured over */
/* how far past a window's start a clamped sample's template reaches */
#define POP_SPAN (2 * POP_LEAD + POP_ORDER + 1)

static bool cholesky_solve(double *m, double *z, size_t n);

/*
 * Least squares with one template v0 (its weighted energy g00 and its
 * product with ex, b0, already summed; v0[0 .. POP_SPAN) its first
 * samples) and, at each of the clamped samples cl[0 .. ncl) (relative
 * to ex), an impulse's template h: what a sample cut at full scale
 * misses of the step is not known, so it is fitted, and the step's
 * fit does not bend to it.  What is left of ex's weighted energy xx is
 * returned, v0's amplitude put into *amp and the impulses' into dz[0 ..
 * ncl).
 */
static double fit_clamped(const double *ex, const double *wt, size_t w,
			  double xx, double g00, double b0, const double *v0,
			  const double *h, const ptrdiff_t *cl, unsigned ncl,
			  double *amp, double *dz)
{
	double g[(1 + POP_CLAMPS) * (1 + POP_CLAMPS)], bv[1 + POP_CLAMPS];
	double z[1 + POP_CLAMPS], left = xx;
	unsigned n = 1 + ncl;

	*amp = b0 / g00;
	for (unsigned k = 0; k < ncl; k++)
		dz[k] = 0;
	if (ncl == 0)
		return xx - b0 * b0 / g00;
	memset(g, 0, sizeof(g));
	g[0] = g00;
	bv[0] = b0;
	for (unsigned k = 0; k < ncl; k++) {
		double gk0 = 0, bk = 0;

		for (unsigned j = 0; j <= POP_ORDER; j++) {
			ptrdiff_t t = cl[k] + (ptrdiff_t)j;

			if (t < 0 || t >= (ptrdiff_t)w)
				continue;
			bk += wt[t] * ex[t] * h[j];
			if (t < POP_SPAN)
				gk0 += wt[t] * h[j] * v0[t];
			for (unsigned l = 0; l < ncl; l++) {
				ptrdiff_t jl = t - cl[l];

				if (jl >= 0 && jl <= POP_ORDER)
					g[(1 + k) * n + 1 + l] +=
						wt[t] * h[j] * h[jl];
			}
		}
		g[1 + k] = g[(1 + k) * n] = gk0;
		bv[1 + k] = bk;
	}
	for (unsigned i = 0; i < n; i++)
		g[i * n + i] = g[i * n + i] * (1 + 1e-9) + 1e-300;
	memcpy(z, bv, sizeof(z));
	if (!cholesky_solve(g, z, n))
		return xx - b0 * b0 / g00;
	for (unsigned i = 0; i < n; i++)
		left -= bv[i] * z[i];
	*amp = z[0];
	memcpy(dz, z + 1, ncl * sizeof(*dz));
	return left;
}

/*
 * What is left of ex[0 .. w) once the template of a step at 0 decaying
 * by r per sample, through the model's filter h, explains what it can,
 * each sample's square weighted by wt (xx: ex's energy so weighted),
 * with the clamped samples cl[0 .. ncl) let free (fit_clamped()); its
 * amplitude into *amp.  The filtered template is r^t sum h_j r^-j
 * over the j <= t: a constant factor from t = POP_ORDER on.
 */
static double tail_fit(const double *ex, const double *wt, size_t w,
		       double xx, const double *h, double r,
		       const ptrdiff_t *cl, unsigned ncl, double *amp,
		       double *dz)
{
	double f[POP_ORDER + 1], v0[POP_SPAN], g = 1, rj = 1, xg = 0, gg = 0;
	size_t t;

	f[0] = h[0];
	for (unsigned j = 1; j <= POP_ORDER; j++) {
		rj /= r;
		f[j] = f[j - 1] + h[j] * rj;
	}
	for (t = 0; t < w; t++, g *= r) {
		double v = g * f[t < POP_ORDER ? t : POP_ORDER];

		if (t < POP_SPAN)
			v0[t] = v;
		xg += wt[t] * ex[t] * v;
		gg += wt[t] * v * v;
	}
	return fit_clamped(ex, wt, w, xx, gg, xg, v0, h, cl, ncl, amp, dz);
}

/* One start's tail fits: its window of m's residual, and their results. */
struct tail_ctx {
	const struct pop_model *m;
	size_t s, w; /* the window: m->buf[s .. s + w) */
	double xx; /* its weighted energy */
	ptrdiff_t cl[POP_CLAMPS]; /* the clamped samples, from s */
	double amp, dz[POP_CLAMPS]; /* the last fit's amplitudes */
};

/* tail_fit() of the step decaying by r per sample, in c's window. */
static double fit_r(struct tail_ctx *c, double r)
{
	const struct pop_model *m = c->m;

	return tail_fit(m->buf + c->s, m->wt + c->s, c->w, c->xx, m->h, r,
			c->cl, m->nclamp, &c->amp, c->dz);
}

/*
 * Whether a step of amplitude amp starts as the residual ex[0] shows it:
 * with the click's sign, and within half of it (or, where the source
 * cut the step at full scale, no less than half of it).
 */
static bool tail_starts(double amp, double h0, double ex0, bool up,
			bool cut)
{
	if ((amp > 0) != up)
		return false;
	if (cut)
		return fabs(amp * h0) >= 0.5 * fabs(ex0);
	return fabs(amp * h0 - ex0) <= 0.5 * fabs(ex0);
}

/*
 * The best tail starting at buf[s] (p there, the residual window w
 * long), against an impulse that leaves `impulse` of its energy `xx`:
 * into *out, with what it explains beyond the impulse into *gain.
 */
static bool tail_from(const struct pm_defects *d, const float *x,
		      const struct pop_model *m, size_t s, size_t w,
		      double xx, double impulse, size_t b, size_t p,
		      double bg, struct pop *out, double *gain)
{
	const double *ex = m->buf + s, *h = m->h, *wt = m->wt + s;
	double es[POP_TAUS], tk[POP_TAUS], tau = 0, e, least = HUGE_VAL;
	double margin, best, wsum = 0;
	bool up = x[p] - x[p - 1] > 0, cut = fabsf(x[p]) >= PM_FULL_SCALE;
	struct tail_ctx c = { .m = m, .s = s, .w = w, .xx = xx };

	for (unsigned k = 0; k < m->nclamp; k++)
		c.cl[k] = m->clamp[k] - (ptrdiff_t)s;

	/*
	 * Time constants an octave apart; only a tail longer than the
	 * burst the interpolation replaces is one, and only one that
	 * starts with the step the residual shows.
	 */
	for (int k = 0; k < POP_TAUS; k++) {
		tk[k] = 0.15e-3 * (1 << k) * d->rate;
		es[k] = fit_r(&c, exp(-1 / tk[k]));
		if (p + (size_t)ceil(3 * tk[k]) <= b ||
		    !tail_starts(c.amp, h[0], ex[0], up, cut))
			es[k] = HUGE_VAL;
		least = PM_MIN(least, es[k]);
	}
	/*
	 * What a tail must explain beyond the impulse: 25 times the
	 * residual's energy per sample, in the frame's model or what the
	 * best tail leaves (weighted by the residual's level, only the
	 * latter: the weights are in its units).  A longer one must
	 * explain a quarter of that more than the shorter: over thousands
	 * of samples a slow tail also takes up some of the music's own
	 * residual.
	 */
	for (size_t t = 0; t < w; t++)
		wsum += wt[t];
	margin = 25 * PM_MAX(m->weighted ? 0 : bg * wsum, least) / (double)w;
	best = impulse - margin;
	for (int k = 0; k < POP_TAUS; k++)
		if (es[k] < best) {
			best = es[k] - 0.25 * margin;
			tau = tk[k];
		}
	if (tau == 0)
		return false;
	/*
	 * then to within 2%, by golden section on its logarithm, as far
	 * as the octaves either side (further, it wandered into slow
	 * tails that take up the music's own residual)
	 */
	{
		double lo = log(tau / 2), hi = log(tau * 2), k = 0.381966;
		double m1 = lo + k * (hi - lo), m2 = hi - k * (hi - lo);
		double e1 = fit_r(&c, exp(-exp(-m1)));
		double e2 = fit_r(&c, exp(-exp(-m2)));

		while (hi - lo > 0.04) {
			if (e1 < e2) {
				hi = m2;
				m2 = m1;
				e2 = e1;
				m1 = lo + k * (hi - lo);
				e1 = fit_r(&c, exp(-exp(-m1)));
			} else {
				lo = m1;
				m1 = m2;
				e1 = e2;
				m2 = hi - k * (hi - lo);
				e2 = fit_r(&c, exp(-exp(-m2)));
			}
		}
		tau = exp((lo + hi) / 2);
	}
	/* a tail starts with the step the residual shows at p */
	e = fit_r(&c, exp(-1 / tau));
	if (!tail_starts(c.amp, h[0], ex[0], up, cut))
		return false;
	out->amp = c.amp;
	memcpy(out->cut, c.dz, m->nclamp * sizeof(*c.dz));
	out->r = exp(-1 / tau);
	out->start = p;
	out->end = p + PM_MIN((size_t)ceil(5 * tau), w);
	*gain = impulse - e;
	return true;
}

/*
 * The tail in model m's residual, for the click x[a .. b) peaking at p
 * (the residual window w long, from p - POP_LEAD on), as pop_tail()
 * below tells it, with each sample weighted by m->wt.  Where the
 * impulse fits best into *si, with its amplitude into *ai and what the
 * clamped samples miss beside it into cut[0 .. m->nclamp).
 */
static bool tail_pass(const struct pm_defects *d, const float *x,
		      const struct pop_model *m, size_t w, size_t a, size_t b,
		      size_t p, double bg, struct pop *out, size_t *si,
		      double *ai, double *cut)
{
	const double *buf = m->buf, *h = m->h, *wt = m->wt;
	double impulse = HUGE_VAL, top = 0, es[POP_LEAD + 1], gain = -HUGE_VAL;
	size_t s0 = a + POP_LEAD - p, s, sf, sj = s0, starts[3], t;
	unsigned nst = 0;
	float jump = 0;
	bool found = false;

	/*
	 * Where it starts: the residual peaks a sample or two after an
	 * impulse or a step when the model's first coefficients are large
	 * (music dark in tone), and rings for several samples after (up to
	 * five seen).  An impulse's template, h, is put at each sample from
	 * the burst's start (POP_LEAD at most before p) to p, and the one
	 * that explains most is its start.  A step's is likelier the first
	 * of them whose residual stands out (by a third of the largest, and
	 * over the background): the model predicts that sample from the
	 * clean ones before, so the whole jump shows there.  Or, after a
	 * loud step in quiet music, where the signal jumps most (below).
	 * A tail is looked for from each, and the one that explains most
	 * is taken.
	 */
	*si = s0;
	*ai = 0;
	for (unsigned k = 0; k < m->nclamp; k++)
		cut[k] = 0;
	for (s = s0; s <= POP_LEAD; s++) {
		double xg = 0, gg = 0, e = 0, v0[POP_SPAN] = { 0 }, left, amp;
		double dz[POP_CLAMPS];
		ptrdiff_t cl[POP_CLAMPS];
		unsigned ncl = 0, own = POP_CLAMPS;

		top = PM_MAX(top, fabs(buf[s]));
		for (t = s; t < s + w; t++)
			e += wt[t] * buf[t] * buf[t];
		es[s] = e;
		for (unsigned j = 0; j <= POP_ORDER; j++) {
			xg += wt[s + j] * h[j] * buf[s + j];
			gg += wt[s + j] * h[j] * h[j];
			v0[j] = h[j];
		}
		/* the clamped samples but the impulse's own */
		for (unsigned k = 0; k < m->nclamp; k++)
			if (m->clamp[k] != (ptrdiff_t)s)
				cl[ncl++] = m->clamp[k] - (ptrdiff_t)s;
			else
				own = k;
		left = fit_clamped(buf + s, wt + s, w, e, gg, xg, v0, h, cl,
				   ncl, &amp, dz);
		if (left < impulse) {
			impulse = left;
			*si = s;
			*ai = amp;
			for (unsigned k = 0, i = 0; k < m->nclamp; k++)
				cut[k] = k == own ? 0 : dz[i++];
		}
	}
	for (sf = s0; sf < POP_LEAD; sf++)
		if (fabs(buf[sf]) >= top / 3 && buf[sf] * buf[sf] > 16 * bg)
			break;
	/*
	 * and where the signal itself jumps most: a step's start, however
	 * much more the residual rings after it (in quiet, dark music, by
	 * twice the step and more)
	 */
	for (s = s0; s <= POP_LEAD; s++) {
		float v = fabsf(x[p - POP_LEAD + s] - x[p - POP_LEAD + s - 1]);

		if (v > jump) {
			jump = v;
			sj = s;
		}
	}
	starts[nst++] = *si;
	if (sf != *si)
		starts[nst++] = sf;
	if (sj != *si && sj != sf)
		starts[nst++] = sj;
	for (unsigned k = 0; k < nst; k++) {
		struct pop cand;
		double g;

		s = starts[k];
		/* the impulse's leftover, over this start's window */
		if (tail_from(d, x, m, s, w, es[s], impulse + es[s] - es[*si],
			      b, p - POP_LEAD + s, bg, &cand, &g) &&
		    g > gain) {
			*out = cand;
			gain = g;
			found = true;
		}
	}
	return found;
}

/*
 * The energy per sample of m's residual over [q, q + n) less the
 * template of a step amp r^(t - s) from s on through its filter (r 0:
 * an impulse), and the impulses cut[] at its clamped samples.
 */
static double leftover(const struct pop_model *m, size_t q, size_t n,
		       size_t s, double amp, double r, const double *cut)
{
	const double *buf = m->buf, *h = m->h;
	double f = 0, e = 0;
	size_t t;

	for (t = s; t < q; t++)
		f = t - s <= POP_ORDER ? f * r + h[t - s] : f * r;
	for (t = q; t < q + n; t++) {
		double v = buf[t];

		if (t >= s) {
			f = t - s <= POP_ORDER ? f * r + h[t - s] : f * r;
			v -= amp * f;
		}
		for (unsigned k = 0; k < m->nclamp; k++) {
			ptrdiff_t j = (ptrdiff_t)t - m->clamp[k];

			if (j >= 0 && j <= POP_ORDER)
				v -= cut[k] * h[j];
		}
		e += v * v;
	}
	return e / (double)n;
}

/*
 * The tail, as tail_pass() tells it, looked for twice.  Music is seldom
 * as steady over the 50 ms after a click as the model fitted before it
 * supposes: a note or a drum may start a few milliseconds after, and
 * its residual, many times the model's, would outweigh the samples the
 * tail shows in.  So the first look weighs every sample alike, and the
 * second weighs each by the inverse of the residual's energy around it
 * (over POP_BLOCK samples, once the impulse or the first look's tail is
 * taken off, whichever leaves less, and no less than a quarter of the
 * residual's before the click): maximum likelihood for music whose
 * residual's level changes.  The second look's answer is taken.
 */
static bool tail_in(const struct pm_defects *d, const float *x,
		    struct pop_model *m, size_t w, size_t a, size_t b,
		    size_t p, double bg, struct pop *out)
{
	size_t n = w + POP_LEAD, si, from = p - POP_LEAD;
	struct pop first;
	double ai, cut[POP_CLAMPS];
	bool found;

	for (size_t t = 0; t < n; t++)
		m->wt[t] = 1;
	m->weighted = false;
	found = tail_pass(d, x, m, w, a, b, p, bg, &first, &si, &ai, cut);
	for (size_t q = 0; q < n; q += POP_BLOCK) {
		size_t len = PM_MIN((size_t)POP_BLOCK, n - q);
		double e = leftover(m, q, len, si, ai, 0, cut);

		if (found)
			e = PM_MIN(e, leftover(m, q, len, first.start - from,
					       first.amp, first.r, first.cut));
		e = 1 / PM_MAX(e, 0.25 * m->floor);
		for (size_t t = q; t < q + len; t++)
			m->wt[t] = e;
	}
	m->weighted = true;
	return tail_pass(d, x, m, w, a, b, p, bg, out, &si, &ai, cut);
}

/* sum of u[i] v[i + k] over the i where both are in [0, n) */
static double lagged(const float *u, const float *v, size_t n, ptrdiff_t k)
{
	size_t i0 = k < 0 ? (size_t)-k : 0, i1 = k > 0 ? n - (size_t)k : n;
	double sum = 0;

	for (size_t i = i0; i < i1; i++)
		sum += (double)u[i] * v[(ptrdiff_t)i + k];
	return sum;
}

/*
 * Cholesky: solve the n x n symmetric positive definite system m z = z
 * in place (m's lower triangle is overwritten).  Whether it could.
 */
static bool cholesky_solve(double *m, double *z, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		double s = m[j * n + j];

		for (size_t k = 0; k < j; k++)
			s -= m[j * n + k] * m[j * n + k];
		if (!(s > 0))
			return false;
		m[j * n + j] = sqrt(s);
		for (size_t i = j + 1; i < n; i++) {
			double t = m[i * n + j];

			for (size_t k = 0; k < j; k++)
				t -= m[i * n + k] * m[j * n + k];
			m[i * n + j] = t / m[j * n + j];
		}
	}
	for (size_t i = 0; i < n; i++) {
		double s = z[i];

		for (size_t k = 0; k < i; k++)
			s -= m[i * n + k] * z[k];
		z[i] = s / m[i * n + i];
	}
	for (size_t i = n; i-- > 0;) {
		double s = z[i];

		for (size_t k = i + 1; k < n; k++)
			s -= m[k * n + i] * z[k];
		z[i] = s / m[i * n + i];
	}
	return true;
}

#define STEREO_N (2 * POP_ORDER + 1) /* a stereo model's coefficients */

/*
 * A model of x[0 .. n) that also reads the other channel o, at the same
 * sample and the POP_ORDER before it: x[t] is predicted by sum a_j x[t -
 * j] + sum b_j o[t - j], by least squares under a Hann window (the
 * autocorrelation method, whose normal equations are built from the
 * channels' auto- and cross-correlations).  a[1 .. POP_ORDER] and
 * b[0 .. POP_ORDER] into z.  Whether it could be fitted.
 */
static bool fit_stereo(const float *x, const float *o, size_t n, double *z)
{
	const size_t P = POP_ORDER, N = STEREO_N;
	float *wx = malloc(2 * n * sizeof(*wx)), *wo = wx + n;
	double *m = malloc(N * N * sizeof(*m)), rxx[POP_ORDER + 1];
	double roo[POP_ORDER + 1], cxo[2 * POP_ORDER + 1], rhs[STEREO_N];
	bool ok = false;

	if (!wx || !m)
		goto done;
	hann(x, n, wx);
	hann(o, n, wo);
	for (size_t k = 0; k <= P; k++) {
		rxx[k] = lagged(wx, wx, n, (ptrdiff_t)k);
		roo[k] = lagged(wo, wo, n, (ptrdiff_t)k);
	}
	/* cxo[P + k]: sum wx[s] wo[s + k], k from -P to P */
	for (size_t k = 0; k <= 2 * P; k++)
		cxo[k] = lagged(wx, wo, n, (ptrdiff_t)k - (ptrdiff_t)P);
	/* unknowns: a_1 .. a_P, then b_0 .. b_P */
	for (size_t i = 0; i < P; i++) {
		for (size_t k = 0; k < P; k++)
			m[i * N + k] = rxx[i > k ? i - k : k - i];
		for (size_t j = 0; j <= P; j++)
			m[i * N + P + j] = m[(P + j) * N + i] = cxo[P + i + 1 - j];
		rhs[i] = rxx[i + 1];
	}
	for (size_t j = 0; j <= P; j++) {
		for (size_t l = 0; l <= P; l++)
			m[(P + j) * N + P + l] = roo[j > l ? j - l : l - j];
		rhs[P + j] = cxo[P - j];
	}
	for (size_t i = 0; i < N; i++)
		m[i * N + i] = m[i * N + i] * (1 + 1e-6) + 1e-18;
	memcpy(z, rhs, sizeof(rhs));
	ok = cholesky_solve(m, z, N);
done:
	free(wx);
	free(m);
	return ok;
}

#define SPEC_N 4096 /* points in the transforms a slow tail is told by */
#define SPEC_GRID 48 /* time constants tried, 0.2 ms to 20 ms */
#define SPEC_SEGS 4 /* music segments each side its spectrum is read in */
#define SPEC_LF_HZ 250.0 /* below, the music's spectrum is read bin by bin */

/*
 * The window of spec_tail()'s transforms at i of n: up over the first
 * eighth (music before the step), flat, and down over the last quarter
 * (where the tail has died out).
 */
static double spec_window(size_t i, size_t n)
{
	size_t up = n / 8, down = n / 4;

	if (i < up)
		return 0.5 - 0.5 * cos(M_PI * ((double)i + 0.5) / (double)up);
	if (i >= n - down)
		return 0.5 + 0.5 * cos(M_PI * ((double)(i - (n - down)) + 0.5) /
				       (double)down);
	return 1;
}

/*
 * The music around a pop whose window is x[g0 .. g0 + n) (its step at
 * s), read in up to SPEC_SEGS segments of n either side, each under
 * window w.  With the other channel o (NULL: not read), what x holds of
 * o, bin by bin: the transfer H = Sxo / Soo from their cross spectrum,
 * into hre and him, and in psd the power of what is left of x once H o
 * is taken out, not under a hundredth of x's (a few segments make the
 * channels look more alike than they are).  Without o, x's power.
 * Above SPEC_LF_HZ each is the mean over 9 bins; below, where a bass
 * line's partials and the gaps between them are a few bins apart, bin
 * by bin.  scratch holds 6 (n + 2) doubles.  Whether any segment fitted
 * in the three frames.
 */
static bool spec_music(const struct pm_defects *d, struct pm_fft *f,
		       const float *x, const float *o, const double *w,
		       size_t n, size_t g0, size_t s, double *scratch,
		       double *psd, double *hre, double *him)
{
	size_t nb = n / 2 + 1, nseg = 0;
	size_t lf = (size_t)(SPEC_LF_HZ * (double)n / d->rate);
	double *buf = scratch, *xf = buf + n + 2, *of = xf + n + 2;
	double *sxx = of + n + 2, *soo = sxx + nb, *sre = soo + nb;
	double *sim = sre + nb;

	for (size_t k = 0; k < nb; k++)
		sxx[k] = soo[k] = sre[k] = sim[k] = 0;
	for (int side = 0; side < 2; side++)
		for (size_t j = 0; j < SPEC_SEGS; j++) {
			ptrdiff_t a = side == 0 ?
				(ptrdiff_t)s - 64 - (ptrdiff_t)(n + j * n / 2) :
				(ptrdiff_t)(g0 + n + j * n / 2);

			if (a < 0 || a + (ptrdiff_t)n > 3 * FR)
				continue;
			for (size_t i = 0; i < n; i++)
				buf[i] = w[i] * x[a + (ptrdiff_t)i];
			pm_fft_forward(f, buf, xf);
			if (o) {
				for (size_t i = 0; i < n; i++)
					buf[i] = w[i] * o[a + (ptrdiff_t)i];
				pm_fft_forward(f, buf, of);
			}
			for (size_t k = 0; k < nb; k++) {
				const double *u = xf + 2 * k, *v = of + 2 * k;

				sxx[k] += u[0] * u[0] + u[1] * u[1];
				if (!o)
					continue;
				soo[k] += v[0] * v[0] + v[1] * v[1];
				sre[k] += u[0] * v[0] + u[1] * v[1];
				sim[k] += u[1] * v[0] - u[0] * v[1];
			}
			nseg++;
		}
	if (nseg == 0)
		return false;
	for (size_t k = 0; k < nb; k++) {
		size_t lo = k < 4 ? 0 : k - 4, hi = PM_MIN(k + 5, nb);
		double px = 0, po = 0, pr = 0, pi = 0, m;

		if (k < lf) {
			lo = k;
			hi = k + 1;
		}
		for (size_t j = lo; j < hi; j++) {
			px += sxx[j];
			po += soo[j];
			pr += sre[j];
			pi += sim[j];
		}
		m = (double)((hi - lo) * nseg);
		psd[k] = px / m;
		if (o && po > 0) {
			hre[k] = pr / po;
			him[k] = pi / po;
			psd[k] = PM_MAX((px - (pr * pr + pi * pi) / po) / m,
					0.01 * px / m);
		} else if (o) {
			hre[k] = him[k] = 0;
		}
		psd[k] += 1e-20;
	}
	return true;
}

/*
 * A slow tail's time constant, told again in the spectrum (doc/internals/
 * defects.md §2).  The model tail_in() fits in the time domain is short
 * (POP_ORDER taps, fitted to 2 048 samples), and smears the music's bass
 * down to 0 Hz: it reads a tail of a millisecond or more as more of the
 * bass, and its time constant is poorly told (by half or twice as often
 * as not, on the real album).  Most mixes hold little below their bass,
 * where such a tail's energy is.  So out's step (its start and amplitude
 * kept) is fitted again, with an impulse at its start for the burst, to
 * the transform of SPEC_N samples from an eighth before it, each bin
 * weighted by the inverse of the music's power there (spec_music()):
 * least squares, for each time constant of a grid, and the one that
 * leaves least is taken.  At the grid's longest (past 16 ms), what was
 * fitted is the music's own slow change, and out is left as it was.  So
 * is a step the source cut at full scale (cut true): what its cut
 * samples miss is known in the time domain only, and the spectrum's fit
 * with them let free was seen to go wrong.  With the other channel o
 * (NULL: the pop is in both), what x holds of o is taken out first, bin
 * by bin, and the weights are from what is left: the bass the channels
 * share no longer hides the tail where it is, below a few hundred
 * hertz, which is all there is to go by when the band above the music
 * holds a 16-bit source's dither or the music itself.
 */
static void spec_tail(const struct pm_defects *d, const float *x,
		      const float *o, bool cut, struct pop *out)
{
	const size_t n = SPEC_N, q = n / 8, nb = n / 2 + 1;
	size_t s = out->start, g0 = s - q;
	double tau0 = -1 / log(out->r), best = HUGE_VAL, tbest = 0;
	double *w, *buf, *yf, *tf, *inf, *psd, *hre, *him;
	struct pm_err err = { 0 };
	struct pm_fft *f;

	if (cut || tau0 < 0.3e-3 * d->rate || s < q || g0 + n > 3 * FR)
		return;
	f = pm_fft_new(n, &err);
	w = malloc((2 * n + 12 * (n + 2)) * sizeof(*w));
	if (!f || !w)
		goto done;
	buf = w + n;
	yf = buf + n;
	tf = yf + n + 2;
	inf = tf + n + 2;
	psd = inf + n + 2;
	hre = psd + n + 2;
	him = hre + n + 2;
	for (size_t i = 0; i < n; i++)
		w[i] = spec_window(i, n);
	if (!spec_music(d, f, x, o, w, n, g0, s, him + n + 2, psd, hre, him))
		goto done;
	for (size_t i = 0; i < n; i++)
		buf[i] = w[i] * x[g0 + i];
	pm_fft_forward(f, buf, yf);
	if (o) {
		/* what x holds of o taken out: tf holds o's transform */
		for (size_t i = 0; i < n; i++)
			buf[i] = w[i] * o[g0 + i];
		pm_fft_forward(f, buf, tf);
		for (size_t k = 0; k < nb; k++) {
			const double *v = tf + 2 * k;

			yf[2 * k] -= hre[k] * v[0] - him[k] * v[1];
			yf[2 * k + 1] -= hre[k] * v[1] + him[k] * v[0];
		}
	}
	for (size_t i = 0; i < n; i++)
		buf[i] = i == q ? w[i] : 0;
	pm_fft_forward(f, buf, inf);
	for (int g = 0; g <= SPEC_GRID; g++) {
		double tau = 0.2e-3 * d->rate * pow(100, g / (double)SPEC_GRID);
		double r = exp(-1 / tau), v = 1, tt = 0, ti = 0, ii = 0;
		double ty = 0, iy = 0, yy = 0, det, left;

		for (size_t i = 0; i < n; i++) {
			buf[i] = i < q ? 0 : w[i] * v;
			v = i < q ? v : v * r;
		}
		pm_fft_forward(f, buf, tf);
		for (size_t k = 1; k < nb; k++) {
			const double *t = tf + 2 * k, *u = inf + 2 * k;
			const double *y = yf + 2 * k;
			double c = 1 / psd[k];

			tt += c * (t[0] * t[0] + t[1] * t[1]);
			ii += c * (u[0] * u[0] + u[1] * u[1]);
			ti += c * (t[0] * u[0] + t[1] * u[1]);
			ty += c * (t[0] * y[0] + t[1] * y[1]);
			iy += c * (u[0] * y[0] + u[1] * y[1]);
			yy += c * (y[0] * y[0] + y[1] * y[1]);
		}
		det = tt * ii - ti * ti;
		if (!(det > 0))
			continue;
		left = yy - (ty * (ty * ii - iy * ti) +
			     iy * (iy * tt - ty * ti)) / det;
		if (left < best) {
			best = left;
			tbest = tau;
		}
	}
	if (tbest == 0 ||
	    tbest > 0.2e-3 * d->rate * pow(100, (SPEC_GRID - 2) /
					   (double)SPEC_GRID))
		goto done;
	out->r = exp(-1 / tbest);
	out->end = s + PM_MIN((size_t)ceil(5 * tbest), (size_t)POP_WINDOW);
	out->end = PM_MIN(out->end, (size_t)3 * FR);
done:
	pm_fft_free(f);
	free(w);
}

/*
 * Whether the click x[a .. b) peaking at p has a decaying tail, and
 * which (doc/internals/defects.md §2).  Over the 48 ms from p on, the
 * residual of a model fitted to the music before the click is explained
 * by one template at a time, by least squares: an impulse (a click) or
 * a step decaying with a time constant from 0.15 ms to 9.6 ms, each put
 * through the same model's filter.  The step's first sample pins its
 * amplitude; what tells a tail is the residual it leaves or takes away
 * after.  o is the other channel, and beta how much of the click is in
 * it too (click_share()).
 */
static bool pop_tail(const struct pm_defects *d, const float *x,
		     const float *o, double beta, size_t a, size_t b,
		     size_t p, double bg, struct pop *out)
{
	double tau_max = 0.15e-3 * (1 << (POP_TAUS - 1)) * d->rate;
	size_t w = PM_MIN((size_t)ceil(5 * tau_max), (size_t)POP_WINDOW);
	double ap[POP_ORDER + 1], z[STEREO_N];
	struct pop_model *m;
	bool found;

	if (a < POP_MODEL + POP_ORDER || p + w > 3 * FR || p < a ||
	    p - a > POP_LEAD)
		return false;
	m = malloc(sizeof(*m));
	if (!m)
		return false;
	m->nclamp = 0;
	for (size_t t = p - POP_LEAD; t <= p + POP_LEAD; t++)
		if (fabsf(x[t]) >= PM_FULL_SCALE && m->nclamp < POP_CLAMPS)
			m->clamp[m->nclamp++] = (ptrdiff_t)(t - (p - POP_LEAD));
	/*
	 * With the other channel: what the two share (in most mixes the
	 * bass, which is what a slow tail is hard to tell from) is
	 * predicted from it, so the tail stands out of a smaller residual
	 * and its time constant is told better.  Only for a click that is
	 * mostly in this channel; what there is of it in the other, beta,
	 * goes into the template.
	 */
	if (fabs(beta) < 0.25 &&
	    fit_stereo(x + a - POP_MODEL, o + a - POP_MODEL, POP_MODEL, z) &&
	    fabs(beta * z[POP_ORDER]) < 0.5) {
		m->h[0] = 1 - beta * z[POP_ORDER];
		for (unsigned j = 1; j <= POP_ORDER; j++)
			m->h[j] = -z[j - 1] - beta * z[POP_ORDER + j];
		m->floor = 0;
		for (ptrdiff_t t = -POP_PRE; t < (ptrdiff_t)(w + POP_LEAD);
		     t++) {
			const float *xt = x + p - POP_LEAD + t;
			const float *ot = o + p - POP_LEAD + t;
			double v = xt[0] - z[POP_ORDER] * ot[0];

			for (unsigned j = 1; j <= POP_ORDER; j++)
				v -= z[j - 1] * xt[-(ptrdiff_t)j] +
				     z[POP_ORDER + j] * ot[-(ptrdiff_t)j];
			if (t < 0)
				m->floor += v * v / POP_PRE;
			else
				m->buf[t] = v;
		}
		found = tail_in(d, x, m, w, a, b, p, bg, out);
		if (found) {
			spec_tail(d, x, o, m->nclamp > 0, out);
			goto out;
		}
	}
	/* the channel alone */
	(void)fit_model_order(x + a - POP_MODEL, POP_MODEL, ap, POP_ORDER);
	m->h[0] = 1;
	for (unsigned j = 1; j <= POP_ORDER; j++)
		m->h[j] = -ap[j];
	m->floor = 0;
	for (ptrdiff_t t = -POP_PRE; t < (ptrdiff_t)(w + POP_LEAD); t++) {
		const float *xt = x + p - POP_LEAD + t;
		double v = xt[0];

		for (unsigned j = 1; j <= POP_ORDER; j++)
			v -= ap[j] * xt[-(ptrdiff_t)j];
		if (t < 0)
			m->floor += v * v / POP_PRE;
		else
			m->buf[t] = v;
	}
	found = tail_in(d, x, m, w, a, b, p, bg, out);
	if (found)
		spec_tail(d, x, NULL, m->nclamp > 0, out);
out:
	free(m);
	return found;
}

/*
 * Whether x[gap .. gap + m), a pop's burst once its fitted step is taken
 * off, is music again: the residual of a model fitted to the samples
 * before it stays, over the burst and the model's length after, within
 * four times the model's own.
 */
static bool explained(const float *x, size_t gap, size_t m)
{
	size_t n = PM_MIN(gap, (size_t)FR / 2), t;
	double a[POP_ORDER + 1], bg, in = 0;

	if (n < 4 * POP_ORDER)
		return false;
	bg = fit_model_order(x + gap - n, n, a, POP_ORDER);
	for (t = gap; t < gap + m + POP_ORDER; t++) {
		double v = x[t];

		for (unsigned j = 1; j <= POP_ORDER; j++)
			v -= a[j] * x[t - j];
		in += v * v;
	}
	return in < 4 * bg * (double)(m + POP_ORDER);
}

/*
 * Where the source cut a pop's step at full scale, what the cut samples
 * held is not known, but the rest of the burst, once the fitted step is
 * taken off (tmp, which holds x[lo .. hi) so corrected), may be music
 * again.  So the cut samples of x[a .. b) alone are interpolated, into
 * tmp, if what that leaves of the burst is music (explained()).
 * Whether they were.
 */
static bool cut_samples(float *tmp, const float *x, size_t lo, size_t hi,
			size_t a, size_t b)
{
	unsigned char *u = calloc(hi - lo, 1);
	float *y = malloc((hi - lo) * sizeof(*y));
	bool done = false;

	if (!u || !y)
		goto out;
	memcpy(y, tmp, (hi - lo) * sizeof(*y));
	for (size_t t = a; t < b; t++)
		u[t - lo] = fabsf(x[t]) >= PM_FULL_SCALE;
	if (pm_ar_interpolate_mask(y, hi - lo, u, FIX_ORDER, false) == 0 &&
	    explained(y, a - lo, b - a)) {
		memcpy(tmp, y, (hi - lo) * sizeof(*y));
		done = true;
	}
out:
	free(u);
	free(y);
	return done;
}

/*
 * The samples to put in place of the click x[a .. b) peaking at p, or
 * of the pop that reaches on to tail->end (tail NULL: none), into a new
 * array: the tail taken off from b on, and x[a .. b) interpolated from
 * the music so corrected either side.
 */
static float *fix_click(const float *x, size_t a, size_t b, size_t p,
			const struct pop *tail)
{
	size_t m = b - a, ctx = PM_MAX(4 * m, (size_t)256), lo, hi, t;
	size_t end = tail ? tail->end : b, n = end - a;
	float *tmp, *fix;
	bool cut = false;

	if (n > MAX_FIX)
		return NULL;
	lo = a > ctx ? a - ctx : 0;
	hi = PM_MIN(PM_MAX(a + m + ctx, end), (size_t)3 * FR);
	if (a - lo < FIX_ORDER || hi - a - m < FIX_ORDER)
		return NULL;
	tmp = malloc((hi - lo) * sizeof(*tmp));
	fix = malloc(n * sizeof(*fix));
	if (!tmp || !fix)
		goto fail;
	memcpy(tmp, x + lo, (hi - lo) * sizeof(*tmp));
	if (tail) {
		double g = tail->amp;

		for (t = tail->start; t < end; t++, g *= tail->r)
			tmp[t - lo] -= (float)g;
	}
	for (t = a; t < b; t++)
		cut = cut || fabsf(x[t]) >= PM_FULL_SCALE;
	if (tail && cut && cut_samples(tmp, x, lo, hi, a, b))
		m = 0;
	if (m > 0 && (!tail || cut || !explained(tmp, a - lo, m)) &&
	    pm_ar_interpolate(tmp, hi - lo, a - lo, m, FIX_ORDER, 0) < 0)
		goto fail;
	memcpy(fix, tmp + (a - lo), n * sizeof(*fix));
	free(tmp);
	return fix;
fail:
	free(tmp);
	free(fix);
	return NULL;
}

/*
 * How much of the click at p in channel ch is in the other channel too:
 * the other's residual regressed on this one's over the five samples
 * around the peak.
 */
static double click_share(const struct pm_defects *d, unsigned ch, size_t p)
{
	const float *e = d->ch[ch].e, *eo = d->ch[1 - ch].e;
	double ee = 0, eo_e = 0;

	for (size_t i = p - 2; i <= p + 2; i++) {
		ee += (double)e[i] * e[i];
		eo_e += (double)e[i] * eo[i];
	}
	return ee > 0 ? eo_e / ee : 1;
}

/*
 * Whether the burst at p in x, which the music either side does not
 * pass for a click (click_not_onset()), is a pop all the same: once
 * its fitted tail is taken off, the music after it is the music before
 * (steady_around(), this channel alone, to within POP_ONSET_DB).  A pop
 * in both channels alike is seen by neither the difference of the
 * channels nor the one-channel test, and its tail changes what follows
 * it as a sound would; a sound's start does not go once a decaying
 * step is taken off.  The limit is wider than a click's: a tail has
 * been found (no burst on the clean real album that fails the onset
 * test has one), and what the fit leaves of the tail changes the
 * residual's level after it by a few dB.
 */
static bool pop_not_onset(const struct pm_defects *d, const float *x,
			  size_t p, const struct pop *tail)
{
	float *y = malloc(3 * FR * sizeof(*y));
	double ap[ORDER + 1], g = tail->amp;
	bool steady;

	if (!y)
		return false;
	memcpy(y, x, 3 * FR * sizeof(*y));
	for (size_t t = tail->start; t < tail->end; t++, g *= tail->r)
		y[t] -= (float)g;
	steady = steady_around(d, y, NULL, p, POP_ONSET_DB, ap);
	free(y);
	return steady;
}

/*
 * Whether the tail fitted in one channel is the twin of pop `twin`, found
 * in the other at the same sample (twins_of()): a step of the same sign
 * and size, decaying as fast, each within a factor of 1.5 (the fits of
 * one pop's tail under two channels' music differ by a little; a sound
 * that starts with a step in both, or a gain step, differs more).  A pop
 * in both channels alike
 * (a bad connection, a switch) changes what follows it in both, and where
 * a sound starts with it the test after its tail may fail in one channel
 * and not the other; the one found vouches for its twin.
 */
static bool twin_pop(const struct pm_defect *twin, const struct pop *tail)
{
	double tau = -1 / log(tail->r);

	return twin && twin->tail_tau > 0 &&
	       (twin->tail_amp < 0) == (tail->amp < 0) &&
	       fabs(tail->amp) <= 1.5 * fabs(twin->tail_amp) &&
	       fabs(twin->tail_amp) <= 1.5 * fabs(tail->amp) &&
	       tau <= 1.5 * twin->tail_tau && twin->tail_tau <= 1.5 * tau;
}

/*
 * The closer look at a candidate whose residual peaks at p: `e` is the
 * residual it stands out in, over the background energy per sample
 * `ebg` (the channel's own, or what is left of it once the other
 * channel's share g is taken out; g 0: the channel's own residual),
 * `bg` the channel's own; `twin` the click or pop found at the same
 * sample in the other channel (twins_of()), or NULL.  Whether it was
 * taken: as a click, or as the edge rule's.
 */
static bool click_at(struct pm_defects *d, struct chan *c, unsigned ch,
		     size_t p, double bg, const float *e, double ebg,
		     double g, const struct pm_defect *twin)
{
	const float *x = c->x;
	double near = 0, wide = 0, pre = 0, thr;
	float peak = fabsf(c->e[p]);
	size_t i, a, b, lo = p - 256, hi = p + 256;
	int64_t at;
	bool onset, weak = false;

	if (d->base + (int64_t)p < c->covered ||
	    d->base + (int64_t)p >= d->end || d->base + (int64_t)p < 0)
		return false;
	/*
	 * Next to digital silence it is an edge, the edge rule's, unless
	 * it is a burst with digital silence both sides: a click in a
	 * pause, whose repair is silence.
	 */
	if (silent_span(x, p - 16, p) || silent_span(x, p + 1, p + 17)) {
		size_t ia = p, ib = p + 1;

		while (ia > p - 2 * ORDER && fabsf(x[ia - 1]) >= SILENT)
			ia--;
		while (ib < p + 2 * ORDER && fabsf(x[ib]) >= SILENT)
			ib++;
		if (silent_span(x, ia - 64, ia) && silent_span(x, ib, ib + 64))
			click_in_silence(d, c, ch, ia, ib, peak);
		return true;
	}
	/*
	 * A clipped passage is the clipping rule's.  A sample or two at
	 * full scale is not one: a pop on loud music can reach it.  Nor
	 * is a step cut at full scale for a few samples (cut_step()), nor
	 * a staircase of pairs of equal samples, which a 16-bit source's
	 * slow waves hold near their peaks (flat_top()).  A short flat top
	 * is one only in audio finer than 16 bits, and the click itself,
	 * added to a 16-bit source, does not make it so.
	 */
	for (i = p - ORDER - 8; i < p + 8; i++) {
		size_t r0 = i, j;
		float lvl;

		if (!clipped_at(x, i))
			continue;
		while (r0 > p - ORDER - 40 && clipped_at(x, r0 - 1) &&
		       (x[r0 - 1] < 0) == (x[i] < 0))
			r0--;
		j = clip_run(d, x, r0, 3 * FR - 600, &lvl);
		if (j != r0 && !cut_step(x, r0, j) && flat_top(x, r0, j) &&
		    (j - r0 >= flat_run(d, lvl) || fabsf(x[r0]) >= PM_FULL_SCALE ||
		     fine_audio(x, r0 > 64 ? r0 - 64 : 0,
				PM_MIN(j + 64, (size_t)3 * FR),
				p - ORDER - 8, p + ORDER + 8, lvl)))
			return false;
	}
	/*
	 * A click's residual is a burst of at most the model's length: it
	 * holds most of what stands over the background around it.
	 */
	for (i = lo; i < hi; i++) {
		double v = (double)e[i] * e[i];

		wide += v;
		if (i + 2 >= p && i <= p + ORDER + 2)
			near += v;
	}
	if (near - (ORDER + 5) * ebg < 0.45 * (wide - (double)(hi - lo) * ebg))
		return false;
	/*
	 * its extent: where the residual stands out, either side of the
	 * peak, the samples between included (a burst of noise crosses
	 * zero within itself)
	 */
	thr = PM_MAX(0.05 * fabsf(e[p]), 4 * sqrt(ebg));
	for (a = p, i = p; i > p - ORDER - 4; i--)
		if (fabsf(e[i - 1]) > thr)
			a = i - 1;
	for (b = p + 1, i = p + 1; i < p + 2 * ORDER + 4; i++)
		if (fabsf(e[i]) > thr || (i <= p + POP_CLAMPS &&
					  fabsf(x[i]) >= PM_FULL_SCALE))
			b = i + 1;
	/*
	 * Out of near silence (under -80 dBFS: a pause that holds a 16-bit
	 * source's dither, or a fade's tail) it is a sound's entry, not a
	 * click, unless near silence follows too: a click in a pause.
	 */
	for (i = p - 512; i < p - 16; i++)
		pre += (double)x[i] * x[i];
	pre /= 496;
	if (pre < 1e-8) {
		double post = 0;

		for (i = b + 16; i < b + 512; i++)
			post += (double)x[i] * x[i];
		if (post / 496 >= 1e-8)
			return false;
		onset = false;
	} else {
		onset = !click_not_onset(d, ch, p, g, &weak);
	}
	a = a > 2 ? a - 2 : a;
	b += 2;
	at = d->base + (int64_t)a;
	if (at < 0)
		return false;
	{
		struct pop tail = { 0 };
		size_t end = b;
		struct pm_defect *ev;
		bool has = pop_tail(d, x, d->ch[1 - ch].x,
				    click_share(d, ch, p), a, b, p, bg, &tail);

		if ((onset && !(has && (pop_not_onset(d, x, p, &tail) ||
					 twin_pop(twin, &tail)))) ||
		    (weak && !has))
			return false;
		if (has)
			end = tail.end;
		ev = add_event(d, PM_DEFECT_CLICK, ch, at, (int64_t)(end - a),
			       peak);
		if (ev && has) {
			ev->tail_amp = (float)tail.amp;
			ev->tail_tau = (float)(-1 / log(tail.r));
		}
		if (ev && d->c.fix_clicks)
			ev->fix = fix_click(x, a, b, p, end > b ? &tail : NULL);
		b = end;
	}
	c->covered = d->base + (int64_t)b + 16;
	return true;
}

/* sum e[i] o[i] over each segment from s to t, into xc[s .. t) */
static void cross_segments(const float *e, const float *o, float *xc,
			   size_t s, size_t t)
{
	for (; s < t; s++) {
		float acc[8] = { 0 };

		for (size_t i = 0; i < SEG; i += 8)
			for (int k = 0; k < 8; k++)
				acc[k] += e[s * SEG + i + (size_t)k] *
					  o[s * SEG + i + (size_t)k];
		xc[s] = ((acc[0] + acc[1]) + (acc[2] + acc[3])) +
			((acc[4] + acc[5]) + (acc[6] + acc[7]));
	}
}

/*
 * Whether segment s, where the channel's own residual does not stand
 * out enough, does once the other channel's share of it is taken out
 * (doc/internals/defects.md §1): in music much alike in both channels,
 * most of what the model cannot predict in one channel is in the other
 * too, and a click in one channel only stands out of the difference.
 * `own`, `other` and `cross` are the background's sums over the segments
 * around; the candidate's peak into *p, the difference's background
 * energy per sample into *ebg and the other channel's share into *g,
 * the difference itself into d->xe.
 */
static bool cross_candidate(struct pm_defects *d, const struct chan *c,
			    const struct chan *o, size_t s, double own,
			    double other, double cross, size_t *p, double *ebg,
			    double *gp)
{
	const double k2 = d->c.click_ratio * d->c.click_ratio;
	const size_t nbg = (2 * REACH - 2) * SEG;
	double g, left, best = 0, m;
	size_t i;

	if (other <= 0)
		return false;
	g = cross / other;
	left = (own - cross * g) / (double)nbg;
	/* only where the other channel explains a tenth of the
	 * background, at least */
	if (left <= 0 || left * nbg > 0.9 * own)
		return false;
	m = c->seg_p[s] + fabs(g) * o->seg_p[s]; /* the most it can reach */
	if (m * m <= k2 * left)
		return false;
	for (i = s * SEG; i < (s + 1) * SEG; i++) {
		double v = fabs((double)c->e[i] - g * o->e[i]);

		if (v > best) {
			best = v;
			*p = i;
		}
	}
	if (best * best <= k2 * left || fabsf(c->e[*p]) <= d->c.click_floor)
		return false;
	/* the difference where click_at() reads it */
	for (i = *p - 256; i < *p + 256; i++)
		d->xe[i] = (float)((double)c->e[i] - g * o->e[i]);
	*ebg = left;
	*gp = g;
	return true;
}

/*
 * A second look at a segment that stands out, but not enough
 * (NEAR_MISS of the factor, or more), in the frame's residual: a model
 * fitted to the LPN samples of its block under a window leaves more of
 * music whose spectrum spans a wide range (dark, highly predictable
 * music) than one fitted to the samples before the segment by least
 * squares (the covariance method).  That model's residual around the
 * segment into d->xe; whether its peak stands the factor over its
 * background (the samples around, the 96 at the peak left out), with
 * the peak into *p and the background's energy per sample into *ebg.
 */
static bool closer_candidate(struct pm_defects *d, const struct chan *c,
			     size_t s, size_t *p, double *ebg)
{
	const size_t fit = 2048, gap = 320;
	const float *x = c->x;
	size_t a = s * SEG - gap - fit, i, at = s * SEG;
	double m[ORDER * ORDER], z[ORDER], bg = 0, best = 0;
	double k2 = d->c.click_ratio * d->c.click_ratio;

	memset(m, 0, sizeof(m));
	memset(z, 0, sizeof(z));
	for (size_t t = a; t < a + fit; t++) {
		for (unsigned j = 0; j < ORDER; j++) {
			double u = x[t - 1 - j];

			z[j] += u * x[t];
			for (unsigned k = 0; k <= j; k++)
				m[j * ORDER + k] += u * x[t - 1 - k];
		}
	}
	for (unsigned j = 0; j < ORDER; j++) {
		for (unsigned k = j + 1; k < ORDER; k++)
			m[j * ORDER + k] = m[k * ORDER + j];
		m[j * ORDER + j] = m[j * ORDER + j] * (1 + 1e-6) + 1e-18;
	}
	if (!cholesky_solve(m, z, ORDER))
		return false;
	for (i = at - 256; i < at + 256 + SEG; i++) {
		double v = x[i];

		for (unsigned j = 0; j < ORDER; j++)
			v -= z[j] * x[i - 1 - j];
		d->xe[i] = (float)v;
	}
	for (i = at; i < at + SEG; i++)
		if (fabsf(d->xe[i]) > best) {
			best = fabsf(d->xe[i]);
			*p = i;
		}
	for (i = *p - 256; i < *p + 256; i++)
		if (i + 48 <= *p || i >= *p + 48)
			bg += (double)d->xe[i] * d->xe[i];
	bg /= 512 - 96;
	*ebg = bg;
	return best * best > k2 * bg;
}

static void find_clicks(struct pm_defects *d, struct chan *c, unsigned ch)
{
	const size_t s0 = FR / SEG, s1 = 2 * FR / SEG;
	const size_t nbg = (2 * REACH - 2) * SEG;
	const struct chan *o = &d->ch[1 - ch];
	double k2 = d->c.click_ratio * d->c.click_ratio;
	double run = 0, run_o = 0, run_x = 0;
	float xc[NSEG];
	size_t s;

	cross_segments(c->e, o->e, xc, s0 - REACH, s1 + REACH + 1);
	for (s = s0 - REACH; s <= s0 + REACH; s++) {
		run += c->seg_e[s];
		run_o += o->seg_e[s];
		run_x += xc[s];
	}
	for (s = s0; s < s1; s++) {
		double own = run - c->seg_e[s - 1] - c->seg_e[s] - c->seg_e[s + 1];
		double bg = own / (double)nbg;
		double pk = c->seg_p[s], ebg, g;
		size_t p = s * SEG;
		bool found = false;

		if (pk > d->c.click_floor && pk * pk > k2 * bg) {
			for (size_t i = s * SEG; i < (s + 1) * SEG; i++)
				if (fabsf(c->e[i]) > fabsf(c->e[p]))
					p = i;
			found = click_at(d, c, ch, p, bg, c->e, bg, 0, NULL);
		}
		if (!found && pk > d->c.click_floor &&
		    cross_candidate(d, c, o, s, own,
				    run_o - o->seg_e[s - 1] - o->seg_e[s] -
					    o->seg_e[s + 1],
				    run_x - xc[s - 1] - xc[s] - xc[s + 1], &p,
				    &ebg, &g))
			found = click_at(d, c, ch, p, bg, d->xe, ebg, g, NULL);
		if (!found && pk > d->c.click_floor &&
		    pk * pk > NEAR_MISS * NEAR_MISS * k2 * bg &&
		    closer_candidate(d, c, s, &p, &ebg))
			click_at(d, c, ch, p, bg, d->xe, ebg, 0, NULL);
		run += c->seg_e[s + REACH + 1] - c->seg_e[s - REACH];
		run_o += o->seg_e[s + REACH + 1] - o->seg_e[s - REACH];
		run_x += xc[s + REACH + 1] - xc[s - REACH];
	}
}

/*
 * The clicks found in the middle frame since event `from` in one channel
 * only: the other channel is looked at closely (click_at()) at the
 * same sample where its residual stands out there by NEAR_MISS of the
 * factor, over the click floor.  A click at the same sample in both
 * channels is likely one event (a bad sample frame, an edit), and the
 * one found vouches for a candidate the factor alone would turn down.
 * The close look is not spared: a sound's start is one event in both
 * channels too.
 */
static void twins_of(struct pm_defects *d, size_t from)
{
	const size_t nbg = (2 * REACH - 2) * SEG;
	double k2 = NEAR_MISS * NEAR_MISS * d->c.click_ratio *
		    d->c.click_ratio;
	size_t n = d->nev;

	for (size_t i = from; i < n; i++) {
		struct pm_defect ev = d->ev[i];
		unsigned ob = 1 - ev.channel;
		struct chan *o = &d->ch[ob];
		const struct chan *c = &d->ch[ev.channel];
		int64_t a = ev.start - d->base;
		size_t p = 0, po, q, s, len;
		double own = 0, best = 0;
		bool paired = false;

		if (ev.kind != PM_DEFECT_CLICK || a < (int64_t)FR ||
		    a >= 2 * FR)
			continue;
		for (size_t j = 0; j < d->nev && !paired; j++)
			paired = d->ev[j].kind == PM_DEFECT_CLICK &&
				 d->ev[j].channel == ob &&
				 d->ev[j].start <= ev.start + ev.length &&
				 d->ev[j].start + d->ev[j].length >= ev.start;
		if (paired)
			continue;
		/* the click's peak in its own channel, within its burst */
		len = PM_MIN((size_t)ev.length, (size_t)(2 * ORDER + 8));
		for (q = (size_t)a; q < (size_t)a + len; q++)
			if (fabsf(c->e[q]) > best) {
				best = fabsf(c->e[q]);
				p = q;
			}
		/* the other's, within three samples of it */
		best = 0;
		po = p;
		for (q = p - 3; q <= p + 3; q++)
			if (fabsf(o->e[q]) > best) {
				best = fabsf(o->e[q]);
				po = q;
			}
		p = po;
		s = p / SEG;
		for (size_t t = s - REACH; t <= s + REACH; t++)
			if (t + 1 < s || t > s + 1)
				own += o->seg_e[t];
		own /= (double)nbg;
		if (best > d->c.click_floor && best * best > k2 * own)
			(void)click_at(d, o, ob, p, own, o->e, own, 0, &ev);
	}
}

/* ------------------------------------------------------------------ */
/* Frames                                                               */
/* ------------------------------------------------------------------ */

/* What the newest frame may hold: clipping, per channel; a click. */
static PM_ALWAYS_INLINE void scan_body(struct pm_defects *d)
{
	d->ch[0].may_clip[2] = clip_scan(d->ch[0].x + 2 * FR);
	d->ch[1].may_clip[2] = clip_scan(d->ch[1].x + 2 * FR);
	d->may[2] = gate(d, d->ch[0].x + 2 * FR) || gate(d, d->ch[1].x + 2 * FR);
}

static void scan_base(struct pm_defects *d)
{
	scan_body(d);
}

#if PM_HAVE_AVX2
PM_TARGET_AVX2 static void scan_avx2(struct pm_defects *d)
{
	scan_body(d);
}
#endif

static void scan(struct pm_defects *d)
{
#if PM_HAVE_AVX2
	if (d->use_avx2) {
		scan_avx2(d);
		return;
	}
#endif
	scan_base(d);
}

/* The newest frame is complete: examine the one before it, move on. */
static void step(struct pm_defects *d)
{
	unsigned ch;

	/*
	 * The middle frame is searched for clicks when either channel of
	 * it may hold one, with the residuals of the frames either side;
	 * the middle frame's is also wanted when the newest is searched
	 * next, and cannot be computed once the frame before it is gone.
	 * Both channels' residuals are computed before either is searched.
	 */
	scan(d);
	for (ch = 0; ch < 2; ch++) {
		struct chan *c = &d->ch[ch];

		if (d->may[1] || d->may[2])
			residual(d, c, 1);
		if (d->may[1]) {
			residual(d, c, 0);
			residual(d, c, 2);
		}
	}
	if (d->base + FR < d->end && d->base + 2 * FR > 0) {
		size_t from = d->nev;

		for (ch = 0; ch < 2; ch++) {
			find_clipping(d, &d->ch[ch], ch);
			if (d->may[1])
				find_clicks(d, &d->ch[ch], ch);
		}
		if (d->may[1])
			twins_of(d, from);
	}
	d->may[0] = d->may[1];
	d->may[1] = d->may[2];
	for (ch = 0; ch < 2; ch++) {
		struct chan *c = &d->ch[ch];

		/*
		 * The held frames move along their room, and back to its
		 * start when it is full: a residual only where it was
		 * computed, as nothing reads it elsewhere.
		 */
		if (c->x + 4 * FR <= c->xroom + ROOM * FR) {
			c->x += FR;
			c->e += FR;
		} else {
			memmove(c->xroom, c->x + FR, 2 * FR * sizeof(float));
			for (unsigned f = 1; f < 3; f++)
				if (c->has_e[f])
					memmove(c->eroom + (f - 1) * FR,
						c->e + f * FR,
						FR * sizeof(float));
			c->x = c->xroom;
			c->e = c->eroom;
		}
		for (unsigned f = 1; f < 3; f++) {
			if (!c->has_e[f])
				continue;
			memcpy(c->seg_e + (f - 1) * FR / SEG,
			       c->seg_e + f * FR / SEG,
			       FR / SEG * sizeof(float));
			memcpy(c->seg_p + (f - 1) * FR / SEG,
			       c->seg_p + f * FR / SEG,
			       FR / SEG * sizeof(float));
		}
		c->has_e[0] = c->has_e[1];
		c->has_e[1] = c->has_e[2];
		c->has_e[2] = false;
		c->may_clip[0] = c->may_clip[1];
		c->may_clip[1] = c->may_clip[2];
	}
	d->base += FR;
	d->fill = 0;
}

/* ------------------------------------------------------------------ */
/* Hum                                                                  */
/* ------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void hum_frame(struct pm_defects *d)
{
	double bin_hz = (double)d->rate / (double)d->hn;
	double ref = (double)d->hm * d->hm / 16.0; /* a unit sine's bin */
	const float *x = d->hbuf + d->hd; /* HTAPS - 1 samples of history */
	size_t taps = HTAPS * d->hd, i, j;
	int loud = 0;

	for (i = HTAPS * d->hd; i < HTAPS * d->hd + d->hn; i++)
		loud |= fabsf(d->hbuf[i]) >= 1e-4f;
	if (!loud)
		return; /* quiet frames say nothing either way */
	for (i = 0; i < d->hm; i++, x += d->hd) {
		double sum = 0;

		j = 0;
#if PM_HAVE_VECTOR
		{
			pm_v4f acc = { 0, 0, 0, 0 };

			for (; j + 4 <= taps; j += 4) {
				pm_v4f k, v;

				memcpy(&k, d->hk + j, sizeof(k));
				memcpy(&v, x + j, sizeof(v));
				acc += k * v;
			}
			sum = (double)acc[0] + acc[1] + acc[2] + acc[3];
		}
#endif
		for (; j < taps; j++)
			sum += (double)d->hk[j] * x[j];
		d->hdec[i] = sum * d->hwin[i];
	}
	pm_fft_power(d->fft, d->hdec, d->hpow);
	d->hframes++;
	for (int f = 0; f < 2; f++)
		for (int h = 0; h < 4; h++) {
			double hz = (f ? 60.0 : 50.0) * (h + 1), nb[22], line = 0;
			double lp, cp, rp, at;
			size_t b = (size_t)(hz / bin_hz + 0.5), k, nn = 0, top = b;

			for (k = b - 1; k <= b + 1; k++)
				if (d->hpow[k] > line) {
					line = d->hpow[k];
					top = k;
				}
			/* the mains hold their frequency to a fraction of a hertz;
			 * a note near it (G1 is 49.0 Hz) does not */
			lp = log(d->hpow[top - 1] + 1e-30);
			cp = log(d->hpow[top] + 1e-30);
			rp = log(d->hpow[top + 1] + 1e-30);
			at = (double)top;
			if (lp - 2 * cp + rp < 0)
				at += 0.5 * (lp - rp) / (lp - 2 * cp + rp);
			if (fabs(at * bin_hz - hz) > 0.4 * (h + 1))
				continue;
			for (k = b - 14; k <= b + 14; k++)
				if (k + 4 <= b || k >= b + 4)
					nb[nn++] = d->hpow[k];
			qsort(nb, nn, sizeof(nb[0]), cmp_double);
			if (line > nb[nn / 2] * pow(10, d->c.hum_margin_db / 10) &&
			    line > ref * 1e-10) { /* and above -100 dBFS */
				d->hstand[f][h]++;
				if (h == 0)
					d->hlevel[f] += 10 * log10(line / ref);
			}
		}
}

/* ------------------------------------------------------------------ */
/* Feeding                                                              */
/* ------------------------------------------------------------------ */

static void edge_end(struct pm_defects *d)
{
	if (d->sound_seen && d->last_level >= d->c.edge)
		add_event(d, PM_DEFECT_EDGE_END, d->last_ch, d->last_pos, 1,
			  d->last_level);
}

/* One frame's part in the edges against digital silence. */
static void edge_frame(struct pm_defects *d, float l, float r, int64_t pos)
{
	float al = fabsf(l), ar = fabsf(r), m = PM_MAX(al, ar);
	int64_t hold = d->rate / 100; /* 10 ms of digital silence */

	if (m < SILENT) {
		if (d->silent_run++ == hold && d->sound_seen) {
			edge_end(d);
			d->sound_seen = false;
		}
		return;
	}
	if ((!d->sound_seen && d->silent_run >= hold) || pos == 0 ||
	    (!d->sound_seen && d->silent_run == pos)) {
		if (m >= d->c.edge)
			add_event(d, PM_DEFECT_EDGE_START, al >= ar ? 0 : 1, pos, 1,
				  m);
	}
	d->silent_run = 0;
	d->sound_seen = true;
	d->last_pos = pos;
	d->last_level = m;
	d->last_ch = al >= ar ? 0 : 1;
}

/*
 * The sums of `m` frames: sum[0..4] = l, r, l l, r r, l r, and the
 * frames silent in both channels.  Four frames per vector, [l r l r ..],
 * summed in floats over runs of at most 512 frames and then in doubles.
 * The vector one sample on, [r l r l ..], pairs each left sample with
 * its right one in the even lanes.
 */
static PM_ALWAYS_INLINE void sums_body(const float *x, size_t m,
				       double sum[5], int64_t *silent)
{
	size_t j = 0;
	int64_t nsil = 0;

#if PM_HAVE_VECTOR
	while (j + 5 <= m) {
		pm_v8f s = { 0, 0, 0, 0, 0, 0, 0, 0 }, q = s, p = s;
		pm_v8i z = { 0, 0, 0, 0, 0, 0, 0, 0 };
		const pm_v8i mag = { INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX,
				     INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX };
		const pm_v8f lim = { SILENT, SILENT, SILENT, SILENT,
				     SILENT, SILENT, SILENT, SILENT };
		size_t end = PM_MIN(m - 1, j + 512);

		for (; j + 4 <= end; j += 4) {
			pm_v8f v, w;

			memcpy(&v, x + 2 * j, sizeof(v));
			memcpy(&w, x + 2 * j + 1, sizeof(w));
			s += v;
			q += v * v;
			p += v * w;
			/* |v| < SILENT in both channels: -1 in an even lane */
			z += ((pm_v8f)((pm_v8i)v & mag) < lim) &
			     ((pm_v8f)((pm_v8i)w & mag) < lim);
		}
		sum[0] += ((double)s[0] + s[2]) + ((double)s[4] + s[6]);
		sum[1] += ((double)s[1] + s[3]) + ((double)s[5] + s[7]);
		sum[2] += ((double)q[0] + q[2]) + ((double)q[4] + q[6]);
		sum[3] += ((double)q[1] + q[3]) + ((double)q[5] + q[7]);
		sum[4] += ((double)p[0] + p[2]) + ((double)p[4] + p[6]);
		nsil -= (int64_t)z[0] + z[2] + z[4] + z[6];
	}
#endif
	for (; j < m; j++) {
		double l = x[2 * j], r = x[2 * j + 1];

		sum[0] += l;
		sum[1] += r;
		sum[2] += l * l;
		sum[3] += r * r;
		sum[4] += l * r;
		nsil += fabsf(x[2 * j]) < SILENT && fabsf(x[2 * j + 1]) < SILENT;
	}
	*silent = nsil;
}

/*
 * Copy `m` frames into the channels' newest frame and, where the hum
 * search will look at them (every other frame, and the filter's history
 * before it), their mid into its buffer.
 */
static PM_ALWAYS_INLINE void copy_body(struct pm_defects *d,
				       const float *restrict y, size_t m)
{
	float *restrict l = d->ch[0].x + 2 * FR + d->fill;
	float *restrict r = d->ch[1].x + 2 * FR + d->fill;
	float *restrict mid = d->hbuf + HTAPS * d->hd + d->hfill;
	size_t j, hist = HTAPS * d->hd;

	for (j = 0; j < m; j++) {
		l[j] = y[2 * j];
		r[j] = y[2 * j + 1];
	}
	if (d->c.no_hum)
		return;
	j = 0;
	if (d->hskip % 2 != 0 && d->hfill + m + hist > d->hn)
		j = d->hn - hist > d->hfill ? d->hn - hist - d->hfill : 0;
	else if (d->hskip % 2 != 0)
		return;
	for (; j < m; j++)
		mid[j] = 0.5f * (l[j] + r[j]);
}

/* Both, for `m` frames of `y`. */
static void feed_base(struct pm_defects *d, const float *y, size_t m,
		      double sum[5], int64_t *silent)
{
	sums_body(y, m, sum, silent);
	copy_body(d, y, m);
}

#if PM_HAVE_AVX2
PM_TARGET_AVX2 static void feed_avx2(struct pm_defects *d, const float *y,
				     size_t m, double sum[5], int64_t *silent)
{
	sums_body(y, m, sum, silent);
	copy_body(d, y, m);
}
#endif

/*
 * Sums, windows and edges over `m` frames from frame `pos`, none of them
 * past the end of a correlation or a noise window, and the frames into
 * the detector's buffers.
 */
static void stats_run(struct pm_defects *d, const float *x, size_t m,
		      int64_t pos)
{
	double sum[5] = { 0, 0, 0, 0, 0 }, sl, sr, ll, rr, lr;
	int64_t nsil = 0;
	size_t j;

#if PM_HAVE_AVX2
	if (d->use_avx2)
		feed_avx2(d, x, m, sum, &nsil);
	else
#endif
		feed_base(d, x, m, sum, &nsil);
	sl = sum[0];
	sr = sum[1];
	ll = sum[2];
	rr = sum[3];
	lr = sum[4];
	d->sum[0] += sl;
	d->sum[1] += sr;
	d->wll += ll;
	d->wrr += rr;
	d->wlr += lr;
	d->nsq += ll + rr;
	d->nsilent += nsil;
	if (nsil == 0 && d->sound_seen && d->silent_run == 0 && pos > 0) {
		float al = fabsf(x[2 * m - 2]), ar = fabsf(x[2 * m - 1]);

		d->last_pos = pos + (int64_t)m - 1;
		d->last_level = PM_MAX(al, ar);
		d->last_ch = al >= ar ? 0 : 1;
	} else {
		for (j = 0; j < m; j++)
			edge_frame(d, x[2 * j], x[2 * j + 1], pos + (int64_t)j);
	}
	d->wfill += (int64_t)m;
	if (d->wfill == d->rate) {
		if (d->wll + d->wrr > 2e-5 * (double)d->rate) {
			double cc = d->wlr / sqrt(d->wll * d->wrr + 1e-30);

			if (cc < d->worst) {
				d->worst = cc;
				d->worst_at = d->wstart;
			}
		}
		d->sll += d->wll;
		d->srr += d->wrr;
		d->slr += d->wlr;
		d->wll = d->wrr = d->wlr = 0;
		d->wfill = 0;
		d->wstart = pos + (int64_t)m;
	}
	d->nfill += (int64_t)m;
	if (d->nfill == d->rate / 20) {
		if (d->nsilent * 2 < d->nfill) {
			double db = 10 * log10(d->nsq / (2.0 * (double)d->nfill) + 1e-30);
			int k = (int)((db + 150) * 2);

			k = k < 0 ? 0 : k >= HIST_BINS ? HIST_BINS - 1 : k;
			if (d->hist[k]++ == 0)
				d->hist_at[k] = d->nstart;
		}
		d->nsq = 0;
		d->nfill = d->nsilent = 0;
		d->nstart = pos + (int64_t)m;
	}
}

int pm_defects_add(struct pm_defects *d, const float *x, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t m = n - i;
		const float *y = x + 2 * i;

		m = PM_MIN(m, FR - d->fill);
		m = PM_MIN(m, d->hn - d->hfill);
		m = PM_MIN(m, (size_t)(d->rate - d->wfill));
		m = PM_MIN(m, (size_t)(d->rate / 20 - d->nfill));
		stats_run(d, y, m, d->fed + (int64_t)i);
		d->fill += m;
		d->hfill += m;
		i += m;
		if (d->fill == FR)
			step(d);
		if (d->hfill == d->hn) {
			/* one frame in two is plenty for a steady hum */
			if (!d->c.no_hum && d->hskip++ % 2 == 0)
				hum_frame(d);
			memmove(d->hbuf, d->hbuf + d->hn,
				HTAPS * d->hd * sizeof(float));
			d->hfill = 0;
		}
	}
	d->fed += (int64_t)n;
	return d->failed ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* The end                                                              */
/* ------------------------------------------------------------------ */

static void noise_floor(struct pm_defects *d, struct pm_defects_summary *s)
{
	unsigned total = 0, seen = 0, quiet = 0, k, loud = 0;

	s->noise_floor_db = NAN;
	s->noise_at = 0;
	for (k = 0; k < HIST_BINS; k++)
		total += d->hist[k];
	if (total < 20)
		return;
	/* the loud level: the 90th percentile of the 50 ms windows */
	for (k = 0; k < HIST_BINS; k++) {
		seen += d->hist[k];
		if (seen * 10 >= total * 9) {
			loud = k;
			break;
		}
	}
	/* the quiet passages: 30 dB and more under it, half a second at least */
	for (k = 0; k + 60 <= loud; k++)
		quiet += d->hist[k];
	if (quiet < 10)
		return;
	for (seen = 0, k = 0; k + 60 <= loud; k++) {
		seen += d->hist[k];
		if (seen * 2 >= quiet) {
			s->noise_floor_db = (double)k / 2 - 150 + 0.25;
			s->noise_at = d->hist_at[k];
			return;
		}
	}
}

int pm_defects_finish(struct pm_defects *d, struct pm_defects_summary *s)
{
	int f;

	d->end = d->fed;
	/* the last frames, with silence after them */
	while (d->base + 2 * FR < d->end + FR) {
		int64_t want = d->base + 2 * FR;

		while (d->fill < FR) {
			d->ch[0].x[2 * FR + d->fill] = 0;
			d->ch[1].x[2 * FR + d->fill] = 0;
			d->fill++;
		}
		step(d);
		if (want >= d->end)
			break;
	}
	if (d->sound_seen)
		edge_end(d);
	/* what only the search needed */
	free(d->room);
	d->room = NULL;
	pm_fft_free(d->fft);
	d->fft = NULL;
	memset(s, 0, sizeof(*s));
	s->frames = d->fed;
	s->dc[0] = d->fed ? d->sum[0] / (double)d->fed : 0;
	s->dc[1] = d->fed ? d->sum[1] / (double)d->fed : 0;
	d->sll += d->wll;
	d->srr += d->wrr;
	d->slr += d->wlr;
	s->correlation = d->sll > 0 && d->srr > 0 ? d->slr / sqrt(d->sll * d->srr)
						  : 1;
	s->mono_loss_db = d->sll + d->srr > 0
				  ? -10 * log10((d->sll + d->srr + 2 * d->slr) /
						(2 * (d->sll + d->srr)) + 1e-30)
				  : 0;
	s->worst_correlation = d->worst > 1 ? s->correlation : d->worst;
	s->worst_at = d->worst_at;
	noise_floor(d, s);
	f = d->hstand[1][0] > d->hstand[0][0] ? 1 : 0;
	if (d->hframes >= 3 && d->hstand[f][0] * 10 >= d->hframes * 3) {
		s->hum_hz = f ? 60 : 50;
		s->hum_fraction = (double)d->hstand[f][0] / d->hframes;
		s->hum_db = d->hlevel[f] / d->hstand[f][0];
		for (int h = 1; h < 4; h++)
			if (d->hstand[f][h] * 2 >= d->hframes)
				s->hum_harmonics++;
	} else if (d->hframes) {
		s->hum_fraction = (double)d->hstand[f][0] / d->hframes;
	}
	return d->failed ? -1 : 0;
}

size_t pm_defects_patch(const struct pm_defects *d, bool clicks,
			bool clipping, float *x, int64_t pos, size_t n)
{
	size_t changed = 0;

	for (size_t i = 0; i < d->nev; i++) {
		const struct pm_defect *e = &d->ev[i];
		int64_t a, b;

		if (!e->fix || (e->kind == PM_DEFECT_CLICK && !clicks) ||
		    (e->kind == PM_DEFECT_CLIPPING && !clipping))
			continue;
		a = PM_MAX(e->start, pos);
		b = PM_MIN(e->start + e->length, pos + (int64_t)n);
		for (int64_t t = a; t < b; t++) {
			x[2 * (t - pos) + e->channel] = e->fix[t - e->start];
			changed++;
		}
	}
	return changed;
}
