#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# defects.sh: defects planted in generated music are found end to end.
# master's analysis.json and verify.json both name each one under its
# audio-* rule, with its track and time; the clean track has none.  The
# clipping counter counts a run in the right channel.  <repair> replaces
# the clicks and the clipped passage and leaves every other sample of
# the master bit-identical (hum and noise: restore.sh).
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkfixture -b 24 -a -3 -s 1 --soft --fade 0.1 music 6s clean.wav || exit 99
mkfixture -b 24 -a -3 -s 1 --soft --fade 0.1 --plant click:1.3:1:0.1 \
	--plant click:2.7:2:-0.3 --plant clip:4.1:0.05:3 music 6s defects.wav || exit 99
mkfixture -b 24 -a -30 -s 3 --soft --fade 0.1 --plant hum:60:-50:2 \
	music 6s hum.wav || exit 99
# straight out of silence and cut; three full-scale samples on the right
mkfixture -b 24 -a -3 -s 2 --soft --poke 44100:2:1 --poke 44101:2:1 \
	--poke 44102:2:1 music 5s edge.wav || exit 99
pm premaster init -q --title "Defects" --artist "Band" clean.wav defects.wav \
	hum.wav edge.wav || exit 99
# the CD only, no chain: the masters are the sources (with repairs)
awk '/<vinyl/ { skip = 1 } skip && /<\/vinyl>/ { skip = 0; next } skip { next }
     /<streaming profile=/ { next }
     /<mastering>/ { print "  <mastering pass-through=\"true\"/>"; m = 1; next }
     m && /<\/mastering>/ { m = 0; next } m { next }
     { print }' album.xml >a2.xml && mv a2.xml album.xml
# the planted full-scale samples pass through over the CD's ceiling
sed 's|</deliverables>|</deliverables><verify><rule id="master-ceiling" severity="warning"/><rule id="true-peak" severity="warning"/></verify>|' \
	album.xml >a2.xml && mv a2.xml album.xml

t_expect 0 "the planted album builds (the findings are warnings)" \
	premaster build album.xml -o out
t_stderr_has "master warns about the click" "track 2: audio-click: a click at 1.300 s"
j=out/report/analysis.json
near() { # RULE TRACK TIME TOLERANCE: a finding there in FILE $f
	jq -e --arg r "$1" --argjson k "$2" --argjson t "$3" --argjson d "$4" \
		'[.findings[] | select(.rule == $r and .track == $k and
		  .time_s != null and (.time_s - $t) <= $d and ($t - .time_s) <= $d)]
		 | length >= 1' "$f" >/dev/null
}
f=$j
t_ok "analysis.json: the -20 dBFS click at 1.300 s, within 10 ms" near audio-click 2 1.3 0.01
t_ok "analysis.json: the -10 dBFS click at 2.700 s, within 10 ms" near audio-click 2 2.7 0.01
t_ok "analysis.json: the 50 ms clipped at 4.100 s, within 50 ms" near audio-clipping 2 4.1 0.05
t_ok "analysis.json: the hum" jq -e '[.findings[] | select(.rule == "audio-hum" and .track == 3 and .level_db < -48 and .level_db > -52)] | length == 1' $j
t_ok "analysis.json: the hard start of track 4" near audio-hard-edge 4 0 0.001
t_ok "analysis.json: and its hard end" near audio-hard-edge 4 5 0.001
t_ok "findings have duration and level" jq -e '[.findings[] | select(.rule == "audio-clipping")][0] | .duration_s > 0.03 and .level_db > -1' $j
t_ok "the clean track has no click, clipping, hum or edge" \
	jq -e '[.findings[] | select(.track == 1 and (.rule == "audio-click" or .rule == "audio-clipping" or .rule == "audio-hum" or .rule == "audio-hard-edge"))] | length == 0' $j
t_is "the run in the right channel is counted" \
	"$(jq '.tracks[3].source.clipped_runs' $j)" 1

f=out/report/verify.json
t_ok "verify.json: the click at 1.300 s in the source" near audio-click 2 1.3 0.01
t_ok "verify.json: the clipping at 4.100 s" near audio-clipping 2 4.1 0.05
t_ok "verify.json: the hum" jq -e '[.findings[] | select(.rule == "audio-hum" and .track == 3)] | length >= 1' $f
t_ok "verify.json: the hum came through to the CD master" \
	jq -e '[.findings[] | select(.rule == "audio-hum" and .deliverable == "cd" and .track == 3)] | length == 1' $f
t_ok "verify.json: no hum in the other CD masters" \
	jq -e '[.findings[] | select(.rule == "audio-hum" and .deliverable == "cd" and .track != 3)] | length == 0' $f
t_ok "verify.json: the click came through to the CD master" \
	jq -e '[.findings[] | select(.rule == "audio-click" and .deliverable == "cd" and .track == 2)] | length >= 1' $f

# the click floor is a threshold of its own: at -15 dBFS the -20 dBFS
# click is under it, the -10 dBFS one is not
sed 's|</verify>|<rule id="audio-click-floor" value="-15"/></verify>|' \
	album.xml >floor.xml
t_expect 0 "the click floor can be set" \
	premaster master --analyse-only floor.xml -o floorout
f=floorout/report/analysis.json
t_ok "under it the -20 dBFS click is not a finding" \
	jq -e '[.findings[] | select(.rule == "audio-click" and .track == 2 and .time_s < 2)] | length == 0' $f
t_ok "the -10 dBFS click still is" near audio-click 2 2.7 0.01

# --- repair ------------------------------------------------------------
sed 's|<mastering pass-through="true"/>|<mastering pass-through="true"><repair clicks="on" clipping="on"/></mastering>|' \
	album.xml >repair.xml
t_expect 0 "master repairs" premaster build repair.xml -o fixed
j=fixed/report/analysis.json
t_ok "analysis.json says what was repaired and where" \
	jq -e '.tracks[1].repair.samples_replaced > 1000 and ([.tracks[1].repair.regions[] | select(.kind == "click" and .start_sample > 57000 and .start_sample < 57400)] | length == 1) and ([.tracks[1].repair.regions[] | select(.kind == "clipping")] | length >= 2)' $j
ffmpeg -nostdin -v error -i out/masters/cd/02-defects.wav -f f32le -c:a pcm_f32le a.raw &&
	ffmpeg -nostdin -v error -i fixed/masters/cd/02-defects.wav -f f32le -c:a pcm_f32le b.raw ||
	exit 99
jq -r '.tracks[1].repair.regions[] | "\(.channel) \(.start_sample) \(.samples)"' $j >regions
# every differing byte must be inside a repaired region of its channel
only_in_regions a.raw b.raw regions
t_result $? "the repaired master differs from the unrepaired one only in the repaired regions"
t_ok "verify finds no click in the repaired CD master" \
	jq -e '[.findings[] | select(.rule == "audio-click" and .deliverable == "cd")] | length == 0' fixed/report/verify.json

# --- the loudness-range limit --------------------------------------------
# A track of over a minute (the range means little under one), with the
# peak-to-loudness limit at 0 so that only the range can decide: a limit
# 1 LU over the track's own range flags it, one 1 LU under does not.
mkdir lra && cd lra || exit 99
mkfixture -b 24 -a -3 -s 5 --soft --fade 0.1 music 65s long.wav || exit 99
pm premaster init -q --title "Range" --artist "Band" long.wav || exit 99
range_album() { # LIMIT OUT.xml
	sed "s|</deliverables>|</deliverables><verify><rule id=\"audio-overcompressed\" value=\"0\"/><rule id=\"audio-overcompressed-range\" value=\"$1\"/></verify>|" \
		album.xml >"$2"
}
range_album 0 probe.xml
t_expect 0 "the range of a minute of music is measured" \
	premaster master --analyse-only probe.xml -o probe
lra=$(jq '.tracks[0].source.range_lu' probe/report/analysis.json)
oc() { # OUT: how many audio-overcompressed findings OUT's analysis holds
	jq '[.findings[] | select(.rule == "audio-overcompressed")] | length' \
		"$1/report/analysis.json"
}
t_is "a limit of 0 LU flags nothing" "$(oc probe)" 0
range_album "$(awk -v r="$lra" 'BEGIN { print r + 1 }')" over.xml
t_expect 0 "a limit over the track's range ($lra LU)" \
	premaster master --analyse-only over.xml -o over
t_is "flags the track" "$(oc over)" 1
t_ok "and says so with both limits" jq -e \
	'.findings[] | select(.rule == "audio-overcompressed") | .message | test("loudness range .* LU \\(limit .* LU\\)")' \
	over/report/analysis.json
range_album "$(awk -v r="$lra" 'BEGIN { print r - 1 }')" under.xml
t_expect 0 "a limit under it" premaster master --analyse-only under.xml -o under
t_is "does not" "$(oc under)" 0
cd .. || exit 99

t_done
