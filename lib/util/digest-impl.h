/* SPDX-License-Identifier: GPL-3.0-or-later */
/* digest-impl.h: the compression functions behind util/digest.h. */
#ifndef PM_DIGEST_IMPL_H
#define PM_DIGEST_IMPL_H

#include "util/digest.h"

/* Hash `nblocks` whole 64-byte blocks into the state (4 or 8 words). */
void pm_md5_blocks(uint32_t *state, const uint8_t *p, size_t nblocks);
void pm_sha256_blocks(uint32_t *state, const uint8_t *p, size_t nblocks);

#endif
