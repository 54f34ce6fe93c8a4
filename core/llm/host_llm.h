/*
 * The LLM client's JSON face: one chat request written as JSON, one reply
 * read back as JSON.  This is what plugins get as host->llm_chat and Lua
 * scripts as sk.llm.chat{...}, so neither needs the client's C types.
 *
 * Request: {"provider"?, "model"?, "messages": [{"role", "content"}, ...],
 *           "params"?: {...}, "tool"?: {"name", "description"?, "parameters"},
 *           "trial"?: n, "no_cache"?: bool, "caller"?: "scorer:NAME",
 *           "keep_invalid_args"?: bool}
 * Reply:   {"content": str|null, "tool_args": obj|null, "model": str|null,
 *           "usage": {"prompt_tokens": n|null, "completion_tokens": n|null,
 *                     "cost": x}, "cached": bool, "attempts": n,
 *           "latency_ms": x, "args_error"?: str}
 * "args_error" comes only with "keep_invalid_args": true, when the reply
 * arrived but its tool call is missing or breaks the schema (see
 * sk_llm_request.keep_invalid_args); "tool_args" then holds what the model
 * sent.
 * An unknown key or a value of the wrong type is an error naming it, so a
 * typo ("temprature" inside "params" aside, which goes to the server) never
 * silently changes the call.
 */
#ifndef SK_HOST_LLM_H
#define SK_HOST_LLM_H

#include "llm/llm.h"

/* Run the request on llm (NULL: no client was opened, an error saying so),
 * billed to `account` (may be NULL).  `caller` names the caller in the
 * usage log when the request has no "caller" (may be NULL).  Returns 0 with
 * *reply_json (caller frees with free()), or a negative SK_E* with *err set
 * (caller frees). */
int sk_llm_chat_json(sk_llm *llm, const char *request_json, const char *caller,
                     sk_llm_account *account, char **reply_json, char **err);

/* The same for embeddings (sk_llm_embed): request {"provider"?, "model",
 * "input", "caller"?, "no_cache"?}; reply {"embedding": [numbers], "model",
 * "usage": {"prompt_tokens": n|null, "cost": x}, "cached", "attempts",
 * "latency_ms"}.  Unknown keys are errors. */
int sk_llm_embed_json(sk_llm *llm, const char *request_json, const char *caller,
                      sk_llm_account *account, char **reply_json, char **err);

#endif
