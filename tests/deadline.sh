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

run bad-deadline 3 --run-deadline 0 "$PREFIX"
run bad-deadline2 3 --object-deadline 604801 "$PREFIX"
finish
