/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * xml.c: reading album.xml.  The only file that includes libxml2.
 *
 * Loading is three steps: a safe parse (no network, no DTD, no entities,
 * no XInclude, a size cap), validation against the schema built into the
 * program (which also fills in the schema's default attributes, so that
 * defaults live in one place, the XSD), and a walk of the tree that copies
 * everything into plain C structures.  The rules the schema cannot express
 * are checked afterwards by check.c.
 */
#include <config.h>

#include "album/album.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "album/check.h"
#include "album/isrc.h"
#include "util/log.h"

#include "util/banned.h"

/* libxml2 2.12 made the structured-error argument const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError pm_xml_error;
#else
typedef xmlError pm_xml_error;
#endif

struct diag {
	const char *path;
	unsigned nerrors;
	bool saw_doctype;
	int doctype_line;
};

/* Tidy a libxml2 message: one line, no namespace clutter. */
static void tidy(const char *in, char *out, size_t size)
{
	static const char ns[] = "{" PM_ALBUM_NS "}";
	size_t n = 0;

	while (*in && n + 1 < size) {
		if (strncmp(in, ns, sizeof(ns) - 1) == 0) {
			in += sizeof(ns) - 1;
			continue;
		}
		out[n++] = (*in == '\n') ? ' ' : *in;
		in++;
	}
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '.'))
		n--;
	out[n] = '\0';
}

/* The position of an element among its like-named siblings, from 1. */
static unsigned ordinal(const xmlNode *n)
{
	unsigned k = 1;
	const xmlNode *p;

	for (p = n->prev; p; p = p->prev)
		if (p->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)p->name, (const char *)n->name) == 0)
			k++;
	return k;
}

/* A plainer word for the schema messages people meet most. */
static void hint(pm_xml_error *e, char *msg, size_t size)
{
	const xmlNode *node = e->node;
	size_t n = strlen(msg);

	if (strstr(msg, "atomic type 'xs:ID'"))
		snprintf(msg + n, size - n,
			 " (an id must start with a letter and be used once: is it a duplicate?)");
	else if (strstr(msg, "atomic type 'xs:IDREF"))
		snprintf(msg + n, size - n, " (no element has that id)");
	else if (node && node->type == XML_ELEMENT_NODE &&
		 strcmp((const char *)node->name, "track") == 0 &&
		 strstr(msg, "not expected") && ordinal(node) > 99)
		snprintf(msg + n, size - n,
			 " (this is track %u; a CD holds at most 99)",
			 ordinal(node));
}

static void on_xml_error(void *ctx, pm_xml_error *e)
{
	struct diag *d = ctx;
	char msg[1024];

	if (!d || !e || e->level == XML_ERR_WARNING)
		return;
	d->nerrors++;
	tidy(e->message ? e->message : "unknown XML error", msg, sizeof(msg));
	hint(e, msg, sizeof(msg));
	if (e->line > 0)
		pm_error("%s:%d: %s", d->path, e->line, msg);
	else
		pm_error("%s: %s", d->path, msg);
}

/*
 * An album never needs a DOCTYPE.  Refusing it as soon as the parser sees
 * one means no entity is ever declared, so neither external entities
 * (XXE) nor entity expansion bombs can do anything.
 */
static void on_internal_subset(void *ctx, const xmlChar *name,
			       const xmlChar *external_id,
			       const xmlChar *system_id)
{
	xmlParserCtxt *pctx = ctx;
	struct diag *d = pctx->_private;

	(void)name;
	(void)external_id;
	(void)system_id;
	d->saw_doctype = true;
	d->doctype_line = xmlSAX2GetLineNumber(pctx);
	xmlStopParser(pctx);
}

static int read_capped(const char *path, char **buf, size_t *len,
		       struct pm_err *err)
{
	FILE *f = NULL;
	struct stat st;
	char *b = NULL;
	size_t n;
	int ret = -1;

	f = fopen(path, "rb");
	if (!f) {
		pm_err_sys(err, errno == ENOENT || errno == EACCES ? PM_ENOINPUT : PM_ESYS,
			   "cannot open '%s'", path);
		goto out;
	}
	if (fstat(fileno(f), &st) < 0) {
		pm_err_sys(err, PM_ENOINPUT, "cannot read '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		pm_err_set(err, PM_ENOINPUT, "'%s' is not a regular file", path);
		goto out;
	}
	if (st.st_size > (off_t)PM_ALBUM_MAX_BYTES) {
		pm_err_set(err, PM_EFORMAT,
			   "'%s' is larger than %u bytes; refusing to parse it",
			   path, PM_ALBUM_MAX_BYTES);
		goto out;
	}
	b = pm_malloc((size_t)st.st_size + 1, err);
	if (!b)
		goto out;
	n = fread(b, 1, (size_t)st.st_size + 1, f);
	if (ferror(f)) {
		pm_err_sys(err, PM_EIO, "cannot read '%s'", path);
		goto out;
	}
	if (n > (size_t)st.st_size) {
		pm_err_set(err, PM_EFORMAT, "'%s' grew while being read", path);
		goto out;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
	ret = 0;
out:
	free(b);
	if (f)
		fclose(f);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Copying the tree into C                                              */
/* ------------------------------------------------------------------ */

struct walk {
	struct pm_err *err;
	const char *path;
	bool failed; /* out of memory */
};

static int line_of(const xmlNode *n)
{
	return (int)xmlGetLineNo(n);
}

static bool is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

static char *dup_xml(struct walk *w, xmlChar *x)
{
	char *s;

	if (!x)
		return NULL;
	s = strdup((const char *)x);
	xmlFree(x);
	if (!s && !w->failed) {
		w->failed = true;
		pm_err_set(w->err, PM_ENOMEM, "out of memory");
	}
	return s;
}

static char *attr(struct walk *w, const xmlNode *n, const char *name)
{
	return dup_xml(w, xmlGetProp(n, (const xmlChar *)name));
}

static char *content(struct walk *w, const xmlNode *n)
{
	return dup_xml(w, xmlNodeGetContent(n));
}

static bool has_attr(const xmlNode *n, const char *name)
{
	return xmlHasProp(n, (const xmlChar *)name) != NULL;
}

/*
 * The schema has already checked the lexical form of every attribute read
 * below, so parse failures here cannot happen; they are still reported
 * rather than assumed away.
 */
static void bad_value(struct walk *w, const xmlNode *n, const char *name,
		      const char *value)
{
	pm_error("%s:%d: attribute '%s': cannot use '%s'", w->path, line_of(n),
		 name, value ? value : "");
	if (!w->failed)
		pm_err_set(w->err, PM_ESCHEMA, "'%s' has an invalid value",
			   w->path);
	w->failed = true;
}

static double attr_double(struct walk *w, const xmlNode *n, const char *name,
			  double dflt)
{
	char *s = attr(w, n, name);
	double v = dflt;

	if (s && pm_parse_double(s, -1e9, 1e9, &v) < 0)
		bad_value(w, n, name, s);
	free(s);
	return v;
}

static bool attr_bool(struct walk *w, const xmlNode *n, const char *name,
		      bool dflt)
{
	char *s = attr(w, n, name);
	bool v = dflt;

	if (s)
		v = strcmp(s, "true") == 0 || strcmp(s, "1") == 0;
	free(s);
	return v;
}

static unsigned attr_uint(struct walk *w, const xmlNode *n, const char *name,
			  unsigned dflt)
{
	char *s = attr(w, n, name);
	uint64_t v = dflt;

	if (s && pm_parse_uint(s, 0, 1u << 30, &v) < 0)
		bad_value(w, n, name, s);
	free(s);
	return (unsigned)v;
}

static bool attr_time(struct walk *w, const xmlNode *n, const char *name,
		      struct pm_time *t)
{
	char *s = attr(w, n, name);
	bool ok = false;

	if (s) {
		if (pm_parse_time(s, t) < 0)
			bad_value(w, n, name, s);
		else
			ok = true;
	}
	free(s);
	return ok;
}

static int attr_enum(struct walk *w, const xmlNode *n, const char *name,
		     const char *const *names, size_t count, int dflt)
{
	char *s = attr(w, n, name);
	int v = dflt;
	size_t i;

	if (s) {
		for (i = 0; i < count; i++)
			if (names[i] && strcmp(s, names[i]) == 0)
				break;
		if (i < count)
			v = (int)i;
		else
			bad_value(w, n, name, s);
	}
	free(s);
	return v;
}

/* Rates: a number in Hz, "source" (stored as 0) or "album" (1). */
static uint32_t attr_rate(struct walk *w, const xmlNode *n, const char *name,
			  bool *is_set)
{
	char *s = attr(w, n, name);
	uint64_t v = 0;

	*is_set = s != NULL;
	if (s && strcmp(s, "album") == 0)
		v = 1;
	else if (s && strcmp(s, "source") != 0 &&
		 pm_parse_uint(s, 8000, 768000, &v) < 0)
		bad_value(w, n, name, s);
	free(s);
	return (uint32_t)v;
}

/* Bits: 16, 24, 32 or "float" (stored as 0). */
static unsigned attr_bits(struct walk *w, const xmlNode *n, const char *name,
			  unsigned dflt, bool *is_set)
{
	char *s = attr(w, n, name);
	uint64_t v = dflt;

	*is_set = s != NULL;
	if (s) {
		if (strcmp(s, "float") == 0)
			v = 0;
		else if (pm_parse_uint(s, 8, 32, &v) < 0)
			bad_value(w, n, name, s);
	}
	free(s);
	return (unsigned)v;
}

static int field_of(const xmlNode *n)
{
	int f;

	for (f = 0; f < PM_NFIELDS; f++)
		if (is(n, pm_field_element[f]))
			return f;
	return -1;
}

static void add_text(struct walk *w, struct pm_texts *t, const xmlNode *n)
{
	struct pm_text *v;

	v = pm_reallocarray(t->v, t->n + 1, sizeof(*v), w->err);
	if (!v) {
		w->failed = true;
		return;
	}
	t->v = v;
	v = &t->v[t->n++];
	v->lang = attr(w, n, "lang");
	v->value = content(w, n);
	v->line = line_of(n);
}

static void read_fade(struct walk *w, const xmlNode *n, struct pm_fade *f,
		      int dflt_shape)
{
	f->is_set = true;
	f->line = line_of(n);
	attr_time(w, n, "length", &f->length);
	f->shape = (enum pm_fade_shape)attr_enum(
		w, n, "shape", pm_shape_names, PM_NSHAPES,
		dflt_shape);
}

static const char *const nonfinite_names[] = { "refuse", "zero" };
static const char *const truncated_names[] = { "refuse", "accept" };

static void read_source(struct walk *w, const xmlNode *n, struct pm_source *s)
{
	s->line = line_of(n);
	s->file = attr(w, n, "file");
	attr_time(w, n, "in", &s->in);
	attr_time(w, n, "out", &s->out);
	s->nonfinite_zero = attr_enum(w, n, "non-finite", nonfinite_names, 2,
				      0) == 1;
	s->accept_truncated = attr_enum(w, n, "truncated", truncated_names,
					2, 0) == 1;
}

static void read_eq(struct walk *w, const xmlNode *n, struct pm_eq *eq)
{
	static const char *const phases[] = { "minimum", "linear" };
	const xmlNode *c;
	struct pm_eq_band *b;

	for (c = n->children; c; c = c->next) {
		if (!is(c, "band"))
			continue;
		b = pm_reallocarray(eq->bands, eq->nbands + 1, sizeof(*b),
				    w->err);
		if (!b) {
			w->failed = true;
			return;
		}
		eq->bands = b;
		b = &eq->bands[eq->nbands++];
		memset(b, 0, sizeof(*b));
		b->line = line_of(c);
		b->type = (enum pm_eq_type)attr_enum(
			w, c, "type", pm_eq_names, PM_NEQ_TYPES, 0);
		b->freq_hz = attr_double(w, c, "freq", 1000);
		b->gain_db = attr_double(w, c, "gain-db", 0);
		b->q = attr_double(w, c, "q", 0.7071);
		b->order = attr_uint(w, c, "order", 2);
		b->linear_phase = attr_enum(w, c, "phase", phases, 2, 0) == 1;
	}
}

static void read_repair(struct walk *w, const xmlNode *n, struct pm_repair *r)
{
	static const char *const onoff[] = { "off", "on" };
	static const char *const hums[] = { "off", "auto", "50", "60" };
	char *s;

	r->line = line_of(n);
	if (has_attr(n, "clicks"))
		r->clicks = attr_enum(w, n, "clicks", onoff, 2, 0) + PM_REPAIR_OFF;
	if (has_attr(n, "clipping"))
		r->clipping = attr_enum(w, n, "clipping", onoff, 2, 0) + PM_REPAIR_OFF;
	if (has_attr(n, "hum")) {
		int k = attr_enum(w, n, "hum", hums, 4, 0);

		r->hum = k == 0 ? PM_REPAIR_OFF : k == 1 ? PM_REPAIR_AUTO
				: k == 2 ? 50 : 60;
	}
	if (has_attr(n, "noise")) {
		s = attr(w, n, "noise");
		if (s && strcmp(s, "off") == 0) {
			r->noise = PM_REPAIR_OFF;
		} else if (s && strcmp(s, "auto") == 0) {
			r->noise = PM_REPAIR_AUTO;
		} else if (s) {
			r->noise = PM_REPAIR_DB;
			r->noise_db = attr_double(w, n, "noise", 0);
		}
		free(s);
	}
}

static void read_track(struct walk *w, const xmlNode *n, struct pm_track *t)
{
	const xmlNode *c;
	struct pm_index *ix;
	const char *why;
	char *s;
	int f;

	t->line = line_of(n);
	t->id = attr(w, n, "id");
	for (c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		f = field_of(c);
		if (f >= 0) {
			add_text(w, &t->text[f], c);
		} else if (is(c, "source")) {
			read_source(w, c, &t->source);
		} else if (is(c, "isrc")) {
			s = content(w, c);
			t->isrc_line = line_of(c);
			/* syntax is the schema's; check.c says why */
			if (s && pm_isrc_normalize(s, t->isrc, &why) < 0)
				snprintf(t->isrc, sizeof(t->isrc), "%s", s);
			free(s);
		} else if (is(c, "gain")) {
			t->gain_db = attr_double(w, c, "db", 0);
		} else if (is(c, "fade-in")) {
			read_fade(w, c, &t->fade_in, PM_SHAPE_LINEAR);
		} else if (is(c, "fade-out")) {
			read_fade(w, c, &t->fade_out, PM_SHAPE_LINEAR);
		} else if (is(c, "gap")) {
			t->has_gap = true;
			t->gap_line = line_of(c);
			attr_time(w, c, "length", &t->gap);
			t->gap_in_source = attr_bool(w, c, "in-source", false);
		} else if (is(c, "crossfade")) {
			t->xfade.is_set = true;
			t->xfade.line = line_of(c);
			attr_time(w, c, "length", &t->xfade.length);
			t->xfade.shape = (enum pm_fade_shape)attr_enum(
				w, c, "shape", pm_shape_names,
				PM_NSHAPES,
				PM_SHAPE_EQUAL_POWER);
			t->xfade.has_id_at =
				attr_time(w, c, "id-at", &t->xfade.id_at);
		} else if (is(c, "edge-fade")) {
			read_fade(w, c, &t->edge_fade, PM_SHAPE_SCURVE);
		} else if (is(c, "index")) {
			ix = pm_reallocarray(t->indexes, t->nindexes + 1,
					     sizeof(*ix), w->err);
			if (!ix) {
				w->failed = true;
				return;
			}
			t->indexes = ix;
			ix = &t->indexes[t->nindexes++];
			memset(ix, 0, sizeof(*ix));
			ix->line = line_of(c);
			attr_time(w, c, "at", &ix->at);
		} else if (is(c, "flags")) {
			t->flags_line = line_of(c);
			t->pre_emphasis = attr_bool(w, c, "pre-emphasis", false);
			t->copy_permitted = attr_bool(w, c, "copy", false);
			t->scms = attr_bool(w, c, "scms", false);
		} else if (is(c, "repair")) {
			read_repair(w, c, &t->repair);
		} else if (is(c, "mastering")) {
			t->master.gain_db = attr_double(w, c, "gain-db", 0);
			for (const xmlNode *e = c->children; e; e = e->next)
				if (is(e, "eq"))
					read_eq(w, e, &t->master.eq);
		}
	}
}

static void read_htoa(struct walk *w, const xmlNode *n, struct pm_htoa *h)
{
	const xmlNode *c;

	h->is_set = true;
	h->line = line_of(n);
	for (c = n->children; c; c = c->next) {
		if (is(c, "source"))
			read_source(w, c, &h->source);
		else if (is(c, "title"))
			add_text(w, &h->title, c);
		else if (is(c, "gain"))
			h->gain_db = attr_double(w, c, "db", 0);
		else if (is(c, "fade-in"))
			read_fade(w, c, &h->fade_in, PM_SHAPE_LINEAR);
		else if (is(c, "fade-out"))
			read_fade(w, c, &h->fade_out, PM_SHAPE_LINEAR);
	}
}

static void read_release(struct walk *w, const xmlNode *n,
			 struct pm_release *r, struct pm_album *a)
{
	const xmlNode *c;
	char *s;
	int f;

	for (c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		f = field_of(c);
		if (f >= 0) {
			add_text(w, &r->text[f], c);
		} else if (is(c, "label")) {
			r->label = content(w, c);
		} else if (is(c, "catalog")) {
			r->catalog = content(w, c);
		} else if (is(c, "upc")) {
			/* the check digit is check.c's business */
			s = content(w, c);
			r->upc_line = line_of(c);
			if (s)
				snprintf(r->upc, sizeof(r->upc), "%s", s);
			free(s);
		} else if (is(c, "release-date")) {
			r->release_date = content(w, c);
		} else if (is(c, "genre")) {
			r->genre = content(w, c);
			s = attr(w, c, "code");
			if (s) {
				f = pm_genre_code(s);
				r->genre_code = f > 0 ? (unsigned)f : 0;
			}
			free(s);
		} else if (is(c, "p-line")) {
			r->p_line = content(w, c);
			r->p_year = attr_uint(w, c, "year", 0);
		} else if (is(c, "c-line")) {
			r->c_line = content(w, c);
			r->c_year = attr_uint(w, c, "year", 0);
		} else if (is(c, "master-id")) {
			r->master_id = content(w, c);
		} else if (is(c, "customer")) {
			r->customer = content(w, c);
		} else if (is(c, "engineer")) {
			r->engineer = content(w, c);
		} else if (is(c, "notes")) {
			r->notes = content(w, c);
		}
	}
	(void)a;
}

static const char *const detect_names[] = { "rms", "peak" };
static const char *const mode_names[] = { "album", "track", "anchor" };
static const char *const tone_names[] = { "off", "report", "match" };

static void read_comp_params(struct walk *w, const xmlNode *n,
			     struct pm_comp_band *b)
{
	b->threshold_db = attr_double(w, n, "threshold-db", b->threshold_db);
	b->ratio = attr_double(w, n, "ratio", b->ratio);
	b->knee_db = attr_double(w, n, "knee-db", b->knee_db);
	b->attack_ms = attr_double(w, n, "attack-ms", b->attack_ms);
	b->release_ms = attr_double(w, n, "release-ms", b->release_ms);
	b->makeup_db = attr_double(w, n, "makeup-db", b->makeup_db);
}

static void read_mastering(struct walk *w, const xmlNode *n,
			   struct pm_mastering *m)
{
	static const char *const band_names[] = { "low", "mid", "high" };
	const xmlNode *c, *b;
	struct pm_comp_band shared;
	int i;

	m->line = line_of(n);
	m->pass_through = attr_bool(w, n, "pass-through", false);
	for (c = n->children; c; c = c->next) {
		if (is(c, "repair")) {
			read_repair(w, c, &m->repair);
		} else if (is(c, "eq")) {
			read_eq(w, c, &m->eq);
		} else if (is(c, "compressor")) {
			m->comp.line = line_of(c);
			m->comp.enabled = attr_bool(w, c, "enabled", true);
			shared = m->comp.band[0];
			read_comp_params(w, c, &shared);
			m->comp.band[0] = m->comp.band[1] = m->comp.band[2] =
				shared;
			m->comp.detect = (enum pm_detect)attr_enum(
				w, c, "detect", detect_names,
				PM_ARRAY_SIZE(detect_names), 0);
			m->comp.stereo_link =
				attr_bool(w, c, "stereo-link", true);
			m->comp.nbands = attr_uint(w, c, "bands", 1);
			m->comp.xover_low_hz =
				attr_double(w, c, "low-crossover", 200);
			m->comp.xover_high_hz =
				attr_double(w, c, "high-crossover", 3000);
			for (b = c->children; b; b = b->next) {
				if (!is(b, "band"))
					continue;
				i = attr_enum(w, b, "name", band_names, 3, 0);
				read_comp_params(w, b, &m->comp.band[i]);
			}
		} else if (is(c, "width")) {
			m->width = attr_double(w, c, "amount", 1.0);
		} else if (is(c, "edge-fade")) {
			read_fade(w, c, &m->edge_fade, PM_SHAPE_SCURVE);
		} else if (is(c, "limiter")) {
			m->limiter.line = line_of(c);
			m->limiter.enabled = attr_bool(w, c, "enabled", true);
			m->limiter.lookahead_ms =
				attr_double(w, c, "lookahead-ms", 2);
			m->limiter.release_ms =
				attr_double(w, c, "release-ms", 80);
			m->limiter.oversampling =
				attr_uint(w, c, "oversampling", 4);
		} else if (is(c, "loudness")) {
			m->loudness.line = line_of(c);
			m->loudness.mode = (enum pm_loudness_mode)attr_enum(
				w, c, "mode", mode_names, 3, 0);
			m->loudness.has_target = has_attr(c, "target-lufs");
			m->loudness.target_lufs =
				attr_double(w, c, "target-lufs", 0);
			m->loudness.has_ceiling = has_attr(c, "ceiling-dbtp");
			m->loudness.ceiling_dbtp =
				attr_double(w, c, "ceiling-dbtp", 0);
			m->loudness.anchor = attr(w, c, "anchor");
			m->loudness.loudest_track =
				attr_bool(w, c, "loudest-track", false);
			m->loudness.max_gain_db =
				attr_double(w, c, "max-gain-db", 30);
		} else if (is(c, "tone-match")) {
			m->tone.line = line_of(c);
			m->tone.mode = (enum pm_tone_mode)attr_enum(
				w, c, "mode", tone_names, 3, PM_TONE_REPORT);
			m->tone.reference = attr(w, c, "reference");
			m->tone.max_db = attr_double(w, c, "max-db", 3);
		}
	}
}

static void read_cd(struct walk *w, const xmlNode *n, struct pm_cd *cd)
{
	static const char *const dither_names[] = { "tpdf", "shaped", "none" };
	static const char *const peak_names[] = { "limit", "refuse" };
	const xmlNode *c, *b;
	struct pm_cdtext_block *blk;
	char *s;
	int code;

	cd->line = line_of(n);
	cd->enabled = attr_bool(w, n, "enabled", true);
	cd->want_ddp = attr_bool(w, n, "ddp", true);
	cd->want_cue = attr_bool(w, n, "cue", true);
	cd->want_toc = attr_bool(w, n, "toc", true);
	cd->want_pq_sheet = attr_bool(w, n, "pq-sheet", true);
	cd->want_crc32 = attr_bool(w, n, "checksum-crc32", false);
	cd->preroll_frames = attr_uint(w, n, "pre-roll-frames", 0);
	cd->has_target = has_attr(n, "target-lufs");
	cd->target_lufs = attr_double(w, n, "target-lufs", 0);
	cd->has_ceiling = has_attr(n, "ceiling-dbtp");
	cd->ceiling_dbtp = attr_double(w, n, "ceiling-dbtp", 0);
	cd->dither = (enum pm_dither)attr_enum(w, n, "dither", dither_names, 3,
					       0);
	attr_time(w, n, "warn-length", &cd->warn_length);
	attr_time(w, n, "max-length", &cd->max_length);
	cd->track_gaps = (enum pm_gap_policy)attr_enum(
		w, n, "track-gaps", pm_gap_names, PM_NGAP_POLICIES, 0);
	cd->xfade_peaks = (enum pm_xfade_peaks)attr_enum(
		w, n, "crossfade-peaks", peak_names, 2, 0);
	for (c = n->children; c; c = c->next) {
		if (!is(c, "cd-text"))
			continue;
		cd->cdtext = attr_bool(w, c, "enabled", true);
		cd->transliterate = attr_bool(w, c, "transliterate", false);
		cd->copyright = attr_bool(w, c, "copyright", false);
		cd->disc_id = attr(w, c, "disc-id");
		for (b = c->children; b; b = b->next) {
			if (!is(b, "block"))
				continue;
			blk = pm_reallocarray(cd->blocks, cd->nblocks + 1,
					      sizeof(*blk), w->err);
			if (!blk) {
				w->failed = true;
				return;
			}
			cd->blocks = blk;
			blk = &cd->blocks[cd->nblocks++];
			memset(blk, 0, sizeof(*blk));
			blk->line = line_of(b);
			blk->lang = attr(w, b, "language");
			s = blk->lang;
			code = s ? pm_language_code(s) : -1;
			blk->lang_code = code < 0 ? 0 : (unsigned)code;
			blk->charset = (enum pm_charset)attr_enum(
				w, b, "charset", pm_charset_names,
				PM_NCHARSETS, 0);
		}
	}
}

static size_t track_index(const struct pm_album *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->ntracks; i++)
		if (a->tracks[i].id && strcmp(a->tracks[i].id, id) == 0)
			return i;
	return (size_t)-1;
}

static void read_vinyl(struct walk *w, const xmlNode *n, struct pm_vinyl *v,
		       const struct pm_album *a)
{
	const xmlNode *c;
	struct pm_vinyl_side *side;
	char *list, *p, *save;
	size_t *tr, ix;
	bool dummy;

	v->line = line_of(n);
	v->enabled = attr_bool(w, n, "enabled", true);
	v->size_in = attr_uint(w, n, "size", 12);
	v->speed_rpm = attr_uint(w, n, "speed", 33);
	attr_time(w, n, "gap", &v->gap);
	v->lf_mono_hz = attr_double(w, n, "lf-mono-hz", 150);
	v->has_target = has_attr(n, "target-lufs");
	v->target_lufs = attr_double(w, n, "target-lufs", 0);
	v->has_ceiling = has_attr(n, "ceiling-dbtp");
	v->ceiling_dbtp = attr_double(w, n, "ceiling-dbtp", 0);
	v->rate = attr_rate(w, n, "rate", &dummy);
	v->bits = attr_bits(w, n, "bits", 24, &dummy);
	for (c = n->children; c; c = c->next) {
		if (!is(c, "side"))
			continue;
		side = pm_reallocarray(v->sides, v->nsides + 1, sizeof(*side),
				       w->err);
		if (!side) {
			w->failed = true;
			return;
		}
		v->sides = side;
		side = &v->sides[v->nsides++];
		memset(side, 0, sizeof(*side));
		side->line = line_of(c);
		side->name = attr(w, c, "name");
		list = attr(w, c, "tracks");
		for (p = list ? strtok_r(list, " \t\r\n", &save) : NULL; p;
		     p = strtok_r(NULL, " \t\r\n", &save)) {
			/* IDREFS: the schema guarantees each id exists, but
			 * the htoa id is not a track */
			ix = track_index(a, p);
			if (ix == (size_t)-1) {
				pm_error("%s:%d: side %s: '%s' is not a track",
					 w->path, side->line,
					 side->name ? side->name : "?", p);
				if (!w->failed)
					pm_err_set(w->err, PM_ESCHEMA,
						   "'%s' names a vinyl track that does not exist",
						   w->path);
				w->failed = true;
				continue;
			}
			tr = pm_reallocarray(side->tracks, side->ntracks + 1,
					     sizeof(*tr), w->err);
			if (!tr) {
				w->failed = true;
				break;
			}
			side->tracks = tr;
			side->tracks[side->ntracks++] = ix;
		}
		free(list);
	}
}

static void read_stream(struct walk *w, const xmlNode *n, struct pm_stream *s)
{
	s->line = line_of(n);
	s->name = attr(w, n, "profile");
	s->preset = attr(w, n, "preset");
	s->has_target = has_attr(n, "target-lufs");
	s->target_lufs = attr_double(w, n, "target-lufs", 0);
	s->has_ceiling = has_attr(n, "ceiling-dbtp");
	s->ceiling_dbtp = attr_double(w, n, "ceiling-dbtp", 0);
	s->has_format = has_attr(n, "format");
	s->format = (enum pm_format)attr_enum(w, n, "format", pm_format_names,
					      PM_NFORMATS, 0);
	s->bits = attr_bits(w, n, "bits", 24, &s->has_bits);
	s->rate = attr_rate(w, n, "rate", &s->has_rate);
	s->has_gaps = has_attr(n, "gaps");
	s->gaps = (enum pm_gap_policy)attr_enum(w, n, "gaps", pm_gap_names,
						PM_NGAP_POLICIES, 0);
	s->enc.mode = (enum pm_bitrate_mode)attr_enum(w, n, "bitrate-mode",
						      pm_bitrate_mode_names,
						      PM_NBITRATE_MODES, 0);
	s->enc.has_kbps = has_attr(n, "kbps");
	s->enc.kbps = attr_double(w, n, "kbps", 0);
	s->enc.has_quality = has_attr(n, "quality");
	s->enc.quality = attr_double(w, n, "quality", 0);
}

static void read_rules(struct walk *w, const xmlNode *n, struct pm_album *a)
{
	static const char *const sev_names[] = { "error", "warning", "ignore" };
	const xmlNode *c;
	struct pm_rule *r;

	for (c = n->children; c; c = c->next) {
		if (!is(c, "rule"))
			continue;
		r = pm_reallocarray(a->rules, a->nrules + 1, sizeof(*r),
				    w->err);
		if (!r) {
			w->failed = true;
			return;
		}
		a->rules = r;
		r = &a->rules[a->nrules++];
		memset(r, 0, sizeof(*r));
		r->line = line_of(c);
		r->id = attr(w, c, "id");
		r->has_severity = has_attr(c, "severity");
		r->severity = (enum pm_severity)attr_enum(w, c, "severity",
							  sev_names, 3, 0);
		r->has_value = has_attr(c, "value");
		r->value = attr_double(w, c, "value", 0);
	}
}

static size_t count_children(const xmlNode *n, const char *name)
{
	size_t k = 0;

	for (n = n->children; n; n = n->next)
		if (is(n, name))
			k++;
	return k;
}

static int album_from_doc(struct pm_album *a, xmlDoc *doc, struct walk *w)
{
	const xmlNode *root = xmlDocGetRootElement(doc);
	const xmlNode *c, *t;
	size_t k;

	/* an album that names no deliverables gets a CD */
	if (count_children(root, "deliverables") == 0)
		a->cd.enabled = true;
	for (c = root->children; c; c = c->next) {
		if (is(c, "release")) {
			read_release(w, c, &a->release, a);
		} else if (is(c, "tracks")) {
			a->tracks = pm_calloc(count_children(c, "track"),
					      sizeof(*a->tracks), w->err);
			if (!a->tracks)
				return -1;
			for (t = c->children; t; t = t->next) {
				if (is(t, "htoa"))
					read_htoa(w, t, &a->htoa);
				else if (is(t, "track"))
					read_track(w, t,
						   &a->tracks[a->ntracks++]);
			}
		} else if (is(c, "mastering")) {
			read_mastering(w, c, &a->mastering);
		} else if (is(c, "deliverables")) {
			k = count_children(c, "streaming");
			a->streams = pm_calloc(k, sizeof(*a->streams), w->err);
			if (!a->streams)
				return -1;
			for (t = c->children; t; t = t->next) {
				if (is(t, "cd"))
					read_cd(w, t, &a->cd);
				else if (is(t, "vinyl"))
					read_vinyl(w, t, &a->vinyl, a);
				else if (is(t, "streaming"))
					read_stream(w, t,
						    &a->streams[a->nstreams++]);
			}
		} else if (is(c, "verify")) {
			read_rules(w, c, a);
		}
	}
	return w->failed ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Loading                                                              */
/* ------------------------------------------------------------------ */

static char *dir_of(const char *path, struct pm_err *err)
{
	const char *slash = strrchr(path, '/');
	char *d;

	if (!slash)
		return pm_strdup(".", err);
	if (slash == path)
		return pm_strdup("/", err);
	d = pm_malloc((size_t)(slash - path) + 1, err);
	if (d) {
		memcpy(d, path, (size_t)(slash - path));
		d[slash - path] = '\0';
	}
	return d;
}

/*
 * Parser options: no network, no DTD loading, no entity substitution, no
 * XInclude; huge documents are not allowed (the default limits apply).
 */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES)

static xmlSchema *load_schema(const char *schema_path, struct diag *diag,
			      struct pm_err *err)
{
	xmlSchemaParserCtxt *pctx;
	xmlSchema *schema;

	if (schema_path)
		pctx = xmlSchemaNewParserCtxt(schema_path);
	else
		pctx = xmlSchemaNewMemParserCtxt((const char *)pm_album_xsd,
						 (int)pm_album_xsd_len);
	if (!pctx) {
		pm_err_set(err, PM_ENOMEM, "cannot set up the schema parser");
		return NULL;
	}
	xmlSchemaSetParserStructuredErrors(pctx, on_xml_error, diag);
	schema = xmlSchemaParse(pctx);
	xmlSchemaFreeParserCtxt(pctx);
	if (!schema)
		pm_err_set(err, schema_path ? PM_ENOINPUT : PM_EINVAL,
			   "cannot load the album schema%s%s%s",
			   schema_path ? " '" : "",
			   schema_path ? schema_path : "",
			   schema_path ? "'" : "");
	return schema;
}

struct pm_album *pm_album_load(const char *path, const char *schema_path,
			       struct pm_err *err)
{
	struct diag diag = { .path = path };
	struct walk w = { .err = err, .path = path };
	xmlParserCtxt *pctx = NULL;
	xmlSchema *schema = NULL;
	xmlSchemaValidCtxt *vctx = NULL;
	xmlDoc *doc = NULL;
	struct pm_album *album = NULL, *ret = NULL;
	char *buf = NULL;
	size_t len = 0;
	const xmlNode *root;

	if (read_capped(path, &buf, &len, err) < 0)
		goto out;

	/* Route every libxml2 complaint through our log, never raw stderr. */
	xmlSetStructuredErrorFunc(&diag, on_xml_error);
	pctx = xmlNewParserCtxt();
	if (!pctx) {
		pm_err_set(err, PM_ENOMEM, "cannot set up the XML parser");
		goto out;
	}
	pctx->_private = &diag;
	pctx->sax->internalSubset = on_internal_subset;
	doc = xmlCtxtReadMemory(pctx, buf, (int)len, path, NULL, PARSE_OPTIONS);
	if (diag.saw_doctype) {
		pm_error("%s:%d: DOCTYPE declarations are not allowed in an album (they can declare entities)",
			 path, diag.doctype_line);
		pm_err_set(err, PM_EFORMAT, "'%s' has a DOCTYPE; refusing it",
			   path);
		goto out;
	}
	if (!doc || !pctx->wellFormed) {
		pm_err_set(err, PM_EFORMAT, "'%s' is not well-formed XML", path);
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || !root->ns ||
	    strcmp((const char *)root->ns->href, PM_ALBUM_NS) != 0 ||
	    strcmp((const char *)root->name, "album") != 0) {
		pm_error("%s:%d: the root element must be <album xmlns=\"%s\">",
			 path, root ? line_of(root) : 1, PM_ALBUM_NS);
		pm_err_set(err, PM_ESCHEMA, "'%s' is not a premaster album",
			   path);
		goto out;
	}

	schema = load_schema(schema_path, &diag, err);
	if (!schema)
		goto out;
	vctx = xmlSchemaNewValidCtxt(schema);
	if (!vctx) {
		pm_err_set(err, PM_ENOMEM, "cannot set up schema validation");
		goto out;
	}
	xmlSchemaSetValidStructuredErrors(vctx, on_xml_error, &diag);
	/* fill in the schema's default attributes: defaults live in the XSD */
	xmlSchemaSetValidOptions(vctx, XML_SCHEMA_VAL_VC_I_CREATE);
	diag.nerrors = 0;
	if (xmlSchemaValidateDoc(vctx, doc) != 0) {
		pm_err_set(err, PM_ESCHEMA,
			   "'%s' does not match the album schema (%u error%s)",
			   path, diag.nerrors, diag.nerrors == 1 ? "" : "s");
		goto out;
	}

	album = pm_calloc(1, sizeof(*album), err);
	if (!album)
		goto out;
	album->path = pm_strdup(path, err);
	album->basedir = dir_of(path, err);
	if (!album->path || !album->basedir)
		goto out;
	pm_album_defaults(album);
	if (album_from_doc(album, doc, &w) < 0)
		goto out;
	if (pm_album_check(album, err) < 0)
		goto out;
	ret = album;
	album = NULL;
out:
	pm_album_free(album);
	xmlSchemaFreeValidCtxt(vctx);
	xmlSchemaFree(schema);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(pctx);
	xmlSetStructuredErrorFunc(NULL, NULL);
	free(buf);
	return ret;
}
