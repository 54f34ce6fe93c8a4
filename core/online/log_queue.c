/* The bounded write queue and its writer thread (see log_queue.h). */
#include "online/log_queue.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "online/ingest.h"
#include "store/logs.h"
#include "store/store.h"

/* One waiting request; lives on its thread's stack until `done`. */
typedef struct request {
    sk_log_vec logs;
    size_t added;
    int rc, done;
    char *err;
    struct request *next;
} request;

struct sk_log_queue {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    request *head, *tail;
    size_t held, capacity; /* logs queued or being written */
    int stopping;
    sk_store *st;
    pthread_t writer;
};

/* Write a batch: all in one transaction; when that fails, each request on
 * its own, so one request's failure is not its neighbours'. */
static void write_batch(sk_log_queue *q, request *batch)
{
    char *err = NULL;
    int rc = sk_store_begin(q->st, &err);
    for (request *r = batch; rc == SK_OK && r; r = r->next)
        rc = sk_logs_insert(q->st, r->logs.v, r->logs.n, &r->added, &err);
    if (rc == SK_OK)
        rc = sk_store_commit(q->st, &err);
    free(err);
    if (rc == SK_OK) {
        for (request *r = batch; r; r = r->next)
            r->rc = SK_OK;
        return;
    }
    sk_store_rollback(q->st);
    for (request *r = batch; r; r = r->next)
        r->rc = sk_logs_store(q->st, r->logs.v, r->logs.n, &r->added, &r->err);
}

static void *writer_main(void *arg)
{
    sk_log_queue *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->head && !q->stopping)
            pthread_cond_wait(&q->work, &q->mu);
        if (!q->head)
            break;
        request *batch = q->head;
        q->head = q->tail = NULL;
        pthread_mutex_unlock(&q->mu);
        write_batch(q, batch);
        size_t freed = 0;
        for (request *r = batch; r; r = r->next)
            freed += r->logs.n;
        pthread_mutex_lock(&q->mu);
        for (request *r = batch, *next; r; r = next) {
            next = r->next;
            r->done = 1;
        }
        q->held -= freed;
        pthread_cond_broadcast(&q->done);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

int sk_log_queue_open(sk_log_queue **out, const char *project_dir, size_t capacity, char **err)
{
    *out = NULL;
    sk_log_queue *q = sk_xcalloc(1, sizeof *q);
    int rc = sk_store_open(&q->st, project_dir, err);
    if (rc) {
        free(q);
        return rc;
    }
    q->capacity = capacity ? capacity : 1;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->work, NULL);
    pthread_cond_init(&q->done, NULL);
    if (pthread_create(&q->writer, NULL, writer_main, q) != 0) {
        sk_store_close(q->st);
        free(q);
        return sk_errf(err, SK_ENOMEM, "cannot start the writer thread");
    }
    *out = q;
    return SK_OK;
}

int sk_log_queue_submit(sk_log_queue *q, sk_log_vec *lv, size_t *added, char **err)
{
    *added = 0;
    request r = {0};
    r.logs = *lv;
    memset(lv, 0, sizeof *lv);
    pthread_mutex_lock(&q->mu);
    /* An empty request is committed by definition; one larger than the
     * whole queue can never fit, so it is refused like a full queue. */
    if (r.logs.n == 0 || q->held + r.logs.n > q->capacity || q->stopping) {
        int full = r.logs.n != 0;
        pthread_mutex_unlock(&q->mu);
        sk_log_vec_free(&r.logs);
        return full ? SK_EBUSY : SK_OK;
    }
    q->held += r.logs.n;
    if (q->tail)
        q->tail->next = &r;
    else
        q->head = &r;
    q->tail = &r;
    pthread_cond_signal(&q->work);
    while (!r.done)
        pthread_cond_wait(&q->done, &q->mu);
    pthread_mutex_unlock(&q->mu);
    sk_log_vec_free(&r.logs);
    *added = r.added;
    if (r.rc && err)
        *err = r.err;
    else
        free(r.err);
    return r.rc;
}

void sk_log_queue_close(sk_log_queue *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    q->stopping = 1;
    pthread_cond_signal(&q->work);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->writer, NULL);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->work);
    pthread_cond_destroy(&q->done);
    sk_store_close(q->st);
    free(q);
}
