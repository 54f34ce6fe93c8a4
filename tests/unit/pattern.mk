# The counting Lua pattern matcher (core/lua_pattern.c) against stock Lua:
# a hand-written corpus and a seeded fuzz, plus the step budget.
check_PROGRAMS += tests/unit/test_lua_pattern
TESTS += tests/unit/test_lua_pattern
tests_unit_test_lua_pattern_SOURCES = tests/unit/test_lua_pattern.c
tests_unit_test_lua_pattern_CPPFLAGS = $(TEST_CPPFLAGS) $(LUA_CFLAGS)
tests_unit_test_lua_pattern_LDADD = libsktest.la $(TEST_LDADD) $(LUA_LIBS)
