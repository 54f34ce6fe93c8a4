/*
 * valid_json: 1 when the output is valid JSON, and, with a schema, when it
 * also satisfies that schema.
 *
 * What is checked
 *   - An output field that is a JSON string (the usual case: a model's
 *     reply) has its text checked against RFC 8259 strictly, by the host's
 *     checker (host->json_check, the grammar scorekit reads data files
 *     with): exactly one value, surrounded by nothing but JSON whitespace;
 *     no comments, trailing commas, single quotes, NaN, leading zeros,
 *     "+1", ".5", raw control characters in strings, byte order mark,
 *     invalid UTF-8, or a number beyond the range of a double (1e999).  Nesting deeper than 512
 * levels is not valid either (a 0 whose rationale names the limit).  The rationale gives the line
 *     and column of the first error (columns in code points), and notes a
 *     Markdown code fence when the JSON is wrapped in one.
 *   - An output field that is already a JSON object, array, number, ...
 *     is valid by construction (a missing output is the JSON null).
 *
 * Params
 *   schema  (JSON, default null)  a JSON Schema the decoded value must
 *           satisfy; the subset supported is described in json_schema.c
 *           (type, enum, const, properties, required, additionalProperties,
 *           items, min/maxItems, uniqueItems, min/maxLength, minimum,
 *           maximum, exclusiveMinimum/Maximum).  Keywords it cannot apply
 *           ($ref, oneOf, anyOf, allOf, not, pattern, ...) are open()
 *           errors; other unknown keywords are ignored.  The rationale
 *           names the first violation with its path: "$.items[2]: expected
 *           integer, got string".  For the schema an unpaired \u
 *           surrogate in a string reads as U+FFFD.
 *   not     (bool, default false)  invert the verdict.
 */
#include <stdio.h>
#include <string.h>

#include "heuristic.h"
#include "patterns.h"

typedef struct vj_state {
    const sk_host *host;
    cJSON *schema; /* NULL: syntax only */
    int negate;
} vj_state;

static const sk_param_def params[] = {
    {"schema", SK_PARAM_JSON, "null", "JSON Schema (a subset) the output must also satisfy"},
    {"not", SK_PARAM_BOOL, "false", "invert the verdict: pass when the output is not valid"},
    {NULL, 0, NULL, NULL}};

/* ---- the strict syntax check ------------------------------------------ */

/* The grammar is the host's (host->json_check, the row scanner's checker);
 * this adds what helps a person fix a model's output: the line and column
 * of the problem, columns counted in code points as editors do, and plain
 * words for an empty output. */
static int check_syntax(const sk_host *host, const char *s, size_t n, char *why, size_t whylen)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    if (i == n) {
        snprintf(why, whylen, "%s", n ? "it is only whitespace" : "it is empty");
        return 0;
    }
    size_t at = 0;
    char reason[256];
    if (host->json_check(s, n, &at, reason, sizeof reason))
        return 1;
    size_t line = 1, col = 1;
    for (size_t k = 0; k < at && k < n; k++) {
        if (s[k] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)s[k] & 0xC0) != 0x80) {
            col++;
        }
    }
    snprintf(why, whylen, "line %zu, column %zu: %s", line, col, reason);
    return 0;
}

/* ---- the scorer -------------------------------------------------------- */

static int open_vj(const sk_host *host, const char *params_json, void **state, char *err,
                   size_t errlen)
{
    if (!SK_HAS_FIELD(host, sk_host, json_check)) {
        snprintf(err, errlen,
                 "valid_json: this scorekit host has no json_check; use the scorekit this "
                 "plugin was built with");
        return -1;
    }
    cJSON *p = sk_json_parse_cstr(params_json);
    if (!p) {
        snprintf(err, errlen, "valid_json: params are not valid JSON (a host bug)");
        return -1;
    }
    cJSON *schema = cJSON_DetachItemFromObjectCaseSensitive(p, "schema");
    int negate = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "not"));
    cJSON_Delete(p);
    if (cJSON_IsNull(schema)) {
        cJSON_Delete(schema);
        schema = NULL;
    }
    if (schema && sk_schema_check(schema, err, errlen)) {
        cJSON_Delete(schema);
        return -1;
    }
    vj_state *st = host->alloc(sizeof *st);
    st->host = host;
    st->schema = schema;
    st->negate = negate;
    *state = st;
    return 0;
}

static int starts_with_fence(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return n - i >= 3 && memcmp(s + i, "```", 3) == 0;
}

static int score_vj(const sk_host *host, void *state, const sk_case *c, sk_result *r)
{
    const vj_state *st = state;
    const char *j = c->output_json;
    while (*j == ' ' || *j == '\t' || *j == '\n' || *j == '\r')
        j++;
    int is_text = *j == '"';
    char fact[1024];

    if (is_text) {
        char why[512];
        if (!check_syntax(host, c->output_text, c->output_len, why, sizeof why)) {
            snprintf(fact, sizeof fact, "output is not valid JSON: %s%s", why,
                     starts_with_fence(c->output_text, c->output_len)
                         ? " (it is wrapped in a Markdown ``` code fence)"
                         : "");
            sk_pattern_verdict(host, r, 0, st->negate, fact);
            return 0;
        }
    }
    if (!st->schema) {
        sk_pattern_verdict(host, r, 1, st->negate, "output is valid JSON");
        return 0;
    }

    /* The same grammar as the check above, so only a host whose checker
     * differs from the one this plugin was built with can fail here. */
    cJSON *doc =
        is_text ? sk_json_parse(c->output_text, c->output_len) : sk_json_parse_cstr(c->output_json);
    if (!doc) {
        sk_pattern_verdict(host, r, 0, st->negate,
                           "output passed the host's JSON check but not this plugin's parser; "
                           "use the scorekit this plugin was built with");
        return 0;
    }
    char why[768];
    int ok = sk_schema_validate(st->schema, doc, why, sizeof why);
    cJSON_Delete(doc);
    if (ok)
        snprintf(fact, sizeof fact, "output is valid JSON and matches the schema");
    else
        snprintf(fact, sizeof fact, "output does not match the schema: %s", why);
    sk_pattern_verdict(host, r, ok, st->negate, fact);
    return 0;
}

static void close_vj(const sk_host *host, void *state)
{
    (void)host;
    vj_state *st = state;
    if (!st)
        return;
    cJSON_Delete(st->schema);
    st->host->free(st);
}

const sk_scorer_def sk_h_valid_json = {sizeof(sk_scorer_def),
                                       "valid_json",
                                       "1 when the output is valid JSON (and fits a schema)",
                                       SK_SCORER_THREAD_SAFE,
                                       SK_ACCEPT_JSON,
                                       params,
                                       open_vj,
                                       score_vj,
                                       close_vj};
