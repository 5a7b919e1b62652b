/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fft.h: a small real FFT (power-of-two sizes, double precision), analysis
 * windows, and tone analysis (level, THD+N, worst spur) built on them.
 * Meant for measurements (the unit tests, long-term spectra and reports)
 * and for the repairs' short-time transforms (dsp/denoise.h), which run
 * once per track.
 */
#ifndef PM_FFT_H
#define PM_FFT_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Largest transform pm_fft_new() accepts: 2^24 points. */
#define PM_FFT_MAX_SIZE ((size_t)1 << 24)

struct pm_fft;

/*
 * A plan for real transforms of `n` points; `n` must be a power of two
 * from 4 to PM_FFT_MAX_SIZE.  The plan owns its scratch memory, so one
 * plan must not be used by two threads at once.  Returns a plan to free
 * with pm_fft_free(), or NULL with `err` set to PM_EINVAL or PM_ENOMEM.
 */
struct pm_fft *pm_fft_new(size_t n, struct pm_err *err);

/* Release a plan; NULL is a no-op. */
void pm_fft_free(struct pm_fft *f);

/* The transform size the plan was made for. */
size_t pm_fft_size(const struct pm_fft *f);

/*
 * Forward transform of `n` real samples `in` (unnormalised, e^{-i}
 * convention): writes the n/2 + 1 bins 0 .. n/2 to `out` as interleaved
 * (re, im) pairs, n + 2 doubles.  `in` and `out` must not overlap.
 */
void pm_fft_forward(struct pm_fft *f, const double *in, double *out);

/*
 * The inverse of pm_fft_forward(): the n real samples `out` whose forward
 * transform is the n/2 + 1 bins `in` (interleaved (re, im), n + 2
 * doubles; the imaginary parts of bins 0 and n/2 are ignored), scaled so
 * that pm_fft_inverse(pm_fft_forward(x)) is x.  Uses the plan's scratch
 * space; `in` and `out` must not overlap.
 */
void pm_fft_inverse(struct pm_fft *f, const double *in, double *out);

/*
 * |X[k]|^2 of the forward transform of `in` for k = 0 .. n/2: writes
 * n/2 + 1 doubles to `power`.  Uses the plan's scratch space.
 */
void pm_fft_power(struct pm_fft *f, const double *in, double *power);

enum pm_window {
	PM_WINDOW_RECT = 0,
	PM_WINDOW_HANN,
	PM_WINDOW_BLACKMAN_HARRIS, /* 4-term, -92 dB side lobes */
	PM_WINDOW_KAISER,          /* `param` is beta; 20 gives ~-190 dB */
};

/*
 * Fill `w` with `n` points of a periodic (DFT-even) window, the kind that
 * suits spectral analysis.  `param` is used by PM_WINDOW_KAISER only.
 */
void pm_window_fill(double *w, size_t n, enum pm_window type, double param);

/* Coherent gain sum(w)/n: the amplitude scale of a bin-centred tone. */
double pm_window_coherent_gain(const double *w, size_t n);

/* Equivalent noise bandwidth in bins: n*sum(w^2)/sum(w)^2. */
double pm_window_enbw_bins(const double *w, size_t n);

/* What pm_tone_analyse() finds. */
struct pm_tone_analysis {
	size_t fft_size;    /* points analysed (a power of two) */
	double tone_db;     /* amplitude of the tone at f0, dB re 1.0 peak */
	double tone_hz;     /* where its power lies, power-weighted */
	double thdn_db;     /* everything else in [lo, hi] re the tone, dB */
	double residual_db; /* that "everything else" as an RMS level, dB
			     * re a full-scale sine (-HUGE_VAL if none) */
	double spur_db;     /* worst other component, dB re 1.0 peak */
	double spur_hz;     /* and its frequency */
};

/*
 * Analyse one channel of an interleaved block: `x` holds `n_samples`
 * frames of `stride` floats and the channel read is x[0], x[stride], ...
 * The first power of two <= n_samples frames (at most PM_FFT_MAX_SIZE)
 * is windowed with a Kaiser window (beta 20, side lobes below -180 dB) and
 * transformed.  The tone is the power within +-12 bins of `f0_hz` (pass 0
 * for no tone: then tone_db is -HUGE_VAL and thdn_db is meaningless);
 * THD+N sums the power of every other bin whose frequency lies in
 * [lo_hz, hi_hz] (the measurement bandwidth, e.g. 20 Hz to 20 kHz); the
 * worst spur is the strongest other local peak in that band, with its
 * power summed over +-12 bins.  Levels are those of a sinusoid: a
 * full-scale sine reads 0 dB.
 *
 * Returns 0, or -1 with `err`: PM_EINVAL if fewer than 4096 frames or a
 * band outside 0 .. rate/2, PM_ENOMEM.  Allocates; not for the audio path.
 */
int pm_tone_analyse(const float *x, size_t n_samples, unsigned stride,
		    uint32_t rate, double f0_hz, double lo_hz, double hi_hz,
		    struct pm_tone_analysis *out, struct pm_err *err);

#endif
