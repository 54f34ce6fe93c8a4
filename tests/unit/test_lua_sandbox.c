/*
 * Tests of what a Lua scorer may NOT do, and of how its failures reach the
 * row: every sandbox escape (os, io, bytecode, string.dump, require of a
 * standard module, debug, the string metatable, dofile/loadfile, steering
 * the collector, finalizers) is a row error with a clear message, never a
 * crash or a pass; runaway loops and memory bombs are stopped by the
 * instruction budget and the memory cap, even behind pcall/xpcall, and the
 * next row on the same state scores normally; errors carry file, line and
 * traceback; and a script that breaks the contract fails the pack at load,
 * before any row.  Scripts are temp files used by a pack, scored through
 * sk_rowscore as a worker does.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "fixtures.h"
#include "lua_fixture.h"
#include "engine/pack.h"
#include "run_suite.h"
#include "tmpfile_util.h"
#include "base/util.h"
#include "sk_test.h"

/* One scorer, one probe per row: case.input names the probe to run. */
static const char *probe_script =
    "local probes = {\n"
    "  os_execute = function() return os.execute('true') end,\n"
    "  io_open = function() return io.open('/etc/passwd') end,\n"
    "  bytecode = function()\n"
    "    local f, msg = load('\\27Lua\\84\\0\\25\\147\\13\\10\\26\\10')\n"
    "    return { score = 0, rationale = ('load returned %s: %s'):format(tostring(f), msg) }\n"
    "  end,\n"
    "  load_text = function() return load('return 0.5')() end,\n"
    "  string_dump = function() return string.dump(function() end) end,\n"
    "  method_dump = function() return ('x').dump(function() end) end,\n"
    "  require_os = function() return require('os') end,\n"
    "  require_io = function() return require('io') end,\n"
    "  registry = function() return debug.getregistry() end,\n"
    "  strmeta_hidden = function()\n"
    "    return { score = 1, rationale = tostring(getmetatable('')) }\n"
    "  end,\n"
    "  strmeta_change = function()\n"
    "    getmetatable('').__index = { upper = function() return 'pwned' end }\n"
    "    return 1\n"
    "  end,\n"
    "  strmeta_rawset = function()\n"
    "    rawset(getmetatable(''), '__index', {})\n"
    "    return 1\n"
    "  end,\n"
    "  upper = function() return { score = 1, rationale = ('abc'):upper() } end,\n"
    "  dofile = function() return dofile('/etc/passwd') end,\n"
    "  loadfile = function() return loadfile('/etc/passwd') end,\n"
    "  gc_stop = function() collectgarbage('stop') return 1 end,\n"
    "  gc_collect = function() collectgarbage('collect') return 1 end,\n"
    "  gc_count = function()\n"
    "    local n = collectgarbage('count')\n"
    "    return { score = 1, rationale = math.type(n) .. ' ' .. tostring(n > 0) }\n"
    "  end,\n"
    "  print = function() print('hello', 42, nil, true) sk.log('via sk.log') return 1 end,\n"
    "  finalizer = function()\n"
    "    setmetatable({}, { __gc = function() while true do end end })\n"
    "    return 1\n"
    "  end,\n"
    "  finalizer_later = function()\n"
    "    local mt = { __gc = false }\n"
    "    setmetatable({}, mt)\n"
    "    mt.__gc = function() while true do end end\n"
    "    return 1\n"
    "  end,\n"
    "  globals = function()\n"
    "    local out = {}\n"
    "    for _, g in ipairs({ 'os', 'io', 'debug', 'package', 'coroutine', 'dofile',\n"
    "                         'loadfile', 'loadstring', 'module' }) do\n"
    "      if _G[g] ~= nil then out[#out + 1] = g end\n"
    "    end\n"
    "    return { score = 1, rationale = 'visible: ' .. table.concat(out, ',') }\n"
    "  end,\n"
    "}\n"
    "return {\n"
    "  name = 'probe',\n"
    "  score = function(case)\n"
    "    collectgarbage('count')\n"
    "    return probes[case.input]()\n"
    "  end,\n"
    "}\n";

static void probe_row(sk_lt *t, const char *probe)
{
    char *row = sk_asprintf("{\"id\":\"%s\",\"input\":\"%s\",\"output\":\"x\"}", probe, probe);
    sk_lt_row(t, row);
    free(row);
}

/* Run one probe and assert it is a row error mentioning want. */
static void assert_probe_error(sk_lt *t, const char *probe, const char *want)
{
    probe_row(t, probe);
    const sk_result *r = sk_lt_res(t, 0);
    ck_assert_msg(r->kind == SK_VERDICT_ERROR, "probe %s: kind %d (%s)", probe, r->kind,
                  r->rationale.data ? r->rationale.data : "");
    sk_assert_has(r->message.data, want);
    sk_assert_has(r->message.data, "scorer ");
}

/* ---- sandbox escapes ------------------------------------------------- */

START_TEST(escape_os_io_debug)
{
    sk_lt t;
    sk_lt_open_script(&t, probe_script, "", "");
    assert_probe_error(&t, "os_execute", "attempt to index a nil value (global 'os')");
    assert_probe_error(&t, "io_open", "attempt to index a nil value (global 'io')");
    assert_probe_error(&t, "registry", "attempt to index a nil value (global 'debug')");
    probe_row(&t, "globals");
    sk_lt_assert_score(&t, 0, 1);
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "visible: ");
    sk_lt_close(&t);
}
END_TEST

START_TEST(escape_bytecode_and_dump)
{
    sk_lt t;
    sk_lt_open_script(&t, probe_script, "", "");
    /* load() refuses bytecode by returning nil and a message, as Lua does */
    probe_row(&t, "bytecode");
    sk_lt_assert_score(&t, 0, 0);
    sk_assert_has(sk_lt_res(&t, 0)->rationale.data, "load returned nil: ");
    sk_assert_has(sk_lt_res(&t, 0)->rationale.data, "attempt to load a binary chunk");
    /* text still loads */
    probe_row(&t, "load_text");
    sk_lt_assert_score(&t, 0, 0.5);
    assert_probe_error(&t, "string_dump", "attempt to call a nil value (field 'dump')");
    assert_probe_error(&t, "method_dump", "attempt to call a nil value (field 'dump')");
    sk_lt_close(&t);
}
END_TEST

START_TEST(escape_require_refused)
{
    sk_lt t;
    sk_lt_open_script(&t, probe_script, "", "");
    assert_probe_error(&t, "require_os",
                       "require(\"os\"): scorers may only require \"sk\" and "
                       "\"sk.NAME\" modules");
    assert_probe_error(&t, "require_io", "require(\"io\")");
    sk_lt_close(&t);
}
END_TEST

START_TEST(escape_string_metatable)
{
    sk_lt t;
    sk_lt_open_script(&t, probe_script, "", "");
    probe_row(&t, "strmeta_hidden");
    sk_lt_assert_score(&t, 0, 1);
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "false");
    assert_probe_error(&t, "strmeta_change", "attempt to index a boolean value");
    assert_probe_error(&t, "strmeta_rawset", "bad argument #1 to 'rawset' (table expected");
    /* string methods still work, unchanged */
    probe_row(&t, "upper");
    sk_lt_assert_score(&t, 0, 1);
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "ABC");
    sk_lt_close(&t);
}
END_TEST

START_TEST(escape_dofile_loadfile)
{
    sk_lt t;
    sk_lt_open_script(&t, probe_script, "", "");
    assert_probe_error(&t, "dofile", "attempt to call a nil value (global 'dofile')");
    assert_probe_error(&t, "loadfile", "attempt to call a nil value (global 'loadfile')");
    sk_lt_close(&t);
}
END_TEST

START_TEST(collectgarbage_count_only)
{
    sk_lt t;
    sk_lt_open_script(&t, probe_script, "", "");
    assert_probe_error(&t, "gc_stop",
                       "collectgarbage(\"stop\") is not allowed in a scorer; only "
                       "collectgarbage(\"count\")");
    assert_probe_error(&t, "gc_collect", "collectgarbage(\"collect\") is not allowed");
    probe_row(&t, "gc_count");
    sk_lt_assert_score(&t, 0, 1);
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "float true");
    sk_lt_close(&t);
}
END_TEST

START_TEST(print_goes_to_log)
{
    sk_lt t;
    sk_lt_open_script(&t, probe_script, ",\"as\":\"shown\"", "");
    sk_lt_log_start();
    probe_row(&t, "print");
    char *log = sk_lt_log_stop();
    sk_lt_assert_score(&t, 0, 1);
    ck_assert_str_eq(log, "INFO shown: hello\t42\tnil\ttrue\nINFO shown: via sk.log\n");
    free(log);
    sk_lt_close(&t);
}
END_TEST

/* A finalizer runs with debug hooks off, so the instruction budget cannot
 * stop it: a looping __gc would hang the worker (or lua_close).  The
 * sandbox refuses __gc metatables. */
START_TEST(escape_finalizer_refused)
{
    sk_lt t;
    sk_lt_open_script(&t, probe_script, "", "");
    assert_probe_error(&t, "finalizer", "__gc");
    assert_probe_error(&t, "finalizer_later", "__gc");
    probe_row(&t, "upper"); /* and the state goes on */
    sk_lt_assert_score(&t, 0, 1);
    sk_lt_close(&t);
}
END_TEST

/* ---- instruction budget and memory cap -------------------------------- */

static const char *spin_script =
    "return {\n"
    "  name = 'spin',\n"
    "  score = function(case)\n"
    "    local w = case.input\n"
    "    if w == 'loop' then while true do end end\n"
    "    if w == 'pcall' then\n"
    "      while true do pcall(function() while true do end end) end\n"
    "    end\n"
    "    if w == 'xpcall' then\n"
    "      while true do\n"
    "        xpcall(function() while true do end end, function(m) return m end)\n"
    "      end\n"
    "    end\n"
    "    if w == 'handler' then\n"
    "      while true do xpcall(error, function() while true do end end) end\n"
    "    end\n"
    "    if w == 'pcall_error' then\n"
    "      local n = 0\n"
    "      while true do n = n + 1; pcall(error, n) end\n"
    "    end\n"
    "    if w == 'bomb' then\n"
    "      local t, i = {}, 0\n"
    "      while true do i = i + 1; t[i] = ('x'):rep(1000) .. i end\n"
    "    end\n"
    "    if w == 'big' then return #('x'):rep(1 << 30) end\n"
    "    if w == 'bomb_pcall' then\n"
    "      while true do\n"
    "        pcall(function() local t = {} for i = 1, 1e9 do t[i] = ('y'):rep(100) .. i end end)\n"
    "      end\n"
    "    end\n"
    "    if w == 'caught_then_error' then\n"
    "      local ok = pcall(string.rep, 'x', 1 << 30)\n"
    "      error('a real problem after ' .. tostring(ok), 0)\n"
    "    end\n"
    "    if w == 'caught_then_score' then\n"
    "      pcall(string.rep, 'x', 1 << 30)\n"
    "      return 0.5\n"
    "    end\n"
    "    COUNT = (COUNT or 0) + 1\n"
    "    return { score = 1, rationale = 'ok ' .. COUNT }\n"
    "  end,\n"
    "}\n";

static void spin_row(sk_lt *t, const char *what)
{
    char *row = sk_asprintf("{\"input\":\"%s\",\"output\":\"x\"}", what);
    sk_lt_row(t, row);
    free(row);
}

START_TEST(budget_default_10m)
{
    sk_lt t;
    sk_lt_open_script(&t, spin_script, "", "");
    spin_row(&t, "loop");
    sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR, "exceeded its 10M instruction budget");
    sk_assert_has(sk_lt_res(&t, 0)->message.data, sk_lt_base(t.scripts[0]));
    spin_row(&t, "ok"); /* the same state scores the next row */
    sk_lt_assert_score(&t, 0, 1);
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "ok 1");
    sk_lt_close(&t);
}
END_TEST

START_TEST(budget_pack_limit_and_pcall)
{
    static const char *const ways[] = {"loop", "pcall", "xpcall", "handler", "pcall_error"};
    sk_lt t;
    sk_lt_open_script(&t, spin_script, "", ",\"lua\":{\"max_instructions\":100000}");
    for (size_t i = 0; i < sizeof ways / sizeof ways[0]; i++) {
        spin_row(&t, ways[i]);
        const sk_result *r = sk_lt_res(&t, 0);
        ck_assert_msg(r->kind == SK_VERDICT_ERROR, "%s: kind %d", ways[i], r->kind);
        ck_assert_msg(strstr(r->message.data, "exceeded its 100000 instruction budget"), "%s: %s",
                      ways[i], r->message.data);
        spin_row(&t, "ok");
        sk_lt_assert_score(&t, 0, 1);
    }
    /* the globals survived: it is the same state every time */
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "ok 5");
    sk_lt_close(&t);
}
END_TEST

START_TEST(budget_entry_overrides_pack)
{
    sk_lt t;
    sk_lt_open_script(&t, spin_script, ",\"lua\":{\"max_instructions\":200000}",
                      ",\"lua\":{\"max_instructions\":100000}");
    spin_row(&t, "loop");
    sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR, "exceeded its 200000 instruction budget");
    sk_lt_close(&t);
}
END_TEST

/* The budget applies to the script's top level too: at pack load. */
START_TEST(budget_at_load)
{
    char *err = sk_lt_load_error("while true do end\n", ",\"lua\":{\"max_instructions\":50000}");
    sk_assert_has(err, "t.json:1: scorer \"lua:/tmp/");
    sk_assert_has(err, "exceeded its 50000 instruction budget");
    free(err);
}
END_TEST

START_TEST(memory_bomb)
{
    sk_lt t;
    /* No time limit to speak of: the memory churn is slow under valgrind,
     * and this is about the budget and the cap. */
    sk_lt_open_script(&t, spin_script, "",
                      ",\"lua\":{\"max_memory_mb\":8,\"max_instructions\":2000000,"
                      "\"max_seconds\":3600}");
    spin_row(&t, "ok");
    sk_lt_assert_score(&t, 0, 1);
    spin_row(&t, "bomb");
    sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR, "exceeded its memory cap of 8 MiB");
    spin_row(&t, "ok");
    sk_lt_assert_score(&t, 0, 1);
    /* a fresh state: whatever filled the memory is gone, globals too */
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "ok 1");
    spin_row(&t, "big");
    sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR, "exceeded its memory cap of 8 MiB");
    spin_row(&t, "ok");
    sk_lt_assert_score(&t, 0, 1);
    /* a memory error the script caught is not the reason of a later one,
     * and does not cost the state */
    spin_row(&t, "caught_then_error");
    sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR, "failed: a real problem after false");
    spin_row(&t, "caught_then_score");
    sk_lt_assert_score(&t, 0, 0.5);
    spin_row(&t, "ok");
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "ok 2");
    /* caught memory errors go on until the budget stops them */
    spin_row(&t, "bomb_pcall");
    ck_assert_int_eq(sk_lt_res(&t, 0)->kind, SK_VERDICT_ERROR);
    sk_assert_has(sk_lt_res(&t, 0)->message.data, "exceeded its");
    spin_row(&t, "ok");
    sk_lt_assert_score(&t, 0, 1);
    sk_lt_close(&t);
}
END_TEST

/* ---- error messages ----------------------------------------------------- */

static const char *error_script = "local function fail(what)\n"                /* 1 */
                                  "  if what == 'boom' then\n"                 /* 2 */
                                  "    error('boom')\n"                        /* 3 */
                                  "  elseif what == 'table' then\n"            /* 4 */
                                  "    error({ code = 7 })\n"                  /* 5 */
                                  "  elseif what == 'nil' then\n"              /* 6 */
                                  "    return nil + 1\n"                       /* 7 */
                                  "  end\n"                                    /* 8 */
                                  "  return 1\n"                               /* 9 */
                                  "end\n"                                      /* 10 */
                                  "return {\n"                                 /* 11 */
                                  "  name = 'err',\n"                          /* 12 */
                                  "  score = function(case)\n"                 /* 13 */
                                  "    local r = fail(case.input); return r\n" /* 14 */
                                  "  end,\n"                                   /* 15 */
                                  "}\n";                                       /* 16 */

/* display: the script as messages name it. */
static void assert_traceback(const char *msg, const char *display)
{
    char *where3 = sk_asprintf("failed: %s:3: boom\n", display);
    char *frame3 = sk_asprintf("\n  %s:3: in ", display);
    char *frame14 = sk_asprintf("\n  %s:14: in ", display);
    sk_assert_has(msg, where3);
    sk_assert_has(msg, "\nstack traceback:");
    sk_assert_has(msg, frame3);
    sk_assert_has(msg, frame14);
    /* the host's own C frames are left out */
    ck_assert_msg(!strstr(msg, "[C]"), "C frames in: %s", msg);
    free(where3);
    free(frame3);
    free(frame14);
}

/* Scripts named by a path (lua:/abs/x.lua, lua:scorers/x.lua): the
 * traceback keeps the script's frames. */
START_TEST(error_file_line_traceback)
{
    sk_lt t;
    sk_lt_open_script(&t, error_script, "", "");
    sk_lt_row(&t, "{\"input\":\"boom\",\"output\":\"x\"}");
    const sk_result *r = sk_lt_res(&t, 0);
    ck_assert_int_eq(r->kind, SK_VERDICT_ERROR);
    sk_assert_has(r->message.data, "scorer ");
    sk_assert_has(r->message.data, " failed: ");
    assert_traceback(r->message.data, t.scripts[0]);
    sk_lt_row(&t, "{\"input\":\"nil\",\"output\":\"x\"}");
    char *where7 =
        sk_asprintf("%s:7: attempt to perform arithmetic on a nil value", sk_lt_base(t.scripts[0]));
    sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR, where7);
    free(where7);
    sk_lt_close(&t);
}
END_TEST

/* The same script named relative to its pack (lua:NAME.lua). */
START_TEST(error_traceback_relative_name)
{
    char *script = sk_lt_script(error_script);
    const char *base = sk_lt_base(script);
    char *pack_text = sk_asprintf("{\"name\":\"t\",\"scorers\":[{\"use\":\"lua:%s\"}]}", base);
    char *pack_path = sk_tmp_write(pack_text, strlen(pack_text));
    sk_pack *pack = NULL;
    char *err = NULL;
    ck_assert_msg(sk_pack_load(&pack, pack_path, sk_fixture_reg, &err) == SK_OK, "%s", err);
    void *state = NULL;
    const sk_pack_entry *e = &pack->entries[0];
    ck_assert_int_eq(
        e->ops->open(sk_test_host_ctx(), e->impl, e->name, e->params_json, &state, &err), SK_OK);
    sk_case c = {0};
    c.size = sizeof c;
    c.id = "r";
    c.input_json = "\"boom\"";
    c.input_text = "boom";
    c.input_len = 4;
    c.output_json = "\"x\"";
    c.output_text = "x";
    c.output_len = 1;
    sk_result r = {0};
    sk_result_reset(&r);
    sk_result_finish(&r, e->ops->score(sk_test_host_ctx(), e->impl, state, &c, &r), e->name);
    ck_assert_int_eq(r.kind, SK_VERDICT_ERROR);
    assert_traceback(r.message.data, base);
    sk_result_free(&r);
    e->ops->close(sk_test_host_ctx(), e->impl, state);
    sk_pack_free(pack);
    free(pack_text);
    sk_tmp_remove(pack_path);
    sk_lt_remove(script);
}
END_TEST

/* A path longer than Lua's chunk id: frames read "...TAIL:LINE:". */
START_TEST(error_traceback_long_name)
{
    char *short_path = sk_lt_script(error_script);
    char *path = sk_asprintf("%.*s_whose_name_is_long_enough_for_lua_to_shorten_it.lua",
                             (int)(strlen(short_path) - 4), short_path);
    ck_assert_int_eq(rename(short_path, path), 0);
    free(short_path);
    char *pack = sk_asprintf("{\"name\":\"t\",\"scorers\":[{\"use\":\"lua:%s\"}]}", path);
    sk_lt t = {0};
    t.scripts[t.nscripts++] = path;
    sk_lt_open(&t, pack);
    sk_lt_row(&t, "{\"input\":\"boom\",\"output\":\"x\"}");
    const char *msg = sk_lt_res(&t, 0)->message.data;
    sk_assert_has(msg, "\nstack traceback:\n  ...");
    sk_assert_has(msg, "_to_shorten_it.lua:3: in ");
    sk_assert_has(msg, "_to_shorten_it.lua:14: in ");
    free(pack);
    sk_lt_close(&t);
}
END_TEST

START_TEST(error_table_value)
{
    sk_lt t;
    sk_lt_open_script(&t, error_script, "", "");
    sk_lt_row(&t, "{\"input\":\"table\",\"output\":\"x\"}");
    sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR, "(error object is a table value)");
    sk_lt_row(&t, "{\"input\":\"fine\",\"output\":\"x\"}");
    sk_lt_assert_score(&t, 0, 1);
    sk_lt_close(&t);
}
END_TEST

/* ---- the contract, checked at load -------------------------------------- */

START_TEST(load_syntax_error)
{
    char *path = sk_lt_script("return {\n"
                              "  name = 'bad',\n"
                              "  score = function(case) return 1 + end,\n"
                              "}\n");
    char *text = sk_asprintf("{\"name\":\"t\",\"scorers\":[{\"use\":\"lua:%s\"}]}", path);
    sk_pack *pack = NULL;
    char *err = NULL;
    ck_assert_int_ne(sk_pack_parse(&pack, text, strlen(text), "t.json", sk_fixture_reg, &err),
                     SK_OK);
    ck_assert_ptr_null(pack);
    char *where = sk_asprintf("%s:3:", path);
    sk_assert_has(err, "t.json:1: scorer \"lua:");
    sk_assert_has(err, where);
    sk_assert_has(err, "near 'end'");
    free(where);
    free(err);
    free(text);
    sk_lt_remove(path);
}
END_TEST

/* Each broken script and what its load error must say. */
static const struct {
    const char *source, *want;
} refusals[] = {
    {"local x = 1\n", "it returned a nil"},
    {"return 42\n", "the script must end with `return { name = ..., score = ... }`; it returned "
                    "a number"},
    {"return { name = 'x' }\n", "score must be a function(case, params)"},
    {"return { name = 'x', score = 1 }\n", "score must be a function(case, params)"},
    {"return { score = function() return 1 end }\n", "name must be a string of letters"},
    {"return { name = 'has space', score = function() return 1 end }\n",
     "name must be a string of letters"},
    {"return { name = 7, score = function() return 1 end }\n", "name must be a string"},
    {"return { name = 'x', score = function() return 1 end, treshold = 0.5 }\n",
     "unknown field \"treshold\" in the returned table"},
    {"return { name = 'x', score = function() return 1 end, [1] = true }\n",
     "unknown field (not a name)"},
    {"return { name = 'x', score = function() return 1 end, params = 5 }\n",
     "params must be a table"},
    {"return { name = 'x', score = function() return 1 end,\n"
     "         params = { n = { type = 'float', default = 1 } } }\n",
     "params.n: type must be one of bool, number, integer, string, list, json"},
    {"return { name = 'x', score = function() return 1 end, params = { n = { doc = 'd' } } }\n",
     "params.n: give a default or a type"},
    {"return { name = 'x', score = function() return 1 end,\n"
     "         params = { f = function() end } }\n",
     "params.f: the default cannot be JSON"},
    {"return { name = 'x', score = function() return 1 end, params = { ['bad key'] = 1 } }\n",
     "params: every key must be a name"},
    {"return { name = 'x', score = function() return 1 end, summary = {} }\n",
     "summary must be a string"},
    {"return { name = 'x', score = function() return 1 end, uses_llm = 'yes' }\n",
     "must be booleans"},
    {"return { name = 'x', score = function() return 1 end, accepts = { 'pdf' } }\n",
     "accepts: each entry must be text, number, json or list"},
    {"error('at the top')\n", ":1: at the top"},
};

START_TEST(load_refuses_bad_scripts)
{
    char *err = sk_lt_load_error(refusals[_i].source, "");
    sk_assert_has(err, "t.json:1: scorer \"lua:/tmp/");
    sk_assert_has(err, refusals[_i].want);
    free(err);
}
END_TEST

/* Helper functions beside score are allowed, and so are the flags. */
START_TEST(load_accepts_helpers)
{
    sk_lt t;
    sk_lt_open_script(&t,
                      "return { name = 'x.y-z_1', summary = 's', nondeterministic = true,\n"
                      "  needs_expected = true, accepts = { 'text', 'json' },\n"
                      "  helper = function() return 1 end,\n"
                      "  score = function(case) return 1 end }\n",
                      "", "");
    const sk_pack_entry *e = &t.pack->entries[0];
    ck_assert_str_eq(e->name, "x.y-z_1");
    ck_assert_str_eq(e->summary, "s");
    ck_assert_uint_eq(e->flags, SK_SCORER_NONDETERMINISTIC | SK_SCORER_NEEDS_EXPECTED);
    ck_assert_uint_eq(e->ops->def(e->impl)->accepts, SK_ACCEPT_TEXT | SK_ACCEPT_JSON);
    ck_assert_str_eq(e->ops->kind, "lua");
    /* needs_expected: the host skips rows without one */
    sk_lt_row(&t, "{\"output\":\"x\"}");
    ck_assert_int_eq(sk_lt_res(&t, 0)->kind, SK_VERDICT_SKIP);
    sk_lt_row(&t, "{\"output\":\"x\",\"expected\":\"y\"}");
    sk_lt_assert_score(&t, 0, 1);
    sk_lt_close(&t);
}
END_TEST

/* A pattern that backtracks for ages runs in C, where the count hook never
 * fires; the sandbox's string functions count their steps against the same
 * budget (lua_pattern.c), so the row fails quickly, even behind pcall, and
 * the next row on the same state scores normally. */
START_TEST(budget_stops_pattern_backtracking)
{
    sk_lt t;
    sk_lt_open_script(&t,
                      "return { name = 'pat', score = function(case)\n"
                      "  local s = ('a'):rep(20000)\n"
                      "  if case.output == 'x' then\n"
                      "    return s:find('.-.-.-.-.-b') and 1 or 0\n"
                      "  elseif case.output == 'pcall' then\n"
                      "    pcall(string.gsub, s, '.-.-.-.-.-b', '')\n"
                      "    return 1\n"
                      "  end\n"
                      "  return select(2, s:gsub('a+', 'b')) end }\n",
                      "", ",\"lua\":{\"max_instructions\":100000}");
    sk_lt_row(&t, "{\"output\":\"x\"}");
    sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR,
                     "exceeded its 100000 instruction budget in a string "
                     "pattern match");
    sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR, "raise \"max_instructions\"");
    sk_lt_row(&t, "{\"output\":\"pcall\"}");
    sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR, "instruction budget");
    sk_lt_row(&t, "{\"output\":\"y\"}");
    sk_lt_assert_score(&t, 0, 1);
    sk_lt_close(&t);
}
END_TEST

/* Issue 11.4: the sk.* functions run in C, where the count hook never
 * fires; each one whose work grows with its input pays for that work from
 * the same budget, so one call on a long input fails the row, even behind
 * pcall, and the next row on the same state scores normally.  The texts
 * compared differ throughout: near-identical ones are cheap (the edit
 * distance looks only near the diagonal then). */
static const char *c_work_script =
    "local big = ('ab'):rep(1000000)\n"
    "local long = ('ab'):rep(10000)\n"
    "local calls = {\n"
    "  levenshtein = function() return sk.text.levenshtein(('a'):rep(1000000),\n"
    "                                                      ('b'):rep(1000000)) end,\n"
    "  similarity = function() return sk.text.similarity(long, long:upper()) end,\n"
    "  normalize = function() return sk.text.normalize(big) end,\n"
    "  tokens = function() return sk.text.tokens(big) end,\n"
    "  contains = function() return sk.text.contains(big, 'x') end,\n"
    "  words = function() return sk.text.words(big) end,\n"
    "  decode = function() return sk.json.decode('\"' .. big .. '\"') end,\n"
    "  encode = function() return sk.json.encode(big) end,\n"
    "}\n"
    "return { name = 'cwork', score = function(case)\n"
    "  local f = calls[case.input]\n"
    "  if not f then return 1 end\n"
    "  if case.output == 'pcall' then\n"
    "    for _ = 1, 3 do pcall(f) end\n"
    "    return 1\n"
    "  end\n"
    "  f()\n"
    "  return 1\n"
    "end }\n";

static const struct {
    const char *fn, *limit; /* the pack's lua limits for it */
} c_work[] = {
    {"sk.text.levenshtein", ""}, /* the 1M x 1M, with the default 10M */
    {"sk.text.similarity", ",\"lua\":{\"max_instructions\":100000}"},
    {"sk.text.normalize", ",\"lua\":{\"max_instructions\":100000}"},
    {"sk.text.tokens", ",\"lua\":{\"max_instructions\":100000}"},
    {"sk.text.contains", ",\"lua\":{\"max_instructions\":100000}"},
    {"sk.text.words", ",\"lua\":{\"max_instructions\":100000}"},
    {"sk.json.decode", ",\"lua\":{\"max_instructions\":100000}"},
    {"sk.json.encode", ",\"lua\":{\"max_instructions\":100000}"},
};

START_TEST(budget_charges_sk_functions)
{
    const char *fn = c_work[_i].fn;
    const char *probe = strrchr(fn, '.') + 1;
    sk_lt t;
    sk_lt_open_script(&t, c_work_script, "", c_work[_i].limit);
    char *want = sk_asprintf("exceeded its %s instruction budget in %s, whose work counts "
                             "against it in proportion to its input; give it less input or "
                             "raise \"max_instructions\" in the pack's \"lua\" limits",
                             *c_work[_i].limit ? "100000" : "10M", fn);
    static const char *const ways[] = {"plain", "pcall"};
    for (size_t w = 0; w < 2; w++) {
        char *row = sk_asprintf("{\"input\":\"%s\",\"output\":\"%s\"}", probe, ways[w]);
        sk_lt_row(&t, row);
        free(row);
        const sk_result *r = sk_lt_res(&t, 0);
        ck_assert_msg(r->kind == SK_VERDICT_ERROR, "%s %s: kind %d", fn, ways[w], r->kind);
        ck_assert_msg(strstr(r->message.data, want), "%s %s: %s", fn, ways[w], r->message.data);
        spin_row(&t, "ok");
        sk_lt_assert_score(&t, 0, 1);
    }
    free(want);
    sk_lt_close(&t);
}
END_TEST

/* The per-call wall-clock limit ends what the budget does not: Lua or C
 * work under a budget too large to matter, one long C call included, and
 * behind pcall; the next row scores normally.  (It asserts on the message
 * only: which limit ran out, never how long anything took.) */
START_TEST(time_limit_ends_long_calls)
{
    static const char *const probes[] = {"lua_loop", "c_loop", "c_pcall", "c_long"};
    sk_lt t;
    sk_lt_open_script(&t,
                      "local a, b = ('a'):rep(3000), ('b'):rep(3000)\n"
                      "local calls = {\n"
                      "  lua_loop = function() while true do end end,\n"
                      "  c_loop = function() while true do sk.text.levenshtein(a, b) end end,\n"
                      "  c_pcall = function()\n"
                      "    while true do pcall(sk.text.levenshtein, a, b) end\n"
                      "  end,\n"
                      "  c_long = function()\n"
                      "    return sk.text.levenshtein(a:rep(400), b:rep(400))\n"
                      "  end,\n"
                      "}\n"
                      "return { name = 'slow', score = function(case)\n"
                      "  local f = calls[case.input]\n"
                      "  if f then f() end\n"
                      "  return 1\n"
                      "end }\n",
                      ",\"lua\":{\"max_instructions\":1000000000000000,\"max_seconds\":0.05}", "");
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        spin_row(&t, probes[i]);
        const sk_result *r = sk_lt_res(&t, 0);
        ck_assert_msg(r->kind == SK_VERDICT_ERROR, "%s: kind %d", probes[i], r->kind);
        ck_assert_msg(strstr(r->message.data, "ran longer than its 0.05 s time limit"), "%s: %s",
                      probes[i], r->message.data);
        ck_assert_msg(strstr(r->message.data, "raise \"max_seconds\" in the pack's \"lua\" limits"),
                      "%s: %s", probes[i], r->message.data);
        spin_row(&t, "ok");
        sk_lt_assert_score(&t, 0, 1);
    }
    /* the long C call was stopped inside it */
    spin_row(&t, "c_long");
    sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR, "time limit in sk.text.levenshtein;");
    sk_lt_close(&t);
}
END_TEST

START_TEST(time_limit_checked_at_load)
{
    static const char *const bad[] = {"0", "-1", "\"10\"", "86401"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *extra = sk_asprintf(",\"lua\":{\"max_seconds\":%s}", bad[i]);
        char *err =
            sk_lt_load_error("return { name = 'x', score = function() return 1 end }\n", extra);
        sk_assert_has(err, "lua.max_seconds: expected max_instructions (a count >= 1), "
                           "max_memory_mb (MiB, 1 to 65536) or max_seconds (seconds per call, "
                           "more than 0 and at most 86400)");
        free(err);
        free(extra);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("lua_sandbox");
    TCase *tc = tcase_create("escapes");
    tcase_add_checked_fixture(tc, sk_fixture_setup, sk_fixture_teardown);
    tcase_add_test(tc, escape_os_io_debug);
    tcase_add_test(tc, escape_bytecode_and_dump);
    tcase_add_test(tc, escape_require_refused);
    tcase_add_test(tc, escape_string_metatable);
    tcase_add_test(tc, escape_dofile_loadfile);
    tcase_add_test(tc, collectgarbage_count_only);
    tcase_add_test(tc, print_goes_to_log);
    tcase_add_test(tc, escape_finalizer_refused);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_checked_fixture(tc, sk_fixture_setup, sk_fixture_teardown);
    /* the 10M default runs for real; slow under valgrind */
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, budget_default_10m);
    tcase_add_test(tc, budget_pack_limit_and_pcall);
    tcase_add_test(tc, budget_entry_overrides_pack);
    tcase_add_test(tc, budget_at_load);
    tcase_add_test(tc, memory_bomb);
    tcase_add_test(tc, budget_stops_pattern_backtracking);
    tcase_add_loop_test(tc, budget_charges_sk_functions, 0, sizeof c_work / sizeof c_work[0]);
    tcase_add_test(tc, time_limit_ends_long_calls);
    tcase_add_test(tc, time_limit_checked_at_load);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, sk_fixture_setup, sk_fixture_teardown);
    tcase_add_test(tc, error_file_line_traceback);
    tcase_add_test(tc, error_traceback_relative_name);
    tcase_add_test(tc, error_traceback_long_name);
    tcase_add_test(tc, error_table_value);
    tcase_add_test(tc, load_syntax_error);
    tcase_add_loop_test(tc, load_refuses_bad_scripts, 0, sizeof refusals / sizeof refusals[0]);
    tcase_add_test(tc, load_accepts_helpers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(suite());
}
