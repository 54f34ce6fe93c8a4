/*
 * What a scorer said about one case: a score, skipped (not applicable), or
 * an error.  The store records it, the engine produces it, the analysis
 * counts it; so the kinds live below all three.
 */
#ifndef SK_VERDICT_H
#define SK_VERDICT_H

typedef enum sk_verdict {
    SK_VERDICT_NONE = 0, /* the scorer reported nothing (becomes an error) */
    SK_VERDICT_SCORE,
    SK_VERDICT_SKIP,
    SK_VERDICT_ERROR
} sk_verdict;

#endif
