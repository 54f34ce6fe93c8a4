/*
 * Running the meta-evaluation (see metaeval.h): resolve each scorer's
 * thresholds and cases, score every case K times through sk_rowscore, the
 * same path `scorekit score` takes, then judge the figures
 * (metaeval_judge.c).
 */
#include "validate/metaeval.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/text/suggest.h"
#include "base/fileutil.h"
#include "validate/fingerprint.h"
#include "run/pool.h"
#include "run/rowscore.h"
#include "base/util.h"

void sk_meta_thresholds_default(sk_meta_thresholds *t)
{
    t->high = 0.8;
    t->low = 0.2;
    t->bias_share = 1.0;
    t->max_mae = 0.1;
    t->max_error_rate = 0;
    t->max_flip_share = 0;
    t->max_position = 0;
    t->min_kappa = 0.6;
    t->repeat = 0;
    t->builtin = -1;
    t->correctness = -1;
    t->accepts = 0;
}

void sk_meta_thresholds_unset(sk_meta_thresholds *t)
{
    t->high = t->low = t->bias_share = t->max_mae = t->max_error_rate = t->max_flip_share =
        t->max_position = t->min_kappa = NAN;
    t->repeat = 0;
    t->builtin = -1;
    t->correctness = -1;
    t->accepts = 0;
}

void sk_meta_thresholds_merge(sk_meta_thresholds *t, const sk_meta_thresholds *o)
{
    if (!o)
        return;
    double *dst[] = {
        &t->high,           &t->low,          &t->bias_share, &t->max_mae, &t->max_error_rate,
        &t->max_flip_share, &t->max_position, &t->min_kappa};
    const double src[] = {
        o->high,           o->low,          o->bias_share, o->max_mae, o->max_error_rate,
        o->max_flip_share, o->max_position, o->min_kappa};
    for (size_t i = 0; i < sizeof src / sizeof src[0]; i++)
        if (!isnan(src[i]))
            *dst[i] = src[i];
    if (o->repeat > 0)
        t->repeat = o->repeat;
    if (o->builtin >= 0)
        t->builtin = o->builtin;
    if (o->correctness >= 0)
        t->correctness = o->correctness;
    if (o->accepts)
        t->accepts = o->accepts;
}

/* "accepts": a non-empty list of the kinds "text", "number", "json", "list". */
static int parse_accepts(const cJSON *k, const char *where, unsigned *out, char **err)
{
    unsigned bits = 0;
    const cJSON *e = NULL, *list = cJSON_IsArray(k) ? k : NULL;
    cJSON_ArrayForEach(e, list)
    {
        unsigned b = 0;
        for (unsigned i = 0; cJSON_IsString(e) && i < 4 && !b; i++)
            if (strcmp(e->valuestring, sk_mc_kind_name(1u << i)) == 0)
                b = 1u << i;
        if (!b)
            break;
        bits |= b;
    }
    if (!bits || e)
        return sk_errf(err, SK_EINVAL,
                       "%s: validate.accepts must be a non-empty list of the kinds of case that "
                       "fit the scorer: \"text\", \"number\", \"json\", \"list\"",
                       where);
    *out = bits;
    return SK_OK;
}

int sk_meta_thresholds_parse(sk_meta_thresholds *t, const char *json, const char *where,
                             sk_metacase_set *cases, sk_mc_origin origin, char **err)
{
    static const char *const names[] = {"high",
                                        "low",
                                        "bias_share",
                                        "max_mae",
                                        "max_error_rate",
                                        "max_flip_share",
                                        "max_position_inconsistency",
                                        "min_kappa"};
    double *fields[] = {
        &t->high,           &t->low,          &t->bias_share, &t->max_mae, &t->max_error_rate,
        &t->max_flip_share, &t->max_position, &t->min_kappa};
    cJSON *o = cJSON_Parse(json);
    int rc = SK_OK;
    if (!cJSON_IsObject(o)) {
        rc =
            sk_errf(err, SK_EINVAL,
                    "%s: \"validate\" must be an object like {\"high\": 0.8, \"low\": 0.2}", where);
        goto out;
    }
    const cJSON *k;
    cJSON_ArrayForEach(k, o)
    {
        int done = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0] && !done; i++) {
            if (strcmp(k->string, names[i]) != 0)
                continue;
            done = 1;
            if (!cJSON_IsNumber(k) || !(k->valuedouble >= 0 && k->valuedouble <= 1)) {
                rc = sk_errf(err, SK_EINVAL, "%s: validate.%s must be a number in [0,1]", where,
                             k->string);
                goto out;
            }
            *fields[i] = k->valuedouble;
        }
        if (done)
            continue;
        if (strcmp(k->string, "repeat") == 0) {
            if (!cJSON_IsNumber(k) || k->valuedouble < 1 || k->valuedouble > 100 ||
                k->valuedouble != (int)k->valuedouble) {
                rc = sk_errf(err, SK_EINVAL, "%s: validate.repeat must be an integer from 1 to 100",
                             where);
                goto out;
            }
            t->repeat = (int)k->valuedouble;
        } else if (strcmp(k->string, "builtin") == 0) {
            if (!cJSON_IsBool(k)) {
                rc = sk_errf(err, SK_EINVAL, "%s: validate.builtin must be true or false", where);
                goto out;
            }
            t->builtin = cJSON_IsTrue(k);
        } else if (strcmp(k->string, "criterion_kind") == 0) {
            if (!cJSON_IsString(k) || (strcmp(k->valuestring, "correctness") != 0 &&
                                       strcmp(k->valuestring, "other") != 0)) {
                rc = sk_errf(err, SK_EINVAL,
                             "%s: validate.criterion_kind must be \"correctness\" (the judge "
                             "decides whether the answer is right: the built-in cases fit it) or "
                             "\"other\"",
                             where);
                goto out;
            }
            t->correctness = strcmp(k->valuestring, "correctness") == 0;
        } else if (strcmp(k->string, "accepts") == 0) {
            if ((rc = parse_accepts(k, where, &t->accepts, err)))
                goto out;
        } else if (strcmp(k->string, "cases") == 0 && cases) {
            char *text = cJSON_PrintUnformatted(k);
            char *w = sk_asprintf("%s: validate.cases", where);
            rc = sk_metacase_parse_array(cases, text, w, origin, err);
            free(w);
            free(text);
            if (rc)
                goto out;
        } else {
            static const char *const keys[] = {"high",
                                               "low",
                                               "bias_share",
                                               "max_mae",
                                               "max_error_rate",
                                               "max_flip_share",
                                               "max_position_inconsistency",
                                               "min_kappa",
                                               "repeat",
                                               "builtin",
                                               "criterion_kind",
                                               "accepts",
                                               "cases",
                                               NULL};
            const char *near = sk_suggest_nt(k->string, keys);
            char *hint = near ? sk_asprintf("; did you mean \"%s\"?", near) : sk_xstrdup("");
            rc = sk_errf(err, SK_EINVAL,
                         "%s: unknown key validate.%s%s (allowed: high, low, bias_share, max_mae, "
                         "max_error_rate, max_flip_share, max_position_inconsistency, min_kappa, "
                         "repeat, builtin, criterion_kind, accepts, cases)",
                         where, k->string, hint);
            free(hint);
            goto out;
        }
    }
    if (!isnan(t->high) && !isnan(t->low) && t->low > t->high)
        rc = sk_errf(err, SK_EINVAL, "%s: validate.low (%g) is above validate.high (%g)", where,
                     t->low, t->high);
out:
    cJSON_Delete(o);
    return rc;
}

int sk_meta_selects(const sk_metacase *m, const char *name, const char *use, unsigned flags,
                    unsigned accepts, int builtin)
{
    if (m->scorers)
        return sk_metacase_for(m, name, use);
    if (m->origin == SK_MC_OWN)
        return 1;
    if (m->origin == SK_MC_BUILTIN) {
        int on =
            builtin >= 0 ? builtin : (flags & (SK_SCORER_NEEDS_EXPECTED | SK_SCORER_PAIRWISE)) != 0;
        if (!on)
            return 0;
    }
    return accepts == 0 || m->kind == 0 || (accepts & m->kind) != 0;
}

/* The pack file's "validate" objects: the pack's and each entry's. */
typedef struct pack_config {
    sk_meta_thresholds pack;
    sk_meta_thresholds *entry; /* pack->n of them */
    sk_metacase_set pack_cases;
    sk_metacase_set *entry_cases;
} pack_config;

static void config_free(pack_config *c, size_t n)
{
    sk_metacase_set_free(&c->pack_cases);
    for (size_t i = 0; c->entry_cases && i < n; i++)
        sk_metacase_set_free(&c->entry_cases[i]);
    free(c->entry_cases);
    free(c->entry);
}

static int read_config(const sk_pack *pack, pack_config *c, char **err)
{
    memset(c, 0, sizeof *c);
    sk_meta_thresholds_unset(&c->pack);
    c->entry = sk_xcalloc(pack->n ? pack->n : 1, sizeof *c->entry);
    c->entry_cases = sk_xcalloc(pack->n ? pack->n : 1, sizeof *c->entry_cases);
    for (size_t i = 0; i < pack->n; i++)
        sk_meta_thresholds_unset(&c->entry[i]);
    if (!pack->path || !sk_is_file(pack->path))
        return SK_OK;
    char *text;
    size_t len;
    int rc = sk_read_file(pack->path, &text, &len, err);
    if (rc)
        return rc;
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!root) /* sk_pack_load read it already: it changed under us */
        return sk_errf(err, SK_EPARSE, "%s: not valid JSON any more", pack->path);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "validate");
    if (v) {
        char *t = cJSON_PrintUnformatted(v);
        rc = sk_meta_thresholds_parse(&c->pack, t, pack->path, &c->pack_cases, SK_MC_EXTRA, err);
        free(t);
    }
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "scorers");
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        if (rc || i >= pack->n)
            break;
        v = cJSON_GetObjectItemCaseSensitive(e, "validate");
        if (v) {
            char *t = cJSON_PrintUnformatted(v);
            char *w = sk_asprintf("%s: scorer #%zu (%s)", pack->path, i + 1, pack->entries[i].name);
            rc = sk_meta_thresholds_parse(&c->entry[i], t, w, &c->entry_cases[i], SK_MC_OWN, err);
            free(w);
            free(t);
        }
        i++;
    }
    cJSON_Delete(root);
    return rc;
}

/* `{"id":ID, <case fields>, "output":OUT}`: one row for sk_row_parse. */
static void build_line(sk_buf *b, const sk_metacase *m, const char *case_json, const char *output)
{
    sk_buf_reset(b);
    sk_buf_adds(b, "{\"id\":");
    sk_buf_add_json_string(b, m->id, strlen(m->id));
    sk_buf_addc(b, ',');
    size_t n = strlen(case_json);
    sk_buf_add(b, case_json + 1, n - 2); /* the object's members, without braces */
    sk_buf_adds(b, ",\"output\":");
    sk_buf_adds(b, output);
    sk_buf_addc(b, '}');
}

/* The metadata's "position_consistent" and "invalid_verdict": 1 true, 0
 * false, -1 absent.  The row scanner, not cJSON: this runs on worker
 * threads, and the host checked the text is a JSON object already. */
static void meta_flags(const sk_buf *meta, int *consistent, int *invalid)
{
    static const char *const keys[] = {"position_consistent", "invalid_verdict"};
    sk_span v[2];
    *consistent = *invalid = -1;
    if (!meta->len || meta->data[0] != '{' ||
        sk_row_scan(meta->data, meta->len, keys, 2, v, NULL, 0) != 0)
        return;
    int *out[] = {consistent, invalid};
    for (int i = 0; i < 2; i++)
        if (v[i].p)
            *out[i] = v[i].n == 4 && memcmp(v[i].p, "true", 4) == 0    ? 1
                      : v[i].n == 5 && memcmp(v[i].p, "false", 5) == 0 ? 0
                                                                       : -1;
}

static void observe(sk_meta_obs *o, const sk_result *r, double cut, int *below, int *above)
{
    int consistent, invalid;
    meta_flags(&r->meta, &consistent, &invalid);
    switch (r->kind) {
    case SK_VERDICT_SCORE:
        if (o->scored == 0) {
            o->min = o->max = r->score;
            o->mean = 0;
            if (r->rationale.len)
                o->rationale = sk_xstrdup(r->rationale.data);
            if (r->meta.len)
                o->meta = sk_xstrndup(r->meta.data, r->meta.len);
        }
        if (consistent >= 0) {
            o->positioned++;
            o->inconsistent += consistent == 0;
        }
        if (r->rationale.len)
            o->explained++;
        o->mean += r->score; /* a sum until the repeats are done */
        if (r->score < o->min)
            o->min = r->score;
        if (r->score > o->max)
            o->max = r->score;
        if (r->score >= cut)
            (*above)++;
        else
            (*below)++;
        o->scored++;
        break;
    case SK_VERDICT_SKIP:
        o->skipped++;
        if (!o->message)
            o->message = sk_xstrdup(r->message.data ? r->message.data : "skipped");
        break;
    default:
        if (invalid == 1)
            o->invalid++;
        else
            o->errors++;
        free(o->message); /* an error says more than a skip */
        o->message = sk_xstrdup(r->message.data ? r->message.data : "error");
        break;
    }
}

static int check_of(const sk_metacase *m)
{
    if (m->versus == SK_MC_VS_WRONG)
        return SK_CHK_WRONG;
    switch (m->type) {
    case SK_MC_HIGH: return SK_CHK_CORRECT;
    case SK_MC_LOW: return SK_CHK_WRONG;
    case SK_MC_NUMBER: return SK_CHK_NUMERIC;
    case SK_MC_LABEL: return SK_CHK_AGREEMENT;
    default:
        switch (m->bias) {
        case SK_BIAS_VERBOSITY: return SK_CHK_VERBOSITY;
        case SK_BIAS_FORMALITY: return SK_CHK_FORMALITY;
        case SK_BIAS_CONFIDENCE: return SK_CHK_CONFIDENCE;
        default: return SK_CHK_PAIRS;
        }
    }
}

/* Score case i of s, s->repeat times, with one worker's scorer state. */
static void run_case(sk_meta_scorer *s, sk_rowscore *rs, sk_buf *line, double cut, size_t i)
{
    const sk_metacase *m = &s->cases.items[i];
    sk_meta_result *res = &s->results[i];
    res->mc = m;
    res->check = check_of(m);
    const char *outs[2] = {m->type == SK_MC_PAIR ? m->better_json : m->output_json,
                           m->type == SK_MC_PAIR ? m->worse_json : NULL};
    /* A head-to-head scores the worse answer against the better one. */
    const char *cases[2] = {m->case_json, m->worse_case_json ? m->worse_case_json : m->case_json};
    for (int side = 0; side < 2 && outs[side]; side++) {
        sk_meta_obs *o = &res->obs[side];
        o->mean = o->min = o->max = NAN;
        int below = 0, above = 0;
        build_line(line, m, cases[side], outs[side]);
        for (int k = 0; k < s->repeat; k++) {
            sk_span spans[SK_F_COUNT];
            char msg[256];
            if (sk_row_parse(line->data, line->len, sk_row_keys, spans, msg, sizeof msg)) {
                /* metacase.c only writes JSON it parsed, so this is a bug */
                o->errors++;
                if (!o->message)
                    o->message = sk_asprintf("meta-case %s is not a valid row: %s", m->id, msg);
                continue;
            }
            /* The repeat is the trial: repeated model calls are independent,
             * never answered from the cache. */
            sk_rowscore_run(rs, spans, (unsigned)k);
            observe(o, &rs->results[0], cut, &below, &above);
        }
        if (o->scored)
            o->mean /= (double)o->scored;
        o->flipped = below > 0 && above > 0;
    }
}

/* The calls case i of s makes: each side, each repeat. */
static size_t case_calls(const sk_meta_scorer *s, size_t i)
{
    const sk_metacase *m = &s->cases.items[i];
    return (m->type == SK_MC_PAIR ? 2u : 1u) * (size_t)s->repeat;
}

/* Calls made so far over the whole validation, for opts->progress. */
typedef struct calls_done {
    size_t done, total;
} calls_done;

typedef struct case_worker {
    sk_host_ctx host; /* this worker's: opens its state, bills its calls */
    void *state;
    sk_rowscore rs;
    sk_buf line;
} case_worker;

/* Workers take cases in order from the pool's dispenser; each writes only
 * its cases' result slots. */
typedef struct case_pool {
    sk_meta_scorer *s;
    double cut;
    case_worker *w;
    pthread_mutex_t mu;
    const sk_meta_opts *opts;
    calls_done *calls; /* counted under mu; reported by the calling thread */
} case_pool;

static void case_fn(void *ud, int worker, size_t i)
{
    case_pool *p = ud;
    case_worker *w = &p->w[worker];
    run_case(p->s, &w->rs, &w->line, p->cut, i);
    pthread_mutex_lock(&p->mu);
    p->calls->done += case_calls(p->s, i);
    calls_done now = *p->calls;
    pthread_mutex_unlock(&p->mu);
    /* worker 0 is the calling thread (sk_pool_each) */
    if (worker == 0 && p->opts->progress)
        p->opts->progress(now.done, now.total, p->opts->progress_ud);
}

/* Score every case of s with entry e, s->repeat times, on `jobs` threads:
 * a judge's calls wait on a model, and 900 of them one after another
 * would take a quarter of an hour. */
static void run_cases(sk_meta_scorer *s, const sk_pack *pack, const sk_pack_entry *e, int jobs,
                      const sk_meta_opts *opts, calls_done *calls)
{
    /* A one-entry view of the pack: the entry keeps its params, threshold
     * and Lua context, and nothing else runs. */
    sk_pack view = *pack;
    view.n = 1;
    view.entries = (sk_pack_entry *)e;
    if (jobs < 1)
        jobs = 1;
    if ((size_t)jobs > s->cases.n)
        jobs = s->cases.n ? (int)s->cases.n : 1;
    case_worker *w = sk_xcalloc((size_t)jobs, sizeof *w);
    case_pool p = {.s = s,
                   .cut = e->has_threshold ? e->threshold : 0.5,
                   .w = w,
                   .mu = PTHREAD_MUTEX_INITIALIZER,
                   .opts = opts,
                   .calls = calls};
    int opened = 0;
    for (; opened < jobs; opened++) {
        char *err = NULL;
        sk_host_init(&w[opened].host, opts->llm, opts->project_dir, NULL);
        if (sk_pack_open(&view, &w[opened].host, &w[opened].state, &err) != SK_OK) {
            s->problem = sk_asprintf("cannot be opened: %s", err);
            free(err);
            break;
        }
        sk_rowscore_init(&w[opened].rs, &view, &w[opened].host, &w[opened].state);
    }
    if (!s->problem) {
        s->results = sk_xcalloc(s->cases.n ? s->cases.n : 1, sizeof *s->results);
        s->nresults = s->cases.n;
        sk_pool_each(jobs, s->cases.n, case_fn, &p);
        for (size_t i = 0; i < s->cases.n; i++)
            for (int side = 0; side < 2; side++) {
                const sk_meta_obs *o = &s->results[i].obs[side];
                s->calls += o->scored + o->skipped + o->errors + o->invalid;
                s->errors += o->errors;
                s->invalid += o->invalid;
                s->skipped += o->skipped;
            }
    }
    for (int i = 0; i < opened; i++) {
        sk_buf_free(&w[i].line);
        sk_rowscore_free(&w[i].rs);
        sk_pack_close(&view, &w[i].host, &w[i].state);
    }
    free(w);
}

static int wanted(const sk_meta_opts *o, const char *name)
{
    if (!o->only)
        return 1;
    for (size_t i = 0; i < o->nonly; i++)
        if (strcmp(o->only[i], name) == 0)
            return 1;
    return 0;
}

static void select_cases(sk_meta_scorer *s, const char *other, const sk_metacase_set *from)
{
    for (size_t i = 0; from && i < from->n; i++) {
        const sk_metacase *m = &from->items[i];
        if (!sk_meta_selects(m, s->name, s->use, s->flags, s->accepts, s->th.builtin))
            continue;
        if (s->pairwise)
            sk_metacase_add_for_pairwise(&s->cases, m, other);
        else
            sk_metacase_append_copy(&s->cases, m);
    }
}

/* What a pack entry's params say for validate: whether a judge is asked
 * for a rationale ("cot", the judges' switch) and, for a pairwise scorer,
 * where it reads the other answer ("other"; caller frees). */
static void read_params(const sk_pack_entry *e, int *cot, char **other)
{
    cJSON *p = e->params_json ? cJSON_Parse(e->params_json) : NULL;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(p, "cot");
    *cot = !cJSON_IsFalse(c);
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(p, "other");
    *other = sk_xstrdup(cJSON_IsString(o) && o->valuestring[0] ? o->valuestring : "expected");
    cJSON_Delete(p);
}

int sk_meta_validate(const sk_pack *pack, const sk_meta_opts *opts, sk_meta_report **out,
                     char **err)
{
    *out = NULL;
    for (size_t i = 0; i < opts->nonly; i++) {
        size_t j = 0;
        while (j < pack->n && strcmp(pack->entries[j].name, opts->only[i]) != 0)
            j++;
        if (j == pack->n) {
            sk_buf names = {0};
            for (j = 0; j < pack->n; j++)
                sk_buf_printf(&names, "%s%s", j ? ", " : "", pack->entries[j].name);
            int rc = sk_errf(err, SK_ENOTFOUND,
                             "--scorer %s: the pack %s has no such scorer (it has: %s)",
                             opts->only[i], pack->name, names.data ? names.data : "none");
            sk_buf_free(&names);
            return rc;
        }
    }
    pack_config cfg;
    int rc = read_config(pack, &cfg, err);
    if (rc) {
        config_free(&cfg, pack->n);
        return rc;
    }
    sk_meta_report *rep = sk_xcalloc(1, sizeof *rep);
    rep->pack = sk_xstrdup(pack->name);
    rep->scorers = sk_xcalloc(pack->n ? pack->n : 1, sizeof *rep->scorers);
    /* Every scorer's cases are chosen before any is scored, so the progress
     * can count calls against the whole validation's. */
    size_t *entry_of = sk_xcalloc(pack->n ? pack->n : 1, sizeof *entry_of);
    calls_done calls = {0, 0};
    for (size_t i = 0; i < pack->n && rc == SK_OK; i++) {
        const sk_pack_entry *e = &pack->entries[i];
        if (!wanted(opts, e->name))
            continue;
        entry_of[rep->n] = i;
        sk_meta_scorer *s = &rep->scorers[rep->n++];
        const sk_scorer_def *def = e->ops->def(e->impl);
        s->name = sk_xstrdup(e->name);
        s->use = sk_xstrdup(e->use);
        s->engine = sk_xstrdup(e->ops->kind);
        s->flags = e->flags;
        s->cut = e->has_threshold ? e->threshold : 0.5;
        sk_meta_thresholds_default(&s->th);
        sk_meta_thresholds_merge(&s->th, &cfg.pack);
        sk_meta_thresholds_merge(&s->th, &cfg.entry[i]);
        sk_meta_thresholds_merge(&s->th, opts->cli);
        s->accepts = s->th.accepts ? s->th.accepts : def ? def->accepts : 0;
        s->pairwise = (s->flags & SK_SCORER_PAIRWISE) != 0;
        /* A judge that neither compares with a reference nor with another
         * answer judges a criterion of the user's: correctness cases fit it
         * only when its entry says the criterion is correctness. */
        s->criterion = (s->flags & SK_SCORER_USES_LLM) &&
                       !(s->flags & (SK_SCORER_NEEDS_EXPECTED | SK_SCORER_PAIRWISE)) &&
                       s->th.correctness != 1;
        if (s->th.builtin < 0 && s->th.correctness == 1)
            s->th.builtin = 1;
        int cot;
        char *other;
        read_params(e, &cot, &other);
        s->no_rationale = !cot;
        if (s->th.low > s->th.high) {
            rc = sk_errf(err, SK_EINVAL, "scorer %s: the low bar (%g) is above the high bar (%g)",
                         s->name, s->th.low, s->th.high);
            break;
        }
        s->repeat =
            s->th.repeat > 0 ? s->th.repeat : ((s->flags & SK_SCORER_NONDETERMINISTIC) ? 3 : 1);
        char *msg = NULL;
        if (sk_fingerprint_entry(e, opts->reg, opts->project_dir, s->fingerprint, &msg) != SK_OK) {
            s->problem = sk_asprintf("cannot be fingerprinted: %s", msg);
            free(msg);
        }
        /* The scorer's own cases first, so its author's intent leads the
         * report. */
        const char *own_cases = e->ops->meta_cases ? e->ops->meta_cases(e->impl) : NULL;
        if (own_cases) {
            sk_metacase_set own = {0};
            const char *src = e->ops->source_file ? e->ops->source_file(e->impl, opts->reg) : NULL;
            char *where = sk_asprintf("%s meta_cases", src ? src : e->name);
            rc = sk_metacase_parse_array(&own, own_cases, where, SK_MC_OWN, err);
            free(where);
            select_cases(s, other, &own);
            sk_metacase_set_free(&own);
            if (rc) {
                free(other);
                break;
            }
        }
        select_cases(s, other, &cfg.entry_cases[i]);
        select_cases(s, other, &cfg.pack_cases);
        select_cases(s, other, opts->extra);
        select_cases(s, other, opts->builtin);
        free(other);
        for (size_t c = 0; !s->problem && c < s->cases.n; c++)
            calls.total += case_calls(s, c);
    }
    for (size_t k = 0; k < rep->n && rc == SK_OK; k++) {
        sk_meta_scorer *s = &rep->scorers[k];
        const sk_pack_entry *e = &pack->entries[entry_of[k]];
        if (!s->problem) {
            int jobs = opts->jobs;
            if (jobs <= 0)
                jobs = (s->flags & SK_SCORER_USES_LLM) ? 8 : 1;
            size_t before = calls.done;
            run_cases(s, pack, e, jobs, opts, &calls);
            /* A scorer that could not open made none of its calls. */
            for (size_t c = 0; c < s->cases.n; c++)
                before += case_calls(s, c);
            calls.done = before;
        }
        sk_meta_judge(s);
        if (opts->progress)
            opts->progress(calls.done, calls.total, opts->progress_ud);
    }
    free(entry_of);
    config_free(&cfg, pack->n);
    if (rc) {
        sk_meta_report_free(rep);
        return rc;
    }
    rep->verdict = SK_CHECK_NA;
    for (size_t i = 0; i < rep->n; i++)
        if (rep->scorers[i].verdict > rep->verdict)
            rep->verdict = rep->scorers[i].verdict;
    *out = rep;
    return SK_OK;
}

static void free_obs(sk_meta_obs *o)
{
    free(o->rationale);
    free(o->meta);
    free(o->message);
}

void sk_meta_report_free(sk_meta_report *rep)
{
    if (!rep)
        return;
    for (size_t i = 0; i < rep->n; i++) {
        sk_meta_scorer *s = &rep->scorers[i];
        free(s->name);
        free(s->use);
        free(s->engine);
        free(s->problem);
        free(s->note);
        for (int c = 0; c < SK_CHK_COUNT; c++)
            free(s->checks[c].why);
        for (size_t j = 0; j < s->nresults; j++) {
            free_obs(&s->results[j].obs[0]);
            free_obs(&s->results[j].obs[1]);
        }
        free(s->results);
        sk_metacase_set_free(&s->cases);
    }
    free(rep->scorers);
    free(rep->pack);
    free(rep);
}
