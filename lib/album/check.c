/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check.c: the rules of album.xml beyond the schema, and probing
 * the audio sources.  Every problem is logged as "FILE:LINE: message" so
 * an editor can jump to it; all of them are reported, not just the first.
 */
#include <config.h>

#include "album/check.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "album/charset.h"
#include "album/isrc.h"
#include "album/targets.h"
#include "album/vinyl.h"
#include "io/audio.h"
#include "util/log.h"
#include "util/msf.h"

#include "util/banned.h"

const char *const pm_verify_rule_ids[] = {
	"track-count",      "min-track-length", "first-pregap",
	"program-length",   "index-order",      "isrc",
	"isrc-unique",      "upc",              "cdtext-charset",
	"cdtext-fields",    "ddp-integrity",    "checksums",
	"htoa-silence",     "true-peak",        "loudness-target",
	"loudness-spread",  "leading-silence",  "trailing-silence",
	"clipping",         "dc-offset",        "sample-rate",
	"wav-format",       "consistency",      "vinyl-side-length",
	"lossy-headroom",   "crossfade-peak",   "ddp-audio",
	"ddp-byte-order",   "audio-silent",     "audio-nan",
	"audio-short",      "source-truncated", "master-ceiling",
	"manifest",         "audio-click",      "audio-clipping",
	"audio-hum",        "audio-noise-floor", "audio-hard-edge",
	"audio-dc-offset",  "audio-overcompressed", "audio-tonal-outlier",
	"audio-mono-compat", "audio-click-floor", "audio-overcompressed-range",
	NULL
};

struct checker {
	const struct pm_album *a;
	unsigned errors;
};

static void problem(struct checker *c, int line, const char *fmt, ...)
	PM_PRINTF(3, 4);

static void problem(struct checker *c, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pm_error("%s:%d: %s", c->a->path, line, msg);
	c->errors++;
}

static void warn(struct checker *c, int line, const char *fmt, ...)
	PM_PRINTF(3, 4);

static void warn(struct checker *c, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pm_warning("%s:%d: %s", c->a->path, line, msg);
}

/* "track 3 ('t3')" for messages. */
static const char *track_name(const struct pm_album *a, size_t i, char *buf,
			      size_t size)
{
	snprintf(buf, size, "track %zu ('%s')", i + 1, a->tracks[i].id);
	return buf;
}

static void check_texts(struct checker *c, const struct pm_texts *t,
			const char *field)
{
	size_t i, j;

	for (i = 0; i < t->n; i++) {
		if (t->v[i].lang && pm_language_code(t->v[i].lang) < 0)
			problem(c, t->v[i].line,
				"%s: unknown language '%s' (use an ISO 639-1 code such as en, de, fr, ja)",
				field, t->v[i].lang);
		for (j = 0; j < i; j++) {
			bool same = (!t->v[i].lang && !t->v[j].lang) ||
				    (t->v[i].lang && t->v[j].lang &&
				     strcmp(t->v[i].lang, t->v[j].lang) == 0);
			if (same)
				problem(c, t->v[i].line,
					"%s: a second %s%s%s text (the first is on line %d)",
					field,
					t->v[i].lang ? "'" : "default",
					t->v[i].lang ? t->v[i].lang : "",
					t->v[i].lang ? "'" : "",
					t->v[j].line);
		}
	}
}

static void check_identifiers(struct checker *c, struct pm_album *a)
{
	char name[64], out[PM_EAN_LEN + 1];
	const char *why;
	size_t i, j;

	if (a->release.upc[0]) {
		if (pm_ean_normalize(a->release.upc, out, &why) < 0)
			problem(c, a->release.upc_line,
				"UPC/EAN '%s' is not valid: %s", a->release.upc,
				why);
		else
			memcpy(a->release.upc, out, sizeof(out));
	}
	for (i = 0; i < a->ntracks; i++) {
		const struct pm_track *t = &a->tracks[i];

		if (!t->isrc[0])
			continue;
		if (!pm_isrc_valid(t->isrc)) {
			problem(c, t->isrc_line, "%s: ISRC '%s' is not valid",
				track_name(a, i, name, sizeof(name)), t->isrc);
			continue;
		}
		for (j = 0; j < i; j++)
			if (strcmp(a->tracks[j].isrc, t->isrc) == 0)
				problem(c, t->isrc_line,
					"%s: ISRC %s is also track %zu's (line %d); each recording has its own",
					track_name(a, i, name, sizeof(name)),
					t->isrc, j + 1, a->tracks[j].isrc_line);
	}
}

static void check_tracks(struct checker *c, const struct pm_album *a)
{
	char name[64];
	size_t i;

	for (i = 0; i < a->ntracks; i++) {
		const struct pm_track *t = &a->tracks[i];

		track_name(a, i, name, sizeof(name));
		for (int f = 0; f < PM_NFIELDS; f++)
			check_texts(c, &t->text[f], pm_field_element[f]);
		if (t->xfade.is_set && i == 0)
			problem(c, t->xfade.line,
				"%s: the first track cannot crossfade with a previous one",
				name);
		if (t->xfade.is_set && t->has_gap)
			problem(c, t->gap_line,
				"%s: a track cannot have both a gap and a crossfade (a segue has no pause)",
				name);
		if (t->xfade.is_set && t->fade_in.is_set)
			problem(c, t->fade_in.line,
				"%s: a crossfade already shapes the start; drop the fade-in",
				name);
		if (i + 1 < a->ntracks && a->tracks[i + 1].xfade.is_set &&
		    t->fade_out.is_set)
			problem(c, t->fade_out.line,
				"%s: the next track crossfades with this one; drop the fade-out",
				name);
		if (t->gap_in_source && i == 0 && a->htoa.is_set)
			problem(c, t->gap_line,
				"%s: with hidden track one audio, the first pause cannot come from the source",
				name);
		if (t->copy_permitted && t->scms)
			problem(c, t->flags_line,
				"%s: copy and scms cannot both be set (SCMS restricts the copying that copy permits)",
				name);
	}
	for (int f = 0; f < PM_NFIELDS; f++)
		check_texts(c, &a->release.text[f], pm_field_element[f]);
	if (a->htoa.is_set)
		check_texts(c, &a->htoa.title, "title");
}

/*
 * Pass-through promises the sources unchanged: anything that would change
 * them contradicts it, and is named rather than silently ignored.
 */
static void check_pass_through(struct checker *c, const struct pm_album *a)
{
	const struct pm_mastering *m = &a->mastering;
	static const char why[] = "mastering is pass-through";
	char name[64];
	size_t i;

	if (m->eq.nbands)
		problem(c, m->eq.bands[0].line, "%s: it has no EQ", why);
	if (m->comp.enabled)
		problem(c, m->comp.line, "%s: it has no compressor", why);
	if (m->width != 1.0)
		problem(c, m->line, "%s: the width must stay 1", why);
	if (m->limiter.line && m->limiter.enabled)
		problem(c, m->limiter.line,
			"%s: it has no limiter (drop <limiter> or set enabled=\"false\")",
			why);
	if (m->loudness.has_target || m->loudness.has_ceiling)
		problem(c, m->loudness.line,
			"%s: it keeps the sources' level (no target-lufs or ceiling-dbtp)",
			why);
	if (m->tone.mode == PM_TONE_MATCH)
		problem(c, m->tone.line, "%s: tone-match can only report", why);
	for (i = 0; i < a->ntracks; i++)
		if (a->tracks[i].master.gain_db != 0 ||
		    a->tracks[i].master.eq.nbands)
			problem(c, a->tracks[i].line,
				"%s: %s has a mastering trim", why,
				track_name(a, i, name, sizeof(name)));
	if (a->cd.has_target)
		problem(c, a->cd.line, "%s: the CD keeps the sources' level (no target-lufs)",
			why);
	if (a->vinyl.has_target)
		problem(c, a->vinyl.line,
			"%s: the vinyl cut keeps the sources' level (no target-lufs)",
			why);
	for (i = 0; i < a->nstreams; i++)
		if (a->streams[i].has_target)
			problem(c, a->streams[i].line,
				"%s: profile '%s' keeps the sources' level (no target-lufs)",
				why, a->streams[i].name);
}

/*
 * A linear-phase band is a highpass of order 2 (dsp/linhp.h), a rumble
 * filter: its corner from 10 Hz to 400 Hz (its latency grows as the
 * corner falls, its moving averages shorten as it rises).
 */
static void check_eq(struct checker *c, const struct pm_eq *eq)
{
	for (size_t i = 0; i < eq->nbands; i++) {
		const struct pm_eq_band *b = &eq->bands[i];

		if (!b->linear_phase)
			continue;
		if (b->type != PM_EQ_HIGHPASS || b->order != 2)
			problem(c, b->line,
				"phase=\"linear\" is for a highpass of order 2, not a %s of order %u",
				pm_eq_names[b->type], b->order);
		else if (b->freq_hz < 10 || b->freq_hz > 400)
			problem(c, b->line,
				"a linear-phase highpass at %g Hz: its corner must be 10 Hz to 400 Hz",
				b->freq_hz);
	}
}

static void check_mastering(struct checker *c, const struct pm_album *a)
{
	const struct pm_loudness *ld = &a->mastering.loudness;

	check_eq(c, &a->mastering.eq);
	for (size_t i = 0; i < a->ntracks; i++)
		check_eq(c, &a->tracks[i].master.eq);

	if (ld->mode == PM_LOUDNESS_ANCHOR && !ld->anchor)
		problem(c, ld->line, "loudness mode 'anchor' needs an anchor track");
	if (ld->anchor && !pm_album_track(a, ld->anchor))
		problem(c, ld->line, "the anchor '%s' is not a track", ld->anchor);
	if (ld->anchor && ld->mode != PM_LOUDNESS_ANCHOR)
		warn(c, ld->line, "the anchor '%s' is ignored outside anchor mode",
		     ld->anchor);
	if (ld->loudest_track && ld->mode == PM_LOUDNESS_TRACK)
		problem(c, ld->line,
			"loudest-track applies to album and anchor modes, not to track mode");
	if (a->mastering.comp.nbands == 3 &&
	    a->mastering.comp.xover_low_hz >= a->mastering.comp.xover_high_hz)
		problem(c, a->mastering.comp.line,
			"the low crossover (%g Hz) must be below the high one (%g Hz)",
			a->mastering.comp.xover_low_hz,
			a->mastering.comp.xover_high_hz);
	if (a->mastering.tone.mode == PM_TONE_OFF && a->mastering.tone.reference)
		warn(c, a->mastering.tone.line,
		     "the tone reference is unused when tone-match is off");
	if (a->mastering.pass_through)
		check_pass_through(c, a);
}

/* The MPEG-1 Layer III bit rates, which LAME's CBR takes. */
static bool mp3_cbr_kbps(double kbps)
{
	static const int legal[] = { 32,  40,  48,  56,	 64,  80,  96,
				     112, 128, 160, 192, 224, 256, 320 };
	size_t i;

	for (i = 0; i < PM_ARRAY_SIZE(legal); i++)
		if (kbps == legal[i])
			return true;
	return false;
}

/* Encoder settings fit the format a profile writes. */
static void check_encoder(struct checker *c, const struct pm_stream *s,
			  enum pm_format f)
{
	const struct pm_encoder *e = &s->enc;
	bool any = e->mode != PM_BITRATE_DEFAULT || e->has_kbps || e->has_quality;

	if (!any)
		return;
	if (f != PM_FORMAT_MP3 && f != PM_FORMAT_OGG && f != PM_FORMAT_OPUS) {
		problem(c, s->line,
			"profile '%s': bitrate-mode, kbps and quality set a lossy encoder; this profile writes %s",
			s->name, pm_format_name(f));
		return;
	}
	if (e->has_kbps && e->has_quality)
		problem(c, s->line,
			"profile '%s': give kbps or quality, not both", s->name);
	if (e->mode != PM_BITRATE_DEFAULT && f != PM_FORMAT_MP3)
		problem(c, s->line,
			"profile '%s': bitrate-mode is for MP3; %s is always variable bit rate",
			s->name, pm_format_name(f));
	switch (f) {
	case PM_FORMAT_MP3:
		if (e->mode == PM_BITRATE_VBR && e->has_kbps)
			problem(c, s->line,
				"profile '%s': MP3 VBR takes a quality (LAME level 0 to 9), not kbps",
				s->name);
		if ((e->mode == PM_BITRATE_CBR || e->mode == PM_BITRATE_ABR) &&
		    e->has_quality)
			problem(c, s->line,
				"profile '%s': MP3 %s takes kbps, not a quality",
				s->name, pm_bitrate_mode_names[e->mode]);
		if (e->has_quality && e->quality > 9)
			problem(c, s->line,
				"profile '%s': MP3 VBR levels run from 0 (best) to 9, not %g",
				s->name, e->quality);
		if (e->has_kbps && e->mode != PM_BITRATE_ABR &&
		    !mp3_cbr_kbps(e->kbps))
			problem(c, s->line,
				"profile '%s': MP3 CBR takes 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256 or 320 kb/s, not %g (or set bitrate-mode=\"abr\")",
				s->name, e->kbps);
		if (e->has_kbps && e->kbps > 320)
			problem(c, s->line,
				"profile '%s': MP3 goes up to 320 kb/s, not %g",
				s->name, e->kbps);
		break;
	case PM_FORMAT_OPUS:
		if (e->has_quality)
			problem(c, s->line,
				"profile '%s': Opus takes kbps (12 to 512 for stereo), not a quality",
				s->name);
		if (e->has_kbps && e->kbps < 12)
			problem(c, s->line,
				"profile '%s': Opus needs at least 12 kb/s for stereo, not %g",
				s->name, e->kbps);
		break;
	default: /* Vorbis */
		if (e->has_kbps && (e->kbps < 64 || e->kbps > 500))
			problem(c, s->line,
				"profile '%s': Vorbis kbps runs from 64 (quality 0) to 500 (quality 10), not %g",
				s->name, e->kbps);
		break;
	}
}

static void check_deliverables(struct checker *c, struct pm_album *a,
			       struct pm_err *err)
{
	size_t i, j, k;

	for (i = 0; i < a->nstreams; i++) {
		const struct pm_stream *s = &a->streams[i];
		const char *preset = s->preset ? s->preset : s->name;
		const struct pm_preset *p = pm_preset_find(preset);

		if (!p || p->kind != PM_TARGET_STREAM) {
			char known[512] = "";
			size_t n = 0;

			for (j = 0; j < pm_npresets; j++)
				if (pm_presets[j].kind == PM_TARGET_STREAM)
					n += (size_t)snprintf(known + n,
						sizeof(known) - n, "%s%s",
						n ? ", " : "", pm_presets[j].name);
			problem(c, s->line,
				"unknown streaming preset '%s'; known: %s (or set preset= to one of them)",
				preset, known);
		}
		for (j = 0; j < i; j++)
			if (strcmp(a->streams[j].name, s->name) == 0)
				problem(c, s->line,
					"streaming profile '%s' appears twice (also line %d)",
					s->name, a->streams[j].line);
		if (s->has_bits && (s->format == PM_FORMAT_OGG ||
				    s->format == PM_FORMAT_OPUS ||
				    s->format == PM_FORMAT_MP3) && s->has_format)
			problem(c, s->line,
				"profile '%s': bits do not apply to lossy %s",
				s->name, pm_format_name(s->format));
		if (s->has_format && s->format == PM_FORMAT_FLAC &&
		    s->has_bits && s->bits == 0)
			problem(c, s->line,
				"profile '%s': FLAC holds integer samples; use bits 16 or 24",
				s->name);
		if (s->has_format && s->has_rate && s->rate > PM_RATE_ALBUM &&
		    !pm_lossy_rate_ok(s->format, s->rate))
			problem(c, s->line,
				"profile '%s': %s cannot be written at %u Hz; %s",
				s->name, pm_format_name(s->format),
				(unsigned)s->rate,
				s->format == PM_FORMAT_OPUS
					? "Opus takes 8, 12, 16, 24 or 48 kHz (leave rate unset for 48 kHz)"
					: "MP3 takes 8 to 48 kHz at the MPEG rates (leave rate unset for 44.1 or 48 kHz)");
		if (s->has_format && !pm_audio_can_write(s->format))
			problem(c, s->line,
				"profile '%s': this build's libsndfile cannot write %s",
				s->name, pm_format_name(s->format));
		if (p)
			check_encoder(c, s, s->has_format ? s->format : p->format);
	}

	for (i = 0; i < a->vinyl.nsides; i++) {
		const struct pm_vinyl_side *s = &a->vinyl.sides[i];

		for (j = 0; j < i; j++)
			if (strcmp(a->vinyl.sides[j].name, s->name) == 0)
				problem(c, s->line, "side %s appears twice",
					s->name);
		for (k = 0; k < s->ntracks; k++) {
			for (j = 0; j < k; j++)
				if (s->tracks[j] == s->tracks[k])
					problem(c, s->line,
						"side %s lists '%s' twice", s->name,
						a->tracks[s->tracks[k]].id);
			for (j = 0; j < i; j++)
				for (size_t m = 0; m < a->vinyl.sides[j].ntracks; m++)
					if (a->vinyl.sides[j].tracks[m] ==
					    s->tracks[k])
						problem(c, s->line,
							"'%s' is on side %s and on side %s",
							a->tracks[s->tracks[k]].id,
							a->vinyl.sides[j].name,
							s->name);
		}
	}
	if (a->vinyl.enabled && a->vinyl.nsides) {
		size_t on = 0;

		for (i = 0; i < a->vinyl.nsides; i++)
			on += a->vinyl.sides[i].ntracks;
		if (on < a->ntracks)
			warn(c, a->vinyl.line,
			     "%zu of %zu tracks are on no vinyl side",
			     a->ntracks - on, a->ntracks);
	}

	/* CD-TEXT: the default block, and languages */
	if (a->cd.nblocks == 0) {
		a->cd.blocks = pm_calloc(1, sizeof(*a->cd.blocks), err);
		if (!a->cd.blocks) {
			c->errors++;
			return;
		}
		a->cd.blocks[0].lang = pm_strdup("en", err);
		a->cd.blocks[0].lang_code = 0x09;
		a->cd.blocks[0].charset = PM_CHARSET_ISO8859_1;
		a->cd.blocks[0].line = a->cd.line;
		a->cd.nblocks = 1;
	}
	for (i = 0; i < a->cd.nblocks; i++) {
		const struct pm_cdtext_block *b = &a->cd.blocks[i];

		if (!b->lang || pm_language_code(b->lang) < 0)
			problem(c, b->line,
				"CD-TEXT block: unknown language '%s' (use an ISO 639-1 code such as en, de, fr, ja)",
				b->lang ? b->lang : "");
		for (j = 0; j < i; j++)
			if (b->lang && a->cd.blocks[j].lang &&
			    strcmp(a->cd.blocks[j].lang, b->lang) == 0)
				problem(c, b->line,
					"CD-TEXT block '%s' appears twice", b->lang);
	}
}

/* A noise reduction within its bound (the schema has its syntax). */
static void check_repair(struct checker *c, const struct pm_repair *r)
{
	if (r->noise == PM_REPAIR_DB &&
	    !(r->noise_db >= 0 && r->noise_db <= PM_REPAIR_NOISE_MAX_DB))
		problem(c, r->line,
			"<repair noise=\"%g\">: a noise reduction is 0 to %.0f dB",
			r->noise_db, PM_REPAIR_NOISE_MAX_DB);
}

static void check_rules(struct checker *c, const struct pm_album *a)
{
	size_t i, k;

	for (i = 0; i < a->nrules; i++) {
		for (k = 0; pm_verify_rule_ids[k]; k++)
			if (strcmp(pm_verify_rule_ids[k], a->rules[i].id) == 0)
				break;
		if (!pm_verify_rule_ids[k])
			problem(c, a->rules[i].line,
				"unknown verify rule '%s' (premaster-verify(1) lists them)",
				a->rules[i].id);
	}
}

const char *pm_album_cdtext(const struct pm_album *a, size_t blk,
			    enum pm_field f, size_t track)
{
	const struct pm_texts *t, *inherit = NULL;
	const char *lang = a->cd.blocks[blk].lang;
	const char *v;

	if (track == PM_DISC) {
		t = &a->release.text[f];
	} else {
		t = &a->tracks[track].text[f];
		/* performer, songwriter, composer, arranger: the album's */
		if (f != PM_FIELD_TITLE && f != PM_FIELD_MESSAGE)
			inherit = &a->release.text[f];
	}
	/* the block's language, else the original (unlabelled) text */
	v = pm_texts_get(t, lang, true);
	if (!v && inherit)
		v = pm_texts_get(inherit, lang, true);
	return v;
}

/* Latin-1 or ASCII bytes shown as UTF-8, for messages. */
static const char *as_utf8(const char *bytes, enum pm_charset cs, char *out,
			   size_t size)
{
	const unsigned char *p = (const unsigned char *)bytes;
	size_t n = 0;

	if (cs == PM_CHARSET_MSJIS) {
		snprintf(out, size, "(MS-JIS text)");
		return out;
	}
	for (; *p && n + 3 < size; p++) {
		if (*p < 0x80) {
			out[n++] = (char)*p;
		} else {
			out[n++] = (char)(0xC0 | (*p >> 6));
			out[n++] = (char)(0x80 | (*p & 0x3F));
		}
	}
	out[n] = '\0';
	return out;
}

static void check_cdtext_value(struct checker *c, const struct pm_album *a,
			       size_t blk, const char *v, const char *what,
			       int line)
{
	struct pm_charset_result res;
	char out[512], shown[1024], cpd[32];

	if (!v)
		return;
	if (pm_charset_convert(v, a->cd.blocks[blk].charset,
			       a->cd.transliterate, out, sizeof(out), &res) == 0) {
		if (res.nchanged)
			warn(c, line,
			     "%s: CD-TEXT '%s' (%s) transliterated to '%s'",
			     what, a->cd.blocks[blk].lang,
			     pm_charset_name(a->cd.blocks[blk].charset),
			     as_utf8(out, a->cd.blocks[blk].charset, shown,
				     sizeof(shown)));
		return;
	}
	if (res.too_long)
		problem(c, line, "%s: too long for CD-TEXT", what);
	else
		problem(c, line,
			"%s: %s cannot be written in CD-TEXT %s%s", what,
			pm_describe_cp(res.bad_cp, cpd, sizeof(cpd)),
			pm_charset_name(a->cd.blocks[blk].charset),
			a->cd.transliterate || res.bad_cp < 0x20 ||
					res.bad_cp == 0xFFFFFFFFu
				? ""
				: " (set transliterate=\"true\" on <cd-text> to replace it)");
}

/* Values that must be representable, and the "all or none" rule. */
static void check_cdtext(struct checker *c, const struct pm_album *a)
{
	char what[96], name[64];
	size_t blk, i;
	int f;

	if (!a->cd.enabled || !a->cd.cdtext)
		return;
	for (blk = 0; blk < a->cd.nblocks; blk++) {
		for (f = 0; f < PM_NFIELDS; f++) {
			const struct pm_texts *rt = &a->release.text[f];
			size_t have = 0, first_missing = (size_t)-1;
			size_t first_have = (size_t)-1;
			const char *v;

			v = pm_album_cdtext(a, blk, (enum pm_field)f, PM_DISC);
			snprintf(what, sizeof(what), "album %s",
				 pm_field_element[f]);
			check_cdtext_value(c, a, blk, v, what,
					   rt->n ? rt->v[0].line : 1);
			for (i = 0; i < a->ntracks; i++) {
				const struct pm_texts *tt =
					&a->tracks[i].text[f];

				v = pm_album_cdtext(a, blk, (enum pm_field)f, i);
				if (v) {
					have++;
					if (first_have == (size_t)-1)
						first_have = i;
				} else if (first_missing == (size_t)-1) {
					first_missing = i;
				}
				snprintf(what, sizeof(what), "%s %s",
					 track_name(a, i, name, sizeof(name)),
					 pm_field_element[f]);
				check_cdtext_value(
					c, a, blk, v, what,
					tt->n ? tt->v[0].line : a->tracks[i].line);
			}
			if (have && have < a->ntracks)
				problem(c, a->tracks[first_missing].line,
					"%s has no %s in CD-TEXT block '%s', but %s has one; CD-TEXT needs it for every track or none",
					track_name(a, first_missing, name,
						   sizeof(name)),
					pm_field_element[f], a->cd.blocks[blk].lang,
					a->tracks[first_have].id);
		}
	}
}

static char *resolve(const char *base, const char *file, struct pm_err *err)
{
	size_t n;
	char *p;

	if (file[0] == '/' || strcmp(base, ".") == 0)
		return pm_strdup(file, err);
	n = strlen(base) + strlen(file) + 2;
	p = pm_malloc(n, err);
	if (p)
		snprintf(p, n, "%s/%s", base, file);
	return p;
}

int pm_album_check(struct pm_album *a, struct pm_err *err)
{
	struct checker c = { .a = a };
	size_t i;

	check_identifiers(&c, a);
	check_tracks(&c, a);
	check_mastering(&c, a);
	check_deliverables(&c, a, err);
	check_rules(&c, a);
	check_repair(&c, &a->mastering.repair);
	for (size_t k = 0; k < a->ntracks; k++)
		check_repair(&c, &a->tracks[k].repair);
	check_cdtext(&c, a);
	for (i = 0; i < a->ntracks; i++) {
		a->tracks[i].source.path =
			resolve(a->basedir, a->tracks[i].source.file, err);
		if (!a->tracks[i].source.path)
			return -1;
	}
	if (a->htoa.is_set) {
		a->htoa.source.path = resolve(a->basedir, a->htoa.source.file, err);
		if (!a->htoa.source.path)
			return -1;
	}
	if (a->mastering.tone.reference) {
		a->mastering.tone.reference_path =
			resolve(a->basedir, a->mastering.tone.reference, err);
		if (!a->mastering.tone.reference_path)
			return -1;
	}
	if (c.errors)
		return pm_err_set(err, PM_ESCHEMA, "'%s' has %u error%s", a->path,
				  c.errors, c.errors == 1 ? "" : "s");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Probing the audio                                                    */
/* ------------------------------------------------------------------ */

/*
 * How far a lossy stream's last granule position may overstate what it
 * decodes to and still be an encoder's slip, not a cut: the longest
 * Vorbis block, 8192 samples.
 */
#define LOSSY_SLACK_SAMPLES 8192

/* A file that holds less than its header says. */
static void check_length(struct checker *c, const struct pm_source *s,
			 const struct pm_audio_info *info, const char *who)
{
	int64_t have = info->length_samples, said = info->header_samples;
	char b1[32], b2[32];

	if (said <= have || info->rate == 0)
		return;
	pm_format_duration((double)said / info->rate, b1, sizeof(b1));
	pm_format_duration((double)have / info->rate, b2, sizeof(b2));
	if (info->is_lossy && said - have <= LOSSY_SLACK_SAMPLES)
		warn(c, s->line,
		     "%s: '%s' claims %s (%lld samples) but decodes to %s (%lld samples); using the decoded audio",
		     who, s->file, b1, (long long)said, b2, (long long)have);
	else if (s->accept_truncated)
		warn(c, s->line,
		     "%s: '%s' is truncated: its header says %s (%lld samples), the file holds %s (%lld samples); using what is there (truncated=\"accept\")",
		     who, s->file, b1, (long long)said, b2, (long long)have);
	else
		problem(c, s->line,
			"%s: '%s' is truncated: its header says %s (%lld samples), the file holds %s (%lld samples) (set truncated=\"accept\" on its <source> to use what is there)",
			who, s->file, b1, (long long)said, b2, (long long)have);
}

static int probe_source(struct checker *c, struct pm_source *s,
			const char *who, struct pm_err *err)
{
	struct pm_audio_info info;
	struct pm_err e = { 0 };

	if (pm_audio_probe(s->path, &info, &e) < 0) {
		pm_error("%s:%d: %s: %s", c->a->path, s->line, who, e.msg);
		*err = e;
		c->errors++;
		return -1;
	}
	s->info.probed = true;
	s->info.rate = info.rate;
	s->info.channels = info.channels;
	s->info.bits = info.bits;
	s->info.is_float = info.is_float;
	s->info.length_samples = info.length_samples;
	s->info.header_samples = info.header_samples;
	snprintf(s->info.format, sizeof(s->info.format), "%s", info.format);
	check_length(c, s, &info, who);
	if (info.rate < 44100 || info.rate > 192000)
		problem(c, s->line,
			"%s: '%s' is at %u Hz; sources must be 44.1 to 192 kHz",
			who, s->file, info.rate);
	if (info.channels < 1 || info.channels > 2)
		problem(c, s->line,
			"%s: '%s' has %u channels; sources must be mono or stereo",
			who, s->file, info.channels);
	if (info.length_samples <= 0)
		problem(c, s->line, "%s: '%s' has no audio", who, s->file);
	/* resolve times given in samples to the source's rate */
	if (s->in.in_samples)
		s->in.den = info.rate;
	if (s->out.in_samples)
		s->out.den = info.rate;
	return 0;
}

static void resolve_time(struct pm_time *t, uint32_t rate)
{
	if (t->is_set && t->in_samples)
		t->den = rate;
}

static void fmt_time(int64_t samples, uint32_t rate, char *buf, size_t size)
{
	pm_format_duration((double)samples / rate, buf, (unsigned)size);
}

static void check_trims(struct checker *c, const struct pm_source *s,
			const char *who)
{
	int64_t len = s->info.length_samples;
	int64_t in = pm_time_samples(s->in, s->info.rate);
	int64_t out = s->out.is_set ? pm_time_samples(s->out, s->info.rate) : len;
	char b1[32], b2[32];

	if (in >= len)
		problem(c, s->line, "%s: in=%s is at or past the end of '%s' (%s)",
			who, (fmt_time(in, s->info.rate, b1, sizeof(b1)), b1),
			s->file, (fmt_time(len, s->info.rate, b2, sizeof(b2)), b2));
	else if (out > len)
		problem(c, s->line, "%s: out=%s is past the end of '%s' (%s)", who,
			(fmt_time(out, s->info.rate, b1, sizeof(b1)), b1), s->file,
			(fmt_time(len, s->info.rate, b2, sizeof(b2)), b2));
	else if (out <= in)
		problem(c, s->line, "%s: out must come after in", who);
}

static void check_fades(struct checker *c, const struct pm_fade *fi,
			const struct pm_fade *fo, int64_t len, uint32_t rate,
			const char *who)
{
	int64_t a = fi->is_set ? pm_time_samples(fi->length, rate) : 0;
	int64_t b = fo->is_set ? pm_time_samples(fo->length, rate) : 0;
	char b1[32], b2[32];

	fmt_time(len, rate, b2, sizeof(b2));
	if (a > len)
		problem(c, fi->line, "%s: the fade-in (%s) is longer than the audio (%s)",
			who, (fmt_time(a, rate, b1, sizeof(b1)), b1), b2);
	else if (b > len)
		problem(c, fo->line, "%s: the fade-out (%s) is longer than the audio (%s)",
			who, (fmt_time(b, rate, b1, sizeof(b1)), b1), b2);
	else if (a + b > len)
		problem(c, fo->line,
			"%s: the fade-in and fade-out overlap (together longer than the audio, %s)",
			who, b2);
}

/* ------------------------------------------------------------------ */
/* The layout, as far as album.xml and the headers tell                 */
/* ------------------------------------------------------------------ */

/*
 * A source's used length at rate `to`, as the mastering stage's resampler
 * makes it: round(n * to / from) (dsp/resample.c, pm_resample_length).
 */
static int64_t length_at(const struct pm_source *s, uint32_t to)
{
	int64_t n = pm_source_length(s);
	uint32_t from = s->info.rate;

	if (n <= 0 || from == 0)
		return 0;
	if (from == to)
		return n;
	return (int64_t)(((uint64_t)n * to + from / 2) / from);
}

static int64_t up_frame(int64_t x)
{
	return (x + PM_SAMPLES_PER_FRAME - 1) / PM_SAMPLES_PER_FRAME *
	       PM_SAMPLES_PER_FRAME;
}

static int64_t down_frame(int64_t x)
{
	return x / PM_SAMPLES_PER_FRAME * PM_SAMPLES_PER_FRAME;
}

static int64_t cd_time(struct pm_time t)
{
	return t.is_set ? pm_time_samples(t, PM_CD_RATE) : 0;
}

/*
 * The CD's track IDs and lead-out, laid out as sequence/timeline.c lays
 * them out (pm_timeline_build with the CD's options, which this mirrors
 * step for step), and the Red Book rules that need them: every track at
 * least 4 seconds from its index 01 to the next, the programme within
 * max-length.  sequence checks the finished layout again; these are here
 * so that no tool writes anything for an album that cannot be a CD (a
 * 1-sample source, a 9:59:59 gap).
 */
static void check_cd_layout(struct checker *c, const struct pm_album *a)
{
	const int64_t pregap = pm_frame_samples(PM_PREGAP_FRAMES);
	const int64_t preroll = (int64_t)a->cd.preroll_frames *
				PM_SAMPLES_PER_FRAME;
	int64_t id[PM_MAX_TRACKS], prev_end = 0, prev_len = 0, floor_id = 0;
	int64_t end, max_frames;
	uint32_t frames, leadout;
	char b1[32], b2[32], name[64];
	size_t i, n = a->ntracks;
	bool long_gap = false;

	if (!a->cd.enabled || n == 0 || n > PM_MAX_TRACKS)
		return;
	max_frames = PM_MIN((int64_t)PM_MAX_DISC_FRAMES,
			    cd_time(a->cd.max_length) / PM_SAMPLES_PER_FRAME);
	/* a pause no disc holds is the pause's fault, not the disc's */
	for (i = 0; i < n; i++)
		if (a->tracks[i].has_gap &&
		    cd_time(a->tracks[i].gap) / PM_SAMPLES_PER_FRAME >
			    max_frames) {
			pm_format_duration(pm_time_seconds(a->tracks[i].gap), b1,
					   sizeof(b1));
			problem(c, a->tracks[i].gap_line,
				"%s: a pause of %s is longer than the whole disc may be (%s)",
				track_name(a, i, name, sizeof(name)), b1,
				pm_msf_format((uint32_t)max_frames, b2));
			long_gap = true;
		}
	if (long_gap)
		return;
	for (i = 0; i < n; i++) {
		const struct pm_track *t = &a->tracks[i];
		int64_t len = length_at(&t->source, PM_CD_RATE), start;

		if (i == 0) {
			/* the disc's first pause, and maybe hidden audio */
			int64_t lead = t->has_gap ? cd_time(t->gap) : pregap;

			if (lead < pregap && !a->htoa.is_set)
				lead = pregap;
			if (a->htoa.is_set) {
				prev_end = pregap +
					   length_at(&a->htoa.source, PM_CD_RATE);
				floor_id = up_frame(prev_end);
				lead = prev_end + cd_time(t->gap);
			}
			start = up_frame(lead);
			if (start < pregap + preroll)
				start = pregap + preroll;
			id[i] = start - preroll;
			if (id[i] < floor_id)
				id[i] = floor_id;
			if (id[i] < pregap)
				id[i] = pregap;
		} else if (t->xfade.is_set) {
			int64_t x = cd_time(t->xfade.length), at;

			x = PM_MIN(x, PM_MIN(len, prev_len));
			start = prev_end - x;
			at = t->xfade.has_id_at ? cd_time(t->xfade.id_at) : x / 2;
			id[i] = down_frame(start + PM_MIN(at, x));
		} else if (t->has_gap && cd_time(t->gap) > 0) {
			int64_t pause = up_frame(prev_end);

			start = up_frame(prev_end + cd_time(t->gap));
			id[i] = PM_MAX(start - preroll, pause);
		} else {
			start = prev_end;
			id[i] = down_frame(start);
		}
		prev_end = start + len;
		prev_len = len;
	}
	end = up_frame(prev_end);
	if (end / PM_SAMPLES_PER_FRAME > max_frames) {
		problem(c, a->cd.line,
			"the programme is %s long; the longest allowed is %s",
			pm_msf_format((uint32_t)PM_MIN(end / PM_SAMPLES_PER_FRAME,
						       (int64_t)UINT32_MAX),
				      b1),
			pm_msf_format((uint32_t)max_frames, b2));
		return; /* the lengths below mean little on such a disc */
	}
	leadout = (uint32_t)(end / PM_SAMPLES_PER_FRAME);
	for (i = 0; i < n; i++) {
		uint32_t from = (uint32_t)(id[i] / PM_SAMPLES_PER_FRAME);
		uint32_t to = i + 1 < n
				      ? (uint32_t)(id[i + 1] / PM_SAMPLES_PER_FRAME)
				      : leadout;

		if (to <= from)
			continue; /* out of order: sequence says so */
		frames = to - from;
		if (frames < PM_MIN_TRACK_FRAMES)
			problem(c, a->tracks[i].line,
				"track %zu: is %s long (%u frames); a track must be at least %s (%u frames) from its index 01 to the next track's index 01 or the lead-out",
				i + 1, pm_msf_format(frames, b1), frames,
				pm_msf_format(PM_MIN_TRACK_FRAMES, b2),
				PM_MIN_TRACK_FRAMES);
	}
}

static void fmt_side(double s, char *buf, size_t size)
{
	long long cs = llround(s * 100.0);

	snprintf(buf, size, "%02lld:%02lld.%02lld", cs / 6000, cs / 100 % 60,
		 cs % 100);
}

/*
 * Vinyl sides: a size and speed a plant cuts, one rate per side, and no
 * side longer than it holds while the vinyl-side-length rule is an error
 * (its warnings stay with sequence).  A side is laid out as sequence's
 * timeline lays it: the tracks end to end, the side's gap between them,
 * a crossfade where a track segues from the one before it on the side.
 */
static void check_vinyl_layout(struct checker *c, const struct pm_album *a)
{
	const struct pm_vinyl *v = &a->vinyl;
	struct pm_target targets[2 + 32];
	const struct pm_target *t = NULL;
	struct pm_side_limits lim;
	size_t nt, s, k;
	char b1[32], b2[32];

	if (!v->enabled || v->nsides == 0)
		return;
	if (pm_side_limits(v->size_in, v->speed_rpm, &lim) < 0) {
		problem(c, v->line, "no plant cuts %u\" records at %u rpm",
			v->size_in, v->speed_rpm);
		return;
	}
	nt = pm_album_targets(a, targets);
	for (k = 0; k < nt; k++)
		if (targets[k].kind == PM_TARGET_VINYL)
			t = &targets[k];
	if (!t)
		return;
	for (s = 0; s < v->nsides; s++) {
		const struct pm_vinyl_side *side = &v->sides[s];
		int64_t prev_end = 0, prev_len = 0, start, gap;
		uint32_t rate;
		bool same = true;

		if (side->ntracks == 0)
			continue;
		rate = pm_target_rate(t, a, side->tracks[0]);
		for (k = 0; k < side->ntracks; k++) {
			size_t i = side->tracks[k];
			const struct pm_track *tr = &a->tracks[i];
			int64_t len;

			if (pm_target_rate(t, a, i) != rate) {
				problem(c, side->line,
					"side %s: tracks at %u and %u Hz; a side is one file at one rate (set rate on <vinyl>)",
					side->name, rate, pm_target_rate(t, a, i));
				same = false;
				break;
			}
			len = length_at(&tr->source, rate);
			if (k > 0 && tr->xfade.is_set &&
			    side->tracks[k - 1] + 1 == i) {
				int64_t x = pm_time_samples(tr->xfade.length,
							    rate);

				start = prev_end - PM_MIN(x, PM_MIN(len, prev_len));
			} else if (k > 0) {
				gap = pm_time_samples(v->gap, rate);
				start = prev_end + gap;
			} else {
				start = 0;
			}
			prev_end = start + len;
			prev_len = len;
		}
		if (!same)
			continue;
		if ((double)prev_end / rate > lim.max_s &&
		    pm_rule_severity(a, "vinyl-side-length", PM_SEV_ERROR,
				     NULL) == PM_SEV_ERROR) {
			fmt_side((double)prev_end / rate, b1, sizeof(b1));
			fmt_side(lim.max_s, b2, sizeof(b2));
			problem(c, side->line,
				"side %s runs %s, more than a %u\" side at %u rpm holds (%s); move tracks or set the verify rule vinyl-side-length to warning",
				side->name, b1, v->size_in, v->speed_rpm, b2);
		}
	}
}

/*
 * Streaming profiles that keep each track's rate: tracks that crossfade
 * are one stretch of audio, so they must share a rate.  pm_target_rate()
 * gives a crossfaded run its highest rate, so this holds by design; the
 * check keeps a change there from reaching sequence.
 */
static void check_stream_layout(struct checker *c, const struct pm_album *a)
{
	struct pm_target targets[2 + 32];
	size_t nt = pm_album_targets(a, targets), k, i;

	for (k = 0; k < nt; k++) {
		const struct pm_target *t = &targets[k];

		if (t->kind != PM_TARGET_STREAM)
			continue;
		for (i = 1; i < a->ntracks; i++) {
			uint32_t r0 = pm_target_rate(t, a, i - 1);
			uint32_t r1 = pm_target_rate(t, a, i);

			if (a->tracks[i].xfade.is_set && r0 != r1)
				problem(c, a->tracks[i].xfade.line,
					"'%s' and '%s' crossfade but are at %u and %u Hz, and streaming profile '%s' keeps each track's rate",
					a->tracks[i - 1].id, a->tracks[i].id,
					r0, r1, t->name);
		}
	}
}

int pm_album_probe(struct pm_album *a, struct pm_err *err)
{
	struct checker c = { .a = a };
	struct pm_err first = { 0 };
	char name[64], b1[32], b2[32];
	size_t i, k;

	for (i = 0; i < a->ntracks; i++) {
		struct pm_track *t = &a->tracks[i];

		track_name(a, i, name, sizeof(name));
		if (probe_source(&c, &t->source, name, &first) < 0)
			continue;
	}
	if (a->htoa.is_set)
		probe_source(&c, &a->htoa.source, "hidden track", &first);
	if (a->mastering.tone.reference_path) {
		struct pm_source ref = { .file = a->mastering.tone.reference,
					 .path = a->mastering.tone.reference_path,
					 .line = a->mastering.tone.line };

		probe_source(&c, &ref, "tone reference", &first);
	}
	if (first.code != PM_OK)
		return pm_err_set(err, first.code,
				  "'%s': %u source%s cannot be read (see above)",
				  a->path, c.errors, c.errors == 1 ? "" : "s");

	for (i = 0; i < a->ntracks; i++) {
		struct pm_track *t = &a->tracks[i];
		uint32_t rate = t->source.info.rate;
		int64_t len;

		track_name(a, i, name, sizeof(name));
		check_trims(&c, &t->source, name);
		len = pm_source_length(&t->source);
		resolve_time(&t->fade_in.length, rate);
		resolve_time(&t->fade_out.length, rate);
		resolve_time(&t->gap, rate);
		resolve_time(&t->xfade.length, rate);
		resolve_time(&t->xfade.id_at, rate);
		check_fades(&c, &t->fade_in, &t->fade_out, len, rate, name);
		if (t->xfade.is_set) {
			const struct pm_track *prev = &a->tracks[i - 1];
			int64_t x = pm_time_samples(t->xfade.length, rate);
			int64_t xp = pm_time_samples(t->xfade.length,
						     prev->source.info.rate);

			if (x > len || xp > pm_source_length(&prev->source))
				problem(&c, t->xfade.line,
					"%s: the crossfade (%s) is longer than this track or the previous one",
					name, (fmt_time(x, rate, b1, sizeof(b1)), b1));
			if (x == 0)
				problem(&c, t->xfade.line,
					"%s: a crossfade needs a length above zero",
					name);
			if (t->xfade.has_id_at &&
			    pm_time_samples(t->xfade.id_at, rate) > x)
				problem(&c, t->xfade.line,
					"%s: id-at lies after the end of the crossfade",
					name);
		}
		if (t->gap_in_source) {
			int64_t g = pm_time_samples(t->gap, rate);

			if (g <= 0 || g >= len)
				problem(&c, t->gap_line,
					"%s: the pause in the source (%s) must be shorter than the source (%s)",
					name, (fmt_time(g, rate, b1, sizeof(b1)), b1),
					(fmt_time(len, rate, b2, sizeof(b2)), b2));
			else
				len -= g; /* index marks count from index 01 */
		}
		for (k = 0; k < t->nindexes; k++) {
			int64_t at;

			resolve_time(&t->indexes[k].at, rate);
			at = pm_time_samples(t->indexes[k].at, rate);
			if (at <= 0 || at >= len)
				problem(&c, t->indexes[k].line,
					"%s: index %02zu at %s is outside the track (0 to %s)",
					name, k + 2,
					(fmt_time(at, rate, b1, sizeof(b1)), b1),
					(fmt_time(len, rate, b2, sizeof(b2)), b2));
			else if (k > 0 &&
				 at <= pm_time_samples(t->indexes[k - 1].at, rate))
				problem(&c, t->indexes[k].line,
					"%s: index %02zu must come after index %02zu",
					name, k + 2, k + 1);
		}
		/*
		 * The disc's first 2 seconds are silent (Red Book).  With
		 * hidden audio those come before it, and track 1's gap is
		 * what follows the hidden audio: any length, down to none,
		 * as discs with hidden tracks have it.
		 */
		if (i == 0 && t->has_gap && !a->htoa.is_set &&
		    pm_time_samples(t->gap, PM_CD_RATE) <
			    (int64_t)pm_frame_samples(PM_PREGAP_FRAMES))
			problem(&c, t->gap_line,
				"%s: the disc's first pause must be at least 2 seconds (Red Book)",
				name);
	}
	if (a->htoa.is_set) {
		struct pm_htoa *h = &a->htoa;
		uint32_t rate = h->source.info.rate;

		check_trims(&c, &h->source, "hidden track");
		resolve_time(&h->fade_in.length, rate);
		resolve_time(&h->fade_out.length, rate);
		check_fades(&c, &h->fade_in, &h->fade_out,
			    pm_source_length(&h->source), rate, "hidden track");
	}
	if (c.errors == 0) {
		check_cd_layout(&c, a);
		check_vinyl_layout(&c, a);
		check_stream_layout(&c, a);
	}
	if (c.errors)
		return pm_err_set(err, PM_ESCHEMA, "'%s' has %u error%s", a->path,
				  c.errors, c.errors == 1 ? "" : "s");
	return 0;
}

struct pm_album *pm_album_open(const char *path, struct pm_err *err)
{
	struct pm_album *a = pm_album_load(path, NULL, err);

	if (a && pm_album_probe(a, err) < 0) {
		pm_album_free(a);
		return NULL;
	}
	return a;
}
