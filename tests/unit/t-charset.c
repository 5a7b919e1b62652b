/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-charset.c: UTF-8 into the CD-TEXT character sets. */
#include <config.h>

#include <string.h>

#include "album/charset.h"
#include "tap.h"

int main(void)
{
	struct pm_charset_result r;
	char out[64];
	uint32_t cp;

	ok(pm_charset_convert("Caf\xc3\xa9", PM_CHARSET_ISO8859_1, false, out,
			      sizeof(out), &r) == 0,
	   "e acute fits ISO-8859-1");
	is_mem(out, "Caf\xe9", 5, "as one byte 0xE9");
	ok(pm_charset_convert("\xc5\x81\xc3\xb3" "d\xc5\xba", PM_CHARSET_ISO8859_1,
			      false, out, sizeof(out), &r) < 0,
	   "Polish L-stroke does not fit without transliteration");
	is_int(r.bad_cp, 0x141, "the offending code point is reported");
	is_int(r.bad_offset, 0, "at its offset");
	ok(pm_charset_convert("\xc5\x81\xc3\xb3" "d\xc5\xba", PM_CHARSET_ISO8859_1,
			      true, out, sizeof(out), &r) == 0,
	   "with transliteration it does");
	is_mem(out, "L\xf3" "dz", 5, "L and z replace the letters, o-acute stays");
	is_int(r.nchanged, 2, "two characters changed");
	ok(pm_charset_convert("Caf\xc3\xa9 \xe2\x80\x93 5\xe2\x82\xac",
			      PM_CHARSET_ASCII, true, out, sizeof(out), &r) == 0,
	   "ASCII with transliteration");
	is_str(out, "Cafe - 5EUR", "accents, dashes and the euro");
	ok(pm_charset_convert("Tab\there", PM_CHARSET_ISO8859_1, true, out,
			      sizeof(out), &r) < 0 && r.bad_cp == 9,
	   "control characters refused even with transliteration");
	ok(pm_charset_convert("bad \xff", PM_CHARSET_ISO8859_1, true, out,
			      sizeof(out), &r) < 0 && r.bad_cp == 0xFFFFFFFFu,
	   "invalid UTF-8 refused");
	ok(pm_charset_convert("\xe3\x81\x82", PM_CHARSET_ISO8859_1, true, out,
			      sizeof(out), &r) < 0,
	   "Japanese has no Latin-1 transliteration");
	ok(pm_charset_convert("\xe3\x81\x82", PM_CHARSET_MSJIS, false, out,
			      sizeof(out), &r) == 0 && r.len == 2,
	   "hiragana a in MS-JIS");
	is_mem(out, "\x82\xa0", 2, "is 0x82 0xA0");
	ok(pm_charset_convert("0123456789", PM_CHARSET_ASCII, false, out, 8, &r) < 0 &&
		   r.too_long,
	   "no room is reported");
	is_int(pm_utf8_decode("\xc0\x80", &cp), 0, "overlong NUL refused");
	is_int(pm_utf8_decode("\xed\xa0\x80", &cp), 0, "surrogates refused");
	is_int(pm_utf8_decode("\xf0\x9f\x8e\xb5", &cp), 4, "four-byte character");
	is_int(cp, 0x1F3B5, "decodes");
	return tap_done();
}
