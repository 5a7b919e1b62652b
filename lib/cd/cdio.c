/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cdio.c: disc images through libcdio, the only file that includes its
 * headers.  Sections: libcdio plumbing (its global log handler), CD-TEXT
 * decoding, and reading CUE and TOC sheets back (libcdio's bincue and
 * cdrdao drivers).
 */
#include <config.h>

#include "cd/cdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cdio/cdio.h>
#include <cdio/cdtext.h>
#include <cdio/track.h>
#include <cdio/logging.h>

#include "cd/cdtext.h"
#include "util/log.h"

#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* libcdio plumbing                                                     */
/* ------------------------------------------------------------------ */

/*
 * libcdio reports through one process-wide handler, which prints to
 * stderr by default.  While we call into it, its messages go to util/log
 * instead and the last one is kept, to explain a failure in `err`.  (Not
 * thread-safe, like libcdio's handler itself.)
 */
static char cdio_last[256];

static void on_cdio_log(cdio_log_level_t level, const char message[])
{
	size_t n;

	snprintf(cdio_last, sizeof(cdio_last), "%s", message ? message : "");
	n = strlen(cdio_last);
	while (n > 0 && (cdio_last[n - 1] == '\n' || cdio_last[n - 1] == ' '))
		cdio_last[--n] = '\0';
	pm_debug("libcdio (level %d): %s", (int)level, cdio_last);
}

static cdio_log_handler_t cdio_enter(void)
{
	cdio_last[0] = '\0';
	return cdio_log_set_handler(on_cdio_log);
}

static void cdio_leave(cdio_log_handler_t old)
{
	cdio_log_set_handler(old);
}

/* ------------------------------------------------------------------ */
/* CD-TEXT                                                              */
/* ------------------------------------------------------------------ */

#define PACK         PM_CDTEXT_PACK_BYTES
#define PAYLOAD      12
#define DBCC_BIT     0x80u
#define BLOCK_OF(b3) (((unsigned)(b3) >> 4) & 0x07u)
/* libcdio 2.1 gathers a string in a 256-byte stack buffer, unchecked */
#define CDIO_MAX_STRING_BYTES 254

/*
 * The copy of a block that libcdio gets: every string starts a pack of
 * its own, so that libcdio's track numbers cannot drift.
 */
struct relay {
	uint8_t *packs;
	size_t n, cap;
	unsigned block;
};

static uint8_t *new_pack(struct relay *r, struct pm_err *err)
{
	uint8_t *q;

	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		uint8_t *p = pm_reallocarray(r->packs, cap, PACK, err);

		if (!p)
			return NULL;
		r->packs = p;
		r->cap = cap;
	}
	q = r->packs + r->n++ * PACK;
	memset(q, 0, PACK);
	return q;
}

/*
 * Put one string (without its terminator) of `track` as packs of `type`.
 * `prefix` bytes (the genre code) open every pack.  An empty string needs
 * no pack: libcdio would skip it anyway.
 */
static int relay_string(struct relay *r, unsigned type, unsigned track,
			bool is_dbcc, const uint8_t *s, size_t n,
			const uint8_t *prefix, size_t nprefix,
			struct pm_err *err)
{
	size_t width = is_dbcc ? 2 : 1, room = PAYLOAD - nprefix;
	size_t total = n + width, off, k;

	if (n == 0 && nprefix == 0)
		return 0; /* the genre code alone still counts */
	if (n > CDIO_MAX_STRING_BYTES)
		return pm_err_set(
			err, PM_EUNSUPPORTED,
			"CD-TEXT block %u: a string of pack type 0x%02X for track %u is %zu bytes long; libcdio decodes at most %d",
			r->block, type, track, n, CDIO_MAX_STRING_BYTES);
	for (off = 0; off < total; off += room) {
		uint8_t *q = new_pack(r, err);
		size_t pos = off / width;

		if (!q)
			return -1;
		q[0] = (uint8_t)type;
		q[1] = (uint8_t)track;
		q[3] = (uint8_t)((is_dbcc ? DBCC_BIT : 0) | (r->block << 4) |
				 (pos > 15 ? 15 : pos));
		memcpy(q + 4, prefix, nprefix);
		for (k = 0; k < room && off + k < n; k++)
			q[4 + nprefix + k] = s[off + k];
		/* the terminator and padding are already zero */
	}
	return 0;
}

/*
 * The payload bytes of the packs of `type` in a block, concatenated.
 * Returns their number; *out is a new buffer (NULL when none).
 */
static size_t gather(const uint8_t *packs, size_t npacks, unsigned type,
		     uint8_t **out, bool *is_dbcc, struct pm_err *err)
{
	size_t i, n = 0, count = 0;

	*out = NULL;
	*is_dbcc = false;
	for (i = 0; i < npacks; i++)
		if (packs[i * PACK] == type)
			count++;
	if (!count)
		return 0;
	*out = pm_malloc(count * PAYLOAD, err);
	if (!*out)
		return (size_t)-1;
	for (i = 0; i < npacks; i++) {
		const uint8_t *q = packs + i * PACK;

		if (q[0] != type)
			continue;
		if (n == 0)
			*is_dbcc = (q[3] & DBCC_BIT) != 0;
		memcpy(*out + n, q + 4, PAYLOAD);
		n += PAYLOAD;
	}
	return n;
}

/*
 * Re-lay the strings of one pack type: string k is the disc's (k = 0) or
 * track first_track + k - 1's.  A lone TAB ("same as the previous
 * track") is written out as that string.  The genre's 2-byte code is
 * repeated in every pack, which libcdio recognises and the format allows.
 */
static int relay_type(struct relay *r, const uint8_t *packs, size_t npacks,
		      unsigned type, unsigned first_track, unsigned nstrings,
		      struct pm_err *err)
{
	uint8_t *data = NULL, code[2] = { 0, 0 };
	const uint8_t *prev = NULL;
	size_t n, pos = 0, width, nprefix = 0, prev_n = 0;
	bool is_dbcc;
	unsigned k;
	int ret = -1;

	n = gather(packs, npacks, type, &data, &is_dbcc, err);
	if (n == (size_t)-1)
		return -1;
	width = is_dbcc ? 2 : 1;
	if (type == PM_PACK_GENRE && n >= 2) {
		code[0] = data[0];
		code[1] = data[1];
		pos = nprefix = 2;
	}
	for (k = 0; k < nstrings && pos + width <= n; k++) {
		const uint8_t *s = data + pos;
		size_t len = 0;
		unsigned track = k == 0 ? 0 : first_track + k - 1;

		while (pos + len + width <= n &&
		       !(s[len] == 0 && (width == 1 || s[len + 1] == 0)))
			len += width;
		if (pos + len + width > n)
			break; /* not terminated: dropped */
		pos += len + width;
		if (k >= 2 && len == width && s[0] == 0x09 &&
		    (width == 1 || s[1] == 0x09)) {
			s = prev;
			len = prev_n;
		}
		if (relay_string(r, type, track, is_dbcc, s, len, code, nprefix,
				 err) < 0)
			goto out;
		prev = s;
		prev_n = len;
	}
	ret = 0;
out:
	free(data);
	return ret;
}

static int relay_block(struct relay *r, const uint8_t *packs, size_t npacks,
		       const struct pm_cdtext_size_info *si, struct pm_err *err)
{
	unsigned nstrings = si->last_track - si->first_track + 2;
	static const unsigned types[] = {
		PM_PACK_TITLE,    PM_PACK_PERFORMER, PM_PACK_SONGWRITER,
		PM_PACK_COMPOSER, PM_PACK_ARRANGER,  PM_PACK_MESSAGE,
		PM_PACK_DISC_ID,  PM_PACK_GENRE,     PM_PACK_UPC_ISRC,
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		unsigned t = types[i];
		bool is_disc_only = t == PM_PACK_DISC_ID || t == PM_PACK_GENRE;

		if (relay_type(r, packs, npacks, t, si->first_track,
			       is_disc_only ? 1 : nstrings, err) < 0)
			return -1;
	}
	for (i = 0; i < npacks; i++) {
		uint8_t *q;

		if (packs[i * PACK] != PM_PACK_SIZE_INFO)
			continue;
		q = new_pack(r, err);
		if (!q)
			return -1;
		memcpy(q, packs + i * PACK, PACK);
	}
	/* sequence numbers from 0 and fresh CRCs, as if written so */
	for (i = 0; i < r->n; i++) {
		uint8_t *q = r->packs + i * PACK;
		uint16_t crc;

		q[2] = (uint8_t)i;
		crc = pm_cdtext_crc(q);
		q[16] = (uint8_t)(crc >> 8);
		q[17] = (uint8_t)(crc & 0xFF);
	}
	return 0;
}

static int keep(char **dst, const char *s, struct pm_err *err)
{
	if (!s)
		return 0;
	*dst = pm_strdup(s, err);
	return *dst ? 0 : -1;
}

/* libcdio's field for each of ours (their order differs). */
static const cdtext_field_t cdio_field[PM_NFIELDS] = {
	[PM_FIELD_TITLE] = CDTEXT_FIELD_TITLE,
	[PM_FIELD_PERFORMER] = CDTEXT_FIELD_PERFORMER,
	[PM_FIELD_SONGWRITER] = CDTEXT_FIELD_SONGWRITER,
	[PM_FIELD_COMPOSER] = CDTEXT_FIELD_COMPOSER,
	[PM_FIELD_ARRANGER] = CDTEXT_FIELD_ARRANGER,
	[PM_FIELD_MESSAGE] = CDTEXT_FIELD_MESSAGE,
};

static int decode_block(const uint8_t *packs, size_t npacks, unsigned blk,
			struct pm_cdtext_lang *out, struct pm_err *err)
{
	struct pm_cdtext_size_info si;
	struct relay r = { .block = blk };
	cdio_log_handler_t old = NULL;
	bool is_hooked = false;
	cdtext_t *t = NULL;
	unsigned tr;
	int ret = -1;

	if (pm_cdtext_size_info(packs, npacks * PACK, blk, &si) < 0)
		return pm_err_set(
			err, PM_EFORMAT,
			"CD-TEXT block %u has no size information (three 0x8F packs)",
			blk);
	if (si.first_track < 1 || si.last_track > PM_DISC_MAX_TRACKS ||
	    si.last_track < si.first_track)
		return pm_err_set(
			err, PM_EFORMAT,
			"CD-TEXT block %u: its size information gives tracks %u to %u",
			blk, si.first_track, si.last_track);
	out->block = blk;
	out->char_code = si.char_code;
	out->copyright = si.copyright == 0x03;
	if (relay_block(&r, packs, npacks, &si, err) < 0)
		goto out;

	old = cdio_enter();
	is_hooked = true;
	t = cdtext_init();
	if (!t) {
		pm_err_set(err, PM_ENOMEM, "out of memory");
		goto out;
	}
	if (cdtext_data_init(t, r.packs, r.n * PACK) != 0) {
		pm_err_set(err, PM_EFORMAT,
			   "libcdio cannot decode CD-TEXT block %u%s%s", blk,
			   cdio_last[0] ? ": " : "", cdio_last);
		goto out;
	}
	if (!cdtext_set_language_index(t, (int)blk)) {
		pm_err_set(err, PM_EFORMAT,
			   "libcdio finds no CD-TEXT block %u%s%s", blk,
			   cdio_last[0] ? ": " : "", cdio_last);
		goto out;
	}
	out->lang_code = (unsigned)cdtext_get_language(t);
	out->first_track = cdtext_get_first_track(t);
	out->last_track = cdtext_get_last_track(t);
	out->genre_code = (unsigned)cdtext_get_genre(t);
	if (keep(&out->upc, cdtext_get_const(t, CDTEXT_FIELD_UPC_EAN, 0), err) <
		    0 ||
	    keep(&out->disc_id, cdtext_get_const(t, CDTEXT_FIELD_DISCID, 0),
		 err) < 0 ||
	    keep(&out->genre_text, cdtext_get_const(t, CDTEXT_FIELD_GENRE, 0),
		 err) < 0)
		goto out;
	for (tr = 0; tr <= PM_DISC_MAX_TRACKS; tr++) {
		for (int f = 0; f < PM_NFIELDS; f++)
			if (keep(&out->text[f][tr],
				 cdtext_get_const(t, cdio_field[f],
						  (track_t)tr),
				 err) < 0)
				goto out;
		if (tr > 0 &&
		    keep(&out->isrc[tr],
			 cdtext_get_const(t, CDTEXT_FIELD_ISRC, (track_t)tr),
			 err) < 0)
			goto out;
	}
	ret = 0;
out:
	if (t)
		cdtext_destroy(t); /* frees t too (libcdio 2.x) */
	if (is_hooked)
		cdio_leave(old);
	free(r.packs);
	return ret;
}

int pm_cdio_cdtext_decode(const uint8_t *buf, size_t len,
			  struct pm_cdtext_text *text, struct pm_err *err)
{
	size_t npacks, i, end;

	memset(text, 0, sizeof(*text));
	if (len % PACK == 1 && buf[len - 1] == 0x00) {
		len--; /* Sony's tolerated trailing byte */
	} else if (len % PACK == 4 &&
		   ((size_t)buf[0] << 8 | buf[1]) == len - 2) {
		buf += 4; /* the cdrecord textfile header */
		len -= 4;
	}
	if (len == 0 || len % PACK != 0)
		return pm_err_set(
			err, PM_EFORMAT,
			"CD-TEXT of %zu bytes is not a whole number of %d-byte packs",
			len, PACK);
	npacks = len / PACK;
	for (i = 0; i < npacks; i = end) {
		unsigned b = BLOCK_OF(buf[i * PACK + 3]);
		struct pm_cdtext_lang *l;

		for (end = i + 1; end < npacks; end++)
			if (BLOCK_OF(buf[end * PACK + 3]) != b)
				break;
		/* strictly ascending block numbers 0..7: at most 8 */
		if (text->nblocks > 0 &&
		    b <= text->block[text->nblocks - 1].block) {
			pm_err_set(
				err, PM_EFORMAT,
				"CD-TEXT pack %zu: block %u comes after block %u",
				i, b, text->block[text->nblocks - 1].block);
			goto fail;
		}
		l = &text->block[text->nblocks++];
		if (decode_block(buf + i * PACK, end - i, b, l, err) < 0)
			goto fail;
	}
	return 0;
fail:
	pm_cdio_cdtext_release(text);
	return -1;
}

void pm_cdio_cdtext_release(struct pm_cdtext_text *text)
{
	for (size_t b = 0; b < text->nblocks; b++) {
		struct pm_cdtext_lang *l = &text->block[b];

		for (int f = 0; f < PM_NFIELDS; f++)
			for (size_t t = 0; t <= PM_DISC_MAX_TRACKS; t++)
				free(l->text[f][t]);
		for (size_t t = 0; t <= PM_DISC_MAX_TRACKS; t++)
			free(l->isrc[t]);
		free(l->upc);
		free(l->disc_id);
		free(l->genre_text);
	}
	memset(text, 0, sizeof(*text));
}

const struct pm_cdtext_lang *
pm_cdio_cdtext_lang(const struct pm_cdtext_text *text, unsigned lang_code)
{
	for (size_t b = 0; b < text->nblocks; b++)
		if (text->block[b].lang_code == lang_code)
			return &text->block[b];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* CUE and TOC read back                                                */

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static int copy_file(const char *from, const char *to, struct pm_err *err)
{
	FILE *in = fopen(from, "rb"), *out = NULL;
	char buf[8192];
	size_t n;
	int ret = -1;

	if (!in)
		return pm_err_sys(err, PM_ENOINPUT, "cannot open '%s'", from);
	out = fopen(to, "wb");
	if (!out) {
		pm_err_sys(err, PM_ESYS, "cannot create '%s'", to);
		goto out;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n) {
			pm_err_sys(err, PM_ESYS, "cannot write '%s'", to);
			goto out;
		}
	ret = ferror(in) ? pm_err_sys(err, PM_EIO, "cannot read '%s'", from) : 0;
out:
	if (out && fclose(out) != 0 && ret == 0)
		ret = pm_err_sys(err, PM_ESYS, "cannot write '%s'", to);
	fclose(in);
	return ret;
}

/* The last path component of `path`. */
static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void read_layout(CdIo_t *cd, struct pm_image_layout *o)
{
	track_t first = cdio_get_first_track_num(cd);
	track_t n = cdio_get_num_tracks(cd);
	cdtext_t *ct = cdio_get_cdtext(cd);
	char *mcn = cdio_get_mcn(cd);
	track_t t;

	o->first_track = first;
	o->ntracks = n == CDIO_INVALID_TRACK ? 0 : n;
	copy_text(o->mcn, sizeof(o->mcn), mcn);
	cdio_free(mcn);
	o->leadout_lsn = cdio_get_track_lsn(cd, CDIO_CDROM_LEADOUT_TRACK);
	if (ct) {
		copy_text(o->title[0], sizeof(o->title[0]),
			  cdtext_get_const(ct, CDTEXT_FIELD_TITLE, 0));
		copy_text(o->performer[0], sizeof(o->performer[0]),
			  cdtext_get_const(ct, CDTEXT_FIELD_PERFORMER, 0));
	}
	for (t = first; o->ntracks && t < first + o->ntracks && t < 100; t++) {
		char *isrc = cdio_get_track_isrc(cd, t);

		o->start_lsn[t] = cdio_get_track_lsn(cd, t);
		copy_text(o->isrc[t], sizeof(o->isrc[t]), isrc);
		cdio_free(isrc);
		o->preemphasis[t] =
			cdio_get_track_preemphasis(cd, t) == CDIO_TRACK_FLAG_TRUE;
		o->copy[t] = cdio_get_track_copy_permit(cd, t) == CDIO_TRACK_FLAG_TRUE;
		if (ct) {
			copy_text(o->title[t], sizeof(o->title[t]),
				  cdtext_get_const(ct, CDTEXT_FIELD_TITLE, t));
			copy_text(o->performer[t], sizeof(o->performer[t]),
				  cdtext_get_const(ct, CDTEXT_FIELD_PERFORMER, t));
		}
	}
}

/*
 * The CDTEXTFILE a CUE sheet names, as a plain file name beside it, into
 * `name`; false when there is none (or it is not a plain name).
 */
static bool cdtext_file_of(const char *sheet, char *name, size_t size)
{
	FILE *fp = fopen(sheet, "r");
	char line[1024], *p, *end;
	bool found = false;

	if (!fp)
		return false;
	while (!found && fgets(line, sizeof(line), fp)) {
		p = line + strspn(line, " \t");
		if (strncasecmp(p, "CDTEXTFILE", 10) != 0)
			continue;
		p += 10;
		p += strspn(p, " \t\"");
		end = p + strcspn(p, "\"\r\n");
		*end = '\0';
		if (*p && !strchr(p, '/') && strlen(p) < size) {
			snprintf(name, size, "%s", p);
			found = true;
		}
	}
	fclose(fp);
	return found;
}

int pm_cdio_read_image(const char *sheet, bool is_toc, const char *audio,
		       struct pm_image_layout *out, struct pm_err *err)
{
	char dir[] = "/tmp/premaster-sheet.XXXXXX";
	char copy[512], link1[512], link2[512], link3[512] = "", *abs_audio = NULL;
	char cdt[256];
	cdio_log_handler_t old;
	CdIo_t *cd = NULL;
	int here = -1, ret = -1;

	memset(out, 0, sizeof(*out));
	abs_audio = realpath(audio, NULL);
	if (!abs_audio)
		return pm_err_sys(err, PM_ENOINPUT, "cannot find '%s'", audio);
	if (!mkdtemp(dir)) {
		free(abs_audio);
		return pm_err_sys(err, PM_ESYS, "cannot make a temporary directory");
	}
	snprintf(copy, sizeof(copy), "%s/%s", dir, is_toc ? "disc.toc" : "disc.cue");
	snprintf(link1, sizeof(link1), "%s/disc.bin", dir);
	snprintf(link2, sizeof(link2), "%s/%s", dir, base_of(audio));
	if (copy_file(sheet, copy, err) < 0)
		goto out;
	if (symlink(abs_audio, link1) < 0 ||
	    (strcmp(base_of(audio), "disc.bin") != 0 &&
	     symlink(abs_audio, link2) < 0)) {
		pm_err_sys(err, PM_ESYS, "cannot link the image");
		goto out;
	}
	/* the binary CD-TEXT a CUE names, beside the copy as beside it */
	if (!is_toc && cdtext_file_of(sheet, cdt, sizeof(cdt)) &&
	    strcmp(cdt, base_of(audio)) != 0 && strcmp(cdt, "disc.bin") != 0) {
		char from[4096], *abs_cdt;
		const char *slash = strrchr(sheet, '/');

		snprintf(from, sizeof(from), "%.*s%s", slash ? (int)(slash - sheet + 1) : 0,
			 sheet, cdt);
		abs_cdt = realpath(from, NULL);
		snprintf(link3, sizeof(link3), "%s/%s", dir, cdt);
		if (abs_cdt && symlink(abs_cdt, link3) < 0)
			link3[0] = '\0';
		free(abs_cdt);
	}
	/* a TOC's FILE resolves against the working directory */
	here = open(".", O_RDONLY | O_DIRECTORY);
	if (here < 0 || chdir(dir) < 0) {
		pm_err_sys(err, PM_ESYS, "cannot enter '%s'", dir);
		goto out;
	}
	old = cdio_enter();
	cd = is_toc ? cdio_open_cdrdao(base_of(copy)) : cdio_open_cue(base_of(copy));
	if (cd)
		read_layout(cd, out);
	cdio_leave(old);
	if (fchdir(here) < 0) {
		pm_err_sys(err, PM_ESYS, "cannot return to the working directory");
		goto out;
	}
	if (!cd) {
		pm_err_set(err, PM_EFORMAT, "libcdio cannot read '%s' as a %s", sheet,
			   is_toc ? "cdrdao TOC" : "CUE sheet");
		goto out;
	}
	ret = 0;
out:
	if (cd)
		cdio_destroy(cd);
	if (here >= 0)
		close(here);
	if (link3[0])
		unlink(link3);
	unlink(link2);
	unlink(link1);
	unlink(copy);
	rmdir(dir);
	free(abs_audio);
	return ret;
}
