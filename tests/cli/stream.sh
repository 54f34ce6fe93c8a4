#!/bin/sh
# Redis Streams workers (issue 15), against a real redis-server on
# 127.0.0.1 (a free port, no persistence), started and stopped here:
# `serve --sink` appends the logs it commits to a stream; three `watch
# --source` workers of one group score them; one is killed with -9
# mid-stream, and the others claim what it left pending: every log is
# scored, none twice, nothing left pending; an entry that is not a log
# goes to STREAM:dead after --max-failures reads.  redis-server is
# required: without it the test fails with the install hint.
. "$SK_SRCDIR/tests/cli/lib.sh"
command -v redis-server >/dev/null || { fail "redis-server is missing: install it (./install-deps --tests, or apt-get install redis-server)"; exit 1; }
command -v curl >/dev/null || { fail "curl is missing: install it (./install-deps --tests)"; exit 1; }

# A free port: bind-test candidates with redis-server itself.
RP=
RS=
for try in 1 2 3 4 5; do
    port=$((20000 + ($$ * 7 + try * 1013) % 40000))
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
        >"$T/redis.log" 2>&1 &
    RS=$!
    for _ in $(seq 50); do
        grep -q "Ready to accept connections" "$T/redis.log" && break
        kill -0 "$RS" 2>/dev/null || break
        sleep 0.05
    done
    if grep -q "Ready to accept connections" "$T/redis.log"; then
        RP=$port
        break
    fi
    kill "$RS" 2>/dev/null
    wait "$RS" 2>/dev/null
done
[ -n "$RP" ] || { fail "redis-server did not start: $(tail -3 "$T/redis.log")"; exit 1; }
trap 'kill $RS $SP $W1 $W2 $W3 2>/dev/null; rm -rf "$T"' EXIT
SP= W1= W2= W3=
URL="redis://127.0.0.1:$RP/logs"
rcli() { redis-cli -p "$RP" "$@"; }

cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1
DB=.scorekit/scorekit.db
q() { sql . "$1"; }
printf '{"name": "s", "pack": "pack.json", "dataset": "data.jsonl",
 "online": [{"name": "apology", "scorers": [{"use": "contains", "params": {"value": "sorry"}, "threshold": 1}]},
            {"name": "slow", "scorers": [{"use": "lua:slow_yes"}]}]}\n' >scorekit.json
# A scorer slow enough (about 20 ms a log) that a worker can be killed mid-stream.
mkdir -p scorers
cat >scorers/slow_yes.lua <<'L'
return {
  name = "slow_yes",
  score = function(case)
    local t = os.clock() + 0.02
    while os.clock() < t do end
    return 1
  end,
}
L

# ---- serve --sink ----------------------------------------------------------------------
SCOREKIT_INGEST_TOKEN=tok run 1 "$SK" serve --listen 127.0.0.1:0 --sink "redis://127.0.0.1:$RP"
has "$T/err" "is not a stream: write redis://HOST:PORT/STREAM"
SCOREKIT_INGEST_TOKEN=tok "$SK" serve --listen 127.0.0.1:0 --sink "$URL" >"$T/serve.out" 2>"$T/serve.err" &
SP=$!
HTTP=
for _ in $(seq 50); do
    HTTP=$(sed -n 's|^listening on \(http://127\.0\.0\.1:[0-9]*\)$|\1|p' "$T/serve.out")
    [ -n "$HTTP" ] && break
    sleep 0.1
done
[ -n "$HTTP" ] || fail "serve --sink did not start: $(cat "$T/serve.err")"
awk 'BEGIN { for (i = 0; i < 300; i++)
    printf "{\"id\": \"s%03d\", \"time\": \"2026-12-04T10:00:00Z\", \"input\": \"q %d\", \"output\": \"%sanswer\"}\n", i, i, i % 4 ? "" : "sorry, " }' >logs.jsonl
code=$(curl -s --max-time 20 -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer tok" \
    --data-binary @logs.jsonl "$HTTP/v1/logs")
[ "$code" = 200 ] || fail "POST /v1/logs with a sink: $code $(cat "$T/body")"
[ "$(rcli XLEN logs)" = 300 ] || fail "the stream holds $(rcli XLEN logs) entries, not 300"
kill -TERM "$SP"
wait "$SP"
SP=

# ---- three workers, one killed -----------------------------------------------------------
store_reset .
work() { # NAME: a worker in the background
    "$SK" watch --source "$URL" --group scorers --consumer "$1" --batch 10 --idle-ms 500 \
        --poll-ms 100 --quiet >"$T/$1.out" 2>"$T/$1.err" &
}
work w1
W1=$!
work w2
W2=$!
work w3
W3=$!
# Kill w1 once it has scored something, with work in its hands.
for _ in $(seq 200); do
    [ "$(q "SELECT count(*) FROM log_scores WHERE rule = 'slow'" 2>/dev/null || echo 0)" -ge 30 ] && break
    sleep 0.05
done
kill -9 "$W1"
wait "$W1" 2>/dev/null
W1=
# The others finish the stream, claiming what w1 left pending.
for _ in $(seq 300); do
    [ "$(q "SELECT count(*) FROM log_scores WHERE rule = 'slow'" 2>/dev/null || echo 0)" = 300 ] &&
        [ "$(rcli XPENDING logs scorers | head -1)" = 0 ] && break
    sleep 0.1
done
kill -TERM "$W2" "$W3"
wait "$W2" "$W3"
W2= W3=
[ "$(q "SELECT count(*) FROM logs")" = 300 ] || fail "$(q "SELECT count(*) FROM logs") logs stored, not 300"
[ "$(q "SELECT count(*) FROM log_scores WHERE rule = 'slow'")" = 300 ] ||
    fail "rule slow scored $(q "SELECT count(*) FROM log_scores WHERE rule = 'slow'") of 300 logs"
[ "$(q "SELECT count(*) FROM log_scores WHERE rule = 'apology' AND score = 1")" = 75 ] ||
    fail "rule apology: $(q "SELECT count(*) FROM log_scores WHERE rule = 'apology' AND score = 1") passing, not 75"
[ "$(rcli XPENDING logs scorers | head -1)" = 0 ] || fail "entries left pending: $(rcli XPENDING logs scorers | head -1)"

# ---- an entry that is not a log goes to the dead-letter stream ------------------------------
# Read once and failed; claimed again once idle (0.3 s), failed again: dead.
rcli XADD logs '*' log 'not json' >/dev/null
run 0 "$SK" watch --source "$URL" --group scorers --once --idle-ms 300 --max-failures 2
has "$T/err" "is not a log"
lacks "$T/err" "moved to the dead-letter stream"
sleep 0.4
run 0 "$SK" watch --source "$URL" --group scorers --once --idle-ms 300 --max-failures 2
has "$T/err" "moved to the dead-letter stream"
[ "$(rcli XLEN logs:dead)" = 1 ] || fail "logs:dead holds $(rcli XLEN logs:dead) entries"
run 64 "$SK" watch --source "$URL"
has "$T/err" "--source URL and --group G go together"
kill "$RS"
wait "$RS" 2>/dev/null
finish
