#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# man-lint.sh: every man page formats without a warning and has the house
# shape (doc/internals/style.md §12).
#
#  - 'groff -man -ww -z PAGE' prints nothing (groff exits 0 even when it
#    warns, so stderr is what counts), nor does the terminal rendering
#    'groff -t -man -ww -z -Tutf8 PAGE';
#  - .TH names the page's file and section, and NAME reads "name \- what";
#  - the sections NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS,
#    ENVIRONMENT, FILES, EXAMPLES, SEE ALSO come in that order (a section 5
#    page has no OPTIONS or ENVIRONMENT; other sections may come between);
#  - a section 1 page lists every exit status premaster uses and the
#    environment variables SOURCE_DATE_EPOCH and PREMASTER_EXEC_PATH;
#  - every page is installed and distributed (dist_man_MANS in Makefile.am).
# shellcheck source=tests/lib.sh
. "${top_srcdir:-.}/tests/lib.sh"

doc="$top_srcdir/doc"
order="NAME SYNOPSIS DESCRIPTION OPTIONS EXIT_STATUS ENVIRONMENT FILES EXAMPLES SEE_ALSO"

have_groff=no
if command -v groff >/dev/null 2>&1; then
	have_groff=yes
fi

# quiet DESC CMD...: CMD exits 0 and prints nothing on stderr
quiet() {
	desc=$1
	shift
	if [ "$have_groff" = no ]; then
		if [ -n "${CI:-}" ]; then
			t_result 1 "$desc"
			echo "# groff is required in CI (install groff-base)"
		else
			t_skip "$desc" "groff is not installed"
		fi
		return
	fi
	"$@" >/dev/null 2>"$T/.groff"
	st=$?
	if [ "$st" = 0 ] && ! [ -s "$T/.groff" ]; then
		t_result 0 "$desc"
	else
		t_result 1 "$desc"
		echo "# exit $st: $*"
		sed -e 's/^/#   /' "$T/.groff" | head -n 10
	fi
}

npages=0
for page in "$doc"/*.1 "$doc"/*.5; do
	[ -f "$page" ] || continue
	npages=$((npages + 1))
	base=${page##*/}
	name=${base%.*}
	sect=${base##*.}

	quiet "$base: groff -man -ww -z prints nothing" \
		groff -man -ww -z "$page"
	quiet "$base: groff -t -man -ww -z -Tutf8 prints nothing" \
		groff -t -man -ww -z -Tutf8 "$page"

	th=$(sed -n 's/^\.TH \([^ ]*\) \([0-9]\) .*/\1 \2/p' "$page")
	upper=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')
	t_is "$base: .TH names $upper $sect" "$th" "$upper $sect"
	nameline=$(sed -n '/^\.SH NAME$/{n;p;}' "$page")
	case $nameline in
	"$(printf '%s' "$name" | sed 's/-/\\-/g') \\- "?*)
		t_result 0 "$base: NAME reads '$name \\- ...'" ;;
	*)
		t_result 1 "$base: NAME reads '$name \\- ...'"
		echo "# NAME line: $nameline" ;;
	esac

	# the canonical sections, in the order the page has them
	sed -n 's/^\.SH "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$page" | tr ' ' _ \
		>"$T/sections"
	want=
	for s in $order; do
		if [ "$sect" = 5 ] && { [ "$s" = OPTIONS ] ||
			[ "$s" = ENVIRONMENT ]; }; then
			continue
		fi
		want="$want $s"
	done
	got=
	while read -r s; do
		case " $order " in
		*" $s "*) got="$got $s" ;;
		esac
	done <"$T/sections"
	t_is "$base: sections in the house order" "$got" "$want"

	if [ "$sect" = 1 ]; then
		sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$page" >"$T/exit"
		for st in 0 64 65 66 70 71 73 74; do
			t_ok "$base: EXIT STATUS lists $st" \
				grep -x -e "\\.B $st" "$T/exit"
		done
		sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$page" >"$T/env"
		for v in SOURCE_DATE_EPOCH PREMASTER_EXEC_PATH; do
			t_ok "$base: ENVIRONMENT names $v" \
				grep -x -e "\\.B $v" "$T/env"
		done
	fi

	t_ok "$base is in dist_man_MANS" \
		grep -e "doc/$base\\([^a-z0-9.-]\\|\$\\)" "$top_srcdir/Makefile.am"
done
t_is "six man pages" "$npages" 6

t_done
