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
