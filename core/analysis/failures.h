/*
 * What an experiment's failing rows are, and what they have in common,
 * computed rather than guessed (`scorekit failures`).
 *
 * A row fails by its verdict across trials: every scorer with a threshold
 * reduces its trials by its recorded reducer (base/reducer.h), and a row
 * fails when one of them fails; an error in any trial (the task's or a
 * scorer's) is no verdict, and such rows are counted apart, never as
 * failures.  With a scorer and a bar instead, a row fails when that
 * scorer's mean over its trials is below the bar.
 *
 * What they share: for every metadata key (every top-level key, or those
 * asked for) and for traits of the texts (output and input length, empty,
 * refusal-like or JSON-shaped output, the output's script), each value's
 * failure rate against the other rows' by Fisher's exact test, with
 * Benjamini-Hochberg over every test made; a value is a pattern when its q
 * is at most the bar and it fails more often than the rest.  Words typical
 * of failing inputs and outputs come from the weighted log-odds ratio with
 * the whole experiment's words as the prior.  And per metadata key, each
 * value's pass rate with its Wilson interval, worst first.
 */
#ifndef SK_FAILURES_H
#define SK_FAILURES_H

#include <stddef.h>

#include "analysis/terms.h"
#include "base/reducer.h"
#include "store/experiment.h"
#include "store/store.h"

typedef struct sk_fail_opts {
    const char *scorer; /* with below: fail when its mean is below; NULL: the thresholds */
    double below;
    const char *const *by; /* metadata keys ("topic", "a.b"); nby 0: every top-level key */
    size_t nby;
    double q;     /* false discovery rate of a pattern; 0: 0.05 */
    size_t terms; /* distinctive words listed per side; 0: 10 */
} sk_fail_opts;

/* One scorer over a row's trials. */
typedef struct sk_fail_score {
    unsigned scored, errors, pass, fail; /* pass/fail: against its threshold */
    double mean, min;                    /* over scored trials; NAN when none */
    char *rationale;                     /* of its lowest-scoring trial, or NULL */
    char *error;                         /* the first error's message, or NULL */
} sk_fail_score;

typedef struct sk_fail_row {
    char *id;
    char *input_json, *expected_json, *metadata_json; /* expected/metadata may be NULL */
    char *output_json;                                /* the first trial's; NULL on a task error */
    char *task_error;                                 /* the first one, or NULL */
    unsigned trials;
    double overall, overall_min, overall_max; /* over the trials with one; NAN when none */
    sk_fail_score *s;                         /* per scorer */
    int verdict;                              /* SK_ROW_PASS, SK_ROW_FAIL, SK_ROW_NO_VERDICT */
} sk_fail_row;

/* One value of one key, against every other row with a verdict. */
typedef struct sk_fail_test {
    char *key;   /* "metadata.topic", "output length", ... */
    char *value; /* as text */
    long fail_in, n_in, fail_out, n_out;
    double lift; /* its failure rate over the overall rate; NAN when no row fails */
    double p, q;
    int pattern;
} sk_fail_test;

typedef struct sk_fail_segment {
    char *key, *value;
    long pass, n;  /* rows with a verdict */
    double lo, hi; /* 95% Wilson interval of the pass rate */
} sk_fail_segment;

typedef struct sk_failures {
    sk_experiment e; /* for logs: id the rule (or "logs"), trials 1 */
    char *what;      /* "experiment ID", "the logs of rule R": for messages */
    size_t nscorers;
    char **scorers;
    int *has_threshold;
    double *threshold;
    sk_reducer *reducer;
    size_t nrows;
    sk_fail_row *rows; /* in dataset order */
    size_t nfailing;
    size_t *failing;            /* indices into rows, lowest overall first */
    size_t passing, no_verdict; /* rows */
    size_t ntests;
    sk_fail_test *tests; /* patterns first (by q, then lift), then the rest by q */
    size_t nin_terms, nout_terms;
    sk_fail_term *in_terms, *out_terms; /* by z, largest first */
    size_t nsegments;
    sk_fail_segment *segments; /* by key, each key's values worst first */
    double q;                  /* the bar used */
} sk_failures;

/* The failures of experiment exp_ref (an id or a unique prefix).  On
 * success *out is the analysis (free with sk_failures_free).  Errors:
 * SK_ENOTFOUND for an unknown experiment or scorer, SK_EINVAL when nothing
 * decides a failure (no scorer has a threshold and no --scorer was given),
 * SK_EIO for the store. */
int sk_failures_find(sk_store *st, const char *exp_ref, const sk_fail_opts *o, sk_failures **out,
                     char **err);
/* The same over the logs the online rules scored (rule NULL: every
 * rule), each log a row, each rule's scorer a scorer named "RULE/SCORER"
 * with the threshold it had.  SK_ENOTFOUND when there are no verdicts. */
int sk_failures_find_logs(sk_store *st, const char *rule, const sk_fail_opts *o, sk_failures **out,
                          char **err);
void sk_failures_free(sk_failures *f);

#endif
