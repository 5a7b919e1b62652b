/* SPDX-License-Identifier: GPL-3.0-or-later */
/* targets.c: the table of delivery targets, and applying album overrides. */
#include <config.h>

#include "album/targets.h"

#include <stdio.h>
#include <string.h>

#include "util/msf.h"

#include "util/banned.h"

/*
 * Where each figure comes from (platform specs as published or measured,
 * AES TD1008, EBU R128, ATSC A/85, UMG's vinyl asset guide):
 * doc/internals/targets.md §3.
 */
/*
 * The lossy encoders of a row: Opus at `opus` kb/s, Vorbis at quality
 * `vq`, MP3 in `mode` at `mp3` (kb/s for CBR, the LAME level for VBR).
 * Opus at 160 kb/s and Vorbis at quality 6 (about 192 kb/s) are
 * transparent for almost all music; MP3 at 320 kb/s CBR is what download
 * stores sell, V0 what Bandcamp offers as its best MP3.
 */
#define LOSSY(opus, vq, mode, mp3)                                           \
	{ PM_BITRATE_DEFAULT, true, false, (opus), 0 },                       \
	{ PM_BITRATE_DEFAULT, false, true, 0, (vq) },                         \
	{ (mode), (mode) != PM_BITRATE_VBR, (mode) == PM_BITRATE_VBR,          \
	  (mode) != PM_BITRATE_VBR ? (mp3) : 0,                                \
	  (mode) == PM_BITRATE_VBR ? (mp3) : 0 }

const struct pm_preset pm_presets[] = {
	{ "cd", PM_TARGET_CD, false, 0, -0.3, false, 0, 0, true,
	  PM_FORMAT_WAV, 16, PM_CD_RATE, PM_GAPS_APPEND,
	  "Red Book: the mastering level, 44.1 kHz/16-bit",
	  LOSSY(160, 6, PM_BITRATE_CBR, 320) },
	{ "vinyl", PM_TARGET_VINYL, true, -18, 0, false, 0, 0, false,
	  PM_FORMAT_WAV, 24, PM_RATE_ALBUM, PM_GAPS_APPEND,
	  "UMG vinyl masters: about -18 LUFS, no loudness limiting",
	  LOSSY(160, 6, PM_BITRATE_CBR, 320) },
	{ "spotify", PM_TARGET_STREAM, true, -14, -1, true, -14, -2, true,
	  PM_FORMAT_FLAC, 24, PM_RATE_SOURCE, PM_GAPS_APPEND,
	  "Spotify: -14 LUFS; -1 dBTP, -2 dBTP when louder than -14",
	  LOSSY(160, 6, PM_BITRATE_CBR, 320) },
	{ "apple", PM_TARGET_STREAM, true, -16, -1, false, 0, 0, true,
	  PM_FORMAT_WAV, 24, PM_RATE_SOURCE, PM_GAPS_APPEND,
	  "Apple Digital Masters: Sound Check about -16 LUFS, 24-bit",
	  LOSSY(160, 6, PM_BITRATE_CBR, 320) },
	{ "youtube", PM_TARGET_STREAM, true, -14, -1, false, 0, 0, true,
	  PM_FORMAT_FLAC, 24, PM_RATE_SOURCE, PM_GAPS_APPEND,
	  "YouTube: about -14 LUFS, turn-down only",
	  LOSSY(160, 6, PM_BITRATE_CBR, 320) },
	{ "amazon", PM_TARGET_STREAM, true, -14, -2, false, 0, 0, true,
	  PM_FORMAT_FLAC, 24, PM_RATE_SOURCE, PM_GAPS_APPEND,
	  "Amazon Music: -14 LUFS, -2 dBTP",
	  LOSSY(160, 6, PM_BITRATE_CBR, 320) },
	{ "tidal", PM_TARGET_STREAM, true, -14, -1, false, 0, 0, true,
	  PM_FORMAT_FLAC, 24, PM_RATE_SOURCE, PM_GAPS_APPEND,
	  "TIDAL: -14 LUFS (BS.1770-4)",
	  LOSSY(160, 6, PM_BITRATE_CBR, 320) },
	{ "deezer", PM_TARGET_STREAM, true, -15, -1, false, 0, 0, true,
	  PM_FORMAT_FLAC, 16, PM_CD_RATE, PM_GAPS_APPEND,
	  "Deezer: -15 LUFS, FLAC 16/44.1",
	  LOSSY(160, 6, PM_BITRATE_CBR, 320) },
	{ "soundcloud", PM_TARGET_STREAM, false, 0, -1, false, 0, 0, true,
	  PM_FORMAT_WAV, 24, PM_RATE_SOURCE, PM_GAPS_APPEND,
	  "SoundCloud: no normalisation; -1 dBTP for the lossy transcode",
	  LOSSY(160, 6, PM_BITRATE_CBR, 320) },
	{ "cdbaby", PM_TARGET_STREAM, false, 0, -1, false, 0, 0, true,
	  PM_FORMAT_WAV, 16, PM_CD_RATE, PM_GAPS_APPEND,
	  "CD Baby: CD-quality WAV, 16-bit/44.1 kHz; -1 dBTP for its lossy stores",
	  LOSSY(160, 6, PM_BITRATE_CBR, 320) },
	{ "bandcamp", PM_TARGET_STREAM, false, 0, -1, false, 0, 0, true,
	  PM_FORMAT_WAV, 24, PM_RATE_SOURCE, PM_GAPS_APPEND,
	  "Bandcamp: no normalisation; -1 dBTP for lossy downloads",
	  LOSSY(160, 6, PM_BITRATE_VBR, 0) },
	{ "aes-td1008", PM_TARGET_STREAM, true, -16, -1, false, 0, 0, true,
	  PM_FORMAT_FLAC, 24, PM_RATE_SOURCE, PM_GAPS_APPEND,
	  "AES TD1008: tracks at most -16 LUFS, -1 dBTP",
	  LOSSY(160, 6, PM_BITRATE_CBR, 320) },
	{ "ebu-r128", PM_TARGET_STREAM, true, -23, -1, false, 0, 0, true,
	  PM_FORMAT_WAV, 24, PM_RATE_SOURCE, PM_GAPS_APPEND,
	  "EBU R128 broadcast: -23 LUFS, -1 dBTP",
	  LOSSY(160, 6, PM_BITRATE_CBR, 320) },
	{ "atsc-a85", PM_TARGET_STREAM, true, -24, -2, false, 0, 0, true,
	  PM_FORMAT_WAV, 24, PM_RATE_SOURCE, PM_GAPS_APPEND,
	  "ATSC A/85: -24 LKFS, -2 dBTP",
	  LOSSY(160, 6, PM_BITRATE_CBR, 320) },
};

const size_t pm_npresets = PM_ARRAY_SIZE(pm_presets);

const struct pm_preset *pm_preset_find(const char *name)
{
	size_t i;

	for (i = 0; i < pm_npresets; i++)
		if (strcmp(pm_presets[i].name, name) == 0)
			return &pm_presets[i];
	return NULL;
}

static void from_preset(struct pm_target *t, const struct pm_preset *p,
			const char *name)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->kind = p->kind;
	t->has_target = p->has_target;
	t->target_lufs = p->target_lufs;
	t->ceiling_dbtp = p->ceiling_dbtp;
	t->has_hot = p->has_hot;
	t->hot_above_lufs = p->hot_above_lufs;
	t->hot_ceiling_dbtp = p->hot_ceiling_dbtp;
	t->limiter = p->limiter;
	t->format = p->format;
	t->bits = p->bits;
	t->rate = p->rate;
	t->gaps = p->gaps;
}

/* The preset's encoder for `format`, with album.xml's settings over it. */
static struct pm_encoder encoder_of(const struct pm_preset *p,
				    enum pm_format format,
				    const struct pm_encoder *over)
{
	struct pm_encoder e = { 0 };

	if (format == PM_FORMAT_OPUS)
		e = p->opus;
	else if (format == PM_FORMAT_OGG)
		e = p->vorbis;
	else if (format == PM_FORMAT_MP3)
		e = p->mp3;
	else
		return e;
	if (over->mode != PM_BITRATE_DEFAULT)
		e.mode = over->mode;
	if (over->has_kbps || over->has_quality) {
		e.has_kbps = over->has_kbps;
		e.kbps = over->kbps;
		e.has_quality = over->has_quality;
		e.quality = over->quality;
	}
	return e;
}

size_t pm_album_targets(const struct pm_album *a, struct pm_target *out)
{
	const struct pm_loudness *ld = &a->mastering.loudness;
	const struct pm_preset *p;
	struct pm_target *t;
	size_t n = 0, i;

	if (a->cd.enabled) {
		t = &out[n++];
		from_preset(t, pm_preset_find("cd"), "cd");
		/* the CD carries the mastering level */
		if (ld->has_target) {
			t->has_target = true;
			t->target_lufs = ld->target_lufs;
		}
		if (ld->has_ceiling)
			t->ceiling_dbtp = ld->ceiling_dbtp;
		if (a->cd.has_target) {
			t->has_target = true;
			t->target_lufs = a->cd.target_lufs;
		}
		if (a->cd.has_ceiling)
			t->ceiling_dbtp = a->cd.ceiling_dbtp;
		t->gaps = a->cd.track_gaps;
	}
	if (a->vinyl.enabled) {
		t = &out[n++];
		from_preset(t, pm_preset_find("vinyl"), "vinyl");
		if (a->vinyl.has_target)
			t->target_lufs = a->vinyl.target_lufs;
		if (a->vinyl.has_ceiling)
			t->ceiling_dbtp = a->vinyl.ceiling_dbtp;
		t->rate = a->vinyl.rate ? a->vinyl.rate : PM_RATE_ALBUM;
		t->bits = a->vinyl.bits;
	}
	for (i = 0; i < a->nstreams; i++) {
		const struct pm_stream *s = &a->streams[i];

		p = pm_preset_find(s->preset ? s->preset : s->name);
		if (!p)
			p = pm_preset_find("bandcamp"); /* album-check refused it */
		t = &out[n++];
		from_preset(t, p, s->name);
		if (s->has_target) {
			t->has_target = true;
			t->target_lufs = s->target_lufs;
		}
		if (s->has_ceiling) {
			t->ceiling_dbtp = s->ceiling_dbtp;
			t->has_hot = false;
		}
		if (s->has_format)
			t->format = s->format;
		if (s->has_bits)
			t->bits = s->bits;
		if (s->has_rate)
			t->rate = s->rate;
		else if (t->format == PM_FORMAT_OPUS)
			t->rate = 48000; /* Opus decodes to 48 kHz anyway */
		if (s->has_gaps)
			t->gaps = s->gaps;
		t->enc = encoder_of(p, t->format, &s->enc);
		/* "keep": the mastering level, as the CD has it */
		if (!t->has_target && ld->has_target) {
			t->has_target = true;
			t->target_lufs = ld->target_lufs;
		}
	}
	/* no chain: no loudness target, no limiter, the sources' level */
	for (i = 0; a->mastering.pass_through && i < n; i++) {
		out[i].pass_through = true;
		out[i].has_target = false;
		out[i].has_hot = false;
		out[i].limiter = false;
	}
	return n;
}

uint32_t pm_album_rate(const struct pm_album *a)
{
	uint32_t best = 0;
	size_t best_n = 0, i, j, k;

	for (i = 0; i < a->ntracks; i++) {
		uint32_t r = a->tracks[i].source.info.rate;

		for (k = 0, j = 0; j < a->ntracks; j++)
			if (a->tracks[j].source.info.rate == r)
				k++;
		if (k > best_n || (k == best_n && r > best)) {
			best = r;
			best_n = k;
		}
	}
	return best ? best : PM_CD_RATE;
}

double pm_target_ceiling(const struct pm_target *t)
{
	if (t->has_hot && t->has_target && t->target_lufs > t->hot_above_lufs)
		return t->hot_ceiling_dbtp;
	return t->ceiling_dbtp;
}

double pm_lossy_headroom(enum pm_format format)
{
	switch (format) {
	case PM_FORMAT_OPUS:
		return 1.0;
	case PM_FORMAT_OGG:
	case PM_FORMAT_MP3:
		return 0.5;
	default:
		return 0;
	}
}

bool pm_lossy_rate_ok(enum pm_format format, uint32_t rate)
{
	static const uint32_t opus[] = { 8000, 12000, 16000, 24000, 48000 };
	static const uint32_t mpeg[] = { 8000,	11025, 12000, 16000, 22050,
					 24000, 32000, 44100, 48000 };
	const uint32_t *r;
	size_t n, i;

	if (format == PM_FORMAT_OPUS) {
		r = opus;
		n = PM_ARRAY_SIZE(opus);
	} else if (format == PM_FORMAT_MP3) {
		r = mpeg;
		n = PM_ARRAY_SIZE(mpeg);
	} else {
		return true;
	}
	for (i = 0; i < n; i++)
		if (r[i] == rate)
			return true;
	return false;
}

/*
 * The highest source rate among the tracks that become one piece of
 * audio with track `i`: its vinyl side, or its run of crossfades.
 */
static uint32_t group_rate(const struct pm_target *t, const struct pm_album *a,
			   size_t i)
{
	uint32_t r = a->tracks[i].source.info.rate;
	size_t s, k, first = i, last = i;

	if (t->kind == PM_TARGET_VINYL) {
		for (s = 0; s < a->vinyl.nsides; s++) {
			const struct pm_vinyl_side *side = &a->vinyl.sides[s];
			bool here = false;

			for (k = 0; k < side->ntracks; k++)
				here = here || side->tracks[k] == i;
			for (k = 0; here && k < side->ntracks; k++)
				r = PM_MAX(r, a->tracks[side->tracks[k]].source.info.rate);
			if (here)
				return r;
		}
	}
	while (first > 0 && a->tracks[first].xfade.is_set)
		first--;
	while (last + 1 < a->ntracks && a->tracks[last + 1].xfade.is_set)
		last++;
	for (k = first; k <= last; k++)
		r = PM_MAX(r, a->tracks[k].source.info.rate);
	return r;
}

uint32_t pm_target_rate(const struct pm_target *t, const struct pm_album *a,
			size_t i)
{
	uint32_t r = t->rate;

	if (r == PM_RATE_SOURCE)
		r = group_rate(t, a, i);
	else if (r == PM_RATE_ALBUM)
		r = pm_album_rate(a);
	else
		return r;
	/* a rate policy MP3 cannot carry: the nearest family, 48 or 44.1 */
	if (t->format == PM_FORMAT_MP3 && !pm_lossy_rate_ok(t->format, r))
		r = r % 48000 == 0 ? 48000 : 44100;
	return r;
}

/* Whether the --only item p[0..len) names target `t`. */
static bool item_names(const char *p, size_t len, const struct pm_target *t)
{
	if (len == 9 && strncmp(p, "streaming", 9) == 0)
		return t->kind == PM_TARGET_STREAM;
	return strlen(t->name) == len && strncmp(p, t->name, len) == 0;
}

bool pm_target_wanted(const char *list, const struct pm_target *t)
{
	const char *p = list;

	if (!list)
		return true;
	while (*p) {
		size_t len = strcspn(p, ",");

		if (item_names(p, len, t))
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

int pm_targets_check_list(const char *list, const struct pm_target *t,
			  size_t n, char *bad, size_t bad_size, char *known,
			  size_t known_size)
{
	const char *p = list;
	size_t i, k = 0;

	k += (size_t)snprintf(known, known_size, "streaming");
	for (i = 0; i < n && k < known_size; i++)
		k += (size_t)snprintf(known + k, known_size - k, ", %s", t[i].name);
	while (*p) {
		size_t len = strcspn(p, ",");
		bool found = len == 9 && strncmp(p, "streaming", 9) == 0;

		for (i = 0; i < n && !found; i++)
			found = item_names(p, len, &t[i]);
		if (!found) {
			snprintf(bad, bad_size, "%.*s", (int)len, p);
			return -1;
		}
		p += len + (p[len] == ',');
	}
	return 0;
}
