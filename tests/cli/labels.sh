#!/bin/sh
# Human labels and agreement (issue 17), against a simulated judge of the
# fake LLM server whose TPR and TNR are known (sim:noisy:0.8:0.9 keeps a
# pass 80% of the time and a fail 90%): a polite-criterion closed_qa judge
# on 400 rows, half of them polite, labelled by the truth.
#  - validate --labels FILE recovers TPR and TNR within their intervals,
#    and fails the judge against a kappa bar above its agreement;
#  - label import (CSV and JSONL) stores labels all or none, with FILE:LINE
#    errors, and validate --labels EXP reads them from the store;
#  - show and compare give the pass rate corrected for the judge's errors
#    (Rogan-Gladen), whose interval covers the true 30%, beside the measured
#    one that misses it;
#  - a panel of three judges that err independently agrees with people
#    more than any one of them (kappa).
. "$SK_SRCDIR/tests/cli/lib.sh"
. "$SK_SRCDIR/tests/llm/server.sh"
llm_server_start
cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1
printf '{"name": "labels", "pack": "pack.json", "dataset": "rows.jsonl",
 "task": {"provider": "column", "field": "output"},
 "llm": {"providers": {"default": {"api": "openai", "base_url": "%s/v1",
         "api_key_env": "SK_TEST_NO_KEY", "max_retries": 1, "retry_base_ms": 1}}}}\n' "$LLM_URL" >scorekit.json
printf '{"name": "labels", "scorers": [
  {"use": "closed_qa", "as": "polite", "threshold": 0.5,
   "params": {"criterion": "The answer is polite.", "model": "sim:noisy:0.8:0.9"}}]}\n' >pack.json
# 400 labelled rows, 200 polite; then 600 rows for the experiment, 30% polite.
awk 'BEGIN {
    for (i = 0; i < 400; i++) {
        p = i % 2 == 0
        printf "{\"id\": \"l%03d\", \"input\": \"question %d\", \"output\": \"%s answer %d\", \"labels\": {\"polite\": %s}}\n", i, i, p ? "please, the" : "the", i, p ? "\"pass\"" : "\"fail\""
    }
}' >labelled.jsonl
awk 'BEGIN {
    for (i = 0; i < 600; i++) {
        p = i % 10 < 3
        printf "{\"id\": \"r%03d\", \"input\": \"ask %d\", \"output\": \"%s reply %d\"}\n", i, i, p ? "thank you, the" : "the", i
    }
}' >rows.jsonl

# ---- agreement from a file of labelled rows ---------------------------------
run 0 "$SK" validate --labels labelled.jsonl --no-builtin --json --no-progress -j 8
cp "$T/out" "$T/agree.json"
# The bounds of an interval of the agreement check, as "lo hi".
ci() { grep -o "\"$1\":\[[^]]*\]" "$T/agree.json" | head -1 | sed 's/.*\[\(.*\),\(.*\)\]/\1 \2/'; }
covers() { # VALUE LO HI
    awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(lo <= v && v <= hi) }'
}
set -- $(ci tpr_ci)
covers 0.8 "$1" "$2" || fail "TPR interval [$1, $2] misses the judge's 0.8"
set -- $(ci tnr_ci)
covers 0.9 "$1" "$2" || fail "TNR interval [$1, $2] misses the judge's 0.9"
num() { grep -o "\"$1\":[-0-9.]*" "$T/agree.json" | head -1 | cut -d: -f2; }
tp=$(num tp)
fn=$(num fn)
tn=$(num tn)
fp=$(num fp)
[ $((tp + fn)) = 200 ] && [ $((tn + fp)) = 200 ] || fail "confusion $tp $fp $fn $tn: not 200 passes and 200 fails"
has "$T/agree.json" '"agreement":{"status":"PASS","n":400'
# kappa from the confusion matrix, computed here: (po - pe) / (1 - pe).
want=$(awk -v a="$tp" -v b="$fp" -v c="$fn" -v d="$tn" 'BEGIN {
    n = a + b + c + d; po = (a + d) / n; pe = ((a + b) * (a + c) + (c + d) * (b + d)) / (n * n)
    printf "%.6f", (po - pe) / (1 - pe) }')
got=$(num kappa)
awk -v a="$got" -v b="$want" 'BEGIN { exit !((a - b) < 1e-5 && (b - a) < 1e-5) }' ||
    fail "kappa $got, computed from the matrix $want"
run 3 "$SK" validate --labels labelled.jsonl --no-builtin --min-kappa 0.95 --no-progress
has "$T/out" "agreement: Cohen's kappa against people is"
has "$T/out" "below the bar 0.95"
has "$T/out" "polite: against 400 human labels at cut 0.50"

# ---- labels in the store ---------------------------------------------------
run 0 "$SK" run --no-progress
EXP=$(sed -n 's/^experiment \([0-9a-z]*\): .*/\1/p' "$T/out")
[ -n "$EXP" ] || fail "no experiment id"
# Bad files store nothing: an unknown row, a bad label, a bad header.
printf 'id,scorer,label,who\nr000,polite,pass,ann\nnope,polite,fail,ann\n' >bad_row.csv
run 1 "$SK" label import bad_row.csv --to "$EXP"
has "$T/err" "bad_row.csv:3: row \"nope\" is not a row of $EXP; nothing was stored"
printf '{"id": "r000", "scorer": "polite", "label": "maybe"}\n' >bad_label.jsonl
run 1 "$SK" label import bad_label.jsonl --to "$EXP"
has "$T/err" "bad_label.jsonl:1: a label is pass or fail"
printf 'row,scorer,label\nr000,polite,pass\n' >bad_head.csv
run 1 "$SK" label import bad_head.csv --to "$EXP"
has "$T/err" 'bad_head.csv:1: unknown column "row"'
run 1 "$SK" label import labelled.jsonl --to nosuchsource
has "$T/err" '"nosuchsource" is not a source of rows'
run 0 "$SK" label list "$EXP"
has "$T/out" "no labels yet"
# People label the first 300 rows of the experiment by the truth.
awk 'BEGIN { print "id,scorer,label,who"
    for (i = 0; i < 300; i++) printf "r%03d,polite,%s,ann\n", i, (i % 10 < 3) ? "pass" : "fail" }' >labels.csv
run 0 "$SK" label import labels.csv --to "$EXP"
has "$T/out" "300 labels stored for experiment:$EXP"
run 0 "$SK" label list "$EXP"
has "$T/out" "polite: 300 labels (90 pass, 210 fail, 0 graded) by ann"
run 0 "$SK" validate --labels "$EXP" --no-builtin --json --no-progress -j 8
has "$T/out" '"agreement":{"status":"PASS","n":300'
# Without --labels, the labels in the store are used.
run 0 "$SK" validate --no-builtin --json --no-progress -j 8
has "$T/out" '"agreement":{"status":"PASS","n":300'

# ---- corrected pass rate --------------------------------------------------------
run 0 "$SK" show --json "$EXP"
cr=$(grep -o '"corrected_pass_rate":{[^}]*}' "$T/out")
[ -n "$cr" ] || fail "show --json has no corrected pass rate"
lo=$(echo "$cr" | sed 's/.*"ci":\[\([^,]*\),.*/\1/')
hi=$(echo "$cr" | sed 's/.*"ci":\[[^,]*,\([^]]*\)\].*/\1/')
obs=$(echo "$cr" | sed 's/.*"observed":\([^,]*\),.*/\1/')
covers 0.3 "$lo" "$hi" || fail "corrected interval [$lo, $hi] misses the true 0.30"
# The estimate, computed here from what the judge measured and its TPR and
# TNR against the 300 labels: (observed + TNR - 1) / (TPR + TNR - 1).
val=$(echo "$cr" | sed 's/.*"value":\([^,]*\),.*/\1/')
tpr=$(echo "$cr" | sed 's/.*"tpr":\([^,]*\),.*/\1/')
tnr=$(echo "$cr" | sed 's/.*"tnr":\([^,]*\),.*/\1/')
awk -v v="$val" -v o="$obs" -v a="$tpr" -v b="$tnr" 'BEGIN {
    w = (o + b - 1) / (a + b - 1); if (w < 0) w = 0; if (w > 1) w = 1
    exit !((v - w) < 1e-9 && (w - v) < 1e-9) }' ||
    fail "corrected $val, from observed $obs, TPR $tpr, TNR $tnr"
run 0 "$SK" show "$EXP"
has "$T/out" "pass rates corrected for each scorer's errors against people"
run 0 "$SK" compare --base "$EXP" "$EXP" --json
has "$T/out" '"corrected_pass_rate":{"base":{"value":'
# ---- a panel against people -----------------------------------------------------
# Three judges that err independently (TPR 0.75, TNR 0.8 each) and their
# majority: the panel agrees with people more than any one of them (the
# three fall below the kappa bar of 0.6, so validate exits 3).
printf '{"name": "panel", "scorers": [
  {"use": "closed_qa", "as": "a", "threshold": 0.5,
   "params": {"criterion": "The answer is polite.", "model": "sim:noisy:0.75:0.8:a"}},
  {"use": "closed_qa", "as": "b", "threshold": 0.5,
   "params": {"criterion": "The answer is polite.", "model": "sim:noisy:0.75:0.8:b"}},
  {"use": "closed_qa", "as": "c", "threshold": 0.5,
   "params": {"criterion": "The answer is polite.", "model": "sim:noisy:0.75:0.8:c"}},
  {"use": "panel", "as": "jury", "threshold": 0.5,
   "params": {"judges": ["a", "b", "c"], "reduce": "majority"}}]}\n' >panel.json
sed 's/"labels": {"polite": \([^}]*\)}/"labels": {"a": \1, "b": \1, "c": \1, "jury": \1}/' labelled.jsonl >panel_labelled.jsonl
run 3 "$SK" validate --pack panel.json --labels panel_labelled.jsonl --no-builtin --json --no-progress -j 8
kappa_of() { # SCORER: its agreement's kappa in $T/out
    sed 's/{"name":/\n{"name":/g' "$T/out" | grep "^{\"name\":\"$1\"" |
        grep -o '"agreement":{[^}]*' | grep -o '"kappa":[-0-9.]*' | cut -d: -f2
}
ka=$(kappa_of a)
kb=$(kappa_of b)
kc=$(kappa_of c)
kj=$(kappa_of jury)
echo "kappa against 400 labels: a $ka, b $kb, c $kc, panel of the three $kj"
awk -v a="$ka" -v b="$kb" -v c="$kc" -v j="$kj" 'BEGIN { exit !(j > a && j > b && j > c) }' ||
    fail "the panel's kappa $kj is not above each judge's ($ka, $kb, $kc)"
finish
