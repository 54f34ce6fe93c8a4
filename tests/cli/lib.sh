# Shared helpers for the CLI tests: run scorekit as a user would, in a
# fresh temporary folder, and check what it prints and returns.
set -u
: "${SK_BUILDDIR:?run through make check}"
: "${SK_SRCDIR:?run through make check}"
SK="$SK_BUILDDIR/scorekit"
T=$(mktemp -d "${TMPDIR:-/tmp}/sk-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
export SCOREKIT_PLUGIN_PATH="$SK_BUILDDIR/plugins/.libs"
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# run EXPECTED_STATUS CMD...: run, keep stdout/stderr in $T/out, $T/err.
run() {
    want=$1
    shift
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" != "$want" ]; then
        fail "exit $got, wanted $want: $*"
        sed 's/^/  stdout: /' "$T/out" | head -20 >&2
        sed 's/^/  stderr: /' "$T/err" | head -20 >&2
    fi
}

# has FILE TEXT: FILE contains the fixed string TEXT.
has() {
    grep -qF -- "$2" "$1" || {
        fail "$1 lacks: $2"
        sed 's/^/  | /' "$1" | head -30 >&2
    }
}

lacks() {
    if grep -qF -- "$2" "$1"; then fail "$1 has: $2"; fi
}

lines() {
    n=$(wc -l <"$1" | tr -d ' ')
    [ "$n" = "$2" ] || fail "$1 has $n lines, wanted $2"
}

finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed" >&2
        exit 1
    fi
    exit 0
}

# sql DIR QUERY: run QUERY on the store of the project in DIR, the SQLite
# file or its PostgreSQL schema (SCOREKIT_STORE or scorekit.json "store"),
# rows printed a|b|c either way; tests that look into the store use it so
# they run on both backends.
sql() {
    sql_where=$("$SK" -C "$1" store where --json)
    case $sql_where in
    *'"backend":"postgres"'*)
        sql_where=$(printf '%s' "$sql_where" | sed -n 's/.*"store":"\([^"]*\)".*/\1/p')
        PGOPTIONS="-c search_path=${sql_where##*schema=}" psql -X -q -At -F'|' \
            "${sql_where%%\?*}" -c "$2"
        ;;
    *) sqlite3 "$1/.scorekit/scorekit.db" "$2" ;;
    esac
}

# store_reset DIR: empty the store of the project in DIR (the next command
# makes a new one): the SQLite file goes, or the PostgreSQL schema.
store_reset() {
    if [ -n "${SCOREKIT_STORE:-}" ]; then
        sql "$1" "DROP SCHEMA $("$SK" -C "$1" store where | sed -n '1s/.*schema=//p') CASCADE" >/dev/null
    else
        rm -f "$1/.scorekit/scorekit.db" "$1/.scorekit/scorekit.db-wal" "$1/.scorekit/scorekit.db-shm"
    fi
}

# hold_writes DIR SECONDS MARK: another connection holds the store's write
# lock (SQLite) or the logs table (PostgreSQL) for SECONDS, and touches
# MARK once it holds it; run it in the background and wait for MARK.
hold_writes() {
    rm -f "$3"
    if [ -n "${SCOREKIT_STORE:-}" ]; then
        hold_where=$("$SK" -C "$1" store where | sed -n 1p)
        printf 'BEGIN;\nLOCK TABLE logs IN EXCLUSIVE MODE;\n\\! touch %s\nSELECT pg_sleep(%s);\nCOMMIT;\n' \
            "$3" "$2" | PGOPTIONS="-c search_path=${hold_where##*schema=}" psql -X -q "${hold_where%%\?*}" >/dev/null
    else
        printf 'BEGIN IMMEDIATE;\n.shell touch %s\n.shell sleep %s\nCOMMIT;\n' "$3" "$2" |
            sqlite3 "$1/.scorekit/scorekit.db"
    fi
}

# wait_for CMD...: poll (at most ~60 s) until CMD succeeds.
wait_for() {
    n=0
    while [ $n -lt 600 ]; do
        "$@" && return 0
        sleep 0.1
        n=$((n + 1))
    done
    fail "timed out waiting for: $*"
    return 1
}

# hold_task FILE: write an exec task that logs each row id it is called
# for to calls.log, writes its pid to pid-ID, and waits while a file
# hold-ID exists (at most 60 s), then answers the id: the test, not the
# clock, decides where a run stands.
hold_task() {
    cat >"$1" <<'A'
#!/bin/sh
read -r row
id=$(printf '%s' "$row" | sed -n 's/^{"id": "\([^"]*\)".*/\1/p')
echo "$id" >>calls.log
echo $$ >"pid-$id.tmp" && mv "pid-$id.tmp" "pid-$id"
n=0
while [ -f "hold-$id" ] && [ $n -lt 1200 ]; do
    sleep 0.05
    n=$((n + 1))
done
printf '%s' "$id"
A
    chmod +x "$1"
}
