#!/bin/sh
# `scorekit cache stats|clear` on a project's LLM cache: empty, then with
# entries written straight into the store (when the sqlite3 shell exists),
# and the usage errors.
. "$SK_SRCDIR/tests/cli/lib.sh"

run 0 "$SK" init "$T/p"
P="$T/p"
run 0 "$SK" -C "$P" cache stats
has "$T/out" "LLM cache: 0 entries, 0 bytes, 0 hits"
has "$T/out" "LLM calls logged: 0 ok"
run 0 "$SK" -C "$P" cache stats --json
has "$T/out" '"entries":0'
run 0 "$SK" -C "$P" cache clear
has "$T/out" "removed 0 cache entries"

run 64 "$SK" -C "$P" cache
has "$T/err" "cache needs a command"
run 64 "$SK" -C "$P" cache purge
has "$T/err" 'unknown command "purge"'
run 64 "$SK" -C "$P" cache clear --older-than soon
has "$T/err" "--older-than needs a number of days"
run 64 "$SK" -C "$P" cache stats --model x
run 0 "$SK" -C "$P" cache --help
has "$T/out" "usage: scorekit cache stats"

# (on SQLite only: it writes the file itself)
if [ -z "${SCOREKIT_STORE:-}" ] && command -v sqlite3 >/dev/null 2>&1; then
    DB="$P/.scorekit/scorekit.db"
    sqlite3 "$DB" "INSERT INTO llm_cache (key, provider, base_url, model, trial, content, bytes, hits, created_at) VALUES
        ('k1', 't', 'http://x', 'gpt-a', 0, 'hello', 5, 2, '2020-01-01T00:00:00Z'),
        ('k2', 't', 'http://x', 'gpt-a', 1, 'hello!', 6, 0, strftime('%Y-%m-%dT%H:%M:%SZ','now')),
        ('k3', 't', 'http://x', 'claude-b', 0, 'hi', 2, 1, strftime('%Y-%m-%dT%H:%M:%SZ','now'));
        INSERT INTO llm_calls (experiment_id, ok, cached, attempts, cost) VALUES
        ('e', 1, 0, 1, 0.5), ('e', 1, 1, 0, 0), ('e', 0, 0, 3, 0);"
    run 0 "$SK" -C "$P" cache stats
    has "$T/out" "LLM cache: 3 entries, 13 bytes, 3 hits"
    has "$T/out" "gpt-a"
    has "$T/out" "claude-b"
    has "$T/out" "LLM calls logged: 2 ok (1 from the cache), 1 failed, cost 0.5"
    run 0 "$SK" -C "$P" cache stats --json
    has "$T/out" '{"entries":3,"bytes":13,"hits":3,"models":[{"model":"gpt-a","entries":2,"bytes":11,"hits":2}'
    run 0 "$SK" -C "$P" cache clear --model gpt-a --older-than 30
    has "$T/out" "removed 1 cache entry"
    run 0 "$SK" -C "$P" cache clear --model claude-b
    has "$T/out" "removed 1 cache entry"
    run 0 "$SK" -C "$P" cache clear
    has "$T/out" "removed 1 cache entry"
fi
finish
