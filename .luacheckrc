-- luacheck: the Lua scorers run in scorekit's sandbox, where `sk` is the
-- only global beyond Lua's own base, string, table, math and utf8.
std = "lua54"
read_globals = { "sk" }
max_line_length = 120
