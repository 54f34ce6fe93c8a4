#!/bin/sh
# `scorekit dataset`: import the example data into a project's store, list,
# show and export it; a changed file makes version 2 while version 1 stays
# as it was; a malformed file is refused with FILE:LINE and writes nothing;
# CSV files import too.
. "$SK_SRCDIR/tests/cli/lib.sh"

QA="$SK_SRCDIR/examples/qa/data.jsonl"
nrows=$(grep -c . "$QA")

# Datasets need a project.
mkdir "$T/empty"
run 1 "$SK" -C "$T/empty" dataset list
has "$T/err" "no scorekit.json here"
has "$T/err" "scorekit init"
[ ! -e "$T/empty/.scorekit" ] || fail "a store was created outside a project"

run 0 "$SK" init "$T/p"
P="$T/p"
run 0 "$SK" -C "$P" dataset list
has "$T/out" "no datasets yet"
[ -n "${SCOREKIT_STORE:-}" ] || [ -f "$P/.scorekit/scorekit.db" ] || fail "no store in $P/.scorekit"

run 0 "$SK" -C "$P" dataset import qa "$QA"
has "$T/out" "imported $nrows rows from $QA as qa@1"

run 0 "$SK" -C "$P" dataset list
has "$T/out" "dataset  version     rows  created"
grep -qE "^qa +1 +$nrows +20[0-9-]+T[0-9:]+Z +$QA\$" "$T/out" || fail "list: $(cat "$T/out")"
run 0 "$SK" -C "$P" dataset list --json
has "$T/out" "[{\"name\": \"qa\", \"version\": 1, \"rows\": $nrows, \"created_at\": \"20"

run 0 "$SK" -C "$P" dataset show qa --rows 2
has "$T/out" "dataset:   qa@1"
has "$T/out" "rows:      $nrows"
has "$T/out" "source:    $QA"
has "$T/out" "metadata:  topic"
has "$T/out" "first 2 rows:"
has "$T/out" '  "geo-01"'
has "$T/out" '    input:    "What is the capital of France?"'
has "$T/out" '    expected: "Paris"'
has "$T/out" '  "geo-02"'
lacks "$T/out" "geo-03"
run 0 "$SK" -C "$P" dataset show qa --json --rows 1
has "$T/out" '{"name": "qa", "version": 1, "latest": 1, "rows": '
has "$T/out" '"metadata_keys": ["topic"], "first_rows": [{"id": "geo-01", "input": "What is'

# The export is the file, byte for byte (same key order and spacing).
run 0 "$SK" -C "$P" dataset export qa
cmp -s "$T/out" "$QA" || fail "export differs from $QA"
cp "$T/out" "$T/v1.jsonl"

# A changed file is version 2; version 1 stays readable and unchanged.
{
    sed 's/"Canberra"/"Canberra, ACT"/' "$QA"
    echo '{"id": "new-01", "input": "2+2?", "expected": "4", "metadata": {"topic": "math", "level": 1}}'
} >"$T/v2.jsonl"
run 0 "$SK" -C "$P" dataset import qa "$T/v2.jsonl"
has "$T/out" "as qa@2"
run 0 "$SK" -C "$P" dataset list
grep -qE "^qa +2 +$((nrows + 1)) " "$T/out" || fail "list after v2: $(cat "$T/out")"
run 0 "$SK" -C "$P" dataset export qa@1
cmp -s "$T/out" "$T/v1.jsonl" || fail "qa@1 changed after importing v2"
run 0 "$SK" -C "$P" dataset export qa
cmp -s "$T/out" "$T/v2.jsonl" || fail "qa@2 export differs from its file"
run 0 "$SK" -C "$P" dataset show qa@1 --rows 0
has "$T/out" "dataset:   qa@1 (the newest is qa@2)"
# Not "first" alone: the source path may hold that word.
lacks "$T/out" "first 0 rows"
lacks "$T/out" " rows:"
run 0 "$SK" -C "$P" dataset show qa
has "$T/out" "metadata:  level, topic"

# A malformed file: FILE:LINE, and nothing written.
"$SK" -C "$P" dataset list >"$T/list_before"
printf '{"id": "a", "input": 1}\n{"id": "b", "input": 2}\n{"id": "c", "input": \n' >"$T/bad.jsonl"
run 1 "$SK" -C "$P" dataset import qa "$T/bad.jsonl"
has "$T/err" "$T/bad.jsonl:3: column "
has "$T/err" "nothing was imported"
run 1 "$SK" -C "$P" dataset import fresh "$T/bad.jsonl"
printf '{"id": "a", "input": 1}\n{"id": "b", "input": 2}\n{"id": "a", "input": 3}\n' >"$T/dup.jsonl"
run 1 "$SK" -C "$P" dataset import qa "$T/dup.jsonl"
has "$T/err" "$T/dup.jsonl:3: duplicate id \"a\" (first on line 1)"
"$SK" -C "$P" dataset list >"$T/list_after"
cmp -s "$T/list_before" "$T/list_after" || fail "a refused import changed the list"
run 1 "$SK" -C "$P" dataset show fresh
has "$T/err" "no dataset \"fresh\" in this project"
# A number beyond a double is refused with its place, in JSONL and in CSV's
# JSON cells; CSV's plain cells are text and stay as written.
printf '{"id": "a", "input": 1}\n{"id": "b", "input": 2, "expected": [1, -1e999]}\n' >"$T/huge.jsonl"
run 1 "$SK" -C "$P" dataset import qa "$T/huge.jsonl"
has "$T/err" "$T/huge.jsonl:2: column 41: number -1e999 is too large for a double"
has "$T/err" "nothing was imported"
printf 'input,expected,metadata\nx,1e999,"{""n"": 2e999}"\n' >"$T/huge.csv"
run 1 "$SK" -C "$P" dataset import qa "$T/huge.csv"
has "$T/err" "$T/huge.csv:2: metadata: column 7: number 2e999 is too large for a double"
"$SK" -C "$P" dataset list >"$T/list_after"
cmp -s "$T/list_before" "$T/list_after" || fail "a refused import changed the list"
printf 'input,expected\nx,1e999\n' >"$T/text.csv"
run 0 "$SK" -C "$P" dataset import huge "$T/text.csv"
run 0 "$SK" -C "$P" dataset export huge
has "$T/out" '"expected": "1e999"'

# CSV: quotes, a line break inside quotes, CRLF, tags and metadata.KEY.
printf 'id,input,expected,tags,metadata.topic\r\nc1,"Say ""hi""",hi,"greeting, easy",chat\r\nc2,"two\nlines",,,\r\n' >"$T/d.csv"
run 0 "$SK" -C "$P" dataset import chat "$T/d.csv"
has "$T/out" "imported 2 rows from $T/d.csv as chat@1"
run 0 "$SK" -C "$P" dataset export chat
has "$T/out" '{"id": "c1", "input": "Say \"hi\"", "expected": "hi", "metadata": {"topic": "chat"}, "tags": ["greeting", "easy"]}'
has "$T/out" '{"id": "c2", "input": "two\nlines"}'
lines "$T/out" 2
printf 'input,answer\nx,1\n' >"$T/u.csv"
run 1 "$SK" -C "$P" dataset import chat "$T/u.csv"
has "$T/err" "$T/u.csv:1: unknown column \"answer\""
printf 'input,expected\nx,1\ny\n' >"$T/r.csv"
run 1 "$SK" -C "$P" dataset import chat "$T/r.csv"
has "$T/err" "$T/r.csv:3: 1 field, the header has 2"

run 0 "$SK" -C "$P" dataset list --json
has "$T/out" '"name": "chat", "version": 1, "rows": 2'

# Bad references and usage.
run 64 "$SK" -C "$P" dataset show "qa@x"
has "$T/err" "bad dataset reference \"qa@x\""
run 1 "$SK" -C "$P" dataset export qa@9
has "$T/err" "dataset \"qa\" has no version 9; its versions are 1 to 2"
run 64 "$SK" -C "$P" dataset import "bad name" "$QA"
has "$T/err" "bad dataset name \"bad name\""
run 64 "$SK" -C "$P" dataset frobnicate
has "$T/err" "unknown dataset command \"frobnicate\""
run 64 "$SK" -C "$P" dataset
run 0 "$SK" dataset --help
has "$T/out" "scorekit dataset import NAME FILE"
finish
