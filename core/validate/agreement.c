/* Agreement with people (see agreement.h). */
#include "validate/agreement.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/binomial.h"
#include "base/util.h"

#define Z95 1.959963984540054

void sk_kappa(size_t tp, size_t fp, size_t fn, size_t tn, double *kappa, double *se)
{
    double n = (double)(tp + fp + fn + tn);
    *kappa = *se = NAN;
    if (n == 0)
        return;
    /* p[i][j]: scorer says i, people say j (0 pass, 1 fail). */
    double p[2][2] = {{tp / n, fp / n}, {fn / n, tn / n}};
    double row[2] = {p[0][0] + p[0][1], p[1][0] + p[1][1]};
    double col[2] = {p[0][0] + p[1][0], p[0][1] + p[1][1]};
    double po = p[0][0] + p[1][1], pe = row[0] * col[0] + row[1] * col[1];
    if (pe >= 1)
        return; /* both always say the same one thing: kappa is undefined */
    *kappa = (po - pe) / (1 - pe);
    double a = 0, b = 0;
    for (int i = 0; i < 2; i++) {
        double d = (1 - pe) - (col[i] + row[i]) * (1 - po);
        a += p[i][i] * d * d;
        for (int j = 0; j < 2; j++)
            if (i != j)
                b += p[i][j] * (col[i] + row[j]) * (col[i] + row[j]);
    }
    b *= (1 - po) * (1 - po);
    double c = po * pe - 2 * pe + po;
    double var = (a + b - c * c) / (n * pow(1 - pe, 4));
    *se = var > 0 ? sqrt(var) : 0;
}

double sk_pearson(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return NAN;
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++)
        mx += x[i], my += y[i];
    mx /= (double)n;
    my /= (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

typedef struct ranked {
    double v;
    size_t i;
} ranked;

static int by_value(const void *a, const void *b)
{
    double x = ((const ranked *)a)->v, y = ((const ranked *)b)->v;
    return (x > y) - (x < y);
}

/* Mid-ranks (ties share the mean of their ranks), 1-based. */
static void ranks(const double *v, size_t n, double *r)
{
    ranked *s = sk_xmalloc(n * sizeof *s);
    for (size_t i = 0; i < n; i++)
        s[i] = (ranked){v[i], i};
    qsort(s, n, sizeof *s, by_value);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && s[j + 1].v == s[i].v)
            j++;
        double mid = (double)(i + j) / 2 + 1;
        for (size_t k = i; k <= j; k++)
            r[s[k].i] = mid;
        i = j + 1;
    }
    free(s);
}

double sk_spearman(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return NAN;
    double *rx = sk_xmalloc(n * sizeof *rx), *ry = sk_xmalloc(n * sizeof *ry);
    ranks(x, n, rx);
    ranks(y, n, ry);
    double rho = sk_pearson(rx, ry, n);
    free(rx);
    free(ry);
    return rho;
}

typedef struct table {
    size_t tp, fp, fn, tn;
} table;

static table count(const sk_agree_pair *p, size_t n, double judge_cut, double people_cut)
{
    table t = {0};
    for (size_t i = 0; i < n; i++) {
        int s = p[i].score >= judge_cut, h = p[i].label >= people_cut;
        if (s && h)
            t.tp++;
        else if (s)
            t.fp++;
        else if (h)
            t.fn++;
        else
            t.tn++;
    }
    return t;
}

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : NAN;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The cuts worth trying: each distinct score (a cut at a score passes it),
 * and one above them all (the scorer passes nothing). */
static void best_cuts(const sk_agree_pair *p, size_t n, sk_agreement *a)
{
    double *v = sk_xmalloc((n + 1) * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = p[i].score;
    qsort(v, n, sizeof *v, cmp_double);
    v[n] = v[n - 1] + 1e-9;
    a->best_kappa = a->best_j = -INFINITY;
    for (size_t i = 0; i <= n; i++) {
        if (i && i < n && v[i] == v[i - 1])
            continue;
        table t = count(p, n, v[i], a->cut);
        double k, se;
        sk_kappa(t.tp, t.fp, t.fn, t.tn, &k, &se);
        double j = ratio(t.tp, t.tp + t.fn) + ratio(t.tn, t.tn + t.fp) - 1;
        /* Ties go to the cut nearest the current one. */
        if (!isnan(k) &&
            (k > a->best_kappa + 1e-12 || (fabs(k - a->best_kappa) <= 1e-12 &&
                                           fabs(v[i] - a->cut) < fabs(a->best_kappa_cut - a->cut))))
            a->best_kappa = k, a->best_kappa_cut = v[i];
        if (!isnan(j) &&
            (j > a->best_j + 1e-12 ||
             (fabs(j - a->best_j) <= 1e-12 && fabs(v[i] - a->cut) < fabs(a->best_j_cut - a->cut))))
            a->best_j = j, a->best_j_cut = v[i];
    }
    if (isinf(a->best_kappa))
        a->best_kappa = a->best_kappa_cut = NAN;
    if (isinf(a->best_j))
        a->best_j = a->best_j_cut = NAN;
    free(v);
}

void sk_agreement_compute(const sk_agree_pair *p, size_t n, double cut, sk_agreement *out)
{
    memset(out, 0, sizeof *out);
    out->cut = cut;
    out->n = n;
    double *nan_fields[] = {&out->accuracy,   &out->kappa,  &out->kappa_lo,       &out->kappa_hi,
                            &out->tpr,        &out->tpr_lo, &out->tpr_hi,         &out->tnr,
                            &out->tnr_lo,     &out->tnr_hi, &out->precision,      &out->pearson,
                            &out->spearman,   &out->mae,    &out->best_kappa_cut, &out->best_kappa,
                            &out->best_j_cut, &out->best_j};
    for (size_t i = 0; i < sizeof nan_fields / sizeof nan_fields[0]; i++)
        *nan_fields[i] = NAN;
    if (!n)
        return;
    table t = count(p, n, cut, cut);
    out->tp = t.tp, out->fp = t.fp, out->fn = t.fn, out->tn = t.tn;
    out->accuracy = ratio(t.tp + t.tn, n);
    double se;
    sk_kappa(t.tp, t.fp, t.fn, t.tn, &out->kappa, &se);
    if (!isnan(out->kappa)) {
        out->kappa_lo = fmax(-1, out->kappa - Z95 * se);
        out->kappa_hi = fmin(1, out->kappa + Z95 * se);
    }
    size_t pos = t.tp + t.fn, neg = t.tn + t.fp;
    if (pos) {
        out->tpr = ratio(t.tp, pos);
        sk_wilson((long)t.tp, (long)pos, Z95, &out->tpr_lo, &out->tpr_hi);
    }
    if (neg) {
        out->tnr = ratio(t.tn, neg);
        sk_wilson((long)t.tn, (long)neg, Z95, &out->tnr_lo, &out->tnr_hi);
    }
    out->precision = ratio(t.tp, t.tp + t.fp);
    for (size_t i = 0; i < n; i++)
        if (p[i].label != 0 && p[i].label != 1)
            out->graded = 1;
    if (out->graded) {
        double *x = sk_xmalloc(n * sizeof *x), *y = sk_xmalloc(n * sizeof *y), ae = 0;
        for (size_t i = 0; i < n; i++) {
            x[i] = p[i].score;
            y[i] = p[i].label;
            ae += fabs(x[i] - y[i]);
        }
        out->pearson = sk_pearson(x, y, n);
        out->spearman = sk_spearman(x, y, n);
        out->mae = ae / (double)n;
        free(x);
        free(y);
    }
    best_cuts(p, n, out);
}

/* Agresti-Coull: the variance of a proportion of k in m, as if 2
 * successes and 2 failures more had been seen. */
static double ac_var(size_t k, size_t m)
{
    double pt = ((double)k + 2) / ((double)m + 4);
    return pt * (1 - pt) / ((double)m + 4);
}

void sk_rogan_gladen(size_t passed, size_t n, size_t tp, size_t pos, size_t tn, size_t neg,
                     sk_corrected_rate *out)
{
    out->value = out->lo = out->hi = NAN;
    out->observed = ratio(passed, n);
    out->tpr = ratio(tp, pos);
    out->tnr = ratio(tn, neg);
    double j = out->tpr + out->tnr - 1;
    if (!n || !pos || !neg || !(j > 0))
        return;
    double pi = (out->observed + out->tnr - 1) / j;
    pi = fmin(1, fmax(0, pi));
    double var = (out->observed * (1 - out->observed) / (double)n + pi * pi * ac_var(tp, pos) +
                  (1 - pi) * (1 - pi) * ac_var(tn, neg)) /
                 (j * j);
    double half = Z95 * sqrt(var);
    out->value = pi;
    out->lo = fmax(0, pi - half);
    out->hi = fmin(1, pi + half);
}
