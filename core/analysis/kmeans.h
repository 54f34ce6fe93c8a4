/*
 * Clustering unit vectors by cosine similarity (spherical k-means), and
 * two measures of a clustering: the mean silhouette (how well each point
 * sits in its cluster against the next best) and the adjusted Rand index
 * (how much two labellings of the same points agree, 1 the same, about 0
 * by chance).  Used by `scorekit topics` (analysis/topics.h) and its bench.
 */
#ifndef SK_KMEANS_H
#define SK_KMEANS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/stats.h"

/* Sparse vectors of length 1 (or all zero), dim wide: vector i is
 * idx[off[i] .. off[i + 1]) (increasing) with val[...] beside them.
 * Every pointer is borrowed. */
typedef struct sk_vecs {
    size_t n, dim;
    const size_t *off;
    const uint32_t *idx;
    const double *val;
} sk_vecs;

/* Uniform in [0, 1) from the seeded generator of analysis/stats.h (the
 * same seed, the same clustering on every machine). */
double sk_rng_unit(sk_rng *r);

/* Cluster the vectors rows[0..m) of x (rows NULL: 0..m) into k groups:
 * k-means++ seeding (the first centre at random, each next one a vector
 * drawn with probability proportional to its squared cosine distance to
 * the nearest centre so far) from `seed`, then at most max_iter rounds of
 * assigning each vector to its most similar centre and making each centre
 * the normalised sum of its vectors, until no vector moves.  A group left
 * empty takes the vector farthest from its own centre.  assign[0..m)
 * receives each vector's group, 0..k-1, or k for an all-zero vector
 * (nothing to compare).  centres (may be NULL) receives a k x dim array
 * (caller frees).  *fit (may be NULL) receives the sum of each vector's
 * cosine to its centre: of two runs, the larger fits better.  Returns the
 * rounds made. */
int sk_kmeans(const sk_vecs *x, const size_t *rows, size_t m, size_t k, uint64_t seed, int max_iter,
              uint32_t *assign, double **centres, double *fit);

/* The cosine similarity of vectors i and j of x. */
double sk_vecs_dot(const sk_vecs *x, size_t i, size_t j);

/* The mean silhouette of m points with labels[0..m) (0..k-1; a point with
 * a label >= k is left out) under the m x m distance matrix dist (row
 * major): for each point, a the mean distance to the others of its
 * cluster, b the least mean distance to another cluster's points, and
 * s = (b - a) / max(a, b), 0 for a point alone in its cluster.  NAN when
 * fewer than two clusters have points. */
double sk_silhouette(const double *dist, size_t m, const uint32_t *labels, size_t k);

/* The adjusted Rand index of two labellings a[0..n), b[0..n) (Hubert and
 * Arabie, 1985); 1 when both put every point alone or all together alike. */
double sk_ari(const uint32_t *a, const uint32_t *b, size_t n);

#endif
