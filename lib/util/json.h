/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * json.h: writing JSON reports: objects, arrays, escaped strings and
 * numbers (non-finite numbers become null), two-space indentation.
 */
#ifndef PM_JSON_H
#define PM_JSON_H

#include <stdbool.h>
#include <stdio.h>

struct pm_json {
	FILE *fp;
	unsigned depth;
	bool compact;   /* one line, no spaces: a JSON Lines record */
	bool first[32]; /* no comma needed yet at this depth */
};

void pm_json_init(struct pm_json *j, FILE *fp);

/* The same, writing each top-level value on one line (JSON Lines). */
void pm_json_init_compact(struct pm_json *j, FILE *fp);

/* Containers; `key` is NULL inside arrays and at the top. */
void pm_json_object(struct pm_json *j, const char *key);
void pm_json_array(struct pm_json *j, const char *key);
void pm_json_end(struct pm_json *j, bool object);

void pm_json_string(struct pm_json *j, const char *key, const char *value);
void pm_json_number(struct pm_json *j, const char *key, double value);
/* A number rounded to `decimals` places (stable, diffable reports). */
void pm_json_fixed(struct pm_json *j, const char *key, double value,
		   int decimals);
void pm_json_int(struct pm_json *j, const char *key, long long value);
void pm_json_bool(struct pm_json *j, const char *key, bool value);

#endif
