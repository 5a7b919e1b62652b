/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * album.h: the album description, what schemas/album.xsd allows, as plain
 * C.  Nothing from libxml2 escapes album/xml.c.  All strings are UTF-8 and
 * owned by the album.  Every element keeps the line it came from, so that
 * later checks can report "FILE:LINE: message".
 */
#ifndef PM_ALBUM_H
#define PM_ALBUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/audio.h"
#include "util/err.h"
#include "util/parse.h"

#define PM_ALBUM_NS "urn:x-premaster:album:1"
#define PM_ALBUM_VERSION "1"
/* album.xml files larger than this are refused before parsing */
#define PM_ALBUM_MAX_BYTES (4u << 20)

/* Text fields, in the order of the CD-TEXT pack types 0x80..0x85. */
enum pm_field {
	PM_FIELD_TITLE = 0,
	PM_FIELD_PERFORMER,
	PM_FIELD_SONGWRITER,
	PM_FIELD_COMPOSER,
	PM_FIELD_ARRANGER,
	PM_FIELD_MESSAGE,
	PM_NFIELDS
};

/* The XML element name of each field ("title", "artist", ...). */
extern const char *const pm_field_element[PM_NFIELDS];

/* One string of a field in one language; lang NULL is the default. */
struct pm_text {
	char *lang;
	char *value;
	int line;
};

struct pm_texts {
	size_t n;
	struct pm_text *v; /* array of n, owned */
};

/*
 * The value of a field in `lang` (NULL: the default, unlabelled one).
 * With `fallback`, a missing language falls back to the default.
 * Returns a borrowed string or NULL.
 */
const char *pm_texts_get(const struct pm_texts *t, const char *lang,
			 bool fallback);

enum pm_fade_shape {
	PM_SHAPE_LINEAR = 0,
	PM_SHAPE_EQUAL_POWER,
	PM_SHAPE_LOG,
	PM_SHAPE_SCURVE,
};
#define PM_NSHAPES (PM_SHAPE_SCURVE + 1)

struct pm_fade {
	bool is_set;
	struct pm_time length;
	enum pm_fade_shape shape;
	int line;
};

/* A segue with the previous track: the two overlap by `length`. */
struct pm_crossfade {
	bool is_set;
	struct pm_time length;
	enum pm_fade_shape shape;
	/* where this track's ID lands, from the start of the overlap */
	struct pm_time id_at;
	bool has_id_at; /* unset: the middle of the overlap */
	int line;
};

/* An index mark 02..99, relative to the track's INDEX 01. */
struct pm_index {
	struct pm_time at;
	int line;
};

enum pm_eq_type {
	PM_EQ_HIGHPASS = 0,
	PM_EQ_LOWPASS,
	PM_EQ_LOW_SHELF,
	PM_EQ_HIGH_SHELF,
	PM_EQ_PEAK,
};
#define PM_NEQ_TYPES (PM_EQ_PEAK + 1)

struct pm_eq_band {
	enum pm_eq_type type;
	double freq_hz;
	double gain_db; /* shelves and peaks */
	double q;       /* 0.7071 by default */
	unsigned order; /* 2 or 4 for the passes; 2 otherwise */
	bool linear_phase; /* phase="linear": a highpass (dsp/linhp.h) */
	int line;
};

struct pm_eq {
	size_t nbands;
	struct pm_eq_band *bands; /* owned */
};

/* What the audio file says about itself (filled by pm_album_probe). */
struct pm_source_info {
	bool probed;
	uint32_t rate;
	unsigned channels;
	unsigned bits; /* 16, 24, 32; 0 for lossy or float sources */
	bool is_float;
	int64_t length_samples; /* what there is to read (see check.c) */
	int64_t header_samples; /* what the header says there should be */
	char format[16]; /* "wav", "aiff", "flac", "ogg", ... */
};

/* An audio source and the part of it used. */
struct pm_source {
	char *file; /* as written in album.xml */
	char *path; /* resolved against the album's directory */
	struct pm_time in;  /* trim: first sample used (default 0) */
	struct pm_time out; /* trim: one past the last (unset: the end) */
	/* non-finite="zero": NaN and Inf samples become silence, with a
	 * warning (the default refuses them) */
	bool nonfinite_zero;
	/* truncated="accept": a file shorter than its header says is used
	 * as it is, with a warning (the default refuses it) */
	bool accept_truncated;
	int line;
	struct pm_source_info info;
};

/*
 * <repair>: 0 is "not said" (a track then takes the album's, the album
 * means off).  clicks, clipping: PM_REPAIR_OFF or PM_REPAIR_ON; hum: off,
 * PM_REPAIR_AUTO, 50 or 60; noise: off, auto or PM_REPAIR_DB (noise_db).
 */
enum { PM_REPAIR_UNSET = 0, PM_REPAIR_OFF, PM_REPAIR_ON, PM_REPAIR_AUTO,
       PM_REPAIR_DB };

/* The most noise="dB" may ask for: beyond it the music thins audibly */
#define PM_REPAIR_NOISE_MAX_DB 30.0

struct pm_repair {
	int clicks, clipping, hum, noise;
	double noise_db;
	int line; /* 0: absent */
};

/* Per-track adjustments to the shared mastering chain. */
struct pm_track_master {
	double gain_db;
	struct pm_eq eq;
};

struct pm_track {
	char *id;
	int line;
	struct pm_source source;
	struct pm_texts text[PM_NFIELDS];
	char isrc[13]; /* normalised; "" when none */
	int isrc_line;
	double gain_db; /* gain trim before anything else */
	struct pm_fade fade_in, fade_out;
	bool has_gap;
	struct pm_time gap; /* pause (index 00) before this track */
	bool gap_in_source; /* the pause is the source's first `gap`, not
			       added silence */
	int gap_line;
	struct pm_crossfade xfade;
	struct pm_fade edge_fade; /* <edge-fade>; unset: the album's */
	size_t nindexes;
	struct pm_index *indexes; /* index 02.., owned */
	bool pre_emphasis, copy_permitted, scms;
	int flags_line;
	struct pm_track_master master;
	struct pm_repair repair;
};

/* Hidden track one audio: audio in track 1's pregap. */
struct pm_htoa {
	bool is_set;
	int line;
	struct pm_source source;
	struct pm_texts title;
	double gain_db;
	struct pm_fade fade_in, fade_out;
};

enum pm_detect { PM_DETECT_RMS = 0, PM_DETECT_PEAK };

struct pm_comp_band {
	double threshold_db, ratio, knee_db, attack_ms, release_ms, makeup_db;
};

struct pm_compressor {
	bool enabled;
	struct pm_comp_band band[3]; /* [0] is the only one with nbands 1 */
	unsigned nbands;             /* 1 or 3 */
	double xover_low_hz, xover_high_hz;
	enum pm_detect detect;
	bool stereo_link;
	int line;
};

struct pm_limiter {
	bool enabled;
	double lookahead_ms;
	double release_ms;
	unsigned oversampling; /* 4 or 8 */
	int line;
};

enum pm_loudness_mode {
	PM_LOUDNESS_ALBUM = 0,
	PM_LOUDNESS_TRACK,
	PM_LOUDNESS_ANCHOR,
};

struct pm_loudness {
	enum pm_loudness_mode mode;
	bool has_target;
	double target_lufs;
	bool has_ceiling;
	double ceiling_dbtp;
	char *anchor; /* track id, for anchor mode */
	bool loudest_track; /* AES TD1008: the loudest track meets the target */
	/* the most a source's level may move on its way to a target, gain
	 * and limiting together, in either direction (30 dB) */
	double max_gain_db;
	int line;
};

enum pm_tone_mode { PM_TONE_OFF = 0, PM_TONE_REPORT, PM_TONE_MATCH };

struct pm_tone {
	enum pm_tone_mode mode;
	char *reference;      /* as written, or NULL */
	char *reference_path; /* resolved */
	double max_db;        /* 3 by default, never above 3 */
	int line;
};

struct pm_mastering {
	/* no chain at all: every target gets the sources at unity gain */
	bool pass_through;
	int line; /* of <mastering>; 0 when absent */
	struct pm_eq eq;
	struct pm_compressor comp;
	double width; /* side gain; 1 leaves the image alone */
	struct pm_limiter limiter;
	struct pm_loudness loudness;
	struct pm_tone tone;
	struct pm_fade edge_fade; /* <edge-fade>; unset: the default */
	struct pm_repair repair;
};

enum pm_gap_policy {
	PM_GAPS_APPEND = 0, /* a track's file ends where the next one starts */
	PM_GAPS_PREPEND,    /* a track's file starts with its own pause */
	PM_GAPS_SPLIT,      /* pauses are files of their own */
	PM_GAPS_NONE,       /* pauses are left out */
};
#define PM_NGAP_POLICIES (PM_GAPS_NONE + 1)

enum pm_dither { PM_DITHER_TPDF = 0, PM_DITHER_SHAPED, PM_DITHER_NONE };

enum pm_charset {
	PM_CHARSET_ISO8859_1 = 0,
	PM_CHARSET_ASCII,
	PM_CHARSET_MSJIS,
};
#define PM_NCHARSETS (PM_CHARSET_MSJIS + 1)

enum pm_xfade_peaks { PM_XFADE_LIMIT = 0, PM_XFADE_REFUSE };

struct pm_cdtext_block {
	char *lang; /* ISO 639-1 code as written: "en", "de", ... */
	unsigned lang_code; /* EBU Tech 3264 code */
	enum pm_charset charset;
	int line;
};

struct pm_cd {
	bool enabled;
	bool want_ddp, want_cue, want_toc, want_pq_sheet, want_crc32;
	struct pm_time pregap; /* track 1 pause, >= 2 s */
	unsigned preroll_frames; /* IDs this many frames before the audio */
	bool has_ceiling;
	double ceiling_dbtp; /* overrides the "cd" target table entry */
	bool has_target;
	double target_lufs;
	enum pm_dither dither;
	struct pm_time warn_length;
	struct pm_time max_length;
	enum pm_gap_policy track_gaps;
	enum pm_xfade_peaks xfade_peaks;
	/* CD-TEXT */
	bool cdtext;
	bool transliterate;
	bool copyright;
	char *disc_id;
	size_t nblocks;
	struct pm_cdtext_block *blocks; /* 1..8, owned; the first holds
					   the unlabelled strings */
	int line;
};

struct pm_vinyl_side {
	char *name;
	size_t ntracks;
	size_t *tracks; /* indexes into album->tracks, owned */
	int line;
};

struct pm_vinyl {
	bool enabled;
	unsigned size_in;   /* 7, 10 or 12 */
	unsigned speed_rpm; /* 33 or 45 (33 1/3 is written 33) */
	struct pm_time gap;
	double lf_mono_hz;
	bool has_target, has_ceiling;
	double target_lufs, ceiling_dbtp;
	uint32_t rate; /* Hz; 0: each track's own; 1: the album's */
	unsigned bits;
	size_t nsides;
	struct pm_vinyl_side *sides; /* owned */
	int line;
};

struct pm_stream {
	char *name;   /* directory name under streaming/ */
	char *preset; /* row of the target table; defaults to name */
	bool has_target, has_ceiling, has_format, has_bits, has_rate, has_gaps;
	double target_lufs, ceiling_dbtp;
	enum pm_format format;
	unsigned bits;
	uint32_t rate; /* Hz; 0: each track's own; 1: the album's */
	enum pm_gap_policy gaps;
	/* lossy encoder settings that override the preset's; mode
	 * PM_BITRATE_DEFAULT and the has_ flags false leave them */
	struct pm_encoder enc;
	int line;
};

enum pm_severity { PM_SEV_ERROR = 0, PM_SEV_WARNING, PM_SEV_IGNORE };

struct pm_rule {
	char *id;
	bool has_severity;
	enum pm_severity severity;
	bool has_value;
	double value;
	int line;
};

struct pm_release {
	struct pm_texts text[PM_NFIELDS];
	char *label;
	char *catalog;
	char upc[14]; /* normalised EAN-13; "" when none */
	int upc_line;
	char *release_date; /* YYYY-MM-DD */
	char *genre;
	unsigned genre_code; /* CD-TEXT genre code; 0 unused */
	char *p_line;
	unsigned p_year;
	char *c_line;
	unsigned c_year;
	char *master_id;
	/* for the PQ sheet: who ordered the discs, who mastered them, and
	 * anything the plant should know; NULL when not given */
	char *customer;
	char *engineer;
	char *notes;
};

struct pm_album {
	char *path;    /* the album.xml path as given */
	char *basedir; /* its directory: sources resolve against it */
	struct pm_release release;
	struct pm_htoa htoa;
	size_t ntracks;
	struct pm_track *tracks; /* owned */
	struct pm_mastering mastering;
	struct pm_cd cd;
	struct pm_vinyl vinyl;
	size_t nstreams;
	struct pm_stream *streams; /* owned */
	size_t nrules;
	struct pm_rule *rules; /* owned */
};

/*
 * Read and validate the album description at `path` against the schema
 * at `schema_path`, or the copy of schemas/album.xsd built into the
 * program if that is NULL.  Parsing never touches the network, never
 * loads a DTD, never expands external entities or XIncludes, and refuses
 * files over PM_ALBUM_MAX_BYTES.  Then checks the rules the schema cannot
 * express (unique ISRCs, check digits, ...), except those that need the
 * audio (see pm_album_probe).
 *
 * Each problem is logged at PM_LOG_ERROR as "FILE:LINE: message"; the
 * return value summarises.  Returns a new album, to be released with
 * pm_album_free(), or NULL with `err` set to PM_ENOINPUT (cannot read),
 * PM_EFORMAT (not well-formed XML), PM_ESCHEMA (invalid) or PM_ENOMEM.
 */
struct pm_album *pm_album_load(const char *path, const char *schema_path,
			       struct pm_err *err);

/*
 * Open every source's header (and the tone reference's), fill its
 * pm_source_info and check the rules that need it: trims, fades, gaps,
 * crossfades and index marks within the audio, rates and channels we
 * can handle.  Problems are logged as "FILE:LINE: message".  Returns 0,
 * or -1 with `err` set (PM_ENOINPUT for a missing source, PM_ESCHEMA for
 * a rule).
 */
int pm_album_probe(struct pm_album *album, struct pm_err *err);

/*
 * pm_album_load() then pm_album_probe(): what every tool does first.
 * Returns the album or NULL with `err`.
 */
struct pm_album *pm_album_open(const char *path, struct pm_err *err);

/* Release an album and everything it owns.  NULL is a no-op. */
void pm_album_free(struct pm_album *album);

/* Fill `album` with the defaults the schema documents (for init). */
void pm_album_defaults(struct pm_album *album);

#define PM_DISC ((size_t)-1)

/*
 * The CD-TEXT string of field `f` in block `blk` of album->cd.blocks for
 * track `track` (0-based) or the disc (PM_DISC), in UTF-8: the text in the
 * block's language, else the unlabelled text; for a track's performer,
 * songwriter, composer and arranger, else the album's by the same rule.
 * Returns a borrowed string, or NULL when the field is not set.  Needs
 * the blocks album/check.c fills in (at least one).
 */
const char *pm_album_cdtext(const struct pm_album *album, size_t blk,
			    enum pm_field f, size_t track);

/*
 * The severity album.xml gives verify rule `id` (its default when the
 * album does not mention it), and its value through *value when set.
 */
enum pm_severity pm_rule_severity(const struct pm_album *album,
				  const char *id, enum pm_severity dflt,
				  double *value);

/* The track with `id`, or NULL. */
struct pm_track *pm_album_track(const struct pm_album *album, const char *id);

/*
 * The used length of a track's source in its own samples (trims
 * applied).  Needs pm_album_probe().
 */
int64_t pm_source_length(const struct pm_source *src);

/*
 * The album's audio in seconds: every track's source as trimmed, and the
 * hidden track's (progress estimates).  Needs pm_album_probe().
 */
double pm_album_seconds(const struct pm_album *album);

/* The schema built into the program, and its length. */
extern const unsigned char pm_album_xsd[];
extern const size_t pm_album_xsd_len;

/* Names of enum values as written in album.xml, indexed by value. */
extern const char *const pm_shape_names[PM_NSHAPES];
extern const char *const pm_gap_names[PM_NGAP_POLICIES];
extern const char *const pm_charset_names[PM_NCHARSETS];
extern const char *const pm_eq_names[PM_NEQ_TYPES];
const char *pm_gap_policy_name(enum pm_gap_policy p);
const char *pm_charset_name(enum pm_charset c);

/*
 * The EBU Tech 3264 language code for an ISO 639-1 code ("en" -> 0x09),
 * or -1 when unknown.
 */
int pm_language_code(const char *iso639);

/* The English name of EBU Tech 3264 language `code` ("English" for
 * 0x09), or NULL when the code is not one of CD-TEXT's. */
const char *pm_language_name(unsigned code);

/* The ISO 639-1 code for an EBU Tech 3264 code (0x09 -> "en"), or NULL
 * (0x1E, Norwegian, is "no"). */
const char *pm_language_iso(unsigned ebu);

/* The CD-TEXT genre code for a genre token ("rock" -> 23), or -1. */
int pm_genre_code(const char *token);

/* The genre token for a CD-TEXT genre code (23 -> "rock"), or NULL. */
const char *pm_genre_token(unsigned code);

#endif
