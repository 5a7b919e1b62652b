/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mkfixture.c: deterministic test audio.  Sines, noise, silence, sweeps
 * and music-like material (chords with envelopes, bass, noise percussion)
 * at any rate, bit depth, channel count and format.  Nothing depends on
 * the clock: the same arguments always give the same samples, so no audio
 * is ever committed.
 */
#include <config.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "io/audio.h"
#include "io/ogg.h"
#include "util/err.h"
#include "util/log.h"

#include "util/banned.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

struct opts {
	uint32_t rate;
	unsigned channels;
	unsigned bits; /* 0: float */
	enum pm_format format;
	double level_db; /* peak level */
	double freq_hz, freq2_hz;
	double phase_deg;
	double width_deg; /* the even channels' sine phase lead */
	double fade_s;
	uint64_t seed;
	const char *title, *artist;
	bool dc;
	size_t npokes;
	struct {
		int64_t frame;
		unsigned channel; /* 1-based */
		float value;
	} pokes[8];
	int64_t granule_extra; /* added to the last Ogg page's granule */
	bool soft; /* music: snares and hats with an attack, no steps */
	double zeros_lead_s, zeros_trail_s; /* exact digital silence */
	size_t nplants;
	struct {
		char kind[8]; /* click, pop, clip, hum, gap, noise */
		double a, b, c;
	} plants[16];
};

/* xorshift64*: small, fast, and the same everywhere */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* uniform in [-1, 1) */
static double rng_uniform(void)
{
	return (double)(rng_next() >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

static void usage(void)
{
	printf("usage: mkfixture [OPTIONS] KIND LENGTH OUTPUT\n"
	       "Write deterministic test audio.\n\n"
	       "KIND: sine, noise, silence, sweep, music, twotone, impulse\n"
	       "LENGTH: samples (\"44100\") or time (\"2.5s\", \"1:30\")\n\n"
	       "  -r, --rate=HZ        sample rate (44100)\n"
	       "  -c, --channels=N     channels (2)\n"
	       "  -b, --bits=N         16, 24, 32 or float (16)\n"
	       "  -F, --format=FMT     wav, aiff, flac, ogg (wav)\n"
	       "  -a, --level=DB       peak level in dBFS (-6)\n"
	       "  -q, --freq=HZ        sine frequency; sweep start (1000)\n"
	       "      --freq2=HZ       second tone; sweep end (20000)\n"
	       "  -p, --phase=DEG      sine start phase in degrees (0)\n"
	       "      --width=DEG      sine: the second channel leads by DEG,\n"
	       "                       so there is side signal (0)\n"
	       "      --fade=SECONDS   raised-cosine fade in and out (0)\n"
	       "  -s, --seed=N         noise and music seed (1)\n"
	       "      --dc             add a DC offset of a tenth of the level\n"
	       "      --zeros=A[:B]    the first A and last B seconds exact zeros,\n"
	       "                       after everything else (a mix that jumps\n"
	       "                       out of and into digital silence)\n"
	       "  -t, --title=TEXT     title tag\n"
	       "  -A, --artist=TEXT    artist tag\n"
	       "Damage, for tests of bad input:\n"
	       "      --poke=F:C:V     set frame F (from 0) of channel C (from 1)\n"
	       "                       to V: a number, nan, inf or -inf (up to 8)\n"
	       "      --granule=N      Ogg: the last page's granule position\n"
	       "                       claims N samples more than it decodes to\n"
	       "      --soft           music: snares and hats start in 2 ms, not\n"
	       "                       on a step\n"
	       "      --plant=SPEC     a defect, after the level and fades (up to 16):\n"
	       "                       click:T:C:A  A added at T seconds to channel C\n"
	       "                                    (from 1; 0: all)\n"
	       "                       pop:T:C:A    A decaying in 0.3 ms, for 2 ms\n"
	       "                       clip:T:S:G   S seconds from T times G, clipped\n"
	       "                                    at full scale\n"
	       "                       hum:HZ:DB:H  HZ at DB dBFS with H harmonics\n"
	       "                                    at half, a third ... of it\n"
	       "                       gap:T:S      S seconds of silence from T\n"
	       "                                    (10 ms fades either side)\n"
	       "                       noise:DB:N   white noise at DB dBFS RMS, seed\n"
	       "                                    N, on every channel\n"
	       "A level above 0 dBFS needs -b float.\n");
}

static int parse_poke(const char *arg, struct opts *o)
{
	char *end;
	long long f;
	unsigned long ch;
	float v;

	if (o->npokes == PM_ARRAY_SIZE(o->pokes))
		return -1;
	f = strtoll(arg, &end, 10);
	if (end == arg || *end != ':' || f < 0)
		return -1;
	ch = strtoul(end + 1, &end, 10);
	if (*end != ':' || ch < 1)
		return -1;
	end++;
	if (strcmp(end, "nan") == 0)
		v = NAN;
	else if (strcmp(end, "inf") == 0)
		v = INFINITY;
	else if (strcmp(end, "-inf") == 0)
		v = -INFINITY;
	else if (pm_parse_double(end, -1e30, 1e30, &(double){ 0 }) == 0)
		v = (float)strtod(end, NULL);
	else
		return -1;
	o->pokes[o->npokes].frame = f;
	o->pokes[o->npokes].channel = (unsigned)ch;
	o->pokes[o->npokes].value = v;
	o->npokes++;
	return 0;
}

static int parse_plant(const char *arg, struct opts *o)
{
	char kind[8];
	double a, b, c = 0;
	int got;
	bool three;

	if (o->nplants == PM_ARRAY_SIZE(o->plants))
		return -1;
	got = sscanf(arg, "%7[a-z]:%lf:%lf:%lf", kind, &a, &b, &c);
	three = got >= 1 && (strcmp(kind, "hum") == 0 || strcmp(kind, "gap") == 0 ||
			     strcmp(kind, "noise") == 0);

	if (got < 3 || (strcmp(kind, "click") != 0 && strcmp(kind, "pop") != 0 &&
			strcmp(kind, "clip") != 0 && !three) ||
	    (got < 4 && !three) || (a < 0 && strcmp(kind, "noise") != 0))
		return -1;
	snprintf(o->plants[o->nplants].kind, sizeof(o->plants[0].kind), "%s", kind);
	o->plants[o->nplants].a = a;
	o->plants[o->nplants].b = b;
	o->plants[o->nplants].c = c;
	o->nplants++;
	return 0;
}

/* The defects of --plant, in place. */
static void plant(float *buf, int64_t n, const struct opts *o)
{
	unsigned nc = o->channels;

	for (size_t k = 0; k < o->nplants; k++) {
		const char *kind = o->plants[k].kind;
		double a = o->plants[k].a, b = o->plants[k].b, c = o->plants[k].c;
		int64_t at = (int64_t)(a * o->rate + 0.5), i, len;
		unsigned ch;

		if (strcmp(kind, "hum") == 0) {
			double amp = pow(10, b / 20);

			for (i = 0; i < n; i++)
				for (int h = 1; h <= 1 + (int)c; h++) {
					float v = (float)(amp / h *
							  sin(2 * M_PI * a * h * (double)i / o->rate));

					for (unsigned q = 0; q < nc; q++)
						buf[(size_t)i * nc + q] += v;
				}
			continue;
		}
		if (strcmp(kind, "gap") == 0) {
			int64_t ramp = o->rate / 100;

			len = (int64_t)(b * o->rate + 0.5);
			for (i = at - ramp; i < at + len + ramp && i < n; i++) {
				int64_t e = i < at ? at - i : i - (at + len - 1);
				double g = i >= at && i < at + len
						   ? 0
						   : 0.5 - 0.5 * cos(M_PI * (double)e /
								     (double)ramp);

				if (i < 0)
					continue;
				for (unsigned q = 0; q < nc; q++)
					buf[(size_t)i * nc + q] *= (float)g;
			}
			continue;
		}
		if (strcmp(kind, "noise") == 0) {
			double amp = pow(10, a / 20) * sqrt(3.0);
			uint64_t r = 0x9e3779b97f4a7c15u ^ (uint64_t)(b + 1);

			for (i = 0; i < n; i++)
				for (unsigned q = 0; q < nc; q++) {
					r ^= r << 13;
					r ^= r >> 7;
					r ^= r << 17;
					buf[(size_t)i * nc + q] += (float)(
						amp * ((double)(r >> 11) /
							       4503599627370496.0 -
						       1.0));
				}
			continue;
		}
		if (strcmp(kind, "clip") == 0) {
			len = (int64_t)(b * o->rate + 0.5);
			for (i = at; i < at + len && i < n; i++)
				for (unsigned q = 0; q < nc; q++) {
					float v = (float)(buf[(size_t)i * nc + q] * c);

					buf[(size_t)i * nc + q] = v > 1 ? 1 : v < -1 ? -1 : v;
				}
			continue;
		}
		ch = b >= 0 && b <= 8 ? (unsigned)b : 0;
		len = strcmp(kind, "pop") == 0 ? (int64_t)(0.002 * o->rate) : 1;
		for (i = 0; i < len && at + i < n; i++)
			for (unsigned q = 0; q < nc; q++)
				if (ch == 0 || q + 1 == ch)
					buf[(size_t)(at + i) * nc + q] += (float)(
						c * exp(-(double)i / (0.0003 * o->rate)));
	}
}

/*
 * Set the granule position of the last page of the Ogg file at `path` to
 * `value`, or add `value` to it (`add`), and make the page's CRC right
 * again (RFC 3533: granule at byte 6, CRC at 22).
 */
static int set_granule(const char *path, bool add, int64_t value)
{
	FILE *f = fopen(path, "r+b");
	unsigned char *b = NULL, *p;
	long size, at = -1, pos;
	uint64_t g;
	uint32_t crc;
	int i, ret = -1;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 27)
		goto out;
	b = malloc((size_t)size);
	if (!b || fseek(f, 0, SEEK_SET) != 0 ||
	    fread(b, 1, (size_t)size, f) != (size_t)size)
		goto out;
	/* walk the pages: the last one is the one that ends the file */
	for (pos = 0; pos + 27 <= size && memcmp(b + pos, "OggS", 4) == 0;) {
		long len = 27 + b[pos + 26];

		if (pos + len > size)
			break;
		for (i = 0; i < b[pos + 26]; i++)
			len += b[pos + 27 + i];
		at = pos;
		pos += len;
	}
	if (at < 0 || pos != size)
		goto out;
	p = b + at;
	for (g = 0, i = 7; i >= 0; i--)
		g = g << 8 | p[6 + i];
	g = add ? g + (uint64_t)value : (uint64_t)value;
	for (i = 0; i < 8; i++)
		p[6 + i] = (unsigned char)(g >> (8 * i));
	memset(p + 22, 0, 4);
	crc = pm_ogg_crc_update(0, p, (size_t)(size - at));
	for (i = 0; i < 4; i++)
		p[22 + i] = (unsigned char)(crc >> (8 * i));
	if (fseek(f, at, SEEK_SET) == 0 &&
	    fwrite(p, 1, (size_t)(size - at), f) == (size_t)(size - at))
		ret = 0;
out:
	free(b);
	if (f && fclose(f) != 0)
		ret = -1;
	return ret;
}

/* One note of the music generator: a few partials under an envelope. */
static double note(double t, double f, double age_s, double len_s)
{
	double env, v = 0;
	int k;

	if (age_s < 0 || age_s > len_s)
		return 0;
	env = (1.0 - exp(-age_s / 0.01)) * exp(-age_s / (len_s * 0.6));
	for (k = 1; k <= 4; k++)
		v += sin(2 * M_PI * f * k * t * (1.0 + 0.0007 * k)) / (k * k);
	return v * env;
}

static double midi_hz(double m)
{
	return 440.0 * pow(2.0, (m - 69.0) / 12.0);
}

/*
 * Music-like material: four chords a bar at 120 bpm, a plucked bass on
 * the beats, a kick on 1 and 3, a noise snare on 2 and 4, hats on the
 * eighths.  Enough spectrum and crest factor to exercise a mastering
 * chain; key and voicing depend on the seed.
 */
static void music(float *buf, int64_t n, const struct opts *o)
{
	static const int prog[4][3] = {
		{ 0, 4, 7 }, { 9, 12, 16 }, { 5, 9, 12 }, { 7, 11, 14 }
	};
	const double beat = 0.5, bar = 2.0;
	int root = 48 + (int)(o->seed % 7) * 2;
	double snare_lp = 0, hat_hp_prev = 0, hat_prev_in = 0;
	int64_t i;
	unsigned c;

	for (i = 0; i < n; i++) {
		double t = (double)i / o->rate;
		int b = (int)(t / bar);
		const int *ch = prog[b % 4];
		double tb = fmod(t, bar), tbeat = fmod(t, beat);
		int beatno = (int)(tb / beat);
		double pad_l = 0, pad_r = 0, bass, kick = 0, snare = 0, hat;
		double noise = rng_uniform(), hp;
		int k;

		for (k = 0; k < 3; k++) {
			double v = note(t, midi_hz(root + 12 + ch[k]), tb, bar);

			pad_l += v * (k == 0 ? 0.8 : k == 1 ? 0.5 : 0.3);
			pad_r += v * (k == 0 ? 0.3 : k == 1 ? 0.5 : 0.8);
		}
		bass = note(t, midi_hz(root - 12 + ch[0]), tbeat, beat);
		if (beatno == 0 || beatno == 2) {
			double f = 50.0 + 60.0 * exp(-tbeat / 0.03);

			kick = sin(2 * M_PI * f * tbeat) * exp(-tbeat / 0.12);
		} else {
			snare_lp += 0.35 * (noise - snare_lp);
			snare = (snare_lp + 0.3 * sin(2 * M_PI * 190 * tbeat)) *
				exp(-tbeat / 0.07);
			if (o->soft)
				snare *= 1 - exp(-tbeat / 0.0005);
		}
		hp = 0.9 * (hat_hp_prev + noise - hat_prev_in);
		hat_hp_prev = hp;
		hat_prev_in = noise;
		hat = hp * exp(-fmod(t, beat / 2) / 0.02) * 0.4;
		if (o->soft)
			hat *= 1 - exp(-fmod(t, beat / 2) / 0.0005);
		for (c = 0; c < o->channels; c++) {
			double pad = (c % 2 == 0) ? pad_l : pad_r;
			double v = 0.35 * pad + 0.45 * bass + 0.6 * kick +
				   0.35 * snare + (c % 2 ? 0.25 : 0.15) * hat;

			buf[(size_t)i * o->channels + c] = (float)v;
		}
	}
}

static int generate(const char *kind, int64_t n, float *buf,
		    const struct opts *o)
{
	double amp = pow(10.0, o->level_db / 20.0);
	double ph = o->phase_deg * M_PI / 180.0;
	double peak = 0, scale;
	size_t total = (size_t)n * o->channels, j;
	int64_t i;
	unsigned c;

	if (strcmp(kind, "silence") == 0) {
		memset(buf, 0, total * sizeof(*buf));
		return 0;
	}
	for (i = 0; i < n; i++) {
		double t = (double)i / o->rate, v = 0;

		if (strcmp(kind, "sine") == 0) {
			v = sin(2 * M_PI * o->freq_hz * t + ph);
		} else if (strcmp(kind, "twotone") == 0) {
			v = 0.5 * sin(2 * M_PI * o->freq_hz * t + ph) +
			    0.5 * sin(2 * M_PI * o->freq2_hz * t);
		} else if (strcmp(kind, "sweep") == 0) {
			double dur = (double)n / o->rate;
			double k = log(o->freq2_hz / o->freq_hz);

			v = sin(2 * M_PI * o->freq_hz * dur / k *
				(exp(t / dur * k) - 1.0));
		} else if (strcmp(kind, "impulse") == 0) {
			v = i == n / 2 ? 1.0 : 0.0;
		} else if (strcmp(kind, "noise") == 0) {
			for (c = 0; c < o->channels; c++)
				buf[(size_t)i * o->channels + c] =
					(float)(amp * rng_uniform());
			continue;
		} else if (strcmp(kind, "music") == 0) {
			break;
		} else {
			return -1;
		}
		for (c = 0; c < o->channels; c++)
			buf[(size_t)i * o->channels + c] = (float)(amp * v);
		if (o->width_deg != 0 && strcmp(kind, "sine") == 0)
			for (c = 1; c < o->channels; c += 2)
				buf[(size_t)i * o->channels + c] = (float)(
					amp * sin(2 * M_PI * o->freq_hz * t + ph +
						  o->width_deg * M_PI / 180.0));
	}
	if (strcmp(kind, "music") == 0) {
		music(buf, n, o);
		for (j = 0; j < total; j++)
			if (fabs(buf[j]) > peak)
				peak = fabs(buf[j]);
		scale = peak > 0 ? amp / peak : 0;
		for (j = 0; j < total; j++)
			buf[j] = (float)(buf[j] * scale);
	}
	return 0;
}

static void fade(float *buf, int64_t n, const struct opts *o)
{
	int64_t len = (int64_t)llround(o->fade_s * o->rate), i;
	unsigned c;

	if (len <= 0)
		return;
	if (len > n / 2)
		len = n / 2;
	for (i = 0; i < len; i++) {
		double g = 0.5 - 0.5 * cos(M_PI * (double)i / (double)len);

		for (c = 0; c < o->channels; c++) {
			buf[(size_t)i * o->channels + c] *= (float)g;
			buf[(size_t)(n - 1 - i) * o->channels + c] *= (float)g;
		}
	}
}

/*
 * Make the last granule position of an Ogg Vorbis file claim `extra`
 * samples more than the stream decodes to, as encoders that miscount
 * their last block do.  The encoder's own last granule already trims the
 * padding of the last block away, so first a far larger one lets the
 * whole stream decode and be counted.
 */
static int overstate(const char *path, int64_t extra)
{
	struct pm_audio_info info;
	struct pm_err err = { 0 };

	if (set_granule(path, true, (int64_t)1 << 24) < 0 ||
	    pm_audio_probe(path, &info, &err) < 0)
		return -1;
	return set_granule(path, false, info.length_samples + extra);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "channels", required_argument, NULL, 'c' },
		{ "bits", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'F' },
		{ "level", required_argument, NULL, 'a' },
		{ "freq", required_argument, NULL, 'q' },
		{ "freq2", required_argument, NULL, 256 },
		{ "phase", required_argument, NULL, 'p' },
		{ "fade", required_argument, NULL, 257 },
		{ "seed", required_argument, NULL, 's' },
		{ "dc", no_argument, NULL, 258 },
		{ "title", required_argument, NULL, 't' },
		{ "artist", required_argument, NULL, 'A' },
		{ "poke", required_argument, NULL, 259 },
		{ "granule", required_argument, NULL, 260 },
		{ "width", required_argument, NULL, 261 },
		{ "soft", no_argument, NULL, 263 },
		{ "plant", required_argument, NULL, 262 },
		{ "zeros", required_argument, NULL, 264 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { .rate = 44100, .channels = 2, .bits = 16,
			  .format = PM_FORMAT_WAV, .level_db = -6,
			  .freq_hz = 1000, .freq2_hz = 20000, .seed = 1 };
	struct pm_audio_spec spec = { 0 };
	struct pm_audio_meta meta = { 0 };
	struct pm_audio_writer *w;
	struct pm_err err = { 0 };
	struct pm_time len;
	uint64_t u;
	float *buf;
	int64_t n;
	int c, i;

	pm_log_init("mkfixture", PM_LOG_NOTE);
	while ((c = getopt_long(argc, argv, "r:c:b:F:a:q:p:s:t:A:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'r':
			if (pm_parse_uint(optarg, 8000, 768000, &u) < 0)
				pm_usage_error("bad rate '%s'", optarg);
			o.rate = (uint32_t)u;
			break;
		case 'c':
			if (pm_parse_uint(optarg, 1, 8, &u) < 0)
				pm_usage_error("bad channel count '%s'", optarg);
			o.channels = (unsigned)u;
			break;
		case 'b':
			if (strcmp(optarg, "float") == 0)
				o.bits = 0;
			else if (pm_parse_uint(optarg, 16, 32, &u) < 0 ||
				 (u != 16 && u != 24 && u != 32))
				pm_usage_error("bad bit depth '%s'", optarg);
			else
				o.bits = (unsigned)u;
			break;
		case 'F':
			for (i = 0; i <= PM_FORMAT_MP3; i++)
				if (strcmp(optarg,
					   pm_format_name((enum pm_format)i)) == 0)
					break;
			if (i > PM_FORMAT_MP3)
				pm_usage_error("bad format '%s'", optarg);
			o.format = (enum pm_format)i;
			break;
		case 'a':
			if (pm_parse_db(optarg, -200, 96, &o.level_db) < 0)
				pm_usage_error("bad level '%s'", optarg);
			break;
		case 259:
			if (parse_poke(optarg, &o) < 0)
				pm_usage_error("bad --poke '%s' (FRAME:CHANNEL:VALUE)",
					       optarg);
			break;
		case 260:
			if (pm_parse_uint(optarg, 1, 1u << 30, &u) < 0)
				pm_usage_error("bad --granule '%s'", optarg);
			o.granule_extra = (int64_t)u;
			break;
		case 261:
			if (pm_parse_double(optarg, -360, 360, &o.width_deg) < 0)
				pm_usage_error("bad width '%s'", optarg);
			break;
		case 263:
			o.soft = true;
			break;
		case 264: {
			char *end;

			o.zeros_lead_s = strtod(optarg, &end);
			if (*end == ':')
				o.zeros_trail_s = strtod(end + 1, &end);
			if (*end || o.zeros_lead_s < 0 || o.zeros_trail_s < 0)
				pm_usage_error("bad --zeros '%s'", optarg);
			break;
		}
		case 262:
			if (parse_plant(optarg, &o) < 0)
				pm_usage_error("bad --plant '%s' (see --help)", optarg);
			break;
		case 'q':
			if (pm_parse_double(optarg, 0.001, 400000, &o.freq_hz) < 0)
				pm_usage_error("bad frequency '%s'", optarg);
			break;
		case 256:
			if (pm_parse_double(optarg, 0.001, 400000, &o.freq2_hz) < 0)
				pm_usage_error("bad frequency '%s'", optarg);
			break;
		case 'p':
			if (pm_parse_double(optarg, -360, 360, &o.phase_deg) < 0)
				pm_usage_error("bad phase '%s'", optarg);
			break;
		case 257:
			if (pm_parse_double(optarg, 0, 3600, &o.fade_s) < 0)
				pm_usage_error("bad fade '%s'", optarg);
			break;
		case 's':
			if (pm_parse_uint(optarg, 0, UINT64_MAX, &o.seed) < 0)
				pm_usage_error("bad seed '%s'", optarg);
			break;
		case 258:
			o.dc = true;
			break;
		case 't':
			o.title = optarg;
			break;
		case 'A':
			o.artist = optarg;
			break;
		case 'h':
			usage();
			return 0;
		default:
			pm_usage_fail();
		}
	}
	if (argc - optind != 3)
		pm_usage_error("expected KIND LENGTH OUTPUT");
	if (o.level_db > 0 && o.bits != 0)
		pm_usage_error("a level above 0 dBFS needs -b float");
	if (o.granule_extra && o.format != PM_FORMAT_OGG)
		pm_usage_error("--granule is for -F ogg");
	if (pm_parse_time(argv[optind + 1], &len) < 0)
		pm_usage_error("bad length '%s'", argv[optind + 1]);
	n = pm_time_samples(len, o.rate);
	if (n <= 0 || n > (int64_t)o.rate * 3600)
		pm_usage_error("length must be between one sample and an hour");
	rng_state = 0x9E3779B97F4A7C15ULL ^ (o.seed * 0xBF58476D1CE4E5B9ULL);
	if (rng_state == 0)
		rng_state = 1;
	buf = calloc((size_t)n * o.channels, sizeof(*buf));
	if (!buf) {
		pm_error("out of memory");
		return EX_OSERR;
	}
	if (generate(argv[optind], n, buf, &o) < 0) {
		free(buf);
		pm_usage_error("unknown kind '%s'", argv[optind]);
	}
	fade(buf, n, &o);
	plant(buf, n, &o);
	for (size_t k = 0; k < o.npokes; k++) {
		if (o.pokes[k].frame >= n || o.pokes[k].channel > o.channels)
			pm_usage_error("--poke: frame %lld, channel %u is outside the audio",
				       (long long)o.pokes[k].frame,
				       o.pokes[k].channel);
		buf[(size_t)o.pokes[k].frame * o.channels +
		    o.pokes[k].channel - 1] = o.pokes[k].value;
	}
	if (o.dc)
		for (size_t j = 0; j < (size_t)n * o.channels; j++)
			buf[j] += (float)(0.1 * pow(10.0, o.level_db / 20.0));
	for (int64_t j = 0; j < n; j++)
		if ((double)j < o.zeros_lead_s * o.rate ||
		    (double)(n - j) <= o.zeros_trail_s * o.rate)
			for (unsigned ch = 0; ch < o.channels; ch++)
				buf[(size_t)j * o.channels + ch] = 0;
	spec.format = o.format;
	spec.rate = o.rate;
	spec.channels = o.channels;
	spec.bits = o.bits;
	meta.title = o.title;
	meta.artist = o.artist;
	w = pm_audio_create(argv[optind + 2], &spec, &meta, &err);
	if (w && pm_audio_write(w, buf, n, &err) < 0)
		w = (pm_audio_finish(w, NULL), NULL);
	else if (w && pm_audio_finish(w, &err) < 0)
		w = NULL;
	free(buf);
	if (!w && err.code != PM_OK) {
		pm_error("%s", err.msg);
		return pm_exit_status(&err);
	}
	if (o.granule_extra && overstate(argv[optind + 2], o.granule_extra) < 0) {
		pm_error("cannot change the granule position of '%s'",
			 argv[optind + 2]);
		return EX_IOERR;
	}
	return 0;
}
