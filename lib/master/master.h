/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * master.h: album-consistent mastering, rendered once per target.
 *
 * Two passes over the album, each processing tracks in blocks (memory does
 * not grow with the album's length) and, with jobs > 1, several tracks
 * at once:
 *
 *  1. analysis: each source is decoded once and measured (loudness,
 *     range, momentary and short-term maxima, sample and true peak, DC,
 *     crest factor, clipped runs, long-term spectrum), then run through
 *     the chain every target shares (track gain, track EQ, album EQ,
 *     compressor) and measured again.  The loudness policy turns those
 *     measurements into one gain per track and target: album mode one
 *     gain for the whole album, so the differences between tracks stay;
 *     track mode each track to the target; anchor mode the anchor track
 *     sets the album's gain; AES TD1008 (loudest-track) lets the loudest
 *     track meet the target.
 *
 *  2. render: each source is decoded once more and run through the
 *     shared chain once; its output feeds every target, each with its own
 *     resampler (libsoxr, very high quality, in float), width, vinyl
 *     LF-mono, gain and true-peak limiter (not for vinyl), and is written
 *     to OUTDIR/masters/<target>/NN-<title>.wav: 24-bit PCM for a target
 *     delivered as 24-bit PCM, 32-bit float for the others (the CD among
 *     them; doc/internals/targets.md §5).  Every output's true peak is
 *     measured by the same 4x interpolator the limiter uses; a master
 *     over its ceiling gets a static trim.  When limiting moved the
 *     album's loudness off the target by more than 0.05 LU (0.15 LU when
 *     it took more than 1 dB), the gains are corrected, by the slope the
 *     last correction showed, and the target rendered again (four renders
 *     at most).  Gain is linear whenever it can be: without a limiter the
 *     gain stops at the ceiling, and the report says by how much the
 *     target was missed.
 */
#ifndef PM_MASTER_H
#define PM_MASTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "album/album.h"
#include "album/findings.h"
#include "album/targets.h"
#include "dsp/defects.h"
#include "dsp/dehum.h"
#include "dsp/denoise.h"
#include "util/err.h"

/*
 * A DC offset at or over this (|mean|, linear; -60 dBFS) is removed by
 * subtracting the measured mean, exactly; a smaller one is left alone.
 * No filter: a high-pass would shift the phase of the bass and move the
 * true peaks.
 */
#define PM_DC_THRESHOLD 0.001

/*
 * Digital silence survives DC removal: a run of exact zero frames at
 * least PM_DC_SILENCE_MS long is measured apart (the mean is the
 * sound's, not diluted by the silence) and left at exact zero, and the
 * subtraction fades in and out over PM_DC_RAMP_MS of the sound on each
 * side of it (a raised cosine), so that removing DC adds no step where
 * none was.  Without this the silence would become a constant -DC: no
 * longer digital silence, and a step at each end of it.
 */
#define PM_DC_SILENCE_MS 10
#define PM_DC_RAMP_MS 10

/* A stretch of a source, in its frames: [start, end). */
struct pm_span {
	int64_t start, end;
};

/* The shared chain's filters whose true-peak rise is reported. */
enum { PM_STAGE_LINEAR_HP, PM_STAGE_TRACK_EQ, PM_STAGE_ALBUM_EQ,
       PM_STAGE_COMPRESSOR, PM_STAGES };

#define PM_TONE_BANDS 10 /* octave bands, 31.5 Hz .. 16 kHz */

extern const double pm_tone_band_hz[PM_TONE_BANDS];

struct pm_source_analysis {
	double integrated_lufs;
	double range_lu;
	double max_momentary_lufs;
	double max_shortterm_lufs;
	double sample_peak_db;
	double true_peak_dbtp;
	double dc_db[2];         /* DC offset per channel, dBFS */
	double dc_mean[2];       /* the same, signed and linear: the exact
				   mean render subtracts when it is at or
				   over PM_DC_THRESHOLD (of the frames
				   outside digital silence) */
	/* the runs of digital silence (PM_DC_SILENCE_MS or longer), in
	 * order; owned */
	size_t nsilent;
	struct pm_span *silent;
	int64_t silent_frames;
	double rms_db;
	double crest_db;         /* sample peak over RMS */
	unsigned clipped_runs;   /* runs of 3+ samples at full scale */
	unsigned long long clipped_samples;
	double band_db[PM_TONE_BANDS]; /* long-term spectrum, mid channel */
	double chain_lufs;       /* after the shared chain */
	double chain_peak_dbtp;
	double chain_max_gr_db;  /* the compressor's deepest reduction */
	/* how much each filter of the shared chain raised the true peak
	 * (dB, the 4x meter before and after it); NAN: no such filter */
	double stage_tp_added_db[PM_STAGES];
	struct pm_defects *defects; /* what the detector found, with the
				       repairs' samples; owned */
	struct pm_defects_summary defects_sum;
	bool repair_clicks, repair_clipping;
	size_t repaired_samples; /* by the last render */
	/* hum removal and noise reduction (pm_repair_restore_wanted()) and
	 * what the last render's did */
	int repair_hum;
	bool repair_noise;
	double repair_noise_db;
	struct pm_dehum dehum;
	struct pm_denoise denoise;
	bool restore_said;       /* logged once, not once per render */
};

struct pm_render_result {
	double gain_db;         /* the loudness policy's gain */
	double peak_in_dbtp;    /* true peak before the limiter (gain applied) */
	double peak_out_dbtp;   /* after limiting and trim */
	double max_gr_db;       /* the limiter's deepest reduction */
	double trim_db;         /* static trim after measuring (<= 0) */
	double lufs;            /* the master's integrated loudness */
	double shortfall_lu;    /* how far under the target, when the
				   ceiling stopped a linear gain */
	double lf_removed_db;   /* vinyl: the side bass LF-mono took out,
				   against the whole signal (dB; -inf:
				   none) */
	bool has_lfmono;
	double dc_removed[2];   /* the DC limiting gave the master, taken
				   out after it (0: none) */
	/* the limiter's log: stretches of more than PM_LIMITER_LOG_DB */
	unsigned nlimiting;
	struct {
		double start_s, end_s, depth_db;
	} limiting[32];
	double ceiling_dbtp;    /* this file's: the target's, or its
				   loud-file ceiling when the file is louder
				   than the profile's threshold (Spotify:
				   -2 dBTP over -14 LUFS) */
	uint32_t rate;
	int64_t length_samples;
};

struct pm_target_result {
	struct pm_target target;
	double ceiling_dbtp;    /* in force (Spotify's lower one for hot
				   masters) */
	double album_lufs;      /* of the rendered masters */
	double album_error_lu;  /* album_lufs - target (album/anchor) */
	unsigned renders;       /* 1 + corrections */
	double last_error_lu;   /* the last correction's error and step, */
	double last_step_db;    /* for the next one's slope */
	struct pm_render_result *track; /* per album track, owned */
	struct pm_render_result htoa;   /* cd only, when the album has one */
};

/* Tonal consistency: per track, deviation from the album's average. */
struct pm_tone_result {
	double dev_db[PM_TONE_BANDS];   /* track - album average, level-matched */
	double ref_dev_db[PM_TONE_BANDS]; /* track - reference, when given */
	double tilt_db_per_oct;         /* fitted slope of dev_db */
	double low_shelf_db, high_shelf_db, tilt_db; /* match mode: applied */
};

struct pm_master_run {
	const struct pm_album *album; /* borrowed */
	size_t ntracks;
	struct pm_source_analysis *source; /* per track, owned */
	struct pm_source_analysis htoa;
	double album_lufs;        /* sources, as one programme */
	double album_range_lu;
	double album_chain_lufs;  /* after the shared chain */
	struct pm_tone_result *tone;   /* per track, owned */
	bool has_reference;
	double reference_band_db[PM_TONE_BANDS];
	size_t ntargets;
	struct pm_target_result *targets; /* owned */
	double seconds;           /* audio processed per pass (album length) */
	struct pm_findings findings; /* the audio-* rules on the sources */
};

struct pm_master_options {
	const char *outdir;
	bool force;
	unsigned jobs;
	const char *only; /* comma-separated target names, or NULL */
	bool analyse_only; /* pass 1 and the report, no masters */
};

/*
 * Master `album` (probed) for its targets.  Writes the masters and
 * OUTDIR/report/analysis.json.  Fills `run` (release with
 * pm_master_run_release).  Returns 0 or -1 with `err`.
 */
int pm_master(const struct pm_album *album,
	      const struct pm_master_options *o, struct pm_master_run *run,
	      struct pm_err *err);

void pm_master_run_release(struct pm_master_run *run);

/* Write the analysis report as JSON. */
int pm_master_report_json(FILE *fp, const struct pm_master_run *run,
			  struct pm_err *err);

#endif
