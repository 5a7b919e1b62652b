/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sheet-read.c: CUE sheets and cdrdao TOCs read back (see sheet-read.h). */
#include <config.h>

#include "cd/sheet-read.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "album/charset.h"
#include "album/isrc.h"
#include "cd/cdtext.h"
#include "io/audio.h"
#include "util/log.h"
#include "util/msf.h"

#include "util/banned.h"

#define MAX_CDTEXT_FILE (64u * 1024)
#define MAX_TOKENS 24
#define MAX_TEXT 1024 /* bytes of one string, UTF-8 */

/* A file a sheet names, as it is being laid out. */
struct sfile {
	char *path;
	enum pm_piece_kind kind;
	bool big_endian;
	uint32_t rate;
	uint32_t frames;   /* whole or partial frames it holds */
	bool partial;      /* its last frame is not whole */
	int64_t samples;   /* FILE: its length */
	int line;
};

struct rd {
	const char *path;
	char *dir;
	bool is_toc;
	struct pm_disc_image *img;
	struct pm_err *err;
	int line;
	/* the tracks */
	unsigned ntracks;
	int track_line[PM_MAX_TRACKS];
	bool has_index01;
	/* the current CUE file and the programme so far */
	bool have_file;
	struct sfile cur;
	struct sfile prev_partial; /* a partial file, if one came before */
	uint32_t emitted; /* frames of pieces emitted */
	uint32_t cursor;  /* frames of the current file emitted */
	int64_t last_time; /* the last INDEX in the current file, or -1 */
	bool has_pregap;
	uint32_t pregap;
	int pregap_line;
	/* texts: [block][field][0 disc, n track] */
	bool any_text;
	char *text[8][PM_NFIELDS][PM_MAX_TRACKS + 1];
	int text_line[PM_NFIELDS][PM_MAX_TRACKS + 1];
	unsigned lang_code[8];
	bool lang_mapped[8];
	int char_code[8]; /* from a TOC's SIZE_INFO, or -1 */
	bool copyright;
	char *disc_id;
	unsigned genre_code;
	char *genre_text;
	int isrc_line[PM_MAX_TRACKS];
	/* CDTEXTFILE */
	char *cdtext_file;
	int cdtext_line;
	bool catalog_seen;
};

static int fail(struct rd *r, int line, enum pm_code code, const char *fmt,
		...) PM_PRINTF(4, 5);

static int fail(struct rd *r, int line, enum pm_code code, const char *fmt,
		...)
{
	char msg[400];
	va_list ap;

	if (!r)
		return -1; /* a comment's own lexer: the caller reports */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		return pm_err_set(r->err, code, "%s:%d: %s", r->path, line, msg);
	return pm_err_set(r->err, code, "%s: %s", r->path, msg);
}

/* ------------------------------------------------------------------ */
/* Text                                                                 */
/* ------------------------------------------------------------------ */

static bool valid_utf8(const char *s, size_t n)
{
	uint32_t cp;
	size_t i = 0, k;

	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		k = pm_utf8_decode(s + i, &cp);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/*
 * Bytes of a sheet's string as UTF-8: valid UTF-8 stays; anything else is
 * read as ISO-8859-1, what premaster (and most burners) write.  Control
 * characters are refused.  Returns a new string or NULL (err set).
 */
static char *to_utf8(struct rd *r, const char *b, size_t n, int line)
{
	char *out;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if ((unsigned char)b[i] < 0x20 || b[i] == 0x7F) {
			fail(r, line, PM_EFORMAT,
			     "a control character (0x%02X) in a text",
			     (unsigned char)b[i]);
			return NULL;
		}
	if (n > MAX_TEXT) {
		fail(r, line, PM_EFORMAT, "a text of %zu bytes; CD-TEXT holds far less", n);
		return NULL;
	}
	out = pm_malloc(2 * n + 1, r->err);
	if (!out)
		return NULL;
	if (valid_utf8(b, n)) {
		memcpy(out, b, n);
		out[n] = '\0';
		return out;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];

		if (c < 0x80) {
			out[k++] = (char)c;
		} else {
			out[k++] = (char)(0xC0 | (c >> 6));
			out[k++] = (char)(0x80 | (c & 0x3F));
		}
	}
	out[k] = '\0';
	return out;
}

static int set_text(struct rd *r, unsigned blk, int f, unsigned track,
		    const char *b, size_t n, int line)
{
	char *s;

	if (r->text[blk][f][track])
		return fail(r, line, PM_EFORMAT, "a second %s for %s%.0u",
			    pm_field_element[f], track ? "track " : "the disc",
			    track);
	if (n == 0)
		return 0; /* an empty text is no text */
	s = to_utf8(r, b, n, line);
	if (!s)
		return -1;
	r->text[blk][f][track] = s;
	if (blk == 0)
		r->text_line[f][track] = line;
	r->any_text = true;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Numbers and times                                                    */
/* ------------------------------------------------------------------ */

/* "MM:SS:FF" into frames.  Returns 0 or -1. */
static int msf(const char *s, uint32_t *frames)
{
	unsigned m, sec, f;
	char extra;

	if (!s || sscanf(s, "%u:%u:%u%c", &m, &sec, &f, &extra) != 3 ||
	    !isdigit((unsigned char)s[0]) || sec > 59 || f > 74 || m > 99)
		return -1;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != ':')
			return -1;
	*frames = (m * 60 + sec) * 75 + f;
	return 0;
}

static int parse_num(const char *s, unsigned max, unsigned *out)
{
	uint64_t v;

	if (!s || pm_parse_uint(s, 0, max, &v) < 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Files                                                                */
/* ------------------------------------------------------------------ */

static char *resolve(struct rd *r, const char *name)
{
	size_t n;
	char *p;

	if (name[0] == '/' || strcmp(r->dir, ".") == 0)
		return pm_strdup(name, r->err);
	n = strlen(r->dir) + strlen(name) + 2;
	p = pm_malloc(n, r->err);
	if (p)
		snprintf(p, n, "%s/%s", r->dir, name);
	return p;
}

/* Open a file the sheet names and learn its length in frames. */
static int open_file(struct rd *r, struct sfile *f, const char *name,
		     enum pm_piece_kind kind, bool big_endian, int line)
{
	struct pm_audio_info info;
	struct pm_err e = { 0 };
	struct stat st;
	uint64_t spf;

	memset(f, 0, sizeof(*f));
	f->line = line;
	f->kind = kind;
	f->big_endian = big_endian;
	f->path = resolve(r, name);
	if (!f->path)
		return -1;
	if (kind == PM_PIECE_RAW) {
		if (stat(f->path, &st) < 0 || !S_ISREG(st.st_mode))
			return fail(r, line, PM_ENOINPUT, "cannot open '%s': %s",
				    name, strerror(errno ? errno : ENOENT));
		if (st.st_size % 4)
			return fail(r, line, PM_EFORMAT,
				    "'%s' is %lld bytes: not whole 16-bit stereo samples",
				    name, (long long)st.st_size);
		f->rate = PM_CD_RATE;
		f->samples = st.st_size / 4;
	} else {
		if (pm_audio_probe(f->path, &info, &e) < 0)
			return fail(r, line, e.code, "%s", e.msg);
		if (info.rate % PM_FRAMES_PER_SEC || info.rate < PM_CD_RATE ||
		    info.rate > 192000 || info.channels < 1 || info.channels > 2)
			return fail(r, line, PM_EFORMAT,
				    "'%s' is %u channels at %u Hz; a disc's audio is mono or stereo at 44.1 to 192 kHz",
				    name, info.channels, info.rate);
		if (info.is_lossy)
			pm_warning("%s:%d: '%s' is lossy (%s): the disc made from it carries the losses",
				   r->path, line, name, info.format);
		f->rate = info.rate;
		f->samples = info.length_samples;
	}
	spf = f->rate / PM_FRAMES_PER_SEC;
	if (f->samples <= 0)
		return fail(r, line, PM_EFORMAT, "'%s' has no audio", name);
	f->frames = (uint32_t)((f->samples + (int64_t)spf - 1) / (int64_t)spf);
	f->partial = f->samples % (int64_t)spf != 0;
	return 0;
}

/* Append what is left of the current file to the programme. */
static int emit_rest(struct rd *r)
{
	struct sfile *f = &r->cur;

	if (!r->have_file)
		return 0;
	if (f->frames > r->cursor &&
	    pm_disc_image_add(r->img, f->kind, f->path,
			      f->kind == PM_PIECE_RAW
				      ? (int64_t)r->cursor * PM_BYTES_PER_FRAME
				      : (int64_t)r->cursor * (f->rate / 75),
			      f->rate, f->frames - r->cursor, NULL, r->err) < 0)
		return -1;
	if (f->frames > r->cursor) {
		struct pm_piece *p = &r->img->pieces[r->img->npieces - 1];

		p->big_endian = f->big_endian;
		snprintf(p->where, sizeof(p->where), "%s:%d", r->path, f->line);
	}
	r->emitted += f->frames > r->cursor ? f->frames - r->cursor : 0;
	r->cursor = f->frames;
	return 0;
}

/* Frames [cursor, t) of the current file, then `n` frames of silence. */
static int emit_silence_at(struct rd *r, uint32_t t, uint32_t n, int line)
{
	struct sfile *f = &r->cur;
	char where[96];

	if (r->have_file && t > r->cursor) {
		if (pm_disc_image_add(r->img, f->kind, f->path,
				      f->kind == PM_PIECE_RAW
					      ? (int64_t)r->cursor *
							PM_BYTES_PER_FRAME
					      : (int64_t)r->cursor * (f->rate / 75),
				      f->rate, t - r->cursor, NULL, r->err) < 0)
			return -1;
		r->img->pieces[r->img->npieces - 1].big_endian = f->big_endian;
		snprintf(r->img->pieces[r->img->npieces - 1].where,
			 sizeof(r->img->pieces[0].where), "%s:%d", r->path,
			 f->line);
		r->emitted += t - r->cursor;
		r->cursor = t;
	}
	snprintf(where, sizeof(where), "%s:%d", r->path, line);
	if (n && pm_disc_image_add(r->img, PM_PIECE_SILENCE, NULL, 0, 0, n,
				   where, r->err) < 0)
		return -1;
	r->emitted += n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Tracks (both formats)                                                */
/* ------------------------------------------------------------------ */

static struct pm_pq_track *cur_track(struct rd *r)
{
	return &r->img->disc.track[r->ntracks - 1];
}

static int end_track(struct rd *r)
{
	if (r->ntracks && !r->has_index01)
		return fail(r, r->track_line[r->ntracks - 1], PM_EFORMAT,
			    "track %02u has no INDEX 01", r->ntracks);
	if (r->has_pregap)
		return fail(r, r->pregap_line, PM_EFORMAT,
			    "PREGAP with no INDEX 01 after it");
	return 0;
}

static int new_track(struct rd *r, unsigned number, int line)
{
	if (end_track(r) < 0)
		return -1;
	if (number != r->ntracks + 1)
		return fail(r, line, PM_EFORMAT,
			    "track %02u where track %02u was due (tracks count from 01, one by one)",
			    number, r->ntracks + 1);
	if (r->ntracks == PM_MAX_TRACKS)
		return fail(r, line, PM_EFORMAT, "a disc holds at most 99 tracks");
	r->ntracks++;
	r->img->disc.ntracks = r->ntracks;
	r->track_line[r->ntracks - 1] = line;
	r->has_index01 = false;
	r->has_pregap = false;
	return 0;
}

static int set_isrc(struct rd *r, const char *s, int line)
{
	struct pm_pq_track *q = cur_track(r);
	char isrc[PM_ISRC_LEN + 1];
	const char *why;
	unsigned i;

	if (q->isrc[0])
		return fail(r, line, PM_EFORMAT, "a second ISRC for track %02u",
			    r->ntracks);
	if (!s || pm_isrc_normalize(s, isrc, &why) < 0)
		return fail(r, line, PM_EFORMAT, "ISRC '%s': %s", s ? s : "",
			    s ? why : "missing");
	for (i = 0; i + 1 < r->ntracks; i++)
		if (strcmp(r->img->disc.track[i].isrc, isrc) == 0)
			return fail(r, line, PM_EFORMAT,
				    "ISRC %s is also track %02u's (line %d); each recording has its own",
				    isrc, i + 1, r->isrc_line[i]);
	memcpy(q->isrc, isrc, sizeof(q->isrc));
	r->isrc_line[r->ntracks - 1] = line;
	return 0;
}

static int set_catalog(struct rd *r, const char *s, int line)
{
	char upc[PM_EAN_LEN + 1];
	const char *why;

	if (r->catalog_seen)
		return fail(r, line, PM_EFORMAT, "a second CATALOG");
	if (!s || pm_ean_normalize(s, upc, &why) < 0)
		return fail(r, line, PM_EFORMAT, "CATALOG '%s': %s", s ? s : "",
			    s ? why : "missing");
	memcpy(r->img->disc.upc, upc, sizeof(upc));
	r->catalog_seen = true;
	return 0;
}

/* ------------------------------------------------------------------ */
/* CUE                                                                  */
/* ------------------------------------------------------------------ */

struct tok {
	const char *s; /* NUL-terminated, in the line buffer */
	size_t n;
	bool quoted;
};

/* Split a line into words and "quoted strings" (CUE has no escapes). */
static int cue_tokens(struct rd *r, char *line, struct tok *t, int *nt)
{
	char *p = line;

	*nt = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return 0;
		if (*nt == MAX_TOKENS)
			return fail(r, r->line, PM_EFORMAT, "too many words on a line");
		if (*p == '"') {
			char *end = strchr(p + 1, '"');

			if (!end)
				return fail(r, r->line, PM_EFORMAT,
					    "a string with no closing quote");
			t[*nt].s = p + 1;
			t[*nt].n = (size_t)(end - p - 1);
			t[*nt].quoted = true;
			*end = '\0';
			p = end + 1;
			if (*p && *p != ' ' && *p != '\t')
				return fail(r, r->line, PM_EFORMAT,
					    "text right after a closing quote");
		} else {
			t[*nt].s = p;
			while (*p && *p != ' ' && *p != '\t')
				p++;
			t[*nt].n = (size_t)(p - t[*nt].s);
			t[*nt].quoted = false;
			if (*p)
				*p++ = '\0';
		}
		(*nt)++;
	}
}

static bool kw(const struct tok *t, const char *word)
{
	return !t->quoted && strcasecmp(t->s, word) == 0;
}

/* The value of a text keyword: one string, or words joined by spaces. */
static int cue_value(struct rd *r, struct tok *t, int nt, int from,
		     char *buf, size_t size, size_t *n)
{
	int i;

	*n = 0;
	if (from >= nt)
		return fail(r, r->line, PM_EFORMAT, "'%s' without a value",
			    t[0].s);
	if (t[from].quoted && from + 1 < nt)
		return fail(r, r->line, PM_EFORMAT, "'%s' after the string",
			    t[from + 1].s);
	for (i = from; i < nt; i++) {
		if (*n + t[i].n + 2 > size)
			return fail(r, r->line, PM_EFORMAT, "a text too long");
		if (i > from)
			buf[(*n)++] = ' ';
		memcpy(buf + *n, t[i].s, t[i].n);
		*n += t[i].n;
	}
	buf[*n] = '\0';
	return 0;
}

static int field_of(const char *word)
{
	static const char *const keys[PM_NFIELDS] = {
		"TITLE", "PERFORMER", "SONGWRITER", "COMPOSER", "ARRANGER",
		"MESSAGE",
	};
	int f;

	for (f = 0; f < PM_NFIELDS; f++)
		if (strcasecmp(word, keys[f]) == 0)
			return f;
	return -1;
}

static int cue_text(struct rd *r, int f, struct tok *t, int nt, int from)
{
	char buf[MAX_TEXT + 2];
	size_t n;

	if (cue_value(r, t, nt, from, buf, sizeof(buf), &n) < 0)
		return -1;
	return set_text(r, 0, f, r->ntracks, buf, n, r->line);
}

static int cue_rem(struct rd *r, struct tok *t, int nt)
{
	char buf[MAX_TEXT + 2];
	size_t n;
	int f;

	if (nt < 2)
		return 0;
	f = t[1].quoted ? -1 : field_of(t[1].s);
	/* premaster's own: REM COMPOSER/ARRANGER/MESSAGE "text" */
	if (f == PM_FIELD_COMPOSER || f == PM_FIELD_ARRANGER ||
	    f == PM_FIELD_MESSAGE)
		return cue_text(r, f, t, nt, 2);
	if (kw(&t[1], "DATE") && nt >= 3) {
		if (cue_value(r, t, nt, 2, buf, sizeof(buf), &n) < 0)
			return -1;
		/* a whole date is a release date; a year alone is not */
		if (n == 10 && buf[4] == '-' && buf[7] == '-' &&
		    strspn(buf, "0123456789-") == 10) {
			free(r->img->release_date);
			r->img->release_date = pm_strdup(buf, r->err);
			return r->img->release_date ? 0 : -1;
		}
		pm_debug("%s:%d: REM DATE '%s' is not a YYYY-MM-DD date; left out",
			 r->path, r->line, buf);
		return 0;
	}
	if (kw(&t[1], "GENRE") && nt >= 3) {
		if (cue_value(r, t, nt, 2, buf, sizeof(buf), &n) < 0)
			return -1;
		free(r->genre_text);
		r->genre_text = to_utf8(r, buf, n, r->line);
		return r->genre_text ? 0 : -1;
	}
	/* REM COMMENT, REM DISCID and the like say nothing about the disc */
	return 0;
}

static int cue_file(struct rd *r, struct tok *t, int nt)
{
	enum pm_piece_kind kind = PM_PIECE_FILE;
	bool be = false;
	char name[4096];

	if (nt != 3)
		return fail(r, r->line, PM_EFORMAT,
			    "FILE takes a name and a type (WAVE, AIFF, FLAC, MP3, BINARY, MOTOROLA)");
	if (kw(&t[2], "BINARY")) {
		kind = PM_PIECE_RAW;
	} else if (kw(&t[2], "MOTOROLA")) {
		kind = PM_PIECE_RAW;
		be = true;
	} else if (!kw(&t[2], "WAVE") && !kw(&t[2], "AIFF") &&
		   !kw(&t[2], "FLAC") && !kw(&t[2], "MP3")) {
		return fail(r, r->line, PM_EFORMAT,
			    "FILE type '%s': premaster takes WAVE, AIFF, FLAC, MP3, BINARY or MOTOROLA",
			    t[2].s);
	}
	if (t[1].n == 0 || t[1].n >= sizeof(name))
		return fail(r, r->line, PM_EFORMAT, "FILE without a name");
	memcpy(name, t[1].s, t[1].n + 1);
	if (r->have_file) {
		if (r->cur.partial)
			return fail(r, r->line, PM_EFORMAT,
				    "'%s' (line %d) is not a whole number of CD frames, so where this FILE starts is not on a frame",
				    r->cur.path, r->cur.line);
		if (r->last_time < 0 && r->ntracks == 0)
			return fail(r, r->cur.line, PM_EFORMAT,
				    "a FILE before any TRACK uses it");
		if (emit_rest(r) < 0)
			return -1;
		free(r->cur.path);
		r->cur.path = NULL;
	}
	if (open_file(r, &r->cur, name, kind, be, r->line) < 0) {
		free(r->cur.path);
		r->cur.path = NULL;
		return -1;
	}
	r->have_file = true;
	r->cursor = 0;
	r->last_time = -1;
	return 0;
}

static int cue_flags(struct rd *r, struct tok *t, int nt)
{
	struct pm_pq_track *q = cur_track(r);
	int i;

	for (i = 1; i < nt; i++) {
		if (kw(&t[i], "DCP")) {
			q->control |= PM_CTL_COPY;
		} else if (kw(&t[i], "PRE")) {
			q->control |= PM_CTL_PREEMPHASIS;
		} else if (kw(&t[i], "SCMS")) {
			q->scms = true;
		} else if (kw(&t[i], "4CH")) {
			return fail(r, r->line, PM_EFORMAT,
				    "four-channel audio (4CH) is not something premaster makes");
		} else if (kw(&t[i], "DATA")) {
			return fail(r, r->line, PM_EFORMAT,
				    "a data track: premaster makes audio CDs");
		} else {
			return fail(r, r->line, PM_EFORMAT,
				    "unknown flag '%s' (DCP, PRE, SCMS)", t[i].s);
		}
	}
	if ((q->control & PM_CTL_COPY) && q->scms)
		return fail(r, r->line, PM_EFORMAT,
			    "DCP and SCMS together: SCMS restricts the copying DCP permits");
	return 0;
}

static int cue_index(struct rd *r, struct tok *t, int nt)
{
	struct pm_pq_track *q;
	unsigned number;
	uint32_t time, at;

	if (!r->ntracks)
		return fail(r, r->line, PM_EFORMAT, "INDEX before any TRACK");
	if (!r->have_file)
		return fail(r, r->line, PM_EFORMAT, "INDEX before any FILE");
	if (nt != 3 || parse_num(t[1].s, 99, &number) < 0 || t[1].n != 2)
		return fail(r, r->line, PM_EFORMAT,
			    "INDEX takes a two-digit number and a time MM:SS:FF");
	if (msf(t[2].s, &time) < 0)
		return fail(r, r->line, PM_EFORMAT,
			    "INDEX time '%s' is not MM:SS:FF (SS below 60, FF below 75)",
			    t[2].s);
	q = cur_track(r);
	if (r->last_time >= 0 && (int64_t)time <= r->last_time)
		return fail(r, r->line, PM_EFORMAT,
			    "INDEX %02u at %s does not come after the previous index in this FILE",
			    number, t[2].s);
	if (time >= r->cur.frames)
		return fail(r, r->line, PM_EFORMAT,
			    "INDEX %02u at %s is past the end of '%s'", number,
			    t[2].s, r->cur.path);
	if (number == 0) {
		if (r->has_index01 || q->has_pause)
			return fail(r, r->line, PM_EFORMAT,
				    "INDEX 00 must come first in its track, once");
		if (r->has_pregap)
			return fail(r, r->line, PM_EFORMAT,
				    "PREGAP (line %d) and INDEX 00 both: is the pause silence added or the file's audio?",
				    r->pregap_line);
		if (r->ntracks == 1 && (r->img->npieces || time != r->cursor))
			return fail(r, r->line, PM_EFORMAT,
				    "track 01's INDEX 00 is not where the programme starts: what is the audio before it?");
		q->has_pause = true;
		q->pause_frames = r->emitted + (time - r->cursor);
		r->last_time = time;
		return 0;
	}
	if (number == 1) {
		if (r->has_index01)
			return fail(r, r->line, PM_EFORMAT, "a second INDEX 01");
		if (r->ntracks == 1 && !q->has_pause) {
			if (r->img->npieces || time != r->cursor)
				return fail(r, r->line, PM_EFORMAT,
					    "track 01's INDEX 01 is at %s with no INDEX 00: is the audio before it the pregap, or not on the disc? Add INDEX 00 00:00:00, or cut the file",
					    t[2].s);
			/* CDRWIN: the burner adds the pregap, in silence */
			if (emit_silence_at(r, time,
					    r->has_pregap ? r->pregap
							  : PM_PREGAP_FRAMES,
					    r->has_pregap ? r->pregap_line
							  : r->line) < 0)
				return -1;
			q->has_pause = true;
			q->pause_frames = 0;
		} else if (r->has_pregap) {
			q->has_pause = true;
			q->pause_frames = r->emitted + (time - r->cursor);
			if (emit_silence_at(r, time, r->pregap, r->pregap_line) < 0)
				return -1;
		}
		r->has_pregap = false;
		at = r->emitted + (time - r->cursor);
		if (r->ntracks == 1 && at < PM_PREGAP_FRAMES)
			return fail(r, r->line, PM_EFORMAT,
				    "the disc's first pause is %u frames; the Red Book wants at least 150 (2 seconds)",
				    at);
		if (q->has_pause && q->pause_frames == at)
			q->has_pause = r->ntracks == 1;
		if (!q->has_pause)
			q->pause_frames = at;
		q->index[0] = at;
		q->nindex = 1;
		r->has_index01 = true;
		r->last_time = time;
		return 0;
	}
	if (!r->has_index01 || number != q->nindex + 1)
		return fail(r, r->line, PM_EFORMAT,
			    "INDEX %02u where INDEX %02u was due", number,
			    r->has_index01 ? q->nindex + 1 : 1);
	q->index[q->nindex++] = r->emitted + (time - r->cursor);
	r->last_time = time;
	return 0;
}

static int cue_line(struct rd *r, struct tok *t, int nt)
{
	int f;

	if (kw(&t[0], "REM"))
		return cue_rem(r, t, nt);
	if (kw(&t[0], "CATALOG"))
		return nt != 2 ? fail(r, r->line, PM_EFORMAT,
				      "CATALOG takes one number")
			       : set_catalog(r, t[1].s, r->line);
	if (kw(&t[0], "CDTEXTFILE")) {
		if (nt != 2 || r->cdtext_file)
			return fail(r, r->line, PM_EFORMAT,
				    "CDTEXTFILE takes one name, once");
		r->cdtext_file = pm_strdup(t[1].s, r->err);
		r->cdtext_line = r->line;
		return r->cdtext_file ? 0 : -1;
	}
	if (kw(&t[0], "FILE"))
		return cue_file(r, t, nt);
	if (kw(&t[0], "TRACK")) {
		unsigned number;

		if (!r->have_file)
			return fail(r, r->line, PM_EFORMAT, "TRACK before any FILE");
		if (nt != 3 || t[1].n != 2 ||
		    parse_num(t[1].s, 99, &number) < 0)
			return fail(r, r->line, PM_EFORMAT,
				    "TRACK takes a two-digit number and a mode");
		if (!kw(&t[2], "AUDIO"))
			return fail(r, r->line, PM_EFORMAT,
				    "track mode %s: premaster makes audio CDs (AUDIO)",
				    t[2].s);
		return new_track(r, number, r->line);
	}
	if (kw(&t[0], "SONGWRITER") || kw(&t[0], "TITLE") ||
	    kw(&t[0], "PERFORMER") || kw(&t[0], "COMPOSER") ||
	    kw(&t[0], "ARRANGER") || kw(&t[0], "MESSAGE")) {
		f = field_of(t[0].s);
		return cue_text(r, f, t, nt, 1);
	}
	if (!r->ntracks)
		return fail(r, r->line, PM_EFORMAT, "'%s' before any TRACK",
			    t[0].s);
	if (kw(&t[0], "FLAGS"))
		return cue_flags(r, t, nt);
	if (kw(&t[0], "ISRC"))
		return nt != 2 ? fail(r, r->line, PM_EFORMAT, "ISRC takes one code")
			       : set_isrc(r, t[1].s, r->line);
	if (kw(&t[0], "PREGAP")) {
		if (nt != 2 || msf(t[1].s, &r->pregap) < 0)
			return fail(r, r->line, PM_EFORMAT,
				    "PREGAP takes a time MM:SS:FF");
		if (r->has_index01 || cur_track(r)->has_pause || r->has_pregap)
			return fail(r, r->line, PM_EFORMAT,
				    "PREGAP must come before the track's indexes, once");
		r->has_pregap = true;
		r->pregap_line = r->line;
		return 0;
	}
	if (kw(&t[0], "INDEX"))
		return cue_index(r, t, nt);
	if (kw(&t[0], "POSTGAP"))
		return fail(r, r->line, PM_EFORMAT,
			    "POSTGAP: silence after a track's audio is not something an album.xml can say; put it in the file");
	return fail(r, r->line, PM_EFORMAT, "unknown CUE keyword '%s'", t[0].s);
}

static int read_cue(struct rd *r, char *text)
{
	struct tok t[MAX_TOKENS];
	char *line = text, *next;
	int nt;

	r->last_time = -1;
	for (r->line = 1; line; r->line++, line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (*line && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (cue_tokens(r, line, t, &nt) < 0)
			return -1;
		if (nt && cue_line(r, t, nt) < 0)
			return -1;
	}
	r->line--;
	if (!r->ntracks)
		return fail(r, 0, PM_EFORMAT, "no TRACK");
	if (end_track(r) < 0 || emit_rest(r) < 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* TOC                                                                  */
/* ------------------------------------------------------------------ */

enum ttype { T_EOF = 0, T_WORD, T_NUM, T_MSF, T_STR, T_PUNCT };

struct lex {
	const char *p;
	int line;
	enum ttype type;
	char buf[MAX_TEXT + 2]; /* the token; a string's bytes */
	size_t n;
	int tline;
};

static int pragma(struct rd *r, const char *text, size_t n, int line);
static int toc_binary(struct rd *r, struct lex *x, uint8_t *out, size_t size,
		      size_t *n);

static int next_tok(struct rd *r, struct lex *x)
{
	static const char prefix[] = "// premaster: ";
	const char *p = x->p, *start;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			if (*p == '\n')
				x->line++;
			p++;
		}
		if (p[0] == '/' && p[1] == '/') {
			start = p;
			while (*p && *p != '\n')
				p++;
			if (r && strncmp(start, prefix, sizeof(prefix) - 1) == 0 &&
			    pragma(r, start + sizeof(prefix) - 1,
				   (size_t)(p - start) - (sizeof(prefix) - 1),
				   x->line) < 0)
				return -1;
			continue;
		}
		break;
	}
	x->tline = x->line;
	x->n = 0;
	if (!*p) {
		x->type = T_EOF;
		x->p = p;
		return 0;
	}
	if (*p == '"') {
		p++;
		while (*p != '"') {
			unsigned c = (unsigned char)*p;

			if (!*p || *p == '\n')
				return fail(r, x->tline, PM_EFORMAT,
					    "a string with no closing quote");
			if (*p == '\\') {
				p++;
				if (*p >= '0' && *p <= '7') {
					c = 0;
					for (int k = 0; k < 3 && *p >= '0' && *p <= '7'; k++)
						c = c * 8 + (unsigned)(*p++ - '0');
					if (c > 255)
						return fail(r, x->tline, PM_EFORMAT,
							    "an octal escape past \\377");
					p--;
				} else if (*p == '"' || *p == '\\') {
					c = (unsigned char)*p;
				} else {
					return fail(r, x->tline, PM_EFORMAT,
						    "unknown escape '\\%c' in a string",
						    *p ? *p : ' ');
				}
			}
			if (x->n + 1 >= sizeof(x->buf))
				return fail(r, x->tline, PM_EFORMAT,
					    "a string too long");
			x->buf[x->n++] = (char)c;
			p++;
		}
		x->buf[x->n] = '\0';
		x->p = p + 1;
		x->type = T_STR;
		return 0;
	}
	if (strchr("{}:,", *p)) {
		x->buf[0] = *p;
		x->buf[1] = '\0';
		x->n = 1;
		x->type = T_PUNCT;
		x->p = p + 1;
		return 0;
	}
	if (isalnum((unsigned char)*p) || *p == '_') {
		bool colon = false, alpha = false;

		while (isalnum((unsigned char)*p) || *p == '_' || *p == ':' ||
		       *p == '.') {
			if (x->n + 1 >= sizeof(x->buf))
				return fail(r, x->tline, PM_EFORMAT, "a word too long");
			colon |= *p == ':';
			alpha |= isalpha((unsigned char)*p) || *p == '_' || *p == '.';
			x->buf[x->n++] = *p++;
		}
		x->buf[x->n] = '\0';
		x->type = colon && !alpha ? T_MSF : alpha ? T_WORD : T_NUM;
		/* "0 : 9" in a language map: a number then a colon */
		if (x->type == T_MSF && strchr(x->buf, ':') == x->buf + x->n - 1) {
			x->buf[--x->n] = '\0';
			p--;
			x->type = T_NUM;
		}
		x->p = p;
		return 0;
	}
	return fail(r, x->line, PM_EFORMAT, "unexpected '%c'", *p);
}

/*
 * What premaster's TOC says in comments because cdrdao has no keyword for
 * it (SCMS) or libcdio cannot read it (DISC_ID, GENRE): "// premaster:
 * SCMS", "DISC_ID "text"", "GENRE n", "GENRE_TEXT "text"".  Others are
 * left alone: they may come from a later premaster.
 */
static int pragma(struct rd *r, const char *text, size_t n, int line)
{
	char buf[MAX_TEXT + 64];
	struct lex x = { .p = buf, .line = line };
	unsigned code;

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (next_tok(NULL, &x) < 0 || x.type != T_WORD)
		return 0;
	if (strcmp(x.buf, "SCMS") == 0) {
		if (!r->ntracks)
			return fail(r, line, PM_EFORMAT, "SCMS before any TRACK");
		cur_track(r)->scms = true;
		return 0;
	}
	if (strcmp(x.buf, "SIZE_INFO") == 0) {
		uint8_t bin[64];
		size_t nb;

		if (next_tok(NULL, &x) < 0 || x.type != T_NUM ||
		    parse_num(x.buf, 7, &code) < 0 ||
		    toc_binary(NULL, &x, bin, sizeof(bin), &nb) < 0 || nb < 4)
			return fail(r, line, PM_EFORMAT,
				    "SIZE_INFO takes a block number and its bytes");
		r->char_code[code] = bin[0];
		if (code == 0)
			r->copyright = bin[3] != 0;
		return 0;
	}
	return 0;
}

static bool is_word(const struct lex *x, const char *w)
{
	return x->type == T_WORD && strcmp(x->buf, w) == 0;
}

static bool is_punct(const struct lex *x, char c)
{
	return x->type == T_PUNCT && x->buf[0] == c;
}

static int expect(struct rd *r, struct lex *x, char c)
{
	if (next_tok(r, x) < 0)
		return -1;
	if (!is_punct(x, c))
		return fail(r, x->tline, PM_EFORMAT, "'%c' expected, not '%s'", c,
			    x->type == T_EOF ? "the end" : x->buf);
	return 0;
}

/* A length or position: samples, or MM:SS:FF (in samples). */
static int toc_length(struct rd *r, struct lex *x, int64_t *samples)
{
	uint32_t fr;
	uint64_t v;

	if (next_tok(r, x) < 0)
		return -1;
	if (x->type == T_MSF && msf(x->buf, &fr) == 0) {
		*samples = pm_frame_samples(fr);
		return 0;
	}
	if (x->type == T_NUM && pm_parse_uint(x->buf, 0, (uint64_t)1 << 40, &v) == 0) {
		*samples = (int64_t)v;
		return 0;
	}
	return fail(r, x->tline, PM_EFORMAT,
		    "'%s' is not a length (samples or MM:SS:FF)",
		    x->type == T_EOF ? "the end" : x->buf);
}

static int toc_msf(struct rd *r, struct lex *x, uint32_t *frames)
{
	if (next_tok(r, x) < 0)
		return -1;
	if (x->type != T_MSF || msf(x->buf, frames) < 0)
		return fail(r, x->tline, PM_EFORMAT,
			    "'%s' is not a time MM:SS:FF",
			    x->type == T_EOF ? "the end" : x->buf);
	return 0;
}

/*
 * The next item of a { ... } list: 1 with its first token in `x`, 0 at
 * the closing brace, -1 on error.
 */
static int list_next(struct rd *r, struct lex *x)
{
	if (next_tok(r, x) < 0)
		return -1;
	return is_punct(x, '}') ? 0 : 1;
}

/* The next item of a { ... } list, a number 0 to `max`, into *v. */
static int list_num(struct rd *r, struct lex *x, unsigned max, unsigned *v,
		    const char *what)
{
	int more = list_next(r, x);

	if (more > 0 && (x->type != T_NUM || parse_num(x->buf, max, v) < 0))
		return fail(r, x->tline, PM_EFORMAT, "%s", what);
	return more;
}

/* { n, n, ... } into bytes. */
static int toc_binary(struct rd *r, struct lex *x, uint8_t *out, size_t size,
		      size_t *n)
{
	unsigned v;

	*n = 0;
	if (expect(r, x, '{') < 0)
		return -1;
	for (;;) {
		int more = list_num(r, x, 255, &v,
				    "binary CD-TEXT data takes numbers 0 to 255");

		if (more <= 0)
			return more;
		if (*n >= size)
			return fail(r, x->tline, PM_EFORMAT,
				    "binary CD-TEXT data takes numbers 0 to 255");
		out[(*n)++] = (uint8_t)v;
		if (next_tok(r, x) < 0)
			return -1;
		if (is_punct(x, '}'))
			return 0;
		if (!is_punct(x, ','))
			return fail(r, x->tline, PM_EFORMAT, "',' expected");
	}
}

static int toc_language_map(struct rd *r, struct lex *x)
{
	unsigned n, code;

	if (expect(r, x, '{') < 0)
		return -1;
	for (;;) {
		int more = list_num(r, x, 7, &n,
				    "a language number 0 to 7 expected");

		if (more <= 0)
			return more;
		if (expect(r, x, ':') < 0 || next_tok(r, x) < 0)
			return -1;
		if (is_word(x, "EN"))
			code = 0x09;
		else if (x->type != T_NUM || parse_num(x->buf, 255, &code) < 0)
			return fail(r, x->tline, PM_EFORMAT,
				    "a language code (0 to 255, or EN) expected");
		r->lang_code[n] = code;
		r->lang_mapped[n] = true;
	}
}

static int toc_language(struct rd *r, struct lex *x, unsigned track)
{
	uint8_t bin[256];
	unsigned lang;
	size_t n;
	int f;

	if (next_tok(r, x) < 0)
		return -1;
	if (x->type != T_NUM || parse_num(x->buf, 7, &lang) < 0)
		return fail(r, x->tline, PM_EFORMAT,
			    "LANGUAGE takes a number 0 to 7");
	if (!r->lang_mapped[lang])
		return fail(r, x->tline, PM_EFORMAT,
			    "LANGUAGE %u is not in the LANGUAGE_MAP", lang);
	if (expect(r, x, '{') < 0)
		return -1;
	for (;;) {
		int line, more = list_next(r, x);

		if (more <= 0)
			return more;
		line = x->tline;
		if (x->type != T_WORD)
			return fail(r, line, PM_EFORMAT, "a CD-TEXT item expected");
		f = field_of(x->buf);
		if (f >= 0) {
			if (next_tok(r, x) < 0)
				return -1;
			if (x->type != T_STR)
				return fail(r, line, PM_EFORMAT,
					    "%s takes a string", pm_field_element[f]);
			if (set_text(r, lang, f, track, x->buf, x->n, line) < 0)
				return -1;
		} else if (is_word(x, "DISC_ID") || is_word(x, "UPC_EAN") ||
			   is_word(x, "ISRC")) {
			bool disc_id = is_word(x, "DISC_ID");

			if (next_tok(r, x) < 0)
				return -1;
			if (x->type != T_STR)
				return fail(r, line, PM_EFORMAT, "a string expected");
			if (disc_id && lang == 0 && track == 0 && x->n) {
				free(r->disc_id);
				r->disc_id = to_utf8(r, x->buf, x->n, line);
				if (!r->disc_id)
					return -1;
			}
		} else if (is_word(x, "GENRE")) {
			if (toc_binary(r, x, bin, sizeof(bin), &n) < 0)
				return -1;
			if (lang == 0 && n >= 2) {
				r->genre_code = (unsigned)bin[0] << 8 | bin[1];
				while (n > 2 && bin[n - 1] == 0)
					n--;
				free(r->genre_text);
				r->genre_text = n > 2 ? to_utf8(r, (char *)bin + 2,
								n - 2, line)
						      : NULL;
				if (n > 2 && !r->genre_text)
					return -1;
			}
		} else if (is_word(x, "SIZE_INFO")) {
			if (toc_binary(r, x, bin, sizeof(bin), &n) < 0)
				return -1;
			if (n >= 4 && track == 0) {
				r->char_code[lang] = bin[0];
				if (lang == 0)
					r->copyright = bin[3] != 0;
			}
		} else if (is_word(x, "TOC_INFO1") || is_word(x, "TOC_INFO2")) {
			if (toc_binary(r, x, bin, sizeof(bin), &n) < 0)
				return -1;
		} else {
			return fail(r, line, PM_EFORMAT,
				    "unknown CD-TEXT item '%s'", x->buf);
		}
	}
}

static int toc_cdtext(struct rd *r, struct lex *x, unsigned track)
{
	if (expect(r, x, '{') < 0)
		return -1;
	for (;;) {
		int more = list_next(r, x);

		if (more <= 0)
			return more;
		if (is_word(x, "LANGUAGE_MAP")) {
			if (track)
				return fail(r, x->tline, PM_EFORMAT,
					    "LANGUAGE_MAP belongs in the disc's CD_TEXT");
			if (toc_language_map(r, x) < 0)
				return -1;
		} else if (is_word(x, "LANGUAGE")) {
			if (toc_language(r, x, track) < 0)
				return -1;
		} else {
			return fail(r, x->tline, PM_EFORMAT,
				    "LANGUAGE_MAP or LANGUAGE expected, not '%s'",
				    x->type == T_EOF ? "the end" : x->buf);
		}
	}
}

/* How cdrdao reads a FILE: WAVE by the .wav ending, raw otherwise. */
static int toc_file(struct rd *r, struct lex *x, int64_t *track_len)
{
	char name[sizeof(x->buf)];
	const char *dot;
	struct sfile f;
	int64_t start, len = 0;
	int line = x->tline, ret = -1;
	bool raw;

	if (next_tok(r, x) < 0)
		return -1;
	if (x->type != T_STR || x->n == 0)
		return fail(r, line, PM_EFORMAT, "FILE takes a file name in quotes");
	memcpy(name, x->buf, x->n + 1);
	dot = strrchr(name, '.');
	raw = !dot || strcasecmp(dot, ".wav") != 0;
	if (raw && dot &&
	    (strcasecmp(dot, ".flac") == 0 || strcasecmp(dot, ".aif") == 0 ||
	     strcasecmp(dot, ".aiff") == 0 || strcasecmp(dot, ".ogg") == 0 ||
	     strcasecmp(dot, ".mp3") == 0))
		return fail(r, line, PM_EFORMAT,
			    "'%s': cdrdao reads a file not ending in .wav as raw samples, but this looks like %s; convert it to WAVE",
			    name, dot + 1);
	if (toc_length(r, x, &start) < 0)
		return -1;
	/* an optional length: a number or a time right after */
	{
		struct lex save = *x;

		if (next_tok(r, x) < 0)
			return -1;
		if (x->type == T_NUM || x->type == T_MSF) {
			*x = save;
			if (toc_length(r, x, &len) < 0)
				return -1;
		} else {
			*x = save;
		}
	}
	if (open_file(r, &f, name, raw ? PM_PIECE_RAW : PM_PIECE_FILE, raw,
		      line) < 0)
		goto out;
	if (!raw && f.rate != PM_CD_RATE)
		ret = fail(r, line, PM_EFORMAT,
			   "'%s' is at %u Hz; cdrdao takes 44.1 kHz", name, f.rate);
	if (!raw && f.rate != PM_CD_RATE)
		goto out;
	if (start > f.samples || (len && start + len > f.samples)) {
		fail(r, line, PM_EFORMAT,
		     "'%s' has %lld samples; this takes %lld from %lld", name,
		     (long long)f.samples, (long long)len, (long long)start);
		goto out;
	}
	if (!len)
		len = f.samples - start;
	if (len % PM_SAMPLES_PER_FRAME || *track_len % PM_SAMPLES_PER_FRAME) {
		fail(r, line, PM_EFORMAT,
		     "%lld samples from '%s' after %lld: not whole CD frames (588 samples), and cdrdao would pad each track with silence",
		     (long long)len, name, (long long)*track_len);
		goto out;
	}
	if (pm_disc_image_add(r->img, f.kind, f.path,
			      raw ? start * 4 : start, PM_CD_RATE,
			      (uint32_t)(len / PM_SAMPLES_PER_FRAME), NULL,
			      r->err) < 0)
		goto out;
	r->img->pieces[r->img->npieces - 1].big_endian = raw;
	snprintf(r->img->pieces[r->img->npieces - 1].where,
		 sizeof(r->img->pieces[0].where), "%s:%d", r->path, line);
	*track_len += len;
	ret = 0;
out:
	free(f.path);
	return ret;
}

static int toc_silence(struct rd *r, int64_t samples, int line,
		       int64_t *track_len)
{
	char where[96];

	if (samples % PM_SAMPLES_PER_FRAME || *track_len % PM_SAMPLES_PER_FRAME)
		return fail(r, line, PM_EFORMAT,
			    "silence of %lld samples: not whole CD frames (588 samples)",
			    (long long)samples);
	snprintf(where, sizeof(where), "%s:%d", r->path, line);
	if (samples && pm_disc_image_add(r->img, PM_PIECE_SILENCE, NULL, 0, 0,
					 (uint32_t)(samples /
						    PM_SAMPLES_PER_FRAME),
					 where, r->err) < 0)
		return -1;
	*track_len += samples;
	return 0;
}

/* One track's statements; `x` holds the TRACK keyword. */
static int toc_track(struct rd *r, struct lex *x, uint32_t *at)
{
	struct pm_pq_track *q;
	int64_t len = 0, s;
	bool has_start = false, has_data = false, no = false;
	uint32_t start = 0, fr, idx[98];
	unsigned nidx = 0, k;
	int line = x->tline;

	if (next_tok(r, x) < 0)
		return -1;
	if (!is_word(x, "AUDIO"))
		return fail(r, line, PM_EFORMAT,
			    "track mode %s: premaster makes audio CDs (AUDIO)",
			    x->type == T_EOF ? "missing" : x->buf);
	if (new_track(r, r->ntracks + 1, line) < 0)
		return -1;
	q = cur_track(r);
	for (;;) {
		struct lex save = *x;
		int l;

		if (next_tok(r, x) < 0)
			return -1;
		l = x->tline;
		if (x->type == T_EOF || is_word(x, "TRACK")) {
			*x = save;
			break;
		}
		if (no && !is_word(x, "COPY") && !is_word(x, "PRE_EMPHASIS"))
			return fail(r, l, PM_EFORMAT,
				    "NO goes before COPY or PRE_EMPHASIS");
		if (is_word(x, "NO")) {
			no = true;
			continue;
		}
		if (is_word(x, "COPY")) {
			q->control = no ? q->control & ~(unsigned)PM_CTL_COPY
					: q->control | PM_CTL_COPY;
		} else if (is_word(x, "PRE_EMPHASIS")) {
			q->control = no ? q->control & ~(unsigned)PM_CTL_PREEMPHASIS
					: q->control | PM_CTL_PREEMPHASIS;
		} else if (is_word(x, "TWO_CHANNEL_AUDIO")) {
		} else if (is_word(x, "FOUR_CHANNEL_AUDIO")) {
			return fail(r, l, PM_EFORMAT,
				    "four-channel audio is not something premaster makes");
		} else if (is_word(x, "RW") || is_word(x, "RW_RAW")) {
			return fail(r, l, PM_EFORMAT,
				    "R-W sub-channel data is not something premaster makes");
		} else if (is_word(x, "ISRC")) {
			if (next_tok(r, x) < 0)
				return -1;
			if (x->type != T_STR)
				return fail(r, l, PM_EFORMAT, "ISRC takes a string");
			if (set_isrc(r, x->buf, l) < 0)
				return -1;
		} else if (is_word(x, "CD_TEXT")) {
			if (toc_cdtext(r, x, r->ntracks) < 0)
				return -1;
		} else if (is_word(x, "FILE") || is_word(x, "AUDIOFILE")) {
			if (toc_file(r, x, &len) < 0)
				return -1;
			has_data = true;
		} else if (is_word(x, "SILENCE")) {
			if (toc_length(r, x, &s) < 0 || toc_silence(r, s, l, &len) < 0)
				return -1;
			has_data = true;
		} else if (is_word(x, "PREGAP")) {
			if (has_start || has_data)
				return fail(r, l, PM_EFORMAT,
					    "PREGAP comes first in a track, instead of START");
			if (toc_msf(r, x, &fr) < 0 ||
			    toc_silence(r, pm_frame_samples(fr), l, &len) < 0)
				return -1;
			has_start = true;
			start = fr;
		} else if (is_word(x, "START")) {
			struct lex save2 = *x;

			if (has_start)
				return fail(r, l, PM_EFORMAT, "a second START or PREGAP");
			if (next_tok(r, x) < 0)
				return -1;
			if (x->type == T_MSF) {
				*x = save2;
				if (toc_msf(r, x, &start) < 0)
					return -1;
			} else {
				*x = save2;
				start = (uint32_t)(len / PM_SAMPLES_PER_FRAME);
			}
			has_start = true;
		} else if (is_word(x, "INDEX")) {
			if (toc_msf(r, x, &fr) < 0)
				return -1;
			if (nidx == 98 || fr == 0 || (nidx && fr <= idx[nidx - 1]))
				return fail(r, l, PM_EFORMAT,
					    "INDEX %s does not come after index %02u",
					    x->buf, nidx + 1);
			idx[nidx++] = fr;
		} else if (is_word(x, "ZERO") || is_word(x, "DATAFILE") ||
			   is_word(x, "FIFO")) {
			return fail(r, l, PM_EFORMAT,
				    "%s: premaster reads audio from files", x->buf);
		} else {
			return fail(r, l, PM_EFORMAT, "unknown TOC statement '%s'",
				    x->type == T_EOF ? "" : x->buf);
		}
		no = false;
	}
	if (!has_data || len == 0)
		return fail(r, line, PM_EFORMAT, "track %02u has no audio",
			    r->ntracks);
	if (start * (int64_t)PM_SAMPLES_PER_FRAME >= len)
		return fail(r, line, PM_EFORMAT,
			    "track %02u's START is at or past the end of its audio",
			    r->ntracks);
	if (r->ntracks == 1) {
		if (!has_start) {
			/* cdrdao writes the first pregap itself, in silence */
			struct pm_piece first;

			if (pm_disc_image_add(r->img, PM_PIECE_SILENCE, NULL, 0, 0,
					      PM_PREGAP_FRAMES, NULL, r->err) < 0)
				return -1;
			first = r->img->pieces[r->img->npieces - 1];
			memmove(r->img->pieces + 1, r->img->pieces,
				(r->img->npieces - 1) * sizeof(first));
			r->img->pieces[0] = first;
			*at += PM_PREGAP_FRAMES;
			start = 0;
		} else if (start < PM_PREGAP_FRAMES) {
			return fail(r, line, PM_EFORMAT,
				    "the disc's first pause is %u frames; the Red Book wants at least 150 (2 seconds)",
				    start);
		}
		q->has_pause = true;
		q->pause_frames = 0;
	} else {
		q->has_pause = start > 0;
		q->pause_frames = *at;
	}
	q->index[0] = *at + start;
	q->nindex = 1;
	for (k = 0; k < nidx; k++) {
		if (start + idx[k] >= len / PM_SAMPLES_PER_FRAME)
			return fail(r, line, PM_EFORMAT,
				    "track %02u's index %02u lies past its audio",
				    r->ntracks, k + 2);
		q->index[q->nindex++] = *at + start + idx[k];
	}
	*at += (uint32_t)((len + PM_SAMPLES_PER_FRAME - 1) / PM_SAMPLES_PER_FRAME);
	r->has_index01 = true;
	return 0;
}

static int read_toc(struct rd *r, char *text)
{
	struct lex x = { .p = text, .line = 1 };
	uint32_t at = 0;
	bool header = true;

	for (;;) {
		if (next_tok(r, &x) < 0)
			return -1;
		if (x.type == T_EOF)
			break;
		r->line = x.tline;
		if (is_word(&x, "TRACK")) {
			header = false;
			if (toc_track(r, &x, &at) < 0)
				return -1;
			continue;
		}
		if (!header)
			return fail(r, x.tline, PM_EFORMAT,
				    "'%s' after the tracks began", x.buf);
		if (is_word(&x, "CD_DA")) {
			continue;
		} else if (is_word(&x, "CD_ROM") || is_word(&x, "CD_ROM_XA") ||
			   is_word(&x, "CD_I")) {
			return fail(r, x.tline, PM_EFORMAT,
				    "%s: premaster makes audio CDs (CD_DA)", x.buf);
		} else if (is_word(&x, "CATALOG")) {
			int line = x.tline;

			if (next_tok(r, &x) < 0)
				return -1;
			if (x.type != T_STR)
				return fail(r, line, PM_EFORMAT,
					    "CATALOG takes a string of 13 digits");
			if (set_catalog(r, x.buf, line) < 0)
				return -1;
		} else if (is_word(&x, "CD_TEXT")) {
			if (toc_cdtext(r, &x, 0) < 0)
				return -1;
		} else {
			return fail(r, x.tline, PM_EFORMAT,
				    "unknown TOC statement '%s'", x.buf);
		}
	}
	if (!r->ntracks)
		return fail(r, 0, PM_EFORMAT, "no TRACK");
	r->emitted = at;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The disc's texts                                                     */
/* ------------------------------------------------------------------ */

static int load_cdtext_file(struct rd *r)
{
	struct pm_disc_image *img = r->img;
	char *path = resolve(r, r->cdtext_file);
	uint8_t *buf = NULL;
	size_t n = 0, off = 0;
	FILE *fp;
	int ret = -1;

	if (!path)
		return -1;
	fp = fopen(path, "rb");
	if (!fp) {
		fail(r, r->cdtext_line, PM_ENOINPUT, "cannot open '%s': %s",
		     r->cdtext_file, strerror(errno));
		goto out;
	}
	buf = pm_malloc(MAX_CDTEXT_FILE + 1, r->err);
	if (buf)
		n = fread(buf, 1, MAX_CDTEXT_FILE + 1, fp);
	fclose(fp);
	if (!buf)
		goto out;
	if (n > MAX_CDTEXT_FILE) {
		fail(r, r->cdtext_line, PM_EFORMAT, "'%s' is too big for CD-TEXT",
		     r->cdtext_file);
		goto out;
	}
	/* cdrecord's form: a 4-byte header giving the length */
	if (n % PM_CDTEXT_PACK_BYTES == 4 &&
	    ((size_t)buf[0] << 8 | buf[1]) == n - 2)
		off = 4;
	if (n - off < PM_CDTEXT_PACK_BYTES ||
	    pm_cdtext_validate(buf + off, n - off, r->ntracks, path) > 0) {
		fail(r, r->cdtext_line, PM_EFORMAT,
		     "'%s' is not sound CD-TEXT for %u tracks (see above)",
		     r->cdtext_file, r->ntracks);
		goto out;
	}
	if (pm_cdio_cdtext_decode(buf + off, n - off, &img->text, r->err) < 0) {
		pm_err_prefix(r->err, "%s:%d: ", r->path, r->cdtext_line);
		goto out;
	}
	n -= off;
	if (n % PM_CDTEXT_PACK_BYTES)
		n--; /* the tolerated trailing 0x00 */
	img->cdtext = pm_malloc(n, r->err);
	if (!img->cdtext)
		goto out;
	memcpy(img->cdtext, buf + off, n);
	img->cdtext_bytes = n;
	img->has_text = true;
	ret = 0;
out:
	free(buf);
	free(path);
	return ret;
}

/* A CUE writes '"' as '\'': the same text for a keyword. */
static bool same_as_keyword(const char *kwtext, const char *bin)
{
	if (!bin)
		return false;
	for (; *kwtext && *bin; kwtext++, bin++)
		if (*kwtext != *bin && !(*bin == '"' && *kwtext == '\''))
			return false;
	return *kwtext == *bin;
}

/* The keywords and the CDTEXTFILE's first block must say the same. */
static int compare_keywords(struct rd *r)
{
	const struct pm_cdtext_lang *b0 = &r->img->text.block[0];
	unsigned t;
	int f;

	if (b0->char_code != 0x00 && b0->char_code != 0x01)
		return 0; /* MS-JIS keywords are bytes we cannot compare */
	for (f = 0; f < PM_NFIELDS; f++)
		for (t = 0; t <= r->ntracks; t++)
			if (r->text[0][f][t] &&
			    !same_as_keyword(r->text[0][f][t], b0->text[f][t]))
				return fail(r, r->text_line[f][t], PM_EFORMAT,
					    "%s '%s' is not what '%s' says (%s%s%s): which is it?",
					    pm_field_element[f], r->text[0][f][t],
					    r->cdtext_file,
					    b0->text[f][t] ? "'" : "nothing",
					    b0->text[f][t] ? b0->text[f][t] : "",
					    b0->text[f][t] ? "'" : "");
	return 0;
}

/* The keywords' texts as the disc's CD-TEXT. */
static int keyword_texts(struct rd *r)
{
	struct pm_cdtext_text *ct = &r->img->text;
	unsigned b, nb = 0, t;
	int f;

	if (!r->is_toc) {
		r->lang_mapped[0] = true;
		r->lang_code[0] = 0x09;
	}
	for (b = 0; b < 8; b++)
		if (r->lang_mapped[b])
			nb = b + 1;
	for (b = 0; b < nb; b++) {
		struct pm_cdtext_lang *l = &ct->block[b];

		if (!r->lang_mapped[b])
			return fail(r, 0, PM_EFORMAT,
				    "LANGUAGE_MAP names %u but not %u: CD-TEXT blocks have no holes",
				    nb - 1, b);
		l->block = b;
		l->lang_code = r->lang_code[b];
		l->char_code = r->char_code[b] >= 0 ? (unsigned)r->char_code[b]
						    : 0x00;
		if (l->char_code == 0x80)
			return fail(r, 0, PM_EFORMAT,
				    "CD-TEXT language %u is MS-JIS, whose bytes a TOC cannot say are MS-JIS to premaster; import the DDP instead",
				    b);
		l->copyright = r->copyright;
		l->first_track = 1;
		l->last_track = r->ntracks;
		for (f = 0; f < PM_NFIELDS; f++)
			for (t = 0; t <= r->ntracks; t++) {
				l->text[f][t] = r->text[b][f][t];
				r->text[b][f][t] = NULL;
			}
		if (r->disc_id && !(l->disc_id = pm_strdup(r->disc_id, r->err)))
			return -1;
		l->genre_code = r->genre_code;
		if (r->genre_text &&
		    !(l->genre_text = pm_strdup(r->genre_text, r->err)))
			return -1;
	}
	ct->nblocks = nb;
	r->img->has_text = nb > 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* libcdio's reading                                                    */
/* ------------------------------------------------------------------ */

/*
 * A sheet of one file is read by libcdio as well; it must agree.  Its
 * positions are the file's own: our A-time less where the file starts.
 */
static int cross_check(struct rd *r)
{
	const struct pm_disc_image *img = r->img;
	const struct pm_disc *d = &img->disc;
	struct pm_image_layout *l;
	struct pm_err e = { 0 };
	const char *file = NULL;
	uint32_t base = 0, at = 0;
	unsigned t;
	size_t i;
	int ret = 0;

	for (i = 0; i < img->npieces; i++) {
		const struct pm_piece *p = &img->pieces[i];

		if (p->kind == PM_PIECE_SILENCE) {
			if (!file)
				base += p->frames;
			continue;
		}
		if (p->kind != PM_PIECE_FILE || (file && strcmp(file, p->path)))
			return 0; /* libcdio links one WAVE file */
		file = p->path;
		at += p->frames;
	}
	(void)at;
	if (!file)
		return 0;
	l = pm_calloc(1, sizeof(*l), r->err);
	if (!l)
		return -1;
	if (pm_cdio_read_image(r->path, r->is_toc, file, l, &e) < 0) {
		pm_note("%s: libcdio cannot read it (%s); premaster's reading stands alone",
			r->path, e.msg);
		free(l);
		return 0;
	}
	if (l->ntracks != d->ntracks) {
		ret = fail(r, 0, PM_EFORMAT,
			   "libcdio reads %u tracks, premaster %u: refusing a sheet read two ways",
			   l->ntracks, d->ntracks);
		goto out;
	}
	for (t = 1; t <= d->ntracks; t++) {
		const struct pm_pq_track *q = &d->track[t - 1];

		if (l->start_lsn[t] != (int32_t)(q->index[0] - base))
			ret = fail(r, r->track_line[t - 1], PM_EFORMAT,
				   "libcdio puts track %02u's INDEX 01 at frame %d of the file, premaster at %u: refusing a sheet read two ways",
				   t, l->start_lsn[t], q->index[0] - base);
		else if (strcmp(l->isrc[t], q->isrc) != 0)
			ret = fail(r, r->track_line[t - 1], PM_EFORMAT,
				   "libcdio reads track %02u's ISRC as '%s', premaster as '%s'",
				   t, l->isrc[t], q->isrc);
		else if (l->preemphasis[t] !=
				 ((q->control & PM_CTL_PREEMPHASIS) != 0) ||
			 l->copy[t] != ((q->control & PM_CTL_COPY) != 0))
			ret = fail(r, r->track_line[t - 1], PM_EFORMAT,
				   "libcdio reads track %02u's flags otherwise",
				   t);
		if (ret < 0)
			goto out;
	}
	if (strcmp(l->mcn, d->upc) != 0 && !(l->mcn[0] == '\0' && !d->upc[0]))
		ret = fail(r, 0, PM_EFORMAT,
			   "libcdio reads the catalogue number as '%s', premaster as '%s'",
			   l->mcn, d->upc);
out:
	free(l);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Reading                                                              */
/* ------------------------------------------------------------------ */

static char *slurp(struct rd *r, size_t *len)
{
	FILE *fp = fopen(r->path, "rb");
	char *buf;
	size_t n;

	if (!fp) {
		pm_err_sys(r->err, PM_ENOINPUT, "cannot open '%s'", r->path);
		return NULL;
	}
	buf = pm_malloc(PM_SHEET_MAX_BYTES + 1, r->err);
	if (!buf) {
		fclose(fp);
		return NULL;
	}
	n = fread(buf, 1, PM_SHEET_MAX_BYTES + 1, fp);
	if (ferror(fp)) {
		pm_err_sys(r->err, PM_EIO, "cannot read '%s'", r->path);
		goto fail;
	}
	if (n > PM_SHEET_MAX_BYTES) {
		pm_err_set(r->err, PM_EFORMAT,
			   "'%s' is larger than %u bytes: not a sheet", r->path,
			   PM_SHEET_MAX_BYTES);
		goto fail;
	}
	if (memchr(buf, '\0', n)) {
		pm_err_set(r->err, PM_EFORMAT, "'%s' is not text (it holds NUL bytes)",
			   r->path);
		goto fail;
	}
	buf[n] = '\0';
	fclose(fp);
	*len = n;
	return buf;
fail:
	fclose(fp);
	free(buf);
	return NULL;
}

static void release(struct rd *r)
{
	unsigned b, t;
	int f;

	for (b = 0; b < 8; b++)
		for (f = 0; f < PM_NFIELDS; f++)
			for (t = 0; t <= PM_MAX_TRACKS; t++)
				free(r->text[b][f][t]);
	free(r->cur.path);
	free(r->dir);
	free(r->disc_id);
	free(r->genre_text);
	free(r->cdtext_file);
}

int pm_sheet_read(const char *path, bool is_toc, struct pm_disc_image *img,
		  struct pm_err *err)
{
	struct rd *r;
	char *text = NULL, *body, *slash;
	struct pm_disc_limits lim = pm_disc_limits_default();
	struct pm_disc_lines lines;
	unsigned problems;
	size_t n = 0;
	int ret = -1;

	memset(img, 0, sizeof(*img));
	r = pm_calloc(1, sizeof(*r), err);
	if (!r)
		return -1;
	r->path = path;
	r->is_toc = is_toc;
	r->img = img;
	r->err = err;
	for (int b = 0; b < 8; b++)
		r->char_code[b] = -1;
	r->dir = pm_strdup(path, err);
	if (!r->dir)
		goto out;
	slash = strrchr(r->dir, '/');
	if (slash)
		*(slash == r->dir ? slash + 1 : slash) = '\0';
	else
		snprintf(r->dir, strlen(path) + 1, ".");
	n = strlen(path) + 24;
	img->origin = pm_malloc(n, err);
	if (!img->origin)
		goto out;
	snprintf(img->origin, n, "%s '%s'", is_toc ? "TOC" : "CUE sheet", path);
	text = slurp(r, &n);
	if (!text)
		goto out;
	body = text;
	if (n >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
		body += 3; /* a UTF-8 byte-order mark */
	if ((is_toc ? read_toc(r, body) : read_cue(r, body)) < 0)
		goto out;
	img->disc.leadout_frames = r->emitted;
	/* the texts: the CDTEXTFILE's blocks, else what the sheet says */
	if (r->cdtext_file) {
		if (load_cdtext_file(r) < 0 || compare_keywords(r) < 0)
			goto out;
	} else if (r->any_text || r->lang_mapped[0]) {
		if (keyword_texts(r) < 0)
			goto out;
	}
	lines.disc = 0;
	lines.ntracks = r->ntracks;
	lines.track = r->track_line;
	problems = pm_disc_check_at(&img->disc, &lim, path, &lines);
	if (problems) {
		pm_err_set(err, PM_EFORMAT,
			   "'%s' breaks %u Red Book rule%s (see above)", path,
			   problems, problems == 1 ? "" : "s");
		goto out;
	}
	if (cross_check(r) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		pm_disc_image_release(img);
	release(r);
	free(r);
	free(text);
	return ret;
}
