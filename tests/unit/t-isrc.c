/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-isrc.c: ISRC syntax and the GS1 check digit. */
#include <config.h>

#include "album/isrc.h"
#include "tap.h"

int main(void)
{
	char isrc[13], ean[14];
	const char *why;

	ok(pm_isrc_normalize("us-abc-26-00001", isrc, &why) == 0,
	   "hyphenated lower case accepted");
	is_str(isrc, "USABC2600001", "normalised");
	ok(pm_isrc_normalize("US ABC 26 00001", isrc, &why) == 0, "spaces dropped");
	ok(pm_isrc_normalize("USABC260001", isrc, &why) < 0, "11 characters");
	ok(pm_isrc_normalize("U1ABC2600001", isrc, &why) < 0 &&
		   why[4] == 'c',
	   "country must be letters: %s", why);
	ok(pm_isrc_normalize("USAB!2600001", isrc, &why) < 0, "registrant");
	ok(pm_isrc_normalize("USABCX600001", isrc, &why) < 0, "year");
	ok(pm_isrc_normalize("USABC260000A", isrc, &why) < 0, "designation");
	ok(pm_isrc_valid("GBAYE6700001"), "a real-looking ISRC is valid");
	ok(!pm_isrc_valid("gbaye6700001"), "valid means normalised");

	/* GS1: UPC 036000291452 (check 2) is EAN 0036000291452 */
	is_int(pm_gs1_check_digit("03600029145", 11), 2, "UPC-A check digit");
	is_int(pm_gs1_check_digit("400638133393", 12), 1, "EAN-13 check digit");
	ok(pm_ean_normalize("036000291452", ean, &why) == 0, "UPC-A accepted");
	is_str(ean, "0036000291452", "UPC-A gets a leading zero");
	ok(pm_ean_normalize("4006381333931", ean, &why) == 0, "EAN-13 accepted");
	ok(pm_ean_normalize("4006381333932", ean, &why) < 0, "wrong check digit");
	is_str(why, "the check digit is wrong", "and says so");
	ok(pm_ean_normalize("0000000000000", ean, &why) < 0, "all zeros refused");
	ok(pm_ean_normalize("12345", ean, &why) < 0, "too short");
	ok(pm_ean_normalize("40063813339311", ean, &why) < 0, "too long");
	ok(pm_ean_normalize("40063A1333931", ean, &why) < 0, "letters refused");
	ok(pm_ean_valid("0036000291452") && !pm_ean_valid("036000291452"),
	   "valid means 13 digits");
	return tap_done();
}
