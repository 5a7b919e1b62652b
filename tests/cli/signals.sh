#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# signals.sh: interrupts, kills and full disks.
#
#  - SIGTERM or SIGINT to `premaster build` alone reaches its running
#    stage; build waits for the stage to clean up, then exits 130, with
#    no stage left running, no temporary folder and no half deliverable.
#    (The stage is stopped with SIGSTOP while build is signalled, so that
#    it cannot finish first: the test does not depend on timing.)
#  - A tool signalled on its own exits 130 too (TERM, HUP; INT reaches
#    one in the process-group case).
#  - A stage killed outright (SIGXFSZ here, like SIGKILL: no cleanup)
#    leaves its temporary folder; the next run removes it.
#  - A full disk (the file-size limit, with SIGXFSZ ignored: EFBIG, which
#    works unprivileged) exits 74 and leaves nothing half-written.
#  - Output folders follow the umask.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkfixture -b 24 noise 30s long.wav -a -12 || exit 99
mkfixture -b 16 sine 10s b.wav || exit 99
cat > album.xml <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release><title>Signals</title></release>
  <tracks>
    <track id="t1"><source file="long.wav"/><title>Long</title></track>
    <track id="t2"><source file="b.wav"/><title>Two</title></track>
  </tracks>
</album>
EOF

# child_of PID: the pid of PID's child, once there is one and it has
# become the stage (empty if PID ends first).  A child that has not yet
# run exec still has PID's command line; one stopped there under
# valgrind loses a signal build passes on, since valgrind holds it for
# the old program and exec drops it.
child_of() {
	n=0
	while [ $n -lt 6000 ] && kill -0 "$1" 2>/dev/null; do
		c=$(pgrep -P "$1" | head -n 1)
		if [ -n "$c" ] && ! cmp -s "/proc/$c/cmdline" \
			"/proc/$1/cmdline"; then
			echo "$c"
			return
		fi
		sleep 0.01
		n=$((n + 1))
	done
}

# started PID DIR: wait until PID has begun a temporary folder in DIR
# (its signal handlers are in place by then); false if PID ends first
started() {
	n=0
	while [ $n -lt 6000 ] && kill -0 "$1" 2>/dev/null; do
		ls -A "$2" 2>/dev/null | grep -q '\.tmp-' && return 0
		sleep 0.01
		n=$((n + 1))
	done
	return 1
}

# pending PID BUILD: wait until the stopped PID has a signal pending (or
# BUILD or PID is gone); /proc shows a stopped process's pending set
pending() {
	n=0
	while [ $n -lt 6000 ] && kill -0 "$1" 2>/dev/null &&
		kill -0 "$2" 2>/dev/null; do
		awk '/^(ShdPnd|SigPnd):/ && $2 !~ /^0+$/ { f = 1 }
		     END { exit !f }' "/proc/$1/status" 2>/dev/null && return 0
		sleep 0.01
		n=$((n + 1))
	done
}

# temps DIR...: how many temporary folders the DIRs hold
temps() {
	ls -A "$@" 2>/dev/null | grep -c '\.tmp-'
}

# interrupt SIGNAL [group]: signal build alone (or its whole process
# group, as a terminal's Ctrl-C does) while its first stage is stopped
interrupt() {
	sig=$1
	tries=0
	while :; do
		rm -rf "out-$sig"
		# the child must not inherit lib.sh's cleanup trap
		trap - EXIT INT TERM
		if [ "${2:-}" = group ]; then
			# its own process group, whose id is its pid
			setsid ${PM_TEST_WRAPPER:-} premaster build -q album.xml \
				-o "out-$sig" > "$sig.out" 2>&1 &
		else
			${PM_TEST_WRAPPER:-} premaster build -q album.xml \
				-o "out-$sig" > "$sig.out" 2>&1 &
		fi
		build=$!
		trap 'rm -rf "$T"' EXIT INT TERM
		stage=$(child_of $build)
		[ -n "$stage" ] && kill -STOP "$stage"
		# On a loaded machine this shell may find the first stage only
		# after it has committed its masters (or the second stage):
		# that says nothing about premaster, so start again, a few times.
		tries=$((tries + 1))
		[ -n "$stage" ] && [ -e "out-$sig/masters/cd" ] &&
			[ $tries -lt 5 ] || break
		kill -CONT "$stage"
		wait $build
	done
	if [ "${2:-}" = group ]; then
		kill -"$sig" -$build
		sig="$sig-group"
	else
		kill -"$sig" $build
	fi
	# build passes the signal on from its handler, which may run late
	# (much later under valgrind): let the stage go only once the
	# signal waits for it, or it may finish its work first
	[ -n "$stage" ] && pending "$stage" $build
	[ -n "$stage" ] && kill -CONT "$stage"
	wait $build
	st=$?
	t_is "SIGTERM/INT to build: found its stage ($sig)" \
		"$([ -n "$stage" ] && echo yes)" yes
	t_is "$sig to build: build exits 130" "$st" 130
	alive=no
	[ -n "$stage" ] && kill -0 "$stage" 2>/dev/null && alive=yes
	t_is "$sig to build: no stage is left running" "$alive" no
	t_is "$sig to build: no temporary folder is left" \
		"$(temps "out-$1" "out-$1/masters")" 0
	t_ok "$sig to build: no masters were committed" \
		test ! -e "out-$1/masters/cd"
	t_ok "$sig to build: build says it stopped" \
		grep -F "interrupted; stopping" "$1.out"
}
interrupt TERM
interrupt INT
interrupt INT group

# each tool on its own: 130, however it is interrupted
for sig in TERM HUP; do
	tries=0
	while :; do
		rm -rf out-tool
		trap - EXIT INT TERM
		${PM_TEST_WRAPPER:-} premaster-master -q album.xml -o out-tool \
			> /dev/null 2>&1 &
		pid=$!
		trap 'rm -rf "$T"' EXIT INT TERM
		# as above: a master that finished before this shell saw it
		# start says nothing about premaster; try again
		started $pid out-tool/masters && kill -STOP $pid && break
		wait $pid
		tries=$((tries + 1))
		[ $tries -lt 5 ] || break
	done
	kill -"$sig" $pid
	kill -CONT $pid
	wait $pid
	t_is "premaster master exits 130 after SIG$sig" "$?" 130
	t_is "and leaves no temporary folder ($sig)" \
		"$(temps out-tool out-tool/masters)" 0
done

# a good build to compare with
t_expect 0 "a build" premaster build -q album.xml -o out
cp out/cd/album.cue before.cue

# killed outright (SIGXFSZ's default action): the temporary stays ...
sh -c 'trap - XFSZ; ulimit -f 4000; exec "$@"' sh \
	premaster-master -q -f album.xml -o out > /dev/null 2>&1
t_is "a master killed by SIGXFSZ dies of it" "$?" $((128 + 25))
t_is "and leaves its temporary folder" "$(temps out/masters)" 1
# ... until the next run, which proves its owner gone and removes it
t_expect 0 "the next master runs" premaster-master -f album.xml -o out
t_stderr_has "and says it removed the leftover" "left unfinished (it is gone)"
t_is "the leftover is gone" "$(temps out/masters)" 0

# a full disk: 74 wherever it strikes, and nothing half-written; the
# commands run with the file-size limit at 2 MB and SIGXFSZ ignored (and
# under valgrind when it is the wrapper)
printf '%s\n' "trap '' XFSZ" 'ulimit -f 4000' 'exec "$@"' > full.sh
wrapper=${PM_TEST_WRAPPER:-}
PM_TEST_WRAPPER="sh $T/full.sh $wrapper"
for stage in master sequence ddpmake; do
	t_expect 74 "a full disk (EFBIG) under premaster $stage" \
		premaster-$stage -f album.xml -o out
	t_stderr_has "$stage on a full disk says why" "File too large"
	t_is "$stage on a full disk leaves no temporary folder" \
		"$(temps out out/masters)" 0
done
t_ok "the earlier CD is intact" cmp before.cue out/cd/album.cue
t_expect 74 "a full disk (EFBIG) under premaster build" \
	premaster build -f album.xml -o out
PM_TEST_WRAPPER=$wrapper

# folders follow the umask
rm -rf out
(umask 002 && premaster build -q album.xml -o out > /dev/null 2>&1)
t_is "umask 002: cd/ is group-writable" "$(ls -ld out/cd | cut -c1-10)" \
	drwxrwxr-x
t_is "umask 002: masters/cd too" "$(ls -ld out/masters/cd | cut -c1-10)" \
	drwxrwxr-x
t_is "umask 002: the DDP's files too" \
	"$(ls -l out/ddp/IMAGE.DAT | cut -c1-10)" -rw-rw-r--
rm -rf out
(umask 022 && premaster build -q album.xml -o out > /dev/null 2>&1)
t_is "umask 022: ddp/ is readable by all" "$(ls -ld out/ddp | cut -c1-10)" \
	drwxr-xr-x
t_done
