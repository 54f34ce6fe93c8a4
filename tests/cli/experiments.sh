#!/bin/sh
# Looking at experiments: `scorekit experiments`, `show`, `export` and
# `rescore` on a run of the `scorekit init` project (5 rows, the column
# task), with figures computed by hand:
#
#   row         output             expected      exact_match  similarity  overall
#   capital-fr  Paris              Paris         1            1           1
#   capital-au  Sydney             Canberra      0            1-7/8       0.0625
#   boiling     100 degrees        100 degrees   1            1           1
#   author      jane austen        Jane Austen   1 (no case)  1-2/11      0.9091
#   planet      The planet Mars    Mars          0            1-11/15     0.1333
#
# exact_match mean 3/5 = 0.6000; similarity mean 0.641970 = 0.6420, and 3
# of 5 rows reach its threshold 0.7 (60.0%).
. "$SK_SRCDIR/tests/cli/lib.sh"

run 0 "$SK" init "$T/p"
P="$T/p"
run 0 "$SK" -C "$P" experiments
has "$T/out" "no experiments yet"
run 0 "$SK" -C "$P" experiments --json
has "$T/out" "[]"

run 0 "$SK" -C "$P" dataset import qa "$P/data.jsonl"
run 0 "$SK" -C "$P" run --dataset qa --no-progress
EXP=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
[ -n "$EXP" ] || fail "no experiment id in: $(cat "$T/out")"

# ---- experiments ----------------------------------------------------------
run 0 "$SK" -C "$P" experiments
has "$T/out" "id"
has "$T/out" "exact_match=0.60 similarity=0.64"
grep -qE "^$EXP +run +20[0-9-]+T[0-9:]+Z +done +qa@1 +5 +0 +- +exact_match=0\.60 similarity=0\.64\$" \
    "$T/out" || fail "experiments: $(cat "$T/out")"
run 0 "$SK" -C "$P" experiments --json
has "$T/out" "[{\"id\":\"$EXP\",\"name\":\"run\",\"created_at\":\"20"
has "$T/out" '"status":"done","dataset":"qa@1","trials":1,"cells":5,"expected_cells":5'
has "$T/out" '"task_errors":0,"errors":0,"origin":null,"means":{"exact_match":0.6,"similarity":0.64196'

# ---- show -----------------------------------------------------------------
run 0 "$SK" -C "$P" show "$EXP"
has "$T/out" "experiment $EXP: 5 of 5 cells"
grep -qE '^exact_match +0\.6000 +- +5 +0 +0$' "$T/out" || fail "show: exact_match line"
grep -qE '^similarity +0\.6420 +60\.0% +5 +0 +0$' "$T/out" || fail "show: similarity line"
has "$T/out" "rows passing every threshold: 3 of 5 (60.0%)"
has "$T/out" "rows failing a threshold: 2"
has "$T/out" "rows with no verdict: 0"
lacks "$T/out" "±sd"
has "$T/out" "name:      run"
has "$T/out" "status:    done, started 20"
has "$T/out" "dataset:   qa@1"
has "$T/out" 'task:      column {"field":"output"}'
has "$T/out" "pack:      starter version 1, hash "
has "$T/out" "trials:    1"
has "$T/out" "scorekit:  "
lacks "$T/out" "origin:"
has "$T/out" "errors:    none"
has "$T/out" "lowest-scoring rows (overall score):"
# The five rows, lowest first; equal scores in dataset order.
grep -E '^[a-z-]+  [0-9.]+$' "$T/out" >"$T/order"
printf '%s\n' "capital-au  0.0625" "planet  0.1333" "author  0.9091" "capital-fr  1.0000" \
    "boiling  1.0000" >"$T/want"
cmp -s "$T/order" "$T/want" || fail "lowest rows: $(cat "$T/order")"
has "$T/out" '  input:      "What is the capital of Australia?"'
has "$T/out" '  expected:   "Canberra"'
has "$T/out" '  output:     "Sydney"'
grep -qE '^  similarity +0\.1250  edit distance 7 over 8 characters$' "$T/out" ||
    fail "show: the low similarity's rationale"
grep -qE '^  similarity +0\.8182$' "$T/out" || fail "show: a passing score shows no rationale"
grep -qE '^  verdict: +fail$' "$T/out" || fail "show: a row's verdict"
lacks "$T/out" "edit distance 2 over 11"

run 0 "$SK" -C "$P" show "$EXP" --worst 2
has "$T/out" "capital-au  0.0625"
has "$T/out" "planet  0.1333"
lacks "$T/out" "author  "
run 0 "$SK" -C "$P" show "$EXP" --worst 0
lacks "$T/out" "lowest-scoring"
run 64 "$SK" -C "$P" show "$EXP" --worst x
has "$T/err" "--worst needs a number"

run 0 "$SK" -C "$P" show "$EXP" --json --worst 1
lines "$T/out" 1
has "$T/out" "{\"id\":\"$EXP\",\"name\":\"run\",\"status\":\"done\""
has "$T/out" '"dataset":"qa@1","trials":1,'
has "$T/out" '"config":{"task":{"provider":"column","field":"output"}'
has "$T/out" '"summary":{"cells":5,"expected_cells":5,"trials":1,"task_errors":0,"errors":0'
has "$T/out" '"verdicts":{"pass":3,"fail":2,"no_verdict":0,"no_verdict_errors":0,"no_verdict_no_score":0}'
has "$T/out" '"overall":0.0625,"pass":false,"latency_ms":'
has "$T/out" '{"name":"exact_match","mean":0.6,"sd":null,"threshold":null,"pass_rate":null,"rows":5'
has "$T/out" '{"name":"similarity","mean":0.64196'
has "$T/out" '"threshold":0.7,"pass_rate":0.6,"rows":5'
has "$T/out" '"errors":[]'
has "$T/out" '"lowest":[{"id":"capital-au","overall":0.0625,"input":"What is the capital of Australia?","expected":"Canberra","trials":[{"trial":0,"output":"Sydney","task_error":null,"overall":0.0625'
has "$T/out" '"similarity":{"score":0.125,"rationale":"edit distance 7 over 8 characters"}'
lacks "$T/out" '"planet"'

# ---- export ---------------------------------------------------------------
run 0 "$SK" -C "$P" export "$EXP"
cp "$T/out" "$T/exp1.jsonl"
lines "$T/out" 5
sed 's/^{"id":"\([^"]*\)","trial":\([0-9]*\),.*/\1 \2/' "$T/out" >"$T/ids"
printf '%s\n' "capital-fr 0" "capital-au 0" "boiling 0" "author 0" "planet 0" >"$T/want"
cmp -s "$T/ids" "$T/want" || fail "export ids: $(cat "$T/ids")"
has "$T/out" '{"id":"capital-fr","trial":0,"input":"What is the capital of France?","expected":"Paris","metadata":{"topic": "geography"},"output":"Paris","latency_ms":'
has "$T/out" '"overall":1,"pass":true,"scores":{"exact_match":{"score":1},"similarity":{"score":1}}}'
has "$T/out" '"output":"Sydney","latency_ms":'
has "$T/out" '"overall":0.0625,"pass":false,"scores":{"exact_match":{"score":0,"rationale":'
has "$T/out" '"similarity":{"score":0.125,"rationale":"edit distance 7 over 8 characters"}}}'
lacks "$T/out" '"task_error"'

# ---- rescore --------------------------------------------------------------
cat >"$P/other.json" <<'EOF'
{"name": "other", "scorers": [
  {"use": "exact_match"},
  {"use": "levenshtein", "as": "sim_ci", "params": {"ignore_case": true}}
]}
EOF
run 0 "$SK" -C "$P" rescore "$EXP" --pack "$P/other.json" --name again --no-progress
EXP2=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
[ -n "$EXP2" ] && [ "$EXP2" != "$EXP" ] || fail "rescore made no new experiment: $(cat "$T/out")"
has "$T/out" "experiment $EXP2: 5 of 5 cells"
# Case-sensitive exact_match: 2 of 5; sim_ci: (1 + .125 + 1 + 1 + 4/15) / 5.
grep -qE '^exact_match +0\.4000 +- +5 +0 +0$' "$T/out" || fail "rescore: exact_match line"
grep -qE '^sim_ci +0\.6783 +- +5 +0 +0$' "$T/out" || fail "rescore: sim_ci line"
has "$T/out" "origin: $EXP (run)"

run 0 "$SK" -C "$P" experiments
sed -n 2p "$T/out" | grep -qE "^$EXP2 +again .* done +qa@1 +5 +0 +$EXP +exact_match=0\.40 sim_ci=0\.68\$" ||
    fail "experiments: the rescore is not listed first: $(cat "$T/out")"
sed -n 3p "$T/out" | grep -qE "^$EXP +run " || fail "experiments: the run is not second"
run 0 "$SK" -C "$P" experiments --json
has "$T/out" "[{\"id\":\"$EXP2\",\"name\":\"again\""
has "$T/out" "\"origin\":\"$EXP\",\"means\":{\"exact_match\":0.4,\"sim_ci\":0.678333"

run 0 "$SK" -C "$P" show "$EXP2"
has "$T/out" "origin:    $EXP"
has "$T/out" "task:      stored {\"experiment\":\"$EXP\"}"
has "$T/out" "pack:      other version 0, hash "
run 0 "$SK" -C "$P" show "$EXP2" --json --worst 0
has "$T/out" "\"origin\":\"$EXP\""
has "$T/out" "\"task\":{\"provider\":\"stored\",\"experiment\":\"$EXP\"}"

# The rescored cells hold exactly the first experiment's outputs.
run 0 "$SK" -C "$P" export "$EXP2"
lines "$T/out" 5
outputs() { sed 's/.*"id":"\([^"]*\)","trial":\([0-9]*\),.*"output":\(.*\),"latency_ms".*/\1 \2 \3/' "$1"; }
outputs "$T/exp1.jsonl" >"$T/o1"
outputs "$T/out" >"$T/o2"
cmp -s "$T/o1" "$T/o2" || fail "rescored outputs differ: $(diff "$T/o1" "$T/o2")"
has "$T/out" '"scores":{"exact_match":{"score":0,"rationale":'
has "$T/out" '"id":"author","trial":0,'
grep '"id":"author"' "$T/out" | grep -qF '"sim_ci":{"score":1}' || fail "author's sim_ci"

# Task errors are carried over with their message, not rescored.
{
    cat "$P/data.jsonl"
    echo '{"id": "no-output", "input": "What is 2+2?", "expected": "4"}'
} >"$T/qa2.jsonl"
run 0 "$SK" -C "$P" dataset import qa2 "$T/qa2.jsonl"
run 2 "$SK" -C "$P" run --dataset qa2 --name broken --no-progress
EXP3=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
has "$T/out" "task errors: 1"
has "$T/out" "rows with no verdict: 1 (1 with errors, 0 where no scorer gave a score)"
run 0 "$SK" -C "$P" show "$EXP3"
has "$T/out" "errors, by message (cells, message, rows):"
grep -qE '^  task +1  row has no "output" field' "$T/out" || fail "show: the task error group"
has "$T/out" "rows: no-output"
lacks "$T/out" "no-output  "
run 0 "$SK" -C "$P" show "$EXP3" --json --worst 0
has "$T/out" '"errors":[{"source":"task","scorer":null,"message":"row has no \"output\" field'
has "$T/out" '"cells":1,"rows_count":1,"rows":["no-output"]}]'
run 0 "$SK" -C "$P" experiments
grep -qE "^$EXP3 +broken .* done +qa2@1 +6 +1 " "$T/out" || fail "experiments: errors column"
run 0 "$SK" -C "$P" export "$EXP3"
grep '"id":"no-output"' "$T/out" |
    grep -qF '"output":null,"latency_ms":' || fail "export: a failed cell's output"
grep '"id":"no-output"' "$T/out" |
    grep -qF '"task_error":"row has no \"output\" field' || fail "export: task_error"
grep '"id":"no-output"' "$T/out" |
    grep -qF '"overall":null,"pass":null,"reason":"task error: row has no \"output\" field' ||
    fail "export: a failed cell has no verdict, and says why"
grep '"id":"no-output"' "$T/out" | grep -qF ',"scores":{}}' || fail "export: a failed cell's scores"
run 2 "$SK" -C "$P" rescore "$EXP3" --no-progress
EXP4=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
has "$T/out" "task errors: 1"
run 0 "$SK" -C "$P" show "$EXP4"
grep -qE '^  task +1  row has no "output" field' "$T/out" || fail "rescore: the task error"
grep -qE '^similarity +0\.6420 +60\.0% +5 +0 +0$' "$T/out" || fail "rescore: default pack"

# ---- the row verdict (issue 11) ---------------------------------------------
# No thresholds at all.  A scorer error is no verdict (never a pass), nor is
# a row every scorer skipped; `run`, `show` and `export` say so alike.
cat >"$P/verdict.lua" <<'L'
return {
  name = "verdict",
  summary = "an error on Sydney, a skip on Paris, else 1",
  score = function(case)
    if case.output == "Sydney" then error("no Sydney here") end
    if case.output == "Paris" then return nil, "not for Paris" end
    return 1
  end,
}
L
cat >"$P/verdicts.json" <<P
{"name": "verdicts", "scorers": [{"use": "lua:$P/verdict.lua"}, {"use": "exact_match"}]}
P
{
    cat "$P/data.jsonl"
    echo '{"id": "no-expected", "input": "Capital of France?", "output": "Paris"}'
} >"$T/qa3.jsonl"
run 0 "$SK" -C "$P" dataset import qa3 "$T/qa3.jsonl"
run 2 "$SK" -C "$P" run --dataset qa3 --pack "$P/verdicts.json" --name verdicts --no-progress
EXPV=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
has "$T/out" "rows passing every threshold: 4 of 6 (66.7%)"
has "$T/out" "rows failing a threshold: 0"
has "$T/out" "rows with no verdict: 2 (1 with errors, 1 where no scorer gave a score)"
run 0 "$SK" -C "$P" show "$EXPV" --worst 1
has "$T/out" "rows with no verdict: 2 (1 with errors, 1 where no scorer gave a score)"
has "$T/out" "capital-au  0.0000"
grep -qE '^  verdict: +no verdict: error in scorer verdict: .*no Sydney here' "$T/out" ||
    fail "show: a row with an error has no verdict: $(grep verdict: "$T/out")"
run 0 "$SK" -C "$P" show "$EXPV" --json --worst 1
has "$T/out" '"verdicts":{"pass":4,"fail":0,"no_verdict":2,"no_verdict_errors":1,"no_verdict_no_score":1}'
has "$T/out" '"overall":0,"pass":null,"reason":"error in scorer verdict: '
run 0 "$SK" -C "$P" export "$EXPV"
grep '"id":"capital-au"' "$T/out" | grep -qF '"overall":0,"pass":null,"reason":"error in scorer verdict: ' ||
    fail "export: a scorer error without a threshold is no pass: $(grep '"id":"capital-au"' "$T/out")"
grep '"id":"no-expected"' "$T/out" |
    grep -qF '"overall":null,"pass":null,"reason":"no scorer gave a score","scores":{"verdict":{"skipped":' ||
    fail "export: a row every scorer skipped is no pass: $(grep '"id":"no-expected"' "$T/out")"
grep '"id":"capital-fr"' "$T/out" | grep -qF '"overall":1,"pass":true,' || fail "export: a pass"

# ---- trials ---------------------------------------------------------------
run 0 "$SK" -C "$P" run --dataset qa --trials 3 --no-progress
EXP5=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
has "$T/out" "±sd"
run 0 "$SK" -C "$P" show "$EXP5" --worst 1
has "$T/out" "experiment $EXP5: 15 of 15 cells"
has "$T/out" "±sd"
# The column task gives the same output every trial: no spread.
grep -qE '^exact_match +0\.6000 +0\.0000 +- +15 +0 +0$' "$T/out" || fail "trials: exact_match"
grep -qE '^similarity +0\.6420 +0\.0000 +60\.0% +15 +0 +0$' "$T/out" || fail "trials: similarity"
has "$T/out" "mean over 3 trials"
has "$T/out" "lowest-scoring rows (overall score, mean over trials):"
has "$T/out" "trial 0, the lowest of 3 (overall 0.0625):"
run 0 "$SK" -C "$P" export "$EXP5"
lines "$T/out" 15
sed -n 1,3p "$T/out" | sed 's/^{"id":"\([^"]*\)","trial":\([0-9]*\),.*/\1 \2/' >"$T/ids"
printf '%s\n' "capital-fr 0" "capital-fr 1" "capital-fr 2" >"$T/want"
cmp -s "$T/ids" "$T/want" || fail "export with trials: $(cat "$T/ids")"
run 0 "$SK" -C "$P" rescore "$EXP5" --pack "$P/other.json" --no-progress
has "$T/out" "of 15 cells"
has "$T/out" "±sd"

# ---- ids: prefixes, unknown, missing --------------------------------------
run 0 "$SK" -C "$P" show "$(echo "$EXP" | cut -c1-12)"
has "$T/out" "experiment $EXP:"
run 1 "$SK" -C "$P" show "$(echo "$EXP" | cut -c1-3)"
has "$T/err" "is the start of several experiment ids; give more of it"
for cmd in show export rescore; do
    run 1 "$SK" -C "$P" $cmd nope
    has "$T/err" 'scorekit: error: no experiment "nope" (`scorekit experiments` lists them)'
done
run 64 "$SK" -C "$P" show
has "$T/err" "show needs an experiment id"
run 64 "$SK" -C "$P" export
has "$T/err" "export needs an experiment id"
run 64 "$SK" -C "$P" rescore
has "$T/err" "rescore needs the id"

# Outside a project.
mkdir "$T/empty"
run 1 "$SK" -C "$T/empty" experiments
has "$T/err" "no scorekit.json here"

finish
