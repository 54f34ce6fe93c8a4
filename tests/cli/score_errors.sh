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

# A pack with bad params fails before any row is scored.
cat >"$T/badparams.json" <<'P'
{"name": "p", "scorers": [{"use": "exact_match", "params": {"ignore_cas": true}}]}
P
run 1 "$SK" score "$T/ok.jsonl" --pack "$T/badparams.json" --json
has "$T/err" "badparams.json: scorer \"exact_match\": unknown param \"ignore_cas\""
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
