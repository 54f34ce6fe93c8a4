/*
 * The fixture of the judge, openai-task and sk.llm tests: the fake LLM
 * server (llm_fixture.h) and a client pointed at it, set as the client of
 * the tests' host (sk_test_host_ctx), which host->llm_chat and sk.llm use,
 * and given to the openai task when it opens.
 */
#ifndef SK_JUDGE_FIXTURE_H
#define SK_JUDGE_FIXTURE_H

#include "llm/llm.h"
#include "llm_fixture.h"

/* The client while a test runs (no cache). */
extern sk_llm *sk_jf_llm;

/* For tcase_add_checked_fixture: start the server, open sk_jf_llm and make
 * it the tests' host's client / close both. */
void sk_jf_setup(void);
void sk_jf_teardown(void);

/* A client for the running server.  Provider "default" speaks OpenAI with
 * native tools and has the default model "echo"; provider "fallback" has
 * no tools (the JSON-reply path).  Both retry twice after a few
 * milliseconds.  db_path NULL: no cache; else the cache's store.  Fails
 * the test on error; caller closes. */
sk_llm *sk_jf_client(const char *db_path);

/* The body of the last model request, compact JSON (caller frees). */
char *sk_jf_last_body(void);

#endif
