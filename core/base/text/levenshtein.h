/*
 * Levenshtein (edit) distance over Unicode code points, bit-parallel
 * (Myers/Hyyrö), so long strings cost O(ceil(m/64) * n) word operations.
 * Thread-safe: scratch memory is per call (on the stack up to 256 code
 * points, on the heap beyond, where the work dwarfs one malloc).
 *
 * Lengths and distances count code points: an astral-plane character such
 * as an emoji counts 1 (JavaScript, and so Braintrust autoevals, counts the
 * two UTF-16 units of it).  Invalid UTF-8 bytes count one U+FFFD each (see
 * utf8.h).  Allocation failure aborts, as everywhere in scorekit.
 */
#ifndef SK_TEXT_LEVENSHTEIN_H
#define SK_TEXT_LEVENSHTEIN_H

#include <stddef.h>
#include <stdint.h>

/* Flags for the _ex functions. */
enum {
    /* Fold ASCII A-Z to a-z before comparing.  Other letters (É, Σ) are
     * compared as they are: no Unicode case tables are involved. */
    SK_LEV_IGNORE_CASE = 1u << 0
};

/* Edit distance between two code point sequences (borrowed). */
size_t sk_levenshtein_cp(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/* Edit distance between two UTF-8 strings of na and nb bytes (NUL bytes
 * are ordinary characters), counted in code points. */
size_t sk_levenshtein(const char *a, size_t na, const char *b, size_t nb);

/* sk_levenshtein with SK_LEV_* flags; stores the code point lengths of a
 * and b in *len_a and *len_b when those are not NULL.  All-ASCII input is
 * never decoded. */
size_t sk_levenshtein_ex(const char *a, size_t na, const char *b, size_t nb, unsigned flags,
                         size_t *len_a, size_t *len_b);

/* The progress report of the metered functions: `work` units done since
 * the last report, one unit per word operation step of the scan (a text
 * character against one 64-character block of the pattern) and one per
 * 16 bytes of the linear passes (prefix and suffix, decoding).  Reported
 * every SK_LEV_TICK units or so while the scan runs.  Return nonzero to
 * abandon the computation. */
typedef int (*sk_lev_tick)(void *ud, unsigned long long work);

#define SK_LEV_TICK 65536

/* sk_levenshtein_ex reporting its work to tick (NULL: none), so a caller
 * with a budget can stop a long computation part-way.  Returns SIZE_MAX
 * when tick asked to stop (scratch memory freed; *len_a and *len_b not
 * set). */
size_t sk_levenshtein_metered(const char *a, size_t na, const char *b, size_t nb, unsigned flags,
                              size_t *len_a, size_t *len_b, sk_lev_tick tick, void *ud);

/* 1 - distance / max(len(a), len(b)) in code points; both empty gives 1.
 * Computed as 1.0 - (double)d / (double)max, the same floating-point steps
 * as autoevals, so equal inputs give bit-identical scores. */
double sk_levenshtein_similarity(const char *a, size_t na, const char *b, size_t nb);

/* sk_levenshtein_similarity with SK_LEV_* flags. */
double sk_levenshtein_similarity_ex(const char *a, size_t na, const char *b, size_t nb,
                                    unsigned flags);

/* sk_levenshtein_similarity_ex reporting its work as
 * sk_levenshtein_metered does; -1 when tick asked to stop. */
double sk_levenshtein_similarity_metered(const char *a, size_t na, const char *b, size_t nb,
                                         unsigned flags, sk_lev_tick tick, void *ud);

#endif
