/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sources.c: masters or sources, and reading a track as stereo float. */
#include <config.h>

#include "album/sources.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "album/paths.h"
#include "io/audio.h"
#include "util/db.h"
#include "util/msf.h"
#include "util/outdir.h"
#include "util/path.h"

#include "util/banned.h"

void pm_htoa_file_name(const struct pm_album *a, char *out, size_t size)
{
	const char *title = pm_texts_get(&a->htoa.title, NULL, false);
	char safe[72];

	pm_safe_name(title ? title : "hidden", safe, sizeof(safe));
	snprintf(out, size, "00-%s.wav", safe);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int from_masters(struct pm_inputs *in, const struct pm_target *t,
			struct pm_err *err)
{
	const struct pm_album *a = in->album;
	struct pm_audio_info info;
	char name[96];
	size_t i;

	for (i = 0; i <= a->ntracks; i++) {
		bool htoa = i == a->ntracks;
		uint32_t want;
		char *path;

		if (htoa && !(a->htoa.is_set && t->kind == PM_TARGET_CD))
			break;
		if (htoa)
			pm_htoa_file_name(a, name, sizeof(name));
		else
			pm_track_file_name(a, i, "wav", name, sizeof(name));
		path = pm_path_join(in->dir, name, err);
		if (!path)
			return -1;
		if (htoa)
			in->htoa_path = path;
		else
			in->path[i] = path;
		if (pm_audio_probe(path, &info, err) < 0)
			return pm_err_prefix(err, "the masters of '%s' are incomplete: ",
					     t->name);
		if (info.channels != 2)
			return pm_err_set(err, PM_EFORMAT,
					  "'%s' has %u channels; masters are stereo",
					  path, info.channels);
		want = htoa ? PM_CD_RATE : pm_target_rate(t, a, i);
		if (info.rate != want)
			return pm_err_set(err, PM_EFORMAT,
					  "'%s' is at %u Hz; target '%s' wants %u Hz (run premaster master again)",
					  path, info.rate, t->name, want);
		if (htoa) {
			in->has_htoa = true;
			in->htoa_rate = info.rate;
			in->htoa_length = info.length_samples;
		} else {
			in->rate[i] = info.rate;
			in->length[i] = info.length_samples;
		}
	}
	return 0;
}

static int from_sources(struct pm_inputs *in, const struct pm_target *t,
			struct pm_err *err)
{
	const struct pm_album *a = in->album;
	size_t i;

	for (i = 0; i < a->ntracks; i++) {
		const struct pm_source *s = &a->tracks[i].source;
		uint32_t want = pm_target_rate(t, a, i);

		if (s->info.rate != want)
			return pm_err_set(err, PM_EUNSUPPORTED,
					  "track %zu ('%s') is at %u Hz and target '%s' wants %u Hz; run premaster master first, which resamples",
					  i + 1, a->tracks[i].id, s->info.rate,
					  t->name, want);
		in->rate[i] = s->info.rate;
		in->length[i] = pm_source_length(s);
		in->path[i] = pm_strdup(s->path, err);
		if (!in->path[i])
			return -1;
	}
	if (a->htoa.is_set && t->kind == PM_TARGET_CD) {
		const struct pm_source *s = &a->htoa.source;

		if (s->info.rate != PM_CD_RATE)
			return pm_err_set(err, PM_EUNSUPPORTED,
					  "the hidden track is at %u Hz; run premaster master first, which resamples",
					  s->info.rate);
		in->has_htoa = true;
		in->htoa_rate = s->info.rate;
		in->htoa_length = pm_source_length(s);
		in->htoa_path = pm_strdup(s->path, err);
		if (!in->htoa_path)
			return -1;
	}
	return 0;
}

/* An empty set of inputs for the album's tracks. */
static int begin(struct pm_inputs *in, const struct pm_album *a,
		 struct pm_err *err)
{
	memset(in, 0, sizeof(*in));
	in->album = a;
	in->ntracks = a->ntracks;
	in->rate = pm_calloc(a->ntracks, sizeof(*in->rate), err);
	in->length = pm_calloc(a->ntracks, sizeof(*in->length), err);
	in->path = pm_calloc(a->ntracks, sizeof(*in->path), err);
	return in->rate && in->length && in->path ? 0 : -1;
}

int pm_inputs_find(struct pm_inputs *in, const struct pm_album *a,
		   const struct pm_target *t, const char *masters_dir,
		   bool unity, struct pm_err *err)
{
	if (begin(in, a, err) < 0)
		goto fail;
	if (!unity && masters_dir) {
		in->dir = pm_path_join(masters_dir, t->name, err);
		if (!in->dir)
			goto fail;
		if (is_dir(in->dir)) {
			in->kind = PM_INPUT_MASTERS;
			if (from_masters(in, t, err) < 0)
				goto fail;
			return 0;
		}
		free(in->dir);
		in->dir = NULL;
	}
	in->kind = PM_INPUT_SOURCES;
	if (from_sources(in, t, err) < 0)
		goto fail;
	return 0;
fail:
	pm_inputs_release(in);
	return -1;
}

int pm_inputs_sources(struct pm_inputs *in, const struct pm_album *a,
		      struct pm_err *err)
{
	size_t i;

	if (begin(in, a, err) < 0)
		goto fail;
	in->kind = PM_INPUT_SOURCES;
	for (i = 0; i < a->ntracks; i++) {
		const struct pm_source *s = &a->tracks[i].source;

		in->rate[i] = s->info.rate;
		in->length[i] = pm_source_length(s);
		in->path[i] = pm_strdup(s->path, err);
		if (!in->path[i])
			goto fail;
	}
	if (a->htoa.is_set) {
		in->has_htoa = true;
		in->htoa_rate = a->htoa.source.info.rate;
		in->htoa_length = pm_source_length(&a->htoa.source);
		in->htoa_path = pm_strdup(a->htoa.source.path, err);
		if (!in->htoa_path)
			goto fail;
	}
	return 0;
fail:
	pm_inputs_release(in);
	return -1;
}

void pm_inputs_release(struct pm_inputs *in)
{
	size_t i;

	for (i = 0; in->path && i < in->ntracks; i++)
		free(in->path[i]);
	free(in->path);
	free(in->rate);
	free(in->length);
	free(in->dir);
	free(in->htoa_path);
	memset(in, 0, sizeof(*in));
}

struct pm_track_reader {
	struct pm_audio_reader *ar;
	char *path;
	unsigned channels;
	int64_t first; /* file position of the first used sample */
	int64_t total; /* used samples */
	int64_t left;  /* samples still to deliver from the file */
	float gain;    /* 1 with masters */
	bool unity;
	bool source;   /* an album source, not a master */
	float *mono;   /* mono-to-stereo scratch */
	size_t mono_len;
};

struct pm_track_reader *pm_track_open(const struct pm_inputs *in, size_t i,
				      struct pm_err *err)
{
	const struct pm_album *a = in->album;
	bool htoa = i == PM_DISC;
	const struct pm_source *s = htoa ? &a->htoa.source : &a->tracks[i].source;
	const char *path = htoa ? in->htoa_path : in->path[i];
	struct pm_track_reader *r;
	struct pm_audio_info info;
	double gain_db;

	r = pm_calloc(1, sizeof(*r), err);
	if (!r)
		return NULL;
	r->path = pm_strdup(path, err);
	r->ar = r->path ? pm_audio_open(path, &info, err) : NULL;
	if (!r->ar)
		goto fail;
	r->channels = info.channels;
	if (r->channels < 1 || r->channels > 2) {
		pm_err_set(err, PM_EFORMAT, "'%s': %u channels", path, r->channels);
		goto fail;
	}
	r->gain = 1.0f;
	r->unity = true;
	if (in->kind == PM_INPUT_SOURCES) {
		int64_t first = pm_time_samples(s->in, s->info.rate);

		pm_audio_set_nonfinite(r->ar, s->nonfinite_zero
						      ? PM_NONFINITE_ZERO
						      : PM_NONFINITE_REFUSE);
		r->source = true;

		if (first > 0 && pm_audio_seek(r->ar, first, err) < 0)
			goto fail;
		r->first = first;
		r->left = r->total = pm_source_length(s);
		gain_db = htoa ? a->htoa.gain_db : a->tracks[i].gain_db;
		if (gain_db != 0) {
			r->gain = (float)pm_db_to_gain(gain_db);
			r->unity = false;
		}
	} else {
		r->left = r->total = info.length_samples;
	}
	return r;
fail:
	pm_track_close(r);
	return NULL;
}

int pm_track_seek(struct pm_track_reader *r, int64_t offset,
		  struct pm_err *err)
{
	if (offset > r->total)
		offset = r->total;
	if (pm_audio_seek(r->ar, r->first + offset, err) < 0)
		return -1;
	r->left = r->total - offset;
	return 0;
}

int pm_track_read(struct pm_track_reader *r, float *buf, int64_t n,
		  struct pm_err *err)
{
	int64_t want = PM_MIN(n, r->left), got = 0, k, j;
	float *dst = buf;

	if (r->channels == 1 && want > 0) {
		if ((size_t)want > r->mono_len) {
			free(r->mono);
			r->mono = pm_malloc((size_t)want * sizeof(float), err);
			if (!r->mono)
				return -1;
			r->mono_len = (size_t)want;
		}
		dst = r->mono;
	}
	while (got < want) {
		k = pm_audio_read(r->ar, dst + (size_t)got * r->channels,
				  want - got, err);
		if (k < 0 && r->source && err && err->code == PM_EFORMAT) {
			/* the one bad datum a read reports: say what helps */
			size_t used = strlen(err->msg);

			snprintf(err->msg + used, sizeof(err->msg) - used,
				 " (non-finite=\"zero\" on its <source> replaces such samples with silence)");
		}
		if (k < 0)
			return -1;
		if (k == 0)
			return pm_err_set(err, PM_EIO,
					  "'%s' ends %lld samples early (truncated?)",
					  r->path, (long long)(r->left - got));
		got += k;
	}
	r->left -= got;
	if (r->channels == 1)
		for (j = got - 1; j >= 0; j--)
			buf[2 * j] = buf[2 * j + 1] = r->mono[j];
	if (!r->unity)
		for (j = 0; j < got * 2; j++)
			buf[j] *= r->gain;
	if (got < n)
		memset(buf + (size_t)got * 2, 0, (size_t)(n - got) * 2 * sizeof(float));
	return 0;
}

void pm_track_close(struct pm_track_reader *r)
{
	if (!r)
		return;
	pm_audio_close(r->ar);
	free(r->path);
	free(r->mono);
	free(r);
}
