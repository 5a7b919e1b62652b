#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# init-build.sh: the whole pipeline.  init writes an album from mixed
# sources, build runs all four stages into the documented layout, the
# release is fit, the same input gives the same bytes (with -j 1 and
# -j 2), and verify catches a damaged or incomplete release.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkdir mixes
mkfixture -r 44100 -b 16 -a -3 -s 1 --fade 0.1 music 5s "mixes/01 First.wav" || exit 99
mkfixture -r 96000 -b 24 -a -8 -s 2 --fade 0.1 music 5s "mixes/02 Second.wav" || exit 99
mkfixture -r 48000 -b 24 -F flac -a -5 -s 3 --fade 0.1 music 5s "mixes/03 Third.flac" || exit 99
mkfixture -r 44100 -b 24 -c 1 -a -12 -s 4 --fade 0.1 music 5s "mixes/04 Fourth.wav" || exit 99

t_expect 0 "init writes an album" premaster init --title "Pipeline" \
	--artist "Tester" --upc 036000291452 --catalog PM-TEST \
	--isrc-first USAB12600001 mixes/*
t_expect 0 "build runs it end to end without edits" premaster build album.xml -o out
for s in master sequence ddpmake verify; do
	t_stdout_has "build reports that $s ran" "stage	$s	done"
done
for d in masters cd ddp vinyl streaming report; do
	t_stdout_has "build says where $d is" "output	$d	out/$d"
done
for f in masters/cd/01-First.wav masters/spotify/02-Second.wav \
	cd/album.wav cd/album.cue cd/album.toc cd/pq-sheet.txt cd/pq-sheet.html \
	ddp/DDPID ddp/DDPMS ddp/PQDESCR ddp/CDTEXT.BIN ddp/IMAGE.DAT \
	ddp/CHECKSUM.MD5 vinyl/timing-sheet.txt \
	streaming/spotify/01-First.flac streaming/apple/03-Third.wav \
	streaming/bandcamp/04-Fourth.wav report/analysis.json \
	report/verify.txt report/verify.json report/report.html; do
	t_ok "out/$f is in the layout" test -s "out/$f"
done
grep -q '"fit": true' out/report/verify.json
t_result $? "verify finds the release fit"
t_ok "each vinyl side is a file" sh -c 'ls out/vinyl/PM-TEST_A_*Hz_24bit.wav'
t_is "the 96 kHz mix keeps its rate for Apple" \
	"$(ffprobe -v error -show_entries stream=sample_rate -of csv=p=0 out/streaming/apple/02-Second.wav)" 96000
t_is "and is 44.1 kHz on the CD" \
	"$(ffprobe -v error -show_entries stream=sample_rate -of csv=p=0 out/masters/cd/02-Second.wav)" 44100

# the same input gives the same bytes, whatever -j says
t_expect 0 "build again with -j 2 elsewhere" premaster build -j 2 album.xml -o out2
diff -r out out2 > diff.txt 2>&1
t_result $? "every output is byte-identical"
sed 's/^/#   /' diff.txt | head -n 5

t_expect 73 "a second build needs --force" premaster build album.xml -o out
t_stdout_has "and stops at the first stage" "stage	master	failed"

# verify is a gate: it notices damage and absence
cp out/ddp/IMAGE.DAT image.bak
printf 'x' | dd of=out/ddp/IMAGE.DAT bs=1 seek=400000 conv=notrunc 2>/dev/null
t_expect 1 "a changed byte in IMAGE.DAT makes the release unfit" \
	premaster verify -f album.xml -o out
t_stdout_has "found by the checksum" "checksums"
t_stdout_has "and by the samples" "IMAGE.DAT"
cp image.bak out/ddp/IMAGE.DAT
t_expect 0 "restored, it is fit again" premaster verify -f album.xml -o out
mv out/streaming/spotify/03-Third.flac third.flac
t_expect 1 "a missing streaming file makes it unfit" premaster verify -f album.xml -o out
t_stdout_has "naming the file" "streaming/spotify/03-Third.flac"
mv third.flac out/streaming/spotify/03-Third.flac
cp out/cd/tracks/02-Second.wav t2.bak
cp out/cd/tracks/01-First.wav out/cd/tracks/02-Second.wav
t_expect 1 "a per-track file that is not its slice makes it unfit" \
	premaster verify -f album.xml -o out
t_stdout_has "and says which" "02-Second.wav"
cp t2.bak out/cd/tracks/02-Second.wav
sed 's|<cd>|<cd ceiling-dbtp="-3">|' album.xml > strict.xml
t_expect 1 "a lower ceiling than the masters were made for fails true-peak" \
	premaster verify -f strict.xml -o out
t_stdout_has "by the true-peak rule" "true-peak"
sed 's|</deliverables>|</deliverables><verify><rule id="true-peak" severity="warning"/><rule id="master-ceiling" severity="warning"/></verify>|' \
	strict.xml > lenient.xml
t_expect 0 "a rule album.xml turns into a warning passes" \
	premaster verify -f lenient.xml -o out
t_stdout_has "and is still reported" "warning	true-peak"
t_done
