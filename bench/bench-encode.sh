#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench-encode.sh: how long premaster sequence takes to write a streaming
# profile in each format (encode, the decode that checks the codec's
# overshoot, a second encode when one is needed, the tags), against
# ffmpeg encoding the same masters with the same settings, in one run, on
# one core.
#
#   sh bench/bench-encode.sh [BUILDDIR]
#
# Uses four tracks of the real album that bench/real-album.sh unpacks (the
# 48 kHz ones: 01, 02, 04 and 05, the FLAC mix), else four generated
# four-minute tracks; BENCH_TRACKS=N takes N instead.  The masters are
# the mixes 6 dB down at 48 kHz, made once with ffmpeg (not timed).
set -eu

builddir=$(cd "${1:-.}" && pwd)
mixes=${PREMASTER_REAL_ALBUM:-$HOME/.cache/premaster-real-album}/mixes
ntracks=${BENCH_TRACKS:-4}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-enc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp"
mkdir -p src masters/base

if [ -d "$mixes" ]; then
	# 03 and 07 are at 96 kHz: leave them out, so every format is at 48
	ls "$mixes"/[0-9][0-9]-* | grep -v -e '/03-' -e '/07-' |
		head -n "$ntracks" >list.txt
	what="$ntracks tracks of the real album"
else
	i=0
	while [ $i -lt "$ntracks" ]; do
		i=$((i + 1))
		"$builddir/tests/mkfixture" -r 48000 -b 24 -s $i music 4:00 \
			"src/$(printf %02d $i)-Track $i.wav"
	done
	ls src/*.wav >list.txt
	what="$ntracks generated 4-minute tracks"
fi
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<album xmlns="urn:x-premaster:album:1" version="1">'
	echo '<release><title>Bench</title><artist>Bench</artist><upc>036000291452</upc></release><tracks>'
	i=0
	while IFS= read -r f; do
		i=$((i + 1))
		printf '<track id="t%d"><source file="%s"/><title>Track %d</title><isrc>USAB126%05d</isrc></track>\n' \
			$i "$f" $i $i
	done <list.txt
	echo '</tracks><deliverables>'
	echo '<streaming profile="flac" preset="tidal"/>'
	echo '<streaming profile="vorbis" preset="bandcamp" format="ogg"/>'
	echo '<streaming profile="opus" preset="bandcamp" format="opus"/>'
	echo '<streaming profile="mp3" preset="bandcamp" format="mp3" bitrate-mode="cbr" kbps="320"/>'
	echo '<streaming profile="mp3v0" preset="bandcamp" format="mp3"/>'
	echo '</deliverables></album>'
} >album.xml
i=0
seconds=0
while IFS= read -r f; do
	i=$((i + 1))
	m="masters/base/$(printf %02d $i)-Track $i.wav"
	ffmpeg -nostdin -v error -y -i "$f" \
		-af volume=-6dB,aresample=48000:resampler=soxr:precision=28 \
		-c:a pcm_f32le "$m"
	d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$m")
	seconds=$(awk -v a="$seconds" -v b="$d" 'BEGIN { print a + b }')
done <list.txt
for p in flac vorbis opus mp3 mp3v0; do
	ln -s base "masters/$p"
done

ms() { # the milliseconds a command takes, on one core
	s=$(date +%s%N)
	taskset -c 0 "$@" >"$tmp/out.txt" 2>/dev/null
	e=$(date +%s%N)
	echo "$(( (e - s) / 1000000 ))"
}
printf 'bench-encode: %s, %.0f s of audio at 48 kHz, one core\n' "$what" "$seconds"
printf '%-8s %-34s %-22s %s\n' format "premaster sequence" "ffmpeg" "ratio"
for p in flac vorbis opus mp3 mp3v0; do
	rm -rf out
	t_pm=$(ms "$builddir/src/premaster-sequence" -q --only "$p" \
		--masters masters album.xml -o out)
	enc=$(sed -n 's/.* encodes=\([0-9]*\).*/\1/p' out.txt)
	case $p in
	flac) ext=flac; set -- -c:a flac -sample_fmt s32 -compression_level 5 ;;
	vorbis) ext=ogg; set -- -c:a libvorbis -q:a 6 ;;
	opus) ext=opus; set -- -c:a libopus -b:a 160k ;;
	mp3) ext=mp3; set -- -c:a libmp3lame -b:a 320k ;;
	mp3v0) ext=mp3; set -- -c:a libmp3lame -q:a 0 ;;
	esac
	fmt=$ext
	[ "$ext" = opus ] && fmt=ogg
	t_ff=$(ms sh -c 'for m in masters/base/*.wav; do
		ffmpeg -nostdin -v error -y -threads 1 -i "$m" "$@" ff.out || exit 1
	done' sh "$@" -f "$fmt")
	awk -v s="$seconds" -v a="$t_pm" -v b="$t_ff" -v f="$p" -v e="${enc:-1}" 'BEGIN {
		printf "%-8s %7.2f s %6.0fx real time (%s encode%s)  %7.2f s %6.0fx   %.2f\n",
			f, a / 1000, s / (a / 1000), e, e == 1 ? "" : "s", b / 1000,
			s / (b / 1000), a / b
	}'
done
