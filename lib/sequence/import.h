/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * import.h: a disc back into an album (premaster init --from-ddp,
 * --from-cue, --from-toc), the inverse of sequencing.  The album keeps
 * everything on the disc: the track order, each pause, index marks,
 * hidden track one audio, ISRCs, the UPC/EAN, the flags and CD-TEXT in
 * every block, with mastering set to pass-through, so that building it
 * gives the same programme sample for sample and the same subcode.
 *
 * How a disc becomes an album:
 *  - each track's source runs from its index 01 (or from its index 00
 *    when its pause holds audio: <gap in-source="true">) to the next
 *    track's index 00 or 01;
 *  - a pause of digital silence becomes <gap>; track 1's first 2 seconds
 *    must be silent for it to be a plain pause or <htoa> (audio after
 *    them), else the whole pregap is carried in the source;
 *  - a source that lies within one audio file premaster reads is read
 *    where it is, with in/out trims; anything else (a DDP's IMAGE.DAT,
 *    a raw BINARY file, a track across two files) is cut into a 16-bit
 *    WAV in the sources directory beside the album.
 * Before anything is kept the album is written, read back and laid out
 * again: the layout must be the disc's, frame for frame, and its CD-TEXT
 * must encode to the same texts, else nothing is written.
 */
#ifndef PM_SEQUENCE_IMPORT_H
#define PM_SEQUENCE_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "cd/image.h"
#include "util/err.h"

struct pm_import_options {
	const char *album_path; /* the album.xml to write */
	const char *album_dir;  /* its directory, absolute and normalised */
	const char *sources;    /* the sources directory, in album_dir */
	bool force;             /* replace an album.xml or sources there */
	const char *title;      /* the album title when the disc has none,
				   or NULL ("Untitled") */
	const char *catalog;    /* the catalogue number, or NULL */
};

enum pm_import_cdtext {
	PM_IMPORT_CDTEXT_NONE = 0, /* the disc has none */
	PM_IMPORT_CDTEXT_IDENTICAL, /* the album encodes the same packs */
	PM_IMPORT_CDTEXT_SAME_TEXT, /* the same strings, packed otherwise */
	PM_IMPORT_CDTEXT_CHANGED,   /* some text cannot be carried */
};

struct pm_import_result {
	unsigned ntracks;
	unsigned extracted;  /* files cut into the sources directory */
	unsigned referenced; /* sources read where they are */
	unsigned silent_pauses, audio_pauses;
	unsigned indexes;    /* index marks 02.. */
	bool htoa;
	unsigned nblocks;    /* CD-TEXT blocks */
	enum pm_import_cdtext cdtext;
	unsigned losses;     /* warnings about what the album cannot carry */
	char sources_dir[4096]; /* the sources directory, "" when unused */
};

/*
 * Write the album of `img` to o->album_path and, when sources must be
 * cut, the sources directory; both atomically, refusing to replace
 * either unless o->force.  What the album cannot carry exactly (a text
 * CD-TEXT would re-encode differently, a string over 160 characters) is
 * logged as a warning and counted in res->losses.  Returns 0, or -1 with
 * `err`: PM_ECREATE (the outputs exist, or cannot be made), PM_ENOINPUT
 * and PM_EIO (the audio), PM_EUNSUPPORTED (a track across files that are
 * not CD audio), PM_EFORMAT (a text its CD-TEXT block's character set
 * cannot hold), PM_EINTR, PM_EINVAL (70) when the album would not give
 * the disc back: a bug.
 */
int pm_import(const struct pm_disc_image *img,
	      const struct pm_import_options *o, struct pm_import_result *res,
	      struct pm_err *err);

#endif
