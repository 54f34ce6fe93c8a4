#!/bin/sh
# LLM judges and the openai task end to end, against the fake LLM server:
# a project whose task is a chat model (`echo` repeats the prompt) and whose
# pack is a factuality judge with an edited copy of the built-in prompt;
# `run` records the task's model, system message and params, `show` gives
# the judge's rationale, a repeat run asks the task anew and its judges are
# served from the cache, and a judge reply without a valid choice is an
# error, never a score.
. "$SK_SRCDIR/tests/cli/lib.sh"
. "$SK_SRCDIR/tests/llm/server.sh"
llm_server_start
cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1

cat >scorekit.json <<EOF
{"name": "judged", "dataset": "qa", "pack": "judge-pack.json",
 "task": {"provider": "openai", "model": "echo", "system": "Answer in one sentence.",
          "prompt": "{{input}}", "params": {"temperature": 0.1}},
 "llm": {"providers": {"default": {"api": "openai", "base_url": "$LLM_URL/v1",
         "api_key_env": "SK_TEST_NO_KEY", "max_retries": 1, "retry_base_ms": 1}}}}
EOF
cat >data.jsonl <<'EOF'
{"id": "agree", "input": "Paris is the capital of France.", "expected": "The capital of France is Paris.", "metadata": {"truth": "C"}}
{"id": "differ", "input": "Lyon is the capital of France.", "expected": "The capital of France is Paris.", "metadata": {"truth": "D"}}
EOF
# The installed prompt, copied and edited: the test model `judge` answers
# with the first choice label it finds after "ANSWER:".
mkdir -p prompts
cp "$SK_SRCDIR/plugins/judge/prompts/factuality.txt" prompts/factuality.txt
echo 'ANSWER: {{metadata.truth}}' >>prompts/factuality.txt
cat >judge-pack.json <<'EOF'
{"name": "judged", "scorers": [
  {"use": "factuality", "params": {"model": "judge", "template": "prompts/factuality.txt"},
   "threshold": 0.5}]}
EOF
run 0 "$SK" dataset import qa data.jsonl

run 0 "$SK" scorers
grep -E '^ *factuality .*uses-llm' "$T/out" >/dev/null || fail "factuality is not marked uses-llm"

run 0 "$SK" run --no-progress
has "$T/out" "2 of 2 cells"
grep -E '^factuality +0\.5000 ' "$T/out" >/dev/null || fail "factuality mean 0.5"
has "$T/out" "model calls: 4 (0 from the cache)"
EXP=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
[ -n "$EXP" ] || fail "no experiment id"

# The rationale of the low row, and the task's configuration.
run 0 "$SK" show "$EXP"
has "$T/out" "picked D"
has "$T/out" "model calls: 4 (0 from the cache)"
run 0 "$SK" experiments
grep -E "^$EXP .*factuality=0\.50  \(4 model calls\)" "$T/out" >/dev/null || fail "experiments: calls"
run 0 "$SK" show "$EXP" --json
has "$T/out" '"llm_usage":{"calls":4,"cached":0,'
run 0 "$SK" show "$EXP"
has "$T/out" '"model":"echo"'
has "$T/out" '"system":"Answer in one sentence."'
has "$T/out" '"temperature":0.1'
run 0 "$SK" export "$EXP"
has "$T/out" '"output":"Lyon is the capital of France."'
# Each cell: one task call and one judge call.
[ "$(grep -c '"llm":{"calls":2,' "$T/out")" = 2 ] || fail "every cell counts its two model calls"
has "$T/out" '"choice":"D"'
has "$T/out" '"rationale":"picked C"'

# Four calls (two task, two judge); the same run again asks the task's model
# anew and takes the judges' verdicts on the same outputs from the cache.
run 0 "$SK" cache stats
has "$T/out" "LLM calls logged: 4 ok (0 from the cache)"
run 0 "$SK" run --no-progress
grep -E '^factuality +0\.5000 ' "$T/out" >/dev/null || fail "factuality mean 0.5 again"
has "$T/out" "model calls: 4 (2 from the cache)"
run 0 "$SK" cache stats
has "$T/out" "LLM calls logged: 8 ok (2 from the cache)"
# --no-cache: every call made again, the cache neither read nor grown.
run 0 "$SK" run --no-progress --no-cache
has "$T/out" "model calls: 4 (0 from the cache)"

# `score` on a file of outputs with the same judge.
cat >outputs.jsonl <<'EOF'
{"id": "o1", "input": "capital?", "output": "Paris", "expected": "Paris", "metadata": {"truth": "E"}}
{"id": "o2", "input": "capital?", "output": "Rome", "expected": "Paris"}
EOF
run 2 "$SK" score outputs.jsonl --json --no-progress
has "$T/out" '"o1"'
has "$T/out" '"score":1,"rationale":"picked E"'
has "$T/out" 'the row has no metadata.truth'

# A judge whose model picks no valid choice: an error for every row.
cat >bad-pack.json <<'EOF'
{"name": "bad", "scorers": [
  {"use": "closed_qa", "params": {"criterion": "is right",
   "model": "tool:{\"reasons\":\"hmm\",\"choice\":\"maybe\"}"}}]}
EOF
run 2 "$SK" run --pack bad-pack.json --no-progress
grep -E '^closed_qa .* 0 +0 +2$' "$T/out" >/dev/null || fail "closed_qa: 2 errors, no scores"

# validate on a judge: every call goes to the model, several at a time, and
# a judge that always answers "same" fails the wrong-answer and bias checks
# while its rationales and repeats pass; -j 1 and -j 4 give the same report
# (both without the cache: the report keeps each score's metadata, which
# says whether the cache served it).
cat >constant-pack.json <<'EOF'
{"name": "constant", "scorers": [
  {"use": "factuality", "params": {"model": "tool:{\"reasons\":\"they agree\",\"choice\":\"C\"}"}}]}
EOF
run 3 "$SK" validate --pack constant-pack.json --json -j 4 --no-cache
cp "$T/out" "$T/j4.json"
has "$T/out" '"wrong":{"status":"FAIL"'
has "$T/out" '"confidence":{"status":"FAIL"'
has "$T/out" '"rationale":{"status":"PASS","n":912,"with_rationale":912}'
has "$T/out" '"consistency":{"status":"PASS"'
run 3 "$SK" validate --pack constant-pack.json --json -j 1 --no-cache
cmp -s "$T/out" "$T/j4.json" || fail "validate -j 1 and -j 4 differ"

# A prompt kept in a file: its text is recorded with the experiment, so
# editing the file is a change `compare` names.
echo 'Q: {{input}}' >prompt.txt
run 0 "$SK" run --no-progress --set provider=column --set provider=openai --set model=echo \
    --set prompt_file=prompt.txt
E1=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
run 0 "$SK" show "$E1"
has "$T/out" '"prompt_file_text":"Q: {{input}}\n"'
echo 'Question: {{input}}' >prompt.txt
run 0 "$SK" run --no-progress --set provider=column --set provider=openai --set model=echo \
    --set prompt_file=prompt.txt
E2=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
run 0 "$SK" compare "$E2" --base "$E1"
has "$T/out" "prompt_file_text"
has "$T/out" "model calls, base: 4 (0 from the cache)"
has "$T/out" "model calls, new : 4 (0 from the cache)"
has "$T/out" "Question: {{input}}"

# Ctrl-C while a slow judge scores: the rows under way finish and count,
# the rest are never asked.  All 40 rows fit in score's queue at -j 2, and
# Ctrl-C used to be read only while feeding it, so every queued row ran
# (20 of 40 after a Ctrl-C at 1.5 s).  The model `slow:1000` answers after
# a second; the pause before the Ctrl-C only lets some rows start.
awk 'BEGIN { for (i = 0; i < 40; i++) printf "{\"id\": \"s%d\", \"input\": \"q%d\", \"output\": \"a\", \"expected\": \"a\", \"metadata\": {\"truth\": \"C\"}}\n", i, i }' >slow.jsonl
cat >slow-pack.json <<'EOF'
{"name": "slow", "scorers": [
  {"use": "factuality", "params": {"model": "slow:1000", "template": "prompts/factuality.txt"}}]}
EOF
"$SK" score slow.jsonl --pack slow-pack.json --no-progress --no-cache -j 2 >"$T/slow.out" \
    2>"$T/slow.err" &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
st=$?
[ "$st" = 130 ] || fail "score, Ctrl-C: exit status $st, wanted 130"
has "$T/slow.err" "Ctrl-C again to stop at once"
n=$(sed -n 's/.*interrupted after \([0-9]*\) of 40 rows.*/\1/p' "$T/slow.err")
[ -n "$n" ] && [ "$n" -le 8 ] ||
    fail "score, Ctrl-C: ${n:-no} rows scored of 40, wanted the few under way (at most 8)"
finish
