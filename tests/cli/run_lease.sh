#!/bin/sh
# Who runs an experiment: a run killed with SIGKILL shows as interrupted
# (not "running" forever), and two resumes started together run its
# missing cells once: one takes the experiment's lease, the other refuses
# and names the holder.  The task logs every call and waits while a file
# hold-ROW exists, so the test, not the clock, decides where a run stands.
. "$SK_SRCDIR/tests/cli/lib.sh"
cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1
i=0
while [ $i -lt 8 ]; do
    echo "{\"id\": \"r$i\", \"input\": \"q$i\", \"expected\": \"r$i\"}"
    i=$((i + 1))
done >rows.jsonl
run 0 "$SK" dataset import rows rows.jsonl
hold_task task.sh

# The first run records r0..r2, then its call for r3 waits: kill it there.
touch hold-r3
"$SK" run --name victim --dataset rows --set provider=exec --set 'command=["./task.sh"]' -j 1 \
    --no-progress >/dev/null 2>&1 &
pid=$!
recorded_3() {
    "$SK" experiments >"$T/list" 2>/dev/null &&
        grep -E ' victim .* running .* 3/8 ' "$T/list" >/dev/null && grep -qx r3 calls.log
}
wait_for recorded_3
kill -9 $pid
wait $pid 2>/dev/null
id=$(awk '/ victim / {print $1}' "$T/list")
[ -n "$id" ] || fail "the run was not listed"

# Its process is gone: interrupted, in every view.
run 0 "$SK" experiments
grep -E "^$id +victim .* interrupted .* 3/8 " "$T/out" >/dev/null ||
    fail "experiments: the killed run is not shown interrupted"
run 0 "$SK" experiments --json
has "$T/out" "\"id\":\"$id\",\"name\":\"victim\""
has "$T/out" '"status":"interrupted"'
lacks "$T/out" '"status":"running"'
run 0 "$SK" show "$id"
has "$T/out" "status:    interrupted"
run 0 "$SK" show "$id" --json
has "$T/out" '"status":"interrupted"'

# Two resumes at once.  The one that wins the lease runs r3, r4, then
# waits in r5; meanwhile the other must refuse.
rm -f hold-r3
before=$(wc -l <calls.log)
touch hold-r5
"$SK" run --resume "$id" -j 1 --no-progress >"$T/a.out" 2>"$T/a.err" &
a=$!
"$SK" run --resume "$id" -j 1 --no-progress >"$T/b.out" 2>"$T/b.err" &
b=$!
one_exited() { ! kill -0 $a 2>/dev/null || ! kill -0 $b 2>/dev/null; }
wait_for one_exited
rm -f hold-r5
wait $a
ra=$?
wait $b
rb=$?
if [ "$ra" = 0 ] && [ "$rb" = 1 ]; then
    winner=$a loser=b
elif [ "$ra" = 1 ] && [ "$rb" = 0 ]; then
    winner=$b loser=a
else
    fail "wanted one resume to finish (0) and one to refuse (1), got $ra and $rb"
    sed 's/^/  a: /' "$T/a.err" >&2
    sed 's/^/  b: /' "$T/b.err" >&2
    winner=none loser=none
fi
if [ "$loser" != none ]; then
    has "$T/$loser.err" "experiment $id is being run by pid $winner on "
    has "$T/$loser.err" "Wait for that run to finish, or stop it (kill $winner) and resume again"
    lacks "$T/$loser.err" "resume with"
    has "$T/$([ $loser = a ] && echo b || echo a).out" "8 of 8 cells"
fi
# Each missing cell ran exactly once.
tail -n +$((before + 1)) calls.log | sort >"$T/calls"
printf 'r3\nr4\nr5\nr6\nr7\n' >"$T/want"
cmp -s "$T/calls" "$T/want" || {
    fail "the resumes ran the missing cells other than once each:"
    sed 's/^/  | /' "$T/calls" >&2
}
run 0 "$SK" experiments
grep -E "^$id +victim .* done " "$T/out" >/dev/null || fail "the resumed run is not done"

# A finished run holds nothing: resuming it again runs nothing and is no
# conflict.
run 0 "$SK" run --resume "$id" --no-progress
has "$T/out" "8 of 8 cells"
finish
