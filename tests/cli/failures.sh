#!/bin/sh
# `scorekit failures` (issue 14): the failing rows, lowest first, and what
# they have in common, on an experiment with a planted pattern: 60 rows from
# three sources; 14 of the 20 "api" rows fail against 2 of 20 for each other
# source, every failing input mentions "refund", and metadata.noise
# alternates x/y with no effect.  One more row has no output: a task error,
# so no verdict, counted apart.
. "$SK_SRCDIR/tests/cli/lib.sh"
. "$SK_SRCDIR/tests/llm/server.sh"
llm_server_start
cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1
awk 'BEGIN {
    split("web app api", src, " ")
    for (s = 1; s <= 3; s++)
        for (i = 0; i < 20; i++) {
            id = sprintf("%s%02d", src[s], i)
            fail = (src[s] == "api") ? (i < 14) : (i < 2)
            noise = (i % 2) ? "x" : "y"
            q = fail ? "refund for order " i : "where is order " i
            printf "{\"id\": \"%s\", \"input\": \"%s\", \"expected\": \"ok\", \"output\": \"%s\", \"metadata\": {\"source\": \"%s\", \"noise\": \"%s\"}}\n", id, q, fail ? "no" : "ok", src[s], noise
        }
    print "{\"id\": \"broken\", \"input\": \"x\", \"expected\": \"ok\", \"metadata\": {\"source\": \"web\", \"noise\": \"x\"}}"
}' >rows.jsonl
cat >scorekit.json <<'J'
{"name": "f", "dataset": "rows.jsonl", "pack": "pack.json",
 "task": {"provider": "column", "field": "output"}}
J
echo '{"name": "p", "scorers": [{"use": "exact_match", "threshold": 1}]}' >pack.json
run 2 "$SK" run --no-progress
EXP=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
[ -n "$EXP" ] || fail "no experiment id: $(cat "$T/out")"

run 0 "$SK" failures --limit 3
has "$T/out" "experiment $EXP (rows@1, 1 trial): 18 of 60 rows fail (30.0%), 42 pass, 1 no verdict"
has "$T/out" "a row fails when a scorer fails it: exact_match (threshold 1, mean)"
# api: 14 of 20 against 4 of 40; Fisher's two-sided p for [[14, 6], [4, 36]]
# is 3.999e-06 (exact sum over hypergeometric tables, computed apart).
has "$T/out" "  metadata.source = api: fails 14 of 20 (70.0%) against 4 of 40 (10.0%), lift 2.33, p 4e-06"
has "$T/out" "not distinguishable from chance:"
has "$T/out" "  metadata.noise = x: fails"
grep -A100 "not distinguishable" "$T/out" | grep -q "metadata.source = api" &&
    fail "api listed as chance"
head -20 "$T/out" | grep -B100 "not distinguishable" | grep -q "metadata.noise" &&
    fail "noise called a pattern"
has "$T/out" "    refund           z"
has "$T/out" "    api                     6/20    30.0% [14.5, 51.9]"
has "$T/out" "failing rows, lowest first (3 of 18):"
has "$T/out" "    exact_match 0.0000: "

run 0 "$SK" failures "$EXP" --json --limit 100
has "$T/out" '"failing":18,"passing":42,"no_verdict":1,"q":0.05,"patterns":[{"key":"metadata.source","value":"api","fail":14,"rows":20,"fail_rest":4,"rows_rest":40,"lift":2.3333333333333335,"p":3.99909467438'
has "$T/out" '"terms":{"input":[{"term":"refund",'
grep -o '"patterns":\[[^]]*\]' "$T/out" | grep -q noise && fail "noise in the patterns: $(cat "$T/out")"
[ "$(grep -o '"id":"[a-z0-9]*","overall"' "$T/out" | wc -l)" = 18 ] || fail "rows listed: $(grep -o '"id":"[a-z0-9]*","overall"' "$T/out" | wc -l)"

# --by limits the keys; --scorer S --below X is another rule for failing.
run 0 "$SK" failures --by metadata.noise --json
lacks "$T/out" '"key":"metadata.source"'
has "$T/out" '"key":"metadata.noise"'
run 0 "$SK" failures --scorer exact_match --below 0.5 --json
has "$T/out" '"fails_when":{"scorer":"exact_match","below":0.5},"failing":18,'

# Mistakes: clear errors, nothing printed on stdout.
run 1 "$SK" failures nosuchexp
has "$T/err" 'nosuchexp'
run 1 "$SK" failures --scorer nosuch --below 0.5
has "$T/err" "experiment $EXP has no scorer \"nosuch\"; its scorers: exact_match"
run 64 "$SK" failures --below 0.5
has "$T/err" "--scorer S and --below X go together"
run 64 "$SK" failures --scorer exact_match --below 2
has "$T/err" '--below needs a number from 0 to 1, got "2"'
run 64 "$SK" failures --by topic
has "$T/err" '--by takes metadata.KEY, got "topic"'
# --categorize: the fake server's default model echoes the prompt, whose
# first line is the reason the row failed; every failing row has the same
# one, so one category; a second run asks nothing (the cache).
printf '{"name": "f", "dataset": "rows.jsonl", "pack": "pack.json",
 "task": {"provider": "column", "field": "output"},
 "llm": {"providers": {"default": {"api": "openai", "base_url": "%s/v1",
         "api_key_env": "SK_TEST_NO_KEY", "max_retries": 0}}}}\n' "$LLM_URL" >scorekit.json
run 0 "$SK" failures "$EXP" --categorize --model echo --groups 3 --limit 1
has "$T/out" "failure categories, named by a model (18 rows; 18 calls, 4 cached, cost 0.0000):"
has "$T/out" 'What went wrong: the texts differ at character 1: output'
has "$T/out" "category:"
run 0 "$SK" failures "$EXP" --categorize --model echo --json --limit 0
has "$T/out" '"categories":{"rows":18,"calls":18,"cached":18,"cost":0,"merged_by_model":true,"groups":[{"name":"What went wrong: the texts differ at character 1: output'
run 64 "$SK" failures "$EXP" --model echo
has "$T/err" "--model names the model --categorize asks"
run 1 "$SK" failures "$EXP" --categorize --model status:500:99
has "$T/err" "--categorize: llm: POST"
echo '{"name": "p", "scorers": [{"use": "exact_match"}]}' >pack.json
run 2 "$SK" run --no-progress
run 1 "$SK" failures
has "$T/err" "no scorer has a threshold, so no row passes or fails"
finish
