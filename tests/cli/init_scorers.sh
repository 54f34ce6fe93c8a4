#!/bin/sh
# `scorekit init` makes a project that works at once; `scorekit scorers`
# shows what there is, and refused plugins with their reasons.
. "$SK_SRCDIR/tests/cli/lib.sh"

run 0 "$SK" init "$T/p"
has "$T/out" "$T/p/scorekit.json"
run 0 "$SK" -C "$T/p" score --no-progress
has "$T/out" "5 rows scored with pack \"starter\""
run 1 "$SK" init "$T/p"
has "$T/err" "already exists"

run 0 "$SK" scorers
for s in exact_match levenshtein numeric_diff json_diff list_contains valid_json contains \
    icontains starts_with regex word_count; do
    has "$T/out" "  $s "
done
# Lua scorers usable by name are listed too.
has "$T/out" "lua:refusal"
has "$T/out" "lua:keywords"
run 0 "$SK" scorers --json
has "$T/out" '"name":	"levenshtein"'
run 0 "$SK" -C "$T/p" scorers --pack "$T/p/pack.json"
has "$T/out" "similarity (levenshtein)"
has "$T/out" "threshold 0.7"

export SCOREKIT_PLUGIN_PATH="$SCOREKIT_PLUGIN_PATH:$SK_BUILDDIR/tests/plugins/.libs"
run 0 "$SK" scorers
has "$T/err" "abi_future.so: plugin was built for scorekit plugin ABI 2, but this scorekit"
has "$T/err" "speaks ABI 1"
has "$T/err" "not_plugin.so: not a scorekit plugin"
run 1 "$SK" score "$T/p/data.jsonl" --scorer twin
has "$T/err" "plugins that were refused"
has "$T/err" "broken_table.so: plugin broken defines scorer twin twice"

# The project's own plugins/ folder is searched first.
mkdir -p "$T/p/plugins"
cp "$SK_BUILDDIR/tests/plugins/.libs/misbehave.so" "$T/p/plugins/"
export SCOREKIT_PLUGIN_PATH="$SK_BUILDDIR/plugins/.libs"
run 0 "$SK" -C "$T/p" scorers
has "$T/out" "plugin misbehave 1 ($T/p/plugins/misbehave.so)"
finish
