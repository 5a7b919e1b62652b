#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# layers.sh: the shape of the tree, as HACKING describes it.
#  - lib/ is grouped by concern and its layers point one way:
#    util < io < album < dsp < cd < sequence < master < verify; a module
#    includes its own folder and lower ones only;
#  - each outside library is included by exactly one module;
#  - nothing in lib/ exits, aborts or prints to stdout;
#  - at most two .c files at lib/'s top level, at least four folders;
#  - every tool in src/ is under 600 lines.
. "${top_srcdir:-.}/tests/lib.sh"

lib=$top_srcdir/lib
order="util io album dsp cd sequence master verify"

rank() {
	i=0
	for l in $order; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo 99
}

bad=
for dir in $order; do
	r=$(rank "$dir")
	for f in "$lib/$dir"/*.c "$lib/$dir"/*.h; do
		[ -f "$f" ] || continue
		for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f" | sort -u); do
			if [ "$(rank "$inc")" -gt "$r" ]; then
				bad="$bad ${f#"$lib"/}->$inc"
			fi
		done
	done
done
t_is "no module includes a higher layer" "$bad" ""

owner() {
	grep -l "#include <$1" "$lib"/*/*.c "$lib"/*/*.h 2>/dev/null |
		sed "s|^$lib/||" | tr '\n' ' ' | sed 's/ $//'
}
t_is "libsndfile is behind io/audio.c alone" "$(owner sndfile.h)" "io/audio.c"
t_is "libxml2 is behind album/xml.c alone" "$(owner libxml/)" "album/xml.c"
t_is "libebur128 is behind dsp/loudness.c alone" "$(owner ebur128.h)" "dsp/loudness.c"
t_is "libsoxr is behind dsp/resample.c alone" "$(owner soxr.h)" "dsp/resample.c"
t_is "libcdio is behind cd/cdio.c alone" "$(owner cdio/)" "cd/cdio.c"

calls=$(grep -n '\b\(exit\|_exit\|abort\)(' "$lib"/*/*.c | grep -v '^\S*:[0-9]*:\s*/\?\*' || true)
t_is "nothing in lib/ exits or aborts" "$calls" ""
prints=$(grep -n '\bprintf(\|\bputs(\|\bputchar(\|[^f]puts(\|stdout' "$lib"/*/*.c | grep -v '^\S*:[0-9]*:\s*/\?\*' || true)
t_is "nothing in lib/ prints to stdout" "$prints" ""

n=$(find "$lib" -maxdepth 1 -name '*.c' | wc -l)
t_ok "at most two .c files at lib/'s top level ($n)" test "$n" -le 2
n=$(find "$lib" -mindepth 1 -maxdepth 1 -type d | wc -l)
t_ok "at least four concern folders in lib/ ($n)" test "$n" -ge 4

for f in "$top_srcdir"/src/*.c; do
	n=$(wc -l <"$f")
	t_ok "src/${f##*/} is under 600 lines ($n)" test "$n" -lt 600
done
t_done
