#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make-demo.sh: generate the demo album's audio and build it end to end.
# usage: make-demo.sh SRCDIR BUILDDIR
# The audio is made at run time by tests/mkfixture (no audio is committed):
# five music-like tracks at different levels and sample rates, one at
# 96 kHz, one mono, one FLAC.
set -eu
src=$1
build=$2
demo="$build/examples/demo"
gen="$build/tests/mkfixture"
mkdir -p "$demo/audio"
if [ "$src/examples/demo" != "$demo" ]; then
	cp "$src/examples/demo/album.xml" "$demo/album.xml"
fi
"$gen" -r 44100 -b 24 -a -4 -s 11 --fade 0.2 -t "Opening Lines" music 40s "$demo/audio/01-opening-lines.wav"
"$gen" -r 48000 -b 24 -a -9 -s 12 --fade 0.2 music 35s "$demo/audio/02-quiet-machines.wav"
"$gen" -r 96000 -b 24 -a -2 -s 13 --fade 0.2 music 45s "$demo/audio/03-high-rate.wav"
"$gen" -r 44100 -b 16 -a -12 -s 14 -c 1 --fade 0.2 music 30s "$demo/audio/04-mono-sketch.wav"
"$gen" -r 44100 -b 24 -F flac -a -1 -s 15 --fade 0.2 music 50s "$demo/audio/05-closing-time.flac"
"$build/src/premaster" build -f "$demo/album.xml" -o "$demo/out"
echo
echo "The demo album is built.  Outputs are in $demo/out:"
for d in masters cd ddp vinyl streaming report; do
	[ -d "$demo/out/$d" ] && echo "  $demo/out/$d"
done
exit 0
