#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# album-bad-input.sh: every tests/data/bad-*.xml is refused with the right
# exit status and a FILE:LINE: message naming the offending line; every
# good-*.xml loads.  xmllint cross-checks which layer catches what.
#
# Each bad file says on its third line what catches it and where:
#   <!-- expect: CLASS line N [exit S] -->
# CLASS is one of
#   schema    album.xsd rejects it: xmllint --schema fails validation (3)
#   semantic  album.xsd accepts it (xmllint --schema passes); the program's
#             own rules (lib/album/check.c, the audio probe) refuse it
#   xml       not well-formed: plain xmllint --noout fails to parse it (1)
#   doctype   it has a DOCTYPE, which the loader refuses before any entity
#             is declared; xmllint's verdict says nothing about that
#             (its schema validator cannot handle entity references)
# and S is the exit status, 65 unless given.
# shellcheck source=tests/lib.sh
. "${top_srcdir:-.}/tests/lib.sh"

data="$top_srcdir/tests/data"
xsd="$top_srcdir/schemas/album.xsd"

# The sources the albums name, 6 s each; low.wav is at a rate we refuse,
# one.wav holds a single sample.
for s in a b c h; do
	mkfixture sine 6s "$T/$s.wav" || exit 99
done
mkfixture noise 6s "$T/r.wav" || exit 99
mkfixture --rate=22050 sine 6s "$T/low.wav" || exit 99
mkfixture sine 1 "$T/one.wav" || exit 99

have_xmllint=no
if command -v xmllint >/dev/null 2>&1; then
	have_xmllint=yes
fi

# xmllint_check DESC WANTED-STATUS xmllint-args...
xmllint_check() {
	desc=$1
	want=$2
	shift 2
	if [ "$have_xmllint" = yes ]; then
		xmllint --noout --nonet "$@" >"$T/.xmllint" 2>&1
		got=$?
		if [ "$got" = "$want" ]; then
			t_result 0 "$desc"
		else
			t_result 1 "$desc"
			echo "# xmllint exit $got, wanted $want"
			sed -e 's/^/#   /' "$T/.xmllint" | head -n 5
		fi
	elif [ -n "${CI:-}" ]; then
		t_result 1 "$desc"
		echo "# xmllint is required in CI (install libxml2-utils)"
	else
		t_skip "$desc" "xmllint is not installed"
	fi
}

nbad=0
for f in "$data"/bad-*.xml; do
	name=${f##*/}
	nbad=$((nbad + 1))
	# shellcheck disable=SC2046
	set -- $(sed -n '3s/^<!-- expect: \(.*\) -->$/\1/p' "$f")
	class=$1
	line=$3
	status=65
	if [ "${4:-}" = exit ]; then
		status=$5
	fi
	if [ "${2:-}" != line ] || [ -z "$line" ]; then
		t_result 1 "$name: line 3 says '<!-- expect: CLASS line N -->'"
		continue
	fi
	cp "$f" "$T/$name" || exit 99
	rm -rf "$T/out"

	t_expect "$status" "$name: exit $status ($class)" \
		premaster sequence "$T/$name" -o "$T/out"
	t_stderr_has "$name: message names line $line" "$name:$line: "
	if [ "$class" = doctype ]; then
		t_stderr_has "$name: the message says DOCTYPE" "DOCTYPE"
	fi
	t_ok "$name: nothing written" test ! -e "$T/out"

	case $class in
	schema)
		xmllint_check "$name: xmllint --schema rejects it" 3 \
			--schema "$xsd" "$f"
		;;
	semantic)
		xmllint_check "$name: xmllint --schema accepts it" 0 \
			--schema "$xsd" "$f"
		;;
	xml)
		xmllint_check "$name: xmllint finds it not well-formed" 1 "$f"
		;;
	doctype)
		;;
	*)
		t_result 1 "$name: unknown class '$class'"
		;;
	esac
done
t_is "the corpus has at least 30 bad files" "$([ "$nbad" -ge 30 ] && echo yes)" yes

# lacks FILE GREP-ARGS...: true when grep -F finds nothing in FILE
# shellcheck disable=SC2317 # called through t_ok
lacks() {
	file=$1
	shift
	! grep -F "$@" "$file" >/dev/null
}

# XXE: nothing of /etc/passwd may appear anywhere in the output.
name=bad-025-doctype-xxe.xml
t_expect 65 "$name: refused" premaster sequence -v "$T/$name" -o "$T/out"
if [ -r /etc/passwd ]; then
	grep -v '^[[:space:]]*$' /etc/passwd >"$T/passwd.lines"
	cat "$T/.stdout" "$T/.stderr" >"$T/xxe.out"
	t_ok "$name: no line of /etc/passwd in stdout or stderr" \
		lacks "$T/xxe.out" -f "$T/passwd.lines"
	t_ok "$name: no 'root:' in stdout or stderr" \
		lacks "$T/xxe.out" -e "root:"
else
	t_skip "$name: no line of /etc/passwd in the output" "no /etc/passwd"
fi
t_ok "$name: nothing written" test ! -e "$T/out"

# A file over the 4 MiB cap (4194304 bytes) is refused before parsing,
# even though it is a valid album; one of exactly 4 MiB still loads.
cap=4194304
album='<album xmlns="urn:x-premaster:album:1" version="1"><release><title>Big</title></release><tracks><track id="t1"><source file="a.wav"/><title>One</title></track></tracks></album>'
# big_album FILE SIZE: a valid album padded with a comment to SIZE bytes
big_album() {
	head=$(printf '<?xml version="1.0" encoding="UTF-8"?>\n%s\n<!--' "$album")
	n=$(($2 - ${#head} - 4))
	{
		printf '%s' "$head"
		head -c "$n" /dev/zero | tr '\0' 'x'
		printf -- '-->\n'
	} >"$1"
}
big_album "$T/big-ok.xml" "$cap"
big_album "$T/big-over.xml" $((cap + 1))
t_is "big-ok.xml is exactly 4 MiB" "$(wc -c <"$T/big-ok.xml" | tr -d ' ')" "$cap"
t_is "big-over.xml is 4 MiB + 1" "$(wc -c <"$T/big-over.xml" | tr -d ' ')" \
	$((cap + 1))
t_expect 65 "a file over 4 MiB is refused (exit 65)" \
	premaster sequence "$T/big-over.xml" -o "$T/out"
t_stderr_has "the message names the file and the cap" \
	"big-over.xml' is larger than $cap bytes"
t_ok "nothing written for the big file" test ! -e "$T/out"
xmllint_check "xmllint --schema accepts the big file (the cap is ours)" 0 \
	--schema "$xsd" "$T/big-over.xml"
t_expect 0 "a file of exactly 4 MiB loads" \
	premaster sequence -q --only cd "$T/big-ok.xml" -o "$T/out-big"

# The good albums load, sequence a CD and validate.
ngood=0
for f in "$data"/good-*.xml; do
	name=${f##*/}
	ngood=$((ngood + 1))
	cp "$f" "$T/$name" || exit 99
	t_expect 0 "$name: premaster sequence --only cd succeeds" \
		premaster sequence -q --only cd "$T/$name" -o "$T/out-$name"
	t_ok "$name: wrote the CUE sheet" test -s "$T/out-$name/cd/album.cue"
	xmllint_check "$name: xmllint --schema accepts it" 0 \
		--schema "$xsd" "$f"
done
t_is "there are at least 3 good files" "$([ "$ngood" -ge 3 ] && echo yes)" yes

# The example album of premaster-album(5) is valid and loads.
mkdir -p "$T/example/mixes" || exit 99
mkfixture sine 6s "$T/example/mixes/01 morning.wav" || exit 99
mkfixture --format=flac sine 100s "$T/example/mixes/02 bridge.flac" || exit 99
Uuml=$(printf '\303\234')
uuml=$(printf '\303\274')
sed -n '/^\.SH EXAMPLES/,/^\.EE/p' "$top_srcdir/doc/premaster-album.5" |
	sed -e '1,/^\.EX/d' -e '/^\.EE/d' -e 's/\\-/-/g' \
		-e "s/\\\\\\[:U\\]/$Uuml/g" -e "s/\\\\\\[:u\\]/$uuml/g" \
		>"$T/example/album.xml"
t_ok "premaster-album(5) has an example album" \
	grep -F '<album xmlns="urn:x-premaster:album:1"' "$T/example/album.xml"
xmllint_check "xmllint --schema accepts the example of premaster-album(5)" 0 \
	--schema "$xsd" "$T/example/album.xml"
t_expect 0 "the example of premaster-album(5) sequences a CD" \
	premaster sequence -q --only cd "$T/example/album.xml"
t_ok "the example's CUE sheet has its second index" \
	grep -F "INDEX 02" "$T/example/out/cd/album.cue"

t_done
