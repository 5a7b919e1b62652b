#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench-master.sh: premaster master against its speed figures (issue 5),
# in one run:
#  1. analysis plus the full chain for one streaming target, one core
#     (--only spotify -j 1): seconds and x real time;
#  2. the whole run, CD, vinyl and two streaming targets (spotify, apple),
#     one core: seconds and x real time;
#  3. ffmpeg's two-pass loudnorm for one target on the same files, one
#     thread, and the ratio to (2);
#  4. the whole run with -j 2: the speed-up over (2);
#  5. the peak RSS of each run.
# The album is the real one: $PM_REAL_ALBUM when set (the folder of its
# mixes), else what bench/real-album.sh fetches and caches (the first run
# downloads it; later runs reuse ~/.cache/premaster-real-album).  When
# that cannot run (no apt-get download, no ffmpeg, no network), or
# PM_REAL_ALBUM names a folder without mixes, generated music is used
# instead and the output says so.
# Usage: bench-master.sh [BUILDDIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top}
pm=$build/src/premaster
mkfix=$build/tests/mkfixture
if [ -z "${PM_REAL_ALBUM+set}" ]; then
	PM_REAL_ALBUM=$(sh "$top/bench/real-album.sh") || {
		echo "bench-master: bench/real-album.sh failed; using generated audio" >&2
		PM_REAL_ALBUM=
	}
fi
mixes=$PM_REAL_ALBUM
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-master.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

command -v ffmpeg >/dev/null || { echo "bench-master: ffmpeg is needed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench-master: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }

if [ -n "$mixes" ] && ls "$mixes"/*.wav >/dev/null 2>&1; then
	what="the real album ($mixes)"
	set -- "$mixes"/*.wav
	ls "$mixes"/*.flac >/dev/null 2>&1 && set -- "$@" "$mixes"/*.flac
else
	what="a generated album (10 x 4 min of music, 24-bit, two at 96 kHz)"
	mkdir "$work/mixes"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		r=44100
		[ "$i" = 3 ] || [ "$i" = 7 ] && r=96000
		"$mkfix" -b 24 -r "$r" -a -1 -s "$i" --fade 1 music 4:00 \
			"$work/mixes/$(printf %02d "$i")-Track.wav"
	done
	set -- "$work"/mixes/*.wav
fi
"$pm" init -q -o "$work/init.xml" "$@"

# The full chain: EQ with a high-pass and a shelf, a one-band compressor,
# width 1.1, the limiter, album loudness at -14 LUFS; CD, vinyl, spotify
# and apple.
awk '
/<mastering>/ { print; skip = 1
	print "    <eq>"
	print "      <band type=\"highpass\" freq=\"20\"/>"
	print "      <band type=\"high-shelf\" freq=\"8000\" gain-db=\"1.5\"/>"
	print "    </eq>"
	print "    <compressor threshold-db=\"-18\" ratio=\"2\" attack-ms=\"10\" release-ms=\"150\"/>"
	print "    <width amount=\"1.1\"/>"
	print "    <limiter/>"
	print "    <loudness mode=\"album\" target-lufs=\"-14\"/>"
	next }
/<\/mastering>/ { skip = 0 }
skip { next }
/<streaming profile="bandcamp"\/>/ { next }
{ print }' "$work/init.xml" > "$work/album.xml"

# the result line (not printed with -q): "album_lufs=... seconds=..."
seconds=$("$pm" master --no-progress --analyse-only -o "$work/a" \
	"$work/album.xml" 2>/dev/null | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
[ -n "$seconds" ] || { echo "bench-master: cannot measure the album" >&2; exit 1; }

# run NAME ARGS...: wall seconds and peak RSS (MB) of one premaster master
run() {
	name=$1
	shift
	rm -rf "$work/out"
	sync
	/usr/bin/time -f "%e %M %U %S" -o "$work/$name.time" \
		taskset -c 1 "$pm" master -q -f -o "$work/out" "$@" "$work/album.xml" >/dev/null
	read -r t kb u k < "$work/$name.time"
	echo "$t $((kb / 1024)) $(echo "$u + $k" | bc -l)"
}

echo "bench-master: $what, $seconds s of audio"
# a first run warms the page cache for every one after it
run warm --only spotify -j 1 >/dev/null

set -- $(run one --only spotify -j 1)
t1=$1 rss1=$2 c1=$3
printf '(1) analysis + full chain, one streaming target, -j 1: %6.2f s  %5.0fx real time  (bar: 300x)  peak RSS %d MB\n' \
	"$t1" "$(echo "$seconds / $t1" | bc -l)" "$rss1"
# the wall time includes the kernel's page-cache copies of ~1 GB of
# masters, which vary from run to run on a VM; the CPU time is steadier
printf '    its CPU time, user + system: %6.2f s  %5.0fx real time\n' \
	"$c1" "$(echo "$seconds / $c1" | bc -l)"

set -- $(run all -j 1)
t3=$1 rss3=$2
printf '(3) whole run, cd + vinyl + spotify + apple, -j 1:   %6.2f s  %5.0fx real time  peak RSS %d MB\n' \
	"$t3" "$(echo "$seconds / $t3" | bc -l)" "$rss3"

# ffmpeg two-pass loudnorm, one target (-14 LUFS, -1 dBTP), each file
ff="taskset -c 1 ffmpeg -nostdin -hide_banner -nostats -threads 1 -filter_threads 1"
start=$(date +%s.%N)
for f in $(sed -n 's/.*<source file="\([^"]*\)".*/\1/p' "$work/album.xml" | tr ' ' '\001'); do
	f=$(printf %s "$f" | tr '\001' ' ')
	case $f in /*) ;; *) f="$work/$f" ;; esac
	rate=$(ffprobe -v error -select_streams a:0 -show_entries stream=sample_rate -of csv=p=0 "$f")
	j=$($ff -i "$f" -af loudnorm=I=-14:TP=-1:LRA=11:print_format=json -f null - 2>&1 | sed -n '/^{/,/^}/p')
	v() { printf '%s\n' "$j" | sed -n "s/.*\"$1\" : \"\([^\"]*\)\".*/\1/p"; }
	$ff -y -i "$f" -af "loudnorm=I=-14:TP=-1:LRA=11:measured_I=$(v input_i):measured_TP=$(v input_tp):measured_LRA=$(v input_lra):measured_thresh=$(v input_thresh):offset=$(v target_offset):linear=true" \
		-ar "$rate" -c:a pcm_s24le "$work/ff.wav" 2>/dev/null
done
tf=$(echo "$(date +%s.%N) - $start" | bc -l)
printf '    ffmpeg two-pass loudnorm, one target, one thread:   %6.2f s  %5.0fx real time\n' \
	"$tf" "$(echo "$seconds / $tf" | bc -l)"
printf '    (3) / ffmpeg: %.3f  (bar: 0.25)\n' "$(echo "$t3 / $tf" | bc -l)"

rm -rf "$work/out"
sync
/usr/bin/time -f "%e %M" -o "$work/j2.time" \
	"$pm" master -q -f -j 2 -o "$work/out" "$work/album.xml" >/dev/null
read -r t4 kb4 < "$work/j2.time"
printf '(4) whole run with -j 2: %6.2f s, %.2fx faster than -j 1 (bar: close to 2)  peak RSS %d MB\n' \
	"$t4" "$(echo "$t3 / $t4" | bc -l)" "$((kb4 / 1024))"
