#!/bin/sh
# The team store on PostgreSQL (issue 18), against a private server the
# test starts (tests/pg/server.sh: initdb in $T, 127.0.0.1, a free port,
# a password given through PGPASSWORD).  Two working copies share one
# store: each sees the other's experiments and compares against the shared
# baseline.  Two runs write at once while a third resumes an interrupted
# run: every cell once.  The server killed mid-run: the run stops with a
# message naming the server, and --resume finishes it after a restart.
# store copy moves the history to SQLite and back, verified.
. "$SK_SRCDIR/tests/cli/lib.sh"
unset SCOREKIT_STORE
PG=$(mktemp -d "${TMPDIR:-/tmp}/sk-pg.XXXXXX") # its own: $T is private to root
url=$("$SK_SRCDIR/tests/pg/server.sh" start "$PG") || { fail "cannot start PostgreSQL"; exit 1; }
trap '"$SK_SRCDIR/tests/pg/server.sh" stop "$PG"; rm -rf "$T"' EXIT
. "$PG/env"
cd "$T" || exit 1

# Two working copies of one project, one store.
run 0 "$SK" init a
i=0
while [ $i -lt 12 ]; do
    echo "{\"id\": \"r$i\", \"input\": \"q$i\", \"expected\": \"r$i\"}"
    i=$((i + 1))
done >a/rows.jsonl
hold_task a/task.sh
sed "s|\"name\"|\"store\": \"$url?schema=team\", \"name\"|" a/scorekit.json >a/s.json &&
    mv a/s.json a/scorekit.json
cp -R a b
cd a || exit 1
run 0 "$SK" store where
has "$T/out" "$url?schema=team"
has "$T/out" "PostgreSQL, schema version"
lacks "$T/out" "sk-test-pw"
run 0 "$SK" dataset import rows rows.jsonl
run 0 "$SK" run --name first --dataset rows --set provider=exec --set 'command=["./task.sh"]' --no-progress
run 0 "$SK" experiments --json
first=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$T/out")
run 0 "$SK" baseline set "$first"
cd ../b || exit 1
run 0 "$SK" experiments
has "$T/out" "$first"
run 0 "$SK" run --name second --dataset rows --set provider=exec --set 'command=["./task.sh"]' --no-progress
run 0 "$SK" compare
has "$T/out" "$first"
cd ../a || exit 1
run 0 "$SK" experiments
has "$T/out" " second "

# A store a newer scorekit migrated is refused, and left as it is.
team_sql() { PGOPTIONS="-c search_path=team" psql -X -q -At "$url" -c "$1"; }
team_sql "INSERT INTO schema_version (version, name) VALUES (999, 'from the future')"
run 1 "$SK" experiments
has "$T/err" "this database has schema version 999, this scorekit knows up to"
has "$T/err" "upgrade scorekit"
team_sql "DELETE FROM schema_version WHERE version = 999"
run 0 "$SK" experiments

# Cells and scores name their experiment, checked once per statement
# (schema 18): a row of no experiment is refused as a foreign key refuses
# it, and deleting an experiment deletes its cells and scores.
if team_sql "INSERT INTO scores (experiment_id, row_id, trial, scorer, kind)
        VALUES ('nope', 'r0', 0, 'x', 'score')" 2>"$T/pgerr"; then
    fail "a score of no experiment was accepted"
fi
has "$T/pgerr" 'ERROR:  insert or update on table "scores" names experiment "nope"'
if team_sql "INSERT INTO cells (experiment_id, row_id, trial, pos, completed_at)
        VALUES ('$first', 'r0', 9, 0, 'now'), ('nope', 'r0', 0, 0, 'now')" 2>"$T/pgerr"; then
    fail "a cell of no experiment was accepted"
fi
has "$T/pgerr" 'on table "cells" names experiment "nope"'
PGOPTIONS="-c search_path=team" psql -X -q -At "$url" >"$T/pgout" <<XEOFSQL
BEGIN;
SELECT count(*) FROM cells WHERE experiment_id = '$first';
DELETE FROM experiments WHERE id = '$first';
SELECT count(*) FROM cells WHERE experiment_id = '$first';
SELECT count(*) FROM scores WHERE experiment_id = '$first';
ROLLBACK;
XEOFSQL
[ "$(tr '\n' ' ' <"$T/pgout")" = "12 0 0 " ] || fail "deleting an experiment: $(cat "$T/pgout")"
run 0 "$SK" export "$first"
[ "$(wc -l <"$T/out")" -eq 12 ] || fail "the experiment lost cells: $(wc -l <"$T/out")"

# A password in the URL is refused, and a server that is not there named.
SCOREKIT_STORE="postgres://scorekit:secret@127.0.0.1:1/scorekit" run 1 "$SK" experiments
has "$T/err" "it holds a password; take it out and give it in the environment (PGPASSWORD)"
lacks "$T/err" "secret"
SCOREKIT_STORE="postgres://scorekit@127.0.0.1:1/scorekit" run 1 "$SK" experiments
has "$T/err" "cannot connect to PostgreSQL"
has "$T/err" "127.0.0.1"
has "$T/err" "check that the server runs"

# An interrupted run (killed while its call for r3 waits), then two new
# runs and its resume, all at once.
rm -f calls.log
touch hold-r3
"$SK" run --name victim --dataset rows --set provider=exec --set 'command=["./task.sh"]' -j 1 \
    --no-progress >/dev/null 2>&1 &
pid=$!
victim_at_r3() { grep -qx r3 calls.log 2>/dev/null; }
wait_for victim_at_r3
kill -9 $pid
wait $pid 2>/dev/null
rm -f hold-r3
"$SK" experiments >"$T/list" 2>&1
victim=$(awk '/ victim / {print $1}' "$T/list")
[ -n "$victim" ] || fail "the killed run is not listed"
"$SK" run --name p1 --dataset rows --set provider=exec --set 'command=["./task.sh"]' -j 2 --trials 2 --no-progress >"$T/p1" 2>&1 &
p1=$!
(cd ../b && "$SK" run --name p2 --dataset rows --set provider=exec --set 'command=["./task.sh"]' -j 2 --trials 2 --no-progress >"$T/p2" 2>&1) &
p2=$!
"$SK" run --resume "$victim" -j 2 --no-progress >"$T/p3" 2>&1 &
p3=$!
wait $p1 || fail "run p1 failed: $(cat "$T/p1")"
wait $p2 || fail "run p2 failed: $(cat "$T/p2")"
wait $p3 || fail "the resume failed: $(cat "$T/p3")"
run 0 "$SK" experiments
grep -E "^$victim +victim .* done .* 12 " "$T/out" >/dev/null || fail "victim not done with 12 cells: $(cat "$T/out")"
grep -E " p1 .* done .* 24 " "$T/out" >/dev/null || fail "p1 not done with 24 cells"
grep -E " p2 .* done .* 24 " "$T/out" >/dev/null || fail "p2 not done with 24 cells"
# The victim's rows r0..r2 ran once (before the kill), r3 twice (killed
# while it ran, then again), the rest once: the resume ran only what was missing.
run 0 "$SK" export "$victim"
[ "$(wc -l <"$T/out")" = 12 ] || fail "victim exported $(wc -l <"$T/out") cells, wanted 12"

# The server killed in the middle of a run: the run stops naming the
# server; what it committed stays, and --resume finishes after a restart.
touch hold-r6
"$SK" run --name crash --dataset rows --set provider=exec --set 'command=["./task.sh"]' -j 1 \
    --no-progress >"$T/crash.out" 2>"$T/crash.err" &
pid=$!
crash_at_r6() { grep -qx r6 calls.log 2>/dev/null && [ "$(grep -cx r6 calls.log)" -ge 1 ]; }
: >calls.log
wait_for crash_at_r6
"$SK_SRCDIR/tests/pg/server.sh" kill "$PG"
rm -f hold-r6
wait $pid
[ $? -ne 0 ] || fail "the run did not fail when the server went away"
has "$T/crash.err" "127.0.0.1:$(cat "$PG/port")"
"$SK_SRCDIR/tests/pg/server.sh" restart "$PG" || fail "cannot restart PostgreSQL"
run 0 "$SK" experiments
crash=$(awk '/ crash / {print $1}' "$T/out")
[ -n "$crash" ] || fail "the crashed run is not listed"
run 0 "$SK" run --resume "$crash" --no-progress
run 0 "$SK" export "$crash"
[ "$(wc -l <"$T/out")" = 12 ] || fail "crash exported $(wc -l <"$T/out") cells after resume, wanted 12"

# store copy: the whole history to a SQLite file, back into a new schema,
# and the same experiments listed from each.
run 0 "$SK" experiments
cp "$T/out" "$T/list.pg"
run 0 "$SK" store copy --to "$T/copy.db"
has "$T/out" "done: every table verified"
run 0 "$SK" store copy --to "$T/copy.db"
has "$T/out" "already there, verified"
run 0 "$SK" store copy --to "$url?schema=team2" --json
has "$T/out" '"table":"cells","rows":'
SCOREKIT_STORE="$url?schema=team2" run 0 "$SK" experiments
cmp -s "$T/out" "$T/list.pg" || fail "the copy lists other experiments: $(diff "$T/list.pg" "$T/out")"
run 0 "$SK" init "$T/solo"
mkdir -p "$T/solo/.scorekit" && cp "$T/copy.db" "$T/solo/.scorekit/scorekit.db"
run 0 "$SK" -C "$T/solo" experiments
cmp -s "$T/out" "$T/list.pg" || fail "the SQLite copy lists other experiments"
run 0 "$SK" -C "$T/solo" store copy --to "$url?schema=team"
has "$T/out" "already there, verified"
# A SQLite store an older scorekit wrote may hold bytes that are not UTF-8,
# which PostgreSQL refuses: they arrive as U+FFFD, and the copy verifies.
sqlite3 "$T/solo/.scorekit/scorekit.db" "UPDATE cells SET task_error = CAST(X'626164FF' AS TEXT)
    WHERE experiment_id = (SELECT min(experiment_id) FROM cells)"
run 0 "$SK" -C "$T/solo" store copy --to "$url?schema=team3"
has "$T/out" "done: every table verified"
[ "$(PGOPTIONS="-c search_path=team3" psql -X -q -At "$url" -c \
    "SELECT DISTINCT task_error FROM cells WHERE task_error LIKE 'bad%'")" = "$(printf 'bad\357\277\275')" ] ||
    fail "the bytes that are not UTF-8 did not arrive as U+FFFD"

[ "$failures" = 0 ] || { echo "$failures check(s) failed" >&2; exit 1; }
