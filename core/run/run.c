/*
 * The experiment runner (see run.h).  The calling thread reads the dataset
 * (on a second connection, so reading and writing never wait on each
 * other) and feeds row x trial jobs to the worker pool (run/pool.h);
 * workers run the task and the scorers and never touch the store; the
 * finished cells go to the writer's thread (run/cell_writer.h), which has
 * the caller's store to itself until the last cell is written.
 */
#include "run/run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "store/dataset.h"
#include "store/project.h"
#include "base/error.h"
#include "base/hash.h"
#include "llm/llm.h"
#include "run/cell_writer.h"
#include "run/jobs.h"
#include "run/pool.h"
#include "run/rowscore.h"

/* Finished cells go to the writer by the batch, and at least this often
 * while cells finish. */
#define FLUSH_MS 200

/* One row x trial to run. */
typedef struct item {
    char *row_json;
    char *row_id;
    int64_t pos;
    unsigned trial;
} item;

/* Workers take items in jobs of several, so fast tasks (a column) do not
 * spend their time waking threads; slow ones (exec) get jobs of one. */
#define JOB_MAX 64
typedef struct job {
    size_t n;
    item items[JOB_MAX];
    sk_cell *cells[JOB_MAX]; /* filled by the worker */
} job;

static void job_clear(job *j)
{
    for (size_t i = 0; i < j->n; i++) {
        free(j->items[i].row_json);
        free(j->items[i].row_id);
    }
    j->n = 0;
}

/* A job never handed to the pool; NULL is a no-op. */
static void job_drop(job *j)
{
    if (j) {
        job_clear(j);
        free(j);
    }
}

typedef struct pool {
    const sk_run_opts *o;
    sk_host_ctx host; /* the run's: opens and closes the shared states */
    const sk_task_ops *task;
    void *task_state;
    void **shared;
    struct worker *workers;
    /* finished cells, not yet handed to the writer */
    sk_cell **done;
    size_t dlen, dcap;
} pool;

typedef struct worker {
    pool *p;
    sk_host_ctx host; /* a copy of the run's, billing this worker's cell */
    void **states;
    sk_rowscore rs;
    sk_buf line;
} worker;

static char *dup_buf(const sk_buf *b)
{
    return b->len ? sk_xstrndup(b->data, b->len) : NULL;
}

/* The row as `scorekit score` reads it: the dataset row's fields, with the
 * task's output in "output". */
static void scoring_row(const char *row_json, const char *output, sk_buf *line)
{
    static const char *const keys[] = {"id", "input", "expected", "metadata"};
    sk_span sp[4];
    char msg[64];
    sk_buf_reset(line);
    sk_row_scan_trusted(row_json, strlen(row_json), keys, 4, sp, msg, sizeof msg);
    sk_buf_addc(line, '{');
    for (int i = 0; i < 4; i++)
        if (sp[i].p) {
            sk_buf_addc(line, '"');
            sk_buf_adds(line, keys[i]);
            sk_buf_adds(line, "\":");
            sk_buf_add(line, sp[i].p, sp[i].n);
            sk_buf_addc(line, ',');
        }
    sk_buf_adds(line, "\"output\":");
    sk_buf_adds(line, output);
    sk_buf_addc(line, '}');
}

static sk_cell *run_cell_inner(worker *w, const item *j, sk_llm_usage *task_usage)
{
    pool *p = w->p;
    sk_cell *cell = sk_xcalloc(1, sizeof *cell);
    cell->row_id = sk_xstrdup(j->row_id);
    cell->trial = j->trial;
    cell->pos = j->pos;
    cell->overall = NAN;
    sk_task_result tr = {0};
    sk_task_result_reset(&tr);
    tr.account.experiment = p->host.account.experiment;
    double t0 = sk_now_ms();
    if (p->task->run(p->task_state, j->row_json, j->trial, &tr) != 0 && !tr.failed) {
        tr.failed = 1;
        sk_buf_adds(&tr.error, "the task could not run (host error)");
    }
    *task_usage = tr.account.usage;
    cell->latency_ms = tr.latency_ms > 0 ? tr.latency_ms : sk_now_ms() - t0;
    if (tr.failed) {
        cell->task_error = tr.error.len ? dup_buf(&tr.error) : sk_xstrdup("task failed");
        sk_task_result_free(&tr);
        return cell;
    }
    cell->output_json = dup_buf(&tr.output);
    sk_task_result_free(&tr);
    if (!cell->output_json)
        cell->output_json = sk_xstrdup("null");

    scoring_row(j->row_json, cell->output_json, &w->line);
    sk_span spans[SK_F_COUNT];
    char msg[512];
    if (sk_row_parse(w->line.data, w->line.len, sk_row_keys, spans, msg, sizeof msg) != SK_OK) {
        free(cell->output_json);
        cell->output_json = NULL;
        cell->task_error = sk_asprintf("the task's output could not be scored: %s", msg);
        return cell;
    }
    sk_rowscore_run(&w->rs, spans, j->trial);
    const sk_pack *pack = p->o->pack;
    cell->overall = w->rs.overall;
    cell->pass = w->rs.verdict.pass;
    cell->nscores = pack->n;
    cell->scores = sk_xcalloc(pack->n ? pack->n : 1, sizeof *cell->scores);
    for (size_t i = 0; i < pack->n; i++) {
        const sk_result *r = &w->rs.results[i];
        struct sk_cell_score *s = &cell->scores[i];
        s->scorer = pack->entries[i].name;
        s->kind = r->kind;
        s->score = r->score;
        if (r->kind != SK_VERDICT_SCORE)
            s->message = dup_buf(&r->message);
        else {
            s->rationale = dup_buf(&r->rationale);
            s->meta_json = dup_buf(&r->meta);
        }
    }
    return cell;
}

/* One row x trial: the task, then the pack, with the model calls both made
 * counted for the cell: the task's from its result, the scorers' from the
 * worker's host, whatever threads they were made on. */
static sk_cell *run_cell(worker *w, const item *j)
{
    memset(&w->host.account.usage, 0, sizeof w->host.account.usage);
    sk_llm_usage u = {0};
    sk_cell *cell = run_cell_inner(w, j, &u);
    sk_llm_usage_add(&u, &w->host.account.usage);
    cell->llm_calls = u.calls;
    cell->prompt_tokens = u.prompt_tokens;
    cell->completion_tokens = u.completion_tokens;
    cell->cost = u.cost;
    return cell;
}

/* The cancel flag, set by a signal handler on any thread: read
 * atomically (a lock-free load is safe beside the handler's store). */
static int cancelled(const sk_run_opts *o)
{
    return o->cancel && __atomic_load_n(o->cancel, __ATOMIC_RELAXED) != 0;
}

/* A cell not started when Ctrl-C came stays NULL: nothing new starts once
 * the flag is up, whenever the calling thread gets to cancel the pool. */
static void job_fn(void *ud, int worker_index, void *item)
{
    pool *p = ud;
    job *j = item;
    for (size_t i = 0; i < j->n; i++)
        j->cells[i] = cancelled(p->o) ? NULL : run_cell(&p->workers[worker_index], &j->items[i]);
}

/* A job back from the workers: its cells to write, its items freed.  A
 * job dropped by a cancel had no cell made. */
static void job_done(pool *p, job *j, int ran)
{
    if (ran) {
        p->done = sk_xgrow(p->done, &p->dcap, p->dlen + j->n, sizeof *p->done);
        for (size_t i = 0; i < j->n; i++)
            if (j->cells[i])
                p->done[p->dlen++] = j->cells[i];
    }
    job_clear(j);
    free(j);
}

/* FNV-1a of the pack's canonical description: a changed param, threshold
 * or scorer changes it. */
static char *hash_text(const char *s)
{
    uint64_t h = sk_fnv64(SK_FNV64_LEGACY_INIT, s, strlen(s));
    return sk_asprintf("%016llx", (unsigned long long)h);
}

int sk_run_create_experiment(sk_store *st, const sk_experiment *e, const sk_pack *pack, char **err)
{
    sk_experiment_scorer *sc = sk_xcalloc(pack->n ? pack->n : 1, sizeof *sc);
    for (size_t i = 0; i < pack->n; i++) {
        const sk_pack_entry *pe = &pack->entries[i];
        sc[i] = (sk_experiment_scorer){
            pe->name, pe->has_threshold, pe->threshold, pe->weight,
            pe->reducer == SK_REDUCE_MEAN ? NULL : sk_reducer_name(pe->reducer)};
    }
    int rc = sk_experiment_create(st, e, sc, pack->n, err);
    free(sc);
    return rc;
}

char *sk_run_snapshot(const sk_run_opts *o, const char *dataset_ref, char **pack_hash)
{
    char *desc = sk_pack_describe(o->pack);
    *pack_hash = hash_text(desc);
    cJSON *snap = cJSON_CreateObject();
    cJSON_AddItemToObject(snap, "task", cJSON_Duplicate(o->task, 1));
    /* Beside the task, not in it: a resumed run opens the task as recorded. */
    const sk_task_ops *ops = sk_task_find(o->task, NULL);
    char *refs = ops && ops->snapshot ? ops->snapshot(o->task, o->project_dir) : NULL;
    cJSON *rj = refs ? cJSON_Parse(refs) : NULL;
    if (rj)
        cJSON_AddItemToObject(snap, "task_refs", rj);
    free(refs);
    cJSON_AddItemToObject(snap, "pack", cJSON_Parse(desc));
    cJSON_AddStringToObject(snap, "pack_hash", *pack_hash);
    if (o->pack_path)
        cJSON_AddStringToObject(snap, "pack_path", o->pack_path);
    cJSON_AddStringToObject(snap, "dataset", dataset_ref);
    cJSON_AddNumberToObject(snap, "trials", o->trials);
    cJSON_AddStringToObject(snap, "scorekit", PACKAGE_VERSION);
    char *text = cJSON_PrintUnformatted(snap);
    cJSON_Delete(snap);
    free(desc);
    return text;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Resuming: is this cell among the ones the experiment has? */
static int is_done(char **done, size_t ndone, const char *row_id, unsigned trial)
{
    if (!ndone)
        return 0;
    char *key = sk_asprintf("%s\t%u", row_id, trial);
    int found = bsearch(&key, done, ndone, sizeof *done, cmp_key) != NULL;
    free(key);
    return found;
}

/* The finished cells to the writer, and the progress so far. */
static int hand_over(sk_cell_writer *cw, pool *p, sk_run_result *res, char **err)
{
    int rc = sk_cell_writer_put(cw, p->done, p->dlen, err);
    p->done = NULL;
    p->dlen = p->dcap = 0;
    const sk_run_opts *o = p->o;
    if (o->progress) {
        size_t written, task_errors;
        sk_cell_writer_counts(cw, &written, &task_errors);
        o->progress(res->skipped + written, res->cells, o->progress_ud);
    }
    return rc;
}

int sk_run(sk_store *st, const sk_run_opts *o, sk_run_result *res, char **err)
{
    memset(res, 0, sizeof *res);
    double t0 = sk_now_ms();
    const sk_pack *pack = o->pack;
    sk_dataset_version dv = {0};
    sk_experiment e = {0};
    int rc;

    /* The task and every scorer are opened before anything is recorded: a
     * bad command, configuration or pattern leaves no empty experiment
     * behind. */
    pool p = {0};
    p.o = o;
    {
        char *msg = NULL;
        p.task = sk_task_find(o->task, &msg);
        if (!p.task)
            rc = sk_errf(err, SK_EINVAL, "%s", msg);
        else
            rc = p.task->open(o->task, o->project_dir, o->llm, &p.task_state, err);
        free(msg);
        if (rc)
            return rc;
    }

    /* A scorer or task that waits on a model spends its time in flight:
     * one row per hand-off, and by default as many workers as the client
     * lets requests fly (sk_jobs_default). */
    int uses_llm = p.task->uses_llm;
    for (size_t i = 0; i < pack->n; i++)
        uses_llm |= (pack->entries[i].flags & SK_SCORER_USES_LLM) != 0;
    int jobs = o->jobs > 0 ? o->jobs : sk_jobs_default(pack, p.task->uses_llm, o->llm);
    if (jobs > 1024)
        jobs = 1024;
    worker *workers = sk_xcalloc((size_t)jobs, sizeof *workers);
    int opened = 0;
    sk_pool *wp = NULL;
    /* The experiment is named on the hosts once it is recorded, before
     * any worker starts. */
    sk_host_init(&p.host, o->llm, o->project_dir, NULL);
    rc = sk_pack_open_shared(pack, &p.host, &p.shared, err);
    for (; rc == SK_OK && opened < jobs; opened++) {
        worker *w = &workers[opened];
        w->p = &p;
        sk_host_init(&w->host, o->llm, o->project_dir, NULL);
        w->states = sk_xcalloc(pack->n ? pack->n : 1, sizeof(void *));
        rc = sk_pack_open_worker(pack, &w->host, p.shared, w->states, err);
        if (rc) {
            free(w->states);
            break;
        }
        sk_rowscore_init(&w->rs, pack, &w->host, w->states);
    }

    /* Resuming takes the experiment's lease before reading which cells it
     * has: a second resume of the same experiment is refused here, and
     * one that takes over from a killed run sees all it recorded. */
    int leased = 0;
    if (rc == SK_OK && o->resume_id) {
        rc = sk_experiment_load(st, o->resume_id, &e, err);
        if (rc == SK_OK)
            rc = sk_experiment_lease_take(st, e.id, err);
        leased = rc == SK_OK;
        if (rc == SK_OK) {
            char *ref = sk_asprintf("%s", e.dataset_ref);
            rc = sk_dataset_resolve(st, ref, &dv, err);
            free(ref);
        }
    } else if (rc == SK_OK) {
        rc = sk_dataset_resolve(st, o->dataset_ref, &dv, err);
        if (rc == SK_OK) {
            e.id = sk_experiment_new_id();
            e.name = sk_xstrdup(o->name ? o->name : "run");
            e.created_at = sk_now_utc();
            e.git_commit = sk_git_commit(o->project_dir);
            e.scorekit_version = sk_xstrdup(PACKAGE_VERSION);
            e.dataset_version_id = dv.id;
            e.dataset_ref = sk_asprintf("%s@%d", dv.name, dv.version);
            e.trials = o->trials;
            e.config_json = sk_run_snapshot(o, e.dataset_ref, &e.pack_hash);
            e.origin = o->origin ? sk_xstrdup(o->origin) : NULL;
            rc = sk_run_create_experiment(st, &e, pack, err);
            leased = rc == SK_OK;
        }
    }
    char **done = NULL;
    size_t ndone = 0;
    sk_store *rd = NULL;
    sk_dataset_iter *it = NULL;
    sk_cell_writer *cw = NULL;
    if (leased) {
        res->id = sk_xstrdup(e.id);
        /* Model calls made for this run are logged against it. */
        p.host.account.experiment = e.id;
        for (int i = 0; i < opened; i++)
            workers[i].host.account.experiment = e.id;
        res->cells = (size_t)dv.rows * (size_t)e.trials;
        if (rc == SK_OK && o->resume_id)
            rc = sk_experiment_done_cells(st, e.id, &done, &ndone, err);
        /* Reading goes through its own connection. */
        if (rc == SK_OK)
            rc = sk_store_open(&rd, o->project_dir, err);
        if (rc == SK_OK)
            rc = sk_dataset_iter_open(&it, rd, dv.id, err);
        if (rc == SK_OK)
            rc = sk_cell_writer_start(&cw, st, e.id, err);
    }
    int trials = e.trials;

    if (rc == SK_OK) {
        p.workers = workers;
        /* Jobs are large: a few per worker, queued or running. */
        wp = sk_pool_new(jobs, (size_t)jobs * 3 + 2, 0, job_fn, &p);
        if (sk_pool_threads(wp) == 0)
            rc = sk_errf(err, SK_EIO, "cannot start any worker thread");

        /* About eight jobs per worker over the run, at most JOB_MAX each. */
        size_t job_size = res->cells / ((size_t)jobs * 8);
        job_size = job_size < 1 ? 1 : job_size > JOB_MAX ? JOB_MAX : job_size;
        if (!p.task->cheap || uses_llm)
            job_size = 1; /* a task that waits (a process, a model) wants every worker busy */
        job *pending = NULL;
        sk_dataset_row row;
        int have_row = 0, eof = 0;
        unsigned trial = 0;
        double last_flush = sk_now_ms();
        while (rc == SK_OK) {
            /* Checked on every turn, not only while feeding: a dataset that
             * fits in the queue is fed whole at once, and Ctrl-C must still
             * stop what has not started. */
            if (cancelled(o) && !res->interrupted) {
                eof = 1;
                res->interrupted = 1;
                /* Jobs not started are dropped; in-flight ones finish. */
                sk_pool_cancel(wp);
                job_drop(pending);
                pending = NULL;
            }
            /* Feed while there is room. */
            while (!eof && sk_pool_has_room(wp)) {
                if (!have_row || trial >= (unsigned)trials) {
                    int r = sk_dataset_iter_next(it, &row, err);
                    if (r < 0) {
                        rc = r;
                        eof = 1;
                        break;
                    }
                    if (r == 0) {
                        eof = 1;
                        break;
                    }
                    have_row = 1;
                    trial = 0;
                }
                char *id = sk_xstrndup(row.id, row.id_len);
                if (is_done(done, ndone, id, trial)) {
                    res->skipped++;
                    free(id);
                    trial++;
                    continue;
                }
                sk_buf rj = {0};
                sk_dataset_row_json(&row, &rj);
                if (!pending) {
                    pending = sk_xmalloc(sizeof *pending);
                    pending->n = 0;
                }
                item *it2 = &pending->items[pending->n++];
                it2->row_json = rj.data;
                it2->row_id = id;
                it2->pos = row.pos;
                it2->trial = trial++;
                if (pending->n == job_size) {
                    sk_pool_submit(wp, pending);
                    pending = NULL;
                }
            }
            if (eof && pending && sk_pool_has_room(wp)) { /* the last, short job */
                sk_pool_submit(wp, pending);
                pending = NULL;
            }
            int drained = eof && !pending && sk_pool_outstanding(wp) == 0;
            if (drained && p.dlen == 0)
                break;
            /* Wait a little for a job to finish, then take all that have. */
            int wait_ms = !drained && p.dlen < SK_CELL_WRITER_BATCH ? 50 : 0;
            void *fin;
            int ran;
            for (; sk_pool_collect(wp, &fin, &ran, wait_ms); wait_ms = 0)
                job_done(&p, fin, ran);
            drained = eof && !pending && sk_pool_outstanding(wp) == 0;
            size_t ready = p.dlen;
            if (rc == SK_OK && ready &&
                (ready >= SK_CELL_WRITER_BATCH || drained ||
                 sk_now_ms() - last_flush >= FLUSH_MS)) {
                rc = hand_over(cw, &p, res, err);
                last_flush = sk_now_ms();
            }
            /* A store error, or another host that took the experiment
             * over (the writer's heartbeat learns it). */
            if (rc == SK_OK)
                rc = sk_cell_writer_error(cw, err);
        }
        /* After an error, drop what was not started; what is running
         * finishes. */
        sk_pool_cancel(wp);
        job_drop(pending);
        void *fin;
        int ran;
        while (sk_pool_collect(wp, &fin, &ran, -1))
            job_done(&p, fin, ran);
        sk_pool_free(wp);
    }
    /* Whatever finished is kept, even on the way out of an error. */
    if (cw) {
        char *werr = NULL;
        sk_cell_writer_put(cw, p.done, p.dlen, &werr);
        p.done = NULL;
        p.dlen = 0;
        free(werr);
        werr = NULL;
        int wrc = sk_cell_writer_finish(cw, &res->ran, &res->task_errors, &werr);
        if (wrc != SK_OK && rc == SK_OK)
            rc = sk_errf(err, wrc, "%s", werr);
        free(werr);
        if (o->progress)
            o->progress(res->skipped + res->ran, res->cells, o->progress_ud);
    }
    for (size_t i = 0; i < p.dlen; i++)
        sk_cell_free(p.done[i]);
    free(p.done);

    for (int i = 0; i < opened; i++) {
        sk_rowscore_free(&workers[i].rs);
        sk_pack_close_worker(pack, &workers[i].host, workers[i].states);
        free(workers[i].states);
        sk_buf_free(&workers[i].line);
    }
    free(workers);
    sk_pack_close_shared(pack, &p.host, p.shared);
    p.task->close(p.task_state);
    sk_dataset_iter_close(it);
    sk_store_close(rd);
    for (size_t i = 0; i < ndone; i++)
        free(done[i]);
    free(done);

    /* An error ends the run as "interrupted": resumable like a kill.  A
     * run whose lease was taken over leaves the experiment to its new
     * holder. */
    if (leased && rc != SK_EBUSY) {
        char *serr = NULL;
        int src = sk_experiment_lease_release(
            st, e.id, rc == SK_OK && !res->interrupted ? "done" : "interrupted", &serr);
        if (src && rc == SK_OK)
            rc = sk_errf(err, src, "%s", serr);
        free(serr);
    }
    res->seconds = (sk_now_ms() - t0) / 1e3;
    sk_experiment_clear(&e);
    sk_dataset_version_clear(&dv);
    if (rc == SK_OK && res->interrupted)
        return sk_errf(err, SK_EINTR, "interrupted");
    return rc;
}
