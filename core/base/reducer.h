/*
 * How a row's trials add up to one pass/fail verdict for a scorer (a pack
 * entry's "reducer"): by the mean score against the threshold (the
 * default), by a majority of the trials, or by the worst or best trial.
 * "pass^k" (every trial passes) is "min" and "pass@k" (some trial passes)
 * is "max" by another name, for pass/fail scorers.  `compare` and its gates
 * use it; scores themselves are still averaged over trials.
 */
#ifndef SK_REDUCER_H
#define SK_REDUCER_H

typedef enum sk_reducer {
    SK_REDUCE_MEAN = 0,
    SK_REDUCE_MAJORITY,
    SK_REDUCE_MIN,
    SK_REDUCE_MAX,
    SK_REDUCE_PASS_ALL, /* "pass^k" */
    SK_REDUCE_PASS_ANY  /* "pass@k" */
} sk_reducer;

/* The reducer named `name` into *out: returns 0, or -1 for an unknown name. */
int sk_reducer_parse(const char *name, sk_reducer *out);
/* Its name, as a pack writes it. */
const char *sk_reducer_name(sk_reducer r);
/* The names, for messages: "mean, majority, min, max, pass^k, pass@k". */
const char *sk_reducer_names(void);

/* The verdict of a row's scored trials: `pass` of them at or above the
 * threshold, `fail` below it, `mean` their mean.  1 pass, 0 fail; with no
 * scored trial, 0 (callers treat that row as having no verdict first). */
int sk_reducer_pass(sk_reducer r, unsigned pass, unsigned fail, double mean, double threshold);

#endif
