# --run-deadline and --object-deadline against tests/tools/fake_s3_drip.py,
# a loopback S3 that sends its listing or its object a byte every half
# second: the scan ends past the run deadline, exit 2, naming the object
# or the bucket; a dripping try is cut at the object deadline and tried
# again (tests/s3.sh checks the resumed reads against s3rver).
. "$TOP_SRCDIR/tests/setup"

PY=/usr/bin/python3
if [ ! -x "$PY" ]; then
	echo "skip: $PY not found"
	exit 77
fi
no_aws_env
# A regression must fail the test, not hang make check: no run may take
# more than 30 s (status 124 then).
ctaudit() {
	timeout -k 2 30 $CTAUDIT_VALGRIND "$CTAUDIT" "$@"
}
export AWS_ACCESS_KEY_ID=AKIDDRIP AWS_SECRET_ACCESS_KEY=dripsekrit
export AWS_EC2_METADATA_DISABLED=true HOME="$T/home"
PREFIX=s3://bucket/AWSLogs/111122223333/CloudTrail/us-east-1/
KEY=AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/12/111122223333_CloudTrail_us-east-1_20240312T0000Z_dripdripdripdrip.json.gz

serve "$T/oport" "$PY" "$TOP_SRCDIR/tests/tools/fake_s3_drip.py" \
    --port-file "$T/oport" --drip object
export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT
run run-object 2 -r "$TOP_SRCDIR/rules" -q --transfers 1 --run-deadline 2 "$PREFIX"
printf '%s\n' "ctaudit: s3://bucket/$KEY: error: not read whole within the run deadline of 2 s (--run-deadline)" >"$T/want"
check_file run-object "$T/want" "$T/run-object.err"
run object-deadline 2 -r "$TOP_SRCDIR/rules" -q --object-deadline 1 "$PREFIX"
printf '%s\n' "ctaudit: s3://bucket/$KEY: error: no whole answer within the object deadline of 1 s (--object-deadline), 4 times" >"$T/want"
check_file object-deadline "$T/want" "$T/object-deadline.err"

serve "$T/lport" "$PY" "$TOP_SRCDIR/tests/tools/fake_s3_drip.py" \
    --port-file "$T/lport" --drip list
export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT
run run-list 2 -r "$TOP_SRCDIR/rules" -q --run-deadline 2 "$PREFIX"
printf '%s\n' "ctaudit: error: s3://bucket: the run deadline of 2 s (--run-deadline) passed with objects still to list or read" >"$T/want"
check_file run-list "$T/want" "$T/run-list.err"

# The listing dripped: each try at a page is cut at the object deadline,
# and the listing fails after the tries, naming it.
run list-object-deadline 2 -r "$TOP_SRCDIR/rules" -q --object-deadline 1 \
    "$PREFIX"
printf '%s\n' "ctaudit: error: s3://bucket/AWSLogs/111122223333/CloudTrail/us-east-1/: listing: no whole answer within the object deadline of 1 s (--object-deadline), 4 times" >"$T/want"
check_file list-object-deadline "$T/want" "$T/list-object-deadline.err"

# Three objects, each dripped for far longer than the test may take, read
# one at a time: past the run deadline the one in flight fails, and no
# other is started (one was, and ran on, once: issue 15's 14-minute hang).
serve "$T/mport" "$PY" "$TOP_SRCDIR/tests/tools/fake_s3_drip.py" \
    --port-file "$T/mport" --drip object --keys 3
export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT
start=$(date +%s)
run run-many 2 -r "$TOP_SRCDIR/rules" -q --transfers 1 --run-deadline 2 "$PREFIX"
took=$(($(date +%s) - start))
[ "$took" -le 6 ] || fail "run-many: took $took s past a 2 s run deadline"
printf '%s\n' "ctaudit: s3://bucket/$KEY: error: not read whole within the run deadline of 2 s (--run-deadline)" \
    "ctaudit: error: s3://bucket: the run deadline of 2 s (--run-deadline) passed with objects still to list or read" >"$T/want"
check_file run-many "$T/want" "$T/run-many.err"

# Credentials from STS (web identity) that drip: the fetch is cut at the
# run deadline too, not at STS's own timeouts.
serve "$T/sport" "$PY" "$TOP_SRCDIR/tests/tools/fake_s3_drip.py" \
    --port-file "$T/sport" --drip sts
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
echo webtoken >"$T/webtoken"
export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT \
    AWS_WEB_IDENTITY_TOKEN_FILE=$T/webtoken \
    AWS_ROLE_ARN=arn:aws:iam::111122223333:role/drip
start=$(date +%s)
run run-sts 2 -r "$TOP_SRCDIR/rules" -q --run-deadline 2 "$PREFIX"
took=$(($(date +%s) - start))
[ "$took" -le 6 ] || fail "run-sts: took $took s past a 2 s run deadline"
printf '%s\n' "ctaudit: s3://bucket/AWSLogs/111122223333/CloudTrail/us-east-1/: error: web-identity: AssumeRoleWithWebIdentity: the run deadline of 2 s (--run-deadline) passed" >"$T/want"
check_file run-sts "$T/want" "$T/run-sts.err"
unset AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN

# The senders of --notify and --sns-topic stop at the run deadline too
# (from the start of a run with no S3 source): a webhook and an SNS
# endpoint that drip their answers are cut, the findings are named as not
# delivered, and the status is 4.
SNSDATA=$TESTDATA/sns
serve "$T/cport" "$PY" "$TOP_SRCDIR/tests/tools/fake_s3_drip.py" \
    --port-file "$T/cport" --drip chat
export CTAUDIT_SLACK_WEBHOOK_URL=http://127.0.0.1:$PORT/slack/T0/B0/dripsekrit
start=$(date +%s)
run run-slack 4 -r "$SNSDATA" -q --run-deadline 2 --notify slack \
    "$SNSDATA/events.json"
took=$(($(date +%s) - start))
[ "$took" -le 6 ] || fail "run-slack: took $took s past a 2 s run deadline"
printf '%s\n' "ctaudit: slack: error: 2 of 2 findings not delivered: message 1 of 2: the run deadline of 2 s (--run-deadline) passed" >"$T/want"
check_file run-slack "$T/want" "$T/run-slack.err"
unset CTAUDIT_SLACK_WEBHOOK_URL

serve "$T/nport" "$PY" "$TOP_SRCDIR/tests/tools/fake_s3_drip.py" \
    --port-file "$T/nport" --drip sns
export AWS_ACCESS_KEY_ID=AKIDDRIP AWS_SECRET_ACCESS_KEY=dripsekrit \
    AWS_ENDPOINT_URL_SNS=http://127.0.0.1:$PORT
TOPIC=arn:aws:sns:us-east-1:111122223333:drip
start=$(date +%s)
run run-sns 4 -r "$SNSDATA" -q --run-deadline 2 --sns-topic "$TOPIC" \
    "$SNSDATA/events.json"
took=$(($(date +%s) - start))
[ "$took" -le 6 ] || fail "run-sns: took $took s past a 2 s run deadline"
printf '%s\n' "ctaudit: sns: error: 2 of 2 findings not delivered: $TOPIC: the run deadline of 2 s (--run-deadline) passed" >"$T/want"
check_file run-sns "$T/want" "$T/run-sns.err"
unset AWS_ENDPOINT_URL_SNS

run bad-deadline 3 --run-deadline 0 "$PREFIX"
run bad-deadline2 3 --object-deadline 604801 "$PREFIX"
finish
