#!/bin/sh
# `validate` draws run's progress bar, with the calls made of all it will
# make and an ETA, on a terminal, and nothing in a pipe (issue 12, item 6).
. "$SK_SRCDIR/tests/cli/lib.sh"
. "$SK_SRCDIR/tests/llm/server.sh"
unset OPENAI_MODEL ANTHROPIC_MODEL ANTHROPIC_API_KEY ANTHROPIC_BASE_URL
llm_server_start --truth "$SK_SRCDIR/core/validate/calibration"
export OPENAI_BASE_URL="$LLM_URL/v1" OPENAI_API_KEY=sk-test
cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1
cat >pack.json <<'P'
{"name": "judged", "scorers": [{"use": "factuality", "params": {"model": "sim:honest"}},
  {"use": "exact_match"}]}
P
# In a pipe: the report, and no bar.
run 0 "$SK" validate
grep -E '^factuality +PASS ' "$T/out" >/dev/null || fail "factuality should PASS"
lacks "$T/err" "ETA"
lacks "$T/out" "ETA"
lacks "$T/err" "validated"
if ! command -v script >/dev/null 2>&1; then
    echo "SKIP: no script(1) to give validate a terminal" >&2
    exit 77
fi
# On a terminal: the last frame counts every call of both scorers (each
# case's sides times its scorer's repeats) against the total it announced.
script -qec "'$SK' validate --no-cache" /dev/null >"$T/tty" 2>&1 </dev/null ||
    fail "validate under a pseudo-terminal"
has "$T/tty" "[##############################] 100% "
grep -E '100% ([0-9]+)/\1 calls .* ETA 0s' "$T/tty" >/dev/null ||
    fail "the last frame does not count every call with an ETA"
has "$T/tty" "/s  ETA"
# The model client's in-flight limit, at its ceiling while nothing pushes back.
has "$T/tty" "in flight <= 16/16"
script -qec "'$SK' validate --no-progress" /dev/null >"$T/tty" 2>&1 </dev/null
lacks "$T/tty" "ETA"
finish
