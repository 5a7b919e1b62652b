#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# defects.sh: defects planted in a real mix (the real album's first
# track, 30 seconds of it) are found and repaired to issue 11's figures.
# A -20 dBFS click, a pop (a step of 0.3 decaying with a time constant
# of 1 ms), a pop of 1.3 that the source cut at full scale (for a dozen
# samples: a click, not clipping), 50 ms clipped at half the passage's peak
# and, on a copy 30 dB quieter, 60 Hz hum at -50 dBFS with its second
# and third harmonics.
# master finds each within 10 ms (the click and the pops) or 50 ms (the
# clipping), and nothing of the kind on the clean excerpt; <repair>
# brings the error against the clean mix down by 15 dB at the click and
# over the pops' first eight time constants, by 6 dB in the clipped
# passage and by 20 dB on each hum line, and leaves every sample outside
# the repaired regions as it was.  And a -20 dBFS click in a passage of
# the last track (from 320 s) that the detector's first look at each
# frame missed: the second look (closer_candidate()) finds it.  A
# -20 dBFS click in both channels on a beat of track 12 (found in
# each), and a pop in both channels of track 3 where the music changes:
# found, and the pop repaired by 15 dB.
# Run by `make check-real`, which fetches the album first.
. "${top_srcdir:-.}/tests/lib.sh"

if [ ! -f "${PM_REAL_ALBUM:-}/.done" ]; then
	echo "Bail out! PM_REAL_ALBUM is not the real album: run make check-real"
	exit 99
fi
cd "$T" || exit 99
mix=$(ls "$PM_REAL_ALBUM"/01-* | head -1)
rate=$(ffprobe -v error -select_streams a:0 -show_entries stream=sample_rate \
	-of csv=p=0 "$mix") || exit 99
ff() {
	ffmpeg -nostdin -v error -y "$@"
}
# 30 s from a minute in, as float so that nothing is rounded on the way
ff -ss 60 -t 30 -i "$mix" -c:a pcm_f32le clean.wav || exit 99
# the clipping level: half the peak of the 50 ms at 20 s
peak=$(ffmpeg -nostdin -ss 20 -t 0.05 -i clean.wav -af volumedetect -f null - 2>&1 |
	sed -n 's/.*max_volume: \([-0-9.]*\) dB.*/\1/p')
lvl=$(awk -v p="$peak" 'BEGIN { printf "%.6f", 0.5 * 10 ^ (p / 20) }')
click=$((rate * 10))
pop=$((rate * 15))
tau=$((rate / 1000))
cut=$((rate * 25))
ff -i clean.wav -af "aeval=val(0)+if(eq(n\,$click)\,0.1\,0)+if(between(n\,$pop\,$pop+8*$tau)\,0.3*exp(($pop-n)/$tau)\,0)+if(between(n\,$cut\,$cut+8*$tau)\,min(1\,val(0)+1.3*exp(($cut-n)/$tau))-val(0)\,0)|val(1),aeval=if(between(t\,20\,20.05)\,max(-$lvl\,min($lvl\,val(ch)))\,val(ch))|if(between(t\,20\,20.05)\,max(-$lvl\,min($lvl\,val(ch)))\,val(ch))" \
	-c:a pcm_f32le planted.wav || exit 99
# hum on a quiet copy: 60, 120 and 180 Hz at -50, -56 and -60 dBFS
ff -i clean.wav -af "volume=-30dB" -c:a pcm_f32le quiet.wav || exit 99
h="0.0031623*sin(2*PI*60*t)+0.0015849*sin(2*PI*120*t)+0.001*sin(2*PI*180*t)"
ff -i quiet.wav -af "aeval=val(0)+$h|val(1)+$h" -c:a pcm_f32le hum.wav || exit 99

# track 12 from 136 s: a click in both channels at 5 s, on a beat
beat=$(ls "$PM_REAL_ALBUM"/12-* | head -1)
brate=$(ffprobe -v error -select_streams a:0 -show_entries stream=sample_rate \
	-of csv=p=0 "$beat") || exit 99
b=$((brate * 5))
ff -ss 136 -t 10 -i "$beat" -af "aeval=val(0)+if(eq(n\,$b)\,0.1\,0)|val(1)+if(eq(n\,$b)\,0.1\,0)" \
	-c:a pcm_f32le beat.wav || exit 99

# track 3 (96 kHz), ten seconds from a third of the way in: a pop in
# both channels alike (a step of -0.5 decaying in 1 ms) at 339711
# samples, where the music changes as a sound would
# NN OUT: ten seconds of track NN from a third of the way in, into OUT;
# prints its sample rate
third() {
	_f=$(ls "$PM_REAL_ALBUM"/"$1"-* | head -1)
	_r=$(ffprobe -v error -select_streams a:0 -show_entries stream=sample_rate \
		-of csv=p=0 "$_f") || return 1
	_n=$(ffprobe -v error -select_streams a:0 -show_entries stream=duration_ts \
		-of csv=p=0 "$_f") || return 1
	ff -i "$_f" -af "atrim=start_sample=$((_n / 3)):end_sample=$((_n / 3 + 10 * _r)),asetpts=N/SR/TB" \
		-c:a pcm_f32le "$2" || return 1
	echo "$_r"
}
# NN CLEAN OUT AT: ten seconds of track NN from a third of the way in,
# into CLEAN, and into OUT with a pop in both channels alike at sample AT
# (a step of -0.5 decaying in 1 ms, cut at full scale); prints AT in s
pop_both() {
	_pr=$(third "$1" "$2") || return 1
	_pt=$((_pr / 1000))
	_pe="if(between(n\,$4\,$4+8*$_pt)\,max(-1\,val(ch)-0.5*exp(($4-n)/$_pt))-val(ch)\,0)"
	ff -i "$2" -af "aeval=val(ch)+$_pe|val(ch)+$_pe" -c:a pcm_f32le "$3" ||
		return 1
	awk -v n="$4" -v r="$_pr" 'BEGIN { printf "%.6f", n / r }'
}
pt_s=$(pop_both 03 popclean.wav popboth.wav 339711) || exit 99

# track 4 (48 kHz), ten seconds from a third of the way in: two slow pops
# in the left channel, steps of 0.2 decaying in 2 ms at 220948 samples
# and in 5 ms at 319422, whose time constants the model fitted before
# them read as a half and a quarter of what they are
srate=$(third 04 slowclean.wav) || exit 99
sp1=220948
st1=$((srate / 500))
sp2=319422
st2=$((srate / 200))
ff -i slowclean.wav -af "aeval=val(0)+if(between(n\,$sp1\,$sp1+8*$st1)\,0.2*exp(($sp1-n)/$st1)\,0)+if(between(n\,$sp2\,$sp2+8*$st2)\,0.2*exp(($sp2-n)/$st2)\,0)|val(1)" \
	-c:a pcm_f32le slow.wav || exit 99
# and that excerpt in 16 bits with dither, as a CD's source may be: a
# pop of -0.2 decaying in 1 ms at 368659 samples.  Dither fills the band
# above the music, where in the 24-bit mix nothing hides a tail's shape
ff -i slowclean.wav -af aresample=osf=s16:dither_method=triangular \
	-c:a pcm_s16le slow16clean.wav || exit 99
sp3=368659
st3=$((srate / 1000))
ff -i slow16clean.wav -af "aeval=val(0)+if(between(n\,$sp3\,$sp3+8*$st3)\,-0.2*exp(($sp3-n)/$st3)\,0)|val(1)" \
	-c:a pcm_f32le slow16.wav || exit 99
# track 6, ten seconds from a third of the way in: a pop in both
# channels alike (a step of -0.5 decaying in 1 ms) at 171711 samples,
# where a sound starts; in the left channel the music after its tail is
# not the music before, in the right it is found, and vouches for it
et_s=$(pop_both 06 edgeclean.wav edgeboth.wav 171711) || exit 99
# FROM TAU: the seconds a pop and its eight time constants span
span() {
	awk -v n="$1" -v t="$2" -v r="$srate" \
		'BEGIN { printf "%.6f %.6f", (n - 64) / r, (n + 8 * t + 64) / r }'
}

# track 4 from 12 s, five seconds of a sequenced sound whose instant
# attacks jump by half full scale over four or five samples in both
# channels, in steady music; and the same resampled to 44.1 kHz, as a
# CD master would be, where such jumps stand out more
ff -ss 12 -t 5 -i "$(ls "$PM_REAL_ALBUM"/04-* | head -1)" -c:a pcm_f32le \
	attack.wav || exit 99
ff -i attack.wav -af aresample=44100:resampler=soxr -c:a pcm_f32le \
	attack441.wav || exit 99

# sharp starts of sounds in one channel, resampled to 44.1 kHz: track 3
# (96 kHz) from 30 s, which starts two at 40.96 and 76.43 s, and track 1's
# first 40 s, one at 28.50 s; and track 4's instant attacks at 44.1 kHz
# in 16 bits, with dither, where a few of them read more like an impulse
# from both sides
ff -ss 30 -t 50 -i "$(ls "$PM_REAL_ALBUM"/03-* | head -1)" \
	-af aresample=44100:resampler=soxr -c:a pcm_f32le side3.wav || exit 99
ff -t 40 -i "$(ls "$PM_REAL_ALBUM"/01-* | head -1)" \
	-af aresample=44100:resampler=soxr -c:a pcm_f32le side1.wav || exit 99
ff -i attack.wav \
	-af aresample=44100:resampler=soxr:osf=s16:dither_method=triangular_hp \
	-c:a pcm_s16le attack16.wav || exit 99

# the last track's passage, a click at 1 s in the left channel
last=$(ls "$PM_REAL_ALBUM"/13-* | head -1)
lrate=$(ffprobe -v error -select_streams a:0 -show_entries stream=sample_rate \
	-of csv=p=0 "$last") || exit 99
ff -ss 320 -t 30 -i "$last" -af "aeval=val(0)+if(eq(n\,$lrate)\,0.1\,0)|val(1)" \
	-c:a pcm_f32le dense.wav || exit 99

apple_album as-is.xml "" clean.wav planted.wav hum.wav dense.wav beat.wav \
	popboth.wav slow.wav attack.wav attack441.wav side3.wav side1.wav \
	attack16.wav slow16.wav edgeboth.wav
apple_album fixed.xml '<repair clicks="on" clipping="on"/>' clean.wav planted.wav \
	hum.wav popboth.wav slow.wav slow16.wav edgeboth.wav
apple_album dehum.xml '<repair hum="60"/>' hum.wav

# --- detection ---------------------------------------------------------
t_expect 0 "master analyses the planted excerpts" \
	premaster master --analyse-only as-is.xml -o found
j=found/report/analysis.json
near() { # RULE TRACK TIME TOLERANCE
	jq -e --arg r "$1" --argjson k "$2" --argjson t "$3" --argjson d "$4" \
		'[.findings[] | select(.rule == $r and .track == $k and
		  .time_s != null and (.time_s - $t) <= $d and ($t - .time_s) <= $d)]
		 | length >= 1' "$j" >/dev/null
}
t_ok "the -20 dBFS click at 10.000 s, within 10 ms" near audio-click 2 10 0.01
t_ok "the pop at 15.000 s, within 10 ms" near audio-click 2 15 0.01
held=$(ff -ss 24.999 -t 0.01 -i planted.wav -af "pan=mono|c0=c0" -f f32le - |
	od -An -v -f -w4 | awk '$1 >= 1 { n++ } END { print n + 0 }')
t_ok "the pop cut at full scale ($held samples) at 25.000 s, within 10 ms" \
	near audio-click 2 25 0.01
t_ok "and not taken for clipping: the clipped passage is track 2's only one" jq -e \
	'[.findings[] | select(.track == 2 and .rule == "audio-clipping")]
	 | length == 1' $j
t_ok "the clipped passage at 20.000 s, within 50 ms" near audio-clipping 2 20 0.05
t_ok "the click in the last track's passage at 1.000 s, within 10 ms" \
	near audio-click 4 1 0.01
t_ok "and nothing else there" jq -e \
	'[.findings[] | select(.track == 4 and (.rule == "audio-click" or
	  .rule == "audio-clipping" or .rule == "audio-hum"))] | length == 1' $j
t_ok "the click in both channels on a beat of track 12 at 5.000 s, within 10 ms" \
	near audio-click 5 5 0.01
t_ok "and found in both" jq -e \
	'[.findings[] | select(.track == 5 and .rule == "audio-click" and
	  (.message | test("in both channels")))] | length == 1' $j
t_ok "and nothing else there" jq -e \
	'[.findings[] | select(.track == 5 and (.rule == "audio-click" or
	  .rule == "audio-clipping" or .rule == "audio-hum")) |
	  select(.time_s < 4.99 or .time_s > 5.01)] | length == 0' $j
t_ok "the pop in both channels of track 3 at $pt_s s, within 10 ms" \
	near audio-click 6 "$pt_s" 0.01
for k in 1 2; do
	eval "at=\$sp$k tau=\$st$k"
	t=$(awk -v n="$at" -v r="$srate" 'BEGIN { printf "%.6f", n / r }')
	t_ok "the slow pop ($((tau * 1000 / srate)) ms) of track 4 at $t s, within 10 ms" \
		near audio-click 7 "$t" 0.01
done
t=$(awk -v n="$sp3" -v r="$srate" 'BEGIN { printf "%.6f", n / r }')
t_ok "the pop (1 ms) in 16 bits at $t s, within 10 ms" \
	near audio-click 13 "$t" 0.01
t_ok "the pop in both channels on a sound's start in track 6 at $et_s s, within 10 ms" \
	near audio-click 14 "$et_s" 0.01
t_ok "and found in both" jq -e --argjson t "$et_s" \
	'[.findings[] | select(.track == 14 and .rule == "audio-click" and
	  (.time_s - $t) <= 0.01 and ($t - .time_s) <= 0.01 and
	  (.message | test("in both channels")))] | length == 1' $j
t_ok "no click on track 4's instant attacks, at 48 kHz" jq -e \
	'[.findings[] | select(.track == 8 and .rule == "audio-click")]
	 | length == 0' $j
t_ok "nor at 44.1 kHz" jq -e \
	'[.findings[] | select(.track == 9 and .rule == "audio-click")]
	 | length == 0' $j
t_ok "nor at 44.1 kHz in 16 bits" jq -e \
	'[.findings[] | select(.track == 12 and .rule == "audio-click")]
	 | length == 0' $j
t_ok "no click on the sharp starts of sounds in one channel, at 44.1 kHz" jq -e \
	'[.findings[] | select((.track == 10 or .track == 11) and
	  .rule == "audio-click")] | length == 0' $j
t_ok "the hum on the quiet copy" jq -e \
	'[.findings[] | select(.rule == "audio-hum" and .track == 3)] | length == 1' $j
t_ok "nothing of the kind on the clean excerpt" jq -e \
	'[.findings[] | select(.track == 1 and (.rule == "audio-click" or
	  .rule == "audio-clipping" or .rule == "audio-hum"))] | length == 0' $j
t_ok "and no click on the planted one but the planted click and pop" jq -e \
	'[.findings[] | select(.track == 2 and .rule == "audio-click" and
	  (.time_s < 9.99 or .time_s > 10.01) and
	  (.time_s < 14.99 or .time_s > 15.01) and
	  (.time_s < 24.99 or .time_s > 25.01))] | length == 0' $j

# --- repair ------------------------------------------------------------
t_expect 0 "master builds the excerpts as they are" premaster master as-is.xml -o as-is
t_expect 0 "master builds them with clicks and clipping repaired" \
	premaster master fixed.xml -o fixed
t_expect 0 "master builds the hum's with the hum removed" \
	premaster master dehum.xml -o dehum
m() { # DIR TRACK: the master
	ls "$1"/masters/apple/"$(printf %02d "$2")"-*.wav
}
# FROM TO: the level of (master - clean) in dB over [FROM, TO) s, before
# and after the repair
err() {
	ff -i "$(m "$1" "$2")" -i "$3" -filter_complex \
		"[1]volume=-1[n];[0][n]amix=inputs=2:normalize=0" -c:a pcm_f32le d.wav &&
		soundcheck level d.wav "$4" "$5" | sed 's/.*rms=//'
}
# WHAT AS-IS FIXED REF FROM TO DB: the error over [FROM, TO) s, track
# AS-IS of as-is against track FIXED of fixed, DB lower or more
lower() {
	_b=$(err as-is "$2" "$4" "$5" "$6")
	_a=$(err fixed "$3" "$4" "$5" "$6")
	t_ok "$1 $7 dB lower or more ($_b to $_a dBFS)" \
		awk -v a="$_b" -v b="$_a" -v d="$7" 'BEGIN { exit !(a != "" && b <= a - d) }'
}
# FROM DUR: FROM - 0.1 ms and FROM + DUR s
around() {
	awk -v t="$1" -v d="$2" 'BEGIN { printf "%.6f %.6f", t - 0.0001, t + d }'
}
lower "at the click the error is" 2 2 clean.wav 9.995 10.005 15
lower "over the pop" 2 2 clean.wav 14.999 15.008 15
lower "over the cut pop" 2 2 clean.wav 24.999 25.008 15
lower "over the pop in both channels" 6 4 popclean.wav $(around "$pt_s" 0.008) 15
for k in 1 2; do
	eval "at=\$sp$k tau=\$st$k"
	lower "over the slow pop ($((tau * 1000 / srate)) ms) and 8 time constants," \
		7 5 slowclean.wav $(span $at $tau) 15
done
lower "over the pop (1 ms) in 16 bits and 8 time constants," 13 6 \
	slow16clean.wav $(span $sp3 $st3) 15
lower "over the pop in both channels on a sound's start" 14 7 edgeclean.wav \
	$(around "$et_s" 0.008) 15
lower "in the clipped passage" 2 2 clean.wav 20 20.05 6

soundcheck lines "$(m as-is 3)" quiet.wav 60 >without || exit 99
soundcheck lines "$(m dehum 1)" quiet.wav 60 >with || exit 99
field() { # FILE KEY
	sed -n "s/.*$2=\([-0-9.]*\).*/\1/p" "$1"
}
for k in 1 2 3; do
	t_ok "the $((k * 60)) Hz line of the error down 20 dB or more ($(field without line$k) to $(field with line$k) dBFS)" \
		awk -v a="$(field without line$k)" -v b="$(field with line$k)" \
		'BEGIN { exit !(a != "" && b <= a - 20) }'
done

# outside the repaired regions, the repaired master is the master as it was
ff -i "$(m as-is 2)" -f f32le -c:a pcm_f32le a.raw &&
	ff -i "$(m fixed 2)" -f f32le -c:a pcm_f32le b.raw || exit 99
jq -r '.tracks[1].repair.regions[] | "\(.channel) \(.start_sample) \(.samples)"' \
	fixed/report/analysis.json >regions
only_in_regions a.raw b.raw regions
t_result $? "the repaired master differs only inside the repaired regions"
cmp -s "$(m as-is 1)" "$(m fixed 1)"
t_result $? "and the clean excerpt's master is bit for bit the same"

# --- a 16-bit source, mastered to a loudness ------------------------------
# the clean excerpt in 16 bits with dither: its masters are it times a
# gain, off the 16-bit grid, but with the pairs and threes of equal
# samples its slow stretches hold; not clipping, in the source or in any
# master
ff -i clean.wav -af aresample=osf=s16:dither_method=triangular \
	-c:a pcm_s16le clean16.wav || exit 99
pm premaster init -q --title "Sixteen" --artist "Band" -o sixteen.xml clean16.wav ||
	exit 99
t_expect 0 "build masters the 16-bit excerpt" premaster build sixteen.xml -o sixteen
t_ok "no clipping found in the 16-bit source or its masters" jq -e \
	'[.findings[] | select(.rule == "audio-clipping")] | length == 0' \
	sixteen/report/verify.json
t_done
