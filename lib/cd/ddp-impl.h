/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ddp-impl.h: what the DDP writer, reader and extractor share; private to
 * lib/cd/ddp*.c.
 */
#ifndef PM_DDP_IMPL_H
#define PM_DDP_IMPL_H

#include "cd/ddp.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "album/isrc.h"
#include "album/paths.h"
#include "cd/cdtext.h"
#include "io/audio.h"
#include "util/crc32.h"
#include "util/msf.h"
#include "util/outdir.h"
#include "util/path.h"
#include "util/progress.h"

/* Sectors moved per read/write/hash step: 588 KiB, big enough that the
 * per-call overhead vanishes, small enough to stay in the cache. */
#define CHUNK_FRAMES 256u
#define CHUNK_BYTES  (CHUNK_FRAMES * PM_BYTES_PER_FRAME)

/* Upper bounds on what the reader loads (doc/internals/style.md §6). */
#define MAX_DDPMS_BYTES    (128u * 1024)
#define MAX_PQ_BYTES       (1024u * 1024) /* 99 tracks x 100 indexes x 64 */
#define MAX_CDTEXT_BYTES   (64u * 1024)   /* 8 blocks x 255 packs x 18 */
#define MAX_CHECKSUM_BYTES (64u * 1024)

/* Field offsets: doc/internals/ddp-cdtext.md §3-§5. */
enum {
	ID_LEVEL = 0,
	ID_UPC = 8,
	ID_MID = 38,
	ID_BK = 86,
	ID_TY = 87,
	ID_TXTLEN = 93,
};
enum {
	MS_MPV = 0,
	MS_DST = 4,
	MS_DSP = 6,
	MS_DSL = 14,
	MS_DSS = 22,
	MS_SUB = 30,
	MS_CDM = 38,
	MS_SSM = 40,
	MS_SCR = 41,
	MS_PRE1 = 42,
	MS_PRE2 = 46,
	MS_PST = 50,
	MS_MED = 54,
	MS_TRK = 55,
	MS_IDX = 57,
	MS_ISRC = 59,
	MS_DSIZ = 71,
	MS_DSI = 74,
	MS_NEW = 91,
	MS_OFS = 104,
};
enum {
	PQ_SPV = 0,
	PQ_TRK = 4,
	PQ_IDX = 6,
	PQ_HRS = 8,
	PQ_MIN = 10,
	PQ_SEC = 12,
	PQ_FRM = 14,
	PQ_CB1 = 16,
	PQ_CB2 = 18,
	PQ_ISRC = 20,
	PQ_UPC = 32,
	PQ_TXT = 45,
};

#define LEADOUT 0xAAu

/* Two digits, exactly (PQ fields).  Returns 0..99 or -1. */
int ddp_get_2d(const uint8_t *rec, size_t off);

/*
 * A numeric field: decimal digits padded with spaces (cue2ddp) or zeros
 * (Sonoris, HOFA).  Returns 1 with *v, 0 when blank, -1 when not a number.
 */
int ddp_get_num(const uint8_t *rec, size_t off, size_t width, int64_t *v);

/* A field as a C string with trailing spaces (and NULs) removed. */
void ddp_get_text(const uint8_t *rec, size_t off, size_t width, char *out);

bool ddp_is_blank(const uint8_t *rec, size_t off, size_t width);

/* IMAGE.DAT is little-endian: swap the samples on a big-endian host. */
void ddp_le16_swap(int16_t *s, size_t n);

/* Two zero-padded digits (PQ fields). */
void ddp_put_2d(uint8_t *rec, size_t off, unsigned v);

/* A right-aligned number padded with spaces, cue2ddp's form. */
void ddp_put_num(uint8_t *rec, size_t off, size_t width, uint64_t v);

/* Left-aligned text into a field already filled with spaces. */
void ddp_put_text(uint8_t *rec, size_t off, size_t width, const char *s);

/* A field as text for a message, bytes outside printable ASCII as '?'. */
const char *ddp_shown(const uint8_t *rec, size_t off, size_t width,
		      char *buf);

int ddp_write_all(int fd, const void *buf, size_t n);

/* ------------------------------------------------------------------ */
/* The reader's state, shared with the checksum lists (ddp-sums.c) */

struct ddp_reader {
	struct pm_ddp *ddp;
	const struct pm_ddp_read_options *opt;
	struct pm_err *err;
	char *ddpms_path, *pq_path, *cdtext_path;
	const struct pm_ddp_map *d0, *pqmap, *cdtextmap;
	uint32_t pq_upc_set; /* packets carrying a UPC */
	char pq_upc[PM_EAN_LEN + 1];
};

/* Log and list one problem of the fileset, "PATH: message". */
void ddp_problem(struct ddp_reader *rd, enum pm_log_level level,
		 const char *path, const char *fmt, ...) PM_PRINTF(4, 5);

/*
 * Read a whole small file (NUL-terminated one byte past *len).  Returns 0,
 * or -1 with `err`: PM_ENOINPUT when it cannot be opened, PM_EIO,
 * PM_EFORMAT when it exceeds `max`.
 */
int ddp_slurp(const char *path, size_t max, uint8_t **buf, size_t *len,
	      struct pm_err *err);

/* One entry of a checksum list: a file and what it should hash to. */
struct ddp_sum {
	char name[PM_DDP_DSI_MAX + 48];
	bool has_md5, has_crc32;
	uint8_t md5[PM_MD5_BYTES];
	uint32_t crc32;
	unsigned line;
};

/* One checksum list, parsed. */
struct ddp_sumfile {
	char *name; /* its file name, owned */
	bool known; /* CHECKSUM.MD5 or CHECKSUM.TXT: must list every file */
	size_t n;
	struct ddp_sum *v; /* owned */
	unsigned nbad, first_bad; /* lines in no layout we know */
};

/*
 * Parse the text of the checksum list `file_name` (modified in place)
 * in any of the layouts of doc/internals/ddp-checksums.md.  Returns 0, or
 * -1 when memory runs out.  Release with ddp_sums_release().
 */
int ddp_sums_parse(const char *file_name, char *text, struct ddp_sumfile *f);
void ddp_sums_release(struct ddp_sumfile *f);

/*
 * Find every checksum list beside the fileset, check each listed file
 * and that a list is complete; problems are reported with ddp_problem().
 * Sets ddp->has_md5, has_crc32, image_listed, sum_files.  Returns -1 only
 * when interrupted or out of memory (with rd->err).
 */
int ddp_check_sums(struct ddp_reader *rd);

#endif
