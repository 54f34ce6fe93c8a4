#!/bin/sh
# Issue 12 item 12: configure's clean-up (`rm -f core ...`, for a crashed
# test's core dump) meets our core/ folder.  It used to print "rm: cannot
# remove 'core': Is a directory" on every build, and on exit the failed rm
# skipped the removal of confdefs.h.  Configure here in a fresh folder that
# already has a core/ folder, as a source-tree build and every _build after
# its first make do, and check its stderr and what it leaves.
set -u
: "${SK_SRCDIR:?run through make check}"
if [ -f "$SK_SRCDIR/config.status" ]; then
    # configure refuses a second build beside an in-tree one.
    echo "SKIP: $SK_SRCDIR is configured in place; this check needs a build folder of its own"
    exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/sk-configure.XXXXXX")
trap 'rm -rf "$T"' EXIT
mkdir "$T/core"
(cd "$T" && "$SK_SRCDIR/configure" -q >"$T/out" 2>"$T/err")
rc=$?
failed=0
if [ "$rc" != 0 ]; then
    echo "FAIL: configure exited $rc"
    tail -20 "$T/err"
    exit 1
fi
if grep -q "cannot remove" "$T/err"; then
    echo "FAIL: configure's stderr has:"
    grep "cannot remove" "$T/err"
    failed=1
fi
if [ -e "$T/confdefs.h" ]; then
    echo "FAIL: configure left confdefs.h behind"
    failed=1
fi
[ -d "$T/core" ] || { echo "FAIL: configure removed the core/ folder"; failed=1; }
[ -f "$T/Makefile" ] || { echo "FAIL: configure wrote no Makefile"; failed=1; }
exit $failed
