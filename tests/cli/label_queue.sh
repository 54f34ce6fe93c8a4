#!/bin/sh
# `scorekit label EXP --scorer S`, the labelling queue, driven in a real
# terminal (tmux): the row nearest the threshold comes first, the scorer's
# rationale stays hidden until r, p/f/digits store labels as they are given,
# u undoes the last one, q quits, and a second run goes on with the rows
# not labelled yet.  tmux is required: without it the test fails with the
# install hint.
. "$SK_SRCDIR/tests/cli/lib.sh"
command -v tmux >/dev/null || { fail "tmux is missing: install it (./install-deps --tests, or apt-get install tmux)"; exit 1; }

P="$T/p"
mkdir -p "$P"
cp "$SK_SRCDIR"/tests/fixtures/compare/* "$P/"
run 0 "$SK" -C "$P" dataset import qa "$P/real.jsonl"
run 0 "$SK" -C "$P" run --no-progress
EXP=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
[ -n "$EXP" ] || fail "no experiment id"

# A private tmux server (-L), so nothing of the user's is touched.
SOCK="sk-label-$$"
tm() { tmux -L "$SOCK" "$@"; }
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; rm -rf "$T"' EXIT
env_line="SCOREKIT_PLUGIN_PATH='$SCOREKIT_PLUGIN_PATH' SCOREKIT_LABELLER=ann"
# queue: start the queue in a fresh tmux session; its exit status goes to $T/rc.
queue() {
    rm -f "$T/rc"
    tm new-session -d -s q -x 160 -y 50 \
        "$env_line '$SK' -C '$P' label $EXP --scorer exact; echo \$? >'$T/rc'; sleep 30"
}
# screen: the pane's text in $T/screen.
screen() { tm capture-pane -p -t q >"$T/screen"; }
# wait_for TEXT: until the pane shows TEXT (at most 10 s).
wait_for() {
    for _ in $(seq 100); do
        screen
        grep -qF -- "$1" "$T/screen" && return 0
        sleep 0.1
    done
    fail "the queue never showed \"$1\"; it shows:"
    sed 's/^/  | /' "$T/screen" >&2
    return 1
}
key() { tm send-keys -t q "$1"; }

queue
# exact is 1 (pass) or 0, its threshold 1: the rows scoring 1 are nearest,
# by id; the first is g03 (g01, g02 are wrong in real.jsonl).
wait_for "row g03 (1 of 40; 0 labelled this session)"
has "$T/screen" "output:"
lacks "$T/screen" "rationale:"
key r
wait_for "rationale:"
has "$T/screen" "score 1.000 over 1 trial (cut 1.00)"
key x
key p
wait_for "1 labelled this session"
key f
wait_for "2 labelled this session"
key u
wait_for "1 labelled this session"
key 7
wait_for "2 labelled this session"
key q
for _ in $(seq 50); do [ -s "$T/rc" ] && break; sleep 0.1; done
[ "$(cat "$T/rc" 2>/dev/null)" = 0 ] || fail "the queue exited $(cat "$T/rc" 2>/dev/null)"
wait_for "2 labels stored for experiment:$EXP (scorer exact, by ann); run the same command to go on"
tm kill-session -t q
run 0 "$SK" -C "$P" label list "$EXP"
has "$T/out" "exact: 2 labels (1 pass, 0 fail, 1 graded) by ann"

# Again: the two rows labelled are not shown; the third comes first.
queue
wait_for "(1 of 38; 0 labelled this session)"
lacks "$T/screen" "row g03 "
key q
for _ in $(seq 50); do [ -s "$T/rc" ] && break; sleep 0.1; done
tm kill-session -t q
finish
