#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# verify-ddp.sh: verify and the DDP.  verify --ddp reads any DDP on its
# own, lists its PQ and CD-TEXT, and reads the checksum lists other
# writers leave (md5sum in either case and mode with CRLF, CHECKSUM.TXT's
# CRC-32, Sonoris, HOFA, a plant's Checksum.chk, BSD md5, name=hash lists,
# a sidecar IMAGE.DAT.md5); each broken DDP of the reader's fixtures is
# refused under its rule.  The album check compares IMAGE.DAT with the CD
# programme sample by sample, so a changed byte with no checksum list, a
# byte-swapped image and another build's audio are each caught.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkfixture -a -3 -s 1 --fade 0.1 music 5s one.wav || exit 99
mkfixture -a -3 -s 2 --fade 0.1 music 5s two.wav || exit 99
pm premaster init -q --title "Disc" --artist "Band" --upc 036000291452 \
	--isrc-first USAB12600001 one.wav two.wav || exit 99
# CD only keeps the test short
awk '/<vinyl/ { skip = 1 } skip && /<\/vinyl>/ { skip = 0; next } skip { next }
     /<streaming / { next } { print }' album.xml >a2.xml && mv a2.xml album.xml
t_expect 0 "a CD build" premaster build -q album.xml -o out
cp -R out/ddp good

# md5 HEXNAME...: md5sum lines for the fileset in DIR
fileset="DDPID DDPMS CDTEXT.BIN PQDESCR IMAGE.DAT"
sums() { (cd "$1" && md5sum $fileset); }
# crc FILE: the CRC-32 of FILE, as 8 upper-case hex digits (gzip's trailer)
crc() {
	gzip -c <"$1" | tail -c 8 | head -c 4 | od -An -tx1 |
		awk '{ printf "%s%s%s%s\n", toupper($4), toupper($3), toupper($2), toupper($1) }'
}
# fresh NAME: a copy of the good DDP without checksum lists
fresh() {
	rm -rf "$1" && cp -R good "$1" && rm -f "$1/CHECKSUM.MD5" "$1/CHECKSUM.TXT"
}

t_expect 0 "verify --ddp passes premaster's DDP" premaster verify --ddp good
t_stdout_has "and lists the PQ" "TRACK	INDEX	TIME	ISRC"
t_stdout_has "with the lead-out" "AA	01	00:14:00"
t_stdout_has "and the decoded CD-TEXT" "Title       two"
t_stdout_has "and names its checksum list" "CHECKSUM.MD5"
pm premaster verify --json --ddp good >ev.json 2>/dev/null
t_ok "--json gives the report as the result event" \
	sh -c 'jq -e "select(.event == \"result\") | .fit == true and (.listing | test(\"USAB12600002\")) and (.findings | type == \"array\") and .disc.tracks == 2" ev.json | grep -q true'
t_expect 66 "a missing DDP is missing input" premaster verify --ddp nowhere
mkdir empty
t_expect 66 "a folder without DDPID too" premaster verify --ddp empty
t_expect 64 "--ddp takes no album" premaster verify --ddp good album.xml

# --- other writers' checksum lists, right and wrong ------------------
fresh upper
sums upper | tr 'a-f' 'A-F' >upper/CHECKSUM.MD5
t_ok "md5sum -c itself accepts upper-case hex" sh -c 'cd upper && md5sum -c --quiet CHECKSUM.MD5'
t_expect 0 "upper-case hex is accepted" premaster verify --ddp upper
fresh textcrlf
sums textcrlf | sed 's/ \*/  /; s/$/\r/' >textcrlf/CHECKSUM.MD5
t_expect 0 "text mode with CRLF is accepted" premaster verify --ddp textcrlf
fresh hofa
sums hofa | tr 'a-f' 'A-F' | sed 's/$/\r/' >hofa/MD5_CHECKSUM.MD5
t_expect 0 "HOFA's MD5_CHECKSUM.MD5 is accepted" premaster verify --ddp hofa
t_stdout_has "and named" "MD5_CHECKSUM.MD5"
fresh sonoris
sums sonoris >sonoris/MD5-Checksum.md5
t_expect 0 "Sonoris's MD5-Checksum.md5 is accepted" premaster verify --ddp sonoris
fresh crc
{ echo "[CRC32 Checksum]"; for f in $fileset; do echo "$f=$(crc crc/$f)"; done; } >crc/CHECKSUM.TXT
t_expect 0 "CHECKSUM.TXT with CRC-32 alone is accepted" premaster verify --ddp crc
fresh chk
for f in $fileset; do echo "$f $(crc chk/$f)"; done >chk/Checksum.chk
t_expect 0 "a plant's Checksum.chk (name, CRC-32) is accepted" premaster verify --ddp chk
fresh bsd
(cd bsd && for f in $fileset; do echo "MD5 ($f) = $(md5sum <$f | cut -c1-32)"; done) >bsd/checksum.md5
t_expect 0 "BSD md5 lines are accepted" premaster verify --ddp bsd
fresh named
(cd named && for f in $fileset; do printf '%s: %s\r\n' "$f" "$(md5sum <$f | cut -c1-32 | tr 'a-f' 'A-F')"; done) >named/ddp.md5
t_expect 0 "NAME: HASH lists are accepted" premaster verify --ddp named
fresh sidecar
md5sum <sidecar/IMAGE.DAT | cut -c1-32 >sidecar/IMAGE.DAT.md5
t_expect 0 "a sidecar IMAGE.DAT.md5 is accepted" premaster verify --ddp sidecar
t_stdout_has "and covers the image" "IMAGE.DAT.md5"
cp upper/CHECKSUM.MD5 hofa/MD5_CHECKSUM.MD5
printf 'x' | dd of=hofa/IMAGE.DAT bs=1 seek=300000 conv=notrunc 2>/dev/null
t_expect 1 "a mismatch in HOFA's list is refused" premaster verify --ddp hofa
t_stdout_has "under checksums" "error	checksums	"
printf 'x' | dd of=crc/IMAGE.DAT bs=1 seek=300000 conv=notrunc 2>/dev/null
t_expect 1 "a CRC-32 mismatch is refused" premaster verify --ddp crc
t_stdout_has "naming the CRC" "CRC-32"
fresh none
t_expect 0 "no checksum list at all passes --ddp" premaster verify --ddp none
t_stdout_has "with a warning" "warning	checksums	"

# --- the reader's broken fixtures, each under its rule ----------------
# broken NAME RULE TEXT: verify --ddp refuses NAME with RULE
broken() {
	t_expect 1 "$3 is refused" premaster verify --ddp "$1"
	t_stdout_has "under $2" "error	$2	"
}
fresh short; sums short >short/CHECKSUM.MD5
truncate -s -2352 short/IMAGE.DAT
broken short ddp-integrity "an image shorter than DDPMS says"
fresh cdtext
printf '\377' | dd of=cdtext/CDTEXT.BIN bs=1 seek=16 conv=notrunc 2>/dev/null
sums cdtext >cdtext/CHECKSUM.MD5
broken cdtext ddp-integrity "a CD-TEXT pack with a bad CRC"
fresh ean
printf '5' | dd of=ean/DDPID bs=1 seek=20 conv=notrunc 2>/dev/null
sums ean >ean/CHECKSUM.MD5
broken ean ddp-integrity "a UPC/EAN with a bad check digit"
fresh order
at=$(grep -obUa 'VVVS0201' order/PQDESCR | head -1 | cut -d: -f1)
printf '000100' | dd of=order/PQDESCR bs=1 seek=$((at + 10)) conv=notrunc 2>/dev/null
sums order >order/CHECKSUM.MD5
broken order ddp-integrity "a PQ out of order"
rm -rf md5 && cp -R good md5
printf 'x' | dd of=md5/IMAGE.DAT bs=1 seek=300000 conv=notrunc 2>/dev/null
broken md5 checksums "an image that does not match CHECKSUM.MD5"
rm -rf unlisted && cp -R good unlisted
grep -v PQDESCR good/CHECKSUM.MD5 >unlisted/CHECKSUM.MD5
broken unlisted checksums "a CHECKSUM.MD5 that does not list PQDESCR"
fresh escape
at=$(grep -obUa 'IMAGE.DAT' escape/DDPMS | head -1 | cut -d: -f1)
printf '../IMAGE' | dd of=escape/DDPMS bs=1 seek="$at" conv=notrunc 2>/dev/null
broken escape ddp-integrity "a stream name outside the fileset"

# a zero-length index 00 is the same disc: a warning, not a refusal
fresh zero
at=$(grep -obUa 'VVVS0201' zero/PQDESCR | head -1 | cut -d: -f1)
time01=$(dd if=zero/PQDESCR bs=1 skip=$((at + 10)) count=6 2>/dev/null)
at0=$(grep -obUa 'VVVS0200' zero/PQDESCR | head -1 | cut -d: -f1)
printf '%s' "$time01" | dd of=zero/PQDESCR bs=1 seek=$((at0 + 10)) conv=notrunc 2>/dev/null
sums zero >zero/CHECKSUM.MD5
t_expect 0 "a zero-length index 00 is tolerated" premaster verify --ddp zero
t_stdout_has "and named" "index 00"

# --- the album check reads the samples, never only a checksum ---------
# the CD programme's MD5 in the report: its samples', read by ffmpeg
pcm_md5=$(ffmpeg -nostdin -v error -i out/cd/album.wav -f s16le - | md5sum | cut -c1-32)
t_expect 0 "the build verifies" premaster verify -f album.xml -o out
t_ok "the programme MD5 is the samples' (and the image's)" sh -c \
	"jq -e '.cd_programme_md5 == \"$pcm_md5\"' out/report/verify.json >/dev/null &&
	 md5sum out/ddp/IMAGE.DAT | grep -q '^$pcm_md5 '"
cp -R out/ddp saved
rm -f out/ddp/CHECKSUM.MD5 out/ddp/CHECKSUM.TXT
printf 'x' | dd of=out/ddp/IMAGE.DAT bs=1 seek=600000 conv=notrunc 2>/dev/null
t_expect 1 "no checksum list and one byte changed: caught" \
	premaster verify -f album.xml -o out
t_stdout_has "by ddp-audio" "error	ddp-audio	"
t_ok "with the track and the time" sh -c \
	'jq -e ".findings[] | select(.rule == \"ddp-audio\") | .track == 1 and .time_s > 1.3 and .time_s < 1.5" out/report/verify.json | grep -q true'
t_ok "and the programme MD5 is still the samples', not the image's" sh -c \
	"jq -e '.cd_programme_md5 == \"$pcm_md5\"' out/report/verify.json >/dev/null &&
	 ! md5sum out/ddp/IMAGE.DAT | grep -q '^$pcm_md5 '"

rm -rf out/ddp && cp -R saved out/ddp
dd if=saved/IMAGE.DAT of=out/ddp/IMAGE.DAT conv=swab 2>/dev/null
(cd out/ddp && md5sum $fileset >CHECKSUM.MD5 && rm -f CHECKSUM.TXT)
t_expect 1 "a byte-swapped image with fresh checksums: caught" \
	premaster verify -f album.xml -o out
t_stdout_has "by ddp-byte-order" "error	ddp-byte-order	"
t_expect 1 "and by verify --ddp on its own" premaster verify --ddp out/ddp
t_stdout_has "under ddp-byte-order" "error	ddp-byte-order	"

# another build's audio, same layout, good checksums
mkdir other && cd other || exit 99
mkfixture -a -3 -s 7 --fade 0.1 music 5s one.wav || exit 99
mkfixture -a -3 -s 8 --fade 0.1 music 5s two.wav || exit 99
cp ../album.xml . && pm premaster build -q album.xml -o out >/dev/null 2>&1
cd .. || exit 99
rm -rf out/ddp && cp -R other/out/ddp out/ddp
t_expect 0 "another build's DDP is a good DDP on its own" premaster verify --ddp out/ddp
t_expect 1 "but not this build's programme" premaster verify -f album.xml -o out
t_stdout_has "by ddp-audio" "error	ddp-audio	"
rm -rf out/ddp && cp -R saved out/ddp
t_expect 0 "the build's own DDP passes again" premaster verify -f album.xml -o out
t_done
