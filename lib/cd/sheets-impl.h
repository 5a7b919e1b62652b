/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sheets-impl.h: what the CUE, TOC and PQ sheet writers share; private to
 * lib/cd/.
 */
#ifndef PM_SHEETS_IMPL_H
#define PM_SHEETS_IMPL_H

#include "cd/sheets.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "album/charset.h"
#include "cd/cdio.h"
#include "util/msf.h"
#include "util/xmlw.h"

const char *sheet_msf(uint32_t frames, char *buf);

const char *pm_sheet_text_get(const struct pm_sheet_text *t, enum pm_field f,
			      unsigned track);

void pm_sheet_text_release(struct pm_sheet_text *t);

#endif
