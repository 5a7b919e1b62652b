#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# sequence-cd.sh: the CD layout read back by independent tools (cdrdao,
# cd-info, cueprint), per-track files bit-exact against the image, 16-bit
# material passed through without re-dither, gap policies, refusals and
# atomic replacement.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkfixture -b 16 music 9s a.wav -a -3 -s 1 || exit 99
mkfixture -b 24 music 7s b.wav -a -6 -s 2 || exit 99
mkfixture -b 24 -c 1 music 8s c.wav -a -4 -s 3 || exit 99
mkfixture -b 16 music 5s d.wav -a -5 -s 4 || exit 99
mkfixture -b 16 music 4s h.wav -a -9 -s 5 || exit 99

album() {
	cat > album.xml <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release>
    <title>Sequence &quot;Test&quot; Café</title>
    <artist>The Generators</artist>
    <upc>036000291452</upc>
  </release>
  <tracks>
    $1
    <track id="t1">
      <source file="a.wav"/>
      <title>Alpha</title>
      <isrc>USAB12600001</isrc>
      <index at="5s"/>
      <flags pre-emphasis="true"/>
    </track>
    <track id="t2">
      <source file="b.wav" in="0.5s"/>
      <title>Beta</title>
      <artist>Guest</artist>
      <isrc>USAB12600002</isrc>
      <fade-out length="1s" shape="s-curve"/>
      <gap length="2.5s"/>
      <flags copy="true"/>
    </track>
    <track id="t3">
      <source file="c.wav"/>
      <title>Gamma</title>
      <isrc>USAB12600003</isrc>
      <gap length="1s"/>
    </track>
    <track id="t4">
      <source file="d.wav"/>
      <title>Delta</title>
      <isrc>USAB12600004</isrc>
      <crossfade length="1s" id-at="0.5s"/>
    </track>
  </tracks>
  <deliverables>
    <cd pre-roll-frames="$2" track-gaps="$3"/>
  </deliverables>
</album>
EOF
}

album "" 0 append
t_expect 0 "sequence writes the CD" premaster-sequence album.xml -o out
t_stdout_has "the result line says where" "deliverable=cd dir=out/cd source=sources"
for f in album.wav album.cue album.toc pq-sheet.txt pq-sheet.html \
	tracks/01-Alpha.wav tracks/04-Delta.wav; do
	t_ok "cd/$f exists" test -s "out/cd/$f"
done

# Our PQ list: the absolute table of the PQ sheet, "TT II MM:SS:FF".
awk '/^Absolute times/ { on = 1; next } /^Relative times/ { on = 0 }
	on && $1 ~ /^[0-9][0-9]$/ && $1 != "00" && $2 ~ /^[0-9][0-9]$/ { print $1, $2, $3 }' \
	out/cd/pq-sheet.txt > pq.txt
t_is "the PQ sheet lists every index" "$(wc -l < pq.txt | tr -d ' ')" 8

frames() { # MM:SS:FF -> frames
	echo "$1" | awk -F: '{ print ($1 * 60 + $2) * 75 + $3 }'
}

# cdrdao parses the TOC; every track start, pregap and ISRC agrees.
if cdrdao show-toc out/cd/album.toc > show.txt 2>&1; then
	t_result 0 "cdrdao show-toc parses our TOC"
else
	t_result 1 "cdrdao show-toc parses our TOC"
	sed 's/^/#   /' show.txt
fi
n=0
for tr in 01 02 03 04; do
	n=$((n + 1))
	want=$(awk -v t="$tr" '$1 == t && $2 == "01" { print $3 }' pq.txt)
	got=$(awk -v n="$n" '/^TRACK/ { t = $2 } t == n && $1 == "START" { print $2 }' show.txt | cut -d'(' -f1)
	t_is "track $tr starts at the same frame in cdrdao and the PQ sheet" \
		"$(frames "$got")" "$(frames "$want")"
	pause=$(awk -v t="$tr" '$1 == t && $2 == "00" { print $3 }' pq.txt)
	gap=$(awk -v n="$n" '/^TRACK/ { t = $2 } t == n && $1 == "PREGAP" { print $2 }' show.txt | cut -d'(' -f1)
	if [ -n "$pause" ]; then
		t_is "track $tr pregap agrees" "$(frames "$gap")" \
			"$(( $(frames "$want") - $(frames "$pause") ))"
	else
		t_is "track $tr has no pregap in cdrdao either" "$gap" ""
	fi
	isrc=$(awk -v n="$n" '/^TRACK/ { t = $2 } t == n && $1 == "ISRC" { print $2 $3 $4 $5 }' show.txt)
	t_is "track $tr ISRC agrees" "$isrc" "USAB126000$tr"
done
grep -q "CATALOG NUMBER: 0036000291452" show.txt
t_result $? "cdrdao reads the UPC as the catalogue number"
grep -q "PRE-EMPHASIS" show.txt && grep -q "COPY PERMITTED" show.txt
t_result $? "cdrdao reads the pre-emphasis and copy flags"

# cdrdao's toc2cddb decodes the TOC's CD-TEXT strings: the quotes and the
# Latin-1 letter come back (as ISO 8859-1) from their escapes.
toc2cddb out/cd/album.toc 2>/dev/null | grep -a '^DTITLE=' | iconv -f ISO-8859-1 -t UTF-8 > dtitle.txt
t_is "toc2cddb reads the escaped album title" "$(cat dtitle.txt)" \
	'DTITLE=The Generators / Sequence "Test" Café'

# cd-info reads the TOC (with CD-TEXT) and the CUE (which needs a .bin
# beside it); it opens the audio relative to the working directory.
ln -s album.wav out/cd/album.bin
for kind in toc cue; do
	(cd out/cd && cd-info --no-device-info --no-cddb --"$kind"-file "album.$kind") \
		> info-$kind.txt 2>&1
	t_result $? "cd-info parses our $kind"
	n=0
	for tr in 01 02 03 04; do
		n=$((n + 1))
		want=$(frames "$(awk -v t="$tr" '$1 == t && $2 == "01" { print $3 }' pq.txt)")
		lsn=$(awk -v n="$n" '$1 == n":" { print $3 + 0 }' info-$kind.txt)
		t_is "$kind: track $tr at LSN = A-time in cd-info" "$lsn" "$want"
	done
	grep -q "Media Catalog Number (MCN): 0036000291452" info-$kind.txt
	t_result $? "$kind: cd-info reads the MCN"
	grep -q "TITLE: Beta" info-$kind.txt && grep -q "PERFORMER: Guest" info-$kind.txt
	t_result $? "$kind: cd-info reads the CD-TEXT"
done
rm out/cd/album.bin

if cueprint out/cd/album.cue > cueprint.txt 2>&1; then
	t_result 0 "cueprint parses our CUE"
else
	t_result 1 "cueprint parses our CUE"
fi
t_is "cueprint sees four ISRCs" \
	"$(grep -c '^ISRC:[[:space:]]*USAB126' cueprint.txt)" 4
grep -q "title:[[:space:]]*Gamma" cueprint.txt
t_result $? "cueprint reads the titles"

# Per-track files (append) concatenate to the image, sample for sample.
raw() { ffmpeg -nostdin -v error -i "$1" -f s16le -; }
for f in out/cd/tracks/*.wav; do raw "$f"; done > tracks.raw
raw out/cd/album.wav > image.raw
cmp -s tracks.raw image.raw
t_result $? "the append-policy tracks concatenate to the image exactly"
t_is "the image is whole frames" "$(( $(wc -c < image.raw) % 2352 ))" 0
t_is "the first 150 frames are digital silence" \
	"$(head -c 352800 image.raw | tr -d '\000' | wc -c | tr -d ' ')" 0

# 16-bit material at unity gain is not re-dithered: track 1's audio is
# the source, bit for bit, from its index 01, but for its edge fades (it
# starts and ends loud next to silence: 5 ms, 220 frames, at each end).
start=$(frames "$(awk '$1 == "01" && $2 == "01" { print $3 }' pq.txt)")
raw a.wav > a.raw
len=$(( $(wc -c < a.raw) - 2 * 880 ))
tail -c +$((880 + 1)) a.raw | head -c "$len" > a-mid.raw
tail -c +$((start * 2352 + 880 + 1)) image.raw | head -c "$len" > a-in-image.raw
cmp -s a-mid.raw a-in-image.raw
t_result $? "a 16-bit source at unity gain stays bit-identical in the image"

# Every gap policy keeps the concatenation property (none drops pauses);
# a pause file of the split policy comes before its track.
for pol in prepend split; do
	album "" 0 $pol
	t_expect 0 "sequence with track-gaps=$pol" premaster-sequence -f album.xml -o out
	for nn in 01 02 03 04; do
		for f in out/cd/tracks/$nn-pause.wav out/cd/tracks/$nn-[!p]*.wav; do
			[ -f "$f" ] && raw "$f"
		done
	done > tracks.raw
	cmp -s tracks.raw image.raw
	t_result $? "$pol: the tracks concatenate to the image exactly"
done
t_ok "split writes pause files" test -f out/cd/tracks/02-pause.wav
album "" 0 none
t_expect 0 "sequence with track-gaps=none" premaster-sequence -f album.xml -o out
t_ok "none writes no pause files" test ! -f out/cd/tracks/02-pause.wav

# HTOA and pre-roll
album '<htoa><source file="h.wav"/></htoa>' 5 append
t_expect 0 "an album with hidden audio in the pregap" premaster-sequence -f album.xml -o out
raw out/cd/album.wav > image.raw
t_is "HTOA: the first 150 frames stay digitally silent" \
	"$(head -c 352800 image.raw | tr -d '\000' | wc -c | tr -d ' ')" 0
grep -q "Hidden track (HTOA)" out/cd/pq-sheet.txt
t_result $? "the PQ sheet notes the hidden track"
grep -q "INDEX 00 00:00:00" out/cd/album.cue && grep -q "INDEX 01 00:06:00" out/cd/album.cue
t_result $? "HTOA: track 1 index 00 at 0, index 01 after the hidden audio"

# Outputs are not overwritten without --force, and a failure mid-way
# leaves the earlier CD intact with no temporary left behind.
t_expect 73 "an existing CD needs --force" premaster-sequence album.xml -o out
t_stderr_has "and says so" "use --force"
cp out/cd/album.cue before.cue
# a FLAC whose frames are damaged half-way: the decoder loses sync
mkfixture -F flac -b 24 -c 1 music 8s c-bad.flac -a -4 -s 3 || exit 99
yes damaged | head -c 100000 | dd of=c-bad.flac bs=1 seek=200000 conv=notrunc 2>/dev/null
sed 's/c\.wav/c-bad.flac/' album.xml > broken.xml
t_expect 74 "a source that fails part-way is an I/O error" premaster-sequence -f broken.xml -o out
t_stderr_has "naming the file" "c-bad.flac"
cmp -s before.cue out/cd/album.cue
t_result $? "the earlier CD is intact"
t_is "no temporary directory is left" "$(ls -A out | grep -c tmp)" 0

# An interrupted run rolls back too (whenever the signal lands).
# (the child must not inherit lib.sh's cleanup trap, or a signal landing
# before it execs would remove the scratch directory)
trap - EXIT INT TERM
premaster-sequence -f album.xml -o out > /dev/null 2>&1 &
pid=$!
trap 'rm -rf "$T"' EXIT INT TERM
kill -TERM $pid 2>/dev/null
wait $pid
cmp -s before.cue out/cd/album.cue
t_result $? "after SIGTERM the earlier CD is intact"
t_is "and no temporary directory is left" "$(ls -A out | grep -c tmp)" 0

# Red Book refusals
sed 's|<source file="d.wav"/>|<source file="d.wav" out="3.99s"/>|' album.xml > short.xml
t_expect 65 "a track under 4 s is refused" premaster-sequence -f short.xml -o out2
t_stderr_has "naming the track" "track 4"
line=$(grep -n '<source file="d.wav"' short.xml | cut -d: -f1)
line=$((line - 1)) # the <track> element opens the line before
t_stderr_has "at the track's line in the album" "short.xml:$line: track 4:"
sed 's|<cd |<cd max-length="0:20" |' album.xml > long.xml
t_expect 65 "a programme over max-length is refused" premaster-sequence -f long.xml -o out2
t_stderr_has "at the <cd> element's line" "long.xml:$(grep -n '<cd ' long.xml | cut -d: -f1): the programme"
sed 's|<cd |<cd warn-length="0:20" |' album.xml > warn.xml
t_expect 0 "over warn-length only warns" premaster-sequence -f warn.xml -o out2
t_stderr_has "with a warning" "warning:"
t_done
