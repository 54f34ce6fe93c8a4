/*
 * The in-flight semaphore and requests-per-minute bucket shared by every
 * LLM call in the process (see llm_limit.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "llm/llm_limit.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "base/util.h"

struct sk_llm_limit {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int in_flight, peak;
    int rated, adaptive;
    sk_llm_aimd aimd;
    sk_llm_bucket bucket;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void sk_llm_bucket_init(sk_llm_bucket *b, double rpm)
{
    b->rate = rpm / 60.0;
    b->capacity = b->rate > 1 ? b->rate : 1;
    b->tokens = b->capacity;
    b->last = -1;
}

double sk_llm_bucket_reserve(sk_llm_bucket *b, double now)
{
    if (b->last >= 0 && now > b->last) {
        b->tokens += (now - b->last) * b->rate;
        if (b->tokens > b->capacity)
            b->tokens = b->capacity;
    }
    if (b->last < 0 || now > b->last)
        b->last = now;
    b->tokens -= 1;
    return b->tokens >= 0 ? 0 : -b->tokens / b->rate;
}

void sk_llm_aimd_init(sk_llm_aimd *a, int max)
{
    a->max = max > 0 ? max : 1;
    a->cur = a->max;
    a->epoch = 0;
}

void sk_llm_aimd_done(sk_llm_aimd *a, unsigned long ticket, sk_llm_done how)
{
    if (how == SK_LLM_DONE_OK) {
        a->cur += 1.0 / a->cur;
        if (a->cur > a->max)
            a->cur = a->max;
    } else if (how == SK_LLM_DONE_OVERLOADED && ticket == a->epoch) {
        /* The requests in flight with this one were sent under the old
         * limit: their 429s say the same thing, so they lower it once. */
        a->cur = a->cur / 2 < 1 ? 1 : a->cur / 2;
        a->epoch++;
    }
}

int sk_llm_aimd_slots(const sk_llm_aimd *a)
{
    int n = (int)a->cur;
    return n < 1 ? 1 : n;
}

sk_llm_limit *sk_llm_limit_new(int max_in_flight, double rpm, int adaptive)
{
    sk_llm_limit *l = sk_xcalloc(1, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    sk_llm_aimd_init(&l->aimd, max_in_flight);
    l->adaptive = adaptive;
    l->rated = rpm > 0;
    if (l->rated)
        sk_llm_bucket_init(&l->bucket, rpm);
    return l;
}

void sk_llm_limit_free(sk_llm_limit *l)
{
    if (!l)
        return;
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

unsigned long sk_llm_limit_acquire(sk_llm_limit *l)
{
    pthread_mutex_lock(&l->mu);
    while (l->in_flight >= sk_llm_aimd_slots(&l->aimd))
        pthread_cond_wait(&l->cv, &l->mu);
    unsigned long ticket = l->aimd.epoch;
    l->in_flight++;
    if (l->in_flight > l->peak)
        l->peak = l->in_flight;
    double wait = l->rated ? sk_llm_bucket_reserve(&l->bucket, now_s()) : 0;
    pthread_mutex_unlock(&l->mu);
    /* The token is reserved, so sleeping outside the lock keeps the order. */
    sleep_s(wait);
    return ticket;
}

void sk_llm_limit_release(sk_llm_limit *l, unsigned long ticket, sk_llm_done how)
{
    pthread_mutex_lock(&l->mu);
    l->in_flight--;
    int before = sk_llm_aimd_slots(&l->aimd);
    if (l->adaptive)
        sk_llm_aimd_done(&l->aimd, ticket, how);
    /* A raised limit may let more than one waiter go. */
    if (sk_llm_aimd_slots(&l->aimd) > before)
        pthread_cond_broadcast(&l->cv);
    else
        pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

int sk_llm_limit_current(sk_llm_limit *l)
{
    pthread_mutex_lock(&l->mu);
    int n = sk_llm_aimd_slots(&l->aimd);
    pthread_mutex_unlock(&l->mu);
    return n;
}

long sk_llm_limit_decreases(sk_llm_limit *l)
{
    pthread_mutex_lock(&l->mu);
    long n = (long)l->aimd.epoch;
    pthread_mutex_unlock(&l->mu);
    return n;
}

int sk_llm_limit_peak(sk_llm_limit *l)
{
    pthread_mutex_lock(&l->mu);
    int p = l->peak;
    pthread_mutex_unlock(&l->mu);
    return p;
}
