/* SPDX-License-Identifier: GPL-3.0-or-later */
/* digest-impl.h: the compression functions behind util/digest.h. */
#ifndef PM_DIGEST_IMPL_H
#define PM_DIGEST_IMPL_H

#include "util/digest.h"

/* Hash `nblocks` whole 64-byte blocks into the state (4 or 8 words). */
void pm_md5_blocks(uint32_t *state, const uint8_t *p, size_t nblocks);
/* Two messages' next `nblocks` blocks each, interleaved (faster than one
 * after the other). */
void pm_md5_blocks2(uint32_t *s0, const uint8_t *p0, uint32_t *s1,
		    const uint8_t *p1, size_t nblocks);
void pm_sha256_blocks(uint32_t *state, const uint8_t *p, size_t nblocks);
/* Two messages' next `nblocks` blocks at once (faster than one by one). */
void pm_sha256_blocks2(uint32_t *s0, const uint8_t *p0, uint32_t *s1,
		       const uint8_t *p1, size_t nblocks);

/* Whether pm_digest_portable() asked for the baseline code. */
bool pm_digest_is_portable(void);

/*
 * MD5 of PM_MD5_LANES messages at once: lane j's state is
 * state[0..3][j], and its next `nblocks` whole blocks are at p[j].  Vector code: AVX2 where
 * the CPU has it and the baseline vectors (SSE2 on x86-64) otherwise or
 * when portable; one lane after another without vector support.
 */
#define PM_MD5_LANES 16
void pm_md5_blocks_lanes(uint32_t state[4][PM_MD5_LANES],
			 const uint8_t *const p[PM_MD5_LANES], size_t nblocks);

#endif
