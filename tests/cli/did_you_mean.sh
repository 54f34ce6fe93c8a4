#!/bin/sh
# Issue 12 item 3: a mistyped command, option or scorer name gets the one
# it was probably meant to be; `scorekit help CMD` is CMD's own help.
. "$SK_SRCDIR/tests/cli/lib.sh"

run 64 "$SK" compre
has "$T/err" "unknown command \"compre\"; did you mean \"compare\"?"
lines "$T/out" 0
# Nothing near: the whole usage, as before.
run 64 "$SK" frobnicate
has "$T/err" "unknown command \"frobnicate\""
has "$T/err" "usage: scorekit"
lacks "$T/err" "did you mean"

# Options: a typo, and a word too many.
run 64 "$SK" compare --by-topic
has "$T/err" "unknown option --by-topic; did you mean --by? (\`scorekit compare --help\` lists the options)"
run 64 "$SK" score --jbos 2 "$SK_SRCDIR/examples/qa/data.jsonl"
has "$T/err" "unknown option --jbos; did you mean --jobs?"
run 64 "$SK" compare --base
has "$T/err" "option --base needs a value"
run 64 "$SK" compare --zzzzzz
has "$T/err" "unknown option --zzzzzz (\`scorekit compare --help\` lists the options)"

# Scorer names, on the command line and in a pack.
printf '{"id": "a", "output": "x", "expected": "x"}\n' >"$T/d.jsonl"
run 1 "$SK" score --no-progress --scorer levenstein "$T/d.jsonl"
has "$T/err" "no scorer named \"levenstein\""
has "$T/err" "did you mean \"levenshtein\"?"
run 1 "$SK" score --no-progress --scorer heuristic/exact_mach "$T/d.jsonl"
has "$T/err" "did you mean \"heuristic/exact_match\"?"
printf '{"name": "p", "scorers": [{"use": "levenstein"}]}\n' >"$T/pack.json"
run 1 "$SK" score --no-progress --pack "$T/pack.json" "$T/d.jsonl"
has "$T/err" "pack.json:1: scorer \"levenstein\": no scorer named \"levenstein\""
has "$T/err" "did you mean \"levenshtein\"?"

# help CMD prints what CMD --help prints, on stdout.
"$SK" compare --help >"$T/want"
run 0 "$SK" help compare
cmp -s "$T/out" "$T/want" || fail "help compare differs from compare --help"
has "$T/out" "usage: scorekit compare"
run 0 "$SK" help dataset import
has "$T/out" "usage: scorekit dataset import"
run 64 "$SK" help compre
has "$T/err" "did you mean \"compare\"?"
run 0 "$SK" help
has "$T/out" "scorekit help COMMAND"
finish
