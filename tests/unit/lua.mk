# Lua scorer tests.

# JSON <-> Lua values (core/lua_json.c).
check_PROGRAMS += tests/unit/test_lua_json
TESTS += tests/unit/test_lua_json
tests_unit_test_lua_json_SOURCES = tests/unit/test_lua_json.c
tests_unit_test_lua_json_CPPFLAGS = $(TEST_CPPFLAGS) $(LUA_CFLAGS)
tests_unit_test_lua_json_LDADD = libsktest.la $(TEST_LDADD) $(LUA_LIBS)

# sk.text (core/lua_text.c).
check_PROGRAMS += tests/unit/test_lua_text
TESTS += tests/unit/test_lua_text
tests_unit_test_lua_text_SOURCES = tests/unit/test_lua_text.c
tests_unit_test_lua_text_CPPFLAGS = $(TEST_CPPFLAGS) $(LUA_CFLAGS)
tests_unit_test_lua_text_LDADD = libsktest.la $(TEST_LDADD) $(LUA_LIBS)

# The Lua scorer engine end to end: the sandbox and its limits
# (test_lua_sandbox), and results, params, cases, sk.score, threads and the
# shipped scorers (test_lua_engine).  Both load the heuristic and misbehave
# plugins through the registry fixture.
check_PROGRAMS += tests/unit/test_lua_sandbox tests/unit/test_lua_engine
TESTS += tests/unit/test_lua_sandbox tests/unit/test_lua_engine
tests_unit_test_lua_sandbox_SOURCES = tests/unit/test_lua_sandbox.c \
	tests/unit/lua_fixture.c tests/unit/lua_fixture.h
tests_unit_test_lua_sandbox_CPPFLAGS = $(TEST_CPPFLAGS) $(LUA_CFLAGS)
tests_unit_test_lua_sandbox_LDADD = libsktest.la $(TEST_LDADD) $(LUA_LIBS)
EXTRA_tests_unit_test_lua_sandbox_DEPENDENCIES = $(check_LTLIBRARIES) $(plugin_LTLIBRARIES)
tests_unit_test_lua_engine_SOURCES = tests/unit/test_lua_engine.c \
	tests/unit/lua_fixture.c tests/unit/lua_fixture.h
tests_unit_test_lua_engine_CPPFLAGS = $(TEST_CPPFLAGS) $(LUA_CFLAGS)
tests_unit_test_lua_engine_LDADD = libsktest.la $(TEST_LDADD) $(LUA_LIBS)
EXTRA_tests_unit_test_lua_engine_DEPENDENCIES = $(check_LTLIBRARIES) $(plugin_LTLIBRARIES)
