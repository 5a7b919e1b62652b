/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * simd.h: the one place that knows how premaster gets vector code.
 *
 * Hot loops are written with GCC/clang vector extensions (portable: the
 * compiler maps them to SSE2 on any x86-64, NEON on arm64, or scalars),
 * and the hottest are compiled a second time for AVX2+FMA and picked at
 * run time with pm_cpu_avx2_fma().  Helpers that take or return vectors
 * are always inlined, so no call passes a 32-byte vector and gcc's note
 * that such calls change the ABI without AVX (-Wpsabi) does not apply.
 * Every vector path has a scalar twin that gives the same results where
 * tests compare them.
 */
#ifndef PM_SIMD_H
#define PM_SIMD_H

#include <stdbool.h>

#if defined(__GNUC__) || defined(__clang__)
#define PM_ALWAYS_INLINE inline __attribute__((always_inline))
#define PM_HAVE_VECTOR 1
#else
#define PM_ALWAYS_INLINE inline
#define PM_HAVE_VECTOR 0
#endif

/* __builtin_shufflevector: clang, and GCC from 12 */
#if defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector)
#define PM_HAVE_SHUFFLE 1
#endif
#endif
#ifndef PM_HAVE_SHUFFLE
#define PM_HAVE_SHUFFLE 0
#endif

#if PM_HAVE_VECTOR && defined(__x86_64__)
/*
 * Functions compiled again for AVX2 (PM_TARGET_AVX2_INT: integer and
 * float work whose results must equal the baseline's bit for bit, so no
 * FMA contraction) or AVX2+FMA, chosen at run time.
 */
#define PM_HAVE_AVX2 1
#define PM_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define PM_TARGET_AVX2_INT __attribute__((target("avx2")))
static inline bool pm_cpu_avx2(void)
{
	return __builtin_cpu_supports("avx2");
}

static inline bool pm_cpu_avx2_fma(void)
{
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
#define PM_HAVE_AVX2 0
#endif

#if PM_HAVE_VECTOR
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wunknown-warning-option"
#endif
#pragma GCC diagnostic ignored "-Wpsabi"

typedef double pm_v2d __attribute__((vector_size(16)));    /* a stereo pair */
typedef double pm_v4d __attribute__((vector_size(32)));
typedef long long pm_v4l __attribute__((vector_size(32))); /* pm_v4d masks */
typedef float pm_v4f __attribute__((vector_size(16)));
typedef int pm_v4i __attribute__((vector_size(16)));       /* pm_v4f masks */
typedef float pm_v8f __attribute__((vector_size(32)));     /* AVX2 floats */
typedef int pm_v8i __attribute__((vector_size(32)));       /* pm_v8f masks */

static PM_ALWAYS_INLINE pm_v4d pm_v4d_set(double x)
{
	pm_v4d v = { x, x, x, x };

	return v;
}

/* Lane by lane: mask ? a : b (mask lanes all ones or all zeros). */
static PM_ALWAYS_INLINE pm_v4d pm_v4d_select(pm_v4l mask, pm_v4d a, pm_v4d b)
{
	return (pm_v4d)((mask & (pm_v4l)a) | (~mask & (pm_v4l)b));
}
#endif

#endif
