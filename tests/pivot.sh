#!/bin/sh
# Findings a responder can pivot on (issue 11 point 4): the access key,
# the user name, the session issuer, eventTime in UTC beside the original,
# the rule's description, references and false positives; CSV columns
# that do not depend on the rules loaded; a summary that names principals
# as the findings do, alone on standard output with --summary-only.

. "$TOP_SRCDIR/tests/setup"

P=$TESTDATA/pivot
EV=events.json		# relative, so that "origin" is the same anywhere
cd "$P"

run json 1 -q -r "$P/rule.yml" -f json "$EV"
check_file json "$EXPECTED/pivot.jsonl" "$T/json.out"
run csv 1 -q -r "$P/rule.yml" -f csv "$EV"
check_file csv "$EXPECTED/pivot.csv" "$T/csv.out"
# The same header with no correlation rule, and with one.
run csvcorr 1 -q -r "$P/rule.yml" -r "$TOP_SRCDIR/rules" -f csv "$EV"
head -n 1 "$EXPECTED/pivot.csv" >"$T/header"
head -n 1 "$T/csvcorr.out" >"$T/csvcorr.header"
check_file csv-header "$T/header" "$T/csvcorr.header"

# --summary-only: the JSON report alone on stdout, nothing on stderr
# under -q; its principals are the findings' principalArn values.
run sum 1 -q -r "$P/rule.yml" --summary-only --summary-format json "$EV"
check_file sum-err /dev/null "$T/sum.err"
check_file sum "$EXPECTED/pivot-summary.json" "$T/sum.out"
jq -r '.principalArn' "$T/json.out" | sort >"$T/arns"
jq -r '.findings.principals.top[].value' "$T/sum.out" | sort >"$T/sumarns"
check_file sum-principals "$T/arns" "$T/sumarns"

finish
