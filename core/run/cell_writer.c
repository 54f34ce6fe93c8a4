/* A run's cells recorded on a thread of their own (see cell_writer.h). */
#include "run/cell_writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/util.h"

/* Cells waiting beyond which the caller waits: the workers may outrun a
 * slow store, and a killed run loses what was waiting. */
#define MAX_WAITING (4 * SK_CELL_WRITER_BATCH)

struct sk_cell_writer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work; /* cells are waiting, or it is time to stop */
    pthread_cond_t room; /* the waiting cells went to be written */
    sk_store *st;
    const char *exp_id;
    /* Under mu: */
    sk_cell **waiting;
    size_t nwaiting, cap;
    int stop;
    int rc;    /* the first error */
    char *err; /* and its message */
    size_t written, task_errors;
};

static void monotonic_in(struct timespec *ts, double seconds)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    long long ns = ts->tv_nsec + (long long)(seconds * 1e9);
    ts->tv_sec += (time_t)(ns / 1000000000LL);
    ts->tv_nsec = (long)(ns % 1000000000LL);
}

static int due(const struct timespec *at)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > at->tv_sec || (now.tv_sec == at->tv_sec && now.tv_nsec >= at->tv_nsec);
}

/* Called with mu held. */
static void keep_error(sk_cell_writer *w, int rc, char *msg)
{
    if (rc != SK_OK && w->rc == SK_OK) {
        w->rc = rc;
        w->err = msg;
    } else {
        free(msg);
    }
}

static void renew(sk_cell_writer *w, struct timespec *beat)
{
    char *msg = NULL;
    int rc = sk_experiment_lease_renew(w->st, w->exp_id, &msg);
    pthread_mutex_lock(&w->mu);
    keep_error(w, rc, msg);
    pthread_mutex_unlock(&w->mu);
    monotonic_in(beat, SK_LEASE_BEAT_S);
}

/* Write the cells in transactions of a batch each, unless an error came
 * first; free them either way. */
static void write_all(sk_cell_writer *w, sk_cell **cells, size_t n, struct timespec *beat)
{
    for (size_t i = 0; i < n; i += SK_CELL_WRITER_BATCH) {
        size_t k = n - i < SK_CELL_WRITER_BATCH ? n - i : SK_CELL_WRITER_BATCH;
        pthread_mutex_lock(&w->mu);
        int failed = w->rc != SK_OK;
        pthread_mutex_unlock(&w->mu);
        if (failed)
            break;
        char *msg = NULL;
        int rc = sk_experiment_write_cells(w->st, w->exp_id, cells + i, k, &msg);
        size_t errors = 0;
        for (size_t j = i; j < i + k; j++)
            errors += cells[j]->task_error != NULL;
        pthread_mutex_lock(&w->mu);
        if (rc == SK_OK) {
            w->written += k;
            w->task_errors += errors;
        }
        keep_error(w, rc, msg);
        pthread_mutex_unlock(&w->mu);
        if (rc == SK_OK && due(beat))
            renew(w, beat);
    }
    for (size_t i = 0; i < n; i++)
        sk_cell_free(cells[i]);
    free(cells);
}

static void *writer_main(void *arg)
{
    sk_cell_writer *w = arg;
    struct timespec beat;
    monotonic_in(&beat, SK_LEASE_BEAT_S);
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->nwaiting && !w->stop)
            if (pthread_cond_timedwait(&w->work, &w->mu, &beat) == ETIMEDOUT && w->rc == SK_OK) {
                pthread_mutex_unlock(&w->mu);
                renew(w, &beat);
                pthread_mutex_lock(&w->mu);
            } else if (w->rc != SK_OK) {
                monotonic_in(&beat, SK_LEASE_BEAT_S); /* nothing to renew any more */
            }
        if (!w->nwaiting)
            break; /* stopping, and nothing left */
        sk_cell **cells = w->waiting;
        size_t n = w->nwaiting;
        w->waiting = NULL;
        w->nwaiting = w->cap = 0;
        pthread_cond_broadcast(&w->room);
        pthread_mutex_unlock(&w->mu);
        write_all(w, cells, n, &beat);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int sk_cell_writer_start(sk_cell_writer **out, sk_store *st, const char *exp_id, char **err)
{
    sk_cell_writer *w = sk_xcalloc(1, sizeof *w);
    w->st = st;
    w->exp_id = exp_id;
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->work, &a);
    pthread_cond_init(&w->room, NULL);
    pthread_condattr_destroy(&a);
    int e = pthread_create(&w->thread, NULL, writer_main, w);
    if (e) {
        pthread_cond_destroy(&w->room);
        pthread_cond_destroy(&w->work);
        pthread_mutex_destroy(&w->mu);
        free(w);
        *out = NULL;
        return sk_errf(err, SK_EIO, "cannot start the thread that records cells: %s", strerror(e));
    }
    *out = w;
    return SK_OK;
}

/* Called with mu held. */
static int report(sk_cell_writer *w, char **err)
{
    return w->rc == SK_OK
               ? SK_OK
               : sk_errf(err, w->rc, "%s", w->err ? w->err : "recording the cells failed");
}

int sk_cell_writer_put(sk_cell_writer *w, sk_cell **cells, size_t n, char **err)
{
    pthread_mutex_lock(&w->mu);
    while (w->nwaiting >= MAX_WAITING && w->rc == SK_OK)
        pthread_cond_wait(&w->room, &w->mu);
    if (n) {
        w->waiting = sk_xgrow(w->waiting, &w->cap, w->nwaiting + n, sizeof *w->waiting);
        memcpy(w->waiting + w->nwaiting, cells, n * sizeof *cells);
        w->nwaiting += n;
        pthread_cond_signal(&w->work);
    }
    int rc = report(w, err);
    pthread_mutex_unlock(&w->mu);
    free(cells);
    return rc;
}

int sk_cell_writer_error(sk_cell_writer *w, char **err)
{
    pthread_mutex_lock(&w->mu);
    int rc = report(w, err);
    pthread_mutex_unlock(&w->mu);
    return rc;
}

void sk_cell_writer_counts(sk_cell_writer *w, size_t *written, size_t *task_errors)
{
    pthread_mutex_lock(&w->mu);
    *written = w->written;
    *task_errors = w->task_errors;
    pthread_mutex_unlock(&w->mu);
}

int sk_cell_writer_finish(sk_cell_writer *w, size_t *written, size_t *task_errors, char **err)
{
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    *written = w->written;
    *task_errors = w->task_errors;
    int rc = report(w, err);
    pthread_cond_destroy(&w->room);
    pthread_cond_destroy(&w->work);
    pthread_mutex_destroy(&w->mu);
    free(w->err);
    free(w);
    return rc;
}
