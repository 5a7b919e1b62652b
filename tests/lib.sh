# SPDX-License-Identifier: GPL-3.0-or-later
# lib.sh: TAP helpers for the shell tests in tests/cli.  Source it first.
#
#   t_expect STATUS "description" command...   run, check the exit status
#                                               (PM_RECORD: see t_record)
#   t_stderr_has "description" 'text'           last command's stderr
#   t_stdout_has "description" 'text'           last command's stdout
#   t_ok "description" command...               status 0, output ignored
#   t_is "description" GOT WANTED               string equality
#   t_skip "description" reason                 one skipped check
#   t_done                                      plan and exit status
#
# Every test gets a private scratch directory $T, removed on exit.  Tools
# run through $PM_TEST_WRAPPER (valgrind in CI) when it is set.

LC_ALL=C
TZ=UTC
export LC_ALL TZ
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
PATH="$top_builddir/src:$top_builddir/tests:$PATH"
export PATH
# the front end finds its tools beside itself; say so for clarity
PREMASTER_EXEC_PATH="$top_builddir/src"
export PREMASTER_EXEC_PATH
# reproducible dates in every output
SOURCE_DATE_EPOCH=1767225600
export SOURCE_DATE_EPOCH

T=$(mktemp -d "${TMPDIR:-/tmp}/pm-test.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT INT TERM
t_n=0
t_failed=0

# Run a premaster program (through the wrapper when set).
pm() {
	${PM_TEST_WRAPPER:-} "$@"
}

t_result() {
	t_n=$((t_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $t_n - $2"
	else
		t_failed=$((t_failed + 1))
		echo "not ok $t_n - $2"
	fi
}

t_expect() {
	t_want=$1
	t_desc=$2
	shift 2
	${PM_TEST_WRAPPER:-} "$@" >"$T/.stdout" 2>"$T/.stderr"
	t_got=$?
	if [ "$t_got" = "$t_want" ]; then
		t_result 0 "$t_desc"
	else
		t_result 1 "$t_desc"
		echo "# exit status $t_got, wanted $t_want: $*"
		sed -e 's/^/#   stderr: /' "$T/.stderr" | head -n 20
	fi
	[ -n "${PM_RECORD:-}" ] && [ "$t_want" != 0 ] && t_record
	return 0
}

# With PM_RECORD set (make robustness-table), each refusal a test expects
# is appended to that file: test, case, expected and actual status, and
# the first line of stderr with the scratch directory left out.
t_record() {
	printf '%s\t%s\t%s\t%s\t%s\n' "${0##*/}" "$t_desc" "$t_want" \
		"$t_got" "$(grep -m 1 . "$T/.stderr" | tr '\t' ' ' |
			sed -e "s|$T/||g" -e "s|$T|.|g")" >> "$PM_RECORD"
}

t_ok() {
	desc=$1
	shift
	if "$@" >"$T/.stdout" 2>"$T/.stderr"; then
		t_result 0 "$desc"
	else
		t_result 1 "$desc"
		echo "# failed: $*"
		sed -e 's/^/#   stderr: /' "$T/.stderr" | head -n 20
	fi
}

t_stderr_has() {
	if grep -F -- "$2" "$T/.stderr" >/dev/null 2>&1; then
		t_result 0 "$1"
	else
		t_result 1 "$1"
		echo "# stderr lacks: $2"
		sed -e 's/^/#   stderr: /' "$T/.stderr" | head -n 20
	fi
}

t_stdout_has() {
	if grep -F -- "$2" "$T/.stdout" >/dev/null 2>&1; then
		t_result 0 "$1"
	else
		t_result 1 "$1"
		echo "# stdout lacks: $2"
		sed -e 's/^/#   stdout: /' "$T/.stdout" | head -n 20
	fi
}

t_is() {
	if [ "$2" = "$3" ]; then
		t_result 0 "$1"
	else
		t_result 1 "$1"
		echo "#      got: $2"
		echo "#   wanted: $3"
	fi
}

t_skip() {
	t_n=$((t_n + 1))
	echo "ok $t_n - $1 # SKIP $2"
}

t_done() {
	echo "1..$t_n"
	[ "$t_failed" = 0 ]
	exit $?
}

mkfixture() {
	"$top_builddir/tests/mkfixture" "$@"
}

# soundcheck ARGS...: the tests' own meters (tests/soundcheck.c)
soundcheck() {
	"$top_builddir/tests/soundcheck" "$@"
}

# le A B: whether the number A is at most B (false when either is empty)
le() {
	[ -n "$1" ] && [ -n "$2" ] || return 1
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'
}

# apple_album OUT.xml REPAIR FILE...: album.xml for the FILEs with only
# the Apple profile (24-bit, at the sources' rate) and no chain
# (pass-through: the masters are the sources, with their repairs), REPAIR
# the content of <mastering>
apple_album() {
	_out=$1
	_rep=$2
	shift 2
	pm premaster init -q --title "Repair" --artist "Band" -o init.xml "$@" ||
		exit 99
	awk -v rep="$_rep" '/<cd>/ { skip = 1 } skip && /<\/cd>/ { skip = 0; next }
	     /<vinyl/ { skip = 1 } skip && /<\/vinyl>/ { skip = 0; next }
	     skip { next }
	     /<streaming profile=/ && !/"apple"/ { next }
	     /<mastering>/ { print "  <mastering pass-through=\"true\">" rep "</mastering>"; m = 1; next }
	     m && /<\/mastering>/ { m = 0; next } m { next }
	     { print }' init.xml >"$_out" || exit 99
	rm -f init.xml
}

# only_in_regions A.raw B.raw REGIONS: whether two raw stereo float32
# files differ, and only in the frames of REGIONS' lines "CHANNEL START
# FRAMES" of their channel
only_in_regions() {
	cmp -l "$1" "$2" | awk 'BEGIN { n = 0 }
	NR == FNR { c[n] = $1; s[n] = $2; e[n] = $2 + $3; n++; next }
	{ o = $1 - 1; f = int(o / 8); ch = int((o % 8) / 4); ok = 0
	  for (i = 0; i < n; i++) if (c[i] == ch && f >= s[i] && f < e[i]) ok = 1
	  if (!ok) bad++; diff++ }
	END { exit !(diff > 0 && bad == 0) }' "$3" -
}
