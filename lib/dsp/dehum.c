/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dehum.c: mains hum measured over a track and notched out of it. */
#include <config.h>

#include "dsp/dehum.h"

#include <complex.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/fft.h"
#include "util/compat.h"

#include "util/banned.h"

/*
 * The measuring frames last 1.4 s or more: bins of 0.7 Hz at most, so the
 * lines of the mains, which hold their frequency to a fraction of a hertz,
 * keep to one or two bins while music spreads.
 */
#define FRAME_S 1.4
#define STAND_DB 6.0     /* a line over the median of its neighbours */
/*
 * How far the mains' frequency may be from 50 or 60 Hz: grids hold it
 * within 0.2 Hz in normal running.  A line further off is music.
 */
#define MAINS_HZ 0.2
/*
 * A bin's level is its 25th percentile over the frames: hum is there in
 * every frame, music comes and goes, so the hum stands out in the quieter
 * frames even where the notes around it are louder on average.
 */
#define PERCENTILE 0.25
/*
 * Of a line's turns from frame to frame: a candidate's before the
 * fundamental is followed (a wandering line turns by changing angles),
 * a line's after, about the fundamental followed.
 */
#define COHERENCE_FIRST 0.5
#define COHERENCE 0.8
/*
 * Each notch is as wide (at -3 dB; run twice, at -6 dB) as its line's
 * steadiness asks, from 0.3 Hz, which takes a steady hum down by 20 dB
 * or more when its frequency is known to 0.05 Hz and takes as little of
 * the music under the line as can be, to 2 Hz for a line that wanders.
 * 5 Hz off the centre of a 1 Hz notch the music loses 0.04 dB.
 */
#define NOTCH_MIN_HZ 0.3
#define NOTCH_MAX_HZ 2.0
#define UPDATE 1024     /* samples between the notches' moves */
#define PRIME_S 2.0      /* the hum fitted at each end to prime a pass */

/* One frame's real FFT size for `rate`. */
static size_t frame_size(uint32_t rate)
{
	size_t n = 4096;

	while ((double)n < FRAME_S * rate)
		n *= 2;
	return n;
}

/* The mid signal's spectra, frame by frame, up to the last harmonic. */
struct spectra {
	size_t n;          /* frame */
	size_t nbins;      /* kept */
	size_t nf;         /* frames */
	float complex *z;  /* nf x nbins */
	bool *live;        /* per frame: not digital silence */
	double *low;       /* per bin: its PERCENTILE power */
};

static void spectra_release(struct spectra *s)
{
	free(s->z);
	free(s->live);
	free(s->low);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Consecutive Hann-windowed frames of `s->n` samples of the mid of `x`,
 * transformed; each bin's low percentile over the frames that are not
 * digital silence.
 */
static int spectra_take(struct spectra *s, const float *x, size_t frames,
			struct pm_err *err)
{
	struct pm_fft *fft = pm_fft_new(s->n, err);
	double *w = pm_malloc(s->n * sizeof(*w), err);
	double *in = pm_malloc(s->n * sizeof(*in), err);
	double *out = pm_malloc((s->n + 2) * sizeof(*out), err);
	double *col = NULL;
	size_t t, i, b, nlive = 0;
	int ret = -1;

	s->nf = frames / s->n;
	s->z = pm_calloc(s->nf * s->nbins, sizeof(*s->z), err);
	s->live = pm_calloc(s->nf, sizeof(*s->live), err);
	s->low = pm_calloc(s->nbins, sizeof(*s->low), err);
	col = pm_calloc(s->nf, sizeof(*col), err);
	if (!fft || !w || !in || !out || !s->z || !s->live || !s->low || !col)
		goto out;
	pm_window_fill(w, s->n, PM_WINDOW_HANN, 0);
	for (t = 0; t < s->nf; t++) {
		const float *p = x + 2 * t * s->n;
		double peak = 0;

		for (i = 0; i < s->n; i++) {
			double v = 0.5 * ((double)p[2 * i] + p[2 * i + 1]);

			peak = fmax(peak, fabs(v));
			in[i] = v * w[i];
		}
		/* half a 24-bit step: silence, where no hum plays either */
		s->live[t] = peak > 6e-8;
		nlive += s->live[t];
		pm_fft_forward(fft, in, out);
		for (b = 0; b < s->nbins; b++)
			s->z[t * s->nbins + b] = (float)out[2 * b] +
						 I * (float)out[2 * b + 1];
	}
	for (b = 0; b < s->nbins && nlive; b++) {
		size_t m = 0;

		for (t = 0; t < s->nf; t++) {
			float complex z = s->z[t * s->nbins + b];

			if (s->live[t])
				col[m++] = (double)crealf(z) * crealf(z) +
					   (double)cimagf(z) * cimagf(z);
		}
		qsort(col, m, sizeof(col[0]), cmp_double);
		s->low[b] = col[(size_t)(PERCENTILE * (double)(m - 1))];
	}
	ret = 0;
out:
	pm_fft_free(fft);
	free(w);
	free(in);
	free(out);
	free(col);
	return ret;
}

/* The median of the bins 4 to 14 away from `p` on either side. */
static double background(const double *psd, size_t nbins, size_t p)
{
	double nb[22];
	size_t nn = 0, k;

	for (k = 4; k <= 14; k++) {
		if (p >= k)
			nb[nn++] = psd[p - k];
		if (p + k < nbins)
			nb[nn++] = psd[p + k];
	}
	qsort(nb, nn, sizeof(nb[0]), cmp_double);
	return nn ? nb[nn / 2] : 0;
}

/*
 * A sine's peak level from the power in the bins p-2 .. p+2, which hold
 * a Hann-windowed line wherever in its bin it lies: by Parseval, a sine
 * of amplitude A puts A^2 n sum(w^2) / 4 into one side of the spectrum,
 * and sum(w^2) is 3n/8.
 */
static double line_db(const struct spectra *s, size_t p)
{
	double e = 0;

	for (size_t b = p >= 2 ? p - 2 : 0; b <= p + 2 && b < s->nbins; b++)
		e += s->low[b];
	return 10 * log10(4 * e / (0.375 * (double)s->n * (double)s->n) +
			  1e-30);
}

/*
 * Whether the pair of frames t-1, t speaks for bin `p`: both sound, and
 * neither is more than 6 dB over the bin's low level (where the hum, not
 * the music, rules the bin).
 */
static bool pair_ok(const struct spectra *s, size_t t, size_t p)
{
	float complex a = s->z[t * s->nbins + p];
	float complex b = s->z[(t - 1) * s->nbins + p];
	double cap = 4 * s->low[p];

	return s->live[t] && s->live[t - 1] &&
	       (double)crealf(a * conjf(a)) <= cap &&
	       (double)crealf(b * conjf(b)) <= cap;
}

/*
 * How bin `p` turns from frame to frame, over the pairs of frames that
 * speak for it: the sum of X_t X*_{t-1}, and its coherence, |sum| / sum
 * |X_t X_{t-1}|, which comes near 1 only for a sinusoid that holds its
 * frequency (or moves it slowly).
 */
static double complex turn(const struct spectra *s, size_t p, double *coh)
{
	double complex sum = 0;
	double mags = 0;

	for (size_t t = 1; t < s->nf; t++) {
		double complex a = s->z[t * s->nbins + p];
		double complex b = s->z[(t - 1) * s->nbins + p];

		if (!pair_ok(s, t, p))
			continue;
		sum += a * conj(b);
		mags += cabs(a) * cabs(b);
	}
	*coh = mags > 0 ? cabs(sum) / mags : 0;
	return sum;
}

/*
 * Follow the fundamental from frame to frame: at the bound of frames t-1
 * and t, each line's turn against the turn its share of the whole track's
 * fundamental would make says how far it strays then, and the fit of
 * hz = k f1 over the lines (weighted by magnitude) says the fundamental's;
 * pairs without a word keep the whole track's.  Smoothed over three
 * bounds (1/4, 1/2, 1/4).  Then each line's turns about the fundamental
 * followed must hold together (COHERENCE), or it is dropped as music,
 * and its notch is as wide as it still strays: four times the spread,
 * within NOTCH_MIN_HZ and NOTCH_MAX_HZ.  Fills h->track_hz.
 */
static int follow(const struct spectra *s, struct pm_dehum *h,
		  size_t *bins, double bin_hz, struct pm_err *err)
{
	size_t np = s->nf - 1, t, k;
	unsigned kept = 0;
	double *raw = pm_malloc(np * sizeof(*raw), err);

	free(h->track_hz);
	h->track_hz = pm_malloc(np * sizeof(*h->track_hz), err);
	if (!raw || !h->track_hz) {
		free(raw);
		return -1;
	}
	h->ntrack = np;
	h->track_step = s->n;
	for (t = 1; t < s->nf; t++) {
		double num = 0, den = 0;

		for (k = 0; k < h->nlines; k++) {
			size_t p = bins[k];
			double complex a = s->z[t * s->nbins + p];
			double complex b = s->z[(t - 1) * s->nbins + p];
			double m = h->line[k].harmonic;
			double f = m * h->fundamental_hz, w, d;

			if (!pair_ok(s, t, p))
				continue;
			w = cabs(a) * cabs(b);
			d = carg(a * conj(b) *
				 cexp(-2 * M_PI * I * f / bin_hz));
			num += w * m * (f + d / (2 * M_PI) * bin_hz);
			den += w * m * m;
		}
		raw[t - 1] = den > 0 ? num / den : h->fundamental_hz;
	}
	for (t = 0; t < np; t++)
		h->track_hz[t] = 0.25 * raw[t ? t - 1 : t] + 0.5 * raw[t] +
				 0.25 * raw[t + 1 < np ? t + 1 : t];
	h->min_hz = h->max_hz = h->track_hz[0];
	for (t = 0; t < np; t++) {
		h->min_hz = fmin(h->min_hz, h->track_hz[t]);
		h->max_hz = fmax(h->max_hz, h->track_hz[t]);
	}
	for (k = 0; k < h->nlines; k++) {
		size_t p = bins[k];
		double m = h->line[k].harmonic, mags = 0, var = 0;
		double complex sum = 0;

		for (t = 1; t < s->nf; t++) {
			double complex a = s->z[t * s->nbins + p];
			double complex b = s->z[(t - 1) * s->nbins + p];
			double complex e;
			double d;

			if (!pair_ok(s, t, p))
				continue;
			e = a * conj(b) * cexp(-2 * M_PI * I * m *
					       h->track_hz[t - 1] / bin_hz);
			d = carg(e) / (2 * M_PI) * bin_hz;
			sum += e;
			mags += cabs(e);
			var += cabs(e) * d * d;
		}
		if (mags <= 0 || cabs(sum) < COHERENCE * mags)
			continue;
		h->line[k].width_hz =
			PM_MAX(NOTCH_MIN_HZ,
			       PM_MIN(NOTCH_MAX_HZ, 4 * sqrt(var / mags)));
		bins[kept] = p;
		h->line[kept++] = h->line[k];
	}
	h->nlines = kept;
	free(raw);
	return 0;
}

/* The fundamental followed, at sample `i`: between the frames' bounds. */
static double fundamental_at(const struct pm_dehum *h, double i)
{
	double u = i / (double)h->track_step - 1;
	size_t a;

	if (!h->track_hz || h->ntrack == 0)
		return h->fundamental_hz;
	if (u <= 0)
		return h->track_hz[0];
	if (u >= (double)(h->ntrack - 1))
		return h->track_hz[h->ntrack - 1];
	a = (size_t)u;
	return h->track_hz[a] + (u - (double)a) *
				       (h->track_hz[a + 1] - h->track_hz[a]);
}

void pm_dehum_release(struct pm_dehum *h)
{
	free(h->track_hz);
	h->track_hz = NULL;
	h->ntrack = 0;
}

/* Where the peak at bin `p` lies, by a parabola through log levels. */
static double peak_at(const double *v, size_t p)
{
	double l = log(v[p - 1] + 1e-300), c = log(v[p] + 1e-300);
	double r = log(v[p + 1] + 1e-300), d = l - 2 * c + r;

	return (double)p + (d < 0 ? 0.5 * (l - r) / d : 0);
}

static size_t nbins_for(double nominal_hz, size_t n, uint32_t rate)
{
	double bin_hz = (double)rate / (double)n;

	return PM_MIN(n / 2 + 1,
		      (size_t)((nominal_hz * 1.01 * PM_DEHUM_HARMONICS + 20) /
			       bin_hz));
}

int pm_dehum_measure(const float *x, size_t frames, uint32_t rate,
		     double nominal_hz, struct pm_dehum *h,
		     struct pm_err *err)
{
	struct spectra s = { 0 };
	double bin_hz, wsum = 0, fsum = 0, ratio[PM_DEHUM_HARMONICS], f1;
	size_t k, bins[PM_DEHUM_HARMONICS];
	unsigned kept = 0;
	int ret = -1;

	memset(h, 0, sizeof(*h));
	h->nominal_hz = nominal_hz;
	s.n = frame_size(rate);
	bin_hz = (double)rate / (double)s.n;
	if (frames / s.n < 3 || nominal_hz <= 0)
		return 0;
	s.nbins = nbins_for(nominal_hz, s.n, rate);
	if (spectra_take(&s, x, frames, err) < 0)
		goto out;
	for (k = 1; k <= PM_DEHUM_HARMONICS; k++) {
		double hz = nominal_hz * (double)k, bg, coh;
		/* the mains stray by a fraction of a hertz, times k */
		size_t span = 1 + (size_t)(MAINS_HZ * (double)k / bin_hz);
		size_t b0 = (size_t)(hz / bin_hz + 0.5), b, p = b0;
		struct pm_dehum_line *l = &h->line[h->nlines];
		double complex z;

		if (b0 + span + 16 >= s.nbins || hz >= rate / 2.0)
			break;
		for (b = b0 - span; b <= b0 + span; b++)
			if (s.low[b] > s.low[p])
				p = b;
		bg = background(s.low, s.nbins, p);
		if (!(s.low[p] >= bg * pow(10, STAND_DB / 10)) || s.low[p] <= 0)
			continue;
		/*
		 * Hum is one steady sinusoid all through: it turns by the same
		 * angle from each frame to the next.  Notes come and go with
		 * phases of their own.
		 */
		z = turn(&s, p, &coh);
		if (coh < COHERENCE_FIRST)
			continue;
		/*
		 * The turn over one frame is 2 pi (p + d) for a line at bin
		 * p + d: d from its angle, the whole bins from a parabola
		 * through the low levels (a line half a bin off p turns by
		 * pi, either way).
		 */
		l->harmonic = (unsigned)k;
		l->hz = (peak_at(s.low, p) +
			 remainder(carg(z) / (2 * M_PI) + (double)p -
					   peak_at(s.low, p),
				   1.0)) * bin_hz;
		l->over_db = 10 * log10(s.low[p] / (bg > 0 ? bg : 1e-300));
		l->width_hz = NOTCH_MIN_HZ;
		l->before_db = line_db(&s, p);
		l->after_db = l->before_db;
		/* the grids hold their frequency within 0.2 Hz */
		if (fabs(l->hz / (double)k - nominal_hz) > MAINS_HZ)
			continue;
		ratio[h->nlines] = l->hz / (double)k;
		bins[h->nlines] = p;
		h->nlines++;
	}
	if (!h->nlines)
		goto done;
	/*
	 * The mains' harmonics sit at multiples of one frequency; a line
	 * that does not is music (a partial near the harmonic).  The
	 * median of the lines' fundamentals says which frequency.
	 */
	qsort(ratio, h->nlines, sizeof(ratio[0]), cmp_double);
	f1 = ratio[(h->nlines - 1) / 2];
	for (k = 0; k < h->nlines; k++) {
		struct pm_dehum_line *l = &h->line[k];
		double wt = pow(10, l->over_db / 10);

		if (fabs(l->hz - l->harmonic * f1) > 0.5 * bin_hz)
			continue;
		bins[kept] = bins[k];
		h->line[kept++] = *l;
		/* a least-squares fit of hz = k f1, weighted by prominence */
		wsum += wt * l->harmonic * l->harmonic;
		fsum += wt * l->harmonic * l->hz;
	}
	h->nlines = kept;
	h->fundamental_hz = kept ? fsum / wsum : 0;
	/*
	 * Each notch goes where the fit says: the most prominent lines pin
	 * the frequency down better than a weak line measures itself.
	 */
	for (k = 0; k < kept; k++)
		h->line[k].hz = h->line[k].harmonic * h->fundamental_hz;
	/* once more when a line was dropped, without it */
	for (k = 0; k < 2 && h->nlines; k++) {
		unsigned before = h->nlines;

		if (follow(&s, h, bins, bin_hz, err) < 0)
			goto out;
		if (h->nlines == before)
			break;
	}
	/*
	 * Mains hum has its fundamental or its second or third harmonic
	 * (a rectifier's buzz) among its strongest lines: a line higher up
	 * alone is a note held through the track.
	 */
	for (k = 0; k < h->nlines && h->line[k].harmonic > 3; k++)
		;
	if (k == h->nlines)
		h->nlines = 0;
	if (!h->nlines) {
		h->fundamental_hz = h->min_hz = h->max_hz = 0;
		pm_dehum_release(h);
	}
done:
	ret = 0;
out:
	spectra_release(&s);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The notches                                                          */
/* ------------------------------------------------------------------ */

/*
 * An RBJ notch, normalised: b0 = b2, b1 = a1, so
 * y = b0 (x + x2) + a1 (x1 - y1) - a2 y2.
 */
struct notch {
	double b0, a1, a2;
	double w;
};

static void notch_init(struct notch *s, double hz, double width_hz,
		       uint32_t rate)
{
	double w = 2 * M_PI * hz / rate;
	double alpha = sin(w) / (2 * (hz / width_hz));

	s->b0 = 1 / (1 + alpha);
	s->a1 = -2 * cos(w) / (1 + alpha);
	s->a2 = (1 - alpha) / (1 + alpha);
	s->w = w;
}

static double complex notch_response(const struct notch *s, double w)
{
	double complex z1 = cexp(-I * w), z2 = z1 * z1;

	return (s->b0 * (1 + z2) + s->a1 * z1) / (1 + s->a1 * z1 + s->a2 * z2);
}

/* The sample of channel `c` at pass-order index `j`. */
static float at(const float *x, size_t frames, bool back, size_t j, int c)
{
	return x[2 * (back ? frames - 1 - j : j) + c];
}

/*
 * Prime the state of the cascade for a pass: fit each line's sinusoid to
 * the first PRIME_S of the pass (Hann-weighted, in pass order) and set
 * every section's last two inputs and outputs to what they would be had
 * that hum been playing for ever.  The hum is then notched from the first
 * sample; the music, which starts there, meets a resting filter, which
 * passes an onset as it is.
 */
static void prime(const struct notch *s, size_t ns, double (*st)[2][4],
		  const float *x, size_t frames, bool back, uint32_t rate)
{
	size_t m = PM_MIN(frames, (size_t)(PRIME_S * rate)), j, k, q;
	double complex c[PM_DEHUM_HARMONICS][2];
	double wsum = 0;

	memset(st, 0, ns * sizeof(*st));
	if (m < 16)
		return;
	memset(c, 0, sizeof(c));
	for (k = 0; k < ns; k++) {
		double complex rot = cexp(-I * s[k].w), e = 1;

		for (j = 0; j < m; j++) {
			double w = 0.5 - 0.5 * cos(2 * M_PI * (j + 0.5) / m);

			c[k][0] += w * at(x, frames, back, j, 0) * e;
			c[k][1] += w * at(x, frames, back, j, 1) * e;
			e *= rot;
			if ((j & 1023) == 1023)
				e /= cabs(e);
		}
	}
	for (j = 0; j < m; j++)
		wsum += 0.5 - 0.5 * cos(2 * M_PI * (j + 0.5) / m);
	for (k = 0; k < ns; k++)
		for (int ch = 0; ch < 2; ch++)
			c[k][ch] *= 2 / wsum;
	/* each section's input and output at times -1 and -2 */
	for (q = 0; q < ns; q++)
		for (int ch = 0; ch < 2; ch++) {
			double v[4] = { 0, 0, 0, 0 };

			for (k = 0; k < ns; k++) {
				double complex g = c[k][ch], hq;
				size_t i;

				for (i = 0; i < q; i++)
					g *= notch_response(&s[i], s[k].w);
				hq = g * notch_response(&s[q], s[k].w);
				v[0] += creal(g * cexp(-I * s[k].w));
				v[1] += creal(g * cexp(-2 * I * s[k].w));
				v[2] += creal(hq * cexp(-I * s[k].w));
				v[3] += creal(hq * cexp(-2 * I * s[k].w));
			}
			memcpy(st[q][ch], v, sizeof(v));
		}
}

/* One step of a notch in the state (x1, x2, y1, y2) of one channel. */
static inline double step(double b0, double a1, double a2, double v,
			  double *z)
{
	double y = b0 * (v + z[1]) + a1 * z[0] - a2 * z[3] - a1 * z[2];

	z[1] = z[0];
	z[0] = v;
	z[3] = z[2];
	z[2] = y;
	return y;
}

/* The notch of line `k` where the fundamental is at sample `i`. */
static void notch_at(struct notch *s, const struct pm_dehum *h, size_t k,
		     double i, uint32_t rate)
{
	notch_init(s, h->line[k].harmonic * fundamental_at(h, i),
		   h->line[k].width_hz, rate);
}

/*
 * Lines `k` and `k + 1` (or `k` alone, when `two` is false) over both
 * channels, forward or backward, their states in locals: each notch's
 * recursion has a latency the arithmetic does not, so four recursions
 * (two sections, two channels) overlap in one sweep over the track.
 * Every UPDATE samples the notches move to where the fundamental is.
 * The float between sweeps rounds at -150 dB.
 */
static void sweep(const struct pm_dehum *h, size_t k, bool two,
		  double st[2][4], double su[2][4], float *x, size_t frames,
		  bool back, uint32_t rate)
{
	double zl[4], zr[4], ul[4], ur[4];
	ptrdiff_t dir = back ? -2 : 2;
	float *p = back ? x + 2 * (frames - 1) : x;

	memcpy(zl, st[0], sizeof(zl));
	memcpy(zr, st[1], sizeof(zr));
	memcpy(ul, su[0], sizeof(ul));
	memcpy(ur, su[1], sizeof(ur));
	for (size_t b = 0; b < frames; b += UPDATE) {
		size_t nb = PM_MIN((size_t)UPDATE, frames - b), j;
		double mid = (double)b + (double)nb / 2;
		struct notch s, t = { 1, 0, 0, 0 };

		if (back)
			mid = (double)frames - 1 - mid;
		notch_at(&s, h, k, mid, rate);
		if (two)
			notch_at(&t, h, k + 1, mid, rate);
		for (j = 0; j < nb; j++, p += dir) {
			double l = step(s.b0, s.a1, s.a2, p[0], zl);
			double r = step(s.b0, s.a1, s.a2, p[1], zr);

			if (two) {
				l = step(t.b0, t.a1, t.a2, l, ul);
				r = step(t.b0, t.a1, t.a2, r, ur);
			}
			p[0] = (float)l;
			p[1] = (float)r;
		}
	}
	memcpy(st[0], zl, sizeof(zl));
	memcpy(st[1], zr, sizeof(zr));
	memcpy(su[0], ul, sizeof(ul));
	memcpy(su[1], ur, sizeof(ur));
}

/* One pass of the cascade over the whole track, two lines a sweep. */
static void pass(const struct pm_dehum *h, double (*st)[2][4], float *x,
		 size_t frames, bool back, uint32_t rate)
{
	double spare[2][4] = { { 0 } };
	size_t ns = h->nlines;

	for (size_t k = 0; k < ns; k += 2)
		sweep(h, k, k + 1 < ns, st[k], k + 1 < ns ? st[k + 1] : spare,
		      x, frames, back, rate);
}

int pm_dehum_apply(struct pm_dehum *h, float *x, size_t frames,
		   uint32_t rate, struct pm_err *err)
{
	struct notch s[PM_DEHUM_HARMONICS];
	double st[PM_DEHUM_HARMONICS][2][4];
	struct spectra sp = { 0 };
	double bin_hz;
	size_t k;
	int ret = -1;

	if (!h->nlines)
		return 0;
	/* primed with the notches where the pass starts */
	for (k = 0; k < h->nlines; k++)
		notch_at(&s[k], h, k, 0, rate);
	prime(s, h->nlines, st, x, frames, false, rate);
	pass(h, st, x, frames, false, rate);
	/*
	 * The forward pass took the hum out up to the last sample, so the
	 * backward one starts at rest: a state fitted to what is left would
	 * be fitted to the music beside the lines.
	 */
	memset(st, 0, sizeof(st));
	pass(h, st, x, frames, true, rate);
	/* the same bins measured again */
	sp.n = frame_size(rate);
	bin_hz = (double)rate / (double)sp.n;
	sp.nbins = nbins_for(h->nominal_hz, sp.n, rate);
	if (spectra_take(&sp, x, frames, err) < 0)
		goto out;
	for (k = 0; k < h->nlines; k++)
		h->line[k].after_db =
			line_db(&sp, (size_t)(h->line[k].hz / bin_hz + 0.5));
	ret = 0;
out:
	spectra_release(&sp);
	return ret;
}
