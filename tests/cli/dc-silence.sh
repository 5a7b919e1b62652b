#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# dc-silence.sh: DC removal subtracts the measured mean of the sound,
# not of the sound and its digital silence, and leaves digital silence
# at exact zero: a mix with a DC offset and stretches of exact zeros
# keeps its zeros in every master, its sound loses its DC, and nothing
# steps to or from the silence (tests/soundcheck).
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
t_done
