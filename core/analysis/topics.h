/*
 * What a set of texts is about: `scorekit topics` clusters rows by the
 * TF-IDF vectors of one text each (analysis/tfidf.h) with spherical
 * k-means (analysis/kmeans.h), k given or chosen by the mean silhouette
 * (cosine distance) of a seeded sample.  Each topic gets a label (the top
 * terms of its centre), its size, the row nearest its centre, and, when
 * the rows were scored, each scorer's mean and failure rate and the rows'
 * failure rate (by base/verdict.h's verdicts, as `failures` counts them).
 * Nothing here reads the store or prints.
 */
#ifndef SK_TOPICS_H
#define SK_TOPICS_H

#include <stddef.h>
#include <stdint.h>

typedef struct sk_topic_opts {
    size_t k;         /* 0: chosen by silhouette in 2..min(20, n / 2) */
    uint64_t seed;    /* the same seed, the same topics */
    size_t max_terms; /* 0: 20000 */
    size_t min_df;    /* 0: 2 */
    int max_iter;     /* 0: 30 */
    int restarts;     /* k-means runs from different seeds, the best fit kept; 0: 10, or 4 on
                       * more than 20000 rows */
    size_t sample;    /* rows the silhouette is measured on; 0: 1000 */
    /* n x dim (row major), borrowed: cluster these vectors (embeddings)
     * instead of the TF-IDF ones, which then only label the topics; NULL:
     * TF-IDF. */
    const double *embeddings;
    size_t dim;
} sk_topic_opts;

/* The rows' scores (every pointer borrowed for the call). */
typedef struct sk_topic_scores {
    size_t nscorers;
    const double *mean; /* n x nscorers, row major: the row's mean; NAN none */
    /* n x nscorers: trials at or above / below the scorer's threshold;
     * NULL when no scorer has one */
    const unsigned *pass, *fail;
    const int *verdict; /* n: SK_ROW_PASS, SK_ROW_FAIL or SK_ROW_NO_VERDICT; NULL: none */
} sk_topic_scores;

typedef struct sk_topic {
    char *label;                /* up to 3 top terms, ", " between */
    size_t size;                /* rows */
    size_t example;             /* the row nearest the centre */
    size_t judged, failed;      /* rows with a verdict, and of them failing */
    double fail_rate;           /* failed / judged; NAN without verdicts */
    double *mean, *scorer_fail; /* per scorer; NAN when none (NULL without scores) */
} sk_topic;

typedef struct sk_topics {
    size_t n;            /* rows */
    size_t ntopics;      /* non-empty topics (one more than k when some rows
                          * share no term with any other: "(no shared terms)") */
    size_t k;            /* the k clustered with */
    int k_chosen;        /* 1: by silhouette */
    double silhouette;   /* the chosen k's on the sample; NAN when k was given */
    double *silhouettes; /* with k_chosen: [k - 2] for k = 2..kmax, NAN untried */
    size_t kmax;
    size_t nterms; /* terms kept */
    int rounds;    /* of k-means */
    size_t nscorers;
    uint32_t *assign; /* n: each row's topic (an index into topics) */
    sk_topic *topics; /* worst first with scores, else largest first */
} sk_topics;

/* Cluster texts[0..n) (NUL-terminated, borrowed).  sc may be NULL.
 * Errors (SK_EINVAL with *err saying what to do): no rows, k larger than
 * the rows, or too few rows (under 4) to choose k.  Free *out with
 * sk_topics_free. */
int sk_topics_find(const char *const *texts, size_t n, const sk_topic_opts *o,
                   const sk_topic_scores *sc, sk_topics **out, char **err);
void sk_topics_free(sk_topics *t);

#endif
