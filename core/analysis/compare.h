/*
 * Comparing two experiments: rows paired by id, each row's trials
 * averaged first, then per scorer the paired difference of the means with
 * a bootstrap and a t confidence interval, the rows that improved or
 * regressed beyond their own trial noise, pass/fail flips against the
 * scorer's recorded threshold (a side with no verdict, see sk_row_verdict,
 * is counted apart and is never a flip), and a verdict that says "not
 * distinguishable from noise" whenever the interval includes 0.  The same
 * figures can be broken down by metadata segments, and a gate turns the
 * verdicts into a CI decision.
 *
 * A row counts as improved (regressed) for a scorer when its mean moved up
 * (down) by more than max(epsilon, 1.96 * SE), SE being the standard error
 * of the difference of its two trial means (zero with one trial a side).
 * A scorer's verdict is improved (regressed) only when both the bootstrap
 * and the t-interval of the mean difference lie wholly above (below) 0:
 * so a change that makes different rows fail at the same overall rate
 * lists those rows as regressed, but is not a regression of the scorer.
 *
 * Threads: all functions take a store opened by the calling thread.
 */
#ifndef SK_COMPARE_H
#define SK_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/config_diff.h"
#include "base/reducer.h"
#include "store/experiment.h"
#include "store/store.h"

#define SK_COMPARE_EPSILON   0.01 /* default per-row change threshold */
#define SK_COMPARE_RESAMPLES 5000
#define SK_COMPARE_SEED      0x5c0e5eedULL
#define SK_COMPARE_SMALL     0.05 /* differences under 5 points get a closer look */

typedef struct sk_compare_opts {
    double epsilon;        /* < 0: SK_COMPARE_EPSILON */
    double level;          /* confidence level; 0: 0.95 */
    unsigned resamples;    /* bootstrap resamples; 0: SK_COMPARE_RESAMPLES */
    uint64_t seed;         /* 0: SK_COMPARE_SEED */
    const char *const *by; /* metadata keys ("topic", or "a.b" for nested) to segment by */
    size_t nby;
    int sort_regressions; /* order segments and rows by regressions */
} sk_compare_opts;

typedef enum sk_cmp_verdict {
    SK_CMP_NONE,      /* no row has a score on both sides */
    SK_CMP_UNCHANGED, /* every paired row has exactly the same mean */
    SK_CMP_NOISE,     /* an interval includes 0: not distinguishable from noise */
    SK_CMP_IMPROVED,
    SK_CMP_REGRESSED
} sk_cmp_verdict;

/* "improved", "regressed", "noise", "unchanged", "no data". */
const char *sk_cmp_verdict_name(sk_cmp_verdict v);

/* One scorer over a set of rows (all of them, or a segment). */
typedef struct sk_cmp_figures {
    size_t pairs;                     /* rows with a score on both sides */
    size_t unpaired;                  /* rows in both experiments but scored on one side only */
    double base_mean, new_mean, diff; /* over the pairs; NAN when none */
    double sd_diff;                   /* SD of the per-row differences; NAN under 2 pairs */
    double boot_lo, boot_hi;          /* bootstrap interval of diff; NAN under 2 pairs */
    double t_lo, t_hi;                /* paired t-interval of diff */
    size_t improved, regressed, unchanged; /* rows, by the per-row rule */
    size_t pass_to_fail, fail_to_pass;     /* rows whose mean crossed the threshold */
    /* Rows with no verdict on a side (sk_row_verdict: an error of the
     * scorer or the task in any trial, or no score), where both sides have
     * a threshold: neither a pass nor a fail, so never a flip. */
    size_t no_verdict;
    size_t hard_regressions; /* passed in every base trial, failed (by score) in every new one */
    /* Rows whose trials disagree: some scored trial at or above the
     * threshold and some below it, on the base side and on the new. */
    size_t flaky_base, flaky_new;
    sk_cmp_verdict verdict;
    int small; /* |diff| < SK_COMPARE_SMALL */
    /* To resolve a difference of this size (two-sided 5 %, 80 % power,
     * see compare_stats.h): rows needed in all (INFINITY when diff is 0,
     * NAN under 2 pairs), and trials per row on both sides that would do
     * with the current rows (INFINITY: trials alone cannot; NAN: no trial
     * noise to reduce). */
    double rows_needed, trials_needed;
} sk_cmp_figures;

typedef struct sk_cmp_scorer {
    char *name;
    int base_has_threshold, new_has_threshold;
    double base_threshold, new_threshold;
    sk_reducer base_reducer, new_reducer; /* each side's row verdict across trials */
    sk_cmp_figures fig;
} sk_cmp_scorer;

/* One row x scorer on one side. */
typedef struct sk_cmp_side {
    unsigned trials;     /* cells the side has for the row */
    unsigned scored;     /* trials with a score */
    unsigned pass, fail; /* scored trials at/above the threshold; below it */
    unsigned errors;     /* trials with an error of the scorer or of the task */
    double mean, sd;     /* over the scored trials; NAN when none / under 2 */
} sk_cmp_side;

/* Which sides of a row x scorer have trials that disagree on pass/fail. */
enum { SK_FLAKY_BASE = 1, SK_FLAKY_NEW = 2 };

/* Per-row change of one scorer. */
enum { SK_ROW_NA = 0, SK_ROW_SAME, SK_ROW_UP, SK_ROW_DOWN };

typedef struct sk_cmp_row {
    char *id;
    int64_t pos;                  /* place in the new experiment's dataset (else the base's) */
    int in_base, in_new;          /* which experiments have the row */
    char **segment;               /* per `by` key: the row's value ("(none)" when absent) */
    sk_cmp_side *base;            /* per scorer */
    sk_cmp_side *new_;            /* per scorer */
    double *delta;                /* per scorer: new mean - base mean; NAN unless both scored */
    unsigned char *change;        /* per scorer: SK_ROW_* */
    unsigned char *hard;          /* per scorer: 1 for a hard regression */
    unsigned char *flaky;         /* per scorer: SK_FLAKY_BASE | SK_FLAKY_NEW */
    size_t nregressed, nimproved; /* scorers */
    double worst; /* the most negative delta among regressed scorers (0 when none) */
    double best;  /* the largest delta among improved scorers (0 when none) */
} sk_cmp_row;

typedef struct sk_cmp_segment {
    const char *key; /* borrowed from the options' `by` (valid while the comparison is) */
    char *value;
    size_t rows;         /* rows of the segment in both experiments */
    size_t regressed;    /* rows of it regressed on some scorer */
    size_t improved;     /* rows of it improved on some scorer */
    sk_cmp_figures *fig; /* per scorer */
} sk_cmp_segment;

typedef struct sk_comparison {
    sk_experiment base, new_;
    sk_config_diff changes; /* base snapshot -> new snapshot */
    size_t nscorers;        /* scorers both have, in the new experiment's order */
    sk_cmp_scorer *scorers;
    char **base_only, **new_only; /* scorer names one side lacks */
    size_t nbase_only, nnew_only;
    size_t nrows; /* the union of both sides' rows, in dataset order */
    sk_cmp_row *rows;
    void *row_arrays;                 /* one block behind every row's per-scorer arrays */
    size_t only_base, only_new, both; /* rows by presence */
    size_t nby;
    char **by; /* copies of the options' keys */
    size_t nsegments;
    sk_cmp_segment *segments; /* grouped by key (in `by` order), each key's values sorted */
    double epsilon, level;
    unsigned resamples;
    uint64_t seed;
    int sort_regressions;
} sk_comparison;

/* Compare experiment `new_ref` against `base_ref` (ids or unique
 * prefixes).  On success *out is the comparison (free it with
 * sk_comparison_free).  Errors: SK_ENOTFOUND for an unknown experiment,
 * SK_EINVAL for bad options or two experiments with no scorer in
 * common, SK_EIO for the store. */
int sk_compare(sk_store *st, const char *base_ref, const char *new_ref, const sk_compare_opts *o,
               sk_comparison **out, char **err);

void sk_comparison_free(sk_comparison *c);

/* Indices into c->rows of the rows regressed on some scorer, worst first
 * (by their most negative delta; with sort_regressions, by how many
 * scorers regressed, then worst), and of the improved rows, best first.
 * Caller frees the array; *n receives its length. */
size_t *sk_compare_regressed_rows(const sk_comparison *c, size_t *n);
size_t *sk_compare_improved_rows(const sk_comparison *c, size_t *n);
/* Indices of the rows flaky on the new side for some scorer, in dataset
 * order.  Caller frees; *n receives the length. */
size_t *sk_compare_flaky_rows(const sk_comparison *c, size_t *n);

/* One side of a row, for showing it: its first recorded trial.  Strings
 * are owned by the detail. */
typedef struct sk_cmp_trial {
    int present; /* 0 when the side has no cell for the row */
    int trial;
    char *output_json, *task_error;
    struct sk_cmp_verdict_view {
        char *kind; /* "score", "skipped", "error", or NULL (no verdict) */
        double score;
        char *message, *rationale;
    } * v; /* per comparison scorer */
} sk_cmp_trial;

typedef struct sk_cmp_row_detail {
    char *input_json, *expected_json; /* from the new side's dataset (else the base's) */
    sk_cmp_trial base, new_;
} sk_cmp_row_detail;

/* Load what is needed to show row `row` (an index into c->rows). */
int sk_compare_row_detail(sk_store *st, const sk_comparison *c, size_t row, sk_cmp_row_detail *out,
                          char **err);
void sk_cmp_row_detail_clear(const sk_comparison *c, sk_cmp_row_detail *d);

/* A CI gate: fire when `scorer` (NULL: any scorer) has the verdict
 * regressed and its mean fell by at least min_effect. */
typedef struct sk_cmp_gate {
    const char *scorer;
    double min_effect;
} sk_cmp_gate;

/* What sk_compare_gate checks besides the scorers' verdicts. */
enum {
    SK_GATE_ROWS = 1, /* a row passed in every base trial and failed in every new one */
    SK_GATE_FLAKY = 2 /* a row's new trials disagree on pass/fail */
};

/* Evaluate the gates, plus the row checks `checks` asks for (SK_GATE_*),
 * for the gated scorers (every scorer when no gate names one).  *reasons
 * receives one message per firing (caller frees each and the array), *n
 * their number.  Returns 0, or SK_ENOTFOUND when a gate names a scorer the
 * comparison does not have (the message lists those it has). */
int sk_compare_gate(const sk_comparison *c, const sk_cmp_gate *gates, size_t ngates,
                    unsigned checks, char ***reasons, size_t *n, char **err);

#endif
