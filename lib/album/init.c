/* SPDX-License-Identifier: GPL-3.0-or-later */
/* init.c: a first album.xml from audio files (premaster init). */
#include <config.h>

#include "album/init.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "album/album.h"
#include "album/isrc.h"
#include "album/vinyl.h"
#include "album/write.h"
#include "io/audio.h"
#include "util/log.h"
#include "util/msf.h"
#include "util/path.h"

#include "util/banned.h"

struct pm_init_track {
	const char *path;
	char *rel;
	char *title;
	char *artist;
	struct pm_audio_info info;
	double length_s;
	char isrc[13];
};

/*
 * A title from a file name: no directory, extension or leading track
 * number ("03 - Song.wav" is "Song"); a name that is only a number
 * ("03.wav", as ddpmake --extract writes) is "Track 03".
 */
static char *title_from_name(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *p;
	char *t, *dot, *q;
	size_t n;

	base = base ? base + 1 : path;
	t = strdup(base);
	if (!t)
		return NULL;
	dot = strrchr(t, '.');
	if (dot && dot != t)
		*dot = '\0';
	p = t;
	while (*p >= '0' && *p <= '9')
		p++;
	if (p > t && *p == '\0') {
		n = strlen(t) + 7;
		q = malloc(n);
		if (q)
			snprintf(q, n, "Track %s", t);
		free(t);
		return q;
	}
	if (p > t && (*p == ' ' || *p == '-' || *p == '_' || *p == '.')) {
		while (*p == ' ' || *p == '-' || *p == '_' || *p == '.')
			p++;
		if (*p)
			memmove(t, p, strlen(p) + 1);
	}
	for (q = t; *q; q++)
		if (*q == '_')
			*q = ' ';
	return t;
}

/* Keep text within the schema's 160 characters without splitting UTF-8. */
static void clip_text(char *s)
{
	size_t n = strlen(s);

	if (n <= 160)
		return;
	n = 160;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	s[n] = '\0';
}

/* One unlabelled text, copied. */
static int set_text(struct pm_texts *t, const char *value, struct pm_err *err)
{
	t->v = pm_calloc(1, sizeof(*t->v), err);
	if (!t->v)
		return -1;
	t->v[0].value = pm_strdup(value, err);
	if (!t->v[0].value)
		return -1;
	t->n = 1;
	return 0;
}

/* The deliverables and mastering init proposes, into `a`. */
static int propose(struct pm_album *a, const struct pm_init_track *tr,
		   size_t n, struct pm_err *err)
{
	static const char *const profiles[] = { "spotify", "apple",
						"bandcamp" };
	struct pm_side_limits lim;
	double lengths[PM_MAX_TRACKS];
	size_t first[PM_MAX_TRACKS + 1], nsides, i, s, end;

	/*
	 * No EQ: a filter's phase shift moves true peaks (a 20 Hz
	 * high-pass adds up to 2 dB) and makes the limiter work.  The
	 * default chain is the album gain and, only where the ceiling
	 * demands it, the limiter; DC is taken out only when measured.
	 */
	a->mastering.loudness.has_target = true;
	a->mastering.loudness.target_lufs = -14;

	a->cd.enabled = true;
	a->cd.transliterate = true;
	a->cd.blocks = pm_calloc(1, sizeof(*a->cd.blocks), err);
	if (!a->cd.blocks)
		return -1;
	a->cd.nblocks = 1;
	a->cd.blocks[0].lang = pm_strdup("en", err);
	a->cd.blocks[0].lang_code = 0x09;
	if (!a->cd.blocks[0].lang)
		return -1;

	pm_side_limits(12, 33, &lim);
	for (i = 0; i < n; i++)
		lengths[i] = tr[i].length_s;
	nsides = pm_split_sides(lengths, n, 3.0, &lim, first);
	if (nsides > 8)
		nsides = 8; /* longer albums need editing by hand */
	a->vinyl.enabled = true;
	a->vinyl.sides = pm_calloc(nsides ? nsides : 1, sizeof(*a->vinyl.sides),
				   err);
	if (!a->vinyl.sides)
		return -1;
	for (s = 0; s < nsides; s++) {
		struct pm_vinyl_side *side = &a->vinyl.sides[a->vinyl.nsides];
		char name[2] = { (char)('A' + s), '\0' };

		end = s + 1 == nsides ? n : first[s + 1];
		if (end <= first[s])
			continue;
		side->name = pm_strdup(name, err);
		side->tracks = pm_calloc(end - first[s], sizeof(*side->tracks),
					 err);
		if (!side->name || !side->tracks)
			return -1;
		for (i = first[s]; i < end; i++)
			side->tracks[side->ntracks++] = i;
		a->vinyl.nsides++;
	}
	a->streams = pm_calloc(PM_ARRAY_SIZE(profiles), sizeof(*a->streams),
			       err);
	if (!a->streams)
		return -1;
	for (i = 0; i < PM_ARRAY_SIZE(profiles); i++) {
		a->streams[i].name = pm_strdup(profiles[i], err);
		if (!a->streams[i].name)
			return -1;
		a->nstreams++;
	}
	return 0;
}

static int write_album(FILE *fp, const char *title, const char *artist,
		       const char *upc, const char *catalog,
		       struct pm_init_track *tr, size_t n, struct pm_err *err)
{
	static const struct pm_album_write_options wo = {
		.comment = "Written by premaster init; see premaster-album(5). Positions are in samples of the source or in seconds.",
	};
	struct pm_album *a = pm_calloc(1, sizeof(*a), err);
	char idbuf[24];
	size_t i;
	int ret = -1;

	if (!a)
		return -1;
	pm_album_defaults(a);
	if (set_text(&a->release.text[PM_FIELD_TITLE], title, err) < 0 ||
	    set_text(&a->release.text[PM_FIELD_PERFORMER], artist, err) < 0 ||
	    (catalog && !(a->release.catalog = pm_strdup(catalog, err))))
		goto out;
	if (upc)
		snprintf(a->release.upc, sizeof(a->release.upc), "%s", upc);
	a->tracks = pm_calloc(n, sizeof(*a->tracks), err);
	if (!a->tracks)
		goto out;
	for (i = 0; i < n; i++) {
		struct pm_track *t = &a->tracks[a->ntracks++];

		snprintf(idbuf, sizeof(idbuf), "t%zu", i + 1);
		t->id = pm_strdup(idbuf, err);
		t->source.file = pm_strdup(tr[i].rel, err);
		if (!t->id || !t->source.file ||
		    set_text(&t->text[PM_FIELD_TITLE], tr[i].title, err) < 0 ||
		    (tr[i].artist && strcmp(tr[i].artist, artist) != 0 &&
		     set_text(&t->text[PM_FIELD_PERFORMER], tr[i].artist,
			      err) < 0))
			goto out;
		memcpy(t->isrc, tr[i].isrc, sizeof(t->isrc));
		if (i > 0) {
			t->has_gap = true;
			t->gap = pm_time_from_seconds(2.0);
		}
	}
	if (propose(a, tr, n, err) < 0)
		goto out;
	ret = pm_album_write(fp, a, &wo, err);
out:
	pm_album_free(a);
	return ret;
}

static void release(struct pm_init_track *tr, size_t n)
{
	for (size_t i = 0; tr && i < n; i++) {
		free(tr[i].rel);
		free(tr[i].title);
		free(tr[i].artist);
	}
	free(tr);
}

/* Probe one file and fill its track; `dir` is the album's folder. */
static int probe(struct pm_init_track *t, const char *dir, char **album_tag,
		 struct pm_err *err)
{
	struct pm_audio_tags tags = { 0 };
	char *abs_file;

	if (pm_audio_probe(t->path, &t->info, err) < 0)
		return -1;
	if (t->info.rate < 44100 || t->info.rate > 192000)
		return pm_err_set(err, PM_EUNSUPPORTED,
				  "'%s' is at %u Hz; premaster takes 44.1 to 192 kHz",
				  t->path, t->info.rate);
	if (t->info.channels < 1 || t->info.channels > 2)
		return pm_err_set(err, PM_EUNSUPPORTED,
				  "'%s' has %u channels; premaster takes mono or stereo",
				  t->path, t->info.channels);
	if (t->info.is_lossy)
		pm_warning("'%s' is lossy (%s): its masters carry the losses",
			   t->path, t->info.format);
	if (t->info.length_samples <= 0)
		return pm_err_set(err, PM_EFORMAT, "'%s' has no audio", t->path);
	t->length_s = (double)t->info.length_samples / t->info.rate;
	abs_file = realpath(t->path, NULL);
	if (!abs_file)
		return pm_err_sys(err, PM_ENOINPUT, "cannot resolve '%s'",
				  t->path);
	t->rel = pm_path_relative(dir, abs_file);
	free(abs_file);
	if (!t->rel)
		return pm_err_set(err, PM_ENOMEM, "out of memory");
	if (pm_audio_read_tags(t->path, &tags, err) == 0) {
		t->title = tags.title;
		t->artist = tags.artist;
		tags.title = tags.artist = NULL;
		if (album_tag) {
			*album_tag = tags.album;
			tags.album = NULL;
		}
		pm_audio_tags_release(&tags);
	}
	if (!t->title)
		t->title = title_from_name(t->path);
	if (!t->title)
		return pm_err_set(err, PM_ENOMEM, "out of memory");
	clip_text(t->title);
	if (t->artist)
		clip_text(t->artist);
	return 0;
}

int pm_init_album(FILE *fp, const struct pm_init_options *o,
		  char *const *files, size_t n, struct pm_err *err)
{
	struct pm_init_track *tr;
	char isrc[PM_ISRC_LEN + 1] = "", *album_tag = NULL;
	const char *title, *artist;
	int ret = -1;
	size_t i;

	if (n == 0 || n > PM_MAX_TRACKS)
		return pm_err_set(err, PM_EINVAL, "%zu files; a CD takes 1 to 99",
				  n);
	tr = calloc(n, sizeof(*tr));
	if (!tr)
		return pm_err_set(err, PM_ENOMEM, "out of memory");
	if (o->isrc_first)
		memcpy(isrc, o->isrc_first, sizeof(isrc));
	for (i = 0; i < n; i++) {
		tr[i].path = files[i];
		if (probe(&tr[i], o->dir, i == 0 ? &album_tag : NULL, err) < 0)
			goto out;
		if (isrc[0]) {
			memcpy(tr[i].isrc, isrc, sizeof(isrc));
			if (pm_isrc_next(isrc) < 0 && i + 1 < n) {
				pm_err_set(err, PM_EINVAL,
					   "the ISRC designation codes run out after track %zu",
					   i + 1);
				goto out;
			}
		}
	}
	title = o->title ? o->title : album_tag ? album_tag : "Untitled";
	artist = o->artist	 ? o->artist
		 : tr[0].artist ? tr[0].artist
				: "Unknown Artist";
	ret = write_album(fp, title, artist, o->upc, o->catalog, tr, n, err);
out:
	release(tr, n);
	free(album_tag);
	return ret;
}
