/*
 * sk.llm.chat (see lua_llm.h): the argument table becomes the same JSON
 * request host->llm_chat takes, and the JSON reply becomes a table, so Lua
 * and C plugins share one request format and one set of checks.
 */
#include "lua/lua_llm.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/host.h"
#include "lua/lua_json.h"
#include "base/util.h"

static int l_llm_chat(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    sk_buf req = {0};
    char why[256];
    if (sk_lua_to_json(L, 1, &req, why, sizeof why) != 0) {
        sk_buf_free(&req);
        return luaL_error(L, "sk.llm.chat: the request cannot be sent as JSON: %s", why);
    }
    char *reply = NULL, *err = NULL;
    /* Billed to the host of the call in progress: the row being scored. */
    sk_host_ctx *const *host = lua_touserdata(L, lua_upvalueindex(1));
    int rc = sk_host_llm_chat(*host, req.data, "lua", &reply, &err);
    sk_buf_free(&req);
    if (rc) {
        /* luaL_error does not return: nothing of ours may be left to free. */
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", err ? err : "the call failed");
        free(err);
        return luaL_error(L, "sk.llm.chat: %s", msg);
    }
    int ok = sk_lua_push_json(L, reply, strlen(reply), 1, why, sizeof why); /* reply */
    free(reply);
    if (ok != 0)
        return luaL_error(L, "sk.llm.chat: the reply cannot be read: %s", why);
    return 1;
}

static const luaL_Reg llm_funcs[] = {{"chat", l_llm_chat}, {NULL, NULL}};

void sk_lua_llm_open(lua_State *L, struct sk_host_ctx *const *host)
{
    luaL_newlibtable(L, llm_funcs); /* sk, llm */
    lua_pushlightuserdata(L, (void *)host);
    luaL_setfuncs(L, llm_funcs, 1);
    lua_setfield(L, -2, "llm"); /* sk */
}
