# The --summary report over the sample archive, in text and JSON, and
# where it goes: stderr after the findings, or stdout in their place.
. "$TOP_SRCDIR/tests/setup"

RULES=$TOP_SRCDIR/rules
cd "$TESTDATA"

st=0
ctaudit -q --summary-only -r "$RULES" archive >"$T/text" 2>"$T/err" ||
    st=$?
check_status "summary text" 1 "$st"
check_file "summary text" "$EXPECTED/summary-archive.txt" "$T/text"
[ -s "$T/err" ] && fail "summary text: stderr not empty"

st=0
ctaudit -q --summary-only --summary-format json -r "$RULES" archive \
    >"$T/json" || st=$?
check_status "summary json" 1 "$st"
check_file "summary json" "$EXPECTED/summary-archive.json" "$T/json"
jq -e '.findings.total == 61 and .events.total == 88' "$T/json" \
    >/dev/null || fail "summary json: totals"

# Only ASCII, so that it survives mail from cron.
if LC_ALL=C grep -q '[^ -~]' "$T/text"; then
	fail "summary text: not printable ASCII"
fi

# --summary: findings on stdout as before, the report on stderr.
st=0
ctaudit -q --summary -f json -r "$RULES" archive >"$T/findings" \
    2>"$T/report" || st=$?
check_status "--summary" 1 "$st"
[ "$(wc -l <"$T/findings")" -eq 61 ] || fail "--summary: findings"
check_file "--summary" "$EXPECTED/summary-archive.txt" "$T/report"

st=0
ctaudit --summary-format xml archive >/dev/null 2>"$T/bad" || st=$?
check_status "bad format" 3 "$st"
echo "ctaudit: error: --summary-format xml: want text or json" >"$T/want"
check_file "bad format" "$T/want" "$T/bad"

finish
