#!/bin/bash
# `scorekit serve` on 127.0.0.1, port 0 (a free one), driven with curl:
# 200 only once the logs are committed (visible to `scorekit logs` right
# after), 401 for a missing or wrong token, 413 for a body or a request over
# the limits, 400 with the line and column of a malformed body, 404 for an
# unknown path, slow clients (headers a line a second) do not hold up
# others, a full write queue (--queue 1, the writer held by an open write
# transaction of another connection) answers 503 with Retry-After, and
# SIGTERM finishes the request in progress and exits 0.  Bash for
# /dev/tcp; every wait is bounded.
. "$SK_SRCDIR/tests/cli/lib.sh"

run 0 "$SK" init "$T/p"
P="$T/p"
DB="$P/.scorekit/scorekit.db"
export SCOREKIT_INGEST_TOKEN=s3cret-token
AUTH="Authorization: Bearer $SCOREKIT_INGEST_TOKEN"

# start ARGS...: serve in the background; sets SP (pid) and URL.
start() {
    "$SK" -C "$P" serve --listen 127.0.0.1:0 "$@" >"$T/serve.out" 2>"$T/serve.err" &
    SP=$!
    URL=
    for _ in $(seq 50); do
        URL=$(sed -n 's|^listening on \(http://127\.0\.0\.1:[0-9]*\)$|\1|p' "$T/serve.out")
        [ -n "$URL" ] && break
        sleep 0.1
    done
    [ -n "$URL" ] || { fail "serve did not start: $(cat "$T/serve.err")"; finish; }
}

# stop: SIGTERM, and the exit status must be 0 within 10 s.
stop() {
    kill -TERM "$SP"
    for _ in $(seq 100); do kill -0 "$SP" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SP" 2>/dev/null; then
        fail "serve did not stop on SIGTERM"
        kill -KILL "$SP"
    fi
    wait "$SP"
    st=$?
    [ "$st" = 0 ] || fail "serve exited $st on SIGTERM: $(cat "$T/serve.err")"
}

# post PATH DATA [CURL ARGS...]: status in $code, body in $T/body.
post() {
    p=$1 d=$2
    shift 2
    code=$(curl -s --max-time 20 -o "$T/body" -w '%{http_code}' -H "$AUTH" "$@" \
        --data-binary "$d" "$URL$p")
}

start --max-body 2000 --max-rows 3

code=$(curl -s --max-time 5 -o "$T/body" -w '%{http_code}' "$URL/healthz")
[ "$code" = 200 ] || fail "healthz: $code"

row='{"id":"a1","time":"2026-12-04T12:00:00Z","input":"hello","output":"hi","metadata":{"route":"refund"}}'
post /v1/logs "$row"
[ "$code" = 200 ] || fail "POST /v1/logs: $code $(cat "$T/body")"
[ "$(cat "$T/body")" = '{"read":1,"added":1,"duplicates":0}' ] || fail "body: $(cat "$T/body")"
# Committed before the 200: another process sees it at once.
run 0 "$SK" -C "$P" logs --json
has "$T/out" '{"stored":1,"logs":[{"id":"a1","time":"2026-12-04T12:00:00.000Z","input":"hello","output":"hi","expected":null,"metadata":{"route":"refund"}'

# An array, with a duplicate of a1.
post /v1/logs "[$row, {\"id\":\"a2\",\"time\":\"2026-12-04T12:00:01Z\",\"input\":\"x\"}]"
[ "$code" = 200 ] && [ "$(cat "$T/body")" = '{"read":2,"added":1,"duplicates":1}' ] ||
    fail "array: $code $(cat "$T/body")"

# OTLP/HTTP JSON: one chat span.
otlp='{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","startTimeUnixNano":"1767348000000000000","endTimeUnixNano":"1767348000500000000","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.request.model","value":{"stringValue":"m"}},{"key":"gen_ai.prompt","value":{"stringValue":"hey"}},{"key":"gen_ai.completion","value":{"stringValue":"yo"}}]}]}]}]}'
post /v1/traces "$otlp" -H 'Content-Type: application/json'
[ "$code" = 200 ] && [ "$(cat "$T/body")" = '{"read":1,"added":1,"duplicates":0}' ] ||
    fail "traces: $code $(cat "$T/body")"
[ "$(sql "$P" "SELECT input_json, output_json, CAST(latency_ms * 10 AS INTEGER) FROM logs WHERE span_id='eee19b7ec3c1b174'")" = '"hey"|"yo"|5000' ] ||
    fail "trace stored as: $(sql "$P" "SELECT * FROM logs WHERE span_id='eee19b7ec3c1b174'")"

# Tokens.
code=$(curl -s --max-time 5 -o "$T/body" -w '%{http_code}' --data-binary "$row" "$URL/v1/logs")
[ "$code" = 401 ] || fail "no token: $code"
grep -q 'Authorization: Bearer TOKEN' "$T/body" || fail "401 body: $(cat "$T/body")"
code=$(curl -s --max-time 5 -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer s3cret-tokeN" \
    --data-binary "$row" "$URL/v1/logs")
[ "$code" = 401 ] || fail "wrong token: $code"
code=$(curl -s --max-time 5 -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer s3cret-token2" \
    --data-binary "$row" "$URL/v1/logs")
[ "$code" = 401 ] || fail "longer token: $code"

# Limits: 2001 bytes (over --max-body 2000), 4 rows (over --max-rows 3).
big=$(printf '%2001s' x)
post /v1/logs "$big"
[ "$code" = 413 ] || fail "oversized body: $code $(cat "$T/body")"
has "$T/body" "the body is over 2000 bytes"
post /v1/logs "$big" -H 'Transfer-Encoding: chunked'
[ "$code" = 413 ] || fail "oversized chunked body: $code $(cat "$T/body")"
four=$(for i in 1 2 3 4; do echo "{\"id\":\"r$i\",\"time\":\"2026-12-04T12:00:00Z\",\"input\":1}"; done)
post /v1/logs "$four"
[ "$code" = 413 ] || fail "4 rows: $code $(cat "$T/body")"
has "$T/body" '"body: 4 logs, more than the 3 allowed at once; split it"'

# Malformed: 400 with line and column; nothing stored.
post /v1/logs "$(printf '{"id":"m1","time":"2026-12-04T12:00:00Z","input":1}\n{"id":"m2","time":')"
[ "$code" = 400 ] || fail "malformed: $code"
[ "$(cat "$T/body")" = '{"error":"body:2: column 19: expected a value, got end of input (missing '"'"'}'"'"')"}' ] ||
    fail "400 body: $(cat "$T/body")"
post /v1/traces '{"resourceSpans": [}'
[ "$code" = 400 ] || fail "malformed trace: $code"
has "$T/body" '"body:1: column 20:'
[ "$(sql "$P" "SELECT count(*) FROM logs")" = 3 ] || fail "a bad body stored logs"

code=$(curl -s --max-time 5 -o "$T/body" -w '%{http_code}' "$URL/v2/nothing")
[ "$code" = 404 ] || fail "unknown path: $code"
code=$(curl -s --max-time 5 -o "$T/body" -w '%{http_code}' -H "$AUTH" "$URL/v1/logs")
[ "$code" = 405 ] || fail "GET /v1/logs: $code"

# Slow clients: five connections sending a header line a second for 4 s;
# meanwhile others are served promptly (curl gives up after 2 s).
port=${URL##*:}
for i in 1 2 3 4 5; do
    (
        exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 0
        printf 'POST /v1/logs HTTP/1.1\r\n' >&3
        for h in 1 2 3 4; do sleep 1; printf 'X-Slow-%s: %s\r\n' "$h" "$i" >&3 || exit 0; done
        exec 3>&-
    ) &
    slow="${slow:-} $!"
done
sleep 0.5
for i in 1 2 3; do
    code=$(curl -s --max-time 2 -o "$T/body" -w '%{http_code}' -H "$AUTH" \
        --data-binary "{\"id\":\"f$i\",\"time\":\"2026-12-04T12:00:00Z\",\"input\":1}" "$URL/v1/logs")
    [ "$code" = 200 ] || fail "request $i beside slow clients: $code"
done
# shellcheck disable=SC2086
wait $slow
stop

# Backpressure: a queue of one log, the writer held by another connection's
# write transaction for 4 s.  The first request waits in the queue; the
# second is refused with 503 and Retry-After; the first then gets its 200.
start --queue 1
hold_writes "$P" 4 "$T/held" &
holder=$!
wait_for test -f "$T/held"
curl -s --max-time 20 -o "$T/first" -w '%{http_code}' -H "$AUTH" \
    --data-binary '{"id":"q1","time":"2026-12-04T12:00:00Z","input":1}' "$URL/v1/logs" >"$T/first.code" &
first=$!
sleep 0.5
code=$(curl -s --max-time 5 -D "$T/headers" -o "$T/body" -w '%{http_code}' -H "$AUTH" \
    --data-binary '{"id":"q2","time":"2026-12-04T12:00:00Z","input":1}' "$URL/v1/logs")
[ "$code" = 503 ] || fail "full queue: $code $(cat "$T/body")"
grep -qi '^Retry-After: 1' "$T/headers" || fail "no Retry-After: $(cat "$T/headers")"
[ "$(sql "$P" "SELECT count(*) FROM logs WHERE id='q1'")" = 0 ] || true
wait $first
[ "$(cat "$T/first.code")" = 200 ] || fail "queued request: $(cat "$T/first.code") $(cat "$T/first")"
wait $holder
[ "$(sql "$P" "SELECT count(*) FROM logs WHERE id IN ('q1','q2')")" = 1 ] || fail "q1 not stored alone"

# SIGTERM while a request waits for the held writer: it is answered 200,
# its log committed, and serve exits 0.
hold_writes "$P" 2 "$T/held" &
holder=$!
wait_for test -f "$T/held"
curl -s --max-time 20 -o "$T/first" -w '%{http_code}' -H "$AUTH" \
    --data-binary '{"id":"t1","time":"2026-12-04T12:00:00Z","input":1}' "$URL/v1/logs" >"$T/first.code" &
first=$!
sleep 0.5
stop
wait $first
[ "$(cat "$T/first.code")" = 200 ] || fail "request drained on SIGTERM: $(cat "$T/first.code")"
wait $holder
[ "$(sql "$P" "SELECT count(*) FROM logs WHERE id='t1'")" = 1 ] || fail "t1 not stored"
has "$T/serve.err" "SIGTERM: finishing the requests in progress"

# No token configured: serve refuses to start.
unset SCOREKIT_INGEST_TOKEN
run 1 "$SK" -C "$P" serve --listen 127.0.0.1:0
has "$T/err" "no ingest token: set SCOREKIT_INGEST_TOKEN"
run 64 "$SK" -C "$P" serve --listen nowhere
has "$T/err" "--listen needs HOST:PORT"
finish
