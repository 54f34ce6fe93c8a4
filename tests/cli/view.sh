#!/bin/sh
# `scorekit view`: the viewer of tests/fixtures/compare (the baseline
# base.jsonl, then real.jsonl with m01..m12 wrong, 12 rows regressed),
# served on 127.0.0.1 (a free port) and read twice: over plain HTTP with
# curl (status codes, 404 for what does not exist, 405 for a write, the
# token when one is set, refusal of another address without one), and in
# headless chromium (pages rendered without console errors, the report's
# figures equal to compare --json's, a screenshot that is not blank).
. "$SK_SRCDIR/tests/cli/lib.sh"

CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || { fail "chromium is missing: install it (./install-deps --tests, or apt-get install chromium)"; exit 1; }
command -v curl >/dev/null || { fail "curl is missing: install it (./install-deps --tests)"; exit 1; }

P="$T/p"
mkdir -p "$P"
cp "$SK_SRCDIR"/tests/fixtures/compare/* "$P/"
exp_id() { sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out"; }
run 0 "$SK" -C "$P" dataset import qa "$P/base.jsonl"
run 0 "$SK" -C "$P" run --no-progress
BASE=$(exp_id)
run 0 "$SK" -C "$P" baseline set "$BASE"
run 0 "$SK" -C "$P" dataset import qa "$P/real.jsonl"
run 0 "$SK" -C "$P" run --no-progress
REAL=$(exp_id)
[ -n "$BASE" ] && [ -n "$REAL" ] || fail "no experiment ids"
printf '{"id":"log-1","time":"2026-12-04T12:00:00Z","input":"where is my refund","output":"on its way","model":"m1"}\n' >"$P/logs.jsonl"
run 0 "$SK" -C "$P" logs ingest "$P/logs.jsonl"
run 0 "$SK" -C "$P" validate --scorer exact --no-progress
run 0 "$SK" -C "$P" compare --by metadata.topic --rows 50 --json
cp "$T/out" "$T/cmp.json"

# start: view in the background; sets VP (pid) and URL (without the
# trailing slash, nor the token).
start() {
    "$SK" -C "$P" view --listen 127.0.0.1:0 >"$T/view.out" 2>"$T/view.err" &
    VP=$!
    URL=
    for _ in $(seq 50); do
        URL=$(sed -n 's|^viewing on \(http://127\.0\.0\.1:[0-9]*\)/.*$|\1|p' "$T/view.out")
        [ -n "$URL" ] && break
        sleep 0.1
    done
    [ -n "$URL" ] || { fail "view did not start: $(cat "$T/view.err")"; finish; }
}
stop() {
    kill -TERM "$VP"
    for _ in $(seq 100); do kill -0 "$VP" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$VP" 2>/dev/null; then
        fail "view did not stop on SIGTERM"
        kill -KILL "$VP"
    fi
    wait "$VP"
    st=$?
    [ "$st" = 0 ] || fail "view exited $st on SIGTERM: $(cat "$T/view.err")"
}
# get PATH [CURL ARGS...]: status in $code, body in $T/body, headers in $T/head.
get() {
    p=$1
    shift
    code=$(curl -s --max-time 30 -D "$T/head" -o "$T/body" -w '%{http_code}' "$@" "$URL$p")
}
expect() { # CODE PATH [CURL ARGS...]
    want=$1
    shift
    get "$@"
    [ "$code" = "$want" ] || fail "GET $1: $code, wanted $want: $(head -c 300 "$T/body")"
}

# ---- over HTTP ----------------------------------------------------------------
start
has "$T/view.out" "viewing on http://127.0.0.1:"
expect 200 /healthz
expect 200 /
has "$T/body" "\"id\":\"$REAL\""
has "$T/body" "<script type=\"application/json\" id=\"data-configs\">"
has "$T/head" "Cache-Control: no-store"
expect 200 "/exp/$REAL"
has "$T/body" "<title>scorekit report: $REAL vs $BASE</title>"
expect 200 "/exp/$BASE?base=$REAL"
has "$T/body" "<title>scorekit report: $BASE vs $REAL</title>"
expect 404 /exp/nosuchexperiment
has "$T/body" 'No such experiment'
expect 404 "/exp/$REAL?base=nosuchbase"
expect 200 /datasets
has "$T/body" '"name": "qa", "version": 2'
expect 200 /datasets/qa
expect 200 '/datasets/qa?version=1'
has "$T/body" '"version": 1'
expect 404 /datasets/nosuchset
expect 404 '/datasets/qa?version=9'
expect 200 /logs
has "$T/body" '"id":"log-1"'
expect 200 /validation
expect 404 /nosuchpage
has "$T/body" 'no page at /nosuchpage'
expect 405 / -X POST -d x
has "$T/head" "Allow: GET, HEAD"

# ---- in the browser ------------------------------------------------------------
B="$T/chrome"
mkdir -p "$B"
chrome() {
    timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$B" --enable-logging=stderr --v=0 "$@"
}
dom() { # PATH NAME
    chrome --dump-dom "$URL$1" >"$T/$2.html" 2>"$T/$2.err" ||
        fail "chromium failed on $1: $(tail -5 "$T/$2.err")"
    has "$T/$2.html" 'data-rendered="yes"'
    lacks "$T/$2.html" 'id="report-error"'
    ! grep -E 'Uncaught|CONSOLE.*(Error|error)' "$T/$2.err" || fail "console errors on $1"
}
dom / list
has "$T/list.html" '<h2>Experiments (2, newest first)</h2>'
has "$T/list.html" "<a href=\"/exp/$REAL\">$REAL</a>"
has "$T/list.html" '<option value="dataset">dataset</option>'
has "$T/list.html" '<nav><a href="/">Experiments</a>'
dom "/exp/$REAL?by=metadata.topic" exp
has "$T/exp.html" "Regressed rows (12)"
bm=$(grep -o '"base_mean":[-0-9][-0-9.e]*' "$T/cmp.json" | head -1 | cut -d: -f2)
df=$(grep -o '"diff":[-0-9][-0-9.e]*' "$T/cmp.json" | head -1 | cut -d: -f2)
[ "$bm" = 0.95 ] && [ "$df" = -0.3 ] || fail "compare --json's exact: base_mean $bm, diff $df"
has "$T/exp.html" "<td class=\"n\" data-v=\"$bm\">0.9500</td><td class=\"n bad\" data-v=\"$df\">-0.3000</td><td>[-0.4500, -0.1750]</td><td>regressed</td>"
has "$T/exp.html" '<section id="segments">'
# The stored card: exact validated just now, similarity never.
has "$T/exp.html" '<h2>Validation report card: compare-fixture INCOMPLETE</h2>'
has "$T/exp.html" '<tr><td>exact</td><td class=" good">PASS</td><td>current</td>'
has "$T/exp.html" '<tr><td>similarity</td><td class=" ">NONE</td><td>never validated</td>'
dom /datasets/qa ds
has "$T/ds.html" '<h2>Dataset qa@2 (40 rows)</h2>'
has "$T/ds.html" '<a href="/datasets/qa?version=1">1</a>'
dom /logs logs
has "$T/logs.html" '<td>log-1</td><td>m1</td>'
dom /nosuchpage missing
has "$T/missing.html" '<h2>No such page</h2>'

SHOT=${SK_BUILDDIR:-.}/view.png
rm -f "$SHOT"
chrome --screenshot="$SHOT" --window-size=1280,900 "$URL/" 2>>"$T/list.err" ||
    fail "chromium screenshot failed"
[ -s "$SHOT" ] || fail "no screenshot of the viewer"
size=$(wc -c <"$SHOT")
[ "$size" -gt 15000 ] || fail "the viewer's screenshot looks blank ($size bytes)"
stop

# ---- a token ----------------------------------------------------------------------
run 1 "$SK" -C "$P" view --listen 0.0.0.0:0
has "$T/err" "refusing to serve the store on 0.0.0.0 without a token"
run 64 "$SK" -C "$P" view --listen nowhere
has "$T/err" "--listen needs HOST:PORT"
SCOREKIT_VIEW_TOKEN=t0ken-xyz
export SCOREKIT_VIEW_TOKEN
start
has "$T/view.out" "/?token=t0ken-xyz"
expect 401 /
expect 401 / -H "Authorization: Bearer wrong"
expect 200 / -H "Authorization: Bearer t0ken-xyz"
expect 200 "/?token=t0ken-xyz"
has "$T/head" "Set-Cookie: scorekit_view=t0ken-xyz; Path=/; HttpOnly; SameSite=Strict"
expect 200 "/exp/$REAL" -H "Cookie: scorekit_view=t0ken-xyz"
expect 401 "/exp/$REAL" -H "Cookie: scorekit_view=other"
expect 200 /healthz
stop
unset SCOREKIT_VIEW_TOKEN
finish
