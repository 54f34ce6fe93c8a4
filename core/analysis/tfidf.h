/*
 * Texts as TF-IDF vectors, for clustering them (analysis/topics.h).
 *
 * Terms: a text is lower-cased (ASCII letters) and cut into words, runs of
 * letters and digits (a non-ASCII character of a script written with
 * spaces counts as a letter); words of 2 to 40 bytes other than a few
 * English function words are kept, and each word and each pair of
 * adjacent kept words ("refund policy") is a term.  Scripts written
 * without spaces (Chinese, Japanese kana, Thai, Lao, Khmer, Myanmar) have
 * no words to cut, so each run of their characters gives its character
 * bigrams and trigrams instead (a lone character is a term itself).
 *
 * Weights: a term in fewer than min_df texts is dropped (it cannot make
 * two texts alike), and at most max_terms terms are kept, the ones in most
 * texts, ties by first appearance, so memory stays bounded however varied
 * the texts.  A term's weight in a text is (1 + ln tf) * idf with the
 * smoothed idf = ln((1 + n) / (1 + df)) + 1, and each text's vector is
 * scaled to length 1 (a text with no kept term stays all zero).
 */
#ifndef SK_TFIDF_H
#define SK_TFIDF_H

#include <stddef.h>
#include <stdint.h>

typedef struct sk_tfidf {
    size_t ndocs, nterms;
    /* Text i's vector: idx[off[i] .. off[i + 1]) (increasing term numbers)
     * with val[...] beside them. */
    size_t *off;
    uint32_t *idx;
    double *val;
    /* Term t: its text at terms + term_off[t] (NUL-terminated), its df. */
    char *terms;
    size_t *term_off;
    uint32_t *df;
    double *idf;
} sk_tfidf;

/* The vectors of texts[0..n) (each NUL-terminated; borrowed for the
 * call).  min_df 0 means 2; max_terms 0 means 20000.  Free *out with
 * sk_tfidf_free. */
void sk_tfidf_build(const char *const *texts, size_t n, size_t min_df, size_t max_terms,
                    sk_tfidf *out);
void sk_tfidf_free(sk_tfidf *t);

static inline const char *sk_tfidf_term(const sk_tfidf *t, size_t term)
{
    return t->terms + t->term_off[term];
}

/* The number of term `s` (exact), or -1 when it was not kept. */
long sk_tfidf_find(const sk_tfidf *t, const char *s);

/* Call fn for each term of `text` in order (words, word pairs, character
 * n-grams as described above); s[0..len) is borrowed for the call. */
void sk_tfidf_each_term(const char *text, void (*fn)(void *ud, const char *s, size_t len),
                        void *ud);

#endif
