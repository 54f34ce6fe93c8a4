#!/bin/sh
# `scorekit topics --embeddings MODEL` (issue 14): the texts' embeddings
# from an OpenAI-compatible /v1/embeddings (the fake server embeds a text
# by its character trigrams) clustered instead of TF-IDF vectors, labels
# still from the words; the texts batched into one request, each cached in
# the store; a failing endpoint is an error and stores nothing.
. "$SK_SRCDIR/tests/cli/lib.sh"
. "$SK_SRCDIR/tests/llm/server.sh"
unset OPENAI_MODEL ANTHROPIC_MODEL ANTHROPIC_API_KEY ANTHROPIC_BASE_URL
llm_server_start --log "$T/calls"
export OPENAI_BASE_URL="$LLM_URL/v1" OPENAI_API_KEY=sk-test

run 0 "$SK" init "$T/p"
P="$T/p"
{
    for w in alpha bravo charlie delta echo foxtrot; do
        printf '{"id": "r-%s", "input": "refund my order %s", "metadata": {"kind": "refund"}}\n' $w $w
    done
    for w in golf hotel india juliet kilo lima; do
        printf '{"id": "p-%s", "input": "password reset login %s", "metadata": {"kind": "password"}}\n' $w $w
    done
    printf '{"id": "empty", "input": "", "metadata": {"kind": "none"}}\n'
} >"$T/rows.jsonl"
runs() { "$SK" -C "$P" topics list --json | tr '{' '\n' | grep -c '"id"'; }

run 1 "$SK" -C "$P" topics "$T/rows.jsonl" -k 2 --embeddings fail-embed
has "$T/err" "/v1/embeddings (model fail-embed): HTTP 500"
has "$T/err" "no topic run was stored"
[ "$(runs)" = 0 ] || fail "a failed embedding stored a run"

: >"$T/calls"
run 0 "$SK" -C "$P" topics "$T/rows.jsonl" -k 2 --embeddings emb-1 --truth metadata.kind
has "$T/out" "13 rows of file $T/rows.jsonl by their input, k 2 (given)"
has "$T/out" "6  refund, my, order"
has "$T/out" "6  password, reset, login"
has "$T/out" "1  (no embedding)"
has "$T/out" "embeddings: emb-1, 12 texts (0 cached)"
has "$T/out" "adjusted Rand index of the topics against metadata.kind: 1.0000"
# The 12 non-empty texts in one request (up to 64 go together).
[ "$(grep -c '"path":"/v1/embeddings"' "$T/calls")" = 1 ] ||
    fail "embedding requests: $(grep -c '"path":"/v1/embeddings"' "$T/calls"), wanted 1"
# Again: every embedding from the store's cache, the same topics.
: >"$T/calls"
run 0 "$SK" -C "$P" topics "$T/rows.jsonl" -k 2 --embeddings emb-1 --json
has "$T/out" "\"embeddings\":{\"model\":\"emb-1\",\"texts\":12,\"cached\":12,"
has "$T/out" "\"label\":\"refund, my, order\",\"size\":6"
[ "$(grep -c embeddings "$T/calls")" = 0 ] || fail "cached run: $(grep -c embeddings "$T/calls") requests"
# --no-cache asks again.
run 0 "$SK" -C "$P" topics "$T/rows.jsonl" -k 2 --embeddings emb-1 --no-cache
[ "$(grep -c embeddings "$T/calls")" = 1 ] || fail "--no-cache: $(grep -c embeddings "$T/calls") requests"
[ "$(runs)" = 3 ] || fail "topics list has $(runs) runs, wanted 3"

# ---- --label: a model names each topic (the fake model "text:X" says X) ----
run 64 "$SK" -C "$P" topics "$T/rows.jsonl" -k 2 --model text:x
has "$T/err" "--model names the model --label asks: give --label too"
run 1 "$SK" -C "$P" topics "$T/rows.jsonl" -k 2 --label --model garbage
has "$T/err" "naming topic 1: "
[ "$(runs)" = 3 ] || fail "a failed --label stored a run"
: >"$T/calls"
run 0 "$SK" -C "$P" topics "$T/rows.jsonl" -k 2 --label --model "text:Account trouble."
has "$T/out" "6  Account trouble (refund, my, order)"
has "$T/out" "6  Account trouble (password, reset, login)"
has "$T/out" "names: text:Account trouble., 3 calls (0 cached)"
[ "$(grep -c '"path":"/v1/chat/completions"' "$T/calls")" = 3 ] ||
    fail "naming requests: $(grep -c '"path":"/v1/chat/completions"' "$T/calls"), wanted 3"
R=$(sed -n 's/^topic run \([0-9a-z]*\): .*/\1/p' "$T/out")
run 0 "$SK" -C "$P" topics show "$R" --json
has "$T/out" "\"label\":\"refund, my, order\",\"name\":\"Account trouble\","
has "$T/out" "\"names\":{\"model\":\"text:Account trouble.\",\"calls\":3,\"cached\":0,"
finish
