/* Intervals of a binomial proportion. */
#ifndef SK_BINOMIAL_H
#define SK_BINOMIAL_H

/* The Wilson score interval of k successes in n (z: 1.96 for 95%); both 0
 * and 1 bounds for n = 0. */
void sk_wilson(long k, long n, double z, double *lo, double *hi);

#endif
