#!/bin/sh
# Issue 12 item 13: `man scorekit` and bash completion, both made from the
# command table that --help is made from, and installed by `make install`.
. "$SK_SRCDIR/tests/cli/lib.sh"
MAN="$SK_BUILDDIR/scorekit.1"
COMP="$SK_BUILDDIR/completions/scorekit"
[ -f "$MAN" ] || fail "the build made no scorekit.1"
[ -f "$COMP" ] || fail "the build made no completions/scorekit"
[ "$failures" = 0 ] || finish

# They are what the command says now: made again, they are the same.
sh "$SK_SRCDIR/core/cli/gen-docs.sh" man "$SK" "$("$SK" version | cut -d' ' -f2)" >"$T/man"
cmp -s "$T/man" "$MAN" || fail "scorekit.1 differs from what gen-docs.sh makes now"
sh "$SK_SRCDIR/core/cli/gen-docs.sh" bash "$SK" >"$T/comp"
cmp -s "$T/comp" "$COMP" || fail "completions/scorekit differs from what gen-docs.sh makes now"

# Every command of the table, and every option its --help names, is in the
# man page.
"$SK" help --commands | cut -d'|' -f1 >"$T/names"
[ "$(wc -l <"$T/names")" -ge 15 ] || fail "help --commands lists too few commands"
while read -r name; do
    has "$MAN" ".B scorekit $name"
    has "$MAN" ".SH \"SCOREKIT $(echo "$name" | tr a-z A-Z)\""
    for o in $("$SK" "$name" --help | grep -oE -- '--[a-z]([a-z0-9-]*[a-z0-9])?' | sort -u); do
        has "$MAN" "$(echo "$o" | sed 's/-/\\-/g')"
    done
done <"$T/names"
if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "$MAN" 2>"$T/groff" || fail "groff refuses scorekit.1"
    [ -s "$T/groff" ] && fail "groff warns: $(head -3 "$T/groff")"
fi

# The completion, as bash runs it.
complete_words() {
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _scorekit
             printf "%s\n" "${COMPREPLY[@]}"' sh "$COMP" "$@"
}
complete_words scorekit comp >"$T/c"
has "$T/c" "compare"
lacks "$T/c" "score"
complete_words scorekit compare --b >"$T/c"
has "$T/c" "--base"
has "$T/c" "--by"
complete_words scorekit -C dir dataset "" >"$T/c"
has "$T/c" "import"
has "$T/c" "export"
complete_words scorekit run --no- >"$T/c"
has "$T/c" "--no-cache"
has "$T/c" "--no-progress"
complete_words scorekit help ba >"$T/c"
has "$T/c" "baseline"

# make install puts both where man and bash-completion look.
make -s -C "$SK_BUILDDIR" install-man1 install-nodist_bashcompletionDATA DESTDIR="$T/inst" \
    >"$T/make" 2>&1 || fail "make install of the man page and completion failed: $(cat "$T/make")"
find "$T/inst" -path '*/share/man/man1/scorekit.1' | grep -q . || fail "no man1/scorekit.1 installed"
find "$T/inst" -path '*/share/bash-completion/completions/scorekit' | grep -q . ||
    fail "no bash-completion/completions/scorekit installed"
finish
