#!/bin/sh
# Judge panels (issue 17): {"use": "panel", "params": {"judges": [...],
# "reduce": "majority" | "mean"}} votes scorers of the pack and keeps each
# judge's score and rationale; validate reports the panel and each judge;
# a panel of model judges calls the model through each judge.
. "$SK_SRCDIR/tests/cli/lib.sh"
. "$SK_SRCDIR/tests/llm/server.sh"
unset OPENAI_MODEL ANTHROPIC_MODEL ANTHROPIC_API_KEY ANTHROPIC_BASE_URL
cd "$T" || exit 1
cat >pack.json <<'P'
{"name": "p", "scorers": [
  {"use": "exact_match", "as": "a"},
  {"use": "levenshtein", "as": "b"},
  {"use": "contains", "as": "c"},
  {"use": "panel", "as": "jury", "threshold": 0.5, "params": {"judges": ["a", "b", "c"]}},
  {"use": "panel", "as": "avg", "params": {"judges": ["a", "b"], "reduce": "mean"}}
]}
P
# Row 1: all three pass.  Row 2 ("Pari"): exact 0, levenshtein 0.8, contains
# 0: one vote of three, so the majority is 0 and the mean of a and b 0.4.
printf '%s\n' '{"id":"1","output":"Paris","expected":"Paris"}' \
    '{"id":"2","output":"Pari","expected":"Paris"}' >d.jsonl
run 0 "$SK" score d.jsonl --pack pack.json --json
has "$T/out" '"jury":{"score":1,"rationale":"3 of 3 judges pass (score >= 0.5)\na 1\nb 1\nc 1: output contains \"Paris\"","meta":{"judges":{"a":1,"b":1,"c":1},"voted":3,"pass":3}}'
has "$T/out" '"jury":{"score":0,"rationale":"1 of 3 judges pass (score >= 0.5)\na 0: '
has "$T/out" '"meta":{"judges":{"a":0,"b":0.8,"c":0},"voted":3,"pass":1}}'
has "$T/out" '"avg":{"score":0.4,"rationale":"mean of 2 judges\na 0: '

# validate tests the panel like any scorer, beside each of its judges.
run 0 "$SK" validate --pack pack.json
grep -qE '^avg +PASS ' "$T/out" || fail "validate: the mean panel should PASS: $(cat "$T/out")"
grep -qE '^a +PASS ' "$T/out" || fail "validate: judge a should be reported"
has "$T/out" "jury: WARN (panel panel, fingerprint "
# `scorers` says panels exist.
run 0 "$SK" scorers
has "$T/out" "Judge panels (\"use\": \"panel\")"

# Mistakes, named with the pack file and line.
bad() {
    printf '{"name": "p", "scorers": [{"use": "exact_match", "as": "a"}, {"use": "levenshtein", "as": "b"},\n%s]}\n' "$1" >bad.json
    run "${2:-1}" "$SK" score d.jsonl --pack bad.json
}
bad '{"use": "panel", "as": "j", "params": {"judges": ["a"]}}'
has "$T/err" 'bad.json:2: scorer "j": "judges" must list two or more scorers by name'
bad '{"use": "panel", "as": "j", "params": {"judges": ["a", "j"]}}'
has "$T/err" 'bad.json:2: scorer "j" composes itself through j -> j'
bad '{"use": "panel", "as": "j", "params": {"judges": ["a", "b"], "reduce": "median"}}'
has "$T/err" 'bad.json:2: scorer "j": "reduce" must be "majority" or "mean"'
bad '{"use": "panel", "as": "j", "params": {"judges": ["a", "b"], "pass_at": 2}}'
has "$T/err" '"pass_at" must be a number in [0,1]'
bad '{"use": "panel", "as": "j", "params": {"judges": ["a", "b"], "reduse": "mean"}}'
has "$T/err" 'reduse'
bad '{"use": "panel", "as": "j"}'
has "$T/err" 'bad.json:2: scorer "j": a panel needs "params": {"judges":'
bad '{"use": "panel", "as": "j", "params": {"judges": ["a", "nosuch"]}}'
has "$T/err" 'panel "j": judge "nosuch": no scorer named "nosuch"'

# Judges that call a model: the panel does so through each of them, and
# the verdicts come back with each judge's reason.
llm_server_start --truth "$SK_SRCDIR/core/validate/calibration" --log "$T/calls"
export OPENAI_BASE_URL="$LLM_URL/v1" OPENAI_API_KEY=sk-test
cat >llm.json <<'P'
{"name": "j", "scorers": [
  {"use": "factuality", "as": "f1", "params": {"model": "sim:honest"}},
  {"use": "factuality", "as": "f2", "params": {"model": "sim:honest"}},
  {"use": "factuality", "as": "f3", "params": {"model": "sim:first"}},
  {"use": "panel", "as": "jury", "params": {"judges": ["f1", "f2", "f3"]}}
]}
P
printf '%s\n' '{"id":"q","input":"What is the capital of France?","output":"Paris","expected":"Paris"}' >q.jsonl
run 0 "$SK" score q.jsonl --pack llm.json --json --no-cache
has "$T/out" '"jury":{"score":'
has "$T/out" '"voted":3'
grep -q '"f1 ' "$T/out" || grep -q 'f1 [01]' "$T/out" || fail "no rationale of f1 in the panel's: $(cat "$T/out")"
# f1..f3 alone and through the panel: each judge's request twice, the
# second time from the same process's cache is off (--no-cache), so six.
[ "$(grep -c '"path"' "$T/calls")" = 6 ] || fail "model requests: $(grep -c '"path"' "$T/calls"), wanted 6"
finish
