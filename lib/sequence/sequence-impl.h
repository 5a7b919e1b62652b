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
#include "cd/pq.h"
#include "cd/sheets.h"
#include "dsp/dither.h"
#include "dsp/truepeak.h"
#include "io/audio.h"
#include "io/ogg.h"
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

struct sink {
	struct pm_audio_writer *w;
	uint32_t rate; /* of the file: progress counts its seconds */
	char *path; /* streaming: the file being written */
	bool ogg;   /* streaming: give it our serial number when done */
	bool dither16;
	struct pm_ditherer dith;
	int16_t *pcm;
};

int seq_sink_silence(struct sink *s, float *buf, int64_t n,
		     struct pm_err *err);

int seq_sink_write(struct sink *s, const float *buf, int64_t n,
		   struct pm_err *err);

#endif
