/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sheets.c: the texts the CUE, TOC and PQ sheet show, from the album or
 * from CD-TEXT.
 */
#include <config.h>

#include "cd/sheets-impl.h"

#include "util/banned.h"

int pm_sheet_text_from_album(const struct pm_album *a, struct pm_sheet_text *t,
			     struct pm_err *err)
{
	size_t b, i;
	int f;

	memset(t, 0, sizeof(*t));
	if (!a->cd.cdtext)
		return 0;
	t->transliterate = a->cd.transliterate;
	t->disc_id = a->cd.disc_id;
	t->genre_code = a->release.genre_code;
	t->genre_text = a->release.genre_code ? a->release.genre : NULL;
	for (b = 0; b < a->cd.nblocks && b < 8; b++) {
		struct pm_sheet_text_block *blk = &t->block[b];

		blk->lang_code = a->cd.blocks[b].lang_code;
		blk->charset = a->cd.blocks[b].charset;
		for (f = 0; f < PM_NFIELDS; f++)
			for (i = 0; i <= a->ntracks; i++) {
				const char *v = pm_album_cdtext(
					a, b, (enum pm_field)f,
					i == 0 ? PM_DISC : i - 1);

				if (!v)
					continue;
				blk->s[f][i] = pm_strdup(v, err);
				if (!blk->s[f][i]) {
					pm_sheet_text_release(t);
					return -1;
				}
			}
		t->nblocks++;
	}
	return 0;
}

void pm_sheet_text_release(struct pm_sheet_text *t)
{
	size_t b, i;
	int f;

	for (b = 0; b < 8; b++)
		for (f = 0; f < PM_NFIELDS; f++)
			for (i = 0; i < 100; i++)
				free(t->block[b].s[f][i]);
	memset(t, 0, sizeof(*t));
}

const char *pm_sheet_text_get(const struct pm_sheet_text *t, enum pm_field f,
			      unsigned track)
{
	if (!t || t->nblocks == 0 || track > 99)
		return NULL;
	return t->block[0].s[f][track];
}

const char *sheet_msf(uint32_t frames, char *buf)
{
	return pm_msf_format(frames, buf);
}
