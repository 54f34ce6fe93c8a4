/*
 * Private to the pattern scorers (valid_json, contains, icontains,
 * starts_with, regex, word_count): the pass/fail reporting they share, the
 * quoting used in their rationales, and the JSON Schema subset behind
 * valid_json's `schema` param.
 */
#ifndef SK_H_PATTERNS_H
#define SK_H_PATTERNS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "scorekit/plugin.h"

/* Report a pass/fail verdict.  `pass` is the check's own outcome and `fact`
 * a sentence that is true of the output either way ("output contains
 * \"Paris\"").  With `negate` (the `not` param) the verdict flips.  The
 * rationale is `fact`, marked when it is the inverted check that failed. */
void sk_pattern_verdict(const sk_host *host, sk_result *r, int pass, int negate, const char *fact);

/* Write s (n bytes, may hold NULs) into out as a double-quoted string for a
 * rationale: quotes, backslashes and control bytes escaped, and cut after
 * about `max` bytes (at a UTF-8 boundary) with "..." after the closing
 * quote.  out always ends up NUL-terminated. */
void sk_pattern_quote(char *out, size_t outsz, const char *s, size_t n, size_t max);

/* The JSON Schema subset (json_schema.c).  The schema stays a cJSON tree:
 * sk_schema_check verifies its structure once, at open(), so that
 * sk_schema_validate can walk it without re-checking.  Both are read-only
 * on the schema, so one schema may serve many threads. */

/* 0 when `schema` is a schema this subset can apply; otherwise non-zero
 * with a message in err saying where (a JSON pointer) and what to change. */
int sk_schema_check(const cJSON *schema, char *err, size_t errlen);

/* 1 when v satisfies the (checked) schema; 0 with the first violation in
 * why, prefixed by its JSON path ("$.items[2]: expected integer, got
 * string"). */
int sk_schema_validate(const cJSON *schema, const cJSON *v, char *why, size_t whylen);

#endif
