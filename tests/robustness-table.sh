#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# robustness-table.sh RECORD: the Markdown table of every refusal the CLI
# tests expect (make robustness-table writes RECORD through t_record in
# tests/lib.sh: test, case, expected and actual exit status, message), to
# stdout, grouped by test in name order, each test's cases in its order.
set -eu
rec=${1:?usage: robustness-table.sh RECORD}
n=$(wc -l < "$rec")
ntests=$(cut -f 1 "$rec" | sort -u | wc -l)
cat <<HEAD
# The bad-input table

Written by \`make robustness-table\` from the tests themselves: every
refusal a test in tests/cli expects, with the exit status the program
gave and the first line it wrote to stderr (the test's scratch folder
left out of paths).  The statuses are premaster(1)'s: 1 verify found the
release not fit, 64 usage, 65 bad data, 66 a missing input, 70 internal,
71 the system or memory, 73 cannot create, 74 input/output and a full
disk, 75 locked, 130 interrupted.  doc/internals/robustness.md tells the
rest: signals, fuzzing, what is guaranteed.

$n refusals from $ntests tests.
HEAD
# a stable sort on the test's name keeps each test's own order
sort -s -t "$(printf '\t')" -k 1,1 "$rec" | awk -F '\t' '
function cell(s) {
	gsub(/\|/, "\\|", s)
	gsub(/`/, "'"'"'", s)
	return s
}
$1 != last {
	printf "\n## %s\n\n| Case | Exit | Message |\n|---|---|---|\n", $1
	last = $1
}
{
	exit_status = $4 == $3 ? $4 : $4 " (wanted " $3 ")"
	msg = $5 == "" ? "(nothing on stderr)" : "`" cell($5) "`"
	printf "| %s | %s | %s |\n", cell($2), exit_status, msg
}'
