#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# reissue.sh: a re-issue is lossless.  A generated album with hidden track
# one audio, pauses of silence and one of audio, index marks, ISRCs, a
# UPC, every flag and CD-TEXT in two languages (with copyright, disc id
# and genre) is built; then premaster init --from-ddp, --from-cue and
# --from-toc, and --from-cue on what ddpmake --extract writes, each give
# an album whose build has the very same IMAGE.DAT, PQ and CD-TEXT, byte
# for byte.  A CDRWIN sheet of two files (the 2-second pregap left to the
# burner, a PREGAP between) comes out with its files' samples where it
# says, and so does a disc with audio in its first 2 seconds.  What init
# refuses, it refuses with the right status.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkfixture -s 1 --fade 0.05 music 8s h.wav || exit 99
mkfixture -s 2 --fade 0.1 music 12s a.wav || exit 99
mkfixture -s 3 --fade 0.1 music 10s b.wav || exit 99
mkfixture -s 4 music 9s c.wav || exit 99
mkfixture -b 24 -s 5 --fade 0.2 music 7s d.wav || exit 99
cat >album.xml <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release>
    <title>Round Trip</title>
    <title lang="de">Rundreise</title>
    <artist>The Testers</artist>
    <artist lang="de">Die Prüfer</artist>
    <upc>036000291452</upc>
    <genre code="rock">Rock</genre>
    <master-id>RT-001</master-id>
  </release>
  <tracks>
    <htoa><source file="h.wav"/><title>Hidden</title></htoa>
    <track id="a"><source file="a.wav"/><title>Alpha</title>
      <title lang="de">Anfang</title><isrc>USAB12600001</isrc>
      <gap length="1.5s"/><index at="5s"/><index at="7.25s"/>
      <flags pre-emphasis="true"/></track>
    <track id="b"><source file="b.wav"/><title>Beta</title>
      <title lang="de">Mitte</title><artist>Guest</artist>
      <isrc>USAB12600002</isrc><gap length="2.3s"/><flags copy="true"/></track>
    <track id="c"><source file="c.wav"/><title>Gamma</title>
      <title lang="de">Gammastrahl</title><isrc>USAB12600003</isrc>
      <gap length="1s" in-source="true"/><flags scms="true"/></track>
    <track id="d"><source file="d.wav"/><title>Delta</title>
      <title lang="de">Ende</title><isrc>USAB12600004</isrc>
      <crossfade length="1s"/><index at="3s"/></track>
  </tracks>
  <mastering><limiter/><loudness target-lufs="-12"/></mastering>
  <deliverables>
    <cd><cd-text copyright="true" disc-id="RT12345">
      <block language="en"/><block language="de"/></cd-text></cd>
  </deliverables>
</album>
EOF
t_expect 0 "the original builds" premaster build -q album.xml -o out
premaster ddpmake --list out/ddp >list.orig 2>/dev/null
grep -q '^03	00	' list.orig && grep -q '^01	02	' list.orig &&
	grep -q '^UPC	0036000291452' list.orig
t_result $? "it has a pause before track 3, index marks and a UPC"

# same DIR: the re-issue in DIR/out has the original's DDP, byte for byte
same() {
	for f in IMAGE.DAT PQDESCR CDTEXT.BIN; do
		cmp -s "out/ddp/$f" "$1/out/ddp/$f"
		t_result $? "$2: $f is byte-identical"
	done
	premaster ddpmake --list "$1/out/ddp" >"$1/list" 2>/dev/null
	cmp -s list.orig "$1/list"
	t_result $? "$2: the same track starts, indexes, ISRCs and UPC"
}

# check ALBUM WHAT: valid, pass-through, and builds
check() {
	if command -v xmllint >/dev/null 2>&1; then
		t_ok "$2: album.xml is valid against album.xsd" xmllint --noout \
			--nonet --schema "$top_srcdir/schemas/album.xsd" "$1/album.xml"
	else
		t_skip "$2: album.xml is valid against album.xsd" "no xmllint"
	fi
	t_ok "$2: mastering is pass-through" \
		grep -q '<mastering pass-through="true">' "$1/album.xml"
	t_expect 0 "$2: the album builds" premaster build -q "$1/album.xml" \
		-o "$1/out"
	same "$1" "$2"
}

mkdir ddp
t_expect 0 "init --from-ddp" premaster init --json --from-ddp out/ddp \
	-o ddp/album.xml
t_is "it reports the hidden track, 1 pause of audio, 3 index marks" \
	"$(grep '"event":"result"' "$T/.stdout" |
		jq -r '[.htoa, .audio_pauses, .silent_pauses, .indexes, .extracted] | @tsv')" \
	"$(printf 'true\t1\t1\t3\t5')"
t_is "and CD-TEXT encoding to the same packs, 2 blocks" \
	"$(grep '"event":"result"' "$T/.stdout" | jq -r '"\(.cdtext) \(.cdtext_blocks)"')" \
	"identical 2"
t_ok "the pause with audio is in its source" \
	grep -q '<gap length="44100" in-source="true"/>' ddp/album.xml
t_ok "the hidden track is <htoa>" grep -q '<htoa>' ddp/album.xml
t_ok "the sources are cut beside the album" test -s ddp/sources/03.wav
check ddp "from the DDP"
cmp -s out/ddp/DDPID ddp/out/ddp/DDPID
t_result $? "from the DDP: the master ID too"

for k in cue toc; do
	mkdir "$k"
	t_expect 0 "init --from-$k of premaster's own $k" \
		premaster init -q --from-$k "out/cd/album.$k" -o "$k/album.xml"
	t_ok "from the $k: the image is read where it is" \
		grep -q 'source file="../out/cd/album.wav" in=' "$k/album.xml"
	check "$k" "from the $k"
done

t_expect 0 "ddpmake --extract --gaps=split" premaster ddpmake -q --extract \
	--gaps=split -o split out/ddp
mkdir xs
t_expect 0 "init --from-cue of the extracted tracks (one FILE each)" \
	premaster init -q --from-cue split/tracks.cue -o xs/album.xml
check xs "from the extracted tracks"

# audio from the very first sample: track 1's pregap is its source's
mkdir early
cat >early/album.xml <<'EOF2'
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release><title>Early</title></release>
  <tracks>
    <track id="a"><source file="../a.wav"/><title>A</title>
      <gap length="3s" in-source="true"/></track>
    <track id="b"><source file="../b.wav"/><title>B</title></track>
  </tracks>
</album>
EOF2
t_expect 0 "an album whose disc has audio in its first 2 seconds builds" \
	premaster build -q early/album.xml -o early/out
mkdir early/re
t_expect 0 "init --from-ddp of it" premaster init -q \
	--from-ddp early/out/ddp -o early/re/album.xml
t_ok "track 1's pregap is carried in its source" \
	grep -q '<gap length="132300" in-source="true"/>' early/re/album.xml
t_expect 0 "it builds" premaster build -q early/re/album.xml -o early/re/out
cmp -s early/out/ddp/IMAGE.DAT early/re/out/ddp/IMAGE.DAT &&
	cmp -s early/out/ddp/PQDESCR early/re/out/ddp/PQDESCR
t_result $? "with the same IMAGE.DAT and PQ"

# what init refuses
t_expect 73 "an existing album.xml needs --force" \
	premaster init --from-ddp out/ddp -o ddp/album.xml
t_stderr_has "and says so" "use --force"
t_expect 0 "with --force it is replaced" \
	premaster init -q -f --from-ddp out/ddp -o ddp/album.xml
t_expect 66 "a missing DDP" premaster init --from-ddp nowhere -o x.xml
t_expect 64 "--from-ddp takes no audio files" \
	premaster init --from-ddp out/ddp a.wav
t_expect 64 "--upc does not go with --from-cue" \
	premaster init --from-cue out/cd/album.cue --upc 036000291452
sed 's/^TITLE "Round Trip"$/TITLE "Square Trip"/' out/cd/album.cue \
	>out/cd/edited.cue
t_expect 65 "a CUE whose TITLE contradicts its CDTEXTFILE is refused" \
	premaster init --from-cue out/cd/edited.cue -o e.xml
t_stderr_has "naming the line" "edited.cue:4: "

# a CDRWIN sheet: the first pregap the burner's, a PREGAP, two files
mkfixture -s 6 --fade 0.1 music 264600 one.wav || exit 99
mkfixture -s 7 --fade 0.1 music 220500 two.wav || exit 99
cat >cdrwin.cue <<'EOF'
REM GENRE Test
PERFORMER "Someone"
TITLE "Two Files"
FILE "one.wav" WAVE
  TRACK 01 AUDIO
    TITLE "First"
    INDEX 01 00:00:00
FILE "two.wav" WAVE
  TRACK 02 AUDIO
    TITLE "Second"
    PREGAP 00:01:50
    INDEX 01 00:00:00
    INDEX 02 00:02:00
EOF
mkdir cw
t_expect 0 "init --from-cue of a CDRWIN sheet" \
	premaster init -q --from-cue cdrwin.cue -o cw/album.xml
t_expect 0 "it builds" premaster build -q cw/album.xml -o cw/out
premaster ddpmake --list cw/out/ddp >cw/list 2>/dev/null
t_is "track 1 after the 2-second pregap, track 2's pause and index marks" \
	"$(cut -f1-3 cw/list | grep -v TRACK | tr '\t\n' ' ')" \
	"00 00 00:00:00 01 00 00:00:00 01 01 00:02:00 02 00 00:08:00 02 01 00:09:50 02 02 00:11:50 AA 01 00:14:50 "
t_expect 0 "its tracks, extracted" premaster ddpmake -q --extract \
	--gaps=split -o cw/x cw/out/ddp
for n in one:01 two:02; do
	src=${n%:*}
	trk=${n#*:}
	ffmpeg -v error -i "$src.wav" -f s16le - >"$src.pcm" 2>/dev/null
	ffmpeg -v error -i "cw/x/$trk.wav" -f s16le - >"$trk.pcm" 2>/dev/null
	cmp -s "$src.pcm" "$trk.pcm"
	t_result $? "track $trk holds $src.wav's samples exactly (ffmpeg)"
done
t_done
