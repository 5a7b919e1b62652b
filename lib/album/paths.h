/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * paths.h: the output layout, a contract documented in the README and in
 * premaster(1).  Every tool takes its paths from here.
 *
 *   OUTDIR/masters/<target>/NN-<title>.wav   master, once per target
 *   OUTDIR/cd/      album.wav album.cue album.cdt album.toc pq-sheet.txt
 *                   pq-sheet.html tracks/NN-<title>.wav
 *   OUTDIR/ddp/     DDPID DDPMS PQDESCR CDTEXT.BIN IMAGE.DAT CHECKSUM.MD5
 *   OUTDIR/vinyl/   <catalogue>_<side>_<rate>Hz_<bits>bit.wav per side,
 *                   timing-sheet.txt
 *   OUTDIR/streaming/<profile>/NN-<title>.<ext>
 *   OUTDIR/report/  analysis.json verify.txt verify.json report.html
 *   OUTDIR/manifest.md5, OUTDIR/manifest.sha256   over the deliverables
 */
#ifndef PM_PATHS_H
#define PM_PATHS_H

#include <stddef.h>

#include "album/album.h"
#include "util/err.h"

#define PM_DIR_MASTERS "masters"
#define PM_DIR_CD "cd"
#define PM_DIR_DDP "ddp"
#define PM_DIR_VINYL "vinyl"
#define PM_DIR_STREAMING "streaming"
#define PM_DIR_REPORT "report"

#define PM_CD_IMAGE "album.wav"
#define PM_CD_CUE "album.cue"
#define PM_CD_TOC "album.toc"
#define PM_CD_CDTEXT "album.cdt" /* the CUE's CDTEXTFILE: CDTEXT.BIN's packs */
#define PM_CD_PQ_TXT "pq-sheet.txt"
#define PM_CD_PQ_HTML "pq-sheet.html"
#define PM_CD_TRACKS "tracks"
#define PM_VINYL_SHEET "timing-sheet.txt"

/*
 * The directories that hold deliverables, which OUTDIR/manifest.md5 and
 * manifest.sha256 cover.  masters/ (an intermediate the deliverables are
 * made from) and report/ (written by verify, after the manifests, and
 * read by people, not by a plant) are not deliverables.
 */
extern const char *const pm_deliverable_dirs[];
extern const size_t pm_ndeliverable_dirs;

/*
 * Write OUTDIR/manifest.md5 and manifest.sha256 over the deliverables
 * (util/manifest.h), warning when there are none; *nfiles (may be NULL)
 * gets the count.  Returns 0 or -1 with `err` (PM_ENOINPUT when `outdir`
 * is not a directory).
 */
int pm_deliverables_manifest(const char *outdir, size_t *nfiles,
			     struct pm_err *err);

/*
 * The file name of track i (0-based) of the album: "NN-<title>.<ext>"
 * with the title made safe by pm_safe_name.  `out` needs 80 bytes.
 */
void pm_track_file_name(const struct pm_album *album, size_t i,
			const char *ext, char *out, size_t size);

/*
 * The file of vinyl side `side` at `rate` and `bits` (0: float), as
 * plants ask for it: "<catalogue or title>_<side>_<rate>Hz_<bits>bit.wav",
 * spaces made underscores.  `out` needs 160 bytes.
 */
void pm_vinyl_file_name(const struct pm_album *album, const char *side,
			uint32_t rate, unsigned bits, char *out, size_t size);

#endif
