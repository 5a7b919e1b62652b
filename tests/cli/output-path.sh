#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# output-path.sh: an empty -o, or one that names the root directory
# however it is spelt, is a usage error (64) for every tool, before
# anything is written: `-o ""` used to put /masters/cd/*.wav and
# /report/analysis.json in the root directory.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkfixture -b 16 sine 5s a.wav || exit 99
cat > album.xml <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release><title>Paths</title></release>
  <tracks>
    <track id="t1"><source file="a.wav"/><title>One</title></track>
  </tracks>
</album>
EOF
premaster-sequence -q album.xml -o out > /dev/null || exit 99
premaster-ddpmake -q album.xml -o out > /dev/null || exit 99
ln -s / rootlink || exit 99
ls -A / > root.before

# refused DESC -o VALUE: every tool refuses it
refused() {
	what=$1
	o=$2
	for tool in master sequence ddpmake verify build; do
		t_expect 64 "$what: premaster $tool refuses it" \
			premaster $tool album.xml -o "$o"
	done
	t_expect 64 "$what: ddpmake --extract refuses it" \
		premaster ddpmake --extract -o "$o" out/ddp
}

refused "an empty -o" ""
t_stderr_has "saying it is empty" "the output path is empty"
refused "-o /" /
t_stderr_has "saying it is the root directory" \
	"refusing to write into the root directory"
refused "-o //" //
refused "-o with .. up to the root" "$T/../../../../../../../../.."
refused "-o through a missing folder and .." /nonexistent-pm-test/..
refused "-o a link to /" rootlink
t_expect 64 "premaster init refuses an empty -o" premaster init -o "" a.wav
ls -A / > root.after
t_ok "nothing appeared in the root directory" cmp root.before root.after
t_ok "no stray temporary file here" sh -c '! ls -A | grep -q "^\.\."'

# a path that only passes through the root is fine
t_expect 0 "-o through a missing folder and back is fine" \
	premaster master -q --analyse-only album.xml -o "$T/new/../ok"
t_ok "and writes where it says" test -s "$T/ok/report/analysis.json"
t_done
