/*
 * Levenshtein (edit) distance over Unicode code points, bit-parallel
 * (Myers/Hyyrö), so long strings cost O(ceil(m/64) * n) word operations.
 * Thread-safe: scratch memory is per call or per thread.
 */
#ifndef SK_TEXT_LEVENSHTEIN_H
#define SK_TEXT_LEVENSHTEIN_H

#include <stddef.h>
#include <stdint.h>

/* Edit distance between two code point sequences. */
size_t sk_levenshtein_cp(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/* Edit distance between two UTF-8 strings, counted in code points. */
size_t sk_levenshtein(const char *a, size_t na, const char *b, size_t nb);

/* 1 - distance / max(len(a), len(b)) in code points; both empty gives 1. */
double sk_levenshtein_similarity(const char *a, size_t na, const char *b, size_t nb);

#endif
