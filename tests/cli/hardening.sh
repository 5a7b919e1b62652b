#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# hardening.sh: a default build is hardened (issue 9): configure found
# -fstack-protector-strong and -D_FORTIFY_SOURCE=2, and every program
# really calls the stack guard and glibc's checked functions.  A build
# with --enable-sanitizers, --enable-fuzzers or --disable-hardening has
# neither flag (the sanitizers check more closely); that is checked too.
. "${top_srcdir:-.}/tests/lib.sh"

mk=$top_builddir/Makefile
var() {
	sed -n "s/^$1 = *//p" "$mk"
}
opts=$(sed -n "s/^ac_cs_config='\\(.*\\)'\$/\\1/p" "$top_builddir/config.status")
cflags=$(sed -n 's/^CFLAGS = *//p' "$mk")
case " $opts " in
*--enable-sanitizers* | *--enable-fuzzers* | *--disable-hardening*)
	t_is "not hardened as configured ($opts): no stack protector" \
		"$(var HARDEN_CFLAGS)" ""
	t_is "not hardened as configured ($opts): no fortify" \
		"$(var HARDEN_CPPFLAGS)" ""
	t_done
	;;
esac
t_is "configure found the stack protector" "$(var HARDEN_CFLAGS)" \
	"-fstack-protector-strong"
case " $cflags " in
*" -O0 "* | *" -O "*) fortify="" ;;
*) fortify="-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2" ;;
esac
t_is "configure found fortify (CFLAGS '$cflags')" "$(var HARDEN_CPPFLAGS)" \
	"$fortify"
for p in premaster premaster-master premaster-sequence premaster-ddpmake \
	premaster-verify; do
	nm -D --undefined-only "$top_builddir/src/$p" > "$T/syms" 2>&1
	t_ok "$p calls the stack guard" grep -q '__stack_chk_fail' "$T/syms"
	[ -n "$fortify" ] &&
		t_ok "$p calls glibc's checked functions" \
			grep -q '__[a-z]*_chk@' "$T/syms"
done
t_done
