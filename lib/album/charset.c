/* SPDX-License-Identifier: GPL-3.0-or-later */
/* charset.c: UTF-8 to ISO-8859-1, ASCII and MS-JIS, with transliteration. */
#include <config.h>

#include "album/charset.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

size_t pm_utf8_decode(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c;
	size_t n, i;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF) {
		n = 2;
		c = u[0] & 0x1F;
	} else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		n = 3;
		c = u[0] & 0x0F;
	} else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		n = 4;
		c = u[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

const char *pm_describe_cp(uint32_t cp, char *buf, size_t size)
{
	char utf8[5] = { 0 };

	if (cp == 0xFFFFFFFFu) {
		snprintf(buf, size, "an invalid UTF-8 sequence");
		return buf;
	}
	if (cp < 0x20 || cp == 0x7F) {
		snprintf(buf, size, "a control character (U+%04X)", (unsigned)cp);
		return buf;
	}
	if (cp < 0x80) {
		utf8[0] = (char)cp;
	} else if (cp < 0x800) {
		utf8[0] = (char)(0xC0 | (cp >> 6));
		utf8[1] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		utf8[0] = (char)(0xE0 | (cp >> 12));
		utf8[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		utf8[2] = (char)(0x80 | (cp & 0x3F));
	} else {
		utf8[0] = (char)(0xF0 | (cp >> 18));
		utf8[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		utf8[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		utf8[3] = (char)(0x80 | (cp & 0x3F));
	}
	snprintf(buf, size, "'%s' (U+%04X)", utf8, (unsigned)cp);
	return buf;
}

/* Plain-ASCII equivalents of U+00A0..U+017F ("" means none). */
static const char *const latin[] = {
	/* U+00A0 */ " ", "!", "c", "L", "", "Y", "|", "S",
	"", "(C)", "a", "<<", "", "-", "(R)", "-",
	/* U+00B0 */ "", "+-", "2", "3", "'", "u", "P", ".",
	",", "1", "o", ">>", "1/4", "1/2", "3/4", "?",
	/* U+00C0 */ "A", "A", "A", "A", "A", "A", "AE", "C",
	"E", "E", "E", "E", "I", "I", "I", "I",
	/* U+00D0 */ "D", "N", "O", "O", "O", "O", "O", "x",
	"O", "U", "U", "U", "U", "Y", "TH", "ss",
	/* U+00E0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
	"e", "e", "e", "e", "i", "i", "i", "i",
	/* U+00F0 */ "d", "n", "o", "o", "o", "o", "o", "/",
	"o", "u", "u", "u", "u", "y", "th", "y",
	/* U+0100 */ "A", "a", "A", "a", "A", "a", "C", "c",
	"C", "c", "C", "c", "C", "c", "D", "d",
	/* U+0110 */ "D", "d", "E", "e", "E", "e", "E", "e",
	"E", "e", "E", "e", "G", "g", "G", "g",
	/* U+0120 */ "G", "g", "G", "g", "H", "h", "H", "h",
	"I", "i", "I", "i", "I", "i", "I", "i",
	/* U+0130 */ "I", "i", "IJ", "ij", "J", "j", "K", "k",
	"k", "L", "l", "L", "l", "L", "l", "L",
	/* U+0140 */ "l", "L", "l", "N", "n", "N", "n", "N",
	"n", "n", "N", "n", "O", "o", "O", "o",
	/* U+0150 */ "O", "o", "OE", "oe", "R", "r", "R", "r",
	"R", "r", "S", "s", "S", "s", "S", "s",
	/* U+0160 */ "S", "s", "T", "t", "T", "t", "T", "t",
	"U", "u", "U", "u", "U", "u", "U", "u",
	/* U+0170 */ "U", "u", "U", "u", "W", "w", "Y", "y",
	"Y", "Z", "z", "Z", "z", "Z", "z", "s",
};

static const struct {
	uint32_t cp;
	const char *ascii;
} punct[] = {
	{ 0x2010, "-" }, { 0x2011, "-" }, { 0x2012, "-" }, { 0x2013, "-" },
	{ 0x2014, "-" }, { 0x2015, "-" }, { 0x2018, "'" }, { 0x2019, "'" },
	{ 0x201A, "," }, { 0x201B, "'" }, { 0x201C, "\"" }, { 0x201D, "\"" },
	{ 0x201E, "\"" }, { 0x201F, "\"" }, { 0x2022, "*" }, { 0x2026, "..." },
	{ 0x2032, "'" }, { 0x2033, "\"" }, { 0x2039, "<" }, { 0x203A, ">" },
	{ 0x20AC, "EUR" }, { 0x2122, "(TM)" }, { 0x2212, "-" },
	{ 0x2116, "No." }, { 0x266D, "b" }, { 0x266F, "#" },
	{ 0x0218, "S" }, { 0x0219, "s" }, { 0x021A, "T" }, { 0x021B, "t" },
};

/* The transliteration of `cp` for a target that lacks it, or NULL. */
static const char *translit_of(uint32_t cp)
{
	size_t i;

	if (cp >= 0xA0 && cp <= 0x17F) {
		const char *s = latin[cp - 0xA0];

		return *s ? s : NULL;
	}
	for (i = 0; i < PM_ARRAY_SIZE(punct); i++)
		if (punct[i].cp == cp)
			return punct[i].ascii;
	return NULL;
}

static int put(char *out, size_t size, size_t *n, const char *s, size_t len,
	       struct pm_charset_result *res)
{
	if (*n + len + 1 > size) {
		res->too_long = true;
		return -1;
	}
	memcpy(out + *n, s, len);
	*n += len;
	return 0;
}

static int single_byte(const char *in, enum pm_charset cs, bool translit,
		       char *out, size_t size, struct pm_charset_result *res)
{
	uint32_t limit = cs == PM_CHARSET_ASCII ? 0x7E : 0xFF;
	const char *p = in, *t;
	size_t n = 0, k;
	uint32_t cp;
	char c;

	while (*p) {
		k = pm_utf8_decode(p, &cp);
		if (k == 0) {
			res->bad_cp = 0xFFFFFFFFu;
			res->bad_offset = (size_t)(p - in);
			return -1;
		}
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
			res->bad_cp = cp;
			res->bad_offset = (size_t)(p - in);
			return -1;
		}
		if (cp <= limit) {
			c = (char)(unsigned char)cp;
			if (put(out, size, &n, &c, 1, res) < 0)
				return -1;
		} else {
			t = translit ? translit_of(cp) : NULL;
			/* a transliteration into Latin-1 may itself need
			 * Latin-1 only; ours are all ASCII */
			if (!t) {
				res->bad_cp = cp;
				res->bad_offset = (size_t)(p - in);
				return -1;
			}
			if (put(out, size, &n, t, strlen(t), res) < 0)
				return -1;
			res->nchanged++;
		}
		p += k;
	}
	out[n] = '\0';
	res->len = n;
	return 0;
}

/* MS-JIS through the C library's code page 932 converter. */
static int msjis(const char *in, char *out, size_t size,
		 struct pm_charset_result *res)
{
	iconv_t cd = iconv_open("CP932", "UTF-8");
	char *ip = (char *)(uintptr_t)in, *op = out;
	size_t il = strlen(in), ol = size - 1;
	const char *p;
	uint32_t cp;
	size_t k;
	int ret = -1;

	for (p = in; *p; p += k) {
		k = pm_utf8_decode(p, &cp);
		if (k == 0 || cp < 0x20 || cp == 0x7F) {
			res->bad_cp = k == 0 ? 0xFFFFFFFFu : cp;
			res->bad_offset = (size_t)(p - in);
			goto out;
		}
	}
	if (cd == (iconv_t)-1) {
		res->bad_cp = 0x3000;
		goto out;
	}
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		if (errno == E2BIG) {
			res->too_long = true;
		} else {
			res->bad_offset = (size_t)(ip - in);
			if (pm_utf8_decode(ip, &cp) == 0)
				cp = 0xFFFFFFFFu;
			res->bad_cp = cp;
		}
		goto out;
	}
	*op = '\0';
	res->len = (size_t)(op - out);
	ret = 0;
out:
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	return ret;
}

int pm_charset_convert(const char *in, enum pm_charset cs, bool translit,
		       char *out, size_t size, struct pm_charset_result *res)
{
	memset(res, 0, sizeof(*res));
	if (size == 0) {
		res->too_long = true;
		return -1;
	}
	if (cs == PM_CHARSET_MSJIS)
		return msjis(in, out, size, res);
	return single_byte(in, cs, translit, out, size, res);
}
