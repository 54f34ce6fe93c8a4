#!/bin/sh
# Topics (issue 14): `scorekit topics` on an experiment with two planted
# topics (one failing 4 of its 6 rows, the other none), on a dataset and on
# a log file; `topics show` and `list`; `dataset add --topic RUN:T` with
# provenance and deduplication; malformed input gives a clear error and
# stores nothing.
. "$SK_SRCDIR/tests/cli/lib.sh"

P="$T/p"
mkdir -p "$P"
cat >"$P/scorekit.json" <<'J'
{"name": "topics", "dataset": "tickets", "task": {"provider": "column", "field": "output"},
 "pack": "pack.json"}
J
cat >"$P/pack.json" <<'J'
{"name": "topics", "version": "1",
 "scorers": [{"use": "exact_match", "as": "exact", "threshold": 1}]}
J
# Two topics; within each, rows differ only by a word no other row has
# (dropped: a term must be in two rows), so k = 2 has silhouette 1.  The
# refund rows r1-r4 fail (output "no"), r5 and r6 pass; every password
# row passes.
{
    i=1
    for w in alpha bravo charlie delta echo foxtrot; do
        out=no
        [ $i -ge 5 ] && out=ok
        printf '{"id": "r%d", "input": "refund order %s", "expected": "ok", "output": "%s", "metadata": {"kind": "refund"}}\n' $i $w $out
        i=$((i + 1))
    done
    for w in golf hotel india juliet kilo lima; do
        printf '{"id": "p%d", "input": "password reset %s", "expected": "ok", "output": "ok", "metadata": {"kind": "password"}}\n' $i $w
        i=$((i + 1))
    done
} >"$P/tickets.jsonl"
runs() { "$SK" -C "$P" topics list --json | tr '{' '\n' | grep -c '"id"'; }

run 0 "$SK" -C "$P" dataset import tickets "$P/tickets.jsonl"
run 0 "$SK" -C "$P" run --no-progress
EXP=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
[ -n "$EXP" ] || fail "no experiment id"

# ---- malformed input: a clear error, nothing stored ----
run 0 "$SK" -C "$P" topics list
has "$T/out" "no topic runs yet"
run 64 "$SK" -C "$P" topics "$EXP" -k abc
has "$T/err" "-k \"abc\": give a whole number from 1 to 200"
run 64 "$SK" -C "$P" topics "$EXP" -k 0
has "$T/err" "-k \"0\""
run 64 "$SK" -C "$P" topics "$EXP" --field expected
has "$T/err" "--field \"expected\": give input or output"
run 1 "$SK" -C "$P" topics "$EXP" -k 13
has "$T/err" "-k 13 is more topics than the 12 rows"
has "$T/err" "no topic run was stored"
run 1 "$SK" -C "$P" topics nosuchthing
has "$T/err" "no experiment, dataset or file \"nosuchthing\""
run 1 "$SK" -C "$P" topics dataset:nosuch
has "$T/err" "nosuch"
printf '{"input": "refund order x"}\n{"input": "refund order y", "oops": 1}\n' >"$P/bad.jsonl"
run 1 "$SK" -C "$P" topics "$P/bad.jsonl" -k 1
has "$T/err" "bad.jsonl:2: unknown field \"oops\""
run 1 "$SK" -C "$P" topics show nosuchrun
has "$T/err" "no topic run \"nosuchrun\" (\`scorekit topics list\` lists them)"
[ "$(runs)" = 0 ] || fail "a failed topics run stored something"

# ---- an experiment: k chosen, the failing topic first ----
run 0 "$SK" -C "$P" topics "$EXP" --json --truth metadata.kind
R=$(sed -n 's/^{"id":"\([0-9a-z]*\)".*/\1/p' "$T/out")
[ -n "$R" ] || fail "no run id in the JSON"
has "$T/out" "\"source\":\"experiment $EXP\",\"kind\":\"experiment\",\"field\":\"input\",\"k\":2,\"rows\":12"
has "$T/out" "\"k_chosen\":true,\"silhouette\":1,"
# Topic 1: the refund rows, 4 of 6 failing; topic 2: the password rows.
has "$T/out" "{\"topic\":1,\"label\":\"refund, order\",\"size\":6,\"example\":{\"id\":\"r1\""
has "$T/out" "\"judged\":6,\"failed\":4,\"fail_rate\":0.66666666666666663,\"scores\":{\"exact\":{\"mean\":0.33333333333333331,\"fail_rate\":0.66666666666666663}}"
has "$T/out" "{\"topic\":2,\"label\":\"password, reset\",\"size\":6"
has "$T/out" "\"judged\":6,\"failed\":0,\"fail_rate\":0,\"scores\":{\"exact\":{\"mean\":1,\"fail_rate\":0}}"
has "$T/out" "\"truth\":{\"key\":\"kind\",\"ari\":1}"
[ "$(runs)" = 1 ] || fail "topics stored $(runs) runs, wanted 1"

run 0 "$SK" -C "$P" topics show "$R"
has "$T/out" "topic run $R: 12 rows of experiment $EXP by their input, k 2 (chosen by silhouette, 1.000)"
has "$T/out" "  1       6   66.7%  refund, order"
has "$T/out" "     e.g. r1: refund order alpha"
has "$T/out" "     scores: exact 0.333 (fails 66.7%)"
has "$T/out" "  2       6    0.0%  password, reset"
run 0 "$SK" -C "$P" topics list
has "$T/out" "$R"
has "$T/out" "12 rows  experiment $EXP (input)"

# ---- dataset add --topic ----
before=$("$SK" -C "$P" dataset list --json)
run 1 "$SK" -C "$P" dataset add picked --topic "$R"
has "$T/err" "--topic \"$R\": write RUN:T"
has "$T/err" "nothing was added"
run 1 "$SK" -C "$P" dataset add picked --topic "$R:0"
has "$T/err" "write RUN:T"
run 1 "$SK" -C "$P" dataset add picked --topic "$R:3"
has "$T/err" "topic run $R has topics 1 to 2, not 3"
run 1 "$SK" -C "$P" dataset add picked --topic "nosuchrun:1"
has "$T/err" "no topic run \"nosuchrun\""
run 64 "$SK" -C "$P" dataset add picked --topic "$R:1" --from-logs "$P/tickets.jsonl"
has "$T/err" "exactly one source (two were given)"
[ "$("$SK" -C "$P" dataset list --json)" = "$before" ] || fail "a bad --topic wrote a dataset"

run 0 "$SK" -C "$P" dataset add picked --topic "$R:1" --note "refund cluster"
has "$T/out" "added 6 rows to picked@1 (6 rows)"
run 0 "$SK" -C "$P" dataset show picked --json
has "$T/out" "{\"id\": \"r1\", \"kind\": \"topic\", \"source\": \"topics $R topic 1\""
has "$T/out" "\"note\": \"refund cluster\""
lacks "$T/out" "\"p7\""
run 0 "$SK" -C "$P" dataset show picked
has "$T/out" "  r4: topics $R topic 1, "
# Again: every row is there already.
run 0 "$SK" -C "$P" dataset add picked --topic "$R:1"
has "$T/out" "nothing to add: 6 rows selected, all already in picked (no new version)"

# ---- a dataset and a log file as the source; outputs ----
run 0 "$SK" -C "$P" topics dataset:tickets -k 2 --json
has "$T/out" "\"source\":\"dataset tickets@1\",\"kind\":\"dataset\""
lacks "$T/out" "\"judged\""
run 0 "$SK" -C "$P" topics "$EXP" -k 2 --field output
has "$T/out" "by their output, k 2 (given)"
has "$T/out" "  1       4  100.0%  no"
run 0 "$SK" -C "$P" topics "$P/tickets.jsonl" -k 2 --truth metadata.kind
has "$T/out" "12 rows of file $P/tickets.jsonl by their input, k 2 (given)"
has "$T/out" "adjusted Rand index of the topics against metadata.kind: 1.0000"
F=$(sed -n 's/^topic run \([0-9a-z]*\): .*/\1/p' "$T/out")
# Rows of a file run keep their values and line.
run 0 "$SK" -C "$P" dataset add fromfile --topic "$F:2" --json
has "$T/out" "\"added\":6,"
run 0 "$SK" -C "$P" dataset show fromfile --json
has "$T/out" "\"kind\": \"topic\", \"source\": \"topics $F topic 2\""
has "$T/out" "\"file\": \"$P/tickets.jsonl\", \"line\": 1,"
[ "$(runs)" = 4 ] || fail "topics list has $(runs) runs, wanted 4"

# ---- two runs compared: the same rows plus six of a new topic ----
{
    cat "$P/tickets.jsonl"
    i=13
    for w in mike november oscar papa quebec romeo; do
        printf '{"id": "s%d", "input": "shipping delay %s", "expected": "ok", "output": "ok", "metadata": {"kind": "shipping"}}\n' $i $w
        i=$((i + 1))
    done
} >"$P/more.jsonl"
run 0 "$SK" -C "$P" topics "$P/more.jsonl" -k 3
G=$(sed -n 's/^topic run \([0-9a-z]*\): .*/\1/p' "$T/out")
run 0 "$SK" -C "$P" topics diff "$F" "$G"
has "$T/out" "12 rows in both, 0 only in $F, 6 only in $G"
grep -E '^  [0-9]+ +refund, order +6  ->  [0-9]+ +refund, order +6 +6 +1\.00$' "$T/out" >/dev/null ||
    fail "topics diff: the refund topic does not map whole: $(cat "$T/out")"
has "$T/out" "new in $G (no topic of $F shares 20% of it):"
grep -E '^  [0-9]+ +shipping, delay +6 rows$' "$T/out" >/dev/null || fail "no new shipping topic"
run 0 "$SK" -C "$P" topics diff "$F" "$G" --json
has "$T/out" '"rows_both":12,"rows_only_a":0,"rows_only_b":6'
has "$T/out" '"new_in_b":[{"b_topic":'
run 64 "$SK" -C "$P" topics diff "$F"
has "$T/err" "topics diff takes two runs"
run 1 "$SK" -C "$P" topics diff "$F" nosuchrun
has "$T/err" "no topic run \"nosuchrun\""
finish
