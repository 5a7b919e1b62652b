/* SPDX-License-Identifier: GPL-3.0-or-later */
/* compat.h: compiler attributes used across premaster. */
#ifndef PM_COMPAT_H
#define PM_COMPAT_H

#if defined(__GNUC__) || defined(__clang__)
#define PM_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define PM_NORETURN __attribute__((noreturn))
#define PM_UNUSED __attribute__((unused))
#define PM_LIKELY(x) __builtin_expect(!!(x), 1)
#define PM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define PM_PRINTF(fmt, args)
#define PM_NORETURN
#define PM_UNUSED
#define PM_LIKELY(x) (x)
#define PM_UNLIKELY(x) (x)
#endif

#define PM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PM_MIN(a, b) ((a) < (b) ? (a) : (b))
#define PM_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
