/*
 * Where labelled rows live (see labels.h): resolving SOURCE, walking its
 * rows with the texts a scorer needs, reading label files, and the
 * labelled rows made into validate's cases.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileutil.h"
#include "cli/label_source.h"
#include "store/csv.h"
#include "store/dataset.h"
#include "store/experiment_read.h"
#include "store/labels.h"
#include "store/logs.h"

int cli_label_value(const cJSON *v, double *out, char *why, size_t whylen)
{
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v) ? 1 : 0;
        return 0;
    }
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        if (strcmp(s, "pass") == 0 || strcmp(s, "true") == 0) {
            *out = 1;
            return 0;
        }
        if (strcmp(s, "fail") == 0 || strcmp(s, "false") == 0) {
            *out = 0;
            return 0;
        }
        char *end;
        double d = strtod(s, &end);
        if (*s && !*end && d >= 0 && d <= 1) {
            *out = d;
            return 0;
        }
    } else if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 1) {
        *out = v->valuedouble;
        return 0;
    }
    snprintf(why, whylen, "a label is pass or fail (true/false, 1/0) or a grade from 0 to 1");
    return -1;
}

/* ---- sources ---- */

int cli_label_source_open(sk_store *st, const char *s, cli_label_source *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (strcmp(s, "logs") == 0) {
        out->kind = CLI_LABELS_LOGS;
        out->key = sk_xstrdup("logs");
        return SK_OK;
    }
    if (strncmp(s, "dataset:", 8) == 0) {
        sk_dataset_version v = {0};
        int rc = sk_dataset_resolve(st, s + 8, &v, err);
        if (rc)
            return rc;
        out->kind = CLI_LABELS_DATASET;
        out->vid = v.id;
        out->key = sk_asprintf("dataset:%s", v.name);
        sk_dataset_version_clear(&v);
        return SK_OK;
    }
    if (strncmp(s, "experiment:", 11) == 0)
        s += 11;
    sk_experiment e = {0};
    char *why = NULL;
    int rc = sk_experiment_load(st, s, &e, &why);
    if (rc == SK_OK) {
        out->kind = CLI_LABELS_EXPERIMENT;
        out->vid = e.dataset_version_id;
        out->exp_id = sk_xstrdup(e.id);
        out->key = sk_asprintf("experiment:%s", e.id);
        sk_experiment_clear(&e);
        free(why);
        return SK_OK;
    }
    sk_experiment_clear(&e);
    rc = sk_errf(err, rc == SK_ENOTFOUND ? SK_ENOTFOUND : rc,
                 "\"%s\" is not a source of rows: give \"dataset:NAME\", \"logs\", or an "
                 "experiment id (`scorekit experiments` lists them)%s%s",
                 s, rc == SK_ENOTFOUND ? "" : ": ", rc == SK_ENOTFOUND ? "" : why);
    free(why);
    return rc;
}

void cli_label_source_clear(cli_label_source *s)
{
    free(s->key);
    free(s->exp_id);
    memset(s, 0, sizeof *s);
}

int cli_label_each_row(sk_store *st, const cli_label_source *s, cli_label_row_fn fn, void *ud,
                       char **err)
{
    int rc = SK_OK;
    if (s->kind == CLI_LABELS_LOGS) {
        sk_log *v = NULL;
        size_t n = 0;
        if ((rc = sk_logs_list(st, NULL, 0, &v, &n, err)) != SK_OK)
            return rc;
        for (size_t i = 0; rc == SK_OK && i < n; i++) {
            cli_label_row r = {v[i].id, v[i].input_json, v[i].expected_json, v[i].output_json,
                               v[i].metadata_json};
            rc = fn(ud, &r);
        }
        sk_logs_free(v, n);
        return rc;
    }
    sk_dataset_iter *it = NULL;
    if ((rc = sk_dataset_iter_open(&it, st, s->vid, err)) != SK_OK)
        return rc;
    sk_dataset_row dr;
    while (rc == SK_OK && (rc = sk_dataset_iter_next(it, &dr, err)) == 1) {
        char *id = sk_xstrndup(dr.id, dr.id_len), *output = NULL, *task_error = NULL;
        rc = SK_OK;
        if (s->kind == CLI_LABELS_EXPERIMENT) {
            int found = 0, trial = 0;
            rc = sk_experiment_first_cell(st, s->exp_id, id, &found, &trial, &output, &task_error,
                                          err);
        }
        if (rc == SK_OK) {
            cli_label_row r = {id, dr.input_json, dr.expected_json,
                               s->kind == CLI_LABELS_EXPERIMENT ? output : dr.output_json,
                               dr.metadata_json};
            rc = fn(ud, &r);
        }
        free(id);
        free(output);
        free(task_error);
    }
    sk_dataset_iter_close(it);
    return rc < 0 ? rc : rc == 0 ? SK_OK : rc;
}

/* ---- label files ---- */

void cli_label_file_free(cli_label_file *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].id);
        free(f->v[i].scorer);
        free(f->v[i].who);
    }
    free(f->v);
    memset(f, 0, sizeof *f);
}

static void push(cli_label_file *f, const char *id, size_t idlen, const char *scorer, size_t slen,
                 double label, const char *who, size_t wlen, long line)
{
    f->v = sk_xgrow(f->v, &f->cap, f->n + 1, sizeof *f->v);
    cli_file_label *l = &f->v[f->n++];
    l->id = sk_xstrndup(id, idlen);
    l->scorer = sk_xstrndup(scorer, slen);
    l->who = sk_xstrndup(who, wlen);
    l->label = label;
    l->line = line;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static int read_csv(const char *path, const char *who, cli_label_file *out, char **err)
{
    sk_csv *c = NULL;
    int rc = sk_csv_open(&c, path, err);
    if (rc)
        return rc;
    const sk_csv_field *f;
    size_t nf, line;
    int col[4] = {-1, -1, -1, -1}; /* id, scorer, label, who */
    static const char *const names[4] = {"id", "scorer", "label", "who"};
    int header = 1;
    while ((rc = sk_csv_next(c, &f, &nf, &line, err)) == 1) {
        rc = SK_OK;
        if (header) {
            for (size_t i = 0; i < nf; i++) {
                int k = 0;
                while (k < 4 && strcmp(f[i].p, names[k]) != 0)
                    k++;
                if (k == 4) {
                    rc = sk_errf(err, SK_EPARSE,
                                 "%s:%zu: unknown column \"%s\"; a labels file has the columns "
                                 "id, scorer, label and (optionally) who",
                                 path, line, f[i].p);
                    break;
                }
                col[k] = (int)i;
            }
            if (rc == SK_OK && (col[0] < 0 || col[1] < 0 || col[2] < 0))
                rc = sk_errf(err, SK_EPARSE,
                             "%s:%zu: the header needs the columns id, scorer and label (and "
                             "optionally who)",
                             path, line);
            if (rc)
                break;
            header = 0;
            continue;
        }
        if (nf == 1 && f[0].n == 0)
            continue; /* a blank line */
        int need = col[0] > col[1] ? col[0] : col[1];
        need = need > col[2] ? need : col[2];
        if ((int)nf <= need || (col[3] >= 0 && (int)nf <= col[3])) {
            rc = sk_errf(err, SK_EPARSE, "%s:%zu: %zu fields, fewer than the header's", path, line,
                         nf);
            break;
        }
        cJSON *v = cJSON_CreateString(f[col[2]].p);
        double label;
        char why[160];
        int bad = cli_label_value(v, &label, why, sizeof why);
        cJSON_Delete(v);
        if (bad || !f[col[0]].n || !f[col[1]].n) {
            rc = sk_errf(err, SK_EPARSE, "%s:%zu: %s", path, line,
                         bad ? why : "the id and the scorer must not be empty");
            break;
        }
        const char *w = col[3] >= 0 && f[col[3]].n ? f[col[3]].p : who;
        push(out, f[col[0]].p, f[col[0]].n, f[col[1]].p, f[col[1]].n, label, w, strlen(w),
             (long)line);
    }
    sk_csv_close(c);
    return rc < 0 ? rc : SK_OK;
}

/* One JSONL line: {"id","scorer","label","who"} or {"id","labels":{...},
 * "who"}; a row's own fields may come along (a labelled row file). */
static int read_line(cJSON *o, const char *where, const char *who, cli_label_file *out, long line,
                     char **err)
{
    static const char *const known[] = {"id",     "scorer",   "label",    "who",  "labels", "input",
                                        "output", "expected", "metadata", "tags", NULL};
    if (!cJSON_IsObject(o))
        return sk_errf(err, SK_EPARSE, "%s: a line must be a JSON object", where);
    const cJSON *k;
    cJSON_ArrayForEach(k, o)
    {
        int ok = 0;
        for (int i = 0; known[i] && !ok; i++)
            ok = strcmp(k->string, known[i]) == 0;
        if (!ok)
            return sk_errf(err, SK_EPARSE,
                           "%s: unknown field \"%s\"; a label line has id, scorer, label and who, "
                           "or id and labels ({\"SCORER\": LABEL, ...})",
                           where, k->string);
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(o, "who");
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(o, "labels");
    const cJSON *scorer = cJSON_GetObjectItemCaseSensitive(o, "scorer");
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(o, "label");
    if (!cJSON_IsString(id) || !id->valuestring[0])
        return sk_errf(err, SK_EPARSE, "%s: \"id\" must be the labelled row's id (a string)",
                       where);
    if (w && (!cJSON_IsString(w) || !w->valuestring[0]))
        return sk_errf(err, SK_EPARSE, "%s: \"who\" must be a name", where);
    const char *by = w ? w->valuestring : who;
    char why[160];
    double v;
    if (labels) {
        if (!cJSON_IsObject(labels) || scorer || label)
            return sk_errf(err, SK_EPARSE,
                           "%s: \"labels\" is an object {\"SCORER\": LABEL, ...}, not given with "
                           "\"scorer\" and \"label\"",
                           where);
        const cJSON *e;
        cJSON_ArrayForEach(e, labels)
        {
            if (cli_label_value(e, &v, why, sizeof why))
                return sk_errf(err, SK_EPARSE, "%s: labels.%s: %s", where, e->string, why);
            push(out, id->valuestring, strlen(id->valuestring), e->string, strlen(e->string), v, by,
                 strlen(by), line);
        }
        return SK_OK;
    }
    if (!cJSON_IsString(scorer) || !scorer->valuestring[0] || !label)
        return sk_errf(err, SK_EPARSE,
                       "%s: a label line needs \"scorer\" and \"label\" (or \"labels\")", where);
    if (cli_label_value(label, &v, why, sizeof why))
        return sk_errf(err, SK_EPARSE, "%s: %s", where, why);
    push(out, id->valuestring, strlen(id->valuestring), scorer->valuestring,
         strlen(scorer->valuestring), v, by, strlen(by), line);
    return SK_OK;
}

int cli_label_file_read(const char *path, const char *who, cli_label_file *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (ends_with(path, ".csv")) {
        int rc = read_csv(path, who, out, err);
        if (rc)
            cli_label_file_free(out);
        return rc;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = sk_read_file(path, &text, &len, err);
    if (rc)
        return rc;
    long line = 0;
    for (char *p = text; rc == SK_OK && p < text + len;) {
        char *nl = memchr(p, '\n', (size_t)(text + len - p));
        char *end = nl ? nl : text + len;
        line++;
        char *q = p;
        while (q < end && isspace((unsigned char)*q))
            q++;
        if (q < end && *q != '#') {
            char where[512];
            snprintf(where, sizeof where, "%s:%ld", path, line);
            cJSON *o = cJSON_ParseWithLength(p, (size_t)(end - p));
            if (!o)
                rc = sk_errf(err, SK_EPARSE, "%s: not valid JSON", where);
            else
                rc = read_line(o, where, who, out, line, err);
            cJSON_Delete(o);
        }
        p = nl ? nl + 1 : text + len;
    }
    free(text);
    if (rc)
        cli_label_file_free(out);
    return rc;
}

/* ---- labelled rows as validate's cases ---- */

const char *cli_labeller(void)
{
    const char *w = getenv("SCOREKIT_LABELLER");
    if (!w || !*w)
        w = getenv("USER");
    return w && *w ? w : "someone";
}

/* One (row, scorer) and the mean of its labels. */
typedef struct group {
    char *id, *scorer;
    double sum;
    size_t n;
    int used;
} group;

typedef struct groups {
    group *v;
    size_t n, cap;
} groups;

static int by_id_scorer(const void *a, const void *b)
{
    const group *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : strcmp(x->scorer, y->scorer);
}

static void add_label(groups *g, const char *id, const char *scorer, double label)
{
    g->v = sk_xgrow(g->v, &g->cap, g->n + 1, sizeof *g->v);
    g->v[g->n++] = (group){sk_xstrdup(id), sk_xstrdup(scorer), label, 1, 0};
}

/* Sort, then fold equal (id, scorer) entries into their first. */
static void fold(groups *g)
{
    qsort(g->v, g->n, sizeof *g->v, by_id_scorer);
    size_t w = 0;
    for (size_t i = 0; i < g->n; i++) {
        if (w && by_id_scorer(&g->v[w - 1], &g->v[i]) == 0) {
            g->v[w - 1].sum += g->v[i].sum;
            g->v[w - 1].n++;
            free(g->v[i].id);
            free(g->v[i].scorer);
        } else {
            g->v[w++] = g->v[i];
        }
    }
    g->n = w;
}

static void groups_free(groups *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->v[i].id);
        free(g->v[i].scorer);
    }
    free(g->v);
}

static void case_of(sk_buf *b, const cli_label_row *r)
{
    b->len = 0;
    sk_buf_adds(b, "{\"input\":");
    sk_buf_adds(b, r->input ? r->input : "null");
    if (r->expected) {
        sk_buf_adds(b, ",\"expected\":");
        sk_buf_adds(b, r->expected);
    }
    if (r->metadata) {
        sk_buf_adds(b, ",\"metadata\":");
        sk_buf_adds(b, r->metadata);
    }
    sk_buf_addc(b, '}');
}

typedef struct to_cases {
    groups *g;
    sk_metacase_set *set;
    const char *source;
    sk_buf b;
    size_t added;
    char *problem; /* the first labelled row with nothing to score */
} to_cases;

static int row_cases(void *ud, const cli_label_row *r)
{
    to_cases *t = ud;
    group key = {(char *)r->id, "", 0, 0, 0};
    /* The first group of this id: groups are sorted by id, then scorer. */
    size_t lo = 0, hi = t->g->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(t->g->v[mid].id, key.id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < t->g->n && strcmp(t->g->v[i].id, r->id) == 0; i++) {
        group *gr = &t->g->v[i];
        gr->used = 1;
        if (!r->output) {
            if (!t->problem)
                t->problem = sk_asprintf("row %s of %s has no output to score; label the rows "
                                         "of an experiment (its outputs) or of a dataset whose "
                                         "rows hold one",
                                         r->id, t->source);
            continue;
        }
        case_of(&t->b, r);
        char *where = sk_asprintf("%s row %s", t->source, r->id);
        sk_metacase_add_label(t->set, r->id, where, t->b.data, r->output, gr->scorer,
                              gr->sum / (double)gr->n);
        free(where);
        t->added++;
    }
    return 0;
}

static int collect(void *ud, const sk_label *l)
{
    add_label(ud, l->row_id, l->scorer, l->label);
    return 0;
}

/* A JSONL file of rows, each with its "labels". */
static int file_cases(const char *path, sk_metacase_set *set, size_t *nlabels)
{
    char *text = NULL, *err = NULL;
    size_t len = 0;
    if (sk_read_file(path, &text, &len, &err)) {
        cli_error("%s", err);
        free(err);
        return CLI_FAIL;
    }
    sk_metacase_set mine = {0};
    sk_buf b = {0};
    long line = 0;
    int rc = SK_OK;
    for (char *p = text; rc == SK_OK && p < text + len;) {
        char *nl = memchr(p, '\n', (size_t)(text + len - p)), *end = nl ? nl : text + len;
        line++;
        char *q = p;
        while (q < end && isspace((unsigned char)*q))
            q++;
        if (q < end && *q != '#') {
            char where[512];
            snprintf(where, sizeof where, "%s:%ld", path, line);
            cJSON *o = cJSON_ParseWithLength(p, (size_t)(end - p));
            cli_label_file lf = {0};
            if (!o)
                rc = sk_errf(&err, SK_EPARSE, "%s: not valid JSON", where);
            else
                rc = read_line(o, where, cli_labeller(), &lf, line, &err);
            const cJSON *out = cJSON_GetObjectItemCaseSensitive(o, "output");
            if (rc == SK_OK && (!out || cJSON_IsNull(out)))
                rc = sk_errf(&err, SK_EPARSE, "%s: a labelled row needs the \"output\" to score",
                             where);
            if (rc == SK_OK && !cJSON_GetObjectItemCaseSensitive(o, "labels"))
                rc =
                    sk_errf(&err, SK_EPARSE,
                            "%s: a labelled row needs \"labels\": {\"SCORER\": LABEL, ...}", where);
            if (rc == SK_OK) {
                char *in = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "input"));
                char *ex = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "expected"));
                char *md = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "metadata"));
                char *ou = cJSON_PrintUnformatted(out);
                cli_label_row r = {lf.v[0].id, in, ex, ou, md};
                case_of(&b, &r);
                for (size_t i = 0; i < lf.n; i++) {
                    sk_metacase_add_label(&mine, lf.v[i].id, where, b.data, ou, lf.v[i].scorer,
                                          lf.v[i].label);
                    (*nlabels)++;
                }
                free(in);
                free(ex);
                free(md);
                free(ou);
            }
            cli_label_file_free(&lf);
            cJSON_Delete(o);
        }
        p = nl ? nl + 1 : text + len;
    }
    free(text);
    sk_buf_free(&b);
    if (rc) {
        cli_error("%s", err);
        free(err);
        sk_metacase_set_free(&mine);
        return CLI_FAIL;
    }
    for (size_t i = 0; i < mine.n; i++)
        sk_metacase_append_copy(set, &mine.items[i]);
    sk_metacase_set_free(&mine);
    return CLI_OK;
}

int cli_label_cases(const cli_ctx *ctx, const char *source, sk_metacase_set *set, size_t *nlabels)
{
    *nlabels = 0;
    if (sk_is_file(source))
        return file_cases(source, set, nlabels);
    sk_project *proj = NULL;
    sk_store *st = NULL;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    cli_label_source src;
    groups g = {0};
    char *err = NULL;
    to_cases t = {&g, set, source, {0}, 0, NULL};
    int rc = cli_label_source_open(st, source, &src, &err);
    if (rc == SK_OK && (rc = sk_labels_each(st, src.key, NULL, collect, &g, &err)) == SK_OK) {
        *nlabels = g.n;
        fold(&g);
        rc = cli_label_each_row(st, &src, row_cases, &t, &err);
    }
    int out = CLI_OK;
    if (rc) {
        cli_error("%s", err ? err : "cannot read the labelled rows");
        out = CLI_FAIL;
    } else if (t.problem) {
        cli_error("%s", t.problem);
        out = CLI_FAIL;
    } else if (!*nlabels) {
        cli_error("%s has no labels yet: `scorekit label import FILE --to %s`, or `scorekit "
                  "label %s` to label rows one by one",
                  source, source, source);
        out = CLI_FAIL;
    } else {
        size_t gone = 0;
        for (size_t i = 0; i < g.n; i++)
            gone += !g.v[i].used;
        if (gone)
            cli_warn("%zu labelled row%s of %s are no longer there and were left out", gone,
                     gone == 1 ? "" : "s", source);
    }
    free(err);
    free(t.problem);
    sk_buf_free(&t.b);
    groups_free(&g);
    cli_label_source_clear(&src);
    sk_store_close(st);
    sk_project_free(proj);
    return out;
}

typedef struct source_list {
    char **v;
    size_t n, cap;
} source_list;

static int add_source(void *ud, const char *source)
{
    source_list *l = ud;
    l->v = sk_xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = sk_xstrdup(source);
    return 0;
}

int cli_label_cases_stored(const cli_ctx *ctx, sk_metacase_set *set, size_t *nlabels)
{
    *nlabels = 0;
    sk_project *proj = NULL;
    sk_store *st = NULL;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    source_list l = {0};
    char *err = NULL;
    int rc = sk_labels_each_source(st, add_source, &l, &err);
    sk_store_close(st);
    sk_project_free(proj);
    if (rc) {
        cli_error("%s", err);
        free(err);
        return CLI_FAIL;
    }
    for (size_t i = 0; i < l.n; i++) {
        sk_metacase_set mine = {0};
        size_t n = 0;
        /* Its own errors are printed; then it is left out, not fatal. */
        if (cli_label_cases(ctx, l.v[i], &mine, &n) == CLI_OK) {
            for (size_t k = 0; k < mine.n; k++)
                sk_metacase_append_copy(set, &mine.items[k]);
            *nlabels += n;
        } else {
            cli_warn("the labels of %s are left out of this validation", l.v[i]);
        }
        sk_metacase_set_free(&mine);
        free(l.v[i]);
    }
    free(l.v);
    return CLI_OK;
}
