-- keywords: the share of required keywords the output mentions; any
-- forbidden keyword makes it 0.  For "the answer must name X and Y, and
-- must not mention Z" checks that a similarity score would blur.
local checks = require("sk.checks")

return {
  name = "keywords",
  summary = "share of required keywords present; 0 when a forbidden one appears",
  accepts = { "text", "json" },
  params = {
    required = { type = "list", default = {}, doc = "keywords the output must contain" },
    forbidden = { type = "list", default = {}, doc = "keywords the output must not contain" },
    ignore_case = { default = true, doc = "compare ignoring case" },
  },
  score = function(case, params)
    if #params.required == 0 and #params.forbidden == 0 then
      error("give required and/or forbidden keywords in the pack's params", 0)
    end
    local text = checks.text(case.output)
    local bad = checks.found(text, params.forbidden, params.ignore_case)
    if #bad > 0 then
      return { score = 0, rationale = "mentions forbidden " .. checks.list(bad), meta = { forbidden = bad } }
    end
    if #params.required == 0 then return 1 end
    local hits, misses = checks.found(text, params.required, params.ignore_case)
    local score = #hits / #params.required
    if #misses == 0 then return 1 end
    return {
      score = score,
      rationale = ("missing %d of %d: %s"):format(#misses, #params.required, checks.list(misses)),
      meta = { missing = sk.array(misses) },
    }
  end,
}
