#!/bin/sh
# The client lowers its in-flight limit when the server says it is over
# capacity (429) and raises it slowly while calls succeed (issue 17,
# adaptive concurrency): against a server that takes 4 requests at a time,
# 16 allowed in flight meet far fewer 429s than with the limit held fixed,
# and every judgement comes out the same.
. "$SK_SRCDIR/tests/cli/lib.sh"
. "$SK_SRCDIR/tests/llm/server.sh"
unset OPENAI_MODEL ANTHROPIC_MODEL ANTHROPIC_API_KEY ANTHROPIC_BASE_URL
llm_server_start --latency-ms 60 --capacity 4 --log "$T/calls"
export OPENAI_API_KEY=sk-test
cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1
config() {
    cat >scorekit.json <<J
{"name": "adaptive", "dataset": "rows.jsonl", "pack": "pack.json",
 "task": {"provider": "column", "field": "output"},
 "llm": {"provider": "local", "max_in_flight": 16, "adaptive_in_flight": $1,
         "providers": {"local": {"api": "openai", "base_url": "$LLM_URL/v1", "model": "judge",
           "max_retries": 60, "retry_budget_s": 120, "retry_base_ms": 20, "retry_cap_ms": 200}}}}
J
}
cat >pack.json <<'P'
{"name": "judged", "scorers": [{"use": "factuality"}]}
P
i=0
while [ $i -lt 96 ]; do
    echo "{\"id\": \"r$i\", \"input\": \"question $i\", \"output\": \"answer $i\", \"expected\": \"answer $((i % 3))\"}"
    i=$((i + 1))
done >rows.jsonl

refused() { grep -c '"refused":true' "$T/calls"; }

config false
: >"$T/calls"
run 0 "$SK" score --no-cache --json
sort "$T/out" >"$T/fixed.jsonl"
has "$T/err" "96 rows scored"
fixed=$(refused)

config true
: >"$T/calls"
run 0 "$SK" score --no-cache --json
sort "$T/out" >"$T/adaptive.jsonl"
has "$T/err" "96 rows scored"
adaptive=$(refused)
echo "429s: $fixed with the limit fixed at 16, $adaptive adaptive"

# The same judgements, none of them an error.
lines "$T/adaptive.jsonl" 96
cmp -s "$T/fixed.jsonl" "$T/adaptive.jsonl" || fail "the judgements differ between the runs"
grep -q '"error"' "$T/adaptive.jsonl" && fail "a judgement failed: $(grep -m1 '"error"' "$T/adaptive.jsonl")"
# Held at 16, each round of requests meets 12 refusals; adaptive, the first
# round's 12 and a few each time it probes above 4.
[ "$fixed" -ge 50 ] || fail "with the limit fixed, only $fixed requests were refused"
[ "$adaptive" -lt $((fixed / 2)) ] || fail "adaptive: $adaptive 429s, fixed: $fixed; wanted fewer than half"

# A key that is not a boolean is refused with where it is.
config '"yes"'
run 1 "$SK" score --no-cache
has "$T/err" "adaptive_in_flight"
finish
