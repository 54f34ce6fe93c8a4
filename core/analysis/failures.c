/* An experiment's failures and what they have in common (see failures.h). */
#include "analysis/failures.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analysis/tests2x2.h"
#include "analysis/terms.h"
#include "analysis/text_traits.h"
#include "base/error.h"
#include "base/hash.h"
#include "base/json_tree.h"
#include "base/util.h"
#include "base/verdict.h"
#include "store/experiment_read.h"
#include "store/log_scores.h"

/* A key with more values than this is an id or free text, not a segment. */
#define MAX_VALUES 30

/* ---- reading ---------------------------------------------------------- */

typedef struct reader {
    sk_failures *f;
    size_t cap;
    int trial;       /* the current row's trial being read */
    unsigned n_over; /* the current row's trials with an overall score */
} reader;

static int add_scorer(void *ud, const char *name, int has_threshold, double threshold,
                      const char *reducer)
{
    sk_failures *f = ud;
    size_t n = f->nscorers + 1;
    f->scorers = sk_xrealloc(f->scorers, n * sizeof *f->scorers);
    f->has_threshold = sk_xrealloc(f->has_threshold, n * sizeof *f->has_threshold);
    f->threshold = sk_xrealloc(f->threshold, n * sizeof *f->threshold);
    f->reducer = sk_xrealloc(f->reducer, n * sizeof *f->reducer);
    f->scorers[f->nscorers] = sk_xstrdup(name);
    f->has_threshold[f->nscorers] = has_threshold;
    f->threshold[f->nscorers] = threshold;
    f->reducer[f->nscorers] = SK_REDUCE_MEAN;
    if (reducer)
        sk_reducer_parse(reducer, &f->reducer[f->nscorers]);
    f->nscorers = n;
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s ? sk_xstrdup(s) : NULL;
}

/* The means were sums while reading. */
static void finish_row(reader *rd)
{
    sk_failures *f = rd->f;
    if (!f->nrows)
        return;
    sk_fail_row *r = &f->rows[f->nrows - 1];
    if (rd->n_over)
        r->overall /= rd->n_over;
    for (size_t k = 0; k < f->nscorers; k++)
        if (r->s[k].scored)
            r->s[k].mean /= r->s[k].scored;
}

/* One line per cell and scorer, in dataset order, then trial, then the
 * scorer's place: a new id starts a row, a new trial a cell. */
static int add_cell_score(void *ud, const sk_cell_score_row *c)
{
    reader *rd = ud;
    sk_failures *f = rd->f;
    sk_fail_row *r = f->nrows ? &f->rows[f->nrows - 1] : NULL;
    if (!r || strcmp(r->id, c->row_id) != 0) {
        finish_row(rd);
        f->rows = sk_xgrow(f->rows, &rd->cap, f->nrows + 1, sizeof *f->rows);
        r = &f->rows[f->nrows++];
        memset(r, 0, sizeof *r);
        r->id = sk_xstrdup(c->row_id);
        r->input_json = dup_or_null(c->input_json);
        r->expected_json = dup_or_null(c->expected_json);
        r->metadata_json = dup_or_null(c->metadata_json);
        r->output_json = dup_or_null(c->output_json);
        r->overall = r->overall_min = r->overall_max = NAN;
        r->s = sk_xcalloc(f->nscorers ? f->nscorers : 1, sizeof *r->s);
        for (size_t k = 0; k < f->nscorers; k++)
            r->s[k].mean = r->s[k].min = NAN;
        rd->trial = -1;
        rd->n_over = 0;
    }
    if (c->trial != rd->trial) {
        rd->trial = c->trial;
        r->trials++;
        if (c->task_error && !r->task_error)
            r->task_error = sk_xstrdup(c->task_error);
        if (!r->output_json && c->output_json)
            r->output_json = sk_xstrdup(c->output_json);
        if (!isnan(c->overall)) {
            r->overall = rd->n_over++ ? r->overall + c->overall : c->overall;
            if (isnan(r->overall_min) || c->overall < r->overall_min)
                r->overall_min = c->overall;
            if (isnan(r->overall_max) || c->overall > r->overall_max)
                r->overall_max = c->overall;
        }
    }
    if (!c->scorer)
        return 0;
    size_t k = 0;
    while (k < f->nscorers && strcmp(f->scorers[k], c->scorer) != 0)
        k++;
    if (k == f->nscorers)
        return 0;
    sk_fail_score *s = &r->s[k];
    sk_verdict kind = sk_verdict_from_name(c->kind);
    if (kind == SK_VERDICT_SCORE && !isnan(c->score)) {
        s->mean = s->scored++ ? s->mean + c->score : c->score;
        if (isnan(s->min) || c->score < s->min) {
            s->min = c->score;
            free(s->rationale);
            s->rationale = dup_or_null(c->rationale);
        }
        if (f->has_threshold[k]) {
            if (c->score >= f->threshold[k])
                s->pass++;
            else
                s->fail++;
        }
    } else if (kind == SK_VERDICT_ERROR) {
        s->errors++;
        if (!s->error)
            s->error = dup_or_null(c->message);
    }
    return 0;
}

/* ---- verdicts ----------------------------------------------------------- */

static void decide(sk_failures *f, const sk_fail_opts *o, size_t sk)
{
    for (size_t i = 0; i < f->nrows; i++) {
        sk_fail_row *r = &f->rows[i];
        int errors = r->task_error != NULL, decided = 0, failed = 0;
        for (size_t k = 0; k < f->nscorers; k++)
            errors |= r->s[k].errors > 0;
        if (o->scorer) {
            decided = r->s[sk].scored > 0;
            failed = decided && r->s[sk].mean < o->below;
            errors = r->task_error != NULL || r->s[sk].errors > 0;
        } else {
            for (size_t k = 0; k < f->nscorers; k++) {
                const sk_fail_score *s = &r->s[k];
                if (!f->has_threshold[k] || !s->scored)
                    continue;
                decided = 1;
                failed |=
                    !sk_reducer_pass(f->reducer[k], s->pass, s->fail, s->mean, f->threshold[k]);
            }
        }
        r->verdict = errors || !decided ? SK_ROW_NO_VERDICT : failed ? SK_ROW_FAIL : SK_ROW_PASS;
        f->passing += r->verdict == SK_ROW_PASS;
        f->no_verdict += r->verdict == SK_ROW_NO_VERDICT;
        if (r->verdict == SK_ROW_FAIL) {
            f->failing = sk_xrealloc(f->failing, (f->nfailing + 1) * sizeof *f->failing);
            f->failing[f->nfailing++] = i;
        }
    }
}

/* A failing row and its sort key: lowest overall first (none before any),
 * then dataset order.  The key travels with the row, so the sort needs no
 * shared state. */
typedef struct lowest {
    double overall;
    size_t i;
} lowest;

static int cmp_lowest(const void *a, const void *b)
{
    const lowest *x = a, *y = b;
    if (x->overall != y->overall)
        return x->overall < y->overall ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static void sort_failing(sk_failures *f)
{
    lowest *v = sk_xmalloc((f->nfailing ? f->nfailing : 1) * sizeof *v);
    for (size_t k = 0; k < f->nfailing; k++) {
        double o = f->rows[f->failing[k]].overall;
        v[k] = (lowest){isnan(o) ? -1 : o, f->failing[k]};
    }
    qsort(v, f->nfailing, sizeof *v, cmp_lowest);
    for (size_t k = 0; k < f->nfailing; k++)
        f->failing[k] = v[k].i;
    free(v);
}

/* ---- keys and their values ---------------------------------------------- */

typedef struct value_count {
    char *value;
    long fail, n;
} value_count;

typedef struct key_count {
    char *key;
    value_count *v;
    size_t nv, cap;
    int too_many;
} key_count;

typedef struct keys {
    key_count *k;
    size_t n, cap;
} keys;

static key_count *key_get(keys *ks, const char *key)
{
    for (size_t i = 0; i < ks->n; i++)
        if (strcmp(ks->k[i].key, key) == 0)
            return &ks->k[i];
    ks->k = sk_xgrow(ks->k, &ks->cap, ks->n + 1, sizeof *ks->k);
    key_count *k = &ks->k[ks->n++];
    memset(k, 0, sizeof *k);
    k->key = sk_xstrdup(key);
    return k;
}

static void key_add(keys *ks, const char *key, const char *value, int failed)
{
    key_count *k = key_get(ks, key);
    for (size_t i = 0; i < k->nv; i++)
        if (strcmp(k->v[i].value, value) == 0) {
            k->v[i].fail += failed;
            k->v[i].n++;
            return;
        }
    if (k->nv >= MAX_VALUES) {
        k->too_many = 1;
        return;
    }
    k->v = sk_xgrow(k->v, &k->cap, k->nv + 1, sizeof *k->v);
    k->v[k->nv++] = (value_count){sk_xstrdup(value), failed, 1};
}

static void keys_free(keys *ks)
{
    for (size_t i = 0; i < ks->n; i++) {
        for (size_t j = 0; j < ks->k[i].nv; j++)
            free(ks->k[i].v[j].value);
        free(ks->k[i].v);
        free(ks->k[i].key);
    }
    free(ks->k);
}

/* A scalar as text ("a", 3, true); NULL for objects, arrays and null. */
static char *scalar_text(const cJSON *v)
{
    if (cJSON_IsString(v))
        return sk_xstrdup(v->valuestring);
    if (cJSON_IsBool(v))
        return sk_xstrdup(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v))
        return sk_asprintf("%.15g", v->valuedouble);
    return NULL;
}

/* metadata.a.b of a row's metadata object. */
static const cJSON *dig(const cJSON *m, const char *path)
{
    char *copy = sk_xstrdup(path), *save = NULL;
    const cJSON *v = m;
    for (char *part = strtok_r(copy, ".", &save); part && v; part = strtok_r(NULL, ".", &save))
        v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, part) : NULL;
    free(copy);
    return v;
}

static void count_row(keys *meta, keys *traits, const sk_fail_opts *o, const sk_fail_row *r)
{
    int failed = r->verdict == SK_ROW_FAIL;
    cJSON *m = r->metadata_json ? sk_json_parse_cstr(r->metadata_json) : NULL;
    if (o->nby) {
        for (size_t i = 0; i < o->nby; i++) {
            char *t = scalar_text(dig(m, o->by[i]));
            char *key = sk_asprintf("metadata.%s", o->by[i]);
            key_add(meta, key, t ? t : "(none)", failed);
            free(key);
            free(t);
        }
    } else if (cJSON_IsObject(m)) {
        for (const cJSON *v = m->child; v; v = v->next) {
            char *t = scalar_text(v);
            if (!t)
                continue;
            char *key = sk_asprintf("metadata.%s", v->string);
            key_add(meta, key, t, failed);
            free(key);
            free(t);
        }
    }
    cJSON_Delete(m);
    char *out = r->output_json ? sk_text_of_json(r->output_json) : NULL;
    char *in = sk_text_of_json(r->input_json);
    if (out) {
        key_add(traits, "output length", sk_text_length_bucket(sk_text_words(out)), failed);
        key_add(traits, "output refuses", sk_text_refusal_like(out) ? "yes" : "no", failed);
        key_add(traits, "output is JSON", sk_text_json_shaped(out) ? "yes" : "no", failed);
        key_add(traits, "output script", sk_text_script(out), failed);
    }
    key_add(traits, "input length", sk_text_length_bucket(sk_text_words(in)), failed);
    free(out);
    free(in);
}

/* Rows of a key that lacks it count as "(none)" under --by, and are
 * otherwise simply not in it: the rest are the key's other values. */
static void test_keys(sk_failures *f, keys *ks, double *ps, size_t *np)
{
    long all_fail = (long)f->nfailing, all_n = (long)(f->nfailing + f->passing);
    double rate = all_n ? (double)all_fail / (double)all_n : NAN;
    for (size_t i = 0; i < ks->n; i++) {
        key_count *k = &ks->k[i];
        if (k->too_many || k->nv < 2)
            continue;
        long kf = 0, kn = 0;
        for (size_t j = 0; j < k->nv; j++)
            kf += k->v[j].fail, kn += k->v[j].n;
        for (size_t j = 0; j < k->nv; j++) {
            value_count *v = &k->v[j];
            f->tests = sk_xrealloc(f->tests, (f->ntests + 1) * sizeof *f->tests);
            sk_fail_test *t = &f->tests[f->ntests++];
            memset(t, 0, sizeof *t);
            t->key = sk_xstrdup(k->key);
            t->value = sk_xstrdup(v->value);
            t->fail_in = v->fail;
            t->n_in = v->n;
            t->fail_out = kf - v->fail;
            t->n_out = kn - v->n;
            t->lift = rate > 0 ? ((double)v->fail / (double)v->n) / rate : NAN;
            t->p = sk_fisher_two_sided(t->fail_in, t->n_in - t->fail_in, t->fail_out,
                                       t->n_out - t->fail_out);
            ps[(*np)++] = t->p;
        }
    }
}

static int cmp_tests(const void *a, const void *b)
{
    const sk_fail_test *x = a, *y = b;
    if (x->pattern != y->pattern)
        return y->pattern - x->pattern;
    if (x->q != y->q)
        return x->q < y->q ? -1 : 1;
    double lx = isnan(x->lift) ? 0 : x->lift, ly = isnan(y->lift) ? 0 : y->lift;
    if (lx != ly)
        return lx > ly ? -1 : 1;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->value, y->value);
}

/* ---- segments ----------------------------------------------------------- */

static int cmp_segments(const void *a, const void *b)
{
    const sk_fail_segment *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    double rx = x->n ? (double)x->pass / (double)x->n : 1,
           ry = y->n ? (double)y->pass / (double)y->n : 1;
    if (rx != ry)
        return rx < ry ? -1 : 1;
    return strcmp(x->value, y->value);
}

static void segments(sk_failures *f, const keys *meta)
{
    for (size_t i = 0; i < meta->n; i++) {
        const key_count *k = &meta->k[i];
        if (k->too_many)
            continue;
        for (size_t j = 0; j < k->nv; j++) {
            f->segments = sk_xrealloc(f->segments, (f->nsegments + 1) * sizeof *f->segments);
            sk_fail_segment *s = &f->segments[f->nsegments++];
            s->key = sk_xstrdup(k->key);
            s->value = sk_xstrdup(k->v[j].value);
            s->n = k->v[j].n;
            s->pass = k->v[j].n - k->v[j].fail;
            sk_wilson(s->pass, s->n, 1.959963984540054, &s->lo, &s->hi);
        }
    }
    if (f->nsegments)
        qsort(f->segments, f->nsegments, sizeof *f->segments, cmp_segments);
}

/* ---- the whole ---------------------------------------------------------- */

/* The scorer of --scorer (its index in *sk), or at least one threshold. */
static int check_scorers(const sk_failures *f, const sk_fail_opts *o, size_t *sk, char **err)
{
    *sk = 0;
    if (o->scorer) {
        while (*sk < f->nscorers && strcmp(f->scorers[*sk], o->scorer) != 0)
            (*sk)++;
        if (*sk == f->nscorers) {
            sk_buf names = {0};
            for (size_t k = 0; k < f->nscorers; k++)
                sk_buf_printf(&names, "%s%s", k ? ", " : "", f->scorers[k]);
            int rc = sk_errf(err, SK_ENOTFOUND, "%s has no scorer \"%s\"; its scorers: %s", f->what,
                             o->scorer, names.data ? names.data : "(none)");
            sk_buf_free(&names);
            return rc;
        }
        return SK_OK;
    }
    for (size_t k = 0; k < f->nscorers; k++)
        if (f->has_threshold[k])
            return SK_OK;
    return sk_errf(err, SK_EINVAL,
                   "%s: no scorer has a threshold, so no row passes or fails; give thresholds "
                   "in the pack, or name a scorer and a bar with --scorer S --below X",
                   f->what);
}

static int analyse(sk_failures *f, const sk_fail_opts *o, size_t sk, sk_failures **out);

int sk_failures_find(sk_store *st, const char *exp_ref, const sk_fail_opts *o, sk_failures **out,
                     char **err)
{
    *out = NULL;
    sk_failures *f = sk_xcalloc(1, sizeof *f);
    f->q = o->q > 0 ? o->q : 0.05;
    int rc = sk_experiment_load(st, exp_ref, &f->e, err);
    if (!rc) {
        f->what = sk_asprintf("experiment %s", f->e.id);
        rc = sk_experiment_each_scorer(st, f->e.id, add_scorer, f, err);
    }
    size_t sk = 0;
    if (!rc)
        rc = check_scorers(f, o, &sk, err);
    if (!rc) {
        reader rd = {.f = f, .trial = -1};
        rc = sk_experiment_each_export(st, f->e.id, f->e.dataset_version_id, add_cell_score, &rd,
                                       err);
        finish_row(&rd);
    }
    if (rc) {
        sk_failures_free(f);
        return rc;
    }
    return analyse(f, o, sk, out);
}

static int add_log_scorer(void *ud, const char *name, int has_threshold, double threshold)
{
    return add_scorer(ud, name, has_threshold, threshold, NULL);
}

int sk_failures_find_logs(sk_store *st, const char *rule, const sk_fail_opts *o, sk_failures **out,
                          char **err)
{
    *out = NULL;
    sk_failures *f = sk_xcalloc(1, sizeof *f);
    f->q = o->q > 0 ? o->q : 0.05;
    f->what = rule ? sk_asprintf("the logs of rule %s", rule) : sk_xstrdup("the logs");
    /* What the report says in place of an experiment. */
    f->e.id = sk_xstrdup(rule ? rule : "logs");
    f->e.dataset_ref = sk_xstrdup("online rules' verdicts");
    f->e.trials = 1;
    int rc = sk_log_scores_each_scorer(st, rule, add_log_scorer, f, err);
    if (!rc && !f->nscorers)
        rc = sk_errf(err, SK_ENOTFOUND,
                     "%s have no verdicts yet: `scorekit watch` scores them by the rules of "
                     "scorekit.json's \"online\"",
                     f->what);
    size_t sk = 0;
    if (!rc)
        rc = check_scorers(f, o, &sk, err);
    if (!rc) {
        reader rd = {.f = f, .trial = -1};
        rc = sk_log_scores_each_cell(st, rule, add_cell_score, &rd, err);
        finish_row(&rd);
    }
    if (rc) {
        sk_failures_free(f);
        return rc;
    }
    return analyse(f, o, sk, out);
}

static int analyse(sk_failures *f, const sk_fail_opts *o, size_t sk, sk_failures **out)
{
    decide(f, o, sk);
    if (f->nfailing)
        sort_failing(f);

    keys meta = {0}, traits = {0};
    sk_terms *tin = sk_terms_new(), *tout = sk_terms_new();
    for (size_t i = 0; i < f->nrows; i++) {
        const sk_fail_row *r = &f->rows[i];
        if (r->verdict == SK_ROW_NO_VERDICT)
            continue;
        int failed = r->verdict == SK_ROW_FAIL;
        count_row(&meta, &traits, o, r);
        char *in = sk_text_of_json(r->input_json);
        sk_terms_add(tin, in, failed, r->id);
        free(in);
        if (r->output_json) {
            char *ot = sk_text_of_json(r->output_json);
            sk_terms_add(tout, ot, failed, r->id);
            free(ot);
        }
    }
    size_t cap = 0;
    for (size_t i = 0; i < meta.n; i++)
        cap += meta.k[i].nv;
    for (size_t i = 0; i < traits.n; i++)
        cap += traits.k[i].nv;
    double *ps = sk_xcalloc(cap ? cap : 1, sizeof *ps);
    size_t np = 0;
    test_keys(f, &meta, ps, &np);
    test_keys(f, &traits, ps, &np);
    double *qs = sk_xcalloc(np ? np : 1, sizeof *qs);
    sk_bh_adjust(ps, np, qs);
    for (size_t i = 0; i < f->ntests; i++) {
        sk_fail_test *t = &f->tests[i];
        t->q = qs[i];
        t->pattern = t->q <= f->q && t->n_in && t->n_out &&
                     (double)t->fail_in / (double)t->n_in > (double)t->fail_out / (double)t->n_out;
    }
    if (f->ntests)
        qsort(f->tests, f->ntests, sizeof *f->tests, cmp_tests);
    free(ps);
    free(qs);
    segments(f, &meta);
    size_t want = o->terms ? o->terms : 10;
    sk_terms_distinctive(tin, want, &f->in_terms, &f->nin_terms);
    sk_terms_distinctive(tout, want, &f->out_terms, &f->nout_terms);
    keys_free(&meta);
    keys_free(&traits);
    sk_terms_free(tin);
    sk_terms_free(tout);
    *out = f;
    return SK_OK;
}

static void terms_free(sk_fail_term *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(t[i].term);
        for (size_t j = 0; j < t[i].nexamples; j++)
            free(t[i].examples[j]);
    }
    free(t);
}

void sk_failures_free(sk_failures *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nrows; i++) {
        sk_fail_row *r = &f->rows[i];
        for (size_t k = 0; k < f->nscorers; k++) {
            free(r->s[k].rationale);
            free(r->s[k].error);
        }
        free(r->s);
        free(r->id);
        free(r->input_json);
        free(r->expected_json);
        free(r->metadata_json);
        free(r->output_json);
        free(r->task_error);
    }
    free(f->rows);
    free(f->what);
    for (size_t k = 0; k < f->nscorers; k++)
        free(f->scorers[k]);
    free(f->scorers);
    free(f->has_threshold);
    free(f->threshold);
    free(f->reducer);
    free(f->failing);
    for (size_t i = 0; i < f->ntests; i++) {
        free(f->tests[i].key);
        free(f->tests[i].value);
    }
    free(f->tests);
    terms_free(f->in_terms, f->nin_terms);
    terms_free(f->out_terms, f->nout_terms);
    for (size_t i = 0; i < f->nsegments; i++) {
        free(f->segments[i].key);
        free(f->segments[i].value);
    }
    free(f->segments);
    sk_experiment_clear(&f->e);
    free(f);
}
