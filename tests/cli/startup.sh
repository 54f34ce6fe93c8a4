#!/bin/sh
# Start-up: libcurl (and its ~30 dependencies) is loaded only when a model is
# called, SQLite only when a store is opened.  The dynamic loader's own log
# (LD_DEBUG=files) says which files a process loaded: `version` and a
# heuristic `score` outside a project load neither; a heuristic pack in a
# project with an "llm" config and a store loads no libcurl; a judge loads
# it on its first call and still scores.  A libcurl that cannot be loaded is
# that row's error, said once, not retried; a missing SQLite is the store's
# error.
. "$SK_SRCDIR/tests/cli/lib.sh"
. "$SK_SRCDIR/tests/llm/server.sh"
llm_server_start
cd "$T" || exit 1

# loaded NAME CMD...: run CMD with the loader's file log in $T/ld-NAME/;
# its stdout and stderr go to $T/out and $T/err as with `run`.
loaded() {
    name=$1
    shift
    mkdir -p "$T/ld-$name"
    LD_DEBUG=files LD_DEBUG_OUTPUT="$T/ld-$name/log" "$@" >"$T/out" 2>"$T/err"
    status=$?
    cat "$T/ld-$name"/log.* >"$T/ld-$name.txt" 2>/dev/null
    # The log must exist and name a library every build needs, or a lack
    # of libcurl below would prove nothing.
    grep -q 'file=libcjson' "$T/ld-$name.txt" || fail "$name: no loader log (LD_DEBUG)"
}

loaded version "$SK" version
[ "$status" = 0 ] || fail "version: exit $status"
has "$T/out" "scorekit "
lacks "$T/ld-version.txt" "libcurl"
lacks "$T/ld-version.txt" "libsqlite3"
lacks "$T/ld-version.txt" "libmicrohttpd" # and GnuTLS with it: only `serve` loads it
lacks "$T/ld-version.txt" "libpq"

printf '{"id": "r1", "output": "Paris", "expected": "Paris"}\n' >one.jsonl
loaded score "$SK" score one.jsonl --scorer exact_match --scorer levenshtein --no-progress
[ "$status" = 0 ] || fail "score: exit $status"
grep -E '^levenshtein +1\.0000 ' "$T/out" >/dev/null || fail "score: levenshtein 1"
lacks "$T/ld-score.txt" "libcurl"
lacks "$T/ld-score.txt" "libsqlite3"

# A project with a model configured and a store: a heuristic pack still
# calls no model, so it loads no libcurl.
run 0 "$SK" init p
cd p || exit 1
cat >scorekit.json <<EOF
{"name": "startup", "dataset": "qa", "pack": "pack.json",
 "llm": {"providers": {"default": {"api": "openai", "base_url": "$LLM_URL/v1",
         "api_key_env": "SK_TEST_NO_KEY", "max_retries": 3, "retry_base_ms": 1}}}}
EOF
cat >pack.json <<'EOF'
{"name": "heuristic", "scorers": [{"use": "exact_match"}]}
EOF
cat >judge.json <<'EOF'
{"name": "judged", "scorers": [
  {"use": "factuality", "params": {"model": "tool:{\"reasons\":\"they agree\",\"choice\":\"C\"}"}}]}
EOF
printf '{"id": "r1", "input": "capital?", "output": "Paris", "expected": "Paris"}\n' >one.jsonl
run 0 "$SK" dataset import qa one.jsonl
loaded project "$SK" score one.jsonl --no-progress
[ "$status" = 0 ] || fail "project score: exit $status"
grep -E '^exact_match +1\.0000 ' "$T/out" >/dev/null || fail "project score: exact_match 1"
lacks "$T/ld-project.txt" "libcurl"
has "$T/ld-project.txt" "libsqlite3"
lacks "$T/ld-project.txt" "libpq" # only a store on PostgreSQL loads it

# A judge: libcurl is loaded when it calls the model, and the call works.
loaded judge "$SK" score one.jsonl --pack judge.json --json --no-progress
[ "$status" = 0 ] || fail "judge: exit $status"
has "$T/out" '"factuality":{"score":1,'
has "$T/ld-judge.txt" "libcurl"

# libcurl missing: the row's error says so and what to do, after one
# attempt although max_retries is 3; the command exits 2 (scorer errors).
SCOREKIT_LIBCURL="$T/no-such-libcurl.so.4" run 2 "$SK" score one.jsonl --pack judge.json \
    --json --no-progress --no-cache
has "$T/out" "cannot load libcurl: $T/no-such-libcurl.so.4"
has "$T/out" "after 1 attempt over"
has "$T/out" "apt-get install libcurl4"
has "$T/out" "SCOREKIT_LIBCURL"
# A library that is not libcurl: the same, naming what it lacks.
SCOREKIT_LIBCURL=libcjson.so.1 run 2 "$SK" score one.jsonl --pack judge.json --json \
    --no-progress --no-cache
has "$T/out" "cannot use libcurl: libcjson.so.1 has no curl_global_init (libcurl 7.68 or later is needed)"

# SQLite missing: commands that open the store say so and what to do.
SCOREKIT_LIBSQLITE="$T/no-such-libsqlite3.so.0" run 1 "$SK" experiments
has "$T/err" "cannot open the database: cannot load SQLite: $T/no-such-libsqlite3.so.0"
has "$T/err" "SCOREKIT_LIBSQLITE"
SCOREKIT_LIBSQLITE=libcjson.so.1 run 1 "$SK" experiments
has "$T/err" "cannot use SQLite: libcjson.so.1 has no sqlite3_"
has "$T/err" "(SQLite 3.31 or later is needed)"
finish
