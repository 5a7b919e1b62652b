/* SPDX-License-Identifier: GPL-3.0-or-later */
/* paths.c: names in the output layout. */
#include <config.h>

#include "album/paths.h"

#include <stdio.h>
#include <sys/stat.h>

#include "util/log.h"
#include "util/manifest.h"
#include "util/outdir.h"

#include "util/banned.h"

const char *const pm_deliverable_dirs[] = { PM_DIR_CD, PM_DIR_DDP,
					     PM_DIR_VINYL, PM_DIR_STREAMING };
const size_t pm_ndeliverable_dirs = 4;

int pm_deliverables_manifest(const char *outdir, size_t *nfiles,
			     struct pm_err *err)
{
	struct stat st;
	size_t n = 0;

	if (stat(outdir, &st) < 0 || !S_ISDIR(st.st_mode))
		return pm_err_set(err, PM_ENOINPUT,
				  "'%s' does not exist; run premaster build",
				  outdir);
	if (pm_manifest_write(outdir, pm_deliverable_dirs, pm_ndeliverable_dirs,
			      &n, err) < 0)
		return -1;
	if (n == 0)
		pm_warning("'%s' has no deliverables; the manifests are empty",
			   outdir);
	if (nfiles)
		*nfiles = n;
	return 0;
}

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
