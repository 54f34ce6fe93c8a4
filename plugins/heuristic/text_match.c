/*
 * contains, icontains, starts_with: does the output hold a given text?
 *
 * All three compare the output text (a JSON string's decoded text, else the
 * output's JSON text) byte for byte, using its length, so NUL bytes and any
 * UTF-8 are matched exactly.
 *
 *   contains     1 when the output contains the value anywhere.
 *   icontains    the same, ignoring ASCII case only: A-Z match a-z, and
 *                every other byte (including all non-ASCII letters, so "É"
 *                and "é" differ) must match exactly.
 *   starts_with  1 when the output begins with the value.  Leading
 *                whitespace in the output counts: " Paris" does not start
 *                with "Paris".
 *
 * Params
 *   value   (string, default null)  the text to look for.
 *   values  (list of strings, default null)  several texts, combined by mode.
 *   mode    ("all" | "any", default "all")  with values: "all" needs every
 *           value, "any" needs at least one.
 *   not     (bool, default false)  invert the verdict.  It inverts the whole
 *           check: with mode "all", not=true passes when at least one value
 *           is missing; to forbid every value use mode "any" with not=true.
 *
 * Give value or values, not both (open() rejects both, an empty list and
 * empty strings, which every output contains).  With neither, each row's
 * expected text is the value; a row without expected (or with expected
 * null or "") is skipped.
 *
 * Search is Knuth-Morris-Pratt, linear in the output's length whatever the
 * value, so a megabyte of output costs a megabyte of comparisons.
 */
#include <stdio.h>
#include <string.h>

#include "heuristic.h"
#include "patterns.h"

typedef enum match_kind { K_CONTAINS, K_ICONTAINS, K_STARTS_WITH } match_kind;

typedef struct needle {
    char *text;
    size_t len;
    size_t *fail; /* KMP failure table; NULL for starts_with */
} needle;

typedef struct match_state {
    const sk_host *host; /* the table whose alloc made our memory */
    match_kind kind;
    int all;
    int negate;
    size_t count; /* 0: use each row's expected */
    needle *values;
} match_state;

/* Quoted values in a rationale are cut at this many bytes. */
#define QUOTE_MAX 60
/* A rationale lists at most this many values. */
#define LIST_MAX 3

static const sk_param_def params[] = {
    {"value", SK_PARAM_STRING, "null", "text to look for; default: the row's expected text"},
    {"values", SK_PARAM_STRING_LIST, "null", "several texts to look for, combined by mode"},
    {"mode", SK_PARAM_STRING, "\"all\"", "with values: \"all\" needs every one, \"any\" one"},
    {"not", SK_PARAM_BOOL, "false", "invert the verdict"},
    {NULL, 0, NULL, NULL}};

static int fold_eq(unsigned char a, unsigned char b, int fold)
{
    if (fold) {
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char)(b - 'A' + 'a');
    }
    return a == b;
}

/* f[i] is the length of the longest proper prefix of p[0..i] that is also
 * its suffix: where to resume after a mismatch.  m > 0. */
static size_t *kmp_table(const sk_host *host, const char *p, size_t m, int fold)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t *f = host->alloc(m * sizeof *f);
    size_t k = 0;
    f[0] = 0;
    for (size_t i = 1; i < m; i++) {
        while (k > 0 && !fold_eq(u[i], u[k], fold))
            k = f[k - 1];
        if (fold_eq(u[i], u[k], fold))
            k++;
        f[i] = k;
    }
    return f;
}

static int kmp_find(const char *t, size_t n, const char *p, size_t m, const size_t *f, int fold)
{
    const unsigned char *ut = (const unsigned char *)t, *up = (const unsigned char *)p;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        while (k > 0 && !fold_eq(ut[i], up[k], fold))
            k = f[k - 1];
        if (fold_eq(ut[i], up[k], fold))
            k++;
        if (k == m)
            return 1;
    }
    return 0;
}

static int found(const match_state *st, const needle *nd, const char *text, size_t len)
{
    if (st->kind == K_STARTS_WITH)
        return len >= nd->len && memcmp(text, nd->text, nd->len) == 0;
    return kmp_find(text, len, nd->text, nd->len, nd->fail, st->kind == K_ICONTAINS);
}

static void free_state(match_state *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->count; i++) {
        st->host->free(st->values[i].text);
        st->host->free(st->values[i].fail);
    }
    st->host->free(st->values);
    st->host->free(st);
}

static void add_needle(match_state *st, const char *s)
{
    needle *nd = &st->values[st->count++];
    nd->len = strlen(s);
    nd->text = st->host->alloc(nd->len + 1);
    memcpy(nd->text, s, nd->len + 1);
    nd->fail = st->kind == K_STARTS_WITH
                   ? NULL
                   : kmp_table(st->host, nd->text, nd->len, st->kind == K_ICONTAINS);
}

static int open_kind(match_kind kind, const char *name, const sk_host *host,
                     const char *params_json, void **state, char *err, size_t errlen)
{
    cJSON *p = sk_json_parse_cstr(params_json);
    if (!p) {
        snprintf(err, errlen, "%s: params are not valid JSON (a host bug)", name);
        return -1;
    }
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(p, "value");
    const cJSON *values = cJSON_GetObjectItemCaseSensitive(p, "values");
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(p, "mode");
    int rc = -1;
    match_state *st = NULL;

    if (cJSON_IsString(value) && cJSON_IsArray(values)) {
        snprintf(err, errlen,
                 "%s: give \"value\" or \"values\", not both (put every text in \"values\")", name);
        goto out;
    }
    if (cJSON_IsArray(values) && cJSON_GetArraySize(values) == 0) {
        snprintf(err, errlen,
                 "%s: param \"values\" is an empty list; list at least one text, or leave it "
                 "out to use each row's expected",
                 name);
        goto out;
    }
    if (!cJSON_IsString(mode) ||
        (strcmp(mode->valuestring, "all") != 0 && strcmp(mode->valuestring, "any") != 0)) {
        snprintf(err, errlen, "%s: param \"mode\" must be \"all\" or \"any\", not \"%s\"", name,
                 cJSON_IsString(mode) ? mode->valuestring : "?");
        goto out;
    }
    if (cJSON_IsString(value) && value->valuestring[0] == '\0') {
        snprintf(err, errlen,
                 "%s: param \"value\" is empty, which every output %s; give a non-empty text", name,
                 kind == K_STARTS_WITH ? "starts with" : "contains");
        goto out;
    }
    const cJSON *e, *list = cJSON_IsArray(values) ? values : NULL;
    int idx = 0;
    cJSON_ArrayForEach(e, list)
    {
        if (!cJSON_IsString(e) || e->valuestring[0] == '\0') {
            snprintf(err, errlen, "%s: param \"values\"[%d] is %s; give non-empty texts only", name,
                     idx, cJSON_IsString(e) ? "empty, which every output matches" : "not a string");
            goto out;
        }
        idx++;
    }

    st = host->alloc(sizeof *st);
    memset(st, 0, sizeof *st);
    st->host = host;
    st->kind = kind;
    st->all = strcmp(mode->valuestring, "all") == 0;
    st->negate = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "not"));
    if (cJSON_IsString(value)) {
        st->values = host->alloc(sizeof *st->values);
        add_needle(st, value->valuestring);
    } else if (cJSON_IsArray(values)) {
        st->values = host->alloc((size_t)idx * sizeof *st->values);
        cJSON_ArrayForEach(e, values) add_needle(st, e->valuestring);
    }
    *state = st;
    rc = 0;
out:
    cJSON_Delete(p);
    return rc;
}

static const char *verb(const match_state *st, int present)
{
    if (st->kind == K_STARTS_WITH)
        return present ? "starts with" : "start with";
    return present ? "contains" : "contain";
}

/* Append ": "a", "b", ..." listing the values flagged in pick (at most
 * LIST_MAX of them). */
static void list_values(char *out, size_t outsz, const match_state *st, const needle *v,
                        const unsigned char *pick, int want)
{
    size_t o = strlen(out);
    int shown = 0;
    for (size_t i = 0; i < st->count && o + 1 < outsz; i++) {
        if (pick[i] != want)
            continue;
        if (shown == LIST_MAX) {
            snprintf(out + o, outsz - o, ", ...");
            return;
        }
        char q[QUOTE_MAX * 4 + 16];
        sk_pattern_quote(q, sizeof q, v[i].text, v[i].len, QUOTE_MAX);
        snprintf(out + o, outsz - o, "%s%s", shown ? ", " : ": ", q);
        o = strlen(out);
        shown++;
    }
}

static void describe(char *fact, size_t factsz, const match_state *st, const needle *v,
                     size_t count, const unsigned char *hit, size_t nhit, const char *text,
                     size_t len)
{
    const char *suffix = st->kind == K_ICONTAINS ? " (ignoring ASCII case)" : "";
    char q[QUOTE_MAX * 4 + 16];
    if (count == 1) {
        sk_pattern_quote(q, sizeof q, v[0].text, v[0].len, QUOTE_MAX);
        if (nhit) {
            snprintf(fact, factsz, "output %s %s%s", verb(st, 1), q, suffix);
        } else if (st->kind == K_STARTS_WITH) {
            char head[QUOTE_MAX * 4 + 16];
            sk_pattern_quote(head, sizeof head, text, len, v[0].len < 20 ? 20 : v[0].len);
            snprintf(fact, factsz, "output does not start with %s; it starts with %s", q, head);
        } else {
            snprintf(fact, factsz, "output does not %s %s%s", verb(st, 0), q, suffix);
        }
        return;
    }
    if (st->all && nhit == count) {
        snprintf(fact, factsz, "output %s all %zu values%s", verb(st, 1), count, suffix);
    } else if (st->all) {
        snprintf(fact, factsz, "output does not %s %zu of %zu values%s", verb(st, 0), count - nhit,
                 count, suffix);
        list_values(fact, factsz, st, v, hit, 0);
    } else if (nhit) {
        snprintf(fact, factsz, "output %s %zu of %zu values%s", verb(st, 1), nhit, count, suffix);
        list_values(fact, factsz, st, v, hit, 1);
    } else {
        snprintf(fact, factsz, "output does not %s any of %zu values%s", verb(st, 0), count,
                 suffix);
        list_values(fact, factsz, st, v, hit, 0);
    }
}

static int is_json_null(const char *json)
{
    while (*json == ' ' || *json == '\t' || *json == '\n' || *json == '\r')
        json++;
    return strncmp(json, "null", 4) == 0;
}

static int score_match(const sk_host *host, void *state, const sk_case *c, sk_result *r,
                       const char *name)
{
    match_state *st = state;
    needle from_expected = {0};
    const needle *v = st->values;
    size_t count = st->count;

    if (count == 0) {
        if (!c->expected_json || is_json_null(c->expected_json)) {
            host->set_skip(r,
                           "%s: no \"value\"/\"values\" param and this row has no expected "
                           "value to look for; add expected to the row or set \"value\"",
                           name);
            return 0;
        }
        if (c->expected_len == 0) {
            host->set_skip(r, "%s: the row's expected text is empty; there is nothing to look for",
                           name);
            return 0;
        }
        from_expected.text = (char *)c->expected_text;
        from_expected.len = c->expected_len;
        if (st->kind != K_STARTS_WITH)
            from_expected.fail =
                kmp_table(host, c->expected_text, c->expected_len, st->kind == K_ICONTAINS);
        v = &from_expected;
        count = 1;
    }

    unsigned char *hit = host->alloc(count);
    size_t nhit = 0;
    for (size_t i = 0; i < count; i++) {
        hit[i] = (unsigned char)found(st, &v[i], c->output_text, c->output_len);
        nhit += hit[i];
        /* Later values cannot change the verdict, but the rationale lists
         * what was missing, so every value is checked. */
    }
    int pass = st->all ? nhit == count : nhit > 0;

    char fact[1024];
    describe(fact, sizeof fact, st, v, count, hit, nhit, c->output_text, c->output_len);
    sk_pattern_verdict(host, r, pass, st->negate, fact);

    host->free(hit);
    host->free(from_expected.fail);
    return 0;
}

static void close_match(const sk_host *host, void *state)
{
    (void)host;
    free_state(state);
}

#define KIND_FUNCS(fn, kind, name)                                                                 \
    static int open_##fn(const sk_host *host, const char *params_json, void **state, char *err,    \
                         size_t errlen)                                                            \
    {                                                                                              \
        return open_kind(kind, name, host, params_json, state, err, errlen);                       \
    }                                                                                              \
    static int score_##fn(const sk_host *host, void *state, const sk_case *c, sk_result *r)        \
    {                                                                                              \
        return score_match(host, state, c, r, name);                                               \
    }

KIND_FUNCS(contains, K_CONTAINS, "contains")
KIND_FUNCS(icontains, K_ICONTAINS, "icontains")
KIND_FUNCS(starts_with, K_STARTS_WITH, "starts_with")

const sk_scorer_def sk_h_contains = {
    sizeof(sk_scorer_def),
    "contains",
    "1 when the output contains a text (value, values, or the row's expected)",
    SK_SCORER_THREAD_SAFE,
    SK_ACCEPT_TEXT,
    params,
    open_contains,
    score_contains,
    close_match};

const sk_scorer_def sk_h_icontains = {sizeof(sk_scorer_def),
                                      "icontains",
                                      "1 when the output contains a text, ignoring ASCII case",
                                      SK_SCORER_THREAD_SAFE,
                                      SK_ACCEPT_TEXT,
                                      params,
                                      open_icontains,
                                      score_icontains,
                                      close_match};

const sk_scorer_def sk_h_starts_with = {
    sizeof(sk_scorer_def),
    "starts_with",
    "1 when the output starts with a text (value, values, or the row's expected)",
    SK_SCORER_THREAD_SAFE,
    SK_ACCEPT_TEXT,
    params,
    open_starts_with,
    score_starts_with,
    close_match};
