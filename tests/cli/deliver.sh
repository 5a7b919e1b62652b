#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# deliver.sh: what a label's production team checks in a delivery.
#  - every streaming file carries the album's identifiers, read back by
#    ffprobe and compared with album.xml: Vorbis comments in FLAC, Ogg
#    Vorbis and Opus, ID3v2.4 in MP3, LIST/INFO in WAV;
#  - every WAV carries a BWF bext chunk (version 2) whose loudness is the
#    file's (ffmpeg's meter), vinyl sides a cue marker at each track start
#    (libsndfile and ffprobe read them back);
#  - manifest.md5 and manifest.sha256 pass md5sum -c and sha256sum -c,
#    cover every deliverable, and verify catches a changed file;
#  - the encoder settings of album.xml are what the files have;
#  - "keep" (bandcamp, cdbaby) delivers at the album's -14 LUFS, not at
#    the mixes' level;
#  - the PQ sheet shows the CD-TEXT as on the disc in both blocks with
#    their languages' names, the DDP's MD5s, the customer, engineer and
#    notes and the crossfade, and prints on one page of A4 and of Letter.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
# quiet mixes (about -30 LUFS): "keep" at the mixes' level would show
mkfixture -r 44100 -b 24 -a -20 -s 1 --fade 0.5 music 5s a.wav || exit 99
mkfixture -r 96000 -b 24 -a -20 -s 2 --fade 0.5 music 6s b.wav || exit 99
mkfixture -r 44100 -b 24 -a -20 -s 3 --fade 0.5 music 5s c.wav || exit 99
cat >album.xml <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release>
    <title>R’lyeh – The Sunken City</title>
    <title lang="de">Die versunkene Stadt</title>
    <artist>Deep Ones</artist>
    <composer>H. P. L.</composer>
    <label>Innsmouth Records</label>
    <catalog>INN 042</catalog>
    <upc>036000291452</upc>
    <release-date>2026-01-02</release-date>
    <genre code="rock">Doom Rock</genre>
    <c-line year="2026">Innsmouth Records</c-line>
    <customer>Innsmouth Records Ltd.</customer>
    <engineer>H. P. Mastering</engineer>
    <notes>Please keep the crossfade between tracks 2 and 3 intact.</notes>
  </release>
  <tracks>
    <track id="a"><source file="a.wav"/><title>Dagon</title><isrc>USAB12600001</isrc></track>
    <track id="b"><source file="b.wav"/><title>Cthulhu’s Call</title><title lang="de">Cthulhus Ruf</title><artist>Deep Ones &amp; Friends</artist><isrc>USAB12600002</isrc><gap length="2s"/></track>
    <track id="c"><source file="c.wav"/><title>Hydra</title><isrc>USAB12600003</isrc><crossfade length="2s" shape="equal-power"/></track>
  </tracks>
  <mastering><loudness mode="album" target-lufs="-14" ceiling-dbtp="-1"/></mastering>
  <deliverables>
    <cd checksum-crc32="true">
      <cd-text transliterate="true">
        <block language="en"/>
        <block language="de"/>
      </cd-text>
    </cd>
    <vinyl size="12" speed="33" gap="3s">
      <side name="A" tracks="a b"/>
      <side name="B" tracks="c"/>
    </vinyl>
    <streaming profile="spotify"/>
    <streaming profile="apple"/>
    <streaming profile="cdbaby"/>
    <streaming profile="bandcamp"/>
    <streaming profile="vorbis" preset="bandcamp" format="ogg" quality="5"/>
    <streaming profile="opus" preset="bandcamp" format="opus" kbps="96"/>
    <streaming profile="mp3" preset="bandcamp" format="mp3" bitrate-mode="cbr" kbps="192"/>
  </deliverables>
</album>
XML
t_expect 0 "build makes every deliverable and verify finds it fit" \
	premaster build -j 2 album.xml -o out
cat "$T/.stdout" "$T/.stderr" >build.log
grep -q "^verdict	fit" build.log
t_result $? "the verdict is fit"

# ffprobe's tags of a file, container and stream, as KEY=value lines
# with the key in upper case (ffprobe names some, e.g. album_artist)
tags() {
	ffprobe -v error -show_entries format_tags:stream_tags -of flat "$1" |
		sed -n 's/^[a-z.0-9]*tags\.\([^=]*\)="\(.*\)"$/\1=\2/p' |
		awk -F= '{ k = toupper($1); sub(/^[^=]*=/, ""); print k "=" $0 }'
}

# has FILE KEY VALUE: the file's tag KEY (as ffprobe names it) is VALUE
has() {
	got=$(grep -m 1 "^$2=" "$1.tags" | sed 's/^[^=]*=//')
	t_is "$(basename "$1"): $2" "$got" "$3"
}

n=0
for f in "streaming/spotify/02-Cthulhu_s Call.flac" \
	"streaming/vorbis/02-Cthulhu_s Call.ogg" \
	"streaming/opus/02-Cthulhu_s Call.opus"; do
	tags "out/$f" >"$T/v$n.tags"
	v="$T/v$n"
	n=$((n + 1))
	has "$v" TITLE "Cthulhu’s Call"
	has "$v" ARTIST "Deep Ones & Friends"
	has "$v" ALBUM "R’lyeh – The Sunken City"
	has "$v" ALBUM_ARTIST "Deep Ones"
	has "$v" TRACK 2
	has "$v" TRACKTOTAL 3
	has "$v" DISC 1
	has "$v" DATE 2026-01-02
	has "$v" GENRE "Doom Rock"
	has "$v" ISRC USAB12600002
	has "$v" BARCODE 0036000291452
	has "$v" LABEL "Innsmouth Records"
	has "$v" CATALOGNUMBER "INN 042"
	has "$v" COPYRIGHT "2026 Innsmouth Records"
	has "$v" COMPOSER "H. P. L."
done
f="out/streaming/mp3/02-Cthulhu_s Call.mp3"
t_is "the MP3 tag is ID3v2.4" "$(head -c 4 "$f" | od -A n -t x1 | tr -d ' ')" 49443304
tags "$f" >"$T/m.tags"
has "$T/m" TITLE "Cthulhu’s Call"
has "$T/m" ARTIST "Deep Ones & Friends"
has "$T/m" ALBUM "R’lyeh – The Sunken City"
has "$T/m" ALBUM_ARTIST "Deep Ones"
has "$T/m" TRACK 2/3
has "$T/m" DISC 1/1
has "$T/m" DATE 2026-01-02
has "$T/m" TSRC USAB12600002
has "$T/m" BARCODE 0036000291452
has "$T/m" PUBLISHER "Innsmouth Records"
has "$T/m" CATALOGNUMBER "INN 042"
has "$T/m" COPYRIGHT "2026 Innsmouth Records"
has "$T/m" COMPOSER "H. P. L."
tags "out/streaming/apple/01-Dagon.wav" >"$T/w.tags"
has "$T/w" TITLE Dagon
has "$T/w" ARTIST "Deep Ones"
has "$T/w" ALBUM "R’lyeh – The Sunken City"
has "$T/w" TRACK 1/3
has "$T/w" COPYRIGHT "2026 Innsmouth Records"
has "$T/w" ORIGINATOR_REFERENCE USAB12600001
has "$T/w" ENCODED_BY "H. P. Mastering"
grep -q '^COMMENT=Deep Ones - Dagon; ISRC USAB12600001; UPC/EAN 0036000291452; cat. INN 042' \
	"$T/w.tags"
t_result $? "the bext description carries the identifiers"

# every WAV: bext version 2 with its own loudness (ffmpeg's meter)
integrated() {
	ffmpeg -nostdin -hide_banner -nostats -i "$1" -af ebur128 -f null - 2>&1 |
		awk '/I:/ { i = $2 } END { print i }'
}
find out/cd out/vinyl out/streaming -name '*.wav' | sort >wavs
t_ok "there are WAV deliverables" test -s wavs
bad=
while IFS= read -r w; do
	audioinfo "$w" >info || { bad="$bad $w"; continue; }
	grep -q '^bext_version=2$' info || { bad="$bad $w"; continue; }
	lv=$(sed -n 's/^loudness_value=//p' info)
	i=$(integrated "$w")
	awk -v a="$lv" -v b="$i" 'BEGIN { d = a / 100 - b; exit !(d < 0.11 && d > -0.11) }' ||
		bad="$bad $w($lv/$i)"
done <wavs
t_is "every WAV has a bext v2 chunk with its loudness" "$bad" ""
tp=$(audioinfo "out/streaming/apple/01-Dagon.wav" | sed -n 's/^max_true_peak=//p')
awk -v t="$tp" 'BEGIN { exit !(t != "" && t <= -100) }'
t_result $? "and its true peak, under the -1 dBTP ceiling ($tp)"

# vinyl: a cue marker at each track's start, as the timing sheet says
side=$(ls out/vinyl/*_A_*.wav)
audioinfo "$side" >cues
t_is "side A has one cue marker per track" "$(sed -n 's/^cues=//p' cues)" 2
t_is "at the starts the timing sheet gives (0 and 8 s)" \
	"$(sed -n 's/^cue=//p' cues | tr '\n' ' ')" "0 352800 "
grep -q '  A2  00:08.00' out/vinyl/timing-sheet.txt
t_result $? "the timing sheet has A2 at 00:08.00"
t_is "ffprobe reads them as chapters" \
	"$(ffprobe -v error -show_entries chapter=start -of csv=p=0 "$side" | tr '\n' ' ')" \
	"0 352800 "

# encoder settings
br() { ffprobe -v error -show_entries format=bit_rate -of csv=p=0 "$1"; }
t_is "MP3 CBR at the 192 kb/s album.xml asks" \
	"$(ffprobe -v error -select_streams a:0 -show_entries stream=bit_rate \
		-of csv=p=0 out/streaming/mp3/01-Dagon.mp3)" 192000
b=$(br "out/streaming/opus/02-Cthulhu_s Call.opus")
awk -v b="$b" 'BEGIN { exit !(b > 72000 && b < 120000) }'
t_result $? "Opus near the 96 kb/s asked ($b b/s)"
grep -q '"quality": 5.00' out/report/lossy-vorbis.json
t_result $? "Vorbis at the quality asked, as the report says"
for p in vorbis opus mp3; do
	e=$(sed -n 's/.*"encodes": \([0-9]*\).*/\1/p' "out/report/lossy-$p.json")
	t_is "$p: at most two encodes" "$([ "${e:-9}" -le 2 ] && echo yes)" yes
done

# "keep": the album's mastering level, -14 LUFS, not the mixes' -30
# the files of a directory played as one programme (at 96 kHz: the files
# may be at different rates), by ffmpeg's meter
album_lufs() {
	set -- "$1"/*.wav
	n=$#
	graph=
	k=0
	for f; do
		graph="$graph[$k]aresample=96000[a$k];"
		k=$((k + 1))
	done
	k=0
	while [ $k -lt $n ]; do
		graph="$graph[a$k]"
		k=$((k + 1))
	done
	for f; do
		set -- "$@" -i "$f"
		shift
	done
	ffmpeg -nostdin -hide_banner -nostats "$@" -filter_complex \
		"${graph}concat=n=$n:v=0:a=1,ebur128" -f null - 2>&1 |
		awk '/I:/ { i = $2 } END { print i }'
}
for p in bandcamp cdbaby; do
	l=$(album_lufs "out/streaming/$p")
	awk -v l="$l" 'BEGIN { exit !(l != "" && l >= -14.5 && l <= -13.5) }'
	t_result $? "$p delivers at the album's -14 LUFS ($l LUFS)"
done
t_is "cdbaby is 16-bit 44.1 kHz" \
	"$(ffprobe -v error -show_entries stream=sample_rate,bits_per_sample -of csv=p=0 \
		"out/streaming/cdbaby/02-Cthulhu_s Call.wav")" "44100,16"

# manifests
(cd out && md5sum -c --quiet manifest.md5) >/dev/null 2>&1
t_result $? "md5sum -c passes manifest.md5"
(cd out && sha256sum -c --quiet manifest.sha256) >/dev/null 2>&1
t_result $? "sha256sum -c passes manifest.sha256"
t_is "manifest.sha256 lists every deliverable file" \
	"$(wc -l <out/manifest.sha256 | tr -d ' ')" \
	"$(cd out && find cd ddp vinyl streaming -type f | wc -l | tr -d ' ')"
(cd out && find cd ddp vinyl streaming -type f | LC_ALL=C sort) >files
t_is "in path order, relative to OUTDIR" "$(cut -c 67- out/manifest.sha256)" \
	"$(cat files)"
grep -q ' ddp/IMAGE.DAT$' out/manifest.md5 && grep -q ' cd/pq-sheet.html$' out/manifest.md5
t_result $? "the DDP and the PQ sheet ddpmake rewrote are in it"
grep -q 'report/\|masters/' out/manifest.md5
t_result $((!$?)) "masters and reports are not"

# the PQ sheet
sheet=out/cd/pq-sheet.txt
grep -q "^Title  *R'lyeh - The Sunken City$" $sheet
t_result $? "the PQ sheet's title is the disc's CD-TEXT, transliterated"
grep -q "Disc  Title       R'lyeh - The Sunken City" $sheet &&
	! grep -q 'R’lyeh' $sheet
t_result $? "the CD-TEXT is shown as written to the disc, and only so"
grep -q "^Block 0: English (0x09), iso-8859-1" $sheet &&
	grep -q "^Block 1: German (0x08), iso-8859-1" $sheet &&
	grep -q "Cthulhus Ruf" $sheet
t_result $? "both blocks, with their languages' names"
t_is "the DDP's MD5 is IMAGE.DAT's" \
	"$(sed -n 's/^DDP IMAGE.DAT MD5  *//p' $sheet)" \
	"$(md5sum out/ddp/IMAGE.DAT | cut -d' ' -f1)"
t_is "and each checksum file's" \
	"$(sed -n 's/^DDP CHECKSUM.\(MD5\|TXT\) MD5  *//p' $sheet | tr '\n' ' ')" \
	"$(md5sum out/ddp/CHECKSUM.MD5 out/ddp/CHECKSUM.TXT | cut -d' ' -f1 | tr '\n' ' ')"
grep -q '^Customer  *Innsmouth Records Ltd.$' $sheet &&
	grep -q '^Mastering engineer  *H. P. Mastering$' $sheet &&
	grep -q '^Notes  *Please keep the crossfade' $sheet
t_result $? "customer, engineer and notes"
grep -q 'Track 3: crossfades from track 2 over 2.00 s (equal-power)' $sheet
t_result $? "the crossfade"
grep -q 'German (0x08)' out/cd/pq-sheet.html &&
	grep -q '@media print' out/cd/pq-sheet.html
t_result $? "the HTML has them and print rules"
xmllint --html --noout out/cd/pq-sheet.html 2>xmllint.err
t_result $? "xmllint --html reads the HTML sheet"
# printed on A4 and on Letter by a browser: one page each
pages() {
	chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
		--print-to-pdf="$2" "$1" >/dev/null 2>&1
	sed -n 's/.*\/Count \([0-9]*\).*/\1/p' "$2" | head -n 1
}
cp out/cd/pq-sheet.html letter.html
sed 's|</style>|@page{size:A4}</style>|' out/cd/pq-sheet.html >a4.html
sed 's|</style>|@page{size:letter}</style>|' out/cd/pq-sheet.html >letter.html
t_is "the PQ sheet prints on one A4 page" "$(pages "$T/a4.html" a4.pdf)" 1
t_is "and on one Letter page" "$(pages "$T/letter.html" letter.pdf)" 1

# verify checks the manifests: a changed byte and a missing line
t_expect 0 "verify passes the delivery" premaster verify -f album.xml -o out
f="out/streaming/spotify/01-Dagon.flac"
printf 'X' | dd of="$f" bs=1 seek=200 conv=notrunc 2>/dev/null
t_expect 1 "verify fails a file changed after delivery" \
	premaster verify -f album.xml -o out
t_stdout_has "with the manifest rule, naming the file" \
	"manifest	streaming/spotify/01-Dagon.flac	its MD5 is"
grep -v 'cd/album.cue' out/manifest.sha256 >m && mv m out/manifest.sha256
t_expect 1 "and a manifest that leaves a file out" \
	premaster verify -f album.xml -o out
t_stdout_has "saying which" "cd/album.cue	not listed in manifest.sha256"
t_done
