/* Scoring new logs by every online rule (see watch.h). */
#include "online/watch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/util.h"
#include "engine/host.h"
#include "engine/pack.h"
#include "run/pool.h"
#include "run/rowscore.h"
#include "online/ingest.h"
#include "online/log_parse.h"
#include "online/stream.h"
#include "store/log_scores.h"
#include "store/logs.h"

typedef struct worker {
    sk_host_ctx host;
    void **states;
    sk_rowscore rs;
    sk_buf line;
    int opened;
} worker;

/* One log chosen for scoring and, once scored, its verdicts. */
typedef struct item {
    const sk_log *log;
    sk_buf line; /* the row the scorers see */
    sk_verdict *kind;
    double *score;
    char **rationale, **message;
} item;

typedef struct rule_rt {
    const sk_rule *r;
    sk_pack *pack;
    worker *w;
    int nw;
    int paused;
    item *items; /* the batch being scored */
} rule_rt;

static void emit(const sk_watch_opts *o, const char *rule, int kind, size_t read, size_t scored,
                 const char *message)
{
    if (!o->event)
        return;
    sk_watch_event e = {rule, kind, read, scored, message};
    o->event(o->event_ud, &e);
}

static void close_rule(rule_rt *rt)
{
    for (int i = 0; i < rt->nw; i++) {
        worker *w = &rt->w[i];
        sk_rowscore_free(&w->rs);
        sk_buf_free(&w->line);
        if (w->opened)
            sk_pack_close(rt->pack, &w->host, w->states);
        free(w->states);
    }
    free(rt->w);
    sk_pack_free(rt->pack);
    memset(rt, 0, sizeof *rt);
}

static int open_rule(rule_rt *rt, const sk_rule *r, const sk_watch_opts *o, char **err)
{
    memset(rt, 0, sizeof *rt);
    rt->r = r;
    int rc;
    if (r->pack_path) {
        rc = sk_pack_load(&rt->pack, r->pack_path, o->reg, err);
    } else {
        char *where = sk_asprintf("%s: rule %s", r->where, r->name);
        rc = sk_pack_parse(&rt->pack, r->pack_json, strlen(r->pack_json), where, o->reg, err);
        free(where);
    }
    if (rc)
        return rc;
    rt->nw = o->jobs > 0 ? o->jobs : 4;
    rt->w = sk_xcalloc((size_t)rt->nw, sizeof *rt->w);
    for (int i = 0; i < rt->nw && rc == SK_OK; i++) {
        worker *w = &rt->w[i];
        w->states = sk_xcalloc(rt->pack->n + 1, sizeof *w->states);
        sk_host_init(&w->host, o->llm, o->project_dir, NULL);
        rc = sk_pack_open(rt->pack, &w->host, w->states, err);
        w->opened = rc == SK_OK;
        sk_rowscore_init(&w->rs, rt->pack, &w->host, w->states);
    }
    if (rc)
        close_rule(rt);
    return rc;
}

static void row_line(const sk_log *l, sk_buf *b)
{
    b->len = 0;
    sk_buf_adds(b, "{\"id\":");
    sk_buf_add_json_string(b, l->id, strlen(l->id));
    sk_buf_adds(b, ",\"input\":");
    sk_buf_adds(b, l->input_json);
    sk_buf_adds(b, ",\"output\":");
    sk_buf_adds(b, l->output_json ? l->output_json : "null");
    if (l->expected_json) {
        sk_buf_adds(b, ",\"expected\":");
        sk_buf_adds(b, l->expected_json);
    }
    if (l->metadata_json) {
        sk_buf_adds(b, ",\"metadata\":");
        sk_buf_adds(b, l->metadata_json);
    }
    sk_buf_addc(b, '}');
}

typedef struct batch {
    rule_rt *rt;
    item *items;
} batch;

static void score_one(void *ud, int worker_i, size_t i)
{
    batch *b = ud;
    worker *w = &b->rt->w[worker_i];
    item *it = &b->items[i];
    size_t ns = b->rt->pack->n;
    sk_span spans[SK_F_COUNT];
    char msg[256];
    if (sk_row_parse(it->line.data, it->line.len, sk_row_keys, spans, msg, sizeof msg)) {
        for (size_t s = 0; s < ns; s++) {
            it->kind[s] = SK_VERDICT_ERROR;
            it->score[s] = NAN;
            it->message[s] = sk_asprintf("log %s cannot be scored: %s", it->log->id, msg);
        }
        return;
    }
    sk_rowscore_run(&w->rs, spans, 0);
    for (size_t s = 0; s < ns; s++) {
        const sk_result *r = &w->rs.results[s];
        it->kind[s] = r->kind;
        it->score[s] = r->kind == SK_VERDICT_SCORE ? r->score : NAN;
        it->rationale[s] = r->rationale.len ? sk_xstrdup(r->rationale.data) : NULL;
        it->message[s] = r->message.len ? sk_xstrdup(r->message.data) : NULL;
    }
}

/* What a model error means for the batch: 2 the key is refused, 1 the
 * model is overloaded, 0 an answer like any other (the client's message
 * says "HTTP NNN after N attempts"). */
static int model_trouble(const char *m)
{
    if (!m)
        return 0;
    if (strstr(m, "HTTP 401 after") || strstr(m, "HTTP 403 after"))
        return 2;
    if (strstr(m, "HTTP 429 after") || strstr(m, "HTTP 503 after") || strstr(m, "HTTP 529 after"))
        return 1;
    return 0;
}

static const char *kind_name(sk_verdict k)
{
    return k == SK_VERDICT_SCORE ? "score" : k == SK_VERDICT_SKIP ? "skipped" : "error";
}

static void free_items(item *items, size_t n, size_t ns)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t s = 0; s < ns; s++) {
            free(items[i].rationale[s]);
            free(items[i].message[s]);
        }
        free(items[i].kind);
        free(items[i].score);
        free(items[i].rationale);
        free(items[i].message);
        sk_buf_free(&items[i].line);
    }
    free(items);
}

static int stopped(atomic_int *stop)
{
    return stop && atomic_load(stop);
}

static void nap(unsigned ms, atomic_int *stop)
{
    for (unsigned t = 0; t < ms && !stopped(stop); t += 50) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* After a batch of a rule with an alert: its window's mean against the bar. */
static int check_alert(sk_store *st, const sk_rule *r, const sk_watch_opts *o, char **err)
{
    long long now = (long long)time(NULL), w = r->alert_window_s;
    long long from = now - now % w;
    double mean;
    long long n;
    int rc = sk_log_scores_recent(st, r->name, from, &mean, &n, err);
    if (rc || !n || !(mean < r->alert_below))
        return rc;
    int first = 0;
    if ((rc = sk_rule_alert_once(st, r->name, from, &first, err)) != SK_OK || !first)
        return rc;
    char *json = sk_asprintf("{\"rule\":\"%s\",\"window_start\":%lld,\"window_end\":%lld,"
                             "\"scores\":%lld,\"mean\":%.6g,\"below\":%.6g}",
                             r->name, from, from + w, n, mean, r->alert_below);
    /* The command is the project's own configuration, run as written. */
    FILE *p = popen(r->alert_command, "w");
    int status = -1;
    if (p) {
        fputs(json, p);
        fputc('\n', p);
        status = pclose(p);
    }
    char *m = sk_asprintf("%s; `%s` %s", json, r->alert_command,
                          status == 0 ? "ran" : "failed (it exits non-zero, or cannot run)");
    emit(o, r->name, SK_WATCH_ALERT, 0, 0, m);
    free(m);
    free(json);
    return SK_OK;
}

/* Score logs[0..n) by rule rt and commit its verdicts: with the rule's
 * checkpoint moved past them (checkpoint), or else (a stream's entries)
 * each verdict written unless it is already there.  *trouble: 1 the model
 * was overloaded, 2 it refused the key (the rule is paused): nothing was
 * committed. */
static int score_logs(sk_store *st, rule_rt *rt, const sk_watch_opts *o, sk_log *logs, size_t n,
                      int checkpoint, int *trouble_out, char **err)
{
    const sk_rule *r = rt->r;
    int rc = SK_OK;
    size_t ns = rt->pack->n, nsel = 0;
    item *items = sk_xcalloc(n, sizeof *items);
    for (size_t i = 0; i < n; i++) {
        if (!sk_rule_samples(r, logs[i].id))
            continue;
        if (r->filter) {
            cJSON *row = sk_log_fields(&logs[i]);
            int in = sk_filter_match(r->filter, row);
            cJSON_Delete(row);
            if (!in)
                continue;
        }
        item *it = &items[nsel++];
        it->log = &logs[i];
        row_line(&logs[i], &it->line);
        it->kind = sk_xcalloc(ns, sizeof *it->kind);
        it->score = sk_xcalloc(ns, sizeof *it->score);
        it->rationale = sk_xcalloc(ns, sizeof *it->rationale);
        it->message = sk_xcalloc(ns, sizeof *it->message);
    }
    batch b = {rt, items};
    if (nsel)
        sk_pool_each(rt->nw, nsel, score_one, &b);
    int trouble = 0;
    const char *why = NULL;
    for (size_t i = 0; i < nsel && trouble < 2; i++)
        for (size_t s = 0; s < ns; s++)
            if (items[i].kind[s] == SK_VERDICT_ERROR) {
                int t = model_trouble(items[i].message[s]);
                if (t > trouble) {
                    trouble = t;
                    why = items[i].message[s];
                }
            }
    if (trouble == 2) {
        char *m = sk_asprintf("a model refused the key (%s); fix the key, then "
                              "`scorekit watch --resume-rule %s`",
                              why, r->name);
        rc = sk_rule_pause(st, r->name, m, err);
        if (rc == SK_OK) {
            emit(o, r->name, SK_WATCH_PAUSED, n, 0, m);
            rt->paused = 1;
        }
        free(m);
    } else if (trouble == 1) {
        emit(o, r->name, SK_WATCH_BACKOFF, n, 0, why);
        nap(o->backoff_ms ? o->backoff_ms : 2000, o->stop);
    } else {
        sk_log_score *v = sk_xcalloc(nsel * ns + 1, sizeof *v);
        size_t nv = 0;
        for (size_t i = 0; i < nsel; i++)
            for (size_t s = 0; s < ns; s++) {
                const sk_pack_entry *e = &rt->pack->entries[s];
                v[nv++] = (sk_log_score){items[i].log->id,
                                         e->name,
                                         kind_name(items[i].kind[s]),
                                         items[i].score[s],
                                         items[i].rationale[s],
                                         items[i].message[s],
                                         e->has_threshold,
                                         e->threshold};
            }
        rc = checkpoint
                 ? sk_log_scores_commit(st, r->name, v, nv, logs[n - 1].seq, (long long)nsel, err)
                 : sk_log_scores_put(st, r->name, v, nv, err);
        free(v);
        if (rc == SK_OK) {
            emit(o, r->name, SK_WATCH_BATCH, n, nsel, NULL);
            if (r->has_alert && nsel)
                rc = check_alert(st, r, o, err);
        }
    }
    *trouble_out = trouble;
    free_items(items, nsel, ns);
    return rc;
}

/* One batch of one rule.  *progress: logs read (0: caught up). */
static int step_rule(sk_store *st, rule_rt *rt, const sk_watch_opts *o, size_t *progress,
                     char **err)
{
    *progress = 0;
    const sk_rule *r = rt->r;
    int64_t seq;
    long long scored_before;
    char *paused = NULL;
    int rc = sk_rule_state(st, r->name, &seq, &scored_before, &paused, err);
    if (rc)
        return rc;
    if (paused) {
        if (!rt->paused)
            emit(o, r->name, SK_WATCH_PAUSED, 0, 0, paused);
        rt->paused = 1;
        free(paused);
        return SK_OK;
    }
    rt->paused = 0;
    sk_log *logs = NULL;
    size_t n = 0;
    if ((rc = sk_logs_after(st, seq, o->batch ? o->batch : 256, &logs, &n, err)) != SK_OK || !n) {
        sk_logs_free(logs, n);
        return rc;
    }
    int trouble = 0;
    rc = score_logs(st, rt, o, logs, n, 1, &trouble, err);
    if (rc == SK_OK && !trouble)
        *progress = n;
    sk_logs_free(logs, n);
    return rc;
}

static int open_rules(rule_rt **out, size_t *opened, const sk_watch_opts *o, char **err)
{
    const sk_rules *rules = o->rules;
    size_t n = 0;
    for (size_t i = 0; i < rules->n; i++)
        n += !o->only || strcmp(rules->v[i].name, o->only) == 0;
    *out = NULL;
    *opened = 0;
    if (!n)
        return sk_errf(err, SK_EINVAL,
                       o->only ? "no online rule named %s in scorekit.json"
                               : "no online rules: add \"online\": [{\"name\", \"filter\", "
                                 "\"scorers\"}] to scorekit.json%s",
                       o->only ? o->only : "");
    rule_rt *rt = sk_xcalloc(n, sizeof *rt);
    int rc = SK_OK;
    for (size_t i = 0; i < rules->n && rc == SK_OK; i++)
        if (!o->only || strcmp(rules->v[i].name, o->only) == 0)
            if ((rc = open_rule(&rt[*opened], &rules->v[i], o, err)) == SK_OK)
                (*opened)++;
    *out = rt;
    return rc;
}

int sk_watch_run(sk_store *st, const sk_watch_opts *o, char **err)
{
    rule_rt *rt = NULL;
    size_t opened = 0;
    int rc = open_rules(&rt, &opened, o, err);
    while (rc == SK_OK && !stopped(o->stop)) {
        size_t busy = 0;
        for (size_t i = 0; i < opened && rc == SK_OK && !stopped(o->stop); i++) {
            size_t progress = 0;
            rc = step_rule(st, &rt[i], o, &progress, err);
            busy += progress;
        }
        if (rc || busy)
            continue;
        if (o->once)
            break;
        emit(o, NULL, SK_WATCH_IDLE, 0, 0, NULL);
        nap(o->poll_ms ? o->poll_ms : 500, o->stop);
    }
    for (size_t i = 0; i < opened; i++)
        close_rule(&rt[i]);
    free(rt);
    return rc;
}

/* ---- a consumer of a Redis stream ---- */

int sk_watch_stream(sk_store *st, const sk_watch_opts *o, const sk_watch_stream_opts *so,
                    char **err)
{
    sk_stream *s = NULL;
    rule_rt *rt = NULL;
    size_t opened = 0;
    long idle = so->idle_ms > 0 ? so->idle_ms : 30000;
    long maxf = so->max_failures > 0 ? so->max_failures : 3;
    int rc = sk_stream_open(&s, so->url, err);
    if (rc == SK_OK)
        rc = sk_stream_group(s, so->group, err);
    if (rc == SK_OK)
        rc = open_rules(&rt, &opened, o, err);
    while (rc == SK_OK && !stopped(o->stop)) {
        sk_stream_entry *e = NULL;
        size_t got = 0;
        rc = sk_stream_read(s, so->group, so->consumer, o->batch ? o->batch : 256,
                            o->once ? 0 : (long)(o->poll_ms ? o->poll_ms : 500), idle, &e, &got,
                            err);
        if (rc || !got) {
            sk_stream_entries_free(e, got);
            if (rc || o->once)
                break;
            continue;
        }
        /* The entries that hold a log; the others count a failure. */
        sk_log_vec lv = {0};
        size_t *of = sk_xcalloc(got, sizeof *of); /* entry of each log */
        for (size_t i = 0; rc == SK_OK && i < got; i++) {
            char *why = NULL;
            size_t before = lv.n;
            if (!e[i].json || sk_log_row_parse(e[i].json, strlen(e[i].json), &lv, &why) != SK_OK) {
                int dead = 0;
                char *m = sk_asprintf("entry %s is not a log: %s", e[i].id,
                                      why ? why : "it has no \"log\" field");
                rc = sk_stream_fail(s, so->group, &e[i], m, maxf, &dead, err);
                char *say = sk_asprintf("%s%s", m, dead ? "; moved to the dead-letter stream" : "");
                emit(o, sk_stream_name(s), SK_WATCH_BAD, 0, 0, say);
                free(say);
                free(m);
            }
            free(why);
            for (size_t k = before; k < lv.n; k++)
                of[k] = i;
        }
        size_t added = 0;
        if (rc == SK_OK && lv.n)
            rc = sk_logs_store(st, lv.v, lv.n, &added, err);
        int trouble = 0;
        for (size_t r = 0; rc == SK_OK && lv.n && r < opened && !trouble; r++)
            rc = score_logs(st, &rt[r], o, lv.v, lv.n, 0, &trouble, err);
        /* Scored and committed: acknowledged.  Otherwise they stay pending
         * and come back after `idle`. */
        for (size_t k = 0; rc == SK_OK && !trouble && k < lv.n; k++)
            rc = sk_stream_ack(s, so->group, e[of[k]].id, err);
        free(of);
        sk_log_vec_free(&lv);
        sk_stream_entries_free(e, got);
        if (trouble && o->once)
            break;
    }
    for (size_t i = 0; i < opened; i++)
        close_rule(&rt[i]);
    free(rt);
    sk_stream_close(s);
    return rc;
}
