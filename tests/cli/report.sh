#!/bin/sh
# `scorekit report`: the page of a real comparison (tests/fixtures/compare:
# the baseline base.jsonl, then real.jsonl with m01..m12 wrong: exact 0.95
# -> 0.65, 12 rows regressed, all in topic math), rendered in a real
# browser.  Chromium is required: without it the test fails with the hint.
. "$SK_SRCDIR/tests/cli/lib.sh"

CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || { fail "chromium is missing: install it (./install-deps, or apt-get install chromium)"; exit 1; }

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

run 64 "$SK" -C "$P" report "$REAL"
has "$T/err" "report needs -o FILE"
run 0 "$SK" -C "$P" report "$REAL" --by metadata.topic -o "$T/r.html"
has "$T/err" "wrote $T/r.html"
# Self-contained: no URL the browser would fetch.
! grep -qiE '(src|href)=|@import|url\(' "$T/r.html" || fail "the page refers to another resource"
! grep -o 'https\?://[^"'"'"']*' "$T/r.html" | grep -v '^http://www.w3.org/2000/svg$' || fail "a URL in the page"
run 0 "$SK" -C "$P" compare --by metadata.topic --rows 50 --json
cp "$T/out" "$T/cmp.json"

# ---- in the browser -------------------------------------------------------
B="$T/chrome"
mkdir -p "$B"
chrome() {
    timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$B" --enable-logging=stderr --v=0 "$@"
}
chrome --dump-dom "file://$T/r.html" >"$T/dom.html" 2>"$T/chrome.err" ||
    fail "chromium failed: $(tail -5 "$T/chrome.err")"
has "$T/dom.html" 'data-rendered="yes"'
lacks "$T/dom.html" 'id="report-error"'
! grep -E 'Uncaught|CONSOLE.*(Error|error)' "$T/chrome.err" || fail "console errors"
for s in summary histograms segments changes regressed errors; do
    case $s in errors) continue ;; esac
    has "$T/dom.html" "<section id=\"$s\">"
done
has "$T/dom.html" "Regressed rows (12)"
# The stored validation card: nobody validated the fixture's scorers.
has "$T/dom.html" '<h2>Validation report card: compare-fixture INCOMPLETE</h2>'
has "$T/dom.html" '<td>never validated</td>'
# The figures are compare --json's: exact 0.95 -> 0.65, diff -0.30, math
# 1.00 -> 0.40.
# The first scorer of compare --json is exact; the DOM's values are its.
first() { grep -o "\"$1\":[-0-9][-0-9.e]*" "$T/cmp.json" | head -1 | cut -d: -f2; }
bm=$(first base_mean)
df=$(first diff)
[ "$bm" = 0.95 ] && [ "$df" = -0.3 ] || fail "compare --json's exact: base_mean $bm, diff $df"
has "$T/dom.html" "<td class=\"n\" data-v=\"$bm\">0.9500</td><td class=\"n bad\" data-v=\"$df\">-0.3000</td><td>[-0.4500, -0.1750]</td><td>regressed</td>"
has "$T/cmp.json" '"ci_bootstrap":[-0.45,-0.175]'
# Worst segment first: math, exact 1.00 -> 0.40.
grep -o '<section id="segments">.*' "$T/dom.html" | grep -q '<tbody><tr><td>topic</td><td>math</td><td>exact</td><td class="n" data-v="20">20.0000</td><td class="n" data-v="12">12.0000</td><td class="n" data-v="0">0.0000</td><td class="n" data-v="1">1.0000</td><td class="n" data-v="0.4">0.4000</td><td class="n bad" data-v="-0.6">-0.6000</td>' ||
    fail "the segments table does not start with math/exact -0.6"
has "$T/cmp.json" '"key":"topic","value":"math","rows":20,"regressed":12'
# Side by side, the differing words marked.
has "$T/dom.html" '<del>'
has "$T/dom.html" '<ins>'

# ---- a row's text cannot end the script or add markup ------------------------
sed 's|"output": "wrong"|"output": "</script><img src=x onerror=alert(1)><!-- x"|' \
    "$P/base.jsonl" >"$P/evil.jsonl"
run 0 "$SK" -C "$P" dataset import qa "$P/evil.jsonl"
run 0 "$SK" -C "$P" run --no-progress
EVIL=$(exp_id)
run 0 "$SK" -C "$P" report "$EVIL" --base "$REAL" -o "$T/evil.html"
lacks "$T/evil.html" '</script><img'
has "$T/evil.html" '\u003c/script><img src=x onerror=alert(1)>\u003c!-- x'
chrome --dump-dom "file://$T/evil.html" >"$T/evil_dom.html" 2>>"$T/chrome.err" ||
    fail "chromium failed on the escaped page"
has "$T/evil_dom.html" 'data-rendered="yes"'
lacks "$T/evil_dom.html" 'id="report-error"'
has "$T/evil_dom.html" '<ins>&lt;/script&gt;&lt;img</ins>'

# ---- validate --html: the report card with the failing cases -----------------
(
    cd "$SK_SRCDIR/tests/fixtures/validate" || exit 1
    "$SK" validate --pack broken_pack.json --scorer length_lover --json --html "$T/card.html" \
        >"$T/card.json" 2>"$T/card.err"
    echo $? >"$T/card.rc"
)
[ "$(cat "$T/card.rc")" = 3 ] || fail "validate --html of a failing scorer: exit $(cat "$T/card.rc"), wanted 3"
has "$T/card.err" "wrote $T/card.html"
has "$T/card.json" '"verdict":"FAIL"'
nfail=$(grep -o '"check":"verbosity"' "$T/card.json" | wc -l | tr -d ' ')
[ "$nfail" -gt 0 ] || fail "no failing verbosity case in validate --json"
run 64 "$SK" validate --html
has "$T/err" "--html needs a FILE"
chrome --dump-dom "file://$T/card.html" >"$T/card_dom.html" 2>>"$T/chrome.err" ||
    fail "chromium failed on the report card"
has "$T/card_dom.html" 'data-rendered="yes"'
lacks "$T/card_dom.html" 'id="report-error"'
has "$T/card_dom.html" '<h2>Validation report card: broken FAIL</h2>'
has "$T/card_dom.html" '<tr><td>length_lover</td><td class=" bad">FAIL</td>'
has "$T/card_dom.html" "<h2 id=\"failing\">Failing cases ($nfail)</h2>"
has "$T/card_dom.html" 'sky-blue/verbosity'

# ---- a screenshot that is not blank ------------------------------------------
SHOT=${SK_BUILDDIR:-.}/report.png
rm -f "$SHOT"
chrome --screenshot="$SHOT" --window-size=1280,2000 "file://$T/r.html" 2>>"$T/chrome.err" ||
    fail "chromium screenshot failed"
[ -s "$SHOT" ] || fail "no screenshot"
# A one-colour 1280x2000 PNG deflates to a few KB; the page, to far more.
size=$(wc -c <"$SHOT")
[ "$size" -gt 20000 ] || fail "the screenshot looks blank ($size bytes)"
finish
