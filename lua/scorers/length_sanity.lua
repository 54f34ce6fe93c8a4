-- length_sanity: is the answer about as long as the expected one?  1 when
-- the output's word count is within [min_ratio, max_ratio] times the
-- expected's, falling to 0 at half the lower bound and twice the upper.
-- Catches padded answers (which fool similarity scorers less than people
-- think) and truncated ones.
local checks = require("sk.checks")

return {
  name = "length_sanity",
  summary = "output length within a ratio of the expected length, in words",
  needs_expected = true,
  accepts = { "text" },
  params = {
    min_ratio = { default = 0.5, doc = "shortest acceptable output, times the expected's words" },
    max_ratio = { default = 2.0, doc = "longest acceptable output, times the expected's words" },
  },
  score = function(case, params)
    if not (params.min_ratio > 0 and params.max_ratio >= params.min_ratio) then
      error(("need 0 < min_ratio <= max_ratio, got %g and %g"):format(params.min_ratio, params.max_ratio), 0)
    end
    local want = sk.text.words(checks.text(case.expected))
    if want == 0 then return nil, "the expected answer is empty" end
    local got = sk.text.words(checks.text(case.output))
    local ratio = got / want
    local score = checks.band(ratio, params.min_ratio, params.max_ratio)
    if score == 1 then return 1 end
    return {
      score = score,
      rationale = ("%d words where about %d are expected (%.1fx; accepted %g to %gx)"):format(
        got, want, ratio, params.min_ratio, params.max_ratio),
      meta = { words = got, expected_words = want },
    }
  end,
  -- It judges length, not truth: these are its calibration cases (a pack
  -- using it should turn the built-in correctness set off for it).
  meta_cases = {
    { case = { input = "Capital of France?", expected = "Paris is the capital.",
               output = "The capital is Paris." }, expect = "high" },
    { case = { input = "Capital of France?", expected = "Paris is the capital.",
               output = "Lyon is the capital." }, expect = "high" },
    { case = { input = "Capital of France?", expected = "Paris is the capital.",
               output = "Paris." }, expect = "low" },
    { case = { input = "Capital of France?", expected = "Paris is the capital.",
               output = string.rep("Paris is a large and very old city in France. ", 8) },
      expect = "low" },
    { case = { input = "Capital of France?", expected = "Paris is the capital." },
      better = "The capital city is Paris.",
      worse = string.rep("Paris has been the capital of France for many centuries. ", 6) },
  },
}
