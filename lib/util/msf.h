/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * msf.h: Red Book time arithmetic.  A CD frame (sector) is 1/75 s, 588
 * stereo samples at 44.1 kHz, 2352 bytes.  Absolute times (A-time) count
 * from the first sector of the programme, the start of track 1's pregap.
 */
#ifndef PM_MSF_H
#define PM_MSF_H

#include <stdbool.h>
#include <stdint.h>

#define PM_CD_RATE 44100u
#define PM_CD_CHANNELS 2u
#define PM_FRAMES_PER_SEC 75u
#define PM_SAMPLES_PER_FRAME 588u
#define PM_BYTES_PER_FRAME 2352u
#define PM_PREGAP_FRAMES 150u  /* the 2-second pause before track 1 */
#define PM_MIN_TRACK_FRAMES 300u /* 4 seconds */
#define PM_MAX_TRACKS 99u
#define PM_MAX_INDEX 99u
/* 99:59:74, the largest time two-digit minutes can express */
#define PM_MAX_DISC_FRAMES (99u * 60u * 75u + 59u * 75u + 74u)
/* 79:57:00, the practical plant limit we warn about by default */
#define PM_WARN_DISC_FRAMES (79u * 60u * 75u + 57u * 75u)

struct pm_msf {
	unsigned min, sec, frame;
};

/* Split a frame count into minutes, seconds and frames. */
struct pm_msf pm_msf_from_frames(uint32_t frames);

/* Join minutes, seconds and frames; no range check. */
uint32_t pm_msf_to_frames(struct pm_msf msf);

/*
 * Format `frames` as "MM:SS:FF" into buf, which must hold 12 bytes
 * (minutes may exceed 99 for out-of-range values).  Returns buf.
 */
const char *pm_msf_format(uint32_t frames, char *buf);

/*
 * Parse "MM:SS:FF" (each part decimal; SS < 60, FF < 75).  Returns 0 and
 * stores frames, or -1.
 */
int pm_msf_parse(const char *text, uint32_t *frames);

/* Frames that hold `samples` CD samples, rounding up (partial = whole). */
uint32_t pm_frames_ceil(int64_t samples);

/* Frames wholly contained in `samples` CD samples (rounding down). */
uint32_t pm_frames_floor(int64_t samples);

/* The first sample of a frame. */
static inline int64_t pm_frame_samples(uint32_t frames)
{
	return (int64_t)frames * PM_SAMPLES_PER_FRAME;
}

/* Whether a CD sample position lies on a frame boundary. */
static inline bool pm_on_frame(int64_t samples)
{
	return samples % PM_SAMPLES_PER_FRAME == 0;
}

#endif
