/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * analysis.c: what verify reads back from master's analysis.json: each
 * master's limiter log (its stretches of gain reduction, their times and
 * depth) and the true peak each filter of the chain added to each track,
 * for report.html.  The stages talk only through files
 * (doc/internals/design.md §1), and analysis.json is where master writes
 * the log (doc/internals/sound.md, "The limiter's log").
 *
 * The reader is a small strict JSON parser that keeps no tree: it walks
 * the document once, holding the path of open containers, and hands each
 * scalar with its path to the one consumer below.  A file it cannot
 * read, or one larger than it will read, only leaves the log empty: the
 * report is then drawn without it, as for a build without master.
 */
#include <config.h>

#include "verify/verify-impl.h"

#include "util/parse.h"

#include "util/banned.h"

/* analysis.json of a 99-track album with every target is well under this */
#define MAX_ANALYSIS_BYTES (16u << 20)
/* containers nested deeper than the document ever is are refused */
#define MAX_DEPTH 16

struct level {
	bool is_array;
	size_t index;  /* arrays: the element being read */
	char key[64];  /* objects: the member being read (cut to fit) */
};

enum kind { J_STRING, J_NUMBER, J_OTHER };

struct reader {
	const char *p, *end;
	size_t depth;
	struct level lv[MAX_DEPTH];
	struct pm_verify *v;
	size_t target; /* the target being read, ntargets when unknown */
};

static void skip_ws(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
				 *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/*
 * A string into `out` (cut to `size`, NUL-terminated).  Escapes are
 * checked; a \u escape is kept as '?', since no name verify looks up
 * needs one.
 */
static int string(struct reader *r, char *out, size_t size)
{
	size_t n = 0;

	if (r->p >= r->end || *r->p != '"')
		return -1;
	r->p++;
	while (r->p < r->end && *r->p != '"') {
		char c = *r->p++;

		if ((unsigned char)c < 0x20)
			return -1;
		if (c == '\\') {
			if (r->p >= r->end)
				return -1;
			c = *r->p++;
			switch (c) {
			case '"': case '\\': case '/':
				break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				for (int k = 0; k < 4; k++)
					if (r->p >= r->end ||
					    !isxdigit((unsigned char)*r->p++))
						return -1;
				c = '?';
				break;
			default:
				return -1;
			}
		}
		if (n + 1 < size)
			out[n++] = c;
	}
	if (r->p >= r->end)
		return -1;
	r->p++;
	if (size)
		out[n] = '\0';
	return 0;
}

/* Does the open container at level `d` name member `key`? */
static bool at(const struct reader *r, size_t d, const char *key)
{
	return d < r->depth && !r->lv[d].is_array &&
	       strcmp(r->lv[d].key, key) == 0;
}

/* analysis.json's names of the filters, and the report's */
const char *const verify_stage_keys[PM_VERIFY_STAGES] = {
	"linear_highpass", "track_eq", "album_eq", "compressor"
};
const char *const verify_stage_names[PM_VERIFY_STAGES] = {
	"linear-phase high-pass", "track EQ", "album EQ", "compressor"
};

/* tracks[j].source.true_peak_added_db.STAGE: what each filter added */
static void tp_added(struct reader *r, enum kind kind, double x)
{
	size_t j = r->lv[1].index;

	if (r->depth != 5 || kind != J_NUMBER || !isfinite(x) ||
	    !at(r, 2, "source") || !at(r, 3, "true_peak_added_db") ||
	    j >= r->v->album->ntracks)
		return;
	for (size_t k = 0; k < PM_VERIFY_STAGES; k++)
		if (at(r, 4, verify_stage_keys[k])) {
			r->v->tracks[j].has_tp_added[k] = true;
			r->v->tracks[j].tp_added_db[k] = x;
		}
}

/*
 * The consumer: targets[i].name picks the target, and
 * targets[i].tracks[j] is track j + 1's master of it:
 * .limiter_max_reduction_db and .limiting[k].{start_s,end_s,depth_db};
 * tracks[j].source.true_peak_added_db is track j + 1's filters'.
 */
static void scalar(struct reader *r, enum kind kind, const char *s, double x)
{
	struct pm_vmaster *m;
	size_t j, k;

	if (at(r, 0, "tracks")) {
		tp_added(r, kind, x);
		return;
	}
	if (!at(r, 0, "targets") || r->depth < 3)
		return;
	if (r->depth == 3 && at(r, 2, "name") && kind == J_STRING) {
		for (r->target = 0; r->target < r->v->ntargets; r->target++)
			if (strcmp(r->v->targets[r->target].name, s) == 0)
				break;
		return;
	}
	if (r->target >= r->v->ntargets || !at(r, 2, "tracks") ||
	    r->depth < 5 || kind != J_NUMBER || !isfinite(x))
		return;
	j = r->lv[3].index;
	if (j >= r->v->album->ntracks)
		return;
	m = &r->v->tracks[j].masters[r->target];
	m->has_log = true;
	if (r->depth == 5 && at(r, 4, "limiter_max_reduction_db")) {
		m->max_gr_db = fabs(x);
		return;
	}
	if (r->depth != 7 || !at(r, 4, "limiting"))
		return;
	k = r->lv[5].index;
	if (k >= PM_VERIFY_LIMITING)
		return;
	if (k >= m->nlimiting)
		m->nlimiting = (unsigned)k + 1;
	if (at(r, 6, "start_s"))
		m->limiting[k].start_s = x;
	else if (at(r, 6, "end_s"))
		m->limiting[k].end_s = x;
	else if (at(r, 6, "depth_db"))
		m->limiting[k].depth_db = fabs(x);
}

static int value(struct reader *r);

static int container(struct reader *r, bool is_array)
{
	struct level *l;
	bool first = true;

	if (r->depth == MAX_DEPTH)
		return -1;
	l = &r->lv[r->depth++];
	l->is_array = is_array;
	l->index = 0;
	l->key[0] = '\0';
	r->p++;
	for (;;) {
		skip_ws(r);
		if (r->p >= r->end)
			return -1;
		if (*r->p == (is_array ? ']' : '}')) {
			r->p++;
			r->depth--;
			return 0;
		}
		if (!first) {
			if (*r->p != ',')
				return -1;
			r->p++;
			skip_ws(r);
			if (is_array)
				l->index++;
		}
		first = false;
		if (!is_array) {
			if (string(r, l->key, sizeof(l->key)) < 0)
				return -1;
			skip_ws(r);
			if (r->p >= r->end || *r->p != ':')
				return -1;
			r->p++;
		}
		if (value(r) < 0)
			return -1;
	}
}

static int literal(struct reader *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return -1;
	r->p += n;
	scalar(r, J_OTHER, NULL, NAN);
	return 0;
}

static int value(struct reader *r)
{
	char buf[64];
	size_t n = 0;
	double x;

	skip_ws(r);
	if (r->p >= r->end)
		return -1;
	switch (*r->p) {
	case '{':
		return container(r, false);
	case '[':
		return container(r, true);
	case '"':
		if (string(r, buf, sizeof(buf)) < 0)
			return -1;
		scalar(r, J_STRING, buf, NAN);
		return 0;
	case 't':
		return literal(r, "true");
	case 'f':
		return literal(r, "false");
	case 'n':
		return literal(r, "null");
	}
	while (r->p < r->end && n + 1 < sizeof(buf) &&
	       strchr("+-0123456789.eE", *r->p))
		buf[n++] = *r->p++;
	buf[n] = '\0';
	if (pm_parse_double(buf, -1e300, 1e300, &x) < 0)
		return -1;
	scalar(r, J_NUMBER, NULL, x);
	return 0;
}

/* Each master's log as read: sorted, inside the master, summed up. */
static void settle(struct pm_vmaster *m)
{
	unsigned n = 0;

	m->limited_s = 0;
	for (unsigned k = 0; k < m->nlimiting; k++) {
		struct pm_vlimit s = m->limiting[k];

		if (!(s.end_s > s.start_s) || s.start_s < 0 ||
		    !(s.depth_db > 0))
			continue; /* not a stretch: dropped */
		if (n && s.start_s < m->limiting[n - 1].end_s)
			continue; /* master writes them in order */
		m->limiting[n++] = s;
		m->limited_s += s.end_s - s.start_s;
		if (s.depth_db > m->max_gr_db)
			m->max_gr_db = s.depth_db;
	}
	m->nlimiting = n;
}

void verify_limiter_log(struct pm_verify *v)
{
	char path[4096 + 64];
	struct reader r;
	char *text = NULL;
	size_t n = 0;
	FILE *fp;
	int bad;

	if (!v->album || !v->tracks)
		return;
	snprintf(path, sizeof(path), "%s/%s/analysis.json", v->outdir,
		 PM_DIR_REPORT);
	fp = fopen(path, "rb");
	if (!fp)
		return;
	text = malloc(MAX_ANALYSIS_BYTES);
	if (text)
		n = fread(text, 1, MAX_ANALYSIS_BYTES, fp);
	bad = !text || ferror(fp) || n == MAX_ANALYSIS_BYTES;
	fclose(fp);
	if (bad) {
		free(text);
		pm_info("'%s' not read: no limiter log in the report", path);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.p = text;
	r.end = text + n;
	r.v = v;
	r.target = v->ntargets;
	bad = value(&r) < 0;
	skip_ws(&r);
	free(text);
	for (size_t i = 0; i < v->album->ntracks; i++)
		for (size_t t = 0; t < v->ntargets; t++) {
			struct pm_vmaster *m = &v->tracks[i].masters[t];

			if (bad || r.p != r.end) {
				m->has_log = false;
				m->nlimiting = 0;
				m->max_gr_db = 0;
				memset(v->tracks[i].has_tp_added, 0,
				       sizeof(v->tracks[i].has_tp_added));
			}
			settle(m);
		}
	if (bad || r.p != r.end)
		pm_info("'%s' is not JSON premaster reads: no limiter log in the report",
			path);
}
