/* Fisher, Benjamini-Hochberg, Wilson and weighted log-odds (see tests2x2.h). */
#include "analysis/tests2x2.h"

#include <math.h>
#include <stdlib.h>

#include "base/util.h"

/* ln(n!).  lgamma_r, not lgamma: glibc's lgamma writes the process-wide
 * signgam, which would make these functions unsafe to call from threads. */
static double lfact(long n)
{
    int sign;
    return lgamma_r((double)n + 1, &sign);
}

/* log of the hypergeometric probability of a table with first cell x. */
static double log_table(long x, long r1, long r2, long c1, long n)
{
    long a = x, b = r1 - x, c = c1 - x, d = r2 - c;
    return lfact(r1) + lfact(r2) + lfact(c1) + lfact(n - c1) - lfact(n) - lfact(a) - lfact(b) -
           lfact(c) - lfact(d);
}

double sk_fisher_two_sided(long a, long b, long c, long d)
{
    if (a < 0 || b < 0 || c < 0 || d < 0)
        return NAN;
    long r1 = a + b, r2 = c + d, c1 = a + c, n = r1 + r2;
    if (n == 0)
        return 1;
    long lo = c1 - r2 > 0 ? c1 - r2 : 0, hi = r1 < c1 ? r1 : c1;
    double seen = log_table(a, r1, r2, c1, n);
    /* Tables as likely as the one seen count too: a relative tolerance, as
     * the log-factorials of equal tables may differ in the last bits. */
    double p = 0;
    for (long x = lo; x <= hi; x++) {
        double l = log_table(x, r1, r2, c1, n);
        if (l <= seen + 1e-7 * fabs(seen) + 1e-12)
            p += exp(l);
    }
    return p > 1 ? 1 : p;
}

typedef struct ranked {
    double p;
    size_t i;
} ranked;

static int cmp_ranked(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    return a->p < b->p ? -1 : a->p > b->p ? 1 : (a->i > b->i) - (a->i < b->i);
}

void sk_bh_adjust(const double *p, size_t n, double *q)
{
    if (n == 0)
        return;
    ranked *r = sk_xmalloc(n * sizeof *r);
    for (size_t i = 0; i < n; i++)
        r[i] = (ranked){p[i], i};
    qsort(r, n, sizeof *r, cmp_ranked);
    double run = 1;
    for (size_t k = n; k-- > 0;) {
        double v = r[k].p * (double)n / (double)(k + 1);
        if (v < run)
            run = v;
        q[r[k].i] = run;
    }
    free(r);
}

double sk_logodds_z(double y_i, double n_i, double y_j, double n_j, double alpha_w, double alpha0)
{
    double d = log((y_i + alpha_w) / (n_i + alpha0 - y_i - alpha_w)) -
               log((y_j + alpha_w) / (n_j + alpha0 - y_j - alpha_w));
    double var = 1 / (y_i + alpha_w) + 1 / (y_j + alpha_w);
    return d / sqrt(var);
}
