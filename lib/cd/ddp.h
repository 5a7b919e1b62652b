/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ddp.h: DDP 2.00 filesets for Red Book audio CDs, the form plants press
 * from.  The writer follows the cue2ddp/Sonoris/HOFA consensus byte for
 * byte (doc/internals/ddp-cdtext.md §9, "Written"); the reader accepts
 * every variant listed there ("Accepted") and refuses what is
 * broken, naming each problem; extraction cuts the image back into
 * per-track WAV files.
 *
 * Times are absolute CD frames (A-time, see pq.h): IMAGE.DAT starts at
 * 00:00:00 with track 1's pregap, so image sector n is PQ time n.
 */
#ifndef PM_DDP_H
#define PM_DDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "album/album.h"
#include "cd/pq.h"
#include "util/err.h"
#include "util/log.h"
#include "util/digest.h"

struct pm_outdir;

/*
 * The names of the files we write, in one place.  Only DDPID and DDPMS
 * are fixed by DDP; a reader takes every other name from DDPMS.
 */
#define PM_DDP_DIR          "ddp" /* the deliverable directory under OUTDIR */
#define PM_DDP_DDPID        "DDPID"
#define PM_DDP_DDPMS        "DDPMS"
#define PM_DDP_PQDESCR      "PQDESCR"
#define PM_DDP_CDTEXT       "CDTEXT.BIN"
#define PM_DDP_IMAGE        "IMAGE.DAT"
#define PM_DDP_CHECKSUM_MD5 "CHECKSUM.MD5"
#define PM_DDP_CHECKSUM_TXT "CHECKSUM.TXT"
/* The PQ listing pm_ddp_extract() writes beside the tracks. */
#define PM_DDP_LISTING "PQ.TXT"

#define PM_DDPID_BYTES        128
#define PM_DDPMS_PACKET_BYTES 128
#define PM_PQ_PACKET_BYTES    64
#define PM_DDP_MASTER_ID_MAX  48 /* printable ASCII */
#define PM_DDP_DSI_MAX        17 /* longest stream file name */

/* ------------------------------------------------------------------ */
/* Writing */

struct pm_ddp_write_options {
	/* DDPID master ID: at most 48 printable ASCII characters, not
	 * written to the disc; NULL or "" leaves it blank */
	const char *master_id;
	/* raw CD-TEXT packs (18 bytes each, no 4-byte header), borrowed;
	 * NULL for none.  Written as CDTEXT.BIN after pm_cdtext_validate()
	 * accepts them. */
	const uint8_t *cdtext;
	size_t cdtext_bytes;
	bool want_crc32; /* also write CHECKSUM.TXT (cue2ddp's CRC-32) */
	bool force;      /* replace an existing OUTDIR/ddp */
	/* Red Book limits for pm_disc_check(); NULL: the defaults */
	const struct pm_disc_limits *limits;
	/* names the disc in logged problems ("album.xml"); NULL: the
	 * output directory */
	const char *context;
};

/* What pm_ddp_write() wrote, for the tool's report. */
struct pm_ddp_written {
	char image_md5[PM_MD5_HEX_BYTES]; /* IMAGE.DAT, as in CHECKSUM.MD5 */
	uint32_t image_crc32;             /* IMAGE.DAT; 0 without want_crc32 */
	uint64_t image_bytes;
	size_t npq_packets;
};

/*
 * Write the DDP 2.00 fileset of `disc` into OUTDIR/ddp: DDPID, DDPMS,
 * CDTEXT.BIN (when opt->cdtext is set), PQDESCR, IMAGE.DAT, CHECKSUM.MD5
 * and, with want_crc32, CHECKSUM.TXT.
 *
 * `image_wav` is the whole programme as a 44.1 kHz, 16-bit, stereo
 * file of exactly disc->leadout_frames * 588 samples, starting at
 * 00:00:00 (the 2-second pause included).  It is streamed, never held in
 * memory; IMAGE.DAT's MD5 (and CRC-32) are computed in the same pass, on
 * a second thread beside the I/O.  The same inputs always give the same
 * bytes.
 *
 * The directory is built under a temporary name and swapped in only when
 * complete (util/outdir): a failure or a signal (pm_interrupted()) leaves
 * no partial DDP, and an earlier OUTDIR/ddp stays as it was.
 *
 * Refused before anything is written: a disc pm_disc_check() finds
 * errors in (data or four-channel tracks, COPY with SCMS, a bad ISRC or
 * UPC/EAN, short tracks, ...: each logged, PM_EFORMAT), a master ID that
 * is too long or not printable ASCII (PM_EINVAL), CD-TEXT that is
 * malformed (PM_EFORMAT), audio that is not 44.1 kHz/16-bit/stereo or
 * not exactly the programme's length (PM_EFORMAT), a track-1 pregap too
 * long for DDPMS PRE2 (9999 frames, PM_EUNSUPPORTED).  Then: PM_ECREATE
 * when OUTDIR/ddp exists and !force or cannot be made, PM_ENOINPUT when
 * the WAV cannot be opened, PM_EIO when reading or writing fails
 * part-way, PM_EINTR when interrupted.
 *
 * `out` (may be NULL) receives IMAGE.DAT's checksums.  Returns 0 or -1.
 */
int pm_ddp_write(const struct pm_disc *disc, const char *image_wav,
		 const char *outdir, const struct pm_ddp_write_options *opt,
		 struct pm_ddp_written *out, struct pm_err *err);

/* ------------------------------------------------------------------ */
/* Reading */

/* The DDPID record, decoded.  Strings have their padding removed. */
struct pm_ddp_id {
	char level[9];      /* "DDP 2.00" */
	char upc_field[14]; /* the UPC/EAN field as found (12 or 13 digits) */
	char upc[14];       /* normalised EAN-13 (UPC-A gets a leading 0),
			       or "" when blank or all zeros */
	char master_id[PM_DDP_MASTER_ID_MAX + 1];
	char book;            /* BK: ' ' (the spec) or 'O' (Sonoris) */
	char type[3];         /* TY: "CD" */
	char user_text[34];   /* from either layout (93/95 or 94/96) */
	int user_text_offset; /* 95 or 96, or 0 when there is none */
	uint8_t raw[PM_DDPID_BYTES];
};

/* One DDPMS map packet, decoded.  Numbers are -1 when the field is
 * blank; the reader accepts space- and zero-padded numbers. */
struct pm_ddp_map {
	char dst[3];         /* stream type: "D0" main data, "S0" subcode */
	int64_t dsl;         /* length: sectors (D0) or bytes (S0) */
	int64_t dss;         /* start sector (blank: 0) */
	char sub[9];         /* "PQ DESCR", "CDTEXT", or "" */
	char cdm[3];         /* "DA" for CD-DA, or "" */
	int ssm;             /* source storage mode: 7 (or 0) for audio */
	int scr;             /* scrambled: 0 or 1 */
	int pre1, pre2, pst; /* pregap/postgap sectors; PRE2 = track 1 idx01 */
	char trk[3];         /* "00" on the CDTEXT packet, or "" */
	char dsi[PM_DDP_DSI_MAX + 1]; /* the stream's file name */
	bool new_session;             /* NEW = 'S' */
	int64_t ofs_bytes; /* starting offset in the file (blank: 0) */
	uint8_t raw[PM_DDPMS_PACKET_BYTES];
};

/* One thing wrong with a fileset. */
struct pm_ddp_problem {
	enum pm_log_level level; /* PM_LOG_ERROR or PM_LOG_WARNING */
	char *msg;               /* "DIR/FILE: ...", owned */
};

struct pm_ddp {
	char *dir;
	struct pm_ddp_id id;
	size_t nmaps;
	struct pm_ddp_map *maps; /* DDPMS packets in file order, owned */
	size_t npq;
	struct pm_pq_entry *pq;      /* PQ packets in file order, owned */
	struct pm_disc disc;         /* the disc the PQ describes */
	uint8_t *cdtext;             /* CDTEXT.BIN packs, or NULL; owned */
	size_t cdtext_bytes;         /* a multiple of 18 (a trailing 0x00 that
					Sonoris adds is not counted) */
	char *image_path;            /* dir + "/" + the D0 stream's DSI */
	int64_t image_offset_bytes;  /* where sector image_start_frames is */
	uint32_t image_start_frames; /* the D0 DSS (0) */
	uint32_t image_frames;       /* the D0 DSL: sectors of audio */
	bool has_md5, has_crc32;     /* some list gave MD5s / CRC-32s, checked */
	bool image_listed;           /* some list names the audio stream */
	size_t nsum_files;
	char **sum_files;            /* the checksum lists found, by file
					name, sorted; owned */
	/*
	 * Everything found, in order.  Each is also logged as it is found.
	 * pm_disc_check() and pm_cdtext_validate() log their own detailed
	 * problems; each of them adds one summary problem here.
	 */
	size_t nproblems;
	struct pm_ddp_problem *problems;
	unsigned nerrors, nwarnings;
};

struct pm_ddp_read_options {
	/* return the DDP even when it has errors (verify lists them) */
	bool keep_broken;
	/* do not verify CHECKSUM.MD5 / CHECKSUM.TXT (they read the whole
	 * image once more) */
	bool skip_checksums;
	/* Red Book limits for pm_disc_check(); NULL: the defaults */
	const struct pm_disc_limits *limits;
};

/*
 * Read and check the DDP fileset in directory `dir`: DDPID, DDPMS, the
 * streams it names (the PQ descriptor, CD-TEXT, the audio), and every
 * checksum list beside them, in the layouts other writers use too
 * (doc/internals/ddp-checksums.md: md5sum in either case and mode, CRLF,
 * CHECKSUM.TXT's CRC-32, Sonoris, HOFA and the others): every listed
 * file must match, and a list of the fileset must list every DDPMS file
 * (an error for CHECKSUM.MD5/.TXT, a warning for other writers' lists).  The PQ becomes a pm_disc,
 * checked with pm_disc_check(); CD-TEXT is checked with
 * pm_cdtext_validate().
 *
 * Accepted (doc/internals/ddp-cdtext.md §9): space- or zero-padded
 * numbers, one or two lead-outs, either DDPID user-text layout, a
 * 12-digit UPC-A, CDTEXT TRK blank or 00, DSI size " 17" or "017", SSM
 * 0 or 7, SCR 0 or 1, PQ HRS blank or 00, the ISRC on a track's first
 * packet or on several, the UPC on the lead-in or every packet, a
 * zero-length index 00 (a warning), a trailing 0x00 after the CD-TEXT
 * packs (a warning), CB1 four-channel bit (a warning).
 *
 * Each problem is logged ("DIR/FILE: ...") and listed in the result.
 * Returns a new DDP to free with pm_ddp_free(), or NULL with `err`:
 * PM_ENOINPUT when `dir`, DDPID or DDPMS cannot be read, PM_EFORMAT when
 * errors were found (the message is the first of them) unless
 * opt->keep_broken, PM_EIO, PM_ENOMEM.  `opt` may be NULL.
 */
struct pm_ddp *pm_ddp_read(const char *dir,
			   const struct pm_ddp_read_options *opt,
			   struct pm_err *err);

/* Release a DDP and everything it owns.  NULL is a no-op. */
void pm_ddp_free(struct pm_ddp *ddp);

/* ------------------------------------------------------------------ */
/* Extracting */

/*
 * Cut a DDP's image into 16-bit stereo WAV files by `policy` (see
 * pm_disc_spans()): NN.wav per track and, for PM_GAPS_SPLIT, NN-pause.wav
 * for the pause before track NN (track 1's pregap: 01-pause.wav); the
 * samples are bit for bit those of IMAGE.DAT.  Also writes PQ.TXT, the
 * listing of pm_ddp_listing().  The files go into the directory `outdir`,
 * built atomically (util/outdir; `force` replaces an existing one).  The
 * DDP must have been read without errors.  Returns 0 or -1 with `err`
 * (PM_EINVAL for a broken DDP, PM_ECREATE, PM_EIO, PM_EINTR).
 */
int pm_ddp_extract(const struct pm_ddp *ddp, enum pm_gap_policy policy,
		   const char *outdir, bool force, struct pm_err *err);

/*
 * The same, into a directory the caller has begun with pm_outdir_begin()
 * and will commit or abort itself (to add a CUE sheet beside the tracks,
 * say).  Returns 0 or -1 with `err`.
 */
int pm_ddp_extract_into(const struct pm_ddp *ddp, enum pm_gap_policy policy,
			const struct pm_outdir *od, struct pm_err *err);

/*
 * Print the PQ of a disc as plain text, one line per PQ point in the
 * order of pm_disc_entries() (the lead-out once): the header line
 * "TRACK INDEX TIME ISRC CONTROL FLAGS", a "UPC <EAN-13>" line when the
 * disc has one, then one line per point.  Columns are tab-separated:
 * TRACK is 00 for the lead-in, 01..99, AA for the lead-out; TIME is the
 * absolute MM:SS:FF; ISRC is "-" when there is none; CONTROL is DDP's
 * CB1 code ("01", "31", "0S"); FLAGS spells it out ("pre-emphasis,copy",
 * "scms") or is "-".  Returns 0, or -1 with `err` (PM_EIO, PM_ENOMEM).
 */
int pm_ddp_listing(FILE *fp, const struct pm_disc *disc, struct pm_err *err);

#endif
