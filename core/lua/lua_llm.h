/*
 * sk.llm: the LLM client for Lua scorers.
 *
 *   local reply = sk.llm.chat{
 *     model = "gpt-4o-mini",                  -- optional: the provider's default
 *     provider = "default",                   -- optional
 *     messages = {{role = "system", content = "..."},
 *                 {role = "user", content = "..."}},
 *     params = {temperature = 0, max_tokens = 200},   -- optional
 *     tool = {name = "grade", description = "...",    -- optional: forced call
 *             parameters = {type = "object", properties = {...}}},
 *     trial = 0,                              -- optional: part of the cache key
 *   }
 *   reply.content      the text, or sk.null when the model only called the tool
 *   reply.tool_args    the tool's arguments as a table, or sk.null
 *   reply.model, reply.cached, reply.attempts, reply.latency_ms,
 *   reply.usage.prompt_tokens / completion_tokens / cost
 *
 * The call goes through the host of the call in progress, to its client
 * (limits, retries, cache, usage log) and billed to its row, exactly as a
 * C plugin's host->llm_chat does.  Any failure
 * (a bad request, the server failing after retries, a reply that is not
 * what was asked for) raises a Lua error, which becomes that row's error:
 * a script never sees a made-up reply.
 */
#ifndef SK_LUA_LLM_H
#define SK_LUA_LLM_H

#include <lua.h>

struct sk_host_ctx;

/* Set field "llm" of the table at the top of the stack to the sk.llm
 * library, whose calls go through *host as it is at the time of each call
 * (the state's slot for the host of the call in progress).  Raises only
 * memory errors.  [-0, +0, m] */
void sk_lua_llm_open(lua_State *L, struct sk_host_ctx *const *host);

#endif
