/*
 * The fake LLM server for unit tests: start tests/llm/llm_server from the
 * build tree on a free port (it writes the port to a file), talk to its
 * control routes, stop it.  Shared by the client tests and the judge tests.
 */
#ifndef SK_LLM_FIXTURE_H
#define SK_LLM_FIXTURE_H

/* Set while a server runs: its port and "http://127.0.0.1:PORT" (no /v1). */
extern int sk_llm_fx_port;
extern char sk_llm_fx_url[64];

/* Start the server with extra arguments (NULL-terminated list, may be
 * NULL: e.g. {"--api-key", "k", NULL}).  Fails the test on an error (no
 * SK_BUILDDIR, no binary, no port within 10 s). */
void sk_llm_fx_start(const char *const *extra_args);
/* SIGTERM and wait; harmless when none runs. */
void sk_llm_fx_stop(void);

/* The pair for tcase_add_checked_fixture: start with no arguments / stop. */
void sk_llm_fx_setup(void);
void sk_llm_fx_teardown(void);

/* GET or POST (empty body) a control route ("/stats", "/last", "/reset");
 * returns the body (caller frees).  Fails the test on an error. */
char *sk_llm_fx_get(const char *path);
char *sk_llm_fx_post(const char *path);
/* One number from GET /stats: "requests", "chat", "messages", "connections". */
long sk_llm_fx_stat(const char *key);

/* A config object for sk_llm_open with one provider "t" pointing at the
 * server: api "openai" (base URL .../v1) or "anthropic", with the extra
 * provider keys in extra_json (an object text, may be NULL), fast retries
 * (retry_base_ms 10).  Caller deletes.  Returns a cJSON * as void * so
 * this header needs no cJSON. */
void *sk_llm_fx_config(const char *api, const char *extra_json);

#endif
