/* SPDX-License-Identifier: GPL-3.0-or-later */
/* paths.c: names in the output layout. */
#include <config.h>

#include "album/paths.h"

#include <stdio.h>

#include "util/outdir.h"

#include "util/banned.h"

const char *const pm_deliverable_dirs[] = { PM_DIR_CD, PM_DIR_DDP,
					     PM_DIR_VINYL, PM_DIR_STREAMING };
const size_t pm_ndeliverable_dirs = 4;

void pm_track_file_name(const struct pm_album *a, size_t i, const char *ext,
			char *out, size_t size)
{
	const char *title = pm_texts_get(&a->tracks[i].text[PM_FIELD_TITLE],
					 NULL, false);
	char safe[72];

	pm_safe_name(title ? title : a->tracks[i].id, safe, sizeof(safe));
	snprintf(out, size, "%02zu-%s.%s", i + 1, safe, ext);
}

void pm_vinyl_file_name(const struct pm_album *a, const char *side,
			uint32_t rate, unsigned bits, char *out, size_t size)
{
	const char *cat = a->release.catalog;
	char base[72], depth[16];
	size_t k;

	if (!cat)
		cat = pm_texts_get(&a->release.text[PM_FIELD_TITLE], NULL, false);
	pm_safe_name(cat ? cat : "album", base, sizeof(base));
	for (k = 0; base[k]; k++)
		if (base[k] == ' ')
			base[k] = '_';
	if (bits)
		snprintf(depth, sizeof(depth), "%ubit", bits);
	else
		snprintf(depth, sizeof(depth), "float");
	snprintf(out, size, "%s_%s_%uHz_%s.wav", base, side, rate, depth);
}
