/* SPDX-License-Identifier: GPL-3.0-or-later */
/* model.c: the album structure's lifetime, lookups and name tables. */
#include <config.h>

#include "album/album.h"

#include <stdlib.h>
#include <string.h>

#include "util/msf.h"

#include "util/banned.h"

const char *const pm_shape_names[PM_NSHAPES] = {
	[PM_SHAPE_LINEAR] = "linear",
	[PM_SHAPE_EQUAL_POWER] = "equal-power",
	[PM_SHAPE_LOG] = "logarithmic",
	[PM_SHAPE_SCURVE] = "s-curve",
};

const char *const pm_gap_names[PM_NGAP_POLICIES] = {
	[PM_GAPS_APPEND] = "append",
	[PM_GAPS_PREPEND] = "prepend",
	[PM_GAPS_SPLIT] = "split",
	[PM_GAPS_NONE] = "none",
};

const char *const pm_charset_names[PM_NCHARSETS] = {
	[PM_CHARSET_ISO8859_1] = "iso-8859-1",
	[PM_CHARSET_ASCII] = "ascii",
	[PM_CHARSET_MSJIS] = "ms-jis",
};

const char *const pm_eq_names[PM_NEQ_TYPES] = {
	[PM_EQ_HIGHPASS] = "highpass",     [PM_EQ_LOWPASS] = "lowpass",
	[PM_EQ_LOW_SHELF] = "low-shelf",   [PM_EQ_HIGH_SHELF] = "high-shelf",
	[PM_EQ_PEAK] = "peak",
};

const char *const pm_field_element[PM_NFIELDS] = {
	[PM_FIELD_TITLE] = "title",         [PM_FIELD_PERFORMER] = "artist",
	[PM_FIELD_SONGWRITER] = "songwriter", [PM_FIELD_COMPOSER] = "composer",
	[PM_FIELD_ARRANGER] = "arranger",   [PM_FIELD_MESSAGE] = "message",
};

const char *pm_gap_policy_name(enum pm_gap_policy p)
{
	return pm_gap_names[p];
}

const char *pm_charset_name(enum pm_charset c)
{
	return pm_charset_names[c];
}

static void texts_release(struct pm_texts *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].lang);
		free(t->v[i].value);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static void source_release(struct pm_source *s)
{
	free(s->file);
	free(s->path);
}

void pm_album_free(struct pm_album *a)
{
	size_t i;
	int f;

	if (!a)
		return;
	free(a->path);
	free(a->basedir);
	for (f = 0; f < PM_NFIELDS; f++)
		texts_release(&a->release.text[f]);
	free(a->release.label);
	free(a->release.catalog);
	free(a->release.release_date);
	free(a->release.genre);
	free(a->release.p_line);
	free(a->release.c_line);
	free(a->release.master_id);
	free(a->release.customer);
	free(a->release.engineer);
	free(a->release.notes);
	source_release(&a->htoa.source);
	texts_release(&a->htoa.title);
	for (i = 0; i < a->ntracks; i++) {
		struct pm_track *t = &a->tracks[i];

		free(t->id);
		source_release(&t->source);
		for (f = 0; f < PM_NFIELDS; f++)
			texts_release(&t->text[f]);
		free(t->indexes);
		free(t->master.eq.bands);
	}
	free(a->tracks);
	free(a->mastering.eq.bands);
	free(a->mastering.loudness.anchor);
	free(a->mastering.tone.reference);
	free(a->mastering.tone.reference_path);
	for (i = 0; i < a->cd.nblocks; i++)
		free(a->cd.blocks[i].lang);
	free(a->cd.blocks);
	free(a->cd.disc_id);
	for (i = 0; i < a->vinyl.nsides; i++) {
		free(a->vinyl.sides[i].name);
		free(a->vinyl.sides[i].tracks);
	}
	free(a->vinyl.sides);
	for (i = 0; i < a->nstreams; i++) {
		free(a->streams[i].name);
		free(a->streams[i].preset);
	}
	free(a->streams);
	for (i = 0; i < a->nrules; i++)
		free(a->rules[i].id);
	free(a->rules);
	free(a);
}

/*
 * Defaults for what the document leaves out entirely.  Attribute defaults
 * of elements that are present come from the schema itself (the loader
 * asks libxml2 to fill them in); these values mirror them for elements
 * that are absent, and for deliverables an album does not mention.
 */
void pm_album_defaults(struct pm_album *a)
{
	struct pm_comp_band band = {
		.threshold_db = -18, .ratio = 2, .knee_db = 6,
		.attack_ms = 20, .release_ms = 200, .makeup_db = 0,
	};

	a->mastering.width = 1.0;
	a->mastering.comp.enabled = false;
	a->mastering.comp.nbands = 1;
	a->mastering.comp.band[0] = a->mastering.comp.band[1] =
		a->mastering.comp.band[2] = band;
	a->mastering.comp.xover_low_hz = 200;
	a->mastering.comp.xover_high_hz = 3000;
	a->mastering.comp.stereo_link = true;
	a->mastering.limiter.enabled = true;
	a->mastering.limiter.lookahead_ms = 2;
	a->mastering.limiter.release_ms = 80;
	a->mastering.limiter.oversampling = 4;
	a->mastering.loudness.mode = PM_LOUDNESS_ALBUM;
	a->mastering.loudness.ceiling_dbtp = 0;
	a->mastering.loudness.max_gain_db = 30;
	a->mastering.tone.mode = PM_TONE_REPORT;
	a->mastering.tone.max_db = 3;

	a->cd.enabled = false;
	a->cd.want_ddp = a->cd.want_cue = a->cd.want_toc = true;
	a->cd.want_pq_sheet = true;
	a->cd.pregap = pm_time_from_samples(PM_PREGAP_FRAMES *
					    PM_SAMPLES_PER_FRAME, PM_CD_RATE);
	a->cd.warn_length = pm_time_from_samples(
		pm_frame_samples(PM_WARN_DISC_FRAMES), PM_CD_RATE);
	a->cd.max_length = pm_time_from_samples(
		pm_frame_samples(PM_MAX_DISC_FRAMES), PM_CD_RATE);
	a->cd.cdtext = true;

	a->vinyl.enabled = false;
	a->vinyl.size_in = 12;
	a->vinyl.speed_rpm = 33;
	a->vinyl.gap = pm_time_from_seconds(3.0);
	a->vinyl.lf_mono_hz = 150;
	a->vinyl.bits = 24;
	a->vinyl.rate = 1; /* the album's rate */
}

const char *pm_texts_get(const struct pm_texts *t, const char *lang,
			 bool fallback)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (!lang && !t->v[i].lang)
			return t->v[i].value;
		if (lang && t->v[i].lang && strcmp(lang, t->v[i].lang) == 0)
			return t->v[i].value;
	}
	if (lang && fallback)
		return pm_texts_get(t, NULL, false);
	return NULL;
}

struct pm_track *pm_album_track(const struct pm_album *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->ntracks; i++)
		if (strcmp(a->tracks[i].id, id) == 0)
			return &a->tracks[i];
	return NULL;
}

int64_t pm_source_length(const struct pm_source *s)
{
	int64_t in = pm_time_samples(s->in, s->info.rate);
	int64_t out = s->out.is_set ? pm_time_samples(s->out, s->info.rate)
				    : s->info.length_samples;

	if (out > s->info.length_samples)
		out = s->info.length_samples;
	return out > in ? out - in : 0;
}

/* ISO 639-1 to EBU Tech 3264 language codes (the CD-TEXT list). */
static const struct {
	const char *iso;
	unsigned ebu;
} languages[] = {
	{ "sq", 0x01 }, { "br", 0x02 }, { "ca", 0x03 }, { "hr", 0x04 },
	{ "cy", 0x05 }, { "cs", 0x06 }, { "da", 0x07 }, { "de", 0x08 },
	{ "en", 0x09 }, { "es", 0x0A }, { "eo", 0x0B }, { "et", 0x0C },
	{ "eu", 0x0D }, { "fo", 0x0E }, { "fr", 0x0F }, { "fy", 0x10 },
	{ "ga", 0x11 }, { "gd", 0x12 }, { "gl", 0x13 }, { "is", 0x14 },
	{ "it", 0x15 }, { "se", 0x16 }, { "la", 0x17 }, { "lv", 0x18 },
	{ "lb", 0x19 }, { "lt", 0x1A }, { "hu", 0x1B }, { "mt", 0x1C },
	{ "nl", 0x1D }, { "no", 0x1E }, { "nb", 0x1E }, { "nn", 0x1E },
	{ "oc", 0x1F }, { "pl", 0x20 }, { "pt", 0x21 }, { "ro", 0x22 },
	{ "rm", 0x23 }, { "sr", 0x24 }, { "sk", 0x25 }, { "sl", 0x26 },
	{ "fi", 0x27 }, { "sv", 0x28 }, { "tr", 0x29 }, { "zu", 0x45 },
	{ "vi", 0x46 }, { "uz", 0x47 }, { "ur", 0x48 }, { "uk", 0x49 },
	{ "th", 0x4A }, { "te", 0x4B }, { "tt", 0x4C }, { "ta", 0x4D },
	{ "tg", 0x4E }, { "sw", 0x4F }, { "so", 0x51 }, { "si", 0x52 },
	{ "sn", 0x53 }, { "ru", 0x56 }, { "qu", 0x57 }, { "ps", 0x58 },
	{ "pa", 0x59 }, { "fa", 0x5A }, { "or", 0x5C }, { "ne", 0x5D },
	{ "mr", 0x5F }, { "ms", 0x61 }, { "mg", 0x62 }, { "mk", 0x63 },
	{ "lo", 0x64 }, { "ko", 0x65 }, { "km", 0x66 }, { "kk", 0x67 },
	{ "kn", 0x68 }, { "ja", 0x69 }, { "id", 0x6A }, { "hi", 0x6B },
	{ "he", 0x6C }, { "ha", 0x6D }, { "gn", 0x6E }, { "gu", 0x6F },
	{ "el", 0x70 }, { "ka", 0x71 }, { "ff", 0x72 }, { "zh", 0x75 },
	{ "my", 0x76 }, { "bg", 0x77 }, { "bn", 0x78 }, { "be", 0x79 },
	{ "bm", 0x7A }, { "az", 0x7B }, { "as", 0x7C }, { "hy", 0x7D },
	{ "ar", 0x7E }, { "am", 0x7F },
};

int pm_language_code(const char *iso)
{
	size_t i;

	for (i = 0; i < PM_ARRAY_SIZE(languages); i++)
		if (strcmp(languages[i].iso, iso) == 0)
			return (int)languages[i].ebu;
	return -1;
}

/* EBU Tech 3264 language codes and their names in English. */
static const struct {
	unsigned ebu;
	const char *name;
} language_names[] = {
	{ 0x01, "Albanian" }, { 0x02, "Breton" }, { 0x03, "Catalan" },
	{ 0x04, "Croatian" }, { 0x05, "Welsh" }, { 0x06, "Czech" },
	{ 0x07, "Danish" }, { 0x08, "German" }, { 0x09, "English" },
	{ 0x0A, "Spanish" }, { 0x0B, "Esperanto" }, { 0x0C, "Estonian" },
	{ 0x0D, "Basque" }, { 0x0E, "Faroese" }, { 0x0F, "French" },
	{ 0x10, "Frisian" }, { 0x11, "Irish" }, { 0x12, "Gaelic" },
	{ 0x13, "Galician" }, { 0x14, "Icelandic" }, { 0x15, "Italian" },
	{ 0x16, "Sami" }, { 0x17, "Latin" }, { 0x18, "Latvian" },
	{ 0x19, "Luxembourgish" }, { 0x1A, "Lithuanian" },
	{ 0x1B, "Hungarian" }, { 0x1C, "Maltese" }, { 0x1D, "Dutch" },
	{ 0x1E, "Norwegian" }, { 0x1F, "Occitan" }, { 0x20, "Polish" },
	{ 0x21, "Portuguese" }, { 0x22, "Romanian" }, { 0x23, "Romansh" },
	{ 0x24, "Serbian" }, { 0x25, "Slovak" }, { 0x26, "Slovenian" },
	{ 0x27, "Finnish" }, { 0x28, "Swedish" }, { 0x29, "Turkish" },
	{ 0x45, "Zulu" }, { 0x46, "Vietnamese" }, { 0x47, "Uzbek" },
	{ 0x48, "Urdu" }, { 0x49, "Ukrainian" }, { 0x4A, "Thai" },
	{ 0x4B, "Telugu" }, { 0x4C, "Tatar" }, { 0x4D, "Tamil" },
	{ 0x4E, "Tajik" }, { 0x4F, "Swahili" }, { 0x51, "Somali" },
	{ 0x52, "Sinhala" }, { 0x53, "Shona" }, { 0x56, "Russian" },
	{ 0x57, "Quechua" }, { 0x58, "Pashto" }, { 0x59, "Punjabi" },
	{ 0x5A, "Persian" }, { 0x5C, "Oriya" }, { 0x5D, "Nepali" },
	{ 0x5F, "Marathi" }, { 0x61, "Malay" }, { 0x62, "Malagasy" },
	{ 0x63, "Macedonian" }, { 0x64, "Lao" }, { 0x65, "Korean" },
	{ 0x66, "Khmer" }, { 0x67, "Kazakh" }, { 0x68, "Kannada" },
	{ 0x69, "Japanese" }, { 0x6A, "Indonesian" }, { 0x6B, "Hindi" },
	{ 0x6C, "Hebrew" }, { 0x6D, "Hausa" }, { 0x6E, "Guarani" },
	{ 0x6F, "Gujarati" }, { 0x70, "Greek" }, { 0x71, "Georgian" },
	{ 0x72, "Fulani" }, { 0x75, "Chinese" }, { 0x76, "Burmese" },
	{ 0x77, "Bulgarian" }, { 0x78, "Bengali" }, { 0x79, "Belarusian" },
	{ 0x7A, "Bambara" }, { 0x7B, "Azerbaijani" }, { 0x7C, "Assamese" },
	{ 0x7D, "Armenian" }, { 0x7E, "Arabic" }, { 0x7F, "Amharic" },
};

const char *pm_language_name(unsigned ebu)
{
	size_t i;

	for (i = 0; i < PM_ARRAY_SIZE(language_names); i++)
		if (language_names[i].ebu == ebu)
			return language_names[i].name;
	return NULL;
}

const char *pm_language_iso(unsigned ebu)
{
	size_t i;

	for (i = 0; i < PM_ARRAY_SIZE(languages); i++)
		if (languages[i].ebu == ebu)
			return languages[i].iso;
	return NULL;
}

/* The CD-TEXT genre codes, by the tokens album.xsd uses. */
static const char *const genres[] = {
	NULL, "undefined", "adult-contemporary", "alternative-rock",
	"childrens", "classical", "contemporary-christian", "country",
	"dance", "easy-listening", "erotic", "folk", "gospel", "hip-hop",
	"jazz", "latin", "musical", "new-age", "opera", "operetta", "pop",
	"rap", "reggae", "rock", "rhythm-and-blues", "sound-effects",
	"soundtrack", "spoken-word", "world-music",
};

const char *pm_genre_token(unsigned code)
{
	return code > 0 && code < PM_ARRAY_SIZE(genres) ? genres[code] : NULL;
}

int pm_genre_code(const char *token)
{
	size_t i;

	for (i = 1; i < PM_ARRAY_SIZE(genres); i++)
		if (strcmp(genres[i], token) == 0)
			return (int)i;
	return -1;
}

enum pm_severity pm_rule_severity(const struct pm_album *a, const char *id,
				  enum pm_severity dflt, double *value)
{
	size_t i;

	for (i = 0; i < a->nrules; i++) {
		if (strcmp(a->rules[i].id, id) != 0)
			continue;
		if (value && a->rules[i].has_value)
			*value = a->rules[i].value;
		return a->rules[i].has_severity ? a->rules[i].severity : dflt;
	}
	return dflt;
}

double pm_album_seconds(const struct pm_album *a)
{
	double s = 0;

	for (size_t i = 0; i < a->ntracks; i++)
		if (a->tracks[i].source.info.rate)
			s += (double)pm_source_length(&a->tracks[i].source) /
			     a->tracks[i].source.info.rate;
	if (a->htoa.is_set && a->htoa.source.info.rate)
		s += (double)pm_source_length(&a->htoa.source) /
		     a->htoa.source.info.rate;
	return s;
}
