#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# verify-report.sh: report.html is one file a browser shows without the
# network: headless Chromium renders it, and the screenshot holds the
# colours of the pictures (the disc's tracks and pauses, the limiter's
# gain reduction, a target's tone bars); xmllint reads it as HTML, and as
# XML it is well-formed, SVG included.  The gain reduction comes from
# OUTDIR/report/limiter.tsv; while master does not write one, the test
# writes it.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkfixture -a -3 -s 1 --fade 0.1 music 8s one.wav || exit 99
mkfixture -a -3 -s 2 --fade 0.1 music 6s two.wav || exit 99
pm premaster init -q --title "Pictures" --artist "Band" one.wav two.wav || exit 99
awk '/<streaming profile="apple"\/>|<streaming profile="bandcamp"\/>/ { next }
     { print }' album.xml >a2.xml && mv a2.xml album.xml
t_expect 0 "a build" premaster build -q album.xml -o out
if [ ! -s out/report/limiter.tsv ]; then
	awk 'BEGIN { printf "target\ttrack\ttime_s\tgr_db\n"
		for (t = 0; t < 3; t += 0.1) printf "cd\t1\t%.1f\t%.2f\n", 2 + t, 1 + t
		for (t = 0; t < 2; t += 0.1) printf "cd\t2\t%.1f\t%.2f\n", 1 + t, 2 }' \
		>out/report/limiter.tsv
fi
t_expect 0 "verify writes the report" premaster verify -f album.xml -o out
html=out/report/report.html
t_ok "xmllint reads it as HTML" xmllint --html --noout --nonet "$html"
t_ok "and as XML it is well-formed, the SVG included" xmllint --noout --nonet "$html"
t_ok "it has the loudness picture with gain reduction" grep -q 'id="loudness"' "$html"
t_ok "the disc to scale" grep -q 'id="disc"' "$html"
t_ok "the vinyl sides" grep -q 'id="vinyl"' "$html"
t_ok "it loads nothing from elsewhere" sh -c "! grep -E -q '(src|href)=\"(https?:)?//' $html"
t_ok "the limiter's work is in verify.json" \
	sh -c 'jq -e ".tracks[0].masters[] | select(.target == \"cd\") | .max_gain_reduction_db > 0" out/report/verify.json'

# Chromium draws it; the pictures' colours are in the screenshot
profile=$(mktemp -d "$T/chromium.XXXXXX")
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run \
	--user-data-dir="$profile" --window-size=1400,4000 \
	--screenshot="$T/shot.png" "file://$T/$html" >chromium.log 2>&1
t_ok "headless Chromium takes a screenshot" test -s "$T/shot.png"
convert "$T/shot.png" -format %c histogram:info:- >colours.txt 2>/dev/null
# count HEX: pixels of exactly that colour
count() {
	awk -v c="#$1" 'toupper($0) ~ toupper(c) { sub(":", "", $1); n += $1 } END { print n + 0 }' colours.txt
}
t_ok "the disc's tracks are drawn ($(count 4682B4) px)" test "$(count 4682B4)" -gt 2000
t_ok "its pauses too ($(count D3D3D3) px)" test "$(count D3D3D3)" -gt 500
t_ok "the limiter's gain reduction ($(count C71585) px)" test "$(count C71585)" -gt 500
t_ok "the cd target's tone bars or curve ($(count 1F77B4) px)" test "$(count 1F77B4)" -gt 20
t_done
