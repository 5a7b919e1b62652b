#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bin2c.sh: turn a file into a C array, so the schema is built into the
# programs.  POSIX od and sed only.
# usage: bin2c.sh INPUT SYMBOL > OUTPUT.c
set -eu
in=$1
sym=$2
printf '/* generated from %s by bin2c.sh; do not edit */\n' "$(basename "$in")"
printf '#include <stddef.h>\n\n'
printf 'const unsigned char %s[] = {\n' "$sym"
od -An -v -tu1 "$in" | sed -e 's/[0-9][0-9]*/&,/g' -e 's/^ */\t/' -e 's/  */ /g'
printf '\t0\n};\n'
printf 'const size_t %s_len = sizeof(%s) - 1;\n' "$sym" "$sym"
