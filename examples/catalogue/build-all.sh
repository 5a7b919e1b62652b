#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# build-all.sh: build every album of a catalogue with GNU parallel, on
# this machine or across hosts that share the catalogue's storage.
#
#   build-all.sh [-j JOBS] [-S HOSTS] [-p PARALLEL_JOBS] CATALOGUE
#
# CATALOGUE is a folder of album folders, each with its album.xml (and
# its sources, relative to it).  Every album is an independent,
# deterministic job: premaster build --if-changed into the album's own
# out/ builds only what changed since its last fit build, and the lock
# in out/ keeps two runs from building one album at once (exit 75).
#
#   -j JOBS           threads per album (premaster build -j), default 1
#   -p PARALLEL_JOBS  albums at once per host (parallel -j), default: one
#                     per core of the host
#   -S HOSTS          run across hosts: GNU parallel's --sshlogin list
#                     ("host1,host2", "4/host3" for 4 albums there, ":"
#                     for this machine).  The catalogue must be on storage
#                     every host mounts at the same path, premaster must be
#                     in each host's PATH, and ssh must log in without a
#                     password.
#
# Prints one line per album, "STATUS<TAB>ALBUM", where STATUS is premaster
# build's exit status (0 fit or up to date, 1 not fit, 75 busy, ...),
# then a summary; exits 0 when every album is fit, 1 otherwise.
set -u

jobs=1
pjobs=100%
hosts=
while getopts 'j:p:S:' opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	p) pjobs=$OPTARG ;;
	S) hosts=$OPTARG ;;
	*)
		echo "usage: $0 [-j JOBS] [-p PARALLEL_JOBS] [-S HOSTS] CATALOGUE" >&2
		exit 64
		;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 [-j JOBS] [-p PARALLEL_JOBS] [-S HOSTS] CATALOGUE" >&2
	exit 64
fi
command -v parallel >/dev/null 2>&1 || {
	echo "$0: GNU parallel is needed (Debian: apt-get install parallel)" >&2
	exit 69
}
# absolute paths: every host sees the catalogue at the same place
catalogue=$(cd "$1" && pwd -P) || exit 66
log=$(mktemp "${TMPDIR:-/tmp}/build-all.XXXXXX") || exit 71
trap 'rm -f "$log"' EXIT INT TERM

# one job per album; each writes its own log beside its album.xml
find "$catalogue" -mindepth 2 -maxdepth 2 -name album.xml | sort |
	parallel --will-cite --jobs "$pjobs" ${hosts:+--sshlogin "$hosts"} \
		--joblog "$log" --halt never \
		'premaster build -q --if-changed -j '"$jobs"' {} 2>{//}/build.log'

# the job log: Seq Host Starttime JobRuntime Send Receive Exitval Signal Command
ok=0
failed=0
while IFS='	' read -r _ _ _ _ _ _ status signal cmd; do
	album=${cmd#*--if-changed -j "$jobs" }
	album=${album%% 2>*}
	if [ "$signal" != 0 ]; then
		status=$((128 + signal))
	fi
	printf '%s\t%s\n' "$status" "$album"
	if [ "$status" = 0 ]; then
		ok=$((ok + 1))
	else
		failed=$((failed + 1))
	fi
done <<EOF
$(tail -n +2 "$log")
EOF
echo "albums: $ok fit, $failed not (see each album's build.log)" >&2
[ "$failed" = 0 ]
