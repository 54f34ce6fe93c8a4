#!/bin/sh
# `scorekit watch` and the online rules (issue 15): bad rules are refused
# with FILE:LINE (and the column in a filter); a filter and a deterministic
# sample choose the logs; every (rule, log) is scored exactly once, also
# after kill -9 mid-run (and serve keeps every log it acknowledged across a
# kill -9); an overloaded model (429) delays a batch instead of
# turning it into errors; a refused key (401) pauses the rule with its
# backlog kept, until --resume-rule; `logs --lowest` and `--where` list
# what was found.  A fake LLM server on 127.0.0.1 plays the judges.
. "$SK_SRCDIR/tests/cli/lib.sh"
. "$SK_SRCDIR/tests/llm/server.sh"
llm_server_start --latency-ms 15 --api-key sekrit
cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1
DB=.scorekit/scorekit.db
q() { sql . "$1"; }

# project FILE RULES: scorekit.json with the given "online" list.
project() {
    printf '{"name": "w", "pack": "pack.json", "dataset": "data.jsonl",
 "task": {"provider": "column", "field": "output"},
 "llm": {"providers": {"default": {"api": "openai", "base_url": "%s/v1",
         "api_key_env": "SK_TEST_KEY", "max_retries": 0, "retry_base_ms": 1}}},
 "online": %s}\n' "$LLM_URL" "$1" >scorekit.json
}

# ---- bad rules ------------------------------------------------------------------
project '[{"name": "r", "filter": "metadata.route = 1", "scorers": [{"use": "exact_match"}]}]'
run 1 "$SK" watch --once
has "$T/err" 'scorekit.json:5:53: rule r: filter: expected "==" to compare'
project '[{"name": "r", "filtre": "x", "scorers": [{"use": "exact_match"}]}]'
run 1 "$SK" watch --once
has "$T/err" 'unknown key "filtre"'
has "$T/err" 'did you mean "filter"?'
project '[{"name": "r"}]'
run 1 "$SK" watch --once
has "$T/err" 'rule r needs its scorers'
project '[{"name": "r", "sample": 2, "scorers": [{"use": "exact_match"}]}]'
run 1 "$SK" watch --once
has "$T/err" '"sample" must be a share of the logs in (0, 1]'
project '[{"name": "r", "scorers": [{"use": "exact_match"}]}, {"name": "r", "scorers": [{"use": "exact_match"}]}]'
run 1 "$SK" watch --once
has "$T/err" 'a second rule named r'
project '[{"name": "r", "scorers": [{"use": "nosuchscorer"}]}]'
run 1 "$SK" watch --once
has "$T/err" 'nosuchscorer'
run 1 "$SK" watch --once --rule nope
has "$T/err" "no online rule named nope"

# ---- filters, samples, exactly once -----------------------------------------------
awk 'BEGIN { for (i = 0; i < 1000; i++)
    printf "{\"id\": \"l%04d\", \"time\": \"2026-12-04T10:%02d:%02dZ\", \"input\": \"question %d\", \"output\": \"%sanswer %d\", \"metadata\": {\"route\": \"%s\"}}\n",
        i, int(i / 60) % 60, i % 60, i, i % 3 == 0 ? "sorry, " : "", i, i % 2 == 0 ? "refund" : "other" }' >logs.jsonl
run 0 "$SK" logs ingest logs.jsonl
project '[{"name": "refunds", "filter": "metadata.route == '"'"'refund'"'"' and len(output) > 0",
   "scorers": [{"use": "contains", "as": "apology", "params": {"value": "sorry"}, "threshold": 1}]},
  {"name": "half", "sample": 0.5, "scorers": [{"use": "word_count", "params": {"min": 3}}]}]'
run 0 "$SK" watch --once --batch 64
has "$T/out" "rule refunds: 500 logs scored, checkpoint 1000"
half=$(q "SELECT count(*) FROM log_scores WHERE rule = 'half'")
[ "$half" -gt 400 ] && [ "$half" -lt 600 ] || fail "sample 0.5 took $half of 1000 logs"
has "$T/out" "rule half: $half logs scored, checkpoint 1000"
# The refund logs with "sorry" (i % 6 == 0: 167 of them) pass, the rest fail.
[ "$(q "SELECT count(*) FROM log_scores WHERE rule = 'refunds' AND score = 1")" = 167 ] ||
    fail "refunds: $(q "SELECT count(*) FROM log_scores WHERE rule = 'refunds' AND score = 1") passing, wanted 167"
# Again: nothing new, nothing scored twice.
run 0 "$SK" watch --once
has "$T/out" "rule refunds: 500 logs scored, checkpoint 1000"
[ "$(q "SELECT count(*) FROM log_scores")" = $((500 + half)) ] || fail "verdicts counted twice"
# The sample is a hash of (rule, log id): the same logs in a fresh store.
q "SELECT log_id FROM log_scores WHERE rule = 'half' ORDER BY log_id" >"$T/half1"
store_reset .
run 0 "$SK" logs ingest logs.jsonl
run 0 "$SK" watch --once --batch 1000 -j 1
q "SELECT log_id FROM log_scores WHERE rule = 'half' ORDER BY log_id" >"$T/half2"
cmp -s "$T/half1" "$T/half2" || fail "the sample took other logs in a fresh store"
# New logs are caught up from the checkpoint.
printf '{"id": "new1", "time": "2026-12-04T11:00:00Z", "input": "q", "output": "sorry about that", "metadata": {"route": "refund"}}\n' >more.jsonl
run 0 "$SK" logs ingest more.jsonl
run 0 "$SK" watch --once --rule refunds
has "$T/out" "rule refunds: 501 logs scored, checkpoint 1001"

# ---- surfacing ---------------------------------------------------------------------
run 0 "$SK" logs --lowest --rule refunds --limit 2
has "$T/out" "0.000   refunds/apology"
has "$T/out" 'why     output does not contain "sorry"'
run 0 "$SK" logs --rule refunds --json --limit 0
[ "$(grep -o '"log_id"' "$T/out" | wc -l)" = 501 ] || fail "logs --rule --json: not 501 verdicts"
run 0 "$SK" logs --lowest --where "id == 'new1'" --json
has "$T/out" '"log_id":"new1","time":"2026-12-04T11:00:00.000Z","trace_id":null,"scorer":"apology","kind":"score","score":1,"pass":true'
run 0 "$SK" logs --where "contains(output, 'sorry') and metadata.route == 'other'" --limit 0 --json
[ "$(grep -o '"id":"l' "$T/out" | wc -l)" = 167 ] || fail "--where: $(grep -o '"id":"l' "$T/out" | wc -l) logs, wanted 167"
# Into a dataset: the 5 logs rule refunds scored lowest, with provenance.
run 0 "$SK" dataset add triage --rule refunds --lowest 5 --note "from prod"
has "$T/out" "added 5 rows to triage@1 (5 rows)"
has "$T/out" "5 new rows still need an expected value"
run 0 "$SK" dataset show triage
has "$T/out" "rule refunds: log l0"
has "$T/out" "(from prod)"
run 0 "$SK" dataset add triage --rule refunds --failing --json
has "$T/out" '"skipped_duplicates":5'
run 64 "$SK" dataset add triage --rule refunds
has "$T/err" "--rule R takes one of --lowest N"
run 64 "$SK" dataset add triage --from-logs logs.jsonl --lowest 3
has "$T/err" "--lowest N picks the logs an online rule scored lowest"
run 1 "$SK" dataset add triage --rule nosuch --lowest 3
has "$T/err" "rule nosuch has no verdicts"
run 64 "$SK" logs --where "output ==="
has "$T/err" "--where: column 10"

# ---- failures of the logs ------------------------------------------------------------
run 0 "$SK" failures --logs --rule refunds --limit 1
has "$T/out" "the logs of rule refunds (online rules' verdicts, 1 trial): 333 of 501 rows fail (66.5%), 168 pass"
has "$T/out" "refunds/apology 0.0000: output does not contain"
run 0 "$SK" failures --logs --json --limit 0
has "$T/out" '"source":"the logs"'
run 64 "$SK" failures --logs somexp
has "$T/err" "failures --logs looks at the online rules' verdicts"
run 1 "$SK" failures --logs --rule nosuchrule
has "$T/err" "the logs of rule nosuchrule have no verdicts yet"

# ---- a judge rule: kill -9 mid-run, then resume: exactly once -----------------------
store_reset .
head -200 logs.jsonl | sed 's/sorry,/thank you,/' >judged.jsonl
run 0 "$SK" logs ingest judged.jsonl
project '[{"name": "polite", "scorers": [{"use": "closed_qa", "as": "judge",
   "params": {"criterion": "The answer is polite.", "model": "sim:honest"}, "threshold": 0.5}]}]'
SK_TEST_KEY=sekrit "$SK" watch -j 2 --batch 8 --quiet >"$T/w.out" 2>"$T/w.err" &
WP=$!
for _ in $(seq 100); do
    [ "$(q "SELECT coalesce(max(scored), 0) FROM rule_state")" -ge 24 ] && break
    sleep 0.05
done
kill -9 "$WP"
wait "$WP" 2>/dev/null
done1=$(q "SELECT scored FROM rule_state WHERE rule = 'polite'")
[ "$done1" -ge 24 ] && [ "$done1" -lt 200 ] || fail "after kill -9: $done1 logs scored (wanted some, not all)"
[ "$(q "SELECT count(*) FROM log_scores")" = "$done1" ] || fail "verdicts and the checkpoint disagree after kill -9"
SK_TEST_KEY=sekrit run 0 "$SK" watch --once -j 2
has "$T/out" "rule polite: 200 logs scored, checkpoint 200"
[ "$(q "SELECT count(*) FROM log_scores WHERE kind = 'score'")" = 200 ] || fail "not 200 verdicts after resuming"
# sim:honest: the polite logs ("thank you", i % 3 == 0) pass: 67 of 200.
[ "$(q "SELECT count(*) FROM log_scores WHERE score = 1")" = 67 ] || fail "judge verdicts wrong"

# ---- a refused key pauses the rule; the backlog waits ---------------------------------
store_reset .
head -20 logs.jsonl >few.jsonl
run 0 "$SK" logs ingest few.jsonl
SK_TEST_KEY=wrong run 0 "$SK" watch --once
has "$T/err" "rule polite is paused: a model refused the key"
has "$T/out" "rule polite: 0 logs scored, checkpoint 0; PAUSED"
[ "$(q "SELECT count(*) FROM log_scores")" = 0 ] || fail "a refused key turned logs into errors"
SK_TEST_KEY=sekrit run 0 "$SK" watch --once
has "$T/out" "PAUSED"
SK_TEST_KEY=sekrit run 0 "$SK" watch --once --resume-rule polite
has "$T/err" "rule polite resumed"
has "$T/out" "rule polite: 20 logs scored, checkpoint 20"

# ---- an overloaded model: the batch waits and is tried again ---------------------------
store_reset .
run 0 "$SK" logs ingest few.jsonl
project '[{"name": "busy", "scorers": [{"use": "closed_qa", "as": "judge",
   "params": {"criterion": "The answer is polite.", "model": "status:429:1"}}]}]'
SK_TEST_KEY=sekrit run 0 "$SK" watch --batch 100 --poll-ms 50 --once
has "$T/err" "rule busy: the model is overloaded; the batch is tried again after a pause"
has "$T/out" "rule busy: 0 logs scored, checkpoint 0"
SK_TEST_KEY=sekrit run 0 "$SK" watch --batch 100 --once
has "$T/out" "rule busy: 20 logs scored, checkpoint 20"
[ "$(q "SELECT count(*) FROM log_scores WHERE message LIKE '%HTTP 429%'")" = 0 ] ||
    fail "429s were stored as verdicts"

# ---- trend by version, and an alert --------------------------------------------------------
store_reset .
awk 'BEGIN { for (i = 0; i < 400; i++) {
    v = i < 200 ? "v1" : "v2"
    sorry = v == "v1" ? (i % 2 == 0) : (i % 10 == 0)
    printf "{\"id\": \"t%03d\", \"time\": \"2026-12-04T%02d:%02d:%02dZ\", \"input\": \"q\", \"output\": \"%sok\", \"metadata\": {\"version\": \"%s\"}}\n",
        i, 10 + int(i / 200), int((i % 200) / 4), i % 60, sorry ? "sorry, " : "", v } }' >versions.jsonl
run 0 "$SK" logs ingest versions.jsonl
project '[{"name": "apology", "scorers": [{"use": "contains", "params": {"value": "sorry"}, "threshold": 1}],
   "alert": {"below": 0.5, "window": "1d", "command": "cat >>'"$T"'/alert.json"}}]'
run 0 "$SK" watch --once --batch 1000
has "$T/err" "rule apology: ALERT:"
has "$T/alert.json" '"rule":"apology"'
has "$T/alert.json" '"scores":400,"mean":0.3,"below":0.5}'
run 0 "$SK" logs trend --by metadata.version --window 1h
has "$T/out" "apology/contains (1h windows, by metadata.version)"
has "$T/out" "    v1                200 scores, mean 0.500"
has "$T/out" "    v2                200 scores, mean 0.100; -0.400"
has "$T/out" "against v1: WORSE beyond noise"
run 0 "$SK" logs trend --by metadata.version --json
has "$T/out" '"value":"v2","scores":200,"mean":0.1'
has "$T/out" '"worse":true'
run 64 "$SK" logs trend --by version
has "$T/err" "--by takes metadata.KEY"
# The alert fires once a window, also across runs.
printf '{"id": "late", "time": "2026-12-04T12:00:00Z", "input": "q", "output": "no"}\n' >late.jsonl
run 0 "$SK" logs ingest late.jsonl
run 0 "$SK" watch --once
lacks "$T/err" "ALERT"
[ "$(grep -c apology "$T/alert.json")" = 1 ] || fail "the alert ran more than once in its window"

# ---- serve --watch: logs posted are scored by the same process ---------------------------
store_reset .
project '[{"name": "refunds", "filter": "metadata.route == '"'"'refund'"'"'",
   "scorers": [{"use": "contains", "as": "apology", "params": {"value": "sorry"}, "threshold": 1}]}]'
SCOREKIT_INGEST_TOKEN=tok "$SK" serve --listen 127.0.0.1:0 --watch >"$T/serve.out" 2>"$T/serve.err" &
SP=$!
URL=
for _ in $(seq 50); do
    URL=$(sed -n 's|^listening on \(http://127\.0\.0\.1:[0-9]*\)$|\1|p' "$T/serve.out")
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || fail "serve --watch did not start: $(cat "$T/serve.err")"
code=$(curl -s --max-time 20 -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer tok" \
    --data-binary @few.jsonl "$URL/v1/logs")
[ "$code" = 200 ] || fail "POST /v1/logs: $code $(cat "$T/body")"
for _ in $(seq 100); do
    [ "$(q "SELECT coalesce(max(scored), 0) FROM rule_state" 2>/dev/null)" = 10 ] && break
    sleep 0.1
done
[ "$(q "SELECT scored FROM rule_state WHERE rule = 'refunds'")" = 10 ] ||
    fail "serve --watch scored $(q "SELECT scored FROM rule_state") of the 10 refund logs"
kill -TERM "$SP"
wait "$SP"
st=$?
[ "$st" = 0 ] || fail "serve --watch exited $st on SIGTERM: $(cat "$T/serve.err")"

# ---- kill -9 of serve while clients post: every acknowledged log is kept ------------------
store_reset .
SCOREKIT_INGEST_TOKEN=tok "$SK" serve --listen 127.0.0.1:0 >"$T/serve.out" 2>"$T/serve.err" &
SP=$!
URL=
for _ in $(seq 50); do
    URL=$(sed -n 's|^listening on \(http://127\.0\.0\.1:[0-9]*\)$|\1|p' "$T/serve.out")
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || fail "serve did not start: $(cat "$T/serve.err")"
# 40 bodies of 50 logs, posted one after another in the background.
i=0
while [ $i -lt 40 ]; do
    awk -v b=$i 'BEGIN { for (k = 0; k < 50; k++)
        printf "{\"id\": \"k%02d-%02d\", \"time\": \"2026-12-04T10:00:00Z\", \"input\": \"q\", \"output\": \"a\"}\n", b, k }' >"$T/body$i.jsonl"
    i=$((i + 1))
done
(
    i=0
    while [ $i -lt 40 ]; do
        code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer tok" \
            --data-binary @"$T/body$i.jsonl" "$URL/v1/logs")
        echo "$i $code" >>"$T/codes"
        i=$((i + 1))
    done
) &
CP=$!
for _ in $(seq 100); do
    [ "$(cat "$T/codes" 2>/dev/null | grep -c ' 200$')" -ge 5 ] && break
    sleep 0.02
done
kill -9 "$SP"
wait "$CP" 2>/dev/null
wait "$SP" 2>/dev/null
acked=$(grep -c ' 200$' "$T/codes")
[ "$acked" -ge 5 ] && [ "$acked" -lt 40 ] || fail "kill -9 came after $acked of 40 bodies were acknowledged"
# Restarted, the store holds every acknowledged log.
SCOREKIT_INGEST_TOKEN=tok "$SK" serve --listen 127.0.0.1:0 >"$T/serve.out" 2>"$T/serve.err" &
SP=$!
sleep 0.3
for b in $(grep ' 200$' "$T/codes" | cut -d' ' -f1); do
    n=$(q "SELECT count(*) FROM logs WHERE id LIKE 'k$(printf %02d "$b")-%'")
    [ "$n" = 50 ] || fail "body $b was acknowledged, but $n of its 50 logs are stored"
done
kill -TERM "$SP"
wait "$SP"
finish
