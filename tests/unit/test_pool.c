/*
 * Tests for the worker pool (run/pool.c): every item runs exactly once
 * across the workers, ordered pools give items back in submission order
 * whatever order they finish in, a cancel drops what has not started, one
 * thread and no thread, the bound on outstanding items, and the index
 * dispenser.  Items that must finish in a given order wait on gates
 * (atomics), never on time.
 */
#include <check.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "run/pool.h"
#include "run_suite.h"

#define MAX_ITEMS   4096
#define MAX_WORKERS 8

typedef struct item {
    size_t index;
    atomic_int runs;   /* times fn ran on it */
    atomic_int worker; /* the worker that ran it last */
    atomic_int *gate;  /* when set, fn waits until it is non-zero */
    atomic_int done;   /* set when fn returns */
    atomic_int *after; /* when set, fn waits until it is non-zero, too */
} item;

typedef struct ctx {
    item items[MAX_ITEMS];
    atomic_int per_worker[MAX_WORKERS];
    atomic_int started;    /* fn calls begun */
    atomic_int bad_worker; /* a worker index out of range was seen */
} ctx;

static void wait_for(atomic_int *flag)
{
    while (flag && !atomic_load(flag))
        sched_yield();
}

static void work(void *ud, int worker, void *it)
{
    ctx *c = ud;
    item *i = it;
    atomic_fetch_add(&c->started, 1);
    if (worker < 0 || worker >= MAX_WORKERS) {
        atomic_store(&c->bad_worker, 1); /* asserted on the test's thread */
        worker = 0;
    }
    wait_for(i->gate);
    wait_for(i->after);
    atomic_fetch_add(&i->runs, 1);
    atomic_store(&i->worker, worker);
    atomic_fetch_add(&c->per_worker[worker], 1);
    atomic_store(&i->done, 1);
}

static ctx *ctx_new(void)
{
    ctx *c = calloc(1, sizeof *c);
    ck_assert_ptr_nonnull(c);
    for (size_t i = 0; i < MAX_ITEMS; i++)
        c->items[i].index = i;
    return c;
}

/* Submit items [0, n), collecting whenever the pool is full, then collect
 * the rest; returns how many came back, each index noted in seen[]. */
static size_t feed_all(sk_pool *p, ctx *c, size_t n, int seen[], size_t order[])
{
    size_t got = 0;
    void *it;
    int ran;
    for (size_t i = 0; i < n; i++) {
        while (!sk_pool_has_room(p)) {
            ck_assert_int_eq(sk_pool_collect(p, &it, &ran, -1), 1);
            ck_assert_int_eq(ran, 1);
            seen[((item *)it)->index]++;
            if (order)
                order[got] = ((item *)it)->index;
            got++;
        }
        ck_assert_int_eq(sk_pool_submit(p, &c->items[i]), 0);
    }
    while (sk_pool_collect(p, &it, &ran, -1)) {
        ck_assert_int_eq(ran, 1);
        seen[((item *)it)->index]++;
        if (order)
            order[got] = ((item *)it)->index;
        got++;
    }
    return got;
}

START_TEST(each_item_exactly_once_across_workers)
{
    ctx *c = ctx_new();
    static int seen[MAX_ITEMS];
    memset(seen, 0, sizeof seen);
    sk_pool *p = sk_pool_new(4, 8, 0, work, c);
    ck_assert_int_eq(sk_pool_threads(p), 4);
    ck_assert_uint_eq(feed_all(p, c, MAX_ITEMS, seen, NULL), MAX_ITEMS);
    ck_assert_uint_eq(sk_pool_outstanding(p), 0);
    for (size_t i = 0; i < MAX_ITEMS; i++) {
        ck_assert_int_eq(seen[i], 1);
        ck_assert_int_eq(atomic_load(&c->items[i].runs), 1);
    }
    int total = 0;
    for (int w = 0; w < MAX_WORKERS; w++) {
        if (w >= 4)
            ck_assert_int_eq(atomic_load(&c->per_worker[w]), 0);
        total += atomic_load(&c->per_worker[w]);
    }
    ck_assert_int_eq(total, MAX_ITEMS);
    ck_assert_int_eq(atomic_load(&c->bad_worker), 0);
    sk_pool_free(p);
    free(c);
}
END_TEST

/* Item 0 cannot finish before item 1 has: an ordered pool still gives
 * back 0 first, an unordered one gives back 1 first. */
static void finish_out_of_order(unsigned flags, size_t first, size_t second)
{
    ctx *c = ctx_new();
    c->items[0].after = &c->items[1].done;
    sk_pool *p = sk_pool_new(2, 4, flags, work, c);
    ck_assert_int_eq(sk_pool_threads(p), 2);
    ck_assert_int_eq(sk_pool_submit(p, &c->items[0]), 0);
    ck_assert_int_eq(sk_pool_submit(p, &c->items[1]), 0);
    void *it;
    int ran = 0;
    ck_assert_int_eq(sk_pool_collect(p, &it, &ran, -1), 1);
    ck_assert_uint_eq(((item *)it)->index, first);
    ck_assert_int_eq(ran, 1);
    ck_assert_int_eq(sk_pool_collect(p, &it, &ran, -1), 1);
    ck_assert_uint_eq(((item *)it)->index, second);
    ck_assert_int_eq(sk_pool_collect(p, &it, &ran, -1), 0); /* nothing outstanding */
    sk_pool_free(p);
    free(c);
}

START_TEST(ordered_gives_back_in_submission_order)
{
    finish_out_of_order(SK_POOL_ORDERED, 0, 1);
    finish_out_of_order(0, 1, 0);

    /* and over many items and wraps of the ring */
    ctx *c = ctx_new();
    static int seen[MAX_ITEMS];
    static size_t order[MAX_ITEMS];
    memset(seen, 0, sizeof seen);
    sk_pool *p = sk_pool_new(3, 5, SK_POOL_ORDERED, work, c);
    ck_assert_uint_eq(feed_all(p, c, 1000, seen, order), 1000);
    for (size_t i = 0; i < 1000; i++) {
        ck_assert_uint_eq(order[i], i);
        ck_assert_int_eq(seen[i], 1);
    }
    sk_pool_free(p);
    free(c);
}
END_TEST

START_TEST(ordered_waits_for_the_oldest)
{
    /* Item 1 is done, item 0 is held: a collect that does not wait, or
     * waits a little, gets nothing. */
    ctx *c = ctx_new();
    atomic_int gate = 0;
    c->items[0].gate = &gate;
    sk_pool *p = sk_pool_new(2, 4, SK_POOL_ORDERED, work, c);
    sk_pool_submit(p, &c->items[0]);
    sk_pool_submit(p, &c->items[1]);
    wait_for(&c->items[1].done);
    void *it = NULL;
    ck_assert_int_eq(sk_pool_collect(p, &it, NULL, 0), 0);
    ck_assert_int_eq(sk_pool_collect(p, &it, NULL, 5), 0);
    ck_assert_uint_eq(sk_pool_outstanding(p), 2);
    atomic_store(&gate, 1);
    ck_assert_int_eq(sk_pool_collect(p, &it, NULL, -1), 1);
    ck_assert_ptr_eq(it, &c->items[0]);
    ck_assert_int_eq(sk_pool_collect(p, &it, NULL, -1), 1);
    ck_assert_ptr_eq(it, &c->items[1]);
    sk_pool_free(p);
    free(c);
}
END_TEST

static void stop_midway(unsigned flags)
{
    ctx *c = ctx_new();
    atomic_int gate = 0;
    c->items[0].gate = &gate;
    c->items[1].gate = &gate;
    sk_pool *p = sk_pool_new(2, 10, flags, work, c);
    for (size_t i = 0; i < 8; i++)
        ck_assert_int_eq(sk_pool_submit(p, &c->items[i]), 0);
    /* both workers hold an item at the gate; the other six are queued */
    while (atomic_load(&c->started) < 2)
        sched_yield();
    sk_pool_cancel(p);
    ck_assert_int_eq(sk_pool_submit(p, &c->items[8]), 0); /* after a cancel: dropped */
    atomic_store(&gate, 1);
    int seen[9] = {0}, ran_n = 0, dropped = 0;
    void *it;
    int ran;
    while (sk_pool_collect(p, &it, &ran, -1)) {
        size_t i = ((item *)it)->index;
        seen[i]++;
        ck_assert_int_eq(ran, atomic_load(&c->items[i].runs));
        ran ? ran_n++ : dropped++;
    }
    for (size_t i = 0; i < 9; i++)
        ck_assert_int_eq(seen[i], 1);
    ck_assert_int_eq(ran_n, 2);
    ck_assert_int_eq(dropped, 7);
    ck_assert_int_eq(atomic_load(&c->items[0].runs), 1);
    ck_assert_int_eq(atomic_load(&c->items[1].runs), 1);
    ck_assert_int_eq(atomic_load(&c->started), 2);
    sk_pool_free(p);
    free(c);
}

START_TEST(cancel_drops_what_has_not_started)
{
    stop_midway(0);
    stop_midway(SK_POOL_ORDERED);
}
END_TEST

START_TEST(free_with_items_outstanding)
{
    /* Freeing without collecting waits for running items and drops the
     * queued ones unrun. */
    ctx *c = ctx_new();
    sk_pool *p = sk_pool_new(2, 16, 0, work, c);
    for (size_t i = 0; i < 16; i++)
        sk_pool_submit(p, &c->items[i]);
    sk_pool_free(p);
    for (size_t i = 0; i < 16; i++)
        ck_assert_int_le(atomic_load(&c->items[i].runs), 1);
    free(c);
}
END_TEST

START_TEST(one_worker)
{
    ctx *c = ctx_new();
    static int seen[MAX_ITEMS];
    static size_t order[MAX_ITEMS];
    memset(seen, 0, sizeof seen);
    sk_pool *p = sk_pool_new(1, 3, 0, work, c);
    ck_assert_int_eq(sk_pool_threads(p), 1);
    ck_assert_uint_eq(feed_all(p, c, 500, seen, order), 500);
    for (size_t i = 0; i < 500; i++) {
        ck_assert_int_eq(seen[i], 1);
        ck_assert_uint_eq(order[i], i); /* one worker: FIFO even unordered */
        ck_assert_int_eq(atomic_load(&c->items[i].worker), 0);
    }
    ck_assert_int_eq(atomic_load(&c->per_worker[0]), 500);
    sk_pool_free(p);
    free(c);
}
END_TEST

START_TEST(no_thread_works_inline)
{
    ctx *c = ctx_new();
    sk_pool *p = sk_pool_new(0, 2, SK_POOL_ORDERED, work, c);
    ck_assert_int_eq(sk_pool_threads(p), 0);
    ck_assert_int_eq(sk_pool_submit(p, &c->items[0]), 0);
    ck_assert_int_eq(atomic_load(&c->items[0].runs), 1); /* before submit returned */
    ck_assert_int_eq(sk_pool_submit(p, &c->items[1]), 0);
    ck_assert_int_eq(sk_pool_submit(p, &c->items[2]), -1); /* full: collect first */
    ck_assert_int_eq(atomic_load(&c->items[2].runs), 0);
    void *it;
    int ran;
    ck_assert_int_eq(sk_pool_collect(p, &it, &ran, 0), 1);
    ck_assert_ptr_eq(it, &c->items[0]);
    ck_assert_int_eq(ran, 1);
    sk_pool_cancel(p);
    ck_assert_int_eq(sk_pool_submit(p, &c->items[2]), 0);
    ck_assert_int_eq(atomic_load(&c->items[2].runs), 0);
    ck_assert_int_eq(sk_pool_collect(p, &it, &ran, 0), 1);
    ck_assert_ptr_eq(it, &c->items[1]);
    ck_assert_int_eq(sk_pool_collect(p, &it, &ran, 0), 1);
    ck_assert_ptr_eq(it, &c->items[2]);
    ck_assert_int_eq(ran, 0);
    sk_pool_free(p);
    free(c);
}
END_TEST

START_TEST(full_pool_refuses_a_submit)
{
    ctx *c = ctx_new();
    atomic_int gate = 0;
    for (size_t i = 0; i < 3; i++)
        c->items[i].gate = &gate;
    sk_pool *p = sk_pool_new(2, 3, 0, work, c);
    for (size_t i = 0; i < 3; i++)
        ck_assert_int_eq(sk_pool_submit(p, &c->items[i]), 0);
    ck_assert(!sk_pool_has_room(p));
    ck_assert_int_eq(sk_pool_submit(p, &c->items[3]), -1);
    atomic_store(&gate, 1);
    void *it;
    ck_assert_int_eq(sk_pool_collect(p, &it, NULL, -1), 1);
    ck_assert(sk_pool_has_room(p));
    ck_assert_int_eq(sk_pool_submit(p, &c->items[3]), 0);
    while (sk_pool_collect(p, &it, NULL, -1))
        ;
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(atomic_load(&c->items[i].runs), 1);
    sk_pool_free(p);
    free(c);
}
END_TEST

typedef struct each_ctx {
    atomic_int hits[MAX_ITEMS];
    atomic_int bad_worker;
    int threads;
} each_ctx;

static void each_fn(void *ud, int worker, size_t i)
{
    each_ctx *e = ud;
    if (worker < 0 || worker >= e->threads)
        atomic_store(&e->bad_worker, 1);
    atomic_fetch_add(&e->hits[i], 1);
}

START_TEST(each_dispenses_every_index_once)
{
    static each_ctx e;
    size_t sizes[] = {0, 1, 3, MAX_ITEMS};
    int threads[] = {1, 2, 4, 8};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++)
        for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
            memset(&e, 0, sizeof e);
            e.threads = threads[t];
            int used = sk_pool_each(threads[t], sizes[k], each_fn, &e);
            ck_assert_int_ge(used, 1);
            ck_assert_int_le(used, threads[t]);
            if (sizes[k] && (size_t)threads[t] > sizes[k])
                ck_assert_int_le(used, (int)sizes[k]);
            ck_assert_int_eq(atomic_load(&e.bad_worker), 0);
            for (size_t i = 0; i < MAX_ITEMS; i++)
                ck_assert_int_eq(atomic_load(&e.hits[i]), i < sizes[k] ? 1 : 0);
        }
}
END_TEST

static Suite *pool_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("pool");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, each_item_exactly_once_across_workers);
    tcase_add_test(tc, ordered_gives_back_in_submission_order);
    tcase_add_test(tc, ordered_waits_for_the_oldest);
    tcase_add_test(tc, cancel_drops_what_has_not_started);
    tcase_add_test(tc, free_with_items_outstanding);
    tcase_add_test(tc, one_worker);
    tcase_add_test(tc, no_thread_works_inline);
    tcase_add_test(tc, full_pool_refuses_a_submit);
    tcase_add_test(tc, each_dispenses_every_index_once);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(pool_suite());
}
