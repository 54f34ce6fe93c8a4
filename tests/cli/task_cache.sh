#!/bin/sh
# A new run asks the model under test anew (issue 12, item 8): two runs of
# one configuration show its nondeterminism instead of replaying the first.
# Replaying is an opt-in ("cache": true in the task, or --cache, which the
# experiment records); judges stay cached per trial; rescore makes no task
# call; and the summary says how many calls the cache served.
. "$SK_SRCDIR/tests/cli/lib.sh"
. "$SK_SRCDIR/tests/llm/server.sh"
unset OPENAI_MODEL ANTHROPIC_MODEL ANTHROPIC_API_KEY ANTHROPIC_BASE_URL
llm_server_start --log "$T/calls"
export OPENAI_BASE_URL="$LLM_URL/v1" OPENAI_API_KEY=sk-test
cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1
cat >scorekit.json <<'J'
{"name": "noise", "dataset": "data.jsonl", "pack": "pack.json",
 "task": {"provider": "openai", "model": "echo", "prompt": "{{input}}"}}
J
cat >pack.json <<'P'
{"name": "judged", "scorers": [{"use": "exact_match"},
  {"use": "factuality", "params": {"model": "judge"}}]}
P
cat >data.jsonl <<'D'
{"id": "a", "input": "Paris", "expected": "Paris"}
{"id": "b", "input": "Rome", "expected": "Paris"}
D
# task calls and judge calls the server saw since the last reset
calls() {
    grep -c "\"model\":\"$1\"" "$T/calls"
}

# 2 rows x 2 trials: 4 task calls and 4 judge calls, none cached.
: >"$T/calls"
run 0 "$SK" run --trials 2 --no-progress
has "$T/out" "model calls: 8 (0 from the cache)"
[ "$(calls echo)" = 4 ] || fail "first run: $(calls echo) task calls, wanted 4"
[ "$(calls judge)" = 4 ] || fail "first run: $(calls judge) judge calls, wanted 4"
# The same configuration again: the task is asked anew, the judges' verdicts
# on the same outputs per trial come from the cache.
: >"$T/calls"
run 0 "$SK" run --trials 2 --no-progress
has "$T/out" "model calls: 8 (4 from the cache)"
[ "$(calls echo)" = 4 ] || fail "second run: $(calls echo) task calls, wanted 4"
[ "$(calls judge)" = 0 ] || fail "second run: $(calls judge) judge calls, wanted 0"
EXP=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")

# --cache: the first fills the cache, the second replays it, and the
# experiment records it in its task.
run 0 "$SK" run --trials 2 --no-progress --cache
: >"$T/calls"
run 0 "$SK" run --trials 2 --no-progress --cache
has "$T/out" "model calls: 8 (8 from the cache)"
[ "$(calls echo)" = 0 ] || fail "--cache: $(calls echo) task calls, wanted 0"
CEXP=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
run 0 "$SK" show "$CEXP"
has "$T/out" '"cache":true'
# "cache": true in scorekit.json does the same.
sed 's/"prompt": "{{input}}"/"prompt": "{{input}}", "cache": true/' scorekit.json >s.json &&
    mv s.json scorekit.json
: >"$T/calls"
run 0 "$SK" run --trials 2 --no-progress
has "$T/out" "model calls: 8 (8 from the cache)"
[ "$(calls echo)" = 0 ] || fail '"cache": true: task calls made'
run 1 "$SK" run --set cache=yes --no-progress
has "$T/err" '"cache" must be true'
run 64 "$SK" run --resume "$EXP" --cache
has "$T/err" "keeps the task its experiment recorded"

# rescore scores the stored outputs again: no task call, judges cached.
: >"$T/calls"
run 0 "$SK" rescore "$EXP" --no-progress
[ "$(calls echo)" = 0 ] || fail "rescore: $(calls echo) task calls, wanted 0"
has "$T/out" "model calls: 4 (4 from the cache)"
finish
