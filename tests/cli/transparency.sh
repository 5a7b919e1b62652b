#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# transparency.sh: with the chain premaster init writes, a 44.1 kHz mix
# that needs no limiting comes out on CD as the mix times one gain.
# Twelve mixes of generated music at 44.1 kHz, each with its own level
# and crest: the CD masters (24-bit float, before the sequencer's dither,
# the edges left out) of at least ten must be the mix times a gain to
# within -60 dB; every master the limiter left alone must be.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkdir mixes
i=1
# ten mixes within a few dB of each other, and two much louder ones that
# the album's one gain pushes into the limiter
for a in -14 -12 -16 -13 -15 -14 -12 -16 -13 -15 -3 -5; do
	mkfixture -r 44100 -b 24 -a "$a" -s "$i" --fade 0.05 music 12s \
		"mixes/$(printf %02d "$i") Mix.wav" || exit 99
	i=$((i + 1))
done
t_expect 0 "init writes an album of twelve 44.1 kHz mixes" \
	premaster init --title "Clear" --artist "Tester" mixes/*
# the CD alone
awk '/<vinyl/ { skip = 1 } skip && /<\/vinyl>/ { skip = 0; next } skip { next }
     /<streaming profile=/ { next } { print }' album.xml >cd.xml
t_expect 0 "master renders the CD" premaster master cd.xml -o out
j=out/report/analysis.json
clear=0
alone=0
bad=
for k in 1 2 3 4 5 6 7 8 9 10 11 12; do
	n=$(printf %02d "$k")
	r=$(soundcheck resid "out/masters/cd/$n-Mix.wav" "mixes/$n Mix.wav" 0.05 |
		sed 's/.*resid=//')
	gr=$(jq ".targets[] | select(.name == \"cd\") | .tracks[$((k - 1))].limiter_max_reduction_db == 0" $j)
	if le "$r" -60; then
		clear=$((clear + 1))
	fi
	if [ "$gr" = true ]; then
		alone=$((alone + 1))
		le "$r" -60 || bad="$bad $n($r dB)"
	fi
done
t_ok "at least ten of the twelve are their mix times one gain ($clear)" \
	test "$clear" -ge 10
t_ok "the limiter left ten or more alone ($alone)" test "$alone" -ge 10
t_is "and every one of them is" "$bad" ""
t_done
