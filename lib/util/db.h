/* SPDX-License-Identifier: GPL-3.0-or-later */
/* db.h: decibels to and from linear gain and power, in one place. */
#ifndef PM_DB_H
#define PM_DB_H

#include <math.h>

/* The amplitude gain of `db` decibels: 10^(db/20). */
static inline double pm_db_to_gain(double db)
{
	return pow(10.0, db / 20.0);
}

/* The power ratio of `db` decibels: 10^(db/10). */
static inline double pm_db_to_power(double db)
{
	return pow(10.0, db / 10.0);
}

/* An amplitude gain in decibels; -HUGE_VAL for 0 (and below), NaN for NaN. */
static inline double pm_gain_to_db(double gain)
{
	if (gain <= 0.0)
		return -HUGE_VAL;
	return 20.0 * log10(gain);
}

#endif
