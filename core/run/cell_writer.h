/*
 * The thread that records a run's finished cells (run.c): the calling
 * thread hands over cells as workers finish them and goes back to reading
 * rows and feeding workers while a batch is written, and, on a
 * PostgreSQL store, while the server inserts it.  It also renews the
 * run's lease every SK_LEASE_BEAT_S seconds, so a run whose cells are
 * slow to come (a model, a process) still says it is alive.
 *
 * Cells are written in transactions of at most SK_CELL_WRITER_BATCH, in
 * the order they were handed over.  The first error (a store error, or
 * SK_EBUSY when another run took the lease over) stops the writing: cells
 * handed over after it are freed unwritten, and every call returns it.
 */
#ifndef SK_CELL_WRITER_H
#define SK_CELL_WRITER_H
#include <stddef.h>

#include "store/experiment.h"
#include "store/store.h"

#define SK_CELL_WRITER_BATCH 512

typedef struct sk_cell_writer sk_cell_writer;

/* Start writing cells of experiment `exp_id` (borrowed, as is `st`, until
 * sk_cell_writer_finish returns: the caller must not use `st` meanwhile).
 * 0, or a negative SK_E* code with *err set when no thread could start. */
int sk_cell_writer_start(sk_cell_writer **out, sk_store *st, const char *exp_id, char **err);

/* Hand over n cells: the array and the cells become the writer's.  Waits
 * while more than a few batches are already waiting.  Returns the
 * writer's first error so far (SK_OK when none), with *err set. */
int sk_cell_writer_put(sk_cell_writer *w, sk_cell **cells, size_t n, char **err);

/* The writer's first error so far, without handing anything over. */
int sk_cell_writer_error(sk_cell_writer *w, char **err);

/* How many cells are committed, and how many of those hold a task error. */
void sk_cell_writer_counts(sk_cell_writer *w, size_t *written, size_t *task_errors);

/* Write what is waiting, stop the thread and free the writer; returns its
 * first error (with *err set) or SK_OK.  The counts are final in
 * *written and *task_errors. */
int sk_cell_writer_finish(sk_cell_writer *w, size_t *written, size_t *task_errors, char **err);

#endif
