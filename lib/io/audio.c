/* SPDX-License-Identifier: GPL-3.0-or-later */
/* audio.c: audio file I/O.  The only file that includes libsndfile. */
#include <config.h>

#include "io/audio.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sndfile.h>

#include "util/log.h"
#include "util/outdir.h"
#include "util/parse.h"
#include "util/simd.h"

#if PM_HAVE_AVX2
#include <immintrin.h>
#endif

#include "util/banned.h"

const char *const pm_format_names[PM_NFORMATS] = {
	[PM_FORMAT_WAV] = "wav",   [PM_FORMAT_FLAC] = "flac",
	[PM_FORMAT_AIFF] = "aiff", [PM_FORMAT_OGG] = "ogg",
	[PM_FORMAT_OPUS] = "opus", [PM_FORMAT_MP3] = "mp3",
};

const char *pm_format_name(enum pm_format f)
{
	return pm_format_names[f];
}

const char *pm_format_ext(enum pm_format f)
{
	return f == PM_FORMAT_AIFF ? "aif" : pm_format_names[f];
}

/*
 * The fast paths move the sample bytes of uncompressed files with
 * sf_read_raw()/sf_write_raw() in chunks of this size and convert them
 * here: one system call per 64 KiB (the size that copies fastest through
 * the page cache here) and conversions that compilers vectorise, instead
 * of libsndfile's 8 KiB steps.  The conversions are the ones libsndfile
 * makes (x / 2^(bits - 1) on reading; quantise() on writing), so the
 * samples are the same bit for bit.
 */
#define RAW_CHUNK_BYTES 65536

/* How a reader or writer moves samples: through libsndfile, or raw. */
enum raw_kind { RAW_NONE = 0, RAW_S16, RAW_S24, RAW_FLOAT };

struct pm_audio_reader {
	SNDFILE *sf;
	SF_INFO info;
	const char *path; /* borrowed for messages */
	char *path_copy;
	enum raw_kind raw;
	bool big_endian;    /* raw samples are stored big-endian */
	unsigned char *buf; /* RAW_CHUNK_BYTES for the integer kinds */
	int64_t pos;        /* the next frame to read */
	bool is_float;      /* only float files can hold NaN and Inf */
	enum pm_nonfinite nonfinite;
	bool warned;        /* PM_NONFINITE_ZERO said so already */
};

struct pm_audio_writer {
	SNDFILE *sf;
	SF_INFO info;
	char *path;
	unsigned bits;
	int32_t *scratch; /* quantised samples for integer targets */
	enum raw_kind raw;
	unsigned char *buf; /* RAW_CHUNK_BYTES of packed samples */
	SF_BROADCAST_INFO *bext; /* as set before the audio, or NULL */
	bool bext_dirty;         /* loudness to write at the end */
};

const char *const pm_bitrate_mode_names[PM_NBITRATE_MODES] = {
	[PM_BITRATE_DEFAULT] = "default", [PM_BITRATE_CBR] = "cbr",
	[PM_BITRATE_ABR] = "abr",	  [PM_BITRATE_VBR] = "vbr",
};

static const char *major_name(int format)
{
	switch (format & SF_FORMAT_TYPEMASK) {
	case SF_FORMAT_WAV:
	case SF_FORMAT_WAVEX:
	case SF_FORMAT_RF64:
		return "wav";
	case SF_FORMAT_AIFF:
		return "aiff";
	case SF_FORMAT_FLAC:
		return "flac";
	case SF_FORMAT_OGG:
		return (format & SF_FORMAT_SUBMASK) == SF_FORMAT_OPUS ? "opus"
								      : "ogg";
	case SF_FORMAT_MPEG:
		return "mp3";
	case SF_FORMAT_W64:
		return "w64";
	case SF_FORMAT_CAF:
		return "caf";
	default:
		return "other";
	}
}

static void describe(const SF_INFO *si, struct pm_audio_info *info)
{
	memset(info, 0, sizeof(*info));
	info->rate = (uint32_t)si->samplerate;
	info->channels = (unsigned)si->channels;
	info->length_samples = si->frames;
	info->header_samples = si->frames;
	snprintf(info->format, sizeof(info->format), "%s",
		 major_name(si->format));
	info->is_extensible = (si->format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAVEX ||
			      (si->format & SF_FORMAT_TYPEMASK) == SF_FORMAT_RF64;
	switch (si->format & SF_FORMAT_SUBMASK) {
	case SF_FORMAT_PCM_S8:
	case SF_FORMAT_PCM_U8:
		info->bits = 8;
		break;
	case SF_FORMAT_PCM_16:
		info->bits = 16;
		break;
	case SF_FORMAT_PCM_24:
		info->bits = 24;
		break;
	case SF_FORMAT_PCM_32:
		info->bits = 32;
		break;
	case SF_FORMAT_FLOAT:
	case SF_FORMAT_DOUBLE:
		info->is_float = true;
		break;
	default:
		info->is_lossy = true;
		break;
	}
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * The frames a WAV (RIFF, RF64) or AIFF header declares: its data chunk's
 * size over the block size, or the COMM chunk's count; -1 when the header
 * says nothing usable.  libsndfile quietly reads what is there when a
 * file is cut short (or its header claims more than the file holds);
 * this is what the header says it should hold.
 */
static int64_t declared_frames(const char *path, int format)
{
	int major = format & SF_FORMAT_TYPEMASK;
	unsigned char h[12], c[8], b[16];
	uint64_t ds64 = 0;
	unsigned align = 0;
	int64_t ret = -1;
	FILE *f;
	int k;

	if (major != SF_FORMAT_WAV && major != SF_FORMAT_WAVEX &&
	    major != SF_FORMAT_RF64 && major != SF_FORMAT_AIFF)
		return -1;
	f = fopen(path, "rb");
	if (!f)
		return -1;
	if (fread(h, 1, 12, f) != 12)
		goto out;
	if ((memcmp(h, "RIFF", 4) == 0 || memcmp(h, "RF64", 4) == 0) &&
	    memcmp(h + 8, "WAVE", 4) == 0) {
		for (k = 0; k < 256 && fread(c, 1, 8, f) == 8; k++) {
			uint32_t size = get_le32(c + 4);

			if (memcmp(c, "data", 4) == 0) {
				uint64_t bytes = size == 0xFFFFFFFFu && ds64
							 ? ds64
							 : size;

				if (align)
					ret = (int64_t)(bytes / align);
				break;
			}
			if ((memcmp(c, "ds64", 4) == 0 ||
			     memcmp(c, "fmt ", 4) == 0) && size >= 16) {
				if (fread(b, 1, 16, f) != 16)
					break;
				if (c[0] == 'd') /* riff size, then data size */
					ds64 = get_le32(b + 8) |
					       (uint64_t)get_le32(b + 12) << 32;
				else /* nBlockAlign */
					align = (unsigned)b[12] | (unsigned)b[13] << 8;
				size -= 16;
			}
			if (fseek(f, (long)size + (long)(size & 1), SEEK_CUR) != 0)
				break;
		}
	} else if (memcmp(h, "FORM", 4) == 0 &&
		   (memcmp(h + 8, "AIFF", 4) == 0 ||
		    memcmp(h + 8, "AIFC", 4) == 0)) {
		for (k = 0; k < 256 && fread(c, 1, 8, f) == 8; k++) {
			uint32_t size = get_be32(c + 4);

			if (memcmp(c, "COMM", 4) == 0) {
				/* numChannels (2), numSampleFrames (4) */
				if (size >= 6 && fread(b, 1, 6, f) == 6)
					ret = get_be32(b + 2);
				break;
			}
			if (fseek(f, (long)size + (long)(size & 1), SEEK_CUR) != 0)
				break;
		}
	}
out:
	fclose(f);
	return ret;
}

static bool host_is_big_endian(void)
{
	const uint16_t one = 1;
	unsigned char b;

	memcpy(&b, &one, 1);
	return b == 0;
}

/* Which fast path a file of libsndfile `format` can take. */
static enum raw_kind raw_kind_of(int format)
{
	int major = format & SF_FORMAT_TYPEMASK;

	if (major != SF_FORMAT_WAV && major != SF_FORMAT_WAVEX &&
	    major != SF_FORMAT_RF64 && major != SF_FORMAT_AIFF)
		return RAW_NONE;
	switch (format & SF_FORMAT_SUBMASK) {
	case SF_FORMAT_PCM_16:
		return RAW_S16;
	case SF_FORMAT_PCM_24:
		return RAW_S24;
	case SF_FORMAT_FLOAT:
		return RAW_FLOAT;
	default:
		return RAW_NONE;
	}
}

/* libsndfile's messages end with a full stop; ours never do. */
static const char *sf_msg(SNDFILE *sf, char *buf, size_t size)
{
	size_t n;

	snprintf(buf, size, "%s", sf_strerror(sf));
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '.' || buf[n - 1] == ' ' ||
			 buf[n - 1] == '\n'))
		buf[--n] = '\0';
	return buf;
}

struct pm_audio_reader *pm_audio_open(const char *path,
				      struct pm_audio_info *info,
				      struct pm_err *err)
{
	struct pm_audio_reader *r;
	struct stat st;

	if (stat(path, &st) < 0) {
		pm_err_sys(err, PM_ENOINPUT, "cannot open '%s'", path);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		pm_err_set(err, PM_ENOINPUT, "'%s' is not a regular file", path);
		return NULL;
	}
	r = pm_calloc(1, sizeof(*r), err);
	if (!r)
		return NULL;
	r->sf = sf_open(path, SFM_READ, &r->info);
	if (!r->sf) {
		/* sf_strerror(NULL) is the last global error: read it now */
		char why[256];

		pm_err_set(err, errno == EACCES ? PM_ENOINPUT : PM_EFORMAT,
			   "cannot read '%s' as audio: %s", path,
			   sf_msg(NULL, why, sizeof(why)));
		free(r);
		return NULL;
	}
	if (r->info.channels < 1 || r->info.samplerate < 1 ||
	    r->info.frames < 0) {
		pm_err_set(err, PM_EFORMAT, "'%s' has an unusable header", path);
		sf_close(r->sf);
		free(r);
		return NULL;
	}
	/* integer PCM reads back as exact floats in [-1, 1) */
	sf_command(r->sf, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
	r->raw = raw_kind_of(r->info.format);
	if (r->raw != RAW_NONE) {
		bool swap = sf_command(r->sf, SFC_RAW_DATA_NEEDS_ENDSWAP, NULL,
				       0) == SF_TRUE;

		r->big_endian = host_is_big_endian() != swap;
		/* floats are read in place, and only in the host's order */
		if (r->raw == RAW_FLOAT && swap)
			r->raw = RAW_NONE;
		else if (r->raw != RAW_FLOAT)
			r->buf = malloc(RAW_CHUNK_BYTES);
		if (r->raw != RAW_FLOAT && !r->buf)
			r->raw = RAW_NONE;
	}
	r->path_copy = strdup(path);
	r->path = r->path_copy ? r->path_copy : "audio file";
	r->is_float = (r->info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_FLOAT ||
		      (r->info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_DOUBLE;
	if (info) {
		int64_t declared = declared_frames(path, r->info.format);

		describe(&r->info, info);
		if (declared >= 0)
			info->header_samples = declared;
	}
	return r;
}

/*
 * Decode `r` from frame `from` to its end (seeking there first) and
 * count the frames.  Returns the count, or -1 with `err`; -2 when the
 * seek fails.
 */
static int64_t count_from(struct pm_audio_reader *r, int64_t from, float *buf,
			  int64_t chunk, struct pm_err *err)
{
	int64_t n = 0, got;

	if (sf_seek(r->sf, from, SEEK_SET) != from)
		return -2;
	while ((got = sf_readf_float(r->sf, buf, chunk)) > 0) {
		n += got;
		if (pm_interrupted())
			return pm_err_set(err, PM_EINTR, "interrupted");
	}
	if (sf_error(r->sf) != SF_ERR_NO_ERROR)
		return pm_err_set(err, PM_EIO, "cannot decode '%s': %s", r->path,
				  sf_strerror(r->sf));
	return n;
}

/* How much of a lossy stream's end is decoded to find its length. */
#define TAIL_SAMPLES 65536

int pm_audio_probe(const char *path, struct pm_audio_info *info,
		   struct pm_err *err)
{
	struct pm_audio_info own;
	struct pm_audio_reader *r;
	const int64_t chunk = 4096;
	int64_t from, n;
	float *buf;

	if (!info)
		info = &own;
	r = pm_audio_open(path, info, err);
	if (!r)
		return -1;
	if (!info->is_lossy) {
		pm_audio_close(r);
		return 0;
	}
	/*
	 * A lossy stream's length comes from its last granule position,
	 * which encoders get wrong; what it decodes to is the truth.  The
	 * last stretch is decoded (libsndfile seeks to the sample); when
	 * the claim is so far off that nothing decodes there, all of it.
	 */
	buf = pm_malloc((size_t)chunk * info->channels * sizeof(float), err);
	if (!buf) {
		pm_audio_close(r);
		return -1;
	}
	from = PM_MAX((int64_t)0, info->length_samples - TAIL_SAMPLES);
	n = count_from(r, from, buf, chunk, err);
	if (from > 0 && (n == 0 || n == -2)) {
		from = 0;
		n = count_from(r, 0, buf, chunk, err);
	}
	if (n == -2)
		n = pm_err_set(err, PM_EIO, "cannot decode '%s': it cannot be read from its start",
			       path);
	free(buf);
	pm_audio_close(r);
	if (n < 0)
		return -1;
	info->header_samples = info->length_samples;
	info->length_samples = from + n;
	return 0;
}

void pm_audio_set_nonfinite(struct pm_audio_reader *r, enum pm_nonfinite how)
{
	r->nonfinite = how;
}

/* Whether a float's exponent is all ones: NaN or an infinity. */
static bool nonfinite_bits(float x)
{
	uint32_t u;

	memcpy(&u, &x, sizeof(u));
	return (u & 0x7F800000u) == 0x7F800000u;
}

/*
 * Look at `n` frames just read into `buf`, which began at frame `at`:
 * refuse a non-finite sample, or make each one 0.  Returns 0 or -1.
 */
static int check_finite(struct pm_audio_reader *r, float *buf, int64_t n,
			int64_t at, struct pm_err *err)
{
	size_t ch = (size_t)r->info.channels, total = (size_t)n * ch, i;
	uint32_t any = 0, u;
	char when[32];

	/* a branch-free pass first: almost every buffer is clean */
	for (i = 0; i < total; i++) {
		memcpy(&u, &buf[i], sizeof(u));
		any |= (u & 0x7F800000u) == 0x7F800000u;
	}
	if (!any)
		return 0;
	for (i = 0; i < total && !nonfinite_bits(buf[i]); i++)
		;
	pm_format_duration((double)(at + (int64_t)(i / ch)) /
				   r->info.samplerate,
			   when, sizeof(when));
	if (r->nonfinite == PM_NONFINITE_REFUSE)
		return pm_err_set(err, PM_EFORMAT,
				  "'%s': sample %lld (at %s) of channel %zu is %s: not a finite number",
				  r->path, (long long)(at + (int64_t)(i / ch)),
				  when, i % ch + 1,
				  isnan(buf[i]) ? "NaN"
				  : buf[i] > 0	? "+Inf"
						: "-Inf");
	if (!r->warned)
		pm_warning("'%s': replacing samples that are not finite numbers with silence, the first at %s",
			   r->path, when);
	r->warned = true;
	for (; i < total; i++)
		if (nonfinite_bits(buf[i]))
			buf[i] = 0.0f;
	return 0;
}

static bool vector_allowed = true;

void pm_audio_use_vector(bool on)
{
	vector_allowed = on;
}

static bool use_avx2(void)
{
#if PM_HAVE_AVX2
	return vector_allowed && pm_cpu_avx2();
#else
	return false;
#endif
}

#if PM_HAVE_AVX2
/*
 * Little-endian 24-bit PCM, eight samples a step: each 128-bit lane
 * takes the 12 bytes of four samples and shuffles them to the top three
 * bytes of four int32s, as the scalar loop does, then converts.  Reads
 * and writes stay inside the n samples' 3n bytes (the last steps are the
 * scalar loop's).  Returns how many samples were done.
 */
PM_TARGET_AVX2_INT static size_t
decode24_avx2(const unsigned char *p, float *out, size_t n)
{
	const __m256i shuf = _mm256_setr_epi8(
		-1, 0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11,
		-1, 0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11);
	const __m256 s32 = _mm256_set1_ps(1.0f / 2147483648.0f);
	size_t i = 0;

	for (; i + 10 <= n; i += 8) {
		__m128i lo = _mm_loadu_si128((const __m128i *)(p + 3 * i));
		__m128i hi = _mm_loadu_si128((const __m128i *)(p + 3 * i + 12));
		__m256i v = _mm256_shuffle_epi8(_mm256_set_m128i(hi, lo), shuf);

		_mm256_storeu_ps(out + i,
				 _mm256_mul_ps(_mm256_cvtepi32_ps(v), s32));
	}
	return i;
}

/* The same rounding and clipping as encode(), eight samples a step. */
PM_TARGET_AVX2_INT static size_t
encode24_avx2(const float *x, unsigned char *p, size_t n)
{
	const __m256d scale = _mm256_set1_pd(8388608.0);
	const __m256d hi = _mm256_set1_pd(8388607.0);
	const __m256d lo = _mm256_set1_pd(-8388608.0);
	const __m256i shuf = _mm256_setr_epi8(
		0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1,
		0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
	size_t i = 0;

	for (; i + 10 <= n; i += 8) {
		__m256 f = _mm256_loadu_ps(x + i);
		__m256d a = _mm256_cvtps_pd(_mm256_castps256_ps128(f));
		__m256d b = _mm256_cvtps_pd(_mm256_extractf128_ps(f, 1));
		__m256i q;

		/* half to even, as adding and taking away 1.5 * 2^52 does;
		 * min() gives its second operand for a NaN: the top */
		a = _mm256_round_pd(_mm256_mul_pd(a, scale),
				    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
		b = _mm256_round_pd(_mm256_mul_pd(b, scale),
				    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
		a = _mm256_max_pd(_mm256_min_pd(a, hi), lo);
		b = _mm256_max_pd(_mm256_min_pd(b, hi), lo);
		q = _mm256_set_m128i(_mm256_cvtpd_epi32(b), _mm256_cvtpd_epi32(a));
		q = _mm256_shuffle_epi8(q, shuf);
		/* 16 bytes a lane, the last 4 overwritten by what follows */
		_mm_storeu_si128((__m128i *)(p + 3 * i), _mm256_castsi256_si128(q));
		_mm_storeu_si128((__m128i *)(p + 3 * i + 12),
				 _mm256_extracti128_si256(q, 1));
	}
	return i;
}
#endif

/* Decode `n` samples (not frames) of packed PCM to floats. */
static void decode(enum raw_kind kind, bool big_endian,
		   const unsigned char *p, float *out, size_t n)
{
	/* 2^-15 and 2^-31: exact scalings, as libsndfile's */
	const float s16 = 1.0f / 32768.0f, s32 = 1.0f / 2147483648.0f;
	size_t i = 0;

	if (kind == RAW_S16 && !big_endian) {
		for (i = 0; i < n; i++)
			out[i] = (float)(int16_t)(uint16_t)(p[2 * i] |
							    p[2 * i + 1] << 8) *
				 s16;
	} else if (kind == RAW_S16) {
		for (i = 0; i < n; i++)
			out[i] = (float)(int16_t)(uint16_t)(p[2 * i] << 8 |
							    p[2 * i + 1]) *
				 s16;
	} else if (!big_endian) {
#if PM_HAVE_AVX2
		if (use_avx2())
			i = decode24_avx2(p, out, n);
#endif
		/* the 24 bits at the top of an int32, as libsndfile does */
		for (; i < n; i++)
			out[i] = (float)(int32_t)((uint32_t)p[3 * i] << 8 |
						  (uint32_t)p[3 * i + 1] << 16 |
						  (uint32_t)p[3 * i + 2] << 24) *
				 s32;
	} else {
		for (i = 0; i < n; i++)
			out[i] = (float)(int32_t)((uint32_t)p[3 * i] << 24 |
						  (uint32_t)p[3 * i + 1] << 16 |
						  (uint32_t)p[3 * i + 2] << 8) *
				 s32;
	}
}

static int64_t read_raw(struct pm_audio_reader *r, float *buf,
			int64_t n_samples, struct pm_err *err)
{
	size_t ch = (size_t)r->info.channels;
	size_t width = r->raw == RAW_S16 ? 2 : r->raw == RAW_S24 ? 3 : 4;
	size_t per = RAW_CHUNK_BYTES / (width * ch);
	int64_t done = 0;

	while (done < n_samples) {
		size_t want = (size_t)PM_MIN((int64_t)per, n_samples - done);
		float *dst = buf + (size_t)done * ch;
		void *to = r->raw == RAW_FLOAT ? (void *)dst : (void *)r->buf;
		sf_count_t got = sf_read_raw(r->sf, to,
					     (sf_count_t)(want * width * ch));
		size_t frames;

		frames = got > 0 ? (size_t)got / (width * ch) : 0;
		if (got < 0 || (frames < want &&
				sf_error(r->sf) != SF_ERR_NO_ERROR))
			return pm_err_set(err, PM_EIO, "cannot read '%s': %s",
					  r->path, sf_strerror(r->sf));
		if (r->raw != RAW_FLOAT)
			decode(r->raw, r->big_endian, r->buf, dst, frames * ch);
		done += (int64_t)frames;
		if (frames < want)
			break;
	}
	return done;
}

int64_t pm_audio_read(struct pm_audio_reader *r, float *buf,
		      int64_t n_samples, struct pm_err *err)
{
	int64_t got, at = r->pos;

	if (r->raw != RAW_NONE) {
		got = read_raw(r, buf, n_samples, err);
	} else {
		got = sf_readf_float(r->sf, buf, n_samples);
		if (got < 0 ||
		    (got < n_samples && sf_error(r->sf) != SF_ERR_NO_ERROR))
			return pm_err_set(err, PM_EIO, "cannot read '%s': %s",
					  r->path, sf_strerror(r->sf));
	}
	if (got <= 0)
		return got;
	r->pos += got;
	if (r->is_float && r->nonfinite != PM_NONFINITE_KEEP &&
	    check_finite(r, buf, got, at, err) < 0)
		return -1;
	return got;
}

int64_t pm_audio_read_s16(struct pm_audio_reader *r, int16_t *buf,
			  int64_t n_samples, struct pm_err *err)
{
	sf_count_t got;

	/* 16-bit samples stored in the host's order are the result: read
	 * them in place, in one call, without libsndfile's 8 KiB steps */
	if (r->raw == RAW_S16 && r->big_endian == host_is_big_endian()) {
		size_t fb = 2 * (size_t)r->info.channels;

		got = sf_read_raw(r->sf, buf, (sf_count_t)((size_t)n_samples * fb));
		if (got < 0 || ((size_t)got < (size_t)n_samples * fb &&
				sf_error(r->sf) != SF_ERR_NO_ERROR))
			return pm_err_set(err, PM_EIO, "cannot read '%s': %s",
					  r->path, sf_strerror(r->sf));
		got /= (sf_count_t)fb;
		r->pos += got;
		return got;
	}
	got = sf_readf_short(r->sf, buf, n_samples);

	if (got < 0 || (got < n_samples && sf_error(r->sf) != SF_ERR_NO_ERROR))
		return pm_err_set(err, PM_EIO, "cannot read '%s': %s", r->path,
				  sf_strerror(r->sf));
	r->pos += got;
	return got;
}

int pm_audio_seek(struct pm_audio_reader *r, int64_t pos_samples,
		  struct pm_err *err)
{
	if (sf_seek(r->sf, pos_samples, SEEK_SET) != pos_samples)
		return pm_err_set(err, PM_EIO, "cannot seek in '%s' to %lld: %s",
				  r->path, (long long)pos_samples,
				  sf_strerror(r->sf));
	r->pos = pos_samples;
	return 0;
}

void pm_audio_close(struct pm_audio_reader *r)
{
	if (!r)
		return;
	sf_close(r->sf);
	free(r->path_copy);
	free(r->buf);
	free(r);
}

static char *tag(SNDFILE *sf, int which)
{
	const char *s = sf_get_string(sf, which);

	return s && *s ? strdup(s) : NULL;
}

int pm_audio_read_tags(const char *path, struct pm_audio_tags *tags,
		       struct pm_err *err)
{
	struct pm_audio_reader *r = pm_audio_open(path, NULL, err);

	memset(tags, 0, sizeof(*tags));
	if (!r)
		return -1;
	tags->title = tag(r->sf, SF_STR_TITLE);
	tags->artist = tag(r->sf, SF_STR_ARTIST);
	tags->album = tag(r->sf, SF_STR_ALBUM);
	pm_audio_close(r);
	return 0;
}

void pm_audio_tags_release(struct pm_audio_tags *tags)
{
	free(tags->title);
	free(tags->artist);
	free(tags->album);
	memset(tags, 0, sizeof(*tags));
}

int pm_audio_read_bext(const char *path, struct pm_bext_read *b,
		       struct pm_err *err)
{
	SF_BROADCAST_INFO_VAR(1024) *bi;
	struct pm_audio_reader *r = pm_audio_open(path, NULL, err);
	int ret = 0;

	memset(b, 0, sizeof(*b));
	if (!r)
		return -1;
	bi = calloc(1, sizeof(*bi));
	if (!bi) {
		pm_audio_close(r);
		return pm_err_set(err, PM_ENOMEM, "out of memory");
	}
	if (sf_command(r->sf, SFC_GET_BROADCAST_INFO, bi, sizeof(*bi)) == SF_TRUE) {
		memcpy(b->description, bi->description, sizeof(bi->description));
		memcpy(b->originator, bi->originator, sizeof(bi->originator));
		memcpy(b->originator_ref, bi->originator_reference,
		       sizeof(bi->originator_reference));
		memcpy(b->date, bi->origination_date, sizeof(bi->origination_date));
		memcpy(b->time, bi->origination_time, sizeof(bi->origination_time));
		b->version = bi->version;
		b->loudness_value = bi->loudness_value;
		b->loudness_range = bi->loudness_range;
		b->max_true_peak = bi->max_true_peak_level;
		b->max_momentary = bi->max_momentary_loudness;
		b->max_shortterm = bi->max_shortterm_loudness;
		snprintf(b->coding_history, sizeof(b->coding_history), "%.*s",
			 (int)PM_MIN(bi->coding_history_size, sizeof(bi->coding_history)),
			 bi->coding_history);
		ret = 1;
	}
	free(bi);
	pm_audio_close(r);
	return ret;
}

int pm_audio_read_cues(const char *path, int64_t *pos, size_t max,
		       struct pm_err *err)
{
	struct pm_audio_reader *r = pm_audio_open(path, NULL, err);
	SF_CUES *cues;
	uint32_t i, n = 0;

	if (!r)
		return -1;
	cues = calloc(1, sizeof(*cues));
	if (!cues) {
		pm_audio_close(r);
		return pm_err_set(err, PM_ENOMEM, "out of memory");
	}
	if (sf_command(r->sf, SFC_GET_CUE, cues, sizeof(*cues)) == SF_TRUE)
		n = cues->cue_count;
	for (i = 0; i < n && i < max && i < 100; i++)
		pos[i] = cues->cue_points[i].sample_offset;
	free(cues);
	pm_audio_close(r);
	return (int)n;
}

static int sf_format_for(const struct pm_audio_spec *spec, struct pm_err *err)
{
	int major, sub;

	switch (spec->format) {
	case PM_FORMAT_WAV:
		major = SF_FORMAT_WAV;
		break;
	case PM_FORMAT_AIFF:
		major = SF_FORMAT_AIFF;
		break;
	case PM_FORMAT_FLAC:
		major = SF_FORMAT_FLAC;
		break;
	case PM_FORMAT_OGG:
		return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
	case PM_FORMAT_OPUS:
		return SF_FORMAT_OGG | SF_FORMAT_OPUS;
	case PM_FORMAT_MP3:
		return SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
	default:
		return pm_err_set(err, PM_EINVAL, "unknown output format");
	}
	switch (spec->bits) {
	case 16:
		sub = SF_FORMAT_PCM_16;
		break;
	case 24:
		sub = SF_FORMAT_PCM_24;
		break;
	case 32:
		sub = SF_FORMAT_PCM_32;
		break;
	case 0:
		sub = SF_FORMAT_FLOAT;
		break;
	default:
		return pm_err_set(err, PM_EINVAL, "cannot write %u-bit audio",
				  spec->bits);
	}
	if (major == SF_FORMAT_FLAC && (sub == SF_FORMAT_FLOAT || sub == SF_FORMAT_PCM_32))
		return pm_err_set(err, PM_EUNSUPPORTED,
				  "FLAC holds 16- or 24-bit integer samples");
	return major | sub;
}

bool pm_audio_can_write(enum pm_format format)
{
	struct pm_audio_spec spec = { .format = format, .rate = 44100,
				      .channels = 2, .bits = 16 };
	SF_INFO si = { 0 };
	int f = sf_format_for(&spec, NULL);

	if (f < 0)
		return false;
	si.format = f;
	si.channels = 2;
	si.samplerate = 44100;
	return sf_format_check(&si) == SF_TRUE;
}

static void set_string(SNDFILE *sf, int which, const char *value)
{
	if (value && *value)
		sf_set_string(sf, which, value);
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/*
 * oggenc's nominal bit rates for quality 0..10 (stereo, 44.1 kHz), to
 * turn a Vorbis kb/s into the quality that aims at it.
 */
static const double vorbis_nominal_kbps[11] = { 64,  80,  96,  112, 128, 160,
						192, 224, 256, 320, 500 };

static double vorbis_quality_for(double kbps)
{
	int q;

	if (kbps <= vorbis_nominal_kbps[0])
		return 0;
	for (q = 1; q < 11; q++)
		if (kbps <= vorbis_nominal_kbps[q])
			return q - 1 + (kbps - vorbis_nominal_kbps[q - 1]) /
					       (vorbis_nominal_kbps[q] -
						vorbis_nominal_kbps[q - 1]);
	return 10;
}

/*
 * Turn our settings into libsndfile's: one "compression level" from 0
 * (best) to 1 (smallest) that each codec maps its own way (libsndfile
 * 1.1+): Opus, a target of (1 - level) * 250 + 6 kb/s per channel;
 * Vorbis, quality (1 - level) * 10; MP3 CBR and ABR, 320 - level * 288
 * kb/s at the MPEG-1 rates (160 - level * 152 at MPEG-2's, 64 - level *
 * 56 at MPEG-2.5's), truncated, then LAME takes the nearest legal rate;
 * MP3 VBR, LAME level level * 10.  A half kb/s is added before inverting
 * so that the truncation lands on the rate asked for.
 */
static void apply_encoder(SNDFILE *sf, const struct pm_audio_spec *spec)
{
	const struct pm_encoder *e = &spec->enc;
	double level = -1;

	switch (spec->format) {
	case PM_FORMAT_OPUS:
		if (e->has_kbps)
			level = 1.0 - (e->kbps * 1000.0 / spec->channels - 6000.0) /
					      250000.0;
		break;
	case PM_FORMAT_OGG:
		if (e->has_quality)
			level = 1.0 - e->quality / 10.0;
		else if (e->has_kbps)
			level = 1.0 - vorbis_quality_for(e->kbps) / 10.0;
		break;
	case PM_FORMAT_MP3: {
		enum pm_bitrate_mode m = e->mode;
		int mode;

		if (m == PM_BITRATE_DEFAULT)
			m = e->has_quality && !e->has_kbps ? PM_BITRATE_VBR
							   : PM_BITRATE_CBR;
		mode = m == PM_BITRATE_VBR   ? SF_BITRATE_MODE_VARIABLE
		       : m == PM_BITRATE_ABR ? SF_BITRATE_MODE_AVERAGE
					     : SF_BITRATE_MODE_CONSTANT;
		sf_command(sf, SFC_SET_BITRATE_MODE, &mode, sizeof(mode));
		if (m == PM_BITRATE_VBR && e->has_quality) {
			level = e->quality / 10.0;
		} else if (m != PM_BITRATE_VBR && e->has_kbps) {
			double hi = 320, lo = 32, k = e->kbps + 0.5;

			if (spec->rate < 16000) {
				hi = 64;
				lo = 8;
			} else if (spec->rate < 32000) {
				hi = 160;
				lo = 8;
			}
			level = (hi - k) / (hi - lo);
		}
		break;
	}
	default:
		return;
	}
	if (level >= -0.5) {
		level = clamp01(level);
		sf_command(sf, SFC_SET_COMPRESSION_LEVEL, &level, sizeof(level));
	}
}

/* Copy an ASCII string into a fixed field, cut to fit. */
static void put_field(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n > size)
		n = size;
	memset(dst, 0, size);
	if (n)
		memcpy(dst, src, n);
}

/* bext v2 stores round(100 x value) in 16 bits; 0x7FFF is "not set". */
static int16_t bext_value(double v)
{
	if (!isfinite(v))
		return 0x7FFF;
	v = round(v * 100.0);
	if (v > 32767)
		v = 32767;
	if (v < -32768)
		v = -32768;
	return (int16_t)v;
}

static int set_bext(struct pm_audio_writer *w, const struct pm_bext *b,
		    struct pm_err *err)
{
	SF_BROADCAST_INFO *bi = calloc(1, sizeof(*bi));

	if (!bi)
		return pm_err_set(err, PM_ENOMEM, "out of memory");
	put_field(bi->description, sizeof(bi->description), b->description);
	put_field(bi->originator, sizeof(bi->originator), b->originator);
	put_field(bi->originator_reference, sizeof(bi->originator_reference),
		  b->originator_ref);
	put_field(bi->origination_date, sizeof(bi->origination_date), b->date);
	put_field(bi->origination_time, sizeof(bi->origination_time), b->time);
	bi->time_reference_low = (uint32_t)(b->time_reference & 0xFFFFFFFFu);
	bi->time_reference_high = (uint32_t)(b->time_reference >> 32);
	bi->version = 2;
	bi->loudness_value = bi->loudness_range = bi->max_true_peak_level =
		bi->max_momentary_loudness = bi->max_shortterm_loudness = 0x7FFF;
	if (b->coding_history && *b->coding_history)
		snprintf(bi->coding_history, sizeof(bi->coding_history),
			 "%.200s\r\n", b->coding_history);
	bi->coding_history_size = (uint32_t)strlen(bi->coding_history);
	w->bext = bi;
	/*
	 * Set before any audio: libsndfile reserves the chunk in the header
	 * then, and lets it be set again (same size) once the loudness is
	 * known.
	 */
	if (sf_command(w->sf, SFC_SET_BROADCAST_INFO, bi, sizeof(*bi)) != SF_TRUE)
		return pm_err_set(err, PM_ECREATE,
				  "cannot add a bext chunk to '%s': %s", w->path,
				  sf_strerror(w->sf));
	return 0;
}

static int set_cues(struct pm_audio_writer *w, const struct pm_audio_meta *m,
		    struct pm_err *err)
{
	SF_CUES *cues;
	size_t i;
	int ok;

	if (m->ncues > 100)
		return pm_err_set(err, PM_EINVAL,
				  "'%s': %zu cue markers; a WAV file takes 100",
				  w->path, m->ncues);
	cues = calloc(1, sizeof(*cues));
	if (!cues)
		return pm_err_set(err, PM_ENOMEM, "out of memory");
	cues->cue_count = (uint32_t)m->ncues;
	for (i = 0; i < m->ncues; i++) {
		SF_CUE_POINT *c = &cues->cue_points[i];

		c->indx = (int32_t)m->cues[i].id;
		c->position = (uint32_t)m->cues[i].pos_samples;
		c->fcc_chunk = 0x61746164; /* "data", little-endian */
		c->chunk_start = 0;
		c->block_start = 0;
		c->sample_offset = (uint32_t)m->cues[i].pos_samples;
	}
	ok = sf_command(w->sf, SFC_SET_CUE, cues, sizeof(*cues)) == SF_TRUE;
	free(cues);
	if (!ok)
		return pm_err_set(err, PM_ECREATE,
				  "cannot add cue markers to '%s': %s", w->path,
				  sf_strerror(w->sf));
	return 0;
}

void pm_audio_set_loudness(struct pm_audio_writer *w,
			   const struct pm_bext_loudness *l)
{
	if (!w || !w->bext)
		return;
	w->bext->loudness_value = bext_value(l->integrated_lufs);
	w->bext->loudness_range = bext_value(l->range_lu);
	w->bext->max_true_peak_level = bext_value(l->max_true_peak_dbtp);
	w->bext->max_momentary_loudness = bext_value(l->max_momentary_lufs);
	w->bext->max_shortterm_loudness = bext_value(l->max_shortterm_lufs);
	w->bext_dirty = true;
}

struct pm_audio_writer *pm_audio_create(const char *path,
					const struct pm_audio_spec *spec,
					const struct pm_audio_meta *meta,
					struct pm_err *err)
{
	struct pm_audio_writer *w;
	int f = sf_format_for(spec, err);

	if (f < 0)
		return NULL;
	w = pm_calloc(1, sizeof(*w), err);
	if (!w)
		return NULL;
	w->info.format = f;
	w->info.channels = (int)spec->channels;
	w->info.samplerate = (int)spec->rate;
	w->bits = spec->bits;
	if (!sf_format_check(&w->info)) {
		pm_err_set(err, PM_EUNSUPPORTED,
			   "cannot write %s at %u Hz, %u channels, %u bits",
			   pm_format_name(spec->format), spec->rate,
			   spec->channels, spec->bits);
		free(w);
		return NULL;
	}
	w->path = pm_strdup(path, err);
	if (!w->path) {
		free(w);
		return NULL;
	}
	w->sf = sf_open(path, SFM_WRITE, &w->info);
	if (!w->sf) {
		int e = errno;

		/* a full disk is an I/O error wherever it strikes */
		pm_err_set(err, pm_errno_full(e) ? PM_EIO : PM_ECREATE,
			   "cannot create '%s': %s", path, sf_strerror(NULL));
		if (err && pm_errno_full(e))
			err->sys_errno = e;
		free(w->path);
		free(w);
		return NULL;
	}
	/*
	 * A PEAK chunk carries a timestamp: the same audio would give other
	 * bytes tomorrow.  Leave it out.
	 */
	sf_command(w->sf, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
	/* float input is clipped, not wrapped, when written as integers */
	sf_command(w->sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
	if (spec->format == PM_FORMAT_FLAC) {
		double level = 0.5; /* libsndfile's default effort */

		sf_command(w->sf, SFC_SET_COMPRESSION_LEVEL, &level,
			   sizeof(level));
	} else {
		apply_encoder(w->sf, spec);
	}
	/* plain WAV in the host's byte order takes the fast path */
	w->raw = (f & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV
			 ? raw_kind_of(f)
			 : RAW_NONE;
	if (w->raw != RAW_NONE &&
	    sf_command(w->sf, SFC_RAW_DATA_NEEDS_ENDSWAP, NULL, 0) == SF_TRUE)
		w->raw = RAW_NONE;
	if (w->raw == RAW_S16 || w->raw == RAW_S24) {
		w->buf = malloc(RAW_CHUNK_BYTES);
		if (!w->buf)
			w->raw = RAW_NONE;
	}
	if (meta) {
		set_string(w->sf, SF_STR_TITLE, meta->title);
		set_string(w->sf, SF_STR_ARTIST, meta->artist);
		set_string(w->sf, SF_STR_ALBUM, meta->album);
		set_string(w->sf, SF_STR_DATE, meta->date);
		set_string(w->sf, SF_STR_GENRE, meta->genre);
		set_string(w->sf, SF_STR_COPYRIGHT, meta->copyright);
		set_string(w->sf, SF_STR_COMMENT, meta->comment);
		set_string(w->sf, SF_STR_TRACKNUMBER, meta->tracknumber);
		set_string(w->sf, SF_STR_SOFTWARE, meta->software);
		if (spec->format == PM_FORMAT_WAV &&
		    ((meta->bext && set_bext(w, meta->bext, err) < 0) ||
		     (meta->ncues && set_cues(w, meta, err) < 0))) {
			pm_audio_finish(w, NULL);
			return NULL;
		}
	}
	return w;
}

/*
 * libsndfile scales floats by 0x7FFF... when writing integers but by
 * 1/0x8000... when reading them, so its own conversion does not round-trip.
 * Integer outputs are quantised here with the reading scale instead, so a
 * 16- or 24-bit value read as float is written back bit for bit.
 */
static int32_t quantise(float x, unsigned bits)
{
	const double scale = (double)(1u << (bits - 1));
	const double hi = scale - 1.0, lo = -scale;
	double v = rint((double)x * scale);

	if (v > hi)
		v = hi;
	else if (v < lo)
		v = lo;
	return (int32_t)((int64_t)v * (int64_t)(1u << (32 - bits)));
}

/*
 * quantise() for a whole chunk, packed little-endian: the same values
 * (round half to even, clipped), in a form compilers vectorise.  Adding
 * and subtracting 1.5 * 2^52 rounds a double of magnitude below 2^51 to
 * an integer in the current rounding mode, as rint() does.
 */
static void encode(enum raw_kind kind, const float *x, unsigned char *p,
		   size_t n)
{
	const double magic = 6755399441055744.0;
	const double scale = kind == RAW_S16 ? 32768.0 : 8388608.0;
	const double hi = scale - 1.0, lo = -scale;
	size_t i = 0;

#if PM_HAVE_AVX2
	if (kind == RAW_S24 && use_avx2())
		i = encode24_avx2(x, p, n);
#endif
	for (; i < n; i++) {
		double v = (double)x[i] * scale;
		int32_t q;

		v = (v + magic) - magic;
		v = v < hi ? v : hi; /* NaN goes to the top, not undefined */
		v = v > lo ? v : lo;
		q = (int32_t)v;
		if (kind == RAW_S16) {
			p[2 * i] = (unsigned char)(q & 0xff);
			p[2 * i + 1] = (unsigned char)((q >> 8) & 0xff);
		} else {
			p[3 * i] = (unsigned char)(q & 0xff);
			p[3 * i + 1] = (unsigned char)((q >> 8) & 0xff);
			p[3 * i + 2] = (unsigned char)((q >> 16) & 0xff);
		}
	}
}

static int write_raw(struct pm_audio_writer *w, const float *buf,
		     int64_t n_samples, struct pm_err *err)
{
	size_t ch = (size_t)w->info.channels;
	size_t width = w->raw == RAW_S16 ? 2 : w->raw == RAW_S24 ? 3 : 4;
	size_t per = RAW_CHUNK_BYTES / (width * ch);
	int64_t done = 0;

	while (done < n_samples) {
		size_t n = (size_t)PM_MIN((int64_t)per, n_samples - done);
		const float *src = buf + (size_t)done * ch;
		const void *from = src;
		sf_count_t bytes = (sf_count_t)(n * ch * width);

		if (w->raw != RAW_FLOAT) {
			encode(w->raw, src, w->buf, n * ch);
			from = w->buf;
		}
		if (sf_write_raw(w->sf, from, bytes) != bytes)
			return pm_err_set(err, PM_EIO, "cannot write '%s': %s",
					  w->path, sf_strerror(w->sf));
		done += (int64_t)n;
	}
	return 0;
}

int pm_audio_write(struct pm_audio_writer *w, const float *buf,
		   int64_t n_samples, struct pm_err *err)
{
	const size_t chunk = 4096;
	unsigned ch = (unsigned)w->info.channels;
	int32_t *q;
	int64_t done = 0;
	size_t i, n;

	if (w->raw != RAW_NONE)
		return write_raw(w, buf, n_samples, err);
	if (w->bits == 0 || w->bits == 32 ||
	    (w->info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_VORBIS ||
	    (w->info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_OPUS ||
	    (w->info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG) {
		/*
		 * In steps: libvorbis takes a whole call's samples at once
		 * and crashed on a minute of audio in one call.
		 */
		while (done < n_samples) {
			n = (size_t)PM_MIN((int64_t)chunk, n_samples - done);
			if (sf_writef_float(w->sf, buf + (size_t)done * ch,
					    (sf_count_t)n) != (sf_count_t)n)
				return pm_err_set(err, PM_EIO,
						  "cannot write '%s': %s",
						  w->path, sf_strerror(w->sf));
			done += (int64_t)n;
		}
		return 0;
	}
	if (!w->scratch) {
		w->scratch = pm_calloc(chunk * ch, sizeof(int32_t), err);
		if (!w->scratch)
			return -1;
	}
	q = w->scratch;
	while (done < n_samples) {
		n = (size_t)PM_MIN((int64_t)chunk, n_samples - done);
		for (i = 0; i < n * ch; i++)
			q[i] = quantise(buf[(size_t)done * ch + i], w->bits);
		if (sf_writef_int(w->sf, q, (sf_count_t)n) != (sf_count_t)n)
			return pm_err_set(err, PM_EIO, "cannot write '%s': %s",
					  w->path, sf_strerror(w->sf));
		done += (int64_t)n;
	}
	return 0;
}

int pm_audio_write_s16(struct pm_audio_writer *w, const int16_t *buf,
		       int64_t n_samples, struct pm_err *err)
{
	if (sf_writef_short(w->sf, buf, n_samples) != n_samples)
		return pm_err_set(err, PM_EIO, "cannot write '%s': %s", w->path,
				  sf_strerror(w->sf));
	return 0;
}

int pm_audio_finish(struct pm_audio_writer *w, struct pm_err *err)
{
	int ret = 0;

	if (!w)
		return 0;
	/*
	 * No fsync: deliverables are published by renaming a complete
	 * directory, and syncing every file cost more than the processing.
	 */
	if (w->bext_dirty &&
	    sf_command(w->sf, SFC_SET_BROADCAST_INFO, w->bext,
		       sizeof(*w->bext)) != SF_TRUE)
		ret = pm_err_set(err, PM_EIO, "cannot update the bext chunk of '%s': %s",
				 w->path, sf_strerror(w->sf));
	if (ret == 0 && sf_error(w->sf) != SF_ERR_NO_ERROR)
		ret = pm_err_set(err, PM_EIO, "cannot finish '%s': %s", w->path,
				 sf_strerror(w->sf));
	if (sf_close(w->sf) != 0 && ret == 0)
		ret = pm_err_set(err, PM_EIO, "cannot close '%s'", w->path);
	free(w->bext);
	free(w->scratch);
	free(w->buf);
	free(w->path);
	free(w);
	return ret;
}
