/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-pq.c: the disc model: Red Book checks, gap policies, PQ entries. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cd/pq.h"
#include "logcap.h"
#include "tap.h"
#include "util/log.h"
#include "util/msf.h"

/* A track whose index 01 is at `idx01`, with an index 00 at `pause` when
 * pause differs from idx01. */
static void add(struct pm_disc *d, uint32_t pause, uint32_t idx01)
{
	struct pm_pq_track *t = &d->track[d->ntracks++];

	memset(t, 0, sizeof(*t));
	t->has_pause = pause != idx01 || d->ntracks == 1;
	t->pause_frames = pause;
	t->nindex = 1;
	t->index[0] = idx01;
}

/* Three tracks: T1 pregap 2 s, T2 with a 2 s pause and an index 02,
 * T3 without a pause; 60 s in all. */
static void good_disc(struct pm_disc *d)
{
	memset(d, 0, sizeof(*d));
	add(d, 0, 150);
	add(d, 1500, 1650);
	d->track[1].nindex = 2;
	d->track[1].index[1] = 2000;
	memcpy(d->track[1].isrc, "USABC1234567", 13);
	d->track[1].control = PM_CTL_PREEMPHASIS | PM_CTL_COPY;
	add(d, 3000, 3000);
	d->track[2].scms = true;
	memcpy(d->upc, "0123456789012", 14);
	d->leadout_frames = 4500;
}

static unsigned check(const struct pm_disc *d)
{
	logcap_clear();
	return pm_disc_check(d, NULL, "album.xml");
}

static void limits(void)
{
	struct pm_disc_limits l = pm_disc_limits_default();

	is_int(l.warn_frames, (79 * 60 + 57) * 75, "warn above 79:57:00");
	is_int(l.max_frames, (99 * 60 + 59) * 75 + 74, "refuse above 99:59:74");
	is_int(l.min_track_frames, 300, "tracks of 4 s at least");
	is_int(l.min_pregap_frames, 150, "track 1 pregap of 2 s at least");
}

static void good(void)
{
	struct pm_disc d;

	good_disc(&d);
	is_int(check(&d), 0, "a good disc has no errors");
	is_int(logcap_count(PM_LOG_WARNING), 0, "and no warnings");
	is_int(pm_disc_track_frames(&d, 1), 1500, "track 1: 01 to 01");
	is_int(pm_disc_track_frames(&d, 2), 1350, "track 2: 01 to 01");
	is_int(pm_disc_track_frames(&d, 3), 1500, "track 3: to the lead-out");
	is_int(pm_disc_track_frames(&d, 4), 0, "no track 4");
	is_int(pm_disc_track_frames(&d, 0), 0, "no track 0");
}

static void track_count(void)
{
	struct pm_disc d;

	memset(&d, 0, sizeof(d));
	add(&d, 0, 150);
	for (unsigned n = 2; n <= 99; n++)
		add(&d, 150 + 300 * (n - 1), 150 + 300 * (n - 1));
	d.leadout_frames = 150 + 300 * 99;
	is_int(check(&d), 0, "99 tracks of exactly 4 s are fine");

	d.ntracks = 0;
	ok(check(&d) > 0 && logcap_expect("album.xml: 0 tracks; a CD has 1 to 99"),
	   "no tracks is refused");
	d.ntracks = 100;
	ok(check(&d) > 0 && logcap_expect("100 tracks; a CD has 1 to 99"),
	   "100 tracks are refused");
}

static void track_length(void)
{
	struct pm_disc d;

	memset(&d, 0, sizeof(d));
	add(&d, 0, 150);
	add(&d, 450, 450);
	d.leadout_frames = 1000;
	is_int(check(&d), 0, "a 4.00 s track (300 frames) is fine");

	d.track[1].index[0] = d.track[1].pause_frames = 449;
	is_int(check(&d), 1, "a 3.99 s track (299 frames) is one error");
	ok(logcap_expect("album.xml: track 1: is 00:03:74 long (299 frames); a "
		  "track must be at least 00:04:00 (300 frames)"),
	   "named with its length in frames");

	/* the last track is measured to the lead-out */
	d.track[1].index[0] = d.track[1].pause_frames = 450;
	d.leadout_frames = 749;
	is_int(check(&d), 1, "a last track of 299 frames is an error");
	ok(logcap_expect("track 2: is 00:03:74 long (299 frames)"), "track 2 named");

	/* long enough from 01 to 01, but the next pause cuts it short */
	d.leadout_frames = 2000;
	d.track[1].has_pause = true;
	d.track[1].pause_frames = 300;
	d.track[1].index[0] = 600;
	is_int(check(&d), 0, "audible part under 4 s is not an error");
	ok(logcap_count(PM_LOG_WARNING) == 1 && logcap_expect("track 1: plays only 00:02:00 from index "
				    "01 to the next pause, under 00:04:00"),
	   "but a warning");
}

static void pregap(void)
{
	struct pm_disc d;

	memset(&d, 0, sizeof(d));
	add(&d, 0, 149);
	d.leadout_frames = 1000;
	is_int(check(&d), 1, "track 1 index 01 at 00:01:74 is an error");
	ok(logcap_expect("album.xml: track 1: index 01 is at 00:01:74, before "
		  "00:02:00; the pause before track 1 must be at least 150 "
		  "frames"),
	   "with the time and the rule");

	d.track[0].index[0] = 150;
	d.track[0].pause_frames = 10;
	is_int(check(&d), 1, "track 1 index 00 not at 0 is an error");
	ok(logcap_expect("track 1: index 00 is at 00:00:10; track 1's index 00 "
		  "must be at 00:00:00"),
	   "named");

	/* HTOA: a long pregap is fine */
	d.track[0].pause_frames = 0;
	d.track[0].index[0] = 600;
	is_int(check(&d), 0, "an 8 s pregap (hidden track) is fine");
}

static void zero_pause(void)
{
	struct pm_disc d;
	struct pm_span spans[8];
	struct pm_pq_entry *e;
	size_t n;

	memset(&d, 0, sizeof(d));
	add(&d, 0, 150);
	add(&d, 600, 600);
	d.track[1].has_pause = true; /* index 00 and 01 at the same time */
	d.leadout_frames = 1000;
	is_int(check(&d), 0, "a zero-length index 00 is not an error");
	ok(logcap_count(PM_LOG_WARNING) == 1 && logcap_expect("track 2: index 00 and index 01 are both "
				    "at 00:08:00: a zero-length pause"),
	   "but a warning");

	e = pm_disc_entries(&d, &n, NULL);
	is_int(n, 6, "the writer leaves the zero-length index 00 out");
	ok(e && e[3].track == 2 && e[3].index == 1, "track 2 starts at 01");
	free(e);
	is_int(pm_disc_spans(&d, PM_GAPS_SPLIT, spans), 3,
	       "split: no empty pause span");
}

static void programme_length(void)
{
	struct pm_disc d;

	memset(&d, 0, sizeof(d));
	add(&d, 0, 150);
	d.leadout_frames = (79 * 60 + 57) * 75;
	is_int(check(&d), 0, "79:57:00 exactly is fine");
	is_int(logcap_count(PM_LOG_WARNING), 0, "without a warning");

	d.leadout_frames++;
	is_int(check(&d), 0, "79:57:01 is not an error");
	ok(logcap_count(PM_LOG_WARNING) == 1 && logcap_expect("album.xml: the programme is 79:57:01 "
				    "long, over 79:57:00"),
	   "but a warning");

	d.leadout_frames = (99 * 60 + 59) * 75 + 74;
	is_int(check(&d), 0, "99:59:74 is the limit, allowed");
	d.leadout_frames++;
	is_int(check(&d), 1, "one frame more is refused");
	ok(logcap_expect("the programme is 100:00:00 long; the longest allowed is "
		  "99:59:74"),
	   "with both lengths");
}

static void order(void)
{
	struct pm_disc d;

	good_disc(&d);
	d.track[1].index[1] = 1650;
	ok(check(&d) >= 1 && logcap_expect("track 2: index 02 at 00:22:00 is not "
				    "after index 01 at 00:22:00"),
	   "indexes must increase");

	good_disc(&d);
	d.track[1].pause_frames = 1700;
	ok(check(&d) >= 1 && logcap_expect("track 2: index 00 at 00:22:50 is after "
				    "index 01 at 00:22:00"),
	   "index 00 after index 01 is refused");

	good_disc(&d);
	d.track[2].index[0] = d.track[2].pause_frames = 1900;
	ok(check(&d) >= 1 && logcap_expect("track 3: index 01 at 00:25:25 is not "
				    "after track 2's last index at 00:26:50"),
	   "a track starting before the previous one's last index");

	good_disc(&d);
	d.leadout_frames = 3000;
	ok(check(&d) >= 1 && logcap_expect("track 3: index 01 at 00:40:00 is not "
				    "before the lead-out at 00:40:00"),
	   "an index at the lead-out");

	good_disc(&d);
	d.track[2].nindex = 0;
	ok(check(&d) >= 1 && logcap_expect("track 3: has no index 01"),
	   "a track without index 01");
}

static void flags(void)
{
	struct pm_disc d;

	good_disc(&d);
	d.track[0].control = PM_CTL_DATA;
	ok(check(&d) == 1 && logcap_expect("track 1: is marked as a data track"),
	   "data track refused");
	good_disc(&d);
	d.track[0].control = PM_CTL_FOUR_CHANNEL | PM_CTL_PREEMPHASIS;
	ok(check(&d) == 1 && logcap_expect("track 1: is marked four-channel"),
	   "four-channel refused");
	good_disc(&d);
	d.track[1].scms = true;
	ok(check(&d) == 1 && logcap_expect("track 2: has both COPY (digital copy "
				    "permitted) and SCMS"),
	   "COPY with SCMS refused");
	good_disc(&d);
	memcpy(d.track[0].isrc, "US-AB-12345", 12);
	ok(check(&d) == 1 && logcap_expect("track 1: invalid ISRC 'US-AB-12345'"),
	   "malformed ISRC refused");
	good_disc(&d);
	memcpy(d.upc, "0123456789013", 14);
	ok(check(&d) == 1 && logcap_expect("album.xml: invalid UPC/EAN "
				    "'0123456789013': the check digit is "
				    "wrong"),
	   "UPC with a wrong check digit refused");
	good_disc(&d);
	memcpy(d.upc, "123456789012", 13);
	ok(check(&d) == 1 && logcap_expect("the disc model holds 13 digits"),
	   "a 12-digit UPC must be normalised first");
}

/* Spans lie end to end over [0, lead-out). */
static bool covers(const struct pm_span *s, size_t n, uint32_t leadout)
{
	uint32_t at = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i].start_frames != at || s[i].end_frames <= at)
			return false;
		at = s[i].end_frames;
	}
	return at == leadout;
}

static void spans(void)
{
	struct pm_disc d;
	struct pm_span s[2 * 99];
	size_t n;

	good_disc(&d);
	n = pm_disc_spans(&d, PM_GAPS_APPEND, s);
	ok(n == 3 && covers(s, n, 4500), "append covers [0, lead-out)");
	ok(s[0].start_frames == 0 && s[0].end_frames == 1650 &&
		   s[1].start_frames == 1650 && s[1].end_frames == 3000 &&
		   s[2].track == 3,
	   "append: pauses go with the previous track");

	n = pm_disc_spans(&d, PM_GAPS_PREPEND, s);
	ok(n == 3 && covers(s, n, 4500), "prepend covers [0, lead-out)");
	ok(s[0].end_frames == 1500 && s[1].start_frames == 1500 &&
		   s[1].end_frames == 3000,
	   "prepend: pauses go with their track");

	n = pm_disc_spans(&d, PM_GAPS_SPLIT, s);
	ok(n == 5 && covers(s, n, 4500), "split covers [0, lead-out)");
	ok(s[0].track == 0 && s[0].pause_of == 1 && s[0].end_frames == 150 &&
		   s[1].track == 1 && s[1].end_frames == 1500 &&
		   s[2].track == 0 && s[2].pause_of == 2 &&
		   s[2].start_frames == 1500 && s[2].end_frames == 1650 &&
		   s[3].track == 2 && s[4].track == 3,
	   "split: track 1's pregap and track 2's pause are spans of their own");

	n = pm_disc_spans(&d, PM_GAPS_NONE, s);
	ok(n == 3 && s[0].start_frames == 150 && s[0].end_frames == 1500 &&
		   s[1].start_frames == 1650 && s[2].end_frames == 4500,
	   "none: the pauses are left out");

	/* 99 tracks: 2 * 99 spans fit */
	memset(&d, 0, sizeof(d));
	add(&d, 0, 150);
	for (unsigned t = 2; t <= 99; t++)
		add(&d, 150 + 300 * (t - 1) - 75, 150 + 300 * (t - 1));
	d.leadout_frames = 150 + 300 * 99;
	n = pm_disc_spans(&d, PM_GAPS_SPLIT, s);
	ok(n == 198 && covers(s, n, d.leadout_frames),
	   "split with 99 paused tracks: 198 spans cover the disc");
	n = pm_disc_spans(&d, PM_GAPS_PREPEND, s);
	ok(n == 99 && covers(s, n, d.leadout_frames), "prepend, 99 tracks");
	n = pm_disc_spans(&d, PM_GAPS_APPEND, s);
	ok(n == 99 && covers(s, n, d.leadout_frames), "append, 99 tracks");
}

static void entries(void)
{
	struct pm_disc d;
	struct pm_pq_entry *e;
	size_t n;

	good_disc(&d);
	e = pm_disc_entries(&d, &n, NULL);
	if (!ok(e != NULL, "entries"))
		return;
	/* 00/00, 01/00, 01/01, 02/00, 02/01, 02/02, 03/01, AA/01 x 2 */
	is_int(n, 9, "nine entries");
	ok(e[0].track == 0 && e[0].index == 0 && e[0].frames == 0 &&
		   strcmp(e[0].upc, "0123456789012") == 0 &&
		   e[0].isrc[0] == '\0',
	   "lead-in at 0 with the UPC");
	ok(e[1].track == 1 && e[1].index == 0 && e[1].frames == 0,
	   "track 1 index 00 at 0");
	ok(e[2].track == 1 && e[2].index == 1 && e[2].frames == 150 &&
		   e[2].upc[0] == '\0',
	   "track 1 index 01 at 150, no UPC");
	ok(e[3].track == 2 && e[3].index == 0 && e[3].frames == 1500 &&
		   strcmp(e[3].isrc, "USABC1234567") == 0 && e[3].control == 3,
	   "track 2 index 00 with ISRC and control");
	ok(e[4].index == 1 && strcmp(e[4].isrc, "USABC1234567") == 0,
	   "ISRC on index 01 too");
	ok(e[5].index == 2 && e[5].frames == 2000 && e[5].isrc[0] == '\0' &&
		   e[5].control == 3,
	   "index 02 has control but no ISRC");
	ok(e[6].track == 3 && e[6].index == 1 && e[6].scms,
	   "track 3 without pause starts at 01, SCMS");
	ok(e[7].track == 0xAA && e[7].index == 1 && e[7].frames == 4500 &&
		   e[8].track == 0xAA && e[8].frames == 4500 &&
		   e[7].control == 0,
	   "lead-out twice at the end");
	free(e);
}

int main(void)
{
	pm_log_init("t-pq", PM_LOG_DEBUG);
	logcap_start();
	limits();
	good();
	track_count();
	track_length();
	pregap();
	zero_pause();
	programme_length();
	order();
	flags();
	spans();
	entries();
	return tap_done();
}
