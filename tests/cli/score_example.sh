#!/bin/sh
# `scorekit score` on the bundled QA example, as the README shows it.
. "$SK_SRCDIR/tests/cli/lib.sh"
cp -R "$SK_SRCDIR/examples/qa" "$T/qa"
chmod -R u+w "$T/qa"

run 0 "$SK" -C "$T/qa" score --no-progress
has "$T/out" "20 rows scored with pack \"qa-heuristic\""
# Scoring with no model in the pack leaves the project as it was: no store.
[ ! -e "$T/qa/.scorekit" ] || fail "score made a store it does not need"
has "$T/out" "lowest-scoring rows:"
# exact_match (case and whitespace normalised): 12 of 20 rows are exact.
has "$T/out" "exact_match"
grep -E "^exact_match +0\.6000 " "$T/out" >/dev/null || fail "exact_match mean is not 0.6000"
# icontains: the expected answer appears in 15 outputs (not in geo-02,
# sci-02, sci-05, math-03, hist-03).
grep -E '^mentions_answer +0\.7500 +75\.0% +20 ' "$T/out" >/dev/null ||
    fail "mentions_answer is not 0.75 / 75%"
# concise: only sci-02 is over 25 words.
grep -E '^concise +0\.9500 +95\.0% ' "$T/out" >/dev/null || fail "concise is not 0.95"
has "$T/out" "sci-05"
# Each low row says why, from its lowest-scoring scorer.
has "$T/out" "why: exact_match: the texts (after normalisation) differ at character 1: output has \"jupiter\", expected \"mars\""

# The same from inside the folder, and with a pack swapped in.
(cd "$T/qa" && run 0 "$SK" score --no-progress)
has "$T/out" "20 rows scored"
# Without ignore_case, "Carbon dioxide" no longer matches: 11 of 20.
cat >"$T/one.json" <<'P'
{"name": "only-exact", "scorers": [{"use": "exact_match", "threshold": 1}]}
P
run 0 "$SK" -C "$T/qa" score --pack "$T/one.json" --no-progress
has "$T/out" "pack \"only-exact\""
lacks "$T/out" "similarity"
has "$T/out" "rows passing every threshold: 11 of 20 (55.0%)"

# Per-row JSONL: one line per row, in file order, summary on stderr.
run 0 "$SK" -C "$T/qa" score --json -j 3
lines "$T/out" 20
head -1 "$T/out" | grep -qF '{"id":"geo-01","line":1,' || fail "first JSON row is not geo-01"
tail -1 "$T/out" | grep -qF '"id":"hist-03"' || fail "last JSON row is not hist-03"
grep -F '"id":"geo-02"' "$T/out" | grep -qF '"exact_match":{"score":0' || fail "geo-02 exact"
has "$T/err" "20 rows scored"

# Thread count does not change results.
run 0 "$SK" -C "$T/qa" score --json -j 1
cp "$T/out" "$T/j1"
run 0 "$SK" -C "$T/qa" score --json -j 4
cmp -s "$T/j1" "$T/out" || fail "-j 1 and -j 4 differ"
# Nor with the scorers that parse JSON, on enough rows (a batch is 256) that
# every worker parses at once: the run .ci/run's ThreadSanitizer pass
# watches for a parser with shared state.
awk 'BEGIN {
    for (i = 0; i < 3000; i++)
        printf "{\"id\": \"r%d\", \"output\": \"[\\\"a\\\", %d, {\\\"big\\\": 900719925474099%d}]\", \"expected\": [%d, \"a\", {\"big\": 9007199254740992}]}\n", i, i, i % 4, i + i % 3
}' >"$T/json.jsonl"
cat >"$T/json-pack.json" <<'P'
{"name": "json", "scorers": [{"use": "exact_match"}, {"use": "json_diff"},
  {"use": "list_contains"}, {"use": "valid_json", "params": {"schema": {"type": "array"}}}]}
P
run 0 "$SK" score "$T/json.jsonl" --pack "$T/json-pack.json" --json -j 1
cp "$T/out" "$T/jj1"
run 0 "$SK" score "$T/json.jsonl" --pack "$T/json-pack.json" --json -j 4
lines "$T/out" 3000
cmp -s "$T/jj1" "$T/out" || fail "JSON scorers: -j 1 and -j 4 differ"
has "$T/err" "3000 rows scored"
grep -E '^exact_match +0\.0000 ' "$T/err" >/dev/null || fail "JSON rows: exact_match is not 0"
# A pack's params reach the scorer as written: a schema's enum of ids past
# 2^53 tells 9007199254740993 from 9007199254740992 (as doubles, one number)
# and says so with the digits; a malformed pack names the line, the column
# and what is wrong there.
cat >"$T/ids-pack.json" <<'P'
{"name": "ids", "scorers": [{"use": "valid_json",
  "params": {"schema": {"enum": [9007199254740993, 12345678901234567890]}}}]}
P
printf '%s\n' '{"id": "a", "input": "q", "output": "9007199254740993"}' \
    '{"id": "b", "input": "q", "output": "9007199254740992"}' \
    '{"id": "c", "input": "q", "output": "1.2345678901234567890e19"}' >"$T/ids.jsonl"
run 0 "$SK" score "$T/ids.jsonl" --pack "$T/ids-pack.json" --json --no-progress
has "$T/out" '"id":"a","line":1,"overall":1,'
has "$T/out" '9007199254740992 is not one of the allowed values [9007199254740993,12345678901234567890]'
has "$T/out" '"id":"c","line":3,"overall":1,'
printf '{"name": "p",\n "scorers": [{"use": "valid_json",}]}\n' >"$T/bad-pack.json"
run 1 "$SK" score "$T/ids.jsonl" --pack "$T/bad-pack.json" --no-progress
has "$T/err" "bad-pack.json:2:35: not valid JSON: trailing comma in object"

# A terminal gets a progress bar on stderr; a pipe does not.
lacks "$T/err" "rows  "
if command -v script >/dev/null 2>&1; then
    script -qec "'$SK' -C '$T/qa' score" /dev/null >"$T/tty" 2>&1 </dev/null ||
        fail "score under a pseudo-terminal"
    has "$T/tty" "[##############################] 100% 20/20 rows"
    run 0 "$SK" -C "$T/qa" score
    lacks "$T/err" "100% 20/20 rows"
    lacks "$T/out" "100% 20/20 rows"
fi
finish
