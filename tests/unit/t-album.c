/* SPDX-License-Identifier: GPL-3.0-or-later */
/* t-album.c: loading album.xml: schema, defaults, safety, semantic rules. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "album/album.h"
#include "album/targets.h"
#include "io/audio.h"
#include "logcap.h"
#include "tap.h"
#include "util/log.h"

static char dir[] = "/tmp/t-album.XXXXXX";
static const char *path_of(const char *name)
{
	static char p[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static const char *write_file(const char *name, const char *text)
{
	const char *p = path_of(name);
	FILE *f = fopen(p, "w");

	fputs(text, f);
	fclose(f);
	return p;
}

static void write_audio(const char *name, uint32_t rate, unsigned ch,
			int64_t n)
{
	struct pm_audio_spec spec = { .format = PM_FORMAT_WAV, .rate = rate,
				      .channels = ch, .bits = 16 };
	struct pm_err err = { 0 };
	struct pm_audio_writer *w = pm_audio_create(path_of(name), &spec, NULL,
						    &err);
	float *buf = calloc((size_t)n * ch, sizeof(float));

	pm_audio_write(w, buf, n, &err);
	pm_audio_finish(w, &err);
	free(buf);
}

#define HEAD "<?xml version=\"1.0\"?>\n<album xmlns=\"urn:x-premaster:album:1\" version=\"1\">\n"

static struct pm_album *load(const char *name, const char *text,
			     struct pm_err *err)
{
	logcap_clear();
	pm_err_clear(err);
	return pm_album_load(write_file(name, text), NULL, err);
}

int main(void)
{
	struct pm_err err = { 0 };
	struct pm_album *a;
	struct pm_target targets[8];
	size_t n;
	char *big;

	if (!mkdtemp(dir))
		tap_skip_all("cannot make a scratch directory");
	pm_log_init("t-album", PM_LOG_DEBUG);
	logcap_start();

	a = load("good.xml", HEAD
		 "<release><title>T</title><title lang=\"de\">T de</title>"
		 "<artist>A</artist><upc>036000291452</upc></release>\n"
		 "<tracks>\n"
		 "<track id=\"t1\"><source file=\"long.wav\" out=\"5s\"/><title>One</title>"
		 "<isrc>us-ab1-26-00001</isrc><index at=\"1s\"/></track>\n"
		 "<track id=\"t2\"><source file=\"sub/b.wav\"/><title>Two</title>"
		 "<artist>Guest</artist><crossfade length=\"0.5s\"/></track>\n"
		 "</tracks>\n"
		 "<mastering><limiter/></mastering>\n"
		 "<deliverables><cd><cd-text><block language=\"en\"/><block language=\"de\"/></cd-text></cd>"
		 "<streaming profile=\"spotify\" rate=\"48000\"/><streaming profile=\"hi\" preset=\"apple\" bits=\"16\" rate=\"48000\"/></deliverables>\n"
		 "</album>\n",
		 &err);
	if (!ok(a != NULL, "a good album loads"))
		tap_diag("%s / %s", err.msg, logcap_first());
	if (a) {
		is_int(a->ntracks, 2, "two tracks");
		is_str(a->tracks[0].isrc, "USAB12600001", "ISRC normalised");
		is_str(a->release.upc, "0036000291452", "UPC-A made EAN-13");
		is_int(a->tracks[0].line, 5, "tracks remember their line");
		ok(a->mastering.limiter.enabled &&
			   a->mastering.limiter.lookahead_ms == 2 &&
			   a->mastering.limiter.oversampling == 4,
		   "limiter defaults come from the schema");
		ok(a->cd.enabled && a->cd.want_ddp && a->cd.track_gaps == PM_GAPS_APPEND,
		   "cd defaults");
		is_int(a->cd.nblocks, 2, "two CD-TEXT blocks");
		is_str(pm_album_cdtext(a, 1, PM_FIELD_TITLE, PM_DISC), "T de",
		       "the German block has the German title");
		is_str(pm_album_cdtext(a, 1, PM_FIELD_TITLE, 0), "One",
		       "a track title without German shows the original in block 1");
		is_str(pm_album_cdtext(a, 0, PM_FIELD_PERFORMER, 0), "A",
		       "track performer falls back to the album's");
		is_str(pm_album_cdtext(a, 0, PM_FIELD_PERFORMER, 1), "Guest",
		       "unless the track has one");
		is_str(a->tracks[1].source.path, path_of("sub/b.wav"),
		       "sources resolve against the album's directory");
		n = pm_album_targets(a, targets);
		is_int(n, 3, "cd plus two streaming targets");
		ok(targets[1].target_lufs == -14 && targets[1].ceiling_dbtp == -1,
		   "spotify from the table");
		ok(targets[2].target_lufs == -16 && targets[2].bits == 16 &&
			   strcmp(targets[2].name, "hi") == 0,
		   "preset apple with an override");
		ok(targets[0].ceiling_dbtp == -0.3 && !targets[0].has_target,
		   "cd keeps the mastering level, -0.3 dBTP");
		mkdir(path_of("sub"), 0777);
		write_audio("long.wav", 44100, 2, 44100 * 6);
		write_audio("a.wav", 44100, 2, 44100 * 4);
		write_audio("sub/b.wav", 48000, 1, 48000 * 5);
		logcap_clear();
		if (!ok(pm_album_probe(a, &err) == 0, "the audio probes"))
			tap_diag("%s / %s", err.msg, logcap_first());
		is_int(a->tracks[1].source.info.rate, 48000, "rate read");
		is_int(a->tracks[1].source.info.channels, 1, "mono read");
		is_int(pm_source_length(&a->tracks[0].source), 5 * 44100,
		       "out trim applied");
		is_int(pm_time_samples(a->tracks[1].xfade.length, 48000), 24000,
		       "crossfade length at the source rate");
	}
	pm_album_free(a);

	/* schema errors name FILE:LINE */
	a = load("bad-schema.xml", HEAD
		 "<release><title>T</title></release>\n"
		 "<tracks>\n"
		 "<track id=\"t1\"><source file=\"a.wav\" in=\"2 s\"/><title>One</title></track>\n"
		 "</tracks></album>\n",
		 &err);
	ok(!a && err.code == PM_ESCHEMA, "a bad time is a schema error");
	ok(logcap_has("bad-schema.xml:5:"), "reported at its line: %s",
	   logcap_first());
	ok(!logcap_has("urn:x-premaster"), "without namespace clutter");

	a = load("notwf.xml", HEAD "<release><title>T</title></release>\n<tracks>\n", &err);
	ok(!a && err.code == PM_EFORMAT, "not well-formed is a format error");
	ok(strstr(logcap_first(), "notwf.xml:"), "with a line: %s",
	   logcap_first());

	a = load("ns.xml", "<?xml version=\"1.0\"?><album version=\"1\"><release/></album>",
		 &err);
	ok(!a && logcap_has("ns.xml:1: the root element must be"),
	   "a document without our namespace is refused");

	/* safety */
	a = load("xxe.xml",
		 "<?xml version=\"1.0\"?>\n<!DOCTYPE album [\n<!ENTITY x SYSTEM \"file:///etc/passwd\">\n]>\n"
		 HEAD "<release><title>&x;</title></release></album>\n",
		 &err);
	ok(!a && err.code == PM_EFORMAT, "an external entity is refused");
	ok(logcap_has("xxe.xml:2: DOCTYPE declarations are not allowed"),
	   "at the DOCTYPE, before any entity is declared");
	ok(!logcap_has("root:"), "nothing of /etc/passwd is read");
	a = load("lol.xml",
		 "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY a \"aaaaaaaaaa\">"
		 "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
		 "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
		 "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\"><!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">]>\n"
		 HEAD "<release><title>&g;</title></release></album>\n",
		 &err);
	ok(!a && err.code == PM_EFORMAT, "an entity expansion bomb is refused");
	big = malloc(PM_ALBUM_MAX_BYTES + 2);
	memset(big, ' ', PM_ALBUM_MAX_BYTES + 1);
	big[PM_ALBUM_MAX_BYTES + 1] = '\0';
	memcpy(big, HEAD, strlen(HEAD));
	a = load("big.xml", big, &err);
	ok(!a && err.code == PM_EFORMAT && strstr(err.msg, "larger than"),
	   "an oversized file is refused before parsing: %s", err.msg);
	free(big);
	a = pm_album_load(path_of("absent.xml"), NULL, &err);
	ok(!a && err.code == PM_ENOINPUT, "a missing album is no input (66)");

	/* semantic rules, all reported */
	a = load("sem.xml", HEAD
		 "<release><title>T</title><upc>036000291453</upc></release>\n"
		 "<tracks>\n"
		 "<track id=\"t1\"><source file=\"a.wav\"/><title>One</title><isrc>USAB12600001</isrc>"
		 "<crossfade length=\"1s\"/></track>\n"
		 "<track id=\"t2\"><source file=\"a.wav\"/><title>Two</title><isrc>USAB12600001</isrc>"
		 "<flags copy=\"true\" scms=\"true\"/></track>\n"
		 "</tracks>\n"
		 "<mastering><loudness mode=\"anchor\"/></mastering>\n"
		 "<deliverables><streaming profile=\"myspace\"/></deliverables>\n"
		 "<verify><rule id=\"no-such-rule\"/></verify>\n"
		 "</album>\n",
		 &err);
	ok(!a && err.code == PM_ESCHEMA, "semantic errors refuse the album");
	ok(logcap_has("sem.xml:3: UPC/EAN '036000291453' is not valid: the check digit is wrong"),
	   "the check digit");
	ok(logcap_has("sem.xml:5:") && logcap_has("first track cannot crossfade"),
	   "a crossfade on track 1");
	ok(logcap_has("sem.xml:6:") && logcap_has("ISRC USAB12600001 is also track 1's"),
	   "a duplicate ISRC");
	ok(logcap_has("copy and scms cannot both be set"), "copy with SCMS");
	ok(logcap_has("sem.xml:8: loudness mode 'anchor' needs an anchor"),
	   "anchor mode without an anchor");
	ok(logcap_has("sem.xml:9: unknown streaming preset 'myspace'"),
	   "an unknown preset");
	ok(logcap_has("sem.xml:10: unknown verify rule 'no-such-rule'"),
	   "an unknown verify rule");
	ok(strstr(err.msg, "7 errors") != NULL, "all counted: %s", err.msg);

	a = load("cdtext.xml", HEAD
		 "<release><title>T</title><artist>A</artist></release>\n"
		 "<tracks>\n"
		 "<track id=\"t1\"><source file=\"a.wav\"/><title>\xc5\x81\xc3\xb3" "d\xc5\xba</title>"
		 "<composer>C</composer></track>\n"
		 "<track id=\"t2\"><source file=\"a.wav\"/><title>Two</title></track>\n"
		 "</tracks></album>\n",
		 &err);
	ok(!a, "CD-TEXT rules refuse the album");
	ok(logcap_has("cdtext.xml:5: track 1 ('t1') title: '\xc5\x81' (U+0141) cannot be written in CD-TEXT iso-8859-1"),
	   "an unrepresentable character, named with field and track");
	ok(logcap_has("cdtext.xml:6: track 2 ('t2') has no composer in CD-TEXT block 'en'"),
	   "a field on one track but not another");

	/* probing: times within the audio */
	a = load("times.xml", HEAD
		 "<release><title>T</title></release>\n"
		 "<tracks>\n"
		 "<track id=\"t1\"><source file=\"a.wav\" in=\"1s\" out=\"5s\"/><title>One</title>"
		 "<fade-in length=\"1s\"/><index at=\"10s\"/></track>\n"
		 "<track id=\"t2\"><source file=\"a.wav\"/><title>Two</title><fade-out length=\"5s\"/>"
		 "<index at=\"2s\"/><index at=\"1s\"/></track>\n"
		 "<track id=\"t3\"><source file=\"nope.wav\"/><title>Three</title></track>\n"
		 "</tracks></album>\n",
		 &err);
	ok(a != NULL, "times are checked when probing");
	if (a) {
		logcap_clear();
		ok(pm_album_probe(a, &err) < 0 && err.code == PM_ENOINPUT,
		   "a missing source is no input (66)");
		ok(logcap_has("times.xml:7: track 3 ('t3'): cannot open"),
		   "named with its line");
		pm_album_free(a);
	}
	a = load("times2.xml", HEAD
		 "<release><title>T</title></release>\n"
		 "<tracks>\n"
		 "<track id=\"t1\"><source file=\"a.wav\" in=\"1s\" out=\"5s\"/><title>One</title>"
		 "<fade-in length=\"1s\"/><index at=\"10s\"/></track>\n"
		 "<track id=\"t2\"><source file=\"a.wav\"/><title>Two</title><fade-out length=\"5s\"/>"
		 "<index at=\"2s\"/><index at=\"1s\"/></track>\n"
		 "</tracks></album>\n",
		 &err);
	if (a) {
		logcap_clear();
		ok(pm_album_probe(a, &err) < 0 && err.code == PM_ESCHEMA,
		   "times outside the audio are refused");
		ok(logcap_has("times2.xml:5: track 1 ('t1'): out=0:05.000 is past the end"),
		   "a trim past the end");
		ok(logcap_has("index 02 at 0:10.000 is outside the track"),
		   "an index outside the track");
		ok(logcap_has("fade-out (0:05.000) is longer than the audio"),
		   "a fade longer than the track");
		ok(logcap_has("index 03 must come after index 02"),
		   "indexes in order");
		pm_album_free(a);
	}
	return tap_done();
}
