#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# silence-edges.sh: a mix that opens with digital silence and then jumps
# to a loud sample (or stops dead into trailing zeros) has hard edges
# inside it, not at its first or last sample.  The sequencer fades them
# like the edges of a clip: no transition to or from digital silence in
# any deliverable is louder than -60 dBFS (tests/soundcheck edges: runs
# of 32 or more zero frames), each such fade is noted once, and verify
# still finds every lossless file equal to its master but for the fades.
. "${top_srcdir:-.}/tests/lib.sh"


worst() {
	soundcheck edges "$1" | sed 's/.*worst=\([^ ]*\).*/\1/'
}

cd "$T" || exit 99
mkdir mixes
# 0.5 s of zeros, then a full-level sine that starts on its crest
# (cosine phase) and stops on it, then 0.5 s of zeros again
mkfixture -r 44100 -b 24 -a -0.1 -q 1000 -p 90 --zeros 0.5:0.5 sine 4s \
	"mixes/01 Jump.wav" || exit 99
# at 48 kHz, so the CD and vinyl masters are resampled
mkfixture -r 48000 -b 24 -a -1 -s 3 --zeros 0.5:0.25 music 4s \
	"mixes/02 Cut.wav" || exit 99
w=$(worst "mixes/01 Jump.wav")
t_ok "the mix steps out of digital silence at full level ($w dBFS)" le -1 "$w"

t_expect 0 "init" premaster init --title "Silence" --artist "Tester" mixes/*
t_expect 0 "build, verify included" premaster build album.xml -o out
n=$(grep -c 'edge fade: track 1 leaves digital silence at 0:00.500' "$T/.stderr")
t_is "the fade out of the leading zeros is noted once" "$n" 1
n=$(grep -c 'edge fade: track 1 enters digital silence at 0:03.500' "$T/.stderr")
t_is "the fade into the trailing zeros too" "$n" 1
t_is "no edge note twice" \
	"$(grep 'edge fade: ' "$T/.stderr" | sort | uniq -d)" ""

bad=
nf=0
for f in out/cd/album.wav out/cd/tracks/*.wav out/streaming/*/* \
	out/vinyl/*.wav; do
	nf=$((nf + 1))
	w=$(worst "$f")
	le "$w" -60 || bad="$bad $f($w)"
done
t_is "no step to or from digital silence over -60 dBFS in $nf files" "$bad" ""
w=$(worst out/masters/apple/02-Cut.wav)
t_ok "the masters keep the mix's steps ($w dBFS): the fades are the sequencer's" \
	le -40 "$w"
t_ok "verify finds a 24-bit file equal to its master but for the fades" \
	sh -c 'jq -e ".deliverables[] | select(.name == \"apple\") | .files[] | select(.track == 2) | .equals_master == true" out/report/verify.json'

# Track 1's file holds the 2 s pause after it: its master, then silence.
t_ok "and one that holds the pause after the track too" \
	sh -c 'jq -e ".deliverables[] | select(.name == \"apple\") | .files[] | select(.track == 1) | .equals_master == true" out/report/verify.json'
f=out/streaming/apple/01-Jump.wav
cp "$f" jump.wav
rate=$(ffprobe -v error -show_entries stream=sample_rate -of csv=p=0 "$f")
data=$(grep -obUa 'data' "$f" | head -1 | cut -d: -f1)
# poke LEFT-CHANNEL-SAMPLE-AT SECONDS: a 24-bit sample of -66 dBFS
poke() {
	printf '\000\020\000' | dd of="$f" bs=1 conv=notrunc 2>/dev/null \
		seek=$((data + 8 + $1 * rate * 6 / 10))
}
# differs DELIVERABLE-TIME: what verify says of track 1's apple file
differs() {
	jq -r '.findings[] | select(.rule == "consistency" and .track == 1 and
		(.deliverable // "") == "apple" and
		(.message | test("differ from its master"))) | .time_s' \
		out/report/verify.json
}
poke 45
t_expect 1 "a click in the pause after the track fails verify" \
	premaster verify -f album.xml -o out
t_is "it is found where it is (4.5 s)" "$(differs)" 4.5
cp jump.wav "$f"
poke 20
t_expect 1 "and one in the music" premaster verify -f album.xml -o out
t_is "it is found where it is (2.0 s)" "$(differs)" 2
cp jump.wav "$f"
t_expect 0 "the file put back passes" premaster verify -f album.xml -o out

sed 's|<loudness|<edge-fade length="0"/><loudness|' album.xml >nofade.xml
t_expect 0 "a build without edge fades" premaster build nofade.xml -o out2
cp "$T/.stderr" nofade.err
t_ok "then the CD steps out of silence loud ($(worst out2/cd/album.wav) dBFS)" \
	le -20 "$(worst out2/cd/album.wav)"
t_is "and nothing is noted" "$(grep -c 'edge fade' nofade.err)" 0
t_done
