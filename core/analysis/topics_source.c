/* The rows `scorekit topics` clusters, and its runs kept (see
 * topics_source.h). */
#include "analysis/topics_source.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/failures.h"
#include "analysis/text_traits.h"
#include "base/error.h"
#include "base/fileutil.h"
#include "base/util.h"
#include "store/dataset.h"
#include "store/experiment.h"
#include "store/experiment_read.h"
#include "store/id_set.h"
#include "store/topics_store.h"

void sk_topic_source_free(sk_topic_source *s)
{
    for (size_t i = 0; s->texts && i < s->rows.n; i++)
        free(s->texts[i]);
    free(s->texts);
    for (size_t i = 0; i < s->nscorers; i++)
        free(s->scorers[i]);
    free(s->scorers);
    free(s->mean);
    free(s->pass);
    free(s->fail);
    free(s->verdict);
    free(s->label);
    sk_grow_set_free(&s->rows);
    memset(s, 0, sizeof *s);
}

sk_topic_scores sk_topic_source_scores(const sk_topic_source *s)
{
    sk_topic_scores sc = {s->nscorers, s->mean, s->verdict ? s->pass : NULL,
                          s->verdict ? s->fail : NULL, s->verdict};
    return sc;
}

static int from_version(sk_store *st, const sk_dataset_version *v, sk_topic_source *out, char **err)
{
    return sk_grow_from_version(st, v->id, "topics", &out->rows, err);
}

typedef struct first_scorer {
    char *name;
} first_scorer;

static int note_first(void *ud, const char *name, int has_threshold, double threshold,
                      const char *reducer)
{
    (void)has_threshold, (void)threshold, (void)reducer;
    first_scorer *f = ud;
    if (!f->name)
        f->name = sk_xstrdup(name);
    return 0;
}

/* The experiment's verdicts and scores as `failures` makes them; when no
 * scorer has a threshold, the means alone (verdict NULL). */
static int experiment_scores(sk_store *st, const sk_experiment *e, sk_topic_source *out,
                             char ***outputs, char **err)
{
    sk_fail_opts fo = {0};
    sk_failures *f = NULL;
    int with_verdicts = 1;
    int rc = sk_failures_find(st, e->id, &fo, &f, err);
    if (rc == SK_EINVAL) {
        free(*err);
        *err = NULL;
        with_verdicts = 0;
        first_scorer fs = {0};
        rc = sk_experiment_each_scorer(st, e->id, note_first, &fs, err);
        if (!rc && !fs.name)
            return SK_OK; /* no scorer: no scores */
        fo.scorer = fs.name;
        fo.below = -INFINITY; /* nothing fails: only the means are used */
        if (!rc)
            rc = sk_failures_find(st, e->id, &fo, &f, err);
        free(fs.name);
    }
    if (rc)
        return rc;
    size_t n = out->rows.n, ns = f->nscorers;
    out->nscorers = ns;
    out->scorers = sk_xmalloc((ns ? ns : 1) * sizeof *out->scorers);
    for (size_t j = 0; j < ns; j++)
        out->scorers[j] = sk_xstrdup(f->scorers[j]);
    out->mean = sk_xmalloc((n * ns + 1) * sizeof *out->mean);
    out->pass = sk_xcalloc(n * ns + 1, sizeof *out->pass);
    out->fail = sk_xcalloc(n * ns + 1, sizeof *out->fail);
    if (with_verdicts)
        out->verdict = sk_xmalloc((n ? n : 1) * sizeof *out->verdict);
    *outputs = sk_xcalloc(n + 1, sizeof **outputs);
    sk_id_set at = {0};
    for (size_t i = 0; i < f->nrows; i++)
        sk_id_set_add(&at, f->rows[i].id, strlen(f->rows[i].id), i + 1);
    for (size_t i = 0; i < n; i++) {
        const char *id = out->rows.rows[i].id;
        size_t fi = sk_id_set_add(&at, id, strlen(id), 0);
        const sk_fail_row *r = fi ? &f->rows[fi - 1] : NULL;
        for (size_t j = 0; j < ns; j++) {
            out->mean[i * ns + j] = r && r->s[j].scored ? r->s[j].mean : NAN;
            out->pass[i * ns + j] = r ? r->s[j].pass : 0;
            out->fail[i * ns + j] = r ? r->s[j].fail : 0;
        }
        if (out->verdict)
            out->verdict[i] = r ? r->verdict : SK_ROW_NO_VERDICT;
        (*outputs)[i] = r && r->output_json ? sk_xstrdup(r->output_json) : NULL;
    }
    sk_id_set_free(&at);
    sk_failures_free(f);
    return SK_OK;
}

static int load_experiment(sk_store *st, const sk_experiment *e, sk_topic_source *out, char **err)
{
    int rc = sk_grow_from_version(st, e->dataset_version_id, "topics", &out->rows, err);
    char **outputs = NULL;
    if (!rc)
        rc = experiment_scores(st, e, out, &outputs, err);
    if (!rc) {
        out->texts = sk_xcalloc(out->rows.n + 1, sizeof *out->texts);
        for (size_t i = 0; i < out->rows.n; i++) {
            const char *j =
                out->field[0] == 'o' ? (outputs ? outputs[i] : NULL) : out->rows.rows[i].input;
            out->texts[i] = j ? sk_text_of_json(j) : sk_xstrdup("");
        }
    }
    for (size_t i = 0; outputs && i < out->rows.n; i++)
        free(outputs[i]);
    free(outputs);
    return rc;
}

/* Texts from the rows' own values (a dataset or a file). */
static int texts_of_rows(sk_topic_source *out, char **err)
{
    size_t have = 0;
    out->texts = sk_xcalloc(out->rows.n + 1, sizeof *out->texts);
    for (size_t i = 0; i < out->rows.n; i++) {
        const sk_grow_row *g = &out->rows.rows[i];
        const char *j = out->field[0] == 'o' ? g->output : g->input;
        have += j != NULL;
        out->texts[i] = j ? sk_text_of_json(j) : sk_xstrdup("");
    }
    if (!have && out->rows.n)
        return sk_errf(err, SK_EINVAL,
                       "%s: no row has an \"output\"; cluster the inputs (leave out --field) or "
                       "an experiment's outputs (scorekit topics EXP --field output)",
                       out->label);
    return SK_OK;
}

int sk_topic_source_load(sk_store *st, const char *source, const char *field, sk_topic_source *out,
                         char **err)
{
    memset(out, 0, sizeof *out);
    out->field = strcmp(field, "output") == 0 ? "output" : "input";
    const char *ds = strncmp(source, "dataset:", 8) == 0 ? source + 8 : NULL;
    int rc;
    if (!ds && sk_is_file(source)) {
        out->kind = "file";
        out->label = sk_asprintf("file %s", source);
        rc = sk_grow_from_logs(source, &out->rows, err);
        return rc ? rc : texts_of_rows(out, err);
    }
    if (!ds) {
        sk_experiment e;
        rc = sk_experiment_load(st, source, &e, err);
        if (rc == SK_OK) {
            out->kind = "experiment";
            out->label = sk_asprintf("experiment %s", e.id);
            rc = load_experiment(st, &e, out, err);
            sk_experiment_clear(&e);
            return rc;
        }
        if (rc != SK_ENOTFOUND)
            return rc;
        free(*err);
        *err = NULL;
    }
    sk_dataset_version v;
    rc = sk_dataset_resolve(st, ds ? ds : source, &v, err);
    if (rc == SK_ENOTFOUND && !ds) {
        free(*err);
        *err = NULL;
        return sk_errf(err, SK_ENOTFOUND,
                       "no experiment, dataset or file \"%s\": give an experiment id "
                       "(`scorekit experiments`), a dataset (dataset:NAME; `scorekit dataset "
                       "list`) or a JSONL file of rows or logs",
                       source);
    }
    if (rc)
        return rc;
    out->kind = "dataset";
    out->label = sk_asprintf("dataset %s@%d", v.name, v.version);
    rc = from_version(st, &v, out, err);
    sk_dataset_version_clear(&v);
    return rc ? rc : texts_of_rows(out, err);
}

/* ---- keeping a run ---- */

static void json_num(sk_buf *b, double v)
{
    if (isnan(v) || isinf(v))
        sk_buf_adds(b, "null");
    else
        sk_buf_printf(b, "%.17g", v);
}

static char *params_json(const sk_topic_opts *o, const sk_topics *t, const sk_topic_source *s,
                         const cJSON *embeddings)
{
    sk_buf b = {0};
    sk_buf_printf(&b, "{\"seed\":%" PRIu64 ",\"k_chosen\":%s,\"silhouette\":", o->seed,
                  t->k_chosen ? "true" : "false");
    json_num(&b, t->silhouette);
    sk_buf_adds(&b, ",\"silhouettes\":{");
    for (size_t k = 2; t->k_chosen && k <= t->kmax; k++) {
        sk_buf_printf(&b, "%s\"%zu\":", k > 2 ? "," : "", k);
        json_num(&b, t->silhouettes[k - 2]);
    }
    sk_buf_printf(&b, "},\"terms\":%zu,\"rounds\":%d,\"scorers\":[", t->nterms, t->rounds);
    for (size_t j = 0; j < s->nscorers; j++) {
        if (j)
            sk_buf_adds(&b, ",");
        sk_buf_add_json_string(&b, s->scorers[j], strlen(s->scorers[j]));
    }
    sk_buf_addc(&b, ']');
    const cJSON *it;
    cJSON_ArrayForEach(it, embeddings)
    {
        char *e = cJSON_PrintUnformatted(it);
        sk_buf_addc(&b, ',');
        sk_buf_add_json_string(&b, it->string, strlen(it->string));
        sk_buf_printf(&b, ":%s", e);
        free(e);
    }
    sk_buf_addc(&b, '}');
    return b.data;
}

static char *scores_json(const sk_topic *tp, const sk_topic_source *s)
{
    if (!s->nscorers)
        return NULL;
    sk_buf b = {0};
    sk_buf_addc(&b, '{');
    for (size_t j = 0; j < s->nscorers; j++) {
        if (j)
            sk_buf_adds(&b, ",");
        sk_buf_add_json_string(&b, s->scorers[j], strlen(s->scorers[j]));
        sk_buf_adds(&b, ":{\"mean\":");
        json_num(&b, tp->mean[j]);
        sk_buf_adds(&b, ",\"fail_rate\":");
        json_num(&b, tp->scorer_fail[j]);
        sk_buf_addc(&b, '}');
    }
    sk_buf_addc(&b, '}');
    return b.data;
}

int sk_topics_save(sk_store *st, const sk_topic_source *s, const sk_topic_opts *o,
                   const sk_topics *t, const cJSON *extra, const char *const *names, char **run_id,
                   char **err)
{
    *run_id = sk_experiment_new_id();
    char *params = params_json(o, t, s, extra);
    sk_topic_run run = {.id = *run_id,
                        .source = s->label,
                        .kind = (char *)s->kind,
                        .field = (char *)s->field,
                        .k = (int)t->k,
                        .rows = (int64_t)t->n,
                        .params_json = params};
    sk_topic_label *labels = sk_xcalloc(t->ntopics + 1, sizeof *labels);
    char **sj = sk_xcalloc(t->ntopics + 1, sizeof *sj);
    for (size_t i = 0; i < t->ntopics; i++) {
        const sk_topic *tp = &t->topics[i];
        sj[i] = scores_json(tp, s);
        labels[i] = (sk_topic_label){(int)i + 1,
                                     tp->label,
                                     (int64_t)tp->size,
                                     s->rows.rows[tp->example].id,
                                     s->texts[tp->example],
                                     (int64_t)tp->judged,
                                     (int64_t)tp->failed,
                                     tp->fail_rate,
                                     sj[i],
                                     names ? names[i] : NULL};
    }
    sk_topic_row *rows = sk_xmalloc((t->n ? t->n : 1) * sizeof *rows);
    for (size_t i = 0; i < t->n; i++) {
        const sk_grow_row *g = &s->rows.rows[i];
        rows[i] = (sk_topic_row){(int)t->assign[i] + 1, g->id,   g->input, g->expected, g->output,
                                 g->metadata,           g->tags, g->file,  g->line};
    }
    int rc = sk_topic_run_save(st, &run, labels, t->ntopics, rows, t->n, err);
    for (size_t i = 0; i < t->ntopics; i++)
        free(sj[i]);
    free(sj);
    free(labels);
    free(rows);
    free(params);
    if (rc) {
        free(*run_id);
        *run_id = NULL;
    }
    return rc;
}

/* ---- a topic's rows into a dataset ---- */

typedef struct topic_taker {
    sk_grow_set *out;
    const char *source;
} topic_taker;

static int take_row(void *ud, const sk_topic_row *r)
{
    topic_taker *tk = ud;
    sk_grow_set *s = tk->out;
    sk_grow_row *g = sk_grow_set_add(s);
    g->id = sk_grow_set_keep(s, r->row_id);
    g->input = sk_grow_set_keep(s, r->input);
    g->expected = sk_grow_set_keep(s, r->expected);
    g->output = sk_grow_set_keep(s, r->output);
    g->metadata = sk_grow_set_keep(s, r->metadata);
    g->tags = sk_grow_set_keep(s, r->tags);
    g->kind = "topic";
    g->source = tk->source;
    g->file = sk_grow_set_keep(s, r->file);
    g->line = r->line;
    return 0;
}

typedef struct topic_count {
    int n;
} topic_count;

static int count_topic(void *ud, const sk_topic_label *t)
{
    (void)t;
    ((topic_count *)ud)->n++;
    return 0;
}

int sk_grow_from_topic(sk_store *st, const char *run_ref, int topic, sk_grow_set *out, char **err)
{
    sk_topic_run run;
    int rc = sk_topic_run_load(st, run_ref, &run, err);
    if (rc)
        return rc;
    topic_count c = {0};
    rc = sk_topic_each_label(st, run.id, count_topic, &c, err);
    if (!rc && (topic < 1 || topic > c.n))
        rc = sk_errf(err, SK_ENOTFOUND,
                     "topic run %s has topics 1 to %d, not %d; `scorekit topics show %s` lists "
                     "them",
                     run.id, c.n, topic, run.id);
    if (!rc) {
        char *src = sk_asprintf("topics %s topic %d", run.id, topic);
        topic_taker tk = {out, sk_grow_set_keep(out, src)};
        free(src);
        rc = sk_topic_each_row(st, run.id, topic, take_row, &tk, err);
    }
    sk_topic_run_clear(&run);
    return rc;
}
