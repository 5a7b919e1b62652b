/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check.h: the rules of album.xml that the schema cannot express.
 * Used by xml.c after validation and by cd/cdtext.c; not for tools (they
 * call pm_album_load and pm_album_probe).
 */
#ifndef PM_ALBUM_CHECK_H
#define PM_ALBUM_CHECK_H

#include "album/album.h"
#include "util/err.h"

/*
 * Check the rules that need no audio, fill in derived defaults (the
 * default CD-TEXT block, resolved paths).  Logs every problem as
 * "FILE:LINE: message".  Returns 0, or -1 with `err` (PM_ESCHEMA).
 */
int pm_album_check(struct pm_album *album, struct pm_err *err);

/* The ids of the verify rules album.xml may override, NULL-terminated. */
extern const char *const pm_verify_rule_ids[];

#endif
