#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# build.sh: the real album (bench/real-album.sh) end to end: init over
# its 13 mixes (WAV at 44.1 and 96 kHz, one FLAC), then build the CD,
# the DDP and one streaming profile, and verify passes it; the DDP reads
# back with the build's own programme MD5, and cdrdao reads the TOC.
# Run by `make check-real`, which fetches the album first.
. "${top_srcdir:-.}/tests/lib.sh"

if [ ! -f "${PM_REAL_ALBUM:-}/.done" ]; then
	echo "Bail out! PM_REAL_ALBUM is not the real album: run make check-real"
	exit 99
fi
cd "$T" || exit 99
# album order is the file names' order
ls "$PM_REAL_ALBUM"/[0-9][0-9]-* | sort >"$T/list"
t_is "the album has 13 mixes" "$(wc -l <"$T/list" | tr -d ' ')" 13
tr '\n' '\0' <"$T/list" | xargs -0 premaster init -q -o album.xml \
	--title "Singularity" --artist "Singularity Music" \
	--upc 036000291452 --isrc-first USAB12600001
t_result $? "init writes an album for the mixes"
# one streaming profile and no vinyl keep the run short
awk '/<vinyl/ { skip = 1 } skip && /<\/vinyl>/ { skip = 0; next } skip { next }
     /<streaming profile="apple"\/>|<streaming profile="bandcamp"\/>/ { next }
     { print }' album.xml >album2.xml && mv album2.xml album.xml
t_expect 0 "build runs the real album end to end" \
	premaster build -q -j 2 album.xml -o out
grep -q '"fit": true' out/report/verify.json
t_result $? "verify finds it fit"
t_expect 0 "ddpmake --list reads the DDP back" premaster ddpmake --list out/ddp
t_stdout_has "with 13 tracks" "13"
t_ok "cdrdao reads the TOC" cdrdao show-toc out/cd/album.toc
t_done
