#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tree.sh: the repository stands on its own, and HACKING maps it.
#
#  - no file points at the research notes that lived beside the checkout
#    (a folder no clone has): comments and docs cite doc/internals/;
#  - every doc/internals note a file cites exists, and so does each
#    numbered section cited with it ("NOTE.md §3" needs a "## 3." or
#    "### 3.x" heading in the note);
#  - every note in doc/internals is in EXTRA_DIST (Makefile.am);
#  - HACKING's module map names every file under lib/ and src/, and
#    names none that is not there.
#
# The files are the tracked ones when top_srcdir is a git checkout's top,
# else (a tarball, as make distcheck unpacks one) the project's files
# found under top_srcdir, build products left out.
# shellcheck source=tests/lib.sh
. "${top_srcdir:-.}/tests/lib.sh"

top=$(cd "$top_srcdir" && pwd -P) || exit 99
files=$T/files

if command -v git >/dev/null 2>&1 &&
	[ "$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)" = "$top" ]
then
	how="git ls-files"
	git -C "$top" ls-files >"$files" || exit 99
else
	how="find"
	(cd "$top" && find lib src tests doc bench examples schemas .ci \
		build-aux/bin2c.sh README HACKING NEWS Makefile.am \
		configure.ac -type f \
		! -name '*.o' ! -name '*.a' ! -name '*.log' ! -name '*.trs' \
		! -name '.dirstamp' ! -path '*/.deps/*' 2>/dev/null) |
		sort >"$files"
fi
t_ok "the file list ($how) has lib/, src/ and HACKING" \
	grep -e '^lib/util/err\.c$' -e '^src/premaster\.c$' -e '^HACKING$' \
	"$files"

# ---------------------------------------------------------------------
# Nothing points outside the tree.  The patterns are built from parts so
# that this file does not match itself.
up=..
notes=shared
: >"$T/outside"
while IFS= read -r f; do
	[ -f "$top/$f" ] || continue
	if grep -I -q -F -e "$up/$notes" -e "$notes/docs" "$top/$f"; then
		echo "$f" >>"$T/outside"
	fi
done <"$files"
if [ -s "$T/outside" ]; then
	t_result 1 "no file cites the notes outside the tree"
	sed -e 's/^/#   /' "$T/outside"
else
	t_result 0 "no file cites the notes outside the tree"
fi

# ---------------------------------------------------------------------
# Every cited note and section exists.
: >"$T/cites"
while IFS= read -r f; do
	[ -f "$top/$f" ] || continue
	grep -I -o -E \
		'doc/internals/[A-Za-z0-9_-]+\.md( §[0-9]+(\.[0-9]+)?)?' \
		"$top/$f" >>"$T/cites" 2>/dev/null
done <"$files"
sort -u "$T/cites" >"$T/cites.u"
t_ok "files cite doc/internals notes" test -s "$T/cites.u"

# note_has NOTE SECTION: NOTE has a heading numbered SECTION
# shellcheck disable=SC2317 # called through t_ok
note_has() {
	sec=$(printf '%s' "$2" | sed 's/\./\\./g')
	grep -E -e "^#{2,3} ${sec}[. ]" "$top/$1" >/dev/null
}

sed 's/ .*//' "$T/cites.u" | sort -u >"$T/cited-notes"
while IFS= read -r note; do
	t_ok "$note, cited, is in the tree" grep -x -F -e "$note" "$files"
done <"$T/cited-notes"
while IFS= read -r c; do
	note=${c%% *}
	case $c in
	*" §"*)
		sec=${c#*§}
		t_ok "$note has the section §$sec cited" note_has "$note" "$sec"
		;;
	esac
done <"$T/cites.u"

# Every note is distributed, so that make distcheck sees it.
grep -E '^doc/internals/[^/]+\.md$' "$files" >"$T/notes"
t_ok "doc/internals has notes" test -s "$T/notes"
while IFS= read -r f; do
	t_ok "$f is in EXTRA_DIST" grep -F -e "$f" "$top/Makefile.am"
done <"$T/notes"

# ---------------------------------------------------------------------
# HACKING's module map.  Between "Module map" and the next section, a
# line starting with lib/<folder>/ or src/ opens a folder; a line with
# two spaces of indentation lists file names (the words ending in .c or
# .h before the description).
awk '
	/^Module map$/ { on = 1; next }
	/^Where does my change go$/ { on = 0 }
	!on { next }
	/^(lib\/[a-z]+\/|src\/)/ { dir = $1; next }
	dir != "" && /^  [^ ]/ {
		for (i = 1; i <= NF && $i ~ /\.[ch]$/; i++)
			print dir $i
	}
' "$top/HACKING" | sort >"$T/mapped"
t_ok "HACKING has a module map" test -s "$T/mapped"

# files under lib/ and src/ (sources only), generated ones aside
generated=$(sed -n 's/^BUILT_SOURCES *= *//p' "$top/Makefile.am")
grep -E '^(lib|src)/.*\.[ch]$' "$files" | while IFS= read -r f; do
	case " $generated " in
	*" $f "*) ;;
	*) echo "$f" ;;
	esac
done | sort >"$T/sources"
t_ok "lib/ and src/ hold sources" test -s "$T/sources"

while IFS= read -r f; do
	t_ok "HACKING's module map names $f" grep -x -F -e "$f" "$T/mapped"
done <"$T/sources"
while IFS= read -r f; do
	t_ok "HACKING's module map entry $f exists" \
		grep -x -F -e "$f" "$T/sources"
done <"$T/mapped"

t_done
