# Tests of the LLM judges and the openai task: templates and choice rules
# with no model (test_judge_rules, which also checks that the compiled
# prompts equal plugins/judge/prompts/*.txt); then, against the fake LLM
# server (tests/llm/llm_server, built by tests/unit/llm.mk), the judge
# pack through the real host (test_judge), the openai task
# provider (test_task_openai), Lua's sk.llm.chat (test_lua_llm), and the
# CLI end to end (tests/cli/judge.sh).
check_PROGRAMS += tests/unit/test_judge_rules tests/unit/test_judge tests/unit/test_task_openai \
	tests/unit/test_lua_llm
TESTS += tests/unit/test_judge_rules tests/unit/test_judge tests/unit/test_task_openai \
	tests/unit/test_lua_llm

tests_unit_test_judge_rules_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/judge
tests_unit_test_judge_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/judge

# Who pays for a model call (test_billing): host tables used in turn, two
# experiments run at once on one client, a judge that asks from threads
# of its own (tests/plugins/fanout), a Lua judge's sk.llm.
check_PROGRAMS += tests/unit/test_billing
TESTS += tests/unit/test_billing

CLI_TESTS += tests/cli/judge.sh
