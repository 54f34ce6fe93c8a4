/* Spherical k-means, the silhouette and the adjusted Rand index (see
 * kmeans.h). */
#include "analysis/kmeans.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

double sk_rng_unit(sk_rng *r)
{
    return (double)(sk_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Vector r of x against a dense centre. */
static double dot_dense(const sk_vecs *x, size_t r, const double *c)
{
    double s = 0;
    for (size_t p = x->off[r]; p < x->off[r + 1]; p++)
        s += x->val[p] * c[x->idx[p]];
    return s;
}

double sk_vecs_dot(const sk_vecs *x, size_t i, size_t j)
{
    size_t p = x->off[i], pe = x->off[i + 1], q = x->off[j], qe = x->off[j + 1];
    double s = 0;
    while (p < pe && q < qe) {
        if (x->idx[p] == x->idx[q])
            s += x->val[p++] * x->val[q++];
        else if (x->idx[p] < x->idx[q])
            p++;
        else
            q++;
    }
    return s;
}

static void set_centre(const sk_vecs *x, size_t r, double *c)
{
    memset(c, 0, x->dim * sizeof *c);
    for (size_t p = x->off[r]; p < x->off[r + 1]; p++)
        c[x->idx[p]] = x->val[p];
}

static int empty_vec(const sk_vecs *x, size_t r)
{
    return x->off[r] == x->off[r + 1];
}

/* k-means++: each next centre drawn with weight D^2, D = 1 - the best
 * cosine to the centres so far (all-zero vectors never drawn). */
static void seed_centres(const sk_vecs *x, const size_t *rows, size_t m, size_t k, sk_rng *rng,
                         double *cent)
{
    double *best = sk_xmalloc((m ? m : 1) * sizeof *best);
    size_t nonzero = 0;
    for (size_t i = 0; i < m; i++) {
        best[i] = -2;
        nonzero += !empty_vec(x, rows ? rows[i] : i);
    }
    for (size_t j = 0; j < k; j++) {
        double total = 0;
        for (size_t i = 0; i < m; i++) {
            size_t r = rows ? rows[i] : i;
            if (empty_vec(x, r))
                continue;
            double d = j ? 1 - best[i] : 1;
            total += d > 0 ? d * d : 0;
        }
        size_t pick = m;
        if (total > 0) {
            double u = sk_rng_unit(rng) * total;
            for (size_t i = 0; i < m; i++) {
                size_t r = rows ? rows[i] : i;
                if (empty_vec(x, r))
                    continue;
                double d = j ? 1 - best[i] : 1;
                pick = i;
                if ((u -= d > 0 ? d * d : 0) < 0)
                    break;
            }
        } else if (nonzero) {
            /* Every vector sits on a centre already (duplicates): any. */
            size_t want = (size_t)(sk_rng_unit(rng) * (double)nonzero);
            for (size_t i = 0; i < m; i++)
                if (!empty_vec(x, rows ? rows[i] : i) && want-- == 0) {
                    pick = i;
                    break;
                }
        }
        double *c = cent + j * x->dim;
        if (pick == m) {
            memset(c, 0, x->dim * sizeof *c);
            continue;
        }
        set_centre(x, rows ? rows[pick] : pick, c);
        for (size_t i = 0; i < m; i++) {
            double s = dot_dense(x, rows ? rows[i] : i, c);
            if (s > best[i])
                best[i] = s;
        }
    }
    free(best);
}

int sk_kmeans(const sk_vecs *x, const size_t *rows, size_t m, size_t k, uint64_t seed, int max_iter,
              uint32_t *assign, double **centres, double *fit)
{
    sk_rng rng;
    sk_rng_seed(&rng, seed);
    double *cent = sk_xcalloc(k * x->dim + 1, sizeof *cent);
    double *sim = sk_xmalloc((m ? m : 1) * sizeof *sim);
    size_t *size = sk_xcalloc(k + 1, sizeof *size);
    seed_centres(x, rows, m, k, &rng, cent);
    for (size_t i = 0; i < m; i++)
        assign[i] = UINT32_MAX;
    int round = 0;
    while (round < max_iter) {
        round++;
        size_t moved = 0;
        memset(size, 0, (k + 1) * sizeof *size);
        for (size_t i = 0; i < m; i++) {
            size_t r = rows ? rows[i] : i;
            uint32_t to = (uint32_t)k;
            double bs = -2;
            if (!empty_vec(x, r))
                for (size_t j = 0; j < k; j++) {
                    double s = dot_dense(x, r, cent + j * x->dim);
                    if (s > bs)
                        bs = s, to = (uint32_t)j;
                }
            sim[i] = bs;
            moved += assign[i] != to;
            assign[i] = to;
            size[to]++;
        }
        /* An empty group takes the vector least like its own centre. */
        for (size_t j = 0; j < k; j++) {
            if (size[j])
                continue;
            size_t far = m;
            for (size_t i = 0; i < m; i++)
                if (assign[i] < k && size[assign[i]] > 1 && (far == m || sim[i] < sim[far]))
                    far = i;
            if (far == m)
                break;
            size[assign[far]]--;
            assign[far] = (uint32_t)j;
            size[j] = 1;
            sim[far] = 1;
            moved++;
        }
        if (!moved && round > 1)
            break;
        memset(cent, 0, k * x->dim * sizeof *cent);
        for (size_t i = 0; i < m; i++) {
            if (assign[i] >= k)
                continue;
            size_t r = rows ? rows[i] : i;
            double *c = cent + assign[i] * x->dim;
            for (size_t p = x->off[r]; p < x->off[r + 1]; p++)
                c[x->idx[p]] += x->val[p];
        }
        for (size_t j = 0; j < k; j++) {
            double *c = cent + j * x->dim, norm = 0;
            for (size_t d = 0; d < x->dim; d++)
                norm += c[d] * c[d];
            norm = sqrt(norm);
            for (size_t d = 0; d < x->dim && norm > 0; d++)
                c[d] /= norm;
        }
        if (!moved)
            break;
    }
    if (fit) {
        /* Against the final centres. */
        double f = 0;
        for (size_t i = 0; i < m; i++)
            if (assign[i] < k)
                f += dot_dense(x, rows ? rows[i] : i, cent + assign[i] * x->dim);
        *fit = f;
    }
    free(sim);
    free(size);
    if (centres)
        *centres = cent;
    else
        free(cent);
    return round;
}

double sk_silhouette(const double *dist, size_t m, const uint32_t *labels, size_t k)
{
    size_t *size = sk_xcalloc(k ? k : 1, sizeof *size);
    double *sum = sk_xmalloc((k ? k : 1) * sizeof *sum);
    size_t used = 0, counted = 0;
    for (size_t i = 0; i < m; i++)
        if (labels[i] < k && size[labels[i]]++ == 0)
            used++;
    double total = 0;
    for (size_t i = 0; used >= 2 && i < m; i++) {
        if (labels[i] >= k)
            continue;
        counted++;
        if (size[labels[i]] == 1)
            continue; /* s = 0 */
        for (size_t j = 0; j < k; j++)
            sum[j] = 0;
        for (size_t j = 0; j < m; j++)
            if (j != i && labels[j] < k)
                sum[labels[j]] += dist[i * m + j];
        double a = sum[labels[i]] / (double)(size[labels[i]] - 1), b = INFINITY;
        for (size_t j = 0; j < k; j++)
            if (j != labels[i] && size[j] && sum[j] / (double)size[j] < b)
                b = sum[j] / (double)size[j];
        double mx = a > b ? a : b;
        total += mx > 0 ? (b - a) / mx : 0;
    }
    free(size);
    free(sum);
    return used >= 2 && counted ? total / (double)counted : NAN;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sum over runs of equal keys of C(run, 2). */
static double pairs_of_runs(uint64_t *keys, size_t n)
{
    qsort(keys, n, sizeof *keys, cmp_u64);
    double s = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && keys[j] == keys[i])
            j++;
        double c = (double)(j - i);
        s += c * (c - 1) / 2;
        i = j;
    }
    return s;
}

double sk_ari(const uint32_t *a, const uint32_t *b, size_t n)
{
    uint64_t *keys = sk_xmalloc((n ? n : 1) * sizeof *keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = (uint64_t)a[i] << 32 | b[i];
    double index = pairs_of_runs(keys, n);
    for (size_t i = 0; i < n; i++)
        keys[i] = a[i];
    double sa = pairs_of_runs(keys, n);
    for (size_t i = 0; i < n; i++)
        keys[i] = b[i];
    double sb = pairs_of_runs(keys, n);
    free(keys);
    double all = (double)n * ((double)n - 1) / 2;
    double expected = all > 0 ? sa * sb / all : 0;
    double max = (sa + sb) / 2;
    if (max - expected == 0)
        return 1.0;
    return (index - expected) / (max - expected);
}
