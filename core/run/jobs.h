/*
 * How many workers a run starts when the user does not say (`-j`, the
 * project's "jobs"): one per core for work that computes, and for work that
 * waits on a model as many as the model client lets requests be in flight,
 * so `score` with judges and `run` with a model task keep the client busy.
 */
#ifndef SK_JOBS_H
#define SK_JOBS_H

#include "engine/pack.h"

struct sk_llm;

/* The default number of workers for scoring with `pack` (borrowed) after
 * a task that waits on a model (`task_waits`) or not: one per core, or,
 * when the task or a scorer of the pack calls a model, the client's
 * max_in_flight when that is more (llm borrowed; NULL: 8), at most
 * SK_JOBS_MODEL_MAX. */
int sk_jobs_default(const sk_pack *pack, int task_waits, struct sk_llm *llm);

#define SK_JOBS_MODEL_MAX 256

#endif
