/*
 * UTF-8 decoding for the text scorers.  Scores count Unicode code points,
 * not bytes: "é" is one character whichever way it is encoded in bytes.
 * A byte that is not part of a valid sequence decodes as U+FFFD on its own,
 * so malformed text still gets a deterministic, finite score.
 */
#ifndef SK_TEXT_UTF8_H
#define SK_TEXT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decode n bytes of s into out, which must hold n entries (a string never
 * has more code points than bytes).  Returns the number of code points. */
size_t sk_utf8_decode(const char *s, size_t n, uint32_t *out);

/* The number of code points sk_utf8_decode would produce. */
size_t sk_utf8_count(const char *s, size_t n);

/* Encode one code point; returns bytes written to out (1..4). */
size_t sk_utf8_encode(uint32_t cp, char out[4]);

#endif
