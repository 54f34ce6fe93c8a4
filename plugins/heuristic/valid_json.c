/*
 * valid_json: 1 when the output is valid JSON, and, with a schema, when it
 * also satisfies that schema.
 *
 * What is checked
 *   - An output field that is a JSON string (the usual case: a model's
 *     reply) has its text checked against RFC 8259 strictly: exactly one
 *     value, surrounded by nothing but JSON whitespace; no comments,
 *     trailing commas, single quotes, NaN, leading zeros, "+1", ".5", raw
 *     control characters in strings, byte order mark, or invalid UTF-8.
 *     Nesting depth is unlimited (the checker keeps its own stack, not the
 *     C stack).  The rationale gives the line and column of the first
 *     error, and notes a Markdown code fence when the JSON is wrapped in
 *     one.
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
 *           integer, got string".  Checking the schema needs the value
 *           decoded, which fails (a 0) beyond 1000 levels of nesting.
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

typedef struct syntax {
    const sk_host *host;
    const unsigned char *s;
    size_t n, i;
    unsigned char *stack; /* '{' or '[' per open container */
    size_t depth, cap;
    char *why;
    size_t whylen;
} syntax;

static int fail_at(syntax *y, size_t at, const char *what)
{
    size_t line = 1, col = 1;
    for (size_t k = 0; k < at && k < y->n; k++) {
        if (y->s[k] == '\n') {
            line++;
            col = 1;
        } else if ((y->s[k] & 0xC0) != 0x80) {
            col++;
        }
    }
    snprintf(y->why, y->whylen, "line %zu, column %zu: %s", line, col, what);
    return 0;
}

/* Byte length of the valid UTF-8 sequence at p (n bytes left), or 0.
 * Overlong forms, surrogates and code points past U+10FFFF are invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned char b = p[0];
    if (b < 0x80)
        return 1;
    if (b < 0xC2 || b > 0xF4)
        return 0;
    size_t k = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (n < k)
        return 0;
    for (size_t i = 1; i < k; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((b == 0xE0 && p[1] < 0xA0) || (b == 0xED && p[1] >= 0xA0) || (b == 0xF0 && p[1] < 0x90) ||
        (b == 0xF4 && p[1] >= 0x90))
        return 0;
    return k;
}

/* "unexpected <what the byte is>, <expectation>" */
static int unexpected(syntax *y, const char *expectation)
{
    char what[256], thing[32];
    const unsigned char *p = y->s + y->i;
    size_t k = utf8_len(p, y->n - y->i);
    if (*p >= 0x20 && *p < 0x7F) {
        snprintf(thing, sizeof thing, "'%c'", *p);
    } else if (k == 0) {
        snprintf(thing, sizeof thing, "byte 0x%02X (invalid UTF-8)", *p);
    } else {
        unsigned long cp = k == 1   ? *p
                           : k == 2 ? (p[0] & 0x1Fu)
                           : k == 3 ? (p[0] & 0x0Fu)
                                    : (p[0] & 0x07u);
        for (size_t i = 1; i < k; i++)
            cp = (cp << 6) | (p[i] & 0x3Fu);
        snprintf(thing, sizeof thing, "character U+%04lX", cp);
    }
    snprintf(what, sizeof what, "unexpected %s, %s", thing, expectation);
    return fail_at(y, y->i, what);
}

static void skip_ws(syntax *y)
{
    while (y->i < y->n &&
           (y->s[y->i] == ' ' || y->s[y->i] == '\t' || y->s[y->i] == '\n' || y->s[y->i] == '\r'))
        y->i++;
}

static int is_digit(const syntax *y)
{
    return y->i < y->n && y->s[y->i] >= '0' && y->s[y->i] <= '9';
}

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int string(syntax *y)
{
    size_t start = y->i++;
    for (;;) {
        if (y->i >= y->n)
            return fail_at(y, start, "string is never closed (missing '\"')");
        unsigned char b = y->s[y->i];
        if (b == '"') {
            y->i++;
            return 1;
        }
        if (b == '\\') {
            unsigned char e = y->i + 1 < y->n ? y->s[y->i + 1] : 0;
            if (e && strchr("\"\\/bfnrt", e)) {
                y->i += 2;
            } else if (e == 'u') {
                for (size_t k = 2; k < 6; k++)
                    if (y->i + k >= y->n || !is_hex(y->s[y->i + k]))
                        return fail_at(y, y->i, "\\u must be followed by 4 hex digits");
                y->i += 6;
            } else {
                return fail_at(y, y->i,
                               "invalid escape in a string (use \\\" \\\\ \\/ \\b \\f \\n \\r \\t "
                               "or \\uXXXX)");
            }
            continue;
        }
        if (b < 0x20) {
            char what[96];
            snprintf(what, sizeof what,
                     "control character U+%04X inside a string must be escaped (\\u%04X)", b, b);
            return fail_at(y, y->i, what);
        }
        size_t k = utf8_len(y->s + y->i, y->n - y->i);
        if (k == 0)
            return unexpected(y, "in a string");
        y->i += k;
    }
}

static int number(syntax *y)
{
    if (y->s[y->i] == '-')
        y->i++;
    if (!is_digit(y))
        return y->i < y->n ? unexpected(y, "expected a digit after '-'")
                           : fail_at(y, y->i, "number ends after '-'");
    if (y->s[y->i] == '0') {
        y->i++;
        if (is_digit(y))
            return fail_at(y, y->i - 1, "numbers must not have leading zeros");
    } else {
        while (is_digit(y))
            y->i++;
    }
    if (y->i < y->n && y->s[y->i] == '.') {
        y->i++;
        if (!is_digit(y))
            return fail_at(y, y->i, "expected a digit after the decimal point");
        while (is_digit(y))
            y->i++;
    }
    if (y->i < y->n && (y->s[y->i] == 'e' || y->s[y->i] == 'E')) {
        y->i++;
        if (y->i < y->n && (y->s[y->i] == '+' || y->s[y->i] == '-'))
            y->i++;
        if (!is_digit(y))
            return fail_at(y, y->i, "expected a digit in the exponent");
        while (is_digit(y))
            y->i++;
    }
    return 1;
}

static int literal(syntax *y)
{
    static const char *const words[] = {"true", "false", "null"};
    for (size_t w = 0; w < 3; w++) {
        size_t len = strlen(words[w]);
        if (y->n - y->i >= len && memcmp(y->s + y->i, words[w], len) == 0) {
            y->i += len;
            return 1;
        }
    }
    return unexpected(y, "expected a value (true, false and null are lower case)");
}

static void push(syntax *y, unsigned char c)
{
    if (y->depth == y->cap) {
        size_t cap = y->cap ? y->cap * 2 : 64;
        unsigned char *grown = y->host->alloc(cap);
        if (y->depth)
            memcpy(grown, y->stack, y->depth);
        y->host->free(y->stack);
        y->stack = grown;
        y->cap = cap;
    }
    y->stack[y->depth++] = c;
}

/* A property name and its colon, at y->i (after '{' or ','). */
static int member_key(syntax *y)
{
    skip_ws(y);
    if (y->i >= y->n)
        return fail_at(y, y->i, "input ends where a property name should be");
    if (y->s[y->i] != '"')
        return unexpected(y, y->s[y->i] == '}' ? "expected a property name (trailing comma?)"
                                               : "expected a property name in double quotes");
    if (!string(y))
        return 0;
    skip_ws(y);
    if (y->i >= y->n)
        return fail_at(y, y->i, "input ends where ':' should be");
    if (y->s[y->i] != ':')
        return unexpected(y, "expected ':' after the property name");
    y->i++;
    return 1;
}

static const char *value_hint(unsigned char c)
{
    if (c == ']' || c == '}')
        return "expected a value (trailing comma?)";
    if (c == 'T' || c == 'F' || c == 'N')
        return "expected a value (true, false and null are lower case)";
    return "expected a value";
}

/* One pass, no recursion: a value is read, then what may follow it depends
 * on the innermost open container. */
static int check_syntax(syntax *y)
{
    skip_ws(y);
    if (y->i >= y->n) {
        snprintf(y->why, y->whylen, "%s", y->n ? "it is only whitespace" : "it is empty");
        return 0;
    }
    int want_value = 1;
    for (;;) {
        skip_ws(y);
        if (want_value) {
            if (y->i >= y->n)
                return fail_at(y, y->i, "input ends where a value should be");
            unsigned char c = y->s[y->i];
            if (c == '{' || c == '[') {
                push(y, c);
                y->i++;
                skip_ws(y);
                if (y->i < y->n && y->s[y->i] == (c == '{' ? '}' : ']')) {
                    y->depth--;
                    y->i++;
                    want_value = 0;
                } else if (c == '{' && !member_key(y)) {
                    return 0;
                }
                continue;
            }
            if (c == '"'                             ? !string(y)
                : c == '-' || (c >= '0' && c <= '9') ? !number(y)
                : c == 't' || c == 'f' || c == 'n'   ? !literal(y)
                                                     : !unexpected(y, value_hint(c)))
                return 0;
            want_value = 0;
            continue;
        }
        if (y->depth == 0) {
            if (y->i < y->n)
                return unexpected(y, "after the end of the JSON value (only one value allowed)");
            return 1;
        }
        unsigned char top = y->stack[y->depth - 1];
        if (y->i >= y->n)
            return fail_at(y, y->i,
                           top == '{' ? "input ends inside an object (missing '}')"
                                      : "input ends inside an array (missing ']')");
        unsigned char c = y->s[y->i];
        if (c == ',') {
            y->i++;
            if (top == '{' && !member_key(y))
                return 0;
            want_value = 1;
        } else if (c == (top == '{' ? '}' : ']')) {
            y->i++;
            y->depth--;
        } else {
            return unexpected(y, top == '{' ? "expected ',' or '}' after an object member"
                                            : "expected ',' or ']' after an array element");
        }
    }
}

/* ---- the scorer -------------------------------------------------------- */

static int open_vj(const sk_host *host, const char *params_json, void **state, char *err,
                   size_t errlen)
{
    cJSON *p = cJSON_Parse(params_json);
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
        syntax y = {
            host,      (const unsigned char *)c->output_text, c->output_len, 0, NULL, 0, 0, why,
            sizeof why};
        int ok = check_syntax(&y);
        host->free(y.stack);
        if (!ok) {
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

    /* The syntax check passed, so the text has no NUL byte and its length
     * is its strlen. */
    cJSON *doc = is_text ? cJSON_ParseWithLength(c->output_text, c->output_len)
                         : cJSON_Parse(c->output_json);
    if (!doc) {
        sk_pattern_verdict(host, r, 0, st->negate,
                           "output is valid JSON but could not be decoded to check the schema "
                           "(nested deeper than 1000 levels, or an unpaired \\u surrogate)");
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
