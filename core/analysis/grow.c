/* Selecting and deduplicating the rows `dataset add` adds (see grow.h). */
#include "analysis/grow.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/row.h"
#include "base/verdict.h"
#include "analysis/failures.h"
#include "store/experiment.h"
#include "store/log_scores.h"
#include "store/experiment_read.h"
#include "store/id_set.h"
#include "store/jsonl.h"

/* ---- --where ---- */

static int scorer_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == ':' || c == '/';
}

static int where_error(char **err, const char *expr, const char *at, const char *what)
{
    return sk_errf(err, SK_EINVAL,
                   "bad --where \"%s\" at column %d: %s; write SCORER OP NUMBER, e.g. "
                   "'accuracy < 0.5' (OP: < <= > >= == !=)",
                   expr, (int)(at - expr) + 1, what);
}

int sk_where_parse(const char *expr, sk_where *out, char **err)
{
    memset(out, 0, sizeof *out);
    const char *p = expr;
    while (*p == ' ')
        p++;
    const char *name = p;
    while (scorer_char(*p))
        p++;
    if (p == name)
        return where_error(err, expr, p, "expected a scorer name");
    const char *name_end = p;
    while (*p == ' ')
        p++;
    static const struct {
        const char *s;
        sk_where_op op;
    } ops[] = {{"<=", SK_LE}, {">=", SK_GE}, {"==", SK_EQ},
               {"!=", SK_NE}, {"<", SK_LT},  {">", SK_GT}};
    size_t i = 0;
    for (; i < sizeof ops / sizeof ops[0]; i++)
        if (strncmp(p, ops[i].s, strlen(ops[i].s)) == 0)
            break;
    if (i == sizeof ops / sizeof ops[0])
        return where_error(err, expr, p,
                           *p ? "expected a comparison (< <= > >= == !=)"
                              : "expected a comparison after the scorer name");
    p += strlen(ops[i].s);
    while (*p == ' ')
        p++;
    char *end;
    double v = strtod(p, &end);
    if (end == p || !isfinite(v) || !(isdigit((unsigned char)*p) || *p == '-' || *p == '.'))
        return where_error(err, expr, p, "expected a number");
    const char *q = end;
    while (*q == ' ')
        q++;
    if (*q)
        return where_error(err, expr, q, "unexpected text after the number");
    out->scorer = sk_xstrndup(name, (size_t)(name_end - name));
    out->op = ops[i].op;
    out->value = v;
    return SK_OK;
}

int sk_where_test(const sk_where *w, double s)
{
    switch (w->op) {
    case SK_LT: return s < w->value;
    case SK_LE: return s <= w->value;
    case SK_GT: return s > w->value;
    case SK_GE: return s >= w->value;
    case SK_EQ: return s == w->value;
    case SK_NE: return s != w->value;
    }
    return 0;
}

void sk_where_free(sk_where *w)
{
    free(w->scorer);
    w->scorer = NULL;
}

/* ---- content ---- */

/* JSON text without the whitespace between tokens (inside strings kept). */
static void add_compact(sk_buf *out, const char *p)
{
    int in_str = 0;
    for (; *p; p++) {
        char c = *p;
        if (in_str) {
            sk_buf_addc(out, c);
            if (c == '\\' && p[1])
                sk_buf_addc(out, *++p);
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
            sk_buf_addc(out, c);
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            sk_buf_addc(out, c);
        }
    }
}

void sk_content_key(const char *input, const char *expected, sk_buf *out)
{
    add_compact(out, input);
    /* \x01 never occurs raw in JSON text, so the two halves cannot blur. */
    sk_buf_addc(out, '\x01');
    if (expected)
        add_compact(out, expected);
    sk_buf_addc(out, '\0');
    out->len--;
}

/* ---- the set ---- */

static const char *keep(sk_grow_set *s, const char *p, size_t n)
{
    if (!p)
        return NULL;
    if (s->nstrs == s->capstrs) {
        s->capstrs = s->capstrs ? 2 * s->capstrs : 64;
        s->strs = sk_xrealloc(s->strs, s->capstrs * sizeof *s->strs);
    }
    return s->strs[s->nstrs++] = sk_xstrndup(p, n);
}

static const char *keeps(sk_grow_set *s, const char *p)
{
    return p ? keep(s, p, strlen(p)) : NULL;
}

static const char *keep_span(sk_grow_set *s, sk_span v)
{
    return v.p ? keep(s, v.p, v.n) : NULL;
}

static sk_grow_row *add_row(sk_grow_set *s)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->rows = sk_xrealloc(s->rows, s->cap * sizeof *s->rows);
    }
    sk_grow_row *r = &s->rows[s->n++];
    memset(r, 0, sizeof *r);
    r->trial = -1;
    return r;
}

sk_grow_row *sk_grow_set_add(sk_grow_set *s)
{
    return add_row(s);
}

const char *sk_grow_set_keep(sk_grow_set *s, const char *p)
{
    return keeps(s, p);
}

void sk_grow_set_free(sk_grow_set *s)
{
    for (size_t i = 0; i < s->nstrs; i++)
        free(s->strs[i]);
    free(s->strs);
    free(s->rows);
    memset(s, 0, sizeof *s);
}

/* ---- from an experiment ---- */

/* The first trial of each row that matches; rows in dataset order. */
typedef struct picker {
    sk_select_mode mode;
    const sk_where *where;
    sk_id_set picked; /* row id -> its matching trial */
    char *cur_id;
    int cur_trial;
    sk_row_verdict v;
    int hit; /* the current cell matches */
} picker;

static void end_cell(picker *k)
{
    if (!k->cur_id)
        return;
    if (k->mode == SK_SELECT_FAILING)
        k->hit = sk_row_verdict_end(&k->v) == SK_ROW_FAIL;
    else if (k->mode == SK_SELECT_IDS)
        k->hit = 1; /* the row's first trial */
    /* The set keeps numbers > 0: the trial + 1. */
    if (k->hit)
        sk_id_set_add(&k->picked, k->cur_id, strlen(k->cur_id), (size_t)k->cur_trial + 1);
}

static int pick_cell(void *ud, const sk_cell_score_row *r)
{
    picker *k = ud;
    if (!k->cur_id || r->trial != k->cur_trial || strcmp(k->cur_id, r->row_id) != 0) {
        end_cell(k);
        free(k->cur_id);
        k->cur_id = sk_xstrdup(r->row_id);
        k->cur_trial = r->trial;
        k->hit = 0;
        sk_row_verdict_begin(&k->v);
        if (r->task_error)
            sk_row_verdict_task_error(&k->v, r->task_error);
    }
    if (!r->scorer)
        return 0;
    double score = isnan(r->score) ? 0.0 : r->score;
    sk_row_verdict_add(&k->v, r->scorer, sk_verdict_from_name(r->kind), score, r->has_threshold,
                       r->threshold, r->message);
    if (k->mode == SK_SELECT_WHERE && strcmp(r->scorer, k->where->scorer) == 0 &&
        strcmp(r->kind, "score") == 0 && !isnan(r->score) && sk_where_test(k->where, r->score))
        k->hit = 1;
    return 0;
}

typedef struct names {
    sk_buf list;
    const char *want;
    int found;
} names;

static int note_scorer(void *ud, const char *name, int has_threshold, double threshold,
                       const char *reducer)
{
    (void)reducer;
    (void)has_threshold, (void)threshold;
    names *n = ud;
    sk_buf_printf(&n->list, "%s%s", n->list.len ? ", " : "", name);
    n->found |= strcmp(name, n->want) == 0;
    return 0;
}

static int check_scorer(sk_store *st, const sk_experiment *e, const char *scorer, char **err)
{
    names n = {.want = scorer};
    int rc = sk_experiment_each_scorer(st, e->id, note_scorer, &n, err);
    if (!rc && !n.found)
        rc = sk_errf(err, SK_EINVAL,
                     "--where: experiment %s has no scorer \"%s\"; its scorers are: %s", e->id,
                     scorer, n.list.len ? n.list.data : "(none)");
    sk_buf_free(&n.list);
    return rc;
}

int sk_grow_from_experiment(sk_store *st, const char *exp_ref, sk_select_mode mode,
                            const sk_where *where, char *const *ids, size_t nids, sk_grow_set *out,
                            char **err)
{
    sk_experiment e;
    int rc = sk_experiment_load(st, exp_ref, &e, err);
    if (rc)
        return rc;
    picker k = {.mode = mode, .where = where};
    if (mode == SK_SELECT_WHERE)
        rc = check_scorer(st, &e, where->scorer, err);
    if (!rc) {
        rc = sk_experiment_each_export(st, e.id, e.dataset_version_id, pick_cell, &k, err);
        end_cell(&k);
    }
    /* --failing: the rows `scorekit failures` lists (failing across their
     * trials by each scorer's reducer), each from its first failing trial. */
    sk_id_set failing = {0};
    if (!rc && mode == SK_SELECT_FAILING) {
        sk_fail_opts fo = {0};
        sk_failures *f = NULL;
        rc = sk_failures_find(st, e.id, &fo, &f, err);
        for (size_t i = 0; !rc && i < f->nfailing; i++) {
            const char *id = f->rows[f->failing[i]].id;
            sk_id_set_add(&failing, id, strlen(id), 1);
        }
        sk_failures_free(f);
    }
    /* --ids: the first trial; an id the experiment never ran is an error. */
    sk_id_set given = {0};
    for (size_t i = 0; !rc && i < nids; i++)
        sk_id_set_add(&given, ids[i], strlen(ids[i]), i + 1);
    sk_dataset_iter *it = NULL;
    if (!rc)
        rc = sk_dataset_iter_open(&it, st, e.dataset_version_id, err);
    sk_dataset_row row;
    size_t found = 0;
    while (!rc && (rc = sk_dataset_iter_next(it, &row, err)) == 1) {
        rc = 0;
        if (mode == SK_SELECT_IDS && !sk_id_set_add(&given, row.id, row.id_len, 0))
            continue;
        size_t trial1 = sk_id_set_add(&k.picked, row.id, row.id_len, 0);
        if (trial1 == 0)
            continue; /* not picked, or (--ids) never run */
        if (mode == SK_SELECT_FAILING && !sk_id_set_add(&failing, row.id, row.id_len, 0))
            continue; /* a trial failed, but not the row */
        found++;
        int trial = (int)trial1 - 1;
        sk_grow_row *g = add_row(out);
        g->id = keep(out, row.id, row.id_len);
        g->input = keeps(out, row.input_json);
        g->expected = keeps(out, row.expected_json);
        g->output = keeps(out, row.output_json);
        g->metadata = keeps(out, row.metadata_json);
        g->tags = keeps(out, row.tags_json);
        g->kind = "experiment";
        g->experiment_id = keeps(out, e.id);
        g->trial = trial;
        char *src = sk_asprintf("experiment %s trial %d", e.id, trial);
        g->source = keeps(out, src);
        free(src);
    }
    if (rc == 0 && mode == SK_SELECT_IDS && found < nids) {
        /* Name the first id the dataset version does not hold. */
        sk_id_set have = {0};
        for (size_t i = 0; i < out->n; i++)
            sk_id_set_add(&have, out->rows[i].id, strlen(out->rows[i].id), 1);
        for (size_t i = 0; i < nids; i++)
            if (!sk_id_set_add(&have, ids[i], strlen(ids[i]), 1)) {
                rc = sk_errf(err, SK_ENOTFOUND,
                             "--ids: experiment %s has no row \"%s\" (it ran on %s); "
                             "`scorekit show %s` lists its rows",
                             e.id, ids[i], e.dataset_ref, e.id);
                break;
            }
        sk_id_set_free(&have);
    }
    sk_dataset_iter_close(it);
    sk_id_set_free(&given);
    sk_id_set_free(&failing);
    sk_id_set_free(&k.picked);
    sk_row_verdict_free(&k.v);
    free(k.cur_id);
    sk_experiment_clear(&e);
    return rc;
}

/* ---- from files ---- */

enum { L_ID, L_INPUT, L_EXPECTED, L_OUTPUT, L_METADATA, L_TAGS, L_TIME, L_LOG_ID, L_TRACE_ID, L_N };

int sk_grow_from_logs(const char *path, sk_grow_set *out, char **err)
{
    static const char *const keys[L_N] = {"id",   "input", "expected", "output",  "metadata",
                                          "tags", "time",  "log_id",   "trace_id"};
    sk_jsonl *j;
    int rc = sk_jsonl_open(&j, path, err);
    if (rc)
        return rc;
    const char *line;
    size_t len, lineno;
    sk_buf id = {0}, text = {0};
    char msg[256];
    while ((rc = sk_jsonl_next(j, &line, &len, &lineno, err)) == 1) {
        sk_span v[L_N], unknown;
        const char *why = NULL;
        if (sk_row_scan_known(line, len, keys, L_N, v, &unknown, msg, sizeof msg))
            why = msg;
        for (int i = 0; !why && i < L_N; i++)
            if (v[i].p && v[i].n == 4 && memcmp(v[i].p, "null", 4) == 0)
                v[i].p = NULL, v[i].n = 0;
        if (!why && unknown.p) {
            snprintf(msg, sizeof msg,
                     "unknown field %.*s; a log row has id, input, expected, output, metadata, "
                     "tags, time, log_id and trace_id",
                     (int)unknown.n, unknown.p);
            why = msg;
        }
        if (!why && !v[L_INPUT].p)
            why = "row has no \"input\"";
        else if (!why && v[L_METADATA].p && v[L_METADATA].p[0] != '{')
            why = "\"metadata\" must be a JSON object";
        else if (!why && v[L_TAGS].p && v[L_TAGS].p[0] != '[')
            why = "\"tags\" must be an array of strings";
        if (why) {
            rc = sk_errf(err, SK_EPARSE, "%s:%zu: %s", path, lineno, why);
            break;
        }
        sk_buf_reset(&id);
        if (sk_span_is_string(v[L_ID]))
            sk_json_string_decode(v[L_ID].p, v[L_ID].n, &id);
        else if (v[L_ID].p)
            sk_buf_add(&id, v[L_ID].p, v[L_ID].n);
        else
            sk_row_derive_id(&id, v[L_INPUT], v[L_EXPECTED]);
        sk_grow_row *g = add_row(out);
        g->id = keep(out, id.data, id.len);
        g->input = keep_span(out, v[L_INPUT]);
        g->expected = keep_span(out, v[L_EXPECTED]);
        g->output = keep_span(out, v[L_OUTPUT]);
        g->metadata = keep_span(out, v[L_METADATA]);
        g->tags = keep_span(out, v[L_TAGS]);
        sk_span lid = v[L_LOG_ID].p ? v[L_LOG_ID] : v[L_TRACE_ID];
        sk_buf_reset(&text);
        if (sk_span_is_string(lid))
            sk_json_string_decode(lid.p, lid.n, &text);
        else if (lid.p)
            sk_buf_add(&text, lid.p, lid.n);
        g->log_id = lid.p ? keep(out, text.data, text.len) : NULL;
        g->kind = "logs";
        g->file = keeps(out, path);
        g->line = (long)lineno;
        char *src = sk_asprintf("%s:%zu", path, lineno);
        g->source = keeps(out, src);
        free(src);
    }
    if (rc == 0 && out->n == 0)
        rc = sk_errf(err, SK_EPARSE, "%s: no rows to add", path);
    sk_buf_free(&id);
    sk_buf_free(&text);
    sk_jsonl_close(j);
    return rc > 0 ? 0 : rc;
}

int sk_grow_from_file(const char *path, sk_grow_set *out, char **err)
{
    sk_dataset_file *f;
    int rc = sk_dataset_file_open(&f, path, SK_DATASET_AUTO, err);
    if (rc)
        return rc;
    sk_dataset_file_row r;
    while ((rc = sk_dataset_file_next(f, &r, err)) == 1) {
        sk_grow_row *g = add_row(out);
        g->id = keep(out, r.id, r.id_len);
        g->input = keep_span(out, r.input);
        g->expected = keep_span(out, r.expected);
        g->output = keep_span(out, r.output);
        g->metadata = keep_span(out, r.metadata);
        g->tags = keep_span(out, r.tags);
        g->kind = "file";
        g->file = keeps(out, sk_dataset_file_name(f));
        g->line = (long)r.line;
        char *src = sk_asprintf("%s:%zu", sk_dataset_file_name(f), r.line);
        g->source = keeps(out, src);
        free(src);
    }
    if (rc == 0 && out->n == 0)
        rc = sk_errf(err, SK_EPARSE, "%s: no rows to add", path);
    sk_dataset_file_close(f);
    return rc > 0 ? 0 : rc;
}

int sk_grow_from_version(sk_store *st, int64_t src_vid, const char *label, sk_grow_set *out,
                         char **err)
{
    sk_dataset_iter *it;
    int rc = sk_dataset_iter_open(&it, st, src_vid, err);
    if (rc)
        return rc;
    sk_dataset_row row;
    const char *src = keeps(out, label);
    while ((rc = sk_dataset_iter_next(it, &row, err)) == 1) {
        sk_grow_row *g = add_row(out);
        g->id = keep(out, row.id, row.id_len);
        g->input = keeps(out, row.input_json);
        g->expected = keeps(out, row.expected_json);
        g->output = keeps(out, row.output_json);
        g->metadata = keeps(out, row.metadata_json);
        g->tags = keeps(out, row.tags_json);
        g->kind = "merge";
        g->source = src;
    }
    sk_dataset_iter_close(it);
    return rc > 0 ? 0 : rc;
}

/* ---- deduplication ---- */

int sk_grow_dedup(sk_store *st, int64_t base_vid, sk_grow_set *set, size_t *skipped, char **err)
{
    *skipped = 0;
    sk_id_set contents = {0}, ids = {0};
    /* Content keys are remembered by the line number 1 + their row; ids
     * by the same number, to find the content of an id's row. */
    size_t nkeys = 0, capkeys = 0;
    char **keys = NULL;
    sk_buf key = {0};
    int rc = 0;
    if (base_vid) {
        sk_dataset_iter *it;
        if ((rc = sk_dataset_iter_open(&it, st, base_vid, err)) != 0)
            return rc;
        sk_dataset_row row;
        while ((rc = sk_dataset_iter_next(it, &row, err)) == 1) {
            sk_buf_reset(&key);
            sk_content_key(row.input_json, row.expected_json, &key);
            if (nkeys == capkeys) {
                capkeys = capkeys ? 2 * capkeys : 64;
                keys = sk_xrealloc(keys, capkeys * sizeof *keys);
            }
            keys[nkeys++] = sk_xstrndup(key.data, key.len);
            sk_id_set_add(&contents, key.data, key.len, nkeys);
            sk_id_set_add(&ids, row.id, row.id_len, nkeys);
        }
        sk_dataset_iter_close(it);
        rc = rc > 0 ? 0 : rc;
    }
    size_t kept = 0;
    for (size_t i = 0; !rc && i < set->n; i++) {
        sk_grow_row *g = &set->rows[i];
        sk_buf_reset(&key);
        sk_content_key(g->input, g->expected, &key);
        if (sk_id_set_add(&contents, key.data, key.len, nkeys + 1)) {
            (*skipped)++;
            continue;
        }
        if (nkeys == capkeys) {
            capkeys = capkeys ? 2 * capkeys : 64;
            keys = sk_xrealloc(keys, capkeys * sizeof *keys);
        }
        keys[nkeys++] = sk_xstrndup(key.data, key.len);
        if (sk_id_set_add(&ids, g->id, strlen(g->id), nkeys)) {
            rc = sk_errf(err, SK_EINVAL,
                         "row \"%s\" (%s) has the id of a row the dataset already holds, with "
                         "another input or expected; give it another id",
                         g->id, g->source);
            break;
        }
        set->rows[kept++] = *g;
    }
    set->n = rc ? set->n : kept;
    for (size_t i = 0; i < nkeys; i++)
        free(keys[i]);
    free(keys);
    sk_buf_free(&key);
    sk_id_set_free(&contents);
    sk_id_set_free(&ids);
    return rc;
}

/* ---- from the online rules' verdicts ---- */

typedef struct rule_pick {
    sk_grow_set *out;
    const char *rule;
    size_t lowest;
    int failing;
    char **seen; /* log ids taken (a log has a verdict per scorer) */
    size_t nseen, capseen;
} rule_pick;

static int taken(rule_pick *p, const char *id)
{
    for (size_t i = 0; i < p->nseen; i++)
        if (strcmp(p->seen[i], id) == 0)
            return 1;
    return 0;
}

static int pick_log(void *ud, const char *rule, const sk_scored_log *l)
{
    (void)rule;
    rule_pick *p = ud;
    if (p->lowest && p->out->n >= p->lowest)
        return 1;
    if (isnan(l->score))
        return 0;
    if (p->failing && !(l->has_threshold && l->score < l->threshold))
        return 0;
    if (taken(p, l->log_id))
        return 0;
    p->seen = sk_xgrow(p->seen, &p->capseen, p->nseen + 1, sizeof *p->seen);
    p->seen[p->nseen++] = sk_xstrdup(l->log_id);
    sk_grow_row *r = sk_grow_set_add(p->out);
    r->id = sk_grow_set_keep(p->out, l->log_id);
    r->input = sk_grow_set_keep(p->out, l->input_json);
    r->expected = sk_grow_set_keep(p->out, l->expected_json);
    r->metadata = sk_grow_set_keep(p->out, l->metadata_json);
    r->kind = "logs";
    char *src = l->trace_id
                    ? sk_asprintf("rule %s: log %s (trace %s)", p->rule, l->log_id, l->trace_id)
                    : sk_asprintf("rule %s: log %s", p->rule, l->log_id);
    r->source = sk_grow_set_keep(p->out, src);
    free(src);
    r->log_id = r->id;
    return 0;
}

int sk_grow_from_rule(sk_store *st, const char *rule, size_t lowest, int failing, sk_grow_set *out,
                      char **err)
{
    rule_pick p = {out, rule, lowest, failing, NULL, 0, 0};
    int rc = sk_log_scores_each(st, rule, NULL, 0, pick_log, &p, err);
    if (rc == 1)
        rc = SK_OK;
    if (rc == SK_OK && !p.nseen && !failing) {
        int64_t seq;
        long long scored;
        char *paused = NULL;
        if ((rc = sk_rule_state(st, rule, &seq, &scored, &paused, err)) == SK_OK && !scored)
            rc = sk_errf(err, SK_ENOTFOUND,
                         "rule %s has no verdicts: `scorekit watch` scores the logs by the "
                         "rules of scorekit.json's \"online\"",
                         rule);
        free(paused);
    }
    for (size_t i = 0; i < p.nseen; i++)
        free(p.seen[i]);
    free(p.seen);
    return rc;
}
