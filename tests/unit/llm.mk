# The LLM client: the fake server (tests/llm/llm_server, also used by the
# judge tests and CLI tests), its fixture, and the client's unit tests:
# protocols and failure paths against the server (test_llm), the cache and
# usage log (test_llm_cache), and the pieces that need no server
# (test_llm_retry).
check_PROGRAMS += tests/llm/llm_server
tests_llm_llm_server_SOURCES = tests/llm/llm_server.c
tests_llm_llm_server_CPPFLAGS = $(AM_CPPFLAGS) $(CJSON_CFLAGS)
tests_llm_llm_server_LDADD = $(CJSON_LIBS) -lpthread -lm

check_PROGRAMS += tests/unit/test_llm tests/unit/test_llm_cache tests/unit/test_llm_retry
TESTS += tests/unit/test_llm tests/unit/test_llm_cache tests/unit/test_llm_retry

# tests/cli/startup.sh: libcurl is loaded only by a model call.
CLI_TESTS += tests/cli/llm_cache.sh tests/cli/startup.sh
EXTRA_DIST += tests/llm/server.sh
# The first hour of a new user (issue 12): judges and tasks from the
# environment, their workers, the cache and the summary of a failed run.
CLI_TESTS += tests/cli/judge_env.sh tests/cli/score_jobs.sh tests/cli/validate_progress.sh \
	tests/cli/task_cache.sh tests/cli/run_task_errors.sh \
	tests/cli/task_anthropic.sh
