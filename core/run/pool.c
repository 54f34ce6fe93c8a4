/*
 * The worker pool (see pool.h).  One mutex guards everything: items are
 * batches or jobs of many rows, so a worker takes the lock twice per
 * thousands of scorer calls and contention does not show.
 */
#include "run/pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "base/util.h"

enum { SLOT_BUSY, SLOT_RAN, SLOT_DROPPED };

typedef struct pool_thread {
    sk_pool *p;
    int index;
    pthread_t thread;
} pool_thread;

struct sk_pool {
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    sk_pool_fn fn;
    void *ud;
    unsigned flags;
    size_t cap;
    int nthreads;
    pool_thread *threads;
    int stop, cancelled;
    size_t outstanding;
    /* Queued, not started: a FIFO of items with their sequence numbers. */
    void **queue;
    size_t *queue_seq;
    size_t qhead, qlen;
    /* Ordered: the state and item of each outstanding sequence number, at
     * seq % cap; head is the oldest uncollected, tail the next to submit. */
    unsigned char *slot_state;
    void **slot_item;
    size_t head, tail;
    /* Unordered: finished items waiting to be collected, a FIFO. */
    void **fin;
    unsigned char *fin_ran;
    size_t fhead, flen;
};

/* With mu held. */
static void finish(sk_pool *p, void *item, size_t seq, int ran)
{
    if (p->flags & SK_POOL_ORDERED) {
        p->slot_state[seq % p->cap] = ran ? SLOT_RAN : SLOT_DROPPED;
    } else {
        size_t at = (p->fhead + p->flen++) % p->cap;
        p->fin[at] = item;
        p->fin_ran[at] = (unsigned char)ran;
    }
    pthread_cond_broadcast(&p->done_cv);
}

static void *pool_main(void *arg)
{
    pool_thread *t = arg;
    sk_pool *p = t->p;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->qlen && !p->stop)
            pthread_cond_wait(&p->work_cv, &p->mu);
        if (!p->qlen)
            break;
        void *item = p->queue[p->qhead];
        size_t seq = p->queue_seq[p->qhead];
        p->qhead = (p->qhead + 1) % p->cap;
        p->qlen--;
        pthread_mutex_unlock(&p->mu);
        p->fn(p->ud, t->index, item);
        pthread_mutex_lock(&p->mu);
        finish(p, item, seq, 1);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

sk_pool *sk_pool_new(int threads, size_t cap, unsigned flags, sk_pool_fn fn, void *ud)
{
    sk_pool *p = sk_xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    p->fn = fn;
    p->ud = ud;
    p->flags = flags;
    p->cap = cap ? cap : 1;
    p->queue = sk_xcalloc(p->cap, sizeof *p->queue);
    p->queue_seq = sk_xcalloc(p->cap, sizeof *p->queue_seq);
    if (flags & SK_POOL_ORDERED) {
        p->slot_state = sk_xcalloc(p->cap, 1);
        p->slot_item = sk_xcalloc(p->cap, sizeof *p->slot_item);
    } else {
        p->fin = sk_xcalloc(p->cap, sizeof *p->fin);
        p->fin_ran = sk_xcalloc(p->cap, 1);
    }
    if (threads > 0) {
        p->threads = sk_xcalloc((size_t)threads, sizeof *p->threads);
        /* Threads start after the fields they read are set: creating one
         * orders those writes before it runs. */
        for (; p->nthreads < threads; p->nthreads++) {
            pool_thread *t = &p->threads[p->nthreads];
            t->p = p;
            t->index = p->nthreads;
            if (pthread_create(&t->thread, NULL, pool_main, t))
                break;
        }
    }
    return p;
}

int sk_pool_threads(const sk_pool *p)
{
    return p->nthreads;
}

int sk_pool_has_room(const sk_pool *p)
{
    /* outstanding changes only on the caller's thread: no lock needed */
    return p->outstanding < p->cap;
}

size_t sk_pool_outstanding(const sk_pool *p)
{
    return p->outstanding;
}

int sk_pool_submit(sk_pool *p, void *item)
{
    if (p->outstanding >= p->cap)
        return -1;
    pthread_mutex_lock(&p->mu);
    size_t seq = p->tail++;
    p->outstanding++;
    if (p->flags & SK_POOL_ORDERED) {
        p->slot_state[seq % p->cap] = SLOT_BUSY;
        p->slot_item[seq % p->cap] = item;
    }
    if (p->cancelled) {
        finish(p, item, seq, 0);
    } else if (p->nthreads == 0) {
        pthread_mutex_unlock(&p->mu);
        p->fn(p->ud, 0, item);
        pthread_mutex_lock(&p->mu);
        finish(p, item, seq, 1);
    } else {
        size_t at = (p->qhead + p->qlen++) % p->cap;
        p->queue[at] = item;
        p->queue_seq[at] = seq;
        pthread_cond_signal(&p->work_cv);
    }
    pthread_mutex_unlock(&p->mu);
    return 0;
}

/* With mu held: take the next collectable item, if there is one. */
static int take(sk_pool *p, void **item, int *ran)
{
    int r;
    if (p->flags & SK_POOL_ORDERED) {
        if (p->head == p->tail || p->slot_state[p->head % p->cap] == SLOT_BUSY)
            return 0;
        *item = p->slot_item[p->head % p->cap];
        r = p->slot_state[p->head % p->cap] == SLOT_RAN;
        p->head++;
    } else {
        if (!p->flen)
            return 0;
        *item = p->fin[p->fhead];
        r = p->fin_ran[p->fhead];
        p->fhead = (p->fhead + 1) % p->cap;
        p->flen--;
    }
    p->outstanding--;
    if (ran)
        *ran = r;
    return 1;
}

int sk_pool_collect(sk_pool *p, void **item, int *ran, int wait_ms)
{
    struct timespec until;
    if (wait_ms > 0) {
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += wait_ms / 1000;
        until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&p->mu);
    int got;
    while (!(got = take(p, item, ran)) && p->outstanding && wait_ms != 0) {
        if (wait_ms < 0)
            pthread_cond_wait(&p->done_cv, &p->mu);
        else if (pthread_cond_timedwait(&p->done_cv, &p->mu, &until) == ETIMEDOUT) {
            got = take(p, item, ran);
            break;
        }
    }
    pthread_mutex_unlock(&p->mu);
    return got;
}

void sk_pool_cancel(sk_pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->cancelled = 1;
    for (; p->qlen; p->qlen--, p->qhead = (p->qhead + 1) % p->cap)
        finish(p, p->queue[p->qhead], p->queue_seq[p->qhead], 0);
    pthread_mutex_unlock(&p->mu);
}

void sk_pool_free(sk_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    p->qlen = 0; /* not started: dropped unseen */
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i].thread, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work_cv);
    pthread_cond_destroy(&p->done_cv);
    free(p->threads);
    free(p->queue);
    free(p->queue_seq);
    free(p->slot_state);
    free(p->slot_item);
    free(p->fin);
    free(p->fin_ran);
    free(p);
}

/* sk_pool_each: an index dispenser, no queue. */
typedef struct each {
    sk_pool_index_fn fn;
    void *ud;
    size_t n;
    atomic_size_t next;
} each;

typedef struct each_thread {
    each *e;
    int index;
    pthread_t thread;
} each_thread;

static void *each_main(void *arg)
{
    each_thread *t = arg;
    each *e = t->e;
    for (size_t i; (i = atomic_fetch_add(&e->next, 1)) < e->n;)
        e->fn(e->ud, t->index, i);
    return NULL;
}

int sk_pool_each(int threads, size_t n, sk_pool_index_fn fn, void *ud)
{
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > n)
        threads = n ? (int)n : 1;
    each e = {fn, ud, n, 0};
    each_thread *t = sk_xcalloc((size_t)threads, sizeof *t);
    int started = 1;
    for (; started < threads; started++) {
        t[started].e = &e;
        t[started].index = started;
        if (pthread_create(&t[started].thread, NULL, each_main, &t[started]))
            break;
    }
    t[0].e = &e;
    each_main(&t[0]); /* the calling thread is worker 0 */
    for (int i = 1; i < started; i++)
        pthread_join(t[i].thread, NULL);
    free(t);
    return started;
}
