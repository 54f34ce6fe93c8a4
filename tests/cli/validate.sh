#!/bin/sh
# scorekit validate: the heuristic scorers pass what applies to them, each
# deliberately broken scorer fails for its own reason, exit statuses gate
# CI, --explain shows every case, and `scorekit run` warns about (or, when
# asked, refuses) scorers never validated, failed, or changed since.
. "$SK_SRCDIR/tests/cli/lib.sh"
FX="$SK_SRCDIR/tests/fixtures/validate"
cd "$FX" || exit 1

# The good pack: every scorer passes, or says n/a when nothing applies.
run 0 "$SK" validate --pack heuristic_pack.json
for s in exact_match levenshtein numeric_diff json_diff list_contains contains refusal; do
    grep -E "^$s +PASS " "$T/out" >/dev/null || fail "$s should PASS"
done
grep -E '^valid_json +WARN +n/a +n/a ' "$T/out" >/dev/null || fail "valid_json: WARN, n/a"
has "$T/out" "no calibration case applies to it"
has "$T/out" "validate heuristic: 8 scorers: 7 PASS, 1 WARN, 0 FAIL"

# Each broken scorer fails, and for the right reason (its JSON report).
check() { # SCORER CHECK STATUS
    "$SK" validate --pack broken_pack.json --scorer "$1" --json >"$T/j.$1" 2>"$T/err"
    [ $? = 3 ] || fail "$1: exit status should be 3"
    grep -qF "\"$2\":{\"status\":\"$3\"" "$T/j.$1" || fail "$1: $2 should be $3"
}
check length_lover verbosity FAIL
check length_lover correct PASS
check length_lover confidence PASS
check confidence_lover confidence FAIL
check confidence_lover verbosity PASS
check constant correct FAIL
check constant wrong FAIL
check coin consistency FAIL
check inverted correct FAIL
check inverted wrong FAIL
check flaky errors FAIL
check flaky correct PASS
grep -qF '"error":"flaky: upstream service unavailable"' "$T/j.flaky" ||
    grep -qF 'upstream service unavailable' "$T/j.flaky" || fail "flaky: the error message is shown"
grep -qF '"verdict":"FAIL"' "$T/j.length_lover" || fail "overall verdict FAIL"
grep -qF '"rationale":"long answers look thorough"' "$T/j.length_lover" ||
    fail "failing cases carry the scorer's rationale"
run 3 "$SK" validate --pack broken_pack.json
has "$T/out" "0 PASS, 0 WARN, 6 FAIL"
has "$T/out" "FAIL verbosity: the better answer wins 0 of"

# Thresholds from the command line: a looser low bar, bias share.
run 3 "$SK" validate --pack heuristic_pack.json --scorer levenshtein --low 0.1
has "$T/out" "FAIL wrong: obvious-wrong answers score"
run 0 "$SK" validate --pack heuristic_pack.json --scorer list_contains --bias-share 0.5
grep -E '^list_contains +PASS ' "$T/out" >/dev/null || fail "list_contains with --bias-share 0.5"
# A constant cannot be made to pass: it would need the low bar above the high.
run 1 "$SK" validate --pack broken_pack.json --scorer constant --high 0.6 --low 0.75
has "$T/err" "the low bar (0.75) is above the high bar (0.6)"

# --explain: every case with its score.
run 0 "$SK" validate --pack heuristic_pack.json --scorer exact_match --explain
n=$(grep -c '^    - \[correct\] ' "$T/out")
[ "$n" = 67 ] || fail "--explain shows $n correct cases, wanted 67"
has "$T/out" "[verbosity] capital-france/verbosity"

# More cases from a file; bad input is exit status 1 with FILE:LINE.
printf '{"id": "mine", "case": {"input": "q", "expected": "abc", "output": "abd"}, "expect": 0.667, "tolerance": 0.01}\n' \
    >"$T/cases.jsonl"
run 0 "$SK" validate --pack heuristic_pack.json --scorer levenshtein --no-builtin \
    --cases "$T/cases.jsonl" --json
has "$T/out" '"numeric":{"status":"PASS","n":1,"mae":0.000333'
printf '{"case": {"output": 1}, "expect": "hihg"}\n' >"$T/bad.jsonl"
run 1 "$SK" validate --pack heuristic_pack.json --cases "$T/bad.jsonl"
has "$T/err" "bad.jsonl:1: \"expect\" must be"
run 1 "$SK" validate --pack heuristic_pack.json --scorer nope
has "$T/err" "--scorer nope: the pack heuristic has no such scorer"
run 1 "$SK" validate --pack heuristic_pack.json --repeat 0
run 1 "$SK" validate --pack heuristic_pack.json --high 2
SCOREKIT_CALIBRATION_PATH=/nonexistent run 1 "$SK" validate --pack heuristic_pack.json
has "$T/err" "SCOREKIT_CALIBRATION_PATH"
# Without a pack, --scorer names scorers.
cd "$T" || exit 1
run 0 "$SK" validate --scorer numeric_diff
grep -E '^numeric_diff +PASS ' "$T/out" >/dev/null || fail "validate --scorer outside a project"

# In a project: verdicts are stored, and run warns or refuses.
run 0 "$SK" init p
cd p || exit 1
mkdir -p scorers
cp "$FX/length.lua" scorers/length.lua
printf '{"name": "p", "scorers": [{"use": "exact_match"}, {"use": "lua:scorers/length.lua"}]}\n' \
    >pack.json
run 0 "$SK" dataset import starter data.jsonl
run 0 "$SK" run --dataset starter --no-progress
has "$T/err" "scorer exact_match was never validated"
has "$T/err" "scorer length_lover was never validated"
run 1 "$SK" run --dataset starter --no-progress --require-validated
has "$T/err" "refusing to run: 2 scorers are not validated"
run 3 "$SK" validate
run 0 "$SK" run --dataset starter --no-progress
lacks "$T/err" "exact_match"
has "$T/err" "scorer length_lover FAILED its validation"
run 1 "$SK" run --dataset starter --no-progress --require-validated
has "$T/err" "refusing to run: 1 scorer is not validated"
# Touching the script keeps its verdict; changing it does not.
touch scorers/length.lua
run 0 "$SK" run --dataset starter --no-progress
has "$T/err" "scorer length_lover FAILED its validation"
sed 's/(#out - 300) \/ 150/0/' "$FX/length.lua" >scorers/length.lua
run 0 "$SK" run --dataset starter --no-progress
has "$T/err" "scorer length_lover changed since it was validated"
run 0 "$SK" validate
run 0 "$SK" run --dataset starter --no-progress --require-validated
lacks "$T/err" "length_lover"
# "require_validated" in scorekit.json.
printf '{"name": "p", "scorers": [{"use": "exact_match", "params": {"ignore_case": true}}]}\n' \
    >pack.json
sed 's/"pack"/"require_validated": true, "pack"/' scorekit.json >s.tmp && mv s.tmp scorekit.json
run 1 "$SK" run --dataset starter --no-progress
has "$T/err" "scorer exact_match changed since it was validated"
has "$T/err" "\"require_validated\" in scorekit.json"
finish
