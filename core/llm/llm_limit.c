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
    int max, in_flight, peak;
    int rated;
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

sk_llm_limit *sk_llm_limit_new(int max_in_flight, double rpm)
{
    sk_llm_limit *l = sk_xcalloc(1, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    l->max = max_in_flight > 0 ? max_in_flight : 1;
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

void sk_llm_limit_acquire(sk_llm_limit *l)
{
    pthread_mutex_lock(&l->mu);
    while (l->in_flight >= l->max)
        pthread_cond_wait(&l->cv, &l->mu);
    l->in_flight++;
    if (l->in_flight > l->peak)
        l->peak = l->in_flight;
    double wait = l->rated ? sk_llm_bucket_reserve(&l->bucket, now_s()) : 0;
    pthread_mutex_unlock(&l->mu);
    /* The token is reserved, so sleeping outside the lock keeps the order. */
    sleep_s(wait);
}

void sk_llm_limit_release(sk_llm_limit *l)
{
    pthread_mutex_lock(&l->mu);
    l->in_flight--;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

int sk_llm_limit_peak(sk_llm_limit *l)
{
    pthread_mutex_lock(&l->mu);
    int p = l->peak;
    pthread_mutex_unlock(&l->mu);
    return p;
}
