#!/bin/sh
# Growing datasets (issue 14): `dataset add` from an experiment's failing
# rows, a --where comparison, ids, logs and row files, with provenance;
# the file-backed dataset; merge and diff; malformed selections write
# nothing.
. "$SK_SRCDIR/tests/cli/lib.sh"

P="$T/p"
mkdir -p "$P"
cat >"$P/scorekit.json" <<'J'
{"name": "grow", "dataset": "golden", "task": {"provider": "column", "field": "output"},
 "pack": "pack.json"}
J
cat >"$P/pack.json" <<'J'
{"name": "grow", "version": "1",
 "scorers": [{"use": "exact_match", "as": "exact", "threshold": 1}]}
J
# prod: p2 and p4 fail exact_match (output != expected).
cat >"$P/prod.jsonl" <<'J'
{"id": "p1", "input": "q1", "expected": "a1", "output": "a1"}
{"id": "p2", "input": "q2", "expected": "a2", "output": "wrong"}
{"id": "p3", "input": "q3", "expected": "a3", "output": "a3"}
{"id": "p4", "input": {"q": 4}, "expected": "a4", "output": "bad", "metadata": {"src": "prod"}}
J
# golden already holds q2's content under another id: p2 is a duplicate.
cat >"$P/golden.jsonl" <<'J'
{"id": "g1", "input": "q9", "expected": "a9", "output": "a9"}
{"id": "g2", "input": "q2", "expected": "a2", "output": "a2"}
J
exp_id() { sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out"; }
versions() { "$SK" -C "$P" dataset list --json | tr ',' '\n' | grep -c '"version"'; }
listing() { "$SK" -C "$P" dataset list --json; }

run 0 "$SK" -C "$P" dataset import prod "$P/prod.jsonl"
run 0 "$SK" -C "$P" dataset import golden "$P/golden.jsonl"
run 0 "$SK" -C "$P" run --no-progress --dataset prod
PROD=$(exp_id)
[ -n "$PROD" ] || fail "no experiment id"
run 0 "$SK" -C "$P" run --no-progress
GOLD1=$(exp_id)

# ---- malformed selections: a clear error, nothing written ----
before=$(listing)
run 1 "$SK" -C "$P" dataset add golden --from nosuchexp --failing
has "$T/err" "nosuchexp"
has "$T/err" "nothing was added"
run 1 "$SK" -C "$P" dataset add golden --from "$PROD" --where 'exactt < 0.5'
has "$T/err" "has no scorer \"exactt\"; its scorers are: exact"
run 1 "$SK" -C "$P" dataset add golden --from "$PROD" --where 'exact << 0.5'
has "$T/err" "at column 8: expected a number"
run 1 "$SK" -C "$P" dataset add golden --from "$PROD" --where 'exact 0.5'
has "$T/err" "at column 7: expected a comparison"
run 1 "$SK" -C "$P" dataset add golden --from-logs "$P/missing.jsonl"
has "$T/err" "missing.jsonl"
run 64 "$SK" -C "$P" dataset add golden --from "$PROD" --failing --from-logs "$P/prod.jsonl"
has "$T/err" "exactly one source (two were given)"
run 64 "$SK" -C "$P" dataset add golden --from "$PROD" --failing --ids p1
has "$T/err" "more than one was given"
run 1 "$SK" -C "$P" dataset add golden --from "$PROD" --ids p1,zz
has "$T/err" "has no row \"zz\""
[ "$(listing)" = "$before" ] || fail "a malformed selection changed the datasets"

# ---- add the failing rows: p2 is golden's g2 already, p4 is new ----
run 0 "$SK" -C "$P" dataset add golden --from "$PROD" --failing --note "triage 1"
has "$T/out" "added 1 row to golden@2 (3 rows)"
has "$T/out" "skipped 1 duplicate (same input and expected as a row already there)"
run 0 "$SK" -C "$P" dataset show golden --rows 0
has "$T/out" "  p4: experiment $PROD trial 0, "
has "$T/out" "(triage 1)"
lacks "$T/out" "  g1:"
run 0 "$SK" -C "$P" dataset show golden --json --rows 0
has "$T/out" "\"provenance\": [{\"id\": \"p4\", \"kind\": \"experiment\", \"source\": \"experiment $PROD trial 0\", \"experiment\": \"$PROD\", \"trial\": 0"
has "$T/out" '"metadata_keys": ["src"]'
# Adding the same again adds nothing and makes no version.
run 0 "$SK" -C "$P" dataset add golden --from "$PROD" --failing --json
has "$T/out" '"added":0,"skipped_duplicates":2,"need_expected":0,"rows":3'
[ "$(versions)" = 2 ] || fail "wanted 2 dataset entries"
"$SK" -C "$P" dataset show golden@3 >/dev/null 2>&1 && fail "an empty add made a version"

# ---- run again: compare lists the rows as added, not a changed variable ----
run 0 "$SK" -C "$P" run --no-progress
GOLD2=$(exp_id)
run 0 "$SK" -C "$P" compare "$GOLD2" --base "$GOLD1" --rows 0
has "$T/out" "(dataset grew by 1 row, not compared)"
lacks "$T/out" "VARIABLES CHANGED"

# ---- --where and --ids ----
run 0 "$SK" -C "$P" dataset add picked --from "$PROD" --where 'exact >= 1' --json
has "$T/out" '"name":"picked","version":1,"ref":"picked@1","added":2,"skipped_duplicates":0'
run 0 "$SK" -C "$P" dataset add picked --from "$PROD" --ids p3,p4
has "$T/out" "added 1 row to picked@2 (3 rows)"
run 0 "$SK" -C "$P" dataset export picked
printf '%s\n' '{"id": "p1", "input": "q1", "output": "a1", "expected": "a1"}' \
    '{"id": "p3", "input": "q3", "output": "a3", "expected": "a3"}' \
    '{"id": "p4", "input": {"q": 4}, "output": "bad", "expected": "a4", "metadata": {"src": "prod"}}' \
    >"$T/want"
cmp -s "$T/out" "$T/want" || fail "picked's rows: $(cat "$T/out")"

# ---- logs: FILE:LINE and the log id; rows without expected are counted ----
cat >"$P/logs.jsonl" <<'J'
{"time": "2026-12-01T10:00:00Z", "trace_id": "t-1", "input": "from logs", "output": "x"}
{"time": "2026-12-01T10:00:01Z", "log_id": "L2", "input": "q1", "expected": "a1", "output": "a1"}
{"time": "2026-12-01T10:00:02Z", "input": "from logs", "output": "y"}
J
run 0 "$SK" -C "$P" dataset add picked --from-logs "$P/logs.jsonl" --json
has "$T/out" '"added":1,"skipped_duplicates":2,"need_expected":1,"rows":4'
run 0 "$SK" -C "$P" dataset show picked --rows 0
has "$T/out" ": $P/logs.jsonl:1, log id t-1, "
printf '%s\n' '{"time": 1, "input": "z", "trial": 3}' >"$P/badlog.jsonl"
run 1 "$SK" -C "$P" dataset add picked --from-logs "$P/badlog.jsonl"
has "$T/err" "$P/badlog.jsonl:1: unknown field \"trial\""

# ---- merge and diff ----
run 0 "$SK" -C "$P" dataset merge picked golden
has "$T/out" "merged 3 rows from picked@3 into golden@3 (6 rows)"
has "$T/out" "skipped 1 duplicate"
run 1 "$SK" -C "$P" dataset merge nosuch golden
has "$T/err" "no dataset \"nosuch\""
run 1 "$SK" -C "$P" dataset merge picked golden@2
has "$T/err" "merge adds to the newest version: write golden, not golden@2"
run 0 "$SK" -C "$P" dataset diff golden@2 golden --json
has "$T/out" '"a":"golden@2","b":"golden@3","removed":[],"added":["p1","p3",'
has "$T/out" '"changed":[]'
run 0 "$SK" -C "$P" dataset show golden --json --rows 0
has "$T/out" '"source": "merged from picked v3"'
run 0 "$SK" -C "$P" dataset diff picked@1 prod
has "$T/out" "+ p2"
has "$T/out" "+ p4"
has "$T/out" "2 added, 0 removed, 0 changed"
sed 's/"wrong"/"fixed"/' "$P/prod.jsonl" >"$P/prod2.jsonl"
run 0 "$SK" -C "$P" dataset import prod "$P/prod2.jsonl"
run 0 "$SK" -C "$P" dataset diff prod@1 prod@2
has "$T/out" "~ p2"
has "$T/out" "0 added, 0 removed, 1 changed"

# ---- export -> import: cell lines are read as rows, the cell's fields dropped ----
run 0 "$SK" -C "$P" run --no-progress --dataset prod@1 --trials 2
EX=$(exp_id)
"$SK" -C "$P" export "$EX" >"$T/cells.jsonl" || fail "export"
lines "$T/cells.jsonl" 8
run 0 "$SK" -C "$P" dataset import again "$T/cells.jsonl"
has "$T/out" "imported 4 rows from $T/cells.jsonl as again@1"
has "$T/out" "dropped fields: trial (4 rows), scores (4 rows), output (4 rows), latency_ms (4 rows), overall (4 rows), pass (4 rows), later trials (4 lines)"
run 0 "$SK" -C "$P" dataset export again
printf '%s\n' '{"id": "p1", "input": "q1", "expected": "a1"}' \
    '{"id": "p2", "input": "q2", "expected": "a2"}' \
    '{"id": "p3", "input": "q3", "expected": "a3"}' \
    '{"id": "p4", "input": {"q": 4}, "expected": "a4", "metadata": {"src": "prod"}}' >"$T/want"
cmp -s "$T/out" "$T/want" || fail "the rows imported from an export: $(cat "$T/out")"
# --rows-only writes the dataset rows themselves: the round trip is exact.
"$SK" -C "$P" export "$EX" --rows-only >"$T/rows.jsonl" || fail "export --rows-only"
"$SK" -C "$P" dataset export prod@1 >"$T/want"
cmp -s "$T/rows.jsonl" "$T/want" || fail "--rows-only: $(cat "$T/rows.jsonl")"
run 0 "$SK" -C "$P" dataset import again "$T/rows.jsonl"
lacks "$T/out" "dropped"
run 0 "$SK" -C "$P" dataset diff prod@1 again
has "$T/out" "0 added, 0 removed, 0 changed"
# A row file with a stray key is still refused, "trial" included.
printf '%s\n' '{"id": "x", "input": "y", "trial": 0}' >"$T/stray.jsonl"
run 1 "$SK" -C "$P" dataset import again "$T/stray.jsonl"
has "$T/err" "$T/stray.jsonl:1: unknown field \"trial\""
printf '%s\n' '{"id": "x", "input": "y", "trial": 0, "scores": {}, "extra": 1}' >"$T/stray.jsonl"
run 1 "$SK" -C "$P" dataset import again "$T/stray.jsonl"
has "$T/err" "unknown field"

# ---- a file-backed dataset: add appends to the file, run keeps the rows ----
F="$T/f"
mkdir -p "$F"
cat >"$F/scorekit.json" <<'J'
{"name": "grow-file", "dataset": "data.jsonl", "task": {"provider": "column", "field": "output"},
 "pack": "pack.json"}
J
cp "$P/pack.json" "$F/"
printf '%s\n' '{"id": "d1", "input": "hello", "expected": "hi", "output": "hi"}' >"$F/data.jsonl"
cp "$P/prod.jsonl" "$F/prod.jsonl"
run 0 "$SK" -C "$F" dataset import prod "$F/prod.jsonl"
run 0 "$SK" -C "$F" run --no-progress --dataset prod
FP=$(exp_id)
run 0 "$SK" -C "$F" dataset add data --from "$FP" --failing
has "$T/out" "added 2 rows to data@2 (3 rows)"
has "$T/out" "appended to $F/data.jsonl"
lines "$F/data.jsonl" 3
sed -n 3p "$F/data.jsonl" >"$T/line3"
printf '%s\n' '{"id": "p4", "input": {"q": 4}, "output": "bad", "expected": "a4", "metadata": {"src": "prod"}}' >"$T/want"
cmp -s "$T/line3" "$T/want" || fail "data.jsonl line 3: $(cat "$T/line3")"
run 0 "$SK" -C "$F" run --no-progress
lacks "$T/err" "imported"
run 0 "$SK" -C "$F" dataset list
has "$T/out" "data           2        3"
run 0 "$SK" -C "$F" dataset show data --rows 0
has "$T/out" "  p2: experiment $FP trial 0"
# An edit of the file makes a new version; the rows added keep their provenance.
echo '{"id": "d9", "input": "by hand", "expected": "x", "output": "x"}' >>"$F/data.jsonl"
run 0 "$SK" -C "$F" run --no-progress
has "$T/err" "imported 4 rows as data@3"
run 0 "$SK" -C "$F" dataset show data --rows 0
has "$T/out" "  p4: experiment $FP trial 0"
lacks "$T/out" "  d9:"
# merge into the file-backed dataset appends to its file too.
run 0 "$SK" -C "$F" dataset merge prod data
has "$T/out" "merged 2 rows from prod@1 into data@4 (6 rows)"
has "$T/out" "appended to $F/data.jsonl"
lines "$F/data.jsonl" 6
run 0 "$SK" -C "$F" run --no-progress
lacks "$T/err" "imported"
# A store that refuses the new version leaves the file as it was: the file
# is replaced only once the store has the rows.  (The refusal is a SQLite
# trigger, so this part runs on SQLite.)
if [ -z "${SCOREKIT_STORE:-}" ]; then
    cp "$F/data.jsonl" "$T/before"
    sqlite3 "$F/.scorekit/scorekit.db" "CREATE TRIGGER no_versions BEFORE INSERT ON
        dataset_versions BEGIN SELECT RAISE(FAIL, 'no new versions today'); END"
    printf '%s\n' '{"id": "n1", "input": "new", "expected": "n", "output": "n"}' >"$T/new.jsonl"
    run 1 "$SK" -C "$F" dataset add data "$T/new.jsonl"
    has "$T/err" "no new versions today"
    has "$T/err" "nothing was added"
    cmp -s "$F/data.jsonl" "$T/before" || fail "an add the store refused changed the file"
    [ -z "$(find "$F" -maxdepth 1 -name '*.tmp-*')" ] || fail "an add left a temporary file"
    sqlite3 "$F/.scorekit/scorekit.db" "DROP TRIGGER no_versions"
    run 0 "$SK" -C "$F" dataset add data "$T/new.jsonl"
    has "$T/out" "appended to $F/data.jsonl"
    lines "$F/data.jsonl" 7
fi

finish
