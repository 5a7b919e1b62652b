#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# restore.sh: <repair hum> and <repair noise> end to end.  Hum planted at
# -50 dBFS (60 Hz, with 120 and 180 Hz) in generated music is removed in
# the master: each of its lines in the difference from the clean album's
# master is 20 dB or more under where it stands without the repair, and
# above 1 kHz, away from every line, the two masters differ by less than
# -60 dB.  White noise at -70 dBFS under music with a silent gap comes
# down by the reduction asked (less 1 dB) in the gap, the music by less
# than 0.5 dB.  analysis.json and the log say what each repair did.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
# The fixture's kick repeats every second: the music has a line of its
# own at 60 Hz, which no notch tells from the hum; at -33 dBFS peaks it
# is more than 20 dB under the hum's.
mkfixture -b float -a -33 -s 3 --soft --fade 0.1 music 12s clean.wav || exit 99
mkfixture -b float -a -33 -s 3 --soft --fade 0.1 --plant hum:60:-50:2 \
	music 12s hum.wav || exit 99
mkfixture -b float -a -18 -s 3 --soft --fade 0.1 --plant gap:5:3 \
	--plant noise:-70:1 music 12s noisy.wav || exit 99

apple_album clean.xml "" clean.wav
apple_album hum.xml "" hum.wav
apple_album dehum.xml '<repair hum="60"/>' hum.wav
apple_album auto.xml '<repair hum="auto"/>' hum.wav
apple_album denoise.xml '<repair noise="10"/>' noisy.wav
apple_album noisy.xml '' noisy.wav
apple_album nauto.xml '<repair noise="auto"/>' noisy.wav
# auto acts on the floor the audio-noise-floor rule finds, here under -75
sed 's|</deliverables>|</deliverables><verify><rule id="audio-noise-floor" value="-75"/></verify>|' \
	nauto.xml >nauto75.xml

t_expect 0 "the clean album builds" premaster master clean.xml -o clean
t_expect 0 "the album with hum builds" premaster master hum.xml -o hum
t_expect 0 "the album with hum removed builds" premaster master dehum.xml -o dehum
t_stderr_has "master says what the hum removal did" \
	"track 1: hum removed: 60.0"
j=dehum/report/analysis.json
t_ok "analysis.json: the hum removed, its fundamental found" \
	jq -e '.tracks[0].repair.hum | .asked == "60" and .mains_hz == 60 and
	       .fundamental_hz > 59.99 and .fundamental_hz < 60.01' $j
t_ok "analysis.json: 60, 120 and 180 Hz notched, each 15 dB down or more" \
	jq -e '[.tracks[0].repair.hum.harmonics[] |
		select(.after_dbfs < .before_dbfs - 15) | .harmonic] |
	       contains([1, 2, 3])' $j
t_ok "analysis.json: the fundamental measured at -50 dBFS" \
	jq -e '.tracks[0].repair.hum.harmonics[0] |
	       .harmonic == 1 and .before_dbfs > -52 and .before_dbfs < -48' $j

a=$(ls clean/masters/apple/*.wav) && b=$(ls hum/masters/apple/*.wav) &&
	c=$(ls dehum/masters/apple/*.wav) || exit 99
soundcheck lines "$b" "$a" 60 >without || exit 99
soundcheck lines "$c" "$a" 60 >with || exit 99
field() { # FILE KEY
	sed -n "s/.*$2=\([-0-9.]*\).*/\1/p" "$1"
}
for k in 1 2 3; do
	t_ok "the $((k * 60)) Hz line of the difference down 20 dB or more ($(field without line$k) to $(field with line$k) dBFS)" \
		awk -v a="$(field without line$k)" -v b="$(field with line$k)" \
		'BEGIN { exit !(b <= a - 20) }'
done
t_ok "above 1 kHz the masters differ by less than -60 dB ($(field with far) dB)" \
	awk -v f="$(field with far)" 'BEGIN { exit !(f < -60) }'

t_expect 0 "hum=\"auto\" builds" premaster master auto.xml -o auto
t_ok "hum=\"auto\" follows the detector to 60 Hz" \
	jq -e '.tracks[0].repair.hum | .asked == "auto" and .mains_hz == 60 and
	       (.harmonics | length) >= 3' auto/report/analysis.json

t_expect 0 "the noisy album builds" premaster master noisy.xml -o noisy
t_expect 0 "the album with noise reduction builds" premaster master denoise.xml -o denoise
t_stderr_has "master says what the noise reduction did" \
	"track 1: noise reduced by up to 10.0 dB"
t_ok "analysis.json: the noise profile at -70 dBFS, 10 dB taken off" \
	jq -e '.tracks[0].repair.noise | .reduction_db == 10 and .quiet_s > 2 and
	       .profile_dbfs > -71.5 and .profile_dbfs < -68.5 and
	       .after_dbfs <= .profile_dbfs - 9' denoise/report/analysis.json
t_expect 0 "noise=\"auto\" builds" premaster master nauto.xml -o nauto
t_stderr_has "auto leaves a floor under the audio-noise-floor level alone" \
	"track 1: noise reduction: the quiet passages are under the audio-noise-floor level, nothing done"
t_ok "the master is the unrepaired one, bit for bit" \
	cmp "$(ls noisy/masters/apple/*.wav)" "$(ls nauto/masters/apple/*.wav)"
t_expect 0 "noise=\"auto\" with the rule at -75 dBFS builds" \
	premaster master nauto75.xml -o nauto75
t_ok "analysis.json: auto takes 6 dB off the -70 dBFS floor" \
	jq -e '.tracks[0].repair.noise | .reduction_db == 6 and
	       .after_dbfs <= .profile_dbfs - 5' nauto75/report/analysis.json
a=$(ls noisy/masters/apple/*.wav) && b=$(ls denoise/masters/apple/*.wav) ||
	exit 99
gap_a=$(soundcheck level "$a" 5.5 7.5 | sed 's/rms=//')
gap_b=$(soundcheck level "$b" 5.5 7.5 | sed 's/rms=//')
t_ok "the gap's noise down 9 dB or more ($gap_a to $gap_b dBFS)" \
	awk -v a="$gap_a" -v b="$gap_b" 'BEGIN { exit !(b <= a - 9) }'
for span in "1 4.5" "8.5 11.5"; do
	m_a=$(soundcheck level "$a" $span | sed 's/rms=//')
	m_b=$(soundcheck level "$b" $span | sed 's/rms=//')
	t_ok "the music from ${span% *} to ${span#* } s moves by less than 0.5 dB ($m_a, $m_b dBFS)" \
		awk -v a="$m_a" -v b="$m_b" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 0.5) }'
done
# verify looks for hum in the masters of a track whose source has it:
# it came through where nothing removed it, and none is left where
# <repair hum> did
t_expect 0 "the album with hum builds and verifies" premaster build hum.xml -o humb
t_ok "verify.json: the hum came through to the Apple master" \
	jq -e '[.findings[] | select(.rule == "audio-hum" and .deliverable == "apple")] | length == 1' \
	humb/report/verify.json
t_expect 0 "the album with hum removed builds and verifies" \
	premaster build dehum.xml -o dehumb
t_ok "verify.json: the source's hum is reported" \
	jq -e '[.findings[] | select(.rule == "audio-hum" and .deliverable == "source")] | length == 1' \
	dehumb/report/verify.json
t_ok "and none is left in the Apple master" \
	jq -e '[.findings[] | select(.rule == "audio-hum" and .deliverable == "apple")] | length == 0' \
	dehumb/report/verify.json
# the loudness policy with repairs on: pass 1 measures the sources as
# they are, and the album correction measures the rendered masters, so
# the repaired album still meets the target
pm premaster init -q --title "Repair" --artist "Band" -o loud0.xml hum.wav \
	noisy.wav || exit 99
sed 's|<mastering>|<mastering><repair hum="60" noise="10"/>|' loud0.xml >loud.xml
t_expect 0 "an album with hum removal and noise reduction and a loudness policy" \
	premaster master --only apple loud.xml -o loud
t_ok "meets Apple's target within 0.1 LU ($(jq '.targets[0].album_error_lu' loud/report/analysis.json) LU)" \
	jq -e '.targets[0].album_error_lu | . <= 0.1 and . >= -0.1' loud/report/analysis.json
t_done
