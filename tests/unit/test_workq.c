/* SPDX-License-Identifier: MIT */
/*
 * test_workq — the bounded producer/consumer queue: order across threads,
 * the item and cost bounds, and closing.
 */
#include "testutil.h"

#include <pthread.h>
#include <time.h>

#include "casefile/workq.h"

#define N 20000

struct prod {
	struct workq *q;
	size_t count;		/* items to queue (as 1..count) */
	uint64_t cost;		/* cost of each */
	int failed_at;		/* item whose put returned -1, or 0 */
	volatile size_t queued;	/* read by the test after joins only, or as a hint */
};

static void *
producer(void *arg)
{
	struct prod *p = arg;
	size_t i;

	for (i = 1; i <= p->count; i++) {
		if (workq_put(p->q, (void *)(uintptr_t)i, p->cost) < 0) {
			p->failed_at = (int)i;
			return NULL;
		}
		__atomic_store_n(&p->queued, i, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void
nap(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* Wait (up to 10 s) until n items are queued, then a little longer. */
static void
wait_count(struct workq *q, size_t n)
{
	int i;

	for (i = 0; i < 500 && workq_count(q) < n; i++)
		nap();
	nap();
	assert_int_equal(workq_count(q), n);
}

static void
test_fifo_across_threads(void **state)
{
	struct workq *q = workq_new(8, 1000);
	struct prod p = { q, N, 1, 0, 0 };
	pthread_t t;
	size_t i;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, producer, &p), 0);
	for (i = 1; i <= N; i++)
		assert_int_equal((uintptr_t)workq_get(q), i);
	pthread_join(t, NULL);
	assert_int_equal(p.failed_at, 0);
	assert_null(workq_try_get(q));
	workq_free(q);
}

static void
test_item_bound(void **state)
{
	struct workq *q = workq_new(3, UINT64_MAX);
	struct prod p = { q, 10, 0, 0, 0 };
	pthread_t t;
	size_t i;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, producer, &p), 0);
	/* the producer is stuck with 3 queued */
	wait_count(q, 3);
	assert_int_equal(__atomic_load_n(&p.queued, __ATOMIC_SEQ_CST), 3);
	for (i = 1; i <= 10; i++)
		assert_int_equal((uintptr_t)workq_get(q), i);
	pthread_join(t, NULL);
	workq_free(q);
}

static void
test_cost_bound(void **state)
{
	struct workq *q = workq_new(100, 10);
	struct prod p = { q, 3, 25, 0, 0 };	/* each costs more than the bound */
	pthread_t t;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, producer, &p), 0);
	/* a costly item passes, but alone */
	wait_count(q, 1);
	assert_int_equal((uintptr_t)workq_get(q), 1);
	wait_count(q, 1);
	assert_int_equal((uintptr_t)workq_get(q), 2);
	assert_int_equal((uintptr_t)workq_get(q), 3);
	pthread_join(t, NULL);
	workq_free(q);

	/* cheap items share the bound: 10 / 4 -> two queued */
	q = workq_new(100, 10);
	p.q = q;
	p.count = 5;
	p.cost = 4;
	p.queued = 0;
	assert_int_equal(pthread_create(&t, NULL, producer, &p), 0);
	wait_count(q, 2);
	assert_int_equal((uintptr_t)workq_get(q), 1);
	assert_int_equal((uintptr_t)workq_get(q), 2);
	assert_int_equal((uintptr_t)workq_get(q), 3);
	assert_int_equal((uintptr_t)workq_get(q), 4);
	assert_int_equal((uintptr_t)workq_get(q), 5);
	pthread_join(t, NULL);
	workq_free(q);
}

static void
test_close_wakes_producer(void **state)
{
	struct workq *q = workq_new(2, 100);
	struct prod p = { q, 10, 1, 0, 0 };
	pthread_t t;

	(void)state;
	/* blocked for room */
	assert_int_equal(pthread_create(&t, NULL, producer, &p), 0);
	wait_count(q, 2);
	workq_close(q);
	pthread_join(t, NULL);
	assert_int_equal(p.failed_at, 3);
	/* what was queued stays for the drain */
	assert_int_equal((uintptr_t)workq_try_get(q), 1);
	assert_int_equal((uintptr_t)workq_try_get(q), 2);
	assert_null(workq_try_get(q));
	assert_int_equal(workq_put(q, &p, 0), -1);
	workq_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_across_threads),
		cmocka_unit_test(test_item_bound),
		cmocka_unit_test(test_cost_bound),
		cmocka_unit_test(test_close_wakes_producer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
