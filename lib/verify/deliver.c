/* SPDX-License-Identifier: GPL-3.0-or-later */
/* deliver.c: vinyl sides and streaming files against their targets. */
#include <config.h>

#include "verify/verify-impl.h"

#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* Vinyl and streaming                                                  */
/* ------------------------------------------------------------------ */

static void file_checks(struct pm_verify *v, struct pm_deliverable *d,
			const char *rel, const struct pm_target *t,
			uint32_t rate, struct pm_meter **keep)
{
	struct pm_audio_info info;
	struct pm_measured *m;
	struct pm_err err = { 0 };
	char path[4096 + 512];

	snprintf(path, sizeof(path), "%s/%s", v->outdir, rel);
	v->checks++;
	m = verify_measured(d, rel);
	if (!m)
		return;
	if (verify_measure_file(v, path, m, &info, keep, &err) < 0) {
		verify_find(v, "consistency", PM_SEV_ERROR, rel, "%s", err.msg);
		d->n--;
		free(m->name);
		return;
	}
	if (info.rate != rate)
		verify_find(v, "sample-rate", PM_SEV_ERROR, rel, "%u Hz; %s asks for %u Hz",
		     info.rate, t->name, rate);
	if (!info.is_lossy && info.bits != t->bits)
		verify_find(v, "sample-rate", PM_SEV_ERROR, rel, "%u-bit; %s asks for %u-bit",
		     info.bits, t->name, t->bits);
	if (info.is_extensible)
		verify_find(v, "wav-format", PM_SEV_ERROR, rel,
		     "WAVE_FORMAT_EXTENSIBLE: distributors such as Spotify want format 1");
	verify_qc(v, m);
}

static void vinyl_checks(struct pm_verify *v, const struct pm_target *t)
{
	const struct pm_album *a = v->album;
	struct pm_deliverable *d = verify_deliverable(v, "vinyl");
	struct pm_meter *meters[8] = { 0 };
	struct pm_side_limits lim;
	char dir[4096], name[160], rel[256];
	uint32_t rate;
	size_t s;

	if (!d)
		return;
	d->ceiling_dbtp = t->ceiling_dbtp;
	d->has_target = t->has_target;
	d->target_lufs = t->target_lufs;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", v->outdir, PM_DIR_VINYL) >=
	    sizeof(dir))
		return;
	v->checks++;
	if (!verify_is_dir(dir)) {
		verify_find(v, "consistency", PM_SEV_ERROR, "vinyl",
		     "there are no vinyl sides; run premaster sequence");
		return;
	}
	d->present = true;
	pm_side_limits(a->vinyl.size_in, a->vinyl.speed_rpm, &lim);
	for (s = 0; s < a->vinyl.nsides && s < 8; s++) {
		if (a->vinyl.sides[s].ntracks == 0)
			continue;
		rate = pm_target_rate(t, a, a->vinyl.sides[s].tracks[0]);
		pm_vinyl_file_name(a, a->vinyl.sides[s].name, rate, t->bits, name,
				   sizeof(name));
		snprintf(rel, sizeof(rel), "%s/%.160s", PM_DIR_VINYL, name);
		file_checks(v, d, rel, t, rate, &meters[d->n]);
		if (d->n && d->m[d->n - 1].seconds > lim.max_s)
			verify_find(v, "vinyl-side-length", PM_SEV_ERROR, rel,
			     "side %s runs %.0f s; a %u\" side at %u rpm holds %.0f s",
			     a->vinyl.sides[s].name, d->m[d->n - 1].seconds,
			     a->vinyl.size_in, a->vinyl.speed_rpm, lim.max_s);
	}
	verify_levels(v, d, meters, 0, 0, false);
	for (s = 0; s < 8; s++)
		pm_meter_free(meters[s]);
}

static void stream_checks(struct pm_verify *v, const struct pm_target *t)
{
	const struct pm_album *a = v->album;
	struct pm_deliverable *d = verify_deliverable(v, t->name);
	struct pm_meter *meters[PM_MAX_TRACKS] = { 0 };
	char dir[4096], name[128], rel[256];
	size_t k;

	if (!d)
		return;
	d->ceiling_dbtp = t->ceiling_dbtp;
	d->has_target = t->has_target;
	d->target_lufs = t->target_lufs;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s/%s", v->outdir,
			     PM_DIR_STREAMING, t->name) >= sizeof(dir))
		return;
	v->checks++;
	if (!verify_is_dir(dir)) {
		verify_find(v, "consistency", PM_SEV_ERROR, t->name,
		     "there are no files for %s; run premaster sequence", t->name);
		return;
	}
	d->present = true;
	for (k = 0; k < a->ntracks; k++) {
		pm_track_file_name(a, k, pm_format_ext(t->format), name, sizeof(name));
		snprintf(rel, sizeof(rel), "%s/%.40s/%.128s", PM_DIR_STREAMING,
			 t->name, name);
		file_checks(v, d, rel, t, pm_target_rate(t, a, k), &meters[d->n]);
	}
	verify_levels(v, d, meters, t->hot_above_lufs, t->hot_ceiling_dbtp, t->has_hot);
	for (k = 0; k < PM_MAX_TRACKS; k++)
		pm_meter_free(meters[k]);
}

int pm_verify_run(const struct pm_album *a, const char *outdir,
		  struct pm_verify *v, struct pm_err *err)
{
	struct pm_target targets[2 + 32];
	size_t nt, t;

	memset(v, 0, sizeof(*v));
	v->album = a;
	v->outdir = outdir;
	if (!verify_is_dir(outdir))
		return pm_err_set(err, PM_ENOINPUT,
				  "'%s' does not exist; run premaster build", outdir);
	nt = pm_album_targets(a, targets);
	for (t = 0; t < nt; t++) {
		if (pm_interrupted())
			return pm_err_set(err, PM_EINTR, "interrupted");
		switch (targets[t].kind) {
		case PM_TARGET_CD:
			verify_cd_checks(v, &targets[t]);
			break;
		case PM_TARGET_VINYL:
			vinyl_checks(v, &targets[t]);
			break;
		case PM_TARGET_STREAM:
			stream_checks(v, &targets[t]);
			break;
		}
	}
	verify_manifest_checks(v);
	return 0;
}

void pm_verify_release(struct pm_verify *v)
{
	size_t i, k;

	pm_findings_release(&v->findings);
	for (i = 0; i < v->ndeliv; i++) {
		for (k = 0; k < v->deliv[i].n; k++)
			free(v->deliv[i].m[k].name);
		free(v->deliv[i].m);
	}
	free(v->deliv);
	memset(v, 0, sizeof(*v));
}
