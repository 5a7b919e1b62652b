#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# same-bytes.sh: do two builds of premaster make the same deliverables?
# Builds the real album (bench/real-album.sh) with every deliverable
# premaster makes (CD and DDP, vinyl sides, every streaming platform, a
# lossy Opus and MP3 profile) once with each build tree's premaster, and
# compares every output file but the reports (which carry timings) by
# SHA-256.  For refactorings that must not change a byte.  Each build
# takes about 24 GB of disk while it is hashed.
# usage: same-bytes.sh OLD_BUILDDIR NEW_BUILDDIR [WORKDIR]
set -eu
old=$1
new=$2
top=$(cd "$(dirname "$0")/.." && pwd)
work=${3:-$(mktemp -d "${TMPDIR:-/tmp}/same-bytes.XXXXXX")}
mixes=$(sh "$top/bench/real-album.sh")
mkdir -p "$work"
cd "$work"
ls "$mixes"/[0-9][0-9]-* | sort | tr '\n' '\0' |
	xargs -0 "$old/src/premaster" init -q -f -o album.xml \
		--title "Singularity" --artist "Singularity Music" \
		--upc 036000291452 --isrc-first USAB12600001
awk '/<streaming profile="bandcamp"\/>/ {
	print
	for (i = 1; i <= 5; i++) {
		split("youtube amazon tidal deezer soundcloud", p, " ")
		printf "    <streaming profile=\"%s\"/>\n", p[i]
	}
	print "    <streaming profile=\"opus\" preset=\"spotify\" format=\"opus\"/>"
	print "    <streaming profile=\"mp3\" preset=\"apple\" format=\"mp3\"/>"
	next }
{ print }' album.xml >album2.xml && mv album2.xml album.xml

hashes() {
	(cd "$1" && find . -type f ! -path './report/*' | LC_ALL=C sort |
		while IFS= read -r f; do sha256sum "$f"; done)
}
for side in old new; do
	eval "b=\$$side"
	rm -rf "out-$side"
	# a failed build is a failed comparison; not fit is still compared
	st=0
	SOURCE_DATE_EPOCH=1767225600 "$b/src/premaster" build -q -j 2 \
		album.xml -o "out-$side" || st=$?
	case $st in
	0|1) ;;
	*) echo "same-bytes: the $side build failed (exit $st)" >&2; exit 1 ;;
	esac
	hashes "out-$side" >"hashes-$side.txt"
	rm -rf "out-$side" # about 24 GB with every platform
done
n=$(wc -l <hashes-new.txt)
if cmp -s hashes-old.txt hashes-new.txt; then
	echo "same bytes: all $n output files are identical ($work)"
else
	diff hashes-old.txt hashes-new.txt | head -n 40
	echo "different: see $work/hashes-old.txt and hashes-new.txt" >&2
	exit 1
fi
