/*
 * The filter language of online rules: which logs a rule scores.
 *
 *   metadata.route == "refund" and len(output) > 0
 *   contains(input, "cancel") or not (model == "gpt-4o-mini")
 *   latency_ms >= 2000 and metadata.tier != "free"
 *
 * A filter is an expression over a log's fields: id, time, input, output,
 * expected, metadata (and paths into JSON values: metadata.user.plan,
 * input.question), trace_id, span_id, model, latency_ms, input_tokens,
 * output_tokens, cost.  Values are JSON's: strings ('...' or "..."),
 * numbers, true, false, null; a field a log lacks is null.  Operators, by
 * precedence: or, and, not, then the comparisons == != < <= > >= (numbers
 * with numbers, strings with strings; == and != with anything).  Functions:
 * len(x) (characters of a string, items of a list or object, 0 for null),
 * contains(haystack, needle) (a substring of a string, an item of a list),
 * icontains (the same, ignoring ASCII case), startswith(s, prefix),
 * endswith(s, suffix).  A value used as a condition is true unless it is
 * false, null, 0 or "".
 */
#ifndef SK_FILTER_H
#define SK_FILTER_H

#include <stddef.h>

#include <cjson/cJSON.h>

typedef struct sk_filter sk_filter;

/* Parse `text`.  On error SK_EPARSE with *err saying what was expected and
 * *col the 1-based character column in text where it went wrong. */
int sk_filter_parse(const char *text, sk_filter **out, size_t *col, char **err);

/* Whether `row` (a JSON object holding the log's fields by the names
 * above, JSON values parsed; borrowed) passes the filter. */
int sk_filter_match(const sk_filter *f, const cJSON *row);

/* NULL is allowed. */
void sk_filter_free(sk_filter *f);

#endif
