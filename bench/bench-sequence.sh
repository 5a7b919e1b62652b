#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench-sequence.sh: how fast premaster sequence lays out and writes the
# CD (image, per-track files, CUE, TOC, PQ sheet, TPDF dither to 16-bit)
# from 24-bit masters, against ffmpeg joining and dithering the same
# masters, in one run, on one core.
#
#   sh bench/bench-sequence.sh [BUILDDIR]
#
# Uses the real album (61 minutes): $PM_REAL_ALBUM when set (the folder
# of its mixes), else what bench/real-album.sh fetches and caches; ten
# generated four-minute tracks when that cannot run or PM_REAL_ALBUM names
# a folder without mixes.  The masters are made once (not timed); each
# side then runs three times and the best time is kept.  The bar: under
# 3 s for the 61-minute album.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "${1:-.}" && pwd)
if [ -z "${PM_REAL_ALBUM+set}" ]; then
	PM_REAL_ALBUM=$(sh "$top/bench/real-album.sh") || {
		echo "bench-sequence: bench/real-album.sh failed; using generated audio" >&2
		PM_REAL_ALBUM=
	}
fi
mixes=$PM_REAL_ALBUM
case $mixes in /* | '') ;; *) mixes=$(pwd)/$mixes ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-seq.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp"
mkdir -p src masters/cd

if [ -n "$mixes" ] && ls "$mixes"/[0-9]*.* >/dev/null 2>&1; then
	ls "$mixes"/[0-9]*.* > list.txt
	what="the real album ($(wc -l < list.txt | tr -d ' ') tracks)"
else
	i=0
	while [ $i -lt 10 ]; do
		i=$((i + 1))
		"$builddir/tests/mkfixture" -b 24 -s $i music 4:00 "src/$(printf %02d $i)-Track $i.wav"
	done
	ls src/*.wav > list.txt
	what="ten generated 4-minute tracks"
fi
# paths may hold spaces: hand them over NUL-separated
tr '\n' '\0' < list.txt | xargs -0 "$builddir/src/premaster" init -q -o album.xml >/dev/null
i=0
: > concat.txt
while IFS= read -r f; do
	i=$((i + 1))
	t=$(basename "$f")
	t=${t#*-}
	t=${t%.*}
	m="masters/cd/$(printf %02d $i)-$t.wav"
	ffmpeg -nostdin -v error -y -i "$f" \
		-af aresample=44100:resampler=soxr:precision=28 -c:a pcm_s24le "$m"
	echo "file '$tmp/$m'" >> concat.txt
done < list.txt
seconds=0
for m in masters/cd/*.wav; do
	d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$m")
	seconds=$(awk -v a="$seconds" -v b="$d" 'BEGIN { print a + b }')
done

best() { sort -n | head -n 1; }
run() { # time a command three times, best of three, one core; each run
	# starts with the previous output gone and the disk synced, so that
	# deleting and flushing 1.3 GB is not counted against either side
	for _ in 1 2 3; do
		rm -rf out ff.wav
		sync
		s=$(date +%s%N)
		taskset -c 0 "$@" >/dev/null 2>&1
		e=$(date +%s%N)
		echo "$(( (e - s) / 1000000 ))"
	done | best
}

ms_pm=$(run "$builddir/src/premaster-sequence" -q --only cd --masters masters album.xml -o out)
ms_ff=$(run ffmpeg -nostdin -v error -y -threads 1 -filter_threads 1 -f concat -safe 0 \
	-i concat.txt -af aresample=osf=s16:dither_method=triangular -c:a pcm_s16le ff.wav)

awk -v s="$seconds" -v p="$ms_pm" -v f="$ms_ff" -v what="$what" 'BEGIN {
	printf "bench-sequence: %s, %.0f s of audio, one core, best of 3\n", what, s
	printf "premaster sequence (CD image + track files + CUE/TOC/PQ, TPDF): %6.2f s  %6.0fx real time\n", p / 1000, s / (p / 1000)
	printf "ffmpeg concat + triangular dither to one 16-bit WAV:            %6.2f s  %6.0fx real time\n", f / 1000, s / (f / 1000)
	printf "ratio premaster / ffmpeg: %.2f   bar: under 3 s for 61 minutes: %s\n", p / f, (p / 1000 < 3.0 * s / 3660 ? "met" : "NOT met")
}'
