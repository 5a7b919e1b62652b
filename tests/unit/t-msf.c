/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-msf.c: Red Book frame arithmetic. */
#include <config.h>

#include "tap.h"
#include "util/msf.h"

int main(void)
{
	char buf[12];
	uint32_t f;
	struct pm_msf m;

	is_str(pm_msf_format(0, buf), "00:00:00", "zero");
	is_str(pm_msf_format(150, buf), "00:02:00", "the pregap");
	is_str(pm_msf_format(PM_MAX_DISC_FRAMES, buf), "99:59:74",
	       "the largest time");
	is_str(pm_msf_format(PM_WARN_DISC_FRAMES, buf), "79:57:00",
	       "the warning limit");
	m = pm_msf_from_frames(4 * 60 * 75 + 7 * 75 + 33);
	ok(m.min == 4 && m.sec == 7 && m.frame == 33, "split into M:S:F");
	is_int(pm_msf_to_frames(m), 4 * 60 * 75 + 7 * 75 + 33, "and joined");
	ok(pm_msf_parse("61:12:34", &f) == 0 && f == (61 * 60 + 12) * 75 + 34,
	   "parse");
	ok(pm_msf_parse("00:60:00", &f) < 0, "60 seconds refused");
	ok(pm_msf_parse("00:00:75", &f) < 0, "75 frames refused");
	ok(pm_msf_parse("00:00", &f) < 0, "two fields refused");
	ok(pm_msf_parse("00:00:00x", &f) < 0, "junk refused");
	is_int(pm_frames_ceil(1), 1, "one sample needs a frame");
	is_int(pm_frames_ceil(588), 1, "588 samples are one frame");
	is_int(pm_frames_ceil(589), 2, "589 need two");
	is_int(pm_frames_floor(587), 0, "floor of a partial frame");
	is_int(pm_frames_ceil(0), 0, "nothing needs nothing");
	ok(pm_on_frame(588 * 17) && !pm_on_frame(588 * 17 + 1),
	   "frame boundaries");
	is_int(PM_BYTES_PER_FRAME, PM_SAMPLES_PER_FRAME * 4,
	       "a frame is 588 stereo 16-bit samples");
	return tap_done();
}
