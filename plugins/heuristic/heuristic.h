/*
 * The heuristic scorer pack: deterministic, thread-safe scorers that need
 * no model.  Each scorer lives in its own file and exports its definition;
 * plugin.c lists them in the plugin's table.
 */
#ifndef SK_HEURISTIC_H
#define SK_HEURISTIC_H

#include <cjson/cJSON.h>

#include "base/json_tree.h"
#include "scorekit/plugin.h"

/* similarity scorers */
extern const sk_scorer_def sk_h_exact_match;
extern const sk_scorer_def sk_h_levenshtein;
extern const sk_scorer_def sk_h_numeric_diff;
extern const sk_scorer_def sk_h_json_diff;
extern const sk_scorer_def sk_h_list_contains;

/* pattern scorers */
extern const sk_scorer_def sk_h_valid_json;
extern const sk_scorer_def sk_h_contains;
extern const sk_scorer_def sk_h_icontains;
extern const sk_scorer_def sk_h_starts_with;
extern const sk_scorer_def sk_h_regex;
extern const sk_scorer_def sk_h_word_count;

/* --- shared JSON helpers (json_util.c) --- */
/*
 * Helpers for scorers that compare JSON values.  All are thread-safe and
 * never print.  Memory they return is from malloc: free() plain buffers,
 * cJSON_Delete() cJSON trees.  Allocation failure aborts (house policy).
 */

/* Recursion over a parsed tree (sk_hjson_dump, sk_hjson_members' users) is
 * as deep as the tree, which sk_hjson_parse limits to 512 levels. */

/* String normalisation flags (the ignore_case / normalize_whitespace
 * params).  Both are ASCII-only by design: no locale, no Unicode tables. */
enum {
    SK_HNORM_IGNORE_CASE = 1u << 0, /* fold A-Z to a-z */
    SK_HNORM_WHITESPACE = 1u << 1   /* trim, and collapse each run of space, \t, \n, \v,
                                       \f, \r to one space */
};

/* Which JSON a string may hold to be read as that JSON instead of as text
 * (the "string holding JSON" rule of sk_hjson_field / sk_hjson_unwrap). */
enum {
    SK_HJSON_UNWRAP_NONE = 0,       /* a string is always a string */
    SK_HJSON_UNWRAP_CONTAINERS = 1, /* objects and arrays only */
    SK_HJSON_UNWRAP_ARRAYS = 2,     /* arrays only */
    SK_HJSON_UNWRAP_ANY = 3         /* any value; a number must follow the strict JSON
                                       grammar, so "007" stays a string */
};

/* Cheap pre-check before parsing free text: 1 when the first character
 * after JSON whitespace could start a JSON value ({ [ " - 0-9, or the words
 * true, false, null), 0 when s certainly is not JSON.  Reads no further
 * than it must, so it costs nothing on ordinary prose. */
int sk_hjson_may_be_json(const char *s, size_t n);

/* Parse exactly n bytes of s as one JSON value by the core's strict rules
 * (sk_json_parse: thread-safe, unlike cJSON_Parse, and numbers keep their
 * literal for sk_hjson_number); whitespace around it is allowed, anything
 * else after it is not.  NULL when it is not JSON. */
cJSON *sk_hjson_parse(const char *s, size_t n);

/* The "string holding JSON" rule for one string of n bytes: the parsed
 * value when s holds JSON of a kind `unwrap` (SK_HJSON_UNWRAP_*) allows,
 * else NULL (s is then just text). */
cJSON *sk_hjson_unwrap(const char *s, size_t n, unsigned unwrap);

/* The value of one case field, given its JSON text and its *_text / *_len
 * (sk_case): when the value is a string that holds JSON `unwrap` allows,
 * the parsed content, else the value itself.  NULL only when json is NULL
 * or not JSON. */
cJSON *sk_hjson_field(const char *json, const char *text, size_t len, unsigned unwrap);

/* 1 when the JSON text json (a case field) is a string, by its first
 * non-whitespace character; then the field's *_text is the content. */
int sk_hjson_is_string(const char *json);

/* The members of object obj sorted by key (bytewise, which is code point
 * order), a repeated key resolved as JSON.parse does: the last one wins.
 * Stores a malloc'd array (free() it; NULL when empty) in *out and returns
 * its length. */
size_t sk_hjson_members(const cJSON *obj, const cJSON ***out);

/* Canonical compact JSON text of v: no whitespace, object keys as by
 * sk_hjson_members, numbers by their exact value as sk_hnum_format gives it
 * (sk_hjson_format_number for a node without a literal), strings escaped as
 * JSON.stringify does (only ", \ and control characters), and string
 * values (not keys) normalised by `norm` (SK_HNORM_*).  Two values are
 * equal as JSON exactly when their dumps are equal byte for byte.
 * Returns a malloc'd NUL-terminated text; *len gets its length if not
 * NULL. */
char *sk_hjson_dump(const cJSON *v, unsigned norm, size_t *len);

/* Format a number as JavaScript's String(x) does: the shortest digits
 * that read back as x, exponent form outside [1e-7, 1e21) (1 -> "1",
 * 0.1 -> "0.1", 1e21 -> "1e+21", 1e-7 -> "1e-7"); -0 is "0".  Infinities
 * are "1e999" / "-1e999" so they stay JSON; NaN is "null".  out holds at
 * least 32 bytes; returns the length. */
size_t sk_hjson_format_number(double x, char *out);

/* Write s (n bytes) normalised by `norm` to out, which holds n bytes;
 * returns the new length (<= n). */
size_t sk_hjson_normalize(const char *s, size_t n, unsigned norm, char *out);

/* 1 when a and b are equal after normalisation by `norm`, else 0.  No
 * allocation; stops at the first difference. */
int sk_hjson_text_equal(const char *a, size_t na, const char *b, size_t nb, unsigned norm);

/* A short excerpt of s for a rationale: a JSON string literal of at most
 * about `max` bytes of s (cut at a character boundary, "..." appended
 * inside the quotes when cut), written NUL-terminated to out (outlen > 0,
 * truncated to fit). */
void sk_hjson_snippet(const char *s, size_t n, size_t max, char *out, size_t outlen);

/* "a string", "a number", "an object", "an array", "a boolean", "null"
 * (NULL v: "nothing"). */
const char *sk_hjson_type_name(const cJSON *v);

/* Numeric similarity 1 - |a-b| / (|a|+|b|), floored at 0, both 0 giving
 * 1 (autoevals' NumericDiff; also safe when |a|+|b| overflows).  a and b
 * must be finite.  At double precision: prefer sk_hnum_similarity. */
double sk_hjson_numeric_similarity(double a, double b);

/* --- exact decimal numbers (json_number.c) --- */

/* A number by its exact decimal value: (neg ? -1 : 1) * 0.DIGITS * 10^point,
 * DIGITS without leading or trailing zeros.  Zero has n == 0, neg == 0 and
 * point == 0, so -0, 0 and 0.0e5 are one value, and so are 1.50, 1.5 and
 * 15e-1. */
typedef struct sk_hnum {
    int neg;
    char *digits; /* n digits and a NUL; malloc'd */
    size_t n;
    long long point;
} sk_hnum;

/* Read s (n bytes, no surrounding space) as [+-]D[.D][(e|E)[+-]D] with a
 * digit on at least one side of the point: JSON's number grammar and the
 * decimal form strtod reads (not hex, inf or nan).  Returns 0 (free *out
 * with sk_hnum_free), or -1 when s is not such a number or its exponent is
 * beyond +-10^9 (nothing to free). */
int sk_hnum_read(const char *s, size_t n, sk_hnum *out);
void sk_hnum_free(sk_hnum *x);

/* The exact value of a number node from sk_hjson_parse, which keeps the
 * literal as written (see json_tree.h).  Returns 0 (free with
 * sk_hnum_free), or -1 for anything else, such as a node that
 * cJSON_CreateNumber made. */
int sk_hjson_number(const cJSON *v, sk_hnum *out);

int sk_hnum_equal(const sk_hnum *a, const sk_hnum *b);

/* -1, 0 or 1 as a's value is below, equal to or above b's, exactly. */
int sk_hnum_cmp(const sk_hnum *a, const sk_hnum *b);

/* Canonical text: the layout of JavaScript's Number::toString with every
 * digit kept (15e-1 -> "1.5", 1e21 -> "1e+21", 1e-7 -> "1e-7"), so that for
 * a number written with a double's shortest digits it is
 * sk_hjson_format_number's text.  Equal values, equal texts.  Malloc'd;
 * *len gets its length if not NULL. */
char *sk_hnum_format(const sk_hnum *x, size_t *len);

/* numeric_diff's similarity 1 - |a-b| / (|a|+|b|), floored at 0, from the
 * exact difference.  It is 1 only when a == b: numbers that differ by less
 * than a double can tell from 1 (9007199254740993 vs 9007199254740992)
 * score the largest double below 1, 1 - 2^-53, so a difference never
 * passes as a match.  *difference (when not NULL) gets |a-b| as canonical
 * text (malloc'd).  Returns -1, with no difference, for a pair more than
 * 4096 digits apart (1 vs 1e-5000): compare them as doubles. */
double sk_hnum_similarity(const sk_hnum *a, const sk_hnum *b, char **difference);

/* sk_hnum_similarity of two number nodes, through doubles (with the same
 * "never 1 when different" rule) where the exact values are unknown or too
 * far apart. */
double sk_hjson_number_similarity(const cJSON *a, const cJSON *b);

/* Append s, or v in decimal, to out (cap bytes) at *at, truncating and
 * keeping out NUL-terminated.  Rationales are built with these rather than
 * printf, which costs more than the scoring on short texts. */
void sk_hjson_cat(char *out, size_t cap, size_t *at, const char *s);
void sk_hjson_cat_uint(char *out, size_t cap, size_t *at, size_t v);

/* Whether the host will show r's rationale: building one can cost more
 * than the score. */
static inline int sk_h_wants_rationale(const sk_host *host, const sk_result *r)
{
    return !SK_HAS_FIELD(host, sk_host, wants_rationale) || host->wants_rationale(r);
}

#endif
