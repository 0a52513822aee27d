/* SPDX-License-Identifier: MIT */
/*
 * workq — bounded producer/consumer queue (contract in workq.h).  A ring of
 * pointers under one mutex; `room` wakes the producer, `ready` the consumer.
 */
#include <pthread.h>
#include <stdlib.h>

#include "casefile/err.h"
#include "casefile/workq.h"
#include "casefile/xalloc.h"

struct workq {
	pthread_mutex_t mu;
	pthread_cond_t room, ready;
	void **item;
	uint64_t *cost;
	size_t cap, head, n;
	uint64_t max_cost, queued_cost;
	int closed;
};

struct workq *
workq_new(size_t max_items, uint64_t max_cost)
{
	struct workq *q = xcalloc(1, sizeof(*q));

	if (max_items == 0)
		CF_BUG("workq_new with no room");
	q->cap = max_items;
	q->max_cost = max_cost;
	q->item = xcalloc(max_items, sizeof(*q->item));
	q->cost = xcalloc(max_items, sizeof(*q->cost));
	if (pthread_mutex_init(&q->mu, NULL) != 0 || pthread_cond_init(&q->room, NULL) != 0 ||
	    pthread_cond_init(&q->ready, NULL) != 0)
		CF_BUG("cannot initialise a mutex or condition variable");
	return q;
}

void
workq_free(struct workq *q)
{
	if (q == NULL)
		return;
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->room);
	pthread_cond_destroy(&q->ready);
	free(q->item);
	free(q->cost);
	free(q);
}

/* Called with mu held. */
static int
has_room(const struct workq *q, uint64_t cost)
{
	if (q->n == 0)
		return 1;
	return q->n < q->cap && q->queued_cost + cost <= q->max_cost;
}

int
workq_put(struct workq *q, void *item, uint64_t cost)
{
	pthread_mutex_lock(&q->mu);
	while (!q->closed && !has_room(q, cost))
		pthread_cond_wait(&q->room, &q->mu);
	if (q->closed) {
		pthread_mutex_unlock(&q->mu);
		return -1;
	}
	q->item[(q->head + q->n) % q->cap] = item;
	q->cost[(q->head + q->n) % q->cap] = cost;
	q->n++;
	q->queued_cost += cost;
	pthread_cond_signal(&q->ready);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

/* Called with mu held and n > 0. */
static void *
take(struct workq *q)
{
	void *it = q->item[q->head];

	q->queued_cost -= q->cost[q->head];
	q->head = (q->head + 1) % q->cap;
	q->n--;
	pthread_cond_signal(&q->room);
	return it;
}

void *
workq_get(struct workq *q)
{
	void *it;

	pthread_mutex_lock(&q->mu);
	while (q->n == 0)
		pthread_cond_wait(&q->ready, &q->mu);
	it = take(q);
	pthread_mutex_unlock(&q->mu);
	return it;
}

void *
workq_try_get(struct workq *q)
{
	void *it = NULL;

	pthread_mutex_lock(&q->mu);
	if (q->n > 0)
		it = take(q);
	pthread_mutex_unlock(&q->mu);
	return it;
}

size_t
workq_count(struct workq *q)
{
	size_t n;

	pthread_mutex_lock(&q->mu);
	n = q->n;
	pthread_mutex_unlock(&q->mu);
	return n;
}

void
workq_close(struct workq *q)
{
	pthread_mutex_lock(&q->mu);
	q->closed = 1;
	pthread_cond_broadcast(&q->room);
	pthread_mutex_unlock(&q->mu);
}
