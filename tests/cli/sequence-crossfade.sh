#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# sequence-crossfade.sh: crossfades sum two signals.  An overlap whose true
# peak passes the CD's ceiling is limited under it (and reported), or
# refused when the album says so; one within the ceiling is left alone.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
# two tones at -3 dBFS, in phase: an equal-power crossfade gives each
# 0.707 in the middle, so the sum peaks at 0 dBFS, 1 dB over the ceiling,
# though neither track is (faded: an abrupt onset over-reads in any
# true-peak meter)
mkfixture -b 24 -a -3 -q 1000 --fade 0.5 sine 8s a.wav || exit 99
mkfixture -b 24 -a -3 -q 1000 --fade 0.5 sine 8s b.wav || exit 99

album() {
	cat > album.xml <<XML
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release><title>Segue</title></release>
  <tracks>
    <track id="t1"><source file="a.wav"/><title>One</title></track>
    <track id="t2"><source file="b.wav"/><title>Two</title>
      <crossfade length="3s" shape="$1"/></track>
  </tracks>
  <deliverables><cd ddp="false" ceiling-dbtp="-1" crossfade-peaks="$2"/></deliverables>
</album>
XML
}

tp() { # the true peak of a file in dBTP, by ffmpeg's meter
	ffmpeg -nostdin -hide_banner -nostats -i "$1" -af ebur128=peak=true \
		-f null - 2>&1 | awk '/Peak:/ { p = $2 } END { print p }'
}

album equal-power limit
t_expect 0 "an overlap over the ceiling is limited" premaster-sequence album.xml -o out
t_stderr_has "and the dip is reported" "limited by"
grep "limited by" "$T/.stderr" | sed 's/^/# /'
t_stderr_has "it was about 1 dB over" "true peak 0.0"
t_stdout_has "the result line counts it" "crossfades_limited=1"
peak=$(tp out/cd/album.wav)
awk -v p="$peak" 'BEGIN { exit !(p <= -1.0 + 0.15) }'
t_result $? "ffmpeg measures the CD at or under the ceiling (+0.15 dB): $peak dBTP"
t_expect 0 "verify confirms it with the reference meter" \
	premaster verify --no-reports album.xml -o out
t_stdout_has "and finds it fit" "verdict	fit"

album equal-power refuse
t_expect 65 "with crossfade-peaks=refuse it is refused" premaster-sequence -f album.xml -o out
t_stderr_has "naming the tracks" "crossfade 't1' -> 't2'"
t_stderr_has "and the peak" "over the -1.00 dBTP ceiling"

mkfixture -b 24 -a -12 -q 1000 --fade 0.5 sine 8s a.wav || exit 99
mkfixture -b 24 -a -12 -q 1000 --fade 0.5 sine 8s b.wav || exit 99
album equal-power refuse
t_expect 0 "a quiet crossfade passes even when refusing" premaster-sequence -f album.xml -o out
t_stderr_has "reported within the ceiling" "within the -1.00 dBTP ceiling"
t_stdout_has "and nothing was limited" "crossfades_limited=0"
t_done
