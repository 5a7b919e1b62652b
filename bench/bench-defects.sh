#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench-defects.sh: the defect detector and the repairs against their
# speed figures (issue 11), in one run:
#  1. premaster master for the CD, one core: seconds;
#  2. the detector alone over the same sources (bench-defects, decoded
#     first): seconds, x real time, and its share of (1) -- what the
#     detection adds to master's time;
#  3. the detector with the repairs on the same audio with a -20 dBFS
#     click every 2 s and a 50 ms clipped passage every 10 s planted:
#     x real time, and how many were found where they were planted;
#     then, detection alone, how many were found in each channel with
#     each click planted in both channels alike;
#  4. ffmpeg's adeclick on the first track, one thread: x real time, and
#     the ratio of (3) to it;
#  5. hum removal and noise reduction (bench-restore): on the album as it
#     is with hum="auto" noise="auto", and with 60 Hz hum at -50 dBFS and
#     white noise at -70 dBFS planted, each and both: x real time (the
#     bar: 100x), what they found and how far they took it down;
#  6. pops planted in ten seconds of each track (bench-pops): how many
#     the click repair takes down by 15 dB, per time constant, with the
#     pops in one channel and then in both; then both again with each
#     excerpt in 16 bits, with dither.
# The album is the real one ($PM_REAL_ALBUM or bench/real-album.sh).
# Usage: bench-defects.sh [BUILDDIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top}
pm=$build/src/premaster
if [ -z "${PM_REAL_ALBUM+set}" ]; then
	PM_REAL_ALBUM=$(sh "$top/bench/real-album.sh")
fi
mixes=$PM_REAL_ALBUM
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-defects.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
command -v ffmpeg >/dev/null || { echo "bench-defects: ffmpeg is needed" >&2; exit 1; }

# its two helper programs are not built by `make`, only asked for
for b in bench-defects bench-restore bench-pops; do
	[ -x "$build/bench/$b" ] || make -s -C "$build" "bench/$b" >&2 ||
		{ echo "bench-defects: cannot build bench/$b" >&2; exit 1; }
done

set -- "$mixes"/[0-9][0-9]-*
PREMASTER_EXEC_PATH=$build/src
export PREMASTER_EXEC_PATH
"$pm" init -q -o "$work/album.xml" "$@"
t0=$(date +%s.%N)
"$pm" master -q -j 1 --only cd "$work/album.xml" -o "$work/out" 2>/dev/null
t1=$(date +%s.%N)
master=$(echo "$t1 - $t0" | bc)
echo "master (CD, one core): $master s"
"$build/bench/bench-defects" "$@" | tee "$work/det"
detect=$(awk '/^detect:/ { print $2 }' "$work/det")
awk -v d="$detect" -v m="$master" 'BEGIN {
	printf "detection in master: %.2f s of %.2f s, %.1f%% added (the bar: 15%%)\n",
	       d, m, 100 * d / (m - d) }'
first=$1
secs=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$first")
t0=$(date +%s.%N)
ffmpeg -nostdin -v error -threads 1 -i "$first" -af adeclick -f null -
t1=$(date +%s.%N)
awk -v s="$secs" -v a="$t0" -v b="$t1" 'BEGIN {
	printf "ffmpeg adeclick on %.0f s: %.2f s, %.0fx real time\n", s, b - a, s / (b - a) }'
"$build/bench/bench-restore" "$@"
"$build/bench/bench-pops" "$@"
