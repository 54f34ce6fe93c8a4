/*
 * exact_match: 1 when the output equals the expected value, else 0.
 *
 * Values are compared as JSON after canonicalisation: object keys in any
 * order (unlike autoevals' ExactMatch, which compares JSON.stringify text
 * and so depends on key order), no insignificant whitespace, numbers by
 * their exact decimal value, at any depth (1, 1.0 and 1e0 are equal, and
 * so are -0 and 0; 9007199254740993 and 9007199254740992 are not, though
 * they are one double).  A repeated object key counts once, its last value
 * winning, as JSON.parse does.
 *
 * A string whose content is itself JSON compares as the parsed value, at
 * the top level only: the output "{\"a\": 1}" equals the expected {"a": 1},
 * "42" equals 42 and "true" equals true.  A number inside a string must
 * follow the strict JSON grammar ("007" stays text, and so does "1.").
 * Strings nested inside objects or arrays are compared as strings.
 *
 * Params (both apply to every string value, top level or nested, but not
 * to object keys; both are ASCII-only, no locale):
 *   ignore_case (bool, false)           fold A-Z to a-z;
 *   normalize_whitespace (bool, false)  trim, and collapse each run of
 *                                       space, tab, CR, LF, VT, FF to one
 *                                       space.
 * JSON itself stays case-sensitive: "TRUE" is text, not the value true.
 *
 * Plain text never reaches the JSON parser: when neither side's string
 * could start a JSON value (its first non-space character is not one of
 * { [ " - 0-9 and it does not start with true, false or null), the texts
 * are compared directly, without copying.
 *
 * When the score is 0 the rationale shows where the two first differ.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heuristic.h"
#include "base/text/utf8.h"

typedef struct em_state {
    unsigned norm; /* SK_HNORM_* */
} em_state;

static const sk_param_def params[] = {
    {"ignore_case", SK_PARAM_BOOL, "false", "fold ASCII letters to lower case in strings"},
    {"normalize_whitespace", SK_PARAM_BOOL, "false",
     "trim strings and collapse runs of whitespace to one space"},
    {NULL, 0, NULL, NULL},
};

static int em_open(const sk_host *host, const char *params_json, void **state, char *err,
                   size_t errlen)
{
    int ic = 0, ws = 0;
    host->json_get_bool(params_json, "ignore_case", &ic);
    host->json_get_bool(params_json, "normalize_whitespace", &ws);
    em_state *st = malloc(sizeof *st);
    if (!st) {
        snprintf(err, errlen, "exact_match: out of memory");
        return -1;
    }
    st->norm = (ic ? SK_HNORM_IGNORE_CASE : 0) | (ws ? SK_HNORM_WHITESPACE : 0);
    *state = st;
    return 0;
}

static void em_close(const sk_host *host, void *state)
{
    (void)host;
    free(state);
}

/* Rationale for two different texts: the character where they part. */
static void explain(const sk_host *host, sk_result *r, const char *a, size_t na, const char *b,
                    size_t nb, const char *what)
{
    size_t i = 0;
    while (i < na && i < nb && a[i] == b[i])
        i++;
    while (i > 0 && ((i < na && ((unsigned char)a[i] & 0xC0) == 0x80) ||
                     (i < nb && ((unsigned char)b[i] & 0xC0) == 0x80)))
        i--;
    char sa[256], sb[256], out[640];
    size_t at = 0;
    sk_hjson_snippet(a + i, na - i, 40, sa, sizeof sa);
    sk_hjson_snippet(b + i, nb - i, 40, sb, sizeof sb);
    sk_hjson_cat(out, sizeof out, &at, what);
    sk_hjson_cat(out, sizeof out, &at, " differ at character ");
    sk_hjson_cat_uint(out, sizeof out, &at, sk_utf8_count(a, i) + 1);
    sk_hjson_cat(out, sizeof out, &at, ": output has ");
    sk_hjson_cat(out, sizeof out, &at, sa);
    sk_hjson_cat(out, sizeof out, &at, ", expected ");
    sk_hjson_cat(out, sizeof out, &at, sb);
    host->set_rationale_text(r, out, at);
}

/* One side of the comparison: text (a string) or any other JSON value. */
typedef struct side {
    cJSON *v;      /* owned; NULL for plain text */
    const char *t; /* string content when the side is a string */
    size_t n;
    int is_text;
} side;

static int load(side *s, const char *json, const char *text, size_t len)
{
    memset(s, 0, sizeof *s);
    if (sk_hjson_is_string(json)) {
        /* Ordinary prose fails sk_hjson_may_be_json at its first
         * character, so it never reaches the parser. */
        s->v = sk_hjson_unwrap(text, len, SK_HJSON_UNWRAP_ANY);
        if (!s->v) {
            s->is_text = 1;
            s->t = text; /* the case's copy: keeps any NUL bytes */
            s->n = len;
            return 0;
        }
    } else {
        s->v = sk_hjson_parse(json, strlen(json));
        if (!s->v)
            return -1;
    }
    if (cJSON_IsString(s->v)) { /* a string holding a JSON string */
        s->is_text = 1;
        s->t = s->v->valuestring;
        s->n = strlen(s->t);
    }
    return 0;
}

static int em_score(const sk_host *host, void *state, const sk_case *c, sk_result *r)
{
    const em_state *st = state;
    if (!c->expected_json || !c->expected_text) {
        host->set_skip(r, "no expected value to compare with");
        return 0;
    }
    side o, e;
    if (load(&e, c->expected_json, c->expected_text, c->expected_len)) {
        host->set_error(r, "expected is not valid JSON; check the row's \"expected\" field");
        return 0;
    }
    if (load(&o, c->output_json, c->output_text, c->output_len)) {
        cJSON_Delete(e.v);
        host->set_error(r, "output is not valid JSON; this is a bug in the task provider");
        return 0;
    }

    if (o.is_text && e.is_text) {
        int eq = sk_hjson_text_equal(o.t, o.n, e.t, e.n, st->norm);
        host->set_score(r, eq ? 1.0 : 0.0);
        if (!eq && !sk_h_wants_rationale(host, r)) {
            /* nobody reads it: no explanation */
        } else if (!eq && !st->norm) {
            explain(host, r, o.t, o.n, e.t, e.n, "the texts"); /* no copies needed */
        } else if (!eq) {
            char *a = malloc(o.n + 1), *b = malloc(e.n + 1);
            if (a && b)
                explain(host, r, a, sk_hjson_normalize(o.t, o.n, st->norm, a), b,
                        sk_hjson_normalize(e.t, e.n, st->norm, b),
                        "the texts (after normalisation)");
            free(a);
            free(b);
        }
    } else if (o.is_text || e.is_text) {
        host->set_score(r, 0.0);
        host->set_rationale(r, "output is %s, expected is %s",
                            o.is_text ? "text" : sk_hjson_type_name(o.v),
                            e.is_text ? "text" : sk_hjson_type_name(e.v));
    } else {
        size_t na, nb;
        char *a = sk_hjson_dump(o.v, st->norm, &na), *b = sk_hjson_dump(e.v, st->norm, &nb);
        int eq = na == nb && memcmp(a, b, na) == 0;
        host->set_score(r, eq ? 1.0 : 0.0);
        if (!eq && sk_h_wants_rationale(host, r))
            explain(host, r, a, na, b, nb, "the values (as canonical JSON)");
        free(a);
        free(b);
    }
    cJSON_Delete(o.v);
    cJSON_Delete(e.v);
    return 0;
}

const sk_scorer_def sk_h_exact_match = {
    sizeof(sk_scorer_def),
    "exact_match",
    "1 if output equals expected (as JSON: key order and number format ignored), else 0",
    SK_SCORER_THREAD_SAFE | SK_SCORER_NEEDS_EXPECTED,
    SK_ACCEPT_TEXT | SK_ACCEPT_NUMBER | SK_ACCEPT_JSON | SK_ACCEPT_LIST,
    params,
    em_open,
    em_score,
    em_close,
};
