/*
 * The values an LLM call is made of: messages, a tool to force, the request,
 * the reply and the usage they add up to.  They sit below the client so the
 * cache and the reply parser can take them without the client's header.
 */
#ifndef SK_LLM_TYPES_H
#define SK_LLM_TYPES_H

#include <stddef.h>

/* role: "system" | "user" | "assistant".  Both strings borrowed for the call. */
typedef struct sk_llm_message {
    const char *role;
    const char *content;
} sk_llm_message;

typedef struct sk_llm_tool { /* one function the model must call (forced) */
    const char *name, *description;
    const char *parameters_json; /* JSON Schema object of the arguments */
} sk_llm_tool;

/* Every pointer in a request is borrowed until sk_llm_chat returns. */
typedef struct sk_llm_request {
    const char *provider; /* a configured provider's name; NULL = the default one */
    const char *model;    /* NULL = the provider's default model */
    const sk_llm_message *messages;
    size_t nmessages;
    const char *params_json; /* NULL or an object merged into the body: temperature,
                                max_tokens, top_p, seed, stop... */
    const sk_llm_tool *tool; /* NULL: plain reply. Else the reply must be a call of this tool:
                                native tool calling when the provider supports it, else the
                                strict JSON-reply fallback (the schema is put in the prompt and
                                the reply must be exactly one JSON object matching it) */
    unsigned trial;          /* part of the cache key: trials are independent calls */
    const char *caller;      /* "task", "scorer:factuality", ... for the usage log */
    int no_cache;            /* 1: neither read nor write the cache */
    int keep_invalid_args;   /* with a tool, 1: a reply whose call is missing or whose arguments
                                break the schema (a value outside its enum, a missing property)
                                is still returned, with args_error saying what is wrong, for a
                                caller that judges the model's answer itself (a judge's invalid
                                verdict).  Such a reply is not cached and not retried */
    struct sk_llm_account *account; /* whom the call is billed to (see below); NULL: nobody */
} sk_llm_request;

/* Filled by sk_llm_chat; the strings are owned by the reply and freed by
 * sk_llm_reply_free. */
typedef struct sk_llm_reply {
    char *content;        /* the text reply (NULL when the model only called the tool) */
    char *tool_args_json; /* with req->tool: the arguments object as JSON text (validated to be
                             an object) */
    long prompt_tokens, completion_tokens; /* -1 when the server did not say */
    double cost;                           /* from the price table; 0 when unknown */
    double latency_ms;
    int cached;       /* 1: served from the cache, no request made */
    int attempts;     /* HTTP requests made (0 when cached) */
    char *args_error; /* with req->keep_invalid_args: what is wrong with the call (tool_args_json
                         then holds the arguments as sent when they are an object, else NULL);
                         NULL when the call is valid */
} sk_llm_reply;

/* Usage recorded for an experiment (calls, cached, tokens, cost).
 * calls counts every successful call, cached the ones served from the cache;
 * tokens and cost are summed over calls that were not cached (a cached call
 * cost nothing).  An experiment with no calls gives zeros. */
typedef struct sk_llm_usage {
    long calls, cached, prompt_tokens, completion_tokens;
    double cost;
} sk_llm_usage;

/* Whom model calls are billed to.  The caller that makes a request names
 * it, so two runs sharing one client (or one run's calls made on other
 * threads) each get their own calls.  The usage log records a call
 * against `experiment`; a successful call adds to `usage` as
 * sk_llm_usage counts (the client adds under its lock, so threads may
 * share an account).  Read `usage` once no call billed to it is running. */
typedef struct sk_llm_account {
    const char *experiment; /* borrowed; NULL: the log records no experiment */
    sk_llm_usage usage;
} sk_llm_account;
#endif
