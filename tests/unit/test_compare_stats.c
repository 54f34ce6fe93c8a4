/*
 * Tests for the statistics of comparisons (compare_stats.c), against
 * reference values computed independently of the code under test.  The t
 * quantiles were computed with mpmath (30 digits) by integrating the t
 * density numerically and solving for the quantile, not through the
 * incomplete beta function the code uses:
 *
 *   dens = lambda x: gamma((df+1)/2) / (sqrt(df*pi) * gamma(df/2))
 *                    * (1 + x*x/df) ** (-(df+1)/2)
 *   cdf  = lambda t: 1/2 + quad(dens, [0, t])
 *   q    = findroot(lambda t: cdf(t) - p, 2)
 *
 * and two of them also have closed forms (df = 1: tan(pi (p - 1/2));
 * df = 2: (2p - 1) sqrt(2 / (4 p (1 - p)))).  Other references are worked
 * out by hand in the comment of each test.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"
#include "run_suite.h"

START_TEST(mean_and_sd)
{
    /* mean 40/8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32, so the
     * sample SD is sqrt(32/7) = 2.1380899352993950. */
    const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
    ck_assert_double_eq_tol(sk_stats_mean(x, 8), 5.0, 1e-15);
    ck_assert_double_eq_tol(sk_stats_sd(x, 8), 2.1380899352993950, 1e-14);
    ck_assert(isnan(sk_stats_mean(x, 0)));
    ck_assert(isnan(sk_stats_sd(x, 1)));
    /* Large offsets must not cancel: the same spread around 1e9. */
    const double y[] = {1e9 + 2, 1e9 + 4, 1e9 + 4, 1e9 + 4, 1e9 + 5, 1e9 + 5, 1e9 + 7, 1e9 + 9};
    ck_assert_double_eq_tol(sk_stats_sd(y, 8), 2.1380899352993950, 1e-6);
}
END_TEST

START_TEST(incomplete_beta)
{
    /* For integer a, b: I_x(a, b) = sum_{j=a}^{a+b-1} C(a+b-1, j) x^j
     * (1-x)^(a+b-1-j).  I_0.3(2, 3) = 6(.09)(.49) + 4(.027)(.7) + .0081 =
     * 0.2646 + 0.0756 + 0.0081 = 0.3483.  Both branches of the continued
     * fraction: x = 0.9 (past (a+1)/(a+b+2) = 3/7) gives
     * 6(.81)(.01) + 4(.729)(.1) + .6561 = .0486 + .2916 + .6561 = 0.9963. */
    ck_assert_double_eq_tol(sk_stats_ibeta(0.3, 2, 3), 0.3483, 1e-13);
    ck_assert_double_eq_tol(sk_stats_ibeta(0.9, 2, 3), 0.9963, 1e-13);
    ck_assert_double_eq(sk_stats_ibeta(0, 2, 3), 0);
    ck_assert_double_eq(sk_stats_ibeta(1, 2, 3), 1);
    ck_assert(isnan(sk_stats_ibeta(1.5, 2, 3)));
    ck_assert(isnan(sk_stats_ibeta(0.5, 0, 3)));
}
END_TEST

START_TEST(t_quantiles)
{
    static const struct {
        double p, df, want;
    } ref[] = {
        {0.975, 1, 12.7062047361747}, /* tan(0.475 pi) */
        {0.975, 2, 4.30265272974946}, /* 0.95 sqrt(2 / 0.0975) */
        {0.975, 3, 3.18244630528371},   {0.975, 4, 2.77644510519779},
        {0.975, 5, 2.57058183563632},   {0.975, 10, 2.22813885198627},
        {0.975, 29, 2.0452296421327},   {0.975, 30, 2.04227245630124},
        {0.975, 100, 1.98397151852355}, {0.975, 1000, 1.96233908082641},
        {0.995, 4, 4.60409487134999},   {0.025, 7, -2.36462425159279},
    };
    for (size_t i = 0; i < sizeof ref / sizeof *ref; i++)
        ck_assert_msg(fabs(sk_stats_t_quantile(ref[i].p, ref[i].df) - ref[i].want) <
                          1e-9 * fabs(ref[i].want),
                      "t(%g, %g) = %.15g, wanted %.15g", ref[i].p, ref[i].df,
                      sk_stats_t_quantile(ref[i].p, ref[i].df), ref[i].want);
    ck_assert_double_eq_tol(sk_stats_t_quantile(0.975, 1), tan(M_PI * 0.475), 1e-9);
    /* As df grows, t tends to the normal quantile 1.959963984540054. */
    ck_assert_double_eq_tol(sk_stats_t_quantile(0.975, 1e7), 1.959963984540054, 1e-6);
    ck_assert_double_eq(sk_stats_t_quantile(0.5, 3), 0);
    ck_assert(isnan(sk_stats_t_quantile(1, 3)));
    ck_assert(isnan(sk_stats_t_quantile(0.9, 0)));
    /* The CDF is the quantile's inverse, and symmetric. */
    ck_assert_double_eq_tol(sk_stats_t_cdf(2.22813885198627, 10), 0.975, 1e-12);
    ck_assert_double_eq_tol(sk_stats_t_cdf(-2.22813885198627, 10), 0.025, 1e-12);
    ck_assert_double_eq_tol(sk_stats_t_cdf(0, 10), 0.5, 1e-15);
}
END_TEST

START_TEST(t_interval)
{
    /* d = 1..5: mean 3, SD sqrt(2.5), t(.975, 4) = 2.77644510519779, so
     * the half width is 2.77644510519779 * sqrt(2.5) / sqrt(5) =
     * 1.96324316147756: [1.03675683852244, 4.96324316147756]. */
    const double d[] = {1, 2, 3, 4, 5};
    double lo, hi;
    ck_assert_int_eq(sk_stats_t_interval(d, 5, 0.95, &lo, &hi), 0);
    ck_assert_double_eq_tol(lo, 1.03675683852244, 1e-10);
    ck_assert_double_eq_tol(hi, 4.96324316147756, 1e-10);
    ck_assert_int_eq(sk_stats_t_interval(d, 1, 0.95, &lo, &hi), -1);
    ck_assert(isnan(lo) && isnan(hi));
}
END_TEST

START_TEST(rng_is_splitmix64)
{
    /* The first outputs of splitmix64 from state 0, from an independent
     * Python implementation of the published algorithm (state +=
     * 0x9e3779b97f4a7c15, then the two xor-shift-multiply rounds). */
    sk_rng r;
    sk_rng_seed(&r, 0);
    ck_assert_uint_eq(sk_rng_next(&r), 0xe220a8397b1dcdafULL);
    ck_assert_uint_eq(sk_rng_next(&r), 0x6e789e6aa1b965f4ULL);
    ck_assert_uint_eq(sk_rng_next(&r), 0x06c45d188009454fULL);
    /* Below n: in range, and each of 3 values about a third of the time
     * (30000 draws: 10000 each, SD about 82; 400 is five SDs). */
    size_t count[3] = {0, 0, 0};
    sk_rng_seed(&r, 42);
    for (int i = 0; i < 30000; i++) {
        uint64_t v = sk_rng_below(&r, 3);
        ck_assert_uint_lt(v, 3);
        count[v]++;
    }
    for (int k = 0; k < 3; k++)
        ck_assert_msg(count[k] > 9600 && count[k] < 10400, "value %d drawn %zu times", k, count[k]);
    ck_assert_uint_eq(sk_rng_below(&r, 1), 0);
}
END_TEST

START_TEST(bootstrap_one_outlier)
{
    /* 39 zeros and one -1.  A resample's mean is -K/40 with K ~
     * Binomial(40, 1/40) copies of the -1: P(K = 0) = (39/40)^40 =
     * 0.3632 > 0.025, so the upper bound is 0; P(K >= 4) = 0.0174 < 0.025
     * < P(K >= 3) = 0.0779, so the 2.5 % quantile is -3/40 = -0.075.  With
     * 5000 resamples, about 87 fall at K >= 4 (SD 9), far from the 125th
     * order statistic, so interpolation stays at -0.075. */
    double x[40] = {0};
    x[17] = -1;
    double lo, hi;
    ck_assert_int_eq(sk_stats_bootstrap_ci(x, 40, 0.95, 5000, 12345, &lo, &hi), 0);
    ck_assert_double_eq_tol(lo, -0.075, 1e-15);
    ck_assert_double_eq_tol(hi, 0, 1e-15);
}
END_TEST

START_TEST(bootstrap_normal_approximation)
{
    /* x = 0, 0.01, ..., 0.99: mean 0.495, population SD 0.28866070; the
     * bootstrap SE of the mean is 0.028866, so the interval is close to
     * 0.495 -+ 1.96 * 0.028866 = [0.43842, 0.55158]. */
    double x[100];
    for (int i = 0; i < 100; i++)
        x[i] = i / 100.0;
    double lo, hi, lo2, hi2;
    ck_assert_int_eq(sk_stats_bootstrap_ci(x, 100, 0.95, 20000, 7, &lo, &hi), 0);
    ck_assert_double_eq_tol(lo, 0.43842, 0.004);
    ck_assert_double_eq_tol(hi, 0.55158, 0.004);
    /* A seed names the sequence: the same seed, the same interval. */
    ck_assert_int_eq(sk_stats_bootstrap_ci(x, 100, 0.95, 20000, 7, &lo2, &hi2), 0);
    ck_assert_double_eq(lo, lo2);
    ck_assert_double_eq(hi, hi2);
    ck_assert_int_eq(sk_stats_bootstrap_ci(x, 100, 0.95, 20000, 8, &lo2, &hi2), 0);
    ck_assert(lo != lo2 || hi != hi2);
    /* Constant data: every resample has the same mean. */
    double c[5] = {0.25, 0.25, 0.25, 0.25, 0.25};
    ck_assert_int_eq(sk_stats_bootstrap_ci(c, 5, 0.95, 100, 1, &lo, &hi), 0);
    ck_assert_double_eq(lo, 0.25);
    ck_assert_double_eq(hi, 0.25);
    ck_assert_int_eq(sk_stats_bootstrap_ci(c, 1, 0.95, 100, 1, &lo, &hi), -1);
    ck_assert(isnan(lo) && isnan(hi));
}
END_TEST

/* The bootstrap as it was first written: each resample's values drawn one
 * by one with sk_rng_below and summed in order.  The fast one (resamples
 * summed side by side) must give the same interval, bit for bit.  On a
 * processor with AVX-512 this checks the vector path (32 resamples at a
 * time, tails included); under valgrind, which hides AVX-512, the scalar
 * one. */
static void bootstrap_reference(const double *x, size_t n, double level, unsigned resamples,
                                uint64_t seed, double *lo, double *hi)
{
    double *means = malloc(resamples * sizeof *means);
    sk_rng r;
    sk_rng_seed(&r, seed);
    for (unsigned b = 0; b < resamples; b++) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += x[sk_rng_below(&r, n)];
        means[b] = s / (double)n;
    }
    for (unsigned i = 1; i < resamples; i++) /* insertion sort: no qsort ties to argue about */
        for (unsigned j = i; j > 0 && means[j - 1] > means[j]; j--) {
            double t = means[j];
            means[j] = means[j - 1];
            means[j - 1] = t;
        }
    double alpha = (1 - level) / 2, q[2] = {alpha, 1 - alpha}, out[2];
    for (int k = 0; k < 2; k++) {
        double h = q[k] * (double)(resamples - 1);
        size_t i = (size_t)floor(h);
        out[k] = i + 1 >= resamples ? means[resamples - 1]
                                    : means[i] + (h - (double)i) * (means[i + 1] - means[i]);
    }
    *lo = out[0];
    *hi = out[1];
    free(means);
}

START_TEST(bootstrap_same_as_one_by_one)
{
    static const size_t ns[] = {2, 3, 7, 40, 999, 4096};
    static const unsigned rs[] = {2, 5, 8, 9, 17, 1000};
    double *x = malloc(4096 * sizeof *x);
    sk_rng g;
    sk_rng_seed(&g, 99);
    for (size_t i = 0; i < 4096; i++) /* differences of means: thirds and irregular values */
        x[i] = i % 3 ? (double)(sk_rng_below(&g, 7) % 7) / 3.0 - 1 : (double)sk_rng_next(&g) / 1e19;
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
        for (size_t b = 0; b < sizeof rs / sizeof rs[0]; b++)
            for (uint64_t seed = 1; seed <= 3; seed++) {
                double lo, hi, rlo, rhi;
                ck_assert_int_eq(sk_stats_bootstrap_ci(x, ns[a], 0.95, rs[b], seed, &lo, &hi), 0);
                bootstrap_reference(x, ns[a], 0.95, rs[b], seed, &rlo, &rhi);
                ck_assert_msg(
                    memcmp(&lo, &rlo, sizeof lo) == 0 && memcmp(&hi, &rhi, sizeof hi) == 0,
                    "n %zu, %u resamples, seed %llu: [%.17g, %.17g] against [%.17g, %.17g]", ns[a],
                    rs[b], (unsigned long long)seed, lo, hi, rlo, rhi);
            }
    free(x);
}
END_TEST

START_TEST(bootstrap_constant_same_as_one_by_one)
{
    /* Every value alike skips the draws: the interval must still be the
     * reference's, bit for bit, for sums that round (0.1 and 1/3 added one
     * by one drift from n * c) and for the all-zero differences of two
     * identical runs; and one value apart must take the draws again (the
     * one-outlier interval above, against the reference here). */
    static const double cs[] = {0.0, 0.1, 1.0 / 3, -0.7};
    static const size_t ns[] = {2, 7, 1000, 20000};
    double *x = malloc(20000 * sizeof *x);
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++)
        for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++) {
            for (size_t i = 0; i < ns[a]; i++)
                x[i] = cs[c];
            double lo, hi, rlo, rhi;
            ck_assert_int_eq(sk_stats_bootstrap_ci(x, ns[a], 0.95, 50, 3, &lo, &hi), 0);
            bootstrap_reference(x, ns[a], 0.95, 50, 3, &rlo, &rhi);
            ck_assert_msg(memcmp(&lo, &rlo, sizeof lo) == 0 && memcmp(&hi, &rhi, sizeof hi) == 0,
                          "%g x %zu: [%.17g, %.17g] against [%.17g, %.17g]", cs[c], ns[a], lo, hi,
                          rlo, rhi);
            x[ns[a] - 1] = cs[c] + 1; /* the last one apart */
            ck_assert_int_eq(sk_stats_bootstrap_ci(x, ns[a], 0.95, 50, 3, &lo, &hi), 0);
            bootstrap_reference(x, ns[a], 0.95, 50, 3, &rlo, &rhi);
            ck_assert(memcmp(&lo, &rlo, sizeof lo) == 0 && memcmp(&hi, &rhi, sizeof hi) == 0);
        }
    /* 0.1 added 1000 times is not 100 exactly: the interval is that sum's
     * mean, not 0.1. */
    for (size_t i = 0; i < 1000; i++)
        x[i] = 0.1;
    double s = 0, lo, hi;
    for (int i = 0; i < 1000; i++)
        s += 0.1;
    ck_assert(s / 1000 != 0.1);
    ck_assert_int_eq(sk_stats_bootstrap_ci(x, 1000, 0.95, 50, 3, &lo, &hi), 0);
    ck_assert(lo == s / 1000 && hi == s / 1000);
    free(x);
}
END_TEST

/* Several arrays' bootstraps drawn together (up to 7: two passes of the
 * vector path's four), one of them all alike: each interval is the one
 * the array's own one-by-one reference gives, bit for bit, threaded or
 * not (20,000 x 300 x 7 draws go on two threads). */
START_TEST(bootstrap_many_same_as_one_by_one)
{
    static const size_t ns[] = {2, 40, 999, 20000};
    enum { K = 7 };
    double *x[K];
    sk_rng g;
    sk_rng_seed(&g, 5);
    for (int a = 0; a < K; a++) {
        x[a] = malloc(20000 * sizeof *x[a]);
        for (size_t i = 0; i < 20000; i++)
            x[a][i] = a == 3        ? 0.25
                      : (i + a) % 9 ? 0.0
                                    : (double)(sk_rng_below(&g, 7) % 7) / 3.0 - 1;
    }
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (size_t k = ns[i] == 20000 ? K : 1; k <= K; k++) {
            double lo[K], hi[K];
            unsigned rs = ns[i] == 20000 ? 300 : 101;
            ck_assert_int_eq(sk_stats_bootstrap_ci_many((const double *const *)x, k, ns[i], 0.95,
                                                        rs, 11, lo, hi),
                             0);
            for (size_t a = 0; a < k; a++) {
                double rlo, rhi;
                bootstrap_reference(x[a], ns[i], 0.95, rs, 11, &rlo, &rhi);
                ck_assert_msg(memcmp(&lo[a], &rlo, sizeof rlo) == 0 &&
                                  memcmp(&hi[a], &rhi, sizeof rhi) == 0,
                              "n %zu, array %zu of %zu: [%.17g, %.17g] against [%.17g, %.17g]",
                              ns[i], a, k, lo[a], hi[a], rlo, rhi);
            }
        }
    double lo[2], hi[2];
    ck_assert_int_eq(
        sk_stats_bootstrap_ci_many((const double *const *)x, 2, 1, 0.95, 10, 1, lo, hi), -1);
    ck_assert(isnan(lo[0]) && isnan(hi[1]));
    for (int a = 0; a < K; a++)
        free(x[a]);
}
END_TEST

START_TEST(rows_needed)
{
    /* ((1.959964 + 0.841621) * 0.2 / 0.05)^2 = 11.206341^2 = 125.58: 126
     * rows; the sign of the difference does not matter. */
    ck_assert_double_eq(sk_stats_rows_needed(0.2, 0.05), 126);
    ck_assert_double_eq(sk_stats_rows_needed(0.2, -0.05), 126);
    /* (2.801585 * 0.5 / 0.5)^2 = 7.849: 8 rows. */
    ck_assert_double_eq(sk_stats_rows_needed(0.5, 0.5), 8);
    ck_assert(isinf(sk_stats_rows_needed(0.2, 0)));
    ck_assert(isnan(sk_stats_rows_needed(NAN, 0.1)));
}
END_TEST

START_TEST(trials_needed)
{
    /* var_d 0.05 over 20 rows, d 0.1, trial variances 0.02 a side with one
     * trial each: between-row variance 0.05 - 0.04 = 0.01.  The largest
     * variance that resolves d: 20 * 0.01 / 2.801585^2 = 0.0254813.  So
     * 0.04 / k <= 0.0154813, k >= 2.58: 3 trials. */
    ck_assert_double_eq(sk_stats_trials_needed(0.05, 20, 0.1, 0.02, 1, 0.02, 1), 3);
    /* d 0.05: the target 20 * 0.0025 / 7.849 = 0.00637 is below the
     * between-row part alone, so no number of trials will do. */
    ck_assert(isinf(sk_stats_trials_needed(0.05, 20, 0.05, 0.02, 1, 0.02, 1)));
    /* No trial noise to average away. */
    ck_assert(isnan(sk_stats_trials_needed(0.05, 20, 0.1, 0, 1, 0, 1)));
    /* Already resolved: one trial is enough. */
    ck_assert_double_eq(sk_stats_trials_needed(0.05, 2000, 0.1, 0.02, 1, 0.02, 1), 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compare_stats");
    TCase *tc = tcase_create("stats");
    tcase_add_test(tc, mean_and_sd);
    tcase_add_test(tc, incomplete_beta);
    tcase_add_test(tc, t_quantiles);
    tcase_add_test(tc, t_interval);
    tcase_add_test(tc, rng_is_splitmix64);
    tcase_add_test(tc, bootstrap_one_outlier);
    tcase_add_test(tc, bootstrap_normal_approximation);
    tcase_add_test(tc, bootstrap_same_as_one_by_one);
    tcase_add_test(tc, bootstrap_constant_same_as_one_by_one);
    tcase_add_test(tc, bootstrap_many_same_as_one_by_one);
    tcase_add_test(tc, rows_needed);
    tcase_add_test(tc, trials_needed);
    suite_add_tcase(s, tc);
    return sk_run_suite(s);
}
