#!/bin/sh
# Bad input gets a clear error and nothing is scored; scorer failures are
# errors, never zeros.
. "$SK_SRCDIR/tests/cli/lib.sh"
export SCOREKIT_PLUGIN_PATH="$SK_BUILDDIR/plugins/.libs:$SK_BUILDDIR/tests/plugins/.libs"

cat >"$T/bad.jsonl" <<'D'
{"id": "a", "output": "x", "expected": "x"}
{"id": "b", "output": "y", "expected": "y"}
{"id": "c", "output": "z", "expected": "z",}
{"id": "d", "expected": "w"}
D
run 1 "$SK" score "$T/bad.jsonl" --scorer exact_match --json
has "$T/err" "bad.jsonl:3: column"
has "$T/err" "nothing was scored"
lines "$T/out" 0

run 0 "$SK" score "$T/bad.jsonl" --scorer exact_match --skip-bad --no-progress
has "$T/out" "2 rows scored"
has "$T/out" "malformed lines skipped: 2"
has "$T/out" "bad.jsonl:4: row has no \"output\" field"

# stdin, with a BOM and CRLF line endings.
printf '\357\273\277{"output": "a", "expected": "a"}\r\n\r\n{"output": "b", "expected": "c"}\r\n' |
    run 0 "$SK" score - --scorer exact_match --no-progress
has "$T/out" "<stdin>: 2 rows scored"
grep -E '^exact_match +0\.5000 ' "$T/out" >/dev/null || fail "stdin exact_match mean"

# Misbehaving scorers: each row gets an error naming the scorer; exit 2.
cat >"$T/ok.jsonl" <<'D'
{"id": "r1", "output": "yes", "expected": "yes"}
{"id": "r2", "output": "no", "expected": "yes"}
D
run 2 "$SK" score "$T/ok.jsonl" --scorer out_of_range --scorer nan --scorer silent \
    --scorer exact_match --no-progress
has "$T/out" "first error of out_of_range: row r1 (line 1): scorer out_of_range returned score 1.5, outside [0,1]"
has "$T/out" "scorer nan returned score nan"
has "$T/out" "scorer silent returned no verdict"
grep -E '^out_of_range +- +- +0 +0 +2$' "$T/out" >/dev/null || fail "out_of_range counts"
grep -E '^exact_match +0\.5000 ' "$T/out" >/dev/null || fail "exact_match alongside errors"

# The row checks of `dataset import` (issue 11): duplicate ids (both lines
# named), unknown keys and an empty file are bad input (exit 1), nothing
# scored; a .csv is read as import reads it.
cat >"$T/dup.jsonl" <<'D'
{"id": "a", "output": "x", "expected": "x"}
{"id": "b", "output": "y", "expected": "y"}
{"id": "a", "output": "z", "expected": "z"}
D
run 1 "$SK" score "$T/dup.jsonl" --scorer exact_match --json --no-progress
has "$T/err" "dup.jsonl:3: duplicate id \"a\" (first on line 1)"
has "$T/err" "nothing was scored"
lines "$T/out" 0
run 0 "$SK" score "$T/dup.jsonl" --scorer exact_match --skip-bad --no-progress
has "$T/out" "2 rows scored"
has "$T/out" "malformed lines skipped: 1"
printf '{"id": "a", "output": "x", "timestamp": 1}\n' >"$T/unknown.jsonl"
run 1 "$SK" score "$T/unknown.jsonl" --scorer exact_match --no-progress
has "$T/err" 'unknown.jsonl:1: unknown field "timestamp"; a scored row has id, input, expected, output, metadata and tags (put other values in metadata)'
: >"$T/empty.jsonl"
run 1 "$SK" score "$T/empty.jsonl" --scorer exact_match --no-progress
has "$T/err" "empty.jsonl: no rows"
printf '' | run 1 "$SK" score - --scorer exact_match --no-progress
has "$T/err" "<stdin>: no rows"
# Rows without ids may repeat their input: logs ask the same question twice.
printf '{"input": "q", "output": "a"}\n{"input": "q", "output": "b"}\n' >"$T/noids.jsonl"
run 0 "$SK" score "$T/noids.jsonl" --scorer exact_match --no-progress
has "$T/out" "2 rows scored"
cat >"$T/rows.csv" <<'D'
id,input,output,expected,metadata.topic
a,q1,Paris,Paris,geo
b,q2,"Lyon,
France",Paris,geo
D
run 0 "$SK" score "$T/rows.csv" --scorer exact_match --json --no-progress
lines "$T/out" 2
has "$T/out" '{"id":"a","line":2,"overall":1,"pass":true,"scores":{"exact_match":{"score":1}}}'
has "$T/out" '{"id":"b","line":3,"overall":0,"pass":true,'
has "$T/err" "rows.csv: 2 rows scored"
printf 'id,input,output\na,q,x\na,q,y\n' >"$T/dup.csv"
run 1 "$SK" score "$T/dup.csv" --scorer exact_match --no-progress
has "$T/err" "dup.csv:3: duplicate id \"a\" (first on line 2)"
printf 'input,output\n' >"$T/header.csv"
run 1 "$SK" score "$T/header.csv" --scorer exact_match --no-progress
has "$T/err" "header.csv: no rows"

# The row verdict (issue 11): logs without "expected", so exact_match skips
# every row.  A row passes only when a scorer gave a score and every
# thresholded score met its threshold; an error, or no score at all, is no
# verdict: "pass": null with the reason, counted apart in the summary.
cat >"$T/verdict.lua" <<'L'
return {
  name = "verdict",
  summary = "1 for yes, 0 for no; an error for boom; skips the rest",
  score = function(case)
    if case.output == "boom" then error("boom on purpose") end
    if case.output == "yes" then return 1 end
    if case.output == "no" then return 0 end
    return nil, "not a yes or no"
  end,
}
L
cat >"$T/verdict.json" <<P
{"name": "v", "scorers": [{"use": "lua:$T/verdict.lua", "threshold": 0.5},
                          {"use": "exact_match"}]}
P
cat >"$T/logs.jsonl" <<'D'
{"id": "pass", "input": "q", "output": "yes"}
{"id": "fail", "input": "q", "output": "no"}
{"id": "skip", "input": "q", "output": "maybe"}
{"id": "err", "input": "q", "output": "boom"}
D
run 2 "$SK" score "$T/logs.jsonl" --pack "$T/verdict.json" --json -j 2 --no-progress
grep -F '"id":"pass"' "$T/out" | grep -qF '"overall":1,"pass":true,"scores"' || fail "verdict: pass row"
grep -F '"id":"fail"' "$T/out" | grep -qF '"overall":0,"pass":false,"scores"' || fail "verdict: fail row"
grep -F '"id":"skip"' "$T/out" |
    grep -qF '"overall":null,"pass":null,"reason":"no scorer gave a score","scores"' ||
    fail "verdict: a row every scorer skipped is no pass: $(grep -F '"id":"skip"' "$T/out")"
grep -F '"id":"err"' "$T/out" |
    grep -qF '"overall":null,"pass":null,"reason":"error in scorer verdict: ' ||
    fail "verdict: a row with an error is no pass: $(grep -F '"id":"err"' "$T/out")"
grep -F '"id":"err"' "$T/out" | grep -qF 'boom on purpose' || fail "verdict: the reason names the error"
has "$T/err" "rows passing every threshold: 1 of 4 (25.0%)"
has "$T/err" "rows failing a threshold: 1"
has "$T/err" "rows with no verdict: 2 (1 with errors, 1 where no scorer gave a score)"
# The same with the error on a scorer without a threshold: still no pass.
cat >"$T/verdict2.json" <<P
{"name": "v", "scorers": [{"use": "lua:$T/verdict.lua"}, {"use": "exact_match"}]}
P
run 2 "$SK" score "$T/logs.jsonl" --pack "$T/verdict2.json" --json --no-progress
grep -F '"id":"err"' "$T/out" | grep -qF '"pass":null,"reason":"error in scorer verdict: ' ||
    fail "verdict: an error without a threshold is no pass: $(grep -F '"id":"err"' "$T/out")"
grep -F '"id":"fail"' "$T/out" | grep -qF '"pass":true' || fail "verdict: no threshold, a score passes"
has "$T/err" "rows passing every threshold: 2 of 4 (50.0%)"
has "$T/err" "rows with no verdict: 2 (1 with errors, 1 where no scorer gave a score)"

# A pack with bad params fails before any row is scored.
cat >"$T/badparams.json" <<'P'
{"name": "p", "scorers": [{"use": "exact_match", "params": {"ignore_cas": true}}]}
P
run 1 "$SK" score "$T/ok.jsonl" --pack "$T/badparams.json" --json
has "$T/err" "badparams.json:1: scorer \"exact_match\": unknown param \"ignore_cas\" (did you mean \"ignore_case\"?)"
lines "$T/out" 0
cat >"$T/badopen.json" <<'P'
{"name": "p", "scorers": [{"use": "answer", "params": {"answer": "yes", "fail_open": true}}]}
P
run 1 "$SK" score "$T/ok.jsonl" --pack "$T/badopen.json" --json
has "$T/err" "scorer answer could not open: fail_open is set"
lines "$T/out" 0
printf '{"name": "p",\n "scorers": [\n  {"use": "exact_match"},\n ]}\n' >"$T/badjson.json"
run 1 "$SK" score "$T/ok.jsonl" --pack "$T/badjson.json"
has "$T/err" "badjson.json:4:"

# A number beyond a double is bad input with its place, never a score.
printf '{"id": "a", "output": 1, "expected": 1}\n{"id": "b", "output": 1e999, "expected": 1}\n' \
    >"$T/huge.jsonl"
run 1 "$SK" score "$T/huge.jsonl" --scorer exact_match --scorer numeric_diff --json
has "$T/err" "huge.jsonl:2: column 23: number 1e999 is too large for a double"
has "$T/err" "nothing was scored"
lines "$T/out" 0

# Numbers past 2^53 compare by their exact value: one double, two numbers.
# try's pack is made of its command line: its errors name no file.
run 1 "$SK" try levenshtein --params '{"bogus": 1}' --output a --expected b
has "$T/err" 'scorekit: error: scorer "levenshtein": unknown param "bogus"'
lacks "$T/err" "try:1"
run 0 "$SK" try exact_match --output 9007199254740993 --expected 9007199254740992
has "$T/out" "exact_match: score 0"
run 0 "$SK" try exact_match --output '{"n": [123456789012345678901234567890123]}' \
    --expected '{"n": [123456789012345678901234567890124]}'
has "$T/out" "exact_match: score 0"
run 0 "$SK" try numeric_diff --output 9007199254740993 --expected 9007199254740992
has "$T/out" "numeric_diff: score 0.99999999999999989"
has "$T/out" "output 9007199254740993 vs expected 9007199254740992 (difference 1)"
run 0 "$SK" try numeric_diff --output 123456789012345678901234567890123 \
    --expected 123456789012345678901234567890124
has "$T/out" "numeric_diff: score 0.99999999999999989"
has "$T/out" "(difference 1)"
run 0 "$SK" try exact_match --output 1.50 --expected 15e-1
has "$T/out" "exact_match: score 1"

# Unknown scorer, nonexistent file, bad -j.
run 1 "$SK" score "$T/ok.jsonl" --scorer no_such_scorer
has "$T/err" "no scorer named \"no_such_scorer\""
run 1 "$SK" score "$T/missing.jsonl" --scorer exact_match
has "$T/err" "missing.jsonl"
run 64 "$SK" score "$T/ok.jsonl" --scorer exact_match -j 0
finish
