#!/bin/sh
# The forms a record comes in besides CloudTrail's own (tests/input.sh):
# aws cloudtrail lookup-events output, Logstash/OpenSearch exports timed by
# @timestamp, GuardDuty findings as EventBridge events, as the export to S3
# (JSON Lines, gzip) and as aws guardduty get-findings output; and what a
# file that is not JSON is said to look like, and where a pretty-printed
# file's syntax error is, by line and column.

. "$TOP_SRCDIR/tests/setup"

every_event

OUT=$T/out
GD=$T/gd.yml
cat >"$GD" <<'RULE'
title: GuardDuty finding of medium severity or more
id: 7d1f3c52-0d51-4c3e-9d55-0c6a1f0e0002
status: test
level: medium
logsource:
    product: aws
    service: guardduty
detection:
    selection:
        severity|gte: 4
    condition: selection
RULE
cat >"$T/both.yml" <<'RULE'
title: Anything in account 111122223333
id: 7d1f3c52-0d51-4c3e-9d55-0c6a1f0e0003
status: test
level: low
logsource:
    product: aws
    service: [cloudtrail, guardduty]
detection:
    trail:
        recipientAccountId: '111122223333'
    finding:
        accountId: '111122223333'
    condition: trail or finding
RULE

# gd_case NAME WANT_STATUS RULE [ctaudit arguments]: as run_case, printing
# origin, index, eventTime, eventID and type of each finding.
gd_case() {
	name=$1
	want=$2
	rule=$3
	shift 3
	echo "== $name" >>"$OUT"
	set +e
	ctaudit -r "$rule" -f json "$@" >"$T/stdout" 2>"$T/stderr"
	got=$?
	set -e
	jq -r '[.origin, .index, .ruleId, .eventTime,
	    .eventID] | @tsv' <"$T/stdout" |
	    sed "s|$T/|\$T/|g; s|$TESTDATA/|\$TESTDATA/|g" >>"$OUT"
	sed "s|$T/|\$T/|g; s|$TESTDATA/|\$TESTDATA/|g" <"$T/stderr" >>"$OUT"
	echo "exit $got" >>"$OUT"
	check_status "$name" "$want" "$got"
}

cd "$TESTDATA/forms"
: >"$OUT"
run_case "lookup-events: CloudTrailEvent strings, a bad one by index" 2 \
    lookup-events.json
run_case "Logstash export: @timestamp for eventTime" 1 logstash.jsonl
run_case "Logstash export: --since uses @timestamp" 1 \
    --since 2024-03-01T10:00:01Z logstash.jsonl
run_case "pretty-printed file: line and column" 2 pretty-bad.json

tar -cf "$T/logs.tar" -C "$TESTDATA/input" lines.jsonl
gzip -nc "$T/logs.tar" >"$T/logs.tar.gz"
python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], "w"); z.write(sys.argv[2], "lines.jsonl")' \
    "$T/logs.zip" "$TESTDATA/input/lines.jsonl"
printf 'eventTime,eventName\n2024-03-01T10:00:00Z,ConsoleLogin\n' \
    >"$T/logs.csv"
run_case "a tar archive" 2 "$T/logs.tar"
run_case "a gzip tar archive" 2 "$T/logs.tar.gz"
run_case "a zip archive" 2 "$T/logs.zip"
run_case "CSV" 2 "$T/logs.csv"

mkdir -p "$T/gd/AWSLogs/111122223333/GuardDuty/us-east-1/2024/03/01"
gzip -nc guardduty-export.jsonl \
    >"$T/gd/AWSLogs/111122223333/GuardDuty/us-east-1/2024/03/01/f.jsonl.gz"
gd_case "GuardDuty: EventBridge events" 1 "$GD" guardduty-eventbridge.jsonl
gd_case "GuardDuty: export to S3" 1 "$GD" "$T/gd"
gd_case "GuardDuty: get-findings, the API's key case" 1 "$GD" \
    guardduty-get-findings.json
gd_case "GuardDuty: --until uses updatedAt" 0 "$GD" \
    --until 2024-03-01T10:45:30Z guardduty-eventbridge.jsonl
cat >"$T/names.yml" <<'RULE'
title: Wire names of the API's exceptions, and map keys kept as they are
id: 7d1f3c52-0d51-4c3e-9d55-0c6a1f0e0004
status: test
level: low
logsource:
    product: aws
    service: guardduty
detection:
    product:
        resource.instanceDetails.productCodes.productCodeId: abc123
        resource.instanceDetails.productCodes.productCodeType: marketplace
        resource.instanceDetails.tags.key: Name
    bucket:
        service.action.awsApiCallAction.affectedResources.AWS::S3::Bucket: example-bucket
    condition: product or bucket
RULE
gd_case "get-findings and the export read alike, nested names too" 1 \
    "$T/names.yml" guardduty-get-findings.json guardduty-export.jsonl
gd_case "CloudTrail rules do not read findings" 0 "$T/all.yml" \
    guardduty-eventbridge.jsonl
gd_case "a rule naming both services reads both" 1 "$T/both.yml" \
    guardduty-export.jsonl "$TESTDATA/input/lines.jsonl"

# --state: a finding is known by its id and updatedAt.
sed 's/"updatedAt":"2024-03-01T10:45:30.109Z"/"updatedAt":"2024-03-02T08:00:00.000Z"/' \
    guardduty-export.jsonl >"$T/updated.jsonl"
gd_case "--state: first run" 1 "$GD" --stale 99999d --state "$T/state" \
    guardduty-export.jsonl
gd_case "--state: the same findings again" 0 "$GD" --stale 99999d --state "$T/state" \
    guardduty-eventbridge.jsonl
gd_case "--state: updated findings are new" 1 "$GD" --stale 99999d --state "$T/state" \
    "$T/updated.jsonl"

check_file forms "$EXPECTED/forms-all" "$OUT"

# A finding's own fields in every output: type, severity, resource,
# account, region, finding id and console link (and, in text, the type,
# account and region in the columns an event's name, account and region
# take).
for fmt in text json csv; do
	run "out-$fmt" 1 -q -f "$fmt" -r "$TOP_SRCDIR/rules/guardduty" \
	    guardduty-get-findings.json
	check_file "$fmt output" "$EXPECTED/forms-out.$fmt" "$T/out-$fmt.out"
done

# Findings as AWS published them (testdata/guardduty/README): the bundled
# rules over each, from the export (JSON Lines, gzip) and from EventBridge
# events, the same findings either way.
G=$TESTDATA/guardduty
mkdir -p "$T/gdx/AWSLogs/123456789012/GuardDuty/us-east-1/2022/01/13"
for n in ec2 iam s3; do
	jq -c . "$G/sample-$n.json"
done | gzip -n >"$T/gdx/AWSLogs/123456789012/GuardDuty/us-east-1/2022/01/13/x.jsonl.gz"
for n in ec2 iam s3; do
	jq -c '{version: "0", id: "cd2d702e-ab31-411b-9344-793ce56b1bc7",
	    "detail-type": "GuardDuty Finding", source: "aws.guardduty",
	    account: .accountId, time: .updatedAt, region: .region,
	    resources: [], detail: .}' "$G/sample-$n.json"
done >"$T/gdx.eventbridge.jsonl"
run published-export 1 -q -f json -r "$TOP_SRCDIR/rules/guardduty" "$T/gdx"
run published-eb 1 -q -f json -r "$TOP_SRCDIR/rules/guardduty" \
    "$T/gdx.eventbridge.jsonl"
for n in export eb; do
	jq -r '[.ruleTitle, .eventName, .finding.resource, .finding.id,
	    .eventID] | @tsv' <"$T/published-$n.out" >"$T/published-$n.tsv"
done
check_file "published findings" "$EXPECTED/forms-published" \
    "$T/published-export.tsv"
check_file "published findings, EventBridge" "$T/published-export.tsv" \
    "$T/published-eb.tsv"

# Every rule that reads findings, with a published finding it must match
# and one it must not (testdata/guardduty/rules.tsv).
TAB=$(printf '\t')
grep -v '^#' "$G/rules.tsv" | while IFS=$TAB read -r rule sign file filter; do
	jq -c "$filter" "$G/$file" >"$T/case.json"
	st=0
	ctaudit -q -f json -r "$TOP_SRCDIR/rules/guardduty/$rule" \
	    "$T/case.json" >"$T/case.out" 2>"$T/case.err" || st=$?
	n=$(grep -c . "$T/case.out" || true)
	want=0
	[ "$sign" = + ] && want=1
	if [ "$n" != "$want" ] || [ -s "$T/case.err" ]; then
		echo "FAIL: $rule $sign $file '$filter': $n findings," \
		    "want $want" >&2
		cat "$T/case.err" >&2
		echo x >>"$T/case.failed"
	fi
done
[ ! -f "$T/case.failed" ] || fail "rules on published findings"
for f in "$TOP_SRCDIR"/rules/guardduty/*.yml; do
	grep -q 'service: guardduty' "$f" || continue
	r=${f##*/}
	for sign in + -; do
		grep -q "^$r$TAB$sign$TAB" "$G/rules.tsv" ||
		    fail "$r: no $sign case in testdata/guardduty/rules.tsv"
	done
done

# The recipe this replaces: findings of medium severity or more to a
# Telegram chat with title, severity and band, type, account, region,
# counts and times, sample or not, and the console link; here through the
# bundled rules and tests/tools/fake_chat.py on loopback.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
    no_proxy NO_PROXY CTAUDIT_TELEGRAM_BOT_TOKEN CTAUDIT_TELEGRAM_CHAT_ID \
    CTAUDIT_TELEGRAM_API_URL 2>/dev/null || true
TOKEN=123456789:AAtelegramsekrit_tokenABCDEFGHIJKLMN
CHAT=-1001234567890
printf '{}\n' >"$T/ctl"
serve "$T/port" /usr/bin/python3 "$TOP_SRCDIR/tests/tools/fake_chat.py" \
    --port-file "$T/port" --log "$T/log" --raw "$T/raw" --ctl "$T/ctl" \
    --slack x/y/z --discord 1/x --token "$TOKEN" --chat "$CHAT"
export CTAUDIT_TELEGRAM_BOT_TOKEN="$TOKEN" CTAUDIT_TELEGRAM_CHAT_ID="$CHAT"
export CTAUDIT_TELEGRAM_API_URL="http://127.0.0.1:$PORT"
VERSION=$("$CTAUDIT" -V | sed 's/^ctaudit //')
st=0
ctaudit -q -f json -r "$TOP_SRCDIR/rules/guardduty" --min-level medium \
    --notify telegram guardduty-get-findings.json >"$T/tg.out" \
    2>"$T/tg.err" || st=$?
check_status "telegram" 1 "$st"
{
	cat "$T/tg.err"
	/usr/bin/python3 "$TOP_SRCDIR/tests/tools/fake_chat.py" show "$T/log"
} | sed "s/ctaudit $VERSION/ctaudit VERSION/g" >"$T/tg"
check_file forms-telegram "$EXPECTED/forms-telegram" "$T/tg"

# CloudTrail Insights events, read by the rules whose logsource service
# is cloudtrail-insights: a finding's line names the API, the principal
# CloudTrail attributes most of the unusual calls to and the kind of
# Insight; its alert gives the rate against the baseline and the
# attributed principal, user agent and error code.  An Insight's End is
# not reported, and no CloudTrail rule reads an Insights event.
: >"$T/log"
st=0
ctaudit -f text -r "$TOP_SRCDIR/rules" --notify telegram \
    insights.json >"$T/ins.out" 2>"$T/ins.err" || st=$?
check_status "insights" 1 "$st"
{
	cat "$T/ins.out" "$T/ins.err"
	/usr/bin/python3 "$TOP_SRCDIR/tests/tools/fake_chat.py" show "$T/log"
} | sed "s/ctaudit $VERSION/ctaudit VERSION/g" >"$T/ins"
check_file forms-insights "$EXPECTED/forms-insights" "$T/ins"

# Forged attributions (not a list; elements of the wrong type, an empty
# insight list, a number for a value): each Insight is still judged and
# reported, with nothing attributed and nothing else said.
I='"eventVersion":"1.08","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventCategory":"Insight"'
D='"state":"Start","eventSource":"ec2.amazonaws.com","eventName":"TerminateInstances","insightType":"ApiCallRateInsight"'
{
	printf '{%s,"eventTime":"2024-05-14T10:00:00Z","eventID":"e1","insightDetails":{%s,"insightContext":{"attributions":"x"}}}\n' "$I" "$D"
	printf '{%s,"eventTime":"2024-05-14T10:01:00Z","eventID":"e2","insightDetails":{%s,"insightContext":{"attributions":[7,{"attribute":"userIdentityArn","insight":[]},{"attribute":"userAgent","insight":[{"value":5}]},{"attribute":"errorCode","insight":"x"}]}}}\n' "$I" "$D"
} >"$T/forged.jsonl"
st=0
ctaudit -q -f json -r "$TOP_SRCDIR/rules" "$T/forged.jsonl" >"$T/forged.out" \
    2>"$T/forged.err" || st=$?
check_status "forged attributions" 1 "$st"
jq -c '[.eventID, .eventName, .principalArn, .userAgent, .errorCode]' \
    "$T/forged.out" >"$T/forged.got"
printf '%s\n' '["e1","TerminateInstances",null,null,null]' \
    '["e2","TerminateInstances",null,null,null]' >"$T/forged.want"
check_file "forged attributions" "$T/forged.want" "$T/forged.got"
check_file "forged attributions: stderr" /dev/null "$T/forged.err"
finish
