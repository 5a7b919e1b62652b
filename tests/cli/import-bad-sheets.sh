#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# import-bad-sheets.sh: every tests/data/bad-cue-*.cue and bad-toc-*.toc
# breaks one rule, and premaster init --from-cue / --from-toc refuses it
# with the right exit status and a FILE:LINE: message naming the
# offending line, writing nothing.  The first line of each says where:
#   REM expect: line N [exit S]      (CUE)
#   // expect: line N [exit S]       (TOC)
# S is 65 unless given.  A sound sheet over the same audio is accepted,
# so the audio is not what they trip over.
. "${top_srcdir:-.}/tests/lib.sh"

data="$top_srcdir/tests/data"
cd "$T" || exit 99
mkfixture -s 1 music 10s a.wav || exit 99
mkfixture -s 2 music 10s b.wav || exit 99
# not a whole number of CD frames
mkfixture -s 3 music 441001 odd.wav || exit 99

n=0
for f in "$data"/bad-cue-*.cue "$data"/bad-toc-*.toc; do
	name=${f##*/}
	n=$((n + 1))
	case $name in
	*.toc) kind=toc ;;
	*) kind=cue ;;
	esac
	# shellcheck disable=SC2046
	set -- $(sed -n '1s/^\(REM\|\/\/\) expect: \(.*\)$/\2/p' "$f")
	line=${2:-}
	status=65
	if [ "${3:-}" = exit ]; then
		status=$4
	fi
	if [ "${1:-}" != line ] || [ -z "$line" ]; then
		t_result 1 "$name: its first line says 'expect: line N'"
		continue
	fi
	cp "$f" "$name" || exit 99
	rm -f album.xml
	rm -rf sources
	t_expect "$status" "$name: exit $status" \
		premaster init --from-$kind "$name" -o album.xml
	t_stderr_has "$name: the message names line $line" "$name:$line: "
	test ! -e album.xml && test ! -e sources
	t_result $? "$name: nothing is written"
done
t_is "every bad sheet was tried" "$([ "$n" -ge 40 ] && echo yes)" yes

cat >good.cue <<'EOF'
FILE "a.wav" WAVE
  TRACK 01 AUDIO
    INDEX 00 00:00:00
    INDEX 01 00:02:00
FILE "odd.wav" WAVE
  TRACK 02 AUDIO
    INDEX 01 00:00:00
EOF
t_expect 0 "the same audio in a sound CUE sheet is taken" \
	premaster init -q --from-cue good.cue -o album.xml
t_expect 0 "and builds, the last file's part frame padded" \
	premaster build -q album.xml -o out
t_is "its samples all on the disc" \
	"$(premaster ddpmake --list out/ddp 2>/dev/null | grep '^AA' | cut -f3)" \
	"00:20:01"
# text in UTF-8: ISO-8859-1 CD-TEXT takes near equivalents, with a
# warning; text with none is refused, named
printf 'TITLE "\305\201\303\263d\305\272"\nFILE "a.wav" WAVE\n  TRACK 01 AUDIO\n    TITLE "One"\n    INDEX 01 00:00:00\n' >utf8.cue
t_expect 0 "a CUE sheet in UTF-8 beyond ISO-8859-1 is taken" \
	premaster init --from-cue utf8.cue -o utf8.xml
t_stderr_has "warning that CD-TEXT gets near equivalents" \
	"transliterate=\"true\""
t_ok "the album keeps the text itself" grep -q "<title>$(printf '\305\201\303\263d\305\272')</title>" utf8.xml
printf 'TITLE "\346\227\245\346\234\254"\nFILE "a.wav" WAVE\n  TRACK 01 AUDIO\n    TITLE "One"\n    INDEX 01 00:00:00\n' >kanji.cue
t_expect 65 "text ISO-8859-1 has no equivalent for is refused" \
	premaster init --from-cue kanji.cue -o kanji.xml
t_stderr_has "naming the character" "U+65E5"

cat >good.toc <<'EOF'
CD_DA
TRACK AUDIO
FILE "a.wav" 0
TRACK AUDIO
FILE "b.wav" 0
EOF
t_expect 0 "and in a sound TOC" premaster init -q -f --from-toc good.toc \
	-o album.xml
t_done
