#!/bin/sh
# A run whose task mostly failed does not look healthy (issue 12, item 9):
# the summary of `run` and of `show` leads with the task errors (count,
# share, the most common message) and labels the scores with the cells
# they are over.
. "$SK_SRCDIR/tests/cli/lib.sh"
cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1
cat >app.sh <<'A'
#!/bin/sh
read -r row
case "$row" in
*'"ok'*) printf '%s' "$row" | sed -n 's/.*"expected": *"\([^"]*\)".*/\1/p' ;;
*'"odd'*) echo "disk on fire" >&2; exit 4 ;;
*) echo "upstream timed out" >&2; exit 3 ;;
esac
A
chmod +x app.sh
i=1
while [ $i -le 7 ]; do
    echo "{\"id\": \"row$i\", \"input\": \"q$i\", \"expected\": \"a$i\"}"
    i=$((i + 1))
done >d.jsonl
echo '{"id": "ok1", "input": "q", "expected": "a"}' >>d.jsonl
echo '{"id": "odd1", "input": "q", "expected": "a"}' >>d.jsonl
run 0 "$SK" dataset import d d.jsonl

# 9 rows x 5 trials: 35 cells time out, 5 fail otherwise, 5 are scored.
check_summary() {
    has "$T/out" "task errors: 40 of 45 cells (88.9%); the most common, in 35: exit status 3"
    has "$T/out" "upstream timed out"
    has "$T/out" "scores over 5 of 45 cells"
    errors=$(grep -n '^task errors: ' "$T/out" | cut -d: -f1)
    over=$(grep -n '^scores over ' "$T/out" | cut -d: -f1)
    table=$(grep -n '^scorer ' "$T/out" | head -1 | cut -d: -f1)
    [ -n "$errors" ] && [ -n "$over" ] && [ -n "$table" ] &&
        [ "$errors" -lt "$over" ] && [ "$over" -lt "$table" ] ||
        fail "$1: the task errors and the cells the scores are over come before the scores"
    grep -E '^exact_match +1\.0000 ' "$T/out" >/dev/null || fail "$1: exact_match over 5 cells"
}
run 2 "$SK" run --dataset d --trials 5 --set provider=exec --set 'command=["./app.sh"]' \
    --no-progress
check_summary run
EXP=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
run 0 "$SK" show "$EXP"
check_summary show
run 0 "$SK" show "$EXP" --json --worst 0
has "$T/out" '"most_common_task_error":{"message":"exit status 3'
has "$T/out" '"cells":35}'
# Without task errors the summary is as before: no such lines.
run 0 "$SK" run --dataset d --set provider=exec --set 'command=["sh", "-c", "echo a"]' \
    --no-progress
lacks "$T/out" "task errors"
lacks "$T/out" "scores over"
finish
