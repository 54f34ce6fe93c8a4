/*
 * The meta-evaluation: scoring every scorer of a pack on the meta-cases
 * that fit it (metacase.h), through the real scoring path (rowscore.h),
 * K times each, and judging the figures against thresholds.  The result
 * is a report card per scorer: one status per check and a verdict.
 *
 * Checks (each PASS, WARN, FAIL, or n/a when no case applies):
 *   correct      mean of obvious-correct scores >= high, none below low
 *   wrong        mean of obvious-wrong scores <= low
 *   verbosity,   share of pairs where the short/plain correct answer
 *   formality,   scores strictly higher than the biased wrong one
 *   confidence   (+ margin) >= bias_share, and the biased wrong answers'
 *                mean <= low: a wrong answer scored high is a bias even
 *                when the right one scores higher still
 *   pairs        other better/worse pairs: share won >= bias_share
 *   numeric      mean absolute error against numeric expectations
 *                <= max_mae (WARN when some case is outside its tolerance)
 *   consistency  with K > 1: spread across repeats; the share of outputs
 *                whose verdict flips (score on both sides of the cut:
 *                the entry's threshold, else 0.5) <= max_flip_share
 *   position     scores whose metadata says "position_consistent" (a
 *                pairwise judge asks in both orders): the share where the
 *                two orders prefer different answers, i.e. the verdict
 *                follows the position, <= max_position_inconsistency
 *   rationale    judges (SK_SCORER_USES_LLM) asked for one: every score has
 *                a rationale; skipped, and said so, for "cot": false
 *   agreement    with human labels (validate --labels): Cohen's kappa of
 *                the scorer's pass/fail (its threshold, else 0.5) against
 *                people's >= min_kappa (agreement.h has every figure)
 *   errors       (errors + invalid verdicts) / calls <= max_error_rate;
 *                errors are never folded into a score, and a case that
 *                only errored counts for no other check.  An invalid
 *                verdict (an error with {"invalid_verdict": true}: the
 *                model replied outside its labels) is the scorer's
 *                mistake and counted apart from failed calls
 * A scorer FAILs when any check fails; it gets WARN when one warns or when
 * no correctness check (correct, wrong, bias, pairs, numeric) applies.
 *
 * Which cases a scorer gets: its own (its script's meta_cases, its pack
 * entry's "validate": {"cases": [...]}) always; the built-in calibration
 * set (correctness cases) when it compares against a reference
 * (SK_SCORER_NEEDS_EXPECTED) or with another answer (SK_SCORER_PAIRWISE),
 * or when its entry says "builtin": true or "criterion_kind":
 * "correctness", and only the kinds it accepts; extra cases (--cases, the
 * pack's "validate": {"cases": [...]}) by the kinds it accepts.  What it
 * accepts is its definition's, or the entry's "validate": {"accepts":
 * [...]}.  A case naming "scorers" goes only to those.
 *
 * A judge that is neither (closed_qa, rubric, classifier: a model judging
 * a criterion the user wrote, with no reference in its prompt) is not
 * given correctness cases by default: a criterion like "is polite" would
 * fail them for the wrong reason.  It is tested on its own cases, and gets
 * WARN saying so when it has none.
 *
 * A pairwise scorer is never asked to compare an answer with itself: see
 * sk_metacase_add_for_pairwise.
 */
#ifndef SK_METAEVAL_H
#define SK_METAEVAL_H

#include <stddef.h>

#include "validate/agreement.h"
#include "validate/metacase.h"
#include "engine/pack.h"
#include "engine/registry.h"

typedef struct sk_meta_thresholds {
    double high;           /* 0.8 */
    double low;            /* 0.2 */
    double bias_share;     /* 1.0: every bias pair must be won */
    double max_mae;        /* 0.1 */
    double max_error_rate; /* 0 */
    double max_flip_share; /* 0 */
    double max_position;   /* 0: "max_position_inconsistency" */
    double min_kappa;      /* 0.6: agreement with human labels */
    int repeat;            /* 0: 3 for nondeterministic scorers, 1 otherwise */
    int builtin;           /* -1 auto, 0 no, 1 yes */
    int correctness;       /* "criterion_kind": -1 unset, 0 "other", 1 "correctness" */
    unsigned accepts;      /* "accepts": SK_ACCEPT_* in place of the definition's; 0 unset */
} sk_meta_thresholds;

/* The defaults above. */
void sk_meta_thresholds_default(sk_meta_thresholds *t);

/* An unset set of overrides: every number NAN, repeat 0, builtin and
 * correctness -1, accepts 0. */
void sk_meta_thresholds_unset(sk_meta_thresholds *t);

/* Copy the fields of `over` that are set onto t. */
void sk_meta_thresholds_merge(sk_meta_thresholds *t, const sk_meta_thresholds *over);

/* Parse a "validate" object (JSON text) into overrides `t` (start from
 * sk_meta_thresholds_unset); its "cases", when present, are appended to
 * `cases` (may be NULL: then "cases" is refused).  `where` names it in
 * messages. */
int sk_meta_thresholds_parse(sk_meta_thresholds *t, const char *json, const char *where,
                             sk_metacase_set *cases, sk_mc_origin origin, char **err);

typedef enum sk_check_status {
    SK_CHECK_NA = 0,
    SK_CHECK_PASS,
    SK_CHECK_WARN,
    SK_CHECK_FAIL
} sk_check_status;

enum {
    SK_CHK_CORRECT,
    SK_CHK_WRONG,
    SK_CHK_VERBOSITY,
    SK_CHK_FORMALITY,
    SK_CHK_CONFIDENCE,
    SK_CHK_PAIRS,
    SK_CHK_NUMERIC,
    SK_CHK_CONSISTENCY,
    SK_CHK_POSITION,
    SK_CHK_RATIONALE,
    SK_CHK_ERRORS,
    SK_CHK_AGREEMENT,
    SK_CHK_COUNT
};

/* Figures of one check.  n: cases (pairs, outputs, calls) it counted;
 * hits: won pairs, cases within tolerance, outputs that flipped, scores
 * with a rationale, errors; mean/min/max: of the scores (the worse side's
 * for bias pairs), of absolute errors (numeric) or of spreads
 * (consistency). */
typedef struct sk_meta_check {
    sk_check_status status;
    size_t n, hits;
    double mean, min, max, share;
    char *why;           /* one line saying what failed; NULL when it passed */
    int pairs;           /* its figures are of pairs (wrong, for a pairwise scorer) */
    size_t invalid;      /* errors: invalid verdicts among the calls */
    const char *skipped; /* n/a because the check does not apply, and why (static) */
} sk_meta_check;

/* One output's repeats. */
typedef struct sk_meta_obs {
    size_t scored, skipped, errors;
    size_t invalid;                  /* errors that are invalid verdicts (not in errors) */
    size_t explained;                /* scores that came with a rationale */
    size_t positioned, inconsistent; /* scores saying position_consistent; false of them */
    double mean, min, max;           /* of its scores; NAN when none */
    int flipped;
    char *rationale; /* the first scored repeat's, or NULL */
    char *meta;      /* the first scored repeat's metadata (JSON object), or NULL */
    char *message;   /* the first error (else skip) message, or NULL */
} sk_meta_obs;

typedef struct sk_meta_result {
    const sk_metacase *mc; /* borrowed from the scorer's case list */
    int check;             /* SK_CHK_* it counts for */
    sk_meta_obs obs[2];    /* the output (or better), and worse for a pair */
    int failed;            /* missed its own expectation */
} sk_meta_result;

typedef struct sk_meta_scorer {
    char *name, *use, *engine;
    char fingerprint[17]; /* "" when it could not be computed */
    unsigned flags, accepts;
    sk_meta_thresholds th; /* resolved */
    int repeat;
    sk_meta_check checks[SK_CHK_COUNT];
    sk_check_status verdict;
    size_t calls, errors, skipped, invalid;
    int pairwise;          /* SK_SCORER_PAIRWISE: tested on head-to-heads */
    int criterion;         /* a judge of the user's own criterion, not told it is correctness */
    int no_rationale;      /* a judge not asked for a rationale ("cot": false) */
    sk_metacase_set cases; /* what it was given (owned) */
    size_t nresults;
    sk_meta_result *results;
    double cut;             /* pass/fail: the entry's threshold, else 0.5 */
    sk_agreement agreement; /* against human labels; agreement.n 0: none */
    char *problem;          /* it could not be opened or fingerprinted: FAIL */
    char *note;             /* why it got WARN without a failing check, or NULL */
} sk_meta_scorer;

typedef struct sk_meta_report {
    char *pack;
    size_t n;
    sk_meta_scorer *scorers;
    sk_check_status verdict; /* the worst of the scorers' */
} sk_meta_report;

typedef struct sk_meta_opts {
    const sk_metacase_set *builtin; /* the calibration set, or NULL */
    const sk_metacase_set *extra;   /* --cases files, or NULL */
    const sk_meta_thresholds *cli;  /* command-line overrides (unset fields ignored), or NULL */
    const char *const *only;        /* names of the scorers to validate; NULL: all */
    size_t nonly;
    const sk_registry *reg;  /* for plugin fingerprints; may be NULL */
    struct sk_llm *llm;      /* the model client for judges (borrowed); NULL: none */
    const char *project_dir; /* where params' relative files are; NULL: none */
    int jobs;                /* threads per scorer; 0: 8 for a scorer that uses a model, else 1 */
    /* Called from the calling thread as calls are made: done of total, the
     * calls of every scorer validated (cases x sides x repeats). */
    void (*progress)(size_t done, size_t total, void *ud);
    void *progress_ud;
} sk_meta_opts;

/* Validate the scorers of `pack` (all, or opts->only).  The pack file's
 * "validate" objects (pack level and per entry) are read from pack->path
 * when it is a file.  Returns 0 with *out (caller frees with
 * sk_meta_report_free), or SK_EINVAL/SK_ENOTFOUND/SK_EPARSE with *err (an
 * unknown --scorer, a bad "validate" object).  A scorer that fails to open
 * is reported as FAIL, not as an error. */
int sk_meta_validate(const sk_pack *pack, const sk_meta_opts *opts, sk_meta_report **out,
                     char **err);

/* Compute every check and the verdict of s from its results (called by
 * sk_meta_validate; exposed so the arithmetic can be tested alone).
 * Frees earlier `why` texts. */
void sk_meta_judge(sk_meta_scorer *s);

/* Did r miss its expectation, error or get an invalid verdict? */
int sk_meta_result_bad(const sk_meta_result *r);

/* Does meta-case m go to a scorer with these flags and accepts, given its
 * "builtin" setting (-1 auto)? */
int sk_meta_selects(const sk_metacase *m, const char *name, const char *use, unsigned flags,
                    unsigned accepts, int builtin);

/* The report as JSON text (caller frees).  With `explain`, every case of
 * every scorer; else only the failing ones. */
char *sk_meta_report_json(const sk_meta_report *rep, int explain);

/* One scorer's part of the report (what the store keeps); caller frees. */
char *sk_meta_scorer_json(const sk_meta_scorer *s, int explain);

const char *sk_check_name(int check);
const char *sk_check_status_name(sk_check_status s); /* "PASS", "WARN", "FAIL", "n/a" */

void sk_meta_report_free(sk_meta_report *rep);

/* The scorer's confusion matrix against human labels as the store keeps
 * it ({"n","tp","fp","fn","tn","cut"}), or NULL when it had no labelled
 * row.  Caller frees. */
char *sk_meta_agreement_counts(const sk_meta_scorer *s);

#endif
