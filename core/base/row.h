/*
 * The fast JSON row scanner.  Scoring a file reads every row once, so instead
 * of building a tree it validates a line in one pass and records where the
 * values of a few wanted top-level keys lie in the line.  Values stay as
 * their raw bytes, which keeps big numbers exact and costs no allocation.
 */
#ifndef SK_ROW_H
#define SK_ROW_H

#include <stddef.h>

#include "base/util.h"

/* Containers nested deeper than this are rejected. */
#define SK_JSON_MAX_DEPTH 512

/* A byte range inside the scanned line; p == NULL means the key was absent. */
typedef struct sk_span {
    const char *p;
    size_t n;
} sk_span;

/* Validate `line` (len bytes) as one JSON text per RFC 8259, strictly (no
 * trailing commas, comments, NaN, leading zeros or raw control characters;
 * valid escapes and UTF-8; nothing but whitespace after the value; nesting at
 * most SK_JSON_MAX_DEPTH), which must be an object.  For each of the nkeys
 * names in keys[], spans[i] receives the raw bytes of that top-level member's
 * value (a string keeps its quotes), or {NULL, 0} when absent.  Key names in
 * the line are compared after decoding their escapes.  A wanted key that
 * occurs twice is an error; other duplicates are allowed.  The spans point
 * into `line`.  Returns 0, or SK_EPARSE with "column N: what is wrong" (N the
 * 1-based byte column) in err (errlen bytes, truncated to fit; err may be
 * NULL), and all spans cleared. */
int sk_row_scan(const char *line, size_t len, const char *const *keys, size_t nkeys, sk_span *spans,
                char *err, size_t errlen);

/* sk_row_scan that also sets *unknown to the first top-level key of the
 * object that is none of keys[] (its raw bytes, quotes included), or to
 * {NULL, 0}: checking a row for stray fields costs no second walk. */
int sk_row_scan_known(const char *line, size_t len, const char *const *keys, size_t nkeys,
                      sk_span *spans, sk_span *unknown, char *err, size_t errlen);

/* sk_row_scan for a line that sk_row_scan accepted before (a second pass
 * over a validated file): the same spans, found without validating string
 * contents, several times faster.  Safe on any input (bounded, and a
 * broken structure is still an error), but invalid text may be accepted. */
int sk_row_scan_trusted(const char *line, size_t len, const char *const *keys, size_t nkeys,
                        sk_span *spans, char *err, size_t errlen);

/* Validate any JSON text by the same rules (any top-level type).  Returns 0,
 * or SK_EPARSE with "column N: what is wrong" in err, as sk_row_scan. */
int sk_json_validate(const char *p, size_t n, char *err, size_t errlen);

/* The same check for callers that place the error themselves (valid_json
 * counts lines and code points): returns 0 when p[0..n) is exactly one JSON
 * value by the rules above, else SK_EPARSE with *at the byte offset of the
 * problem (n when the text ends too soon) and the reason, without any
 * position, in why (whylen bytes, truncated to fit, always NUL-terminated
 * when whylen > 0).  On success why is "" and *at is 0.  at and why may be
 * NULL. */
int sk_json_check(const char *p, size_t n, size_t *at, char *why, size_t whylen);

/* Decode the string literal p[0..n) (quotes included, already validated)
 * into UTF-8 appended to `out`.  \u escapes are decoded, surrogate pairs
 * joined, and a lone surrogate becomes U+FFFD.  The text may contain NUL
 * bytes (from \u0000): use out->len.  Returns 0, or -1 when the span is not a
 * string literal. */
int sk_json_string_decode(const char *p, size_t n, sk_buf *out);

/* 1 when the span is a JSON string literal. */
static inline int sk_span_is_string(sk_span s)
{
    return s.p && s.n >= 2 && s.p[0] == '"';
}

/* Append to `id` the stable id of a row that has none: "h" and 16 hex
 * digits of a hash of the raw JSON bytes of input and expected.  Callers
 * pass {NULL, 0} for an expected that is absent or null, and the text null
 * for a missing input.  `scorekit score` and the dataset store both use it,
 * so a row keeps its id wherever it goes. */
void sk_row_derive_id(sk_buf *id, sk_span input, sk_span expected);

#endif
