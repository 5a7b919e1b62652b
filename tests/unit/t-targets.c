/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-targets.c: the delivery table and vinyl side splitting. */
#include <config.h>

#include <string.h>

#include "album/targets.h"
#include "album/vinyl.h"
#include "tap.h"

int main(void)
{
	static const struct {
		const char *name;
		double lufs, dbtp;
	} want[] = {
		{ "spotify", -14, -1 }, { "apple", -16, -1 },
		{ "youtube", -14, -1 }, { "amazon", -14, -2 },
		{ "tidal", -14, -1 },	{ "deezer", -15, -1 },
	};
	const struct pm_preset *p;
	struct pm_side_limits lim;
	double len[13] = { 280, 260, 300, 240, 230, 250, 330, 270, 290,
			   300, 310, 320, 290 };
	size_t first[14], n, i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		p = pm_preset_find(want[i].name);
		ok(p && p->has_target && p->target_lufs == want[i].lufs &&
			   p->ceiling_dbtp == want[i].dbtp,
		   "%s: %g LUFS, %g dBTP", want[i].name, want[i].lufs,
		   want[i].dbtp);
	}
	p = pm_preset_find("bandcamp");
	ok(p && !p->has_target && p->ceiling_dbtp == -1,
	   "bandcamp: no loudness target, -1 dBTP");
	p = pm_preset_find("soundcloud");
	ok(p && !p->has_target && p->ceiling_dbtp == -1, "soundcloud likewise");
	p = pm_preset_find("cd");
	ok(p && !p->has_target && p->ceiling_dbtp == -0.3 && p->bits == 16 &&
		   p->rate == 44100,
	   "cd: the mastering level, -0.3 dBTP, 44.1/16");
	p = pm_preset_find("vinyl");
	ok(p && p->target_lufs == -18 && !p->limiter,
	   "vinyl: about -18 LUFS and no limiter");
	ok(pm_preset_find("spotify")->has_hot &&
		   pm_preset_find("spotify")->hot_ceiling_dbtp == -2,
	   "spotify: -2 dBTP for masters louder than -14");
	ok(!pm_preset_find("myspace"), "unknown presets are not found");

	ok(pm_side_limits(12, 33, &lim) == 0 && lim.warn_s == 1200 &&
		   lim.max_s == 1560,
	   "12\" 33: warn at 20, refuse at 26 minutes");
	ok(pm_side_limits(7, 45, &lim) == 0 && lim.max_s == 330, "7\" 45: 5:30");
	ok(pm_side_limits(12, 78, &lim) < 0, "no 78s");
	pm_side_limits(12, 33, &lim);
	n = pm_split_sides(len, 13, 3.0, &lim, first);
	is_int(n, 4, "61 minutes make four sides of a 12\" 33");
	for (i = 0; i < n; i++)
		ok(pm_side_length(len, first[i], first[i + 1], 3.0) <= lim.warn_s,
		   "side %zu within 20 minutes (%.0f s)", i + 1,
		   pm_side_length(len, first[i], first[i + 1], 3.0));
	is_int(first[0], 0, "sides start at the first track");
	is_int(first[n], 13, "and end at the last");
	n = pm_split_sides(len, 4, 3.0, &lim, first);
	is_int(n, 2, "a short album: two sides");
	is_int(pm_side_length(len, 0, 2, 3.0), 543, "gaps counted between tracks");
	return tap_done();
}
