#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# late-refusal.sh: what album.xml and the sources' headers tell is
# checked before anything is written.  A 9:59:59 pause, a 1-sample
# source, a vinyl side too long for the record used to pass loading:
# master wrote masters/ and report/, then sequence refused.  Now build
# refuses (65) with OUTDIR never made; an album at the limits still
# builds (no false alarm), and so do tracks at two rates that crossfade;
# --masters must name masters.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkfixture -b 16 sine 6s a.wav || exit 99
mkfixture -b 16 sine 1 one.wav || exit 99
mkfixture -b 16 -r 48000 sine 5s r48.wav || exit 99
mkfixture -b 16 -r 48000 sine 4s four48.wav || exit 99
mkfixture -b 16 -c 1 sine 3:00 three.wav -a -20 || exit 99

# album FILE TRACKS [DELIVERABLES]: an album.xml
album() {
	cat > "$1" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release><title>Late</title></release>
  <tracks>
$2
  </tracks>
${3:-}
</album>
EOF
}

album gap.xml '
    <track id="t1"><source file="a.wav"/><title>One</title></track>
    <track id="t2"><source file="a.wav"/><title>Two</title>
      <gap length="9:59:59"/></track>'
t_expect 65 "a 9:59:59 pause: build refuses it" premaster build gap.xml -o out-gap
t_stderr_has "at the pause's line" "gap.xml:8: track 2 ('t2'): a pause of"
t_ok "and writes nothing" test ! -e out-gap

album one.xml '
    <track id="t1"><source file="a.wav"/><title>One</title></track>
    <track id="t2"><source file="one.wav"/><title>Two</title></track>'
t_expect 65 "a 1-sample source: build refuses it" premaster build one.xml -o out-one
t_stderr_has "at the track's line" "one.xml:7: track 2: is 00:00:01 long"
t_ok "and writes nothing" test ! -e out-one
t_expect 65 "master alone refuses it too" premaster master one.xml -o out-one
t_ok "and writes nothing either" test ! -e out-one

album side.xml '
    <track id="t1"><source file="three.wav"/><title>One</title></track>
    <track id="t2"><source file="three.wav"/><title>Two</title></track>' '
  <deliverables>
    <cd enabled="false"/>
    <vinyl size="7" speed="45"><side name="A" tracks="t1 t2"/></vinyl>
  </deliverables>'
t_expect 65 "a 6-minute side on a 7\" single: build refuses it" \
	premaster build side.xml -o out-side
t_stderr_has "saying how long" "side A runs 06:03.00, more than a 7\" side at 45 rpm holds"
t_ok "and writes nothing" test ! -e out-side

album rates.xml '
    <track id="t1"><source file="a.wav"/><title>One</title></track>
    <track id="t2"><source file="r48.wav"/><title>Two</title>
      <crossfade length="1s"/></track>' '
  <deliverables>
    <cd enabled="false"/>
    <streaming profile="apple"/>
  </deliverables>'
# (a crossfade between two rates is no longer refused: the crossfaded
# tracks share the higher rate; tests/cli/mixed-rate.sh has the rest)
t_expect 0 "a crossfade between 44.1 and 48 kHz builds" \
	premaster build -q rates.xml -o out-rates
t_is "both sides of it at 48 kHz" \
	"$(ffprobe -v error -show_entries stream=sample_rate -of csv=p=0 out-rates/streaming/apple/01-One.wav) $(ffprobe -v error -show_entries stream=sample_rate -of csv=p=0 out-rates/streaming/apple/02-Two.wav)" \
	"48000 48000"

# at the limits: a last track of exactly 4 s (at 48 kHz, so resampled)
album four.xml '
    <track id="t1"><source file="a.wav"/><title>One</title></track>
    <track id="t2"><source file="four48.wav"/><title>Two</title></track>'
t_expect 0 "a last track of exactly 4 s builds" premaster build -q four.xml -o out-four
t_ok "with its DDP" test -s out-four/ddp/IMAGE.DAT

# --masters names masters, or sequence refuses before writing
album plain.xml '
    <track id="t1"><source file="a.wav"/><title>One</title></track>'
t_expect 66 "sequence --masters=/nonexistent is refused" \
	premaster sequence plain.xml -o out-m --masters=/nonexistent-pm-test
t_stderr_has "saying why" "'/nonexistent-pm-test' is not a directory of masters"
mkdir empty
t_expect 66 "--masters without the target's masters is refused" \
	premaster sequence plain.xml -o out-m --masters=empty
t_stderr_has "naming the target" "'empty' has no masters for 'cd'"
t_ok "and nothing is written" test ! -e out-m
t_expect 0 "without masters the sources are read" \
	premaster sequence plain.xml -o out-m
t_stderr_has "with a note saying so" "reading the sources at unity gain"
t_expect 0 "--unity says it is meant" premaster sequence -f --unity plain.xml -o out-m
t_ok "and there is no note" sh -c '! grep -q "unity gain" "$0"' "$T/.stderr"
t_done
