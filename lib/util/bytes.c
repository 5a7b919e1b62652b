/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bytes.c: a growing byte buffer. */
#include <config.h>

#include "util/bytes.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

void pm_bytes_put(struct pm_bytes *b, const void *data, size_t n)
{
	if (b->failed || n == 0)
		return;
	if (n > b->cap - b->n) {
		size_t cap = b->cap ? b->cap : 1024;
		uint8_t *p;

		while (cap - b->n < n) {
			if (cap > SIZE_MAX / 2) {
				b->failed = true;
				return;
			}
			cap *= 2;
		}
		p = realloc(b->p, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, data, n);
	b->n += n;
}
