/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pq.c: the disc model: Red Book checks, gap policies and DDP PQ entries. */
#include <config.h>

#include "cd/pq.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "album/isrc.h"
#include "util/log.h"
#include "util/msf.h"

#include "util/banned.h"

struct pm_disc_limits pm_disc_limits_default(void)
{
	struct pm_disc_limits limits = {
		.warn_frames = PM_WARN_DISC_FRAMES,
		.max_frames = PM_MAX_DISC_FRAMES,
		.min_track_frames = PM_MIN_TRACK_FRAMES,
		.min_pregap_frames = PM_PREGAP_FRAMES,
	};

	return limits;
}

/*
 * Whether track t (0-based slot of track n) has an index 00 that takes
 * time.  A zero-length index 00 is no pause: nothing to play, nothing to
 * cut, and the DDP writer leaves it out (doc/internals/ddp-cdtext.md §5).
 */
static bool has_real_pause(const struct pm_pq_track *t)
{
	return t->has_pause && t->nindex > 0 && t->pause_frames < t->index[0];
}

/*
 * Where track n (1-based) begins: frame 0 for track 1 (its index 00 is
 * at 00:00:00 whatever has_pause says), else its index 00 when that takes
 * time, else its index 01.
 */
static uint32_t track_start(const struct pm_disc *disc, unsigned n)
{
	const struct pm_pq_track *t = &disc->track[n - 1];

	if (n == 1)
		return 0;
	return has_real_pause(t) ? t->pause_frames : t->index[0];
}

/* The next track's index 01, or the lead-out after the last track. */
static uint32_t next_index01(const struct pm_disc *disc, unsigned n)
{
	return n < disc->ntracks ? disc->track[n].index[0]
				 : disc->leadout_frames;
}

/* The next track's start (pause or index 01), or the lead-out. */
static uint32_t next_start(const struct pm_disc *disc, unsigned n)
{
	return n < disc->ntracks ? track_start(disc, n + 1)
				 : disc->leadout_frames;
}

uint32_t pm_disc_track_frames(const struct pm_disc *disc, unsigned n)
{
	uint32_t start, end;

	if (n < 1 || n > disc->ntracks || n > PM_MAX_TRACKS ||
	    disc->track[n - 1].nindex == 0)
		return 0;
	if (n < disc->ntracks && disc->track[n].nindex == 0)
		return 0;
	start = disc->track[n - 1].index[0];
	end = next_index01(disc, n);
	return end > start ? end - start : 0;
}

struct checker {
	const char *context;
	const struct pm_disc_lines *lines; /* NULL: none */
	unsigned nerrors;
};

PM_PRINTF(4, 5)
static void say(struct checker *c, enum pm_log_level level, unsigned track,
		const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	int line;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	line = !c->lines ? 0
	       : track == 0 ? c->lines->disc
	       : track <= c->lines->ntracks ? c->lines->track[track - 1]
	       : 0;
	if (line > 0 && track)
		pm_log(level, "%s:%d: track %u: %s", c->context, line, track,
		       msg);
	else if (line > 0)
		pm_log(level, "%s:%d: %s", c->context, line, msg);
	else if (track)
		pm_log(level, "%s: track %u: %s", c->context, track, msg);
	else
		pm_log(level, "%s: %s", c->context, msg);
	if (level == PM_LOG_ERROR)
		c->nerrors++;
}

static void check_flags(struct checker *c, unsigned n,
			const struct pm_pq_track *t)
{
	const char *why = "";
	char isrc[PM_ISRC_LEN + 1];

	if (t->control & ~0xFu)
		say(c, PM_LOG_ERROR, n,
		    "control 0x%X has bits beyond the four Q-channel control bits",
		    t->control);
	if (t->control & PM_CTL_DATA)
		say(c, PM_LOG_ERROR, n,
		    "is marked as a data track (control bit 2); an audio CD holds only audio tracks");
	if (t->control & PM_CTL_FOUR_CHANNEL)
		say(c, PM_LOG_ERROR, n,
		    "is marked four-channel (control bit 3), which no player supports");
	if ((t->control & PM_CTL_COPY) && t->scms)
		say(c, PM_LOG_ERROR, n,
		    "has both COPY (digital copy permitted) and SCMS, which exclude each other");
	if (t->isrc[0] && !pm_isrc_valid(t->isrc)) {
		if (memchr(t->isrc, '\0', sizeof(t->isrc)) == NULL)
			why = "it is not terminated";
		else if (pm_isrc_normalize(t->isrc, isrc, &why) == 0)
			why = "it is not in normal form (12 characters, upper case, no hyphens)";
		say(c, PM_LOG_ERROR, n, "invalid ISRC '%.12s': %s", t->isrc,
		    why);
	}
}

/* Index times of one track: order, the lead-out, track 1's pregap. */
static void check_times(struct checker *c, const struct pm_disc *disc,
			const struct pm_disc_limits *lim, unsigned n,
			uint32_t prev_last)
{
	const struct pm_pq_track *t = &disc->track[n - 1];
	unsigned nindex = t->nindex > PM_MAX_INDEX ? PM_MAX_INDEX : t->nindex;
	char a[12], b[12], m[12];

	if (n == 1) {
		if (t->has_pause && t->pause_frames != 0)
			say(c, PM_LOG_ERROR, n,
			    "index 00 is at %s; track 1's index 00 must be at 00:00:00",
			    pm_msf_format(t->pause_frames, a));
		if (t->index[0] < lim->min_pregap_frames)
			say(c, PM_LOG_ERROR, n,
			    "index 01 is at %s, before %s; the pause before track 1 must be at least %u frames",
			    pm_msf_format(t->index[0], a),
			    pm_msf_format(lim->min_pregap_frames, m),
			    lim->min_pregap_frames);
	} else if (t->has_pause) {
		if (t->pause_frames > t->index[0])
			say(c, PM_LOG_ERROR, n,
			    "index 00 at %s is after index 01 at %s",
			    pm_msf_format(t->pause_frames, a),
			    pm_msf_format(t->index[0], b));
		else if (t->pause_frames == t->index[0])
			say(c, PM_LOG_WARNING, n,
			    "index 00 and index 01 are both at %s: a zero-length pause",
			    pm_msf_format(t->index[0], a));
	}
	if (n > 1 && track_start(disc, n) <= prev_last)
		say(c, PM_LOG_ERROR, n,
		    "index %s at %s is not after track %u's last index at %s",
		    has_real_pause(t) ? "00" : "01",
		    pm_msf_format(track_start(disc, n), a), n - 1,
		    pm_msf_format(prev_last, b));
	for (unsigned k = 1; k < nindex; k++)
		if (t->index[k] <= t->index[k - 1])
			say(c, PM_LOG_ERROR, n,
			    "index %02u at %s is not after index %02u at %s",
			    k + 1, pm_msf_format(t->index[k], a), k,
			    pm_msf_format(t->index[k - 1], b));
	for (unsigned k = 0; k < nindex; k++)
		if (t->index[k] >= disc->leadout_frames) {
			say(c, PM_LOG_ERROR, n,
			    "index %02u at %s is not before the lead-out at %s",
			    k + 1, pm_msf_format(t->index[k], a),
			    pm_msf_format(disc->leadout_frames, b));
			break;
		}
}

/* Track length from index 01 to the next index 01, and the audible part. */
static void check_length(struct checker *c, const struct pm_disc *disc,
			 const struct pm_disc_limits *lim, unsigned n)
{
	const struct pm_pq_track *t = &disc->track[n - 1];
	uint32_t end = next_index01(disc, n), audible_end = next_start(disc, n);
	uint32_t len;
	char a[12], m[12];

	if (end <= t->index[0])
		return; /* out of order: already reported */
	len = end - t->index[0];
	if (len < lim->min_track_frames) {
		say(c, PM_LOG_ERROR, n,
		    "is %s long (%u frames); a track must be at least %s (%u frames) from its index 01 to the next track's index 01 or the lead-out",
		    pm_msf_format(len, a), len,
		    pm_msf_format(lim->min_track_frames, m),
		    lim->min_track_frames);
		return;
	}
	if (audible_end > t->index[0] &&
	    audible_end - t->index[0] < lim->min_track_frames)
		say(c, PM_LOG_WARNING, n,
		    "plays only %s from index 01 to the next pause, under %s",
		    pm_msf_format(audible_end - t->index[0], a),
		    pm_msf_format(lim->min_track_frames, m));
}

unsigned pm_disc_check(const struct pm_disc *disc,
		       const struct pm_disc_limits *limits, const char *context)
{
	return pm_disc_check_at(disc, limits, context, NULL);
}

unsigned pm_disc_check_at(const struct pm_disc *disc,
			  const struct pm_disc_limits *limits,
			  const char *context, const struct pm_disc_lines *lines)
{
	struct pm_disc_limits def = pm_disc_limits_default();
	const struct pm_disc_limits *lim = limits ? limits : &def;
	struct checker c = { .context = context ? context : "disc",
			     .lines = lines };
	const char *why = "";
	char ean[PM_EAN_LEN + 1];
	char a[12], m[12];
	uint32_t prev_last = 0;
	unsigned n;

	if (disc->ntracks == 0 || disc->ntracks > PM_MAX_TRACKS) {
		say(&c, PM_LOG_ERROR, 0, "%u tracks; a CD has 1 to %u",
		    disc->ntracks, PM_MAX_TRACKS);
		return c.nerrors;
	}
	if (disc->upc[0]) {
		if (memchr(disc->upc, '\0', sizeof(disc->upc)) == NULL)
			why = "it is not terminated";
		else if (strlen(disc->upc) != PM_EAN_LEN)
			why = "the disc model holds 13 digits";
		else if (pm_ean_normalize(disc->upc, ean, &why) == 0)
			why = NULL;
		if (why)
			say(&c, PM_LOG_ERROR, 0, "invalid UPC/EAN '%.13s': %s",
			    disc->upc, why);
	}
	if (disc->leadout_frames > lim->max_frames)
		say(&c, PM_LOG_ERROR, 0,
		    "the programme is %s long; the longest allowed is %s",
		    pm_msf_format(disc->leadout_frames, a),
		    pm_msf_format(lim->max_frames, m));
	else if (disc->leadout_frames > lim->warn_frames)
		say(&c, PM_LOG_WARNING, 0,
		    "the programme is %s long, over %s; many plants refuse discs this long",
		    pm_msf_format(disc->leadout_frames, a),
		    pm_msf_format(lim->warn_frames, m));

	for (n = 1; n <= disc->ntracks; n++) {
		const struct pm_pq_track *t = &disc->track[n - 1];

		check_flags(&c, n, t);
		if (t->nindex == 0) {
			say(&c, PM_LOG_ERROR, n, "has no index 01");
			continue;
		}
		if (t->nindex > PM_MAX_INDEX)
			say(&c, PM_LOG_ERROR, n,
			    "has %u indexes; at most %u (01 to 99)", t->nindex,
			    PM_MAX_INDEX);
		check_times(&c, disc, lim, n, prev_last);
		if (n == disc->ntracks || disc->track[n].nindex > 0)
			check_length(&c, disc, lim, n);
		prev_last = t->index[PM_MIN(t->nindex, PM_MAX_INDEX) - 1];
	}
	return c.nerrors;
}

size_t pm_disc_spans(const struct pm_disc *disc, enum pm_gap_policy policy,
		     struct pm_span *spans)
{
	size_t ns = 0;
	unsigned n, ntracks = disc->ntracks;

	if (ntracks > PM_MAX_TRACKS)
		ntracks = PM_MAX_TRACKS;
	for (n = 1; n <= ntracks; n++) {
		const struct pm_pq_track *t = &disc->track[n - 1];
		uint32_t start, end;

		if (t->nindex == 0)
			return ns; /* not a disc pm_disc_check() accepts */
		switch (policy) {
		case PM_GAPS_APPEND:
			start = n == 1 ? 0 : t->index[0];
			end = next_index01(disc, n);
			break;
		case PM_GAPS_PREPEND:
			start = track_start(disc, n);
			end = next_start(disc, n);
			break;
		case PM_GAPS_SPLIT:
		case PM_GAPS_NONE:
		default:
			start = track_start(disc, n);
			if (policy == PM_GAPS_SPLIT && start < t->index[0]) {
				spans[ns++] = (struct pm_span){
					.start_frames = start,
					.end_frames = t->index[0],
					.track = 0,
					.pause_of = n,
				};
			}
			start = t->index[0];
			end = next_start(disc, n);
			break;
		}
		spans[ns++] = (struct pm_span){
			.start_frames = start,
			.end_frames = end > start ? end : start,
			.track = n,
		};
	}
	return ns;
}

struct pm_pq_entry *pm_disc_entries(const struct pm_disc *disc, size_t *n,
				    struct pm_err *err)
{
	struct pm_pq_entry *e;
	size_t count = 3, i = 0; /* lead-in and two lead-outs */
	unsigned t, k, ntracks = disc->ntracks;

	*n = 0;
	if (ntracks > PM_MAX_TRACKS)
		ntracks = PM_MAX_TRACKS;
	for (t = 1; t <= ntracks; t++) {
		const struct pm_pq_track *tr = &disc->track[t - 1];

		count += PM_MIN(tr->nindex, PM_MAX_INDEX);
		count += t == 1 || has_real_pause(tr);
	}
	e = pm_calloc(count, sizeof(*e), err);
	if (!e)
		return NULL;

	/* lead-in: 00/00 at 00:00:00, plain audio control, the UPC */
	e[i].track = 0;
	e[i].index = 0;
	memcpy(e[i].upc, disc->upc, sizeof(e[i].upc));
	e[i].upc[sizeof(e[i].upc) - 1] = '\0';
	i++;
	for (t = 1; t <= ntracks; t++) {
		const struct pm_pq_track *tr = &disc->track[t - 1];
		unsigned nindex = PM_MIN(tr->nindex, PM_MAX_INDEX);
		bool pause = t == 1 || has_real_pause(tr);

		for (k = pause ? 0 : 1; k <= nindex; k++) {
			e[i].track = t;
			e[i].index = k;
			if (k == 0)
				e[i].frames = t == 1 ? 0 : tr->pause_frames;
			else
				e[i].frames = tr->index[k - 1];
			e[i].control = tr->control;
			e[i].scms = tr->scms;
			/* on index 00 and 01: "safest" per the ddptools author
			 */
			if (k <= 1) {
				memcpy(e[i].isrc, tr->isrc, sizeof(e[i].isrc));
				e[i].isrc[sizeof(e[i].isrc) - 1] = '\0';
			}
			i++;
		}
	}
	/* the lead-out twice, as cue2ddp, Sonoris, HOFA and ddplib expect */
	for (k = 0; k < 2; k++) {
		e[i].track = 0xAA;
		e[i].index = 1;
		e[i].frames = disc->leadout_frames;
		i++;
	}
	*n = i;
	return e;
}

/*
 * Where a track's pause starts: its index 00, or its index 01 when it
 * has none, so that a zero-length index 00 is the same as no pause.
 */
static uint32_t pause_of(const struct pm_pq_track *t)
{
	return t->has_pause ? t->pause_frames : t->index[0];
}

bool pm_disc_same(const struct pm_disc *a, const struct pm_disc *b,
		  char *why, size_t size)
{
	unsigned i, k;

	if (a->ntracks != b->ntracks) {
		snprintf(why, size, "%u tracks, not %u", a->ntracks, b->ntracks);
		return false;
	}
	if (a->leadout_frames != b->leadout_frames) {
		snprintf(why, size, "the lead-out is at frame %u, not %u",
			 a->leadout_frames, b->leadout_frames);
		return false;
	}
	if (strcmp(a->upc, b->upc) != 0) {
		snprintf(why, size, "the UPC/EAN is '%s', not '%s'", a->upc,
			 b->upc);
		return false;
	}
	for (i = 0; i < a->ntracks; i++) {
		const struct pm_pq_track *x = &a->track[i], *y = &b->track[i];

		if (strcmp(x->isrc, y->isrc) != 0) {
			snprintf(why, size, "track %u's ISRC is '%s', not '%s'",
				 i + 1, x->isrc, y->isrc);
			return false;
		}
		if (x->control != y->control || x->scms != y->scms) {
			snprintf(why, size, "track %u's flags differ", i + 1);
			return false;
		}
		if (x->nindex != y->nindex) {
			snprintf(why, size, "track %u has %u index marks, not %u",
				 i + 1, x->nindex, y->nindex);
			return false;
		}
		for (k = 0; k < x->nindex; k++)
			if (x->index[k] != y->index[k]) {
				snprintf(why, size,
					 "track %u index %02u is at frame %u, not %u",
					 i + 1, k + 1, x->index[k], y->index[k]);
				return false;
			}
		if (pause_of(x) != pause_of(y)) {
			snprintf(why, size,
				 "track %u's pause starts at frame %u, not %u",
				 i + 1, pause_of(x), pause_of(y));
			return false;
		}
	}
	return true;
}
