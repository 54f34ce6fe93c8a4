/* `scorekit show EXP`: one experiment in full: the summary `run` printed,
 * its configuration in brief, its errors grouped by message, and the rows
 * that scored lowest with their outputs and the scorers' reasons.
 *
 * Everything is read into a view first, then printed as text or JSON, so
 * both forms always hold the same facts. */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/corrected.h"
#include "base/error.h"
#include "base/util.h"
#include "base/verdict.h"
#include "store/dataset.h"
#include "store/experiment_read.h"

#define CLIP         200 /* characters of an output, input or message shown */
#define GROUP_IDS    3   /* row ids shown per error message */
#define GROUPS_SHOWN 20  /* error messages listed as text (--json has all) */

static void help(void)
{
    printf("usage: scorekit show EXP [--json] [--worst N]\n"
           "\n"
           "Show experiment EXP (its id, or the start of it): the summary, the configuration\n"
           "it ran with, its task and scorer errors grouped by message, and the N rows with\n"
           "the lowest overall score (mean over trials) with their outputs and the\n"
           "rationales of the scores that fell short.\n"
           "\n"
           "  --worst N   how many of the lowest-scoring rows to show (default 5; 0: none)\n"
           "  --json      everything as one JSON object\n");
}

typedef struct verdict {
    char *scorer, *kind, *message, *rationale, *meta;
    double score;
    int has_threshold;
    double threshold;
} verdict;

typedef struct trial_view {
    int trial;
    char *output, *task_error;
    double overall, latency_ms;
    verdict *v;
    size_t nv;
} trial_view;

typedef struct row_view {
    char *id, *input, *expected;
    double mean; /* the overall score's mean over the scored trials */
    trial_view *t;
    size_t nt;
} row_view;

typedef struct err_group {
    int idx;      /* the scorer's place in the pack; -1 for task errors */
    char *scorer; /* NULL for task errors */
    char *message;
    size_t count;  /* cells */
    int64_t first; /* dataset position of the first row */
    char *ids[GROUP_IDS];
    size_t nids, more_ids; /* ids kept, distinct rows beyond them */
} err_group;

/* One row x scorer whose trials disagree on pass/fail. */
typedef struct flaky_entry {
    char *row_id, *scorer;
    unsigned passed, failed;
} flaky_entry;

/* Flaky entries kept for the listing; the rest are only counted. */
#define FLAKY_KEEP 1000

typedef struct view {
    sk_experiment e;
    long worst; /* rows listed (--worst) */
    flaky_entry *flaky;
    size_t nflaky, flaky_cap;
    size_t flaky_rows; /* distinct rows, all of them */
    sk_exp_stats stats;
    size_t total;
    err_group *groups;
    size_t ngroups;
    row_view *rows;
    size_t nrows;
    sk_llm_usage usage;
    cli_corrected_set corrected;
} view;

static void view_clear(view *v)
{
    for (size_t i = 0; i < v->ngroups; i++) {
        free(v->groups[i].scorer);
        free(v->groups[i].message);
        for (size_t k = 0; k < v->groups[i].nids; k++)
            free(v->groups[i].ids[k]);
    }
    free(v->groups);
    for (size_t i = 0; i < v->nrows; i++) {
        row_view *r = &v->rows[i];
        for (size_t t = 0; t < r->nt; t++) {
            trial_view *tv = &r->t[t];
            for (size_t k = 0; k < tv->nv; k++) {
                free(tv->v[k].scorer);
                free(tv->v[k].kind);
                free(tv->v[k].message);
                free(tv->v[k].rationale);
                free(tv->v[k].meta);
            }
            free(tv->v);
            free(tv->output);
            free(tv->task_error);
        }
        free(r->t);
        free(r->id);
        free(r->input);
        free(r->expected);
    }
    free(v->rows);
    for (size_t i = 0; i < v->nflaky; i++) {
        free(v->flaky[i].row_id);
        free(v->flaky[i].scorer);
    }
    free(v->flaky);
    sk_exp_stats_clear(&v->stats);
    cli_corrected_free(&v->corrected);
    sk_experiment_clear(&v->e);
}

/* ---- reading ------------------------------------------------------------ */

static int cmp_group(const void *a, const void *b)
{
    const err_group *x = a, *y = b;
    if (x->idx != y->idx)
        return x->idx < y->idx ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return strcmp(x->message, y->message);
}

typedef struct grouping {
    view *v;
    size_t cap;
    err_group *g;  /* the group being filled */
    char *prev_id; /* the group's last row, to count distinct rows */
} grouping;

static int add_error(void *ud, const sk_experiment_error *e)
{
    grouping *gr = ud;
    view *v = gr->v;
    err_group *g = gr->g;
    if (!g || g->idx != e->idx || strcmp(g->message, e->message) != 0 ||
        (e->scorer && (!g->scorer || strcmp(g->scorer, e->scorer) != 0))) {
        v->groups = sk_xgrow(v->groups, &gr->cap, v->ngroups + 1, sizeof *v->groups);
        g = gr->g = &v->groups[v->ngroups++];
        memset(g, 0, sizeof *g);
        g->idx = e->idx;
        g->scorer = e->scorer ? sk_xstrdup(e->scorer) : NULL;
        g->message = sk_xstrdup(e->message);
        g->first = e->pos;
        free(gr->prev_id);
        gr->prev_id = NULL;
    }
    g->count++;
    /* Cells of one row are adjacent (ordered by position, then trial). */
    if (!gr->prev_id || strcmp(gr->prev_id, e->row_id) != 0) {
        if (g->nids < GROUP_IDS)
            g->ids[g->nids++] = sk_xstrdup(e->row_id);
        else
            g->more_ids++;
        free(gr->prev_id);
        gr->prev_id = sk_xstrdup(e->row_id);
    }
    return 0;
}

/* Task errors and scorer errors in one pass, sorted so each message's
 * cells are consecutive (then in dataset order), grouped here. */
static int load_errors(sk_store *st, view *v, char **err)
{
    grouping gr = {.v = v};
    int rc = sk_experiment_each_error(st, v->e.id, add_error, &gr, err);
    free(gr.prev_id);
    if (rc)
        return rc;
    if (v->ngroups)
        qsort(v->groups, v->ngroups, sizeof *v->groups, cmp_group);
    return SK_OK;
}

typedef struct row_reader {
    row_view *r;
    size_t tcap, vcap;
} row_reader;

static char *dup_or_null(const char *s)
{
    return s ? sk_xstrdup(s) : NULL;
}

static int add_row_score(void *ud, const sk_cell_score_row *c)
{
    row_reader *rr = ud;
    row_view *r = rr->r;
    if (!r->nt || r->t[r->nt - 1].trial != c->trial) {
        r->t = sk_xgrow(r->t, &rr->tcap, r->nt + 1, sizeof *r->t);
        trial_view *tv = &r->t[r->nt++];
        memset(tv, 0, sizeof *tv);
        tv->trial = c->trial;
        tv->output = dup_or_null(c->output_json);
        tv->task_error = dup_or_null(c->task_error);
        tv->overall = c->overall;
        tv->latency_ms = c->latency_ms;
        rr->vcap = 0;
    }
    if (!c->scorer)
        return 0; /* a task error: no scores */
    trial_view *tv = &r->t[r->nt - 1];
    tv->v = sk_xgrow(tv->v, &rr->vcap, tv->nv + 1, sizeof *tv->v);
    verdict *vd = &tv->v[tv->nv++];
    vd->scorer = sk_xstrdup(c->scorer);
    vd->kind = dup_or_null(c->kind);
    vd->score = c->score;
    vd->message = dup_or_null(c->message);
    vd->rationale = dup_or_null(c->rationale);
    vd->meta = dup_or_null(c->meta_json);
    vd->has_threshold = c->has_threshold;
    vd->threshold = c->threshold;
    return 0;
}

static int load_row(sk_store *st, view *v, row_view *r, char **err)
{
    int rc = sk_dataset_row_texts(st, v->e.dataset_version_id, r->id, &r->input, &r->expected, err);
    if (rc)
        return rc;
    row_reader rr = {.r = r};
    return sk_experiment_each_row_score(st, v->e.id, r->id, add_row_score, &rr, err);
}

static int add_lowest(void *ud, const char *row_id, double mean)
{
    view *v = ud;
    row_view *r = &v->rows[v->nrows++];
    r->id = dup_or_null(row_id);
    r->mean = mean;
    return 0;
}

/* The rows whose overall score, averaged over their scored trials, is
 * lowest; ties in dataset order.  Rows with no score at all (every trial
 * failed) are among the errors instead. */
static int load_lowest(sk_store *st, view *v, long n, char **err)
{
    if (n <= 0)
        return SK_OK;
    v->rows = sk_xcalloc((size_t)n, sizeof *v->rows);
    int rc = sk_experiment_each_lowest(st, v->e.id, n, add_lowest, v, err);
    for (size_t i = 0; rc == SK_OK && i < v->nrows; i++)
        rc = load_row(st, v, &v->rows[i], err);
    return rc;
}

static int add_flaky(void *ud, const sk_experiment_flaky *f)
{
    view *v = ud;
    if (!v->nflaky || strcmp(v->flaky[v->nflaky - 1].row_id, f->row_id) != 0)
        v->flaky_rows++;
    if (v->flaky_rows > FLAKY_KEEP)
        return 0;
    v->flaky = sk_xgrow(v->flaky, &v->flaky_cap, v->nflaky + 1, sizeof *v->flaky);
    v->flaky[v->nflaky++] =
        (flaky_entry){sk_xstrdup(f->row_id), sk_xstrdup(f->scorer), f->passed, f->failed};
    return 0;
}

static int load_view(sk_store *st, const char *id, long worst, view *v, char **err)
{
    memset(v, 0, sizeof *v);
    int rc = sk_experiment_load(st, id, &v->e, err);
    if (rc)
        return rc;
    v->total = cli_experiment_cells(st, &v->e);
    rc = sk_experiment_stats(st, v->e.id, &v->stats, err);
    if (rc == SK_OK && cli_corrected_of(st, &v->stats, &v->corrected))
        rc = sk_errf(err, SK_EIO, "the stored agreement with people could not be read");
    if (rc == SK_OK)
        rc = load_errors(st, v, err);
    if (rc == SK_OK)
        rc = load_lowest(st, v, worst, err);
    v->worst = worst;
    /* One trial cannot disagree with itself. */
    if (rc == SK_OK && v->e.trials > 1)
        rc = sk_experiment_each_flaky(st, v->e.id, add_flaky, v, err);
    if (rc == SK_OK)
        cli_llm_usage(st, v->e.id, &v->usage);
    return rc;
}

/* ---- text --------------------------------------------------------------- */

/* At most CLIP bytes of s on one line (cut at a character boundary, line
 * breaks and tabs shown as spaces), "..." when cut. */
static void print_clipped(const char *s)
{
    cli_put_clipped(s, CLIP);
}

static void print_line(const char *label, const char *text, int w)
{
    printf("  %-*s ", w, label);
    print_clipped(text);
    putchar('\n');
}

static void print_config(const view *v)
{
    const sk_experiment *e = &v->e;
    cJSON *cfg = cJSON_Parse(e->config_json);
    printf("\nname:      %s\n", e->name);
    printf("status:    %s, started %s", e->status, e->created_at);
    if (e->finished_at)
        printf(", ended %s", e->finished_at);
    printf("\ndataset:   %s\n", e->dataset_ref);
    cJSON *task = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cfg, "task"), 1);
    if (task) {
        cJSON *prov = cJSON_DetachItemFromObjectCaseSensitive(task, "provider");
        char *rest = cJSON_PrintUnformatted(task);
        printf("task:      %s %s\n", cJSON_IsString(prov) ? prov->valuestring : "column", rest);
        free(rest);
        cJSON_Delete(prov);
        cJSON_Delete(task);
    }
    const cJSON *refs = cJSON_GetObjectItemCaseSensitive(cfg, "task_refs");
    if (refs) {
        char *text = cJSON_PrintUnformatted(refs);
        printf("task refs: %s\n", text);
        free(text);
    }
    const cJSON *pack = cJSON_GetObjectItemCaseSensitive(cfg, "pack");
    const cJSON *pname = cJSON_GetObjectItemCaseSensitive(pack, "name");
    const cJSON *pver = cJSON_GetObjectItemCaseSensitive(pack, "version");
    const cJSON *ppath = cJSON_GetObjectItemCaseSensitive(cfg, "pack_path");
    printf("pack:      %s", cJSON_IsString(pname) ? pname->valuestring : "(unnamed)");
    if (cJSON_IsString(pver))
        printf(" version %s", pver->valuestring);
    printf(", hash %s", e->pack_hash);
    if (cJSON_IsString(ppath))
        printf(", %s", ppath->valuestring);
    printf("\ntrials:    %d\n", e->trials);
    printf("git:       %s\n", e->git_commit ? e->git_commit : "- (not in a git work tree)");
    printf("scorekit:  %s\n", e->scorekit_version);
    if (e->origin)
        printf("origin:    %s (these scores are of its stored outputs)\n", e->origin);
    cJSON_Delete(cfg);
}

static void print_errors(const view *v)
{
    if (!v->ngroups) {
        printf("\nerrors:    none\n");
        return;
    }
    int w = 4;
    for (size_t i = 0; i < v->ngroups; i++)
        if (v->groups[i].scorer && (int)strlen(v->groups[i].scorer) > w)
            w = (int)strlen(v->groups[i].scorer);
    printf("\nerrors, by message (cells, message, rows):\n");
    size_t shown = v->ngroups < GROUPS_SHOWN ? v->ngroups : GROUPS_SHOWN;
    for (size_t i = 0; i < shown; i++) {
        const err_group *g = &v->groups[i];
        printf("  %-*s %6zu  ", w, g->scorer ? g->scorer : "task", g->count);
        print_clipped(g->message);
        printf("\n  %-*s %6s  rows: ", w, "", "");
        for (size_t k = 0; k < g->nids; k++)
            printf("%s%s", k ? ", " : "", g->ids[k]);
        if (g->more_ids)
            printf(" and %zu more", g->more_ids);
        putchar('\n');
    }
    if (shown < v->ngroups)
        printf("  ... and %zu more messages (--json lists them all)\n", v->ngroups - shown);
}

/* A score that fell short: below its threshold, or below 1 for a scorer
 * without one.  Their rationales say why; the others add little. */
static int is_low(const verdict *vd)
{
    return vd->has_threshold ? vd->score < vd->threshold : vd->score < 1.0;
}

/* The trial's verdict, by the rule every command uses (rowscore.h). */
static sk_row_pass trial_verdict(const trial_view *tv, sk_row_verdict *v)
{
    sk_row_verdict_begin(v);
    if (tv->task_error)
        sk_row_verdict_task_error(v, tv->task_error);
    for (size_t k = 0; k < tv->nv; k++) {
        const verdict *vd = &tv->v[k];
        sk_row_verdict_add(v, vd->scorer, sk_verdict_from_name(vd->kind), vd->score,
                           vd->has_threshold, vd->threshold, vd->message);
    }
    return sk_row_verdict_end(v);
}

static void print_trial(const trial_view *tv, int w)
{
    if (tv->task_error) {
        print_line("task error:", tv->task_error, w);
        return;
    }
    print_line("output:", tv->output ? tv->output : "null", w);
    for (size_t k = 0; k < tv->nv; k++) {
        const verdict *vd = &tv->v[k];
        printf("  %-*s ", w, vd->scorer);
        if (strcmp(vd->kind, "score") == 0) {
            printf("%.4f", vd->score);
            if (is_low(vd) && vd->rationale) {
                fputs("  ", stdout);
                print_clipped(vd->rationale);
            }
        } else {
            printf("%s: ", vd->kind);
            print_clipped(vd->message ? vd->message : "");
        }
        putchar('\n');
    }
    sk_row_verdict v = {0};
    if (trial_verdict(tv, &v) == SK_ROW_NO_VERDICT) {
        char *text = sk_asprintf("no verdict: %s", v.reason.data);
        print_line("verdict:", text, w);
        free(text);
    } else {
        print_line("verdict:", sk_row_pass_name(v.pass), w);
    }
    sk_row_verdict_free(&v);
}

static void print_lowest(const view *v)
{
    if (!v->nrows)
        return;
    int w = 11; /* "task error:" */
    for (size_t i = 0; i < v->stats.nscorers; i++)
        if ((int)strlen(v->stats.scorers[i].name) > w)
            w = (int)strlen(v->stats.scorers[i].name);
    printf("\nlowest-scoring rows (overall score%s):\n",
           v->e.trials > 1 ? ", mean over trials" : "");
    for (size_t i = 0; i < v->nrows; i++) {
        const row_view *r = &v->rows[i];
        printf("\n%s  %.4f\n", r->id, r->mean);
        if (r->input)
            print_line("input:", r->input, w);
        if (r->expected)
            print_line("expected:", r->expected, w);
        /* With several trials, the worst one stands for the row. */
        const trial_view *worst = NULL;
        for (size_t t = 0; t < r->nt; t++)
            if (!isnan(r->t[t].overall) && (!worst || r->t[t].overall < worst->overall))
                worst = &r->t[t];
        if (!worst)
            continue;
        if (r->nt > 1)
            printf("  trial %d, the lowest of %zu (overall %.4f):\n", worst->trial, r->nt,
                   worst->overall);
        print_trial(worst, w);
    }
}

/* The flaky rows, a line each with every scorer whose trials disagree. */
static void print_flaky(const view *v)
{
    if (!v->flaky_rows)
        return;
    printf("\nflaky rows: %zu (their trials disagree on pass/fail)\n", v->flaky_rows);
    size_t rows = 0, i = 0;
    while (i < v->nflaky && (long)rows < v->worst) {
        const char *id = v->flaky[i].row_id;
        printf("  %s:", id);
        for (; i < v->nflaky && strcmp(v->flaky[i].row_id, id) == 0; i++)
            printf("  %s passed %u of %u trials", v->flaky[i].scorer, v->flaky[i].passed,
                   v->flaky[i].passed + v->flaky[i].failed);
        printf("\n");
        rows++;
    }
    if (v->flaky_rows > rows)
        printf("  ... and %zu more (--worst N lists more)\n", v->flaky_rows - rows);
}

static void print_text(const view *v)
{
    cli_summary_print(v->e.id, &v->stats, v->total, v->e.trials, NULL);
    cli_corrected_print(&v->corrected, "", 1);
    cli_llm_usage_print(&v->usage);
    print_config(v);
    print_errors(v);
    print_lowest(v);
    print_flaky(v);
}

/* ---- JSON --------------------------------------------------------------- */

static cJSON *trial_json(const trial_view *tv)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "trial", tv->trial);
    cli_json_raw(o, "output", tv->output);
    cli_json_str(o, "task_error", tv->task_error);
    cli_json_num(o, "overall", tv->overall);
    sk_row_verdict v = {0};
    if (trial_verdict(tv, &v) == SK_ROW_NO_VERDICT) {
        cJSON_AddNullToObject(o, "pass");
        cJSON_AddStringToObject(o, "reason", v.reason.data);
    } else {
        cJSON_AddBoolToObject(o, "pass", v.pass == SK_ROW_PASS);
    }
    sk_row_verdict_free(&v);
    cli_json_num(o, "latency_ms", tv->latency_ms);
    sk_buf b = {0};
    sk_buf_addc(&b, '{');
    for (size_t k = 0; k < tv->nv; k++) {
        const verdict *vd = &tv->v[k];
        if (k)
            sk_buf_addc(&b, ',');
        sk_buf_add_json_string(&b, vd->scorer, strlen(vd->scorer));
        sk_buf_addc(&b, ':');
        cli_verdict_json(&b, vd->kind, vd->score, vd->message, vd->rationale, vd->meta);
    }
    sk_buf_addc(&b, '}');
    cJSON_AddRawToObject(o, "scores", b.data);
    sk_buf_free(&b);
    return o;
}

static void print_json(const view *v)
{
    const sk_experiment *e = &v->e;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", e->id);
    cJSON_AddStringToObject(o, "name", e->name);
    cJSON_AddStringToObject(o, "status", e->status);
    cJSON_AddStringToObject(o, "created_at", e->created_at);
    cli_json_str(o, "finished_at", e->finished_at);
    cJSON_AddStringToObject(o, "dataset", e->dataset_ref);
    cJSON_AddNumberToObject(o, "trials", e->trials);
    cli_json_str(o, "git_commit", e->git_commit);
    cJSON_AddStringToObject(o, "scorekit_version", e->scorekit_version);
    cJSON_AddStringToObject(o, "pack_hash", e->pack_hash);
    cli_json_str(o, "origin", e->origin);
    cli_json_raw(o, "config", e->config_json);
    cJSON *summary = cli_summary_json(&v->stats, v->total, e->trials);
    const cJSON *sc;
    cJSON_ArrayForEach(sc, cJSON_GetObjectItemCaseSensitive(summary, "scorers"))
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(sc, "name");
        const cli_corrected *c = cli_corrected_find(&v->corrected, name->valuestring);
        if (c)
            cJSON_AddItemToObject((cJSON *)sc, "corrected_pass_rate", cli_corrected_json(c));
    }
    cJSON_AddItemToObject(o, "summary", summary);
    cJSON_AddItemToObject(o, "llm_usage", cli_llm_usage_json(&v->usage));

    cJSON *errs = cJSON_AddArrayToObject(o, "errors");
    for (size_t i = 0; i < v->ngroups; i++) {
        const err_group *g = &v->groups[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "source", g->scorer ? "scorer" : "task");
        cli_json_str(j, "scorer", g->scorer);
        cJSON_AddStringToObject(j, "message", g->message);
        cJSON_AddNumberToObject(j, "cells", (double)g->count);
        cJSON_AddNumberToObject(j, "rows_count", (double)(g->nids + g->more_ids));
        cJSON *ids = cJSON_AddArrayToObject(j, "rows");
        for (size_t k = 0; k < g->nids; k++)
            cJSON_AddItemToArray(ids, cJSON_CreateString(g->ids[k]));
        cJSON_AddItemToArray(errs, j);
    }

    cJSON *low = cJSON_AddArrayToObject(o, "lowest");
    for (size_t i = 0; i < v->nrows; i++) {
        const row_view *r = &v->rows[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "id", r->id);
        cli_json_num(j, "overall", r->mean);
        cli_json_raw(j, "input", r->input);
        cli_json_raw(j, "expected", r->expected);
        cJSON *trials = cJSON_AddArrayToObject(j, "trials");
        for (size_t t = 0; t < r->nt; t++)
            cJSON_AddItemToArray(trials, trial_json(&r->t[t]));
        cJSON_AddItemToArray(low, j);
    }
    /* Every flaky row (up to FLAKY_KEEP), with its count. */
    cJSON_AddNumberToObject(o, "flaky_count", (double)v->flaky_rows);
    cJSON *fl = cJSON_AddArrayToObject(o, "flaky");
    cJSON *cur = NULL, *arr = NULL;
    for (size_t i = 0; i < v->nflaky; i++) {
        const flaky_entry *f = &v->flaky[i];
        if (!i || strcmp(v->flaky[i - 1].row_id, f->row_id) != 0) {
            cur = cJSON_CreateObject();
            cJSON_AddStringToObject(cur, "id", f->row_id);
            arr = cJSON_AddArrayToObject(cur, "scorers");
            cJSON_AddItemToArray(fl, cur);
        }
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "name", f->scorer);
        cJSON_AddNumberToObject(x, "passed", f->passed);
        cJSON_AddNumberToObject(x, "failed", f->failed);
        cJSON_AddItemToArray(arr, x);
    }
    char *text = cJSON_PrintUnformatted(o);
    puts(text);
    free(text);
    cJSON_Delete(o);
}

int cmd_exp_show(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'J'},
                                         {"worst", required_argument, NULL, 'w'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int json = 0, c;
    long worst = 5;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'J': json = 1; break;
        case 'w': {
            char *end;
            worst = strtol(optarg, &end, 10);
            if (*end || end == optarg || worst < 0 || worst > 100000) {
                cli_error("--worst needs a number from 0 to 100000, got \"%s\"", optarg);
                return CLI_USAGE;
            }
            break;
        }
        case 'h': help(); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind == argc) {
        cli_error("show needs an experiment id (`scorekit experiments` lists them)");
        return CLI_USAGE;
    }
    if (optind + 1 < argc) {
        cli_error("show takes one experiment id (got \"%s\" too)", argv[optind + 1]);
        return CLI_USAGE;
    }
    sk_project *proj;
    sk_store *st;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    view v;
    char *err = NULL;
    int rc = load_view(st, argv[optind], worst, &v, &err);
    if (rc) {
        cli_error("%s", err);
        free(err);
    } else if (json) {
        print_json(&v);
    } else {
        print_text(&v);
    }
    view_clear(&v);
    sk_store_close(st);
    sk_project_free(proj);
    return rc ? CLI_FAIL : CLI_OK;
}
