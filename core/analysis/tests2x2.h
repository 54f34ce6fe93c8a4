/*
 * The statistics behind `scorekit failures`: what the failing rows have in
 * common, told apart from chance.
 *
 *   - Fisher's exact test on a 2x2 table, two-sided: the probability, under
 *     independence with the margins fixed, of a table at most as likely as
 *     the one seen (the hypergeometric sum, computed from log-factorials).
 *   - Benjamini-Hochberg: adjusted p-values (q) controlling the false
 *     discovery rate across every test made.
 *   - Wilson score interval of a proportion.
 *   - The weighted log-odds ratio with an informative Dirichlet prior
 *     (Monroe, Colaresi and Quinn, 2008): how much more a word belongs to
 *     one group of texts than to the other, as a z-score, with the prior
 *     taken from both groups together so rare words do not dominate.
 *
 * Pure computation on caller-owned values; thread-safe.
 */
#ifndef SK_TESTS2X2_H
#define SK_TESTS2X2_H

#include <stddef.h>

#include "base/binomial.h"

/* Two-sided p of the table [[a, b], [c, d]] (counts >= 0): rows are "has
 * the value" / "does not", columns "fails" / "passes". */
double sk_fisher_two_sided(long a, long b, long c, long d);

/* q[i] from p[0..n) (q may be p): q = min over k >= rank of p(k) n / k,
 * capped at 1. */
void sk_bh_adjust(const double *p, size_t n, double *q);

/* The z-score of a word's log-odds in group i against group j: y_i, y_j
 * its counts, n_i, n_j the groups' word totals, alpha_w its prior count
 * and alpha0 the prior's total.  Positive: more typical of group i. */
double sk_logodds_z(double y_i, double n_i, double y_j, double n_j, double alpha_w, double alpha0);

#endif
