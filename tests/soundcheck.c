/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * soundcheck.c: measurements for the tests, written apart from lib/dsp so
 * that the library's meters are checked by code that does not share
 * their mistakes.  Files are read through lib/io; everything else is
 * here, in double precision.
 *
 *   soundcheck tp FILE...
 *     one line per file: "FILE fine8x=D ebur128=D lufs=D", true peaks
 *     in dBTP (3 decimals) and the integrated loudness (libebur128).
 *     fine8x is this file's own meter: 8x oversampling by a windowed
 *     sinc 64 samples long (Blackman-Harris window, each phase scaled to
 *     unity gain), the file padded with silence on both sides so that
 *     its first and last samples count against silence.  ebur128 is
 *     libebur128's true peak (through lib/dsp/loudness).
 *   soundcheck edges FILE...
 *     "FILE worst=D n=N": the loudest sample, in dBFS, next to digital
 *     silence (the file's two ends, and every run of at least 32 frames
 *     of exact zeros on all channels), and how many such edges there are;
 *     -200 for none louder than zero.
 *   soundcheck resid A B SKIP_S
 *     "gain=D resid=D": the one gain g (dB) that makes g B closest to A
 *     (least squares), and the energy of A - g B against that of g B, in
 *     dB, leaving out SKIP_S seconds at each end.  Same rate and channel
 *     count; the shorter length counts.
 *   soundcheck residac A B SKIP_S
 *     the same with each channel's mean over the first frames both files
 *     have taken out of both first: how far B is A times one gain, a
 *     constant offset apart (the exact DC removal of doc/internals/sound.md).
 *   soundcheck lines A B HZ
 *     "line1=D line2=D line3=D far=D", of the difference A - B: its
 *     sinusoid at HZ, 2 HZ and 3 HZ (the peak in dBFS of the louder
 *     channel, by a Hann-windowed projection over the whole file), and
 *     its energy above 1 kHz (a fourth-order Butterworth high-pass)
 *     against the whole energy of B, in dB: how far a hum's lines stand
 *     in the difference, and how little else differs.  Same rate and
 *     channels.
 *   soundcheck level FILE FROM_S TO_S
 *     "rms=D": the RMS level of all channels from FROM_S to TO_S seconds,
 *     in dBFS (a full-scale square wave reads 0).
 *   soundcheck dc FILE
 *     "dc=D": the larger of the channels' means, in dBFS.
 *   soundcheck zeros FILE
 *     "lead=N trail=N": how many frames of exact zeros on all channels
 *     the file starts and ends with.
 *   soundcheck lfside FILE
 *     "side_mid=D": the energy of the side signal (L-R)/2 below 80 Hz
 *     against the mid's (L+R)/2, in dB, through an eighth-order
 *     Butterworth low-pass at 80 Hz.
 *
 * Exit status 0, or 1 with a message for an unreadable file.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "dsp/loudness.h"
#include "io/audio.h"
#include "util/err.h"

#include "util/banned.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define OS 8     /* oversampling */
#define HALF 32  /* input samples each side of an interpolated point */

struct pcm {
	uint32_t rate;
	unsigned ch;
	size_t n;  /* frames */
	float *x;  /* n * ch, interleaved */
};

/* Take each channel's mean over the first n frames out of all of it. */
static void remove_mean(struct pcm *p, size_t n)
{
	for (unsigned c = 0; c < p->ch; c++) {
		double sum = 0;

		for (size_t j = 0; j < n; j++)
			sum += p->x[j * p->ch + c];
		sum /= (double)(n ? n : 1);
		for (size_t j = 0; j < p->n; j++)
			p->x[j * p->ch + c] = (float)(p->x[j * p->ch + c] - sum);
	}
}

static int load(const char *path, struct pcm *p)
{
	struct pm_err err = { 0 };
	struct pm_audio_info info;
	struct pm_audio_reader *r = pm_audio_open(path, &info, &err);
	int64_t got;
	size_t cap;

	if (!r) {
		fprintf(stderr, "soundcheck: %s\n", err.msg);
		return -1;
	}
	p->rate = info.rate;
	p->ch = info.channels;
	p->n = 0;
	cap = (size_t)(info.length_samples > 0 ? info.length_samples : 1) + 4096;
	p->x = malloc(cap * p->ch * sizeof(float));
	if (!p->x) {
		pm_audio_close(r);
		return -1;
	}
	for (;;) {
		if (p->n + 4096 > cap) {
			float *y;

			cap *= 2;
			y = realloc(p->x, cap * p->ch * sizeof(float));
			if (!y) {
				pm_audio_close(r);
				return -1;
			}
			p->x = y;
		}
		got = pm_audio_read(r, p->x + p->n * p->ch, 4096, &err);
		if (got < 0) {
			fprintf(stderr, "soundcheck: %s: %s\n", path, err.msg);
			pm_audio_close(r);
			return -1;
		}
		if (got == 0)
			break;
		p->n += (size_t)got;
	}
	pm_audio_close(r);
	return 0;
}

/* Blackman-Harris (4-term) over [-1, 1]. */
static double bh(double u)
{
	double a = M_PI * (u + 1.0);

	return 0.35875 - 0.48829 * cos(a) + 0.14128 * cos(2 * a) -
	       0.01168 * cos(3 * a);
}

/* This file's own 8x meter, edges counted. */
static double fine8x(const struct pcm *p)
{
	double h[OS][2 * HALF], win[2 * HALF], l1 = 0, best = 0;

	/* h[k][m]: the weight of x[i + m - HALF + 1] for time i + k/OS */
	for (int k = 1; k < OS; k++) {
		double sum = 0, a = 0;

		for (int m = 0; m < 2 * HALF; m++) {
			double d = (double)(m - HALF + 1) - (double)k / OS;
			double s = sin(M_PI * d) / (M_PI * d);

			h[k][m] = s * bh(d / (HALF + 0.5));
			sum += h[k][m];
		}
		for (int m = 0; m < 2 * HALF; m++) {
			h[k][m] /= sum;
			a += fabs(h[k][m]);
		}
		l1 = fmax(l1, a);
	}
	for (unsigned c = 0; c < p->ch; c++) {
		/* i runs over the intervals [i, i+1), from the one before the
		 * first sample to the one after the last */
		double near = 0;

		for (long i = -HALF; i < (long)p->n + HALF; i++) {
			/* the largest input under any of the next 32
			 * intervals, once per 32 */
			if ((i + HALF) % 32 == 0) {
				near = 0;
				for (long m = i - HALF + 1; m <= i + 32 + HALF;
				     m++)
					if (m >= 0 && m < (long)p->n)
						near = fmax(near,
							    fabs(p->x[(size_t)m * p->ch + c]));
			}
			if (i >= 0 && i < (long)p->n)
				best = fmax(best, fabs(p->x[(size_t)i * p->ch + c]));
			if (near * l1 <= best)
				continue;
			/* the inputs under this interval, silence outside */
			for (int m = 0; m < 2 * HALF; m++) {
				long j = i + m - HALF + 1;

				win[m] = j >= 0 && j < (long)p->n
						 ? p->x[(size_t)j * p->ch + c]
						 : 0.0;
			}
			for (int k = 1; k < OS; k++) {
				double y = 0;

				for (int m = 0; m < 2 * HALF; m++)
					y += h[k][m] * win[m];
				best = fmax(best, fabs(y));
			}
		}
	}
	return best > 0 ? 20 * log10(best) : -200;
}

static double ebur128(const struct pcm *p, double *lufs)
{
	struct pm_err err = { 0 };
	struct pm_loudness_result res;
	struct pm_meter *m = pm_meter_new(p->ch, p->rate, PM_METER_TRUE_PEAK,
					  &err);
	double v = NAN;

	if (m && pm_meter_add(m, p->x, (int64_t)p->n, &err) == 0 &&
	    pm_meter_result(m, &res, &err) == 0) {
		v = res.true_peak_dbtp;
		*lufs = res.integrated_lufs;
	}
	pm_meter_free(m);
	return v;
}

static double frame_peak(const struct pcm *p, size_t i)
{
	double v = 0;

	for (unsigned c = 0; c < p->ch; c++)
		v = fmax(v, fabs(p->x[i * p->ch + c]));
	return v;
}

static void edges(const struct pcm *p, double *worst, unsigned *count)
{
	size_t i = 0, run;

	*worst = 0;
	*count = 0;
	if (p->n == 0)
		return;
	*worst = fmax(frame_peak(p, 0), frame_peak(p, p->n - 1));
	*count = 2;
	while (i < p->n) {
		if (frame_peak(p, i) != 0) {
			i++;
			continue;
		}
		for (run = 0; i + run < p->n && frame_peak(p, i + run) == 0;
		     run++)
			;
		if (run >= 32) {
			if (i > 0) {
				*worst = fmax(*worst, frame_peak(p, i - 1));
				++*count;
			}
			if (i + run < p->n) {
				*worst = fmax(*worst, frame_peak(p, i + run));
				++*count;
			}
		}
		i += run;
	}
}

/* A second-order Butterworth low-pass section, bilinear, with its state. */
struct lp2 {
	double b0, b1, b2, a1, a2, z1, z2;
};

static void lp2_init(struct lp2 *f, double fc, double rate, double q)
{
	double w = tan(M_PI * fc / rate), n = 1.0 / (1.0 + w / q + w * w);

	f->b0 = w * w * n;
	f->b1 = 2 * f->b0;
	f->b2 = f->b0;
	f->a1 = 2.0 * (w * w - 1.0) * n;
	f->a2 = (1.0 - w / q + w * w) * n;
	f->z1 = f->z2 = 0;
}

static double lp2_run(struct lp2 *f, double x)
{
	double y = f->b0 * x + f->z1;

	f->z1 = f->b1 * x - f->a1 * y + f->z2;
	f->z2 = f->b2 * x - f->a2 * y;
	return y;
}

static double lfside(const struct pcm *p)
{
	/* the Q of the four sections of an eighth-order Butterworth */
	struct lp2 fm[4], fs[4];
	double em = 0, es = 0;

	for (int k = 0; k < 4; k++) {
		double q = 1.0 / (2.0 * cos(M_PI * (2 * k + 1) / 16.0));

		lp2_init(&fm[k], 80, p->rate, q);
		lp2_init(&fs[k], 80, p->rate, q);
	}
	for (size_t i = 0; i < p->n; i++) {
		double l = p->x[i * p->ch], r = p->x[i * p->ch + (p->ch > 1)];
		double m = (l + r) / 2, s = (l - r) / 2;

		for (int k = 0; k < 4; k++) {
			m = lp2_run(&fm[k], m);
			s = lp2_run(&fs[k], s);
		}
		em += m * m;
		es += s * s;
	}
	return 10 * log10((es + 1e-30) / (em + 1e-30));
}

/* A biquad high-pass at `hz` with quality `q` (the cookbook's). */
struct hp {
	double b0, b1, b2, a1, a2, x1, x2, y1, y2;
};

static void hp_init(struct hp *f, double hz, double q, uint32_t rate)
{
	double w = 2 * M_PI * hz / rate, al = sin(w) / (2 * q), c = cos(w);
	double a0 = 1 + al;

	memset(f, 0, sizeof(*f));
	f->b0 = (1 + c) / 2 / a0;
	f->b1 = -(1 + c) / a0;
	f->b2 = (1 + c) / 2 / a0;
	f->a1 = -2 * c / a0;
	f->a2 = (1 - al) / a0;
}

static double hp_run(struct hp *f, double x)
{
	double y = f->b0 * x + f->b1 * f->x1 + f->b2 * f->x2 - f->a1 * f->y1 -
		   f->a2 * f->y2;

	f->x2 = f->x1;
	f->x1 = x;
	f->y2 = f->y1;
	f->y1 = y;
	return y;
}

static void lines(const struct pcm *a, const struct pcm *b, double hz)
{
	size_t n = a->n < b->n ? a->n : b->n;
	double top[3] = { 0, 0, 0 }, ed = 0, eb = 0;

	for (unsigned c = 0; c < a->ch; c++) {
		/* Butterworth: two sections, Q 0.5412 and 1.3066 */
		struct hp d1, d2;

		hp_init(&d1, 1000, 0.5412, a->rate);
		hp_init(&d2, 1000, 1.3066, a->rate);
		for (int k = 0; k < 3; k++) {
			double re = 0, im = 0, ws = 0;

			for (size_t j = 0; j < n; j++) {
				size_t q = j * a->ch + c;
				double d = (double)a->x[q] - b->x[q];
				double w = 0.5 - 0.5 * cos(2 * M_PI * (j + 0.5) / n);
				double ph = 2 * M_PI * hz * (k + 1) * (double)j /
					    a->rate;

				re += w * d * cos(ph);
				im -= w * d * sin(ph);
				ws += w;
			}
			top[k] = fmax(top[k], 2 * hypot(re, im) / ws);
		}
		for (size_t j = 0; j < n; j++) {
			size_t q = j * a->ch + c;
			double d = (double)a->x[q] - b->x[q];
			double y = hp_run(&d2, hp_run(&d1, d));
			double r = b->x[q];

			ed += y * y;
			eb += r * r;
		}
	}
	printf("line1=%.1f line2=%.1f line3=%.1f far=%.1f\n",
	       20 * log10(top[0] + 1e-15), 20 * log10(top[1] + 1e-15),
	       20 * log10(top[2] + 1e-15),
	       10 * log10((ed + 1e-30) / (eb + 1e-30)));
}

int main(int argc, char **argv)
{
	struct pcm p, q;
	int i;

	if (argc >= 3 && strcmp(argv[1], "tp") == 0) {
		for (i = 2; i < argc; i++) {
			double lufs = NAN, tp;

			if (load(argv[i], &p) < 0)
				return 1;
			tp = ebur128(&p, &lufs);
			printf("%s fine8x=%.3f ebur128=%.3f lufs=%.2f\n",
			       argv[i], fine8x(&p), tp, lufs);
			free(p.x);
		}
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "edges") == 0) {
		for (i = 2; i < argc; i++) {
			double w;
			unsigned n;

			if (load(argv[i], &p) < 0)
				return 1;
			edges(&p, &w, &n);
			printf("%s worst=%.1f n=%u\n", argv[i],
			       w > 0 ? 20 * log10(w) : -200.0, n);
			free(p.x);
		}
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "dc") == 0) {
		double worst = 0;

		if (load(argv[2], &p) < 0)
			return 1;
		for (unsigned c = 0; c < p.ch; c++) {
			double sum = 0;

			for (size_t j = 0; j < p.n; j++)
				sum += p.x[j * p.ch + c];
			worst = fmax(worst, fabs(sum) / (double)(p.n ? p.n : 1));
		}
		printf("dc=%.1f\n", worst > 0 ? 20 * log10(worst) : -200.0);
		free(p.x);
		return 0;
	}
	if (argc == 5 && (strcmp(argv[1], "resid") == 0 ||
			  strcmp(argv[1], "residac") == 0)) {
		double g, e = 0, s = 0, ab = 0, bb = 0;
		size_t skip, n;
		bool ac = strcmp(argv[1], "residac") == 0;

		if (load(argv[2], &p) < 0 || load(argv[3], &q) < 0)
			return 1;
		if (p.ch != q.ch || p.rate != q.rate) {
			fprintf(stderr, "soundcheck: %s and %s differ in rate or channels\n",
				argv[2], argv[3]);
			return 1;
		}
		skip = (size_t)(atof(argv[4]) * p.rate);
		n = p.n < q.n ? p.n : q.n;
		if (ac) {
			remove_mean(&p, n);
			remove_mean(&q, n);
		}
		for (size_t j = skip * p.ch; j + skip * p.ch < n * p.ch; j++) {
			ab += (double)p.x[j] * q.x[j];
			bb += (double)q.x[j] * q.x[j];
		}
		g = bb > 0 ? ab / bb : 1;
		for (size_t j = skip * p.ch; j + skip * p.ch < n * p.ch; j++) {
			double d = p.x[j] - g * q.x[j];

			e += d * d;
			s += g * q.x[j] * g * q.x[j];
		}
		printf("gain=%.4f resid=%.1f\n", 20 * log10(fabs(g) + 1e-30),
		       10 * log10((e + 1e-30) / (s + 1e-30)));
		free(p.x);
		free(q.x);
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "level") == 0) {
		double e = 0;
		size_t a, b;

		if (load(argv[2], &p) < 0)
			return 1;
		a = (size_t)(atof(argv[3]) * p.rate);
		b = (size_t)(atof(argv[4]) * p.rate);
		b = b < p.n ? b : p.n;
		for (size_t j = a * p.ch; j < b * p.ch; j++)
			e += (double)p.x[j] * p.x[j];
		printf("rms=%.2f\n", b > a ? 10 * log10(e / (double)((b - a) * p.ch) + 1e-30)
				      : -200.0);
		free(p.x);
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "lines") == 0) {
		if (load(argv[2], &p) < 0 || load(argv[3], &q) < 0)
			return 1;
		if (p.ch != q.ch || p.rate != q.rate) {
			fprintf(stderr, "soundcheck: %s and %s differ in rate or channels\n",
				argv[2], argv[3]);
			return 1;
		}
		lines(&p, &q, atof(argv[4]));
		free(p.x);
		free(q.x);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "zeros") == 0) {
		size_t lead = 0, trail = 0;

		if (load(argv[2], &p) < 0)
			return 1;
		while (lead < p.n && frame_peak(&p, lead) == 0)
			lead++;
		while (trail < p.n - lead && frame_peak(&p, p.n - 1 - trail) == 0)
			trail++;
		printf("lead=%zu trail=%zu\n", lead, trail);
		free(p.x);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "lfside") == 0) {
		if (load(argv[2], &p) < 0)
			return 1;
		printf("side_mid=%.1f\n", lfside(&p));
		free(p.x);
		return 0;
	}
	fprintf(stderr, "usage: soundcheck tp|edges FILE... | resid|residac A B SKIP_S | lines A B HZ | level FILE FROM_S TO_S | lfside|dc|zeros FILE\n");
	return EX_USAGE;
}
