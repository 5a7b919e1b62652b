/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sequence-impl.h: what the CD, vinyl and streaming sequencers share;
 * private to lib/sequence/.
 */
#ifndef PM_SEQUENCE_IMPL_H
#define PM_SEQUENCE_IMPL_H

#include "sequence/sequence.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "album/paths.h"
#include "album/sources.h"
#include "album/vinyl.h"
#include "cd/cdio.h"
#include "cd/cdtext.h"
#include "cd/pq.h"
#include "cd/sheets.h"
#include "dsp/bs1770.h"
#include "dsp/dither.h"
#include "dsp/truepeak.h"
#include "io/audio.h"
#include "io/ogg.h"
#include "io/tags.h"
#include "sequence/feed.h"
#include "sequence/timeline.h"
#include "sequence/xfade.h"
#include "util/crc32.h"
#include "util/db.h"
#include "util/log.h"
#include "util/msf.h"
#include "util/outdir.h"
#include "util/progress.h"

#define BLOCK_FRAMES 8192

/* Loudness and true peak of what a file receives (its bext fields). */
struct seq_meter {
	struct pm_bs1770 *k;
	struct pm_truepeak *tp;
};

int seq_meter_init(struct seq_meter *m, uint32_t rate, struct pm_err *err);
/* Feed frames; a meter never initialised takes them and does nothing. */
int seq_meter_add(struct seq_meter *m, const float *buf, int64_t n,
		  struct pm_err *err);
void seq_meter_result(struct seq_meter *m, struct pm_bext_loudness *l);
void seq_meter_free(struct seq_meter *m);

struct sink {
	struct pm_audio_writer *w;
	uint32_t rate; /* of the file: progress counts its seconds */
	char *path; /* streaming: the file being written */
	bool dither16;
	struct pm_ditherer dith;
	int16_t *pcm;
	struct seq_meter meter; /* WAV: the bext loudness */
};

int seq_sink_silence(struct sink *s, float *buf, int64_t n,
		     struct pm_err *err);

int seq_sink_write(struct sink *s, const float *buf, int64_t n,
		   struct pm_err *err);

/* The tags of track k's streaming file (values borrowed from the album
 * or kept here). */
struct seq_tags {
	struct pm_tag v[24];
	size_t n;
	char number[16], total[16], copyright[200], encoder[48];
};

void seq_track_tags(const struct pm_album *a, size_t k, struct seq_tags *t);

/*
 * The LIST/INFO strings and bext chunk of a WAV deliverable: track k, or
 * the whole album (PM_DISC); `what` names the deliverable ("cd", "vinyl
 * side A", a profile) in the description and coding history.
 */
struct seq_wav_meta {
	struct pm_audio_meta meta;
	struct pm_bext bext;
	char number[24], copyright[200], software[48];
	char description[257], originator[33], reference[33];
	char date[16], time[16], history[160];
};

void seq_wav_meta(const struct pm_album *a, size_t k, const char *what,
		  uint32_t rate, unsigned bits, struct seq_wav_meta *m);

#endif
