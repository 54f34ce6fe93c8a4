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
