#!/bin/sh
# Stopping a run.  Killed with SIGKILL, it takes its commands with it: the
# exec task's processes, and what they started, are killed by the run's
# guard process (task/child_guard.c) instead of running on with nobody to
# read them.  One Ctrl-C lets the cells under way finish and records them;
# a second stops at once, commands included.  Either way --resume runs
# what is missing.  The tasks record their pids and wait while a file says
# so, so the test, not the clock, decides where a run stands.
. "$SK_SRCDIR/tests/cli/lib.sh"
# Whatever happens, the test leaves no process behind (and kills only its
# own: a pid is checked to still run the task or its sleep).
cleanup() {
    for f in "$T"/p/pid-* "$T"/p/child-*; do
        [ -f "$f" ] || continue
        p=$(cat "$f")
        grep -aq 'task.sh\|sleep' "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p" 2>/dev/null
    done
    rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1
i=0
while [ $i -lt 6 ]; do
    echo "{\"id\": \"r$i\", \"input\": \"q$i\"}"
    i=$((i + 1))
done >rows.jsonl
run 0 "$SK" dataset import rows rows.jsonl
cat >task.sh <<'A'
#!/bin/sh
read -r row
id=$(printf '%s' "$row" | sed -n 's/^{"id": "\([^"]*\)".*/\1/p')
sleep 120 &
echo $! >"child-$id.tmp" && mv "child-$id.tmp" "child-$id"
echo $$ >"pid-$id.tmp" && mv "pid-$id.tmp" "pid-$id"
wait
A
chmod +x task.sh

# gone PID: no such process, or only its zombie (killed, not yet reaped by
# whoever inherited it).
gone() {
    [ ! -e "/proc/$1" ] || [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" = Z ]
}
two_started() { [ "$(ls pid-* child-* 2>/dev/null | wc -l)" -ge 4 ]; }
all_gone() {
    for f in pid-* child-*; do gone "$(cat "$f")" || return 1; done
}

"$SK" run --name victim --dataset rows --set provider=exec --set 'command=["./task.sh"]' -j 2 \
    --no-progress >/dev/null 2>&1 &
pid=$!
wait_for two_started
for f in pid-* child-*; do
    gone "$(cat "$f")" && fail "$f: $(cat "$f") is not running before the kill"
done
kill -9 $pid
wait $pid 2>/dev/null
n=0
while [ $n -lt 100 ] && ! all_gone; do # 10 s at most
    sleep 0.1
    n=$((n + 1))
done
for f in pid-* child-*; do
    gone "$(cat "$f")" || fail "$f: $(cat "$f") still runs after the run was killed"
done

# The killed run resumes as ever; a finished run leaves no guard holding
# its output open (a pipe's reader sees the end).
rm -f pid-* child-*
cat >task.sh <<'A'
#!/bin/sh
read -r row
echo '"ok"'
A
id=$("$SK" experiments --json | sed -n 's/.*"id":"\([^"]*\)","name":"victim".*/\1/p')
[ -n "$id" ] || fail "the killed run is not listed"
timeout 60 sh -c "\"$SK\" run --resume $id --no-progress | cat >\"$T/out\""
[ $? = 0 ] || fail "the resumed run, piped, did not end (status $?)"
has "$T/out" "6 of 6 cells"

# Ctrl-C.  The task logs each row and waits while hold-ROW exists (at most
# 60 s), its pid in pid-ROW (lib.sh).
hold_task task.sh
in_r2() { grep -qx r2 calls.log 2>/dev/null && [ -f pid-r2 ]; }
said_stopping() { grep -q "Ctrl-C again to stop at once" "$T/int.err"; }

# Once: r2, under way, finishes and is recorded; nothing after it starts.
rm -f calls.log pid-*
touch hold-r2
"$SK" run --name once --dataset rows --set provider=exec --set 'command=["./task.sh"]' -j 1 \
    --no-progress >"$T/int.out" 2>"$T/int.err" &
pid=$!
wait_for in_r2
kill -INT $pid
wait_for said_stopping
kill -0 $pid 2>/dev/null || fail "one Ctrl-C: the run ended before the cell under way"
rm -f hold-r2
wait $pid
st=$?
[ "$st" = 130 ] || fail "one Ctrl-C: exit status $st, wanted 130"
has "$T/int.err" "interrupted: 3 cells recorded; finish with: scorekit run --resume"
[ "$(tr '\n' ' ' <calls.log)" = "r0 r1 r2 " ] || fail "one Ctrl-C: called for $(tr '\n' ' ' <calls.log)"
id=$(sed -n 's/.*scorekit run --resume \([^ ]*\).*/\1/p' "$T/int.err")
run 0 "$SK" run --resume "$id" --no-progress
has "$T/out" "6 of 6 cells"
[ "$(sort calls.log | tr '\n' ' ')" = "r0 r1 r2 r3 r4 r5 " ] ||
    fail "resumed after one Ctrl-C: called for $(sort calls.log | tr '\n' ' ')"

# Twice: the run ends at once, as Ctrl-C ends a program (or a kill), and
# r2's command goes with it.  What was recorded stays (r0 and r1 are, once
# a hand-over has come: they finish at once, and the run hands its cells
# over at least every 0.2 s), and --resume runs the rest, r2 again.
rm -f calls.log pid-*
touch hold-r2
"$SK" run --name twice --dataset rows --set provider=exec --set 'command=["./task.sh"]' -j 1 \
    --no-progress >"$T/int.out" 2>"$T/int.err" &
pid=$!
recorded_2() {
    "$SK" experiments >"$T/list" 2>/dev/null && grep -E ' twice .* running .* 2/6 ' "$T/list" >/dev/null
}
wait_for in_r2
wait_for recorded_2
kill -INT $pid
wait_for said_stopping
kill -INT $pid
wait $pid
st=$?
[ "$st" = 130 ] || fail "two Ctrl-C: exit status $st, wanted 130"
r2=$(cat pid-r2)
n=0
while [ $n -lt 100 ] && ! gone "$r2"; do # 10 s at most
    sleep 0.1
    n=$((n + 1))
done
gone "$r2" || fail "two Ctrl-C: the command under way ($r2) still runs"
rm -f hold-r2
id=$("$SK" experiments --json | sed -n 's/.*"id":"\([^"]*\)","name":"twice".*/\1/p')
[ -n "$id" ] || fail "the run stopped twice is not listed"
run 0 "$SK" experiments
grep -E "^$id +twice .* interrupted .* 2/6 " "$T/out" >/dev/null ||
    fail "two Ctrl-C: the run is not shown interrupted with 2 of 6 cells: $(grep twice "$T/out")"
run 0 "$SK" run --resume "$id" --no-progress
has "$T/out" "6 of 6 cells"
[ "$(sort calls.log | tr '\n' ' ')" = "r0 r1 r2 r2 r3 r4 r5 " ] ||
    fail "resumed after two Ctrl-C: called for $(sort calls.log | tr '\n' ' ')"
finish
