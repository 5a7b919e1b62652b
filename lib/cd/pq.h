/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pq.h: the disc as its subcode describes it: tracks, index points,
 * control flags, ISRCs and the catalogue number, all in absolute CD frames
 * (A-time: frame 0 is the first sector of the programme, the start of
 * track 1's pregap; the 2-second pause is inside the programme).  The
 * sequencer produces a pm_disc, the DDP writer, the CUE/TOC writers and
 * the PQ sheet consume it, and the DDP reader produces one from an image.
 * The rules it is checked against: doc/internals/redbook.md §2.
 */
#ifndef PM_PQ_H
#define PM_PQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "album/album.h"
#include "util/err.h"

/* Q-channel control nibble bits (DDP PQ CB1, first character). */
enum {
	PM_CTL_PREEMPHASIS = 0x1,
	PM_CTL_COPY = 0x2,
	PM_CTL_DATA = 0x4,
	PM_CTL_FOUR_CHANNEL = 0x8,
};

struct pm_pq_track {
	unsigned control; /* PM_CTL_* bits */
	bool scms;        /* serial copy management: CB1 second char 'S' */
	char isrc[13];    /* normalised ISRC, or "" */
	bool has_pause;   /* an index 00 precedes index 01 (track 1: always) */
	uint32_t pause_frames; /* A-time of index 00 (== index[0] without one) */
	unsigned nindex;  /* indexes from 01 on: 1..99 */
	uint32_t index[99]; /* index[0] is INDEX 01, index[k] is INDEX k+1 */
};

struct pm_disc {
	char upc[14];     /* EAN-13 catalogue number, or "" */
	unsigned ntracks; /* 1..99 */
	struct pm_pq_track track[99];
	uint32_t leadout_frames; /* A-time of the lead-out: the programme's
				    length in frames, pause included */
};

/* Limits for pm_disc_check(); pm_disc_limits_default() gives Red Book's. */
struct pm_disc_limits {
	uint32_t warn_frames; /* warn above this programme length (79:57:00) */
	uint32_t max_frames;  /* refuse above this one (99:59:74) */
	uint32_t min_track_frames; /* 300: 4 seconds */
	uint32_t min_pregap_frames; /* 150: 2 seconds */
};

struct pm_disc_limits pm_disc_limits_default(void);

/*
 * Check a disc against the Red Book rules and the limits: 1..99 tracks;
 * track 1 index 00 at 00:00:00 and index 01 at or after min_pregap_frames;
 * every track has index 01; indexes strictly increasing in time and
 * within the programme; index 00 before index 01; each track at least
 * min_track_frames long from its index 01 to the next track's index 01 (or
 * the lead-out); the programme no longer than max_frames (longer than
 * warn_frames is a warning); ISRCs valid; the UPC valid; control without
 * the data or four-channel bits; not COPY and SCMS together.
 *
 * Each problem is logged (PM_LOG_ERROR or PM_LOG_WARNING) as "CONTEXT:
 * track N: ..." where CONTEXT is `context` (a file name, say).  Returns the
 * number of errors (0: fit), never negative.
 */
unsigned pm_disc_check(const struct pm_disc *disc,
		       const struct pm_disc_limits *limits,
		       const char *context);

/* Where the disc came from: the line of each track's description and of
 * the disc's own, 0 where there is none. */
struct pm_disc_lines {
	int disc;
	unsigned ntracks;
	const int *track; /* [ntracks] */
};

/* pm_disc_check(), with each problem logged as "CONTEXT:LINE: ..." where
 * `lines` gives a line for it; `lines` may be NULL. */
unsigned pm_disc_check_at(const struct pm_disc *disc,
			  const struct pm_disc_limits *limits,
			  const char *context, const struct pm_disc_lines *lines);

/* A span of the programme in CD frames [start, end). */
struct pm_span {
	uint32_t start_frames;
	uint32_t end_frames;
	unsigned track; /* 1..99; 0 for a pause file of the split policy */
	unsigned pause_of; /* split policy: the track whose pause this is */
};

/*
 * Cut the programme into per-track spans by a gap policy:
 *  - PM_GAPS_APPEND: each track runs from its index 01 to the next track's
 *    index 01 (the pause goes with the previous track); track 1 starts at
 *    frame 0, so its pregap (and any hidden audio) is in its file.
 *  - PM_GAPS_PREPEND: each track runs from its index 00 (or 01) to the
 *    next track's index 00 (or 01); track 1 starts at frame 0.
 *  - PM_GAPS_SPLIT: tracks run from index 01 to the next index 00 (or 01);
 *    each pause, track 1's pregap included, is a span of its own with
 *    track 0 and pause_of set.
 *  - PM_GAPS_NONE: as split, but the pauses are left out.
 * The last track ends at the lead-out.  For every policy but none, the
 * spans in order cover [0, leadout) exactly once.  `spans` must hold
 * 2 * ntracks entries.  Returns the number of spans.
 */
size_t pm_disc_spans(const struct pm_disc *disc, enum pm_gap_policy policy,
		     struct pm_span *spans);

/* The length of track n (1-based) from its index 01 to the next track's
 * index 01 or the lead-out, in frames. */
uint32_t pm_disc_track_frames(const struct pm_disc *disc, unsigned n);

/* One DDP PQ descriptor entry (see ddp.h), in the order they are written. */
struct pm_pq_entry {
	unsigned track; /* 0 lead-in, 1..99, 0xAA lead-out */
	unsigned index; /* 0..99; lead-in 0, lead-out 1 */
	uint32_t frames;
	unsigned control;
	bool scms;
	char isrc[13];  /* tracks only */
	char upc[14];   /* lead-in only */
};

/*
 * The PQ entries of a disc, as cue2ddp, Sonoris and HOFA write them: the
 * lead-in (00/00 at 0, with the UPC), then per track index 00 (when it
 * has a pause; track 1 always) and 01..nn, then the lead-out AA/01 twice.
 * ISRCs go on index 00 and 01.  Returns a new array of *n entries to
 * free(), or NULL with `err` (PM_ENOMEM).
 */
struct pm_pq_entry *pm_disc_entries(const struct pm_disc *disc, size_t *n,
				    struct pm_err *err);

/*
 * Whether two discs say the same in the subcode: tracks, lead-out,
 * UPC/EAN, ISRCs, flags, pauses (a zero-length index 00 is the same as
 * none) and index marks.  When they differ, the first difference is
 * described in `why` as "what `a` has, not what `b` has".
 */
bool pm_disc_same(const struct pm_disc *a, const struct pm_disc *b,
		  char *why, size_t size);

#endif
