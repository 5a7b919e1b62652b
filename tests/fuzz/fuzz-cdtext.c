/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-cdtext.c: CD-TEXT packs as a DDP's CDTEXT.BIN brings them: the
 * structural check (pm_cdtext_validate() in lib/cd/cdtext.c), the size
 * information of every block, and libcdio's decoding behind
 * pm_cdio_cdtext_decode() (lib/cd/cdio.c), which DDP readers run after
 * the check.  The input is the packs.
 */
#include <config.h>

#include "common.h"

#include <stdlib.h>

#include "cd/cdio.h"
#include "cd/cdtext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_cdtext_size_info si;
	struct pm_cdtext_text text;
	struct pm_err err = { 0 };

	fuzz_setup();
	pm_cdtext_validate(data, size, 0, "fuzz");
	for (unsigned b = 0; b < PM_CDTEXT_MAX_BLOCKS; b++)
		if (pm_cdtext_size_info(data, size, b, &si) == 0 &&
		    (si.first_track > 255 || si.last_track > 255))
			abort();
	if (pm_cdio_cdtext_decode(data, size, &text, &err) < 0) {
		fuzz_expect_err(&err, "pm_cdio_cdtext_decode");
		return 0;
	}
	pm_cdio_cdtext_release(&text);
	return 0;
}
