/* SPDX-License-Identifier: MIT */
/*
 * workq — a bounded queue between one producer thread and one consumer
 * thread, for two-stage pipelines (`casefile import`: one thread stores and
 * parses files while the other records them in the database).
 *
 * The queue holds at most max_items items and, beyond its first item, at
 * most max_cost of their summed cost (bytes held in memory, say): a single
 * item costlier than the bound still passes, alone.
 *
 * Closing: the consumer gives up with workq_close(); the producer's waiting
 * calls then return -1 at once and the items still queued stay for the
 * consumer to drain with workq_try_get().
 */
#ifndef CASEFILE_WORKQ_H
#define CASEFILE_WORKQ_H

#include <stddef.h>
#include <stdint.h>

struct workq;

/* max_items >= 1. */
struct workq *workq_new(size_t max_items, uint64_t max_cost);
/* Accepts NULL.  Items still queued are not freed (drain them first). */
void workq_free(struct workq *q);

/* Producer: wait for room, then queue item.  0, or -1 once closed (not queued). */
int workq_put(struct workq *q, void *item, uint64_t cost);

/* Items queued now (either side; a hint, it may change at once). */
size_t workq_count(struct workq *q);

/* Consumer: wait for the next item (never NULL: the producer queues an end marker). */
void *workq_get(struct workq *q);
/* Consumer: the next item if there is one, else NULL; never waits. */
void *workq_try_get(struct workq *q);
void workq_close(struct workq *q);

#endif
