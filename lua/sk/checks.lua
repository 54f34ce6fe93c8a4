-- sk.checks: small helpers shared by Lua scorers.
--   local checks = require("sk.checks")

local checks = {}

-- The first n characters of s for a rationale, on one line, quoted.
function checks.quote(s, n)
  n = n or 40
  s = tostring(s):gsub("%s+", " ")
  if utf8.len(s) and utf8.len(s) > n then
    s = s:sub(1, utf8.offset(s, n + 1) - 1) .. "..."
  end
  return '"' .. s .. '"'
end

-- 1 inside [lo, hi]; falling linearly to 0 at lo/2 below and 2*hi above.
function checks.band(x, lo, hi)
  if x >= lo and x <= hi then return 1 end
  if x < lo then
    return math.max(0, (x - lo / 2) / (lo / 2))
  end
  return math.max(0, (2 * hi - x) / hi)
end

-- The entries of list found in text (plain substring search).
function checks.found(text, list, ignore_case)
  local hay = ignore_case and text:lower() or text
  local hits, misses = {}, {}
  for _, word in ipairs(list) do
    local needle = ignore_case and word:lower() or word
    if hay:find(needle, 1, true) then
      hits[#hits + 1] = word
    else
      misses[#misses + 1] = word
    end
  end
  return hits, misses
end

-- A list as `"a", "b"` for rationales.
function checks.list(items, max)
  max = max or 5
  local out = {}
  for i = 1, math.min(#items, max) do out[i] = checks.quote(items[i], 30) end
  local s = table.concat(out, ", ")
  if #items > max then s = s .. (", and %d more"):format(#items - max) end
  return s
end

-- The text of a case field: strings as they are, anything else as JSON.
function checks.text(v)
  if v == nil or v == sk.null then return "" end
  if type(v) == "string" then return v end
  return sk.json.encode(v)
end

return checks
