#!/bin/sh
# scorekit run: experiments recorded in the store, exec tasks that fail in
# every way, and a run killed with SIGKILL that resumes to the same result
# as an uninterrupted one.
. "$SK_SRCDIR/tests/cli/lib.sh"
cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1
run 0 "$SK" dataset import starter data.jsonl

# A pack whose scorer cannot open (a pattern that does not compile) stops
# the run before anything is recorded.
printf '{"name": "bad", "scorers": [{"use": "exact_match"}, {"use": "regex", "params": {"pattern": "(unclosed"}}]}\n' \
    >badregex.json
run 1 "$SK" run --dataset starter --pack badregex.json --no-progress
has "$T/err" 'scorer regex could not open: regex: param "pattern" does not compile'
lacks "$T/err" "resume"
run 0 "$SK" experiments
has "$T/out" "no experiments yet"
run 0 "$SK" experiments --json
has "$T/out" "[]"

# The column task on the init project's rows.
run 0 "$SK" run --dataset starter --no-progress
has "$T/out" "5 of 5 cells"
grep -E '^exact_match +0\.6000 ' "$T/out" >/dev/null || fail "exact_match mean"
grep -E '^similarity +0\.6420 +60\.0% ' "$T/out" >/dev/null || fail "similarity mean"
run 0 "$SK" run --dataset starter --trials 3 -j 3 --no-progress
has "$T/out" "15 of 15 cells"
has "$T/out" "mean within-row standard deviation"

# A scorer that fails on one row: that cell's error, the rest score.
mkdir -p scorers
cat >scorers/picky.lua <<'L'
return { name = "picky", score = function(case)
  if case.id == "planet" then error("cannot judge planets") end
  return 1
end }
L
printf '{"name": "p", "scorers": [{"use": "lua:scorers/picky.lua"}, {"use": "exact_match"}]}\n' \
    >picky.json
run 2 "$SK" run --dataset starter --pack picky.json --no-progress
grep -E '^picky +1\.0000 .* 4 +0 +1$' "$T/out" >/dev/null || fail "picky: 4 scored, 1 error"
grep -E '^exact_match +0\.4000 .* 5 +0 +0$' "$T/out" >/dev/null || fail "exact_match unaffected"

# A scorer whose rationale and error messages are not UTF-8 (a Lua string
# holds any bytes): every cell is kept, on either backend (PostgreSQL
# refuses such text), each such byte stored as U+FFFD.
cat >scorers/bytes.lua <<'L'
return { name = "bytes", score = function(case)
  if case.id == "planet" then error("bad \255 error") end
  return { score = 0.5, rationale = "bad \255\254 bytes" }
end }
L
printf '{"name": "b", "scorers": [{"use": "lua:scorers/bytes.lua"}]}\n' >bytes.json
run 2 "$SK" run --dataset starter --pack bytes.json --no-progress
bytes=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
[ "$(sql . "SELECT count(*) FROM scores WHERE experiment_id = '$bytes'")" = 5 ] ||
    fail "scores whose text is not UTF-8 were lost"
sql . "SELECT kind, coalesce(rationale, message) FROM scores WHERE experiment_id = '$bytes'" \
    >"$T/bytes"
has "$T/bytes" "$(printf 'score|bad \357\277\275\357\277\275 bytes')"
has "$T/bytes" "$(printf 'bad \357\277\275 error')"

# A file named as the dataset is imported as a dataset named after it, a
# new version only when its rows change; a malformed file stops the run
# before anything is written.
run 0 "$SK" run --no-progress
has "$T/err" "data.jsonl: imported 5 rows as data@1"
has "$T/out" "5 of 5 cells"
run 0 "$SK" run --no-progress
lacks "$T/err" "imported"
cp data.jsonl data.orig
echo '{"id": "extra", "input": "1+1", "expected": "2", "output": "2"}' >>data.jsonl
run 0 "$SK" run --no-progress
has "$T/err" "imported 6 rows as data@2 (the file changed since the last version)"
has "$T/out" "6 of 6 cells"
n_exp=$("$SK" experiments | wc -l)
echo '{"id": "bad", "input": ' >>data.jsonl
run 1 "$SK" run --no-progress
has "$T/err" "data.jsonl:7:"
[ "$("$SK" experiments | wc -l)" = "$n_exp" ] || fail "a malformed dataset file records nothing"
"$SK" dataset list >"$T/out"
grep -E '^data +2 +6 ' "$T/out" >/dev/null || fail "no version made from the malformed file"
# The baseline (the run on data@2) goes stale when the file's rows change,
# and checking that writes no version.
run 0 "$SK" experiments
base=$(awk 'NR == 2 && / data@2 / {print $1}' "$T/out")
[ -n "$base" ] || fail "the newest experiment ran on data@2"
run 0 "$SK" baseline set "$base"
run 0 "$SK" baseline show
has "$T/out" "UNKNOWN: the project's configuration could not be compared"
has "$T/err" "data.jsonl:7:"
head -n 6 data.jsonl >data.now && mv data.now data.jsonl
# A number beyond a double in the dataset file stops the run the same way.
cp data.jsonl data.good
echo '{"id": "huge", "input": "big", "expected": 1e999}' >>data.jsonl
run 1 "$SK" run --no-progress
has "$T/err" "data.jsonl:7: column 44: number 1e999 is too large for a double"
[ "$("$SK" experiments | wc -l)" = "$n_exp" ] || fail "a dataset file with 1e999 records nothing"
mv data.good data.jsonl
run 0 "$SK" baseline show
has "$T/out" "current: the project's configuration matches its snapshot"
mv data.orig data.jsonl
run 0 "$SK" baseline show
has "$T/err" 'dataset version: "data@2" -> "data@3"'
"$SK" dataset list >"$T/out"
grep -E '^data +2 +6 ' "$T/out" >/dev/null || fail "checking the baseline wrote no version"
run 1 "$SK" run --dataset nope --no-progress
has "$T/err" "nope"

# exec: an app that answers, one that crashes, one that hangs, one that
# prints garbage; each failure is that cell's task error, never a score.
cat >app.sh <<'A'
#!/bin/sh
read -r row
case "$row" in
*capital-au*) echo "boom" >&2; exit 3 ;;
*boiling*) sleep 30 ;;
*author*) printf '\001\377not json{' ;;
esac
printf '%s' "$row" | sed -n 's/.*"expected": *"\([^"]*\)".*/\1/p'
A
chmod +x app.sh
run 2 "$SK" run --dataset starter --set provider=exec --set 'command=["./app.sh"]' \
    --set timeout_s=1 -j 4 --no-progress
has "$T/out" "5 of 5 cells"
has "$T/out" "task errors: 2"
# Three cells ran: two exact answers and the garbage-prefixed one.
grep -E '^exact_match +0\.6667 .* 3 +0 +0$' "$T/out" >/dev/null ||
    fail "exact_match over the 3 cells that ran"
run 1 "$SK" run --dataset starter --set provider=exec --set 'command=["./no-such-app"]' \
    --no-progress
has "$T/err" "no-such-app"

# SIGKILL in the middle, then --resume: the same cells as a clean run.
i=0
while [ $i -lt 60 ]; do
    echo "{\"id\": \"r$i\", \"input\": \"q$i\", \"expected\": \"a$i\"}"
    i=$((i + 1))
done >many.jsonl
run 0 "$SK" dataset import many many.jsonl
cat >slow.sh <<'A'
#!/bin/sh
read -r row
sleep 0.05
printf '%s' "$row" | sed -n 's/.*"expected": *"\([^"]*\)".*/\1/p'
A
chmod +x slow.sh
"$SK" run --name killed --dataset many --set provider=exec --set 'command=["./slow.sh"]' \
    -j 2 --no-progress >/dev/null 2>&1 &
pid=$!
# Wait (at most ~10 s) until some cells are recorded, then kill hard.
n=0
while [ $n -lt 100 ]; do
    "$SK" experiments >"$T/list" 2>/dev/null
    grep -E '^[0-9a-z]+ +killed .* running .* [1-9][0-9]*/60 ' "$T/list" >/dev/null && break
    sleep 0.1
    n=$((n + 1))
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
id=$(grep -E ' killed ' "$T/list" | awk '{print $1}')
[ -n "$id" ] || fail "the killed run was not listed"
"$SK" experiments >"$T/list"
grep -E " killed .* interrupted " "$T/list" >/dev/null || fail "the killed run shows as interrupted"
run 0 "$SK" run --resume "$id" -j 4 --no-progress
has "$T/out" "60 of 60 cells"
has "$T/out" "from before"
run 0 "$SK" run --name clean --dataset many --set provider=exec --set 'command=["./slow.sh"]' \
    -j 4 --no-progress
clean=$(sed -n 's/^experiment \([0-9a-z]*\):.*/\1/p' "$T/out")
strip() { sed 's/"latency_ms":[0-9.e+-]*,//' | sort; }
"$SK" export "$id" | strip >"$T/a"
"$SK" export "$clean" | strip >"$T/b"
lines "$T/a" 60
cmp -s "$T/a" "$T/b" || fail "the resumed run differs from the clean one"
finish
