#!/bin/sh
# `scorekit baseline` and `scorekit compare` on the fixture project in
# tests/fixtures/compare: 40 rows (g01..g20 topic geo, m01..m20 topic
# math), answers "answer ID", scored by exact (threshold 1) and similarity
# (levenshtein, threshold 0.7).  The column task reads each row's output;
# each dataset file is the same rows with other outputs:
#
#   base.jsonl   g01, g02 answer "wrong" (similarity 1 - 8/10 = 0.2)
#                exact 38/40 = 0.95; similarity (38 + 0.4) / 40 = 0.96
#   real.jsonl   also m01..m12 wrong: exact 26/40 = 0.65 (-0.30), 12 rows
#                regressed, all in math (math: 1.00 -> 0.40; geo unchanged)
#   swap.jsonl   g03, g04 wrong instead of g01, g02: the same rate, other
#                rows: 2 regressed, 2 improved, mean unchanged
#   noise.jsonl  also m05 wrong, g20 dropped, x01 added: 39 pairs, exact
#                37/39 -> 36/39 (-0.0256): one row, noise
#
# and app.sh, an exec task answering the same, except with MODEL=flaky
# rows m01..m09 answer wrong in trial 1 of 3, and with MODEL=down rows
# m01..m03 fail.
. "$SK_SRCDIR/tests/cli/lib.sh"

P="$T/p"
mkdir -p "$P"
cp "$SK_SRCDIR"/tests/fixtures/compare/* "$P/"
chmod +x "$P/app.sh"
exp_id() { sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out"; }
runexp() {
    run 0 "$SK" -C "$P" run --no-progress "$@"
    E=$(exp_id)
    [ -n "$E" ] || fail "no experiment id in: $(cat "$T/out")"
}

run 0 "$SK" -C "$P" dataset import qa "$P/base.jsonl"
runexp
BASE=$E

# ---- baseline -------------------------------------------------------------
run 1 "$SK" -C "$P" compare
has "$T/err" "no baseline set: choose the experiment that stands for production with \`scorekit baseline set EXP\`"
run 1 "$SK" -C "$P" baseline show
has "$T/err" "no baseline set"
run 0 "$SK" -C "$P" baseline history
has "$T/out" "no baseline set yet"
run 1 "$SK" -C "$P" baseline set nosuch
has "$T/err" 'no experiment "nosuch"'
run 64 "$SK" -C "$P" baseline frob
has "$T/err" 'unknown command "frob"'
run 0 "$SK" -C "$P" baseline set "$BASE" --note "v1 in production"
has "$T/out" "baseline: $BASE (set 20"
run 0 "$SK" -C "$P" baseline show
has "$T/out" "baseline: $BASE \"run\", ran 20"
has "$T/out" "on qa@1, 1 trial"
has "$T/out" ", v1 in production"
has "$T/out" "status:   current: the project's configuration matches its snapshot"
grep -qE '^exact +0\.9500 ' "$T/out" || fail "baseline show: the summary"
lacks "$T/err" "stale"
run 0 "$SK" -C "$P" baseline show --json
has "$T/out" "{\"experiment\":\"$BASE\",\"name\":\"run\""
has "$T/out" '"note":"v1 in production"'
has "$T/out" '"staleness":{"stale":false,"config_changed":false,"too_old":false'
# Nothing to compare with yet: the newest experiment is the baseline.
run 1 "$SK" -C "$P" compare
has "$T/err" "no experiment to compare with $BASE"

# ---- a real regression, one variable -----------------------------------------
run 0 "$SK" -C "$P" dataset import qa "$P/real.jsonl"
# The project's dataset moved on: the baseline is stale, and says why.
run 0 "$SK" -C "$P" baseline show
has "$T/out" "status:   STALE"
has "$T/err" "warning: the baseline $BASE is stale: the project's configuration changed since it ran (1 variable)"
has "$T/err" 'dataset version: "qa@1" -> "qa@2"'
runexp
REAL=$E
run 0 "$SK" -C "$P" compare --rows 2
has "$T/out" "comparing $REAL \"run\" (qa@2, 1 trial, ran 20"
has "$T/out" "     with $BASE \"run\" (qa@1, 1 trial, ran 20"
has "$T/out" ", the baseline (set 20"
has "$T/out" "rows: 40 paired, 0 only in the base, 0 only in the new experiment"
has "$T/out" "changed: 1 variable (differences below are its effect, or noise)"
has "$T/out" '  dataset version: "qa@1" -> "qa@2"'
lacks "$T/out" "VARIABLES CHANGED"
# exact: twelve -1 differences in 40: -0.3, SD sqrt((12 * 0.7^2 + 28 *
# 0.3^2) / 39) = 0.4641, t(.975, 39) = 2.0227: half width 0.1484.
grep -qE '^exact +0\.9500 +0\.6500 +-0\.3000 +\[-0\.[0-9]+, -0\.[0-9]+\] +\[-0\.4484, -0\.1516\] +0 +12 +28 +12 +0 +REGRESSED$' \
    "$T/out" || fail "compare: the exact line: $(grep '^exact' "$T/out")"
grep -qE '^similarity +0\.9600 +0\.7200 +-0\.2400 .* +0 +12 +28 +12 +0 +REGRESSED$' "$T/out" ||
    fail "compare: the similarity line"
has "$T/out" "regressed rows: 12 (worst first; 2 shown, --rows N for more)"
has "$T/out" "improved rows: 0"
has "$T/out" '    base:     "answer m01"'
has "$T/out" '    new:      "wrong"'
has "$T/out" '        new: edit distance 8 over 10 characters'
grep -qE '^    exact +1\.0000 -> 0\.0000 +-1\.0000  regressed, passed every base trial, fails every new one$' \
    "$T/out" || fail "compare: m01's exact line"
has "$T/err" "the baseline $BASE is stale"
# Both rows shown are the worst (-1 on exact) in dataset order.
grep -E '^  [gmx][0-9]+' "$T/out" | head -2 | tr -d ' ' >"$T/ids"
printf '%s\n' m01 m02 >"$T/want"
cmp -s "$T/ids" "$T/want" || fail "regressed rows order: $(cat "$T/ids")"

# The gate: exit 3 on a regression; a minimum effect above 0.24 spares
# similarity; an unknown scorer is an input error.
run 3 "$SK" -C "$P" compare --fail-on-regression
has "$T/err" "gate: exact regressed: mean 0.9500 -> 0.6500 (-0.3000, 95% CI"
has "$T/err" "the regression gate fired (2 reasons): exit 3"
has "$T/out" "gate: FAILED"
run 0 "$SK" -C "$P" compare --fail-on-regression=similarity:0.25
has "$T/out" "gate: passed"
run 3 "$SK" -C "$P" compare --fail-on-regression=similarity --min-effect 0.2
has "$T/err" "the regression gate fired (1 reason)"
run 1 "$SK" -C "$P" compare --fail-on-regression=exactt
has "$T/err" 'the gate names scorer "exactt", which both experiments do not have; they share: exact, similarity'

# Segments: 0.65 overall hides 0.40 in math.
run 0 "$SK" -C "$P" compare --by metadata.topic --rows 0
has "$T/out" "by metadata.topic:"
has "$T/out" "  topic=geo: 20 paired rows, 0 regressed, 0 improved"
has "$T/out" "  topic=math: 20 paired rows, 12 regressed, 0 improved"
grep -qE '^    exact +0\.9000 +0\.9000 +\+0\.0000 .* unchanged$' "$T/out" || fail "segment geo"
grep -qE '^    exact +1\.0000 +0\.4000 +-0\.6000 .* REGRESSED$' "$T/out" || fail "segment math"
run 0 "$SK" -C "$P" compare --by topic --sort regressions --rows 0
sed -n 's/^  topic=\([a-z]*\):.*/\1/p' "$T/out" | tr '\n' ' ' >"$T/order"
[ "$(cat "$T/order")" = "math geo " ] || fail "--sort regressions: $(cat "$T/order")"
has "$T/out" "by metadata.topic (most regressions first):"

# JSON and JUnit carry the same facts.
run 0 "$SK" -C "$P" compare --json --by metadata.topic --rows 1 --junit "$T/junit.xml"
lines "$T/out" 1
has "$T/out" "\"base\":{\"id\":\"$BASE\",\"name\":\"run\""
has "$T/out" '"baseline":true'
has "$T/out" '"rows":{"paired":40,"only_base":0,"only_new":0,"only_base_ids":[],"only_new_ids":[]}'
has "$T/out" '"changes":{"variables":1,"attributable":true,"changes":[{"variable":"dataset version","before":"qa@1","after":"qa@2"'
has "$T/out" '{"name":"exact","base_threshold":1,"new_threshold":1,"pairs":40,"unpaired":0,"base_mean":0.95,"new_mean":0.65,"diff":-0.3'
has "$T/out" '"improved":0,"regressed":12,"unchanged":28,"pass_to_fail":12,"fail_to_pass":0,"no_verdict":0,"hard_regressions":12,"verdict":"regressed"'
has "$T/out" '{"key":"topic","value":"math","rows":20,"regressed":12'
has "$T/out" '"regressed_count":12,"regressed":[{"id":"m01","segments":{"topic":"math"},"scorers":{"exact":{"base":1,"new":0,"delta":-1'
has "$T/out" '"input":"question m01","expected":"answer m01","base":{"trial":0,"output":"answer m01"'
has "$T/out" '"new":{"trial":0,"output":"wrong","task_error":null,"scores":{"exact":{"score":0,"rationale":'
has "$T/out" '"staleness":{"stale":true,"config_changed":true'
has "$T/out" '"gate":{"asked":false,"fired":false,"reasons":[]}'
has "$T/junit.xml" '<testsuites name="scorekit compare" tests="2" failures="2">'
has "$T/junit.xml" '<testcase classname="scorekit.compare" name="exact">'
has "$T/junit.xml" '<failure message="regressed: 0.9500 -&gt; 0.6500 (-0.3000), 95% CI'
python3 -c "import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])" "$T/junit.xml" 2>/dev/null ||
    { command -v python3 >/dev/null && fail "junit.xml is not well-formed XML"; }

# ---- different rows failing at the same rate ---------------------------------
run 0 "$SK" -C "$P" dataset import qa "$P/swap.jsonl"
runexp
SWAP=$E
run 0 "$SK" -C "$P" compare "$SWAP" --fail-on-regression --rows 5
grep -qE '^exact +0\.9500 +0\.9500 +\+0\.0000 .* +2 +2 +36 +2 +2 +noise$' "$T/out" ||
    fail "swap: exact line: $(grep '^exact' "$T/out")"
has "$T/out" "2 rows regressed and 2 improved, but the mean did not fall beyond noise"
has "$T/out" "regressed rows: 2 (worst first)"
has "$T/out" "improved rows: 2 (best first)"
grep -E '^  [gmx][0-9]+' "$T/out" | tr -d ' ' | tr '\n' ' ' >"$T/ids"
[ "$(cat "$T/ids")" = "g03 g04 g01 g02 " ] || fail "swap rows: $(cat "$T/ids")"
has "$T/out" "gate: passed"
# ...but the row gate fires: g03 and g04 passed before and fail now.
run 3 "$SK" -C "$P" compare "$SWAP" --fail-on-regression --fail-on-row-regression --junit "$T/j2.xml"
has "$T/err" "gate: row g03: exact passed in every baseline trial (1) and failed in every new trial (1)"
has "$T/j2.xml" '<testcase classname="scorekit.compare.rows" name="exact g03">'
has "$T/j2.xml" 'tests="6" failures="4"'

# ---- noise, one variable; then two variables -------------------------------------
run 0 "$SK" -C "$P" dataset import qa "$P/noise.jsonl"
runexp
NOISE=$E
run 0 "$SK" -C "$P" compare "$NOISE" --base "$BASE" --fail-on-regression
has "$T/out" "rows: 39 paired, 1 only in the base, 1 only in the new experiment"
has "$T/out" "  only in the base: g20"
has "$T/out" "  only in the new: x01"
has "$T/out" "changed: 1 variable"
grep -qE '^exact +0\.9487 +0\.9231 +-0\.0256 +\[-0\.0769, \+0\.0000\] .* +0 +1 +38 +1 +0 +noise$' "$T/out" ||
    fail "noise: exact line: $(grep '^exact' "$T/out")"
# SD of the differences: sqrt(((-1 + 1/39)^2 + 38/39^2) / 38) = 0.160128;
# ((1.96 + 0.84) * 0.160128 / (1/39))^2 = 306.1: 307 rows.
has "$T/out" "exact: not distinguishable from noise: the 95% interval of the difference (-0.0256) includes 0, and it is under 5 points; resolving a difference of 0.0256 would take about 307 rows (have 39, 268 more)"
has "$T/out" "with one trial a side, how much trials vary is unknown"
has "$T/out" "gate: passed"

runexp --trials 2
TWO=$E
run 0 "$SK" -C "$P" compare "$TWO" --base "$BASE"
has "$T/out" "!! 2 VARIABLES CHANGED between these experiments: the comparison cannot"
has "$T/out" '  trials: 1 -> 2'
has "$T/err" "2 variables changed between $BASE and $TWO: the comparison cannot attribute"
run 0 "$SK" -C "$P" compare "$TWO" --base "$BASE" --json --rows 0
has "$T/out" '"changes":{"variables":2,"attributable":false'

# ---- trials: a change within each row's own trial noise ---------------------------
SETS="--dataset qa@1 --trials 3 --set provider=exec"
runexp $SETS --set "command=[\"$P/app.sh\"]"
STEADY=$E
runexp $SETS --set "command=[\"$P/app.sh\"]" --set 'env={"MODEL":"flaky"}'
FLAKY=$E
run 3 "$SK" -C "$P" compare "$FLAKY" --base "$STEADY" --fail-on-regression
has "$T/out" '  task.env.MODEL: (absent) -> "flaky"'
has "$T/out" "changed: 1 variable"
# m01..m09 score 1, 0, 1 on exact: mean 2/3 (-1/3 each), but the trial SE
# sqrt(1/3 / 3) = 0.333 makes the noise band 0.65: no row counts as
# regressed, yet the mean fell by 9 / 3 / 40 = 0.075 beyond noise.
grep -qE '^exact +0\.9500 +0\.8750 +-0\.0750 .* +0 +0 +40 +9 +0 +REGRESSED$' "$T/out" ||
    fail "flaky: exact line: $(grep '^exact' "$T/out")"
has "$T/out" "no single row moved beyond its trial noise and epsilon"
has "$T/out" "regressed rows: 0"

# ---- flaky rows and reducers (issue 17) ----------------------------------------------
# m01..m09 pass exact and similarity in trials 0 and 2 and fail in trial 1:
# flaky rows, listed; --flaky fail gates on them, --flaky ignore hides them.
run 0 "$SK" -C "$P" compare "$FLAKY" --base "$STEADY" --rows 3
has "$T/out" "flaky rows (9; the new trials disagree on pass/fail):"
has "$T/out" '9 rows flaky in the new experiment, 0 in the base: their trials disagree on pass/fail (row verdicts by the reducer "mean")'
has "$T/out" "  m01:  exact passed 2 of 3 trials (mean)  similarity passed 2 of 3 trials (mean)"
has "$T/out" "  ... and 6 more (--rows N shows more)"
run 3 "$SK" -C "$P" compare "$FLAKY" --base "$STEADY" --rows 0 --flaky fail
has "$T/out" "gate: FAILED"
has "$T/out" "exact: 9 rows flaky in the new experiment (its trials disagree on pass/fail): m01, m02, m03, m04, m05, ..."
run 0 "$SK" -C "$P" compare "$FLAKY" --base "$STEADY" --rows 0 --flaky ignore
lacks "$T/out" "flaky rows"
run 0 "$SK" -C "$P" compare "$FLAKY" --base "$STEADY" --rows 0 --json
has "$T/out" '"flaky_base":0,"flaky_new":9,"base_reducer":"mean","new_reducer":"mean"'
has "$T/out" '"flaky_count":9,"flaky":[{"id":"m01","scorers":[{"name":"exact","passed":2,"failed":1,"reducer":"mean"}'
# show lists them too, and a run of one trial has none.
run 0 "$SK" -C "$P" show "$FLAKY" --worst 2
has "$T/out" "flaky rows: 9 (their trials disagree on pass/fail)"
has "$T/out" "  m02:  exact passed 2 of 3 trials  similarity passed 2 of 3 trials"
has "$T/out" "  ... and 7 more (--worst N lists more)"
run 0 "$SK" -C "$P" show "$FLAKY" --json
has "$T/out" '"flaky_count":9,"flaky":[{"id":"m01","scorers":[{"name":"exact","passed":2,"failed":1},{"name":"similarity","passed":2,"failed":1}]}'
run 0 "$SK" -C "$P" show "$STEADY" --json
has "$T/out" '"flaky_count":0,"flaky":[]'
run 64 "$SK" -C "$P" compare "$FLAKY" --base "$STEADY" --flaky sometimes
has "$T/err" '--flaky takes report, fail or ignore, got "sometimes"'
# By the mean (2/3 under exact's threshold 1) each flaky row flipped pass ->
# fail; with "reducer": "majority" (2 of 3 trials pass) none did.
cp "$P/pack.json" "$T/pack.json.orig"
sed 's/"as": "exact", "threshold": 1}/"as": "exact", "threshold": 1, "reducer": "majority"}/' \
    "$T/pack.json.orig" >"$P/pack.json"
runexp $SETS --set "command=[\"$P/app.sh\"]" --set 'env={"MODEL":"flaky"}'
MAJ=$E
run 0 "$SK" -C "$P" compare "$MAJ" --base "$STEADY" --rows 0 --json
has "$T/out" '"flaky_new":9,"base_reducer":"mean","new_reducer":"majority"'
grep -q '"name":"exact",[^}]*"pass_to_fail":0,' "$T/out" || fail "majority: exact flipped: $(cat "$T/out")"
run 0 "$SK" -C "$P" compare "$FLAKY" --base "$STEADY" --rows 0 --json
grep -q '"name":"exact",[^}]*"pass_to_fail":9,' "$T/out" || fail "mean: exact did not flip 9 rows"
# A reducer the pack does not know, or one that has no threshold to decide by.
sed 's/"as": "exact", "threshold": 1}/"as": "exact", "threshold": 1, "reducer": "median"}/' \
    "$T/pack.json.orig" >"$P/pack.json"
run 1 "$SK" -C "$P" run --no-progress
has "$T/err" 'scorer "exact": "reducer" must be one of mean, majority, min, max, pass^k, pass@k'
sed 's/"as": "exact", "threshold": 1}/"as": "exact", "reducer": "min"}/' \
    "$T/pack.json.orig" >"$P/pack.json"
run 1 "$SK" -C "$P" run --no-progress
has "$T/err" '"reducer": "min" decides pass/fail, which needs a "threshold"'
cp "$T/pack.json.orig" "$P/pack.json"

# ---- no verdict is no flip (issue 11) ------------------------------------------------
# m01..m03 passed in the base; their task fails now: no verdict, so neither
# pass->fail flips nor hard regressions, counted apart.
run 2 "$SK" -C "$P" run --no-progress --dataset qa@1 --set provider=exec \
    --set "command=[\"$P/app.sh\"]" --set 'env={"MODEL":"down"}'
DOWN=$(exp_id)
has "$T/out" "rows with no verdict: 3 (3 with errors, 0 where no scorer gave a score)"
run 0 "$SK" -C "$P" compare "$DOWN" --base "$BASE" --fail-on-row-regression --rows 0
grep -qE '^exact +0\.9459 +0\.9459 +\+0\.0000 .* +0 +0 +37 +0 +0 +unchanged$' "$T/out" ||
    fail "down: exact line: $(grep '^exact' "$T/out")"
has "$T/out" "  exact: 3 rows scored on one side only (skipped or errors on the other) left out. 3 rows had no verdict on a side (an error, or no score): neither pass nor fail, so not counted as flips"
has "$T/out" "gate: passed"
run 0 "$SK" -C "$P" compare "$DOWN" --base "$BASE" --json --rows 0
has "$T/out" '"pass_to_fail":0,"fail_to_pass":0,"no_verdict":3,"hard_regressions":0'

# ---- a stale baseline by age ---------------------------------------------------------
# Ageing an experiment needs the sqlite3 shell; the age logic itself is
# covered by test_compare without it.
# (on SQLite only: it writes the file itself)
if [ -z "${SCOREKIT_STORE:-}" ] && command -v sqlite3 >/dev/null 2>&1; then
    sqlite3 "$P/.scorekit/scorekit.db" \
        "UPDATE experiments SET created_at = '2020-01-01T00:00:00Z' WHERE id = '$BASE'" ||
        fail "cannot age the baseline"
    run 0 "$SK" -C "$P" baseline show --max-age 30
    has "$T/err" "the baseline $BASE is stale: it ran"
    has "$T/err" "days ago, more than the 30 days allowed"
    run 0 "$SK" -C "$P" baseline show --max-age 0
    lacks "$T/err" "days ago"
    sed 's/"pack": "pack.json"/"pack": "pack.json", "baseline_max_age_days": 90/' \
        "$P/scorekit.json" >"$T/s.json"
    cp "$T/s.json" "$P/scorekit.json"
    run 0 "$SK" -C "$P" compare "$REAL" --rows 0
    has "$T/err" "more than the 90 days allowed"
else
    echo "compare.sh: no sqlite3 shell: the baseline age checks are skipped" >&2
fi
sed 's/"pack": "pack.json"/"pack": "pack.json", "baseline_max_age_days": "old"/' \
    "$SK_SRCDIR/tests/fixtures/compare/scorekit.json" >"$P/scorekit.json"
run 1 "$SK" -C "$P" compare "$REAL"
has "$T/err" '"baseline_max_age_days" must be a whole number of days'

# ---- what staleness is (issue 12, item 7) -------------------------------------------
# A changed task is the change under test, not staleness; a newer dataset
# version is.  A dataset that only grew (every row of the base's version in
# the new one, unchanged) is listed, not counted as a variable.
Q="$T/q"
mkdir -p "$Q"
cp "$SK_SRCDIR"/tests/fixtures/compare/* "$Q/"
chmod +x "$Q/app.sh"
run 0 "$SK" -C "$Q" dataset import qa "$Q/base.jsonl"
run 0 "$SK" -C "$Q" run --no-progress
QBASE=$(exp_id)
run 0 "$SK" -C "$Q" baseline set "$QBASE"
sed 's/"field": "output"/"field": "expected"/' \
    "$SK_SRCDIR/tests/fixtures/compare/scorekit.json" >"$Q/scorekit.json"
grep -q '"field": "expected"' "$Q/scorekit.json" || fail "the task was not changed"
run 0 "$SK" -C "$Q" baseline show
has "$T/out" "status:   current: its dataset version, pack and scorers are the project's"
has "$T/out" "the task changed since (the change under test"
has "$T/out" '    task.field: "output" -> "expected"'
lacks "$T/err" "stale"
run 0 "$SK" -C "$Q" baseline show --json
has "$T/out" '"staleness":{"stale":false,"config_changed":false'
has "$T/out" '"task_changes":'
run 0 "$SK" -C "$Q" run --no-progress
QTASK=$(exp_id)
run 0 "$SK" -C "$Q" compare "$QTASK" --rows 0
lacks "$T/err" "stale"
has "$T/out" "changed: 1 variable"
# The dataset grows by one row; the 40 it had are unchanged.
cp "$Q/base.jsonl" "$Q/grown.jsonl"
echo '{"id": "x99", "input": "question x99", "expected": "answer x99", "output": "answer x99", "metadata": {"topic": "geo"}}' >>"$Q/grown.jsonl"
run 0 "$SK" -C "$Q" dataset import qa "$Q/grown.jsonl"
run 0 "$SK" -C "$Q" run --no-progress
QGROWN=$(exp_id)
run 0 "$SK" -C "$Q" compare "$QGROWN" --rows 0
lacks "$T/out" "VARIABLES CHANGED"
has "$T/out" "changed: 1 variable"
has "$T/out" "(dataset grew by 1 row, not compared)"
has "$T/err" "the baseline $QBASE is stale"
has "$T/err" 'dataset version: "qa@1" -> "qa@2"'
lacks "$T/err" "task.field"
run 0 "$SK" -C "$Q" compare "$QGROWN" --rows 0 --json
has "$T/out" '"changes":{"variables":1,"attributable":true'
# A changed row is a variable again.
sed 's/"answer g05"/"answer g05!"/' "$Q/grown.jsonl" >"$Q/changed.jsonl"
run 0 "$SK" -C "$Q" dataset import qa "$Q/changed.jsonl"
run 0 "$SK" -C "$Q" run --no-progress
QCHANGED=$(exp_id)
run 0 "$SK" -C "$Q" compare "$QCHANGED" --rows 0
has "$T/out" "!! 2 VARIABLES CHANGED"

# ---- history and usage -----------------------------------------------------------------
cp "$SK_SRCDIR/tests/fixtures/compare/scorekit.json" "$P/scorekit.json"
run 0 "$SK" -C "$P" baseline set "$REAL"
run 0 "$SK" -C "$P" baseline history
sed -n 2p "$T/out" | grep -qE "^20[0-9T:-]+Z +$REAL +current" || fail "history: $(cat "$T/out")"
sed -n 3p "$T/out" | grep -qE "^20[0-9T:-]+Z +$BASE +v1 in production" || fail "history: $(cat "$T/out")"
run 0 "$SK" -C "$P" baseline history --json
has "$T/out" "[{\"experiment\":\"$REAL\",\"set_at\":\"20"
has "$T/out" '"note":null,"current":true},{"experiment":"'
run 0 "$SK" -C "$P" compare "$SWAP" --rows 0
has "$T/out" "     with $REAL"
run 64 "$SK" -C "$P" compare --sort worst
has "$T/err" '--sort knows only "regressions"'
run 64 "$SK" -C "$P" compare --by tags.x
has "$T/err" "--by takes metadata.KEY"
run 64 "$SK" -C "$P" compare "$SWAP" "$REAL"
has "$T/err" "compare takes one experiment"
run 64 "$SK" -C "$P" compare --epsilon 2
has "$T/err" "--epsilon needs a number from 0 to 0.99"
run 1 "$SK" -C "$P" compare nosuch
has "$T/err" 'no experiment "nosuch"'
run 0 "$SK" -C "$P" compare --help
has "$T/out" "exit status: 0 compared (whatever the verdicts), 1 bad input"

finish
