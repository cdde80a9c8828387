# --sns-topic against tests/tools/fake_sns.py, a loopback SNS Query API
# that verifies every signature with botocore and checks SNS's limits.
# Each case's exit status, errors and what the endpoint received go into
# one transcript, compared with tests/expected/sns-cases; the messages
# themselves with sns-publish, sns-digest, sns-fifo and sns-dryrun.  No
# byte ctaudit writes, and no request, may hold the secret key or token.
. "$TOP_SRCDIR/tests/setup"

TOOLS=$TOP_SRCDIR/tests/tools
PY=/usr/bin/python3
need_botocore "$PY"

no_aws_env

SECRET='snssekrit/Key+0123456789abcdefghijklmnopqrstu'
TOKEN='snstokval//FwoGZXIvYXdzEXAMPLE+sessiontoken=='
TOPIC=arn:aws:sns:us-east-1:111122223333:ctaudit-alerts
FIFO=arn:aws:sns:us-east-1:111122223333:ctaudit-alerts.fifo
printf '{}\n' >"$T/ctl"
serve "$T/port" "$PY" "$TOOLS/fake_sns.py" --port-file "$T/port" \
    --log "$T/log" \
    --raw "$T/raw" --ctl "$T/ctl" --key "AKIDSNSTEST=$SECRET" \
    --token "$TOKEN" --topic "$TOPIC" --topic "$FIFO"

export HOME="$T/home" AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=AKIDSNSTEST AWS_SECRET_ACCESS_KEY="$SECRET"
export AWS_SESSION_TOKEN="$TOKEN"
export AWS_ENDPOINT_URL_SNS="http://127.0.0.1:$PORT"
mkdir -p "$HOME"
VERSION=$("$CTAUDIT" -V | sed 's/^ctaudit //')
# Relative names, so that the origins in the messages (and the lengths
# they count) do not depend on where the source tree is.
cd "$TESTDATA/sns"
RULES=.
EVENTS=events.json
OUT=$T/transcript
: >"$OUT"

# mask: the port, the version and the temporary directory.
mask() {
	sed -e "s/127\.0\.0\.1:$PORT/127.0.0.1:PORT/g" \
	    -e "s/ctaudit $VERSION/ctaudit VERSION/g" -e "s|$T|TMP|g" \
	    -e "s|$TESTDATA|TESTDATA|g" \
	    -e "s/ctaudit%20$VERSION/ctaudit%20VERSION/g" \
	    -e "s/^Content-Length: [0-9]*$/Content-Length: N/" \
	    -e 's/after [0-9]* ms:/after N ms:/'
}

# run NAME CTL ARGS...: one case with the fault control CTL; its status,
# stderr and what the endpoint received (entries only) go to the
# transcript.
run() {
	name=$1
	printf '{"case":"%s"%s}\n' "$name" "$2" >"$T/ctl"
	shift 2
	: >"$T/log"
	st=0
	ctaudit -f json -r "$RULES" "$@" >"$T/$name.out" 2>"$T/$name.err" ||
	    st=$?
	cat "$T/$name.out" "$T/$name.err" >>"$T/everything"
	{
		echo "== $name: exit $st"
		mask <"$T/$name.err"
		"$PY" "$TOOLS/fake_sns.py" brief "$T/log"
	} >>"$OUT"
}

# Two findings: one PublishBatch; the messages in full.
run publish '' --sns-topic "$TOPIC" "$EVENTS"
"$PY" "$TOOLS/fake_sns.py" show "$T/log" | mask >"$T/publish"
check_file publish "$EXPECTED/sns-publish" "$T/publish"
check_status publish 1 "$st"

# One finding: Publish.
run one '' --sns-topic "$TOPIC" --min-level high "$EVENTS"
check_status one 1 "$st"
# No finding: no request, and the status of a clean run.
run none '' --sns-topic "$TOPIC" --since 2030-01-01 "$EVENTS"
check_status none 0 "$st"

# Throttling and 500s are retried by the HTTP client: sent once each.
run throttled ',"throttle":2' --sns-topic "$TOPIC" "$EVENTS"
check_status throttled 1 "$st"
run error500 ',"error500":1' --sns-topic "$TOPIC" "$EVENTS"
check_status error500 1 "$st"
run slow ',"slow":1' --sns-topic "$TOPIC" "$EVENTS"
check_status slow 1 "$st"
# A batch entry that failed on SNS's side is sent again, alone.
run retry-entry ',"fail":{"m2":1}' --sns-topic "$TOPIC" "$EVENTS"
check_status retry-entry 1 "$st"

# Failures: the findings are in the output, the status is 4.
run rejected ',"reject":["m2"]' --sns-topic "$TOPIC" "$EVENTS"
check_status rejected 4 "$st"
[ "$(wc -l <"$T/rejected.out")" = 2 ] ||
	fail "rejected: the output lost findings"
run entry-gives-up ',"fail":{"m1":9}' --sns-topic "$TOPIC" "$EVENTS"
check_status entry-gives-up 4 "$st"
run denied ',"deny":true' --sns-topic "$TOPIC" "$EVENTS"
check_status denied 4 "$st"
run throttled-out ',"throttle":99' --sns-topic "$TOPIC" "$EVENTS"
check_status throttled-out 4 "$st"
AWS_ENDPOINT_URL_SNS=http://127.0.0.1:9
run unreachable '' --sns-topic "$TOPIC" "$EVENTS"
AWS_ENDPOINT_URL_SNS=http://127.0.0.1:$PORT
check_status unreachable 4 "$st"
# A bad input (2) and a failed delivery: 4 wins, both are reported.
run both ',"deny":true' --sns-topic "$TOPIC" "$EVENTS" "$T/missing.json"
check_status both 4 "$st"

# Configuration errors stop the run before it starts.
run bad-arn '' --sns-topic arn:aws:sqs:us-east-1:111122223333:q "$EVENTS"
check_status bad-arn 3 "$st"
run bad-threshold '' --sns-topic "$TOPIC" --digest-threshold -1 "$EVENTS"
check_status bad-threshold 3 "$st"
run dry-alone '' --dry-run "$EVENTS"
check_status dry-alone 3 "$st"

# More findings than the threshold: one digest.
run digest '' --sns-topic "$TOPIC" --digest-threshold 1 "$EVENTS"
"$PY" "$TOOLS/fake_sns.py" show "$T/log" | mask >"$T/digest"
check_file digest "$EXPECTED/sns-digest" "$T/digest"
check_status digest 1 "$st"

# FIFO: group and deduplication ids; a second run is deduplicated.
run fifo '' --sns-topic "$FIFO" "$EVENTS"
"$PY" "$TOOLS/fake_sns.py" show "$T/log" | mask >"$T/fifo"
run fifo-again '' --sns-topic "$FIFO" "$EVENTS"
"$PY" "$TOOLS/fake_sns.py" brief "$T/log" >>"$T/fifo"
check_file fifo "$EXPECTED/sns-fifo" "$T/fifo"

# --dry-run: the requests on stderr, nothing sent, no credentials needed.
(
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
	run dryrun '' --sns-topic "$FIFO" --dry-run "$EVENTS"
	echo "$st" >"$T/dryrun.st"
)
check_status dryrun 1 "$(cat "$T/dryrun.st")"
[ -s "$T/log" ] && fail "dryrun: a request was sent"
mask <"$T/dryrun.err" >"$T/dryrun"
check_file dryrun "$EXPECTED/sns-dryrun" "$T/dryrun"

# Limits: 12 findings with 300 KB fields full of quotes, which JSON
# escapes twice.  Values are cut to 1 KiB; the batches stay under 256 KiB
# (the endpoint refuses a bigger one) and take all 12 findings.
"$PY" - "$T/bulk.json" <<'EOF'
import json, sys
big = '"' * 300000
recs = []
for i in range(12):
    recs.append({"eventVersion": "1.08", "eventTime":
                 "2026-11-03T09:%02d:00Z" % i, "eventSource":
                 "s3.amazonaws.com", "eventName": "ListBuckets",
                 "awsRegion": "eu-west-1", "recipientAccountId":
                 "444455556666", "userIdentity": {"type": big, "arn": big},
                 "sourceIPAddress": big, "userAgent": big, "errorCode": big,
                 "errorMessage": big,
                 "eventID": "bbbbbbbb-0000-4000-8000-%012d" % i})
with open(sys.argv[1], "w") as f:
    json.dump({"Records": recs}, f)
EOF
run bulk '' --sns-topic "$TOPIC" "$T/bulk.json"
check_status bulk 1 "$st"
"$PY" "$TOOLS/fake_sns.py" brief "$T/log" >"$T/bulk.brief"
sent=$(grep -c ': sent$' "$T/bulk.brief" || true)
[ "$sent" = 12 ] || fail "bulk: $sent messages sent, want 12"
reqs=$(grep -c '^request' "$T/bulk.brief" || true)
[ "$reqs" -gt 2 ] || fail "bulk: $reqs requests, want batches cut by size"
"$PY" "$TOOLS/fake_sns.py" show "$T/log" >"$T/bulk.show"
cut=$(grep -c '^    | Agent:    """*... \[cut: 300000 bytes in all\]$' \
    "$T/bulk.show" || true)
[ "$cut" = 12 ] || fail "bulk: $cut userAgents cut and marked, want 12"
cut=$(grep -c '^    sqs: .*,"truncated":true}$' "$T/bulk.show" || true)
[ "$cut" = 12 ] || fail "bulk: $cut JSON objects marked truncated, want 12"

mask <"$OUT" >"$T/cases"
check_file cases "$EXPECTED/sns-cases" "$T/cases"

# No secret anywhere: not in what ctaudit wrote, not on the wire.
for s in "$SECRET" "$TOKEN"; do
	if grep -qF "$s" "$T/everything"; then
		fail "a secret was printed"
	fi
done
if grep -qF "$SECRET" "$T/raw"; then
	fail "the secret key was sent"
fi
finish
