#!/bin/sh
# embedding_similarity (issue 14): the cosine of the output's and the
# expected's embeddings from an OpenAI-compatible /v1/embeddings, rescaled
# as autoevals' EmbeddingSimilarity does: clamp((cos - 0.7) / 0.3, 0, 1).
# The fake server embeds texts by their character trigrams, so equal texts
# have cosine 1 and texts sharing no trigram cosine 0.
. "$SK_SRCDIR/tests/cli/lib.sh"
. "$SK_SRCDIR/tests/llm/server.sh"
unset OPENAI_MODEL ANTHROPIC_MODEL ANTHROPIC_API_KEY ANTHROPIC_BASE_URL
llm_server_start --log "$T/calls"
export OPENAI_BASE_URL="$LLM_URL/v1" OPENAI_API_KEY=sk-test
cd "$T" || exit 1
printf '%s\n' '{"id":"same","output":"Paris is the capital of France","expected":"Paris is the capital of France"}' \
    '{"id":"near","output":"The capital of France is Paris","expected":"Paris is the capital of France"}' \
    '{"id":"far","output":"xyz","expected":"Paris is the capital of France"}' \
    '{"id":"none","output":"Paris"}' >d.jsonl
run 0 "$SK" score d.jsonl --scorer embedding_similarity --json
has "$T/out" '"id":"same","line":1,"overall":1,'
has "$T/out" '"meta":{"cosine":1.000000}'
has "$T/out" '"id":"far","line":3,"overall":0,'
has "$T/out" '"skipped":"row has no expected value"'
# The rescaling: the near row's score is (cosine - 0.7) / 0.3 of its own cosine.
grep '"id":"near"' "$T/out" | sed 's/.*"overall":\([0-9.]*\),.*"cosine":\([0-9.]*\).*/\1 \2/' >"$T/near"
read -r score cosine <"$T/near"
awk -v s="$score" -v c="$cosine" 'BEGIN { want = (c - 0.7) / 0.3;
    exit !(c > 0.7 && c < 1 && s - want < 1e-5 && want - s < 1e-5) }' ||
    fail "near: score $score is not (cosine $cosine - 0.7) / 0.3"
# Two texts a row, one request each (the skipped row makes none).
[ "$(grep -c '"path":"/v1/embeddings"' "$T/calls")" = 6 ] ||
    fail "embedding requests: $(grep -c '"path":"/v1/embeddings"' "$T/calls"), wanted 6"

# expected_min moves the zero; a failing endpoint is an error, never a 0.
run 0 "$SK" score d.jsonl --scorer embedding_similarity --set judge.expected_min=0 --json
has "$T/out" '"id":"same","line":1,"overall":1,'
run 2 "$SK" score d.jsonl --scorer embedding_similarity --model fail-embed --json
has "$T/out" '"pass":null,"reason":"error in scorer embedding_similarity: llm: POST '
has "$T/out" '/v1/embeddings (model fail-embed): HTTP 500'
lacks "$T/out" '"score":0'

# In a project the replies are cached: each distinct text is embedded once
# (three here: the expected answer all rows share, "The capital...", "xyz"),
# and a second run makes no request.  One worker: two at once may both
# miss the cache for a text neither has stored yet.
run 0 "$SK" init p
cd p || exit 1
cp "$T/d.jsonl" rows.jsonl
cat >scorekit.json <<'J'
{"name": "emb", "dataset": "rows.jsonl", "pack": "pack.json",
 "task": {"provider": "column", "field": "output"}}
J
echo '{"name": "e", "scorers": [{"use": "embedding_similarity", "threshold": 0.5}]}' >pack.json
: >"$T/calls"
run 0 "$SK" score rows.jsonl --json -j 1
[ "$(grep -c embeddings "$T/calls")" = 3 ] || fail "first run: $(grep -c embeddings "$T/calls") requests, wanted 3"
: >"$T/calls"
run 0 "$SK" score rows.jsonl --json
[ "$(grep -c embeddings "$T/calls")" = 0 ] || fail "cached run: $(grep -c embeddings "$T/calls") requests"
# validate tests it like every scorer that compares with an expected answer.
run 0 "$SK" validate
grep -qE '^embedding_similarity +PASS ' "$T/out" || fail "validate: $(cat "$T/out")"
# Anthropic has no embeddings: said so.
cat >scorekit.json <<'J'
{"name": "emb", "dataset": "rows.jsonl", "pack": "pack.json",
 "task": {"provider": "column", "field": "output"},
 "llm": {"provider": "a", "providers": {"a": {"api": "anthropic", "base_url": "http://127.0.0.1:9", "model": "m"}}}}
J
run 2 "$SK" score rows.jsonl --json --no-cache
has "$T/out" 'speaks the Anthropic API, which has no embeddings'
finish
