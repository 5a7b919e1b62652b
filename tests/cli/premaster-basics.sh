#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# premaster-basics.sh: the front end: help, version, dispatch, exit
# statuses, init, and outputs that cannot escape their directory.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
t_expect 0 "premaster --help" premaster --help
t_stdout_has "help lists the commands" "build"
t_expect 0 "premaster --version" premaster --version
t_stdout_has "version names the package" "premaster (premaster) "
t_expect 64 "no command is a usage error" premaster
t_expect 64 "an unknown command is a usage error" premaster frobnicate
t_stderr_has "in the house style" "premaster: error: 'frobnicate' is not a premaster command"
for tool in master sequence ddpmake verify; do
	t_expect 0 "premaster $tool --help runs the tool" premaster "$tool" --help
	t_stdout_has "$tool's help shows its usage" "usage: premaster $tool"
	t_expect 0 "premaster $tool --version" premaster "$tool" --version
	t_stdout_has "$tool's version" "premaster $tool (premaster)"
	t_expect 64 "premaster $tool with a bad option" premaster "$tool" --bogus
	t_stderr_has "points at --help" "Try 'premaster $tool --help'"
	t_expect 66 "premaster $tool with a missing album" premaster "$tool" absent.xml
done
t_expect 64 "build without an album" premaster build
t_expect 66 "build with a missing album stops at the first stage" premaster build absent.xml -o out
t_stdout_has "and reports which stages ran" "stage	master	failed"

# init: a valid album.xml from audio files, in argument order
mkfixture -r 44100 -b 16 -t "First Song" sine 5s one.wav || exit 99
mkfixture -r 96000 -b 24 sine 5s "02 - Second_Song.wav" || exit 99
mkfixture -r 48000 -b 24 -F flac sine 5s three.flac || exit 99
mkfixture -r 192000 -b 32 -F aiff sine 5s four.aif || exit 99
mkfixture -r 88200 -b 16 -F ogg -c 1 sine 5s five.ogg || exit 99
mkfixture -r 176400 -b float sine 5s six.wav || exit 99
t_expect 0 "init takes WAV, FLAC, AIFF and Ogg from 44.1 to 192 kHz" \
	premaster init --title "Basics" --artist "Tester" --upc 036000291452 \
	--catalog "PM-001" --isrc-first US-AB1-26-00098 \
	one.wav "02 - Second_Song.wav" three.flac four.aif five.ogg six.wav
t_stdout_has "init prints what it wrote" "album.xml"
if command -v xmllint >/dev/null 2>&1; then
	t_expect 0 "xmllint accepts the album" xmllint --noout \
		--schema "$top_srcdir/schemas/album.xsd" album.xml
else
	t_result 1 "xmllint is needed to check init's output"
fi
grep -q "<title>First Song</title>" album.xml
t_result $? "a title tag becomes the title"
grep -q "<title>Second Song</title>" album.xml
t_result $? "a file name becomes a title, without number and underscores"
grep -q "<isrc>USAB12600099</isrc>" album.xml && grep -q "<isrc>USAB12600103</isrc>" album.xml
t_result $? "ISRCs count up from --isrc-first"
grep -q "<upc>0036000291452</upc>" album.xml
t_result $? "the UPC-A is stored as EAN-13"
grep -q '<streaming profile="spotify"/>' album.xml &&
	grep -q '<streaming profile="apple"/>' album.xml &&
	grep -q '<streaming profile="bandcamp"/>' album.xml
t_result $? "default streaming profiles"
grep -q '<side name="A"' album.xml
t_result $? "vinyl sides"
t_expect 73 "init does not overwrite" premaster init one.wav
t_expect 0 "unless forced" premaster init -f one.wav
t_expect 64 "a bad UPC is a usage error" premaster init --upc 036000291453 one.wav
t_stderr_has "saying why" "check digit"
t_expect 64 "a bad ISRC is a usage error" premaster init --isrc-first XX one.wav
mkfixture -r 32000 sine 1s low.wav || exit 99
t_expect 65 "a 32 kHz file is refused" premaster init -o low.xml low.wav
t_expect 66 "a missing file is no input" premaster init -o m.xml nothing.wav
echo "not audio" > junk.wav
t_expect 65 "a file that is not audio is refused" premaster init -o j.xml junk.wav
mkdir sub
t_expect 0 "init -o elsewhere" premaster init -o sub/album.xml one.wav
grep -q 'file="../one.wav"' sub/album.xml
t_result $? "sources are written relative to the album"

# titles and ids never make a path that leaves the output directory
cat > evil.xml <<'XML'
<?xml version="1.0"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release><title>../../../../tmp/evil</title><catalog>../../x</catalog></release>
  <tracks>
    <track id="t1"><source file="one.wav"/><title>../../../../tmp/pwned</title></track>
  </tracks>
  <deliverables>
    <cd/>
    <vinyl><side name="A" tracks="t1"/></vinyl>
    <streaming profile="bandcamp"/>
  </deliverables>
</album>
XML
mkdir jail
t_expect 0 "sequence an album with hostile titles" premaster sequence evil.xml -o jail/out
t_is "every file stays inside the output directory" \
	"$(find . -newer evil.xml -type f ! -path './jail/*' | grep -v -e '^\./\.stdout$' -e '^\./\.stderr$' | wc -l | tr -d ' ')" 0
t_ok "the track file is named safely" test -f "jail/out/cd/tracks/01-_.._.._.._tmp_pwned.wav"
t_done
