/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ogg.h: the two things we do to Ogg files ourselves.  libsndfile gives
 * each Ogg stream a random serial number, so two runs over the same
 * input write different bytes; pm_ogg_set_serial() gives the stream a
 * serial of our choosing and recomputes each page's checksum, so the same
 * input makes the same file (RFC 3533 page layout).  And libsndfile
 * writes only the comments it has names for (title, artist, ...);
 * pm_ogg_rewrite() also replaces the comment header, so that a file can
 * carry its ISRC, barcode and the rest (Vorbis I specification section 5,
 * RFC 7845 section 5.2).
 */
#ifndef PM_OGG_H
#define PM_OGG_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* The CRC of Ogg pages: polynomial 0x04C11DB7, not reflected, initial
 * value 0, no final XOR.  Continue `crc` (0 to start) over `data`. */
uint32_t pm_ogg_crc_update(uint32_t crc, const void *data, size_t n_bytes);

/*
 * Rewrite every page of the single-stream Ogg file at `path` to carry
 * `serial`, with checksums to match.  The file is checked page by page
 * first (capture pattern, version, lengths, checksum, one serial
 * throughout) and left untouched if it is not such a file: PM_EFORMAT.
 * PM_EIO when it cannot be read or written.  Returns 0 or -1 with `err`.
 */
int pm_ogg_set_serial(const char *path, uint32_t serial, struct pm_err *err);

/*
 * pm_ogg_set_serial(), and when `comments` is not NULL, replace the
 * comment header of the Ogg Vorbis or Opus file at `path` by one holding
 * the `n` comments ("KEY=value", UTF-8) and the encoder's vendor string.
 * The identification header keeps page 0, the comment (and Vorbis setup)
 * headers are laid out on pages of their own from page 1, and the audio
 * pages follow unchanged but for their sequence numbers, serial and
 * checksums.  PM_EFORMAT for a file that is not such a stream (left
 * untouched), PM_EIO when it cannot be read or written.  Returns 0 or -1
 * with `err`.
 */
int pm_ogg_rewrite(const char *path, uint32_t serial,
		   const char *const *comments, size_t n, struct pm_err *err);

#endif
