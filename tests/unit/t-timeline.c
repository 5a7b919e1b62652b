/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-timeline.c: the layout algorithm, frame alignment and the renderer. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "album/album.h"
#include "cd/pq.h"
#include "logcap.h"
#include "sequence/timeline.h"
#include "tap.h"
#include "util/log.h"
#include "util/msf.h"

#define F PM_SAMPLES_PER_FRAME

static char dir[] = "/tmp/t-timeline.XXXXXX";
/* An album of `n` tracks whose <track> bodies are given. */
static struct pm_album *album(const char *body, const char *htoa)
{
	char path[256];
	struct pm_err err = { 0 };
	struct pm_album *a;
	FILE *f;

	snprintf(path, sizeof(path), "%s/album.xml", dir);
	f = fopen(path, "w");
	fprintf(f, "<?xml version=\"1.0\"?>\n<album xmlns=\"urn:x-premaster:album:1\" version=\"1\">\n"
		   "<release><title>T</title></release><tracks>%s%s</tracks></album>\n",
		htoa ? htoa : "", body);
	fclose(f);
	a = pm_album_load(path, NULL, &err);
	if (!a)
		tap_diag("load: %s", err.msg);
	return a;
}

static struct pm_album *n_tracks(size_t n, const char *extra2)
{
	static char body[100 * 200];
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += (size_t)snprintf(body + k, sizeof(body) - k,
				      "<track id=\"t%zu\"><source file=\"a.wav\"/><title>T%zu</title>%s</track>\n",
				      i + 1, i + 1, i == 1 && extra2 ? extra2 : "");
	return album(body, NULL);
}

static int build(struct pm_album *a, const int64_t *len, int64_t htoa,
		 unsigned preroll, struct pm_timeline *tl)
{
	struct pm_tl_options o = { .rate = 44100, .cd = true, .lead_pause = true,
				   .preroll_frames = preroll,
				   .with_htoa = htoa > 0 };
	size_t which[100], i;
	struct pm_err err = { 0 };

	for (i = 0; i < a->ntracks; i++)
		which[i] = i;
	if (pm_timeline_build(a, which, a->ntracks, len, htoa, &o, tl, &err) < 0) {
		tap_diag("build: %s", err.msg);
		return -1;
	}
	return 0;
}

static unsigned check(const struct pm_timeline *tl)
{
	struct pm_disc_limits lim = pm_disc_limits_default();

	logcap_clear();
	return pm_disc_check(&tl->disc, &lim, "t");
}

/* Clip i's sample k is (i + 1) / 16 + k / 2^20: distinct and exact. */
static int synth(void *ctx, size_t clip, float *buf, int64_t n,
		 struct pm_err *err)
{
	int64_t *pos = ctx;
	int64_t j;

	(void)err;
	for (j = 0; j < n; j++) {
		float v = (float)(clip + 1) / 16.0f +
			  (float)((pos[clip] + j) % 4096) / 1048576.0f;

		buf[2 * j] = v;
		buf[2 * j + 1] = -v;
	}
	pos[clip] += n;
	return 0;
}

int main(void)
{
	struct pm_timeline tl;
	struct pm_album *a;
	struct pm_tl_render rr;
	int64_t len[100], pos[101];
	float *out;
	size_t i;
	int64_t j, s, e;

	if (!mkdtemp(dir))
		tap_skip_all("cannot make a scratch directory");
	pm_log_init("t-timeline", PM_LOG_DEBUG);
	logcap_start();

	/* gapless: continuous audio, the ID on the frame at or before */
	a = n_tracks(2, NULL);
	len[0] = 10 * 44100 + 100;
	len[1] = 10 * 44100;
	build(a, len, 0, 0, &tl);
	is_int(tl.tracks[0].audio, 150 * F, "track 1 audio at 2 s");
	is_int(tl.disc.track[0].index[0], 150, "track 1 ID at 00:02:00");
	ok(tl.disc.track[0].has_pause && tl.disc.track[0].pause_frames == 0,
	   "track 1 index 00 at 00:00:00");
	is_int(tl.tracks[1].audio, tl.tracks[0].end, "gapless: no silence inserted");
	ok(tl.tracks[1].id <= tl.tracks[1].audio &&
		   tl.tracks[1].audio - tl.tracks[1].id < F &&
		   tl.tracks[1].id % F == 0,
	   "gapless: ID on the frame at or before the join");
	ok(!tl.disc.track[1].has_pause, "no index 00 without a gap");
	is_int(tl.length % F, 0, "the programme ends on a frame");
	ok(tl.length >= tl.tracks[1].end && tl.length - tl.tracks[1].end < F,
	   "padded by less than a frame");
	is_int(tl.disc.leadout_frames, tl.length / F, "lead-out = length");
	is_int(check(&tl), 0, "a Red Book disc");
	pm_timeline_release(&tl);
	pm_album_free(a);

	/* a gap: index 00 after the previous audio, audio on its ID */
	a = n_tracks(2, "<gap length=\"2s\"/>");
	build(a, len, 0, 0, &tl);
	ok(tl.disc.track[1].has_pause, "a gap makes an index 00");
	is_int(tl.tracks[1].pause, (tl.tracks[0].end + F - 1) / F * F,
	       "index 00 on the frame at or after the previous audio");
	is_int(tl.tracks[1].id, tl.tracks[1].audio, "the ID is on the audio");
	is_int(tl.tracks[1].audio % F, 0, "which starts on a frame");
	ok(tl.tracks[1].audio - tl.tracks[0].end >= 2 * 44100 &&
		   tl.tracks[1].audio - tl.tracks[0].end < 2 * 44100 + F,
	   "the pause is at least the gap, stretched by less than a frame");
	pm_timeline_release(&tl);

	/* pre-roll: IDs 5 frames early, into silence only */
	build(a, len, 0, 5, &tl);
	is_int(tl.disc.track[0].index[0], 150, "pre-roll at disc start: ID at 00:02:00");
	is_int(tl.tracks[0].audio, 155 * F, "and the audio 5 frames later");
	is_int(tl.tracks[1].audio - tl.tracks[1].id, 5 * F,
	       "pre-roll after a gap: ID 5 frames before the audio");
	is_int(check(&tl), 0, "still a Red Book disc");
	pm_timeline_release(&tl);
	pm_album_free(a);
	a = n_tracks(2, NULL);
	build(a, len, 0, 5, &tl);
	ok(tl.tracks[1].audio - tl.tracks[1].id < F,
	   "pre-roll never moves a gapless ID into the previous track");
	pm_timeline_release(&tl);
	pm_album_free(a);

	/* a zero-length index 00: a gap shorter than the frame remainder */
	a = n_tracks(2, "<gap length=\"0.001s\"/>");
	len[0] = 10 * 44100 + 1; /* ends one sample into a frame */
	build(a, len, 0, 0, &tl);
	ok(!tl.disc.track[1].has_pause,
	   "a pause that rounds to nothing is not written as index 00");
	is_int(tl.tracks[1].audio % F, 0, "the audio still starts on a frame");
	pm_timeline_release(&tl);
	pm_album_free(a);

	/* HTOA: audio in track 1's pregap after 2 s of digital silence */
	a = album("<track id=\"t1\"><source file=\"a.wav\"/><title>One</title></track>"
		  "<track id=\"t2\"><source file=\"a.wav\"/><title>Two</title></track>",
		  "<htoa><source file=\"h.wav\"/></htoa>");
	len[0] = len[1] = 10 * 44100;
	build(a, len, 5 * 44100 + 7, 3, &tl);
	is_int(tl.clips[0].track, PM_TL_HTOA, "the hidden track is the first clip");
	is_int(tl.clips[0].start, 150 * F, "it starts at 00:02:00");
	ok(tl.tracks[0].id >= tl.clips[0].start + tl.clips[0].length,
	   "track 1's ID comes after the hidden audio (pre-roll cannot eat it)");
	is_int(tl.disc.track[0].pause_frames, 0, "index 00 at 00:00:00");
	is_int(check(&tl), 0, "a Red Book disc with HTOA");
	pm_timeline_release(&tl);
	pm_album_free(a);

	/* an index of track 1 after track 2's ID inside the overlap is refused */
	a = album("<track id=\"t1\"><source file=\"a.wav\"/><title>One</title><index at=\"9s\"/></track>"
		  "<track id=\"t2\"><source file=\"a.wav\"/><title>Two</title>"
		  "<crossfade length=\"2s\" id-at=\"0.5s\" shape=\"linear\"/></track>",
		  NULL);
	len[0] = len[1] = 10 * 44100;
	build(a, len, 0, 0, &tl);
	ok(check(&tl) > 0, "an index after the next track's ID is refused: %s",
	   logcap_last(PM_LOG_ERROR));
	pm_timeline_release(&tl);
	pm_album_free(a);

	/* a crossfade across an index: the ID inside the overlap */
	a = album("<track id=\"t1\"><source file=\"a.wav\"/><title>One</title><index at=\"9s\"/></track>"
		  "<track id=\"t2\"><source file=\"a.wav\"/><title>Two</title>"
		  "<crossfade length=\"2s\" id-at=\"1.5s\" shape=\"linear\"/></track>",
		  NULL);
	len[0] = len[1] = 10 * 44100;
	build(a, len, 0, 0, &tl);
	is_int(tl.tracks[1].audio, tl.tracks[0].end - 2 * 44100,
	       "the tracks overlap by 2 s");
	is_int(tl.tracks[1].id, (tl.tracks[1].audio + 66150) / F * F,
	       "the ID lands id-at into the overlap, on the frame before");
	ok(tl.tracks[0].index[0] > tl.tracks[1].audio &&
		   tl.tracks[0].index[0] < tl.tracks[1].id,
	   "track 1's index 02 lies inside the overlap, before the ID");
	is_int(check(&tl), 0, "indexes still increase");
	ok(pm_timeline_overlaps(&tl, &s, &e, 1) == 1 &&
		   s == tl.tracks[1].audio && e == tl.tracks[0].end,
	   "the overlap is reported");
	/* render: outside fades exact, in the overlap the linear sum */
	memset(pos, 0, sizeof(pos));
	out = malloc((size_t)tl.length * 2 * sizeof(float));
	pm_tl_render_init(&rr, &tl, synth, pos, NULL);
	pm_tl_render_next(&rr, out, tl.length, NULL);
	pm_tl_render_release(&rr);
	ok(out[0] == 0 && out[2 * (150 * F - 1)] == 0, "the pregap is silent");
	j = tl.tracks[0].audio + 1000;
	ok(out[2 * j] == 1.0f / 16 + 1000.0f / 1048576, "unfaded audio is exact");
	j = s + (e - s) / 4;
	{
		double t = (double)(j - s) / (double)(e - s);
		double a1 = 1.0 / 16 + (double)((j - tl.tracks[0].audio) % 4096) / 1048576;
		double a2 = 2.0 / 16 + (double)((j - s) % 4096) / 1048576;

		ok(fabs(out[2 * j] - ((1 - t) * a1 + t * a2)) < 1e-6,
		   "a linear crossfade sums (1-t)a + tb");
	}
	ok(out[2 * (tl.length - 1)] == 0 || tl.length == tl.tracks[1].end,
	   "the padding is silent");
	free(out);
	pm_timeline_release(&tl);
	pm_album_free(a);

	/* 99 tracks of exactly 4 s: the maximum; 3.99 s is too short */
	a = n_tracks(99, NULL);
	for (i = 0; i < 99; i++)
		len[i] = 300 * F;
	build(a, len, 0, 0, &tl);
	is_int(tl.disc.ntracks, 99, "99 tracks");
	is_int(check(&tl), 0, "99 tracks of 4.0 s pass");
	pm_timeline_release(&tl);
	len[40] = 300 * F - 441; /* 3.99 s */
	build(a, len, 0, 0, &tl);
	ok(check(&tl) > 0, "a 3.99 s track is refused");
	ok(strstr(logcap_last(PM_LOG_ERROR), "track 41") != NULL,
	   "naming the track: %s", logcap_last(PM_LOG_ERROR));
	pm_timeline_release(&tl);
	pm_album_free(a);
	a = n_tracks(100 > 99 ? 99 : 100, NULL);
	{
		struct pm_tl_options o = { .rate = 44100, .cd = true,
					   .lead_pause = true };
		size_t which[100];
		struct pm_err err = { 0 };

		for (i = 0; i < 100; i++)
			which[i] = i % 99;
		ok(pm_timeline_build(a, which, 100, len, 0, &o, &tl, &err) < 0,
		   "100 tracks are refused: %s", err.msg);
	}
	pm_album_free(a);

	/* a pause in the source: index 00 where it starts, 01 within it */
	a = album("<track id=\"a\"><source file=\"a.wav\"/><title>A</title>"
		  "<gap length=\"4s\" in-source=\"true\"/></track>"
		  "<track id=\"b\"><source file=\"b.wav\"/><title>B</title>"
		  "<gap length=\"88200\" in-source=\"true\"/>"
		  "<index at=\"44100\"/></track>"
		  "<track id=\"c\"><source file=\"c.wav\"/><title>C</title></track>",
		  NULL);
	len[0] = 14 * 44100;
	len[1] = 8 * 44100 + 100;
	len[2] = 5 * 44100;
	for (unsigned pre = 0; a && pre <= 5; pre += 5) {
		if (build(a, len, 0, pre, &tl) < 0)
			break;
		is_int(tl.tracks[0].audio, 0,
		       "in-source (pre-roll %u): track 1's audio from 00:00:00", pre);
		is_int(tl.disc.track[0].index[0], 300,
		       "in-source (pre-roll %u): its ID 4 s into it", pre);
		ok(tl.disc.track[1].has_pause &&
			   tl.disc.track[1].pause_frames == 1050 &&
			   tl.tracks[1].audio == 1050 * F,
		   "in-source (pre-roll %u): track 2's index 00 where its audio starts",
		   pre);
		is_int(tl.disc.track[1].index[0], 1200,
		       "in-source (pre-roll %u): its ID 2 s in, not moved", pre);
		is_int(tl.disc.track[1].index[1], 1275,
		       "in-source (pre-roll %u): index 02 counts from the ID", pre);
		is_int(tl.disc.track[2].index[0], 1650,
		       "in-source (pre-roll %u): the next track follows gaplessly",
		       pre);
		ok(check(&tl) == 0, "in-source (pre-roll %u): a fit disc", pre);
		pm_timeline_release(&tl);
	}
	pm_album_free(a);

	/* fade shapes */
	ok(pm_fade_gain(PM_SHAPE_LINEAR, 0.25) == 0.25, "linear");
	ok(fabs(pm_fade_gain(PM_SHAPE_EQUAL_POWER, 0.5) - sqrt(0.5)) < 1e-12,
	   "equal power: -3 dB at the middle");
	ok(fabs(pm_fade_gain(PM_SHAPE_SCURVE, 0.5) - 0.5) < 1e-12 &&
		   pm_fade_gain(PM_SHAPE_SCURVE, 0.1) < 0.1,
	   "s-curve");
	ok(pm_fade_gain(PM_SHAPE_LOG, 0.5) < 0.05 &&
		   pm_fade_gain(PM_SHAPE_LOG, 0) == 0 &&
		   pm_fade_gain(PM_SHAPE_LOG, 1) == 1,
	   "logarithmic: straight in dB, from silence to unity");
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/album.xml", dir);
		unlink(path);
	}
	rmdir(dir);
	return tap_done();
}
