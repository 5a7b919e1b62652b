#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench-verify.sh: premaster verify against its speed figure (issue 10:
# 150x real time or faster on one core), in one run:
#  1. verify of the whole build (sources, every target's masters, the CD
#     image, its per-track files and DDP, the vinyl sides, the streaming
#     files), pinned to one core: CPU seconds, wall seconds, x real time;
#  2. ffmpeg's ebur128 filter with true peak over the same audio files,
#     one thread: seconds and the ratio to (1).
# The album is the real one (~/.cache/premaster-real-album/mixes, or
# $PM_REAL_ALBUM) when present, else generated music; the build it checks
# is made first (not timed), or taken from BUILT (a folder holding
# album.xml and out/ of an earlier run of this script).
# Usage: bench-verify.sh [BUILDDIR [BUILT]]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top}
built=${2:-}
pm=$build/src/premaster
mkfix=$build/tests/mkfixture
mixes=${PM_REAL_ALBUM:-$HOME/.cache/premaster-real-album/mixes}
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-verify.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

command -v ffmpeg >/dev/null || { echo "bench-verify: ffmpeg is needed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench-verify: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"

if [ -n "$built" ]; then
	what="the build in $built"
	dir=$built
else
	dir=$work
	if ls "$mixes"/[0-9]*.wav >/dev/null 2>&1; then
		what="the real album ($mixes)"
		ls "$mixes"/[0-9]* | sort >"$work/list"
	else
		what="a generated album (10 x 4 min of music, 24-bit, two at 96 kHz)"
		mkdir "$work/mixes"
		for i in 1 2 3 4 5 6 7 8 9 10; do
			r=44100
			[ "$i" = 3 ] || [ "$i" = 7 ] && r=96000
			"$mkfix" -b 24 -r "$r" -a -1 -s "$i" --fade 1 music 4:00 \
				"$work/mixes/$(printf %02d "$i")-Track.wav"
		done
		ls "$work"/mixes/*.wav >"$work/list"
	fi
	tr '\n' '\0' <"$work/list" | xargs -0 "$pm" init -q -o "$work/album.xml" \
		--title Bench --artist Bench --upc 036000291452 \
		--isrc-first USAB12600001
	echo "bench-verify: building $what (not timed) ..." >&2
	"$pm" build -q -j 2 "$work/album.xml" -o "$work/out" >/dev/null 2>&1 || true
fi
album=$dir/album.xml
out=$dir/out

/usr/bin/time -f "%U %S %e" -o "$work/verify.time" \
	$pin "$pm" verify -q --no-progress -f "$album" -o "$out" >/dev/null 2>&1 || true
# the album's length: the sum of the sources' lengths
secs=$(jq '[.tracks[].source_seconds] | add' "$out/report/verify.json")
# time(1) puts "Command exited with non-zero status N" first when verify
# finds the release not fit (still a whole run): the figures are last
read -r vu vs ve <<EOF
$(tail -n 1 "$work/verify.time")
EOF

# ffmpeg over the same files: sources, masters, the CD image, its tracks,
# IMAGE.DAT (raw 16-bit little-endian), the vinyl sides, streaming files
sed -n 's/.*<source file="\([^"]*\)".*/\1/p' "$album" >"$work/files"
(cd "$out" && find masters cd/album.wav cd/tracks vinyl streaming -type f \
	\( -name '*.wav' -o -name '*.flac' -o -name '*.ogg' -o -name '*.opus' -o -name '*.mp3' \) |
	sort | sed "s|^|$out/|") >>"$work/files"
/usr/bin/time -f "%U %S" -o "$work/ff.time" sh -c "
	cd '$(dirname "$album")' && while IFS= read -r f; do
		ffmpeg -nostdin -threads 1 -nostats -i \"\$f\" -af ebur128=peak=true -f null - >/dev/null 2>&1
	done <'$work/files'
	ffmpeg -nostdin -threads 1 -nostats -f s16le -ar 44100 -ac 2 -i '$out/ddp/IMAGE.DAT' -af ebur128=peak=true -f null - >/dev/null 2>&1"
read -r fu fs <"$work/ff.time"

awk -v what="$what" -v secs="$secs" -v vu="$vu" -v vs="$vs" -v ve="$ve" \
	-v fu="$fu" -v fs="$fs" -v n="$(wc -l <"$work/files")" 'BEGIN {
	v = vu + vs; f = fu + fs
	printf "bench-verify: %s, %.0f s of album\n", what, secs
	printf "  premaster verify, one core:   %6.1f s CPU (%5.1f s wall)   %6.1fx real time (CPU), %6.1fx (wall)\n",
		v, ve, secs / v, secs / ve
	printf "  ffmpeg ebur128 peak=true on the same %d files + IMAGE.DAT, one thread: %6.1f s CPU   %6.1fx real time\n",
		n, f, secs / f
	printf "  ratio: verify is %.2fx as fast as ffmpeg measuring the same audio\n", f / v
	met = (secs / v >= 150) ? "met" : "NOT met"
	printf "  target: 150x real time on one core: %s\n", met
}'
