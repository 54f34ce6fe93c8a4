# The counting Lua pattern matcher (core/lua_pattern.c) against stock Lua:
# a hand-written corpus and a seeded fuzz, plus the step budget.
check_PROGRAMS += tests/unit/test_lua_pattern
TESTS += tests/unit/test_lua_pattern
