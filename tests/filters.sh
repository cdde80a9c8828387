# Sigma filters (testdata/filters): they suppress exactly the matches
# they name, are listed by the rules command, and the summary counts what
# each one held back.
. "$TOP_SRCDIR/tests/setup"

RULES=$TOP_SRCDIR/rules
cd "$TESTDATA"

st=0
ctaudit -f json -r "$RULES" archive >"$T/all.json" 2>/dev/null || st=$?
check_status "without filters" 1 "$st"
st=0
ctaudit -f json -r "$RULES" -r filters archive >"$T/filtered.json" \
    2>"$T/filtered.err" || st=$?
check_status "with filters" 1 "$st"
check_file "with filters: stderr" "$EXPECTED/filters-run.err" \
    "$T/filtered.err"

# What went missing is exactly what the filters name.
ids() {
	jq -r '[.ruleId, .eventID // .eventTime, .principalArn,
	    .sourceIPAddress] | @tsv' "$1" | sort
}
ids "$T/all.json" >"$T/all.ids"
ids "$T/filtered.json" >"$T/filtered.ids"
comm -23 "$T/all.ids" "$T/filtered.ids" >"$T/suppressed"
check_file "suppressed findings" "$EXPECTED/filters-suppressed" \
    "$T/suppressed"
if [ -n "$(comm -13 "$T/all.ids" "$T/filtered.ids")" ]; then
	fail "filters added findings"
fi

# Listed by the rules command, after the rules.
st=0
ctaudit rules -r filters >"$T/rules.out" 2>"$T/rules.err" || st=$?
check_status "rules command" 0 "$st"
check_file "rules command" "$EXPECTED/filters-rules" "$T/rules.out"

# Counted per filter in the summary.
ctaudit -q --summary-only -r "$RULES" -r filters archive >"$T/sum" || true
sed -n '/^findings suppressed by filter:/,/^$/p' "$T/sum" >"$T/sum.filters"
check_file "summary" "$EXPECTED/filters-summary" "$T/sum.filters"

# A filter must name its rules; one that does not is refused.
cat >"$T/bad.yml" <<'YML'
title: No rules
logsource: {product: aws, service: cloudtrail}
filter:
    selection: {eventName: X}
    condition: selection
YML
st=0
ctaudit rules -r "$T/bad.yml" >/dev/null 2>"$T/bad.err" || st=$?
check_status "filter without rules" 3 "$st"
sed "s|$T/||" "$T/bad.err" >"$T/bad.err2"
check_file "filter without rules" "$EXPECTED/filters-bad.err" "$T/bad.err2"

finish
