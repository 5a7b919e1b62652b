/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * xmlw.h: writing XML and HTML text with correct escaping and two-space
 * indentation, to a stdio stream.  Used for album.xml (init) and reports;
 * reading XML is album/xml.c's (libxml2).
 */
#ifndef PM_XMLW_H
#define PM_XMLW_H

#include <stdbool.h>
#include <stdio.h>

#include "util/compat.h"

struct pm_xmlw {
	FILE *fp;
	unsigned depth;
	bool open_tag; /* inside "<name attr..." awaiting '>' or "/>" */
	const char *stack[32];
};

void pm_xmlw_init(struct pm_xmlw *w, FILE *fp);

/*
 * Write `s` escaped for text (&, <, >, and CR, which a parser would turn
 * into LF) or attributes (also ", ', tab and LF, which a parser would
 * turn into spaces).
 */
void pm_xml_escape(FILE *fp, const char *s, bool attribute);

/* Start an element; attributes may follow until content or close. */
void pm_xmlw_start(struct pm_xmlw *w, const char *name);

/* Add an attribute (escaped) to the element just started. */
void pm_xmlw_attr(struct pm_xmlw *w, const char *name, const char *value);
void pm_xmlw_attrf(struct pm_xmlw *w, const char *name, const char *fmt, ...)
	PM_PRINTF(3, 4);

/* Close the current element ("/>" when it has no content). */
void pm_xmlw_end(struct pm_xmlw *w);

/*
 * Close the element just started (its attributes written) with `text` as
 * its content: <name attrs>text</name> on one line.
 */
void pm_xmlw_end_text(struct pm_xmlw *w, const char *text);

/* <name>text</name> on one line. */
void pm_xmlw_text_element(struct pm_xmlw *w, const char *name,
			  const char *text);

/* A comment on its own line ("--" in the text is broken up). */
void pm_xmlw_comment(struct pm_xmlw *w, const char *text);

#endif
