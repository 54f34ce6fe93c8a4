#!/bin/sh
# Issue 12 item 4: every command that makes something takes --json and then
# prints one JSON object (the id, counts, errors, paths) and nothing else
# on stdout, so a script need not list experiments to learn what it made.
. "$SK_SRCDIR/tests/cli/lib.sh"

# one_json FILE: FILE is exactly one line holding one JSON object.
one_json() {
    lines "$1" 1
    case $(head -c 1 "$1") in "{") ;; *) fail "$1 is not a JSON object: $(head -c 200 "$1")" ;; esac
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert isinstance(o, dict)' \
            "$1" || fail "$1 is not valid JSON: $(head -c 200 "$1")"
    fi
}
# field FILE KEY: the string value of top-level KEY.
field() {
    sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" "$1"
}

P="$T/p"
run 0 "$SK" init "$P" --json
one_json "$T/out"
has "$T/out" "\"dir\":\"$P\""
has "$T/out" "\"created\":[\"$P/scorekit.json\",\"$P/pack.json\",\"$P/data.jsonl\"]"

run 0 "$SK" -C "$P" new scorer brevity --json
one_json "$T/out"
has "$T/out" '"kind":"lua"'
has "$T/out" '"use":"lua:scorers/brevity.lua"'
has "$T/out" "scorers/brevity.lua\"]"
[ -f "$P/scorers/brevity.lua" ] || fail "new --json wrote no scorer"

run 0 "$SK" -C "$P" dataset import qa "$P/data.jsonl" --json
one_json "$T/out"
has "$T/out" '"name":"qa","version":1,"ref":"qa@1","rows":5'

run 0 "$SK" -C "$P" run --dataset qa --trials 2 --no-progress --json
one_json "$T/out"
has "$T/out" '"status":"done"'
has "$T/out" '"cells":10,"ran":10,"skipped":0'
has "$T/out" '"store":"'
has "$T/out" '"summary":{"cells":10'
id=$(field "$T/out" id)
[ -n "$id" ] || fail "run --json gave no id"

run 0 "$SK" -C "$P" baseline set "$id" --note first --json
one_json "$T/out"
has "$T/out" "\"experiment\":\"$id\""
has "$T/out" '"note":"first"'

run 0 "$SK" -C "$P" rescore "$id" --no-progress --json
one_json "$T/out"
has "$T/out" "\"origin\":\"$id\""
has "$T/out" '"cells":10'
rid=$(field "$T/out" id)
[ -n "$rid" ] && [ "$rid" != "$id" ] || fail "rescore --json gave no new id"

run 0 "$SK" -C "$P" export "$id" --output "$T/cells.jsonl" --json
one_json "$T/out"
has "$T/out" "\"experiment\":\"$id\",\"path\":\"$T/cells.jsonl\",\"cells\":10,\"task_errors\":0"
lines "$T/cells.jsonl" 10
run 64 "$SK" -C "$P" export "$id" --json
has "$T/err" "export --json needs --output FILE"
lines "$T/out" 0

# A run whose cells fail still prints its one object, with the errors.
cat >"$P/bad.json" <<'JSON'
{"name": "p", "dataset": "data.jsonl", "pack": "pack.json",
 "task": {"provider": "exec", "command": ["false"]}}
JSON
cp "$P/bad.json" "$P/scorekit.json"
run 2 "$SK" -C "$P" run --dataset qa --no-progress --json
one_json "$T/out"
has "$T/out" '"task_errors":5'
finish
