#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench-ddp.sh: how long pm_ddp_write takes against md5sum over the same
# IMAGE.DAT, in one run.  The writer reads the WAV, writes IMAGE.DAT and
# hashes it; its budget is twice md5sum's time.
#
#   sh bench/bench-ddp.sh [BUILDDIR] [MINUTES]     (defaults: . and 60)
#
# Both sides run with their input in the page cache (the WAV was just
# made, IMAGE.DAT just written), each after a sync, so the comparison is
# of the work itself.  Each is run three times and the best time kept.  Exits 1 when the ratio is
# over 2.0.
set -eu

builddir=${1:-.}
minutes=${2:-60}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-ddp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

(cd "$builddir" && make -s bench/bench-ddp) >&2
drv=$builddir/bench/bench-ddp

echo "generating a $minutes-minute CD image WAV..." >&2
"$drv" gen "$tmp/image.wav" "$minutes"

best() { sort -n | head -n 1; }

secs() {
	start=$(date +%s%N)
	"$@" >/dev/null
	end=$(date +%s%N)
	echo "$start $end" | awk '{ printf "%.3f\n", ($2 - $1) / 1e9 }'
}

# Before each timed run: drop the previous output and flush dirty pages,
# so that neither side pays for the other's write-back (or for ext4
# discarding a deleted 600 MB file).
settle() {
	rm -rf "$tmp/out"
	sync
}

run() {
	label=$1
	shift
	w=$(for _ in 1 2 3; do
		settle
		"$drv" write "$tmp/image.wav" "$tmp/out" "$@"
	done | best)
	sync
	m=$(for _ in 1 2 3; do secs md5sum "$tmp/out/ddp/IMAGE.DAT"; done | best)
	ratio=$(echo "$w $m" | awk '{ printf "%.2f\n", $1 / $2 }')
	bytes=$(wc -c < "$tmp/out/ddp/IMAGE.DAT")
	printf '%-10s IMAGE.DAT %s bytes: pm_ddp_write %ss, md5sum %ss, ratio %s\n' \
		"$label" "$bytes" "$w" "$m" "$ratio"
	echo "$ratio" > "$tmp/ratio.$label"
}

run md5
run md5+crc32 --crc32
(cd "$tmp/out/ddp" && md5sum -c --quiet CHECKSUM.MD5) || {
	echo "bench-ddp: CHECKSUM.MD5 does not verify" >&2
	exit 1
}
awk '$1 > 2.0 { bad = 1 } END { exit bad }' "$tmp"/ratio.*
