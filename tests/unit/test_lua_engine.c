/*
 * Tests of Lua scorers doing their job, driven the way the host drives
 * them: what score() may return and the verdict each gives; params
 * (declarations, defaults, type inference, pack overrides and the host's
 * checks); the case a script sees (conversions, lazy fields, id, trial, a
 * case kept across rows); sk.score composition; sk_score_file with several
 * workers; the shipped scorers; and require of sk modules.  The sandbox and
 * the limits are in test_lua_sandbox.c.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "fixtures.h"
#include "lua/lua_engine.h"
#include "lua_fixture.h"
#include "engine/pack.h"
#include "run_suite.h"
#include "run/score.h"
#include "tmpfile_util.h"
#include "base/util.h"
#include "sk_test.h"

/* ---- results ------------------------------------------------------------ */

static const char *result_script =
    "local r = {\n"
    "  number = function() return 0.75 end,\n"
    "  integer = function() return 1 end,\n"
    "  table = function()\n"
    "    return { score = 0.5, rationale = 'half way',\n"
    "             meta = { b = { 1, 2 }, a = 'x', n = sk.null, e = sk.array({}), f = 0.5 } }\n"
    "  end,\n"
    "  percent = function() return { score = 1, rationale = '100% %s %d' } end,\n"
    "  numeric_rationale = function() return { score = 1, rationale = 42 } end,\n"
    "  skip = function() return nil, 'not for this row' end,\n"
    "  ['nil'] = function() return nil end,\n"
    "  nothing = function() end,\n"
    "  bool = function() return true end,\n"
    "  string = function() return '0.5' end,\n"
    "  above = function() return 1.5 end,\n"
    "  nan = function() return 0 / 0 end,\n"
    "  negative = function() return -0.25 end,\n"
    "  no_score = function() return { rationale = 'x' } end,\n"
    "  table_above = function() return { score = 2 } end,\n"
    "  bad_rationale = function() return { score = 1, rationale = {} } end,\n"
    "  bad_meta = function() return { score = 1, meta = { f = print } } end,\n"
    "  meta_string = function() return { score = 1, meta = 'x' } end,\n"
    "  meta_array = function() return { score = 1, meta = { 1, 2 } } end,\n"
    "}\n"
    "return { name = 'res', score = function(case) return r[case.input]() end }\n";

static void kind_row(sk_lt *t, const char *what)
{
    char *row = sk_asprintf("{\"input\":\"%s\",\"output\":\"x\"}", what);
    sk_lt_row(t, row);
    free(row);
}

START_TEST(result_scores)
{
    sk_lt t;
    sk_lt_open_script(&t, result_script, "", "");
    kind_row(&t, "number");
    sk_lt_assert_score(&t, 0, 0.75);
    ck_assert_uint_eq(sk_lt_res(&t, 0)->rationale.len, 0);
    ck_assert_uint_eq(sk_lt_res(&t, 0)->meta.len, 0);
    kind_row(&t, "integer");
    sk_lt_assert_score(&t, 0, 1);
    kind_row(&t, "table");
    sk_lt_assert_score(&t, 0, 0.5);
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "half way");
    ck_assert_str_eq(sk_lt_res(&t, 0)->meta.data,
                     "{\"a\":\"x\",\"b\":[1,2],\"e\":[],\"f\":0.5,\"n\":null}");
    /* a plain score after a table keeps nothing of it */
    kind_row(&t, "number");
    ck_assert_uint_eq(sk_lt_res(&t, 0)->rationale.len, 0);
    ck_assert_uint_eq(sk_lt_res(&t, 0)->meta.len, 0);
    kind_row(&t, "percent"); /* the text as it is, never a format */
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "100% %s %d");
    kind_row(&t, "numeric_rationale");
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "42");
    sk_lt_close(&t);
}
END_TEST

START_TEST(result_skip)
{
    sk_lt t;
    sk_lt_open_script(&t, result_script, "", "");
    kind_row(&t, "skip");
    ck_assert_int_eq(sk_lt_res(&t, 0)->kind, SK_VERDICT_SKIP);
    ck_assert_str_eq(sk_lt_res(&t, 0)->message.data, "not for this row");
    ck_assert_uint_eq(t.rs.verdict.errors, 0);
    ck_assert(isnan(t.rs.overall));
    sk_lt_close(&t);
}
END_TEST

/* Each wrong return and what its error says. */
static const struct {
    const char *what, *want;
} bad_results[] = {
    {"nil", "score() returned nothing; return a number in [0,1], a table"},
    {"nothing", "score() returned nothing"},
    {"bool", "score() returned a boolean; return a number in [0,1]"},
    {"string", "score() returned a string"},
    {"no_score", "the table score() returned has no number in its score field"},
    {"bad_rationale", "rationale must be a string"},
    {"bad_meta", "meta must be a table that can be JSON"},
    {"meta_string", "meta must be a table that can be JSON"},
    {"meta_array", "scorer res returned metadata that"},
    {"above", "scorer res returned score 1.5, outside [0,1]"},
    {"table_above", "scorer res returned score 2, outside [0,1]"},
    {"negative", "scorer res returned score -0.25, outside [0,1]"},
    {"nan", "outside [0,1]"},
};

START_TEST(result_errors)
{
    sk_lt t;
    sk_lt_open_script(&t, result_script, "", "");
    kind_row(&t, bad_results[_i].what);
    sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR, bad_results[_i].want);
    char *who = sk_asprintf("scorer %s", _i < 8 ? t.scripts[0] : "res");
    sk_assert_has(sk_lt_res(&t, 0)->message.data, who);
    free(who);
    ck_assert_uint_eq(t.rs.verdict.errors, 1);
    kind_row(&t, "number"); /* and the next row is fine */
    sk_lt_assert_score(&t, 0, 0.75);
    sk_lt_close(&t);
}
END_TEST

/* A case made by hand, scored with the engine's ops and the host's
 * verdict rules, as every caller of an engine does. */
static sk_case text_case(const char *input)
{
    sk_case c = {0};
    c.size = sizeof c;
    c.id = "direct";
    c.input_json = "\"?\"";
    c.input_text = input;
    c.input_len = strlen(input);
    c.output_json = "\"out\"";
    c.output_text = "out";
    c.output_len = 3;
    return c;
}

START_TEST(result_via_ops)
{
    sk_lt t;
    sk_lt_open_script(&t, result_script, ",\"as\":\"shown\"", "");
    const sk_pack_entry *e = &t.pack->entries[0];
    static const char *const what[] = {"above", "nan", "number"};
    for (size_t i = 0; i < 3; i++) {
        sk_case c = text_case(what[i]);
        sk_result r = {0};
        sk_result_reset(&r);
        sk_result_finish(&r, e->ops->score(sk_test_host_ctx(), e->impl, t.states[0], &c, &r),
                         e->name);
        if (i < 2) {
            ck_assert_int_eq(r.kind, SK_VERDICT_ERROR);
            sk_assert_has(r.message.data, "scorer shown returned score ");
            sk_assert_has(r.message.data, "outside [0,1]; fix the scorer");
        } else {
            ck_assert_int_eq(r.kind, SK_VERDICT_SCORE);
            ck_assert_double_eq(r.score, 0.75);
        }
        sk_result_free(&r);
    }
    sk_lt_close(&t);
}
END_TEST

/* ---- params --------------------------------------------------------------- */

static const char *params_script =
    "return {\n"
    "  name = 'par',\n"
    "  params = {\n"
    "    max_words = 50,\n"
    "    ratio = 1,\n"
    "    mode = 'strict',\n"
    "    flag = true,\n"
    "    tags = { 'a', 'b' },\n"
    "    empty = {},\n"
    "    banned = { type = 'list', default = {}, doc = 'words that must not appear' },\n"
    "    count = { type = 'integer', default = 3 },\n"
    "    any = { type = 'json', default = { k = 1 } },\n"
    "  },\n"
    "  score = function(case, params)\n"
    "    return { score = 1, meta = { p = params },\n"
    "             rationale = math.type(params.ratio) .. ' ' .. #params.banned .. ' ' ..\n"
    "                         tostring(getmetatable(params.banned)) }\n"
    "  end,\n"
    "}\n";

START_TEST(params_defaults_reach_score)
{
    sk_lt t;
    sk_lt_open_script(&t, params_script, "", "");
    sk_lt_row(&t, "{\"output\":\"x\"}");
    sk_lt_assert_score(&t, 0, 1);
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "integer 0 sk.array");
    ck_assert_str_eq(sk_lt_res(&t, 0)->meta.data,
                     "{\"p\":{\"any\":{\"k\":1},\"banned\":[],\"count\":3,\"empty\":[],"
                     "\"flag\":true,\"max_words\":50,\"mode\":\"strict\",\"ratio\":1,"
                     "\"tags\":[\"a\",\"b\"]}}");

    /* what the host sees: sorted declarations, types inferred from the
     * defaults (every number is a "number"), {} a list */
    static const struct {
        const char *name;
        sk_param_type type;
        const char *dflt, *doc;
    } want[] = {
        {"any", SK_PARAM_JSON, "{\"k\":1}", ""},
        {"banned", SK_PARAM_STRING_LIST, "[]", "words that must not appear"},
        {"count", SK_PARAM_INTEGER, "3", ""},
        {"empty", SK_PARAM_STRING_LIST, "[]", ""},
        {"flag", SK_PARAM_BOOL, "true", ""},
        {"max_words", SK_PARAM_NUMBER, "50", ""},
        {"mode", SK_PARAM_STRING, "\"strict\"", ""},
        {"ratio", SK_PARAM_NUMBER, "1", ""},
        {"tags", SK_PARAM_STRING_LIST, "[\"a\",\"b\"]", ""},
    };
    const sk_param_def *p = sk_lua_script_def(t.pack->entries[0].impl)->params;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert_ptr_nonnull(p[i].name);
        ck_assert_str_eq(p[i].name, want[i].name);
        ck_assert_int_eq(p[i].type, want[i].type);
        ck_assert_str_eq(p[i].default_json, want[i].dflt);
        ck_assert_str_eq(p[i].doc, want[i].doc);
    }
    ck_assert_ptr_null(p[sizeof want / sizeof want[0]].name);
    sk_lt_close(&t);
}
END_TEST

START_TEST(params_pack_overrides)
{
    sk_lt t;
    sk_lt_open_script(&t, params_script,
                      ",\"params\":{\"ratio\":0.5,\"banned\":[\"x\",\"y\"],\"count\":7,"
                      "\"mode\":\"loose\",\"any\":[null],\"flag\":false}",
                      "");
    sk_lt_row(&t, "{\"output\":\"x\"}");
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "float 2 sk.array");
    ck_assert_str_eq(sk_lt_res(&t, 0)->meta.data,
                     "{\"p\":{\"any\":[null],\"banned\":[\"x\",\"y\"],\"count\":7,\"empty\":[],"
                     "\"flag\":false,\"max_words\":50,\"mode\":\"loose\",\"ratio\":0.5,"
                     "\"tags\":[\"a\",\"b\"]}}");
    sk_lt_close(&t);
}
END_TEST

/* Rejected by the host at pack load; the message names the scorer. */
static const struct {
    const char *params, *want;
} bad_params[] = {
    {"{\"nope\":1}", "unknown param \"nope\"; this scorer takes: any, banned, count, empty, flag, "
                     "max_words, mode, ratio, tags"},
    {"{\"count\":0.5}", "param \"count\" must be of type integer"},
    {"{\"mode\":3}", "param \"mode\" must be of type string"},
    {"{\"banned\":[1]}", "param \"banned\" must be of type list of strings"},
    {"{\"flag\":\"yes\"}", "param \"flag\" must be of type bool"},
    {"{\"max_words\":\"50\"}", "param \"max_words\" must be of type number"},
    {"[1]", "\"params\" must be a JSON object"},
};

START_TEST(params_rejected_at_load)
{
    char *extra = sk_asprintf(",\"as\":\"mine\",\"params\":%s", bad_params[_i].params);
    char *err = sk_lt_load_error(params_script, extra);
    sk_assert_has(err, "t.json:1: scorer \"mine\"");
    sk_assert_has(err, bad_params[_i].want);
    free(err);
    free(extra);
}
END_TEST

START_TEST(params_required_and_bad_default)
{
    /* a declaration without a default makes the param required */
    char *err = sk_lt_load_error("return { name = 'r', params = { kind = { type = 'string',\n"
                                 "  doc = 'the kind' } }, score = function() return 1 end }\n",
                                 "");
    sk_assert_has(err, "param \"kind\" is required (the kind)");
    free(err);
    /* a default that contradicts its declared type */
    err = sk_lt_load_error("return { name = 'r', params = { n = { type = 'integer',\n"
                           "  default = 0.5 } }, score = function() return 1 end }\n",
                           "");
    sk_assert_has(err, "\"n\" (0.5) is not one JSON integer");
    free(err);
}
END_TEST

/* ---- the case ----------------------------------------------------------- */

static const char *case_script =
    "local function show(v)\n"
    "  if v == sk.null then return 'null' end\n"
    "  local t = type(v)\n"
    "  if t == 'string' then return 's:' .. v end\n"
    "  if t == 'table' then\n"
    "    return (getmetatable(v) == 'sk.array' and 'a:' or 'o:') .. sk.json.encode(v)\n"
    "  end\n"
    "  return (math.type(v) or t) .. ':' .. tostring(v)\n"
    "end\n"
    "return { name = 'case', score = function(case)\n"
    "  if case.input == 'fields' then\n"
    "    return { score = 1, rationale = table.concat({ show(case.output), show(case.expected),\n"
    "      tostring(case.expected == nil), show(case.metadata), show(case.output.a),\n"
    "      tostring(#case.output.a), tostring(case.output.a[3] == sk.null),\n"
    "      tostring(case.output.b == sk.null), show(case.nope), show(case[1]) }, ' ') }\n"
    "  end\n"
    "  local seen = {}\n"
    "  for k, v in pairs(case) do seen[#seen + 1] = k .. '=' .. show(v) end\n"
    "  table.sort(seen)\n"
    "  return { score = 1, rationale = table.concat(seen, ' ') }\n"
    "end }\n";

START_TEST(case_pairs_sees_everything)
{
    sk_lt t;
    sk_lt_open_script(&t, case_script, "", "");
    /* pairs() before any field was read: the lazy fields are all there */
    sk_lt_row(&t, "{\"id\":\"r1\",\"input\":\"hi\",\"output\":{\"b\":null,\"a\":[1,\"two\",null,"
                  "{\"c\":true}]},\"metadata\":{\"k\":\"v\"},\"expected\":[]}");
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data,
                     "expected=a:[] id=s:r1 input=s:hi metadata=o:{\"k\":\"v\"} "
                     "output=o:{\"a\":[1,\"two\",null,{\"c\":true}],\"b\":null} trial=integer:0");
    /* expected absent: nil, so pairs does not list it; a number id is its
     * text; the trial is the run's */
    sk_lt_row_trial(&t, "{\"id\":17,\"input\":\"\\u00e9\",\"output\":\"1.5\"}", 3);
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data,
                     "id=s:17 input=s:\xc3\xa9 output=s:1.5 trial=integer:3");
    /* JSON null input, numbers, no id: a derived one */
    sk_lt_row(&t, "{\"input\":null,\"output\":2.5}");
    const char *seen = sk_lt_res(&t, 0)->rationale.data;
    ck_assert_msg(strncmp(seen, "id=s:h", 6) == 0 && strlen(seen) > 22, "%s", seen);
    sk_assert_has(seen, " input=null output=float:2.5 trial=integer:0");
    sk_lt_close(&t);
}
END_TEST

START_TEST(case_fields_one_by_one)
{
    sk_lt t;
    sk_lt_open_script(&t, case_script, "", "");
    sk_lt_row(&t, "{\"input\":\"fields\",\"output\":{\"b\":null,\"a\":[1,\"two\",null,"
                  "{\"c\":true}]},\"metadata\":{\"k\":[1]}}");
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data,
                     "o:{\"a\":[1,\"two\",null,{\"c\":true}],\"b\":null} nil:nil true "
                     "o:{\"k\":[1]} a:[1,\"two\",null,{\"c\":true}] 4 true true nil:nil "
                     "nil:nil");
    sk_lt_close(&t);
}
END_TEST

/* A case given to the engine directly can carry a JSON null expected
 * (the row reader treats "expected": null as absent). */
START_TEST(case_null_expected)
{
    sk_lt t;
    sk_lt_open_script(&t, case_script, "", "");
    const sk_pack_entry *e = &t.pack->entries[0];
    sk_case c = text_case("pairs");
    c.expected_json = "null";
    c.expected_text = "null";
    c.expected_len = 4;
    c.metadata_json = "{}";
    sk_result r = {0};
    sk_result_reset(&r);
    sk_result_finish(&r, e->ops->score(sk_test_host_ctx(), e->impl, t.states[0], &c, &r), e->name);
    ck_assert_int_eq(r.kind, SK_VERDICT_SCORE);
    ck_assert_str_eq(r.rationale.data, "expected=null id=s:direct input=s:pairs metadata=o:{} "
                                       "output=s:out trial=integer:0");
    sk_result_free(&r);
    sk_lt_close(&t);
}
END_TEST

/* A script that keeps the case table reads the current row through it:
 * the fields of row 1 are dropped before row 2. */
START_TEST(case_kept_is_not_stale)
{
    sk_lt t;
    sk_lt_open_script(&t,
                      "local kept\n"
                      "return { name = 'keep', score = function(case)\n"
                      "  if case.id == 'r1' then\n"
                      "    kept = case\n"
                      "    return { score = 1, rationale = case.output .. ' ' .. case.input ..\n"
                      "      ' ' .. case.expected .. ' ' .. case.metadata.m }\n"
                      "  end\n"
                      "  return { score = 1, rationale = table.concat({ kept.id,\n"
                      "    tostring(kept.trial), kept.output, type(kept.input),\n"
                      "    tostring(kept.expected), tostring(kept.metadata),\n"
                      "    tostring(rawequal(kept, case)) }, ' ') }\n"
                      "end }\n",
                      "", "");
    sk_lt_row(&t, "{\"id\":\"r1\",\"input\":\"in1\",\"output\":\"out1\",\"expected\":\"exp1\","
                  "\"metadata\":{\"m\":\"meta1\"}}");
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "out1 in1 exp1 meta1");
    sk_lt_row_trial(&t, "{\"id\":\"r2\",\"input\":{\"q\":2},\"output\":\"out2\"}", 1);
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "r2 1 out2 table nil nil true");
    sk_lt_close(&t);
}
END_TEST

/* Issue 11.3: nothing a call does to its case or params reaches the next
 * call on the same state: not a metatable set on the case (the poisoning
 * the issue reports), not one reached through getmetatable, not fields
 * set raw, not changed params, not even through a table kept from them. */
static const char *poison_script =
    "local kept\n"
    "local poison = {\n"
    "  setmetatable = function(case)\n"
    "    setmetatable(case, { __index = function() return 'poisoned' end })\n"
    "  end,\n"
    "  getmetatable = function(case)\n"
    "    getmetatable(case).__index = function() return 'poisoned' end\n"
    "  end,\n"
    "  rawset = function(case)\n"
    "    rawset(case, 'expected', 'poisoned')\n"
    "    rawset(case, 'extra', 'poisoned')\n"
    "  end,\n"
    "  params = function(case, params)\n"
    "    params.word = 'poisoned'\n"
    "    params.list[1] = 'poisoned'\n"
    "    setmetatable(params, { __index = function() return 'poisoned' end })\n"
    "  end,\n"
    "  keep = function(case, params) kept = params.list end,\n"
    "  poke = function() kept[1] = 'poisoned' end,\n"
    "  cycle = function(case, params) params.list = params end,\n"
    "}\n"
    "return { name = 'poison', params = { word = 'w', list = { 'a' } },\n"
    "  score = function(case, params)\n"
    "    local p = poison[case.input]\n"
    "    if p then p(case, params) end\n"
    "    return { score = 1, rationale = table.concat({ tostring(case.expected),\n"
    "      tostring(case.extra), tostring(case.nope), params.word, tostring(params.list[1]),\n"
    "      tostring(params.nope), tostring(getmetatable(case)) }, ' ') }\n"
    "  end }\n";

START_TEST(case_cannot_carry_state)
{
    static const struct {
        const char *how, *error; /* the poisoning row's error, or NULL: it scores */
    } ways[] = {
        {"setmetatable", "setmetatable: the case table's metatable cannot be changed (it reads "
                         "the row's fields); copy the fields into a table of your own"},
        {"getmetatable", "attempt to index a string value"},
        {"rawset", NULL},
        {"params", NULL},
        {"keep", NULL},
        {"poke", NULL}, /* a later call changing a table kept from an earlier one */
        {"cycle", NULL},
    };
    sk_lt t;
    sk_lt_open_script(&t, poison_script, "", "");
    for (size_t i = 0; i < sizeof ways / sizeof ways[0]; i++) {
        char *row = sk_asprintf("{\"id\":\"p%zu\",\"input\":\"%s\",\"output\":\"o\","
                                "\"expected\":\"first\"}",
                                i, ways[i].how);
        sk_lt_row(&t, row);
        free(row);
        if (ways[i].error)
            sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR, ways[i].error);
        else
            ck_assert_int_eq(sk_lt_res(&t, 0)->kind, SK_VERDICT_SCORE);
        /* the next row on the same state sees its own fields only */
        sk_lt_row(&t, "{\"id\":\"clean\",\"input\":\"clean\",\"output\":\"o\","
                      "\"expected\":\"second\"}");
        sk_lt_assert_score(&t, 0, 1);
        ck_assert_msg(strcmp(sk_lt_res(&t, 0)->rationale.data, "second nil nil w a nil sk.case") ==
                          0,
                      "after %s: %s", ways[i].how, sk_lt_res(&t, 0)->rationale.data);
    }
    sk_lt_close(&t);
}
END_TEST

/* A script that memoises in the case table (case.words = case.words or
 * ...) must compute again for the next row, not reuse the last row's. */
START_TEST(case_memo_is_per_row)
{
    sk_lt t;
    sk_lt_open_script(&t,
                      "local function words(case)\n"
                      "  case.words = case.words or sk.text.words(case.output)\n"
                      "  return case.words\n"
                      "end\n"
                      "return { name = 'memo', score = function(case)\n"
                      "  local keys = {}\n"
                      "  for k in pairs(case) do keys[#keys + 1] = k end\n"
                      "  table.sort(keys)\n"
                      "  return { score = 1, rationale = words(case) .. ' ' .. words(case) ..\n"
                      "    ' ' .. table.concat(keys, ',') }\n"
                      "end }\n",
                      "", "");
    sk_lt_row(&t, "{\"id\":\"r1\",\"input\":\"i\",\"output\":\"one two three\"}");
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "3 3 id,input,output,trial");
    sk_lt_row(&t, "{\"id\":\"r2\",\"input\":\"i\",\"output\":\"four five\"}");
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "2 2 id,input,output,trial");
    sk_lt_close(&t);
}
END_TEST

/* ---- sk.score ---------------------------------------------------------- */

static const char *helper_script =
    "return { name = 'helper', params = { word = 'helped' },\n"
    "  score = function(case, params)\n"
    "    if case.input == 'fail' then error('helper broke', 0) end\n"
    "    return { score = 0.25, rationale = params.word .. ' ' .. tostring(case.output),\n"
    "             meta = { k = 1 } }\n"
    "  end }\n";

static const char *composer_script =
    "local function show(s, r, m)\n"
    "  return { score = s or 0, rationale = tostring(s) .. '|' .. tostring(r) .. '|' ..\n"
    "    (type(m) == 'table' and sk.json.encode(m) or tostring(m)) }\n"
    "end\n"
    "local calls = {\n"
    "  pack = function(case) return show(sk.score('helper', case)) end,\n"
    "  as_name = function(case) return show(sk.score('helper_loud', case)) end,\n"
    "  override = function(case) return show(sk.score('helper', case, { word = 'own' })) end,\n"
    "  plugin = function()\n"
    "    return show(sk.score('levenshtein', { output = 'abc', expected = 'abd' }))\n"
    "  end,\n"
    "  plugin_params = function()\n"
    "    return show(sk.score('levenshtein', { output = 'ABC', expected = 'abc' },\n"
    "                         { ignore_case = true }))\n"
    "  end,\n"
    "  plugin_as = function() return show(sk.score('yes_answer', { output = 'yes' })) end,\n"
    "  skip = function()\n"
    "    local s, why = sk.score('levenshtein', { output = 'x' })\n"
    "    return { score = 0, rationale = tostring(s) .. ': ' .. why }\n"
    "  end,\n"
    "  caught = function()\n"
    "    local ok, err = pcall(sk.score, 'helper', { input = 'fail', output = 'x' })\n"
    "    return { score = 0, rationale = tostring(ok) .. ': ' .. err }\n"
    "  end,\n"
    "  raised = function() return sk.score('failing', { output = 'x' }) end,\n"
    "  unknown = function(case) return sk.score('nope', case) end,\n"
    "  bad_params = function(case) return sk.score('levenshtein', case, { nope = 1 }) end,\n"
    "}\n"
    "return { name = 'composer', score = function(case) return calls[case.input](case) end }\n";

static void compose_open(sk_lt *t)
{
    memset(t, 0, sizeof *t);
    t->scripts[t->nscripts++] = sk_lt_script(helper_script);
    t->scripts[t->nscripts++] = sk_lt_script(composer_script);
    char *pack =
        sk_asprintf("{\"name\":\"t\",\"scorers\":[{\"use\":\"lua:%s\"},{\"use\":\"lua:%s\"},"
                    "{\"use\":\"answer\",\"as\":\"yes_answer\",\"params\":{\"answer\":\"yes\"}},"
                    "{\"use\":\"lua:%s\",\"as\":\"helper_loud\",\"params\":{\"word\":\"LOUD\"}}]}",
                    t->scripts[0], t->scripts[1], t->scripts[0]);
    sk_lt_open(t, pack);
    free(pack);
}

/* Score `what` with the composer (entry 1). */
static const sk_result *compose_row(sk_lt *t, const char *what)
{
    char *row = sk_asprintf("{\"input\":\"%s\",\"output\":\"out\"}", what);
    sk_lt_row(t, row);
    free(row);
    return sk_lt_res(t, 1);
}

static const struct {
    const char *what, *rationale;
    double score;
} compose_ok[] = {
    {"pack", "0.25|helped out|{\"k\":1}", 0.25},
    {"as_name", "0.25|LOUD out|{\"k\":1}", 0.25},
    {"override", "0.25|own out|{\"k\":1}", 0.25},
    {"plugin", "0.66666666666667|edit distance 1 over 3 characters|nil", 2.0 / 3.0},
    {"plugin_params", "1.0|nil|nil", 1},
    {"plugin_as", "1.0|nil|{\"match\":true}", 1},
    {"skip", "nil: the case has no expected value", 0},
};

START_TEST(compose_calls)
{
    sk_lt t;
    compose_open(&t);
    const sk_result *r = compose_row(&t, compose_ok[_i].what);
    ck_assert_msg(r->kind == SK_VERDICT_SCORE, "%s: %s", compose_ok[_i].what,
                  r->message.data ? r->message.data : "");
    ck_assert_str_eq(r->rationale.data, compose_ok[_i].rationale);
    ck_assert_double_eq_tol(r->score, compose_ok[_i].score, 1e-12);
    /* twice: the states opened by the first call are reused */
    r = compose_row(&t, compose_ok[_i].what);
    ck_assert_str_eq(r->rationale.data, compose_ok[_i].rationale);
    sk_lt_close(&t);
}
END_TEST

START_TEST(compose_errors)
{
    sk_lt t;
    compose_open(&t);
    const sk_result *r = compose_row(&t, "caught");
    ck_assert_int_eq(r->kind, SK_VERDICT_SCORE);
    sk_assert_has(r->rationale.data, "false: sk.score(\"helper\"): ");
    sk_assert_has(r->rationale.data, "helper broke");

    r = compose_row(&t, "raised");
    ck_assert_int_eq(r->kind, SK_VERDICT_ERROR);
    sk_assert_has(r->message.data, "sk.score(\"failing\"): scorer failing failed (returned -1)");

    r = compose_row(&t, "unknown");
    ck_assert_int_eq(r->kind, SK_VERDICT_ERROR);
    sk_assert_has(r->message.data, "sk.score(\"nope\"): ");

    r = compose_row(&t, "bad_params");
    ck_assert_int_eq(r->kind, SK_VERDICT_ERROR);
    sk_assert_has(r->message.data, "sk.score(\"levenshtein\") in ");
    sk_assert_has(r->message.data, "unknown param \"nope\"");

    /* after all that, the same states still compose */
    r = compose_row(&t, "pack");
    ck_assert_int_eq(r->kind, SK_VERDICT_SCORE);
    ck_assert_str_eq(r->rationale.data, "0.25|helped out|{\"k\":1}");
    sk_lt_close(&t);
}
END_TEST

/* Issue 11.9: scorers that call themselves, directly or through others,
 * are refused when the pack loads, naming the chain, before any row. */
static char *pack_error(const char *json)
{
    sk_pack *pack = NULL;
    char *err = NULL;
    int rc = sk_pack_parse(&pack, json, strlen(json), "t.json", sk_fixture_reg, &err);
    ck_assert_msg(rc != SK_OK, "the pack loaded; expected an error:\n%s", json);
    ck_assert_ptr_null(pack);
    ck_assert_ptr_nonnull(err);
    return err;
}

START_TEST(compose_cycle_refused_at_load)
{
    char *self = sk_lt_script("return { name = 'selfish',\n"
                              "  score = function(case) return sk.score('selfish', case) end }\n");
    char *a = sk_lt_script("return { name = 'a', score = function(case)\n"
                           "  return sk . score ( \"b\" , case ) end }\n");
    char *b = sk_lt_script("return { name = 'b', score = function(case)\n"
                           "  if case.id == 'never' then return sk.score('a', case) end\n"
                           "  return sk.score('levenshtein', case) end }\n");
    char *c = sk_lt_script("local which = 'c'\n"
                           "return { name = 'c', composes = { which },\n"
                           "  score = function(case) return sk.score(which, case) end }\n");

    char *json = sk_asprintf("{\"name\":\"t\",\"scorers\":[{\"use\":\"lua:%s\"}]}", self);
    char *err = pack_error(json);
    ck_assert_str_eq(err, "t.json:1: scorer \"selfish\" composes itself through selfish -> "
                          "selfish; a scorer may not call itself, directly or through others: "
                          "remove one of these sk.score calls");
    free(err);
    free(json);

    /* two calling each other, the pack written over several lines: the
     * message names the line of the first scorer of the chain */
    json = sk_asprintf("{\"name\": \"t\",\n \"scorers\": [\n  {\"use\": \"levenshtein\"},\n"
                       "  {\"use\": \"lua:%s\"},\n  {\"use\": \"lua:%s\"}\n]}\n",
                       a, b);
    err = pack_error(json);
    sk_assert_has(err, "t.json:4: scorer \"a\" composes itself through a -> b -> a;");
    free(err);
    free(json);

    /* the same through "as" names: b's script composes "a" */
    json = sk_asprintf("{\"name\":\"t\",\"scorers\":[{\"use\":\"lua:%s\",\"as\":\"x\"},"
                       "{\"use\":\"lua:%s\",\"as\":\"a\"}]}",
                       b, b);
    err = pack_error(json);
    sk_assert_has(err, "t.json:1: scorer \"a\" composes itself through a -> a;");
    free(err);
    free(json);

    /* a name the script computes counts once it is declared */
    json = sk_asprintf("{\"name\":\"t\",\"scorers\":[{\"use\":\"lua:%s\"}]}", c);
    err = pack_error(json);
    sk_assert_has(err, "scorer \"c\" composes itself through c -> c;");
    free(err);
    free(json);

    /* b alone composes a plugin and a scorer the pack lacks: no cycle */
    json = sk_asprintf("{\"name\":\"t\",\"scorers\":[{\"use\":\"lua:%s\"}]}", b);
    sk_pack *pack = NULL;
    ck_assert_int_eq(sk_pack_parse(&pack, json, strlen(json), "t.json", sk_fixture_reg, &err),
                     SK_OK);
    sk_pack_free(pack);
    free(json);
    sk_lt_remove(self);
    sk_lt_remove(a);
    sk_lt_remove(b);
    sk_lt_remove(c);
}
END_TEST

/* What a script composes is read from its code, not from its comments or
 * strings; and a Lua scorer of the pack it does not name, it cannot call
 * (a plugin scorer it can, by any name). */
START_TEST(compose_names_from_code)
{
    sk_lt t;
    memset(&t, 0, sizeof t);
    t.scripts[t.nscripts++] = sk_lt_script(helper_script);
    t.scripts[t.nscripts++] = sk_lt_script(
        "-- sk.score('quiet', case)\n"
        "--[==[ sk.score('quiet', case) ]==]\n"
        "local s = \"sk.score('quiet', case)\" .. [[sk.score('quiet')]]\n"
        "local x = { sk = { score = function() return 1 end } }\n"
        "return { name = 'quiet', score = function(case)\n"
        "  if case.input == 'field' then return x.sk.score('quiet', case) end\n"
        "  if case.input == 'plugin' then\n"
        "    return sk.score(('leven') .. 'shtein', { output = 'ab', expected = 'ab' })\n"
        "  end\n"
        "  return sk.score(('hel') .. 'per', case)\n"
        "end }\n");
    char *pack = sk_asprintf("{\"name\":\"t\",\"scorers\":[{\"use\":\"lua:%s\"},"
                             "{\"use\":\"lua:%s\"}]}",
                             t.scripts[0], t.scripts[1]);
    sk_lt_open(&t, pack); /* loads: none of those is a call of quiet by quiet */
    free(pack);
    sk_lt_row(&t, "{\"input\":\"field\",\"output\":\"o\"}");
    sk_lt_assert_score(&t, 1, 1);
    sk_lt_row(&t, "{\"input\":\"plugin\",\"output\":\"o\"}");
    sk_lt_assert_score(&t, 1, 1);
    sk_lt_row(&t, "{\"input\":\"helper\",\"output\":\"o\"}");
    sk_lt_assert_msg(&t, 1, SK_VERDICT_ERROR,
                     "sk.score(\"helper\"): \"helper\" is a scorer of the pack that may call "
                     "others (a Lua scorer), and ");
    sk_lt_assert_msg(&t, 1, SK_VERDICT_ERROR,
                     " does not name it, so the pack could not check it for a cycle when it "
                     "loaded; write the name out in the call (sk.score(\"helper\", case)) or "
                     "list it in the script's composes = {...}");
    sk_lt_close(&t);
}
END_TEST

/* Issue 11.4: what a composed Lua scorer runs is the caller's work too. */
START_TEST(compose_charges_the_caller)
{
    sk_lt t;
    memset(&t, 0, sizeof t);
    t.scripts[t.nscripts++] = sk_lt_script("return { name = 'busy', score = function()\n"
                                           "  local n = 0\n"
                                           "  for i = 1, 100000 do n = n + i end\n"
                                           "  return 1 end }\n");
    t.scripts[t.nscripts++] =
        sk_lt_script("return { name = 'boss', score = function(case)\n"
                     "  if case.input == 'once' then return sk.score('busy', case) end\n"
                     "  for _ = 1, 20 do pcall(sk.score, 'busy', case) end\n"
                     "  return 1 end }\n");
    char *pack = sk_asprintf("{\"name\":\"t\",\"scorers\":[{\"use\":\"lua:%s\"},"
                             "{\"use\":\"lua:%s\",\"lua\":{\"max_instructions\":1000000}}]}",
                             t.scripts[0], t.scripts[1]);
    sk_lt_open(&t, pack);
    free(pack);
    sk_lt_row(&t, "{\"input\":\"once\",\"output\":\"o\"}");
    sk_lt_assert_score(&t, 1, 1);
    sk_lt_row(&t, "{\"input\":\"many\",\"output\":\"o\"}");
    sk_lt_assert_msg(&t, 1, SK_VERDICT_ERROR, "exceeded its 1M instruction budget in sk.score");
    sk_lt_row(&t, "{\"input\":\"once\",\"output\":\"o\"}");
    sk_lt_assert_score(&t, 1, 1);
    sk_lt_close(&t);
}
END_TEST

/* ---- many rows, several workers -------------------------------------- */

static const char *shape_script =
    "return { name = 'shape', params = { unit = 7 },\n"
    "  score = function(case, params)\n"
    "    local n = #case.output\n"
    "    if n % 11 == 0 then return nil, 'a multiple of 11' end\n"
    "    return { score = (n % params.unit) / (params.unit - 1),\n"
    "             rationale = ('%d chars'):format(n), meta = { n = n, id = case.id } }\n"
    "  end }\n";

static char *slurp(FILE *f, size_t *n)
{
    fflush(f);
    long len = ftell(f);
    ck_assert_int_ge(len, 0);
    rewind(f);
    char *buf = sk_xmalloc((size_t)len + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    *n = (size_t)len;
    return buf;
}

static sk_score_report *score_with(const char *path, const sk_pack *pack, int jobs, char **rows,
                                   size_t *nrows)
{
    sk_score_opts opts = {0};
    opts.jobs = jobs;
    opts.worst = 10;
    opts.rows_out = tmpfile();
    ck_assert_ptr_nonnull(opts.rows_out);
    sk_score_report *rep = NULL;
    char *err = NULL;
    int rc = sk_score_file(path, pack, &opts, &rep, &err);
    ck_assert_msg(rc == SK_OK, "jobs=%d: %s", jobs, err ? err : "");
    *rows = slurp(opts.rows_out, nrows);
    fclose(opts.rows_out);
    return rep;
}

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static void assert_same_report(const sk_score_report *a, const sk_score_report *b)
{
    ck_assert_uint_eq(a->rows, b->rows);
    ck_assert_uint_eq(a->rows_passed, b->rows_passed);
    ck_assert_uint_eq(a->rows_with_errors, b->rows_with_errors);
    ck_assert_uint_eq(a->nscorers, b->nscorers);
    for (size_t i = 0; i < a->nscorers; i++) {
        const sk_scorer_stats *x = &a->stats[i], *y = &b->stats[i];
        ck_assert_uint_eq(x->scored, y->scored);
        ck_assert_uint_eq(x->skipped, y->skipped);
        ck_assert_uint_eq(x->errors, y->errors);
        ck_assert_uint_eq(x->passed, y->passed);
        ck_assert(same_double(x->sum, y->sum));
        ck_assert((x->first_error == NULL) == (y->first_error == NULL));
    }
    ck_assert_uint_eq(a->nworst, b->nworst);
    for (size_t i = 0; i < a->nworst; i++) {
        ck_assert_str_eq(a->worst[i].id, b->worst[i].id);
        ck_assert_uint_eq(a->worst[i].line, b->worst[i].line);
        ck_assert(same_double(a->worst[i].overall, b->worst[i].overall));
        ck_assert_str_eq(a->worst[i].why, b->worst[i].why);
        for (size_t s = 0; s < a->nscorers; s++)
            ck_assert(same_double(a->worst[i].scores[s], b->worst[i].scores[s]));
    }
}

#define NROWS 2000

START_TEST(score_file_jobs_agree)
{
    /* rows mention alpha every 3rd, beta every 5th, the forbidden zeta
     * every 7th; even rows have an expected value */
    sk_buf text = {0};
    double kw_sum = 0;
    size_t kw_passed = 0, shape_skipped = 0;
    for (int i = 0; i < NROWS; i++) {
        char out[96];
        int n = snprintf(out, sizeof out, "%s%s%srow %d", i % 3 == 0 ? "alpha " : "",
                         i % 5 == 0 ? "beta " : "", i % 7 == 0 ? "zeta " : "", i);
        sk_buf_printf(&text, "{\"id\":\"r%d\",\"input\":\"q\",\"output\":\"%s\"", i, out);
        if (i % 2 == 0)
            sk_buf_printf(&text, ",\"expected\":\"row %d\"", i);
        sk_buf_adds(&text, "}\n");
        double kw = i % 7 == 0 ? 0 : ((i % 3 == 0) + (i % 5 == 0)) / 2.0;
        kw_sum += kw;
        kw_passed += kw >= 0.5;
        shape_skipped += n % 11 == 0;
    }
    char *path = sk_tmp_write(text.data, text.len);
    sk_buf_free(&text);

    sk_lt t = {0};
    t.scripts[t.nscripts++] = sk_lt_script(shape_script);
    char *pack_text =
        sk_asprintf("{\"name\":\"t\",\"scorers\":[{\"use\":\"lua:keywords\",\"threshold\":0.5,"
                    "\"params\":{\"required\":[\"alpha\",\"beta\"],\"forbidden\":[\"zeta\"]}},"
                    "{\"use\":\"lua:%s\"},{\"use\":\"levenshtein\"}]}",
                    t.scripts[0]);
    char *err = NULL;
    ck_assert_msg(sk_pack_parse(&t.pack, pack_text, strlen(pack_text), "t.json", sk_fixture_reg,
                                &err) == SK_OK,
                  "%s", err);
    free(pack_text);

    char *rows1, *rows4;
    size_t n1, n4;
    sk_score_report *r1 = score_with(path, t.pack, 1, &rows1, &n1);
    sk_score_report *r4 = score_with(path, t.pack, 4, &rows4, &n4);
    assert_same_report(r1, r4);
    ck_assert_uint_eq(n1, n4);
    ck_assert_msg(memcmp(rows1, rows4, n1) == 0, "rows_out differs between jobs=1 and jobs=4");

    /* and the values are the scripts' */
    ck_assert_uint_eq(r1->rows, NROWS);
    ck_assert_uint_eq(r1->nscorers, 3);
    ck_assert_uint_eq(r1->stats[0].scored, NROWS);
    ck_assert_uint_eq(r1->stats[0].errors, 0);
    ck_assert_uint_eq(r1->stats[0].passed, kw_passed);
    ck_assert_double_eq_tol(r1->stats[0].sum, kw_sum, 1e-9);
    ck_assert_uint_eq(r1->stats[1].skipped, shape_skipped);
    ck_assert_uint_eq(r1->stats[1].scored, NROWS - shape_skipped);
    ck_assert_uint_eq(r1->stats[1].errors, 0);
    ck_assert_uint_eq(r1->stats[2].scored, NROWS / 2);
    ck_assert_uint_eq(r1->stats[2].skipped, NROWS / 2);
    ck_assert_uint_eq(r1->rows_with_errors, 0);
    ck_assert_uint_eq(r1->rows_passed, kw_passed);
    sk_assert_has(rows1, "{\"id\":\"r0\",");
    sk_assert_has(rows1, "mentions forbidden \\\"zeta\\\"");
    sk_assert_has(rows1, "\"id\":\"r1999\"");

    free(rows1);
    free(rows4);
    sk_score_report_free(r1);
    sk_score_report_free(r4);
    sk_pack_free(t.pack);
    sk_lt_remove(t.scripts[0]);
    sk_tmp_remove(path);
}
END_TEST

/* ---- the shipped scorers ------------------------------------------------ */

static const char *shipped_pack =
    "{\"name\":\"shipped\",\"scorers\":["
    "{\"use\":\"lua:refusal\"},"
    "{\"use\":\"lua:keywords\",\"params\":{\"required\":[\"Paris\",\"France\"],"
    "\"forbidden\":[\"London\"]}},"
    "{\"use\":\"lua:length_sanity\"},"
    "{\"use\":\"lua:format\",\"params\":{\"kind\":\"number\"}},"
    "{\"use\":\"lua:format\",\"as\":\"json\",\"params\":{\"kind\":\"json\"}},"
    "{\"use\":\"lua:format\",\"as\":\"bullets\",\"params\":{\"kind\":\"bullets\"}},"
    "{\"use\":\"lua:format\",\"as\":\"choice\",\"params\":{\"kind\":\"choice\","
    "\"choices\":[\"yes\",\"no\"]}},"
    "{\"use\":\"lua:refusal\",\"as\":\"refusal_extra\",\"params\":{\"extra_phrases\":"
    "[\"No Comment\"]}}]}";

enum { REFUSAL, KEYWORDS, LENGTH, NUMBER, JSON, BULLETS, CHOICE, REFUSAL_EXTRA };

static void assert_fail(const sk_lt *t, size_t i, double score, const char *rationale)
{
    sk_lt_assert_score(t, i, score);
    ck_assert_str_eq(sk_lt_res(t, i)->rationale.data, rationale);
}

START_TEST(shipped_scorers)
{
    sk_lt t = {0};
    sk_lt_open(&t, shipped_pack);
    ck_assert_str_eq(t.pack->entries[REFUSAL].name, "refusal");
    ck_assert_str_eq(t.pack->entries[LENGTH].name, "length_sanity");

    sk_lt_row(&t, "{\"input\":\"capital?\",\"output\":\"Paris is the capital of France.\","
                  "\"expected\":\"The capital is Paris.\"}");
    sk_lt_assert_score(&t, REFUSAL, 1);
    sk_lt_assert_score(&t, KEYWORDS, 1);
    sk_lt_assert_score(&t, LENGTH, 1); /* 6 words for 4: within 2x */
    assert_fail(&t, NUMBER, 0,
                "the output is not a single number: \"Paris is the capital of France.\"");
    sk_assert_has(sk_lt_res(&t, JSON)->rationale.data, "the output is not valid JSON (");
    assert_fail(&t, BULLETS, 0,
                "the output has a line that is not a bullet: \"Paris is the capital of "
                "France.\"");
    assert_fail(&t, CHOICE, 0, "is not one of \"yes\", \"no\"");

    sk_lt_row(&t, "{\"output\":\"I\xe2\x80\x99m sorry, but I can't help with that.\","
                  "\"expected\":\"one two three four five six seven eight nine ten eleven "
                  "twelve thirteen fourteen fifteen sixteen seventeen\"}");
    assert_fail(&t, REFUSAL, 0, "the output refuses: it says \"i can't help with\"");
    assert_fail(&t, KEYWORDS, 0, "missing 2 of 2: \"Paris\", \"France\"");
    ck_assert_str_eq(sk_lt_res(&t, KEYWORDS)->meta.data, "{\"missing\":[\"Paris\",\"France\"]}");
    /* 8 words for 17: ratio 0.47, just under the 0.5 band */
    sk_lt_assert_score(&t, LENGTH, (8.0 / 17 - 0.25) / 0.25);
    ck_assert_str_eq(sk_lt_res(&t, LENGTH)->rationale.data,
                     "8 words where about 17 are expected (0.5x; accepted 0.5 to 2x)");
    ck_assert_str_eq(sk_lt_res(&t, LENGTH)->meta.data, "{\"expected_words\":17,\"words\":8}");

    /* should_refuse inverts refusal */
    sk_lt_row(&t, "{\"output\":\"I cannot help with that.\",\"metadata\":{\"should_refuse\":"
                  "true}}");
    sk_lt_assert_score(&t, REFUSAL, 1);
    sk_lt_row(&t, "{\"output\":\"Sure: 1,234\",\"metadata\":{\"should_refuse\":true}}");
    assert_fail(&t, REFUSAL, 0, "the row should be refused, but the output answers");
    ck_assert_int_eq(sk_lt_res(&t, LENGTH)->kind, SK_VERDICT_SKIP); /* no expected */

    sk_lt_row(&t, "{\"output\":\"London, not Paris, France\"}");
    assert_fail(&t, KEYWORDS, 0, "mentions forbidden \"London\"");
    ck_assert_str_eq(sk_lt_res(&t, KEYWORDS)->meta.data, "{\"forbidden\":[\"London\"]}");

    sk_lt_row(&t, "{\"output\":\" 1,234 \"}");
    sk_lt_assert_score(&t, NUMBER, 1);
    assert_fail(&t, KEYWORDS, 0, "missing 2 of 2: \"Paris\", \"France\"");

    sk_lt_row(&t, "{\"output\":\"paris is in france\"}"); /* ignore_case by default */
    sk_lt_assert_score(&t, KEYWORDS, 1);
    sk_lt_row(&t, "{\"output\":\"Paris\"}");
    assert_fail(&t, KEYWORDS, 0.5, "missing 1 of 2: \"France\"");

    sk_lt_row(&t, "{\"output\":{\"a\":[1,2]}}"); /* not a string: its JSON text */
    sk_lt_assert_score(&t, JSON, 1);
    sk_lt_row(&t, "{\"output\":\"- one\\n* two\\n3. three\\n\"}");
    sk_lt_assert_score(&t, BULLETS, 1);
    sk_lt_row(&t, "{\"output\":\"Yes.\"}");
    sk_lt_assert_score(&t, CHOICE, 1);

    sk_lt_row(&t, "{\"output\":\"No comment at this time.\"}");
    sk_lt_assert_score(&t, REFUSAL, 1);
    assert_fail(&t, REFUSAL_EXTRA, 0, "the output refuses: it says \"No Comment\"");
    sk_lt_close(&t);
}
END_TEST

START_TEST(shipped_format_needs_kind)
{
    sk_pack *pack = NULL;
    char *err = NULL;
    const char *text = "{\"name\":\"t\",\"scorers\":[{\"use\":\"lua:format\"}]}";
    ck_assert_int_ne(sk_pack_parse(&pack, text, strlen(text), "t.json", sk_fixture_reg, &err),
                     SK_OK);
    sk_assert_has(err, "t.json:1: scorer \"lua:format\": param \"kind\" is required");
    free(err);
    err = NULL;
    /* and a named scorer that is not shipped says where it looked */
    text = "{\"name\":\"t\",\"scorers\":[{\"use\":\"lua:no_such_scorer\"}]}";
    ck_assert_int_ne(sk_pack_parse(&pack, text, strlen(text), "t.json", sk_fixture_reg, &err),
                     SK_OK);
    sk_assert_has(err, "no scorers/no_such_scorer.lua in the project or on the Lua path (");
    sk_assert_has(err, getenv("SCOREKIT_LUA_PATH"));
    free(err);
}
END_TEST

/* ---- require ------------------------------------------------------------ */

static const char *require_script =
    "local checks = require('sk.checks')\n"
    "local r = {\n"
    "  checks = function()\n"
    "    return table.concat({ checks.quote('hello   world'), tostring(checks ==\n"
    "      require('sk.checks')), checks.list({ 'a', 'b' }) }, ' ')\n"
    "  end,\n"
    "  sk = function() return tostring(require('sk') == sk) end,\n"
    "  text = function() return tostring(require('sk.text').words('a b c')) end,\n"
    "  json = function() return sk.json.encode(require('sk.json') == sk.json) end,\n"
    "  nope = function() return require('sk.nope') end,\n"
    "  upper = function() return require('sk.Checks') end,\n"
    "}\n"
    "return { name = 'req', score = function(case)\n"
    "  return { score = 1, rationale = r[case.input]() }\n"
    "end }\n";

START_TEST(require_sk_modules)
{
    sk_lt t;
    sk_lt_open_script(&t, require_script, "", "");
    kind_row(&t, "checks");
    sk_lt_assert_score(&t, 0, 1);
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "\"hello world\" true \"a\", \"b\"");
    kind_row(&t, "sk");
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "true");
    kind_row(&t, "text");
    sk_lt_assert_score(&t, 0, 1);
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "3");
    kind_row(&t, "json");
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "true");

    kind_row(&t, "nope");
    sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR,
                     "require(\"sk.nope\"): no sk/nope.lua on the Lua path (");
    sk_assert_has(sk_lt_res(&t, 0)->message.data, getenv("SCOREKIT_LUA_PATH"));
    kind_row(&t, "upper");
    sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR, "modules (lowercase NAME)");
    sk_lt_close(&t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("lua_engine");
    TCase *tc = tcase_create("results");
    tcase_add_checked_fixture(tc, sk_fixture_setup, sk_fixture_teardown);
    tcase_add_test(tc, result_scores);
    tcase_add_test(tc, result_skip);
    tcase_add_loop_test(tc, result_errors, 0, sizeof bad_results / sizeof bad_results[0]);
    tcase_add_test(tc, result_via_ops);
    suite_add_tcase(s, tc);

    tc = tcase_create("params");
    tcase_add_checked_fixture(tc, sk_fixture_setup, sk_fixture_teardown);
    tcase_add_test(tc, params_defaults_reach_score);
    tcase_add_test(tc, params_pack_overrides);
    tcase_add_loop_test(tc, params_rejected_at_load, 0, sizeof bad_params / sizeof bad_params[0]);
    tcase_add_test(tc, params_required_and_bad_default);
    suite_add_tcase(s, tc);

    tc = tcase_create("case");
    tcase_add_checked_fixture(tc, sk_fixture_setup, sk_fixture_teardown);
    tcase_add_test(tc, case_pairs_sees_everything);
    tcase_add_test(tc, case_fields_one_by_one);
    tcase_add_test(tc, case_null_expected);
    tcase_add_test(tc, case_kept_is_not_stale);
    tcase_add_test(tc, case_cannot_carry_state);
    tcase_add_test(tc, case_memo_is_per_row);
    suite_add_tcase(s, tc);

    tc = tcase_create("compose");
    tcase_add_checked_fixture(tc, sk_fixture_setup, sk_fixture_teardown);
    tcase_add_loop_test(tc, compose_calls, 0, sizeof compose_ok / sizeof compose_ok[0]);
    tcase_add_test(tc, compose_errors);
    tcase_add_test(tc, compose_cycle_refused_at_load);
    tcase_add_test(tc, compose_names_from_code);
    tcase_add_test(tc, compose_charges_the_caller);
    suite_add_tcase(s, tc);

    tc = tcase_create("files");
    tcase_add_checked_fixture(tc, sk_fixture_setup, sk_fixture_teardown);
    tcase_set_timeout(tc, 300); /* 2000 rows twice; slow under valgrind */
    tcase_add_test(tc, score_file_jobs_agree);
    tcase_add_test(tc, shipped_scorers);
    tcase_add_test(tc, shipped_format_needs_kind);
    tcase_add_test(tc, require_sk_modules);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(suite());
}
