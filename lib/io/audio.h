/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio.h: reading and writing audio files.  The only module that includes
 * libsndfile; nothing of SNDFILE or SF_INFO escapes it.  Samples are
 * interleaved; positions and counts are in sample frames (one sample per
 * channel), suffixed _samples as everywhere in premaster.
 */
#ifndef PM_AUDIO_H
#define PM_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* The file formats premaster writes (album.xml's format attribute). */
enum pm_format {
	PM_FORMAT_WAV = 0,
	PM_FORMAT_FLAC,
	PM_FORMAT_AIFF,
	PM_FORMAT_OGG,
	PM_FORMAT_OPUS,
	PM_FORMAT_MP3,
};
#define PM_NFORMATS (PM_FORMAT_MP3 + 1)

/* Each format's name as album.xml writes it ("wav", "flac", ...). */
extern const char *const pm_format_names[PM_NFORMATS];

/* The name of `f` as album.xml writes it. */
const char *pm_format_name(enum pm_format f);

/* The file extension of a format ("wav", "flac", "aif", "ogg", ...). */
const char *pm_format_ext(enum pm_format format);

struct pm_audio_info {
	uint32_t rate;
	unsigned channels;
	int64_t length_samples; /* frames there are to read */
	/*
	 * Frames the file says it holds: a WAV's data chunk, an AIFF's COMM
	 * chunk, a lossy stream's last granule position.  More than
	 * length_samples when the file is cut short (or its header lies);
	 * length_samples where the format says nothing else.
	 */
	int64_t header_samples;
	unsigned bits;  /* 8, 16, 24, 32 for PCM; 0 for float or lossy */
	bool is_float;  /* 32- or 64-bit float samples */
	bool is_lossy;  /* Ogg Vorbis, Opus, MP3 */
	bool is_extensible; /* WAVE_FORMAT_EXTENSIBLE (or RF64): some
			       distributors refuse it */
	char format[16]; /* "wav", "aiff", "flac", "ogg", "opus", "mp3", ... */
};

/* Tags read from a file (for init); each NULL when absent; owned. */
struct pm_audio_tags {
	char *title;
	char *artist;
	char *album;
};

struct pm_audio_reader;

/*
 * Open `path` for reading and describe it in `info`.  Returns a reader to
 * close with pm_audio_close(), or NULL with `err` set: PM_ENOINPUT when the
 * file is missing or unreadable, PM_EFORMAT when it is not audio we can
 * decode.
 */
struct pm_audio_reader *pm_audio_open(const char *path,
				      struct pm_audio_info *info,
				      struct pm_err *err);

/*
 * Open, describe, close.  A lossy file is decoded to the end, so that
 * length_samples is what it decodes to, not what its last granule
 * position claims (header_samples).  Returns 0 or -1 with `err` as
 * pm_audio_open(), PM_EIO when decoding fails, PM_EINTR when interrupted.
 */
int pm_audio_probe(const char *path, struct pm_audio_info *info,
		   struct pm_err *err);

/* What a reader does with a sample that is NaN or infinite. */
enum pm_nonfinite {
	PM_NONFINITE_REFUSE = 0, /* fail the read: PM_EFORMAT */
	PM_NONFINITE_ZERO,       /* make it 0 and warn, once per reader */
	PM_NONFINITE_KEEP,       /* deliver it as it is: for a caller that
				    counts them itself (verify) */
};

/*
 * Set what `r` does with non-finite samples (only float files can hold
 * them); the default is PM_NONFINITE_REFUSE.  The refusal names the
 * first such sample's frame, time and channel.
 */
void pm_audio_set_nonfinite(struct pm_audio_reader *r, enum pm_nonfinite how);

/*
 * Read up to `n_samples` frames as interleaved floats at full scale +-1.0
 * into `buf` (n_samples * channels floats).  Integer PCM converts exactly
 * (16- and 24-bit values are exact in float).  Returns the number of
 * frames read, 0 at the end, or -1 with `err` (PM_EIO; PM_EFORMAT for a
 * non-finite sample, see pm_audio_set_nonfinite).
 */
int64_t pm_audio_read(struct pm_audio_reader *r, float *buf,
		      int64_t n_samples, struct pm_err *err);

/*
 * Read up to `n_samples` frames as 16-bit integers.  16-bit PCM files come
 * back bit for bit; other formats are rounded and clipped.  Returns frames
 * read, 0 at the end, or -1 with `err`.
 */
int64_t pm_audio_read_s16(struct pm_audio_reader *r, int16_t *buf,
			  int64_t n_samples, struct pm_err *err);

/* Move to frame `pos_samples`.  Returns 0 or -1 with `err`. */
int pm_audio_seek(struct pm_audio_reader *r, int64_t pos_samples,
		  struct pm_err *err);

/* Close a reader; NULL is a no-op. */
void pm_audio_close(struct pm_audio_reader *r);

/* Read the title/artist/album tags of `path`.  Returns 0 or -1. */
int pm_audio_read_tags(const char *path, struct pm_audio_tags *tags,
		       struct pm_err *err);

/* Free the strings of `tags` (not the struct). */
void pm_audio_tags_release(struct pm_audio_tags *tags);

/* How a lossy encoder spends its bits (MP3; Opus and Vorbis are VBR). */
enum pm_bitrate_mode {
	PM_BITRATE_DEFAULT = 0, /* the format's own: CBR for MP3 */
	PM_BITRATE_CBR,
	PM_BITRATE_ABR,
	PM_BITRATE_VBR,
};
#define PM_NBITRATE_MODES (PM_BITRATE_VBR + 1)

/* "default", "cbr", "abr", "vbr". */
extern const char *const pm_bitrate_mode_names[PM_NBITRATE_MODES];

/*
 * Lossy encoder settings, in each codec's own terms:
 *  - MP3: CBR or ABR at `kbps` (32..320 for MPEG-1 rates), or VBR at
 *    LAME level `quality` 0 (best) .. 9;
 *  - Opus: a VBR target of `kbps` for the stereo pair (12..512);
 *  - Ogg Vorbis: oggenc's `quality` 0 .. 10 (best), or a nominal `kbps`
 *    turned into the quality that aims at it.
 * Unset values leave the encoder's own default.
 */
struct pm_encoder {
	enum pm_bitrate_mode mode;
	bool has_kbps, has_quality;
	double kbps;
	double quality;
};

/* What to write. */
struct pm_audio_spec {
	enum pm_format format;
	uint32_t rate;
	unsigned channels;
	unsigned bits; /* 16, 24, 32 (integer PCM) or 0 for 32-bit float */
	struct pm_encoder enc; /* lossy formats only */
};

/*
 * The BWF Broadcast Audio Extension chunk (EBU Tech 3285 v2) of a WAV
 * file.  Strings are ASCII and cut to their fields (256, 32, 32 bytes);
 * NULL leaves a field empty.  The loudness fields are filled in by
 * pm_audio_set_loudness() once the audio is written.
 */
struct pm_bext {
	const char *description;
	const char *originator;
	const char *originator_ref;
	const char *date; /* "YYYY-MM-DD" */
	const char *time; /* "HH:MM:SS" */
	const char *coding_history; /* one line, without its CR LF */
	uint64_t time_reference;    /* samples since midnight */
};

/* The loudness of a file as bext version 2 carries it: LUFS, LU, dBTP.
 * A value that is not finite is written as "not measured" (0x7FFF). */
struct pm_bext_loudness {
	double integrated_lufs;
	double range_lu;
	double max_true_peak_dbtp;
	double max_momentary_lufs;
	double max_shortterm_lufs;
};

/* A marker in a WAV file's cue chunk. */
struct pm_audio_cue {
	uint32_t id;         /* unique, from 1 */
	int64_t pos_samples; /* where it points, in frames from the start */
};

/* Metadata to embed where the container allows it. */
struct pm_audio_meta {
	const char *title;
	const char *artist;
	const char *album;
	const char *date;
	const char *genre;
	const char *copyright;
	const char *comment;
	const char *tracknumber; /* "3" or "3/12" */
	const char *software;
	const struct pm_bext *bext;     /* WAV: a bext chunk, or NULL */
	const struct pm_audio_cue *cues; /* WAV: markers (at most 100) */
	size_t ncues;
};

struct pm_audio_writer;

/*
 * Create `path` for writing.  WAV files are always written with format
 * tag 0x0001 (PCM) or 0x0003 (float), never WAVE_FORMAT_EXTENSIBLE, and
 * with nothing time-dependent in them (no PEAK chunk timestamps), so the
 * same samples give the same bytes.  The file is written where asked; use
 * util/outdir for atomic replacement.  Returns a writer, or NULL with `err`
 * (PM_ECREATE, PM_EUNSUPPORTED).
 */
struct pm_audio_writer *pm_audio_create(const char *path,
					const struct pm_audio_spec *spec,
					const struct pm_audio_meta *meta,
					struct pm_err *err);

/*
 * Write `n_samples` frames of interleaved floats.  Integer formats are
 * rounded to the nearest step and clipped; no dither is added (callers
 * dither: see dsp/dither).  Returns 0 or -1 with `err` (PM_EIO).
 */
int pm_audio_write(struct pm_audio_writer *w, const float *buf,
		   int64_t n_samples, struct pm_err *err);

/* Write 16-bit integer frames (the CD path).  Returns 0 or -1. */
int pm_audio_write_s16(struct pm_audio_writer *w, const int16_t *buf,
		       int64_t n_samples, struct pm_err *err);

/*
 * Set the loudness fields of the bext chunk that pm_audio_meta asked for
 * (no-op without one); they are written when the file is finished.
 */
void pm_audio_set_loudness(struct pm_audio_writer *w,
			   const struct pm_bext_loudness *l);

/*
 * Finish and close a writer.  Returns 0, or -1 with `err` if the file
 * could not be completed (then it should be discarded).  NULL is a no-op.
 */
int pm_audio_finish(struct pm_audio_writer *w, struct pm_err *err);

/* What a WAV file's bext chunk says, read back (for tests and verify). */
struct pm_bext_read {
	char description[257];
	char originator[33];
	char originator_ref[33];
	char date[11];
	char time[9];
	unsigned version;
	/* the loudness fields as stored: hundredths of a LUFS/LU/dBTP, or
	 * 0x7FFF when not measured */
	int loudness_value, loudness_range, max_true_peak, max_momentary,
		max_shortterm;
	char coding_history[1024];
};

/*
 * Read the bext chunk of the WAV file at `path`.  Returns 1 when it has
 * one, 0 when it has none, -1 with `err` when it cannot be read.
 */
int pm_audio_read_bext(const char *path, struct pm_bext_read *b,
		       struct pm_err *err);

/*
 * Read the positions of the WAV file's cue markers into `pos` (at most
 * `max`, in file order).  Returns how many there are, or -1 with `err`.
 */
int pm_audio_read_cues(const char *path, int64_t *pos, size_t max,
		       struct pm_err *err);

/* Whether this libsndfile can write `format` (Opus and MP3 vary). */
bool pm_audio_can_write(enum pm_format format);

/* Tests only: false makes the raw 24-bit conversions take their scalar
 * loops even where AVX2 is there (true, the default: use it). */
void pm_audio_use_vector(bool on);

#endif
