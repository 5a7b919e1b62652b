/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sheet-read.h: reading a CDRWIN CUE sheet or a cdrdao TOC back into a
 * disc image (image.h): the layout in absolute frames, the programme as
 * pieces of the files the sheet names, and the disc's texts.
 *
 * premaster parses the sheet itself, line by line, so that every problem
 * is reported as "FILE:LINE: message", and reads what libcdio does not:
 * REM fields (REM COMPOSER, ARRANGER, MESSAGE as premaster writes them,
 * REM GENRE, REM DATE), CDTEXTFILE (every CD-TEXT block, from the binary
 * file), index marks past 01, multiple FILEs, each with its own time
 * base.  Where libcdio reads the sheet too (one file), it reads it
 * independently and must agree on the tracks, their starts, ISRCs,
 * flags and catalogue number, or the sheet is refused.
 *
 * Time bases.  A CUE's times are positions in the current FILE; the
 * programme is the files one after the other, with PREGAP silence where
 * a track asks for it.  Track 1 either starts its file at INDEX 00
 * 00:00:00 (the pregap is in the file, as premaster writes it), or has
 * INDEX 01 00:00:00 and no INDEX 00, when the 2-second pregap is silence
 * the burner adds (CDRWIN), or a PREGAP of its own.  A TOC's tracks are
 * their FILE and SILENCE pieces one after the other, START (or PREGAP)
 * ending the pregap; track 1 without one gets the 2-second silent
 * pregap, as cdrdao writes it.
 *
 * Refused, each with FILE:LINE: what the Red Book or premaster cannot
 * take (data tracks, four-channel audio, POSTGAP, a first pregap under 2
 * seconds), what is ambiguous (audio before track 1's INDEX 01 with no
 * INDEX 00; PREGAP together with INDEX 00; a file that is not a whole
 * number of frames before another; a TOC FILE that cdrdao would read as
 * raw samples but premaster as FLAC; CD-TEXT keywords that contradict
 * the CDTEXTFILE), and what is malformed (times, numbers, order, unknown
 * keywords, invalid ISRCs and catalogue numbers).
 */
#ifndef PM_SHEET_READ_H
#define PM_SHEET_READ_H

#include <stdbool.h>

#include "cd/image.h"
#include "util/err.h"

/*
 * Read the CUE sheet (is_toc false) or cdrdao TOC at `path` into `img`
 * (overwritten; release it with pm_disc_image_release).  The files it
 * names are found relative to the sheet's directory and opened to learn
 * their lengths.  Returns 0, or -1 with `err` (the message begins with
 * "FILE:LINE: " where there is a line): PM_EFORMAT for a sheet refused,
 * PM_ENOINPUT when the sheet or a file it names cannot be read, PM_ENOMEM.
 */
int pm_sheet_read(const char *path, bool is_toc, struct pm_disc_image *img,
		  struct pm_err *err);

/* Sheets larger than this are refused unread. */
#define PM_SHEET_MAX_BYTES (1u << 20)

#endif
