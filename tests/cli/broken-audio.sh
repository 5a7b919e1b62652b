#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# broken-audio.sh: sources that are damaged in ways that used to pass.
#
#  - A float source with +Inf or NaN samples made the whole CD track
#    digital silence and verify said FIT: now it is refused at decode
#    with the first one's sample, time and channel, or, with
#    non-finite="zero", those samples become silence with a warning.
#  - A WAV cut to 45% was mastered as a shorter song, and a header
#    claiming 2 GB in a 1 MB file passed without a word: now both lengths
#    are given and the file is refused unless truncated="accept".
#  - An Ogg Vorbis file whose last granule position claims 104 samples
#    more than it decodes to was refused with exit 74: now the decoded
#    audio is used, with a warning giving both lengths.
#  - A +60 dBFS float source was pulled down 60 dB by the limiter: now
#    master refuses to move a source more than max-gain-db (30 dB).
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkfixture -b 16 sine 10s ok.wav || exit 99

# album FILE SOURCE-ATTRIBUTES [LOUDNESS-ATTRIBUTES]: track 1 is the
# source under test, track 2 a clean one
album() {
	cat > "$1" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release><title>Broken</title></release>
  <tracks>
    <track id="t1"><source $2/><title>One</title></track>
    <track id="t2"><source file="ok.wav"/><title>Two</title></track>
  </tracks>
  <mastering><loudness ${3:-}/></mastering>
</album>
EOF
}

# nonzero FILE: how many bytes of FILE's audio, as ffmpeg decodes it to
# 16-bit, are not zero
nonzero() {
	ffmpeg -nostdin -v error -i "$1" -f s16le - | tr -d '\000' | wc -c |
		tr -d ' '
}

# --- non-finite samples ---------------------------------------------
mkfixture -b float sine 40s inf.wav --poke=1323000:2:inf || exit 99
album inf.xml 'file="inf.wav"'
t_expect 65 "+Inf in a float source: build refuses it" \
	premaster build inf.xml -o out-inf
t_stderr_has "naming the sample, its time and channel" \
	"'inf.wav': sample 1323000 (at 0:30.000) of channel 2 is +Inf"
t_stderr_has "and the way to accept it" 'non-finite="zero"'
t_ok "and writes nothing" test ! -e out-inf

mkfixture -b float sine 20s nan.wav --poke=88200:1:nan --poke=200000:2:-inf \
	--poke=300000:1:nan || exit 99
album nan.xml 'file="nan.wav"'
t_expect 65 "NaN and -Inf spread through a source: refused" \
	premaster sequence nan.xml -o out-nan
t_stderr_has "at the first one" "sample 88200 (at 0:02.000) of channel 1 is NaN"
t_ok "and nothing is written" test ! -e out-nan/cd

album zero.xml 'file="inf.wav" non-finite="zero"'
t_expect 0 "non-finite=\"zero\": it builds" premaster build zero.xml -o out-zero
t_stderr_has "with a warning naming the first" \
	"'inf.wav': replacing samples that are not finite numbers with silence, the first at 0:30.000"
t_is "the warning is printed once for the whole build" \
	"$(grep -c 'not finite numbers' "$T/.stderr")" 1
t_ok "verify finds it fit" grep -F "Verdict: FIT" out-zero/report/verify.txt
n=$(nonzero out-zero/cd/tracks/01-One.wav)
t_is "and the CD track is not digital silence (ffmpeg)" \
	"$([ "$n" -gt 1000000 ] && echo sound)" sound

# --- truncated files --------------------------------------------------
mkfixture -b 16 sine 60s full.wav || exit 99
size=$(wc -c < full.wav)
head -c $((size * 45 / 100)) full.wav > cut.wav
album cut.xml 'file="cut.wav"'
t_expect 65 "a WAV cut to 45%: refused" premaster build cut.xml -o out-cut
t_stderr_has "with the length its header says and the length it has" \
	"'cut.wav' is truncated: its header says 1:00.000 (2646000 samples), the file holds 0:27.000"
t_stderr_has "and the way to accept it" 'truncated="accept"'
t_ok "and nothing is written" test ! -e out-cut

album cutok.xml 'file="cut.wav" truncated="accept"'
t_expect 0 "truncated=\"accept\": it builds" premaster build -f cutok.xml -o out-cut
t_stderr_has "with a warning giving both lengths" \
	"'cut.wav' is truncated: its header says 1:00.000 (2646000 samples), the file holds 0:27.000"
held=$(sed -n 's/.*the file holds [^(]*(\([0-9]*\) samples).*/\1/p' "$T/.stderr" |
	head -n 1)
t_is "from what is there: track 1's master has those samples (ffprobe)" \
	"$(ffprobe -v error -show_entries stream=duration_ts -of csv=p=0 \
		out-cut/masters/cd/01-One.wav)" "$held"

# a header claiming 2 GB (0x80000000 bytes of data) in a 1 MB file
cp full.wav big.wav
off=$(grep -obUa data big.wav | head -n 1 | cut -d: -f1)
printf '\000\000\000\200' | dd of=big.wav bs=1 seek=$((off + 4)) conv=notrunc 2>/dev/null
head -c 1048576 big.wav > big1m.wav
album big.xml 'file="big1m.wav"'
t_expect 65 "a header claiming 2 GB in a 1 MB file: refused" \
	premaster master big.xml -o out-big
t_stderr_has "with both lengths" \
	"its header says 202:53.944 (536870912 samples), the file holds 0:05.944 (262133 samples)"
t_ok "and nothing is written" test ! -e out-big

# --- an Ogg Vorbis file that overstates its length --------------------
mkfixture -F ogg music 20s over.ogg --granule=104 || exit 99
album ogg.xml 'file="over.ogg"'
t_expect 0 "an Ogg whose last granule claims 104 samples too many: accepted" \
	premaster build ogg.xml -o out-ogg
t_stderr_has "with a warning" "'over.ogg' claims 0:20.0"
said=$(sed -n 's/.*claims [^(]*(\([0-9]*\) samples) but decodes to [^(]*(\([0-9]*\) samples).*/\1 \2/p' \
	"$T/.stderr" | head -n 1)
t_is "giving both lengths, 104 apart" \
	"$(echo "$said" | awk '{ print $1 - $2 }')" 104
decoded=$(echo "$said" | awk '{ print $2 }')
t_is "the decoded length is what ffmpeg decodes" \
	"$(ffmpeg -nostdin -v error -i over.ogg -f s16le - | wc -c | tr -d ' ')" \
	$((decoded * 4))

# --- a source far too loud --------------------------------------------
mkfixture -b float -a 60 music 10s hot.wav || exit 99
album hot.xml 'file="hot.wav"'
t_expect 65 "a +60 dBFS float source: master refuses it" \
	premaster build hot.xml -o out-hot
t_stderr_has "saying how far it would move" \
	"track 1 ('t1'): target 'cd' moves it -60.3 dB"
t_ok "and writes nothing" test ! -e out-hot
t_expect 0 "--analyse-only only warns" \
	premaster master --analyse-only hot.xml -o out-hot
t_stderr_has "with the same words" "beyond the 30 dB a source should need"
album hot70.xml 'file="hot.wav"' 'max-gain-db="70"'
t_expect 0 "max-gain-db=\"70\" lets it through" premaster master hot70.xml -o out-hot70
mkfixture -b 16 -a -50 sine 10s quiet.wav || exit 99
album quiet.xml 'file="quiet.wav"' 'mode="track" target-lufs="-14"'
t_expect 65 "a source at -50 dBFS raised to -14 LUFS: refused too" \
	premaster master quiet.xml -o out-quiet
t_stderr_has "saying so" "target 'cd' moves it +36.0 dB (gain +36.0 dB, limiting 0.0 dB)"
t_ok "and writes nothing" test ! -e out-quiet
t_done
