#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# verify-report.sh: report.html is one file a browser shows without the
# network: headless Chromium renders it, and the screenshot holds the
# colours of the pictures (the disc's tracks and pauses, the limiter's
# gain reduction, a target's tone bars); xmllint reads it as HTML, and as
# XML it is well-formed, SVG included.  The limiter's log comes from
# master's analysis.json: a build whose loud track needs the limiter
# shows its stretches, per track and as a strip per target under the
# loudness picture; a build that needs none shows neither.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkfixture -a -3 -s 1 --fade 0.1 music 8s one.wav || exit 99
mkfixture -a -3 -s 2 --fade 0.1 music 6s two.wav || exit 99
pm premaster init -q --title "Pictures" --artist "Band" one.wav two.wav || exit 99
awk '/<streaming profile="apple"\/>|<streaming profile="bandcamp"\/>/ { next }
     { print }' album.xml >a2.xml && mv a2.xml album.xml
html=out/report/report.html
# quiet: -20 LUFS and no profile with a loudness of its own
sed -e 's|target-lufs="[-0-9.]*"|target-lufs="-20"|' \
	-e '/<streaming profile="spotify"\/>/d' album.xml >quiet.xml

# a quiet album: nothing for the limiter to do
t_expect 0 "a build the limiter leaves alone" premaster build -q quiet.xml -o out
t_ok "master logged no limiting" \
	sh -c '! grep -q "\"depth_db\"" out/report/analysis.json'
t_ok "then the report has no limiter strip" \
	sh -c "! grep -q 'class=\"limiter\"' $html"
t_ok "and no stretches in its track table" \
	sh -c "! grep -q '<td class=\"limiting\">[0-9]' $html"
t_ok "it says so" grep -q '<td class="limiting">none</td>' "$html"

# loud: the cd and spotify ceilings need the limiter
sed 's|target-lufs="[-0-9.]*"|target-lufs="-10"|' album.xml >loud.xml
t_expect 0 "a loud build" premaster build -q loud.xml -o out -f
t_ok "master logged limiting" grep -q '"depth_db": [0-9]' out/report/analysis.json
t_ok "xmllint reads it as HTML" xmllint --html --noout --nonet "$html"
t_ok "and as XML it is well-formed, the SVG included" xmllint --noout --nonet "$html"
t_ok "it has the loudness picture" grep -q 'id="loudness"' "$html"
t_ok "with the cd target's limiter strip" grep -q 'id="limiter-cd"' "$html"
t_ok "and spotify's" grep -q 'id="limiter-spotify"' "$html"
t_ok "the disc to scale" grep -q 'id="disc"' "$html"
t_ok "the vinyl sides" grep -q 'id="vinyl"' "$html"
t_ok "vinyl, which has no limiter, has no strip" \
	sh -c "! grep -q 'id=\"limiter-vinyl' $html"
t_ok "it loads nothing from elsewhere" sh -c "! grep -E -q '(src|href)=\"(https?:)?//' $html"

# the stretches: analysis.json's, in verify.json and in the report
jq -r '.targets[] | select(.name == "cd") | .tracks[0].limiting[] |
	"\(.start_s) \(.end_s) \(.depth_db)"' out/report/analysis.json >a.txt
jq -r '.tracks[0].masters[] | select(.target == "cd") | .limiting[] |
	"\(.start_s) \(.end_s) \(.depth_db)"' out/report/verify.json >v.txt
t_ok "track 1 has stretches of limiting on cd ($(wc -l <a.txt))" test -s a.txt
t_ok "verify.json has the same stretches" cmp a.txt v.txt
n=$(wc -l <a.txt)
t_ok "the strip has a bar per stretch of track 1" test \
	"$(grep -c '<title>cd, track 1, [0-9:.]* to [0-9:.]*: [0-9.]* dB</title>' "$html")" -eq "$n"
# the first stretch, as the track table shows it (m:ss.mmm, one decimal)
set -- $(head -1 a.txt)
row=$(awk -v s="$1" -v e="$2" -v d="$3" 'BEGIN {
	printf "%d:%06.3f&#8211;%d:%06.3f %.1f&#160;dB\n",
		int(s / 60), s - 60 * int(s / 60), int(e / 60), e - 60 * int(e / 60), d }')
t_ok "the track table lists it with its times and depth ($row)" \
	grep -q "<td class=\"limiting\">$row" "$html"
t_ok "the deepest reduction is in verify.json" \
	sh -c 'jq -e ".tracks[0].masters[] | select(.target == \"cd\") | .max_gain_reduction_db > 0.5" out/report/verify.json'

# an analysis.json cut short is no log, not a failure
cp out/report/analysis.json whole.json
head -c 2000 whole.json >out/report/analysis.json
t_expect 0 "verify reads past an analysis.json cut short" \
	premaster verify -q -f loud.xml -o out
t_ok "and draws no strip from it" sh -c "! grep -q 'class=\"limiter\"' $html"
cp whole.json out/report/analysis.json
t_expect 0 "verify again" premaster verify -q -f loud.xml -o out

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
t_ok "the limiter's gain reduction ($(count C71585) px)" test "$(count C71585)" -gt 200
t_ok "the cd target's tone bars or curve ($(count 1F77B4) px)" test "$(count 1F77B4)" -gt 20
t_done
