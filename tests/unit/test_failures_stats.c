/*
 * The statistics of `scorekit failures` (analysis/tests2x2.c) against
 * references computed independently of the code under test, with exact
 * integer arithmetic for Fisher's test (Python's math.comb: the sum of
 * C(r1, x) C(r2, c1 - x) / C(n, c1) over the tables at most as likely as
 * the one seen), and by hand or from the textbook formulas otherwise.
 */
#include <check.h>
#include <math.h>

#include "analysis/tests2x2.h"
#include "run_suite.h"

static void near(double got, double want, double tol)
{
    ck_assert_msg(fabs(got - want) <= tol, "got %.17g, want %.17g", got, want);
}

START_TEST(fisher_exact)
{
    /* Fisher's tea-tasting table: 0.4857142857 (= 34/70). */
    near(sk_fisher_two_sided(3, 1, 1, 3), 0.4857142857142857, 1e-12);
    /* The compare fixture's math topic: 12 of 20 fail against 2 of 20. */
    near(sk_fisher_two_sided(12, 8, 2, 18), 0.0021996412430227773, 1e-12);
    near(sk_fisher_two_sided(0, 10, 10, 0), 1.082508822446903e-05, 1e-15);
    near(sk_fisher_two_sided(1, 9, 11, 3), 0.002759456185220083, 1e-12);
    /* A margin of zero: nothing to tell apart. */
    near(sk_fisher_two_sided(5, 0, 0, 0), 1, 0);
    near(sk_fisher_two_sided(0, 0, 0, 0), 1, 0);
    /* Symmetric in rows and in columns. */
    near(sk_fisher_two_sided(8, 12, 18, 2), 0.0021996412430227773, 1e-12);
    ck_assert(isnan(sk_fisher_two_sided(-1, 0, 0, 0)));
}
END_TEST

START_TEST(benjamini_hochberg)
{
    /* Sorted 0.005, 0.01, 0.03, 0.04, 0.5 with n 5: p n / rank = 0.025,
     * 0.025, 0.05, 0.05, 0.5, then the running minimum from the top. */
    const double p[] = {0.01, 0.04, 0.03, 0.005, 0.5};
    double q[5];
    sk_bh_adjust(p, 5, q);
    near(q[0], 0.025, 1e-15);
    near(q[1], 0.05, 1e-15);
    near(q[2], 0.05, 1e-15);
    near(q[3], 0.025, 1e-15);
    near(q[4], 0.5, 1e-15);
    /* Capped at 1, and in place. */
    double r[2] = {0.9, 0.8};
    sk_bh_adjust(r, 2, r);
    near(r[0], 0.9, 1e-15);
    near(r[1], 0.9, 1e-15);
}
END_TEST

START_TEST(wilson_interval)
{
    /* (p + z^2/2n) / (1 + z^2/n) -+ z / (1 + z^2/n) sqrt(p(1-p)/n + z^2/4n^2) */
    double lo, hi;
    sk_wilson(8, 20, 1.959963984540054, &lo, &hi);
    near(lo, 0.21880653237281708, 1e-12);
    near(hi, 0.6134184992377468, 1e-12);
    sk_wilson(0, 10, 1.959963984540054, &lo, &hi);
    near(lo, 0, 1e-15);
    near(hi, 0.2775327998628892, 1e-12);
    sk_wilson(20, 20, 1.959963984540054, &lo, &hi);
    near(lo, 0.8388748419471806, 1e-12);
    near(hi, 1, 1e-15);
    sk_wilson(0, 0, 1.96, &lo, &hi);
    near(lo, 0, 0);
    near(hi, 1, 0);
}
END_TEST

START_TEST(log_odds)
{
    /* A word in 14 failing texts (28 words) and no passing one (52 words),
     * prior: its own 14 of all 80:
     * d = ln(28 / 0) ... = ln((14+14)/(28+80-28)) - ln(14/(52+80-14)),
     * var = 1/28 + 1/14, z = d / sqrt(var) = 3.3049693868875956. */
    near(sk_logodds_z(14, 28, 0, 52, 14, 80), 3.3049693868875956, 1e-12);
    /* A word as common on both sides says nothing. */
    near(sk_logodds_z(5, 50, 5, 50, 10, 100), 0, 1e-12);
    ck_assert(sk_logodds_z(0, 52, 14, 28, 14, 80) < -3.3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("failures_stats");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, fisher_exact);
    tcase_add_test(tc, benjamini_hochberg);
    tcase_add_test(tc, wilson_interval);
    tcase_add_test(tc, log_odds);
    suite_add_tcase(s, tc);
    return sk_run_suite(s);
}
