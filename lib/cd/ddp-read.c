/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ddp-read.c: reading any DDP 2.00 image and finding what is wrong with it. */
#include <config.h>

#include "cd/ddp-impl.h"

#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* Reading: problems                                                    */
/* ------------------------------------------------------------------ */

#define reader ddp_reader

static void record(struct pm_ddp *ddp, enum pm_log_level level, bool do_log,
		   const char *msg)
{
	struct pm_ddp_problem *p;

	if (do_log)
		pm_log(level, "%s", msg);
	if (level == PM_LOG_ERROR)
		ddp->nerrors++;
	else
		ddp->nwarnings++;
	p = realloc(ddp->problems, (ddp->nproblems + 1) * sizeof(*p));
	if (!p)
		return; /* logged and counted; only the list is short */
	ddp->problems = p;
	p[ddp->nproblems].level = level;
	p[ddp->nproblems].msg = strdup(msg);
	if (p[ddp->nproblems].msg)
		ddp->nproblems++;
}

/* Log and list one problem, "PATH: message". */
void ddp_problem(struct reader *rd, enum pm_log_level level, const char *path,
		 const char *fmt, ...)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "%s: ", path);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	record(rd->ddp, level, true, msg);
}

/*
 * pm_disc_check() and pm_cdtext_validate() log each problem themselves;
 * list one summary for their errors and one for their warnings, and
 * count them all.  (Warnings are counted from the log's totals.)
 */
static void summarise(struct pm_ddp *ddp, const char *path, unsigned nerr,
		      unsigned nwarn, const char *what)
{
	char msg[512];

	if (nerr > 0) {
		snprintf(msg, sizeof(msg), "%s: %u %s error%s (logged above)",
			 path, nerr, what, nerr == 1 ? "" : "s");
		record(ddp, PM_LOG_ERROR, false, msg);
		ddp->nerrors += nerr - 1;
	}
	if (nwarn > 0) {
		snprintf(msg, sizeof(msg), "%s: %u %s warning%s (logged above)",
			 path, nwarn, what, nwarn == 1 ? "" : "s");
		record(ddp, PM_LOG_WARNING, false, msg);
		ddp->nwarnings += nwarn - 1;
	}
}

#define err_at(rd, path, ...) ddp_problem((rd), PM_LOG_ERROR, (path), __VA_ARGS__)
#define warn_at(rd, path, ...)                                                 \
	ddp_problem((rd), PM_LOG_WARNING, (path), __VA_ARGS__)

/*
 * Read a whole small file.  Returns 0, or -1 with `err`: PM_ENOINPUT
 * when it cannot be opened, PM_EIO, PM_EFORMAT when it exceeds `max`.
 */
int ddp_slurp(const char *path, size_t max, uint8_t **buf, size_t *len,
	      struct pm_err *err)
{
	int64_t size = 0;
	struct pm_err e = { 0 };
	int fd = pm_open_regular(path, &size, &e);
	ssize_t got;

	*buf = NULL;
	*len = 0;
	if (fd < 0 && e.code == PM_EFORMAT) /* callers name the path */
		return pm_err_set(err, PM_EFORMAT, "not a regular file");
	if (fd < 0) {
		if (err)
			*err = e;
		return -1;
	}
	if ((uint64_t)size > max) {
		close(fd);
		return pm_err_set(err, PM_EFORMAT,
				  "%" PRId64 " bytes, more than %zu", size, max);
	}
	*buf = pm_malloc((size_t)size + 1, err);
	if (!*buf) {
		close(fd);
		return -1;
	}
	/* at most the size it had when opened, even if it grows */
	got = pm_read_at(fd, *buf, (size_t)size, 0);
	close(fd);
	if (got < 0) {
		free(*buf);
		*buf = NULL;
		return pm_err_sys(err, PM_EIO, "cannot read '%s'", path);
	}
	*len = (size_t)got;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading: DDPID                                                       */
/* ------------------------------------------------------------------ */

/*
 * Whether a user-text reading is self-consistent: a length of 1..max
 * at `len_off`, and nothing but blanks after the text it declares.
 */
static int text_reading(const uint8_t *rec, size_t len_off, size_t text_off)
{
	int64_t n;

	if (ddp_get_num(rec, len_off, 2, &n) != 1 || n < 1 ||
	    n > (int64_t)(PM_DDPID_BYTES - text_off))
		return 0;
	if (!ddp_is_blank(rec, text_off + (size_t)n,
		      PM_DDPID_BYTES - text_off - (size_t)n))
		return -(int)n; /* fits, but text continues past it */
	return (int)n;
}

/*
 * The user text: length at 93 and text at 95 (ddpinfo, ddplib since
 * 2020), or 93 blank, length at 94 and text at 96 (Sonoris, HOFA).
 * " 11Hello" reads both ways (length 1 at 93, or 11 at 94), so the
 * reading after whose text only blanks follow wins; then the first.
 */
static void parse_user_text(struct pm_ddp_id *id)
{
	const uint8_t *rec = id->raw;
	int a = text_reading(rec, ID_TXTLEN, 95);
	int b = rec[ID_TXTLEN] == ' ' ? text_reading(rec, ID_TXTLEN + 1, 96)
				      : 0;
	int n;

	if (a > 0 || (a < 0 && b <= 0)) {
		id->user_text_offset = 95;
		n = a > 0 ? a : -a;
	} else if (b != 0) {
		id->user_text_offset = 96;
		n = b > 0 ? b : -b;
	} else {
		id->user_text_offset = 0;
		return;
	}
	ddp_get_text(rec, (size_t)id->user_text_offset, (size_t)n, id->user_text);
}

/*
 * A UPC/EAN field (DDPID or PQ): 13 digits, or a 12-digit UPC-A
 * left-aligned (HOFA).  Stores the EAN-13 in `out` ("" for blank or all
 * zeros).  Returns 0, or -1 after logging the problem.
 */
static int parse_upc(struct reader *rd, const char *path, const char *what,
		     const uint8_t *rec, size_t off, char out[PM_EAN_LEN + 1])
{
	char field[PM_EAN_LEN + 1], shownbuf[PM_EAN_LEN + 1];
	const char *why = "";
	int check;

	out[0] = '\0';
	ddp_get_text(rec, off, PM_EAN_LEN, field);
	if (field[0] == '\0' || strspn(field, "0") == strlen(field))
		return 0;
	if (strspn(field, "0123456789") != strlen(field) ||
	    (strlen(field) != 12 && strlen(field) != 13)) {
		err_at(rd, path, "%s UPC/EAN '%s' is not 12 or 13 digits", what,
		       ddp_shown(rec, off, PM_EAN_LEN, shownbuf));
		return -1;
	}
	if (pm_ean_normalize(field, out, &why) < 0) {
		check = pm_gs1_check_digit(out, PM_EAN_LEN - 1);
		err_at(rd, path, "%s UPC/EAN '%s': %s (it should end in %d)",
		       what, field, why, check);
		out[0] = '\0';
		return -1;
	}
	return 0;
}

static void parse_ddpid(struct reader *rd, const char *path, const uint8_t *buf,
			size_t len)
{
	struct pm_ddp_id *id = &rd->ddp->id;
	char s[PM_DDPID_BYTES + 1];

	if (len != PM_DDPID_BYTES)
		err_at(rd, path, "%zu bytes; a DDPID is %d", len,
		       PM_DDPID_BYTES);
	memset(id->raw, ' ', sizeof(id->raw));
	memcpy(id->raw, buf, PM_MIN(len, sizeof(id->raw)));
	ddp_get_text(id->raw, ID_LEVEL, 8, id->level);
	if (strcmp(id->level, "DDP 2.00") != 0)
		err_at(rd, path, "DDP level '%s' is not 'DDP 2.00'",
		       ddp_shown(id->raw, ID_LEVEL, 8, s));
	ddp_get_text(id->raw, ID_UPC, 13, id->upc_field);
	parse_upc(rd, path, "the", id->raw, ID_UPC, id->upc);
	ddp_get_text(id->raw, ID_MID, PM_DDP_MASTER_ID_MAX, id->master_id);
	for (size_t i = 0; id->master_id[i]; i++)
		if ((unsigned char)id->master_id[i] < 0x20 ||
		    (unsigned char)id->master_id[i] > 0x7E) {
			warn_at(rd, path,
				"the master ID '%s' is not printable ASCII",
				ddp_shown(id->raw, ID_MID, PM_DDP_MASTER_ID_MAX,
				      s));
			break;
		}
	id->book = (char)id->raw[ID_BK];
	ddp_get_text(id->raw, ID_TY, 2, id->type);
	if (strcmp(id->type, "CD") != 0)
		err_at(rd, path, "disc type '%s' is not 'CD'",
		       ddp_shown(id->raw, ID_TY, 2, s));
	parse_user_text(id);
}

/* ------------------------------------------------------------------ */
/* Reading: DDPMS                                                       */
/* ------------------------------------------------------------------ */

/* A stream file name must stay inside the fileset's directory. */
static bool plain_name(const char *s)
{
	if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == '\\' || (unsigned char)*s < 0x20 ||
		    (unsigned char)*s > 0x7E)
			return false;
	return true;
}

/* A numeric map field; blank is -1, garbage an error. */
static int64_t map_num(struct reader *rd, size_t k, const uint8_t *rec,
		       size_t off, size_t width, const char *name)
{
	char s[16];
	int64_t v = -1;

	if (ddp_get_num(rec, off, width, &v) < 0) {
		err_at(rd, rd->ddpms_path,
		       "packet %zu: %s '%s' is not a number", k + 1, name,
		       ddp_shown(rec, off, width, s));
		return -1;
	}
	return v;
}

static void parse_map(struct reader *rd, size_t k, const uint8_t *rec,
		      struct pm_ddp_map *m)
{
	char s[PM_DDPMS_PACKET_BYTES + 1];
	int64_t dsiz;

	memcpy(m->raw, rec, PM_DDPMS_PACKET_BYTES);
	ddp_get_text(rec, MS_DST, 2, m->dst);
	m->dsl = map_num(rd, k, rec, MS_DSL, 8, "DSL");
	m->dss = map_num(rd, k, rec, MS_DSS, 8, "DSS");
	ddp_get_text(rec, MS_SUB, 8, m->sub);
	ddp_get_text(rec, MS_CDM, 2, m->cdm);
	m->ssm = (int)map_num(rd, k, rec, MS_SSM, 1, "SSM");
	m->scr = (int)map_num(rd, k, rec, MS_SCR, 1, "SCR");
	m->pre1 = (int)map_num(rd, k, rec, MS_PRE1, 4, "PRE1");
	m->pre2 = (int)map_num(rd, k, rec, MS_PRE2, 4, "PRE2");
	m->pst = (int)map_num(rd, k, rec, MS_PST, 4, "PST");
	ddp_get_text(rec, MS_TRK, 2, m->trk);
	m->new_session = rec[MS_NEW] == 'S';
	m->ofs_bytes = map_num(rd, k, rec, MS_OFS, 9, "OFS");
	/* the DSI's width: " 17" (cue2ddp) or "017" (Sonoris) */
	dsiz = map_num(rd, k, rec, MS_DSIZ, 3, "DSI size");
	if (dsiz < 0) {
		dsiz = PM_DDP_DSI_MAX;
	} else if (dsiz < 1 || dsiz > PM_DDP_DSI_MAX) {
		err_at(rd, rd->ddpms_path,
		       "packet %zu: DSI size %" PRId64 " is not 1 to %d", k + 1,
		       dsiz, PM_DDP_DSI_MAX);
		dsiz = PM_DDP_DSI_MAX;
	}
	ddp_get_text(rec, MS_DSI, (size_t)dsiz, m->dsi);
	if (!plain_name(m->dsi)) {
		err_at(rd, rd->ddpms_path,
		       "packet %zu: DSI '%s' is not a plain file name in the fileset",
		       k + 1, ddp_shown(rec, MS_DSI, (size_t)dsiz, s));
		m->dsi[0] = '\0';
	}
}

/* Which stream each packet is (doc/internals/ddp-cdtext.md §4). */
static void classify_maps(struct reader *rd)
{
	struct pm_ddp *ddp = rd->ddp;
	size_t npq = 0, ncdtext = 0, nd0 = 0;

	for (size_t k = 0; k < ddp->nmaps; k++) {
		const struct pm_ddp_map *m = &ddp->maps[k];

		if (m->raw[0] == 0) /* a packet without VVVM, reported */
			continue;
		if (strcmp(m->dst, "S0") == 0 &&
		    strcmp(m->sub, "PQ DESCR") == 0) {
			if (npq++ == 0)
				rd->pqmap = m;
		} else if (strcmp(m->dst, "S0") == 0 &&
			   strcmp(m->sub, "CDTEXT") == 0) {
			if (ncdtext++ == 0)
				rd->cdtextmap = m;
			if (m->trk[0] && strcmp(m->trk, "00") != 0)
				warn_at(rd, rd->ddpms_path,
					"packet %zu: the CDTEXT stream's TRK is '%s', not 00 or blank",
					k + 1, m->trk);
		} else if (strcmp(m->dst, "D0") == 0) {
			if (strcmp(m->cdm, "DA") != 0) {
				err_at(rd, rd->ddpms_path,
				       "packet %zu: main data stream '%s' is CD mode '%s', not audio (DA)",
				       k + 1, m->dsi, m->cdm);
				continue;
			}
			if (nd0++ == 0)
				rd->d0 = m;
			if (m->ssm != 7 && m->ssm != 0)
				err_at(rd, rd->ddpms_path,
				       "packet %zu: SSM %d is not 7 (2352-byte sectors)",
				       k + 1, m->ssm);
			if (m->scr > 1)
				err_at(rd, rd->ddpms_path,
				       "packet %zu: SCR %d is not 0 or 1",
				       k + 1, m->scr);
		} else {
			warn_at(rd, rd->ddpms_path,
				"packet %zu: stream type '%s' '%s' ('%s') is not part of an audio CD; ignored",
				k + 1, m->dst, m->sub, m->dsi);
		}
	}
	if (npq != 1)
		err_at(rd, rd->ddpms_path,
		       "has %zu 'S0 PQ DESCR' streams; exactly one is needed",
		       npq);
	if (ncdtext > 1)
		err_at(rd, rd->ddpms_path,
		       "has %zu CDTEXT streams; at most one is allowed",
		       ncdtext);
	if (nd0 == 0)
		err_at(rd, rd->ddpms_path, "has no 'D0 DA' audio stream");
	else if (nd0 > 1)
		err_at(rd, rd->ddpms_path,
		       "has %zu audio streams; premaster reads single-stream audio images",
		       nd0);
	if (rd->d0 && rd->d0->dss > 0)
		err_at(rd, rd->ddpms_path,
		       "the audio stream starts at sector %" PRId64
		       "; the first one must start at 0",
		       rd->d0->dss);
	if (rd->d0 && rd->d0->dsl <= 0)
		err_at(rd, rd->ddpms_path,
		       "the audio stream's DSL is blank or 0");
}

/* Every DSI file exists and has the size its DSL says. */
static void check_stream_files(struct reader *rd)
{
	struct pm_ddp *ddp = rd->ddp;
	struct pm_err e;

	for (size_t k = 0; k < ddp->nmaps; k++) {
		const struct pm_ddp_map *m = &ddp->maps[k];
		struct stat st;
		char *path;
		int64_t want;

		if (!m->dsi[0] ||
		    (m != rd->d0 && m != rd->pqmap && m != rd->cdtextmap))
			continue;
		path = pm_path_join(ddp->dir, m->dsi, &e);
		if (!path)
			continue;
		if (stat(path, &st) < 0) {
			err_at(rd, rd->ddpms_path,
			       "packet %zu names '%s', which is missing", k + 1,
			       m->dsi);
		} else if (!S_ISREG(st.st_mode)) {
			/* a device or FIFO would be read forever, or block */
			err_at(rd, rd->ddpms_path,
			       "packet %zu names '%s', which is not a regular file",
			       k + 1, m->dsi);
		} else if (m == rd->d0) {
			want = PM_MAX(m->ofs_bytes, 0) +
			       PM_MAX(m->dsl, 0) * PM_BYTES_PER_FRAME;
			if (st.st_size != want)
				err_at(rd, path,
				       "%" PRId64
				       " bytes, but DDPMS says %" PRId64
				       " sectors (%" PRId64 " bytes)",
				       (int64_t)st.st_size, m->dsl, want);
		} else if (m == rd->pqmap) {
			if (m->dsl % PM_PQ_PACKET_BYTES != 0)
				err_at(rd, rd->ddpms_path,
				       "packet %zu: PQ DSL %" PRId64
				       " is not a multiple of 64",
				       k + 1, m->dsl);
			if (st.st_size != m->dsl)
				err_at(rd, path,
				       "%" PRId64
				       " bytes, but DDPMS says %" PRId64,
				       (int64_t)st.st_size, m->dsl);
		} else if (st.st_size != m->dsl && st.st_size != m->dsl + 1) {
			/* CD-TEXT: one trailing 0x00 is looked at later */
			err_at(rd, path,
			       "%" PRId64 " bytes, but DDPMS says %" PRId64,
			       (int64_t)st.st_size, m->dsl);
		}
		free(path);
	}
}

static int read_ddpms(struct reader *rd)
{
	struct pm_ddp *ddp = rd->ddp;
	uint8_t *buf = NULL;
	size_t len = 0, n;
	struct pm_err e;
	char s[8];

	if (ddp_slurp(rd->ddpms_path, MAX_DDPMS_BYTES, &buf, &len, &e) < 0) {
		if (e.code != PM_EFORMAT) {
			if (rd->err)
				*rd->err = e;
			return -1;
		}
		err_at(rd, rd->ddpms_path, "%s", e.msg);
		return 0;
	}
	if (len == 0)
		err_at(rd, rd->ddpms_path, "empty");
	else if (len % PM_DDPMS_PACKET_BYTES != 0)
		err_at(rd, rd->ddpms_path, "%zu bytes, not a multiple of %d",
		       len, PM_DDPMS_PACKET_BYTES);
	n = len / PM_DDPMS_PACKET_BYTES;
	ddp->maps = pm_calloc(n ? n : 1, sizeof(*ddp->maps), rd->err);
	if (!ddp->maps) {
		free(buf);
		return -1;
	}
	ddp->nmaps = n;
	for (size_t k = 0; k < n; k++) {
		const uint8_t *rec = buf + k * PM_DDPMS_PACKET_BYTES;

		if (memcmp(rec + MS_MPV, "VVVM", 4) != 0) {
			err_at(rd, rd->ddpms_path,
			       "packet %zu starts with '%s', not 'VVVM'", k + 1,
			       ddp_shown(rec, 0, 4, s));
			continue; /* raw[0] stays 0: skipped */
		}
		parse_map(rd, k, rec, &ddp->maps[k]);
	}
	free(buf);
	classify_maps(rd);
	check_stream_files(rd);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading: the PQ descriptor                                           */
/* ------------------------------------------------------------------ */

static const char *tt_ii(const struct pm_pq_entry *e, char *buf)
{
	if (e->track == LEADOUT)
		snprintf(buf, 8, "AA/%02u", e->index % 100);
	else
		snprintf(buf, 8, "%02u/%02u", e->track % 100, e->index % 100);
	return buf;
}

/* Decode one 64-byte packet.  Returns 0, or -1 (logged) to skip it. */
static int parse_pq_packet(struct reader *rd, size_t k, const uint8_t *rec,
			   struct pm_pq_entry *e)
{
	const char *path = rd->pq_path;
	char s[20], upc[PM_EAN_LEN + 1];
	int trk, idx, mm, ss, ff;
	uint8_t c0 = rec[PQ_CB1], c1 = rec[PQ_CB1 + 1];

	memset(e, 0, sizeof(*e));
	if (memcmp(rec + PQ_SPV, "VVVS", 4) != 0) {
		err_at(rd, path, "packet %zu starts with '%s', not 'VVVS'",
		       k + 1, ddp_shown(rec, PQ_SPV, 4, s));
		return -1;
	}
	trk = memcmp(rec + PQ_TRK, "AA", 2) == 0 ? (int)LEADOUT
						 : ddp_get_2d(rec, PQ_TRK);
	idx = ddp_get_2d(rec, PQ_IDX);
	if (trk < 0 || idx < 0) {
		err_at(rd, path,
		       "packet %zu: track/index '%s' is not NN/NN or AA/01",
		       k + 1, ddp_shown(rec, PQ_TRK, 4, s));
		return -1;
	}
	e->track = (unsigned)trk;
	e->index = (unsigned)idx;
	/* HRS is reserved: blank (cue2ddp, Sonoris) or 00 */
	if (!ddp_is_blank(rec, PQ_HRS, 2) && ddp_get_2d(rec, PQ_HRS) != 0) {
		char t[8];

		err_at(rd, path, "packet %zu (%s): HRS '%s' is not blank or 00",
		       k + 1, tt_ii(e, t), ddp_shown(rec, PQ_HRS, 2, s));
	}
	mm = ddp_get_2d(rec, PQ_MIN);
	ss = ddp_get_2d(rec, PQ_SEC);
	ff = ddp_get_2d(rec, PQ_FRM);
	if (mm < 0 || ss < 0 || ss > 59 || ff < 0 || ff > 74) {
		char t[8];

		err_at(rd, path,
		       "packet %zu (%s): time '%s' is not a valid MMSSFF (seconds 00-59, frames 00-74)",
		       k + 1, tt_ii(e, t), ddp_shown(rec, PQ_MIN, 6, s));
		return -1;
	}
	e->frames = pm_msf_to_frames(
		(struct pm_msf){ (unsigned)mm, (unsigned)ss, (unsigned)ff });
	if (c0 >= '0' && c0 <= '9')
		e->control = (unsigned)(c0 - '0');
	else if (c0 >= 'A' && c0 <= 'F')
		e->control = (unsigned)(c0 - 'A' + 10);
	else
		c1 = 0; /* not a control code: fall into the error below */
	if (c1 != '1' && c1 != 'S') {
		char t[8];

		err_at(rd, path,
		       "packet %zu (%s): CB1 '%s' is not a control code ('01', '31', '0S', ...)",
		       k + 1, tt_ii(e, t), ddp_shown(rec, PQ_CB1, 2, s));
		return -1;
	}
	e->scms = c1 == 'S';
	if (!ddp_is_blank(rec, PQ_ISRC, 12)) {
		ddp_get_text(rec, PQ_ISRC, 12, e->isrc);
		if (!pm_isrc_valid(e->isrc)) {
			char t[8];

			err_at(rd, path,
			       "packet %zu (%s): ISRC '%s' is not valid", k + 1,
			       tt_ii(e, t), ddp_shown(rec, PQ_ISRC, 12, s));
			e->isrc[0] = '\0';
		}
	}
	if (parse_upc(rd, path, "the PQ", rec, PQ_UPC, upc) == 0 && upc[0]) {
		if (rd->pq_upc[0] && strcmp(rd->pq_upc, upc) != 0)
			err_at(rd, path,
			       "packet %zu: UPC/EAN %s differs from %s in an earlier packet",
			       k + 1, upc, rd->pq_upc);
		else
			memcpy(rd->pq_upc, upc, sizeof(upc));
		memcpy(e->upc, upc, sizeof(upc));
		rd->pq_upc_set++;
	}
	return 0;
}

/*
 * Walk the packets in order: the lead-in, tracks 01..N with consecutive
 * indexes in time order, then one or two lead-outs at the end of the
 * audio; build the disc from them.
 */
static void pq_to_disc(struct reader *rd)
{
	struct pm_ddp *ddp = rd->ddp;
	struct pm_disc *disc = &ddp->disc;
	const char *path = rd->pq_path;
	const struct pm_pq_entry *prev = NULL;
	size_t k = 0, nleadout = 0;
	unsigned cur = 0, last_index = 0;
	char a[12], b[12], x[8], y[8];

	memset(disc, 0, sizeof(*disc));
	if (ddp->npq == 0) {
		err_at(rd, path, "has no PQ packets");
		return;
	}
	if (ddp->pq[0].track != 0 || ddp->pq[0].index != 0 ||
	    ddp->pq[0].frames != 0)
		err_at(rd, path,
		       "the first packet is %s at %s, not the lead-in 00/00 at 00:00:00",
		       tt_ii(&ddp->pq[0], x),
		       pm_msf_format(ddp->pq[0].frames, a));
	else if (ddp->pq[0].control != 0 || ddp->pq[0].scms)
		warn_at(rd, path, "the lead-in's control is not 01");
	if (ddp->pq[0].track == 0)
		k = 1;

	for (; k < ddp->npq; k++) {
		const struct pm_pq_entry *e = &ddp->pq[k];
		struct pm_pq_track *t;

		if (prev && e->frames < prev->frames) {
			err_at(rd, path,
			       "packet %zu (%s at %s) comes before packet %zu (%s at %s): the PQ is out of order",
			       k + 1, tt_ii(e, x), pm_msf_format(e->frames, a),
			       k, tt_ii(prev, y),
			       pm_msf_format(prev->frames, b));
			return;
		}
		prev = e;
		if (e->track == LEADOUT) {
			if (e->index != 1)
				err_at(rd, path,
				       "packet %zu: the lead-out is AA/%02u, not AA/01",
				       k + 1, e->index);
			if (nleadout++ > 0 && e->frames != disc->leadout_frames)
				err_at(rd, path,
				       "packet %zu: the two lead-outs differ",
				       k + 1);
			if (e->control != 0 || e->scms)
				warn_at(rd, path,
					"packet %zu: the lead-out's control is not 01",
					k + 1);
			disc->leadout_frames = e->frames;
			continue;
		}
		if (nleadout > 0) {
			err_at(rd, path,
			       "packet %zu (%s) follows the lead-out: the PQ is out of order",
			       k + 1, tt_ii(e, x));
			return;
		}
		if (e->track == 0 || (e->track != cur && e->track != cur + 1)) {
			err_at(rd, path,
			       "packet %zu: track %02u follows track %02u; tracks must run 01, 02, ... in order: the PQ is out of order",
			       k + 1, e->track, cur);
			return;
		}
		if (e->track == cur + 1) {
			/* a new track starts with index 00 or 01 */
			if (cur == PM_MAX_TRACKS) {
				err_at(rd, path, "more than 99 tracks");
				return;
			}
			if (e->index > 1) {
				err_at(rd, path,
				       "packet %zu: track %02u starts with index %02u, not 00 or 01",
				       k + 1, e->track, e->index);
				return;
			}
			cur = e->track;
			t = &disc->track[cur - 1];
			disc->ntracks = cur;
			t->control = e->control;
			t->scms = e->scms;
			if (e->index == 0) {
				t->has_pause = true;
				t->pause_frames = e->frames;
			}
		} else {
			t = &disc->track[cur - 1];
			if (e->index != last_index + 1) {
				err_at(rd, path,
				       "packet %zu: %s follows index %02u; indexes must be consecutive: the PQ is out of order",
				       k + 1, tt_ii(e, x), last_index);
				return;
			}
			if (e->control != t->control || e->scms != t->scms)
				err_at(rd, path,
				       "packet %zu (%s): the control differs from the track's first packet; it must be constant",
				       k + 1, tt_ii(e, x));
		}
		if (e->index >= 1) {
			t->index[e->index - 1] = e->frames;
			t->nindex = e->index;
			if (e->index == 1 && !t->has_pause)
				t->pause_frames = e->frames;
		}
		last_index = e->index;
		if (e->isrc[0]) {
			if (t->isrc[0] && strcmp(t->isrc, e->isrc) != 0)
				err_at(rd, path,
				       "packet %zu (%s): ISRC %s differs from %s on the track's earlier packet",
				       k + 1, tt_ii(e, x), e->isrc, t->isrc);
			else
				memcpy(t->isrc, e->isrc, sizeof(t->isrc));
		}
	}
	if (nleadout == 0)
		err_at(rd, path, "has no lead-out (AA/01) packet");
	else if (nleadout > 2)
		err_at(rd, path,
		       "has %zu lead-out packets; 1 or 2 are expected",
		       nleadout);
	if (nleadout > 0 && rd->d0 && rd->d0->dsl > 0 &&
	    (int64_t)disc->leadout_frames != rd->d0->dsl)
		err_at(rd, path,
		       "the lead-out at %s is not at the end of the audio, %s (%" PRId64
		       " sectors in DDPMS)",
		       pm_msf_format(disc->leadout_frames, a),
		       pm_msf_format((uint32_t)rd->d0->dsl, b), rd->d0->dsl);
	memcpy(disc->upc, rd->pq_upc, sizeof(disc->upc));
}

static void read_pq(struct reader *rd)
{
	struct pm_ddp *ddp = rd->ddp;
	struct pm_disc masked;
	uint8_t *buf = NULL;
	size_t len = 0, n, i = 0;
	struct pm_err e;
	unsigned nerr, nwarn;

	if (!rd->pqmap || !rd->pqmap->dsi[0])
		return;
	rd->pq_path = pm_path_join(ddp->dir, rd->pqmap->dsi, &e);
	if (!rd->pq_path)
		return;
	if (ddp_slurp(rd->pq_path, MAX_PQ_BYTES, &buf, &len, &e) < 0) {
		if (e.code == PM_EFORMAT)
			err_at(rd, rd->pq_path, "%s", e.msg);
		return; /* a missing file is already reported */
	}
	if (len % PM_PQ_PACKET_BYTES != 0)
		err_at(rd, rd->pq_path, "%zu bytes, not a multiple of %d", len,
		       PM_PQ_PACKET_BYTES);
	n = len / PM_PQ_PACKET_BYTES;
	ddp->pq = calloc(n ? n : 1, sizeof(*ddp->pq));
	if (!ddp->pq) {
		free(buf);
		err_at(rd, rd->pq_path, "out of memory");
		return;
	}
	for (size_t k = 0; k < n; k++)
		if (parse_pq_packet(rd, k, buf + k * PM_PQ_PACKET_BYTES,
				    &ddp->pq[i]) == 0)
			i++;
	ddp->npq = i;
	free(buf);
	if (ddp->nerrors > 0 && i < n)
		return; /* packets are missing: the sequence means nothing */
	pq_to_disc(rd);

	if (rd->pq_upc[0] && ddp->id.upc[0] &&
	    strcmp(rd->pq_upc, ddp->id.upc) != 0)
		err_at(rd, rd->pq_path,
		       "the PQ's UPC/EAN %s differs from DDPID's %s",
		       rd->pq_upc, ddp->id.upc);
	else if (ddp->id.upc[0] && !rd->pq_upc[0])
		warn_at(rd, rd->pq_path,
			"the UPC/EAN %s is in DDPID only; the pressed disc will carry no catalogue number",
			ddp->id.upc);
	else if (rd->pq_upc[0] && !ddp->id.upc[0] && !ddp->id.upc_field[0])
		warn_at(rd, rd->pq_path,
			"the UPC/EAN %s is in the PQ only, not in DDPID",
			rd->pq_upc);

	/*
	 * Four-channel is a warning when reading (cue2ddp writes it, ddpinfo
	 * refuses it: doc/internals/ddp-cdtext.md §9); pm_disc_check() would
	 * make it an error, so it checks a copy without that bit.
	 */
	masked = ddp->disc;
	for (unsigned t = 0; t < masked.ntracks; t++)
		if (masked.track[t].control & PM_CTL_FOUR_CHANNEL) {
			warn_at(rd, rd->pq_path,
				"track %u: the control sets the four-channel bit, which ddpinfo and plants may refuse",
				t + 1);
			masked.track[t].control &=
				~(unsigned)PM_CTL_FOUR_CHANNEL;
		}
	if (masked.ntracks == 0)
		return;
	nwarn = pm_log_count(PM_LOG_WARNING);
	nerr = pm_disc_check(&masked, rd->opt->limits, rd->pq_path);
	summarise(ddp, rd->pq_path, nerr, pm_log_count(PM_LOG_WARNING) - nwarn,
		  "Red Book");
	if (rd->d0 && rd->d0->pre2 >= 0 && ddp->disc.track[0].nindex > 0 &&
	    (uint32_t)rd->d0->pre2 != ddp->disc.track[0].index[0])
		warn_at(rd, rd->ddpms_path,
			"PRE2 is %d, but track 1's index 01 is at sector %" PRIu32,
			rd->d0->pre2, ddp->disc.track[0].index[0]);
}

/* ------------------------------------------------------------------ */
/* Reading: CD-TEXT, the image, checksums                               */
/* ------------------------------------------------------------------ */

static void read_cdtext(struct reader *rd)
{
	struct pm_ddp *ddp = rd->ddp;
	uint8_t *buf = NULL;
	size_t len = 0;
	struct pm_err e;
	unsigned n, nwarn;

	if (!rd->cdtextmap || !rd->cdtextmap->dsi[0])
		return;
	rd->cdtext_path = pm_path_join(ddp->dir, rd->cdtextmap->dsi, &e);
	if (!rd->cdtext_path)
		return;
	if (ddp_slurp(rd->cdtext_path, MAX_CDTEXT_BYTES, &buf, &len, &e) < 0) {
		if (e.code == PM_EFORMAT)
			err_at(rd, rd->cdtext_path, "%s", e.msg);
		return;
	}
	/* Sonoris adds one 0x00 (235 = 13 x 18 + 1); the Sony spec allows it */
	if (len % PM_CDTEXT_PACK_BYTES == 1 && buf[len - 1] == 0) {
		warn_at(rd, rd->cdtext_path,
			"one trailing 0x00 byte after the packs (tolerated)");
		len--;
	}
	nwarn = pm_log_count(PM_LOG_WARNING);
	n = pm_cdtext_validate(buf, len, ddp->disc.ntracks, rd->cdtext_path);
	summarise(ddp, rd->cdtext_path, n, pm_log_count(PM_LOG_WARNING) - nwarn,
		  "CD-TEXT");
	ddp->cdtext = buf;
	ddp->cdtext_bytes = len;
}

/* The first 150 sectors are the 2-second pause: digital silence. */
static void check_silence(struct reader *rd)
{
	struct pm_ddp *ddp = rd->ddp;
	uint8_t *buf;
	size_t n = PM_PREGAP_FRAMES * PM_BYTES_PER_FRAME;
	ssize_t got;
	int fd;

	if (!ddp->image_path || ddp->nerrors > 0 ||
	    ddp->image_frames < PM_PREGAP_FRAMES)
		return;
	buf = malloc(n);
	fd = pm_open_regular(ddp->image_path, NULL, NULL);
	if (buf && fd >= 0) {
		got = pm_read_at(fd, buf, n, ddp->image_offset_bytes);
		for (ssize_t i = 0; i < got; i++)
			if (buf[i] != 0) {
				warn_at(rd, ddp->image_path,
					"the first 2 seconds (the pause before track 1) are not digital silence");
				break;
			}
	}
	if (fd >= 0)
		close(fd);
	free(buf);
}

struct pm_ddp *pm_ddp_read(const char *dir,
			   const struct pm_ddp_read_options *opt,
			   struct pm_err *err)
{
	const struct pm_ddp_read_options defaults = { 0 };
	struct reader rd = { .opt = opt ? opt : &defaults, .err = err };
	struct pm_ddp *ddp = NULL;
	struct stat st;
	uint8_t *buf = NULL;
	char *path = NULL;
	size_t len = 0;

	if (stat(dir, &st) < 0) {
		pm_err_sys(err, PM_ENOINPUT, "cannot open '%s'", dir);
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		pm_err_set(
			err, PM_ENOINPUT,
			"'%s' is not a directory (a DDP image is a directory of files)",
			dir);
		return NULL;
	}
	ddp = pm_calloc(1, sizeof(*ddp), err);
	if (!ddp)
		return NULL;
	rd.ddp = ddp;
	ddp->dir = pm_strdup(dir, err);
	path = pm_path_join(dir, PM_DDP_DDPID, err);
	rd.ddpms_path = pm_path_join(dir, PM_DDP_DDPMS, err);
	if (!ddp->dir || !path || !rd.ddpms_path)
		goto fail;

	if (ddp_slurp(path, 4096, &buf, &len, err) < 0) {
		if (err && err->code == PM_EFORMAT)
			pm_err_prefix(err, "'%s': ", path);
		goto fail;
	}
	parse_ddpid(&rd, path, buf, len);
	free(buf);
	buf = NULL;
	if (read_ddpms(&rd) < 0)
		goto fail;
	if (rd.d0 && rd.d0->dsi[0]) {
		ddp->image_path = pm_path_join(dir, rd.d0->dsi, err);
		if (!ddp->image_path)
			goto fail;
		ddp->image_offset_bytes = PM_MAX(rd.d0->ofs_bytes, 0);
		ddp->image_start_frames = 0;
		ddp->image_frames = (uint32_t)PM_MAX(rd.d0->dsl, 0);
	}
	read_pq(&rd);
	read_cdtext(&rd);
	check_silence(&rd);
	if (!rd.opt->skip_checksums && ddp_check_sums(&rd) < 0)
		goto fail;

	if (ddp->nerrors > 0 && !rd.opt->keep_broken) {
		const char *first = "";

		for (size_t i = 0; i < ddp->nproblems; i++)
			if (ddp->problems[i].level == PM_LOG_ERROR) {
				first = ddp->problems[i].msg;
				break;
			}
		pm_err_set(err, PM_EFORMAT, "%s%s", first,
			   ddp->nerrors > 1 ? " (and more, logged)" : "");
		goto fail;
	}
	free(path);
	free(rd.ddpms_path);
	free(rd.pq_path);
	free(rd.cdtext_path);
	return ddp;
fail:
	free(buf);
	free(path);
	free(rd.ddpms_path);
	free(rd.pq_path);
	free(rd.cdtext_path);
	pm_ddp_free(ddp);
	return NULL;
}

void pm_ddp_free(struct pm_ddp *ddp)
{
	if (!ddp)
		return;
	for (size_t i = 0; i < ddp->nproblems; i++)
		free(ddp->problems[i].msg);
	free(ddp->problems);
	for (size_t i = 0; i < ddp->nsum_files; i++)
		free(ddp->sum_files[i]);
	free(ddp->sum_files);
	free(ddp->maps);
	free(ddp->pq);
	free(ddp->cdtext);
	free(ddp->image_path);
	free(ddp->dir);
	free(ddp);
}
