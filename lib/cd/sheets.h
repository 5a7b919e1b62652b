/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sheets.h: the CD layout as text: a CDRWIN CUE sheet, a cdrdao TOC and
 * the PQ sheet a plant signs off, all written from a pm_disc and its texts.
 *
 * Time base.  Both the CUE and the TOC reference the CD image, which
 * starts at absolute 00:00:00 with the 2-second pause inside it (like a
 * DDP's IMAGE.DAT).  The CUE therefore gives absolute times (track 1:
 * INDEX 00 00:00:00, INDEX 01 00:02:00), the "image" flavour cue2ddp's -c
 * writes; the TOC gives each track its slice of the file and START at its
 * index 01, so track 1 shows PREGAP 00:02:00 in cdrdao.
 */
#ifndef PM_SHEETS_H
#define PM_SHEETS_H

#include <stdbool.h>
#include <stdio.h>

#include "album/album.h"
#include "cd/pq.h"
#include "util/err.h"

/* The texts of a disc, per CD-TEXT block, in UTF-8. */
struct pm_sheet_text_block {
	unsigned lang_code;      /* EBU code: 0x09 English */
	enum pm_charset charset; /* for the TOC's CD_TEXT bytes */
	char *s[PM_NFIELDS][100]; /* [f][0] disc, [f][1..99] tracks; owned */
};

struct pm_sheet_text {
	size_t nblocks; /* 0: no CD-TEXT */
	struct pm_sheet_text_block block[8];
	bool transliterate;
	/* what CD-TEXT says beyond the six texts (borrowed, or NULL/0) */
	const char *disc_id;
	unsigned genre_code;
	const char *genre_text;
	/* the packs the texts encode to (borrowed, or NULL): the TOC gives
	 * each block its SIZE_INFO (character code, copyright) from them */
	const uint8_t *packs;
	size_t packs_len;
	/* the binary CD-TEXT file beside the CUE sheet holding `packs`, for
	 * its CDTEXTFILE line (every block, where CUE keywords carry one),
	 * or NULL */
	const char *cdtext_file;
};

/* The texts of an album's CD (empty when CD-TEXT is off). */
int pm_sheet_text_from_album(const struct pm_album *album,
			    struct pm_sheet_text *t, struct pm_err *err);
void pm_sheet_text_release(struct pm_sheet_text *t);

/* The first block's string, or NULL (track 0 is the disc). */
const char *pm_sheet_text_get(const struct pm_sheet_text *t, enum pm_field f,
			     unsigned track);

/*
 * Write a CUE sheet for the image `image_name` (a WAVE file).  Strings
 * are the first CD-TEXT block's, in its character set (ISO-8859-1 by
 * default), as CUE readers and burners expect; a double quote becomes a
 * single quote, since CUE has no escape.  With t->cdtext_file, a
 * CDTEXTFILE line names the binary CD-TEXT beside it, which carries every
 * block (libcdio, cdrecord and premaster read it).  Returns 0 or -1
 * (PM_EIO).
 */
int pm_cue_write(FILE *fp, const struct pm_disc *d,
		 const struct pm_sheet_text *t, const char *image_name,
		 struct pm_err *err);

/*
 * Write a CUE sheet for per-track files cut from the programme by `spans`
 * (pm_disc_spans; `names[k]` is span k's file, a WAVE).  Each index point
 * is given relative to the file that holds it, and a point that no file
 * holds (a pause the "none" policy dropped) becomes the track's PREGAP.
 * Returns 0 or -1 (PM_EIO).
 */
int pm_cue_write_files(FILE *fp, const struct pm_disc *d,
		       const struct pm_sheet_text *t, const struct pm_span *spans,
		       size_t nspans, const char *const *names,
		       struct pm_err *err);

struct pm_cdtext_text;

/*
 * The texts of decoded CD-TEXT (cd/cdio.h), for the CUE sheet of an
 * extracted DDP.  Returns 0 or -1 with `err`.
 */
int pm_sheet_text_from_cdtext(const struct pm_cdtext_text *cd,
			     struct pm_sheet_text *t, struct pm_err *err);

/*
 * Write a cdrdao TOC for `image_name`.  CD_TEXT strings are in each
 * block's character set, with bytes outside printable ASCII, quotes and
 * backslashes written as octal escapes, each item on its own line and the
 * LANGUAGE_MAP on one line (what cd-info needs); with t->packs each
 * block gets its SIZE_INFO.  What cdrdao has no keyword for, or libcdio
 * cannot read in a TOC (SCMS, DISC_ID, GENRE), is written as a comment
 * "// premaster: ..." that both ignore and premaster reads back.
 * Returns 0 or -1.
 */
int pm_toc_write(FILE *fp, const struct pm_disc *d,
		 const struct pm_sheet_text *t, const char *image_name,
		 struct pm_err *err);

/* A file of the DDP and its MD5, for the PQ sheet. */
struct pm_pq_file {
	char name[24];
	char md5[33];
};

/* What a PQ sheet's header says besides the disc. */
struct pm_pq_info {
	const char *artist, *title, *label, *catalog, *master_id;
	const char *customer; /* who ordered the discs, or NULL */
	const char *engineer; /* who mastered them, or NULL */
	const char *date;     /* of the sheet, from SOURCE_DATE_EPOCH */
	const char *notes;    /* free text, or NULL */
	const char *htoa;     /* hidden track description, or NULL */
	const char *version;  /* "premaster 0.1" */
	/* crossfades and segues, one line each ("Track 3: ..."), or none */
	const char *const *transitions;
	size_t ntransitions;
	/* the DDP: whether one is to be made, and once it is, the MD5 of
	 * IMAGE.DAT and of each checksum file */
	bool want_ddp;
	const char *ddp_image_md5; /* NULL: not written yet */
	size_t nddp_files;
	const struct pm_pq_file *ddp_files;
};

/*
 * Write the PQ sheet as plain text or as HTML: the header, the DDP's
 * checksums, the CD-TEXT of every block in `t` under its language's
 * name (the caller gives the text as written to the disc), the PQ
 * listing in absolute and relative times, crossfades and segues, cover
 * times.  The HTML carries print rules that keep it on as few A4 or
 * Letter pages as fit.  Returns 0 or -1. */
int pm_pqsheet_write(FILE *fp, const struct pm_disc *d,
		     const struct pm_sheet_text *t,
		     const struct pm_pq_info *info, bool html,
		     struct pm_err *err);

/* "2026-11-22" from SOURCE_DATE_EPOCH, or from the clock without it. */
void pm_sheet_date(char *buf, size_t size);

#endif
