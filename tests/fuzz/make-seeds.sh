#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make-seeds.sh BUILDDIR: remake the kept seeds of tests/fuzz/ddp-read and
# tests/fuzz/cdtext from DDPs that premaster writes (short generated
# music; the audio itself is not kept: fuzz-ddp-read's ".DAT" files are
# a size, written as zeros, and the checksum lists are rewritten to match
# those zeros).  Run it from the source tree after a build; commit what
# changes.
set -eu
b=${1:?usage: make-seeds.sh BUILDDIR}
b=$(cd "$b" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
"$b/tests/mkfixture" -b 16 music 6s a.wav -a -3 -s 1
"$b/tests/mkfixture" -b 16 music 5s b.wav -a -6 -s 2

# album NAME EXTRA-RELEASE EXTRA-TRACK2 CD: an album.xml
album() {
	cat > "$1.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release><title>Seeds</title><artist>Fuzz</artist>$2</release>
  <tracks>
    <track id="t1"><source file="a.wav"/><title>One</title>
      <isrc>USAB12600001</isrc></track>
    <track id="t2"><source file="b.wav"/><title>Two</title>$3</track>
  </tracks>
  <deliverables><cd>$4</cd></deliverables>
</album>
XML
}

# pack DIR OUT: DIR's files as fuzz-ddp-read takes them
pack() {
	: > "$2"
	sep=
	for f in "$1"/*; do
		n=${f##*/}
		printf '%s##FILE %s\n' "$sep" "$n" >> "$2"
		case $n in
		*.DAT) printf '%s' "$(wc -c < "$f")" >> "$2" ;;
		*) cat "$f" >> "$2" ;;
		esac
		sep='
'
	done
}

# zero DIR: the .DAT files replaced by zeros and CHECKSUM.MD5 remade
zero() {
	for f in "$1"/*.DAT; do
		s=$(wc -c < "$f")
		head -c "$s" /dev/zero > "$f"
	done
	if [ -f "$1/CHECKSUM.MD5" ]; then
		(cd "$1" && md5sum $(awk '{ print $2 }' CHECKSUM.MD5 |
			tr -d '*') > CHECKSUM.MD5.new &&
			mv CHECKSUM.MD5.new CHECKSUM.MD5)
	fi
}

mkdir -p "$here/ddp-read" "$here/cdtext"
album plain "" "" ""
album full "<catalog>SEED-1</catalog><upc>036000291452</upc>" \
	'<gap length="3s"/><index at="2s"/>' \
	'<cd-text><block language="en"/><block language="de" charset="iso-8859-1"/></cd-text>'
for a in plain full; do
	"$b/src/premaster-sequence" -q $a.xml -o $a > /dev/null
	"$b/src/premaster-ddpmake" -q $a.xml -o $a > /dev/null
	zero $a/ddp
	pack $a/ddp "$here/ddp-read/$a.ddp"
	[ -f $a/ddp/CDTEXT.BIN ] && cp $a/ddp/CDTEXT.BIN "$here/cdtext/$a.bin"
done
# the same fileset with other writers' checksum lists
cp -r full/ddp other
(cd other && mv CHECKSUM.MD5 MD5_CHECKSUM.MD5)
pack other "$here/ddp-read/hofa-sums.ddp"
