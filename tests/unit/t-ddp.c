/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-ddp.c: the DDP 2.00 writer, reader and extractor: golden bytes from
 * real cue2ddp filesets, round trips, extraction for every gap policy,
 * broken images refused for the right reason, the variants of
 * doc/internals/ddp-cdtext.md §9 accepted, and
 * atomic replacement of an earlier DDP.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cd/ddp.h"
#include "cd/pq.h"
#include "io/audio.h"
#include "logcap.h"
#include "tap.h"
#include "util/crc32.h"
#include "util/log.h"
#include "util/digest.h"
#include "util/msf.h"
#include "util/outdir.h"

static char scratch[] = "/tmp/t-ddp-XXXXXX";

/* ------------------------------------------------------------------ */
/* Files */

/* "dir/name" in one of eight rotating buffers (so calls can nest). */
static char *at(const char *dir, const char *name)
{
	static char buf[8][1024];
	static int k;
	size_t a = strlen(dir), b = strlen(name);
	char *p;

	k = (k + 1) % 8;
	p = buf[k];
	if (a + b + 2 > sizeof(buf[k]))
		a = b = 0;
	memmove(p, dir, a);
	p[a] = '/';
	memmove(p + a + 1, name, b);
	p[a + 1 + b] = '\0';
	return p;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	*len = 0;
	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, fp) == (size_t)n) {
			*len = (size_t)n;
			buf[n] = 0;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(fp);
	return buf;
}

static void spew(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	if (!fp || fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
		tap_diag("cannot write %s", path);
}

static const char *md5_hex(const void *data, size_t n)
{
	static char hex[PM_MD5_HEX_BYTES];
	uint8_t d[PM_MD5_BYTES];

	pm_digest_buffer(PM_MD5, data, n, d);
	return pm_digest_hex(d, PM_MD5_BYTES, hex);
}

static const char *file_md5(const char *path)
{
	static char hex[PM_MD5_HEX_BYTES];
	size_t len;
	uint8_t *buf = slurp(path, &len);

	snprintf(hex, sizeof(hex), "%s", buf ? md5_hex(buf, len) : "missing");
	free(buf);
	return hex;
}

/* Overwrite bytes of a file in place. */
static void patch(const char *path, long off, const char *bytes, size_t n)
{
	FILE *fp = fopen(path, "r+b");

	if (!fp || fseek(fp, off, SEEK_SET) != 0 ||
	    fwrite(bytes, 1, n, fp) != n || fclose(fp) != 0)
		tap_diag("cannot patch %s", path);
}

static void copy_dir(const char *from_path, const char *to_path)
{
	char from[1024], to[1024];
	DIR *d;
	struct dirent *e;

	snprintf(from, sizeof(from), "%s", from_path);
	snprintf(to, sizeof(to), "%s", to_path);
	d = opendir(from);
	mkdir(to, 0777);
	while (d && (e = readdir(d)) != NULL) {
		size_t len;
		uint8_t *buf;

		if (e->d_name[0] == '.')
			continue;
		buf = slurp(at(from, e->d_name), &len);
		if (buf)
			spew(at(to, e->d_name), buf, len);
		free(buf);
	}
	if (d)
		closedir(d);
}

/* Whether a directory holds a leftover temporary (".NAME.tmp-..."). */
static bool has_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	while (d && (e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".tmp-"))
			found = true;
	if (d)
		closedir(d);
	return found;
}

/* ------------------------------------------------------------------ */
/* Audio: deterministic, different in every sample, silent pause */

static int16_t *image_samples; /* the last image made, interleaved */
static int64_t image_len_samples;

static int16_t sample_at(int64_t i, unsigned seed)
{
	uint32_t x = (uint32_t)i * 2654435761u + seed * 40503u + 1;

	x ^= x >> 15;
	x *= 2246822519u;
	x ^= x >> 13;
	return (int16_t)(x >> 16);
}

/* A WAV of `frames` CD frames; the first 150 are digital silence. */
static void make_wav_spec(const char *path, uint32_t frames, unsigned seed,
			  unsigned channels, uint32_t rate, unsigned bits)
{
	struct pm_audio_spec spec = { .format = PM_FORMAT_WAV,
				      .rate = rate,
				      .channels = channels,
				      .bits = bits };
	struct pm_err err = { 0 };
	struct pm_audio_writer *w = pm_audio_create(path, &spec, NULL, &err);
	int64_t n = pm_frame_samples(frames) * channels;

	free(image_samples);
	image_samples = calloc((size_t)n + 1, sizeof(int16_t));
	image_len_samples = pm_frame_samples(frames);
	if (!w || !image_samples) {
		tap_diag("cannot create %s: %s", path, err.msg);
		return;
	}
	for (int64_t i = pm_frame_samples(PM_PREGAP_FRAMES) * channels; i < n;
	     i++)
		image_samples[i] = sample_at(i, seed);
	if (pm_audio_write_s16(w, image_samples, pm_frame_samples(frames),
			       &err) < 0 ||
	    pm_audio_finish(w, &err) < 0)
		tap_diag("cannot write %s: %s", path, err.msg);
}

static void make_wav(const char *path, uint32_t frames, unsigned seed)
{
	make_wav_spec(path, frames, seed, 2, 44100, 16);
}

/* ------------------------------------------------------------------ */
/* Discs */

static struct pm_pq_track *add(struct pm_disc *d, uint32_t pause,
			       uint32_t idx01)
{
	struct pm_pq_track *t = &d->track[d->ntracks++];

	memset(t, 0, sizeof(*t));
	t->has_pause = d->ntracks == 1 || pause != idx01;
	t->pause_frames = pause;
	t->nindex = 1;
	t->index[0] = idx01;
	return t;
}

/* Five tracks: pauses, index marks, every flag, ISRCs, a UPC. */
static void rich_disc(struct pm_disc *d)
{
	struct pm_pq_track *t;

	memset(d, 0, sizeof(*d));
	memcpy(d->upc, "0036000291452", 14);
	t = add(d, 0, 150);
	t->nindex = 2;
	t->index[1] = 300;
	t->control = PM_CTL_PREEMPHASIS;
	memcpy(t->isrc, "USABC2600001", 13);
	t = add(d, 525, 600);
	t->control = PM_CTL_COPY;
	memcpy(t->isrc, "USABC2600002", 13);
	t = add(d, 900, 900);
	t->nindex = 3;
	t->index[1] = 1000;
	t->index[2] = 1100;
	t->scms = true;
	memcpy(t->isrc, "GBXYZ2600003", 13);
	t = add(d, 1250, 1300);
	t->control = PM_CTL_PREEMPHASIS | PM_CTL_COPY;
	t = add(d, 1650, 1650);
	memcpy(t->isrc, "DEA1B2600005", 13);
	d->leadout_frames = 2000;
}

static bool same_disc(const struct pm_disc *a, const struct pm_disc *b)
{
	if (strcmp(a->upc, b->upc) != 0 || a->ntracks != b->ntracks ||
	    a->leadout_frames != b->leadout_frames) {
		tap_diag("disc: upc %s/%s tracks %u/%u lead-out %u/%u", a->upc,
			 b->upc, a->ntracks, b->ntracks, a->leadout_frames,
			 b->leadout_frames);
		return false;
	}
	for (unsigned n = 0; n < a->ntracks; n++) {
		const struct pm_pq_track *x = &a->track[n], *y = &b->track[n];
		bool same = x->control == y->control && x->scms == y->scms &&
			    strcmp(x->isrc, y->isrc) == 0 &&
			    x->has_pause == y->has_pause &&
			    x->pause_frames == y->pause_frames &&
			    x->nindex == y->nindex;

		for (unsigned k = 0; same && k < x->nindex; k++)
			same = x->index[k] == y->index[k];
		if (!same) {
			tap_diag("track %u differs: ctl %u/%u scms %d/%d isrc "
				 "%s/%s pause %d:%u/%d:%u nindex %u/%u",
				 n + 1, x->control, y->control, x->scms,
				 y->scms, x->isrc, y->isrc, x->has_pause,
				 x->pause_frames, y->has_pause, y->pause_frames,
				 x->nindex, y->nindex);
			return false;
		}
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* CD-TEXT: vector A's packs, and a small title-only builder */

static const uint8_t cdtext_a[198] = {
	0x80, 0x00, 0x00, 0x00, 0x44, 0x69, 0x73, 0x63, 0x20, 0x54, 0x69, 0x74,
	0x6C, 0x65, 0x00, 0x54, 0xA7, 0x14, 0x80, 0x01, 0x01, 0x01, 0x72, 0x61,
	0x63, 0x6B, 0x20, 0x4F, 0x6E, 0x65, 0x00, 0x54, 0x72, 0x61, 0x8C, 0x65,
	0x80, 0x02, 0x02, 0x03, 0x63, 0x6B, 0x20, 0x54, 0x77, 0x6F, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xE6, 0xB6, 0x81, 0x00, 0x03, 0x00, 0x44, 0x69,
	0x73, 0x63, 0x20, 0x50, 0x65, 0x72, 0x66, 0x6F, 0x72, 0x6D, 0xE3, 0x18,
	0x81, 0x00, 0x04, 0x0C, 0x65, 0x72, 0x00, 0x50, 0x65, 0x72, 0x66, 0x20,
	0x4F, 0x6E, 0x65, 0x00, 0x33, 0xB1, 0x81, 0x02, 0x05, 0x00, 0x50, 0x65,
	0x72, 0x66, 0x20, 0x54, 0x77, 0x6F, 0x00, 0x00, 0x00, 0x00, 0x1B, 0x61,
	0x82, 0x00, 0x06, 0x00, 0x44, 0x69, 0x73, 0x63, 0x20, 0x57, 0x72, 0x69,
	0x74, 0x65, 0x72, 0x00, 0x22, 0xB0, 0x82, 0x01, 0x07, 0x00, 0x57, 0x72,
	0x69, 0x74, 0x65, 0x72, 0x20, 0x4F, 0x6E, 0x65, 0x00, 0x00, 0x22, 0x44,
	0x8F, 0x00, 0x08, 0x00, 0x00, 0x01, 0x02, 0x00, 0x03, 0x03, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xF8, 0x8B, 0x8F, 0x01, 0x09, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x0A, 0x00, 0x00, 0x00, 0x36, 0x1B,
	0x8F, 0x02, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x87, 0xED,
};

/* CRC-16/0x1021 over a pack's first 16 bytes, inverted, big-endian. */
static void pack_crc(uint8_t *p)
{
	uint16_t c = 0;

	for (int i = 0; i < 16; i++) {
		c ^= (uint16_t)(p[i] << 8);
		for (int k = 0; k < 8; k++)
			c = c & 0x8000 ? (uint16_t)(c << 1 ^ 0x1021)
				       : (uint16_t)(c << 1);
	}
	c = (uint16_t)~c;
	p[16] = (uint8_t)(c >> 8);
	p[17] = (uint8_t)c;
}

/* Title packs "Album", "Song 1".."Song N", then the size info. */
static size_t titles(unsigned ntracks, uint8_t *out)
{
	char text[2048];
	size_t n = 0, np = 0, pos = 0;
	uint8_t info[36] = { 0 };
	unsigned owner[2048];

	n += (size_t)snprintf(text, sizeof(text), "Album") + 1;
	for (unsigned t = 0; t <= ntracks; t++) {
		if (t > 0)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
					      "Song %u", t) +
			     1;
		for (size_t i = pos; i < n; i++)
			owner[i] = t;
		pos = n;
	}
	for (size_t off = 0; off < n; off += 12, np++) {
		uint8_t *p = out + np * 18;
		size_t start = off;

		memset(p, 0, 18);
		p[0] = 0x80;
		p[1] = (uint8_t)owner[off];
		p[2] = (uint8_t)np;
		while (start > 0 && owner[start - 1] == owner[off])
			start--;
		p[3] = (uint8_t)PM_MIN(off - start, 15);
		memcpy(p + 4, text + off, PM_MIN(12, n - off));
		pack_crc(p);
	}
	info[1] = 1;
	info[2] = (uint8_t)ntracks;
	info[4] = (uint8_t)np;
	info[4 + 15] = 3;
	info[20] = (uint8_t)(np + 2);
	info[28] = 0x09;
	for (int k = 0; k < 3; k++, np++) {
		uint8_t *p = out + np * 18;

		memset(p, 0, 18);
		p[0] = 0x8F;
		p[1] = (uint8_t)k;
		p[2] = (uint8_t)np;
		memcpy(p + 4, info + 12 * k, 12);
		pack_crc(p);
	}
	return np * 18;
}

/* ------------------------------------------------------------------ */
/* Writing helpers */

static int write_ddp(const struct pm_disc *d, const char *wav, const char *out,
		     const struct pm_ddp_write_options *o, struct pm_err *err)
{
	logcap_clear();
	pm_err_clear(err);
	return pm_ddp_write(d, wav, out, o, NULL, err);
}

/* Write the DDP of `d` with fresh audio into scratch/NAME/ddp. */
static char *fresh(const char *name, const struct pm_disc *d,
		   const struct pm_ddp_write_options *o)
{
	static char out[512];
	struct pm_err err = { 0 };
	char wav[512];

	snprintf(out, sizeof(out), "%s/%s", scratch, name);
	snprintf(wav, sizeof(wav), "%s/%s.wav", scratch, name);
	make_wav(wav, d->leadout_frames, 7);
	if (write_ddp(d, wav, out, o, &err) < 0)
		tap_diag("writing %s failed: %s", name, err.msg);
	snprintf(out, sizeof(out), "%s/%s/ddp", scratch, name);
	return out;
}

/* ------------------------------------------------------------------ */
/* Golden vectors.  Each cue2ddp record is built here from the published
 * layout, then proved equal to the file cue2ddp wrote by the MD5 that
 * cue2ddp itself listed for it ([rev] exp/NNN/out/CHECKSUM.MD5, or the
 * cue2ddp.log of exp/011). */

static void field(uint8_t *rec, size_t off, const char *text)
{
	memcpy(rec + off, text, strlen(text));
}

static void pq_rec(uint8_t *rec, const char *head, const char *isrc,
		   const char *upc)
{
	memset(rec, ' ', 64);
	field(rec, 0, head);
	field(rec, 20, isrc);
	field(rec, 32, upc);
}

static void ms_rec(uint8_t *rec, const char *dst, const char *dsl,
		   const char *sub, const char *d0, const char *trk,
		   const char *dsi)
{
	memset(rec, ' ', 128);
	field(rec, 0, "VVVM");
	field(rec, 4, dst);
	field(rec, 14, dsl);
	field(rec, 30, sub);
	field(rec, 38, d0); /* CDM SSM SCR PRE1 PRE2: "DA71     150" */
	field(rec, 55, trk);
	field(rec, 71, " 17");
	field(rec, 74, dsi);
}

static void id_rec(uint8_t *rec, const char *upc, const char *mid)
{
	memset(rec, ' ', 128);
	field(rec, 0, "DDP 2.00");
	field(rec, 8, upc);
	field(rec, 38, mid);
	field(rec, 87, "CD");
}

/* Our file equals the reference, after `fix` (our choice undone). */
static void same_file(const char *path, const uint8_t *ref, size_t n,
		      const char *what)
{
	size_t len;
	uint8_t *buf = slurp(path, &len);

	ok(buf && len == n, "%s: %zu bytes", what, n);
	if (buf && len == n)
		is_mem(buf, ref, n, "%s: byte for byte", what);
	free(buf);
}

/*
 * Vector A (exp/011): two tracks, CD-TEXT.  PQ and CDTEXT.BIN are
 * cue2ddp's byte for byte.  DDPMS differs in two fields (both explained
 * in doc/internals/ddp-cdtext.md §2 and §9):
 *  - the PQ file is named PQDESCR, cue2ddp calls it SD;
 *  - the D0 SCR is 0, cue2ddp writes 1 (write 0, as Sonoris and HOFA:
 *    audio is not scrambled).
 */
static void golden_a(void)
{
	struct pm_ddp_write_options o = { .cdtext = cdtext_a,
					  .cdtext_bytes = sizeof(cdtext_a) };
	struct pm_disc d;
	uint8_t pq[6 * 64], ms[3 * 128], id[128];
	uint8_t *ours;
	size_t len;
	const char *dir;

	memset(&d, 0, sizeof(d));
	add(&d, 0, 150);
	add(&d, 900, 900);
	d.leadout_frames = 1650;
	dir = fresh("a", &d, &o);

	pq_rec(pq, "VVVS0000  00000001", "", "");
	pq_rec(pq + 64, "VVVS0100  00000001", "", "");
	pq_rec(pq + 128, "VVVS0101  00020001", "", "");
	pq_rec(pq + 192, "VVVS0201  00120001", "", "");
	pq_rec(pq + 256, "VVVSAA01  00220001", "", "");
	pq_rec(pq + 320, "VVVSAA01  00220001", "", "");
	is_str(md5_hex(pq, sizeof(pq)), "705ac1ddd23cde9d353cb4c70283318d",
	       "A: the reference PQ is cue2ddp's SD (its MD5)");
	same_file(at(dir, "PQDESCR"), pq, sizeof(pq), "A: PQDESCR");

	is_str(md5_hex(cdtext_a, sizeof(cdtext_a)),
	       "6446664ada333c1e8ffca967c4ceed42",
	       "A: the reference CD-TEXT is cue2ddp's CDTEXT.BIN");
	same_file(at(dir, "CDTEXT.BIN"), cdtext_a, sizeof(cdtext_a),
		  "A: CDTEXT.BIN");

	id_rec(id, "", "");
	is_str(md5_hex(id, 128), "187970110683c92c25bdb82256354780",
	       "A: the reference DDPID is cue2ddp's");
	same_file(at(dir, "DDPID"), id, 128, "A: DDPID");

	ms_rec(ms, "S0", "     198", "CDTEXT  ", "", "00", "CDTEXT.BIN");
	ms_rec(ms + 128, "S0", "     384", "PQ DESCR", "", "", "SD");
	ms_rec(ms + 256, "D0", "    1650", "", "DA71     150", "", "IMAGE.DAT");
	is_str(md5_hex(ms, sizeof(ms)), "7764f19ca0f898e45c666538e101fb20",
	       "A: the reference DDPMS is cue2ddp's (CDTEXT, PQ, D0)");
	ours = slurp(at(dir, "DDPMS"), &len);
	if (ok(ours && len == sizeof(ms), "A: DDPMS has three packets")) {
		is_mem(ours + 128 + 74, "PQDESCR          ", 17,
		       "A: our PQ file is PQDESCR (cue2ddp: SD)");
		is_int(ours[256 + 41], '0', "A: our D0 SCR is 0 (cue2ddp: 1)");
		memcpy(ours + 128 + 74, "SD               ", 17);
		ours[256 + 41] = '1';
		is_mem(ours, ms, sizeof(ms),
		       "A: DDPMS is cue2ddp's but for those two fields");
	}
	free(ours);
}

/*
 * Vector B (exp/005): ISRC and UPC.  DDPID is cue2ddp's byte for byte.
 * The PQ differs in one field: we also put the ISRC on index 01 (the
 * ddptools author's "safest", doc/internals/ddp-cdtext.md §5); cue2ddp
 * puts it on the track's first packet only.  DDPMS differs as in A.
 */
static void golden_b(void)
{
	struct pm_disc d;
	struct pm_pq_track *t;
	uint8_t pq[5 * 64], ms[2 * 128], id[128];
	uint8_t *ours;
	size_t len;
	const char *dir;

	memset(&d, 0, sizeof(d));
	memcpy(d.upc, "0123456789012", 14);
	t = add(&d, 0, 150);
	memcpy(t->isrc, "USABC1234567", 13);
	d.leadout_frames = 900;
	dir = fresh("b", &d, NULL);

	id_rec(id, "0123456789012", "");
	is_str(md5_hex(id, 128), "dd89c874714f94418b20feea4d9b2ac6",
	       "B: the reference DDPID is cue2ddp's");
	same_file(at(dir, "DDPID"), id, 128, "B: DDPID with the UPC");

	pq_rec(pq, "VVVS0000  00000001", "", "0123456789012");
	pq_rec(pq + 64, "VVVS0100  00000001", "USABC1234567", "");
	pq_rec(pq + 128, "VVVS0101  00020001", "", "");
	pq_rec(pq + 192, "VVVSAA01  00120001", "", "");
	pq_rec(pq + 256, "VVVSAA01  00120001", "", "");
	is_str(md5_hex(pq, sizeof(pq)), "e6d506c61b61150a572f5290379e47d9",
	       "B: the reference PQ is cue2ddp's");
	ours = slurp(at(dir, "PQDESCR"), &len);
	if (ok(ours && len == sizeof(pq), "B: PQDESCR has five packets")) {
		is_mem(ours + 128 + 20, "USABC1234567", 12,
		       "B: our 01/01 carries the ISRC too");
		memset(ours + 128 + 20, ' ', 12);
		is_mem(ours, pq, sizeof(pq),
		       "B: PQ is cue2ddp's but for that ISRC");
	}
	free(ours);

	ms_rec(ms, "S0", "     320", "PQ DESCR", "", "", "SD");
	ms_rec(ms + 128, "D0", "     900", "", "DA71     150", "", "IMAGE.DAT");
	is_str(md5_hex(ms, sizeof(ms)), "4ddcd3c75e054c6685453524a0973a1a",
	       "B: the reference DDPMS is cue2ddp's");
	ours = slurp(at(dir, "DDPMS"), &len);
	if (ok(ours && len == sizeof(ms), "B: DDPMS has two packets")) {
		memcpy(ours + 74, "SD               ", 17);
		ours[128 + 41] = '1';
		is_mem(ours, ms, sizeof(ms),
		       "B: DDPMS is cue2ddp's but for the PQ name and SCR");
	}
	free(ours);
}

/*
 * Vector C (exp/006, exp/010): flags.  SCMS is cue2ddp's byte for byte.
 * PRE DCP 4CH: we refuse four-channel (doc/internals/redbook.md §2), so
 * we write PRE DCP ("31") and compare with cue2ddp's "B1" file after
 * setting the 4CH bit back.
 */
static void golden_c(void)
{
	struct pm_disc d;
	struct pm_err err = { 0 };
	uint8_t pq[5 * 64];
	uint8_t *ours;
	size_t len;
	const char *dir;
	char wav[512];

	memset(&d, 0, sizeof(d));
	add(&d, 0, 150)->control =
		PM_CTL_PREEMPHASIS | PM_CTL_COPY | PM_CTL_FOUR_CHANNEL;
	d.leadout_frames = 900;
	snprintf(wav, sizeof(wav), "%s/c.wav", scratch);
	make_wav(wav, 900, 3);
	ok(write_ddp(&d, wav, at(scratch, "c4"), NULL, &err) < 0 &&
		   err.code == PM_EFORMAT,
	   "C: PRE DCP 4CH is refused");
	ok(logcap_expect("track 1: is marked four-channel (control bit 3)"),
	   "C: because of the four-channel bit");
	ok(access(at(scratch, "c4"), F_OK) < 0, "C: and nothing is created");

	d.track[0].control = PM_CTL_PREEMPHASIS | PM_CTL_COPY;
	dir = fresh("c", &d, NULL);
	pq_rec(pq, "VVVS0000  00000001", "", "");
	pq_rec(pq + 64, "VVVS0100  000000B1", "", "");
	pq_rec(pq + 128, "VVVS0101  000200B1", "", "");
	pq_rec(pq + 192, "VVVSAA01  00120001", "", "");
	pq_rec(pq + 256, "VVVSAA01  00120001", "", "");
	is_str(md5_hex(pq, sizeof(pq)), "0bacbdc29c1bab7098ebe2e0bd210128",
	       "C: the reference PQ is cue2ddp's PRE DCP 4CH");
	ours = slurp(at(dir, "PQDESCR"), &len);
	if (ok(ours && len == sizeof(pq), "C: five packets")) {
		ok(memcmp(ours + 64 + 16, "31", 2) == 0 &&
			   memcmp(ours + 128 + 16, "31", 2) == 0,
		   "C: PRE DCP is CB1 31 on 01/00 and 01/01");
		ok(memcmp(ours + 16, "01", 2) == 0 &&
			   memcmp(ours + 192 + 16, "01", 2) == 0,
		   "C: lead-in and lead-out stay 01");
		ours[64 + 16] = ours[128 + 16] = 'B';
		is_mem(ours, pq, sizeof(pq), "C: cue2ddp's bytes but for 4CH");
	}
	free(ours);

	d.track[0].control = 0;
	d.track[0].scms = true;
	dir = fresh("c-scms", &d, NULL);
	pq_rec(pq + 64, "VVVS0100  0000000S", "", "");
	pq_rec(pq + 128, "VVVS0101  0002000S", "", "");
	is_str(md5_hex(pq, sizeof(pq)), "acea67698513e018c099c4a349d97d2c",
	       "C: the reference PQ is cue2ddp's SCMS");
	same_file(at(dir, "PQDESCR"), pq, sizeof(pq), "C: SCMS is 0S");

	d.track[0].control = PM_CTL_COPY;
	ok(write_ddp(&d, wav, at(scratch, "c-dcp-scms"), NULL, &err) < 0 &&
		   logcap_expect("track 1: has both COPY (digital copy permitted) and SCMS"),
	   "C: DCP with SCMS is refused (cue2ddp refuses it too)");
}

/* More real cue2ddp files, compared through the MD5/CRC-32 cue2ddp
 * wrote for them: the PQ of a track pause (exp/003), a 3-second track-1
 * pregap with PRE2 225 (exp/009), a 48-character master ID (exp/007). */
static void golden_more(void)
{
	struct pm_ddp_write_options o = { .want_crc32 = true };
	struct pm_disc d;
	uint8_t *ours;
	size_t len;
	const char *dir;
	char *txt;

	memset(&d, 0, sizeof(d));
	add(&d, 0, 150);
	add(&d, 750, 900);
	d.leadout_frames = 1650;
	dir = fresh("e3", &d, &o);
	is_str(file_md5(at(dir, "PQDESCR")), "b48acb2e5a9748fce02ec99a161bb687",
	       "exp/003: the PQ with a track-2 pause is cue2ddp's SD");
	txt = (char *)slurp(at(dir, "CHECKSUM.TXT"), &len);
	ok(txt &&
		   strstr(txt, "[CRC32 Checksum]\nDDPID=730DC92D\nDDPMS=") ==
			   txt &&
		   strstr(txt, "\nPQDESCR=BC6CA96C\nIMAGE.DAT="),
	   "exp/003: CHECKSUM.TXT has cue2ddp's CRC-32s for DDPID and the PQ");
	free(txt);

	memset(&d, 0, sizeof(d));
	add(&d, 0, 225);
	d.leadout_frames = 750;
	dir = fresh("e9", &d, NULL);
	is_str(file_md5(at(dir, "PQDESCR")), "87cb4e54c49bf4f79a8216aec39da777",
	       "exp/009: the PQ with a 3-second pregap is cue2ddp's SD");
	ours = slurp(at(dir, "DDPMS"), &len);
	if (ok(ours && len == 256, "exp/009: DDPMS")) {
		is_mem(ours + 128 + 46, " 225", 4, "exp/009: PRE2 is 225");
		memcpy(ours + 74, "SD               ", 17);
		ours[128 + 41] = '1';
		is_str(md5_hex(ours, len), "33271a39835f8d735b7e02f8a9d8823f",
		       "exp/009: DDPMS is cue2ddp's but for PQ name and SCR");
	}
	free(ours);

	o.master_id = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijkl";
	dir = fresh("e7", &d, &o);
	is_str(file_md5(at(dir, "DDPID")), "6c197ff2f20c4631faaf09aa8a18c9d3",
	       "exp/007: DDPID with a 48-character master ID is cue2ddp's");
}

/* ------------------------------------------------------------------ */
/* Writer refusals */

static void refusals(void)
{
	struct pm_ddp_write_options o = { 0 };
	struct pm_disc d;
	struct pm_err err = { 0 };
	char wav[512];
	uint8_t bad[198];
	const char *out = at(scratch, "refused");

	rich_disc(&d);
	snprintf(wav, sizeof(wav), "%s/refusals.wav", scratch);
	make_wav(wav, d.leadout_frames, 1);

	o.master_id = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklm";
	ok(write_ddp(&d, wav, out, &o, &err) < 0 && err.code == PM_EINVAL &&
		   strstr(err.msg, "is 49 characters; DDP allows at most 48"),
	   "a 49-character master ID is refused: %s", err.msg);
	o.master_id = "Caf\xc3\xa9";
	ok(write_ddp(&d, wav, out, &o, &err) < 0 &&
		   strstr(err.msg, "character 4 is not printable ASCII"),
	   "a non-ASCII master ID is refused: %s", err.msg);
	o.master_id = NULL;

	d.track[1].control = PM_CTL_DATA;
	ok(write_ddp(&d, wav, out, NULL, &err) < 0 && err.code == PM_EFORMAT &&
		   logcap_expect("track 2: is marked as a data track (control bit 2)"),
	   "a data track is refused: %s", err.msg);
	rich_disc(&d);
	d.track[2].control = PM_CTL_COPY; /* track 3 has SCMS */
	ok(write_ddp(&d, wav, out, NULL, &err) < 0 &&
		   logcap_expect("track 3: has both COPY (digital copy permitted) and SCMS"),
	   "COPY with SCMS is refused");
	rich_disc(&d);
	memcpy(d.upc, "0036000291453", 14);
	ok(write_ddp(&d, wav, out, NULL, &err) < 0 &&
		   logcap_expect("invalid UPC/EAN '0036000291453': the check digit is wrong"),
	   "a bad EAN check digit is refused");
	rich_disc(&d);
	d.track[0].index[0] = 149;
	ok(write_ddp(&d, wav, out, NULL, &err) < 0 &&
		   logcap_expect("track 1: index 01 is at 00:01:74, before 00:02:00"),
	   "a pregap under 2 s is refused");
	rich_disc(&d);
	d.track[0].index[0] = 10000;
	d.track[0].index[1] = 10100;
	for (unsigned n = 1; n < d.ntracks; n++) {
		d.track[n].pause_frames += 10000;
		for (unsigned k = 0; k < d.track[n].nindex; k++)
			d.track[n].index[k] += 10000;
	}
	d.leadout_frames += 10000;
	ok(write_ddp(&d, "/nonexistent.wav", out, NULL, &err) < 0 &&
		   err.code == PM_EUNSUPPORTED &&
		   strstr(err.msg, "does not fit DDPMS PRE2"),
	   "a track-1 pregap over 9999 frames is refused: %s", err.msg);

	rich_disc(&d);
	memcpy(bad, cdtext_a, sizeof(bad));
	bad[18 + 16] ^= 0xFF;
	o.cdtext = bad;
	o.cdtext_bytes = sizeof(bad);
	ok(write_ddp(&d, wav, out, &o, &err) < 0 && err.code == PM_EFORMAT &&
		   strstr(err.msg, "the CD-TEXT has"),
	   "malformed CD-TEXT is refused: %s", err.msg);
	o.cdtext_bytes = 100;
	ok(write_ddp(&d, wav, out, &o, &err) < 0 &&
		   strstr(err.msg, "not a whole number of 18-byte packs"),
	   "CD-TEXT of 100 bytes is refused");

	snprintf(wav, sizeof(wav), "%s/quad.wav", scratch);
	make_wav_spec(wav, d.leadout_frames, 1, 4, 44100, 16);
	ok(write_ddp(&d, wav, out, NULL, &err) < 0 && err.code == PM_EFORMAT &&
		   strstr(err.msg, "has 4 channels"),
	   "a four-channel WAV is refused: %s", err.msg);
	snprintf(wav, sizeof(wav), "%s/24.wav", scratch);
	make_wav_spec(wav, d.leadout_frames, 1, 2, 44100, 24);
	ok(write_ddp(&d, wav, out, NULL, &err) < 0 &&
		   strstr(err.msg, "is not 16-bit integer PCM"),
	   "a 24-bit WAV is refused: %s", err.msg);
	snprintf(wav, sizeof(wav), "%s/48k.wav", scratch);
	make_wav_spec(wav, d.leadout_frames, 1, 2, 48000, 16);
	ok(write_ddp(&d, wav, out, NULL, &err) < 0 &&
		   strstr(err.msg, "is sampled at 48000 Hz"),
	   "a 48 kHz WAV is refused: %s", err.msg);
	snprintf(wav, sizeof(wav), "%s/long.wav", scratch);
	make_wav(wav, d.leadout_frames + 1, 1);
	ok(write_ddp(&d, wav, out, NULL, &err) < 0 &&
		   strstr(err.msg,
			  "holds 1176588 samples (00:26:51); the disc's "
			  "lead-out at 00:26:50 needs exactly 1176000"),
	   "a WAV longer than the disc is refused: %s", err.msg);
	ok(access(out, F_OK) < 0, "no refusal created anything");
}

/* ------------------------------------------------------------------ */
/* Round trip, determinism, md5sum */

static void round_trip(void)
{
	uint8_t text[40 * 18];
	struct pm_ddp_write_options o = { .master_id = "PM-TEST 0001",
					  .want_crc32 = true,
					  .cdtext = text };
	struct pm_ddp_written w;
	struct pm_disc d;
	struct pm_ddp *ddp;
	struct pm_err err = { 0 };
	char wav[512], cmd[1024];
	const char *names[] = { "DDPID",       "DDPMS",     "CDTEXT.BIN",
				"PQDESCR",     "IMAGE.DAT", "CHECKSUM.MD5",
				"CHECKSUM.TXT" };
	char *sums;
	size_t len;

	rich_disc(&d);
	o.cdtext_bytes = titles(d.ntracks, text);
	snprintf(wav, sizeof(wav), "%s/rich.wav", scratch);
	make_wav(wav, d.leadout_frames, 11);
	logcap_clear();
	if (!ok(pm_ddp_write(&d, wav, at(scratch, "rt"), &o, &w, &err) == 0,
		"write the five-track disc"))
		tap_diag("%s", err.msg);
	is_int(logcap_count(PM_LOG_ERROR) + logcap_count(PM_LOG_WARNING), 0, "nothing logged");
	is_str(w.image_md5, file_md5(at(scratch, "rt/ddp/IMAGE.DAT")),
	       "the reported IMAGE.DAT MD5 is the file's");
	is_int(w.image_bytes, 2000 * 2352, "IMAGE.DAT is 2000 sectors");
	is_int(w.npq_packets, 1 + 3 + 2 + 3 + 2 + 1 + 2, "14 PQ packets");

	snprintf(cmd, sizeof(cmd),
		 "cd '%s/rt/ddp' && md5sum -c --quiet "
		 "--strict CHECKSUM.MD5 >/dev/null 2>&1",
		 scratch);
	is_int(system(cmd), 0, "md5sum -c CHECKSUM.MD5 passes in the image");
	sums = (char *)slurp(at(scratch, "rt/ddp/CHECKSUM.MD5"), &len);
	ok(sums && len == 211 && strstr(sums, " *DDPID\n") &&
		   strstr(sums, " *DDPMS\n") &&
		   strstr(sums, " *CDTEXT.BIN\n") &&
		   strstr(sums, " *PQDESCR\n") &&
		   strstr(sums, " *IMAGE.DAT\n") &&
		   strstr(sums, " *DDPID\n") < strstr(sums, " *DDPMS\n") &&
		   strstr(sums, " *DDPMS\n") < strstr(sums, " *CDTEXT.BIN\n") &&
		   strstr(sums, " *CDTEXT.BIN\n") <
			   strstr(sums, " *PQDESCR\n") &&
		   strstr(sums, " *PQDESCR\n") <
			   strstr(sums, " *IMAGE.DAT\n") &&
		   !strstr(sums, "CHECKSUM"),
	   "CHECKSUM.MD5 lists DDPID DDPMS CDTEXT.BIN PQDESCR IMAGE.DAT");
	free(sums);

	/* the same inputs give the same bytes */
	logcap_clear();
	ok(pm_ddp_write(&d, wav, at(scratch, "rt2"), &o, NULL, &err) == 0,
	   "write it again elsewhere");
	for (size_t i = 0; i < PM_ARRAY_SIZE(names); i++) {
		char a[PM_MD5_HEX_BYTES];

		snprintf(a, sizeof(a), "%s",
			 file_md5(at(at(scratch, "rt/ddp"), names[i])));
		is_str(file_md5(at(at(scratch, "rt2/ddp"), names[i])), a,
		       "deterministic: %s is the same", names[i]);
	}

	logcap_clear();
	ddp = pm_ddp_read(at(scratch, "rt/ddp"), NULL, &err);
	if (!ok(ddp != NULL, "read it back")) {
		tap_diag("%s", err.msg);
		return;
	}
	is_int(ddp->nerrors + ddp->nwarnings, 0, "no problems");
	is_int(logcap_count(PM_LOG_ERROR) + logcap_count(PM_LOG_WARNING), 0, "nothing logged");
	ok(same_disc(&ddp->disc, &d), "the disc read equals the disc written");
	is_str(ddp->id.master_id, "PM-TEST 0001", "master ID");
	is_str(ddp->id.upc, "0036000291452", "DDPID UPC");
	is_str(ddp->id.level, "DDP 2.00", "DDP level");
	ok(ddp->cdtext_bytes == o.cdtext_bytes &&
		   memcmp(ddp->cdtext, text, o.cdtext_bytes) == 0,
	   "CD-TEXT read equals CD-TEXT written");
	is_int(ddp->nmaps, 3, "three map packets");
	is_int(ddp->maps[2].pre2, 150, "PRE2 150");
	is_int(ddp->maps[2].ssm, 7, "SSM 7");
	is_int(ddp->maps[2].scr, 0, "SCR 0");
	is_str(ddp->maps[0].trk, "00", "CDTEXT TRK 00");
	is_int(ddp->image_frames, 2000, "image frames");
	is_int(ddp->npq, 14, "14 PQ packets");
	ok(ddp->has_md5 && ddp->has_crc32, "both checksum files checked");
	pm_ddp_free(ddp);
}

/* ------------------------------------------------------------------ */
/* Extraction */

/* The samples of a WAV, and their number. */
static int16_t *wav_samples(const char *path, int64_t *n)
{
	struct pm_audio_info info;
	struct pm_err err = { 0 };
	struct pm_audio_reader *r = pm_audio_open(path, &info, &err);
	int16_t *buf;

	*n = 0;
	if (!r)
		return NULL;
	buf = malloc((size_t)info.length_samples * 2 * sizeof(int16_t) + 4);
	if (buf && info.channels == 2 && info.bits == 16 &&
	    pm_audio_read_s16(r, buf, info.length_samples, &err) ==
		    info.length_samples)
		*n = info.length_samples;
	pm_audio_close(r);
	return buf;
}

static void extraction(void)
{
	static const char *const pname[] = { "append", "prepend", "split",
					     "none" };
	struct pm_ddp *ddp;
	struct pm_err err = { 0 };
	struct pm_span spans[2 * 99];
	int16_t *source;
	int64_t source_len;
	char wav[512];

	/* the image of round_trip() */
	snprintf(wav, sizeof(wav), "%s/rich.wav", scratch);
	source = wav_samples(wav, &source_len);
	ddp = pm_ddp_read(at(scratch, "rt/ddp"), NULL, &err);
	if (!ok(ddp && source && source_len == 2000 * 588,
		"the DDP and its source for extraction"))
		goto out;

	for (int p = PM_GAPS_APPEND; p <= PM_GAPS_NONE; p++) {
		char dir[512];
		size_t n =
			pm_disc_spans(&ddp->disc, (enum pm_gap_policy)p, spans);
		int64_t joined = 0;
		int bad = 0;

		snprintf(dir, sizeof(dir), "%s/x-%s", scratch, pname[p]);
		logcap_clear();
		if (!ok(pm_ddp_extract(ddp, (enum pm_gap_policy)p, dir, false,
				       &err) == 0,
			"%s: extract", pname[p]))
			tap_diag("%s", err.msg);
		for (size_t i = 0; i < n; i++) {
			char name[32];
			int16_t *s;
			int64_t len, want;

			if (spans[i].track)
				snprintf(name, sizeof(name), "%02u.wav",
					 spans[i].track);
			else
				snprintf(name, sizeof(name), "%02u-pause.wav",
					 spans[i].pause_of);
			s = wav_samples(at(dir, name), &len);
			want = pm_frame_samples(spans[i].end_frames -
						spans[i].start_frames);
			if (!s || len != want ||
			    memcmp(s,
				   source + pm_frame_samples(
						    spans[i].start_frames) *
						    2,
				   (size_t)len * 4) != 0) {
				tap_diag(
					"%s: %s differs (%lld of %lld samples)",
					pname[p], name, (long long)len,
					(long long)want);
				bad++;
			}
			if (p == PM_GAPS_APPEND && s && len == want &&
			    memcmp(s, source + joined * 2, (size_t)len * 4) ==
				    0)
				joined += len;
			free(s);
		}
		is_int(bad, 0,
		       "%s: %zu files bit-identical to the image's "
		       "slices",
		       pname[p], n);
		if (p == PM_GAPS_APPEND)
			is_int(joined, source_len,
			       "append: the tracks joined are the image");
		if (p == PM_GAPS_SPLIT)
			ok(access(at(dir, "01-pause.wav"), F_OK) == 0 &&
				   access(at(dir, "02-pause.wav"), F_OK) == 0 &&
				   access(at(dir, "03-pause.wav"), F_OK) < 0 &&
				   access(at(dir, "04-pause.wav"), F_OK) == 0,
			   "split: pause files for tracks 1, 2 and 4 only");
		ok(access(at(dir, "PQ.TXT"), F_OK) == 0, "%s: PQ.TXT written",
		   pname[p]);
	}
	ok(pm_ddp_extract(ddp, PM_GAPS_APPEND, at(scratch, "x-append"), false,
			  &err) < 0 &&
		   err.code == PM_ECREATE,
	   "extracting over an existing directory needs force");
	ok(pm_ddp_extract(ddp, PM_GAPS_APPEND, at(scratch, "x-append"), true,
			  &err) == 0,
	   "and works with it");
out:
	pm_ddp_free(ddp);
	free(source);
}

static void listing(void)
{
	static const char want[] = "TRACK\tINDEX\tTIME\tISRC\tCONTROL\tFLAGS\n"
				   "UPC\t0123456789012\n"
				   "00\t00\t00:00:00\t-\t01\t-\n"
				   "01\t00\t00:00:00\tUSABC1234567\t01\t-\n"
				   "01\t01\t00:02:00\tUSABC1234567\t01\t-\n"
				   "AA\t01\t00:12:00\t-\t01\t-\n";
	static const char want_rich[] =
		"02\t00\t00:07:00\tUSABC2600002\t21\tcopy\n"
		"02\t01\t00:08:00\tUSABC2600002\t21\tcopy\n"
		"03\t01\t00:12:00\tGBXYZ2600003\t0S\tscms\n"
		"03\t02\t00:13:25\t-\t0S\tscms\n";
	struct pm_ddp *ddp;
	struct pm_err err = { 0 };
	char *text;
	size_t len;

	ddp = pm_ddp_read(at(scratch, "b/ddp"), NULL, &err);
	if (ok(ddp != NULL, "read vector B") &&
	    ok(pm_ddp_extract(ddp, PM_GAPS_SPLIT, at(scratch, "x-b"), false,
			      &err) == 0,
	       "extract B")) {
		text = (char *)slurp(at(scratch, "x-b/PQ.TXT"), &len);
		is_str(text, want, "PQ.TXT of vector B");
		free(text);
	}
	pm_ddp_free(ddp);
	text = (char *)slurp(at(scratch, "x-split/PQ.TXT"), &len);
	ok(text && strstr(text, want_rich) &&
		   strstr(text,
			  "\n04\t00\t00:16:50\t-\t31\tpre-emphasis,copy\n"),
	   "PQ.TXT of the rich disc: ISRCs, CB1 codes, flags in words");
	free(text);
}

/* ------------------------------------------------------------------ */
/* Broken images and accepted variants */

/* A copy of the round-trip image, without its checksum files unless
 * `keep_sums`, so that each case has one cause. */
static const char *mutant(const char *name, bool keep_sums)
{
	static char dir[512];

	snprintf(dir, sizeof(dir), "%s/m-%s", scratch, name);
	copy_dir(at(scratch, "rt/ddp"), dir);
	if (!keep_sums) {
		unlink(at(dir, "CHECKSUM.MD5"));
		unlink(at(dir, "CHECKSUM.TXT"));
	}
	return dir;
}

/* Byte offset of the PQ packet "TTII" (e.g. "0201"), or -1. */
static long pq_packet(const char *dir, const char *ttii)
{
	size_t len;
	uint8_t *buf = slurp(at(dir, "PQDESCR"), &len);
	long off = -1;

	for (size_t k = 0; buf && k + 64 <= len; k += 64)
		if (memcmp(buf + k + 4, ttii, 4) == 0) {
			off = (long)k;
			break;
		}
	free(buf);
	return off;
}

static void pq_time(const char *dir, const char *ttii, const char *mmssff)
{
	long off = pq_packet(dir, ttii);

	if (off < 0)
		tap_diag("no packet %s", ttii);
	else
		patch(at(dir, "PQDESCR"), off + 10, mmssff, 6);
}

/* Read `dir` expecting refusal with `msg` logged. */
static void refused(const char *dir, const char *msg, const char *what)
{
	struct pm_err err = { 0 };
	struct pm_ddp *ddp;

	logcap_clear();
	ddp = pm_ddp_read(dir, NULL, &err);
	ok(ddp == NULL && err.code == PM_EFORMAT && logcap_count(PM_LOG_ERROR) > 0 && logcap_expect(msg),
	   "refused: %s", what);
	pm_ddp_free(ddp);
}

/* Read `dir` expecting acceptance, the round-trip disc, and `nwarn`. */
static struct pm_ddp *accepted(const char *dir, unsigned nwarn,
			       const char *what)
{
	struct pm_err err = { 0 };
	struct pm_disc d;
	struct pm_ddp *ddp;

	rich_disc(&d);
	logcap_clear();
	ddp = pm_ddp_read(dir, NULL, &err);
	if (!ok(ddp && ddp->nerrors == 0 && ddp->nwarnings == nwarn &&
			same_disc(&ddp->disc, &d),
		"accepted: %s", what)) {
		tap_diag("%s", err.msg);
		logcap_dump();
	}
	return ddp;
}

static void broken(void)
{
	const char *dir;
	char dsl[9];

	dir = mutant("short-image", false);
	if (truncate(at(dir, "IMAGE.DAT"), 2000 * 2352 - 1000) < 0)
		tap_diag("truncate: %s", strerror(errno));
	refused(dir,
		"IMAGE.DAT: 4703000 bytes, but DDPMS says 2000 sectors "
		"(4704000 bytes)",
		"truncated IMAGE.DAT");

	dir = mutant("cdtext-crc", false);
	patch(at(dir, "CDTEXT.BIN"), 2 * 18 + 17, "\x55", 1);
	refused(dir, "CDTEXT.BIN: pack 2: CRC", "a flipped CD-TEXT CRC byte");
	ok(!logcap_has("CD-TEXT error"),
	   "the summary in the problem list is not logged twice");

	dir = mutant("ean", false);
	patch(at(dir, "DDPID"), 8 + 12, "3", 1);
	patch(at(dir, "PQDESCR"), 32 + 12, "3", 1);
	refused(dir,
		"UPC/EAN '0036000291453': the check digit is wrong (it "
		"should end in 2)",
		"a wrong EAN check digit");

	dir = mutant("299", false);
	pq_time(dir, "0200", "000565");
	pq_time(dir, "0201", "000574");
	refused(dir, "PQDESCR: track 1: is 00:03:74 long (299 frames)",
		"a 299-sector track");

	dir = mutant("pregap", false);
	pq_time(dir, "0101", "000174");
	refused(dir,
		"PQDESCR: track 1: index 01 is at 00:01:74, before "
		"00:02:00",
		"track 1 index 01 at 00:01:74");

	dir = mutant("order", false);
	{
		long a = pq_packet(dir, "0200"), b = pq_packet(dir, "0201");
		size_t len;
		uint8_t *buf = slurp(at(dir, "PQDESCR"), &len);

		if (buf && a >= 0 && b >= 0) {
			uint8_t tmp[64];

			memcpy(tmp, buf + a, 64);
			memcpy(buf + a, buf + b, 64);
			memcpy(buf + b, tmp, 64);
			spew(at(dir, "PQDESCR"), buf, len);
		}
		free(buf);
	}
	refused(dir,
		"packet 6 (02/00 at 00:07:00) comes before packet 5 "
		"(02/01 at 00:08:00): the PQ is out of order",
		"PQ out of order");

	dir = mutant("ddpms-size", false);
	{
		size_t len;
		uint8_t *buf = slurp(at(dir, "DDPMS"), &len);
		uint8_t *more = realloc(buf, len + 10);

		if (more) {
			memset(more + len, ' ', 10);
			spew(at(dir, "DDPMS"), more, len + 10);
		}
		free(more ? more : buf);
	}
	refused(dir, "DDPMS: 394 bytes, not a multiple of 128",
		"DDPMS not a multiple of 128");

	dir = mutant("no-dsi", false);
	unlink(at(dir, "CDTEXT.BIN"));
	refused(dir, "DDPMS: packet 1 names 'CDTEXT.BIN', which is missing",
		"a missing DSI file");

	dir = mutant("msf", false);
	pq_time(dir, "0101", "006000");
	refused(dir, "packet 3 (01/01): time '006000' is not a valid MMSSFF",
		"seconds 60 in a PQ time");

	dir = mutant("leadout", false);
	patch(at(dir, "PQDESCR"), 12 * 64 + 10, "002649", 6);
	patch(at(dir, "PQDESCR"), 13 * 64 + 10, "002649", 6);
	refused(dir,
		"the lead-out at 00:26:49 is not at the end of the "
		"audio, 00:26:50",
		"a lead-out before the end of the audio");

	dir = mutant("md5", true);
	patch(at(dir, "IMAGE.DAT"), 1000000, "\x01\x02", 2);
	refused(dir, "CHECKSUM.MD5: 'IMAGE.DAT' does not match",
		"IMAGE.DAT changed after its MD5 was listed");
	ok(logcap_expect("CHECKSUM.TXT: 'IMAGE.DAT' does not match: its CRC-32"),
	   "and the CRC-32 list says so too");

	dir = mutant("md5-unlisted", true);
	{
		size_t len;
		char *text = (char *)slurp(at(dir, "CHECKSUM.MD5"), &len);
		char *line = text ? strstr(text, " *PQDESCR\n") : NULL;

		if (line) {
			line -= 32;
			memmove(line, line + 43, strlen(line + 43) + 1);
			spew(at(dir, "CHECKSUM.MD5"), text, strlen(text));
		}
		free(text);
	}
	refused(dir, "CHECKSUM.MD5: does not list 'PQDESCR'",
		"a DDPMS file missing from CHECKSUM.MD5");

	dir = mutant("dsi-escape", false);
	patch(at(dir, "DDPMS"), 128 + 74, "../PQDESCR       ", 17);
	refused(dir,
		"packet 2: DSI '../PQDESCR       ' is not a plain file "
		"name",
		"a DSI that leaves the directory");

	(void)dsl;
}

static void variants(void)
{
	struct pm_ddp *ddp;
	const char *dir;
	size_t len;
	uint8_t *buf;

	/* Sonoris/HOFA: numbers padded with zeros, DSI size 017, HRS 00 */
	dir = mutant("zeros", false);
	patch(at(dir, "DDPMS"), 14, "00000126", 8);
	patch(at(dir, "DDPMS"), 22, "00000000", 8);
	patch(at(dir, "DDPMS"), 71, "017", 3);
	patch(at(dir, "DDPMS"), 128 + 14, "00000896", 8);
	patch(at(dir, "DDPMS"), 128 + 71, "017", 3);
	patch(at(dir, "DDPMS"), 256 + 14, "00002000", 8);
	patch(at(dir, "DDPMS"), 256 + 22, "00000000", 8);
	patch(at(dir, "DDPMS"), 256 + 46, "0150", 4);
	patch(at(dir, "DDPMS"), 256 + 71, "017", 3);
	for (long k = 0; k < 14; k++)
		patch(at(dir, "PQDESCR"), k * 64 + 8, "00", 2);
	pm_ddp_free(accepted(dir, 0, "zero-padded numbers, HRS 00"));

	/* distillery: one lead-out, SSM 0 */
	dir = mutant("one-leadout", false);
	buf = slurp(at(dir, "PQDESCR"), &len);
	if (buf)
		spew(at(dir, "PQDESCR"), buf, len - 64);
	free(buf);
	patch(at(dir, "DDPMS"), 128 + 14, "     832", 8);
	patch(at(dir, "DDPMS"), 256 + 40, "0", 1);
	ddp = accepted(dir, 0, "one lead-out, SSM 0");
	if (ddp)
		is_int(ddp->npq, 13, "thirteen packets");
	pm_ddp_free(ddp);

	/* HOFA: a 12-digit UPC-A in DDPID, CDTEXT TRK blank, UPC everywhere */
	dir = mutant("upc-a", false);
	patch(at(dir, "DDPID"), 8, "036000291452 ", 13);
	patch(at(dir, "DDPMS"), 55, "  ", 2);
	for (long k = 1; k < 14; k++)
		patch(at(dir, "PQDESCR"), k * 64 + 32, "0036000291452", 13);
	ddp = accepted(dir, 0, "UPC-A, CDTEXT TRK blank, UPC on every packet");
	if (ddp) {
		is_str(ddp->id.upc, "0036000291452", "UPC-A read as EAN-13");
		is_str(ddp->id.upc_field, "036000291452",
		       "as found: 12 digits");
	}
	pm_ddp_free(ddp);

	/* cue2ddp: SCR 1, ISRC on the first packet only */
	dir = mutant("cue2ddp", false);
	patch(at(dir, "DDPMS"), 256 + 41, "1", 1);
	patch(at(dir, "PQDESCR"), pq_packet(dir, "0101") + 20, "            ",
	      12);
	patch(at(dir, "PQDESCR"), pq_packet(dir, "0201") + 20, "            ",
	      12);
	pm_ddp_free(accepted(dir, 0, "SCR 1, ISRC on the first packet only"));

	/* user text: length at 93, text at 95 (ddpinfo, ddplib >= 2020) */
	dir = mutant("text-93", false);
	patch(at(dir, "DDPID"), 93, "11Hello world", 13);
	ddp = accepted(dir, 0, "user text at 93/95");
	if (ddp)
		ok(strcmp(ddp->id.user_text, "Hello world") == 0 &&
			   ddp->id.user_text_offset == 95,
		   "user text read at 95");
	pm_ddp_free(ddp);
	/* ... and at 94, text at 96 (Sonoris, HOFA) */
	dir = mutant("text-94", false);
	patch(at(dir, "DDPID"), 93, " 11Hello world", 14);
	ddp = accepted(dir, 0, "user text at 94/96");
	if (ddp)
		ok(strcmp(ddp->id.user_text, "Hello world") == 0 &&
			   ddp->id.user_text_offset == 96,
		   "user text read at 96");
	pm_ddp_free(ddp);

	/* Sonoris: a trailing 0x00 after the packs */
	dir = mutant("cdtext-nul", false);
	buf = slurp(at(dir, "CDTEXT.BIN"), &len);
	if (buf) {
		uint8_t *more = realloc(buf, len + 1);

		if (more) {
			buf = more;
			buf[len] = 0;
			spew(at(dir, "CDTEXT.BIN"), buf, len + 1);
		}
	}
	free(buf);
	patch(at(dir, "DDPMS"), 14, "     127", 8);
	ddp = accepted(dir, 1, "a trailing 0x00 in CDTEXT.BIN (one warning)");
	ok(logcap_expect("CDTEXT.BIN: one trailing 0x00 byte after the packs"),
	   "the trailing byte is a warning");
	if (ddp)
		is_int(ddp->cdtext_bytes, 126, "the packs without it");
	pm_ddp_free(ddp);

	/* [gist]: a zero-length index 00 is tolerated with a warning */
	dir = mutant("zero-pause", false);
	pq_time(dir, "0200", "000800");
	logcap_clear();
	ddp = pm_ddp_read(dir, NULL, NULL);
	ok(ddp && ddp->nerrors == 0 && ddp->nwarnings == 1 && logcap_count(PM_LOG_WARNING) == 1 &&
		   ddp->disc.track[1].has_pause &&
		   ddp->disc.track[1].pause_frames == 600 &&
		   logcap_expect("track 2: index 00 and index 01 are both at 00:08:00"),
	   "accepted: a zero-length index 00, warned by pm_disc_check");
	pm_ddp_free(ddp);

	/* cue2ddp's B1: the four-channel bit is a warning when reading */
	dir = mutant("4ch", false);
	patch(at(dir, "PQDESCR"), pq_packet(dir, "0100") + 16, "9", 1);
	patch(at(dir, "PQDESCR"), pq_packet(dir, "0101") + 16, "9", 1);
	patch(at(dir, "PQDESCR"), pq_packet(dir, "0102") + 16, "9", 1);
	logcap_clear();
	ddp = pm_ddp_read(dir, NULL, NULL);
	ok(ddp && ddp->nerrors == 0 && ddp->nwarnings == 1 &&
		   ddp->disc.track[0].control == 9 &&
		   logcap_expect("track 1: the control sets the four-channel bit"),
	   "accepted: CB1 91, four-channel is a warning");
	pm_ddp_free(ddp);
}

/* keep_broken returns the problems; skip_checksums skips the hashing */
static void options(void)
{
	struct pm_ddp_read_options o = { .keep_broken = true };
	struct pm_err err = { 0 };
	struct pm_ddp *ddp;
	bool found = false;

	logcap_clear();
	ddp = pm_ddp_read(at(scratch, "m-299"), &o, &err);
	if (ok(ddp && ddp->nerrors == 1 && ddp->nproblems == 1,
	       "keep_broken: the broken DDP with its one problem")) {
		found = strstr(ddp->problems[0].msg,
			       "m-299/PQDESCR: 1 Red "
			       "Book error (logged above)") != NULL;
		ok(found, "listed: %s", ddp->problems[0].msg);
		ok(pm_ddp_extract(ddp, PM_GAPS_APPEND, at(scratch, "x-broken"),
				  false, &err) < 0 &&
			   err.code == PM_EINVAL,
		   "a broken DDP is not extracted");
	}
	pm_ddp_free(ddp);

	o.keep_broken = false;
	o.skip_checksums = true;
	ddp = pm_ddp_read(at(scratch, "m-md5"), &o, &err);
	ok(ddp != NULL, "skip_checksums: a changed IMAGE.DAT goes unnoticed");
	pm_ddp_free(ddp);

	ddp = pm_ddp_read(at(scratch, "nonexistent"), NULL, &err);
	ok(!ddp && err.code == PM_ENOINPUT, "a missing directory: %s", err.msg);
	mkdir(at(scratch, "empty"), 0777);
	ddp = pm_ddp_read(at(scratch, "empty"), NULL, &err);
	ok(!ddp && err.code == PM_ENOINPUT && strstr(err.msg, "/DDPID"),
	   "no DDPID: %s", err.msg);
}

/* ------------------------------------------------------------------ */
/* Atomic replacement */

static bool old_intact(const char *out, const char *image_md5)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "cd '%s/ddp' && md5sum -c --quiet --strict "
		 "CHECKSUM.MD5 >/dev/null 2>&1",
		 out);
	return system(cmd) == 0 &&
	       strcmp(file_md5(at(out, "ddp/IMAGE.DAT")), image_md5) == 0 &&
	       !has_tmp(out);
}

static void atomicity(void)
{
	struct pm_ddp_write_options o = { .force = true };
	struct pm_disc d, other;
	struct pm_err err = { 0 };
	struct rlimit old, small;
	char out[512], wav[512], old_md5[PM_MD5_HEX_BYTES];

	rich_disc(&d);
	snprintf(out, sizeof(out), "%s/atomic", scratch);
	snprintf(wav, sizeof(wav), "%s/atomic.wav", scratch);
	make_wav(wav, d.leadout_frames, 5);
	ok(write_ddp(&d, wav, out, NULL, &err) == 0, "a good DDP in place");
	snprintf(old_md5, sizeof(old_md5), "%s",
		 file_md5(at(out, "ddp/IMAGE.DAT")));

	ok(write_ddp(&d, wav, out, NULL, &err) < 0 && err.code == PM_ECREATE &&
		   strstr(err.msg, "use --force"),
	   "without force an existing ddp/ is kept: %s", err.msg);

	/* the WAV is shorter than the disc says */
	other = d;
	other.leadout_frames = 2100;
	ok(write_ddp(&other, wav, out, &o, &err) < 0 &&
		   err.code == PM_EFORMAT && strstr(err.msg, "needs exactly"),
	   "a WAV shorter than the disc fails: %s", err.msg);
	ok(old_intact(out, old_md5), "the old ddp/ is intact, no temporary");

	/* the disk fills up half-way through IMAGE.DAT */
	make_wav(wav, d.leadout_frames, 6);
	getrlimit(RLIMIT_FSIZE, &old);
	small = old;
	small.rlim_cur = 2 * 1024 * 1024;
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &small);
	ok(write_ddp(&d, wav, out, &o, &err) < 0 && err.code == PM_EIO &&
		   strstr(err.msg, "IMAGE.DAT"),
	   "a write failing part-way fails: %s", err.msg);
	setrlimit(RLIMIT_FSIZE, &old);
	ok(old_intact(out, old_md5), "the old ddp/ is intact, no temporary");

	/* and now it works, replacing the old one */
	ok(write_ddp(&d, wav, out, &o, &err) == 0, "with room it succeeds");
	ok(strcmp(file_md5(at(out, "ddp/IMAGE.DAT")), old_md5) != 0 &&
		   !has_tmp(out),
	   "the new ddp/ replaced the old one");
	snprintf(old_md5, sizeof(old_md5), "%s",
		 file_md5(at(out, "ddp/IMAGE.DAT")));

	/* last: a signal (the flag cannot be reset) */
	pm_signals_install();
	raise(SIGINT);
	ok(write_ddp(&d, wav, out, &o, &err) < 0 && err.code == PM_EINTR,
	   "an interrupt fails the write: %s", err.msg);
	ok(old_intact(out, old_md5), "the old ddp/ is intact, no temporary");
}

int main(void)
{
	pm_log_init("t-ddp", PM_LOG_DEBUG);
	logcap_start();
	if (!mkdtemp(scratch))
		tap_skip_all("cannot create a scratch directory");

	golden_a();
	golden_b();
	golden_c();
	golden_more();
	refusals();
	round_trip();
	extraction();
	listing();
	broken();
	variants();
	options();
	atomicity();

	pm_remove_tree(scratch);
	free(image_samples);
	return tap_done();
}
