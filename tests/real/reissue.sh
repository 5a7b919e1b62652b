#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# reissue.sh: a re-issue of the real album (bench/real-album.sh) is
# lossless.  Its first five mixes (24-bit, one at 96 kHz, one FLAC; the
# property does not need all 13, and a few minutes is the budget) are
# built as a CD with CD-TEXT in two languages, an index mark and a pause
# of audio; then premaster init --from-ddp and --from-cue each give an
# album whose build has the very same IMAGE.DAT, PQDESCR and CDTEXT.BIN,
# byte for byte.  CD only, -j 2.  Run by `make check-real`.
. "${top_srcdir:-.}/tests/lib.sh"

if [ ! -f "${PM_REAL_ALBUM:-}/.done" ]; then
	echo "Bail out! PM_REAL_ALBUM is not the real album: run make check-real"
	exit 99
fi
cd "$T" || exit 99
ls "$PM_REAL_ALBUM"/0[1-5]-* | sort >"$T/list"
t_is "the first five mixes" "$(wc -l <"$T/list" | tr -d ' ')" 5
tr '\n' '\0' <"$T/list" | xargs -0 premaster init -q -o album.xml \
	--title "Singularity" --artist "Singularity Music" \
	--upc 036000291452 --isrc-first USAB12600001
t_result $? "init writes an album for them"
# a CD alone; a German block, an index mark, and a pause that is audio:
# track 4 starts 1.5 s into its mix, under index 00
awk '/<vinyl/ { skip = 1 } skip && /<\/vinyl>/ { skip = 0; next } skip { next }
     /<streaming / { next }
     /<block language="en"\/>/ { print; print "<block language=\"de\"/>"; next }
     /<track id="t1">/ { print; t1 = 1; next }
     t1 && /<\/track>/ { print "<index at=\"60s\"/>"; t1 = 0 }
     /<track id="t4">/ { t4 = 1 }
     t4 && /<gap length="2s"\/>/ { print "<gap length=\"1.5s\" in-source=\"true\"/>"; t4 = 0; next }
     /<title>Singularity<\/title>/ { print; print "<title lang=\"de\">Einzigartigkeit</title>"; next }
     { print }' album.xml >a.xml && mv a.xml album.xml
t_ok "the album names a German block, an index mark, a pause of audio" \
	sh -c 'grep -q "language=\"de\"" album.xml && grep -q "<index " album.xml &&
	       grep -q "in-source" album.xml'
t_expect 0 "the original builds (CD only, -j 2)" \
	premaster build -q -j 2 album.xml -o out

for k in ddp cue; do
	mkdir "$k"
	if [ "$k" = ddp ]; then
		from=out/ddp
	else
		from=out/cd/album.cue
	fi
	t_expect 0 "init --from-$k" premaster init --json --from-$k "$from" \
		-o "$k/album.xml"
	t_is "from the $k: 5 tracks, a pause of audio, an index mark" \
		"$(grep '"event":"result"' "$T/.stdout" |
			jq -r '"\(.tracks) \(.audio_pauses) \(.indexes)"')" "5 1 1"
	t_expect 0 "from the $k: the re-issue builds" \
		premaster build -q -j 2 "$k/album.xml" -o "$k/out"
	for f in IMAGE.DAT PQDESCR CDTEXT.BIN; do
		cmp -s "out/ddp/$f" "$k/out/ddp/$f"
		t_result $? "from the $k: $f is byte-identical"
	done
	grep -q '"fit": true' "$k/out/report/verify.json"
	t_result $? "from the $k: verify finds it fit"
done
t_done
