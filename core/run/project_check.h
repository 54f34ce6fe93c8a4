/*
 * The parts of scorekit.json that the store cannot check itself: the keys
 * of the "task" object (each provider knows its own) and of the "llm"
 * object (the LLM client's), checked when the project is opened, with
 * FILE:LINE, before anything runs.
 */
#ifndef SK_PROJECT_CHECK_H
#define SK_PROJECT_CHECK_H

#include "store/project.h"

/* 0, or SK_EINVAL with *err (caller frees) naming the file, the line, the
 * unknown key and the key it probably meant. */
int sk_project_check(const sk_project *p, char **err);

#endif
