/* SPDX-License-Identifier: GPL-3.0-or-later */
/* json.c: a small, strict JSON writer. */
#include <config.h>

#include "util/json.h"

#include <math.h>
#include <string.h>

#include "util/banned.h"

void pm_json_init(struct pm_json *j, FILE *fp)
{
	memset(j, 0, sizeof(*j));
	j->fp = fp;
	j->first[0] = true;
}

void pm_json_init_compact(struct pm_json *j, FILE *fp)
{
	pm_json_init(j, fp);
	j->compact = true;
}

static void escaped(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', fp);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < 0x20)
			fprintf(fp, "\\u%04x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

static void lead(struct pm_json *j, const char *key)
{
	unsigned i;

	if (!j->first[j->depth])
		fputc(',', j->fp);
	j->first[j->depth] = false;
	if (j->depth > 0 && !j->compact) {
		fputc('\n', j->fp);
		for (i = 0; i < j->depth; i++)
			fputs("  ", j->fp);
	}
	if (key) {
		escaped(j->fp, key);
		fputs(j->compact ? ":" : ": ", j->fp);
	}
}

static void open_container(struct pm_json *j, const char *key, char c)
{
	lead(j, key);
	fputc(c, j->fp);
	if (j->depth + 1 < sizeof(j->first))
		j->depth++;
	j->first[j->depth] = true;
}

void pm_json_object(struct pm_json *j, const char *key)
{
	open_container(j, key, '{');
}

void pm_json_array(struct pm_json *j, const char *key)
{
	open_container(j, key, '[');
}

void pm_json_end(struct pm_json *j, bool object)
{
	unsigned i;
	bool empty = j->first[j->depth];

	j->depth--;
	if (!empty && !j->compact) {
		fputc('\n', j->fp);
		for (i = 0; i < j->depth; i++)
			fputs("  ", j->fp);
	}
	fputc(object ? '}' : ']', j->fp);
	if (j->depth == 0)
		fputc('\n', j->fp);
}

void pm_json_string(struct pm_json *j, const char *key, const char *value)
{
	lead(j, key);
	if (value)
		escaped(j->fp, value);
	else
		fputs("null", j->fp);
}

void pm_json_number(struct pm_json *j, const char *key, double value)
{
	lead(j, key);
	if (isfinite(value))
		fprintf(j->fp, "%.17g", value);
	else
		fputs("null", j->fp);
}

void pm_json_fixed(struct pm_json *j, const char *key, double value,
		   int decimals)
{
	lead(j, key);
	if (isfinite(value))
		fprintf(j->fp, "%.*f", decimals, value);
	else
		fputs("null", j->fp);
}

void pm_json_int(struct pm_json *j, const char *key, long long value)
{
	lead(j, key);
	fprintf(j->fp, "%lld", value);
}

void pm_json_bool(struct pm_json *j, const char *key, bool value)
{
	lead(j, key);
	fputs(value ? "true" : "false", j->fp);
}
