#!/bin/sh
# A judge with nothing but the README's OPENAI_BASE_URL and OPENAI_API_KEY
# (issue 12, item 1): its model comes from OPENAI_MODEL, else the documented
# default gpt-4o-mini; --model and --set judge.model= choose it on score, try
# and validate; and validate prints an error every call shares once, with
# its count, instead of under each failing case.
. "$SK_SRCDIR/tests/cli/lib.sh"
. "$SK_SRCDIR/tests/llm/server.sh"
unset OPENAI_MODEL ANTHROPIC_MODEL ANTHROPIC_API_KEY ANTHROPIC_BASE_URL
llm_server_start --api-key sk-test --log "$T/calls" --truth "$SK_SRCDIR/core/validate/calibration"
export OPENAI_BASE_URL="$LLM_URL/v1" OPENAI_API_KEY=sk-test
cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1
# The README's loop pack, with no "llm" object and no model anywhere.
cat >pack.json <<'P'
{"name": "loop", "scorers": [{"use": "factuality", "threshold": 0.6}]}
P
cat >rows.jsonl <<'R'
{"id": "a", "input": "What is the capital of France?", "output": "Paris", "expected": "Paris"}
{"id": "b", "input": "What is the capital of Japan?", "output": "Tokyo", "expected": "Tokyo"}
R

# The model of the environment.
: >"$T/calls"
OPENAI_MODEL=judge run 0 "$SK" try factuality --input "What is the capital of France?" \
    --output Paris --expected Paris
has "$T/out" "factuality: score"
has "$T/calls" '"model":"judge","key":"sk-test"'
lacks "$T/calls" '"model":"gpt-4o-mini"'

# Without OPENAI_MODEL: the documented default, never "no model".
: >"$T/calls"
run 2 "$SK" try factuality --input "What is the capital of France?" --output Paris \
    --expected Paris
has "$T/calls" '"model":"gpt-4o-mini"'
lacks "$T/err" "no model"
lacks "$T/out" "no model"

# Only Anthropic's variables: its Messages API, ANTHROPIC_MODEL, else its
# documented default.
: >"$T/calls"
(
    unset OPENAI_BASE_URL OPENAI_API_KEY
    ANTHROPIC_BASE_URL="$LLM_URL" ANTHROPIC_API_KEY=sk-test ANTHROPIC_MODEL=judge \
        "$SK" try factuality --no-cache --input "What is the capital of France?" --output Paris \
        --expected Paris
) >"$T/out" 2>&1 || fail "a judge with ANTHROPIC_MODEL"
has "$T/out" "factuality: score"
has "$T/calls" '"path":"/v1/messages","model":"judge","key":"sk-test"'
: >"$T/calls"
(
    unset OPENAI_BASE_URL OPENAI_API_KEY
    ANTHROPIC_BASE_URL="$LLM_URL" ANTHROPIC_API_KEY=sk-test "$SK" try factuality --no-cache \
        --input "What is the capital of France?" --output Paris --expected Paris
) >"$T/out" 2>&1
has "$T/calls" '"path":"/v1/messages","model":"claude-haiku-4-5"'

# --model and --set judge.model= on try, score and validate.
: >"$T/calls"
run 0 "$SK" try factuality --no-cache --model judge --input "What is the capital of France?" \
    --output Paris --expected Paris
has "$T/calls" '"model":"judge"'
: >"$T/calls"
run 0 "$SK" score rows.jsonl --no-cache --model judge
has "$T/out" "2 rows scored"
has "$T/calls" '"model":"judge"'
lacks "$T/calls" '"model":"gpt-4o-mini"'
: >"$T/calls"
run 0 "$SK" score rows.jsonl --set judge.model=sim:honest
has "$T/calls" '"model":"sim:honest"'
lacks "$T/calls" '"model":"gpt-4o-mini"'
: >"$T/calls"
run 0 "$SK" validate --model sim:honest
grep -E '^factuality +PASS ' "$T/out" >/dev/null || fail "factuality should PASS with --model"
has "$T/calls" '"model":"sim:honest"'
lacks "$T/calls" '"model":"gpt-4o-mini"'
# The command line wins over the pack, and a param no judge has is refused.
cat >named.json <<'P'
{"name": "named", "scorers": [{"use": "factuality", "params": {"model": "other"}}]}
P
: >"$T/calls"
run 0 "$SK" score rows.jsonl --no-cache --pack named.json --set judge.model=judge
has "$T/calls" '"model":"judge"'
lacks "$T/calls" '"model":"other"'
run 64 "$SK" score rows.jsonl --set judge.modle=judge
has "$T/err" 'no judge of the pack loop takes "modle"'
run 64 "$SK" score rows.jsonl --set model=judge
has "$T/err" "takes judge.PARAM=VALUE"
run 1 "$SK" validate --set judge.temperature=hot
has "$T/err" "temperature"
run 0 "$SK" score rows.jsonl --scorer exact_match --model judge
has "$T/err" "--model: the pack"
has "$T/err" "has no scorer that calls a model"

# Every call failing the same way: the message once, with its count.
: >"$T/calls"
run 3 "$SK" validate
n=$(grep -c "instead of choosing" "$T/out")
[ "$n" = 1 ] || fail "the shared error is printed $n times, wanted once"
has "$T/out" "errors by message (calls, message):"
grep -E '^    1\. +912  factuality: invalid verdict' "$T/out" >/dev/null ||
    fail "the shared error's line lacks its count of 912 calls"
has "$T/out" "error: message 1 above"
finish
