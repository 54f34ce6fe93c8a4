#!/bin/sh
# Lua scorers from the command line: scaffold one, try it, use it in a pack
# beside plugins; errors are reported per row or before any row.
. "$SK_SRCDIR/tests/cli/lib.sh"
mkdir -p "$T/p"
cd "$T/p" || exit 1
printf '{"name": "p"}\n' >scorekit.json # a project: its plugins/ folder is searched

# scorekit new scorer: a working Lua scorer, never overwritten.
run 0 "$SK" new scorer capital_words
has "$T/out" "created ./scorers/capital_words.lua"
run 0 "$SK" try lua:scorers/capital_words.lua --output "The capital is Paris" \
    --expected "Paris is the capital"
has "$T/out" "capital_words: score 1"
run 0 "$SK" try lua:scorers/capital_words.lua --output "Lyon" --expected "Paris is the capital"
has "$T/out" "capital_words: score 0"
has "$T/out" "rationale: missing: paris, the, capital"
run 0 "$SK" try lua:scorers/capital_words.lua --output "x" --expected "a b"
has "$T/out" "skipped: the expected answer has no long enough words"
run 1 "$SK" new scorer capital_words
has "$T/err" "cannot create"
run 64 "$SK" new scorer Bad-Name

# The same with --case, --params and --json.
printf '{"input": "q", "output": "Paris", "expected": {"city": "Paris"}}\n' >case.json
run 0 "$SK" try lua:scorers/capital_words.lua --case case.json --params '{"min_length": 5}' --json
has "$T/out" '{"id":"try","line":1,"overall":1,"pass":true,"scores":{"capital_words":{"score":1}}}'

# scorekit new scorer --c: a plugin that builds against the SDK and scores.
run 0 "$SK" new scorer starts --c
PKG_CONFIG_PATH="$SK_BUILDDIR${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
    run 0 make -s -C plugins-src/starts install-local
[ -f plugins/starts.so ] || fail "plugins/starts.so not installed"
run 0 "$SK" try starts --output "Paris, France" --expected "Paris"
has "$T/out" "starts: score 1"
run 0 "$SK" try starts --output "It is Paris" --expected "Paris"
has "$T/out" "starts: score 0"

# A pack mixing Lua and plugin scorers; the shipped lua:refusal by name.
cat >data.jsonl <<'D'
{"id": "a", "output": "Paris is the capital", "expected": "Paris is the capital of France"}
{"id": "b", "output": "I'm sorry, but I can't help with that.", "expected": "Rome"}
{"id": "c", "output": "Berlin", "expected": "Berlin"}
D
cat >pack.json <<'P'
{"name": "mixed", "scorers": [
  {"use": "lua:scorers/capital_words.lua", "as": "words"},
  {"use": "lua:refusal", "threshold": 1},
  {"use": "levenshtein"}]}
P
run 0 "$SK" score data.jsonl --pack pack.json --no-progress
grep -E '^refusal +0\.6667 +66\.7% +3 ' "$T/out" >/dev/null || fail "refusal row"
run 0 "$SK" score data.jsonl --pack pack.json --json -j 1
grep -F '"id":"b"' "$T/out" | grep -qF '"refusal":{"score":0,"rationale":"the output refuses: it says \"i can'"'"'t help with\""}' ||
    fail "refusal rationale for row b"
cp "$T/out" "$T/j1"
run 0 "$SK" score data.jsonl --pack pack.json --json -j 3
cmp -s "$T/j1" "$T/out" || fail "-j 1 and -j 3 differ with Lua scorers"

# A runaway script is that row's error; the other rows score.
cat >scorers/slow.lua <<'L'
return { name = "slow", score = function(case)
  if case.id == "b" then while true do end end
  return 1
end }
L
cat >slow.json <<'P'
{"name": "slow", "lua": {"max_instructions": 100000},
 "scorers": [{"use": "lua:scorers/slow.lua"}]}
P
run 2 "$SK" score data.jsonl --pack slow.json --no-progress
has "$T/out" "first error of slow: row b (line 2): scorer scorers/slow.lua exceeded its 100000 instruction budget"
grep -E '^slow +1\.0000 +- +2 +0 +1$' "$T/out" >/dev/null || fail "slow counts"

# A syntax error fails the pack before any row, naming file and line.
printf 'return {\n  name = "broken",\n  score = function(case) return 1 end end,\n}\n' \
    >scorers/broken.lua
printf '{"name": "b", "scorers": [{"use": "lua:scorers/broken.lua"}]}\n' >broken.json
run 1 "$SK" score data.jsonl --pack broken.json --json
has "$T/err" "scorers/broken.lua:3:"
lines "$T/out" 0
# Scorers that call each other in a loop are refused when the pack loads,
# naming the chain and the pack's line, before any row (issue 11.9).
cat >scorers/ping.lua <<'L'
return { name = "ping", score = function(case) return sk.score("pong", case) end }
L
cat >scorers/pong.lua <<'L'
return { name = "pong", score = function(case) return sk.score("ping", case) end }
L
cat >loop.json <<'P'
{"name": "loop", "scorers": [
  {"use": "levenshtein"},
  {"use": "lua:scorers/ping.lua"},
  {"use": "lua:scorers/pong.lua"}]}
P
run 1 "$SK" score data.jsonl --pack loop.json --no-progress
has "$T/err" 'loop.json:3: scorer "ping" composes itself through ping -> pong -> ping;'
lines "$T/out" 0
# ... and `run` with it writes nothing: no experiment, no dataset version.
cd "$T" || exit 1
run 0 "$SK" init looped
cd looped || exit 1
run 0 "$SK" run --no-progress
n_exp=$("$SK" experiments | wc -l)
echo '{"id": "extra", "input": "1+1", "expected": "2", "output": "2"}' >>data.jsonl
run 1 "$SK" run --pack "$T/p/loop.json" --no-progress
has "$T/err" 'loop.json:3: scorer "ping" composes itself through ping -> pong -> ping;'
[ "$("$SK" experiments | wc -l)" = "$n_exp" ] || fail "a refused pack records no experiment"
"$SK" dataset list >"$T/out"
grep -E '^data +1 +5 ' "$T/out" >/dev/null || fail "a refused pack imports no dataset"
lines "$T/out" 2
cd "$T/p" || exit 1

# The README's complete example works as printed.
sed -n '/^```lua$/,/^```$/p' "$SK_SRCDIR/README.md" | sed '1d;$d' >scorers/cites_source.lua
run 0 "$SK" try lua:scorers/cites_source.lua --output "As RFC 8259 says, JSON is text." \
    --expected "RFC 8259"
has "$T/out" "cites_source: score 1"
run 0 "$SK" try lua:scorers/cites_source.lua --output "As the JSON spec says" --expected "RFC 8259"
has "$T/out" 'rationale: cites none of "RFC 8259"'
finish
