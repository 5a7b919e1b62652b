/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-layout.c: the album checks' CD layout (album/check.c, run by every
 * tool before it writes) against the sequencer's (sequence/timeline.c
 * and the Red Book check, run when the CD is laid out for good).  On
 * random albums near the limits (tracks of 4 s give or take a sample,
 * sources at 44.1, 48 and 96 kHz, pauses, crossfades with and without
 * id-at, pre-roll, hidden audio, a max-length just over or under the
 * programme) both must refuse the same albums: a layout the album checks
 * pass and sequence refuses is a late refusal, the other way round a
 * false alarm.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "album/album.h"
#include "cd/pq.h"
#include "dsp/resample.h"
#include "io/audio.h"
#include "logcap.h"
#include "sequence/sequence.h"
#include "sequence/timeline.h"
#include "tap.h"
#include "util/log.h"
#include "util/msf.h"

static char dir[] = "/tmp/t-layout.XXXXXX";

/* The sources: silence of these lengths (samples) at these rates. */
static const struct {
	uint32_t rate;
	int64_t length;
} pool[] = {
	{ 44100, 176400 - 588 }, { 44100, 176400 - 1 }, { 44100, 176400 },
	{ 44100, 176400 + 1 },	 { 44100, 176400 + 587 },
	{ 44100, 132300 },	 { 44100, 220500 },	  { 44100, 88200 },
	{ 48000, 192000 - 1 },	 { 48000, 192000 },	  { 48000, 192000 + 1 },
	{ 48000, 191000 },	 { 96000, 384000 - 2 },	  { 96000, 384000 },
	{ 96000, 384000 + 3 },
};
#define NPOOL (sizeof(pool) / sizeof(pool[0]))

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static unsigned pick(unsigned n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned)((rng * 0x2545F4914F6CDD1DULL) >> 33) % n;
}

static int write_pool(void)
{
	static float zero[2 * 4096];
	struct pm_audio_spec spec = { .format = PM_FORMAT_WAV, .channels = 2,
				      .bits = 16 };
	struct pm_err err = { 0 };
	char path[256];
	size_t i;

	for (i = 0; i < NPOOL; i++) {
		struct pm_audio_writer *w;
		int64_t left = pool[i].length;

		spec.rate = pool[i].rate;
		snprintf(path, sizeof(path), "%s/s%zu.wav", dir, i);
		w = pm_audio_create(path, &spec, NULL, &err);
		if (!w)
			return -1;
		while (left > 0) {
			int64_t n = left < 4096 ? left : 4096;

			if (pm_audio_write(w, zero, n, &err) < 0)
				return -1;
			left -= n;
		}
		if (pm_audio_finish(w, &err) < 0)
			return -1;
	}
	return 0;
}

/* A random album near the limits, as album.xml. */
static void random_album(char *out, size_t size)
{
	static const char *const gaps[] = { "0.5s", "1s", "2s", "0.013s",
					    "1.9999s", "3s" };
	static const char *const xfades[] = { "0.2s", "0.5s", "1s", "1.5s",
					      "0.0101s" };
	size_t k = 0, n = 1 + pick(4), i;
	bool htoa = pick(4) == 0;

	k += (size_t)snprintf(out + k, size - k,
			      "<?xml version=\"1.0\"?>\n"
			      "<album xmlns=\"urn:x-premaster:album:1\" version=\"1\">\n"
			      "<release><title>T</title></release><tracks>\n");
	if (htoa)
		k += (size_t)snprintf(out + k, size - k,
				      "<htoa><source file=\"s%u.wav\"/></htoa>\n",
				      pick(NPOOL));
	for (i = 0; i < n; i++) {
		k += (size_t)snprintf(out + k, size - k,
				      "<track id=\"t%zu\"><source file=\"s%u.wav\"/><title>T</title>",
				      i + 1, pick(NPOOL));
		if (i == 0 && pick(2))
			k += (size_t)snprintf(out + k, size - k,
					      "<gap length=\"%s\"/>",
					      pick(2) ? "2s" : "2.5s");
		else if (i > 0 && pick(3) == 0)
			k += (size_t)snprintf(out + k, size - k,
					      "<gap length=\"%s\"/>",
					      gaps[pick(6)]);
		else if (i > 0 && pick(2))
			k += (size_t)snprintf(out + k, size - k,
					      "<crossfade length=\"%s\"%s/>",
					      xfades[pick(5)],
					      pick(2) ? " id-at=\"0.01s\"" : "");
		k += (size_t)snprintf(out + k, size - k, "</track>\n");
	}
	k += (size_t)snprintf(out + k, size - k,
			      "</tracks><deliverables><cd pre-roll-frames=\"%u\"",
			      pick(3) ? 0 : pick(76));
	if (pick(3) == 0)
		k += (size_t)snprintf(out + k, size - k,
				      " max-length=\"%u.%02us\"",
				      4 * (unsigned)n + 1 + pick(4), pick(100));
	snprintf(out + k, size - k, "/></deliverables></album>\n");
}

/* Whether sequence's layout and Red Book check refuse the album. */
static bool sequence_refuses(const struct pm_album *a)
{
	struct pm_tl_options o = { .rate = PM_CD_RATE, .cd = true,
				   .lead_pause = true,
				   .preroll_frames = a->cd.preroll_frames,
				   .with_htoa = a->htoa.is_set };
	int64_t len[PM_MAX_TRACKS], htoa = 0;
	size_t which[PM_MAX_TRACKS], i;
	struct pm_disc_limits lim;
	struct pm_timeline tl;
	struct pm_err err = { 0 };
	unsigned problems;

	for (i = 0; i < a->ntracks; i++) {
		const struct pm_source *s = &a->tracks[i].source;

		which[i] = i;
		len[i] = pm_resample_length(pm_source_length(s), s->info.rate,
					    PM_CD_RATE);
	}
	if (a->htoa.is_set)
		htoa = pm_resample_length(pm_source_length(&a->htoa.source),
					  a->htoa.source.info.rate, PM_CD_RATE);
	if (pm_timeline_build(a, which, a->ntracks, len, htoa, &o, &tl,
			      &err) < 0)
		return true;
	pm_cd_limits(a, &lim);
	problems = pm_disc_check(&tl.disc, &lim, "t");
	pm_timeline_release(&tl);
	return problems > 0;
}

int main(void)
{
	static char xml[8192];
	unsigned refused = 0, passed = 0, late = 0, false_alarms = 0;
	char path[256];
	int round;

	if (!mkdtemp(dir) || write_pool() < 0)
		tap_skip_all("cannot make the sources");
	pm_log_init("t-layout", PM_LOG_ERROR);
	logcap_start();
	snprintf(path, sizeof(path), "%s/album.xml", dir);
	for (round = 0; round < 400; round++) {
		struct pm_err err = { 0 };
		struct pm_album *a;
		bool album_refuses, seq_refuses;
		FILE *f;

		random_album(xml, sizeof(xml));
		f = fopen(path, "w");
		fputs(xml, f);
		fclose(f);
		logcap_clear();
		a = pm_album_load(path, NULL, &err);
		if (!a) {
			tap_diag("does not load: %s\n%s", err.msg, xml);
			late++;
			continue;
		}
		album_refuses = pm_album_probe(a, &err) < 0;
		seq_refuses = sequence_refuses(a);
		if (album_refuses && !seq_refuses) {
			false_alarms++;
			tap_diag("a false alarm: %s\n%s", logcap_first(), xml);
		} else if (!album_refuses && seq_refuses) {
			late++;
			tap_diag("a late refusal: %s\n%s", logcap_first(), xml);
		}
		refused += album_refuses;
		passed += !album_refuses;
		pm_album_free(a);
	}
	is_int(late, 0, "no album passes the checks that sequence refuses");
	is_int(false_alarms, 0, "no album is refused that sequence takes");
	ok(refused >= 40 && passed >= 40,
	   "both kinds are tried: %u refused, %u passed", refused, passed);
	return tap_done();
}
