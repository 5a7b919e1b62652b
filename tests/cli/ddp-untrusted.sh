#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# ddp-untrusted.sh: a DDP from a client is untrusted.  Stream files that
# are not regular files (IMAGE.DAT a symbolic link to /dev/zero, a FIFO;
# DDPMS or CHECKSUM.MD5 a FIFO) are refused at once by ddpmake --list,
# ddpmake --extract and verify, which never hash a device forever nor
# block opening a FIFO.  `timeout` only bounds a hang, so that a
# regression fails instead of stalling the suite; it measures nothing.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkfixture -b 16 music 6s a.wav -a -3 -s 1 || exit 99
mkfixture -b 16 music 5s b.wav -a -6 -s 2 || exit 99
cat > album.xml <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<album xmlns="urn:x-premaster:album:1" version="1">
  <release><title>Untrusted</title></release>
  <tracks>
    <track id="t1"><source file="a.wav"/><title>One</title></track>
    <track id="t2"><source file="b.wav"/><title>Two</title></track>
  </tracks>
</album>
EOF
premaster-sequence -q album.xml -o out > /dev/null || exit 99
premaster-ddpmake -q album.xml -o out > /dev/null || exit 99
cp -r out/ddp good || exit 99

# every command below is killed if it hangs (SIGKILL: exit 137), under
# valgrind too
PM_TEST_WRAPPER="timeout -s KILL 300 ${PM_TEST_WRAPPER:-}"

# swap FILE KIND: replace good's FILE in a fresh copy 'bad' (and in
# out/ddp, which verify reads) by KIND: zero (a link to /dev/zero) or
# fifo
swap() {
	for d in bad out/ddp; do
		rm -rf "$d" && cp -r good "$d" && rm -f "$d/$1" || exit 99
		case $2 in
		zero) ln -s /dev/zero "$d/$1" || exit 99 ;;
		fifo) mkfifo "$d/$1" || exit 99 ;;
		esac
	done
}

for kind in zero fifo; do
	swap IMAGE.DAT $kind
	case $kind in
	zero) what="a link to /dev/zero" ;;
	*) what="a FIFO" ;;
	esac
	t_expect 65 "IMAGE.DAT $what: ddpmake --list refuses it" \
		premaster-ddpmake --list bad
	t_stderr_has "IMAGE.DAT $what: saying it is not a regular file" \
		"'IMAGE.DAT', which is not a regular file"
	t_expect 65 "IMAGE.DAT $what: ddpmake --extract refuses it" \
		premaster-ddpmake --extract -o x bad
	t_ok "IMAGE.DAT $what: nothing is extracted" test ! -e x
	t_expect 1 "IMAGE.DAT $what: verify finds the release not fit" \
		premaster-verify -f album.xml -o out
	t_stdout_has "IMAGE.DAT $what: verify says why" \
		"'IMAGE.DAT', which is not a regular file"
done

swap DDPMS fifo
t_expect 65 "DDPMS a FIFO: ddpmake --list refuses it" \
	premaster-ddpmake --list bad
t_stderr_has "DDPMS a FIFO: saying so" "DDPMS: not a regular file"

swap DDPID zero
t_expect 65 "DDPID a link to /dev/zero: ddpmake --list refuses it" \
	premaster-ddpmake --list bad
t_stderr_has "DDPID a link to /dev/zero: saying so" "DDPID': not a regular file"

swap CHECKSUM.MD5 fifo
t_expect 65 "CHECKSUM.MD5 a FIFO: ddpmake --list refuses it" \
	premaster-ddpmake --list bad
t_stderr_has "CHECKSUM.MD5 a FIFO: saying so" "CHECKSUM.MD5: not a regular file"
t_expect 1 "CHECKSUM.MD5 a FIFO: verify finds the release not fit" \
	premaster-verify -f album.xml -o out
t_stdout_has "CHECKSUM.MD5 a FIFO: saying so" "CHECKSUM.MD5: not a regular file"

# a link to a regular file is still read
rm -rf bad && cp -r good bad && mv bad/IMAGE.DAT image.dat &&
	ln -s "$T/image.dat" bad/IMAGE.DAT || exit 99
t_expect 0 "IMAGE.DAT a link to a regular file is read" \
	premaster-ddpmake --list bad
t_done
