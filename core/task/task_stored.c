/*
 * The `stored` task provider: the outputs of an experiment already in the
 * store, handed back cell by cell, so a new pack can score them without
 * running the real task again (`scorekit rescore`).
 *
 *   {"provider": "stored", "experiment": "ID"}
 *
 * open() reads every (row id, trial) -> output or task error of the
 * experiment into a hash map on a connection of its own, closed before it
 * returns: runs then never touch the database, and the map is read-only,
 * so any number of workers can look cells up at once without a lock.
 *
 * A cell whose task failed stays a task error with the same message; a
 * cell the experiment does not have (it was interrupted) is a task error
 * that says how to complete it.  The stored latency is carried over: it
 * is the latency of the call that produced the output, which is what a
 * reader of the rescored experiment wants to compare.
 */
#include "task/task.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/hash.h"
#include "store/experiment.h"
#include "base/row.h"
#include "store/store.h"

typedef struct stored_cell {
    char *row_id;
    size_t id_len;
    unsigned trial;
    char *output; /* JSON text, or NULL when the task failed */
    char *error;  /* the task error, or NULL */
    double latency_ms;
} stored_cell;

typedef struct stored_state {
    char *exp_id; /* the full id */
    stored_cell *cells;
    size_t n, cap;
    size_t *slots; /* open addressing: index + 1 into cells, 0 for empty */
    size_t nslots; /* a power of two, at least twice n */
} stored_state;

/* FNV-1a over the id's bytes and the trial. */
static size_t cell_hash(const char *id, size_t len, unsigned trial)
{
    unsigned char t[4] = {trial & 0xff, (trial >> 8) & 0xff, (trial >> 16) & 0xff, trial >> 24};
    return (size_t)sk_fnv64(sk_fnv64(SK_FNV64_INIT, id, len), t, sizeof t);
}

static void build_index(stored_state *s)
{
    s->nslots = 16;
    while (s->nslots < 2 * s->n)
        s->nslots *= 2;
    s->slots = sk_xcalloc(s->nslots, sizeof *s->slots);
    for (size_t i = 0; i < s->n; i++) {
        const stored_cell *c = &s->cells[i];
        size_t k = cell_hash(c->row_id, c->id_len, c->trial) & (s->nslots - 1);
        while (s->slots[k])
            k = (k + 1) & (s->nslots - 1);
        s->slots[k] = i + 1;
    }
}

static const stored_cell *lookup(const stored_state *s, const char *id, size_t len, unsigned trial)
{
    size_t k = cell_hash(id, len, trial) & (s->nslots - 1);
    for (; s->slots[k]; k = (k + 1) & (s->nslots - 1)) {
        const stored_cell *c = &s->cells[s->slots[k] - 1];
        if (c->trial == trial && c->id_len == len && memcmp(c->row_id, id, len) == 0)
            return c;
    }
    return NULL;
}

static void stored_close(void *state)
{
    stored_state *s = state;
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->cells[i].row_id);
        free(s->cells[i].output);
        free(s->cells[i].error);
    }
    free(s->cells);
    free(s->slots);
    free(s->exp_id);
    free(s);
}

static int add_cell(void *ud, const sk_cell_output *o)
{
    stored_state *s = ud;
    s->cells = sk_xgrow(s->cells, &s->cap, s->n + 1, sizeof *s->cells);
    stored_cell *c = &s->cells[s->n++];
    memset(c, 0, sizeof *c);
    c->row_id = sk_xstrndup(o->row_id, o->id_len);
    c->id_len = o->id_len;
    c->trial = o->trial;
    c->output = o->output_json ? sk_xstrndup(o->output_json, o->output_len) : NULL;
    c->error = o->task_error ? sk_xstrdup(o->task_error) : NULL;
    c->latency_ms = o->latency_ms;
    return SK_OK;
}

static int load_cells(stored_state *s, sk_store *st, char **err)
{
    return sk_experiment_each_output(st, s->exp_id, add_cell, s, err);
}

static const char *const stored_keys[] = {"provider", "experiment", NULL};

static int stored_open(const cJSON *config, const char *project_dir, struct sk_llm *llm,
                       void **state, char **err)
{
    (void)llm;
    *state = NULL;
    if (!cJSON_IsObject(config))
        return sk_errf(err, SK_EINVAL,
                       "task: must be an object like {\"provider\": \"stored\", \"experiment\": "
                       "\"ID\"}");
    int krc = sk_task_check_keys(&sk_task_stored, config, NULL, NULL, err);
    if (krc)
        return krc;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(config, "experiment");
    if (!cJSON_IsString(id) || !id->valuestring[0])
        return sk_errf(err, SK_EINVAL,
                       "task: the stored provider needs \"experiment\": the id of the experiment "
                       "whose outputs to use (`scorekit experiments` lists them)");
    if (!project_dir)
        return sk_errf(err, SK_EINVAL, "task: the stored provider needs the project folder");

    sk_store *st = NULL;
    int rc = sk_store_open(&st, project_dir, err);
    if (rc)
        return rc;
    sk_experiment e;
    rc = sk_experiment_load(st, id->valuestring, &e, err);
    if (rc) {
        sk_store_close(st);
        return rc;
    }
    stored_state *s = sk_xcalloc(1, sizeof *s);
    s->exp_id = e.id;
    e.id = NULL;
    sk_experiment_clear(&e);
    rc = load_cells(s, st, err);
    sk_store_close(st);
    if (rc) {
        stored_close(s);
        return rc;
    }
    build_index(s);
    *state = s;
    return SK_OK;
}

static int stored_run(void *state, const char *row_json, unsigned trial, sk_task_result *res)
{
    const stored_state *s = state;
    static const char *const keys[] = {"id"};
    sk_span span;
    char why[256];
    sk_buf id = {0};
    /* The runner builds the row, so a row without a string id is our bug,
     * not the task's: a host problem. */
    if (sk_row_scan_trusted(row_json, strlen(row_json), keys, 1, &span, why, sizeof why) != 0 ||
        !sk_span_is_string(span) || sk_json_string_decode(span.p, span.n, &id) != 0) {
        res->failed = 1;
        sk_buf_adds(&res->error, "the row given to the stored task has no string \"id\"");
        sk_buf_free(&id);
        return SK_EPARSE;
    }
    const stored_cell *c = lookup(s, id.data ? id.data : "", id.len, trial);
    if (!c) {
        res->failed = 1;
        sk_buf_printf(&res->error,
                      "experiment %s has no output for row \"%.*s\" trial %u (it stopped before "
                      "this cell; `scorekit run --resume %s` completes it)",
                      s->exp_id, (int)id.len, id.data ? id.data : "", trial, s->exp_id);
    } else if (c->error || !c->output) {
        res->failed = 1;
        sk_buf_adds(&res->error, c->error ? c->error : "task failed");
    } else {
        sk_buf_adds(&res->output, c->output);
    }
    if (c)
        res->latency_ms = c->latency_ms;
    sk_buf_free(&id);
    return 0;
}

const sk_task_ops sk_task_stored = {
    .provider = "stored",
    .keys = stored_keys,
    .cheap = 1,
    .open = stored_open,
    .run = stored_run,
    .close = stored_close,
};
