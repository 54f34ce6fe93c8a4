/*
 * The words typical of failing texts against passing ones: each distinct
 * word of a text counts once for its row's side, and a word's weight is
 * the z-score of the weighted log-odds ratio with an informative Dirichlet
 * prior (Monroe, Colaresi and Quinn, 2008), the prior of a word being its
 * count over both sides and the prior's total all words' counts.  Words
 * are lowercased runs of letters and digits (any non-ASCII byte counts as
 * a letter), 2 to 40 bytes, without a few English function words.
 */
#ifndef SK_TERMS_H
#define SK_TERMS_H

#include <stddef.h>

typedef struct sk_fail_term {
    char *term;
    long in_fail, in_pass; /* rows whose text has it */
    double z;
    char *examples[3]; /* failing rows' ids */
    size_t nexamples;
} sk_fail_term;

typedef struct sk_terms sk_terms;

sk_terms *sk_terms_new(void);
void sk_terms_free(sk_terms *t);
/* Count text's words for a failing (failed 1) or passing row; the first
 * three failing rows' ids are kept as examples (id copied). */
void sk_terms_add(sk_terms *t, const char *text, int failed, const char *id);
/* The `want` words most typical of the failing side with z above 1.96 and
 * in two or more failing rows, by z, largest first: *out (caller frees
 * each term, its examples and the array) and *n. */
void sk_terms_distinctive(const sk_terms *t, size_t want, sk_fail_term **out, size_t *n);

#endif
