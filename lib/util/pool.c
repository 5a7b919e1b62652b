/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pool.c: worker threads over an array of jobs. */
#include <config.h>

#include "util/pool.h"

#include <pthread.h>

#include "util/banned.h"

struct pool {
	char *jobs;
	size_t n, size, next;
	const size_t *order;
	void (*fn)(void *job);
	pthread_mutex_t lock;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	size_t k;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		k = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->lock);
		if (k >= p->n)
			return NULL;
		p->fn(p->jobs + (p->order ? p->order[k] : k) * p->size);
	}
}

void pm_pool_run(void *jobs, size_t n, size_t size, void (*fn)(void *job),
		 unsigned threads, const size_t *order)
{
	struct pool p = { .jobs = jobs, .n = n, .size = size, .order = order,
			  .fn = fn };
	pthread_t th[PM_POOL_MAX_THREADS];
	unsigned t, started = 0;

	if (n == 0)
		return;
	if (threads > PM_POOL_MAX_THREADS)
		threads = PM_POOL_MAX_THREADS;
	if (threads > n)
		threads = (unsigned)n;
	pthread_mutex_init(&p.lock, NULL);
	for (t = 1; t < threads; t++)
		if (pthread_create(&th[started], NULL, worker, &p) == 0)
			started++;
	worker(&p);
	for (t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	pthread_mutex_destroy(&p.lock);
}
