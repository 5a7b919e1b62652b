#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# mixed-rate.sh: a crossfade between mixes at different rates.  Both
# sides of the overlap are rendered at one rate, the highest of the
# pair, in every deliverable that keeps the source rate; the CD, MP3 and
# Opus take their own.  For each pair of source rates the whole build
# (master, sequence, ddpmake, verify) goes through and every file is at
# the rate it should be.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99

rate() {
	ffprobe -v error -select_streams a:0 -show_entries stream=sample_rate \
		-of csv=p=0 "$1"
}

# pair RATE_A RATE_B: track b (RATE_B) crossfades out of track a (RATE_A)
pair() {
	ra=$1
	rb=$2
	hi=$((ra > rb ? ra : rb))
	mp3=44100
	[ $((hi % 48000)) = 0 ] && mp3=48000
	d=$T/p$ra-$rb
	mkdir -p "$d" && cd "$d" || return
	mkfixture -r "$ra" -b 24 -a -6 -s 7 --fade 0.3 music 5s a.wav &&
		mkfixture -r "$rb" -b 24 -a -6 -s 8 --fade 0.3 music 5s b.wav ||
		exit 99
	cat >album.xml <<XML
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release><title>Rates</title><artist>Mixer</artist></release>
  <tracks>
    <track id="a"><source file="a.wav"/><title>First</title></track>
    <track id="b"><source file="b.wav"/><title>Second</title><crossfade length="2s"/></track>
  </tracks>
  <mastering><loudness mode="album" target-lufs="-14" ceiling-dbtp="-1"/></mastering>
  <deliverables>
    <cd/>
    <vinyl rate="source"><side name="A" tracks="a b"/></vinyl>
    <streaming profile="spotify"/>
    <streaming profile="apple"/>
    <streaming profile="mp3" preset="bandcamp" format="mp3"/>
    <streaming profile="opus" preset="bandcamp" format="opus"/>
  </deliverables>
</album>
XML
	t_expect 0 "$ra Hz into $rb Hz: every deliverable is built and fit" \
		premaster build -j 2 album.xml -o out
	grep -q "^verdict	fit" "$T/.stdout" "$T/.stderr"
	t_result $? "$ra Hz into $rb Hz: verify finds it fit"
	t_is "$ra into $rb: spotify keeps the crossfade at $hi Hz on both sides" \
		"$(rate out/streaming/spotify/01-First.flac) $(rate out/streaming/spotify/02-Second.flac)" \
		"$hi $hi"
	t_is "$ra into $rb: apple too" \
		"$(rate out/streaming/apple/01-First.wav) $(rate out/streaming/apple/02-Second.wav)" \
		"$hi $hi"
	t_is "$ra into $rb: MP3 at the MPEG rate of the pair" \
		"$(rate out/streaming/mp3/01-First.mp3) $(rate out/streaming/mp3/02-Second.mp3)" \
		"$mp3 $mp3"
	t_is "$ra into $rb: Opus at 48 kHz" \
		"$(rate out/streaming/opus/02-Second.opus)" 48000
	t_is "$ra into $rb: the vinyl side is one file at $hi Hz" \
		"$(rate out/vinyl/Rates_A_${hi}Hz_24bit.wav)" "$hi"
	t_is "$ra into $rb: the CD at 44.1 kHz" "$(rate out/cd/album.wav)" 44100
	cd "$T" || exit 99
}

pair 96000 44100
pair 44100 192000
pair 88200 48000
t_done
