/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-log.c: levels, the replaceable sink, counts; the JSON and XML writers. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xmlw.h"

static int n;
static enum pm_log_level lvl[8];
static char msg[8][128];

static void sink(enum pm_log_level level, const char *m, void *ctx)
{
	(void)ctx;
	if (n < 8) {
		lvl[n] = level;
		snprintf(msg[n], sizeof(msg[n]), "%s", m);
	}
	n++;
}

/* Run `fn` writing to a memory stream; return what it wrote. */
static char *capture(void (*fn)(FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	fn(fp);
	fclose(fp);
	return buf;
}

static void json_doc(FILE *fp)
{
	struct pm_json j;

	pm_json_init(&j, fp);
	pm_json_object(&j, NULL);
	pm_json_string(&j, "q", "a \"quote\", a \\ and a\ttab\x01");
	pm_json_number(&j, "inf", HUGE_VAL);
	pm_json_fixed(&j, "x", -14.004, 2);
	pm_json_array(&j, "empty");
	pm_json_end(&j, false);
	pm_json_bool(&j, "b", true);
	pm_json_end(&j, true);
}

static void xml_doc(FILE *fp)
{
	struct pm_xmlw w;

	pm_xmlw_init(&w, fp);
	pm_xmlw_start(&w, "a");
	pm_xmlw_attr(&w, "t", "<\"&'>");
	pm_xmlw_text_element(&w, "b", "x < y & \"z\"");
	pm_xmlw_comment(&w, "no -- inside");
	pm_xmlw_start(&w, "c");
	pm_xmlw_end(&w);
	pm_xmlw_end(&w);
}

int main(void)
{
	char *s;

	pm_log_init("t-log", PM_LOG_NOTE);
	pm_log_set_sink(sink, NULL);
	pm_error("e %d", 1);
	pm_warning("w");
	pm_note("n");
	pm_info("i");
	is_int(n, 4, "a sink sees every level (it decides what to keep)");
	ok(lvl[0] == PM_LOG_ERROR && strcmp(msg[0], "e 1") == 0,
	   "messages arrive formatted, without prefix");
	is_int(pm_log_count(PM_LOG_ERROR), 1, "errors are counted");
	is_int(pm_log_count(PM_LOG_WARNING), 1, "warnings are counted");
	pm_log_init(NULL, -5);
	is_int(pm_log_level(), PM_LOG_ERROR, "levels below errors clamp to errors");
	pm_log_init(NULL, 42);
	is_int(pm_log_level(), PM_LOG_DEBUG, "and above debug to debug");
	is_str(pm_progname(), "t-log", "the program name stays");
	pm_log_set_sink(NULL, NULL);

	s = capture(json_doc);
	ok(strstr(s, "\"q\": \"a \\\"quote\\\", a \\\\ and a\\ttab\\u0001\"") != NULL,
	   "JSON strings are escaped: %s", s);
	ok(strstr(s, "\"inf\": null") != NULL, "non-finite numbers are null");
	ok(strstr(s, "\"x\": -14.00") != NULL, "fixed decimals");
	ok(strstr(s, "\"empty\": []") != NULL, "an empty array");
	ok(s[strlen(s) - 2] == '}', "the document closes");
	free(s);
	s = capture(xml_doc);
	ok(strstr(s, "t=\"&lt;&quot;&amp;&apos;&gt;\"") != NULL,
	   "attributes are escaped: %s", s);
	ok(strstr(s, "<b>x &lt; y &amp; \"z\"</b>") != NULL, "text is escaped");
	ok(strstr(s, "no - - inside") != NULL, "'--' cannot end a comment early");
	ok(strstr(s, "<c/>") != NULL && strstr(s, "</a>") != NULL,
	   "empty and closed elements");
	free(s);
	return tap_done();
}
