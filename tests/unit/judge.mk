# Tests of the LLM judges and the openai task: templates and choice rules
# with no model (test_judge_rules, which also checks that the compiled
# prompts equal plugins/judge/prompts/*.txt); then, against the fake LLM
# server (tests/llm/llm_server, built by tests/unit/llm.mk), the judge
# pack through the real host (test_judge), the openai task
# provider (test_task_openai), Lua's sk.llm.chat (test_lua_llm), and the
# CLI end to end (tests/cli/judge.sh).
JUDGE_TEST_FIXTURE = tests/unit/judge_fixture.c tests/unit/judge_fixture.h

check_PROGRAMS += tests/unit/test_judge_rules tests/unit/test_judge tests/unit/test_task_openai \
	tests/unit/test_lua_llm
TESTS += tests/unit/test_judge_rules tests/unit/test_judge tests/unit/test_task_openai \
	tests/unit/test_lua_llm

tests_unit_test_judge_rules_SOURCES = tests/unit/test_judge_rules.c
tests_unit_test_judge_rules_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/plugins/judge
tests_unit_test_judge_rules_LDADD = libsktest.la libskjudge.la $(TEST_LDADD) $(CJSON_LIBS)

tests_unit_test_judge_SOURCES = tests/unit/test_judge.c $(JUDGE_TEST_FIXTURE)
tests_unit_test_judge_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/plugins/judge
tests_unit_test_judge_LDADD = libsktestllm.la libsktest.la libskjudge.la $(TEST_LDADD) $(CJSON_LIBS) -lpthread
EXTRA_tests_unit_test_judge_DEPENDENCIES = $(plugin_LTLIBRARIES) tests/llm/llm_server$(EXEEXT)

tests_unit_test_task_openai_SOURCES = tests/unit/test_task_openai.c $(JUDGE_TEST_FIXTURE)
tests_unit_test_task_openai_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_task_openai_LDADD = libsktestllm.la libsktest.la $(TEST_LDADD) $(CJSON_LIBS) -lpthread
EXTRA_tests_unit_test_task_openai_DEPENDENCIES = tests/llm/llm_server$(EXEEXT)

tests_unit_test_lua_llm_SOURCES = tests/unit/test_lua_llm.c $(JUDGE_TEST_FIXTURE) \
	tests/unit/lua_fixture.c tests/unit/lua_fixture.h
tests_unit_test_lua_llm_CPPFLAGS = $(TEST_CPPFLAGS) $(LUA_CFLAGS)
tests_unit_test_lua_llm_LDADD = libsktestllm.la libsktest.la $(TEST_LDADD) $(LUA_LIBS) $(CJSON_LIBS)
EXTRA_tests_unit_test_lua_llm_DEPENDENCIES = $(check_LTLIBRARIES) $(plugin_LTLIBRARIES) \
	tests/llm/llm_server$(EXEEXT)

# Who pays for a model call (test_billing): host tables used in turn, two
# experiments run at once on one client, a judge that asks from threads
# of its own (tests/plugins/fanout), a Lua judge's sk.llm.
check_PROGRAMS += tests/unit/test_billing
TESTS += tests/unit/test_billing
tests_unit_test_billing_SOURCES = tests/unit/test_billing.c tests/unit/store_fixture.c \
	tests/unit/store_fixture.h
tests_unit_test_billing_CPPFLAGS = $(TEST_CPPFLAGS) $(SQLITE_CFLAGS) $(LUA_CFLAGS)
tests_unit_test_billing_LDADD = libsktestllm.la libsktest.la $(TEST_LDADD) $(CJSON_LIBS) \
	$(SQLITE_LIBS) -lpthread
EXTRA_tests_unit_test_billing_DEPENDENCIES = $(check_LTLIBRARIES) tests/llm/llm_server$(EXEEXT)

CLI_TESTS += tests/cli/judge.sh
