#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# verify-audio.sh: verify listens to the audio itself.  A good build
# passes; a silent CD track, a NaN in a float source, a source cut
# short, and a master 0.5 dB over its ceiling are each caught under their
# own rule, with the track and the time.  album.xml may change a rule's
# severity or turn it off, and the report says so.  --json prints the
# report that verify.json holds, and per-track figures are each track's
# own (no true peak from the next track's first sample).
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkfixture -b float -a -3 -s 1 --fade 0.1 music 6s one.wav || exit 99
mkfixture -b 24 -a -3 -s 2 --fade 0.1 music 5s two.wav || exit 99
# the second track ends on silence, the third starts loud: a true peak
# taken across the boundary would give track 2 track 3's first sample
mkfixture -b 24 -a -1 -s 3 music 5s three.wav || exit 99
pm premaster init -q --title "Audio" --artist "Band" one.wav two.wav three.wav || exit 99
# CD and one lossless streaming profile
awk '/<vinyl/ { skip = 1 } skip && /<\/vinyl>/ { skip = 0; next } skip { next }
     /<streaming profile="spotify"\/>|<streaming profile="bandcamp"\/>/ { next }
     { print }' album.xml >a2.xml && mv a2.xml album.xml
t_expect 0 "a good build passes" premaster build -q album.xml -o out
t_ok "verify.json says fit" sh -c 'jq -e ".fit == true" out/report/verify.json'

pm premaster verify --json -f album.xml -o out >events 2>/dev/null
jq -S 'select(.event == "result") | del(.event, .tool)' events >result.json
jq -S . out/report/verify.json >file.json
t_ok "the --json result is verify.json" cmp result.json file.json
t_ok "findings carry rule, severity, deliverable, track, time_s, message" \
	sh -c 'jq -e "[.tracks[].masters[]] | length == 6" out/report/verify.json'

# per-track figures: track 2's true peak is its own
tp2=$(jq '.deliverables[] | select(.name == "cd") | .files[] | select(.track == 2) | .true_peak_dbtp' out/report/verify.json)
ffmpeg -nostats -i out/cd/tracks/02-two.wav -af ebur128=peak=true -f null - 2>ff.txt || true
t_ok "CD track 2's true peak is within 0.3 dB of ffmpeg's on its file alone ($tp2)" \
	awk -v tp="$tp2" '/Peak:/ { p = $2 } END { d = tp - p; exit !(d < 0.3 && d > -0.3) }' ff.txt

# --- a silent CD track -----------------------------------------------
cp out/cd/album.wav album.bak
data=$(grep -obUa 'data' out/cd/album.wav | head -1 | cut -d: -f1)
start=$(jq '.disc.track[1].index_frames[0]' out/report/verify.json)
dd if=/dev/zero of=out/cd/album.wav bs=65536 oflag=seek_bytes iflag=count_bytes \
	seek=$((data + 8 + start * 588 * 4)) count=$(( (5 * 44100 - 588) * 4 )) \
	conv=notrunc 2>/dev/null
t_expect 1 "a silent CD track makes the release unfit" premaster verify -f album.xml -o out
t_stdout_has "under audio-silent" "error	audio-silent	"
t_ok "at track 2" sh -c 'jq -e "[.findings[] | select(.rule == \"audio-silent\" and .deliverable == \"cd\") | .track] == [2]" out/report/verify.json'
sed 's|</deliverables>|</deliverables><verify><rule id="audio-silent" severity="ignore"/></verify>|' \
	album.xml >ignore.xml
pm premaster verify -f ignore.xml -o out >/dev/null 2>&1
t_ok "album.xml can turn the rule off, and the report says so" \
	sh -c 'jq -e "[.findings[] | select(.rule == \"audio-silent\")][0] | .severity == \"ignore\" and .overridden == true" out/report/verify.json'
cp album.bak out/cd/album.wav

# --- a master 0.5 dB over its ceiling --------------------------------
cp out/masters/cd/01-one.wav master.bak
ceil=$(jq '.deliverables[] | select(.name == "cd") | .ceiling_dbtp' out/report/verify.json)
tp=$(jq '.tracks[0].masters[] | select(.target == "cd") | .true_peak_dbtp' out/report/verify.json)
gain=$(awk -v c="$ceil" -v t="$tp" 'BEGIN { printf "%.4f", c - t + 0.5 }')
ffmpeg -v error -y -i master.bak -af "volume=${gain}dB" -c:a pcm_f32le master.wav || exit 99
cp master.wav out/masters/cd/01-one.wav
t_expect 1 "a master 0.5 dB over its ceiling is caught" premaster verify -f album.xml -o out
t_stdout_has "under master-ceiling" "error	master-ceiling	"
cp master.bak out/masters/cd/01-one.wav

# --- a NaN in a float source -----------------------------------------
cp one.wav one.bak
data=$(grep -obUa 'data' one.wav | head -1 | cut -d: -f1)
printf '\000\000\300\177' | dd of=one.wav bs=1 seek=$((data + 8 + 8 * 3 * 44100)) conv=notrunc 2>/dev/null
t_expect 1 "a NaN in a float source is caught" premaster verify -f album.xml -o out
t_stdout_has "under audio-nan" "error	audio-nan	one.wav"
t_ok "with its track and time" sh -c 'jq -e "[.findings[] | select(.rule == \"audio-nan\")][0] | .track == 1 and .time_s == 3" out/report/verify.json'
cp one.bak one.wav

# --- a source cut short ----------------------------------------------
cp two.wav two.bak
truncate -s -60000 two.wav
# the album checks every tool runs first refuse it, unless album.xml
# accepts it; then verify reports it, as a warning
t_expect 65 "a truncated source is refused" premaster verify -f album.xml -o out
t_stderr_has "with both lengths" "'two.wav' is truncated: its header says 0:05.000"
sed 's|<source file="two.wav"/>|<source file="two.wav" truncated="accept"/>|' \
	album.xml >accept.xml
t_expect 0 "accepted in album.xml, it is caught but fit" \
	premaster verify -f accept.xml -o out
t_stdout_has "under source-truncated, as a warning" "warning	source-truncated	two.wav"
t_ok "with its track and where it ends" sh -c 'jq -e "[.findings[] | select(.rule == \"source-truncated\")][0] | .track == 2 and .time_s > 4.5 and .time_s < 5" out/report/verify.json'
cp two.bak two.wav

# --- a deliverable shorter than its master ---------------------------
cp out/streaming/apple/03-three.wav three.bak
ffmpeg -v error -y -i three.bak -t 4 -c:a pcm_s24le short.wav || exit 99
cp short.wav out/streaming/apple/03-three.wav
t_expect 1 "a streaming file shorter than its master is caught" premaster verify -f album.xml -o out
t_stdout_has "under audio-short" "error	audio-short	"
cp three.bak out/streaming/apple/03-three.wav
t_expect 0 "restored, the build passes again" premaster verify -f album.xml -o out
t_done
