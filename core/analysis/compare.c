/*
 * Comparing two experiments (see compare.h): reading both sides' verdicts
 * from the store, pairing rows by id, averaging trials per row, and the
 * per-scorer and per-segment figures and verdicts.  Listing, showing and
 * gating on the result is in compare_rows.c.
 *
 * Both sides are read in row-id order (SQLite's BINARY collation orders
 * like strcmp), so pairing is a merge and scores are attributed to rows
 * by walking the same order: no hash table, and memory stays a few
 * numbers per row x scorer.
 */
#include "analysis/compare.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"
#include "base/error.h"
#include "base/util.h"
#include "base/verdict.h"
#include "store/dataset.h"
#include "store/experiment_read.h"

#define NOISE_Z 1.959963984540054 /* per-row noise band: 1.96 standard errors */

const char *sk_cmp_verdict_name(sk_cmp_verdict v)
{
    switch (v) {
    case SK_CMP_IMPROVED: return "improved";
    case SK_CMP_REGRESSED: return "regressed";
    case SK_CMP_NOISE: return "noise";
    case SK_CMP_UNCHANGED: return "unchanged";
    case SK_CMP_NONE: break;
    }
    return "no data";
}

void sk_comparison_free(sk_comparison *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nrows; i++) {
        sk_cmp_row *r = &c->rows[i];
        free(r->id);
        for (size_t k = 0; r->segment && k < c->nby; k++)
            free(r->segment[k]);
        free(r->segment);
    }
    free(c->rows);
    free(c->row_arrays);
    for (size_t i = 0; i < c->nsegments; i++) {
        free(c->segments[i].value);
        free(c->segments[i].fig);
    }
    free(c->segments);
    for (size_t i = 0; i < c->nscorers; i++)
        free(c->scorers[i].name);
    free(c->scorers);
    for (size_t i = 0; i < c->nbase_only; i++)
        free(c->base_only[i]);
    free(c->base_only);
    for (size_t i = 0; i < c->nnew_only; i++)
        free(c->new_only[i]);
    free(c->new_only);
    for (size_t i = 0; i < c->nby; i++)
        free(c->by[i]);
    free(c->by);
    sk_config_diff_clear(&c->changes);
    sk_experiment_clear(&c->base);
    sk_experiment_clear(&c->new_);
    free(c);
}

/* ---- reading ------------------------------------------------------------ */

typedef struct scorer_def {
    char *name;
    int has_threshold;
    double threshold;
    sk_reducer reducer;
} scorer_def;

static void free_defs(scorer_def *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(d[i].name);
    free(d);
}

typedef struct def_list {
    scorer_def *v;
    size_t n;
} def_list;

static int add_def(void *ud, const char *name, int has_threshold, double threshold,
                   const char *reducer)
{
    def_list *l = ud;
    l->v = sk_xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    scorer_def *d = &l->v[l->n++];
    d->name = sk_xstrdup(name);
    d->has_threshold = has_threshold;
    d->threshold = threshold;
    d->reducer = SK_REDUCE_MEAN; /* also for a name a later version added */
    if (reducer)
        sk_reducer_parse(reducer, &d->reducer);
    return 0;
}

/* A newer version of the dataset that only adds rows (every row of the
 * base's version is in the new one, unchanged) changes nothing the
 * comparison pairs: it is listed, not counted as a variable. */
static int dataset_growth(sk_store *st, sk_comparison *c, char **err)
{
    sk_config_diff *d = &c->changes;
    for (size_t i = 0; i < d->n; i++) {
        sk_config_change *ch = &d->v[i];
        if (!ch->counts || strcmp(ch->variable, "dataset version") != 0)
            continue;
        int64_t only_base, only_new, changed;
        int rc =
            sk_dataset_versions_diff(st, c->base.dataset_version_id, c->new_.dataset_version_id,
                                     &only_base, &only_new, &changed, err);
        if (rc)
            return rc;
        if (only_base || changed)
            return SK_OK;
        ch->counts = 0;
        d->variables--;
        free(ch->note);
        ch->note = sk_asprintf("dataset grew by %lld row%s, not compared", (long long)only_new,
                               only_new == 1 ? "" : "s");
    }
    return SK_OK;
}

static int load_scorers(sk_store *st, const char *exp_id, scorer_def **out, size_t *n, char **err)
{
    def_list l = {0};
    int rc = sk_experiment_each_scorer(st, exp_id, add_def, &l, err);
    if (rc) {
        free_defs(l.v, l.n);
        l.v = NULL;
        l.n = 0;
    }
    *out = l.v;
    *n = l.n;
    return rc;
}

static const scorer_def *find_def(const scorer_def *d, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(d[i].name, name) == 0)
            return &d[i];
    return NULL;
}

/* The scorers both sides have (new order), and the names only one has. */
static void match_scorers(sk_comparison *c, const scorer_def *b, size_t nb, const scorer_def *n,
                          size_t nn)
{
    c->scorers = sk_xcalloc(nn ? nn : 1, sizeof *c->scorers);
    for (size_t i = 0; i < nn; i++) {
        const scorer_def *bd = find_def(b, nb, n[i].name);
        if (!bd) {
            c->new_only = sk_xrealloc(c->new_only, (c->nnew_only + 1) * sizeof *c->new_only);
            c->new_only[c->nnew_only++] = sk_xstrdup(n[i].name);
            continue;
        }
        sk_cmp_scorer *sc = &c->scorers[c->nscorers++];
        sc->name = sk_xstrdup(n[i].name);
        sc->base_has_threshold = bd->has_threshold;
        sc->base_threshold = bd->threshold;
        sc->new_has_threshold = n[i].has_threshold;
        sc->new_threshold = n[i].threshold;
        sc->base_reducer = bd->reducer;
        sc->new_reducer = n[i].reducer;
    }
    for (size_t i = 0; i < nb; i++)
        if (!find_def(n, nn, b[i].name)) {
            c->base_only = sk_xrealloc(c->base_only, (c->nbase_only + 1) * sizeof *c->base_only);
            c->base_only[c->nbase_only++] = sk_xstrdup(b[i].name);
        }
}

/* One side's rows: id, first position, cells, task errors. */
typedef struct side_row {
    char *id;
    int64_t pos;
    unsigned cells, task_errors;
} side_row;

static void free_side_rows(side_row *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(r[i].id);
    free(r);
}

typedef struct row_list {
    side_row *v;
    size_t n, cap;
} row_list;

static int add_side_row(void *ud, const sk_experiment_row_cells *c)
{
    row_list *l = ud;
    l->v = sk_xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    side_row *r = &l->v[l->n++];
    r->id = sk_xstrdup(c->row_id);
    r->pos = c->pos;
    r->cells = c->cells;
    r->task_errors = c->task_errors;
    return 0;
}

static int load_rows(sk_store *st, const char *exp_id, side_row **out, size_t *n, char **err)
{
    row_list l = {0};
    int rc = sk_experiment_each_row_cells(st, exp_id, add_side_row, &l, err);
    if (rc) {
        free_side_rows(l.v, l.n);
        l.v = NULL;
        l.n = 0;
    }
    *out = l.v;
    *n = l.n;
    return rc;
}

static void init_side(sk_cmp_side *sd, const side_row *r)
{
    sd->trials = r->cells;
    sd->errors = r->task_errors; /* a task error leaves the scorer no verdict */
}

/* Merge both sides' sorted row lists into the comparison's rows. */
static void merge_rows(sk_comparison *c, side_row *b, size_t nb, side_row *n, size_t nn)
{
    size_t ns = c->nscorers ? c->nscorers : 1, cap = nb + nn ? nb + nn : 1, i = 0, j = 0;
    c->rows = sk_xcalloc(cap, sizeof *c->rows);
    /* Six small arrays per row were a quarter of reading the rows (20,000
     * rows: 120,000 allocations); one block holds them all: the sides,
     * then the deltas (sk_cmp_side's size is a multiple of a double's),
     * then the bytes. */
    size_t nside = cap * ns * 2 * sizeof(sk_cmp_side), ndelta = cap * ns * sizeof(double);
    char *block = c->row_arrays = sk_xcalloc(1, nside + ndelta + cap * ns * 3);
    sk_cmp_side *sides = (sk_cmp_side *)block;
    double *deltas = (double *)(block + nside);
    unsigned char *bytes = (unsigned char *)(block + nside + ndelta);
    while (i < nb || j < nn) {
        int cmp = i == nb ? 1 : j == nn ? -1 : strcmp(b[i].id, n[j].id);
        size_t at = c->nrows;
        sk_cmp_row *r = &c->rows[c->nrows++];
        r->base = sides + at * ns * 2;
        r->new_ = r->base + ns;
        r->delta = deltas + at * ns;
        r->change = bytes + at * ns * 3;
        r->hard = r->change + ns;
        r->flaky = r->hard + ns;
        if (cmp <= 0) {
            r->in_base = 1;
            r->pos = b[i].pos;
            for (size_t k = 0; k < ns; k++)
                init_side(&r->base[k], &b[i]);
        }
        if (cmp >= 0) {
            r->in_new = 1;
            r->pos = n[j].pos;
            for (size_t k = 0; k < ns; k++)
                init_side(&r->new_[k], &n[j]);
        }
        /* The id moves from its side's list (which frees what is left). */
        char **id = cmp <= 0 ? &b[i].id : &n[j].id;
        r->id = *id;
        *id = NULL;
        if (cmp <= 0)
            i++;
        if (cmp >= 0)
            j++;
        c->both += r->in_base && r->in_new;
        c->only_base += r->in_base && !r->in_new;
        c->only_new += !r->in_base && r->in_new;
    }
}

static size_t scorer_index(const sk_comparison *c, const char *name)
{
    for (size_t k = 0; k < c->nscorers; k++)
        if (strcmp(c->scorers[k].name, name) == 0)
            return k;
    return (size_t)-1;
}

typedef struct score_acc {
    sk_comparison *c;
    int new_side;
    size_t at; /* the row reached, both lists being sorted by id */
} score_acc;

static int add_score(void *ud, const sk_experiment_score *s)
{
    score_acc *a = ud;
    sk_comparison *c = a->c;
    while (a->at < c->nrows && strcmp(c->rows[a->at].id, s->row_id) < 0)
        a->at++;
    if (a->at == c->nrows || strcmp(c->rows[a->at].id, s->row_id) != 0)
        return 0; /* a score without its cell: cannot happen with the foreign key */
    size_t k = scorer_index(c, s->scorer);
    if (k == (size_t)-1)
        return 0;
    const sk_cmp_scorer *sc = &c->scorers[k];
    int has_thr = a->new_side ? sc->new_has_threshold : sc->base_has_threshold;
    double thr = a->new_side ? sc->new_threshold : sc->base_threshold;
    sk_cmp_side *sd = a->new_side ? &c->rows[a->at].new_[k] : &c->rows[a->at].base[k];
    if (strcmp(s->kind, "score") == 0) {
        double x = s->score;
        sd->scored++;
        double d = x - sd->mean;
        sd->mean += d / sd->scored;
        sd->sd += d * (x - sd->mean);
        if (has_thr) {
            if (x >= thr)
                sd->pass++;
            else
                sd->fail++;
        }
    } else if (strcmp(s->kind, "error") == 0) {
        sd->errors++;
    }
    return 0;
}

/* Accumulate one side's verdicts into the rows (still sorted by id).  The
 * running mean and M2 (Welford) live in mean and sd until finish_side. */
static int load_scores(sk_store *st, sk_comparison *c, int new_side, char **err)
{
    const sk_experiment *e = new_side ? &c->new_ : &c->base;
    score_acc a = {.c = c, .new_side = new_side};
    int rc = sk_experiment_each_score(st, e->id, add_score, &a, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < c->nrows; i++)
        for (size_t k = 0; k < c->nscorers; k++) {
            sk_cmp_side *sd = new_side ? &c->rows[i].new_[k] : &c->rows[i].base[k];
            double m2 = sd->sd;
            sd->sd = sd->scored >= 2 ? sqrt(m2 / (sd->scored - 1)) : NAN;
            if (!sd->scored)
                sd->mean = NAN;
        }
    return SK_OK;
}

/* One side of a row for one scorer, by the row verdict's rule (rowscore.h)
 * applied to the scorer's trials: an error in any of them (the scorer's or
 * the task's) or no score at all is no verdict; else the mean over the
 * trials against the threshold, as the experiment summary counts a row.
 * -1 when the scorer has no threshold on this side: nothing to flip. */
static int side_pass(sk_row_verdict *v, const sk_cmp_side *sd, const char *name, int has_thr,
                     double thr, sk_reducer red)
{
    if (!has_thr)
        return -1;
    sk_row_verdict_begin(v);
    sk_verdict kind = sd->errors   ? SK_VERDICT_ERROR
                      : sd->scored ? SK_VERDICT_SCORE
                                   : SK_VERDICT_SKIP;
    /* The reducer's verdict, as a score that meets the threshold or not. */
    double as = kind == SK_VERDICT_SCORE && red != SK_REDUCE_MEAN
                    ? (sk_reducer_pass(red, sd->pass, sd->fail, sd->mean, thr) ? thr : -1)
                    : sd->mean;
    sk_row_verdict_add(v, name, kind, as, has_thr, thr, NULL);
    return (int)sk_row_verdict_end(v);
}

static void classify_rows(sk_comparison *c)
{
    for (size_t i = 0; i < c->nrows; i++) {
        sk_cmp_row *r = &c->rows[i];
        for (size_t k = 0; k < c->nscorers; k++) {
            const sk_cmp_scorer *sc = &c->scorers[k];
            sk_cmp_side *b = &r->base[k], *n = &r->new_[k];
            r->delta[k] = NAN;
            r->change[k] = SK_ROW_NA;
            r->flaky[k] = (sc->base_has_threshold && b->pass && b->fail ? SK_FLAKY_BASE : 0) |
                          (sc->new_has_threshold && n->pass && n->fail ? SK_FLAKY_NEW : 0);
            if (!r->in_base || !r->in_new)
                continue;
            /* Passed every base trial, failed every new one. */
            r->hard[k] = sc->base_has_threshold && sc->new_has_threshold && b->trials > 0 &&
                         b->pass == b->trials && n->trials > 0 && n->fail == n->trials;
            if (!b->scored || !n->scored)
                continue;
            double d = n->mean - b->mean;
            r->delta[k] = d;
            double vb = b->scored >= 2 ? b->sd * b->sd / b->scored : 0;
            double vn = n->scored >= 2 ? n->sd * n->sd / n->scored : 0;
            double band = NOISE_Z * sqrt(vb + vn);
            if (band < c->epsilon)
                band = c->epsilon;
            if (d > band) {
                r->change[k] = SK_ROW_UP;
                r->nimproved++;
                if (d > r->best)
                    r->best = d;
            } else if (d < -band) {
                r->change[k] = SK_ROW_DOWN;
                r->nregressed++;
                if (d < r->worst)
                    r->worst = d;
            } else {
                r->change[k] = SK_ROW_SAME;
            }
        }
    }
}

/* ---- figures ------------------------------------------------------------ */

/* Scorer k's figures over the rows idx[0..n) (every row when idx is
 * NULL), all but the bootstrap interval and the verdict, which need it:
 * returns the pairs' differences (the caller frees them), or NULL when
 * there are none. */
static double *figures_before_bootstrap(const sk_comparison *c, size_t k, const size_t *idx,
                                        size_t n, sk_cmp_figures *f, int *all_zero_out)
{
    const sk_cmp_scorer *sc = &c->scorers[k];
    memset(f, 0, sizeof *f);
    double *d = sk_xmalloc((n ? n : 1) * sizeof *d);
    double sum_b = 0, sum_n = 0, var_b = 0, var_n = 0;
    size_t nvar_b = 0, nvar_n = 0;
    int all_zero = 1;
    sk_row_verdict v = {0};
    for (size_t i = 0; i < n; i++) {
        const sk_cmp_row *r = &c->rows[idx ? idx[i] : i];
        if (!r->in_base || !r->in_new)
            continue;
        const sk_cmp_side *b = &r->base[k], *nw = &r->new_[k];
        int pb = side_pass(&v, b, sc->name, sc->base_has_threshold, sc->base_threshold,
                           sc->base_reducer);
        int pn =
            side_pass(&v, nw, sc->name, sc->new_has_threshold, sc->new_threshold, sc->new_reducer);
        f->pass_to_fail += pb == SK_ROW_PASS && pn == SK_ROW_FAIL;
        f->fail_to_pass += pb == SK_ROW_FAIL && pn == SK_ROW_PASS;
        f->no_verdict += pb >= 0 && pn >= 0 && (pb == SK_ROW_NO_VERDICT || pn == SK_ROW_NO_VERDICT);
        f->hard_regressions += r->hard[k];
        f->flaky_base += (r->flaky[k] & SK_FLAKY_BASE) != 0;
        f->flaky_new += (r->flaky[k] & SK_FLAKY_NEW) != 0;
        if (isnan(r->delta[k])) {
            f->unpaired += b->scored || nw->scored;
            continue;
        }
        d[f->pairs++] = r->delta[k];
        if (r->delta[k] != 0)
            all_zero = 0;
        sum_b += b->mean;
        sum_n += nw->mean;
        if (b->scored >= 2) {
            var_b += b->sd * b->sd;
            nvar_b++;
        }
        if (nw->scored >= 2) {
            var_n += nw->sd * nw->sd;
            nvar_n++;
        }
        f->improved += r->change[k] == SK_ROW_UP;
        f->regressed += r->change[k] == SK_ROW_DOWN;
        f->unchanged += r->change[k] == SK_ROW_SAME;
    }
    sk_row_verdict_free(&v);
    f->base_mean = f->new_mean = f->diff = f->sd_diff = NAN;
    f->boot_lo = f->boot_hi = f->t_lo = f->t_hi = NAN;
    f->rows_needed = f->trials_needed = NAN;
    if (f->pairs == 0) {
        f->verdict = SK_CMP_NONE;
        free(d);
        return NULL;
    }
    f->base_mean = sum_b / (double)f->pairs;
    f->new_mean = sum_n / (double)f->pairs;
    f->diff = sk_stats_mean(d, f->pairs);
    f->small = fabs(f->diff) < SK_COMPARE_SMALL;
    f->sd_diff = sk_stats_sd(d, f->pairs);
    sk_stats_t_interval(d, f->pairs, c->level, &f->t_lo, &f->t_hi);
    if (f->pairs >= 2) {
        f->rows_needed = sk_stats_rows_needed(f->sd_diff, f->diff);
        /* Trial noise that more trials would average away. */
        double vb = nvar_b ? var_b / (double)nvar_b : 0, vn = nvar_n ? var_n / (double)nvar_n : 0;
        if (nvar_b || nvar_n)
            f->trials_needed = sk_stats_trials_needed(f->sd_diff * f->sd_diff, f->pairs, f->diff,
                                                      vb, c->base.trials, vn, c->new_.trials);
    }
    *all_zero_out = all_zero;
    return d;
}

/* The verdict, from both intervals (all_zero: no pair differs). */
static void verdict(sk_cmp_figures *f, int all_zero)
{
    if (all_zero)
        f->verdict = SK_CMP_UNCHANGED;
    else if (f->pairs >= 2 && f->boot_lo > 0 && f->t_lo > 0)
        f->verdict = SK_CMP_IMPROVED;
    else if (f->pairs >= 2 && f->boot_hi < 0 && f->t_hi < 0)
        f->verdict = SK_CMP_REGRESSED;
    else
        f->verdict = SK_CMP_NOISE;
}

/* Every scorer's figures over the rows idx[0..n) (every row when idx is
 * NULL) into *fig[k].  Scorers with as many pairs share one bootstrap's
 * draws (sk_stats_bootstrap_ci_many): the same intervals, drawn once. */
static void figures(const sk_comparison *c, const size_t *idx, size_t n, sk_cmp_figures *const *fig)
{
    size_t ns = c->nscorers;
    double **d = sk_xcalloc(ns ? ns : 1, sizeof *d);
    int *all_zero = sk_xcalloc(ns ? ns : 1, sizeof *all_zero);
    for (size_t k = 0; k < ns; k++)
        d[k] = figures_before_bootstrap(c, k, idx, n, fig[k], &all_zero[k]);
    const double **group = sk_xmalloc((ns ? ns : 1) * sizeof *group);
    size_t *members = sk_xmalloc((ns ? ns : 1) * sizeof *members);
    double *lo = sk_xmalloc((ns ? ns : 1) * sizeof *lo),
           *hi = sk_xmalloc((ns ? ns : 1) * sizeof *hi);
    for (size_t k = 0; k < ns; k++) {
        if (!d[k])
            continue;
        size_t g = 0;
        for (size_t j = k; j < ns; j++)
            if (d[j] && fig[j]->pairs == fig[k]->pairs) {
                group[g] = d[j];
                members[g++] = j;
            }
        sk_stats_bootstrap_ci_many(group, g, fig[k]->pairs, c->level, c->resamples, c->seed, lo,
                                   hi);
        for (size_t i = 0; i < g; i++) {
            fig[members[i]]->boot_lo = lo[i];
            fig[members[i]]->boot_hi = hi[i];
            free(d[members[i]]);
            d[members[i]] = NULL;
            verdict(fig[members[i]], all_zero[members[i]]);
        }
    }
    free(hi);
    free(lo);
    free(members);
    free(group);
    free(all_zero);
    free(d);
}

/* ---- segments ----------------------------------------------------------- */

/* The value of metadata key `key` ("a.b" walks nested objects) as a
 * segment name: strings as they are, other values as JSON, "(none)" when
 * absent or null. */
static char *segment_value(const cJSON *meta, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, key);
    if (!v && strchr(key, '.')) {
        char *path = sk_xstrdup(key), *save = NULL;
        v = meta;
        for (char *part = strtok_r(path, ".", &save); part && v; part = strtok_r(NULL, ".", &save))
            v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, part) : NULL;
        free(path);
    }
    if (!v || cJSON_IsNull(v))
        return sk_xstrdup("(none)");
    if (cJSON_IsString(v))
        return sk_xstrdup(v->valuestring);
    return cJSON_PrintUnformatted(v);
}

typedef struct seg_acc {
    sk_comparison *c;
    size_t at; /* the row reached, both lists being sorted by id */
} seg_acc;

static int add_segment(void *ud, const char *row_id, const char *metadata_json)
{
    seg_acc *a = ud;
    sk_comparison *c = a->c;
    while (a->at < c->nrows && strcmp(c->rows[a->at].id, row_id) < 0)
        a->at++;
    if (a->at == c->nrows)
        return 1; /* past the last row: stop */
    sk_cmp_row *r = &c->rows[a->at];
    if (strcmp(r->id, row_id) != 0 || r->segment)
        return 0;
    cJSON *meta = metadata_json ? cJSON_Parse(metadata_json) : NULL;
    r->segment = sk_xcalloc(c->nby, sizeof *r->segment);
    for (size_t k = 0; k < c->nby; k++)
        r->segment[k] = segment_value(meta, c->by[k]);
    cJSON_Delete(meta);
    return 0;
}

/* Give rows the segment values from dataset version `version_id`, for the
 * rows that have none yet (rows still sorted by id). */
static int load_segment_values(sk_store *st, sk_comparison *c, int64_t version_id, char **err)
{
    seg_acc a = {.c = c};
    int rc = sk_dataset_each_metadata(st, version_id, add_segment, &a, err);
    return rc < 0 ? rc : SK_OK;
}

/* A row's place in one key's segments. */
typedef struct seg_item {
    const char *value;
    size_t row;
} seg_item;

static int cmp_item(const void *a, const void *b)
{
    const seg_item *x = a, *y = b;
    int d = strcmp(x->value, y->value);
    return d ? d : (x->row > y->row) - (x->row < y->row);
}

/* A segment with what it sorts by. */
typedef struct seg_sort {
    sk_cmp_segment s;
    size_t key;   /* index of its `by` key: keys keep their order */
    double worst; /* the most negative difference of any scorer */
    int by_regressions;
} seg_sort;

static int cmp_segment(const void *a, const void *b)
{
    const seg_sort *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->by_regressions) {
        if (x->s.regressed != y->s.regressed)
            return x->s.regressed > y->s.regressed ? -1 : 1;
        if (x->worst != y->worst)
            return x->worst < y->worst ? -1 : 1;
    }
    return strcmp(x->s.value, y->s.value);
}

static void build_segments(sk_comparison *c)
{
    seg_item *items = sk_xmalloc((c->nrows ? c->nrows : 1) * sizeof *items);
    size_t *idx = sk_xmalloc((c->nrows ? c->nrows : 1) * sizeof *idx);
    sk_cmp_figures **figs = sk_xmalloc((c->nscorers ? c->nscorers : 1) * sizeof *figs);
    seg_sort *segs = NULL;
    size_t nsegs = 0;
    for (size_t i = 0; i < c->nrows; i++)
        if (!c->rows[i].segment) { /* a row neither dataset version has */
            c->rows[i].segment = sk_xcalloc(c->nby, sizeof *c->rows[i].segment);
            for (size_t k = 0; k < c->nby; k++)
                c->rows[i].segment[k] = sk_xstrdup("(none)");
        }
    for (size_t key = 0; key < c->nby; key++) {
        for (size_t i = 0; i < c->nrows; i++)
            items[i] = (seg_item){c->rows[i].segment[key], i};
        qsort(items, c->nrows, sizeof *items, cmp_item);
        for (size_t i = 0; i < c->nrows;) {
            size_t end = i;
            for (; end < c->nrows && strcmp(items[end].value, items[i].value) == 0; end++)
                idx[end - i] = items[end].row;
            segs = sk_xrealloc(segs, (nsegs + 1) * sizeof *segs);
            seg_sort *ss = &segs[nsegs++];
            memset(ss, 0, sizeof *ss);
            sk_cmp_segment *sg = &ss->s;
            ss->key = key;
            ss->by_regressions = c->sort_regressions;
            ss->worst = INFINITY;
            sg->key = c->by[key];
            sg->value = sk_xstrdup(items[i].value);
            sg->fig = sk_xcalloc(c->nscorers ? c->nscorers : 1, sizeof *sg->fig);
            for (size_t j = 0; j < end - i; j++) {
                const sk_cmp_row *r = &c->rows[idx[j]];
                sg->rows += r->in_base && r->in_new;
                sg->regressed += r->nregressed > 0;
                sg->improved += r->nimproved > 0;
            }
            for (size_t k = 0; k < c->nscorers; k++)
                figs[k] = &sg->fig[k];
            figures(c, idx, end - i, figs);
            for (size_t k = 0; k < c->nscorers; k++)
                if (!isnan(sg->fig[k].diff) && sg->fig[k].diff < ss->worst)
                    ss->worst = sg->fig[k].diff;
            i = end;
        }
    }
    if (nsegs)
        qsort(segs, nsegs, sizeof *segs, cmp_segment);
    c->segments = sk_xcalloc(nsegs ? nsegs : 1, sizeof *c->segments);
    for (size_t i = 0; i < nsegs; i++)
        c->segments[i] = segs[i].s;
    c->nsegments = nsegs;
    free(segs);
    free(figs);
    free(idx);
    free(items);
}

/* Dataset order: the new side's rows by position, then rows only the base
 * has, by their position there. */
static int cmp_row_order(const void *a, const void *b)
{
    const sk_cmp_row *x = a, *y = b;
    if (x->in_new != y->in_new)
        return x->in_new ? -1 : 1;
    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* Rows into dataset order: pointers sorted, then the rows moved once (the
 * rows themselves, a hundred bytes each, were a tenth of the time in
 * qsort's copies). */
static int cmp_row_ptr(const void *a, const void *b)
{
    return cmp_row_order(*(const sk_cmp_row *const *)a, *(const sk_cmp_row *const *)b);
}

static void sort_rows(sk_comparison *c)
{
    const sk_cmp_row **p = sk_xmalloc(c->nrows * sizeof *p);
    for (size_t i = 0; i < c->nrows; i++)
        p[i] = &c->rows[i];
    qsort(p, c->nrows, sizeof *p, cmp_row_ptr);
    sk_cmp_row *sorted = sk_xmalloc(c->nrows * sizeof *sorted);
    for (size_t i = 0; i < c->nrows; i++)
        sorted[i] = *p[i];
    free(p);
    free(c->rows);
    c->rows = sorted;
}

/* ---- the comparison ----------------------------------------------------- */

static int check_opts(const sk_compare_opts *o, char **err)
{
    if (o && o->level != 0 && !(o->level >= 0.5 && o->level < 1))
        return sk_errf(err, SK_EINVAL, "the confidence level must be in [0.5, 1), got %g",
                       o->level);
    if (o && o->epsilon >= 1)
        return sk_errf(err, SK_EINVAL,
                       "epsilon %g is a change no score in [0,1] can exceed; use a value "
                       "under 1 (the default is %g)",
                       o->epsilon, SK_COMPARE_EPSILON);
    for (size_t i = 0; o && i < o->nby; i++)
        if (!o->by[i] || !o->by[i][0])
            return sk_errf(err, SK_EINVAL,
                           "an empty metadata key to segment by; give a key of "
                           "the rows' metadata, like topic");
    return SK_OK;
}

int sk_compare(sk_store *st, const char *base_ref, const char *new_ref, const sk_compare_opts *o,
               sk_comparison **out, char **err)
{
    *out = NULL;
    int rc = check_opts(o, err);
    if (rc)
        return rc;
    sk_comparison *c = sk_xcalloc(1, sizeof *c);
    c->epsilon = o && o->epsilon >= 0 ? o->epsilon : SK_COMPARE_EPSILON;
    c->level = o && o->level ? o->level : 0.95;
    c->resamples = o && o->resamples ? o->resamples : SK_COMPARE_RESAMPLES;
    c->seed = o && o->seed ? o->seed : SK_COMPARE_SEED;
    c->sort_regressions = o ? o->sort_regressions : 0;
    if (o && o->nby) {
        c->by = sk_xcalloc(o->nby, sizeof *c->by);
        for (size_t i = 0; i < o->nby; i++)
            c->by[i] = sk_xstrdup(o->by[i]);
        c->nby = o->nby;
    }
    rc = sk_experiment_load(st, base_ref, &c->base, err);
    if (rc == SK_OK)
        rc = sk_experiment_load(st, new_ref, &c->new_, err);
    if (rc == SK_OK)
        rc = sk_config_diff_compute(c->base.config_json, c->new_.config_json, &c->changes, err);
    if (rc == SK_OK)
        rc = dataset_growth(st, c, err);

    scorer_def *bs = NULL, *ns = NULL;
    size_t nbs = 0, nns = 0;
    if (rc == SK_OK)
        rc = load_scorers(st, c->base.id, &bs, &nbs, err);
    if (rc == SK_OK)
        rc = load_scorers(st, c->new_.id, &ns, &nns, err);
    if (rc == SK_OK) {
        match_scorers(c, bs, nbs, ns, nns);
        if (c->nscorers == 0)
            rc = sk_errf(err, SK_EINVAL,
                         "experiments %s and %s have no scorer in common (by name), so there is "
                         "nothing to compare; rescore one with the other's pack (scorekit "
                         "rescore %s --pack FILE)",
                         c->base.id, c->new_.id, c->base.id);
    }
    free_defs(bs, nbs);
    free_defs(ns, nns);

    side_row *br = NULL, *nr = NULL;
    size_t nbr = 0, nnr = 0;
    if (rc == SK_OK)
        rc = load_rows(st, c->base.id, &br, &nbr, err);
    if (rc == SK_OK)
        rc = load_rows(st, c->new_.id, &nr, &nnr, err);
    if (rc == SK_OK)
        merge_rows(c, br, nbr, nr, nnr);
    free_side_rows(br, nbr);
    free_side_rows(nr, nnr);
    if (rc == SK_OK)
        rc = load_scores(st, c, 0, err);
    if (rc == SK_OK)
        rc = load_scores(st, c, 1, err);
    if (rc == SK_OK && c->nby) {
        rc = load_segment_values(st, c, c->new_.dataset_version_id, err);
        if (rc == SK_OK && c->base.dataset_version_id != c->new_.dataset_version_id)
            rc = load_segment_values(st, c, c->base.dataset_version_id, err);
    }
    if (rc) {
        sk_comparison_free(c);
        return rc;
    }
    classify_rows(c);
    if (c->nrows)
        sort_rows(c);
    sk_cmp_figures **figs = sk_xmalloc((c->nscorers ? c->nscorers : 1) * sizeof *figs);
    for (size_t k = 0; k < c->nscorers; k++)
        figs[k] = &c->scorers[k].fig;
    figures(c, NULL, c->nrows, figs);
    free(figs);
    if (c->nby)
        build_segments(c);
    *out = c;
    return SK_OK;
}
