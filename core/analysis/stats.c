/*
 * The statistics of comparisons (see compare_stats.h).  The t distribution
 * comes from the regularised incomplete beta function, evaluated by its
 * continued fraction with the modified Lentz method; the quantile inverts
 * the CDF by bisection, which is slower than Newton's method but cannot
 * diverge, and a comparison needs only a handful of quantiles.
 */
#include "analysis/stats.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

double sk_stats_mean(const double *x, size_t n)
{
    if (n == 0)
        return NAN;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s / (double)n;
}

double sk_stats_sd(const double *x, size_t n)
{
    if (n < 2)
        return NAN;
    double m = sk_stats_mean(x, n), ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    return sqrt(ss / (double)(n - 1));
}

/* The continued fraction of I_x(a, b) without its front factor; it
 * converges fast for x < (a + 1) / (a + b + 2). */
static double beta_cf(double x, double a, double b)
{
    const double tiny = 1e-300;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double f = d;
    for (int m = 1; m <= 100000; m++) {
        /* Even step: m (b - m) x / ((a + 2m - 1)(a + 2m)). */
        double num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
        d = 1 + num * d;
        c = 1 + num / c;
        if (fabs(d) < tiny)
            d = tiny;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        f *= d * c;
        /* Odd step: -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)). */
        num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
        d = 1 + num * d;
        c = 1 + num / c;
        if (fabs(d) < tiny)
            d = tiny;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        double step = d * c;
        f *= step;
        if (fabs(step - 1) < 1e-15)
            break;
    }
    return f;
}

double sk_stats_ibeta(double x, double a, double b)
{
    if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1))
        return NAN;
    if (x == 0 || x == 1)
        return x;
    double front = exp(a * log(x) + b * log1p(-x) - (lgamma(a) + lgamma(b) - lgamma(a + b)));
    if (x < (a + 1) / (a + b + 2))
        return front * beta_cf(x, a, b) / a;
    /* The other side converges fast through I_x(a, b) = 1 - I_{1-x}(b, a). */
    return 1 - front * beta_cf(1 - x, b, a) / b;
}

double sk_stats_t_cdf(double t, double df)
{
    if (!(df > 0) || isnan(t))
        return NAN;
    if (isinf(t))
        return t > 0 ? 1 : 0;
    /* P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2). */
    double tail = 0.5 * sk_stats_ibeta(df / (df + t * t), df / 2, 0.5);
    return t > 0 ? 1 - tail : tail;
}

double sk_stats_t_quantile(double p, double df)
{
    if (!(p > 0) || !(p < 1) || !(df > 0))
        return NAN;
    if (p == 0.5)
        return 0;
    if (p < 0.5)
        return -sk_stats_t_quantile(1 - p, df);
    double lo = 0, hi = 2;
    while (sk_stats_t_cdf(hi, df) < p && hi < 1e300)
        hi *= 2;
    for (int i = 0; i < 400 && hi - lo > 1e-13 * hi; i++) {
        double mid = lo + (hi - lo) / 2;
        if (sk_stats_t_cdf(mid, df) < p)
            lo = mid;
        else
            hi = mid;
    }
    return lo + (hi - lo) / 2;
}

int sk_stats_t_interval(const double *d, size_t n, double level, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (n < 2 || !(level > 0 && level < 1))
        return -1;
    double m = sk_stats_mean(d, n), sd = sk_stats_sd(d, n);
    double half = sk_stats_t_quantile(1 - (1 - level) / 2, (double)(n - 1)) * sd / sqrt((double)n);
    *lo = m - half;
    *hi = m + half;
    return 0;
}

void sk_rng_seed(sk_rng *r, uint64_t seed)
{
    r->state = seed;
}

uint64_t sk_rng_next(sk_rng *r)
{
    /* splitmix64: a Weyl sequence through a 64-bit finaliser. */
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t sk_rng_below(sk_rng *r, uint64_t n)
{
    /* Values under 2^64 mod n would make the low residues more likely:
     * draw again (rarely needed: at most n / 2^64 of the time). */
    uint64_t floor = (0 - n) % n;
    for (;;) {
        uint64_t v = sk_rng_next(r);
        if (v >= floor)
            return v % n;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The q-quantile of sorted v[0..n), interpolating between neighbours. */
static double quantile_sorted(const double *v, size_t n, double q)
{
    double h = q * (double)(n - 1);
    size_t i = (size_t)floor(h);
    if (i + 1 >= n)
        return v[n - 1];
    return v[i] + (h - (double)i) * (v[i + 1] - v[i]);
}

#define GOLDEN 0x9e3779b97f4a7c15ULL

/* sk_rng_next's output for the state it reaches after k draws from seed. */
static inline uint64_t splitmix_at(uint64_t seed, uint64_t k)
{
    uint64_t z = seed + k * GOLDEN;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* v % n without a division.  With m = floor((2^64 - 1) / n) and
 * e = 2^64 - n * m (1 <= e <= n), v * m / 2^64 falls short of v / n by
 * v * e / (n * 2^64) < 1, so q is v / n or one less: one conditional
 * subtraction (no branch: its outcome is random) makes r exact. */
static inline uint64_t mod_by(uint64_t v, uint64_t n, uint64_t m)
{
    uint64_t q = (uint64_t)(((unsigned __int128)v * m) >> 64);
    uint64_t r = v - q * n;
    return r - (n & ((uint64_t)0 - (uint64_t)(r >= n)));
}

/* Resample b's mean, drawn as sk_rng_below would: the one-by-one
 * reference the fast path must equal. */
static void bootstrap_serial(const double *x, size_t n, unsigned resamples, uint64_t seed,
                             double *means)
{
    sk_rng r;
    sk_rng_seed(&r, seed);
    for (unsigned b = 0; b < resamples; b++) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += x[sk_rng_below(&r, n)];
        means[b] = s / (double)n;
    }
}

/* The same means, BLOCK resamples at a time.  splitmix64 is a counter:
 * while no draw is rejected (sk_rng_below redraws a value under 2^64 mod n,
 * about once in 2^64 / n draws), resample b's i-th draw is draw b*n + i + 1
 * of the sequence, so BLOCK resamples can be summed side by side, each
 * still in its own order (the same additions, bit for bit), and the
 * independent sums keep the processor busy where one sum waits on each
 * addition.  A part that meets a draw that would have been rejected sets
 * `rejected`, and the caller then draws one by one. */
#define BLOCK 8

/* Resamples [b0, b1) of bootstraps of k arrays of n values each, all with
 * the same seed: the same draws pick from every array. */
typedef struct boot_part {
    const double *const *x;
    size_t k, n;
    unsigned b0, b1;
    uint64_t seed;
    double *const *means; /* means[j][b]: array j's resample b */
    int rejected;
} boot_part;

static void *bootstrap_blocked(void *arg)
{
    boot_part *p = arg;
    size_t n = p->n;
    uint64_t floor_ = (0 - (uint64_t)n) % n, m = UINT64_MAX / n, seed = p->seed;
    uint64_t rejected = 0;
    for (size_t a = 0; a < p->k; a++) {
        const double *x = p->x[a];
        for (unsigned b = p->b0; b < p->b1 && !rejected; b += BLOCK) {
            unsigned nb = p->b1 - b < BLOCK ? p->b1 - b : BLOCK;
            double s[BLOCK] = {0};
            uint64_t k0[BLOCK];
            for (unsigned j = 0; j < BLOCK; j++)
                k0[j] = (uint64_t)(b + (j < nb ? j : 0)) * n + 1;
            for (size_t i = 0; i < n; i++)
                for (unsigned j = 0; j < BLOCK; j++) {
                    uint64_t v = splitmix_at(seed, k0[j] + i);
                    rejected |= v < floor_;
                    s[j] += x[mod_by(v, n, m)];
                }
            for (unsigned j = 0; j < nb; j++)
                p->means[a][b + j] = s[j] / (double)n;
        }
    }
    p->rejected = rejected != 0;
    return NULL;
}

/* The interval from the resamples' means, which it sorts. */
static void resamples_done(double *means, unsigned resamples, double level, double *lo, double *hi)
{
    qsort(means, resamples, sizeof *means, cmp_double);
    double alpha = (1 - level) / 2;
    *lo = quantile_sorted(means, resamples, alpha);
    *hi = quantile_sorted(means, resamples, 1 - alpha);
}

/* Arrays a vector pass draws for at once: each adds four sums to the
 * registers the draws already fill. */
#define KMAX 4

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* bootstrap_blocked on eight 64-bit lanes (AVX-512F and DQ): lane j is
 * resample b + j, so each lane still adds its own draws in their order and
 * its sum is the scalar one, bit for bit.  v % n, for n under 2^20, as the
 * scalar code has no cheap vector form of its 128-bit product: with
 * v = hi * 2^32 + lo, t = hi * (2^32 % n) + lo is v modulo n and under
 * 2^53, so a double divides it to within one of t / n, and one correction
 * either way makes the remainder exact. */
/* One draw's index v % n for eight lanes at state z. */
__attribute__((target("avx512f,avx512dq"))) static inline __m512i
draw8(__m512i z, __m512i c1, __m512i c2, __m512i r32, __m512i low32, __m512i vn, __m512d inv_n,
      __m512i vfloor, __mmask8 *rejected)
{
    __m512i v = _mm512_xor_si512(z, _mm512_srli_epi64(z, 30));
    v = _mm512_mullo_epi64(v, c1);
    v = _mm512_xor_si512(v, _mm512_srli_epi64(v, 27));
    v = _mm512_mullo_epi64(v, c2);
    v = _mm512_xor_si512(v, _mm512_srli_epi64(v, 31));
    *rejected |= _mm512_cmplt_epu64_mask(v, vfloor);
    __m512i t = _mm512_add_epi64(_mm512_mul_epu32(_mm512_srli_epi64(v, 32), r32),
                                 _mm512_and_si512(v, low32));
    __m512i q = _mm512_cvttpd_epu64(_mm512_mul_pd(_mm512_cvtepu64_pd(t), inv_n));
    __m512i r = _mm512_sub_epi64(t, _mm512_mullo_epi64(q, vn));
    r = _mm512_mask_add_epi64(r, _mm512_cmplt_epi64_mask(r, _mm512_setzero_si512()), r, vn);
    return _mm512_mask_sub_epi64(r, _mm512_cmpge_epi64_mask(r, vn), r, vn);
}

/* Four vectors (32 resamples) at a time: four sums in flight, where one
 * would wait on each addition. */
#define LANES 32

/* K arrays (a constant where it is inlined, so the sums stay in
 * registers): each index vector is drawn once and read from all K. */
__attribute__((target("avx512f,avx512dq"), always_inline)) static inline void
blocked_avx512(boot_part *p, const double *const *x, double *const *means, const int K)
{
    uint64_t n = p->n, floor_ = (0 - n) % n;
    const __m512i golden = _mm512_set1_epi64((long long)GOLDEN);
    const __m512i c1 = _mm512_set1_epi64((long long)0xbf58476d1ce4e5b9ULL);
    const __m512i c2 = _mm512_set1_epi64((long long)0x94d049bb133111ebULL);
    const __m512i vn = _mm512_set1_epi64((long long)n);
    const __m512i r32 = _mm512_set1_epi64((long long)(((uint64_t)1 << 32) % n));
    const __m512i low32 = _mm512_set1_epi64(0xffffffffLL);
    const __m512i vfloor = _mm512_set1_epi64((long long)floor_);
    const __m512d inv_n = _mm512_set1_pd(1.0 / (double)n);
    __mmask8 rejected = 0;
    for (unsigned b = p->b0; b < p->b1 && !rejected; b += LANES) {
        unsigned nb = p->b1 - b < LANES ? p->b1 - b : LANES;
        uint64_t z0[LANES];
        for (unsigned j = 0; j < LANES; j++) /* the state before draw k: seed + k * GOLDEN */
            z0[j] = p->seed + ((uint64_t)(b + (j < nb ? j : 0)) * n + 1) * GOLDEN;
        __m512i z[4];
        __m512d s[KMAX][4];
        for (int v = 0; v < 4; v++) {
            z[v] = _mm512_loadu_si512(z0 + 8 * v);
            for (int a = 0; a < K; a++)
                s[a][v] = _mm512_setzero_pd();
        }
        for (uint64_t i = 0; i < n; i++)
            for (int v = 0; v < 4; v++) {
                uint64_t ix[8];
                _mm512_storeu_si512(ix,
                                    draw8(z[v], c1, c2, r32, low32, vn, inv_n, vfloor, &rejected));
                for (int a = 0; a < K; a++) {
                    const double *xa = x[a];
                    s[a][v] = _mm512_add_pd(s[a][v], _mm512_set_pd(xa[ix[7]], xa[ix[6]], xa[ix[5]],
                                                                   xa[ix[4]], xa[ix[3]], xa[ix[2]],
                                                                   xa[ix[1]], xa[ix[0]]));
                }
                z[v] = _mm512_add_epi64(z[v], golden);
            }
        for (int a = 0; a < K; a++) {
            double sums[LANES];
            for (int v = 0; v < 4; v++)
                _mm512_storeu_pd(sums + 8 * v, s[a][v]);
            for (unsigned j = 0; j < nb; j++)
                means[a][b + j] = sums[j] / (double)n;
        }
    }
    p->rejected |= rejected != 0;
}

__attribute__((target("avx512f,avx512dq"))) static void *bootstrap_blocked_avx512(void *arg)
{
    boot_part *p = arg;
    p->rejected = 0;
    for (size_t a = 0; a < p->k; a += KMAX)
        switch (p->k - a) {
        case 1: blocked_avx512(p, p->x + a, p->means + a, 1); break;
        case 2: blocked_avx512(p, p->x + a, p->means + a, 2); break;
        case 3: blocked_avx512(p, p->x + a, p->means + a, 3); break;
        default: blocked_avx512(p, p->x + a, p->means + a, KMAX); break;
        }
    return NULL;
}

/* The vector path where the processor has it (not under valgrind, whose
 * processor lacks AVX-512) and n keeps t under 2^53. */
static void *(*pick_kernel(size_t n))(void *)
{
    __builtin_cpu_init();
    if (n <= ((size_t)1 << 20) && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512dq"))
        return bootstrap_blocked_avx512;
    return bootstrap_blocked;
}
#else
static void *(*pick_kernel(size_t n))(void *)
{
    (void)n;
    return bootstrap_blocked;
}
#endif

/* Large bootstraps are split in two halves, one on a second thread (each
 * resample's sum is the same wherever it is computed). */
#define THREAD_MIN_DRAWS 4000000

/* Is every value of x the same, bit for bit? */
static int all_alike(const double *x, size_t n)
{
    size_t same = 1;
    while (same < n && memcmp(&x[same], &x[0], sizeof *x) == 0)
        same++;
    return same == n;
}

int sk_stats_bootstrap_ci_many(const double *const *x, size_t k, size_t n, double level,
                               unsigned resamples, uint64_t seed, double *lo, double *hi)
{
    for (size_t a = 0; a < k; a++)
        lo[a] = hi[a] = NAN;
    if (n < 2 || resamples < 2 || !(level > 0 && level < 1))
        return -1;
    const double **draw = sk_xmalloc((k ? k : 1) * sizeof *draw);
    double **means = sk_xmalloc((k ? k : 1) * sizeof *means);
    size_t *which = sk_xmalloc((k ? k : 1) * sizeof *which), nd = 0;
    for (size_t a = 0; a < k; a++) {
        double *m = sk_xmalloc(resamples * sizeof *m);
        if (all_alike(x[a], n)) {
            /* Two identical runs (every difference 0): every resample
             * draws n copies of the value, summed in the same order, so
             * the draws can be skipped and every mean is this one. */
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += x[a][0];
            for (unsigned b = 0; b < resamples; b++)
                m[b] = s / (double)n;
            resamples_done(m, resamples, level, &lo[a], &hi[a]);
            free(m);
            continue;
        }
        draw[nd] = x[a];
        means[nd] = m;
        which[nd++] = a;
    }
    if (nd) {
        unsigned half = resamples / 2 / BLOCK * BLOCK;
        boot_part parts[2] = {{draw, nd, n, 0, half, seed, means, 0},
                              {draw, nd, n, half, resamples, seed, means, 0}};
        pthread_t t;
        void *(*kernel)(void *) = pick_kernel(n);
        int threaded = (double)n * resamples * (double)nd >= THREAD_MIN_DRAWS && half > 0 &&
                       pthread_create(&t, NULL, kernel, &parts[0]) == 0;
        if (!threaded)
            parts[1].b0 = 0;
        kernel(&parts[1]);
        if (threaded)
            pthread_join(t, NULL);
        for (size_t j = 0; j < nd; j++) {
            if (parts[0].rejected || parts[1].rejected)
                bootstrap_serial(draw[j], n, resamples, seed, means[j]);
            resamples_done(means[j], resamples, level, &lo[which[j]], &hi[which[j]]);
            free(means[j]);
        }
    }
    free(which);
    free(means);
    free(draw);
    return 0;
}

int sk_stats_bootstrap_ci(const double *x, size_t n, double level, unsigned resamples,
                          uint64_t seed, double *lo, double *hi)
{
    return sk_stats_bootstrap_ci_many(&x, 1, n, level, resamples, seed, lo, hi);
}

double sk_stats_rows_needed(double sd, double d)
{
    if (isnan(sd) || isnan(d))
        return NAN;
    if (d == 0)
        return INFINITY;
    double k = (SK_Z_975 + SK_Z_80) * sd / fabs(d);
    return ceil(k * k - 1e-9);
}

double sk_stats_trials_needed(double var_d, size_t n, double d, double v_base, int k_base,
                              double v_new, int k_new)
{
    double noise = v_base + v_new;
    if (isnan(var_d) || isnan(noise) || noise <= 0 || n == 0 || k_base < 1 || k_new < 1)
        return NAN;
    if (d == 0)
        return INFINITY;
    double between = var_d - (v_base / k_base + v_new / k_new);
    if (between < 0)
        between = 0;
    double z = SK_Z_975 + SK_Z_80;
    double target = (double)n * d * d / (z * z); /* the largest variance that resolves d */
    if (target <= between)
        return INFINITY;
    double k = ceil(noise / (target - between) - 1e-9);
    return k < 1 ? 1 : k;
}
