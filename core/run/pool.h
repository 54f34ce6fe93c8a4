/*
 * The worker pool every multi-threaded path shares: `score` hands it
 * batches of lines and consumes them in file order, `run` hands it jobs of
 * cells and writes them as they finish, and the meta-evaluation dispenses
 * case indexes with sk_pool_each.
 *
 * A pool runs fn(ud, worker, item) for each submitted item on one of its
 * threads; worker (0 .. threads-1) picks the caller's per-thread state.  At
 * most `cap` items are outstanding (submitted and not yet collected), so
 * memory is bounded by what the caller puts in `cap` items, however long
 * the input.  Every submitted item comes back through sk_pool_collect
 * exactly once: ran = 1 when fn ran on it, 0 when a cancel dropped it
 * before it started.  Items are borrowed: the pool never reads or frees
 * them, and the caller must not touch one between submitting it and
 * collecting it.
 *
 * One thread (the caller's) submits, collects and cancels; fn runs on the
 * pool's threads.
 */
#ifndef SK_POOL_H
#define SK_POOL_H

#include <stddef.h>

typedef struct sk_pool sk_pool;

typedef void (*sk_pool_fn)(void *ud, int worker, void *item);

enum {
    SK_POOL_ORDERED = 1u << 0 /* collect in submission order, not completion order */
};

/* A pool of `threads` worker threads (0: no thread; sk_pool_submit runs fn
 * on the calling thread as worker 0, before it returns).  When no thread
 * can be started, the pool works on the calling thread as with 0;
 * sk_pool_threads says how many run.  cap >= 1.  Free with sk_pool_free. */
sk_pool *sk_pool_new(int threads, size_t cap, unsigned flags, sk_pool_fn fn, void *ud);

/* The number of worker threads running (0: work is done inline). */
int sk_pool_threads(const sk_pool *p);

/* Whether sk_pool_submit would return without waiting. */
int sk_pool_has_room(const sk_pool *p);

/* Items submitted and not yet collected. */
size_t sk_pool_outstanding(const sk_pool *p);

/* Queue item for a worker.  Returns 0, or -1 without taking the item when
 * `cap` items are outstanding: only collecting makes room, so the caller
 * collects first (or checks sk_pool_has_room).  After a cancel the item is
 * not run: it is collected with ran = 0. */
int sk_pool_submit(sk_pool *p, void *item);

/* Take a finished item: in ordered mode the oldest outstanding one once it
 * has finished, otherwise any finished one.  wait_ms < 0 waits as long as
 * anything is outstanding, 0 does not wait, > 0 waits at most that long.
 * Returns 1 with *item (and *ran when not NULL) set, 0 when none. */
int sk_pool_collect(sk_pool *p, void **item, int *ran, int wait_ms);

/* Stop starting items: those queued and those submitted later are
 * collected with ran = 0; items already running finish.  For SIGINT and
 * errors. */
void sk_pool_cancel(sk_pool *p);

/* Stop and join the threads, after waiting for running items.  Items not
 * collected are dropped unseen (the caller still owns them).  NULL is a
 * no-op. */
void sk_pool_free(sk_pool *p);

typedef void (*sk_pool_index_fn)(void *ud, int worker, size_t index);

/* Run fn(ud, worker, index) once for every index in [0, n) on up to
 * `threads` threads, the calling thread being worker 0, and return when all
 * are done.  Indexes are handed out in ascending order, one at a time.
 * Returns the number of threads that worked (>= 1; fewer when n is smaller
 * or a thread could not start). */
int sk_pool_each(int threads, size_t n, sk_pool_index_fn fn, void *ud);

#endif
