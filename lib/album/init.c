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
#include "io/audio.h"
#include "util/msf.h"
#include "util/path.h"
#include "util/xmlw.h"

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

/* A title from a file name: no directory, extension or leading number. */
static char *title_from_name(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *p;
	char *t, *dot, *q;

	base = base ? base + 1 : path;
	p = base;
	while (*p >= '0' && *p <= '9')
		p++;
	if (p > base && (*p == ' ' || *p == '-' || *p == '_' || *p == '.')) {
		while (*p == ' ' || *p == '-' || *p == '_' || *p == '.')
			p++;
	} else {
		p = base;
	}
	t = strdup(*p ? p : base);
	if (!t)
		return NULL;
	dot = strrchr(t, '.');
	if (dot && dot != t)
		*dot = '\0';
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

static void write_album(FILE *fp, const char *title, const char *artist,
			const char *upc, const char *catalog,
			struct pm_init_track *tr, size_t n)
{
	struct pm_side_limits lim;
	struct pm_xmlw w;
	double lengths[PM_MAX_TRACKS];
	size_t first[PM_MAX_TRACKS + 1], nsides, i, s;
	char idbuf[24], list[PM_MAX_TRACKS * 4 + 1];
	size_t len;

	pm_xmlw_init(&w, fp);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", fp);
	pm_xmlw_start(&w, "album");
	pm_xmlw_attr(&w, "xmlns", PM_ALBUM_NS);
	pm_xmlw_attr(&w, "version", PM_ALBUM_VERSION);
	pm_xmlw_comment(&w, "Written by premaster init; see premaster-album(5). Positions are in samples of the source or in seconds.");

	pm_xmlw_start(&w, "release");
	pm_xmlw_text_element(&w, "title", title);
	pm_xmlw_text_element(&w, "artist", artist);
	if (catalog)
		pm_xmlw_text_element(&w, "catalog", catalog);
	if (upc)
		pm_xmlw_text_element(&w, "upc", upc);
	pm_xmlw_end(&w);

	pm_xmlw_start(&w, "tracks");
	for (i = 0; i < n; i++) {
		snprintf(idbuf, sizeof(idbuf), "t%zu", i + 1);
		pm_xmlw_start(&w, "track");
		pm_xmlw_attr(&w, "id", idbuf);
		pm_xmlw_start(&w, "source");
		pm_xmlw_attr(&w, "file", tr[i].rel);
		pm_xmlw_end(&w);
		pm_xmlw_text_element(&w, "title", tr[i].title);
		if (tr[i].artist && strcmp(tr[i].artist, artist) != 0)
			pm_xmlw_text_element(&w, "artist", tr[i].artist);
		if (tr[i].isrc[0])
			pm_xmlw_text_element(&w, "isrc", tr[i].isrc);
		if (i > 0) {
			pm_xmlw_start(&w, "gap");
			pm_xmlw_attr(&w, "length", "2s");
			pm_xmlw_end(&w);
		}
		pm_xmlw_end(&w);
	}
	pm_xmlw_end(&w);

	pm_xmlw_start(&w, "mastering");
	pm_xmlw_start(&w, "eq");
	pm_xmlw_start(&w, "band");
	pm_xmlw_attr(&w, "type", "highpass");
	pm_xmlw_attr(&w, "freq", "20");
	pm_xmlw_end(&w);
	pm_xmlw_end(&w);
	pm_xmlw_start(&w, "limiter");
	pm_xmlw_end(&w);
	pm_xmlw_start(&w, "loudness");
	pm_xmlw_attr(&w, "mode", "album");
	pm_xmlw_attr(&w, "target-lufs", "-14");
	pm_xmlw_end(&w);
	pm_xmlw_start(&w, "tone-match");
	pm_xmlw_attr(&w, "mode", "report");
	pm_xmlw_end(&w);
	pm_xmlw_end(&w);

	pm_xmlw_start(&w, "deliverables");
	pm_xmlw_start(&w, "cd");
	pm_xmlw_start(&w, "cd-text");
	pm_xmlw_attr(&w, "transliterate", "true");
	pm_xmlw_start(&w, "block");
	pm_xmlw_attr(&w, "language", "en");
	pm_xmlw_end(&w);
	pm_xmlw_end(&w);
	pm_xmlw_end(&w);

	pm_side_limits(12, 33, &lim);
	for (i = 0; i < n; i++)
		lengths[i] = tr[i].length_s;
	nsides = pm_split_sides(lengths, n, 3.0, &lim, first);
	if (nsides > 8)
		nsides = 8; /* longer albums need editing by hand */
	pm_xmlw_start(&w, "vinyl");
	pm_xmlw_attr(&w, "size", "12");
	pm_xmlw_attr(&w, "speed", "33");
	pm_xmlw_attr(&w, "gap", "3s");
	for (s = 0; s < nsides; s++) {
		len = 0;
		list[0] = '\0';
		for (i = first[s]; i < (s + 1 == nsides ? n : first[s + 1]); i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len,
						"%st%zu", len ? " " : "", i + 1);
		if (!len)
			continue;
		pm_xmlw_start(&w, "side");
		pm_xmlw_attrf(&w, "name", "%c", (char)('A' + s));
		pm_xmlw_attr(&w, "tracks", list);
		pm_xmlw_end(&w);
	}
	pm_xmlw_end(&w);
	pm_xmlw_start(&w, "streaming");
	pm_xmlw_attr(&w, "profile", "spotify");
	pm_xmlw_end(&w);
	pm_xmlw_start(&w, "streaming");
	pm_xmlw_attr(&w, "profile", "apple");
	pm_xmlw_end(&w);
	pm_xmlw_start(&w, "streaming");
	pm_xmlw_attr(&w, "profile", "bandcamp");
	pm_xmlw_end(&w);
	pm_xmlw_end(&w);
	pm_xmlw_end(&w);
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
	if (t->info.is_lossy && strcmp(t->info.format, "ogg") != 0)
		return pm_err_set(err, PM_EUNSUPPORTED,
				  "'%s' is lossy %s; premaster takes WAV, AIFF, FLAC or Ogg",
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
	write_album(fp, title, artist, o->upc, o->catalog, tr, n);
	ret = 0;
out:
	release(tr, n);
	free(album_tag);
	return ret;
}
