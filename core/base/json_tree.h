/*
 * JSON text to a cJSON tree, by the row scanner's rules, from any thread.
 *
 * cJSON's own parsers (cJSON_Parse and its variants) write a process-wide
 * error variable on every call, so two worker threads parsing at once race.
 * sk_json_parse keeps no state outside its call.  Code that may run on a
 * worker thread (scorers, tasks, the LLM client, the host's services) parses
 * with it, never with cJSON_Parse*; the ThreadSanitizer pass in .ci/run
 * fails when two threads reach cJSON's parser at once.
 *
 * It is built into libskjson with the scanner it relies on, which the core
 * and both plugins link.
 */
#ifndef SK_JSON_TREE_H
#define SK_JSON_TREE_H

#include <stddef.h>
#include <string.h>

#include <cjson/cJSON.h>

/* Parse text[0..len) as exactly one JSON value by sk_json_check's rules
 * (strict RFC 8259, nesting up to SK_JSON_MAX_DEPTH, no number beyond the
 * range of a double; whitespace around the value is allowed).  Returns a
 * tree the caller frees with cJSON_Delete, or NULL when text is NULL or not
 * such a value (call sk_json_check for the reason).
 *
 * Differences from cJSON_Parse's trees, all deliberate:
 *   - a number node also keeps the literal as written (its exact decimal
 *     value, for comparisons beyond a double's precision) in valuestring;
 *     cJSON's functions ignore a number's valuestring, cJSON_Delete frees
 *     it and cJSON_Duplicate copies it;
 *   - a lone UTF-16 surrogate escape decodes to U+FFFD (cJSON fails);
 *   - a string holding \u0000 ends there, as with cJSON: valuestring is a
 *     C string.
 * Out of memory aborts, as everywhere in scorekit. */
cJSON *sk_json_parse(const char *text, size_t len);

/* sk_json_parse of a NUL-terminated text (NULL gives NULL). */
static inline cJSON *sk_json_parse_cstr(const char *text)
{
    return text ? sk_json_parse(text, strlen(text)) : NULL;
}

/* Compact JSON text of v, as cJSON_PrintUnformatted writes it but for two
 * things: a number that keeps its literal (a node from sk_json_parse, or a
 * copy of one) is written as it was read, so 12345678901234567890 stays
 * that, not 1.2345678901234567e+19; and a string's invalid UTF-8 byte is
 * written as U+FFFD (sk_buf_add_json_string), so the text is always JSON.
 * NULL prints as null.  Aborts on exhaustion; the caller frees the text
 * with free(). */
char *sk_json_print(const cJSON *v);

#endif
