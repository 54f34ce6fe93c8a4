#!/bin/sh
# The floor plan as a test: every #include in core/ points to its own folder
# or to a folder below it, plugins include only the plugin ABI and core/base,
# and no two modules (a .c with its .h) include each other, directly or round
# a longer circle.  The order is docs/architecture.md's; change both together.
set -eu
src=${SK_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src"

order="include base store llm engine lua task run validate analysis online report api cli"

# SQL lives in core/store: nothing else includes <sqlite3.h>.
sqlite_bad=0
for f in $(grep -rl '^[[:space:]]*#[[:space:]]*include[[:space:]]*<sqlite3\.h>' core plugins | sort); do
    case $f in core/store/*) continue ;; esac
    echo "$f: includes <sqlite3.h>; SQL belongs in core/store (add a function there and call it)"
    sqlite_bad=1
done
[ "$sqlite_bad" = 0 ] || { echo "sqlite3.h outside core/store"; exit 1; }

# Out of memory is fatal in one place: base/util.c's sk_x* allocators (and
# json_tree.c's for cJSON's allocator).  A private malloc-or-abort is a copy.
abort_bad=$(grep -rln 'abort()' core plugins | grep -v '^core/base/util\.c$\|^core/base/json_tree\.c$' || true)
if [ -n "$abort_bad" ]; then
    for f in $abort_bad; do echo "$f: calls abort(); allocate with sk_xmalloc and friends (base/util.h)"; done
    exit 1
fi

# One line per edge: "from-file included-path".
for f in $(find core plugins -name '*.[ch]' | sort); do
    sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
        while read -r inc; do echo "$f $inc"; done
done | awk -v order="$order" '
function rank(folder,    i) {
    for (i = 1; i <= n; i++) if (folders[i] == folder) return i
    return 0
}
function visit(m,    k, t) {
    state[m] = 1; stack[++depth] = m
    for (k = 1; k <= nout[m]; k++) {
        t = out[m, k]
        if (state[t] == 1) { report_cycle(t); continue }
        if (state[t] == 0) visit(t)
    }
    state[m] = 2; depth--
}
function report_cycle(t,    i, s, j) {
    for (i = depth; i > 0 && stack[i] != t; i--) ;
    s = stack[i]
    for (j = i + 1; j <= depth; j++) s = s " -> " stack[j]
    print "include circle: " s " -> " t
    bad++
}
BEGIN { n = split(order, folders, " ") }
{
    from = $1; inc = $2
    if (inc == "config.h") next
    split(from, p, "/")
    if (p[1] == "plugins") {
        # a plugin: its own folder, the ABI, and core/base only
        if (inc !~ /\// || inc ~ /^scorekit\// || inc ~ /^base\//) next
        print from ": includes \"" inc "\"; plugins may include <scorekit/plugin.h> and core/base only"
        bad++
        next
    }
    # core/<folder>/...: the included path is written from core/
    if (inc ~ /^scorekit\//) to = "include"
    else if (inc !~ /\//) { to = p[2]; inc = p[2] "/" inc }   # same folder, bare name
    else { split(inc, q, "/"); to = q[1] }
    rf = rank(p[2]); rt = rank(to)
    if (rf == 0) { print from ": folder " p[2] " is not in the order (" order ")"; bad++; next }
    if (rt == 0) { print from ": includes \"" inc "\" from an unknown folder"; bad++; next }
    if (rt > rf) {
        print from ": includes \"" inc "\": " p[2] " may not depend on " to " (order: " order ")"
        bad++
    }
    # module graph, for circles
    mf = from; sub(/\.[ch]$/, "", mf); sub(/_priv$/, "", mf)
    mt = "core/" inc; sub(/\.[ch]$/, "", mt); sub(/_priv$/, "", mt)
    if (mf != mt && !seen[mf, mt]++) { out[mf, ++nout[mf]] = mt; mods[mf] = 1; mods[mt] = 1 }
}
END {
    for (m in mods) if (state[m] == 0) visit(m)
    if (bad) { print bad " layout problem(s)"; exit 1 }
    print "layout: no upward include, no circle"
}'
