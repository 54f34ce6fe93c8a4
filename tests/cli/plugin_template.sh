#!/bin/sh
# The out-of-tree plugin template builds with pkg-config and scores.
. "$SK_SRCDIR/tests/cli/lib.sh"
cp -R "$SK_SRCDIR/examples/plugin-template" "$T/tpl"
chmod -R u+w "$T/tpl"
PKG_CONFIG_PATH="$SK_BUILDDIR${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
    run 0 make -C "$T/tpl"
[ -f "$T/tpl/length_ratio.so" ] || fail "template did not build"
export SCOREKIT_PLUGIN_PATH="$SCOREKIT_PLUGIN_PATH:$T/tpl"
cat >"$T/d.jsonl" <<'D'
{"id": "same", "output": "abcd", "expected": "abcd"}
{"id": "long", "output": "abcdabcdabcd", "expected": "abcd"}
{"id": "huge", "output": "abcdabcdabcdabcdabcd", "expected": "abcd"}
D
run 0 "$SK" score "$T/d.jsonl" --scorer length_ratio --json
grep -F '"id":"same"' "$T/out" | grep -qF '"length_ratio":{"score":1}' || fail "same length"
grep -F '"id":"long"' "$T/out" | grep -qF '"score":0.5,"rationale":"output is 3.00 times' ||
    fail "3x length"
grep -F '"id":"huge"' "$T/out" | grep -qF '"score":0,' || fail "5x length"
cat >"$T/p.json" <<'P'
{"name": "t", "scorers": [{"use": "template/length_ratio", "params": {"min_ratio": 3, "max_ratio": 1}}]}
P
run 1 "$SK" score "$T/d.jsonl" --pack "$T/p.json"
has "$T/err" "need 0 < min_ratio <= max_ratio"
finish
