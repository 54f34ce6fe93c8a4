/* Topics of a set of texts (see topics.h). */
#include "analysis/topics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/kmeans.h"
#include "analysis/tfidf.h"
#include "base/error.h"
#include "base/util.h"
#include "base/verdict.h"

#define MAX_CHOSEN_K 20

/* k-means from o->restarts seeds derived from o->seed; the best fit's
 * assignment and centres (NULL: not wanted) are kept. */
static int best_kmeans(const sk_vecs *x, const size_t *rows, size_t m, size_t k,
                       const sk_topic_opts *o, uint32_t *assign, double **centres)
{
    /* More starts where they are cheap: a bad start costs more on few rows. */
    int restarts = o->restarts > 0 ? o->restarts : m <= 20000 ? 10 : 4, rounds = 0;
    uint32_t *tmp = sk_xmalloc((m ? m : 1) * sizeof *tmp);
    double best = -1;
    for (int r = 0; r < restarts; r++) {
        double fit, *c = NULL;
        int n = sk_kmeans(x, rows, m, k, o->seed + (uint64_t)r * 0x9E3779B97F4A7C15ull,
                          o->max_iter ? o->max_iter : 30, tmp, centres ? &c : NULL, &fit);
        if (fit > best) {
            best = fit;
            rounds = n;
            memcpy(assign, tmp, m * sizeof *tmp);
            if (centres) {
                free(*centres);
                *centres = c;
                c = NULL;
            }
        }
        free(c);
    }
    free(tmp);
    return rounds;
}

static sk_vecs vecs_of(const sk_tfidf *t)
{
    sk_vecs v = {t->ndocs, t->nterms, t->off, t->idx, t->val};
    return v;
}

/* A seeded sample of at most `want` rows that have a term, in row order. */
static size_t *sample_rows(const sk_vecs *x, size_t want, uint64_t seed, size_t *m)
{
    size_t *rows = sk_xmalloc((x->n ? x->n : 1) * sizeof *rows);
    size_t n = 0;
    for (size_t i = 0; i < x->n; i++)
        if (x->off[i] != x->off[i + 1])
            rows[n++] = i;
    sk_rng rng;
    sk_rng_seed(&rng, seed ^ 0x5851F42D4C957F2Dull);
    if (n > want) {
        for (size_t i = 0; i < want; i++) {
            size_t j = i + (size_t)(sk_rng_unit(&rng) * (double)(n - i));
            size_t t = rows[i];
            rows[i] = rows[j];
            rows[j] = t;
        }
        n = want;
        /* Back in row order, so the sample does not depend on the shuffle's
         * order beyond which rows it holds. */
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && rows[j - 1] > rows[j]; j--) {
                size_t t = rows[j];
                rows[j] = rows[j - 1];
                rows[j - 1] = t;
            }
    }
    *m = n;
    return rows;
}

/* Dense vectors (embeddings) as sparse ones of every dimension, scaled
 * to length 1; an all-zero vector stays empty. */
typedef struct dense {
    size_t *off;
    uint32_t *idx;
    double *val;
} dense;

static sk_vecs dense_vecs(const double *e, size_t n, size_t dim, dense *d)
{
    d->off = sk_xmalloc((n + 1) * sizeof *d->off);
    d->idx = sk_xmalloc((n * dim + 1) * sizeof *d->idx);
    d->val = sk_xmalloc((n * dim + 1) * sizeof *d->val);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        d->off[i] = at;
        double norm = 0;
        for (size_t j = 0; j < dim; j++)
            norm += e[i * dim + j] * e[i * dim + j];
        norm = sqrt(norm);
        for (size_t j = 0; j < dim && norm > 0; j++, at++) {
            d->idx[at] = (uint32_t)j;
            d->val[at] = e[i * dim + j] / norm;
        }
    }
    d->off[n] = at;
    sk_vecs v = {n, dim, d->off, d->idx, d->val};
    return v;
}

/* Each topic's TF-IDF vectors summed: k x nterms (caller frees). */
static double *term_sums(const sk_tfidf *tf, const uint32_t *assign, size_t k)
{
    double *c = sk_xcalloc(k * tf->nterms + 1, sizeof *c);
    for (size_t i = 0; i < tf->ndocs; i++)
        if (assign[i] < k)
            for (size_t p = tf->off[i]; p < tf->off[i + 1]; p++)
                c[assign[i] * tf->nterms + tf->idx[p]] += tf->val[p];
    return c;
}

/* k in 2..kmax with the highest mean silhouette on the sample (ties: the
 * smaller k). */
static size_t choose_k(const sk_vecs *x, const sk_topic_opts *o, size_t kmax, double *sils,
                       double *best_sil)
{
    size_t m;
    size_t *rows = sample_rows(x, o->sample ? o->sample : 1000, o->seed, &m);
    double *dist = sk_xmalloc((m ? m * m : 1) * sizeof *dist);
    for (size_t i = 0; i < m; i++) {
        dist[i * m + i] = 0;
        for (size_t j = i + 1; j < m; j++) {
            double d = 1 - sk_vecs_dot(x, rows[i], rows[j]);
            d = d < 0 ? 0 : d;
            dist[i * m + j] = dist[j * m + i] = d;
        }
    }
    uint32_t *lab = sk_xmalloc((m ? m : 1) * sizeof *lab);
    size_t best = 2;
    *best_sil = NAN;
    for (size_t k = 2; k <= kmax; k++) {
        sils[k - 2] = NAN;
        if (k >= m)
            continue;
        best_kmeans(x, rows, m, k, o, lab, NULL);
        double s = sk_silhouette(dist, m, lab, k);
        sils[k - 2] = s;
        if (!isnan(s) && (isnan(*best_sil) || s > *best_sil)) {
            *best_sil = s;
            best = k;
        }
    }
    free(lab);
    free(dist);
    free(rows);
    return best;
}

/* Up to 3 of the centre's heaviest terms, none part of another. */
static char *label_of(const sk_tfidf *t, const double *c)
{
    const char *pick[3];
    size_t npick = 0;
    unsigned char *used = sk_xcalloc(t->nterms + 1, 1);
    while (npick < 3) {
        size_t best = t->nterms;
        for (size_t d = 0; d < t->nterms; d++)
            if (!used[d] && c[d] > 0 && (best == t->nterms || c[d] > c[best]))
                best = d;
        if (best == t->nterms)
            break;
        used[best] = 1;
        const char *s = sk_tfidf_term(t, best);
        int overlap = 0;
        for (size_t i = 0; i < npick && !overlap; i++)
            overlap = strstr(pick[i], s) || strstr(s, pick[i]);
        if (!overlap)
            pick[npick++] = s;
    }
    free(used);
    sk_buf b = {0};
    for (size_t i = 0; i < npick; i++) {
        if (i)
            sk_buf_adds(&b, ", ");
        sk_buf_adds(&b, pick[i]);
    }
    return b.data ? b.data : sk_xstrdup("(no terms)");
}

static double overall_mean(const sk_topic *t, size_t nscorers)
{
    double s = 0;
    size_t n = 0;
    for (size_t j = 0; j < nscorers; j++)
        if (!isnan(t->mean[j]))
            s += t->mean[j], n++;
    return n ? s / (double)n : NAN;
}

typedef struct topic_key {
    double fail, mean; /* NAN sorts last */
    size_t size, index;
} topic_key;

static int cmp_topics(const void *a, const void *b)
{
    const topic_key *x = a, *y = b;
    if (isnan(x->fail) != isnan(y->fail))
        return isnan(x->fail) ? 1 : -1;
    if (!isnan(x->fail) && x->fail != y->fail)
        return x->fail > y->fail ? -1 : 1;
    if (isnan(x->mean) != isnan(y->mean))
        return isnan(x->mean) ? 1 : -1;
    if (!isnan(x->mean) && x->mean != y->mean)
        return x->mean < y->mean ? -1 : 1;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static void add_scores(sk_topic *tp, const sk_topic_scores *sc, size_t row)
{
    if (sc->verdict && sc->verdict[row] != SK_ROW_NO_VERDICT) {
        tp->judged++;
        tp->failed += sc->verdict[row] == SK_ROW_FAIL;
    }
}

static void finish_scores(sk_topics *r, const sk_topic_scores *sc, size_t nraw)
{
    size_t ns = sc ? sc->nscorers : 0;
    for (size_t t = 0; t < nraw; t++) {
        sk_topic *tp = &r->topics[t];
        tp->fail_rate =
            sc && sc->verdict && tp->judged ? (double)tp->failed / (double)tp->judged : NAN;
        if (!ns)
            continue;
        tp->mean = sk_xmalloc(ns * sizeof *tp->mean);
        tp->scorer_fail = sk_xmalloc(ns * sizeof *tp->scorer_fail);
        for (size_t j = 0; j < ns; j++) {
            double sum = 0;
            size_t n = 0;
            unsigned long pass = 0, fail = 0;
            for (size_t i = 0; i < r->n; i++) {
                if (r->assign[i] != t)
                    continue;
                double v = sc->mean[i * ns + j];
                if (!isnan(v))
                    sum += v, n++;
                if (sc->pass)
                    pass += sc->pass[i * ns + j], fail += sc->fail[i * ns + j];
            }
            tp->mean[j] = n ? sum / (double)n : NAN;
            tp->scorer_fail[j] = pass + fail ? (double)fail / (double)(pass + fail) : NAN;
        }
    }
}

int sk_topics_find(const char *const *texts, size_t n, const sk_topic_opts *o,
                   const sk_topic_scores *sc, sk_topics **out, char **err)
{
    *out = NULL;
    if (n == 0)
        return sk_errf(err, SK_EINVAL, "no rows to cluster");
    if (o->k > n)
        return sk_errf(err, SK_EINVAL,
                       "-k %zu is more topics than the %zu row%s; give -k %zu or less", o->k, n,
                       n == 1 ? "" : "s", n);
    size_t kmax = n / 2 < MAX_CHOSEN_K ? n / 2 : MAX_CHOSEN_K;
    if (!o->k && kmax < 2)
        return sk_errf(err, SK_EINVAL,
                       "%zu row%s are too few to choose the number of topics (4 or more are "
                       "needed); give -k",
                       n, n == 1 ? "" : "s");
    sk_tfidf tf;
    sk_tfidf_build(texts, n, o->min_df, o->max_terms, &tf);
    dense d = {0};
    sk_vecs x = o->embeddings ? dense_vecs(o->embeddings, n, o->dim, &d) : vecs_of(&tf);
    sk_topics *r = sk_xcalloc(1, sizeof *r);
    r->n = n;
    r->nterms = tf.nterms;
    r->nscorers = sc ? sc->nscorers : 0;
    r->silhouette = NAN;
    size_t k = o->k;
    if (!k) {
        r->k_chosen = 1;
        r->kmax = kmax;
        r->silhouettes = sk_xmalloc(kmax * sizeof *r->silhouettes);
        k = choose_k(&x, o, kmax, r->silhouettes, &r->silhouette);
    }
    r->k = k;
    r->assign = sk_xmalloc(n * sizeof *r->assign);
    double *cent = NULL;
    r->rounds = best_kmeans(&x, NULL, n, k, o, r->assign, &cent);

    /* Topics 0..k-1 from k-means, k for the rows with no kept term. */
    size_t nraw = k + 1;
    r->topics = sk_xcalloc(nraw, sizeof *r->topics);
    double *near = sk_xmalloc(nraw * sizeof *near);
    for (size_t t = 0; t < nraw; t++)
        near[t] = -2;
    for (size_t i = 0; i < n; i++) {
        uint32_t t = r->assign[i];
        sk_topic *tp = &r->topics[t];
        tp->size++;
        double s = 0;
        if (t < k)
            for (size_t p = x.off[i]; p < x.off[i + 1]; p++)
                s += x.val[p] * cent[t * x.dim + x.idx[p]];
        if (s > near[t])
            near[t] = s, tp->example = i;
        if (sc)
            add_scores(tp, sc, i);
    }
    /* Labels from the terms: with embeddings, of the sum of each topic's
     * TF-IDF vectors (its direction is all the label needs). */
    double *terms = o->embeddings ? term_sums(&tf, r->assign, k) : cent;
    for (size_t t = 0; t < nraw; t++)
        if (r->topics[t].size)
            r->topics[t].label =
                t < k ? label_of(&tf, terms + t * tf.nterms)
                      : sk_xstrdup(o->embeddings ? "(no embedding)" : "(no shared terms)");
    finish_scores(r, sc, nraw);
    if (terms != cent)
        free(terms);
    free(near);
    free(cent);
    free(d.off);
    free(d.idx);
    free(d.val);
    sk_tfidf_free(&tf);

    /* Worst first (or largest), empty topics dropped. */
    topic_key *keys = sk_xmalloc(nraw * sizeof *keys);
    size_t nk = 0;
    for (size_t t = 0; t < nraw; t++) {
        sk_topic *tp = &r->topics[t];
        if (!tp->size) {
            free(tp->mean);
            free(tp->scorer_fail);
            continue;
        }
        keys[nk++] =
            (topic_key){tp->fail_rate, tp->mean ? overall_mean(tp, r->nscorers) : NAN, tp->size, t};
    }
    qsort(keys, nk, sizeof *keys, cmp_topics);
    uint32_t *rank = sk_xmalloc(nraw * sizeof *rank);
    sk_topic *sorted = sk_xcalloc(nk ? nk : 1, sizeof *sorted);
    for (size_t i = 0; i < nk; i++) {
        rank[keys[i].index] = (uint32_t)i;
        sorted[i] = r->topics[keys[i].index];
    }
    for (size_t i = 0; i < n; i++)
        r->assign[i] = rank[r->assign[i]];
    free(r->topics);
    r->topics = sorted;
    r->ntopics = nk;
    free(rank);
    free(keys);
    *out = r;
    return SK_OK;
}

void sk_topics_free(sk_topics *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ntopics; i++) {
        free(t->topics[i].label);
        free(t->topics[i].mean);
        free(t->topics[i].scorer_fail);
    }
    free(t->topics);
    free(t->assign);
    free(t->silhouettes);
    free(t);
}
