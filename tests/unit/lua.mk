# Lua scorer tests.

# JSON <-> Lua values (core/lua_json.c).
check_PROGRAMS += tests/unit/test_lua_json
TESTS += tests/unit/test_lua_json

# sk.text (core/lua_text.c).
check_PROGRAMS += tests/unit/test_lua_text
TESTS += tests/unit/test_lua_text

# The Lua scorer engine end to end: the sandbox and its limits
# (test_lua_sandbox), and results, params, cases, sk.score, threads and the
# shipped scorers (test_lua_engine).  Both load the heuristic and misbehave
# plugins through the registry fixture.
check_PROGRAMS += tests/unit/test_lua_sandbox tests/unit/test_lua_engine
TESTS += tests/unit/test_lua_sandbox tests/unit/test_lua_engine
