/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ddp-extract.c: extracting a DDP's tracks as WAV files, and its listing. */
#include <config.h>

#include "cd/ddp-impl.h"

#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* Extracting                                                           */
/* ------------------------------------------------------------------ */

static const char *cb1(unsigned control, bool scms, char *buf)
{
	static const char hex[] = "0123456789ABCDEF";

	buf[0] = hex[control & 0xF];
	buf[1] = scms ? 'S' : '1';
	buf[2] = '\0';
	return buf;
}

/* Append a word to a comma-separated list. */
static void add_word(char *buf, size_t size, const char *word)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%s%s", n ? "," : "", word);
}

int pm_ddp_listing(FILE *fp, const struct pm_disc *disc, struct pm_err *err)
{
	struct pm_pq_entry *e;
	size_t n;
	char t[12], c[4];

	e = pm_disc_entries(disc, &n, err);
	if (!e)
		return -1;
	fprintf(fp, "TRACK\tINDEX\tTIME\tISRC\tCONTROL\tFLAGS\n");
	if (disc->upc[0])
		fprintf(fp, "UPC\t%s\n", disc->upc);
	for (size_t i = 0; i < n; i++) {
		char flags[64] = "";

		if (i > 0 && e[i].track == LEADOUT && e[i - 1].track == LEADOUT)
			continue; /* the lead-out is written twice, listed once
				   */
		if (e[i].control & PM_CTL_PREEMPHASIS)
			add_word(flags, sizeof(flags), "pre-emphasis");
		if (e[i].control & PM_CTL_COPY)
			add_word(flags, sizeof(flags), "copy");
		if (e[i].scms)
			add_word(flags, sizeof(flags), "scms");
		if (e[i].control & PM_CTL_DATA)
			add_word(flags, sizeof(flags), "data");
		if (e[i].control & PM_CTL_FOUR_CHANNEL)
			add_word(flags, sizeof(flags), "four-channel");
		if (e[i].track == LEADOUT)
			fprintf(fp, "AA");
		else
			fprintf(fp, "%02u", e[i].track);
		fprintf(fp, "\t%02u\t%s\t%s\t%s\t%s\n", e[i].index,
			pm_msf_format(e[i].frames, t),
			e[i].isrc[0] ? e[i].isrc : "-",
			cb1(e[i].control, e[i].scms, c),
			flags[0] ? flags : "-");
	}
	free(e);
	if (ferror(fp))
		return pm_err_sys(err, PM_EIO, "cannot write the PQ listing");
	return 0;
}

/* Copy frames [start, end) of the image into a new 16-bit WAV. */
static int extract_span(const struct pm_ddp *ddp, int fd, const char *path,
			uint32_t start, uint32_t end, int16_t *buf,
			struct pm_err *err)
{
	const struct pm_audio_spec spec = { .format = PM_FORMAT_WAV,
					    .rate = PM_CD_RATE,
					    .channels = PM_CD_CHANNELS,
					    .bits = 16 };
	struct pm_audio_writer *w = pm_audio_create(path, &spec, NULL, err);
	uint32_t at = start;

	if (!w)
		return -1;
	while (at < end) {
		uint32_t n = PM_MIN(CHUNK_FRAMES, end - at);
		size_t bytes = (size_t)n * PM_BYTES_PER_FRAME;
		int64_t offset = ddp->image_offset_bytes +
				 (int64_t)(at - ddp->image_start_frames) *
					 PM_BYTES_PER_FRAME;
		ssize_t got;

		if (pm_interrupted()) {
			pm_err_set(err, PM_EINTR,
				   "interrupted while writing '%s'", path);
			goto fail;
		}
		got = pm_read_at(fd, buf, bytes, offset);
		if (got < 0) {
			pm_err_sys(err, PM_EIO, "cannot read '%s'",
				   ddp->image_path);
			goto fail;
		}
		if ((size_t)got != bytes) {
			pm_err_set(err, PM_EIO,
				   "'%s' ends before sector %" PRIu32,
				   ddp->image_path, at + n);
			goto fail;
		}
		ddp_le16_swap(buf, bytes / 2);
		if (pm_audio_write_s16(w, buf, pm_frame_samples(n), err) < 0)
			goto fail;
		at += n;
	}
	return pm_audio_finish(w, err);
fail:
	pm_audio_finish(w, NULL);
	return -1;
}

int pm_ddp_extract_into(const struct pm_ddp *ddp, enum pm_gap_policy policy,
			const struct pm_outdir *od, struct pm_err *err)
{
	struct pm_span spans[2 * PM_MAX_TRACKS];
	int16_t *buf = NULL;
	char *path = NULL;
	FILE *fp = NULL;
	size_t n;
	int fd = -1, ret = -1;

	if (ddp->nerrors > 0 || !ddp->image_path || ddp->disc.ntracks == 0)
		return pm_err_set(
			err, PM_EINVAL,
			"'%s' has %u error%s; refusing to extract tracks from it",
			ddp->dir, ddp->nerrors, ddp->nerrors == 1 ? "" : "s");
	n = pm_disc_spans(&ddp->disc, policy, spans);
	buf = pm_malloc(CHUNK_BYTES, err);
	if (!buf)
		goto out;
	fd = pm_open_regular(ddp->image_path, NULL, err);
	if (fd < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		char name[32];

		if (spans[i].track)
			snprintf(name, sizeof(name), "%02u.wav",
				 spans[i].track);
		else
			snprintf(name, sizeof(name), "%02u-pause.wav",
				 spans[i].pause_of);
		path = pm_outdir_path(od, name, err);
		if (!path || extract_span(ddp, fd, path, spans[i].start_frames,
					  spans[i].end_frames, buf, err) < 0)
			goto out;
		free(path);
		path = NULL;
		pm_progress_add((double)(spans[i].end_frames -
					 spans[i].start_frames) /
				PM_FRAMES_PER_SEC);
	}
	path = pm_outdir_path(od, PM_DDP_LISTING, err);
	if (!path)
		goto out;
	fp = pm_fcreate(path, "w", err);
	if (!fp || pm_ddp_listing(fp, &ddp->disc, err) < 0)
		goto out;
	ret = pm_fclose_written(fp, path, err);
	fp = NULL;
out:
	pm_progress_clear();
	if (fp)
		fclose(fp);
	if (fd >= 0)
		close(fd);
	free(path);
	free(buf);
	return ret;
}

int pm_ddp_extract(const struct pm_ddp *ddp, enum pm_gap_policy policy,
		   const char *outdir, bool force, struct pm_err *err)
{
	struct pm_outdir od = { 0 };
	char *parent = pm_strdup(outdir, err);
	const char *name;
	char *slash;
	size_t len;
	int ret = -1;

	if (!parent)
		return -1;
	len = strlen(parent);
	while (len > 1 && parent[len - 1] == '/')
		parent[--len] = '\0';
	slash = strrchr(parent, '/');
	if (!slash) {
		name = parent;
	} else {
		*slash = '\0';
		name = slash + 1;
	}
	if (pm_outdir_begin(&od, slash ? (slash == parent ? "/" : parent) : ".",
			    name, force, err) < 0)
		goto out;
	if (pm_ddp_extract_into(ddp, policy, &od, err) < 0 ||
	    pm_outdir_commit(&od, err) < 0)
		goto out;
	ret = 0;
out:
	pm_outdir_release(&od);
	free(parent);
	return ret;
}
