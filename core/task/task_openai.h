/*
 * The `openai` and `anthropic` task providers (see task_openai.c): a chat
 * model as the application under test, over an OpenAI-compatible server or
 * Anthropic's Messages API.
 */
#ifndef SK_TASK_OPENAI_H
#define SK_TASK_OPENAI_H

#include "task/task.h"

extern const sk_task_ops sk_task_openai;
extern const sk_task_ops sk_task_anthropic;

/* The configuration an opened openai (or anthropic) task runs with, as a JSON object:
 * provider, model, llm_provider, system, the prompt's text (read from
 * prompt_file when one is named), prompt_file, params and output.  For
 * the experiment's snapshot, so a changed prompt file shows as a changed
 * prompt.  `state` is what open() returned; caller frees the text. */
char *sk_task_openai_describe(const void *state);

#endif
