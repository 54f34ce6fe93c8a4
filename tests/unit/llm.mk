# The LLM client: the fake server (tests/llm/llm_server, also used by the
# judge tests and CLI tests), its fixture, and the client's unit tests:
# protocols and failure paths against the server (test_llm), the cache and
# usage log (test_llm_cache), and the pieces that need no server
# (test_llm_retry).
check_PROGRAMS += tests/llm/llm_server
tests_llm_llm_server_SOURCES = tests/llm/llm_server.c
tests_llm_llm_server_CPPFLAGS = $(AM_CPPFLAGS) $(CJSON_CFLAGS)
tests_llm_llm_server_LDADD = $(CJSON_LIBS) -lpthread

check_LTLIBRARIES += libsktestllm.la
libsktestllm_la_SOURCES = tests/unit/llm_fixture.c tests/unit/llm_fixture.h
libsktestllm_la_CPPFLAGS = $(TEST_CPPFLAGS) $(CURL_CFLAGS)
libsktestllm_la_LIBADD = $(CURL_LIBS)

check_PROGRAMS += tests/unit/test_llm tests/unit/test_llm_cache tests/unit/test_llm_retry
TESTS += tests/unit/test_llm tests/unit/test_llm_cache tests/unit/test_llm_retry
LLM_TEST_CPPFLAGS = $(TEST_CPPFLAGS) $(SQLITE_CFLAGS) $(CURL_CFLAGS)
LLM_TEST_LDADD = libsktestllm.la libsktest.la $(TEST_LDADD) $(CJSON_LIBS) $(SQLITE_LIBS) \
	$(CURL_LIBS) -lpthread

tests_unit_test_llm_SOURCES = tests/unit/test_llm.c
tests_unit_test_llm_CPPFLAGS = $(LLM_TEST_CPPFLAGS)
tests_unit_test_llm_LDADD = $(LLM_TEST_LDADD)

tests_unit_test_llm_cache_SOURCES = tests/unit/test_llm_cache.c tests/unit/store_fixture.c \
	tests/unit/store_fixture.h
tests_unit_test_llm_cache_CPPFLAGS = $(LLM_TEST_CPPFLAGS)
tests_unit_test_llm_cache_LDADD = $(LLM_TEST_LDADD)

tests_unit_test_llm_retry_SOURCES = tests/unit/test_llm_retry.c
tests_unit_test_llm_retry_CPPFLAGS = $(LLM_TEST_CPPFLAGS)
tests_unit_test_llm_retry_LDADD = $(LLM_TEST_LDADD)

# tests/cli/startup.sh: libcurl is loaded only by a model call.
CLI_TESTS += tests/cli/llm_cache.sh tests/cli/startup.sh
EXTRA_DIST += tests/llm/server.sh
