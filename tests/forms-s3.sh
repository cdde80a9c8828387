#!/bin/sh
# GuardDuty findings from S3 (issue 14): one bucket holding a trail and
# GuardDuty's export side by side, as AWS writes them
# (AWSLogs/ACCOUNT/CloudTrail/... and AWSLogs/ACCOUNT/GuardDuty/REGION/
# YYYY/MM/DD/UUID.jsonl.gz), plus EventBridge events and get-findings
# output under prefixes of their own.  Walking from the bucket root reads
# CloudTrail/ for CloudTrail rules and GuardDuty/ for GuardDuty rules, and
# nothing a loaded rule would not read; s3_proxy.py's log shows which keys
# were listed and read.  The three forms give the same findings from S3
# as from disk.  An Insights file beside them (AWSLogs/ACCOUNT/
# CloudTrail-Insight/...) is listed and read only for rules that read
# Insights events, its days chosen by --since and --until.  Then an export object S3 refuses for want of kms:Decrypt
# (tests/tools/stubserver.py on loopback) is said to be KMS-encrypted.
. "$TOP_SRCDIR/tests/setup"

TOOLS=$TOP_SRCDIR/tests/tools
PY=/usr/bin/python3
GD=$TESTDATA/forms
D=AWSLogs/111122223333/GuardDuty/us-east-1/2024/03/01
K=7d1f3c52-0d51-4c3e-9d55-0c6a1f0e00a1.jsonl.gz

no_aws_env
: "${CTAUDIT_S3RVER_DIR:=$HOME/.cache/ctaudit-s3rver}"
export CTAUDIT_S3RVER_DIR
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
export HOME="$T/home"
mkdir -p "$HOME"
every_event
cat >"$T/gd.yml" <<'RULE'
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

cat >"$T/ins.yml" <<'RULE'
title: Insights event started
id: 7d1f3c52-0d51-4c3e-9d55-0c6a1f0e0003
status: test
level: medium
logsource:
    product: aws
    service: cloudtrail-insights
detection:
    selection:
        insightDetails.state: Start
    condition: selection
RULE

# The KMS refusal first: it needs only python3.
serve "$T/kport" $PY "$TOOLS/fake_s3_kms.py" --port-file "$T/kport"
AWS_ENDPOINT_URL=http://127.0.0.1:$PORT run kms 2 -q -f json \
    -r "$TOP_SRCDIR/rules/guardduty" "s3://ctaudit-test/$D/$K"
AWS_ENDPOINT_URL=http://127.0.0.1:$PORT run kmsplain 2 -q -f json \
    -r "$TOP_SRCDIR/rules/guardduty" "s3://ctaudit-test/$D/plain.jsonl.gz"
cat "$T/kms.err" "$T/kmsplain.err" >"$T/kms.got"
check_file kms "$EXPECTED/forms-kms" "$T/kms.got"

for tool in node aws; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "skip: $tool not found"
		finish
	fi
done
need_botocore "$PY"
if ! $PY "$TOOLS/s3_setup" check; then
	echo "skip: s3rver not installed (tests/tools/s3_setup install)"
	finish
fi

# The bucket, on disk first: the same tree is read from both.
B=$T/bucket
I=AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/03/01
mkdir -p "$B/$D" "$B/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01" \
    "$B/eventbridge/2024/03/01" "$B/get-findings" "$B/$I"
gzip -nc "$TESTDATA/input/insights.json" \
    >"$B/$I/111122223333_CloudTrail-Insight_us-east-1_20240301T1100Z_0123456789abcdef.json.gz"
gzip -nc "$GD/guardduty-export.jsonl" >"$B/$D/$K"
jq -c -s '{Records: .}' "$TESTDATA/input/lines.jsonl" | gzip -n \
    >"$B/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/111122223333_CloudTrail_us-east-1_20240301T1055Z_0123456789abcdef.json.gz"
gzip -nc "$GD/guardduty-eventbridge.jsonl" \
    >"$B/eventbridge/2024/03/01/guardduty-1-2024-03-01-10-50-00-0001.gz"
cp "$GD/guardduty-get-findings.json" "$B/get-findings/findings.json"

SERVERS="$SERVERS $($PY "$TOOLS/s3_setup" start "$T/data" "$T/s3port")"
s3port=$(cat "$T/s3port")
AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url "http://127.0.0.1:$s3port" \
    s3 sync --only-show-errors "$B" s3://ctaudit-test/
serve "$T/pport" $PY "$TOOLS/s3_proxy.py" "$s3port" "$T/pport" "$T/log"
export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT
ctl() {
	curl -sf "http://127.0.0.1:$PORT/__ctl/$1" >/dev/null
}

# walk NAME TITLE STATUS RULES [ctaudit arguments]: read the bucket from
# its root; record the origins and rules of the findings, what was listed
# and read (listing prefixes and keys), the diagnostics and exit status.
: >"$T/walk"
walk() {
	name=$1 title=$2 want=$3 rules=$4
	shift 4
	ctl reset
	run "$name" "$want" -q -f json -r "$rules" "$@" s3://ctaudit-test
	{
		echo "== $title"
		jq -r '[.origin, .ruleTitle] | @tsv' <"$T/$name.out" | sort
		sed -n '/list-type=2/s/.*[?&]prefix=\([^& ]*\).* \([0-9]*\)$/list \1 \2/p
		    /list-type=2/!s/^GET \/ctaudit-test\/\([^?]*\) \([0-9]*\)$/read \1 \2/p' \
		    "$T/log" | sed 's/%2F/\//g' | sort
		cat "$T/$name.err"
		echo "exit $got"
	} >>"$T/walk"
}
walk both "bundled rules: CloudTrail/, CloudTrail-Insight/ and GuardDuty/" 1 \
    "$TOP_SRCDIR/rules" --min-level medium
walk ct "CloudTrail rules only: GuardDuty/ and CloudTrail-Insight/ are not listed" 1 \
    "$T/all.yml"
walk ins "Insights rules only: CloudTrail-Insight/ alone is listed" 1 \
    "$T/ins.yml"
walk insday "Insights, the file's day: only its day is listed" 1 \
    "$T/ins.yml" --since 2024-03-01 --until 2024-03-02
walk insother "Insights, another day: nothing is read" 2 "$T/ins.yml" \
    --since 2024-03-05 --until 2024-03-06
walk gd "findings only: CloudTrail/ is not listed" 1 "$T/gd.yml"
walk other "findings, a day without an export: its prefix only" 2 \
    "$T/gd.yml" --since 2024-03-05 --until 2024-03-06
walk day "findings, the export's day" 1 "$T/gd.yml" \
    --since 2024-03-01 --until 2024-03-02
check_file walk "$EXPECTED/forms-s3-walk" "$T/walk"

# The three forms from S3 and from disk: the same findings, the same
# finding ids, whatever the form.
for p in "$D/$K" eventbridge/ get-findings/findings.json; do
	n=$(echo "$p" | tr / _)
	run "s3$n" 1 -q -f json -r "$TOP_SRCDIR/rules/guardduty" \
	    "s3://ctaudit-test/$p"
	(cd "$B" && ctaudit -q -f json -r "$TOP_SRCDIR/rules/guardduty" \
	    "$p") >"$T/disk$n.out" || true
	sed 's|"origin":"s3://ctaudit-test/|"origin":"|' "$T/s3$n.out" \
	    >"$T/s3$n.cmp"
	check_file "$p from S3 and from disk" "$T/disk$n.out" "$T/s3$n.cmp"
	jq -r '[.ruleId, .eventID] | @tsv' <"$T/s3$n.out" | sort \
	    >"$T/ids.$n"
	[ -s "$T/ids.$n" ] || fail "$p: no findings"
	check_file "$p: the export's findings" "$T/ids.$(echo "$D/$K" |
	    tr / _)" "$T/ids.$n"
done
finish
