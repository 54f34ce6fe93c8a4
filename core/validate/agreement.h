/*
 * How well a scorer agrees with people: the figures `scorekit validate
 * --labels` reports for each scorer, from pairs of (the scorer's score,
 * a person's label) on the same rows, and the pass rate corrected for the
 * scorer's known errors (Rogan-Gladen) that `show` and `compare` give.
 *
 * A verdict is "pass" when the score is at least the cut (the scorer's
 * threshold; 0.5 when it has none); a person's label, pass/fail (1/0) or
 * a grade in [0,1], is "pass" by the same cut.  Positive means pass
 * throughout: TPR is the share of the rows people pass that the scorer
 * passes too.
 */
#ifndef SK_AGREEMENT_H
#define SK_AGREEMENT_H

#include <stddef.h>

typedef struct sk_agree_pair {
    double score; /* the scorer's, in [0,1] (its mean over repeats) */
    double label; /* the person's, in [0,1] (the mean when several labelled the row) */
} sk_agree_pair;

typedef struct sk_agreement {
    size_t n, tp, fp, fn, tn; /* the confusion matrix: scorer's verdict x people's */
    double cut;
    double accuracy;
    double kappa, kappa_lo, kappa_hi;  /* Cohen's, with its 95% interval (asymptotic SE of
                                        * Fleiss, Cohen and Everitt 1969); NAN when undefined */
    double tpr, tpr_lo, tpr_hi;        /* Wilson 95%; NAN when no positive label */
    double tnr, tnr_lo, tnr_hi;        /* ... no negative label */
    double precision;                  /* NAN when the scorer passes none */
    int graded;                        /* some label is neither 0 nor 1 */
    double pearson, spearman, mae;     /* of score against label; NAN unless graded */
    double best_kappa_cut, best_kappa; /* the cut that maximises kappa, people's verdicts held */
    double best_j_cut, best_j;         /* ... Youden's J = TPR + TNR - 1 */
} sk_agreement;

/* The figures of n pairs at `cut`.  n = 0 leaves every figure NAN. */
void sk_agreement_compute(const sk_agree_pair *p, size_t n, double cut, sk_agreement *out);

/* Cohen's kappa of a 2x2 table and its asymptotic standard error. */
void sk_kappa(size_t tp, size_t fp, size_t fn, size_t tn, double *kappa, double *se);

/* Pearson's r, and Spearman's rho (Pearson's of the mid-ranks), of n
 * pairs; NAN when either side is constant or n < 2. */
double sk_pearson(const double *x, const double *y, size_t n);
double sk_spearman(const double *x, const double *y, size_t n);

/* The Rogan-Gladen estimate of the true pass rate when a scorer with
 * sensitivity tpr (measured on pos labelled passes: tp of them) and
 * specificity tnr (tn of neg) passes `passed` of n rows, with a 95%
 * interval by the delta method that counts the uncertainty of the pass
 * rate and of both TPR and TNR (each from its labels, with the
 * Agresti-Coull adjustment so a measured 100% still has a variance).
 * Clipped to [0,1].  NAN (all three) when TPR + TNR <= 1: the scorer is
 * no better than chance and nothing can be corrected. */
typedef struct sk_corrected_rate {
    double value, lo, hi;
    double observed, tpr, tnr;
} sk_corrected_rate;

void sk_rogan_gladen(size_t passed, size_t n, size_t tp, size_t pos, size_t tn, size_t neg,
                     sk_corrected_rate *out);

#endif
