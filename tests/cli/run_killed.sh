#!/bin/sh
# A run killed with SIGKILL takes its commands with it: the exec task's
# processes, and what they started, are killed by the run's guard process
# (task/child_guard.c) instead of running on with nobody to read them.
# The task records its pid and its child's, then waits on the child, so the
# test knows exactly which processes must go.
. "$SK_SRCDIR/tests/cli/lib.sh"
# Whatever happens, the test leaves no process behind.
trap 'for f in "$T"/p/pid-* "$T"/p/child-*; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done; rm -rf "$T"' EXIT
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
finish
