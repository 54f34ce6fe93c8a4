#!/bin/sh
# Issue 12 item 2: a key scorekit does not know, in scorekit.json, its
# "task" and "llm" objects or a pack, is an error that names the file, the
# line and the key it probably meant; never a setting silently ignored
# ("require_validatd": true used to turn the validation gate off).
. "$SK_SRCDIR/tests/cli/lib.sh"

P="$T/p"
run 0 "$SK" init "$P"
cp "$P/scorekit.json" "$T/good.json"

# scorekit.json, top level: the typo of a gate, and a key of another tool.
cat >"$P/scorekit.json" <<'JSON'
{
  "name": "p",
  "dataset": "data.jsonl",
  "pack": "pack.json",
  "require_validatd": true
}
JSON
run 1 "$SK" -C "$P" score --no-progress
has "$T/err" "scorekit.json:5: unknown key \"require_validatd\"; did you mean \"require_validated\"?"
has "$T/err" "(allowed: name, dataset, pack, task, jobs, require_validated,"
lines "$T/out" 0
sed -i 's/"require_validatd": true/"concurrency": 4/' "$P/scorekit.json"
run 1 "$SK" -C "$P" run
has "$T/err" "scorekit.json:5: unknown key \"concurrency\""
# Commands that only read the store check the file too.
run 1 "$SK" -C "$P" experiments
has "$T/err" "unknown key \"concurrency\""

# The task object: the provider's own keys, at the key's line.
cat >"$P/scorekit.json" <<'JSON'
{
  "name": "p",
  "dataset": "data.jsonl",
  "pack": "pack.json",
  "task": {
    "provider": "column",
    "feild": "output"
  }
}
JSON
run 1 "$SK" -C "$P" score --no-progress
has "$T/err" "scorekit.json:7: task: unknown key \"feild\" for the column provider; did you mean \"field\"?"
sed -i 's/"column"/"colum"/; s/"feild"/"field"/' "$P/scorekit.json"
run 1 "$SK" -C "$P" run
has "$T/err" "scorekit.json:6: task: unknown provider \"colum\"; did you mean \"column\"?"

# The llm object, down to a provider's keys.
cat >"$P/scorekit.json" <<'JSON'
{
  "name": "p", "dataset": "data.jsonl", "pack": "pack.json",
  "llm": {
    "providers": {
      "local": {"base_url": "http://127.0.0.1:9", "modle": "m"}
    }
  }
}
JSON
run 1 "$SK" -C "$P" score --no-progress
has "$T/err" "scorekit.json:5: llm.providers.local: unknown key \"modle\"; did you mean \"model\"?"

# A pack: its top level, an entry, and an entry's params, each at its line.
cp "$T/good.json" "$P/scorekit.json"
cat >"$P/pack.json" <<'JSON'
{
  "name": "starter",
  "scorer": []
}
JSON
run 1 "$SK" -C "$P" score --no-progress
has "$T/err" "pack.json:3: unknown key \"scorer\"; did you mean \"scorers\"?"
cat >"$P/pack.json" <<'JSON'
{
  "name": "starter",
  "scorers": [
    {"use": "exact_match"},
    {"use": "levenshtein",
     "treshold": 0.7}
  ]
}
JSON
run 1 "$SK" -C "$P" score --no-progress
has "$T/err" "pack.json:6: scorer #2: unknown key \"treshold\"; did you mean \"threshold\"?"
sed -i 's/"treshold"/"threshold"/; s/"exact_match"}/"exact_match", "params": {"ignore_cas": true}}/' \
    "$P/pack.json"
run 1 "$SK" -C "$P" score --no-progress
has "$T/err" "pack.json:4: scorer \"exact_match\": unknown param \"ignore_cas\" (did you mean \"ignore_case\"?)"

# Nothing near: no suggestion, still the list.
printf '{"name": "p", "pack": "pack.json", "colour": 1}\n' >"$P/scorekit.json"
run 1 "$SK" -C "$P" score --no-progress
has "$T/err" "scorekit.json:1: unknown key \"colour\" (allowed:"
lacks "$T/err" "did you mean"

# A correct file still loads.
cp "$T/good.json" "$P/scorekit.json"
printf '{"name": "s", "scorers": [{"use": "exact_match"}]}\n' >"$P/pack.json"
run 0 "$SK" -C "$P" score --no-progress
finish
