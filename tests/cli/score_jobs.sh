#!/bin/sh
# `score` with judges starts, by default, as many workers as the model
# client lets requests be in flight (issue 12, item 5), as `run` does when
# it waits on a model: the fake server's log shows every allowed request in
# flight at once.  max_in_flight is set above the core count, so one worker
# per core (the default before) cannot reach it on any machine.
. "$SK_SRCDIR/tests/cli/lib.sh"
. "$SK_SRCDIR/tests/llm/server.sh"
unset OPENAI_MODEL ANTHROPIC_MODEL ANTHROPIC_API_KEY ANTHROPIC_BASE_URL
llm_server_start --latency-ms 300 --log "$T/calls"
export OPENAI_BASE_URL="$LLM_URL/v1" OPENAI_API_KEY=sk-test
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
limit=$((cores + 4))
cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1
cat >scorekit.json <<J
{"name": "jobs", "dataset": "rows.jsonl", "pack": "pack.json",
 "task": {"provider": "column", "field": "output"}, "llm": {"max_in_flight": $limit}}
J
cat >pack.json <<'P'
{"name": "judged", "scorers": [{"use": "factuality", "params": {"model": "judge"}}]}
P
i=0
while [ $i -lt $((limit * 3)) ]; do
    echo "{\"id\": \"r$i\", \"input\": \"question $i\", \"output\": \"answer $i\", \"expected\": \"answer $i\"}"
    i=$((i + 1))
done >rows.jsonl

peak() {
    sed -n 's/.*"in_flight":\([0-9]*\).*/\1/p' "$T/calls" | sort -n | tail -1
}

: >"$T/calls"
run 0 "$SK" score --no-cache
has "$T/out" "$((limit * 3)) rows scored"
[ "$(peak)" = "$limit" ] || fail "score: at most $(peak) requests in flight, wanted $limit"
# -j still wins.
: >"$T/calls"
run 0 "$SK" score --no-cache -j 1
[ "$(peak)" = 1 ] || fail "score -j 1: $(peak) requests in flight, wanted 1"
: >"$T/calls"
run 0 "$SK" score --no-cache -j 3
[ "$(peak)" = 3 ] || fail "score -j 3: $(peak) requests in flight, wanted 3"
# run, with the same judges, uses the same default.
: >"$T/calls"
run 0 "$SK" run --no-cache
[ "$(peak)" = "$limit" ] || fail "run: at most $(peak) requests in flight, wanted $limit"
finish
