/* SPDX-License-Identifier: GPL-3.0-or-later */
/* path.h: file-system paths. */
#ifndef PM_PATH_H
#define PM_PATH_H

/*
 * `target` relative to directory `base`, both absolute and normalised
 * (realpath), so that an album.xml keeps working when its folder moves:
 * "../mixes/a.wav".  Newly allocated; NULL when memory runs out.
 */
char *pm_path_relative(const char *base, const char *target);

#endif
