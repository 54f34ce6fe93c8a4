/*
 * The limits every LLM caller of one client shares: at most N requests in
 * flight (a counting semaphore) and, optionally, at most R requests per
 * minute (a token bucket that refills continuously and holds up to one
 * second's worth, at least one token, so bursts stay small).
 *
 * N adapts (when asked) to what the server takes: an overloaded reply (429,
 * 503, 529) halves it, at most once for the requests that were already in
 * flight together, and each success raises it by 1/N, so it climbs back by
 * about one per round of N requests, never above max_in_flight.  Without
 * this, a provider's rate limit turns a burst of concurrent requests into
 * a burst of 429s, each retried after a back-off, and results arrive
 * slower than at the rate the server would have served.
 */
#ifndef SK_LLM_LIMIT_H
#define SK_LLM_LIMIT_H

typedef struct sk_llm_limit sk_llm_limit;

/* max_in_flight >= 1; rpm 0 = no rate limit; adaptive 0 keeps N at
 * max_in_flight.  Caller frees with sk_llm_limit_free. */
sk_llm_limit *sk_llm_limit_new(int max_in_flight, double rpm, int adaptive);
void sk_llm_limit_free(sk_llm_limit *l);

/* How a request ended, for the adaptive limit. */
typedef enum { SK_LLM_DONE_OK, SK_LLM_DONE_OVERLOADED, SK_LLM_DONE_OTHER } sk_llm_done;

/* Block until a request may start (a free slot under the current limit,
 * then a token); returns a ticket to give back with the one release that
 * ends the request. */
unsigned long sk_llm_limit_acquire(sk_llm_limit *l);
void sk_llm_limit_release(sk_llm_limit *l, unsigned long ticket, sk_llm_done how);

/* The current in-flight limit (max_in_flight unless the server pushed back),
 * and the times it was lowered. */
int sk_llm_limit_current(sk_llm_limit *l);
long sk_llm_limit_decreases(sk_llm_limit *l);

/* The most requests that were in flight at once since sk_llm_limit_new. */
int sk_llm_limit_peak(sk_llm_limit *l);

/* The adaptive limit alone (no threads, no clock), so it can be tested
 * step by step.  `epoch` counts the decreases; a ticket is the epoch a
 * request started in, and only a request that started after the last
 * decrease may cause the next one. */
typedef struct sk_llm_aimd {
    double cur;
    int max;
    unsigned long epoch;
} sk_llm_aimd;
void sk_llm_aimd_init(sk_llm_aimd *a, int max);
void sk_llm_aimd_done(sk_llm_aimd *a, unsigned long ticket, sk_llm_done how);
/* The whole number of requests that may be in flight now (>= 1). */
int sk_llm_aimd_slots(const sk_llm_aimd *a);

/* The token bucket alone, with the clock passed in so it can be tested
 * without waiting.  reserve takes one token at time `now` (seconds) and
 * returns how long the caller must wait before using it (0 when one was
 * there); tokens may go negative, which queues callers in order. */
typedef struct sk_llm_bucket {
    double rate;     /* tokens per second */
    double capacity; /* most tokens held */
    double tokens;
    double last; /* time of the last refill; < 0 before the first */
} sk_llm_bucket;
void sk_llm_bucket_init(sk_llm_bucket *b, double rpm);
double sk_llm_bucket_reserve(sk_llm_bucket *b, double now);

#endif
