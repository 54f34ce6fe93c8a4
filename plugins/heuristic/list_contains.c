/*
 * list_contains: how well the output list covers the expected list, item
 * for item, in any order (Braintrust autoevals' ListContains).
 *
 * Every output item is compared with every expected item by Levenshtein
 * similarity (see levenshtein.c; an item that is not a string is compared
 * by its canonical compact JSON text, so 1 is "1" and {"a":1} is
 * '{"a":1}').  The items are then paired one to one so that the total
 * similarity is as large as possible: an assignment problem, solved
 * exactly with the Hungarian (Kuhn-Munkres) algorithm, as autoevals does
 * with scipy's linear_sum_assignment.  The score is
 *
 *   total similarity of the pairs / max(len(output), len(expected))
 *
 * or / len(expected) with allow_extra (extra output items then cost
 * nothing).  Both lists empty score 1; exactly one empty scores 0.
 *
 * Lists are JSON arrays, or strings holding a JSON array.  An output that
 * is not a list is a wrong answer (score 0, with the reason); an expected
 * value that is not a list is a dataset error.  Lists longer than
 * MAX_ITEMS are an error: the matching costs O(n^3).
 *
 * Params: allow_extra (bool, default false).
 *
 * The rationale names the expected items left without a match (no partner,
 * or a partner sharing no character), then the inexact pairs.
 */
#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heuristic.h"
#include "base/text/levenshtein.h"
#include "base/util.h"

#define MAX_ITEMS  1000
#define SHOW_ITEMS 3 /* items named in the rationale, per kind */

typedef struct lc_state {
    int allow_extra;
} lc_state;

typedef struct item {
    const char *t;
    size_t n;
    char *owned; /* dump of a non-string item */
} item;

static item *load_items(const cJSON *arr, size_t n)
{
    item *it = sk_xmalloc(n * sizeof *it);
    size_t i = 0;
    for (const cJSON *e = arr->child; e && i < n; e = e->next, i++) {
        it[i].owned = NULL;
        if (cJSON_IsString(e)) {
            it[i].t = e->valuestring;
            it[i].n = strlen(e->valuestring);
        } else {
            it[i].owned = sk_hjson_dump(e, 0, &it[i].n);
            it[i].t = it[i].owned;
        }
    }
    return it;
}

static void free_items(item *it, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(it[i].owned);
    free(it);
}

/*
 * Minimum-cost assignment of every row to a distinct column, rows <=
 * cols, cost[r * cols + c] finite.  Shortest augmenting paths with dual
 * potentials u (rows) and v (columns), O(rows^2 * cols).  Index 0 of the
 * column arrays is a virtual column holding the row being inserted, so
 * arrays are 1-based.  Stores the column of row r in col_of[r].
 */
static void assign(const double *cost, size_t rows, size_t cols, size_t *col_of)
{
    double *u = sk_xmalloc((rows + 1) * sizeof *u), *v = sk_xmalloc((cols + 1) * sizeof *v);
    double *slack = sk_xmalloc((cols + 1) * sizeof *slack);
    size_t *row_at = sk_xmalloc((cols + 1) * sizeof *row_at); /* row matched to column; 0 none */
    size_t *prev = sk_xmalloc((cols + 1) * sizeof *prev);     /* previous column on the path */
    char *seen = sk_xmalloc(cols + 1);
    for (size_t i = 0; i <= rows; i++)
        u[i] = 0;
    for (size_t j = 0; j <= cols; j++) {
        v[j] = 0;
        row_at[j] = 0;
    }
    for (size_t r = 1; r <= rows; r++) {
        row_at[0] = r;
        size_t j0 = 0;
        for (size_t j = 0; j <= cols; j++) {
            slack[j] = DBL_MAX;
            seen[j] = 0;
        }
        /* Grow a tree of tight edges from row r until it reaches a free
         * column, shifting potentials by the smallest slack each step. */
        do {
            seen[j0] = 1;
            size_t i0 = row_at[j0], j1 = 0;
            double delta = DBL_MAX;
            for (size_t j = 1; j <= cols; j++) {
                if (seen[j])
                    continue;
                double cur = cost[(i0 - 1) * cols + (j - 1)] - u[i0] - v[j];
                if (cur < slack[j]) {
                    slack[j] = cur;
                    prev[j] = j0;
                }
                if (slack[j] < delta) {
                    delta = slack[j];
                    j1 = j;
                }
            }
            if (j1 == 0)
                break; /* unreachable with finite costs and rows <= cols */
            for (size_t j = 0; j <= cols; j++) {
                if (seen[j]) {
                    u[row_at[j]] += delta;
                    v[j] -= delta;
                } else {
                    slack[j] -= delta;
                }
            }
            j0 = j1;
        } while (row_at[j0] != 0);
        /* Flip the path: each column on it takes the row before it. */
        while (j0) {
            size_t j1 = prev[j0];
            row_at[j0] = row_at[j1];
            j0 = j1;
        }
    }
    for (size_t j = 1; j <= cols; j++)
        if (row_at[j])
            col_of[row_at[j] - 1] = j - 1;
    free(u);
    free(v);
    free(slack);
    free(row_at);
    free(prev);
    free(seen);
}

/* Append to a rationale buffer, never past its end. */
static void addf(char *buf, size_t cap, size_t *len, const char *fmt, ...) SK_PRINTF(4, 5);
static void addf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    if (*len + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len = *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
}

static int is_unmatched(const size_t *out_of_exp, const double *sim_of_exp, size_t k)
{
    return out_of_exp[k] == SIZE_MAX || sim_of_exp[k] <= 0.0;
}

static void explain(const sk_host *host, sk_result *r, const item *oi, size_t no, const item *ei,
                    size_t ne, const size_t *out_of_exp, const double *sim_of_exp, int allow_extra)
{
    char buf[900], s[64], t[64];
    size_t len = 0, exact = 0, unmatched = 0, partial = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < ne; k++) {
        if (is_unmatched(out_of_exp, sim_of_exp, k))
            unmatched++;
        else if (sim_of_exp[k] >= 1.0)
            exact++;
        else
            partial++;
    }
    addf(buf, sizeof buf, &len, "%zu of %zu expected items matched exactly", exact, ne);
    if (unmatched) {
        addf(buf, sizeof buf, &len, "; unmatched: ");
        size_t shown = 0;
        for (size_t k = 0; k < ne && shown < SHOW_ITEMS; k++) {
            if (!is_unmatched(out_of_exp, sim_of_exp, k))
                continue;
            sk_hjson_snippet(ei[k].t, ei[k].n, 30, s, sizeof s);
            addf(buf, sizeof buf, &len, "%s%s", shown++ ? ", " : "", s);
        }
        if (unmatched > shown)
            addf(buf, sizeof buf, &len, " and %zu more", unmatched - shown);
    }
    if (partial) {
        addf(buf, sizeof buf, &len, "; inexact: ");
        size_t shown = 0;
        for (size_t k = 0; k < ne && shown < SHOW_ITEMS; k++) {
            if (is_unmatched(out_of_exp, sim_of_exp, k) || sim_of_exp[k] >= 1.0)
                continue;
            sk_hjson_snippet(ei[k].t, ei[k].n, 30, s, sizeof s);
            sk_hjson_snippet(oi[out_of_exp[k]].t, oi[out_of_exp[k]].n, 30, t, sizeof t);
            addf(buf, sizeof buf, &len, "%sexpected %s ~ output %s (%.3g)", shown++ ? ", " : "", s,
                 t, sim_of_exp[k]);
        }
        if (partial > shown)
            addf(buf, sizeof buf, &len, " and %zu more", partial - shown);
    }
    if (no > ne && !allow_extra)
        addf(buf, sizeof buf, &len, "; %zu extra output item%s", no - ne, no - ne == 1 ? "" : "s");
    host->set_rationale(r, "%s", buf);
}

static const sk_param_def params[] = {
    {"allow_extra", SK_PARAM_BOOL, "false",
     "divide by the expected length only, so extra output items cost nothing"},
    {NULL, 0, NULL, NULL},
};

static int lc_open(const sk_host *host, const char *params_json, void **state, char *err,
                   size_t errlen)
{
    int extra = 0;
    host->json_get_bool(params_json, "allow_extra", &extra);
    lc_state *st = malloc(sizeof *st);
    if (!st) {
        snprintf(err, errlen, "list_contains: out of memory");
        return -1;
    }
    st->allow_extra = extra;
    *state = st;
    return 0;
}

static void lc_close(const sk_host *host, void *state)
{
    (void)host;
    free(state);
}

static int lc_score(const sk_host *host, void *state, const sk_case *c, sk_result *r)
{
    const lc_state *st = state;
    if (!c->expected_json) {
        host->set_skip(r, "no expected value to compare with");
        return 0;
    }
    cJSON *ev =
        sk_hjson_field(c->expected_json, c->expected_text, c->expected_len, SK_HJSON_UNWRAP_ARRAYS);
    if (!cJSON_IsArray(ev)) {
        host->set_error(r,
                        "expected is not a list (it is %s); list_contains needs a JSON array, "
                        "or a string holding one: fix the row's expected value",
                        ev ? sk_hjson_type_name(ev) : "not valid JSON");
        cJSON_Delete(ev);
        return 0;
    }
    cJSON *ov =
        sk_hjson_field(c->output_json, c->output_text, c->output_len, SK_HJSON_UNWRAP_ARRAYS);
    if (!cJSON_IsArray(ov)) {
        host->set_score(r, 0.0);
        host->set_rationale(r, "output is not a list: it is %s",
                            ov ? sk_hjson_type_name(ov) : "not valid JSON");
        cJSON_Delete(ov);
        cJSON_Delete(ev);
        return 0;
    }
    size_t no = (size_t)cJSON_GetArraySize(ov), ne = (size_t)cJSON_GetArraySize(ev);
    if (no > MAX_ITEMS || ne > MAX_ITEMS) {
        host->set_error(r,
                        "%s has %zu items; list_contains compares lists of at most %d items "
                        "(the matching costs O(n^3)): shorten the list or use json_diff",
                        ne > MAX_ITEMS ? "expected" : "output", ne > MAX_ITEMS ? ne : no,
                        MAX_ITEMS);
        cJSON_Delete(ov);
        cJSON_Delete(ev);
        return 0;
    }
    if (no == 0 || ne == 0) {
        host->set_score(r, no == ne ? 1.0 : 0.0);
        if (no != ne)
            host->set_rationale(r,
                                no ? "expected an empty list, output has %zu items"
                                   : "output is an empty list, expected has %zu items",
                                no ? no : ne);
        cJSON_Delete(ov);
        cJSON_Delete(ev);
        return 0;
    }

    item *oi = load_items(ov, no), *ei = load_items(ev, ne);
    /* Rows are the shorter list, as the assignment needs rows <= cols. */
    int rows_are_output = no <= ne;
    size_t rows = rows_are_output ? no : ne, cols = rows_are_output ? ne : no;
    double *cost = sk_xmalloc(rows * cols * sizeof *cost);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            const item *a = rows_are_output ? &oi[i] : &oi[j];
            const item *b = rows_are_output ? &ei[j] : &ei[i];
            cost[i * cols + j] = 1.0 - sk_levenshtein_similarity(a->t, a->n, b->t, b->n);
        }
    size_t *col_of = sk_xmalloc(rows * sizeof *col_of);
    assign(cost, rows, cols, col_of);

    size_t *out_of_exp = sk_xmalloc(ne * sizeof *out_of_exp);
    double *sim_of_exp = sk_xmalloc(ne * sizeof *sim_of_exp);
    for (size_t k = 0; k < ne; k++) {
        out_of_exp[k] = SIZE_MAX;
        sim_of_exp[k] = 0.0;
    }
    double total = 0.0;
    for (size_t i = 0; i < rows; i++) {
        size_t o = rows_are_output ? i : col_of[i], e = rows_are_output ? col_of[i] : i;
        /* Recompute rather than 1 - cost: keeps 1.0 exact for equal items. */
        double s = sk_levenshtein_similarity(oi[o].t, oi[o].n, ei[e].t, ei[e].n);
        out_of_exp[e] = o;
        sim_of_exp[e] = s;
        total += s;
    }
    size_t denom = st->allow_extra ? ne : (no > ne ? no : ne);
    double score = total / (double)denom;
    host->set_score(r, score > 1.0 ? 1.0 : score);
    if (score < 1.0)
        explain(host, r, oi, no, ei, ne, out_of_exp, sim_of_exp, st->allow_extra);

    free(out_of_exp);
    free(sim_of_exp);
    free(col_of);
    free(cost);
    free_items(oi, no);
    free_items(ei, ne);
    cJSON_Delete(ov);
    cJSON_Delete(ev);
    return 0;
}

const sk_scorer_def sk_h_list_contains = {
    sizeof(sk_scorer_def),
    "list_contains",
    "best one-to-one matching of output items to expected items by similarity (autoevals "
    "ListContains)",
    SK_SCORER_THREAD_SAFE | SK_SCORER_NEEDS_EXPECTED,
    SK_ACCEPT_LIST,
    params,
    lc_open,
    lc_score,
    lc_close,
};
