/* SPDX-License-Identifier: GPL-3.0-or-later */
/* xmlw.c: an escaping, indenting XML writer. */
#include <config.h>

#include "util/xmlw.h"

#include <stdarg.h>
#include <string.h>

#include "util/banned.h"

void pm_xmlw_init(struct pm_xmlw *w, FILE *fp)
{
	memset(w, 0, sizeof(*w));
	w->fp = fp;
}

void pm_xml_escape(FILE *fp, const char *s, bool attribute)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs(attribute ? "&quot;" : "\"", fp);
			break;
		case '\'':
			fputs(attribute ? "&apos;" : "'", fp);
			break;
		case '\r':
			fputs("&#13;", fp);
			break;
		case '\n':
			fputs(attribute ? "&#10;" : "\n", fp);
			break;
		case '\t':
			fputs(attribute ? "&#9;" : "\t", fp);
			break;
		default:
			fputc(*s, fp);
		}
	}
}

static void indent(struct pm_xmlw *w)
{
	unsigned i;

	for (i = 0; i < w->depth; i++)
		fputs("  ", w->fp);
}

static void close_open(struct pm_xmlw *w)
{
	if (w->open_tag) {
		fputs(">\n", w->fp);
		w->open_tag = false;
	}
}

void pm_xmlw_start(struct pm_xmlw *w, const char *name)
{
	close_open(w);
	indent(w);
	fprintf(w->fp, "<%s", name);
	if (w->depth < PM_ARRAY_SIZE(w->stack))
		w->stack[w->depth] = name;
	w->depth++;
	w->open_tag = true;
}

void pm_xmlw_attr(struct pm_xmlw *w, const char *name, const char *value)
{
	fprintf(w->fp, " %s=\"", name);
	pm_xml_escape(w->fp, value, true);
	fputc('"', w->fp);
}

void pm_xmlw_attrf(struct pm_xmlw *w, const char *name, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pm_xmlw_attr(w, name, buf);
}

void pm_xmlw_end(struct pm_xmlw *w)
{
	w->depth--;
	if (w->open_tag) {
		fputs("/>\n", w->fp);
		w->open_tag = false;
		return;
	}
	indent(w);
	fprintf(w->fp, "</%s>\n", w->stack[w->depth]);
}

void pm_xmlw_end_text(struct pm_xmlw *w, const char *text)
{
	w->depth--;
	w->open_tag = false;
	fputc('>', w->fp);
	pm_xml_escape(w->fp, text, false);
	fprintf(w->fp, "</%s>\n", w->stack[w->depth]);
}

void pm_xmlw_text_element(struct pm_xmlw *w, const char *name,
			  const char *text)
{
	close_open(w);
	indent(w);
	fprintf(w->fp, "<%s>", name);
	pm_xml_escape(w->fp, text, false);
	fprintf(w->fp, "</%s>\n", name);
}

void pm_xmlw_comment(struct pm_xmlw *w, const char *text)
{
	const char *p;

	close_open(w);
	indent(w);
	fputs("<!-- ", w->fp);
	for (p = text; *p; p++) {
		fputc(*p, w->fp);
		if (*p == '-' && p[1] == '-')
			fputc(' ', w->fp);
	}
	fputs(" -->\n", w->fp);
}
