#!/bin/sh
# Peak memory of `score` does not grow with the file (issue 19), JSONL or
# CSV, nor that of `dataset import`: the duplicate-id check keeps a bounded
# window of ids and spills the rest to a temporary file.  Peak RSS (VmHWM) of 300,000 rows against 3,000 rows with
# the same shape: before the check spilled, every id was held (~25 MiB more).
. "$SK_SRCDIR/tests/cli/lib.sh"

# Freed blocks kept by ASan's quarantine would count as growth here.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"

rows() {
    awk -v n="$1" 'BEGIN {
        for (i = 0; i < n; i++)
            printf "{\"id\":\"memory-check-row-%08d-0123456789abcdef\",\"output\":\"answer %d\",\"expected\":\"other %d\"}\n", i, i, i % 7
    }' >"$2"
}

# peak FILE: score FILE; $hwm is its peak RSS in KiB.  The process is sampled
# while it is still alive: its listing of the worst rows (far more than a
# pipe holds) blocks on the pipe until this shell reads it, and the first
# line comes only after every row was scored.
peak() {
    rm -f "$T/fifo"
    mkfifo "$T/fifo"
    "$SK" score "$1" --scorer exact_match --no-progress --worst 5000 -j 2 >"$T/fifo" 2>"$T/err" &
    pid=$!
    exec 3<"$T/fifo"
    IFS= read -r first <&3
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    cat <&3 >"$T/out"
    exec 3<&-
    wait "$pid" || fail "score $1 exited $?: $(cat "$T/err")"
    case "$first" in *"rows scored"*) ;; *) fail "score $1 printed: $first" ;; esac
    [ -n "$hwm" ] || fail "score $1 exited before its memory was read"
    hwm=${hwm:-0}
}

# flat SMALL BIG: the peak RSS of scoring BIG (300,000 rows) is within
# 6 MiB of SMALL's (3,000 rows of the same shape).  ThreadSanitizer keeps
# shadow and history for every address the run ever touched, so its RSS
# grows with the work whatever the program holds; the other builds measure
# the program.
flat() {
    peak "$1"
    small=$hwm
    peak "$2"
    big=$hwm
    echo "peak RSS: $1 $small KiB, $2 $big KiB"
    case $(ldd "$SK" 2>/dev/null) in
    *libtsan*) echo "peak RSS not compared: a ThreadSanitizer build" ;;
    *)
        [ "$big" -le $((small + 6 * 1024)) ] ||
            fail "peak RSS grew with the file: $small KiB at 3,000 rows, $big KiB at 300,000 ($2)"
        ;;
    esac
}
rows 3000 "$T/small.jsonl"
rows 300000 "$T/big.jsonl"
flat "$T/small.jsonl" "$T/big.jsonl"

# The same for a CSV, read as `dataset import` reads it: its ids go through
# the same bounded check (the CSV reader's own set held them all: 53 MiB at
# 300,000 rows).
csv() {
    awk -v n="$1" 'BEGIN {
        print "id,input,output,expected"
        for (i = 0; i < n; i++)
            printf "memory-check-row-%08d-0123456789abcdef,question %d,answer %d,other %d\n", i, i, i, i % 7
    }' >"$2"
}
csv 3000 "$T/small.csv"
csv 300000 "$T/big.csv"
flat "$T/small.csv" "$T/big.csv"
# A repeated id past the window, and a derived id repeated (a question
# asked twice with two outputs) which is no duplicate, as in JSONL.
csv 20000 "$T/dup.csv"
echo "memory-check-row-00000004-0123456789abcdef,again,a,b" >>"$T/dup.csv"
printf ',same question,one,x\n,same question,two,y\n' >>"$T/dup.csv"
run 1 "$SK" score "$T/dup.csv" --scorer exact_match --no-progress
has "$T/err" 'dup.csv:20002: duplicate id "memory-check-row-00000004-0123456789abcdef" (first on line 6)'
run 0 "$SK" score "$T/dup.csv" --scorer exact_match --no-progress --skip-bad --json
lines "$T/out" 20002
has "$T/err" "malformed lines skipped: 1"

# `dataset import` checks ids the same bounded way (the reader's own set
# held them all: 53 MB at 300,000 rows), a repeat past the window included,
# and imports nothing then.  Peak RSS from GNU time, which install-deps
# --tests installs.
run 0 "$SK" init "$T/p"
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f %M -o "$T/mem" "$SK" -C "$T/p" dataset import small "$T/small.csv" \
        >/dev/null || fail "import of small.csv failed"
    small=$(tail -1 "$T/mem")
    /usr/bin/time -f %M -o "$T/mem" "$SK" -C "$T/p" dataset import big "$T/big.csv" \
        >/dev/null || fail "import of big.csv failed"
    big=$(tail -1 "$T/mem")
    echo "peak RSS, dataset import: 3,000 rows $small KiB, 300,000 rows $big KiB"
    case $(ldd "$SK" 2>/dev/null) in
    *libtsan*) ;;
    *)
        [ "$big" -le $((small + 6 * 1024)) ] ||
            fail "import's peak RSS grew with the file: $small KiB at 3,000 rows, $big KiB at 300,000"
        ;;
    esac
else
    echo "import's peak RSS not measured: no /usr/bin/time (./install-deps --tests installs it)"
fi
run 1 "$SK" -C "$T/p" dataset import dups "$T/dup.csv"
has "$T/err" 'dup.csv:20002: duplicate id "memory-check-row-00000004-0123456789abcdef" (first on line 6)'
has "$T/err" "nothing was imported"
run 0 "$SK" -C "$T/p" dataset list
lacks "$T/out" "dups"

# Past the window (16,384 ids) a repeated id is found at the end, with the
# error it had within it; read from a pipe, --skip-bad scores the rows again
# from the spooled input without it.
rows 20000 "$T/dup.jsonl"
sed -n 5p "$T/dup.jsonl" >>"$T/dup.jsonl"
dup='<stdin>:20001: duplicate id "memory-check-row-00000004-0123456789abcdef" (first on line 5)'
run 1 sh -c 'cat "$1" | "$2" score - --scorer exact_match --no-progress' sh "$T/dup.jsonl" "$SK"
has "$T/err" "$dup"
has "$T/err" "nothing was scored"
run 0 sh -c 'cat "$1" | "$2" score - --scorer exact_match --no-progress --skip-bad --json' sh \
    "$T/dup.jsonl" "$SK"
lines "$T/out" 20000
has "$T/err" "20000 rows scored"
has "$T/err" "malformed lines skipped: 1"
has "$T/err" "$dup"

# Its temporary file: an error naming the input, the file and what to do.
TMPDIR="$T/none" run 1 "$SK" score "$T/dup.jsonl" --scorer exact_match --no-progress
has "$T/err" "dup.jsonl: cannot create $T/none/scorekit-ids-"
has "$T/err" "set TMPDIR to a writable directory with free space"

finish
