#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# ddpmake.sh: a DDP written from the sequenced CD, checked by md5sum,
# listed, extracted under every gap policy (each track bit-identical to
# sequence's CD-rate render), written deterministically, and broken images
# refused with their reasons.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkfixture -b 16 music 6s a.wav -a -3 -s 1 || exit 99
mkfixture -b 16 music 5s b.wav -a -6 -s 2 || exit 99
mkfixture -b 16 music 7s c.wav -a -4 -s 3 || exit 99

album() {
	cat > album.xml <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release>
    <title>DDP Test</title>
    <title lang="de">DDP-Prüfung</title>
    <artist>The Generators</artist>
    <upc>4006381333931</upc>
    <master-id>PM-DDP-TEST M1</master-id>
  </release>
  <tracks>
    <track id="t1">
      <source file="a.wav"/>
      <title>Überall</title>
      <isrc>DEAB12600001</isrc>
      <index at="3s"/>
      <flags pre-emphasis="true"/>
    </track>
    <track id="t2">
      <source file="b.wav"/>
      <title>Zwei</title>
      <isrc>DEAB12600002</isrc>
      <gap length="2s"/>
      <flags copy="true"/>
    </track>
    <track id="t3">
      <source file="c.wav"/>
      <title>Drei</title>
      <isrc>DEAB12600003</isrc>
      <gap length="1.5s"/>
    </track>
  </tracks>
  <deliverables>
    <cd track-gaps="$1" checksum-crc32="true">
      <cd-text><block language="en"/><block language="de"/></cd-text>
    </cd>
  </deliverables>
</album>
EOF
}

raw() { ffmpeg -nostdin -v error -i "$1" -f s16le -; }

album append
t_expect 66 "ddpmake before sequence: the image is missing" premaster-ddpmake album.xml -o out
t_stderr_has "and it says what to do" "run premaster sequence first"
premaster-sequence -q album.xml -o out > /dev/null || exit 99
t_expect 0 "ddpmake writes the DDP" premaster-ddpmake album.xml -o out
t_stdout_has "and reports it" "ddp=out/ddp tracks=3"
for f in DDPID DDPMS PQDESCR CDTEXT.BIN IMAGE.DAT CHECKSUM.MD5 CHECKSUM.TXT; do
	t_ok "ddp/$f is there" test -s "out/ddp/$f"
done
(cd out/ddp && md5sum -c --quiet CHECKSUM.MD5) > md5.txt 2>&1
t_result $? "md5sum -c CHECKSUM.MD5 passes inside the image"
t_is "IMAGE.DAT holds exactly the CD image's samples" \
	"$(raw out/cd/album.wav | md5sum | cut -c1-32)" \
	"$(md5sum < out/ddp/IMAGE.DAT | cut -c1-32)"
t_is "DDPID starts with the level, the EAN and the master ID" \
	"$(head -c 21 out/ddp/DDPID)" "DDP 2.004006381333931"
grep -q "PM-DDP-TEST M1" out/ddp/DDPID
t_result $? "the master ID is in DDPID"
t_expect 73 "a second run needs --force" premaster-ddpmake album.xml -o out
cp out/ddp/CHECKSUM.MD5 first.md5
t_expect 0 "with --force it rewrites" premaster-ddpmake -f album.xml -o out
cmp -s first.md5 out/ddp/CHECKSUM.MD5
t_result $? "the same album gives the same bytes"

# --list: the PQ, with the ISRCs and flags, matching the PQ sheet
t_expect 0 "ddpmake --list reads it" premaster-ddpmake --list out/ddp
t_stdout_has "the UPC" "UPC	4006381333931"
t_stdout_has "track 1 index 01 at 00:02:00, pre-emphasis" \
	"01	01	00:02:00	DEAB12600001	11	pre-emphasis"
t_stdout_has "track 2's flags" "21	copy"
t_stdout_has "the lead-out" "AA	01	"
for point in $(awk '$1 ~ /^0[1-9]$/ { print $1 ":" $2 ":" $3 }' "$T/.stdout"); do
	tr=${point%%:*}; rest=${point#*:}; ix=${rest%%:*}; at=${rest#*:}
	awk -v t="$tr" -v i="$ix" -v a="$at" '
		/^Absolute times/ { on = 1; next } /^Relative times/ { on = 0 }
		on && $1 == t && $2 == i && $3 == a { found = 1 }
		END { exit !found }' out/cd/pq-sheet.txt
	t_result $? "PQ point $tr/$ix at $at is on the PQ sheet"
done

# extract under every policy: each file is sequence's render, bit for bit
for pol in append prepend split none; do
	album $pol
	premaster-sequence -q -f album.xml -o out > /dev/null || exit 99
	premaster-ddpmake -q -f album.xml -o out > /dev/null || exit 99
	t_expect 0 "extract with --gaps=$pol" \
		premaster-ddpmake --extract --gaps=$pol -o "x-$pol" out/ddp
	n=0
	for f in out/cd/tracks/*.wav; do
		base=$(basename "$f")
		case $base in
		*-pause.wav) x=x-$pol/$base ;;
		*) x=x-$pol/$(echo "$base" | cut -c1-2).wav ;;
		esac
		raw "$f" > want.raw
		raw "$x" > got.raw 2>/dev/null
		cmp -s want.raw got.raw
		t_result $? "$pol: $x is bit-identical to cd/tracks/$base"
		n=$((n + 1))
	done
	t_is "$pol: as many files as sequence wrote" \
		"$(ls x-$pol/*.wav | wc -l | tr -d ' ')" "$n"
	t_ok "$pol: the extracted CUE parses" cueprint "x-$pol/tracks.cue"
	t_ok "$pol: the PQ listing is there" test -s "x-$pol/PQ.TXT"
done
grep -q "PREGAP 00:02:00" x-none/tracks.cue
t_result $? "none: the dropped pause is the CUE's PREGAP"

# broken images are refused, each with its reason
album append
premaster-sequence -q -f album.xml -o out > /dev/null || exit 99
premaster-ddpmake -q -f album.xml -o out > /dev/null || exit 99
breaks() { # NAME COMMAND...: copy the image, break it, expect a refusal
	name=$1
	shift
	rm -rf bad && cp -r out/ddp bad && rm -f bad/CHECKSUM.MD5 bad/CHECKSUM.TXT
	"$@"
	t_expect 65 "a DDP with $name is refused" premaster-ddpmake --list bad
}
breaks "a truncated IMAGE.DAT" truncate -s -2352 bad/IMAGE.DAT
t_stderr_has "saying the size disagrees" "IMAGE.DAT"
breaks "a flipped CD-TEXT CRC byte" \
	sh -c 'printf "\377" | dd of=bad/CDTEXT.BIN bs=1 seek=16 conv=notrunc 2>/dev/null'
t_stderr_has "saying which CRC" "CRC"
breaks "a wrong EAN check digit" \
	sh -c 'printf "2" | dd of=bad/DDPID bs=1 seek=20 conv=notrunc 2>/dev/null'
t_stderr_has "saying so" "check digit"
rm -rf bad && cp -r out/ddp bad
printf 'x' | dd of=bad/IMAGE.DAT bs=1 seek=500000 conv=notrunc 2>/dev/null
t_expect 65 "a changed IMAGE.DAT fails its checksum" premaster-ddpmake --list bad
t_stderr_has "naming the file" "IMAGE.DAT"
t_expect 65 "and cannot be extracted" premaster-ddpmake --extract -o x-bad bad
t_ok "and nothing is extracted" test ! -e x-bad
t_done
