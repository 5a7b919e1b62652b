/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-sheets.c: the CUE and TOC writers read back by libcdio (cd/cdio.c):
 * every track start, the lead-out, ISRCs, the catalogue number, flags and
 * CD-TEXT come back as written.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cd/cdio.h"
#include "cd/pq.h"
#include "cd/sheets.h"
#include "io/audio.h"
#include "tap.h"
#include "util/msf.h"

static char dir[] = "/tmp/t-sheets.XXXXXX";

static void path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

int main(void)
{
	struct pm_disc *d = calloc(1, sizeof(*d));
	struct pm_sheet_text t = { 0 };
	struct pm_image_layout *l = calloc(1, sizeof(*l));
	struct pm_audio_spec spec = { .format = PM_FORMAT_WAV, .rate = 44100,
				      .channels = 2, .bits = 16 };
	struct pm_audio_writer *w;
	struct pm_err err = { 0 };
	char wav[256], cue[256], toc[256];
	float *silence;
	FILE *fp;
	unsigned i;
	int kind;

	if (!mkdtemp(dir))
		tap_skip_all("no scratch directory");
	/* a disc: 3 tracks, pauses, an index, flags, ISRCs, a UPC */
	snprintf(d->upc, sizeof(d->upc), "0036000291452");
	d->ntracks = 3;
	d->track[0].has_pause = true;
	d->track[0].pause_frames = 0;
	d->track[0].nindex = 2;
	d->track[0].index[0] = 150;
	d->track[0].index[1] = 900;
	d->track[0].control = PM_CTL_PREEMPHASIS;
	snprintf(d->track[0].isrc, 13, "USAB12600001");
	d->track[1].has_pause = true;
	d->track[1].pause_frames = 1600;
	d->track[1].nindex = 1;
	d->track[1].index[0] = 1750;
	d->track[1].control = PM_CTL_COPY;
	snprintf(d->track[1].isrc, 13, "USAB12600002");
	d->track[2].nindex = 1;
	d->track[2].index[0] = 2400;
	snprintf(d->track[2].isrc, 13, "USAB12600003");
	d->leadout_frames = 3000;
	t.nblocks = 1;
	t.block[0].lang_code = 0x09;
	t.block[0].charset = PM_CHARSET_ISO8859_1;
	t.block[0].s[PM_FIELD_TITLE][0] = strdup("Album One");
	t.block[0].s[PM_FIELD_PERFORMER][0] = strdup("Artist");
	for (i = 1; i <= 3; i++) {
		char s[32];

		snprintf(s, sizeof(s), "Track %u", i);
		t.block[0].s[PM_FIELD_TITLE][i] = strdup(s);
		t.block[0].s[PM_FIELD_PERFORMER][i] = strdup("Artist");
	}
	/* the image the sheets reference: the programme, in silence */
	path(wav, sizeof(wav), "album.wav");
	silence = calloc((size_t)pm_frame_samples(3000) * 2, sizeof(float));
	w = pm_audio_create(wav, &spec, NULL, &err);
	pm_audio_write(w, silence, pm_frame_samples(3000), &err);
	pm_audio_finish(w, &err);
	free(silence);

	path(cue, sizeof(cue), "album.cue");
	path(toc, sizeof(toc), "album.toc");
	fp = fopen(cue, "w");
	ok(pm_cue_write(fp, d, &t, "album.wav", &err) == 0, "CUE written");
	fclose(fp);
	fp = fopen(toc, "w");
	ok(pm_toc_write(fp, d, &t, "album.wav", &err) == 0, "TOC written");
	fclose(fp);

	for (kind = 0; kind < 2; kind++) {
		const char *name = kind ? "TOC" : "CUE";

		if (!ok(pm_cdio_read_image(kind ? toc : cue, kind == 1, wav, l,
					   &err) == 0,
			"libcdio reads our %s: %s", name, err.msg))
			continue;
		is_int(l->ntracks, 3, "%s: three tracks", name);
		for (i = 1; i <= 3; i++) {
			is_int(l->start_lsn[i], d->track[i - 1].index[0],
			       "%s: track %u starts at its index 01", name, i);
			is_str(l->isrc[i], d->track[i - 1].isrc, "%s: track %u ISRC",
			       name, i);
		}
		is_str(l->mcn, "0036000291452", "%s: the catalogue number", name);
		ok(l->preemphasis[1] && !l->preemphasis[2] && l->copy[2] &&
			   !l->copy[1],
		   "%s: the flags", name);
		is_str(l->title[2], "Track 2", "%s: CD-TEXT titles", name);
		/* libcdio's cdrdao driver counts the last pause twice; ours
		 * has none, so both read the same lead-out */
		is_int(l->leadout_lsn, 3000, "%s: the lead-out", name);
	}
	pm_sheet_text_release(&t);
	unlink(wav);
	unlink(cue);
	unlink(toc);
	rmdir(dir);
	free(d);
	free(l);
	return tap_done();
}
