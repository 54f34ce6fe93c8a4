#!/bin/sh
# "provider": "anthropic" as a task, with nothing but ANTHROPIC_API_KEY (and
# ANTHROPIC_BASE_URL for the fake server) in the environment (issue 12, item
# 10): its calls go to the Messages API with the key, the experiment records
# the provider, and a project whose "llm" has no Anthropic provider is told
# what to add.
. "$SK_SRCDIR/tests/cli/lib.sh"
. "$SK_SRCDIR/tests/llm/server.sh"
unset OPENAI_MODEL ANTHROPIC_MODEL OPENAI_API_KEY OPENAI_BASE_URL
llm_server_start --api-key ak-test --log "$T/calls"
export ANTHROPIC_BASE_URL="$LLM_URL" ANTHROPIC_API_KEY=ak-test
cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1
cat >scorekit.json <<'J'
{"name": "claude", "dataset": "data.jsonl", "pack": "pack.json",
 "task": {"provider": "anthropic", "model": "text:Paris", "system": "Answer in one word.",
          "prompt": "{{input}}", "params": {"max_tokens": 50}}}
J
: >"$T/calls"
run 0 "$SK" run --no-progress
has "$T/out" "5 of 5 cells"
has "$T/out" "model calls: 5 (0 from the cache)"
lacks "$T/out" "task errors"
n=$(grep -c '"path":"/v1/messages","model":"text:Paris","key":"ak-test"' "$T/calls")
[ "$n" = 5 ] || fail "$n calls to the Messages API with the key, wanted 5"
lacks "$T/calls" "/chat/completions"
EXP=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
run 0 "$SK" export "$EXP"
[ "$(grep -c '"output":"Paris"' "$T/out")" = 5 ] || fail "every output is the model's reply"
run 0 "$SK" show "$EXP"
has "$T/out" "task:      anthropic {"

# OpenAI's variables set as well: the task still asks Anthropic.
: >"$T/calls"
OPENAI_API_KEY=sk-other OPENAI_BASE_URL="$LLM_URL/v1" run 0 "$SK" run --no-progress
[ "$(grep -c '"path":"/v1/messages"' "$T/calls")" = 5 ] || fail "with OPENAI_* set too"

# Providers of one's own: the one named by llm_provider must speak the API.
cat >scorekit.json <<J
{"name": "claude", "dataset": "data.jsonl", "pack": "pack.json",
 "task": {"provider": "anthropic", "model": "text:Paris"},
 "llm": {"providers": {"local": {"api": "openai", "base_url": "$LLM_URL/v1",
                                 "model": "echo"}}}}
J
run 1 "$SK" run --no-progress
has "$T/err" 'found no provider with "api": "anthropic"'
run 1 "$SK" run --no-progress --set llm_provider=local
has "$T/err" 'provider "local" speaks the openai API'
cat >scorekit.json <<J
{"name": "claude", "dataset": "data.jsonl", "pack": "pack.json",
 "task": {"provider": "anthropic", "model": "text:Rome", "llm_provider": "claude"},
 "llm": {"providers": {"local": {"api": "openai", "base_url": "$LLM_URL/v1", "model": "echo"},
                       "claude": {"api": "anthropic", "base_url": "$LLM_URL",
                                  "api_key_env": "ANTHROPIC_API_KEY"}}}}
J
: >"$T/calls"
run 0 "$SK" run --no-progress
[ "$(grep -c '"path":"/v1/messages","model":"text:Rome"' "$T/calls")" = 5 ] ||
    fail "llm_provider names an Anthropic provider of one's own"
finish
