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

sed 's|<loudness|<edge-fade length="0"/><loudness|' album.xml >nofade.xml
t_expect 0 "a build without edge fades" premaster build nofade.xml -o out2
cp "$T/.stderr" nofade.err
t_ok "then the CD steps out of silence loud ($(worst out2/cd/album.wav) dBFS)" \
	le -20 "$(worst out2/cd/album.wav)"
t_is "and nothing is noted" "$(grep -c 'edge fade' nofade.err)" 0
t_done
