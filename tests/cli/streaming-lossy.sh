#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# streaming-lossy.sh: Ogg Vorbis, Opus and MP3 profiles.  The encoded
# files decode under the ceiling (an overshooting encode is written again
# quieter), Opus is 48 kHz, MP3 keeps to the MPEG rates, two builds give
# the same bytes, and every Ogg page checksum holds after we renumber the
# stream.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
# dense, loud music: the limiter works, so the masters sit at the
# ceiling less the codec's headroom, and a low-rate encode overshoots
# even that
mkfixture -r 44100 -b 24 -a -1 -s 21 --fade 0.2 music 12s a.wav || exit 99
mkfixture -r 96000 -b 24 -a -3 -s 22 --fade 0.2 music 10s b.wav || exit 99

album() {
	cat > album.xml <<XML
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release><title>Lossy</title><artist>Codecs</artist></release>
  <tracks>
    <track id="a"><source file="a.wav"/><title>Dense</title></track>
    <track id="b"><source file="b.wav"/><title>High Rate</title></track>
  </tracks>
  <mastering><loudness mode="album" target-lufs="-12" ceiling-dbtp="-1"/></mastering>
  <deliverables>
    <streaming profile="opus" preset="bandcamp" format="opus" target-lufs="-12"$1/>
    <streaming profile="ogg" preset="bandcamp" format="ogg" target-lufs="-12"/>
    <streaming profile="mp3" preset="bandcamp" format="mp3" target-lufs="-12"/>
  </deliverables>
</album>
XML
}

tp() { # the true peak of a file in dBTP, by ffmpeg's meter
	ffmpeg -nostdin -hide_banner -nostats -i "$1" -af ebur128=peak=true \
		-f null - 2>&1 | awk '/Peak:/ { p = $2 } END { print p }'
}

rate() {
	ffprobe -v error -select_streams a:0 -show_entries stream=sample_rate \
		-of default=nw=1:nk=1 "$1"
}

album ""
t_expect 0 "build writes the lossy profiles" premaster build album.xml -o out
# build passes each stage's report lines on to its stderr
cat "$T/.stdout" "$T/.stderr" > build.log
grep -E "^deliverable=(opus|ogg|mp3) " build.log | sed 's/^/# /'
grep -q "^deliverable=opus .*decoded_tp_dbtp=" build.log
t_result $? "sequence reports the decoded peak"
grep -q "^verdict	fit" build.log
t_result $? "the verdict is fit"

for p in opus ogg mp3; do
	ext=$p
	for f in 01-Dense "02-High Rate"; do
		file=out/streaming/$p/$f.$ext
		if [ ! -f "$file" ]; then
			t_result 1 "$p: $f.$ext exists"
			continue
		fi
		# ffmpeg checks every Ogg page CRC and stops at the first bad one
		ffmpeg -nostdin -v error -err_detect crccheck+explode -i "$file" \
			-f null - 2> dec.err
		t_result $? "$p: $f decodes with every checksum right"
		sed 's/^/#   /' dec.err
		got=$(tp "$file")
		awk -v p="$got" 'BEGIN { exit !(p != "" && p <= -1 + 0.15) }'
		t_result $? "$p: $f decodes at $got dBTP, within ffmpeg's meter of the -1 ceiling"
	done
done
t_is "Opus is written at 48 kHz" "$(rate out/streaming/opus/01-Dense.opus)" 48000
t_is "a 96 kHz source becomes 48 kHz MP3" \
	"$(rate "out/streaming/mp3/02-High Rate.mp3")" 48000
t_is "a 44.1 kHz source stays 44.1 kHz in MP3" \
	"$(rate out/streaming/mp3/01-Dense.mp3)" 44100
t_is "Ogg Vorbis keeps the source rate" \
	"$(rate "out/streaming/ogg/02-High Rate.ogg")" 96000

# the overshoot pass: Opus at 48 kb/s overshoots by more than the
# headroom its masters keep, so it is trimmed; the trim is what the
# report says, and the files then decode under the ceiling.  (It costs
# 1.4 dB of loudness here, more than verify's 1 LU: master and sequence
# only.)
sed 's|<streaming profile="opus"|<streaming profile="low" preset="bandcamp" format="opus" kbps="48" target-lufs="-12"/><streaming profile="opus"|' \
	album.xml >low.xml
t_expect 0 "master makes the 48 kb/s profile's masters" \
	premaster master --only low low.xml -o low
t_expect 0 "sequence encodes it" premaster sequence --only low low.xml -o low
cat "$T/.stdout" >>build.log
trim=$(sed -n 's/^deliverable=low .*codec_trim_db=\([-0-9.]*\).*/\1/p' build.log)
awk -v t="$trim" 'BEGIN { exit !(t != "" && t < 0) }'
t_result $? "the 48 kb/s Opus files were trimmed for the codec's overshoot ($trim dB)"
for f in 01-Dense "02-High Rate"; do
	got=$(tp "low/streaming/low/$f.opus")
	awk -v p="$got" 'BEGIN { exit !(p != "" && p <= -1 + 0.15) }'
	t_result $? "low: $f decodes at $got dBTP after the trim"
done
# at the default rates the headroom is enough: one encode
for p in opus ogg mp3; do
	n=$(sed -n "s/^deliverable=$p .*encodes=\([0-9]*\).*/\1/p" build.log)
	t_is "$p: the masters' headroom keeps it to one encode" "$n" 1
done
# at most two encodes, the second predicted from the first decode
for p in opus ogg mp3 low; do
	n=$(sed -n "s/^deliverable=$p .*encodes=\([0-9]*\).*/\1/p" build.log)
	t_is "$p: encoded ${n:-?} times, at most twice" "$([ "${n:-9}" -le 2 ] && echo yes)" yes
	d=out
	[ $p = low ] && d=low
	grep -q '"encodes": '"$n" "$d/report/lossy-$p.json" &&
		grep -q '"decoded_tp_dbtp"' "$d/report/lossy-$p.json"
	t_result $? "$p: report/lossy-$p.json has the encodes and decoded peaks"
done

# the same album, the same bytes, Ogg serial numbers included
t_expect 0 "a second build elsewhere" premaster build album.xml -o out2
(cd out/streaming && find . -type f | sort) > files.txt
same=0
while IFS= read -r f; do
	cmp -s "out/streaming/$f" "out2/streaming/$f" || {
		same=1
		echo "# differs: $f"
	}
done < files.txt
t_is "the second build has the same files" "$(wc -l < files.txt | tr -d ' ')" 6
t_result $same "two builds write byte-identical lossy files"
s1=$(od -A n -t x4 -j 14 -N 4 out/streaming/ogg/01-Dense.ogg)
s2=$(od -A n -t x4 -j 14 -N 4 "out/streaming/ogg/02-High Rate.ogg")
[ "$s1" != "$s2" ]
t_result $? "each Ogg file has a serial of its own ($s1, $s2)"

# a rate the codec cannot carry is refused at its line
album ' rate="44100"'
t_expect 65 "Opus at 44.1 kHz is refused" premaster build album.xml -o out3
t_stderr_has "at the profile's line" \
	"album.xml:$(grep -n 'profile="opus"' album.xml | cut -d: -f1): profile 'opus': opus cannot be written at 44100 Hz"
t_is "and nothing is written" "$(ls -A out3 2>/dev/null | wc -l | tr -d ' ')" 0
t_done
