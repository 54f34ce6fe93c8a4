-- format: does the output have the shape the prompt asked for?
--   kind = "number"     a single number (commas and a unit-less sign allowed)
--   kind = "json"       valid JSON (use the valid_json plugin for schemas)
--   kind = "one_line"   no line breaks
--   kind = "bullets"    every non-empty line starts with "-", "*" or "1."
--   kind = "choice"     exactly one of params.choices (ignoring case and a final period)
local checks = require("sk.checks")

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

local CHECKS = {
  number = function(text)
    local t = trim(text):gsub(",", "")
    if tonumber(t) then return true end
    return false, "is not a single number: " .. checks.quote(text)
  end,
  json = function(text)
    local ok, err = pcall(sk.json.decode, text)
    if ok then return true end
    return false, "is not valid JSON (" .. tostring(err):gsub("^sk%.json%.decode: ", "") .. ")"
  end,
  one_line = function(text)
    if not trim(text):find("\n", 1, true) then return true end
    return false, "spans several lines"
  end,
  bullets = function(text)
    local n = 0
    for line in (text .. "\n"):gmatch("(.-)\r?\n") do
      if line:find("%S") then
        n = n + 1
        if not (line:find("^%s*[-*]%s") or line:find("^%s*%d+[.)]%s")) then
          return false, "has a line that is not a bullet: " .. checks.quote(line)
        end
      end
    end
    if n > 0 then return true end
    return false, "is empty"
  end,
}

return {
  name = "format",
  summary = "1 when the output has the requested shape (number, json, one_line, bullets, choice)",
  accepts = { "text" },
  params = {
    kind = { type = "string", doc = "number, json, one_line, bullets or choice" },
    choices = { type = "list", default = {}, doc = "for kind = choice: the allowed answers" },
  },
  score = function(case, params)
    local text = checks.text(case.output)
    if params.kind == "choice" then
      if #params.choices == 0 then error("kind = choice needs params.choices", 0) end
      local t = trim(text):lower():gsub("%.$", "")
      for _, c in ipairs(params.choices) do
        if t == c:lower() then return 1 end
      end
      return { score = 0, rationale = "is not one of " .. checks.list(params.choices, 10) }
    end
    local check = CHECKS[params.kind]
    if not check then
      error(("unknown kind %q; use number, json, one_line, bullets or choice"):format(params.kind), 0)
    end
    local ok, why = check(text)
    if ok then return 1 end
    return { score = 0, rationale = "the output " .. why }
  end,
}
