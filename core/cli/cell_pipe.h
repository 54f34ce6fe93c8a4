/*
 * Reading cells and writing them, on two threads: `export` spent half its
 * time in the store's walk and half turning rows into JSON, one after the
 * other.  cell_pipe_push (the walk's callback, on the caller's thread)
 * copies each row out of the store's buffers into a batch; a second thread
 * hands the batch's rows, in the same order, to the consumer.  At most two
 * batches of CELL_PIPE_ROWS rows exist, so memory stays flat.  Without a
 * second thread (pthread_create failed), rows go to the consumer directly.
 */
#ifndef SK_CELL_PIPE_H
#define SK_CELL_PIPE_H

#include "store/experiment_read.h"

struct cell_pipe;
typedef struct cell_pipe cell_pipe;

/* Start a pipe to consume(ud, row): every pointer in row is valid for the
 * call only, and the dataset row's texts (input, expected, metadata,
 * output, task error and the model-call numbers) are given only with the
 * first row of each cell (row_id and trial change), as the consumer needs
 * them there.  consume returns 0, or non-zero to stop: the walk then stops
 * at its next batch.  Returns the pipe (free with cell_pipe_finish). */
cell_pipe *cell_pipe_start(int (*consume)(void *ud, const sk_cell_score_row *r), void *ud);

/* The callback for the store's walk (ud: the pipe).  Returns 0, or 1 once
 * the consumer stopped. */
int cell_pipe_push(void *pipe, const sk_cell_score_row *r);

/* Hand the consumer what is left, wait for it, free the pipe.  Returns the
 * consumer's stop value (0 when it took every row). */
int cell_pipe_finish(cell_pipe *p);

#endif
