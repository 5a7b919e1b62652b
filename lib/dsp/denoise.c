/* SPDX-License-Identifier: GPL-3.0-or-later */
/* denoise.c: noise learnt from the quiet passages, reduced by a bound. */
#include <config.h>

#include "dsp/denoise.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/fft.h"
#include "util/compat.h"

#include "util/banned.h"

#define FRAME_S 0.04     /* about 46 ms at 44.1 kHz: 2048 points */
#define QUIET_DB 30.0    /* quiet: this far under the loud level */
#define MIN_QUIET_S 0.5  /* of quiet passages to learn the noise from */
/*
 * The decision-directed weight: how much of the last frame's estimate
 * of the clean signal goes into this frame's a-priori ratio.  0.98 is
 * Ephraim and Malah's; it is what keeps the gains from flickering.
 */
#define ALPHA 0.98
/* A mean square under this (-130 dBFS) is digital silence, not noise */
#define SILENCE 1e-13

static size_t frame_size(uint32_t rate)
{
	size_t n = 256;

	while ((double)n < FRAME_S * rate)
		n *= 2;
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stft {
	size_t n, hop, nbins;
	size_t nframes;   /* frame j starts at j hop - hop */
	struct pm_fft *fft;
	double *win;      /* square-root periodic Hann */
	double *in;       /* n */
	double *spec;     /* n + 2 */
};

static void stft_release(struct stft *s)
{
	pm_fft_free(s->fft);
	free(s->win);
	free(s->in);
	free(s->spec);
}

static int stft_init(struct stft *s, size_t frames, uint32_t rate,
		     struct pm_err *err)
{
	s->n = frame_size(rate);
	s->hop = s->n / 2;
	s->nbins = s->n / 2 + 1;
	s->nframes = (frames + s->hop - 1) / s->hop + 1;
	s->fft = pm_fft_new(s->n, err);
	s->win = pm_malloc(s->n * sizeof(*s->win), err);
	s->in = pm_malloc(s->n * sizeof(*s->in), err);
	s->spec = pm_malloc((s->n + 2) * sizeof(*s->spec), err);
	if (!s->fft || !s->win || !s->in || !s->spec)
		return -1;
	/* sqrt(Hann) twice is Hann, and Hann half overlapping adds to one */
	for (size_t i = 0; i < s->n; i++)
		s->win[i] = sqrt(0.5 - 0.5 * cos(2 * M_PI * (double)i /
						 (double)s->n));
	return 0;
}

/* First sample of frame `j` (may be before the track). */
static int64_t frame_start(const struct stft *s, size_t j)
{
	return (int64_t)(j * s->hop) - (int64_t)s->hop;
}

/* Frame `j` of channel `c`, windowed and transformed into s->spec. */
static void analyse(struct stft *s, const float *x, size_t frames, int c,
		    size_t j)
{
	int64_t a = frame_start(s, j);
	size_t i0 = a < 0 ? (size_t)-a : 0, i;
	int64_t end = PM_MIN((int64_t)s->n, (int64_t)frames - a);
	size_t i1 = (size_t)PM_MAX(0, end);

	for (i = 0; i < i0 && i < s->n; i++)
		s->in[i] = 0;
	for (i = i0; i < i1; i++)
		s->in[i] = s->win[i] * x[2 * (size_t)(a + (int64_t)i) + c];
	for (i = PM_MAX(i0, i1); i < s->n; i++)
		s->in[i] = 0;
	pm_fft_forward(s->fft, s->in, s->spec);
}

/* Sum of squares of both channels over frame `j`'s samples. */
static double frame_energy(const struct stft *s, const float *x,
			   size_t frames, size_t j)
{
	int64_t a = PM_MAX(frame_start(s, j), 0);
	int64_t b = PM_MIN(frame_start(s, j) + (int64_t)s->n, (int64_t)frames);
	double e = 0;

	for (int64_t t = a; t < b; t++)
		e += (double)x[2 * t] * x[2 * t] +
		     (double)x[2 * t + 1] * x[2 * t + 1];
	return e;
}

/*
 * The frames to learn the noise from: 30 dB or more under the 90th
 * percentile of the frames' energies and not digital silence, then the
 * quieter half of those (the rest may hold the tail of a note).  Marks
 * them in `use`; returns how many were quiet, 0 when too few.
 */
static size_t pick_quiet(const struct stft *s, const double *e, bool *use,
			 uint32_t rate)
{
	double *sorted = NULL, loud, limit, mid;
	size_t i, m = 0, q = 0;

	sorted = malloc(s->nframes * sizeof(*sorted));
	if (!sorted)
		return 0;
	for (i = 0; i < s->nframes; i++)
		if (e[i] > SILENCE * 2 * (double)s->n)
			sorted[m++] = e[i];
	if (m == 0) {
		free(sorted);
		return 0;
	}
	qsort(sorted, m, sizeof(*sorted), cmp_double);
	loud = sorted[(size_t)(0.9 * (double)(m - 1))];
	limit = loud * pow(10, -QUIET_DB / 10);
	for (i = 0; i < m && sorted[i] <= limit; i++)
		;
	q = i;
	if ((double)q * (double)s->hop < MIN_QUIET_S * rate) {
		free(sorted);
		return 0;
	}
	mid = sorted[(q - 1) / 2];
	for (i = 0; i < s->nframes; i++)
		use[i] = e[i] > SILENCE * 2 * (double)s->n && e[i] <= mid;
	free(sorted);
	return q;
}

/* One channel: the noise's power spectrum, then every frame's gains. */
static int channel(struct stft *s, float *x, size_t frames, int c,
		   const bool *use, double gmin, struct pm_err *err)
{
	double *noise = pm_calloc(s->nbins, sizeof(*noise), err);
	double *inv = pm_malloc(s->nbins * sizeof(*inv), err);
	double *gprev_gamma = pm_calloc(s->nbins, sizeof(*gprev_gamma), err);
	double *g = pm_malloc(s->nbins * sizeof(*g), err);
	float *out = pm_calloc(frames ? frames : 1, sizeof(*out), err);
	size_t j, k, nuse = 0;
	double xmin;
	int ret = -1;

	if (!noise || !inv || !gprev_gamma || !g || !out)
		goto out;
	for (j = 0; j < s->nframes; j++) {
		if (!use[j])
			continue;
		analyse(s, x, frames, c, j);
		for (k = 0; k < s->nbins; k++)
			noise[k] += s->spec[2 * k] * s->spec[2 * k] +
				    s->spec[2 * k + 1] * s->spec[2 * k + 1];
		nuse++;
	}
	/*
	 * A bin without noise (a band the track never fills) keeps its gain
	 * at one: its ratio is taken as huge.
	 */
	for (k = 0; k < s->nbins; k++)
		inv[k] = noise[k] > 0 ? (double)(nuse ? nuse : 1) / noise[k]
				      : 1e200;
	xmin = gmin < 1 ? gmin / (1 - gmin) : HUGE_VAL;
	for (j = 0; j < s->nframes; j++) {
		int64_t a = frame_start(s, j), i1;
		size_t i, i0;

		analyse(s, x, frames, c, j);
		for (k = 0; k < s->nbins; k++) {
			double re = s->spec[2 * k], im = s->spec[2 * k + 1];
			double gamma = (re * re + im * im) * inv[k];
			/* decision-directed a-priori signal-to-noise ratio */
			double xi = ALPHA * gprev_gamma[k] +
				    (1 - ALPHA) * PM_MAX(gamma - 1, 0.0);

			/* xi / (1 + xi) >= gmin, without a division when not */
			g[k] = xi >= xmin ? xi / (1 + xi) : gmin;
			gprev_gamma[k] = gamma;
		}
		/*
		 * Across neighbouring bins: a lone bin let through where its
		 * neighbours are not would ring as a short tone.
		 */
		for (k = 0; k < s->nbins; k++) {
			double l = g[k ? k - 1 : k + 1];
			double r = g[k + 1 < s->nbins ? k + 1 : k - 1];
			double v = 0.25 * l + 0.5 * g[k] + 0.25 * r;

			/* the clean estimate this frame, for the next one */
			gprev_gamma[k] *= v * v;
			s->spec[2 * k] *= v;
			s->spec[2 * k + 1] *= v;
		}
		pm_fft_inverse(s->fft, s->spec, s->in);
		i0 = a < 0 ? (size_t)-a : 0;
		i1 = PM_MIN((int64_t)s->n, (int64_t)frames - a);
		for (i = i0; (int64_t)i < i1; i++)
			out[a + (int64_t)i] += (float)(s->win[i] * s->in[i]);
	}
	for (size_t t = 0; t < frames; t++)
		x[2 * t + c] = out[t];
	ret = 0;
out:
	free(noise);
	free(inv);
	free(gprev_gamma);
	free(g);
	free(out);
	return ret;
}

int pm_denoise_run(float *x, size_t frames, uint32_t rate,
		   double reduction_db, struct pm_denoise *d,
		   struct pm_err *err)
{
	struct stft s = { 0 };
	double *e = NULL, before = 0, after = 0, count = 0;
	bool *use = NULL;
	size_t j, q;
	int ret = -1;

	memset(d, 0, sizeof(*d));
	d->reduction_db = PM_MAX(0.0, reduction_db);
	d->profile_db = -HUGE_VAL;
	d->after_db = -HUGE_VAL;
	if (stft_init(&s, frames, rate, err) < 0)
		goto out;
	e = pm_malloc(s.nframes * sizeof(*e), err);
	use = pm_calloc(s.nframes, sizeof(*use), err);
	if (!e || !use)
		goto out;
	for (j = 0; j < s.nframes; j++)
		e[j] = frame_energy(&s, x, frames, j);
	q = pick_quiet(&s, e, use, rate);
	if (q == 0) {
		ret = 0;
		goto out;
	}
	d->quiet_s = (double)q * (double)s.hop / rate;
	for (j = 0; j < s.nframes; j++)
		if (use[j]) {
			before += e[j];
			count += 2.0 * (double)s.n;
		}
	d->profile_db = 10 * log10(before / count + 1e-30);
	for (int c = 0; c < 2; c++)
		if (channel(&s, x, frames, c, use,
			    pow(10, -d->reduction_db / 20), err) < 0)
			goto out;
	for (j = 0; j < s.nframes; j++)
		if (use[j])
			after += frame_energy(&s, x, frames, j);
	d->after_db = 10 * log10(after / count + 1e-30);
	ret = 0;
out:
	stft_release(&s);
	free(e);
	free(use);
	return ret;
}
