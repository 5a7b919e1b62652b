#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# dc-silence.sh: DC removal subtracts the measured mean of the sound,
# not of the sound and its digital silence, and leaves digital silence
# at exact zero: a mix with a DC offset and stretches of exact zeros
# keeps its zeros in every master, its sound loses its DC, and nothing
# steps to or from the silence (tests/soundcheck).  Limiting hard an
# asymmetric wave gives its master a DC back; that is taken out after
# the limiter, and the master stays under its ceiling.
. "${top_srcdir:-.}/tests/lib.sh"


cd "$T" || exit 99
mkdir mixes
# music with a DC offset of a tenth of its level (-32 dBFS), its first
# and last half second exact zeros
mkfixture -r 44100 -b 24 -a -12 -s 4 --fade 0.01 --dc --zeros 0.5:0.5 \
	music 4s "mixes/01 Offset.wav" || exit 99
t_is "the mix starts and ends with 22050 frames of zeros" \
	"$(soundcheck zeros "mixes/01 Offset.wav")" "lead=22050 trail=22050"

t_expect 0 "init" premaster init --title "DC" --artist "Tester" mixes/*
t_expect 0 "build" premaster build album.xml -o out
t_ok "master removed the DC" grep -q '"dc_removed": true' out/report/analysis.json
bad=
for f in out/masters/*/01-Offset.wav; do
	z=$(soundcheck zeros "$f")
	case $f in
	*/cd/* | */vinyl/*) ;; # resampled: the resampler rings into the zeros
	*) [ "$z" = "lead=22050 trail=22050" ] || bad="$bad $f($z)" ;;
	esac
done
t_is "every master at the mix's rate keeps the zeros exactly" "$bad" ""
dc=$(soundcheck dc out/masters/apple/01-Offset.wav | sed 's/dc=//')
t_ok "its sound has no DC left ($dc dBFS, the mix's $(soundcheck dc "mixes/01 Offset.wav"))" \
	le "$dc" -70
bad=
for f in out/cd/album.wav out/cd/tracks/*.wav \
	out/streaming/*/* out/vinyl/*.wav; do
	w=$(soundcheck edges "$f" | sed 's/.*worst=\([^ ]*\).*/\1/')
	le "$w" -60 || bad="$bad $f($w)"
done
t_is "nothing steps to or from digital silence over -60 dBFS" "$bad" ""

# a wave whose troughs are twice its crests, limited by 12 dB for a CD
# at -7 LUFS: the limiter cuts the troughs, which leaves a DC near -57 dBFS
mkdir lim
ffmpeg -nostdin -v error -f lavfi -i "aevalsrc=0.3*(0.6+0.4*sin(2*PI*0.5*t))*(sin(2*PI*50*t)+1.2*cos(4*PI*50*t)+0.3*sin(2*PI*1375*t)):s=44100:d=8,afade=t=in:d=0.01,afade=t=out:st=7.99:d=0.01" \
	-ac 2 -c:a pcm_s24le lim/01.wav || exit 99
dc=$(soundcheck dc lim/01.wav | sed 's/dc=//')
t_ok "the mix has no DC of its own ($dc dBFS)" le "$dc" -70
t_expect 0 "init" premaster init -o lim.xml --title "DC" --artist "Tester" lim/01.wav
sed 's/target-lufs="[-0-9.]*"/target-lufs="-7"/' lim.xml >lim2.xml
t_expect 0 "master it for a CD at -7 LUFS" premaster master --only cd lim2.xml -o limout
j=limout/report/analysis.json
gr=$(jq '.targets[0].tracks[0].limiter_max_reduction_db' $j)
t_ok "the limiter works hard ($gr dB)" le 6 "$gr"
t_ok "analysis.json tells the DC it took out after it" \
	jq -e '.targets[0].tracks[0].dc_removed_after_limiting_db | length == 2' $j
dc=$(soundcheck dc limout/masters/cd/*.wav | sed 's/dc=//')
t_ok "the master has no DC left ($dc dBFS)" le "$dc" -70
line=$(soundcheck tp limout/masters/cd/*.wav)
fine=$(echo "$line" | sed 's/.*fine8x=\([^ ]*\).*/\1/')
ebu=$(echo "$line" | sed 's/.*ebur128=\([^ ]*\).*/\1/')
t_ok "and is under its -0.3 dBTP ceiling on 8x ($fine)" le "$fine" -0.3
t_ok "and on libebur128 ($ebu)" le "$ebu" -0.3
t_done
