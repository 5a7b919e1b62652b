/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * isrc.h: the identifiers a release carries: ISRC (per recording) and
 * UPC/EAN (the disc's Media Catalogue Number).  Pure functions.
 */
#ifndef PM_ISRC_H
#define PM_ISRC_H

#include <stdbool.h>

#define PM_ISRC_LEN 12
#define PM_EAN_LEN 13

/*
 * Normalise an ISRC: drop hyphens and spaces, upper-case, then check the
 * syntax CC-XXX-YY-NNNNN (country: two letters; registrant: three letters
 * or digits; year: two digits; designation: five digits).  Writes 12
 * characters and a NUL to `out` (13 bytes).  Returns 0, or -1 with a short
 * reason in *why ("wrong length", ...).
 */
int pm_isrc_normalize(const char *in, char out[PM_ISRC_LEN + 1],
		      const char **why);

/* Whether `s` is already a normalised, valid ISRC. */
bool pm_isrc_valid(const char *s);

/*
 * The GS1 mod-10 check digit for the first `n` digits of `digits`
 * (weights 3,1,3,... from the right).  Returns 0..9, or -1 on a non-digit.
 */
int pm_gs1_check_digit(const char *digits, unsigned n);

/*
 * Normalise a UPC-A (12 digits) or EAN-13 (13 digits) to 13 digits (UPC-A
 * gets a leading 0), ignoring spaces and hyphens, and check the digit.
 * Returns 0, or -1 with a short reason in *why.  All zeros is refused:
 * on a disc it means "no catalogue number".
 */
int pm_ean_normalize(const char *in, char out[PM_EAN_LEN + 1],
		     const char **why);

/* Whether `s` is 13 digits with a correct check digit. */
bool pm_ean_valid(const char *s);

/*
 * The next ISRC of a normalised one: its designation code (the last five
 * digits) counts up.  Returns 0, or -1 when the codes run out (99999).
 */
int pm_isrc_next(char isrc[13]);

#endif
