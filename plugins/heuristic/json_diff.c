/*
 * json_diff: structural similarity of two JSON values, recursively, as
 * Braintrust autoevals' JSONDiff computes it.
 *
 *   objects   the mean, over the union of both key sets, of each key's
 *             score; a key present on one side only scores 0 (even when
 *             the other side holds null: autoevals' JavaScript would
 *             score {"a": null} vs {} as 1); both empty score 1
 *   arrays    by position: the sum of the element scores over the shorter
 *             length, divided by the longer length (an element with no
 *             partner scores 0); both empty score 1
 *   strings   Levenshtein similarity in code points (see levenshtein.c)
 *   numbers   numeric_diff: 1 - |a-b| / (|a|+|b|), floored at 0, from
 *             their exact decimal values (below 1 whenever they differ)
 *   null      both null 1, one null 0
 *   booleans  equal 1, different 0 (true vs 1 is a type mismatch, below,
 *             as in the JavaScript autoevals; Python's treats bools as
 *             numbers)
 *   otherwise (types differ) the Levenshtein similarity of the two values'
 *             canonical compact JSON texts (keys sorted, no spaces, as
 *             JSON.stringify with autoevals' key-sorting replacer gives
 *             them): {"a":1} vs ["a",1] scores 1 - 3/7.
 *
 * A string that holds a JSON object or array is parsed and compared as
 * that value, at any depth (as autoevals' Python does at each level):
 * '{"x": 1, "y": 2}' vs '{"x": 1, "z": 2}' scores 1/3.  Strings holding
 * scalars ("42") stay strings.  Parsing inside strings stops below
 * UNWRAP_DEPTH levels, so together with the parser's nesting limit (512)
 * the recursion depth is bounded whatever the input.
 *
 * Keys are visited in sorted order rather than autoevals' insertion order;
 * sums can differ from it in the last bit.  A repeated key counts once,
 * the last value winning, as JSON.parse does.
 *
 * An output of any JSON shape is a legitimate (if wrong) answer, and so is
 * any expected value: this scorer never reports a shape error.  The
 * rationale counts the leaf values that differ and names the worst one by
 * its path.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heuristic.h"
#include "base/text/levenshtein.h"
#include "base/util.h"

#define UNWRAP_DEPTH 32 /* no JSON is parsed out of strings below this depth */
#define PATH_MAX_LEN 120

typedef struct jd_ctx {
    size_t leaves, diffs;
    int have_worst;
    double worst;
    char worst_path[PATH_MAX_LEN + 8];
    char worst_what[256];
    char path[PATH_MAX_LEN + 8];
    size_t plen;
} jd_ctx;

/* Append a path step; a path too long to show ends in "..." instead.
 * Returns the length to restore with path_pop. */
static size_t path_add(jd_ctx *x, const char *step, size_t n)
{
    size_t saved = x->plen;
    if (x->plen >= PATH_MAX_LEN)
        return saved;
    if (x->plen + n > PATH_MAX_LEN) {
        memcpy(x->path + x->plen, "...", 4);
        x->plen = PATH_MAX_LEN;
    } else {
        memcpy(x->path + x->plen, step, n);
        x->plen += n;
        x->path[x->plen] = '\0';
    }
    return saved;
}

static size_t path_push_key(jd_ctx *x, const char *key)
{
    char step[PATH_MAX_LEN + 8];
    int n = snprintf(step, sizeof step, ".%s", key);
    return path_add(x, step, n < 0 ? 0 : strlen(step));
}

static size_t path_push_index(jd_ctx *x, size_t i)
{
    char step[32];
    int n = snprintf(step, sizeof step, "[%zu]", i);
    return path_add(x, step, n < 0 ? 0 : (size_t)n);
}

static void path_pop(jd_ctx *x, size_t saved)
{
    x->plen = saved;
    x->path[saved] = '\0';
}

static void snippet_of(const cJSON *v, char *out, size_t outlen)
{
    if (cJSON_IsString(v)) {
        sk_hjson_snippet(v->valuestring, strlen(v->valuestring), 30, out, outlen);
        return;
    }
    size_t n;
    char *d = sk_hjson_dump(v, 0, &n);
    if (n > 40)
        snprintf(out, outlen, "%.36s...", d);
    else
        snprintf(out, outlen, "%s", d);
    free(d);
}

/* Count one leaf comparison; remember the first lowest-scoring one. */
static void record(jd_ctx *x, double s, const cJSON *a, const cJSON *b)
{
    x->leaves++;
    if (s >= 1.0)
        return;
    x->diffs++;
    if (x->have_worst && s >= x->worst)
        return;
    x->have_worst = 1;
    x->worst = s;
    snprintf(x->worst_path, sizeof x->worst_path, "%s", x->path);
    if (!a) {
        snprintf(x->worst_what, sizeof x->worst_what, "missing in output");
    } else if (!b) {
        snprintf(x->worst_what, sizeof x->worst_what, "not in expected");
    } else {
        char sa[64], sb[64];
        snippet_of(a, sa, sizeof sa);
        snippet_of(b, sb, sizeof sb);
        /* Three digits would show a score just below 1 as "1". */
        snprintf(x->worst_what, sizeof x->worst_what,
                 s >= 0.9995 ? "output %s vs expected %s (%.17g)"
                             : "output %s vs expected %s (%.3g)",
                 sa, sb, s);
    }
}

static double dump_similarity(const cJSON *a, const cJSON *b)
{
    size_t na, nb;
    char *da = sk_hjson_dump(a, 0, &na), *db = sk_hjson_dump(b, 0, &nb);
    double s = sk_levenshtein_similarity(da, na, db, nb);
    free(da);
    free(db);
    return s;
}

/* Two values that are not both objects or both arrays.  NULL: missing. */
static double leaf(jd_ctx *x, const cJSON *a, const cJSON *b)
{
    double s;
    if (!a || !b) {
        s = 0.0;
    } else if (cJSON_IsString(a) && cJSON_IsString(b)) {
        s = sk_levenshtein_similarity(a->valuestring, strlen(a->valuestring), b->valuestring,
                                      strlen(b->valuestring));
    } else if (cJSON_IsNumber(a) && cJSON_IsNumber(b)) {
        s = sk_hjson_number_similarity(a, b);
    } else if (cJSON_IsNull(a) || cJSON_IsNull(b)) {
        s = cJSON_IsNull(a) && cJSON_IsNull(b) ? 1.0 : 0.0;
    } else if (cJSON_IsBool(a) && cJSON_IsBool(b)) {
        s = cJSON_IsTrue(a) == cJSON_IsTrue(b) ? 1.0 : 0.0;
    } else {
        s = dump_similarity(a, b);
    }
    record(x, s, a, b);
    return s;
}

static double diff(jd_ctx *x, const cJSON *a, const cJSON *b, unsigned depth);

static double diff_objects(jd_ctx *x, const cJSON *a, const cJSON *b, unsigned depth)
{
    const cJSON **ma, **mb;
    size_t na = sk_hjson_members(a, &ma), nb = sk_hjson_members(b, &mb);
    double sum = 0.0;
    size_t i = 0, j = 0, count = 0;
    while (i < na || j < nb) {
        int cmp = i >= na ? 1 : j >= nb ? -1 : strcmp(ma[i]->string, mb[j]->string);
        const cJSON *ka = cmp <= 0 ? ma[i] : NULL, *kb = cmp >= 0 ? mb[j] : NULL;
        size_t saved = path_push_key(x, (ka ? ka : kb)->string);
        if (ka && kb)
            sum += diff(x, ka, kb, depth + 1);
        else
            record(x, 0.0, ka, kb); /* a key on one side only */
        path_pop(x, saved);
        i += ka != NULL;
        j += kb != NULL;
        count++;
    }
    free(ma);
    free(mb);
    if (count == 0) {
        record(x, 1.0, a, b);
        return 1.0;
    }
    return sum / (double)count;
}

static double diff_arrays(jd_ctx *x, const cJSON *a, const cJSON *b, unsigned depth)
{
    const cJSON *ea = a->child, *eb = b->child;
    size_t i = 0;
    double sum = 0.0;
    for (; ea || eb; i++) {
        size_t saved = path_push_index(x, i);
        if (ea && eb)
            sum += diff(x, ea, eb, depth + 1);
        else
            record(x, 0.0, ea, eb); /* no partner at this position */
        path_pop(x, saved);
        ea = ea ? ea->next : NULL;
        eb = eb ? eb->next : NULL;
    }
    if (i == 0) {
        record(x, 1.0, a, b);
        return 1.0;
    }
    return sum / (double)i; /* i is the longer length */
}

static double diff(jd_ctx *x, const cJSON *a, const cJSON *b, unsigned depth)
{
    cJSON *ua = NULL, *ub = NULL; /* values parsed out of strings, owned here */
    if (depth < UNWRAP_DEPTH) {
        if (cJSON_IsString(a) && (ua = sk_hjson_unwrap(a->valuestring, strlen(a->valuestring),
                                                       SK_HJSON_UNWRAP_CONTAINERS)))
            a = ua;
        if (cJSON_IsString(b) && (ub = sk_hjson_unwrap(b->valuestring, strlen(b->valuestring),
                                                       SK_HJSON_UNWRAP_CONTAINERS)))
            b = ub;
    }
    double s;
    if (cJSON_IsObject(a) && cJSON_IsObject(b))
        s = diff_objects(x, a, b, depth);
    else if (cJSON_IsArray(a) && cJSON_IsArray(b))
        s = diff_arrays(x, a, b, depth);
    else
        s = leaf(x, a, b);
    cJSON_Delete(ua);
    cJSON_Delete(ub);
    return s;
}

static int jd_score(const sk_host *host, void *state, const sk_case *c, sk_result *r)
{
    (void)state;
    if (!c->expected_json) {
        host->set_skip(r, "no expected value to compare with");
        return 0;
    }
    cJSON *e = sk_hjson_parse(c->expected_json, strlen(c->expected_json));
    if (!e) {
        host->set_error(r, "expected is not valid JSON; check the row's \"expected\" field");
        return 0;
    }
    cJSON *o = sk_hjson_parse(c->output_json, strlen(c->output_json));
    if (!o) {
        cJSON_Delete(e);
        host->set_error(r, "output is not valid JSON; this is a bug in the task provider");
        return 0;
    }
    jd_ctx *x = sk_xcalloc(1, sizeof *x);
    x->path[0] = '$';
    x->plen = 1;
    double s = diff(x, o, e, 0);
    host->set_score(r, s > 1.0 ? 1.0 : s);
    if (x->diffs)
        host->set_rationale(r, "%zu of %zu values differ; lowest at %s: %s", x->diffs, x->leaves,
                            x->worst_path, x->worst_what);
    free(x);
    cJSON_Delete(o);
    cJSON_Delete(e);
    return 0;
}

const sk_scorer_def sk_h_json_diff = {
    sizeof(sk_scorer_def),
    "json_diff",
    "recursive similarity of two JSON values: keys, positions, strings, numbers (autoevals "
    "JSONDiff)",
    SK_SCORER_THREAD_SAFE | SK_SCORER_NEEDS_EXPECTED,
    SK_ACCEPT_JSON | SK_ACCEPT_LIST,
    NULL, /* no params */
    NULL, /* no state */
    jd_score,
    NULL,
};
