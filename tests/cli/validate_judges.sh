#!/bin/sh
# scorekit validate on every kind of judge, against simulated judges of the
# fake LLM server that know the calibration set's answers (--truth): an
# honest pairwise judge passes and one that always prefers the first answer
# fails on position; a judge of its own criterion is tested on its own
# cases only, and says so when it has none; "cot": false passes; a label
# outside the choices is the judge's invalid verdict; and a classifier can
# say which kinds of case fit it.
. "$SK_SRCDIR/tests/cli/lib.sh"
. "$SK_SRCDIR/tests/llm/server.sh"
llm_server_start --truth "$SK_SRCDIR/core/validate/calibration"
cd "$T" || exit 1
run 0 "$SK" init p
cd p || exit 1
cat >scorekit.json <<EOF
{"name": "judges", "pack": "pairwise.json",
 "llm": {"providers": {"default": {"api": "openai", "base_url": "$LLM_URL/v1",
         "api_key_env": "SK_TEST_NO_KEY", "max_retries": 1, "retry_base_ms": 1}}}}
EOF
# One pack per point, so each fails (or passes) on its own.
cat >pairwise.json <<'EOF'
{"name": "pairwise", "scorers": [
  {"use": "pairwise", "as": "pw_honest", "params": {"model": "sim:honest"}},
  {"use": "pairwise", "as": "pw_first", "params": {"model": "sim:first"}},
  {"use": "pairwise", "as": "pw_meta",
   "params": {"model": "sim:honest", "other": "metadata.theirs.answer"}}]}
EOF
cat >criterion.json <<'EOF'
{"name": "criterion", "scorers": [
  {"use": "rubric", "as": "polite",
   "params": {"criteria": "The answer is polite.", "model": "sim:honest"},
   "validate": {"cases": [
     {"id": "thanks", "case": {"input": "Where is my order?",
      "output": "Thank you for waiting; it ships today."}, "expect": "high"},
     {"id": "please", "case": {"input": "Can I pay later?",
      "output": "Yes, please pick invoice at checkout."}, "expect": "high"},
     {"id": "curt", "case": {"input": "Where is my order?", "output": "Not my problem."},
      "expect": "low"},
     {"case": {"input": "Can I pay later?"}, "better": "Please ask us any time, thank you.",
      "worse": "Read the manual."}]}},
  {"use": "closed_qa", "as": "polite_nocases",
   "params": {"criterion": "The answer is polite.", "model": "sim:honest"}}]}
EOF
cat >correctness.json <<'EOF'
{"name": "correctness", "scorers": [
  {"use": "closed_qa", "as": "right",
   "params": {"criterion": "The answer is correct.", "model": "sim:honest"},
   "validate": {"criterion_kind": "correctness"}}]}
EOF
cat >cot.json <<'EOF'
{"name": "cot", "scorers": [
  {"use": "factuality", "as": "fact_nocot", "params": {"model": "sim:honest", "cot": false}}]}
EOF
cat >invalid.json <<'EOF'
{"name": "invalid", "scorers": [
  {"use": "factuality", "as": "fact_invalid", "params": {"model": "sim:invalid"}}]}
EOF
cat >classifier.json <<'EOF'
{"name": "classifier", "scorers": [
  {"use": "classifier", "as": "sentiment",
   "params": {"choices": {"positive": 1, "negative": 0}, "model": "sim:first",
              "prompt": "Is this positive? {{output}}"},
   "validate": {"accepts": ["text"]}}]}
EOF

# 1. Pairwise: an honest judge passes on head-to-heads of different answers,
# every kind of pair won and the position never followed.
run 0 "$SK" validate --pack pairwise.json --scorer pw_honest --json --explain
has "$T/out" '"verdict":"PASS"'
has "$T/out" '"pairwise":{"accuracy":{"wrong":1,"verbosity":1,"formality":1,"confidence":1},"position_inconsistency":0}'
has "$T/out" '"wrong":{"status":"PASS","n":38,"won":38,"share":1,"worse_mean":0,"worse_max":0}'
has "$T/out" '"correct":{"status":"n/a"}'
has "$T/out" '"position":{"status":"PASS","n":912,"inconsistent":0,"rate":0}'
# The scorer's metadata reaches the report, position_consistent with it.
has "$T/out" '"meta":{"ab":"A","ba":"B","position_consistent":true,'
has "$T/out" '"id":"capital-france/wrong",'
lacks "$T/out" '"id":"capital-france/correct"'
# Its text report says the accuracy per kind of pair.
run 0 "$SK" validate --pack pairwise.json --scorer pw_honest --repeat 1
grep -E '^pw_honest +PASS ' "$T/out" >/dev/null || fail "pw_honest should PASS"
has "$T/out" "pw_honest: pairwise accuracy (correct answer preferred in both roles): vs wrong 38/38, vs verbose wrong 38/38, vs formal wrong 38/38, vs confident wrong 38/38; position inconsistency 0/304 (0%)"
# The other answer can live in the metadata.
run 0 "$SK" validate --pack pairwise.json --scorer pw_meta --repeat 1 --json
has "$T/out" '"verdict":"PASS"'
has "$T/out" '"position":{"status":"PASS","n":304,"inconsistent":0'
# A judge that always prefers the first answer fails on position, saying so.
run 3 "$SK" validate --pack pairwise.json --scorer pw_first --repeat 1 --json
has "$T/out" '"position":{"status":"FAIL","n":304,"inconsistent":304,"rate":1,"why":"the verdict follows the position, not the content'
has "$T/out" '"position_consistent":false'
has "$T/out" '"position_inconsistency":1'
run 3 "$SK" validate --pack pairwise.json --scorer pw_first --repeat 1
has "$T/out" "FAIL position: the verdict follows the position, not the content: the two orders prefer different answers in 304 of 304 comparisons (100%"

# 2. A polite-criterion rubric is tested on its own cases only...
run 0 "$SK" validate --pack criterion.json --scorer polite --json --explain
has "$T/out" '"verdict":"PASS","repeat":3,"ncases":4,'
has "$T/out" '"correct":{"status":"PASS","n":2,'
has "$T/out" '"pairs":{"status":"PASS","n":1,'
lacks "$T/out" 'capital-france'
# ...one without cases says none fit its criterion, not FAIL...
run 0 "$SK" validate --pack criterion.json --scorer polite_nocases --json
has "$T/out" '"verdict":"WARN"'
has "$T/out" '"ncases":0,'
has "$T/out" 'no cases fit this criterion; add some'
# ...and --cases FILE gives it some.
printf '%s\n' '{"case": {"input": "Hi?", "output": "Hello, thank you for asking!"}, "expect": "high"}' \
    '{"case": {"input": "Hi?", "output": "What."}, "expect": "low"}' >polite.jsonl
run 0 "$SK" validate --pack criterion.json --scorer polite_nocases --cases polite.jsonl --json
has "$T/out" '"verdict":"PASS","repeat":3,"ncases":2,'
# A criterion that is correctness, said so, gets the built-in cases.
run 0 "$SK" validate --pack correctness.json --scorer right --repeat 1 --json
has "$T/out" '"verdict":"PASS","repeat":1,"ncases":190,'
has "$T/out" '"verbosity":{"status":"PASS","n":38,"won":38,'

# 3. "cot": false passes when its verdicts are right; the rationale check is
# skipped and the report says why.
run 0 "$SK" validate --pack cot.json --scorer fact_nocot --repeat 1 --json
has "$T/out" '"verdict":"PASS"'
has "$T/out" '"rationale":{"status":"n/a","skipped":"skipped: the judge is not asked for a rationale (\"cot\": false)"}'
run 0 "$SK" validate --pack cot.json --scorer fact_nocot --repeat 1
grep -E '^fact_nocot +PASS .* skipped ' "$T/out" >/dev/null || fail "fact_nocot: PASS, rationale skipped"
has "$T/out" 'fact_nocot: rationale skipped: the judge is not asked for a rationale ("cot": false)'

# 4. A label outside the choices: an invalid verdict naming the allowed
# labels and what the model said, counted apart from failed calls.
run 3 "$SK" validate --pack invalid.json --scorer fact_invalid --repeat 1 --json
has "$T/out" '"errors":0,"invalid_verdicts":304,'
has "$T/out" '"errors":{"status":"FAIL","n":304,"errors":0,"invalid_verdicts":304,"rate":1,"why":"304 of 304 verdicts were invalid'
has "$T/out" '"error":"factuality: invalid verdict: the model chose \"(C)\", which is not one of the allowed labels (A, B, C, D, E): {\"reasons\":\"invalid judge\",\"choice\":\"(C)\"}"'
lacks "$T/out" 'the LLM call failed'
run 3 "$SK" validate --pack invalid.json --scorer fact_invalid --repeat 1
has "$T/out" "fact_invalid: FAIL (plugin factuality, fingerprint"
has "$T/out" "304 calls, 0 skipped, 0 errors, 304 invalid verdicts)"
has "$T/out" "FAIL errors: 304 of 304 verdicts were invalid: the model replied with a label it was not offered (100%)"

# 5. A classifier told which kinds fit it gets only those.
printf '%s\n' '{"id": "txt", "case": {"input": "Review?", "output": "Loved it"}, "expect": "high"}' \
    '{"id": "obj", "case": {"input": "Review?", "output": {"stars": 1}}, "expect": "low"}' >kinds.jsonl
run 0 "$SK" validate --pack classifier.json --scorer sentiment --cases kinds.jsonl --json --explain
has "$T/out" '"ncases":1,'
has "$T/out" '"id":"txt"'
lacks "$T/out" '"id":"obj"'
finish
