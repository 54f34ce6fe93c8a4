-- The bench's Lua scorer: what a user would write to get Levenshtein
-- similarity from Lua, through the C-backed sk.text.
return {
  name = "lua_levenshtein",
  summary = "levenshtein similarity, from Lua",
  needs_expected = true,
  score = function(case)
    return sk.text.similarity(case.output, case.expected)
  end,
}
