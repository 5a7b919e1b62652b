/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * charset.h: UTF-8 text into the character sets CD-TEXT allows:
 * ISO-8859-1, ISO 646 ASCII and MS-JIS (Shift JIS, code page 932).
 * With transliteration, characters the set cannot hold are replaced by
 * near equivalents ("e" for "ě", "-" for an en dash, "EUR" for the euro).
 */
#ifndef PM_CHARSET_H
#define PM_CHARSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "album/album.h"

struct pm_charset_result {
	size_t len;        /* bytes written, without the NUL */
	unsigned nchanged; /* characters transliterated */
	uint32_t bad_cp;   /* on failure: the code point, or 0xFFFFFFFF for
			      invalid UTF-8 */
	size_t bad_offset; /* on failure: its byte offset in the input */
	bool too_long;     /* on failure: the output did not fit */
};

/*
 * Convert NUL-terminated UTF-8 `in` into `cs`, writing at most size - 1
 * bytes and a NUL to `out`.  Control characters (below U+0020) are never
 * allowed.  Returns 0, or -1 with `res` saying why (a character the set
 * cannot hold and transliteration is off or has no equivalent, invalid
 * UTF-8, or no room).
 */
int pm_charset_convert(const char *in, enum pm_charset cs, bool translit,
		       char *out, size_t size, struct pm_charset_result *res);

/*
 * Decode one UTF-8 character at `s`; stores its code point and returns its
 * length in bytes, or 0 for an invalid or overlong sequence.
 */
size_t pm_utf8_decode(const char *s, uint32_t *cp);

/* Describe a code point as "'X' (U+XXXX)" into buf (>= 24 bytes). */
const char *pm_describe_cp(uint32_t cp, char *buf, size_t size);

#endif
