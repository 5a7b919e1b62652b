/* SPDX-License-Identifier: GPL-3.0-or-later */
/* msf.c: Red Book minute/second/frame arithmetic. */
#include <config.h>

#include "util/msf.h"

#include <ctype.h>
#include <stdio.h>

#include "util/banned.h"

struct pm_msf pm_msf_from_frames(uint32_t frames)
{
	struct pm_msf m;

	m.frame = frames % PM_FRAMES_PER_SEC;
	m.sec = frames / PM_FRAMES_PER_SEC % 60;
	m.min = frames / PM_FRAMES_PER_SEC / 60;
	return m;
}

uint32_t pm_msf_to_frames(struct pm_msf msf)
{
	return (msf.min * 60 + msf.sec) * PM_FRAMES_PER_SEC + msf.frame;
}

const char *pm_msf_format(uint32_t frames, char *buf)
{
	struct pm_msf m = pm_msf_from_frames(frames);

	snprintf(buf, 12, "%02u:%02u:%02u", m.min % 1000, m.sec, m.frame);
	return buf;
}

static int field(const char **p, unsigned max, char stop, unsigned *out)
{
	unsigned v = 0;
	int n = 0;

	while (isdigit((unsigned char)**p) && n < 3) {
		v = v * 10 + (unsigned)(**p - '0');
		(*p)++;
		n++;
	}
	if (n == 0 || v > max || **p != stop)
		return -1;
	if (stop)
		(*p)++;
	*out = v;
	return 0;
}

int pm_msf_parse(const char *text, uint32_t *frames)
{
	struct pm_msf m;

	if (field(&text, 999, ':', &m.min) < 0 ||
	    field(&text, 59, ':', &m.sec) < 0 ||
	    field(&text, PM_FRAMES_PER_SEC - 1, '\0', &m.frame) < 0)
		return -1;
	*frames = pm_msf_to_frames(m);
	return 0;
}

uint32_t pm_frames_ceil(int64_t samples)
{
	if (samples <= 0)
		return 0;
	return (uint32_t)((samples + PM_SAMPLES_PER_FRAME - 1) /
			  PM_SAMPLES_PER_FRAME);
}

uint32_t pm_frames_floor(int64_t samples)
{
	if (samples <= 0)
		return 0;
	return (uint32_t)(samples / PM_SAMPLES_PER_FRAME);
}
