#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# sound.sh: what a mastering engineer measures on a release, checked with
# tests/soundcheck (its own 8x meter, not lib/dsp's).  The default chain
# is transparent: a track that needs no limiting is its mix times one
# gain; a DC offset is subtracted; every deliverable is at or under its
# ceiling on an 8x meter that counts the file's edges and on libebur128;
# no transition to or from digital silence is louder than -60 dBFS (edge
# fades); vinyl bass is mono below 80 Hz.
. "${top_srcdir:-.}/tests/lib.sh"


cd "$T" || exit 99
mkdir mixes
# mixes that start and end mid-waveform: no fades
mkfixture -r 44100 -b 24 -a -0.5 -s 1 music 4s "mixes/01 Loud.wav" || exit 99
mkfixture -r 48000 -b 24 -a -14 -s 2 music 4s "mixes/02 Clean.wav" || exit 99
mkfixture -r 44100 -b 24 -a -8 -q 50 --width 90 sine 4s "mixes/03 Wide.wav" || exit 99
mkfixture -r 44100 -b 24 -a -12 -s 4 --dc music 4s "mixes/04 Offset.wav" || exit 99

t_expect 0 "init writes an album" premaster init --title "Sound" \
	--artist "Tester" mixes/*
t_ok "with no EQ in its chain" sh -c '! grep -q "<eq>\|<band" album.xml'
# loud enough that the first track needs the limiter everywhere
sed 's|target-lufs="-14"|target-lufs="-10"|' album.xml > loud.xml
t_expect 0 "build runs" premaster build loud.xml -o out
t_stderr_has "each edge fade is reported" "edge fade: start of t1"
# once per run (doc/internals/design.md §8): not once per target, and
# not again from ddpmake and verify, which lay the CD out again
grep 'edge fade: ' "$T/.stderr" >fades.txt
t_is "in build, edge fade notes: $(wc -l <fades.txt), each once" \
	"$(sort fades.txt | uniq -d)" ""
t_is "one for each end of the four tracks" "$(wc -l <fades.txt | tr -d ' ')" 8
t_expect 0 "sequence on its own" premaster sequence -f loud.xml -o out
t_is "prints each edge fade once too" \
	"$(grep 'edge fade: ' "$T/.stderr" | sort | uniq -c | awk '$1 != 1')" ""
t_is "all eight of them" "$(grep -c 'edge fade: ' "$T/.stderr")" 8
t_expect 0 "and ddpmake" premaster ddpmake -f loud.xml -o out
t_is "the same eight, once each" \
	"$(grep 'edge fade: ' "$T/.stderr" | sort -u | wc -l | tr -d ' ')/$(grep -c 'edge fade: ' "$T/.stderr")" 8/8

# transparency: the 24-bit master of a track the ceiling leaves alone
gain=$(soundcheck resid out/masters/apple/02-Clean.wav "mixes/02 Clean.wav" 0.01)
t_ok "the clean track is its mix times one gain ($gain)" \
	le "$(echo "$gain" | sed 's/.*resid=//')" -60

t_ok "the limiter's work is logged with times and depth" \
	grep -q '"depth_db": [1-9]' out/report/analysis.json

# DC: measured, then subtracted exactly
dc=$(soundcheck dc "mixes/04 Offset.wav" | sed 's/dc=//')
t_ok "the offset mix has DC ($dc dBFS)" le -33 "$dc"
dc=$(soundcheck dc out/masters/apple/04-Offset.wav | sed 's/dc=//')
t_ok "its master has none left ($dc dBFS)" le "$dc" -100
t_ok "the report says it was removed" grep -q '"dc_removed": true' \
	out/report/analysis.json

# true peak: every deliverable, on both meters, under its ceiling
ceiling() {
	case $1 in
	out/cd/*) echo -0.3 ;;
	out/vinyl/*) echo 0 ;;
	*) echo -1 ;;
	esac
}
bad=
n=0
for f in out/cd/album.wav out/cd/tracks/*.wav out/streaming/*/* \
	out/vinyl/*.wav; do
	c=$(ceiling "$f")
	line=$(soundcheck tp "$f") || { bad="$bad $f"; continue; }
	fine=$(echo "$line" | sed 's/.*fine8x=\([^ ]*\).*/\1/')
	ebu=$(echo "$line" | sed 's/.*ebur128=\([^ ]*\).*/\1/')
	le "$fine" "$c" && le "$ebu" "$c" || bad="$bad $f($fine/$ebu>$c)"
	n=$((n + 1))
done
t_is "all $n deliverables at or under their ceilings on 8x with edges and on libebur128" "$bad" ""
max=$(soundcheck tp out/cd/tracks/01-Loud.wav | sed 's/.*fine8x=\([^ ]*\).*/\1/')
t_ok "and the limited CD track is close to its ceiling ($max dBTP)" le -0.6 "$max"

# Spotify: a file louder than -14 LUFS peaks at -2 dBTP or under
bad=
loud=0
for f in out/streaming/spotify/*; do
	line=$(soundcheck tp "$f")
	lufs=$(echo "$line" | sed 's/.*lufs=//')
	le "$lufs" -14 && continue
	loud=$((loud + 1))
	fine=$(echo "$line" | sed 's/.*fine8x=\([^ ]*\).*/\1/')
	ebu=$(echo "$line" | sed 's/.*ebur128=\([^ ]*\).*/\1/')
	le "$fine" -2 && le "$ebu" -2 || bad="$bad $f($lufs LUFS, $fine/$ebu dBTP)"
done
t_ok "some Spotify files are louder than -14 LUFS ($loud)" test "$loud" -gt 0
t_is "and they peak at -2 dBTP or under" "$bad" ""
grep -q '"ceiling_dbtp": -2.00' out/report/analysis.json
t_result $? "the report gives them the loud-file ceiling"

# vinyl: below 80 Hz the side is at least 30 dB under the mid, though
# the wide track's 50 Hz is as loud in the side as in the mid
w=$(soundcheck lfside "mixes/03 Wide.wav" | sed 's/side_mid=//')
t_ok "the wide mix has side bass ($w dB against the mid)" le -3 "$w"
bad=
for f in out/vinyl/*.wav; do
	w=$(soundcheck lfside "$f" | sed 's/side_mid=//')
	le "$w" -30 || bad="$bad $f($w)"
done
t_is "every vinyl side is mono below 80 Hz" "$bad" ""
t_ok "the report says how much bass LF-mono took out" \
	grep -q '"lf_mono_removed_db": -[0-9]' out/report/analysis.json

# edges: no step to or from digital silence louder than -60 dBFS
bad=
for f in out/cd/album.wav out/cd/tracks/*.wav out/streaming/*/* \
	out/vinyl/*.wav; do
	w=$(soundcheck edges "$f" | sed 's/.*worst=\([^ ]*\).*/\1/')
	le "$w" -60 || bad="$bad $f($w)"
done
t_is "no edge louder than -60 dBFS" "$bad" ""
t_ok "the mix itself starts loud (so the fade did it)" sh -c \
	"! \"$top_builddir/tests/soundcheck\" edges 'mixes/01 Loud.wav' | grep -q 'worst=-[6-9][0-9]'"

# a high-pass stays available, and the report says what it does to the
# true peak (the minimum-phase 20 Hz one raises it)
sed 's|<loudness|<eq><band type="highpass" freq="20"/></eq><loudness|' loud.xml > hp.xml
t_expect 0 "a build with a 20 Hz high-pass" premaster master hp.xml -o out3
t_ok "the report gives the true peak it adds" \
	grep -q '"album_eq": [0-9-]' out3/report/analysis.json
r=$(soundcheck resid out3/masters/apple/02-Clean.wav "mixes/02 Clean.wav" 0.01 | sed 's/.*resid=//')
t_ok "its phase shift leaves the clean track far from its mix times a gain ($r dB)" \
	le -30 "$r"

# the linear-phase one moves no peak, and its delay is taken out: the
# clean track is again its mix times a gain, at the mix's rate and, in
# step with the build without a high-pass, at the CD's
sed 's|<loudness|<eq><band type="highpass" freq="20" phase="linear"/></eq><loudness|' \
	loud.xml > lhp.xml
t_expect 0 "a build with a 20 Hz linear-phase high-pass" \
	premaster master lhp.xml -o out4
added=$(jq -r '[.tracks[].source.true_peak_added_db.linear_highpass] | max' \
	out4/report/analysis.json)
minadded=$(jq -r '[.tracks[].source.true_peak_added_db.album_eq] | max' \
	out3/report/analysis.json)
t_ok "it adds next to no true peak to any track ($added dB)" le "$added" 0.1
t_ok "less than the minimum-phase one ($minadded dB)" le "$added" "$minadded"
# what is left is the mix's energy under 20 Hz (its noise percussion's),
# which the filter is there to take out; a phase shift, or a master out
# of step by one sample, leaves far more
r=$(soundcheck resid out4/masters/apple/02-Clean.wav "mixes/02 Clean.wav" 0.01 | sed 's/.*resid=//')
t_ok "the clean track is its mix times a gain ($r dB)" le "$r" -30
r=$(soundcheck resid out4/masters/cd/02-Clean.wav out/masters/cd/02-Clean.wav 0.01 | sed 's/.*resid=//')
t_ok "and its CD master, resampled, is in step with the one without ($r dB)" \
	le "$r" -30
t_is "every master as long as without the high-pass" \
	"$(jq -c '[.targets[].tracks[].length_samples]' out4/report/analysis.json)" \
	"$(jq -c '[.targets[].tracks[].length_samples]' out/report/analysis.json)"

# pass-through keeps a source as it is, its DC too (a re-issue); track
# 2's file starts at its index 01, in step with its mix
mkfixture -r 44100 -b 16 -a -12 -s 5 music 4s pt1.wav || exit 99
mkfixture -r 44100 -b 16 -a -12 -s 4 --dc music 4s pt.wav || exit 99
cat > pt.xml <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release><title>Pass</title></release>
  <tracks>
    <track id="t1"><source file="pt1.wav"/><title>One</title></track>
    <track id="t2"><source file="pt.wav"/><title>Pt</title></track>
  </tracks>
  <mastering pass-through="true"/>
  <deliverables><cd/></deliverables>
</album>
EOF
t_expect 0 "a pass-through build of a mix with DC" premaster build pt.xml -o outpt
r=$(soundcheck resid outpt/cd/tracks/02-Pt.wav pt.wav 0 | sed 's/.*resid=//')
t_ok "pass-through leaves it sample for sample, DC and all ($r dB)" \
	le "$r" -140
t_ok "and the report says no DC was removed" \
	sh -c "! grep -q '\"dc_removed\": true' outpt/report/analysis.json"

# edge-fade length="0" turns it off
sed 's|<loudness|<edge-fade length="0"/><loudness|' loud.xml > nofade.xml
t_expect 0 "a build without edge fades" premaster build nofade.xml -o out2
w=$(soundcheck edges out2/cd/album.wav | sed 's/.*worst=\([^ ]*\).*/\1/')
t_ok "then the CD has its hard edges ($w dBFS)" le -40 "$w"
t_done
