/*
 * The two wire formats of the LLM client: building the request body for
 * OpenAI's Chat Completions or Anthropic's Messages, and reading the reply
 * back (text, a native tool call, or the strict JSON-reply fallback).
 * Pure functions over cJSON, so they are tested without a server.
 */
#ifndef SK_LLM_REPLY_H
#define SK_LLM_REPLY_H

#include <cjson/cJSON.h>

#include "llm/llm_types.h"
#include "llm/llm_config.h"

/* A deep copy of v with object keys sorted at every depth (caller deletes). */
cJSON *sk_llm_json_canonical(const cJSON *v);

/* The request body.  params (may be NULL) is merged in; it may not set
 * model, messages, system, tools or tool_choice.  schema is the tool's
 * parameters (with req->tool).  native 0 puts the JSON-reply instruction in
 * the system prompt instead of declaring a tool.  Returns 0 with *body
 * (caller deletes), or SK_EINVAL with *err. */
int sk_llm_build_body(sk_llm_api api, const char *model, const sk_llm_request *req,
                      const cJSON *params, const cJSON *schema, int native, cJSON **body,
                      char **err);

/* The instruction that asks for a bare JSON object (the fallback). */
char *sk_llm_fallback_instruction(const sk_llm_tool *tool, const cJSON *schema);

/* Read a 2xx reply body into reply's content, tool_args_json and token
 * counts.  tool_name NULL: a plain reply, which must not be empty.  Else
 * the tool's arguments: from the native call (native 1) or from the text,
 * which must be exactly one JSON object (optionally in a ```json fence);
 * either way an object satisfying the schema's required properties, types
 * and enums.  Returns 0, or SK_EPARSE with *err saying what was wrong.
 * With keep_invalid, a reply that is whole but whose call is missing or
 * breaks the schema returns 0 with reply->args_error (caller frees it with
 * the reply) and the arguments as sent when they are an object. */
int sk_llm_parse_reply(sk_llm_api api, const char *body, const char *tool_name, const cJSON *schema,
                       int native, int keep_invalid, sk_llm_reply *reply, char **err);

/* The JSON object in a fallback reply text: the whole text trimmed, or the
 * inside of one ``` / ```json fence that is the whole text.  Returns the
 * parsed object (caller deletes) or NULL with *err. */
cJSON *sk_llm_json_object_reply(const char *text, char **err);

/* Check args against the top level of a JSON Schema: required properties
 * present, and each present property's type and enum respected.  Returns 0
 * or SK_EPARSE with *err. */
int sk_llm_check_args(const cJSON *args, const cJSON *schema, char **err);

/* A short, printable description of an error body: error.message when it
 * is the usual {"error": {"message"}} JSON, else the text itself, at most
 * max bytes, control characters replaced.  Caller frees. */
char *sk_llm_server_message(const char *body, size_t max);

#endif
