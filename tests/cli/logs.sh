#!/bin/sh
# `scorekit logs ingest` and `scorekit logs`: JSONL log rows and OTLP/JSON
# traces into the store (checked with the sqlite3 shell), duplicates stored
# once and counted, malformed input refused with FILE:LINE and nothing
# written, and the listing newest first with --since and --limit.
. "$SK_SRCDIR/tests/cli/lib.sh"

run 0 "$SK" init "$T/p"
P="$T/p"
DB="$P/.scorekit/scorekit.db"
q() { sql "$P" "$1"; }

now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat >"$T/a.jsonl" <<EOF2
{"id":"l1","time":"2026-01-02T10:00:00Z","input":"hi","output":"hello","metadata":{"route":"refund"},"model":"gpt-x","latency_ms":120.5,"input_tokens":3,"output_tokens":5,"cost":0.0001}

{"id":"l2","time":"2026-01-02T11:00:00.250+01:00","input":{"q":"x"},"trace_id":"0AF7651916CD43DD8448EB211C80319C","span_id":"B7AD6B7169203331"}
{"id":"l3","time":"$now","input":"recent","output":"yes"}
EOF2
run 0 "$SK" -C "$P" logs ingest "$T/a.jsonl"
has "$T/out" "3 logs read: 3 added, 0 duplicates (already stored)"
[ "$(q "SELECT count(*) FROM logs")" = 3 ] || fail "not 3 logs stored"
[ "$(q "SELECT time, input_json, output_json, metadata_json, model, latency_ms, input_tokens, output_tokens, cost FROM logs WHERE id='l1'")" = \
  '2026-01-02T10:00:00.000Z|"hi"|"hello"|{"route":"refund"}|gpt-x|120.5|3|5|0.0001' ] ||
    fail "l1 stored as: $(q "SELECT * FROM logs WHERE id='l1'")"
# 11:00:00.250 at +01:00 is 10:00:00.250 UTC; hex ids lowercased.
[ "$(q "SELECT time, trace_id, span_id, CASE WHEN output_json IS NULL THEN 1 END FROM logs WHERE id='l2'")" = \
  '2026-01-02T10:00:00.250Z|0af7651916cd43dd8448eb211c80319c|b7ad6b7169203331|1' ] ||
    fail "l2 stored as: $(q "SELECT * FROM logs WHERE id='l2'")"

# The same file again, and from stdin: every log a duplicate.
run 0 "$SK" -C "$P" logs ingest - --json <"$T/a.jsonl"
[ "$(cat "$T/out")" = '{"read":3,"added":0,"duplicates":3}' ] || fail "re-ingest: $(cat "$T/out")"
[ "$(q "SELECT count(*) FROM logs")" = 3 ] || fail "a duplicate was stored"

# OTLP/JSON, pretty-printed: two model-call spans of three.
cat >"$T/trace.json" <<'EOF2'
{
  "resourceSpans": [{
    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "shop"}}]},
    "scopeSpans": [{
      "spans": [
        {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174",
         "name": "chat gpt-4o",
         "startTimeUnixNano": "1767348000000000000", "endTimeUnixNano": "1767348000750000000",
         "attributes": [
           {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
           {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}},
           {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "12"}},
           {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "8"}},
           {"key": "gen_ai.input.messages", "value": {"stringValue": "[{\"role\":\"user\",\"content\":\"Hello\"}]"}},
           {"key": "gen_ai.output.messages", "value": {"stringValue": "[{\"role\":\"assistant\",\"content\":\"Hi!\"}]"}}
         ]},
        {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "0000000000000001",
         "name": "execute_tool lookup", "startTimeUnixNano": "1767348000100000000",
         "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "execute_tool"}}]},
        {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "0000000000000002",
         "name": "chat", "startTimeUnixNano": "1767348001000000000",
         "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}],
         "events": [
           {"name": "gen_ai.user.message", "attributes": [{"key": "content", "value": {"stringValue": "cancel my order"}}]},
           {"name": "gen_ai.choice", "attributes": [{"key": "content", "value": {"stringValue": "Done."}}]}
         ]}
      ]
    }]
  }]
}
EOF2
run 0 "$SK" -C "$P" logs ingest "$T/trace.json" --json
[ "$(cat "$T/out")" = '{"read":2,"added":2,"duplicates":0}' ] || fail "otlp: $(cat "$T/out")"
# 1767348000 s is 2026-01-02T10:00:00Z.
[ "$(q "SELECT time, input_json, output_json, model, CAST(latency_ms AS INTEGER), input_tokens, output_tokens, trace_id, span_id FROM logs WHERE id='5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174'")" = \
  '2026-01-02T10:00:00.000Z|[{"role":"user","content":"Hello"}]|"Hi!"|gpt-4o|750|12|8|5b8efff798038103d269b633813fc60c|eee19b7ec3c1b174' ] ||
    fail "chat span stored as: $(q "SELECT * FROM logs WHERE span_id='eee19b7ec3c1b174'")"
[ "$(q "SELECT input_json, output_json FROM logs WHERE span_id='0000000000000002'")" = \
  '[{"role":"user","content":"cancel my order"}]|"Done."' ] ||
    fail "event span stored as: $(q "SELECT * FROM logs WHERE span_id='0000000000000002'")"
[ "$(q "SELECT count(*) FROM logs WHERE span_id='0000000000000001'")" = 0 ] || fail "a tool span became a log"

# Malformed input: FILE:LINE, exit 1, nothing written (a good row before it
# included).
printf '{"id":"n1","time":"2026-01-03T00:00:00Z","input":1}\n{"id":"n2","time":"soon","input":1}\n' >"$T/bad.jsonl"
run 1 "$SK" -C "$P" logs ingest "$T/bad.jsonl"
has "$T/err" "$T/bad.jsonl:2: \"time\" must be an ISO 8601 time with a zone"
has "$T/err" "nothing was stored"
printf '{"id":"n1","time":"2026-01-03T00:00:00Z","input":1}\n\n{"id":"n2",\n' >"$T/bad2.jsonl"
run 1 "$SK" -C "$P" logs ingest "$T/bad2.jsonl"
has "$T/err" "$T/bad2.jsonl:3: column 12: expected a double-quoted key"
[ "$(q "SELECT count(*) FROM logs")" = 5 ] || fail "bad input wrote: $(q "SELECT id FROM logs")"
run 1 "$SK" -C "$P" logs ingest "$T/missing.jsonl"
has "$T/err" "missing.jsonl"

# The listing: newest first (by id at the same time), --limit, --since,
# --json.
run 0 "$SK" -C "$P" logs --json --limit 0
ids=$(grep -o '"id":"[^"]*"' "$T/out" | tr '\n' ' ')
[ "$ids" = '"id":"l3" "id":"5b8efff798038103d269b633813fc60c-0000000000000002" "id":"l2" "id":"l1" "id":"5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174" ' ] ||
    fail "order: $ids"
has "$T/out" '{"stored":5,"logs":[{"id":"l3"'
run 0 "$SK" -C "$P" logs --since 1h --json
has "$T/out" '{"stored":5,"logs":[{"id":"l3","time":"'
[ "$(grep -o '"id":' "$T/out" | wc -l)" = 1 ] || fail "--since 1h: $(cat "$T/out")"
run 0 "$SK" -C "$P" logs --limit 2
lines "$T/out" 3
has "$T/out" "2 of 5 logs shown"
head -1 "$T/out" | grep -q "  l3  \"recent\"  ->  \"yes\"$" || fail "first line: $(head -1 "$T/out")"
run 64 "$SK" -C "$P" logs --since yesterday
has "$T/err" "--since needs a duration like 90s, 15m, 1h or 7d"
run 64 "$SK" -C "$P" logs ingest
finish
