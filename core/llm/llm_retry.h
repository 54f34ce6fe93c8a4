/*
 * When to retry an LLM request and how long to wait first: which failures
 * are worth another attempt, exponential backoff with full jitter (a
 * uniformly random wait up to the exponential ceiling, so many workers hit
 * by the same 429 do not come back in lockstep), and the server's
 * Retry-After header in either of its forms.
 */
#ifndef SK_LLM_RETRY_H
#define SK_LLM_RETRY_H

#include <stdint.h>
#include <time.h>

/* 1 when a request that ended with this HTTP status (0: no response, a
 * connection error or timeout) deserves another attempt: 408, 409, 425,
 * 429, every 5xx, and no response at all. */
int sk_llm_retryable(long status);

/* The wait before retry number `retry` (1 for the first retry): a uniform
 * draw in [0, min(cap_ms, base_ms * 2^(retry-1))].  *rng is the state of a
 * small xorshift generator (any non-zero seed). */
double sk_llm_backoff_ms(int retry, double base_ms, double cap_ms, uint64_t *rng);

/* Parse a Retry-After value: delta seconds ("120") or an HTTP date
 * ("Wed, 21 Oct 2015 07:28:00 GMT"), relative to now.  Returns 0 with
 * *seconds (never negative), or -1 when the value is neither. */
int sk_llm_retry_after_parse(const char *value, time_t now, double *seconds);

/* The wait before the next attempt: the server's Retry-After when it gave
 * one (retry_after_s >= 0), else the jittered backoff. */
double sk_llm_retry_wait_ms(int retry, double retry_after_s, double base_ms, double cap_ms,
                            uint64_t *rng);

#endif
