/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sha256.c: SHA-256's compression (FIPS 180-4 section 6.2), rounds
 * unrolled eight at a time so that the working variables stay in
 * registers; util/digest.c does the rest. */
#include <config.h>

#include "util/digest-impl.h"

#include <stdbool.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHA_NI 1
#else
#define HAVE_SHA_NI 0
#endif

#include "util/banned.h"

/* FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of
 * the cube roots of the first 64 primes. */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))
#define BSIG0(x) (ROTR((x), 2) ^ ROTR((x), 13) ^ ROTR((x), 22))
#define BSIG1(x) (ROTR((x), 6) ^ ROTR((x), 11) ^ ROTR((x), 25))
#define SSIG0(x) (ROTR((x), 7) ^ ROTR((x), 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR((x), 17) ^ ROTR((x), 19) ^ ((x) >> 10))

/*
 * One round, with the variables renamed instead of moved: the caller
 * rotates the argument list by one for each of eight rounds.
 */
#define ROUND(a, b, c, d, e, f, g, h, i)                                       \
	do {                                                                   \
		uint32_t t1 = (h) + BSIG1(e) + CH((e), (f), (g)) + K[i] + w[i];\
		uint32_t t2 = BSIG0(a) + MAJ((a), (b), (c));                   \
		(d) += t1;                                                     \
		(h) = t1 + t2;                                                 \
	} while (0)

static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Hash `nblocks` whole 64-byte blocks, in portable C. */
static void blocks_c(uint32_t *s, const uint8_t *p, size_t nblocks)
{
	while (nblocks--) {
		uint32_t a = s[0], b = s[1], c = s[2], d = s[3];
		uint32_t e = s[4], f = s[5], g = s[6], h = s[7];
		uint32_t w[64];
		int i;

		for (i = 0; i < 16; i++)
			w[i] = load_be32(p + 4 * i);
		for (i = 16; i < 64; i++)
			w[i] = SSIG1(w[i - 2]) + w[i - 7] + SSIG0(w[i - 15]) +
			       w[i - 16];
		for (i = 0; i < 64; i += 8) {
			ROUND(a, b, c, d, e, f, g, h, i);
			ROUND(h, a, b, c, d, e, f, g, i + 1);
			ROUND(g, h, a, b, c, d, e, f, i + 2);
			ROUND(f, g, h, a, b, c, d, e, i + 3);
			ROUND(e, f, g, h, a, b, c, d, i + 4);
			ROUND(d, e, f, g, h, a, b, c, i + 5);
			ROUND(c, d, e, f, g, h, a, b, i + 6);
			ROUND(b, c, d, e, f, g, h, a, i + 7);
		}
		s[0] += a;
		s[1] += b;
		s[2] += c;
		s[3] += d;
		s[4] += e;
		s[5] += f;
		s[6] += g;
		s[7] += h;
		p += 64;
	}
}

#if HAVE_SHA_NI
/*
 * The same with the x86 SHA extensions.  sha256rnds2 does two rounds on
 * the state held as two vectors, {A,B,E,F} and {C,D,G,H} (highest lane
 * first), taking W+K for the two rounds in the low lanes of its third
 * operand; sha256msg1 and sha256msg2 compute the message schedule four
 * words at a time: W[i] for i >= 16 is msg2(msg1(W[i-16..], W[i-12..]) +
 * W[i-7..], W[i-4..]).
 */
__attribute__((target("sha,sse4.1"))) static void
blocks_sha(uint32_t *s, const uint8_t *p, size_t nblocks)
{
	/* each 32-bit word of the block is big-endian */
	const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
					    0x0405060700010203LL);
	__m128i dcba = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i hgfe = _mm_loadu_si128((const __m128i *)(const void *)(s + 4));
	__m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
	__m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
	__m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
	__m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);

	while (nblocks--) {
		const __m128i abef0 = abef, cdgh0 = cdgh;
		__m128i w[16];
		int i;

		for (i = 0; i < 4; i++)
			w[i] = _mm_shuffle_epi8(
				_mm_loadu_si128((const __m128i *)(const void *)
							(p + 16 * i)),
				swap);
		for (i = 4; i < 16; i++)
			w[i] = _mm_sha256msg2_epu32(
				_mm_add_epi32(_mm_sha256msg1_epu32(w[i - 4],
								   w[i - 3]),
					      _mm_alignr_epi8(w[i - 1], w[i - 2],
							      4)),
				w[i - 1]);
		for (i = 0; i < 16; i++) {
			__m128i wk = _mm_add_epi32(
				w[i], _mm_loadu_si128((const __m128i *)(const void *)
							      (K + 4 * i)));

			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			abef = _mm_sha256rnds2_epu32(abef, cdgh,
						     _mm_shuffle_epi32(wk, 0x0E));
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
		p += 64;
	}
	/* back to {D,C,B,A} and {H,G,F,E} */
	{
		__m128i feba = _mm_shuffle_epi32(abef, 0x1B);
		__m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);

		_mm_storeu_si128((__m128i *)(void *)s,
				 _mm_blend_epi16(feba, dchg, 0xF0));
		_mm_storeu_si128((__m128i *)(void *)(s + 4),
				 _mm_alignr_epi8(dchg, feba, 8));
	}
}

/*
 * Two messages at once.  Each sha256rnds2 waits for the one before it in
 * its own message, so a second, independent message fills the gaps; the
 * two share the message constants and the byte order shuffle.
 */
#define SHA_LOAD_STATE(s, abef, cdgh)                                          \
	do {                                                                   \
		__m128i dcba_ = _mm_loadu_si128((const __m128i *)(const void *)(s)); \
		__m128i hgfe_ =                                                \
			_mm_loadu_si128((const __m128i *)(const void *)((s) + 4)); \
		__m128i cdab_ = _mm_shuffle_epi32(dcba_, 0xB1);                \
		__m128i efgh_ = _mm_shuffle_epi32(hgfe_, 0x1B);                \
		(abef) = _mm_alignr_epi8(cdab_, efgh_, 8);                     \
		(cdgh) = _mm_blend_epi16(efgh_, cdab_, 0xF0);                  \
	} while (0)

#define SHA_STORE_STATE(s, abef, cdgh)                                         \
	do {                                                                   \
		__m128i feba_ = _mm_shuffle_epi32((abef), 0x1B);               \
		__m128i dchg_ = _mm_shuffle_epi32((cdgh), 0xB1);               \
		_mm_storeu_si128((__m128i *)(void *)(s),                       \
				 _mm_blend_epi16(feba_, dchg_, 0xF0));         \
		_mm_storeu_si128((__m128i *)(void *)((s) + 4),                 \
				 _mm_alignr_epi8(dchg_, feba_, 8));            \
	} while (0)

__attribute__((target("sha,sse4.1"))) static void
blocks_sha2(uint32_t *s0, const uint8_t *p0, uint32_t *s1, const uint8_t *p1,
	    size_t nblocks)
{
	const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
					    0x0405060700010203LL);
	__m128i abef, cdgh, abef1, cdgh1;

	SHA_LOAD_STATE(s0, abef, cdgh);
	SHA_LOAD_STATE(s1, abef1, cdgh1);
	while (nblocks--) {
		const __m128i abef0 = abef, cdgh0 = cdgh;
		const __m128i abef10 = abef1, cdgh10 = cdgh1;
		__m128i w[16], v[16];
		int i;

		for (i = 0; i < 4; i++) {
			w[i] = _mm_shuffle_epi8(
				_mm_loadu_si128((const __m128i *)(const void *)
							(p0 + 16 * i)),
				swap);
			v[i] = _mm_shuffle_epi8(
				_mm_loadu_si128((const __m128i *)(const void *)
							(p1 + 16 * i)),
				swap);
		}
		for (i = 0; i < 16; i++) {
			const __m128i k = _mm_loadu_si128(
				(const __m128i *)(const void *)(K + 4 * i));
			__m128i wk, vk;

			if (i >= 4) {
				w[i] = _mm_sha256msg2_epu32(
					_mm_add_epi32(
						_mm_sha256msg1_epu32(w[i - 4], w[i - 3]),
						_mm_alignr_epi8(w[i - 1], w[i - 2], 4)),
					w[i - 1]);
				v[i] = _mm_sha256msg2_epu32(
					_mm_add_epi32(
						_mm_sha256msg1_epu32(v[i - 4], v[i - 3]),
						_mm_alignr_epi8(v[i - 1], v[i - 2], 4)),
					v[i - 1]);
			}
			wk = _mm_add_epi32(w[i], k);
			vk = _mm_add_epi32(v[i], k);
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			cdgh1 = _mm_sha256rnds2_epu32(cdgh1, abef1, vk);
			abef = _mm_sha256rnds2_epu32(abef, cdgh,
						     _mm_shuffle_epi32(wk, 0x0E));
			abef1 = _mm_sha256rnds2_epu32(abef1, cdgh1,
						      _mm_shuffle_epi32(vk, 0x0E));
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
		abef1 = _mm_add_epi32(abef1, abef10);
		cdgh1 = _mm_add_epi32(cdgh1, cdgh10);
		p0 += 64;
		p1 += 64;
	}
	SHA_STORE_STATE(s0, abef, cdgh);
	SHA_STORE_STATE(s1, abef1, cdgh1);
}
#endif

static bool portable;

void pm_digest_portable(bool on)
{
	portable = on;
}

bool pm_digest_is_portable(void)
{
	return portable;
}

#if HAVE_SHA_NI
/* Asked of CPUID directly: older compilers (clang 14) do not know "sha"
 * as a __builtin_cpu_supports feature. Leaf 1 ECX bits 9 and 19 are
 * SSSE3 and SSE4.1; leaf 7 EBX bit 29 is the SHA extensions. */
static bool cpu_has_sha(void)
{
	static int known = -1; /* threads may race here, to the same answer */
	int k = __atomic_load_n(&known, __ATOMIC_RELAXED);
	unsigned a, b, c, d;

	if (k >= 0)
		return k;
	k = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 9)) &&
	    (c & (1u << 19)) && __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
	    (b & (1u << 29));
	__atomic_store_n(&known, k, __ATOMIC_RELAXED);
	return k;
}
#endif

void pm_sha256_blocks(uint32_t *s, const uint8_t *p, size_t nblocks)
{
#if HAVE_SHA_NI
	if (!portable && cpu_has_sha()) {
		blocks_sha(s, p, nblocks);
		return;
	}
#endif
	blocks_c(s, p, nblocks);
}

void pm_sha256_blocks2(uint32_t *s0, const uint8_t *p0, uint32_t *s1,
		       const uint8_t *p1, size_t nblocks)
{
#if HAVE_SHA_NI
	if (!portable && cpu_has_sha()) {
		blocks_sha2(s0, p0, s1, p1, nblocks);
		return;
	}
#endif
	blocks_c(s0, p0, nblocks);
	blocks_c(s1, p1, nblocks);
}
