/*
 * What a comparison says about single rows (see compare.h): the regressed
 * and improved rows in the order a reader should see them, one row's
 * outputs and verdicts on both sides for showing it, and the CI gate.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "base/error.h"
#include "base/util.h"
#include "store/dataset.h"
#include "store/experiment_read.h"

/* A listed row with what it sorts by. */
typedef struct row_key {
    size_t idx;   /* into c->rows: dataset order, the last tie-breaker */
    size_t count; /* scorers that regressed (improved) */
    double size;  /* worst (negated best) delta: smaller comes first */
    int by_count;
} row_key;

static int cmp_row_key(const void *a, const void *b)
{
    const row_key *x = a, *y = b;
    if (x->by_count && x->count != y->count)
        return x->count > y->count ? -1 : 1;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static size_t *list_rows(const sk_comparison *c, int regressed, size_t *n)
{
    row_key *keys = sk_xmalloc((c->nrows ? c->nrows : 1) * sizeof *keys);
    *n = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        const sk_cmp_row *r = &c->rows[i];
        size_t count = regressed ? r->nregressed : r->nimproved;
        if (count)
            keys[(*n)++] = (row_key){i, count, regressed ? r->worst : -r->best,
                                     regressed && c->sort_regressions};
    }
    qsort(keys, *n, sizeof *keys, cmp_row_key);
    size_t *out = sk_xmalloc((*n ? *n : 1) * sizeof *out);
    for (size_t i = 0; i < *n; i++)
        out[i] = keys[i].idx;
    free(keys);
    return out;
}

size_t *sk_compare_regressed_rows(const sk_comparison *c, size_t *n)
{
    return list_rows(c, 1, n);
}

size_t *sk_compare_improved_rows(const sk_comparison *c, size_t *n)
{
    return list_rows(c, 0, n);
}

size_t *sk_compare_flaky_rows(const sk_comparison *c, size_t *n)
{
    size_t *idx = sk_xmalloc((c->nrows ? c->nrows : 1) * sizeof *idx);
    *n = 0;
    for (size_t i = 0; i < c->nrows; i++)
        for (size_t k = 0; k < c->nscorers; k++)
            if (c->rows[i].flaky[k] & SK_FLAKY_NEW) {
                idx[(*n)++] = i;
                break;
            }
    return idx;
}

/* ---- one row in detail -------------------------------------------------- */

static void clear_trial(const sk_comparison *c, sk_cmp_trial *t)
{
    free(t->output_json);
    free(t->task_error);
    for (size_t k = 0; t->v && k < c->nscorers; k++) {
        free(t->v[k].kind);
        free(t->v[k].message);
        free(t->v[k].rationale);
    }
    free(t->v);
    memset(t, 0, sizeof *t);
}

void sk_cmp_row_detail_clear(const sk_comparison *c, sk_cmp_row_detail *d)
{
    free(d->input_json);
    free(d->expected_json);
    clear_trial(c, &d->base);
    clear_trial(c, &d->new_);
}

/* The first verdict each scorer of the comparison gave in the cell. */
typedef struct trial_reader {
    const sk_comparison *c;
    sk_cmp_trial *t;
} trial_reader;

static int add_trial_score(void *ud, const sk_cell_score_row *r)
{
    trial_reader *tr = ud;
    for (size_t k = 0; k < tr->c->nscorers; k++) {
        struct sk_cmp_verdict_view *v = &tr->t->v[k];
        if (strcmp(tr->c->scorers[k].name, r->scorer) == 0 && !v->kind) {
            v->kind = sk_xstrdup(r->kind);
            v->score = r->score;
            v->message = r->message ? sk_xstrdup(r->message) : NULL;
            v->rationale = r->rationale ? sk_xstrdup(r->rationale) : NULL;
        }
    }
    return 0;
}

static int load_trial(sk_store *st, const sk_comparison *c, const sk_experiment *e,
                      const char *row_id, sk_cmp_trial *t, char **err)
{
    t->v = sk_xcalloc(c->nscorers ? c->nscorers : 1, sizeof *t->v);
    int rc = sk_experiment_first_cell(st, e->id, row_id, &t->present, &t->trial, &t->output_json,
                                      &t->task_error, err);
    if (rc || !t->present)
        return rc;
    trial_reader tr = {c, t};
    return sk_experiment_each_cell_score(st, e->id, row_id, t->trial, add_trial_score, &tr, err);
}

static int load_inputs(sk_store *st, int64_t version_id, const char *row_id, sk_cmp_row_detail *d,
                       char **err)
{
    return sk_dataset_row_texts(st, version_id, row_id, &d->input_json, &d->expected_json, err);
}

int sk_compare_row_detail(sk_store *st, const sk_comparison *c, size_t row, sk_cmp_row_detail *out,
                          char **err)
{
    memset(out, 0, sizeof *out);
    if (row >= c->nrows)
        return sk_errf(err, SK_EINVAL, "row %zu is out of range (the comparison has %zu)", row,
                       c->nrows);
    const sk_cmp_row *r = &c->rows[row];
    int rc = load_inputs(st, r->in_new ? c->new_.dataset_version_id : c->base.dataset_version_id,
                         r->id, out, err);
    if (rc == SK_OK)
        rc = load_trial(st, c, &c->base, r->id, &out->base, err);
    if (rc == SK_OK)
        rc = load_trial(st, c, &c->new_, r->id, &out->new_, err);
    if (rc)
        sk_cmp_row_detail_clear(c, out);
    return rc;
}

/* ---- the gate ----------------------------------------------------------- */

static void add_reason(char ***reasons, size_t *n, char *msg)
{
    *reasons = sk_xrealloc(*reasons, (*n + 1) * sizeof **reasons);
    (*reasons)[(*n)++] = msg;
}

int sk_compare_gate(const sk_comparison *c, const sk_cmp_gate *gates, size_t ngates,
                    unsigned checks, char ***reasons, size_t *n, char **err)
{
    *reasons = NULL;
    *n = 0;
    unsigned char *gated = sk_xcalloc(c->nscorers ? c->nscorers : 1, 1);
    int named = 0;
    for (size_t g = 0; g < ngates; g++) {
        if (!gates[g].scorer)
            continue;
        named = 1;
        size_t k = 0;
        while (k < c->nscorers && strcmp(c->scorers[k].name, gates[g].scorer) != 0)
            k++;
        if (k == c->nscorers) {
            sk_buf names = {0};
            for (size_t i = 0; i < c->nscorers; i++)
                sk_buf_printf(&names, "%s%s", i ? ", " : "", c->scorers[i].name);
            int rc = sk_errf(err, SK_ENOTFOUND,
                             "the gate names scorer \"%s\", which both experiments do not have; "
                             "they share: %s",
                             gates[g].scorer, names.data);
            sk_buf_free(&names);
            free(gated);
            return rc;
        }
        gated[k] = 1;
    }
    for (size_t k = 0; k < c->nscorers; k++) {
        const sk_cmp_scorer *sc = &c->scorers[k];
        const sk_cmp_figures *f = &sc->fig;
        int fired = 0;
        for (size_t g = 0; g < ngates && !fired; g++) {
            if (gates[g].scorer && strcmp(gates[g].scorer, sc->name) != 0)
                continue;
            fired = f->verdict == SK_CMP_REGRESSED && -f->diff >= gates[g].min_effect;
            if (fired)
                add_reason(
                    reasons, n,
                    sk_asprintf("%s regressed: mean %.4f -> %.4f (%+.4f, %g%% CI "
                                "[%+.4f, %+.4f]) over %zu rows%s",
                                sc->name, f->base_mean, f->new_mean, f->diff, c->level * 100,
                                f->boot_lo, f->boot_hi, f->pairs,
                                gates[g].min_effect > 0 ? ", beyond the minimum effect" : ""));
        }
        if (named && !gated[k])
            continue;
        if ((checks & SK_GATE_FLAKY) && f->flaky_new) {
            sk_buf ids = {0};
            size_t listed = 0;
            for (size_t i = 0; i < c->nrows && listed < 5; i++)
                if (c->rows[i].flaky[k] & SK_FLAKY_NEW)
                    sk_buf_printf(&ids, "%s%s", listed++ ? ", " : "", c->rows[i].id);
            add_reason(reasons, n,
                       sk_asprintf("%s: %zu row%s flaky in the new experiment (its trials "
                                   "disagree on pass/fail): %s%s",
                                   sc->name, f->flaky_new, f->flaky_new == 1 ? "" : "s", ids.data,
                                   f->flaky_new > listed ? ", ..." : ""));
            sk_buf_free(&ids);
        }
        if (!(checks & SK_GATE_ROWS))
            continue;
        for (size_t i = 0; i < c->nrows; i++)
            if (c->rows[i].hard[k])
                add_reason(reasons, n,
                           sk_asprintf("row %s: %s passed in every baseline trial (%u) and "
                                       "failed in every new trial (%u)",
                                       c->rows[i].id, sc->name, c->rows[i].base[k].trials,
                                       c->rows[i].new_[k].trials));
    }
    free(gated);
    return SK_OK;
}
