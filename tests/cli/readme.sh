#!/bin/sh
# Issue 12 item 11: every command in the README runs as written.  This file
# mirrors the README's command lines in order: `readme LINE` runs LINE (EXP
# and OTHER replaced by real experiment ids) in a copy of the tree whose
# _build is this build, and `readme_skip LINE WHY` says why one cannot run
# here.  The README's lines are extracted and compared with the mirrored
# ones, so a command added to or changed in the README without this file
# fails the test.  Synopsis lines (`scorekit validate [--pack P] ...`) are
# not commands and are not extracted.
. "$SK_SRCDIR/tests/cli/lib.sh"

# The README's command lines: indented code, continuation lines joined,
# comments after the command dropped.
awk '
    /^```[a-z]*$/ { fence = !fence; next }
    fence { next }
    /^    / {
        line = substr($0, 5)
        if (join != "") { sub(/^[ \t]+/, "", line); line = join " " line; join = "" }
        if (line ~ /\\$/) { sub(/[ \t]*\\$/, "", line); join = line; next }
        sub(/[ \t][ \t]+#.*$/, "", line)
        sub(/[ \t]+$/, "", line)
        if (line ~ / \[/) next
        if (line ~ /^(scorekit |cd |\.\/|make |export |SCOREKIT_[A-Z_]*=|bench\/[a-z])/) print line
    }
' "$SK_SRCDIR/README.md" >"$T/readme-lines"
[ "$(wc -l <"$T/readme-lines")" -ge 30 ] || fail "found only $(wc -l <"$T/readme-lines") README commands"
: >"$T/mirrored"

mirror() {
    grep -qxF -- "$1" "$T/readme-lines" || fail "not a README command (any more?): $1"
    printf '%s\n' "$1" >>"$T/mirrored"
}

# readme [STATUS] LINE: run LINE here; it must exit STATUS (default 0).
readme() {
    want=0
    if [ $# = 2 ]; then want=$1 && shift; fi
    mirror "$1"
    cmd=$(printf '%s' "$1" | sed "s/\\bEXP\\b/${EXP:-EXP}/g; s/\\bOTHER\\b/${OTHER:-OTHER}/g")
    eval "$cmd" >"$T/out" 2>"$T/err" </dev/null
    got=$?
    if [ "$got" != "$want" ]; then
        fail "README command exited $got, wanted $want: $1"
        sed 's/^/  stdout: /' "$T/out" | head -10 >&2
        sed 's/^/  stderr: /' "$T/err" | head -10 >&2
    fi
}

readme_skip() {
    mirror "$1"
    echo "skipped: $1 -- $2"
}

newest() {
    "$SK" experiments --json | sed -n 's/^\[\{0,1\}{"id":"\([^"]*\)".*/\1/p' | head -1
}

# The tree as the README's reader has it, with this build as its _build.
R="$T/tree"
mkdir "$R"
ln -s "$SK_BUILDDIR" "$R/_build"
ln -s "$SK_SRCDIR/lua" "$R/lua"
ln -s "$SK_SRCDIR/core" "$R/core"
cp -R "$SK_SRCDIR/examples" "$R/examples"
chmod -R u+w "$R/examples"
rm -f "$R/examples/embed/embed" "$R/examples/plugin-template"/*.so
cd "$R" || exit 1
unset SCOREKIT_PLUGIN_PATH SCOREKIT_LUA_PATH SCOREKIT_CALIBRATION_PATH
# What `make install` would give pkg-config: this build's uninstalled .pc.
export PKG_CONFIG_PATH="$SK_BUILDDIR${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export HOME="$T/home"

readme_skip './quickstart' "needs root: it apt-get installs the build dependencies, then builds"
readme_skip './run-tests' "is this test suite itself (it would run this test again)"
readme 'export SCOREKIT_PLUGIN_PATH=$PWD/_build/plugins/.libs SCOREKIT_LUA_PATH=$PWD/lua SCOREKIT_CALIBRATION_PATH=$PWD/core/validate/calibration PATH=$PWD/_build:$PATH'
[ "$(command -v scorekit)" = "$R/_build/scorekit" ] || fail "the README's PATH does not find this build"
# A sanitized build's library brings its runtime to the plain example
# program: ASan's may start after libc; TSan's cannot work in a program not
# built with it (CI's install stage runs the example unsanitized).
embed='make -C examples/embed && examples/embed/embed examples/qa examples/qa/data.jsonl'
case $(ldd "$SK_BUILDDIR/scorekit" 2>/dev/null) in
*libtsan*) readme_skip "$embed" "a ThreadSanitizer build's library cannot run in a program built without it" ;;
*)
    case $(ldd "$SK_BUILDDIR/scorekit" 2>/dev/null) in
    *libasan*) export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" ;;
    esac
    readme "$embed"
    has "$T/out" '"id":"geo-01"'
    ;;
esac

# Using it.
readme 'scorekit init myproject'
readme 'cd myproject'
cp data.jsonl logs.jsonl
cp pack.json other-pack.json
readme 'scorekit score'
readme 'scorekit score logs.jsonl --pack other-pack.json --json > results.jsonl'
lines results.jsonl 5
readme 'scorekit score logs.jsonl --scorer levenshtein --scorer exact_match -j 8'
readme 'scorekit scorers'
readme 'scorekit try levenshtein --output "Pariss" --expected "Paris"'
readme 'scorekit new scorer my_check'
readme 'scorekit validate'
readme 'scorekit run'
EXP=$(newest)
[ -n "$EXP" ] || fail "no experiment after scorekit run"
# "After a change": a second experiment to compare with the baseline.
"$SK" run --no-progress >/dev/null 2>&1 || fail "a second scorekit run failed"
readme 'scorekit baseline set EXP && scorekit compare'
readme 'scorekit scorers --pack pack.json --json'
readme 'scorekit help compare'
has "$T/out" "usage: scorekit compare"

# The evaluation loop, against the fake LLM server on 127.0.0.1 with the
# README's variables: its task model echoes, its "sim:honest" model judges
# by the calibration set's answers.
. "$SK_SRCDIR/tests/llm/server.sh"
llm_server_start --api-key sk-test --truth "$SK_SRCDIR/core/validate/calibration"
export OPENAI_BASE_URL="$LLM_URL/v1" OPENAI_API_KEY=sk-test OPENAI_MODEL=sim:honest
MY_EXP=$EXP
readme 'scorekit init support && cd support'
# The two edits the README's comments describe.
cat >scorekit.json <<'EOF2'
{"name": "support", "dataset": "data.jsonl", "pack": "pack.json",
 "task": {"provider": "openai", "model": "gpt-4o-mini",
          "system": "Answer in one sentence.", "prompt": "{{input}}"}}
EOF2
cat >pack.json <<'EOF2'
{"name": "support", "scorers": [{"use": "factuality", "threshold": 0.6}, {"use": "lua:refusal"}]}
EOF2
readme 'scorekit validate'
readme 'scorekit run --trials 3'
EXP=$(newest)
readme 'scorekit baseline set EXP'
# One change: the system message.
sed 's/Answer in one sentence\./Answer in one short sentence./' scorekit.json >s.json &&
    mv s.json scorekit.json
"$SK" run --trials 3 --no-progress >/dev/null 2>&1 || fail "the loop's second run failed"
readme 'scorekit compare'
has "$T/out" "system"
readme 'scorekit show EXP'
readme 'scorekit compare --fail-on-regression --junit report.xml'
[ -s report.xml ] || fail "the loop's compare --junit wrote no report.xml"
cd "$R/myproject" || exit 1
EXP=$MY_EXP

# The two task providers' complete projects (the Anthropic one against the
# same server, which speaks the Messages API too).
mkdir "$T/providers" && cd "$T/providers" && "$SK" init . >/dev/null 2>&1 || fail "init for the providers"
readme 'export OPENAI_API_KEY=sk-...'
readme 'export ANTHROPIC_API_KEY=sk-ant-...'
export OPENAI_API_KEY=sk-test ANTHROPIC_API_KEY=sk-test ANTHROPIC_BASE_URL="$LLM_URL"
for p in openai anthropic; do
    sed -n "/^    export $(echo $p | tr a-z A-Z)_API_KEY=/,/^    scorekit run --trials 3/p" \
        "$SK_SRCDIR/README.md" | sed 's/^    //' | sed '1d;$d' >"$T/$p.sh"
    grep -q '"provider": "'$p'"' "$T/$p.sh" || fail "README's $p project not found"
    sh "$T/$p.sh" || fail "README's $p scorekit.json could not be written"
    run 0 "$SK" run --trials 3 --no-progress
    has "$T/out" "15 cells"
done
cd "$R/myproject" || exit 1

# Datasets and experiments (in myproject).
cp pack.json stricter.json
readme 'scorekit dataset import qa data.jsonl'
readme 'scorekit dataset list'
readme 'scorekit dataset show qa@1'
readme 'scorekit dataset export qa > qa.jsonl'
lines qa.jsonl 5
readme 'scorekit run --dataset qa --trials 3 -j 8'
OTHER=$EXP
EXP=$(newest)
readme 'scorekit experiments'
readme 'scorekit show EXP'
readme 'scorekit export EXP > cells.jsonl'
lines cells.jsonl 15
readme 'scorekit rescore EXP --pack stricter.json'

# Growing a dataset.
printf '%s\n' '{"time": "2026-12-01T10:00:00Z", "trace_id": "t1", "input": "What is 2+2?", "output": "4"}' >logs.jsonl
readme 'scorekit dataset add golden --from EXP --failing --note "triage"'
readme 'scorekit dataset add golden --from EXP --where '"'"'similarity < 0.5'"'"''
readme 'scorekit dataset add golden --from EXP --ids capital-fr,capital-au'
readme 'scorekit dataset add golden --from-logs logs.jsonl'
has "$T/out" "1 new row still needs an expected value"
readme 'scorekit dataset show golden'
has "$T/out" "t1"
readme 'scorekit dataset merge golden qa'
readme 'scorekit dataset diff qa@1 qa'
readme 'scorekit export EXP --rows-only > rows.jsonl'
lines rows.jsonl 5
readme 'scorekit dataset import again cells.jsonl'
has "$T/out" "imported 5 rows"
has "$T/out" "dropped fields: trial (5 rows), scores (5 rows)"

# Baselines and comparisons.
readme 'scorekit baseline set EXP --note "v3 in production"'
readme 'scorekit compare'
readme 'scorekit compare EXP --base OTHER --by metadata.topic --sort regressions'
readme 'scorekit compare --fail-on-regression --fail-on-row-regression --junit report.xml'
[ -s report.xml ] || fail "compare --junit wrote no report.xml"

# The team store (tests/cli/pg_store.sh runs it against a private server).
readme 'scorekit store where'
has "$T/out" "SQLite, schema version"
readme_skip 'scorekit store copy --from .scorekit/scorekit.db' "a copy into the team's PostgreSQL store: tests/cli/pg_store.sh copies to and from one"

# Labels and agreement: people agree with exact_match on two rows.
printf 'id,scorer,label,who\ncapital-fr,exact_match,pass,ann\ncapital-au,exact_match,fail,ann\n' >labels.csv
readme 'scorekit label import labels.csv --to EXP'
has "$T/out" "2 labels stored for experiment:"
readme_skip 'scorekit label EXP --scorer helpful' "interactive: tests/cli/label_queue.sh drives the queue in tmux"
readme 'scorekit label list EXP'
has "$T/out" "exact_match: 2 labels (1 pass, 1 fail, 0 graded) by ann"
readme 'scorekit validate --labels EXP'
has "$T/out" "exact_match: against 2 human labels at cut 0.50: kappa 1.00"

# A Lua scorer.
readme 'scorekit new scorer cites_source'
readme 'scorekit try lua:scorers/cites_source.lua --output "See RFC 8259." --expected "RFC 8259"'

# The plugin template, from the top of the tree.
cd "$R" || exit 1
readme 'cd examples/plugin-template && make'
readme 'SCOREKIT_PLUGIN_PATH=$PWD scorekit score data.jsonl --scorer length_ratio'
cd "$R" || exit 1
readme_skip './quickstart && SK_BENCH_CALLGRIND=1 bench/score 11' "needs root (quickstart) and ../shared/bench's 20,000-row workload, and takes minutes"

# Every README command is mirrored here, once.
sort "$T/readme-lines" | uniq >"$T/a"
sort "$T/mirrored" | uniq >"$T/b"
if ! cmp -s "$T/a" "$T/b"; then
    comm -23 "$T/a" "$T/b" | sed 's/^/FAIL: README command not run by tests\/cli\/readme.sh: /' >&2
    failures=$((failures + 1))
fi
finish
