#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# build-if-changed.sh: catalogue jobs.  premaster build --if-changed
# builds an album the first time, says "up to date" and does nothing
# while nothing changed, and rebuilds everything when a source or
# album.xml changes (or an output directory went missing).  The lock
# refuses a second build into the same OUTDIR with a message naming the
# first, takes over the lock of a process that is gone on this host, and
# leaves another host's alone; two builds started together: one builds,
# the other is refused or finds it built.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkfixture -s 1 --fade 0.1 music 5s a.wav || exit 99
mkfixture -s 2 --fade 0.1 music 5s b.wav || exit 99
pm premaster init -q --title "Stamped" --artist "Tester" a.wav b.wav ||
	exit 99
# a CD only keeps the builds short
sed '/<vinyl>/,/<\/vinyl>/d; /<streaming /d' album.xml >a.xml &&
	mv a.xml album.xml || exit 99

t_expect 0 "the first build with --if-changed builds" \
	premaster build --if-changed album.xml -o out
t_stdout_has "every stage ran" "stage	verify	done"
t_ok "it leaves a stamp" test -s out/.premaster-stamp
t_ok "naming album.xml, both sources and the version" sh -c \
	'grep -c "^source " out/.premaster-stamp | grep -qx 2 &&
	 grep -q "^album " out/.premaster-stamp &&
	 grep -q "^premaster " out/.premaster-stamp'
t_ok "and no lock" test ! -e out/.premaster.lock
cp -p out/ddp/IMAGE.DAT image.first
inode=$(stat -c %i out/ddp/IMAGE.DAT)

t_expect 0 "unchanged: exit 0" premaster build --if-changed album.xml -o out
t_stdout_has "saying so for every stage" "stage	master	up to date"
t_stderr_has "and on stderr" "is up to date"
t_is "nothing was rebuilt (the same IMAGE.DAT file)" \
	"$(stat -c %i out/ddp/IMAGE.DAT)" "$inode"
t_expect 0 "--json says up to date" \
	premaster build --json --if-changed album.xml -o out
t_is "in the result event" \
	"$(grep '"event":"result"' "$T/.stdout" | jq -r '"\(.status) \(.exit)"')" \
	"up to date 0"
touch a.wav
t_expect 0 "a newer date alone changes nothing" \
	premaster build --if-changed album.xml -o out
t_stdout_has "it is still up to date" "up to date"

mkfixture -s 3 --fade 0.1 music 5s a.wav || exit 99
t_expect 0 "a changed source rebuilds (no --force needed)" \
	premaster build --if-changed album.xml -o out
t_stdout_has "every stage ran again" "stage	master	done"
cmp -s image.first out/ddp/IMAGE.DAT
t_result $((!$?)) "with the new audio"
t_expect 0 "then it is up to date again" \
	premaster build --if-changed album.xml -o out
t_stdout_has "as the stamp says" "up to date"

sed 's|<title>Stamped</title>|<title>Restamped</title>|' album.xml >a.xml &&
	mv a.xml album.xml
t_expect 0 "a changed album.xml rebuilds" \
	premaster build --if-changed album.xml -o out
t_stdout_has "every stage" "stage	ddpmake	done"
t_ok "with the new title in the CUE" grep -q 'TITLE "Restamped"' out/cd/album.cue

rm -rf out/cd
t_expect 0 "a missing output directory rebuilds" \
	premaster build --if-changed album.xml -o out
t_ok "and brings it back" test -s out/cd/album.cue

t_expect 73 "without --if-changed, outputs there still need --force" \
	premaster build album.xml -o out
t_ok "a failed build leaves no stamp to trust" test ! -e out/.premaster-stamp
t_expect 0 "and the next --if-changed builds" \
	premaster build -q --if-changed album.xml -o out

# the lock
sleep 300 &
holder=$!
printf 'pid %s\nhost %s\nstarted 2026-01-01T00:00:00Z\n' "$holder" \
	"$(hostname)" >out/.premaster.lock
t_expect 75 "a build while another holds the lock is refused" \
	premaster build --if-changed album.xml -o out
t_stderr_has "naming the first's process" "process $holder on $(hostname)"
t_stderr_has "and its start time" "since 2026-01-01T00:00:00Z"
t_ok "the holder's lock stays" grep -q "pid $holder" out/.premaster.lock
kill "$holder"
wait "$holder" 2>/dev/null
t_expect 0 "once that process is gone, its lock is taken over" \
	premaster build --if-changed album.xml -o out
t_stderr_has "with a warning" "which is gone: taking it over"
t_ok "and released at the end" test ! -e out/.premaster.lock
printf 'pid 1\nhost elsewhere.example\nstarted 2026-01-01T00:00:00Z\n' \
	>out/.premaster.lock
t_expect 75 "another host's lock is never taken over" \
	premaster build --if-changed album.xml -o out
t_stderr_has "it names that host" "on elsewhere.example"
rm -f out/.premaster.lock

# a second build while the first runs: the first is held still (SIGSTOP)
# once it holds the lock, so the second surely meets it
${PM_TEST_WRAPPER:-} premaster build -f album.xml -o two >one.out 2>one.err &
first=$!
n=0
while [ ! -e two/.premaster.lock ] && kill -0 "$first" 2>/dev/null &&
	[ "$n" -lt 1200 ]; do
	sleep 0.05
	n=$((n + 1))
done
kill -STOP "$first"
t_expect 75 "a second build while the first runs is refused" \
	premaster build -f album.xml -o two
t_stderr_has "naming the first: its process and host" \
	"is being built by process $first on $(hostname) since"
kill -CONT "$first"
wait "$first"
t_result $? "the first build goes on and finishes"
t_ok "its DDP is whole" premaster ddpmake --list two/ddp
t_ok "and no lock is left" test ! -e two/.premaster.lock

# two started together: whichever is second is refused or finds it done
(pm premaster build --if-changed album.xml -o three >/dev/null 2>&1
	echo $? >one.st) &
(pm premaster build --if-changed album.xml -o three >/dev/null 2>&1
	echo $? >two.st) &
wait
st="$(cat one.st) $(cat two.st)"
case $st in
"0 0" | "0 75" | "75 0") t_result 0 "two builds started together: neither fails ($st)" ;;
*) t_result 1 "two builds started together: neither fails ($st)" ;;
esac
t_ok "the release is whole and fit" grep -q '"fit": true' three/report/verify.json
t_done
