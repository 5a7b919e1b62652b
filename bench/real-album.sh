#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# real-album.sh: fetch a real, freely licensed album for the benchmarks
# and the real-album tests: Debian's singularity-music (the music of the
# game Singularity, 13 tracks, about 61 minutes, CC BY-SA 3.0), turned
# into the kind of mixes a mastering room receives: 24-bit WAV at the
# originals' 48 kHz (the package's Ogg Vorbis files), tracks 3 and 7 at
# 96 kHz, track 5 as FLAC.
#
# usage: real-album.sh [DIR]   (default: $PM_REAL_ALBUM_CACHE or
#                               ~/.cache/premaster-real-album)
# Prints the folder of the mixes, DIR/mixes, NN-Title.{wav,flac} in
# album order.  Needs apt-get download (a Debian package source) and
# ffmpeg.  Safe to run again: a finished folder is reused.
set -eu
dir=${1:-${PM_REAL_ALBUM_CACHE:-$HOME/.cache/premaster-real-album}}
mkdir -p "$dir"
if [ -f "$dir/mixes/.done" ]; then
	echo "$dir/mixes"
	exit 0
fi
command -v ffmpeg >/dev/null || { echo "real-album.sh: ffmpeg is needed" >&2; exit 1; }
cd "$dir"
if ! ls singularity-music_*.deb >/dev/null 2>&1; then
	apt-get download singularity-music >/dev/null 2>&1 ||
		{ apt-get update -qq && apt-get download singularity-music >/dev/null; }
fi
rm -rf pkg mixes.tmp && mkdir -p pkg mixes.tmp
dpkg -x singularity-music_*.deb pkg
src=pkg/usr/share/games/singularity/music
n=0
for t in "A New Journey" "Awakening" "Through Space" "Coherence" "Inevitable" \
	"Enemy Unknown" "Orbital Elevator" "Deprecation" "By-Product" \
	"Aberrations" "Nebula" "Advanced Simulacra" "Media Threat"; do
	n=$((n + 1))
	nn=$(printf %02d $n)
	set -- -nostdin -v error -y -i "$src/$t.ogg"
	case $n in
	3|7) ffmpeg "$@" -af aresample=96000:resampler=soxr:precision=28 \
		-c:a pcm_s24le "mixes.tmp/$nn-$t.wav" ;;
	5) ffmpeg "$@" -c:a flac -sample_fmt s32 "mixes.tmp/$nn-$t.flac" ;;
	*) ffmpeg "$@" -c:a pcm_s24le "mixes.tmp/$nn-$t.wav" ;;
	esac
done
cp pkg/usr/share/doc/singularity-music/copyright mixes.tmp/COPYRIGHT
touch mixes.tmp/.done
rm -rf mixes pkg
mv mixes.tmp mixes
echo "$dir/mixes"
