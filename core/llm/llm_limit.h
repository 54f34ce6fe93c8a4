/*
 * The limits every LLM caller in the process shares: at most N requests in
 * flight (a counting semaphore) and, optionally, at most R requests per
 * minute (a token bucket that refills continuously and holds up to one
 * second's worth, at least one token, so bursts stay small).
 */
#ifndef SK_LLM_LIMIT_H
#define SK_LLM_LIMIT_H

typedef struct sk_llm_limit sk_llm_limit;

/* max_in_flight >= 1; rpm 0 = no rate limit.  Caller frees with
 * sk_llm_limit_free. */
sk_llm_limit *sk_llm_limit_new(int max_in_flight, double rpm);
void sk_llm_limit_free(sk_llm_limit *l);

/* Block until a request may start (a free slot, then a token); every
 * acquire is paired with one release when the request is over. */
void sk_llm_limit_acquire(sk_llm_limit *l);
void sk_llm_limit_release(sk_llm_limit *l);

/* The most requests that were in flight at once since sk_llm_limit_new. */
int sk_llm_limit_peak(sk_llm_limit *l);

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
