#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# deliver.sh: the real album (bench/real-album.sh) delivered to every
# platform profile at once: the CD and its DDP, vinyl, spotify, apple,
# youtube, amazon, tidal, deezer, soundcloud, bandcamp and cdbaby, and
# an MP3, an Opus and an Ogg Vorbis profile.  Every file must exist,
# decode, and carry the identifiers album.xml gives (ffprobe), every WAV
# a bext chunk, each vinyl side a cue marker at each track start (read
# back through libsndfile); the manifests pass md5sum -c and sha256sum
# -c; each lossy profile is encoded at most twice and decodes under its
# ceiling; verify finds the release fit.
#
# Fourteen deliverables of the whole 61 minutes would take most of an
# hour on two cores, so this takes 90 s from the middle of three of the
# 13 mixes, which cover what the properties depend on: 02 (48 kHz WAV)
# crossfading into 03 (96 kHz WAV, a real mixed-rate segue), and 05 (the
# FLAC mix).  Every profile is checked on all three, with -j 2.
# Run by `make check-real`, which fetches the album first.
. "${top_srcdir:-.}/tests/lib.sh"

if [ ! -f "${PM_REAL_ALBUM:-}/.done" ]; then
	echo "Bail out! PM_REAL_ALBUM is not the real album: run make check-real"
	exit 99
fi
cd "$T" || exit 99
m=$PM_REAL_ALBUM
for f in "02-Awakening.wav" "03-Through Space.wav" "05-Inevitable.flac"; do
	t_ok "the album has $f" test -f "$m/$f"
done
cat >album.xml <<XML
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release>
    <title>Singularity</title>
    <artist>Singularity Music</artist>
    <label>Free Music</label>
    <catalog>SING 001</catalog>
    <upc>036000291452</upc>
    <release-date>2026-02-03</release-date>
    <genre>Electronic</genre>
    <c-line year="2026">Singularity Music</c-line>
    <customer>Free Music Ltd.</customer>
    <engineer>Mastering Room</engineer>
  </release>
  <tracks>
    <track id="t1"><source file="$m/02-Awakening.wav" in="60s" out="150s"/><title>Awakening</title><isrc>USAB12600001</isrc></track>
    <track id="t2"><source file="$m/03-Through Space.wav" in="60s" out="150s"/><title>Through Space</title><isrc>USAB12600002</isrc><crossfade length="4s" shape="equal-power"/></track>
    <track id="t3"><source file="$m/05-Inevitable.flac" in="60s" out="150s"/><title>Inevitable</title><isrc>USAB12600003</isrc><gap length="2s"/></track>
  </tracks>
  <mastering><limiter/><loudness mode="album" target-lufs="-14"/></mastering>
  <deliverables>
    <cd/>
    <vinyl><side name="A" tracks="t1 t2"/><side name="B" tracks="t3"/></vinyl>
    <streaming profile="spotify"/>
    <streaming profile="apple"/>
    <streaming profile="youtube"/>
    <streaming profile="amazon"/>
    <streaming profile="tidal"/>
    <streaming profile="deezer"/>
    <streaming profile="soundcloud"/>
    <streaming profile="bandcamp"/>
    <streaming profile="cdbaby"/>
    <streaming profile="mp3" preset="bandcamp" format="mp3"/>
    <streaming profile="opus" preset="bandcamp" format="opus"/>
    <streaming profile="vorbis" preset="bandcamp" format="ogg"/>
  </deliverables>
</album>
XML
t_expect 0 "build delivers the real album to every profile" \
	premaster build -q -j 2 album.xml -o out
cat "$T/.stdout" "$T/.stderr" >build.log
grep -q '"fit": true' out/report/verify.json
t_result $? "verify finds it fit"
grep -E '^(error|warning)	' build.log | sed 's/^/# /'
grep -E '^deliverable=(mp3|opus|vorbis) |^file=' build.log | sed 's/^/# /'

# album.xml's values, read with an XML tool
x() {
	xmllint --xpath "string($1)" album.xml
}
title() {
	x "//*[local-name()='track'][$1]/*[local-name()='title']"
}
isrc() {
	x "//*[local-name()='track'][$1]/*[local-name()='isrc']"
}
album=$(x "//*[local-name()='release']/*[local-name()='title']")
artist=$(x "//*[local-name()='release']/*[local-name()='artist']")
upc=0$(x "//*[local-name()='upc']")
t_is "album.xml reads back" "$album/$artist/$upc" \
	"Singularity/Singularity Music/0036000291452"

# one tag as ffprobe reports it, whatever the container calls it
tag() {
	ffprobe -v error -show_entries format_tags:stream_tags -of flat "$1" |
		sed -n 's/^[a-z.0-9]*tags\.\([^=]*\)="\(.*\)"$/\1=\2/p' |
		awk -F= -v k="$2" 'toupper($1) == k { sub(/^[^=]*=/, ""); print; exit }'
}

for p in spotify apple youtube amazon tidal deezer soundcloud bandcamp cdbaby mp3 opus vorbis; do
	missing=
	bad=
	for k in 1 2 3; do
		f=$(ls out/streaming/$p/0$k-* 2>/dev/null | head -n 1)
		if [ -z "$f" ]; then
			missing="$missing $k"
			continue
		fi
		ffmpeg -nostdin -v error -i "$f" -f null - 2>dec.err || bad="$bad $k:decode"
		[ -s dec.err ] && bad="$bad $k:decode-errors"
		[ "$(tag "$f" TITLE)" = "$(title $k)" ] || bad="$bad $k:title"
		[ "$(tag "$f" ARTIST)" = "$artist" ] || bad="$bad $k:artist"
		[ "$(tag "$f" ALBUM)" = "$album" ] || bad="$bad $k:album"
		case $f in
		*.wav)
			[ "$(tag "$f" ORIGINATOR_REFERENCE)" = "$(isrc $k)" ] ||
				bad="$bad $k:isrc"
			tag "$f" COMMENT | grep -q "ISRC $(isrc $k); UPC/EAN $upc" ||
				bad="$bad $k:bext"
			[ "$(tag "$f" TRACK)" = "$k/3" ] || bad="$bad $k:track" ;;
		*.mp3)
			[ "$(tag "$f" TSRC)" = "$(isrc $k)" ] || bad="$bad $k:isrc"
			[ "$(tag "$f" BARCODE)" = "$upc" ] || bad="$bad $k:barcode"
			[ "$(tag "$f" ALBUM_ARTIST)" = "$artist" ] || bad="$bad $k:albumartist"
			[ "$(tag "$f" TRACK)" = "$k/3" ] || bad="$bad $k:track"
			[ "$(tag "$f" COPYRIGHT)" = "2026 Singularity Music" ] ||
				bad="$bad $k:copyright" ;;
		*)
			[ "$(tag "$f" ISRC)" = "$(isrc $k)" ] || bad="$bad $k:isrc"
			[ "$(tag "$f" BARCODE)" = "$upc" ] || bad="$bad $k:barcode"
			[ "$(tag "$f" ALBUM_ARTIST)" = "$artist" ] || bad="$bad $k:albumartist"
			[ "$(tag "$f" TRACK)/$(tag "$f" TRACKTOTAL)" = "$k/3" ] ||
				bad="$bad $k:track"
			[ "$(tag "$f" LABEL)" = "Free Music" ] || bad="$bad $k:label"
			[ "$(tag "$f" CATALOGNUMBER)" = "SING 001" ] ||
				bad="$bad $k:catalog" ;;
		esac
	done
	t_is "$p: every track file exists" "$missing" ""
	t_is "$p: each decodes and carries album.xml's tags" "$bad" ""
done

# every WAV: a bext chunk, version 2, with its loudness
find out/cd out/vinyl out/streaming -name '*.wav' | sort >wavs
n=$(wc -l <wavs | tr -d ' ')
# the CD's 3 tracks and image, 2 sides, 3 files each of apple,
# soundcloud, bandcamp and cdbaby
t_is "every WAV deliverable is there" "$n" 18
bad=
while IFS= read -r w; do
	audioinfo "$w" >info 2>/dev/null || { bad="$bad $w"; continue; }
	grep -q '^bext_version=2$' info && ! grep -q '^loudness_value=32767$' info ||
		bad="$bad $w"
done <wavs
t_is "every WAV carries a bext chunk with its loudness" "$bad" ""

# vinyl: the cue markers are the timing sheet's track starts
for s in A B; do
	side=$(ls out/vinyl/*_${s}_*.wav)
	rate=$(ffprobe -v error -show_entries stream=sample_rate -of csv=p=0 "$side")
	audioinfo "$side" | sed -n 's/^cue=//p' >cues
	# "  A1  00:00.00 - 03:28.00  Awakening": the start, in samples
	awk -v s="$s" -v r="$rate" '$1 ~ "^" s "[0-9]" {
		split($2, t, "[:.]"); printf "%d\n", (t[1] * 60 + t[2] + t[3] / 100) * r }' \
		out/vinyl/timing-sheet.txt >starts
	t_is "side $s: one cue marker per track" "$(wc -l <cues | tr -d ' ')" \
		"$(wc -l <starts | tr -d ' ')"
	ok=0
	paste cues starts | awk -v r="$rate" '{ d = $1 - $2; if (d < 0) d = -d;
		if (d > r / 100) exit 1 }' || ok=1
	t_result $ok "side $s: at the timing sheet's starts (to its hundredth)"
done

# manifests
(cd out && md5sum -c --quiet manifest.md5) >/dev/null 2>&1
t_result $? "md5sum -c passes the manifest"
(cd out && sha256sum -c --quiet manifest.sha256) >/dev/null 2>&1
t_result $? "sha256sum -c passes the manifest"
t_is "the manifest lists every deliverable" \
	"$(wc -l <out/manifest.sha256 | tr -d ' ')" \
	"$(cd out && find cd ddp vinyl streaming -type f | wc -l | tr -d ' ')"

# lossy: at most two encodes, under the ceiling, and what it cost
for p in mp3 opus vorbis; do
	j=out/report/lossy-$p.json
	e=$(sed -n 's/.*"encodes": \([0-9]*\).*/\1/p' "$j")
	tp=$(sed -n 's/^  "decoded_tp_dbtp": \([-0-9.]*\).*/\1/p' "$j")
	tr=$(sed -n 's/^  "trim_db": \([-0-9.]*\).*/\1/p' "$j")
	echo "# $p: $e encode(s), trim $tr dB, decoded true peak $tp dBTP"
	t_is "$p: at most two encodes" "$([ "${e:-9}" -le 2 ] && echo yes)" yes
	awk -v t="$tp" 'BEGIN { exit !(t != "" && t <= -1) }'
	t_result $? "$p: decodes at or under -1 dBTP ($tp)"
done
t_done
