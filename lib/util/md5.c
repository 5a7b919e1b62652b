/* SPDX-License-Identifier: GPL-3.0-or-later */
/* md5.c: MD5's compression (RFC 1321), fully unrolled so that hashing
 * keeps up with I/O; util/digest.c does the rest. */
#include <config.h>

#include "util/digest-impl.h"

#include <string.h>

#include "util/simd.h"

#if PM_HAVE_AVX2
#include <immintrin.h>
#endif

#include "util/banned.h"

/*
 * The four auxiliary functions of RFC 1321 §3.4, in forms with one
 * operation fewer than the textbook ones: F selects y or z by x, G
 * selects x or y by z.
 */
#define F(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define G(x, y, z) ((y) ^ ((z) & ((x) ^ (y))))
#define H(x, y, z) ((x) ^ (y) ^ (z))
#define I(x, y, z) ((y) ^ ((x) | ~(z)))

#define ROTL(x, s) (((x) << (s)) | ((x) >> (32 - (s))))

/* One of the 64 steps: a = b + ((a + f(b,c,d) + X[k] + T[i]) <<< s). */
#define STEP(f, a, b, c, d, xk, t, s)                                          \
	do {                                                                   \
		(a) += f((b), (c), (d)) + (xk) + (t);                          \
		(a) = ROTL((a), (s));                                          \
		(a) += (b);                                                    \
	} while (0)

static inline uint32_t load_le32(const uint8_t *p)
{
#ifdef WORDS_BIGENDIAN
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
#else
	uint32_t v;

	memcpy(&v, p, sizeof(v)); /* one unaligned load on x86 and ARM */
	return v;
#endif
}

/*
 * One block's 64 steps on the state a, b, c, d and the message words
 * x[0..15].  The same text serves one message (uint32_t) and sixteen at
 * once (a vector of uint32_t: every operator works lane by lane).
 */
#define MD5_ROUNDS(S, a, b, c, d) \
	do { \
		/* round 1: T[i] = floor(2^32 * |sin(i + 1)|) */ \
		S(F, a, b, c, d, 0, 0xd76aa478, 7); \
		S(F, d, a, b, c, 1, 0xe8c7b756, 12); \
		S(F, c, d, a, b, 2, 0x242070db, 17); \
		S(F, b, c, d, a, 3, 0xc1bdceee, 22); \
		S(F, a, b, c, d, 4, 0xf57c0faf, 7); \
		S(F, d, a, b, c, 5, 0x4787c62a, 12); \
		S(F, c, d, a, b, 6, 0xa8304613, 17); \
		S(F, b, c, d, a, 7, 0xfd469501, 22); \
		S(F, a, b, c, d, 8, 0x698098d8, 7); \
		S(F, d, a, b, c, 9, 0x8b44f7af, 12); \
		S(F, c, d, a, b, 10, 0xffff5bb1, 17); \
		S(F, b, c, d, a, 11, 0x895cd7be, 22); \
		S(F, a, b, c, d, 12, 0x6b901122, 7); \
		S(F, d, a, b, c, 13, 0xfd987193, 12); \
		S(F, c, d, a, b, 14, 0xa679438e, 17); \
		S(F, b, c, d, a, 15, 0x49b40821, 22); \
		/* round 2: words (1 + 5i) mod 16 */ \
		S(G, a, b, c, d, 1, 0xf61e2562, 5); \
		S(G, d, a, b, c, 6, 0xc040b340, 9); \
		S(G, c, d, a, b, 11, 0x265e5a51, 14); \
		S(G, b, c, d, a, 0, 0xe9b6c7aa, 20); \
		S(G, a, b, c, d, 5, 0xd62f105d, 5); \
		S(G, d, a, b, c, 10, 0x02441453, 9); \
		S(G, c, d, a, b, 15, 0xd8a1e681, 14); \
		S(G, b, c, d, a, 4, 0xe7d3fbc8, 20); \
		S(G, a, b, c, d, 9, 0x21e1cde6, 5); \
		S(G, d, a, b, c, 14, 0xc33707d6, 9); \
		S(G, c, d, a, b, 3, 0xf4d50d87, 14); \
		S(G, b, c, d, a, 8, 0x455a14ed, 20); \
		S(G, a, b, c, d, 13, 0xa9e3e905, 5); \
		S(G, d, a, b, c, 2, 0xfcefa3f8, 9); \
		S(G, c, d, a, b, 7, 0x676f02d9, 14); \
		S(G, b, c, d, a, 12, 0x8d2a4c8a, 20); \
		/* round 3: words (5 + 3i) mod 16 */ \
		S(H, a, b, c, d, 5, 0xfffa3942, 4); \
		S(H, d, a, b, c, 8, 0x8771f681, 11); \
		S(H, c, d, a, b, 11, 0x6d9d6122, 16); \
		S(H, b, c, d, a, 14, 0xfde5380c, 23); \
		S(H, a, b, c, d, 1, 0xa4beea44, 4); \
		S(H, d, a, b, c, 4, 0x4bdecfa9, 11); \
		S(H, c, d, a, b, 7, 0xf6bb4b60, 16); \
		S(H, b, c, d, a, 10, 0xbebfbc70, 23); \
		S(H, a, b, c, d, 13, 0x289b7ec6, 4); \
		S(H, d, a, b, c, 0, 0xeaa127fa, 11); \
		S(H, c, d, a, b, 3, 0xd4ef3085, 16); \
		S(H, b, c, d, a, 6, 0x04881d05, 23); \
		S(H, a, b, c, d, 9, 0xd9d4d039, 4); \
		S(H, d, a, b, c, 12, 0xe6db99e5, 11); \
		S(H, c, d, a, b, 15, 0x1fa27cf8, 16); \
		S(H, b, c, d, a, 2, 0xc4ac5665, 23); \
		/* round 4: words 7i mod 16 */ \
		S(I, a, b, c, d, 0, 0xf4292244, 6); \
		S(I, d, a, b, c, 7, 0x432aff97, 10); \
		S(I, c, d, a, b, 14, 0xab9423a7, 15); \
		S(I, b, c, d, a, 5, 0xfc93a039, 21); \
		S(I, a, b, c, d, 12, 0x655b59c3, 6); \
		S(I, d, a, b, c, 3, 0x8f0ccc92, 10); \
		S(I, c, d, a, b, 10, 0xffeff47d, 15); \
		S(I, b, c, d, a, 1, 0x85845dd1, 21); \
		S(I, a, b, c, d, 8, 0x6fa87e4f, 6); \
		S(I, d, a, b, c, 15, 0xfe2ce6e0, 10); \
		S(I, c, d, a, b, 6, 0xa3014314, 15); \
		S(I, b, c, d, a, 13, 0x4e0811a1, 21); \
		S(I, a, b, c, d, 4, 0xf7537e82, 6); \
		S(I, d, a, b, c, 11, 0xbd3af235, 10); \
		S(I, c, d, a, b, 2, 0x2ad7d2bb, 15); \
		S(I, b, c, d, a, 9, 0xeb86d391, 21); \
	} while (0)

/* The steps on one state, message words x[0..15] */
#define STEP_X(f, a, b, c, d, k, t, s) STEP(f, a, b, c, d, x[k], t, s)
#define MD5_BLOCK(a, b, c, d, x) MD5_ROUNDS(STEP_X, a, b, c, d)

/*
 * Two states side by side, a0.. with words x0[], a1.. with x1[]: two
 * independent chains of dependent steps, which the CPU overlaps.
 */
#define STEP_2(f, a, b, c, d, k, t, s)                                         \
	do {                                                                   \
		STEP(f, a##0, b##0, c##0, d##0, x0[k], t, s);                  \
		STEP(f, a##1, b##1, c##1, d##1, x1[k], t, s);                  \
	} while (0)

/* The state after a block: what it was plus what the steps made of it. */
static inline void feed(uint32_t *state, uint32_t a, uint32_t b, uint32_t c,
			uint32_t d)
{
	state[0] += a;
	state[1] += b;
	state[2] += c;
	state[3] += d;
}

/* Hash `nblocks` whole 64-byte blocks. */
void pm_md5_blocks(uint32_t *state, const uint8_t *p, size_t nblocks)
{
	for (; nblocks--; p += 64) {
		uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
		uint32_t x[16];

		for (int i = 0; i < 16; i++)
			x[i] = load_le32(p + 4 * i);
		MD5_BLOCK(a, b, c, d, x);
		feed(state, a, b, c, d);
	}
}

void pm_md5_blocks2(uint32_t *s0, const uint8_t *p0, uint32_t *s1,
		    const uint8_t *p1, size_t nblocks)
{
	for (; nblocks--; p0 += 64, p1 += 64) {
		uint32_t a0 = s0[0], b0 = s0[1], c0 = s0[2], d0 = s0[3];
		uint32_t a1 = s1[0], b1 = s1[1], c1 = s1[2], d1 = s1[3];
		uint32_t x0[16], x1[16];

		for (int i = 0; i < 16; i++) {
			x0[i] = load_le32(p0 + 4 * i);
			x1[i] = load_le32(p1 + 4 * i);
		}
		MD5_ROUNDS(STEP_2, a, b, c, d);
		feed(s0, a0, b0, c0, d0);
		feed(s1, a1, b1, c1, d1);
	}
}

#if PM_HAVE_VECTOR
typedef uint32_t md5_v8 __attribute__((vector_size(32)));
/* two vectors of eight, so that two independent chains interleave */
typedef uint32_t md5_v16 __attribute__((vector_size(64)));

/* Message word i of each lane's block n, the plain way. */
#define LOAD_LANES(x, p, n)                                                    \
	do {                                                                   \
		for (int i = 0; i < 16; i++)                                   \
			for (int j = 0; j < PM_MD5_LANES; j++)                 \
				(x)[i][j] = load_le32((p)[j] + 64 * (n) + 4 * i); \
	} while (0)

/*
 * Sixteen messages side by side, one per lane: MD5 is a chain of 32-bit
 * additions, rotations and bit operations, each of which a vector does
 * for all lanes at once.  The chain is long and each step waits for the
 * last, so the sixteen run as two vectors of eight whose steps
 * interleave.  LOAD fills x[0..15] with the message words of block n of
 * every lane.
 */
#define LANES_BODY(LOAD)                                                          \
	do {                                                                   \
		md5_v16 a, b, c, d;                                            \
                                                                               \
		memcpy(&a, state[0], sizeof(a));                               \
		memcpy(&b, state[1], sizeof(b));                               \
		memcpy(&c, state[2], sizeof(c));                               \
		memcpy(&d, state[3], sizeof(d));                               \
		for (size_t n = 0; n < nblocks; n++) {                         \
			const md5_v16 aa = a, bb = b, cc = c, dd = d;          \
			md5_v16 x[16];                                         \
                                                                               \
			LOAD(x, p, n);                                         \
			MD5_BLOCK(a, b, c, d, x);                              \
			a += aa;                                               \
			b += bb;                                               \
			c += cc;                                               \
			d += dd;                                               \
		}                                                              \
		memcpy(state[0], &a, sizeof(a));                               \
		memcpy(state[1], &b, sizeof(b));                               \
		memcpy(state[2], &c, sizeof(c));                               \
		memcpy(state[3], &d, sizeof(d));                               \
	} while (0)

static void lanes_base(uint32_t state[4][PM_MD5_LANES],
		    const uint8_t *const p[PM_MD5_LANES],
		    size_t nblocks)
{
	LANES_BODY(LOAD_LANES);
}

#if PM_HAVE_AVX2 && !defined(WORDS_BIGENDIAN)
/*
 * The same words by AVX2: each lane's eight words as one row, and the
 * 8 x 8 matrix of rows turned into columns by unpacking pairs, then
 * quads, then swapping 128-bit halves.
 */
PM_TARGET_AVX2_INT static PM_ALWAYS_INLINE void
transpose8(md5_v8 *out, const uint8_t *const p[8], size_t off)
{
	__m256i r[8], t[8], u[8];

	for (int j = 0; j < 8; j++)
		r[j] = _mm256_loadu_si256((const __m256i *)(const void *)(p[j] + off));
	for (int j = 0; j < 8; j += 2) {
		t[j] = _mm256_unpacklo_epi32(r[j], r[j + 1]);
		t[j + 1] = _mm256_unpackhi_epi32(r[j], r[j + 1]);
	}
	for (int j = 0; j < 8; j += 4) {
		u[j] = _mm256_unpacklo_epi64(t[j], t[j + 2]);
		u[j + 1] = _mm256_unpackhi_epi64(t[j], t[j + 2]);
		u[j + 2] = _mm256_unpacklo_epi64(t[j + 1], t[j + 3]);
		u[j + 3] = _mm256_unpackhi_epi64(t[j + 1], t[j + 3]);
	}
	for (int w = 0; w < 4; w++) {
		out[w] = (md5_v8)_mm256_permute2x128_si256(u[w], u[w + 4], 0x20);
		out[w + 4] =
			(md5_v8)_mm256_permute2x128_si256(u[w], u[w + 4], 0x31);
	}
}

/* Lanes 0-7 and 8-15 each as above, then side by side. */
PM_TARGET_AVX2_INT static PM_ALWAYS_INLINE void
load16(md5_v16 *x, const uint8_t *const p[PM_MD5_LANES], size_t n)
{
	md5_v8 lo[16], hi[16];

	transpose8(lo, p, 64 * n);
	transpose8(lo + 8, p, 64 * n + 32);
	transpose8(hi, p + 8, 64 * n);
	transpose8(hi + 8, p + 8, 64 * n + 32);
	for (int i = 0; i < 16; i++) {
		memcpy(&x[i], &lo[i], sizeof(lo[i]));
		memcpy((uint8_t *)&x[i] + sizeof(lo[i]), &hi[i], sizeof(hi[i]));
	}
}

#define LOAD_AVX2(x, p, n) load16((x), (p), (n))

PM_TARGET_AVX2_INT static void lanes_avx2(uint32_t state[4][PM_MD5_LANES],
				       const uint8_t *const p[PM_MD5_LANES],
				       size_t nblocks)
{
	LANES_BODY(LOAD_AVX2);
}

/*
 * With AVX-512 the sixteen lanes are one register: the rotations are one
 * instruction (vprold) and the auxiliary functions fold into one ternary
 * logic instruction each, which the compiler finds in the same text.
 */
#define PM_TARGET_AVX512_INT __attribute__((target("avx2,avx512f,avx512vl")))

PM_TARGET_AVX512_INT static void
lanes_avx512(uint32_t state[4][PM_MD5_LANES],
	     const uint8_t *const p[PM_MD5_LANES], size_t nblocks)
{
	LANES_BODY(LOAD_AVX2);
}

static bool cpu_avx512(void)
{
	return __builtin_cpu_supports("avx512f") &&
	       __builtin_cpu_supports("avx512vl");
}
#endif
#endif

void pm_md5_blocks_lanes(uint32_t state[4][PM_MD5_LANES],
			 const uint8_t *const p[PM_MD5_LANES], size_t nblocks)
{
#if PM_HAVE_AVX2 && !defined(WORDS_BIGENDIAN)
	if (!pm_digest_is_portable() && cpu_avx512()) {
		lanes_avx512(state, p, nblocks);
		return;
	}
	if (!pm_digest_is_portable() && pm_cpu_avx2()) {
		lanes_avx2(state, p, nblocks);
		return;
	}
#endif
#if PM_HAVE_VECTOR
	lanes_base(state, p, nblocks);
#else
	for (int j = 0; j < PM_MD5_LANES; j++) {
		uint32_t one[4] = { state[0][j], state[1][j], state[2][j],
				    state[3][j] };

		pm_md5_blocks(one, p[j], nblocks);
		for (int w = 0; w < 4; w++)
			state[w][j] = one[w];
	}
#endif
}
