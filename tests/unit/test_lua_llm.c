/*
 * sk.llm.chat from Lua scorers, against the fake LLM server: text replies,
 * forced tool calls with their arguments as a table, the reply's fields,
 * and failures raised as errors that become the row's error.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "engine/host.h"
#include "judge_fixture.h"
#include "lua_fixture.h"
#include "run_suite.h"

static void setup(void)
{
    sk_fixture_setup();
    sk_jf_setup();
}

static void teardown(void)
{
    sk_jf_teardown();
    sk_fixture_teardown();
}

START_TEST(chat_text)
{
    sk_lt t;
    sk_lt_open_script(&t,
                      "return { name = 'asks', score = function(case)\n"
                      "  local r = sk.llm.chat{model = 'echo', params = {temperature = 0},\n"
                      "    messages = {{role = 'system', content = 'be kind'},\n"
                      "                {role = 'user', content = 'say ' .. case.output}}}\n"
                      "  assert(r.tool_args == sk.null and r.cached == false)\n"
                      "  assert(r.model == 'echo' and r.usage.prompt_tokens > 0)\n"
                      "  return {score = 1, rationale = r.content}\n"
                      "end }\n",
                      "", "");
    long before = sk_llm_fx_stat("chat");
    sk_lt_row(&t, "{\"id\":\"a\",\"output\":\"hi\"}");
    sk_lt_assert_score(&t, 0, 1);
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "say hi");
    ck_assert_int_eq(sk_llm_fx_stat("chat") - before, 1);
    sk_lt_close(&t);
}
END_TEST

START_TEST(chat_tool)
{
    sk_lt t;
    sk_lt_open_script(&t,
                      "return { name = 'grades', score = function(case)\n"
                      "  local r = sk.llm.chat{model = 'tool:{\"grade\":\"B\",\"why\":\"ok\"}',\n"
                      "    messages = {{role = 'user', content = case.output}},\n"
                      "    tool = {name = 'grade', description = 'grade it', parameters = {\n"
                      "      type = 'object', required = {'grade', 'why'}, properties = {\n"
                      "        grade = {type = 'string', enum = {'A', 'B'}},\n"
                      "        why = {type = 'string'}}}}}\n"
                      "  assert(r.content == sk.null)\n"
                      "  return {score = r.tool_args.grade == 'B' and 0.5 or 0,\n"
                      "          rationale = r.tool_args.why}\n"
                      "end }\n",
                      "", "");
    sk_lt_row(&t, "{\"id\":\"a\",\"output\":\"x\"}");
    sk_lt_assert_score(&t, 0, 0.5);
    ck_assert_str_eq(sk_lt_res(&t, 0)->rationale.data, "ok");
    sk_lt_close(&t);
}
END_TEST

/* Every failure raises: the row's error names sk.llm.chat and the cause. */
START_TEST(chat_errors)
{
    static const struct {
        const char *call, *want;
    } cases[] = {
        {"sk.llm.chat{model = 'status:500:100', messages = {{role = 'user', content = 'x'}}}",
         "sk.llm.chat: "},
        {"sk.llm.chat{model = 'garbage', messages = {{role = 'user', content = 'x'}}}",
         "sk.llm.chat: "},
        {"sk.llm.chat{messages = {}}", "\"messages\" must be a non-empty array"},
        {"sk.llm.chat{modle = 'echo', messages = {{role = 'user', content = 'x'}}}",
         "unknown key \"modle\""},
        {"sk.llm.chat{messages = {{role = 'user', content = 'x'}}, params = {f = print}}",
         "cannot be sent as JSON"},
        {"sk.llm.chat('hello')", "table expected"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char src[512];
        snprintf(src, sizeof src,
                 "return { name = 'fails', score = function(case)\n"
                 "  local r = %s\n"
                 "  return 1\n"
                 "end }\n",
                 cases[i].call);
        sk_lt t;
        sk_lt_open_script(&t, src, "", "");
        sk_lt_row(&t, "{\"id\":\"a\",\"output\":\"x\"}");
        sk_lt_assert_msg(&t, 0, SK_VERDICT_ERROR, cases[i].want);
        sk_lt_close(&t);
    }
}
END_TEST

/* pcall sees the error too, so a script can fall back deliberately. */
START_TEST(chat_error_catchable)
{
    sk_lt t;
    sk_lt_open_script(&t,
                      "return { name = 'careful', score = function(case)\n"
                      "  local ok, e = pcall(sk.llm.chat, {model = 'garbage',\n"
                      "    messages = {{role = 'user', content = 'x'}}})\n"
                      "  assert(not ok)\n"
                      "  return nil, 'skipped: ' .. tostring(e):sub(1, 12)\n"
                      "end }\n",
                      "", "");
    sk_lt_row(&t, "{\"id\":\"a\",\"output\":\"x\"}");
    sk_lt_assert_msg(&t, 0, SK_VERDICT_SKIP, "sk.llm.chat");
    sk_lt_close(&t);
}
END_TEST

static Suite *lua_llm_suite(void)
{
    Suite *s = suite_create("lua_llm");
    TCase *tc = tcase_create("chat");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, chat_text);
    tcase_add_test(tc, chat_tool);
    tcase_add_test(tc, chat_errors);
    tcase_add_test(tc, chat_error_catchable);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(lua_llm_suite());
}
