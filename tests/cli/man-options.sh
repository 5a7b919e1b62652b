#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# man-options.sh: the man pages document the interface the programs have.
#
#  - every option --help shows (long and short) is the tag of a paragraph
#    (.TP) in the program's page, and every option a page documents that
#    way is one --help shows; premaster(1) covers premaster, premaster init
#    and premaster build;
#  - --help exits 0, writes to stdout and points to the page, and the
#    page documents the options every tool shares;
#  - premaster-album(5) names every element and attribute of album.xsd,
#    every genre, every delivery preset of lib/album/targets.c, every language of
#    lib/album/model.c and every verify rule of lib/album/check.c (which
#    premaster-verify(1) lists too).
# shellcheck source=tests/lib.sh
. "${top_srcdir:-.}/tests/lib.sh"

doc="$top_srcdir/doc"

# The options every tool takes (doc/internals/style.md §9), as "SHORT LONG"
# pairs.
common="-o,--output -f,--force -q,--quiet -v,--verbose ,--no-progress
-h,--help -V,--version"

# plain PAGE: the page's source with escapes for hyphens and fonts removed
plain() {
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\%//g' -e 's/\\&//g' \
		-e 's/"//g' "$1"
}

# tags PAGE: the tag lines of the page's tagged paragraphs, plain
tags() {
	plain "$1" | awk 'tag { print; tag = 0; next }
		/^\.T[PQ]( |$)/ { tag = 1 }'
}

# help_options FILE: "SHORT,LONG" for each option line of a --help output
# ("  -j, --jobs=N ..." gives "-j,--jobs"; "      --unity" gives ",--unity")
help_options() {
	sed -n -e 's/^ *\(-[A-Za-z]\), \(--[a-z][a-z0-9-]*\).*/\1,\2/p' \
		-e 's/^ *\(--[a-z][a-z0-9-]*\).*/,\1/p' "$1"
}

# documents TAGFILE SHORT,LONG: a tag line names LONG and, if given, SHORT
# shellcheck disable=SC2317 # called through t_ok
documents() {
	short=${2%%,*}
	long=${2#*,}
	grep -e "$long\\([^a-z0-9-]\\|\$\\)" "$1" >"$T/.tagline" || return 1
	[ -z "$short" ] && return 0
	grep -e "\\(^\\|[^a-zA-Z-]\\)$short\\([^a-zA-Z-]\\|\$\\)" \
		"$T/.tagline" >/dev/null
}

# check_program PAGE NAME COMMAND...: the options of one --help in PAGE
check_program() {
	page=$1
	name=$2
	shift 2
	"$@" --help >"$T/help.out" 2>"$T/help.err"
	st=$?
	tags "$doc/$page" >"$T/tags"
	t_is "$name --help exits 0" "$st" 0
	t_ok "$name --help writes to stdout" test -s "$T/help.out"
	t_ok "$name --help points to its page" \
		grep -F "${page%.*}(${page##*.})" "$T/help.out"
	for o in $common; do
		t_ok "$page documents the common option ${o#,}" \
			documents "$T/tags" "$o"
	done
	help_options "$T/help.out" >"$T/help.opts"
	t_ok "$name --help shows options" test -s "$T/help.opts"
	while read -r o; do
		t_ok "$page documents $name ${o#,}" documents "$T/tags" "$o"
	done <"$T/help.opts"
	cat "$T/help.opts" >>"$T/shown-$page"
}

# check_reverse PAGE: every --option the page documents is shown by --help
check_reverse() {
	page=$1
	[ -s "$T/shown-$page" ] || return 0
	tags "$doc/$page" | grep -o -e '--[a-z][a-z0-9-]*' | sort -u \
		>"$T/documented"
	while read -r long; do
		t_ok "$page: $long is an option some --help shows" \
			grep -e ",$long\$" "$T/shown-$page"
	done <"$T/documented"
}

check_program premaster.1 premaster premaster
check_program premaster.1 "premaster init" premaster init
check_program premaster.1 "premaster build" premaster build
check_reverse premaster.1
for tool in master sequence ddpmake verify; do
	check_program "premaster-$tool.1" "premaster-$tool" "premaster-$tool"
	check_reverse "premaster-$tool.1"
done

# premaster-album(5) against the schema and the tables in lib/.
album=$T/album.txt
plain "$doc/premaster-album.5" >"$album"
xsd="$top_srcdir/schemas/album.xsd"

sed -n 's/.*<xs:element name="\([^"]*\)".*/\1/p' "$xsd" | sort -u \
	>"$T/elements"
t_ok "album.xsd declares elements" test -s "$T/elements"
while read -r e; do
	t_ok "premaster-album(5) names <$e>" grep -F -e "<$e>" "$album"
done <"$T/elements"

sed -n 's/.*<xs:attribute name="\([^"]*\)".*/\1/p' "$xsd" | sort -u \
	>"$T/attributes"
t_ok "album.xsd declares attributes" test -s "$T/attributes"
while read -r a; do
	t_ok "premaster-album(5) names $a=" \
		grep -e "\\(^\\|[^a-z-]\\)$a=" "$album"
done <"$T/attributes"

sed -n '/<xs:simpleType name="genre-code">/,/<\/xs:simpleType>/s/.*<xs:enumeration value="\([^"]*\)".*/\1/p' \
	"$xsd" >"$T/genres"
t_ok "album.xsd lists genres" test -s "$T/genres"
while read -r g; do
	t_ok "premaster-album(5) names the genre $g" grep -w -e "$g" "$album"
done <"$T/genres"

sed -n 's/^[[:space:]]*{ "\([a-z0-9-]*\)", PM_TARGET_.*/\1/p' \
	"$top_srcdir/lib/album/targets.c" >"$T/presets"
t_ok "lib/album/targets.c has presets" test -s "$T/presets"
while read -r p; do
	t_ok "premaster-album(5) has the preset $p in its table" \
		grep -e "^$p  *[-k]" "$album"
done <"$T/presets"

sed -n '/} languages\[\] = {/,/^};/p' "$top_srcdir/lib/album/model.c" |
	grep -o '{ "[a-z][a-z]"' | sed 's/{ "\(..\)"/\1/' >"$T/languages"
t_ok "lib/album/model.c has languages" test -s "$T/languages"
sed -n '/^\.SS Language codes/,/^\.S[HS]/p' "$album" >"$T/langsec"
while read -r l; do
	t_ok "premaster-album(5) lists the language $l" \
		grep -w -e "$l" "$T/langsec"
done <"$T/languages"

sed -n '/pm_verify_rule_ids\[\] = {/,/NULL/p' \
	"$top_srcdir/lib/album/check.c" | grep -o '"[a-z0-9-]*"' |
	tr -d '"' >"$T/rules"
t_ok "lib/album/check.c has verify rules" test -s "$T/rules"
plain "$doc/premaster-verify.1" >"$T/verify.txt"
while read -r r; do
	t_ok "premaster-album(5) names the verify rule $r" \
		grep -w -e "$r" "$album"
	t_ok "premaster-verify(1) names the verify rule $r" \
		grep -w -e "$r" "$T/verify.txt"
done <"$T/rules"

t_done
