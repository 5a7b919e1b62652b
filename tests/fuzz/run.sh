#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# run.sh BUILDDIR NAME [LIBFUZZER-OPTION...]: run the libFuzzer harness
# tests/fuzz/fuzz-NAME of a build configured with --enable-fuzzers (CC=clang)
# on a working corpus in BUILDDIR/tests/fuzz/NAME.work, started from the
# kept seeds, the made seeds and, for album-xml, tests/data and the demo.
# New inputs stay in the working corpus; a crash is written as
# BUILDDIR/tests/fuzz/crash-NAME-* (add it to tests/fuzz/NAME/ once fixed).
#
#   sh tests/fuzz/run.sh _build-fuzz ddp-read -max_total_time=600
#   sh tests/fuzz/run.sh _build-fuzz ogg -runs=5000
set -eu
b=${1:?usage: run.sh BUILDDIR NAME [OPTION...]}
name=${2:?usage: run.sh BUILDDIR NAME [OPTION...]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
b=$(cd "$b" && pwd)
work=$b/tests/fuzz/$name.work
mkdir -p "$work"
${MAKE:-make} -C "$b" "tests/fuzz/replay-$name" > /dev/null
"$b/tests/fuzz/replay-$name" --seeds "$work" > /dev/null
set -- -artifact_prefix="$b/tests/fuzz/crash-$name-" -timeout=30 \
	-rss_limit_mb=4096 "$@"
seeds="$here/$name"
case $name in
album-xml)
	set -- -dict="$here/album-xml.dict" "$@"
	seeds="$seeds $top/tests/data $top/examples/demo" ;;
sheet-read)
	seeds="$seeds $top/tests/data" ;;
esac
# libsndfile 1.2.0 leaks on some broken files: lsan.supp names it
LSAN_OPTIONS=suppressions=$here/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS} \
	exec "$b/tests/fuzz/fuzz-$name" "$@" "$work" $seeds
