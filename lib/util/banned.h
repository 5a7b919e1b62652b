/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * banned.h: functions that cannot report errors or bound their output.
 * Included last by every file in lib/ and src/, so that a use of one of
 * them fails to compile.  Use snprintf, memcpy with explicit lengths,
 * the util/parse.h parsers and mkstemp instead.
 */
#ifndef PM_BANNED_H
#define PM_BANNED_H

#define PM_BANNED(func) sorry_##func##_is_banned_in_premaster

#undef strcpy
#define strcpy(x, y) PM_BANNED(strcpy)
#undef strcat
#define strcat(x, y) PM_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) PM_BANNED(strncpy)
#undef sprintf
#define sprintf(...) PM_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) PM_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) PM_BANNED(strtok)
#undef gets
#define gets(x) PM_BANNED(gets)
#undef atoi
#define atoi(x) PM_BANNED(atoi)
#undef atol
#define atol(x) PM_BANNED(atol)
#undef tmpnam
#define tmpnam(x) PM_BANNED(tmpnam)
#undef mktemp
#define mktemp(x) PM_BANNED(mktemp)

#endif
