#!/bin/sh
# A full disk, for real: a small tmpfs filled to the last page, mounted in
# a private mount namespace (unshare -m as root, else unshare -rm in a user
# namespace), so nothing outside the test sees it.  Every file the command
# writes (init, new, compare --junit) is written whole or not at all, and
# says why ("No space left on device"); the store says "disk full".
#
# Where no tmpfs can be mounted the test is skipped, loudly; CI sets
# SK_REQUIRE_FULL_DISK=1, which turns that skip into a failure.
: "${SK_BUILDDIR:?run through make check}"
: "${SK_SRCDIR:?run through make check}"
if [ -z "${SK_IN_MOUNT_NS:-}" ]; then
    probe='d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d" && rmdir "$d"'
    for how in -m -rm; do
        [ "$how" = -m ] && [ "$(id -u)" != 0 ] && continue
        if unshare "$how" sh -c "$probe" >/dev/null 2>&1; then
            SK_IN_MOUNT_NS=1 exec unshare "$how" sh "$0" "$@"
        fi
    done
    msg="SKIPPED: cannot mount a small tmpfs here (needs root or unprivileged user namespaces, and unshare(1)); the full-disk checks of init, new, compare --junit and the store DID NOT RUN"
    echo "$msg"
    echo "$msg" >&2
    if [ -n "${SK_REQUIRE_FULL_DISK:-}" ]; then
        echo "FAIL: SK_REQUIRE_FULL_DISK is set: this test must run here" >&2
        exit 1
    fi
    exit 77
fi

. "$SK_SRCDIR/tests/cli/lib.sh"
D="$T/disk"
mkdir "$D" || exit 1
mount -t tmpfs -o size=4m tmpfs "$D" || {
    echo "FAIL: the probe mounted a tmpfs but this mount failed" >&2
    exit 1
}
trap 'umount "$D" 2>/dev/null; rm -rf "$T"' EXIT

# fill [PAGES]: fill the disk, then free PAGES pages (of 4 KiB) again.
fill() {
    rm -f "$D/fill"
    dd if=/dev/zero of="$D/fill" bs=4096 >/dev/null 2>&1
    if (printf x >"$D/probe") 2>/dev/null; then
        fail "the disk is not full"
    fi
    rm -f "$D/probe"
    [ "${1:-0}" -gt 0 ] && truncate -s "-$(($1 * 4096))" "$D/fill"
}
unfill() { rm -f "$D/fill"; }

# init on a full disk: nothing left behind, and the reason.
fill
run 1 "$SK" init "$D/p"
has "$T/err" "$D/p/scorekit.json: cannot write: No space left on device"
[ -e "$D/p" ] && fail "init on a full disk left $(ls -A "$D/p" | tr '\n' ' ')in $D/p"
# Room for one file of three: the one written is removed again, and an
# existing folder is left as it was (empty).
fill 1
mkdir "$D/q"
run 1 "$SK" init "$D/q"
has "$T/err" "$D/q/pack.json: cannot write: No space left on device"
[ -d "$D/q" ] || fail "init removed a folder it did not make"
[ -z "$(ls -A "$D/q")" ] || fail "init left $(ls -A "$D/q" | tr '\n' ' ')in $D/q"
# With space again, init works (nothing half made refuses it) and the
# project scores.
unfill
run 0 "$SK" init "$D/q"
run 0 "$SK" -C "$D/q" score --no-progress
has "$T/out" "exact_match"

# new scorer on a full disk: no file, no folder.
fill
run 1 "$SK" -C "$D/q" new scorer tone
has "$T/err" "$D/q/scorers/tone.lua: cannot write: No space left on device"
[ -e "$D/q/scorers" ] && fail "new left $D/q/scorers behind"
run 1 "$SK" -C "$D/q" new scorer tone --c
has "$T/err" "No space left on device"
[ -e "$D/q/plugins-src" ] && fail "new --c left $D/q/plugins-src behind"
unfill
run 0 "$SK" -C "$D/q" new scorer tone
has "$D/q/scorers/tone.lua" "tone"

# compare --junit onto a full disk: the report written before stays whole.
P="$T/proj"
run 0 "$SK" init "$P"
run 0 "$SK" -C "$P" run --name one --no-progress
one=$(sed -n 's/^experiment \([0-9a-z]*\):.*/\1/p' "$T/out")
run 0 "$SK" -C "$P" run --name two --no-progress
two=$(sed -n 's/^experiment \([0-9a-z]*\):.*/\1/p' "$T/out")
run 0 "$SK" -C "$P" compare "$two" --base "$one" --junit "$D/report.xml"
cp "$D/report.xml" "$T/report.before"
has "$D/report.xml" "</testsuites>"
fill
run 1 "$SK" -C "$P" compare "$two" --base "$one" --junit "$D/report.xml"
has "$T/err" "--junit $D/report.xml: cannot write: No space left on device"
cmp -s "$D/report.xml" "$T/report.before" || fail "a failed --junit damaged the report before it"
[ -z "$(find "$D" -name '.report.xml.tmp-*')" ] || fail "--junit left its temporary file"
unfill

# The store on a full disk: "disk full", and what to do.
run 0 "$SK" -C "$D/q" run --no-progress
fill
run 1 "$SK" -C "$D/q" run --no-progress
has "$T/err" "scorekit.db: disk full: the store cannot write"
has "$T/err" "free some space on that disk and run the command again"
lacks "$T/err" "scorekit.db: disk I/O error"
run 1 "$SK" -C "$D/q" dataset import more "$D/q/data.jsonl"
has "$T/err" "disk full"
unfill
run 0 "$SK" -C "$D/q" run --no-progress
has "$T/out" "5 of 5 cells"
run 0 "$SK" -C "$D/q" experiments
lines "$T/out" 3
finish
