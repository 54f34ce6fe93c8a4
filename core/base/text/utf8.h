/*
 * UTF-8 decoding for the text scorers.  Scores count Unicode code points,
 * not bytes: "é" is one character whichever way it is encoded in bytes.
 * A byte that is not part of a valid sequence decodes as U+FFFD on its own,
 * so malformed text still gets a deterministic, finite score.
 *
 * Valid means well-formed as Unicode defines it: no overlong forms, no
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF.  All functions are
 * pure and thread-safe; none allocates.
 */
#ifndef SK_TEXT_UTF8_H
#define SK_TEXT_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define SK_UTF8_REPLACEMENT 0xFFFDu

/* Decode n bytes of s into out, which must hold n entries (a string never
 * has more code points than bytes).  Returns the number of code points. */
size_t sk_utf8_decode(const char *s, size_t n, uint32_t *out);

/* The number of code points sk_utf8_decode would produce. */
size_t sk_utf8_count(const char *s, size_t n);

/* Encode one code point; returns bytes written to out (1..4).  A value
 * that is not a Unicode scalar (a surrogate, or above U+10FFFF) is written
 * as U+FFFD. */
size_t sk_utf8_encode(uint32_t cp, char out[4]);

/* Decode the code point that starts s (n > 0 bytes available) into *cp and
 * return how many bytes it used (1..4).  An invalid byte gives U+FFFD and
 * uses 1 byte, exactly as sk_utf8_decode does. */
size_t sk_utf8_next(const char *s, size_t n, uint32_t *cp);

/* 1 when all n bytes are ASCII (< 0x80), else 0.  Word at a time. */
int sk_utf8_is_ascii(const char *s, size_t n);

/* 1 when all n bytes are valid UTF-8, else 0. */
int sk_utf8_is_valid(const char *s, size_t n);

/* Copy n bytes of s to out, each byte that is not part of a valid
 * sequence as U+FFFD (as sk_utf8_decode reads it); out must hold 3 * n
 * bytes.  Returns the bytes written. */
size_t sk_utf8_repair(const char *s, size_t n, char *out);

#endif
