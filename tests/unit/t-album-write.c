/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * t-album-write.c: writing album.xml back (lib/album/write.c).  An album
 * that uses every element and attribute is loaded, written, loaded
 * again: the two models are the same (pm_album_same), and writing the
 * second gives the very same bytes.  The demo album and one using
 * nothing but the defaults go round too; pm_album_same notices a change
 * of a single value; the number and time formats read back exactly.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "album/album.h"
#include "album/write.h"
#include "logcap.h"
#include "tap.h"
#include "util/log.h"
#include "util/parse.h"

static char dir[] = "/tmp/t-album-write.XXXXXX";

static const char *path_of(const char *name)
{
	static char p[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

/* Everything the schema has, most of it away from its default. */
static const char rich[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<album xmlns=\"urn:x-premaster:album:1\" version=\"1\">\n"
	"<release>\n"
	" <title>Round &amp; \"Trip\" &lt;1&gt;</title>\n"
	" <title lang=\"de\">Rundreise</title>\n"
	" <title lang=\"ja\">\xe5\xbe\x80\xe5\xbe\xa9</title>\n"
	" <artist>The Writers</artist><artist lang=\"de\">Die Schreiber</artist>\n"
	" <songwriter>S. Writer</songwriter><composer>C. Omposer</composer>\n"
	" <arranger>A. Ranger</arranger><message>Hello  world </message>\n"
	" <label>Label</label><catalog>CAT-1</catalog><upc>036000291452</upc>\n"
	" <release-date>2026-01-02</release-date>\n"
	" <genre code=\"rock\">Rock'n'roll</genre>\n"
	" <p-line year=\"2026\">P Line</p-line><c-line year=\"2025\">C Line</c-line>\n"
	" <master-id>MASTER 1</master-id>\n"
	"</release>\n"
	"<tracks>\n"
	" <htoa><source file=\"hidden one.wav\" in=\"100\" out=\"2.5s\"/>\n"
	"  <title>Hidden</title><title lang=\"de\">Versteckt</title>\n"
	"  <gain db=\"-1.5\"/><fade-in length=\"250ms\" shape=\"s-curve\"/>\n"
	"  <fade-out length=\"1:02.5\"/></htoa>\n"
	" <track id=\"one\"><source file=\"a/01 \xc3\xa9t\xc3\xa9.flac\" in=\"0.000000001s\"/>\n"
	"  <title>One</title><title lang=\"de\">Eins</title>\n"
	"  <artist>Guest</artist><composer lang=\"de\">Komponist</composer>\n"
	"  <isrc>US-AB1-26-00001</isrc><gain db=\"0.25\"/>\n"
	"  <fade-in length=\"44100\" shape=\"equal-power\"/>\n"
	"  <gap length=\"2.5s\"/>\n"
	"  <index at=\"10s\"/><index at=\"882000\"/>\n"
	"  <flags pre-emphasis=\"true\"/>\n"
	"  <mastering gain-db=\"-2\"><eq><band type=\"peak\" freq=\"1000\" gain-db=\"1.5\" q=\"2\"/></eq></mastering>\n"
	"  <repair clicks=\"off\"/>\n"
	" </track>\n"
	" <track id=\"two\"><source file=\"b.wav\" out=\"1:00:00.5\"/>\n"
	"  <title>Two</title><isrc>USAB12600002</isrc>\n"
	"  <crossfade length=\"2s\" shape=\"s-curve\" id-at=\"0.5s\"/>\n"
	"  <flags copy=\"true\"/>\n"
	" </track>\n"
	" <track id=\"three\"><source file=\"c.aiff\"/><title>Three</title>\n"
	"  <gap length=\"88200\" in-source=\"true\"/><flags scms=\"true\" pre-emphasis=\"true\"/>\n"
	" </track>\n"
	" <track id=\"four\"><source file=\"d.wav\"/><title>Four</title>\n  <fade-out length=\"3s\" shape=\"logarithmic\"/>\n"
	"  <crossfade length=\"1s\"/>\n"
	" </track>\n"
	"</tracks>\n"
	"<mastering>\n"
	" <repair clicks=\"on\" clipping=\"on\" hum=\"off\" noise=\"off\"/>\n"
	" <eq><band type=\"highpass\" freq=\"20.5\" order=\"4\"/>\n"
	"  <band type=\"high-shelf\" freq=\"9000\" gain-db=\"-0.1\" q=\"0.3333\"/>\n"
	"  <band type=\"highpass\" freq=\"18\" phase=\"linear\"/></eq>\n"
	" <compressor threshold-db=\"-16\" ratio=\"1.5\" knee-db=\"3\" attack-ms=\"0.1\"\n"
	"  release-ms=\"250\" makeup-db=\"1\" detect=\"peak\" stereo-link=\"false\"\n"
	"  bands=\"3\" low-crossover=\"150\" high-crossover=\"4000\">\n"
	"  <band name=\"mid\" ratio=\"3\"/><band name=\"high\" threshold-db=\"-20\"/>\n"
	" </compressor>\n"
	" <width amount=\"1.1\"/>\n"
	" <limiter lookahead-ms=\"5\" release-ms=\"100\" oversampling=\"8\"/>\n"
	" <loudness mode=\"anchor\" target-lufs=\"-11.5\" ceiling-dbtp=\"-1\" anchor=\"two\"/>\n"
	" <tone-match mode=\"match\" reference=\"ref.wav\" max-db=\"1.5\"/>\n"
	"</mastering>\n"
	"<deliverables>\n"
	" <cd ddp=\"false\" toc=\"false\" checksum-crc32=\"true\" pre-roll-frames=\"5\"\n"
	"  target-lufs=\"-9\" ceiling-dbtp=\"-0.5\" dither=\"shaped\"\n"
	"  warn-length=\"74:00\" max-length=\"79:59\" track-gaps=\"split\"\n"
	"  crossfade-peaks=\"refuse\">\n"
	"  <cd-text transliterate=\"true\" copyright=\"true\" disc-id=\"XY12345\">\n"
	"   <block language=\"en\"/><block language=\"de\" charset=\"ascii\"/>\n"
	"   <block language=\"ja\" charset=\"ms-jis\"/>\n"
	"  </cd-text>\n"
	" </cd>\n"
	" <vinyl size=\"10\" speed=\"45\" gap=\"4s\" lf-mono-hz=\"120\" target-lufs=\"-17\"\n"
	"  ceiling-dbtp=\"-2\" rate=\"96000\" bits=\"float\">\n"
	"  <side name=\"A\" tracks=\"one two\"/><side name=\"B\" tracks=\"three four\"/>\n"
	" </vinyl>\n"
	" <streaming profile=\"spotify\"/>\n"
	" <streaming profile=\"loud\" preset=\"apple\" target-lufs=\"-10\" ceiling-dbtp=\"-1.5\"\n"
	"  format=\"flac\" bits=\"16\" rate=\"source\" gaps=\"prepend\"/>\n"
	" <streaming profile=\"web\" preset=\"bandcamp\" format=\"wav\" bits=\"24\" rate=\"album\" gaps=\"none\"/>\n"
	"</deliverables>\n"
	"<verify>\n"
	" <rule id=\"true-peak\" severity=\"warning\"/>\n"
	" <rule id=\"leading-silence\" value=\"2.5\"/>\n"
	" <rule id=\"clipping\" severity=\"ignore\" value=\"3\"/>\n"
	"</verify>\n"
	"</album>\n";

/* Nothing but what the schema requires. */
static const char plain[] =
	"<?xml version=\"1.0\"?>\n"
	"<album xmlns=\"urn:x-premaster:album:1\" version=\"1\">\n"
	"<release><title>Plain</title></release>\n"
	"<tracks><track id=\"t1\"><source file=\"x.wav\"/><title>X</title></track></tracks>\n"
	"</album>\n";

/* A pass-through album, as the import writes one. */
static const char passthrough[] =
	"<?xml version=\"1.0\"?>\n"
	"<album xmlns=\"urn:x-premaster:album:1\" version=\"1\">\n"
	"<release><title>Re-issue</title></release>\n"
	"<tracks><track id=\"t1\"><source file=\"x.wav\"/><title>X</title>\n"
	"<gap length=\"132300\"/></track></tracks>\n"
	"<mastering pass-through=\"true\"><limiter enabled=\"false\"/>"
	"<tone-match mode=\"off\"/></mastering>\n"
	"<deliverables><cd><cd-text enabled=\"false\"/></cd></deliverables>\n"
	"</album>\n";

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static struct pm_album *load(const char *path)
{
	struct pm_err err = { 0 };
	struct pm_album *a;

	logcap_clear();
	a = pm_album_load(path, NULL, &err);
	if (!a) {
		tap_diag("%s: %s", path, err.msg);
		logcap_dump();
	}
	return a;
}

static bool write_to(const struct pm_album *a, const char *path)
{
	struct pm_err err = { 0 };
	FILE *f = fopen(path, "w");
	int r;

	if (!f)
		return false;
	r = pm_album_write(f, a, NULL, &err);
	fclose(f);
	if (r < 0)
		tap_diag("write: %s", err.msg);
	return r == 0;
}

/* load -> write -> load: the same model, and a fixed point in bytes. */
static void round_trip(const char *name, const char *text, const char *file)
{
	char why[256] = "";
	char in[256], out1[256], out2[256];
	bool same;
	struct pm_album *a = NULL, *b = NULL, *c = NULL;
	char *t1 = NULL, *t2 = NULL;
	FILE *f;

	snprintf(in, sizeof(in), "%s", file ? file : path_of(name));
	snprintf(out1, sizeof(out1), "%s", path_of("out1.xml"));
	snprintf(out2, sizeof(out2), "%s", path_of("out2.xml"));
	if (text) {
		f = fopen(in, "w");
		fputs(text, f);
		fclose(f);
	}
	a = load(in);
	if (!ok(a != NULL, "%s: loads", name))
		return;
	ok(write_to(a, out1), "%s: is written", name);
	b = load(out1);
	if (ok(b != NULL, "%s: what is written loads", name)) {
		same = pm_album_same(a, b, why, sizeof(why));
		ok(same, "%s: and is the same album%s%s", name, *why ? ": " : "",
		   why);
		ok(write_to(b, out2), "%s: is written again", name);
		c = load(out2);
		t1 = slurp(out1);
		t2 = slurp(out2);
		ok(c && t1 && t2 && strcmp(t1, t2) == 0,
		   "%s: writing is a fixed point (the same bytes)", name);
	}
	pm_album_free(a);
	pm_album_free(b);
	pm_album_free(c);
	free(t1);
	free(t2);
}

static void formats(void)
{
	static const char *const times[] = {
		"0", "88200", "2s", "2.5s", "250ms", "0.000000001s",
		"1:23.5", "1:02:03.25", "35999.999999999s",
	};
	static const double nums[] = { -14, 0.7071, -0.1, 1e-5, 20.5,
				       0.3333, -60, 24, 1.0 / 3 };
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(times) / sizeof(*times); i++) {
		struct pm_time a, b;

		pm_parse_time(times[i], &a);
		pm_time_format(a, buf, sizeof(buf));
		ok(pm_parse_time(buf, &b) == 0 && a.num == b.num &&
			   a.den == b.den && a.in_samples == b.in_samples,
		   "time '%s' is written '%s' and reads back the same", times[i],
		   buf);
	}
	for (i = 0; i < sizeof(nums) / sizeof(*nums); i++) {
		double back = 0;

		pm_decimal_format(nums[i], buf, sizeof(buf));
		ok(pm_parse_double(buf, -1e9, 1e9, &back) == 0 &&
			   back == nums[i] && !strchr(buf, 'e'),
		   "%.17g is written '%s', a decimal that reads back", nums[i],
		   buf);
	}
	is_str(pm_decimal_format(-14, buf, sizeof(buf)), "-14",
	       "whole numbers stay short");
}

int main(void)
{
	struct pm_album *a, *b;
	char why[256] = "", demo[512];
	bool same;
	struct pm_err err = { 0 };
	FILE *f;

	logcap_start();
	if (!mkdtemp(dir))
		tap_skip_all("no scratch directory");
	formats();
	round_trip("every element", rich, NULL);
	round_trip("the defaults only", plain, NULL);
	round_trip("pass-through", passthrough, NULL);
	snprintf(demo, sizeof(demo), "%s/examples/demo/album.xml", SRCDIR);
	round_trip("the demo album", NULL, demo);

	/* a single changed value is a difference */
	f = fopen(path_of("rich.xml"), "w");
	fputs(rich, f);
	fclose(f);
	a = load(path_of("rich.xml"));
	b = load(path_of("rich.xml"));
	if (ok(a && b, "the rich album loads twice")) {
		same = pm_album_same(a, b, why, sizeof(why));
		ok(same, "the same as itself");
		b->tracks[2].gap_in_source = false;
		same = pm_album_same(a, b, why, sizeof(why));
		ok(!same && strstr(why, "track 3") && strstr(why, "gap"),
		   "a gap that is no longer in the source differs: %s", why);
		b->tracks[2].gap_in_source = true;
		b->mastering.pass_through = true;
		same = pm_album_same(a, b, why, sizeof(why));
		ok(!same, "so does pass-through: %s", why);
		b->mastering.pass_through = false;
		b->release.text[PM_FIELD_TITLE].v[1].value[0] = 'X';
		same = pm_album_same(a, b, why, sizeof(why));
		ok(!same && strstr(why, "release"),
		   "so does one letter of a title: %s", why);
		b->release.text[PM_FIELD_TITLE].v[1].value[0] = 'R';
		b->tracks[0].indexes[1].at.num++;
		same = pm_album_same(a, b, why, sizeof(why));
		ok(!same && strstr(why, "index 03"),
		   "and one sample of an index mark: %s", why);
	}
	/* what the schema requires of the shape is refused, not written */
	if (b) {
		free(b->tracks[1].text[PM_FIELD_TITLE].v[0].value);
		free(b->tracks[1].text[PM_FIELD_TITLE].v);
		b->tracks[1].text[PM_FIELD_TITLE].v = NULL;
		b->tracks[1].text[PM_FIELD_TITLE].n = 0;
		f = fopen(path_of("bad.xml"), "w");
		same = pm_album_write(f, b, NULL, &err) < 0;
		ok(same && err.code == PM_EINVAL &&
			   strstr(err.msg, "track 2 has no title"),
		   "a track without a title is refused: %s", err.msg);
		fclose(f);
	}
	pm_album_free(a);
	pm_album_free(b);
	unlink(path_of("rich.xml"));
	unlink(path_of("bad.xml"));
	unlink(path_of("out1.xml"));
	unlink(path_of("out2.xml"));
	unlink(path_of("every element"));
	unlink(path_of("the defaults only"));
	unlink(path_of("pass-through"));
	rmdir(dir);
	return tap_done();
}
