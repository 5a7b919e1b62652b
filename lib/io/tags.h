/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tags.h: the identifiers of a delivered file, beyond what libsndfile
 * writes.  libsndfile knows title, artist, album, date, genre, copyright,
 * comment and track number; a label's release also needs the ISRC, the
 * barcode, the album artist, the label and catalogue number and the
 * track and disc totals.  This module writes them after the audio:
 *  - FLAC: the VORBIS_COMMENT block, through libFLAC's metadata API
 *    (the only module that includes libFLAC);
 *  - Ogg Vorbis and Opus: a new comment header (lib/io/ogg.c), with the
 *    stream's serial number set at the same time;
 *  - MP3: an ID3v2.4 tag in place of any ID3v2 tag and of the ID3v1
 *    trailer LAME wrote (ID3 tag version 2.4.0, main structure and
 *    native frames);
 *  - WAV and AIFF: nothing here (WAV gets LIST/INFO and bext from
 *    lib/io/audio.c).
 */
#ifndef PM_TAGS_H
#define PM_TAGS_H

#include <stddef.h>
#include <stdint.h>

#include "io/audio.h"
#include "util/err.h"

/*
 * One tag by its Vorbis comment name (upper case: TITLE, ARTIST, ALBUM,
 * ALBUMARTIST, TRACKNUMBER, TRACKTOTAL, DISCNUMBER, DISCTOTAL, DATE,
 * GENRE, ISRC, BARCODE, LABEL, CATALOGNUMBER, COPYRIGHT, COMPOSER,
 * ENCODER, ...) and its UTF-8 value.
 */
struct pm_tag {
	const char *key;
	const char *value;
};

/*
 * Replace the tags of the file at `path`, written in `format`, by `tags`
 * (n of them; a NULL or empty value is left out).  In MP3 the names
 * become ID3v2.4 frames: TIT2, TPE1, TALB, TPE2, TRCK ("n/total"), TPOS,
 * TDRC, TCON, TSRC, TPUB, TCOP, TCOM, TSSE, and TXXX frames named after
 * the Vorbis key for the rest (BARCODE, CATALOGNUMBER, ...).  Ogg files
 * also get `ogg_serial` as their serial number.  The audio is not
 * touched.  Returns 0, or -1 with `err` (PM_EFORMAT for a file that is
 * not what `format` says, PM_EIO, PM_ENOMEM).
 */
int pm_tags_write(const char *path, enum pm_format format,
		  const struct pm_tag *tags, size_t n, uint32_t ogg_serial,
		  struct pm_err *err);

#endif
