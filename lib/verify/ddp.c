/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ddp.c: verify --ddp: any DDP on its own, premaster's or another
 * writer's: the reader's checks, every checksum list beside it, the byte
 * order of its audio, and a listing of its PQ and CD-TEXT.
 */
#include <config.h>

#include "verify/verify-impl.h"

#include "util/banned.h"

/*
 * Whether the image reads as music only with its bytes swapped.  Music
 * moves little from one sample to the next; the same samples with their
 * bytes swapped are close to white noise, which moves about as much as
 * it measures.  So the mean step against the mean level is small for the
 * right byte order and near one for the wrong one; when neither reading
 * is clearly music (noise, silence) nothing is said.
 */
#define SMOOTH_MUSIC 0.5
#define SMOOTH_NOISE 0.8

static int byte_order(const struct pm_ddp *ddp, double *straight,
		      double *swapped)
{
	uint8_t *buf = malloc(8192 * 4);
	double step[2] = { 0 }, level[2] = { 0 };
	int16_t prev[2][2] = { { 0 } };
	int64_t at = ddp->image_offset_bytes, end;
	int fd;

	if (!buf)
		return -1;
	fd = pm_open_regular(ddp->image_path, NULL, NULL);
	if (fd < 0) {
		free(buf);
		return -1;
	}
	end = at + (int64_t)ddp->image_frames * 2352;
	while (at < end) {
		ssize_t got = pread(fd, buf, (size_t)PM_MIN(8192 * 4, end - at),
				    (off_t)at);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		pm_progress_add((double)got / 4 / PM_CD_RATE);
		for (ssize_t i = 0; i + 1 < got; i += 2) {
			int16_t le = (int16_t)(uint16_t)(buf[i] | buf[i + 1] << 8);
			int16_t be = (int16_t)(uint16_t)(buf[i] << 8 | buf[i + 1]);
			int c = (int)(i / 2) & 1;

			step[0] += fabs((double)le - prev[0][c]);
			step[1] += fabs((double)be - prev[1][c]);
			level[0] += fabs((double)le);
			level[1] += fabs((double)be);
			prev[0][c] = le;
			prev[1][c] = be;
		}
		at += got;
	}
	close(fd);
	free(buf);
	*straight = level[0] > 0 ? step[0] / level[0] : 0;
	*swapped = level[1] > 0 ? step[1] / level[1] : 0;
	return 0;
}

static void print_text(FILE *fp, const char *what, const char *s)
{
	if (s && *s)
		fprintf(fp, "  %-11s %s\n", what, s);
}

/* The decoded CD-TEXT, block by block, as ddpinfo shows it. */
static void listing_cdtext(FILE *fp, const struct pm_ddp *ddp)
{
	static const char *const field[PM_NFIELDS] = {
		"Title", "Performer", "Songwriter", "Composer", "Arranger",
		"Message"
	};
	struct pm_cdtext_text ct = { 0 };
	struct pm_err err = { 0 };

	if (!ddp->cdtext) {
		fputs("\nCD-TEXT: none\n", fp);
		return;
	}
	if (pm_cdio_cdtext_decode(ddp->cdtext, ddp->cdtext_bytes, &ct,
				  &err) < 0) {
		fprintf(fp, "\nCD-TEXT: cannot be decoded: %s\n", err.msg);
		return;
	}
	for (size_t b = 0; b < ct.nblocks; b++) {
		const struct pm_cdtext_lang *l = &ct.block[b];

		fprintf(fp,
			"\nCD-TEXT block %u: language 0x%02X, character code 0x%02X%s\n",
			l->block, l->lang_code, l->char_code,
			l->copyright ? ", copyrighted" : "");
		fputs(" Disc\n", fp);
		for (unsigned f = 0; f < PM_NFIELDS; f++)
			print_text(fp, field[f], l->text[f][0]);
		print_text(fp, "UPC/EAN", l->upc);
		print_text(fp, "Disc ID", l->disc_id);
		print_text(fp, "Genre", l->genre_text);
		for (unsigned n = l->first_track; n && n <= l->last_track &&
						  n <= PM_DISC_MAX_TRACKS;
		     n++) {
			fprintf(fp, " Track %02u\n", n);
			for (unsigned f = 0; f < PM_NFIELDS; f++)
				print_text(fp, field[f], l->text[f][n]);
			print_text(fp, "ISRC", l->isrc[n]);
		}
	}
	pm_cdio_cdtext_release(&ct);
}

static void make_listing(struct pm_verify *v, const struct pm_ddp *ddp)
{
	char *text = NULL;
	size_t len = 0;
	struct pm_err err = { 0 };
	FILE *fp = open_memstream(&text, &len);

	if (!fp)
		return;
	fprintf(fp, "DDP %s\n", ddp->dir);
	fprintf(fp, "Level       %s\n", ddp->id.level);
	fprintf(fp, "UPC/EAN     %s\n", ddp->id.upc[0] ? ddp->id.upc : "-");
	fprintf(fp, "Master ID   %s\n",
		ddp->id.master_id[0] ? ddp->id.master_id : "-");
	if (ddp->id.user_text[0])
		fprintf(fp, "User text   %s\n", ddp->id.user_text);
	fprintf(fp, "Audio       %s, %u sectors\n",
		ddp->image_path ? strrchr(ddp->image_path, '/') + 1 : "-",
		ddp->image_frames);
	fputs("Checksums  ", fp);
	for (size_t i = 0; i < ddp->nsum_files; i++)
		fprintf(fp, " %s", ddp->sum_files[i]);
	fputs(ddp->nsum_files ? "\n\n" : " none\n\n", fp);
	if (ddp->disc.ntracks)
		pm_ddp_listing(fp, &ddp->disc, &err);
	listing_cdtext(fp, ddp);
	if (fclose(fp) == 0)
		v->listing = text;
	else
		free(text);
}

int pm_verify_ddp(const char *dir, struct pm_verify *v, struct pm_err *err)
{
	struct pm_ddp_read_options ro = { .keep_broken = true };
	struct verify_log log = { 0 };
	struct pm_ddp *ddp;
	double straight = 0, swapped = 0;

	memset(v, 0, sizeof(*v));
	v->ddp_dir = dir;
	v->outdir = dir;
	v->checks++;
	pm_log_set_sink(verify_quiet, &log);
	ddp = pm_ddp_read(dir, &ro, err);
	pm_log_set_sink(NULL, NULL);
	if (!ddp) {
		verify_log_release(&log);
		return -1;
	}
	verify_ddp_problems(v, ddp, &log);
	verify_log_release(&log);
	v->disc = ddp->disc;
	v->has_disc = ddp->disc.ntracks > 0;
	if (ddp->image_path && ddp->nerrors == 0) {
		v->checks++;
		pm_progress_expect((double)ddp->image_frames * 588 / PM_CD_RATE);
		if (byte_order(ddp, &straight, &swapped) == 0 &&
		    straight > SMOOTH_NOISE && swapped < SMOOTH_MUSIC)
			verify_find(v, "ddp-byte-order", PM_SEV_ERROR,
				    "ddp/IMAGE.DAT",
				    "the audio reads as music only with its bytes swapped (a mean step of %.2f of the level, against %.2f swapped): the image is big-endian, and DDP audio is little-endian",
				    straight, swapped);
	}
	make_listing(v, ddp);
	pm_ddp_free(ddp);
	return 0;
}
