/*
 * The LLM client shared by judges, tasks, Lua scripts and plugins: chat
 * requests to OpenAI-compatible Chat Completions servers (OpenAI, vLLM,
 * llama.cpp, Ollama, gateways) and to Anthropic's Messages API, over
 * libcurl.  One sk_llm holds the configured providers, the limits every
 * caller shares (requests in flight, requests per minute), the response
 * cache and the usage log in the project store.  Whoever opens it hands it
 * to what needs it (the CLI opens one per command); it knows no run: each
 * request says whom it is billed to (sk_llm_account).
 *
 * A request either asks for a plain text reply or forces a call of one tool
 * (function).  Providers that support tool calling get a native forced tool
 * call; for the others (config "tools": false) the tool's JSON Schema goes
 * into the prompt and the reply must be exactly one JSON object (a ```json
 * fence is tolerated, nothing else).  A reply that is missing, empty or
 * unparsable is an error, never a guess.
 *
 * Failures (429, 5xx, connection errors, timeouts) are retried with
 * exponential backoff and full jitter, honouring Retry-After, within a
 * bounded number of attempts and a time budget; then the call fails with a
 * message naming the URL, model, last status, server message and attempts.
 * API keys are read from the environment at call time and never stored in
 * the database or put in a message.
 */
#ifndef SK_LLM_H
#define SK_LLM_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "llm/llm_types.h"

typedef struct sk_llm sk_llm; /* a client: providers, limits, cache, usage log */

/* Open a client.  config: the "llm" object of scorekit.json, borrowed for
 * the call (NULL = environment defaults: OPENAI_BASE_URL/OPENAI_API_KEY,
 * ANTHROPIC_API_KEY).  An unknown key or a value of the wrong type is an
 * error naming it.  db_path: the project store for the cache and usage log
 * (NULL = no cache, no log); copied.  Returns 0 and a client the caller
 * frees with sk_llm_close, or a negative SK_E* code with *err set. */
int sk_llm_open(sk_llm **out, const cJSON *config, const char *db_path, char **err);
/* Free the client (NULL allowed).  No call may be in progress. */
void sk_llm_close(sk_llm *llm);

/* Thread-safe: many workers call it at once; limits (in-flight, requests per minute) are shared.
 * Returns 0 with *reply filled (caller frees with sk_llm_reply_free), or a negative SK_E* with *err
 * saying what failed after retries (status, server message, attempts) — never a fake reply.
 * Codes: SK_EINVAL for a bad request (unknown provider, no model, bad params or tool schema),
 * SK_EIO for transport and HTTP failures, SK_EPARSE for a reply that is not what was asked for.
 * On failure *reply is zeroed (nothing to free, but sk_llm_reply_free is harmless). */
int sk_llm_chat(sk_llm *llm, const sk_llm_request *req, sk_llm_reply *reply, char **err);
/* Free the reply's strings and zero it; NULL allowed. */
void sk_llm_reply_free(sk_llm_reply *reply);

/* One text's embedding from an OpenAI-compatible provider's /embeddings
 * (POST {"model", "input"}), with the same retries, limits, cache (keyed by
 * provider, base URL, model and text: an embedding does not change with
 * the trial), usage log and billing as a chat call.  Strings borrowed. */
typedef struct sk_llm_embed_request {
    const char *provider; /* NULL: the default provider */
    const char *model;    /* required */
    const char *input;
    const char *caller; /* for the usage log ("scorer:NAME"), or NULL */
    int no_cache;
    struct sk_llm_account *account; /* billed to; NULL: nobody */
} sk_llm_embed_request;

typedef struct sk_llm_embedding {
    double *v; /* dim numbers; caller frees with sk_llm_embedding_free */
    size_t dim;
    long prompt_tokens; /* -1 when the server did not say */
    double cost;
    int cached, attempts;
    double latency_ms;
} sk_llm_embedding;

/* Returns 0 with *out filled, or a negative SK_E* with *err (a provider
 * with the Anthropic API, which has no embeddings, is SK_EINVAL). */
int sk_llm_embed(sk_llm *llm, const sk_llm_embed_request *req, sk_llm_embedding *out, char **err);
void sk_llm_embedding_free(sk_llm_embedding *e);

/* The embeddings of inputs[0..n) (none empty), with req's provider, model,
 * caller and account (req->input is ignored): each one cached is taken
 * from the cache, the others asked for in requests of up to 64 inputs
 * ({"input": [...]}), their tokens and cost shared out evenly.  outs[i]
 * is inputs[i]'s (free each with sk_llm_embedding_free); *requests (may be
 * NULL) counts the requests sent.  All or nothing: on error every out is
 * freed. */
int sk_llm_embed_many(sk_llm *llm, const sk_llm_embed_request *req, const char *const *inputs,
                      size_t n, sk_llm_embedding *outs, size_t *requests, char **err);

/* to += from, field by field. */
void sk_llm_usage_add(sk_llm_usage *to, const sk_llm_usage *from);

/* Counters of this client since it was opened (all callers, all threads). */
typedef struct sk_llm_counters {
    long requests;     /* HTTP requests sent, retries included */
    long calls_ok;     /* sk_llm_chat calls that returned 0 */
    long calls_failed; /* ... that returned an error */
    long cache_hits, cache_misses;
    long retries;
} sk_llm_counters;
void sk_llm_counters_get(sk_llm *llm, sk_llm_counters *out);

/* Turn caching off for every call of this client (the CLI's --no-cache):
 * neither read nor written, as if each request had no_cache set. */
void sk_llm_set_no_cache(sk_llm *llm, int no_cache);

/* The default model of a provider (NULL = the default provider), or NULL
 * when it has none or no such provider exists; borrowed until sk_llm_close. */
const char *sk_llm_default_model(sk_llm *llm, const char *provider);

/* The API a provider speaks (NULL = the default provider): "openai" or
 * "anthropic", or NULL when no such provider exists.  Static string. */
const char *sk_llm_provider_api(sk_llm *llm, const char *provider);

/* The name of the default provider (borrowed until sk_llm_close). */
const char *sk_llm_default_provider(sk_llm *llm);

/* How many requests may be in flight at once ("max_in_flight"): the most
 * workers that waiting on this client can keep busy. */
int sk_llm_max_in_flight(sk_llm *llm);

/* The in-flight limit now: max_in_flight, or less while the server answers
 * 429/503/529 ("adaptive_in_flight", on by default; see llm_limit.h). */
int sk_llm_in_flight_limit(sk_llm *llm);

#endif
