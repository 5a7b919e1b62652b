/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tags.c: identifiers in delivered files: FLAC comments through libFLAC
 * (the only file that includes it), Ogg comments through lib/io/ogg.c,
 * ID3v2.4 in MP3.
 */
#include <config.h>

#include "io/tags.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <FLAC/metadata.h>

#include "io/ogg.h"
#include "util/bytes.h"
#include "util/compat.h"
#include "util/outdir.h"

#include "util/banned.h"

/* Our files are a few minutes of audio; refuse the absurd. */
#define MAX_BYTES ((long)1 << 30)

static bool usable(const struct pm_tag *t)
{
	return t->key && *t->key && t->value && *t->value;
}

/* ------------------------------------------------------------------ */
/* FLAC                                                                 */
/* ------------------------------------------------------------------ */

static int flac_write(const char *path, const struct pm_tag *tags, size_t n,
		      struct pm_err *err)
{
	FLAC__Metadata_Chain *chain = FLAC__metadata_chain_new();
	FLAC__Metadata_Iterator *it = FLAC__metadata_iterator_new();
	FLAC__StreamMetadata *vc = NULL;
	bool fresh = false;
	size_t i;
	int ret = -1;

	if (!chain || !it) {
		pm_err_set(err, PM_ENOMEM, "out of memory");
		goto out;
	}
	if (!FLAC__metadata_chain_read(chain, path)) {
		pm_err_set(err, PM_EFORMAT, "cannot read the metadata of '%s': %s",
			   path,
			   FLAC__Metadata_ChainStatusString[FLAC__metadata_chain_status(chain)]);
		goto out;
	}
	FLAC__metadata_iterator_init(it, chain);
	do {
		if (FLAC__metadata_iterator_get_block_type(it) ==
		    FLAC__METADATA_TYPE_VORBIS_COMMENT) {
			vc = FLAC__metadata_iterator_get_block(it);
			break;
		}
	} while (FLAC__metadata_iterator_next(it));
	if (vc) {
		/* keep the encoder's vendor string, drop libsndfile's few */
		if (!FLAC__metadata_object_vorbiscomment_resize_comments(vc, 0))
			goto nomem;
	} else {
		vc = FLAC__metadata_object_new(FLAC__METADATA_TYPE_VORBIS_COMMENT);
		if (!vc)
			goto nomem;
		fresh = true;
	}
	for (i = 0; i < n; i++) {
		FLAC__StreamMetadata_VorbisComment_Entry e;

		if (!usable(&tags[i]))
			continue;
		if (!FLAC__metadata_object_vorbiscomment_entry_from_name_value_pair(
			    &e, tags[i].key, tags[i].value) ||
		    !FLAC__metadata_object_vorbiscomment_append_comment(vc, e,
									false)) {
			if (fresh)
				FLAC__metadata_object_delete(vc);
			pm_err_set(err, PM_EINVAL, "'%s': cannot store the tag %s",
				   path, tags[i].key);
			goto out;
		}
	}
	if (fresh) {
		/* after STREAMINFO, which is always first */
		FLAC__metadata_iterator_init(it, chain);
		if (!FLAC__metadata_iterator_insert_block_after(it, vc)) {
			FLAC__metadata_object_delete(vc);
			goto nomem;
		}
	}
	/* use padding when there is some; without, libFLAC rewrites the
	 * file through a temporary beside it */
	if (!FLAC__metadata_chain_write(chain, true, false)) {
		pm_err_set(err, PM_EIO, "cannot write the tags of '%s': %s", path,
			   FLAC__Metadata_ChainStatusString[FLAC__metadata_chain_status(chain)]);
		goto out;
	}
	ret = 0;
	goto out;
nomem:
	pm_err_set(err, PM_ENOMEM, "out of memory");
out:
	if (it)
		FLAC__metadata_iterator_delete(it);
	if (chain)
		FLAC__metadata_chain_delete(chain);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Ogg                                                                  */
/* ------------------------------------------------------------------ */

static int ogg_write(const char *path, const struct pm_tag *tags, size_t n,
		     uint32_t serial, struct pm_err *err)
{
	char **c = calloc(n ? n : 1, sizeof(*c));
	size_t i, k = 0;
	int ret = -1;

	if (!c)
		return pm_err_set(err, PM_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		size_t len;

		if (!usable(&tags[i]))
			continue;
		len = strlen(tags[i].key) + strlen(tags[i].value) + 2;
		c[k] = malloc(len);
		if (!c[k]) {
			pm_err_set(err, PM_ENOMEM, "out of memory");
			goto out;
		}
		snprintf(c[k++], len, "%s=%s", tags[i].key, tags[i].value);
	}
	ret = pm_ogg_rewrite(path, serial, (const char *const *)c, k, err);
out:
	for (i = 0; i < k; i++)
		free(c[i]);
	free(c);
	return ret;
}

/* ------------------------------------------------------------------ */
/* MP3: ID3v2.4                                                         */
/* ------------------------------------------------------------------ */

/* A 28-bit number as four 7-bit bytes (ID3v2.4's sizes). */
static void syncsafe(unsigned char *q, size_t v)
{
	q[0] = (unsigned char)((v >> 21) & 0x7F);
	q[1] = (unsigned char)((v >> 14) & 0x7F);
	q[2] = (unsigned char)((v >> 7) & 0x7F);
	q[3] = (unsigned char)(v & 0x7F);
}

static size_t unsyncsafe(const unsigned char *q)
{
	return (size_t)(q[0] & 0x7F) << 21 | (size_t)(q[1] & 0x7F) << 14 |
	       (size_t)(q[2] & 0x7F) << 7 | (size_t)(q[3] & 0x7F);
}

/* A text frame (encoding 3, UTF-8); `desc` makes it a TXXX. */
static void frame(struct pm_bytes *b, const char *id, const char *desc,
		  const char *value)
{
	unsigned char h[10];
	size_t len = 1 + strlen(value) + (desc ? strlen(desc) + 1 : 0);

	memcpy(h, id, 4);
	syncsafe(h + 4, len);
	h[8] = h[9] = 0;
	pm_bytes_put(b, h, 10);
	pm_bytes_put(b, "\x03", 1);
	if (desc)
		pm_bytes_put(b, desc, strlen(desc) + 1); /* with its terminator */
	pm_bytes_put(b, value, strlen(value));
}

static const char *find(const struct pm_tag *tags, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (usable(&tags[i]) && strcmp(tags[i].key, key) == 0)
			return tags[i].value;
	return NULL;
}

/* Vorbis comment names and the ID3v2.4 frames that hold them. */
static const struct {
	const char *key, *frame;
} id3_frames[] = {
	{ "TITLE", "TIT2" },	 { "ARTIST", "TPE1" },	  { "ALBUM", "TALB" },
	{ "ALBUMARTIST", "TPE2" }, { "DATE", "TDRC" },	  { "GENRE", "TCON" },
	{ "ISRC", "TSRC" },	 { "LABEL", "TPUB" },	  { "COPYRIGHT", "TCOP" },
	{ "COMPOSER", "TCOM" },	 { "ENCODER", "TSSE" },
};

static bool mapped(const char *key)
{
	size_t i;

	if (strcmp(key, "TRACKNUMBER") == 0 || strcmp(key, "TRACKTOTAL") == 0 ||
	    strcmp(key, "DISCNUMBER") == 0 || strcmp(key, "DISCTOTAL") == 0)
		return true;
	for (i = 0; i < PM_ARRAY_SIZE(id3_frames); i++)
		if (strcmp(id3_frames[i].key, key) == 0)
			return true;
	return false;
}

/* "n" or "n/total" from a number and a total tag. */
static void counted(struct pm_bytes *b, const char *id, const char *num,
		    const char *total)
{
	char v[64];

	if (!num)
		return;
	if (total)
		snprintf(v, sizeof(v), "%s/%s", num, total);
	else
		snprintf(v, sizeof(v), "%s", num);
	frame(b, id, NULL, v);
}

static void id3_frames_of(struct pm_bytes *b, const struct pm_tag *tags, size_t n)
{
	const char *v;
	size_t i;

	for (i = 0; i < PM_ARRAY_SIZE(id3_frames); i++) {
		v = find(tags, n, id3_frames[i].key);
		if (v)
			frame(b, id3_frames[i].frame, NULL, v);
	}
	counted(b, "TRCK", find(tags, n, "TRACKNUMBER"),
		find(tags, n, "TRACKTOTAL"));
	counted(b, "TPOS", find(tags, n, "DISCNUMBER"),
		find(tags, n, "DISCTOTAL"));
	for (i = 0; i < n; i++)
		if (usable(&tags[i]) && !mapped(tags[i].key))
			frame(b, "TXXX", tags[i].key, tags[i].value);
}

static int mp3_write(const char *path, const struct pm_tag *tags, size_t n,
		     struct pm_err *err)
{
	struct pm_bytes out = { 0 }, frames = { 0 };
	unsigned char *in = NULL, h[10];
	size_t size = 0, start = 0, end;
	FILE *fp = fopen(path, "rb");
	long len;
	int ret = -1;

	if (!fp)
		return pm_err_sys(err, PM_ENOINPUT, "cannot open '%s'", path);
	if (fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0 || len > MAX_BYTES) {
		pm_err_sys(err, PM_EIO, "cannot size '%s'", path);
		goto out;
	}
	size = (size_t)len;
	in = malloc(size ? size : 1);
	if (!in) {
		pm_err_set(err, PM_ENOMEM, "out of memory");
		goto out;
	}
	if (fread(in, 1, size, fp) != size) {
		pm_err_sys(err, PM_EIO, "cannot read '%s'", path);
		goto out;
	}
	fclose(fp);
	fp = NULL;
	/* the tag LAME wrote first (header, frames, a footer when flagged) */
	if (size >= 10 && memcmp(in, "ID3", 3) == 0) {
		start = 10 + unsyncsafe(in + 6) + (in[5] & 0x10 ? 10 : 0);
		if (start > size) {
			pm_err_set(err, PM_EFORMAT, "'%s': its ID3v2 tag is cut short",
				   path);
			goto out;
		}
	}
	end = size;
	/* and its ID3v1 trailer: 128 bytes from "TAG" */
	if (end - start >= 128 && memcmp(in + end - 128, "TAG", 3) == 0)
		end -= 128;
	if (end - start < 4 || in[start] != 0xFF || (in[start + 1] & 0xE0) != 0xE0) {
		pm_err_set(err, PM_EFORMAT, "'%s' does not start with an MPEG frame",
			   path);
		goto out;
	}
	id3_frames_of(&frames, tags, n);
	memcpy(h, "ID3\x04\x00\x00", 6);
	syncsafe(h + 6, frames.n);
	pm_bytes_put(&out, h, 10);
	pm_bytes_put(&out, frames.p, frames.n);
	pm_bytes_put(&out, in + start, end - start);
	if (out.failed || frames.failed) {
		pm_err_set(err, PM_ENOMEM, "out of memory");
		goto out;
	}
	ret = pm_file_rewrite(path, out.p, out.n, err);
out:
	free(in);
	free(out.p);
	free(frames.p);
	return ret;
}

int pm_tags_write(const char *path, enum pm_format format,
		  const struct pm_tag *tags, size_t n, uint32_t ogg_serial,
		  struct pm_err *err)
{
	switch (format) {
	case PM_FORMAT_FLAC:
		return flac_write(path, tags, n, err);
	case PM_FORMAT_OGG:
	case PM_FORMAT_OPUS:
		return ogg_write(path, tags, n, ogg_serial, err);
	case PM_FORMAT_MP3:
		return mp3_write(path, tags, n, err);
	default:
		return 0;
	}
}
