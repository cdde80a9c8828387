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

# Rules only data events can match, on a trail without data events: a
# note says they were blind.  Not when a data event was read (told by
# eventCategory, or by managementEvent alone, as before eventVersion
# 1.07), nor when no such rule is loaded, nor on an empty input; with
# -j 2 as with one thread.
NOTE="ctaudit: note: rules: 11 rules match only data events (S3 object \
calls, Lambda invocations, DynamoDB items) and none of the 88 records is \
one: a trail logs them only if its event selectors ask"
blind() {	# name, status, want (1: the note, 0: none), ctaudit arguments...
	name=$1 status=$2 want=$3
	shift 3
	st=0
	ctaudit -f json "$@" >/dev/null 2>"$T/blind" || st=$?
	check_status "$name" "$status" "$st"
	n=$(grep -c 'match only data events' "$T/blind" || :)
	[ "$n" -eq "$want" ] || fail "$name: $n data-event notes, want $want"
}
blind "blind" 1 1 -r "$RULES" archive
echo "$NOTE" >"$T/want"
grep 'data events' "$T/blind" >"$T/got"
check_file "blind: message" "$T/want" "$T/got"
blind "blind -j 2" 1 1 -j 2 -r "$RULES" archive
blind "data event" 1 0 -r "$RULES" archive correlate/sseccopy.json
# Data events in files the second thread reads: its count must be added
# to the main thread's.  (The main thread decodes too while it waits; with
# few rules to load, the second thread is ready soon enough to read some
# of the forty files.)
mkdir "$T/data"
for i in $(seq 40); do cp correlate/sseccopy.json "$T/data/$i.json"; done
blind "data event -j 2" 1 0 -j 2 -r "$RULES" "$T/data"
st=0
ctaudit -q --summary-only --summary-format json -j 2 -r "$RULES/s3" \
    "$T/data" archive >"$T/data.json" || st=$?
check_status "data events counted" 1 "$st"
jq -c .run "$T/data.json" >"$T/got"
echo '{"files":56,"filesIncomplete":0,"filesSkipped":0,"records":3248,'\
'"dataEvents":3160,"rules":{"loaded":38,"rejected":0,"notCloudTrail":0,'\
'"leftOut":0,"dataOnly":7,"filters":0}}' >"$T/want"
check_file "data events counted" "$T/want" "$T/got"
jq -c '.Records[0] | del(.eventCategory) | {Records: [.]}' \
    correlate/sseccopy.json >"$T/old.json"
blind "managementEvent false" 1 0 -r "$RULES" archive "$T/old.json"
jq -c '.Records[0] | del(.managementEvent) | {Records: [.]}' \
    correlate/sseccopy.json >"$T/new.json"
blind "eventCategory Data" 1 0 -r "$RULES" archive "$T/new.json"
blind "no data-only rule" 1 0 -r "$RULES/iam" archive
echo '{"Records":[]}' >"$T/empty.json"
# (No event at all is an error of its own.)
blind "no records" 2 0 -r "$RULES" "$T/empty.json"

finish
