/* SPDX-License-Identifier: GPL-3.0-or-later */
/* path.c: file-system paths. */
#include <config.h>

#include "util/path.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

char *pm_path_relative(const char *base, const char *target)
{
	size_t common = 0, i, ups = 0, n;
	const char *rest;
	char *out;

	for (i = 0; base[i] && target[i] && base[i] == target[i]; i++)
		if (base[i] == '/')
			common = i;
	if (!base[i] && (target[i] == '/' || !target[i]))
		common = i;
	rest = target + common + (target[common] == '/' ? 1 : 0);
	for (i = common; base[i]; i++)
		if (base[i] == '/')
			ups++;
	if (base[common] == '/' && base[common + 1] == '\0')
		ups = 0;
	n = ups * 3 + strlen(rest) + 1;
	out = malloc(n);
	if (!out)
		return NULL;
	out[0] = '\0';
	for (i = 0; i < ups; i++)
		memcpy(out + 3 * i, "../", 4);
	memcpy(out + 3 * ups, rest, strlen(rest) + 1);
	return out;
}
