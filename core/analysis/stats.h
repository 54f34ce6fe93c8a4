/*
 * The statistics behind `scorekit compare`: means and standard deviations,
 * Student's t quantile (computed here from the regularised incomplete beta
 * function, no tables), a paired t-interval, a percentile bootstrap
 * interval driven by a small seeded PRNG so the same data always gives the
 * same interval, and the sample size a difference would need to be told
 * apart from noise.
 *
 * Everything is pure computation on caller-owned arrays: no allocation
 * survives a call, nothing is printed, and every function is thread-safe.
 */
#ifndef SK_COMPARE_STATS_H
#define SK_COMPARE_STATS_H

#include <stddef.h>
#include <stdint.h>

/* z quantiles of the standard normal used by the sample-size estimates:
 * two-sided 5 % significance and 80 % power. */
#define SK_Z_975 1.959963984540054
#define SK_Z_80  0.8416212335729143

/* Mean of x[0..n); NAN when n is 0. */
double sk_stats_mean(const double *x, size_t n);

/* Sample standard deviation (n - 1 in the denominator); NAN when n < 2.
 * Two passes, so large offsets do not cancel. */
double sk_stats_sd(const double *x, size_t n);

/* Regularised incomplete beta function I_x(a, b) for a, b > 0 and x in
 * [0, 1]; NAN outside that domain. */
double sk_stats_ibeta(double x, double a, double b);

/* P(T <= t) for Student's t with df > 0 degrees of freedom. */
double sk_stats_t_cdf(double t, double df);

/* The p-quantile of Student's t with df > 0 degrees of freedom, p in
 * (0, 1); NAN otherwise.  Accurate to about 1e-10 relative. */
double sk_stats_t_quantile(double p, double df);

/* The paired t-interval at `level` (e.g. 0.95) for the mean of the n
 * differences d: mean +- t(1-(1-level)/2, n-1) * sd / sqrt(n).  Returns 0,
 * or -1 (and NANs) when n < 2. */
int sk_stats_t_interval(const double *d, size_t n, double level, double *lo, double *hi);

/* A seeded pseudo-random generator (splitmix64): deterministic across
 * platforms, so a seed names a sequence. */
typedef struct sk_rng {
    uint64_t state;
} sk_rng;

void sk_rng_seed(sk_rng *r, uint64_t seed);
uint64_t sk_rng_next(sk_rng *r);
/* Uniform in [0, n), n >= 1, without modulo bias. */
uint64_t sk_rng_below(sk_rng *r, uint64_t n);

/* The percentile bootstrap interval at `level` for the mean of x: draw
 * `resamples` samples of n values with replacement (seeded by `seed`),
 * take each sample's mean, and return the (1-level)/2 and 1-(1-level)/2
 * quantiles of those means (linear interpolation between order
 * statistics).  Returns 0, or -1 (and NANs) when n < 2 or resamples < 2. */
int sk_stats_bootstrap_ci(const double *x, size_t n, double level, unsigned resamples,
                          uint64_t seed, double *lo, double *hi);

/* sk_stats_bootstrap_ci of k arrays of n values each, with one seed:
 * lo[i] and hi[i] are array i's interval, the same as its own call gives,
 * bit for bit.  The draws are the same for every array, so they are made
 * once for all (several scorers' differences over the same rows).  x and
 * its arrays are borrowed; lo and hi have room for k.  Returns 0, or -1
 * (and NANs) when n < 2 or resamples < 2. */
int sk_stats_bootstrap_ci_many(const double *const *x, size_t k, size_t n, double level,
                               unsigned resamples, uint64_t seed, double *lo, double *hi);

/* Rows needed to detect a mean paired difference of size |d| when the
 * differences have standard deviation sd, with a two-sided test at 5 %
 * and 80 % power: ((z_.975 + z_.80) * sd / |d|)^2, rounded up.  Assumes
 * the differences are independent across rows, roughly normal in their
 * mean (true for a few dozen rows), and that sd stays what it was.
 * INFINITY when d is 0; NAN when sd is NAN. */
double sk_stats_rows_needed(double sd, double d);

/* Trials per row (on both sides) that would resolve |d| with n rows, when
 * the variance of a row's difference is between-row variance plus trial
 * noise: var_d = var_between + (v_base / k_base + v_new / k_new), v_* being
 * the mean within-row trial variances.  With k trials on both sides the
 * variance becomes var_between + (v_base + v_new) / k; this returns the
 * smallest such k that meets the same 5 % / 80 % criterion, INFINITY when
 * no number of trials can (the between-row part alone is too large), or
 * NAN when there is no trial noise to reduce (v_base + v_new == 0 or
 * unknown). */
double sk_stats_trials_needed(double var_d, size_t n, double d, double v_base, int k_base,
                              double v_new, int k_new);

#endif
