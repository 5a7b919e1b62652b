/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * timeline.h: laying tracks out in time, and rendering the result.  One
 * layout algorithm serves the CD programme (frame-aligned, with its
 * pregap, pre-roll and subcode), a vinyl side and the per-track streaming
 * files; they differ only in their options.
 *
 * Frame alignment policy (CD; doc/internals/redbook.md §4): an ID never
 * comes late.  Every index point lands on the 588-sample frame boundary
 * at or before the first sample it marks, and only silence is ever
 * stretched to reach a boundary:
 *  - after a pause (index 00, digital silence), the pause is lengthened by
 *    less than a frame so the track's audio starts exactly on its ID;
 *  - a gapless join keeps the audio continuous, and the ID goes on the
 *    boundary at or before the join (at most 587 samples, 13 ms, early);
 *  - an index 00 goes on the boundary at or after the previous track's
 *    last sample, so the previous track is never under the pause;
 *  - an ID inside a crossfade goes on the boundary at or before id-at;
 *  - a pre-roll moves an ID earlier into silence only, never into audio;
 *  - the programme ends on a boundary, padded with digital silence.
 * Audio is never cut or moved by alignment.
 */
#ifndef PM_TIMELINE_H
#define PM_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "album/album.h"
#include "cd/pq.h"
#include "util/err.h"

#define PM_TL_HTOA ((size_t)-1)

/* One piece of audio on the timeline: a track's (or the hidden track's). */
struct pm_tl_clip {
	size_t track;   /* index into album->tracks, or PM_TL_HTOA */
	int64_t start;  /* timeline sample where its audio begins */
	int64_t length; /* samples */
	int64_t fade_in, fade_out; /* samples */
	enum pm_fade_shape in_shape, out_shape;
	/*
	 * The edge fade its track asks for (pm_edge_fade_of), for the
	 * renderer's edges to and from digital silence inside the audio;
	 * 0: none (set by pm_feed_edge_fades).
	 */
	int64_t edge_length;
	enum pm_fade_shape edge_shape;
};

/* The marks of one track on the timeline (samples). */
struct pm_tl_track {
	size_t album_index;
	bool has_pause;
	int64_t pause; /* index 00; == id without a pause */
	int64_t id;    /* index 01 */
	int64_t audio; /* first sample of its audio */
	int64_t end;   /* one past its last audio sample */
	size_t nindex;
	int64_t index[98]; /* index 02.. */
};

struct pm_tl_options {
	uint32_t rate;
	bool cd;              /* frame alignment, pregap rules, subcode */
	unsigned preroll_frames;
	/* silence before the first track: cd: track 1's pause (>= 2 s) */
	bool lead_pause;
	/* every join without a crossfade gets `gap` (vinyl sides) instead
	 * of the tracks' own pauses */
	bool fixed_gap;
	struct pm_time gap;
	bool with_htoa;       /* cd: the hidden track in track 1's pregap */
};

/*
 * An edge fade: a short fade where a clip meets digital silence on a
 * sample louder than PM_EDGE_LEVEL (a step there is a click): at a pause,
 * the start or end of a programme or a side, the edges of a file.
 * Crossfades, gapless joins and the album's own fades are left alone.
 * <edge-fade> in <track> or <mastering> sets its length (0: none) and
 * shape; the default is PM_EDGE_FADE_MS of an s-curve, whose first step
 * from silence is about 86 dB down at 44.1 kHz (an equal-power fade's
 * is only 43 dB down: over the -60 dBFS rule for a loud sample).  With
 * pass-through mastering (a re-issue) the default is none.
 */
#define PM_EDGE_LEVEL 0.001 /* -60 dBFS */
#define PM_EDGE_FADE_MS 5

/*
 * Digital silence inside a clip: a run of at least PM_EDGE_SILENCE
 * frames of exact zeros on both channels (0.7 ms at 44.1 kHz; a waveform
 * crossing zero, or resting on it for a sample or two, is not silence).
 * Where the rendered timeline leaves or enters such a run on a sample of
 * PM_EDGE_LEVEL or louder, the renderer fades in after it (out before
 * it) by the edge fade of the clip sounding there: a mix that starts
 * with a stretch of zeros and then jumps to a loud sample clicks just as
 * one that starts loud does.
 */
#define PM_EDGE_SILENCE 32

struct pm_tl_edge {
	size_t clip;
	bool at_end;        /* the clip's end (a fade-out); else its start */
	int64_t length;     /* samples */
	enum pm_fade_shape shape;
	double level_dbfs;  /* the sample that met silence, before the fade */
};

struct pm_timeline {
	uint32_t rate;
	bool cd;
	size_t nclips;
	struct pm_tl_clip *clips; /* owned; in timeline order */
	size_t ntracks;
	struct pm_tl_track *tracks; /* owned */
	int64_t length;             /* samples, padded on a CD */
	struct pm_disc disc;        /* cd only */
	int64_t warn_samples;       /* lengths for messages */
	size_t nedges;
	struct pm_tl_edge *edges;   /* owned: the edge fades applied */
};

/*
 * Lay out tracks `which[0..n)` (album indexes, in order) at o->rate.
 * `lengths[i]` is the length in samples at o->rate of album track i's
 * audio as it will be read (trims applied), `htoa_length` the hidden
 * track's.  Fills `tl` (release with pm_timeline_release).  Returns 0 or
 * -1 with `err`.
 */
int pm_timeline_build(const struct pm_album *album, const size_t *which,
		      size_t n, const int64_t *lengths, int64_t htoa_length,
		      const struct pm_tl_options *o, struct pm_timeline *tl,
		      struct pm_err *err);

void pm_timeline_release(struct pm_timeline *tl);

/*
 * The edge fade album track `track` (PM_TL_HTOA: the hidden track) asks
 * for at `rate`: its <edge-fade>, else the album's, else the default.
 * *len 0: none.
 */
void pm_edge_fade_of(const struct pm_album *a, size_t track, uint32_t rate,
		     int64_t *len, enum pm_fade_shape *shape);

/*
 * Whether clip `c`'s first (at_end: last) sample is next to digital
 * silence on the timeline (no other clip sounds there) and carries no
 * fade already.
 */
bool pm_tl_edge_open(const struct pm_timeline *tl, size_t c, bool at_end);

/*
 * Give clip `c` its edge fade at its start (at_end: end), `level` being
 * the largest magnitude of the sample that meets silence: nothing when it
 * is under PM_EDGE_LEVEL or the fade is off.  Each fade is noted and
 * kept in tl->edges.  Returns 0 or -1 with `err` (PM_ENOMEM).
 */
int pm_tl_edge_fade(struct pm_timeline *tl, const struct pm_album *a,
		    size_t c, bool at_end, double level, struct pm_err *err);

/* The gain of a fade of `shape` a fraction `t` (0..1) of the way in. */
double pm_fade_gain(enum pm_fade_shape shape, double t);

/*
 * Where the audio for clip `c` comes from: fill `buf` with `n` stereo
 * frames of the clip's audio, continuing from where the last call for
 * this clip stopped.  The first call for a clip starts at the clip's
 * sample max(0, from - clip start), where `from` is where rendering began
 * (pm_tl_render_init_at).  Returns 0 or -1 with `err`.
 */
typedef int pm_tl_read_fn(void *ctx, size_t clip, float *buf, int64_t n,
			  struct pm_err *err);

/* A gain curve over part of the timeline (crossfade peak limiting). */
struct pm_tl_gain {
	int64_t start;
	int64_t length;
	float *gain; /* owned */
};

struct pm_tl_render {
	const struct pm_timeline *tl; /* borrowed */
	pm_tl_read_fn *read;
	void *ctx;
	int64_t pos;
	float *scratch;
	size_t scratch_frames;
	size_t ngains;
	const struct pm_tl_gain *gains; /* borrowed */
	/*
	 * Edges to and from digital silence inside clips: the mix is
	 * rendered `look` frames ahead (the longest edge fade and
	 * PM_EDGE_SILENCE), so that a fade-out ends where the silence
	 * begins.  look 0: no clip has an edge fade, nothing is held.
	 */
	int64_t look;
	int64_t raw_pos;      /* where the mix is rendered up to */
	float *ahead;         /* frames [pos, raw_pos), owned */
	int64_t ahead_cap;    /* frames */
	int64_t zeros;        /* zero frames just before the next to scan */
	int64_t in_start, in_length; /* the fade-in under way (length 0: none) */
	enum pm_fade_shape in_shape;
};

/*
 * Render the timeline in order: pm_tl_render_next writes the next `n`
 * stereo frames (sum of the clips under their fades, then any gain
 * curve, then the edge fades at digital silence inside the clips, each
 * noted once per run) to `out`.  Returns 0 or -1 with `err`.
 */
int pm_tl_render_init(struct pm_tl_render *r, const struct pm_timeline *tl,
		      pm_tl_read_fn *read, void *ctx, struct pm_err *err);
/* Start rendering at timeline sample `from` instead of 0. */
int pm_tl_render_init_at(struct pm_tl_render *r, const struct pm_timeline *tl,
			 int64_t from, pm_tl_read_fn *read, void *ctx,
			 struct pm_err *err);
int pm_tl_render_next(struct pm_tl_render *r, float *out, int64_t n,
		      struct pm_err *err);
void pm_tl_render_release(struct pm_tl_render *r);

/* The timeline overlaps (crossfades): [start, end) pairs; returns count. */
size_t pm_timeline_overlaps(const struct pm_timeline *tl, int64_t *start,
			    int64_t *end, size_t max);

#endif
