/* The store's walk on one thread, the consumer on another (cell_pipe.h). */
#include "cli/cell_pipe.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define CELL_PIPE_ROWS  512
#define CELL_PIPE_BYTES (1 << 20)

/* The strings of a row, kept in the batch's text by offset (NONE: NULL). */
enum {
    S_ROW_ID,
    S_INPUT,
    S_EXPECTED,
    S_METADATA,
    S_OUTPUT,
    S_TASK_ERROR,
    S_SCORER,
    S_KIND,
    S_MESSAGE,
    S_RATIONALE,
    S_META,
    NSTR
};
#define NONE SIZE_MAX

typedef struct packed_row {
    sk_cell_score_row r; /* its numbers; the strings are in off */
    size_t off[NSTR];
} packed_row;

typedef struct batch {
    packed_row *rows;
    size_t n, cap;
    sk_buf text;
} batch;

struct cell_pipe {
    int (*consume)(void *ud, const sk_cell_score_row *r);
    void *ud;
    batch b[2];
    batch *cur; /* the one the walk fills */
    /* The walk's view of the cell it is in. */
    sk_buf last_id;
    int last_trial, have_last;
    int threaded;
    pthread_t t;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* Under mu: the batch handed over, the one given back, the end, and
     * the consumer's stop value. */
    batch *full, *spare;
    int done, stop;
};

static void keep(batch *b, size_t *off, const char *s)
{
    if (!s) {
        *off = NONE;
        return;
    }
    *off = b->text.len;
    sk_buf_add(&b->text, s, strlen(s) + 1);
}

static const char *at(const batch *b, size_t off)
{
    return off == NONE ? NULL : b->text.data + off;
}

/* Hand b's rows to the consumer until it stops (*stop non-zero). */
static void consume_batch(cell_pipe *p, const batch *b, int *stop)
{
    for (size_t i = 0; i < b->n && !*stop; i++) {
        const packed_row *k = &b->rows[i];
        sk_cell_score_row r = k->r;
        r.row_id = at(b, k->off[S_ROW_ID]);
        r.input_json = at(b, k->off[S_INPUT]);
        r.expected_json = at(b, k->off[S_EXPECTED]);
        r.metadata_json = at(b, k->off[S_METADATA]);
        r.output_json = at(b, k->off[S_OUTPUT]);
        r.task_error = at(b, k->off[S_TASK_ERROR]);
        r.scorer = at(b, k->off[S_SCORER]);
        r.kind = at(b, k->off[S_KIND]);
        r.message = at(b, k->off[S_MESSAGE]);
        r.rationale = at(b, k->off[S_RATIONALE]);
        r.meta_json = at(b, k->off[S_META]);
        *stop = p->consume(p->ud, &r);
    }
}

static void *consumer(void *arg)
{
    cell_pipe *p = arg;
    int stop = 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->full && !p->done)
            pthread_cond_wait(&p->cv, &p->mu);
        batch *b = p->full;
        p->full = NULL;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (!b)
            break;
        consume_batch(p, b, &stop);
        pthread_mutex_lock(&p->mu);
        p->stop = stop;
        p->spare = b;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

/* Give the filled batch to the consumer and take an empty one; returns the
 * consumer's stop value so far. */
static int hand_off(cell_pipe *p)
{
    int stop;
    if (!p->threaded) {
        consume_batch(p, p->cur, &p->stop);
        stop = p->stop;
    } else {
        pthread_mutex_lock(&p->mu);
        while (p->full)
            pthread_cond_wait(&p->cv, &p->mu);
        p->full = p->cur;
        pthread_cond_broadcast(&p->cv);
        while (!p->spare)
            pthread_cond_wait(&p->cv, &p->mu);
        p->cur = p->spare;
        p->spare = NULL;
        stop = p->stop;
        pthread_mutex_unlock(&p->mu);
    }
    p->cur->n = 0;
    sk_buf_reset(&p->cur->text);
    return stop;
}

cell_pipe *cell_pipe_start(int (*consume)(void *ud, const sk_cell_score_row *r), void *ud)
{
    cell_pipe *p = sk_xcalloc(1, sizeof *p);
    p->consume = consume;
    p->ud = ud;
    p->cur = &p->b[0];
    p->spare = &p->b[1];
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->threaded = pthread_create(&p->t, NULL, consumer, p) == 0;
    return p;
}

int cell_pipe_push(void *pipe, const sk_cell_score_row *r)
{
    cell_pipe *p = pipe;
    batch *b = p->cur;
    b->rows = sk_xgrow(b->rows, &b->cap, b->n + 1, sizeof *b->rows);
    packed_row *k = &b->rows[b->n++];
    k->r = *r;
    int first = !p->have_last || r->trial != p->last_trial || strcmp(p->last_id.data, r->row_id);
    if (first) {
        sk_buf_reset(&p->last_id);
        sk_buf_adds(&p->last_id, r->row_id);
        p->last_trial = r->trial;
        p->have_last = 1;
    }
    keep(b, &k->off[S_ROW_ID], r->row_id);
    keep(b, &k->off[S_INPUT], first ? r->input_json : NULL);
    keep(b, &k->off[S_EXPECTED], first ? r->expected_json : NULL);
    keep(b, &k->off[S_METADATA], first ? r->metadata_json : NULL);
    keep(b, &k->off[S_OUTPUT], first ? r->output_json : NULL);
    keep(b, &k->off[S_TASK_ERROR], first ? r->task_error : NULL);
    keep(b, &k->off[S_SCORER], r->scorer);
    keep(b, &k->off[S_KIND], r->kind);
    keep(b, &k->off[S_MESSAGE], r->message);
    keep(b, &k->off[S_RATIONALE], r->rationale);
    keep(b, &k->off[S_META], r->meta_json);
    if (b->n < CELL_PIPE_ROWS && b->text.len < CELL_PIPE_BYTES)
        return 0;
    return hand_off(p) ? 1 : 0;
}

int cell_pipe_finish(cell_pipe *p)
{
    if (p->cur->n)
        hand_off(p);
    if (p->threaded) {
        pthread_mutex_lock(&p->mu);
        while (p->full)
            pthread_cond_wait(&p->cv, &p->mu);
        p->done = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->t, NULL);
    }
    int stop = p->stop;
    for (int i = 0; i < 2; i++) {
        free(p->b[i].rows);
        sk_buf_free(&p->b[i].text);
    }
    sk_buf_free(&p->last_id);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
    return stop;
}
