#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# console.sh: the console contract every command keeps.
#  - on a terminal (a pseudo-terminal from script(1)) each stage of build
#    draws its progress bar with the stage, the percent and the ETA;
#  - nothing is drawn when stderr is not a terminal;
#  - -q leaves errors only: a good build prints nothing, a bad one its
#    error;
#  - --json prints one JSON object per line (jq reads each), with start,
#    stage and result events, a verify verdict, and diagnostics;
#  - a warning every stage meets is printed once per run.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkdir mixes
# long enough for the bars to show an ETA
for i in 1 2 3; do
	mkfixture -r 44100 -b 24 -a -6 -s "$i" --fade 0.1 music 60s \
		"mixes/0$i Song.wav" || exit 99
done
pm premaster init -q --title "Console" --artist "Tester" mixes/* || exit 99
# the album loudness policy names an anchor it does not use: a warning
# every stage meets when it loads the album
sed 's|<loudness |<loudness anchor="t2" |' album.xml >a.xml && mv a.xml album.xml
grep -q 'anchor="t2"' album.xml || exit 99

# a pseudo-terminal for stderr (and stdout)
script -qfec "premaster build -j 1 album.xml -o tty" /dev/null \
	</dev/null >tty.out 2>&1
t_result $? "build runs on a terminal"
for s in master sequence ddpmake verify; do
	grep -a -q "$s *\[[#.]*\] *[0-9]*%" tty.out
	t_result $? "the $s stage draws its bar"
done
grep -a -q "ETA [0-9]*:[0-9][0-9]" tty.out
t_result $? "the bars show the time left"
grep -a -q "$(printf '\r')" tty.out
t_result $? "the bar is redrawn in place"

t_expect 0 "build into a pipe" premaster build -j 1 album.xml -o pipe
if grep -q "$(printf '\r')\|\[#" "$T/.stderr"; then
	t_result 1 "no bar is drawn when stderr is not a terminal"
else
	t_result 0 "no bar is drawn when stderr is not a terminal"
fi
n=$(grep -c "anchor 't2' is ignored" "$T/.stderr")
t_is "a warning every stage meets is printed once per run" "$n" 1

t_expect 0 "build -q of a good album" premaster build -q album.xml -o quiet
t_is "prints nothing on stdout" "$(cat "$T/.stdout")" ""
t_is "and nothing on stderr" "$(cat "$T/.stderr")" ""
t_expect 66 "build -q of a missing album" premaster build -q nothere.xml -o q2
t_stderr_has "still prints the error" "error:"
for tool in master sequence ddpmake verify; do
	t_expect 0 "premaster $tool -q" premaster "$tool" -q -f album.xml -o quiet
	t_is "$tool -q prints nothing" "$(cat "$T/.stdout" "$T/.stderr")" ""
done

t_expect 0 "build --json" premaster build --json album.xml -o json
cp "$T/.stdout" events
t_ok "every line of stdout is one JSON object" \
	sh -c 'while IFS= read -r l; do printf "%s\n" "$l" | jq -e "type == \"object\" and has(\"event\") and has(\"tool\")" >/dev/null || exit 1; done <events'
t_ok "build starts with a start event" \
	sh -c 'head -n 1 events | jq -e ".event == \"start\" and .tool == \"build\"" >/dev/null'
for s in master sequence ddpmake verify; do
	t_ok "a stage event for $s" \
		sh -c "jq -e 'select(.event == \"stage\" and .stage == \"$s\" and .status == \"done\" and .exit == 0)' events | grep -q ."
done
t_ok "master's results name each target" \
	sh -c 'jq -e "select(.event == \"result\" and .tool == \"master\" and .target == \"cd\")" events | grep -q .'
t_ok "verify's result is the verdict with its findings" \
	sh -c 'jq -e "select(.event == \"result\" and .tool == \"verify\" and .fit == true and (.findings | type) == \"array\")" events | grep -q .'
t_ok "the warning is a diagnostic event" \
	sh -c 'jq -e "select(.event == \"diagnostic\" and .level == \"warning\")" events | grep -q "ignored outside anchor mode"'
t_ok "and build ends with its result" \
	sh -c 'tail -n 1 events | jq -e ".event == \"result\" and .tool == \"build\" and .status == \"fit\" and .exit == 0 and (.outputs.ddp | length) > 0" >/dev/null'
t_ok "no JSON goes to stderr" sh -c '! grep -q "\"event\"" "$1"' sh "$T/.stderr"

# --json on a terminal: events, no bar
script -qfec "premaster master --json -f album.xml -o json" /dev/null \
	</dev/null >tty.json 2>&1
t_ok "progress events carry the stage, percent and ETA" \
	sh -c 'tr -d "\r" <tty.json | grep "^{" | jq -e "select(.event == \"progress\" and .stage == \"master\" and (.percent | type) == \"number\")" | grep -q .'
if grep -a -q "master *\[[#.]" tty.json; then
	t_result 1 "--json draws no bar"
else
	t_result 0 "--json draws no bar"
fi
t_done
