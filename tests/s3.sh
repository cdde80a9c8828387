# The S3 source against a real S3 server on loopback: s3rver (npm), seeded
# with awscli in CloudTrail's layout, behind tests/tools/s3_proxy.py, which
# verifies every signature with botocore, counts requests and injects
# faults.  Skips unless node, a patched s3rver (tests/tools/s3_setup
# install), awscli and botocore are there.
. "$TOP_SRCDIR/tests/setup"

TOOLS=$TOP_SRCDIR/tests/tools
PY=/usr/bin/python3
for tool in node aws curl; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "skip: $tool not found"
		exit 77
	fi
done
need_botocore "$PY"
if ! $PY "$TOOLS/s3_setup" check; then
	echo "skip: s3rver not installed (tests/tools/s3_setup install)"
	exit 77
fi

SERVERS="$SERVERS $($PY "$TOOLS/s3_setup" start "$T/data" "$T/s3port")"
s3port=$(cat "$T/s3port")

export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
export AWS_DEFAULT_REGION=us-east-1 HOME="$T/home"
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL_S3 AWS_CONFIG_FILE \
    AWS_SHARED_CREDENTIALS_FILE 2>/dev/null || true
mkdir -p "$HOME"

# Seed s3rver directly: a year of an organization trail, and the sample.
$PY "$TOOLS/s3_setup" year "$T/year"
seed() {
	aws --endpoint-url "http://127.0.0.1:$s3port" s3 sync \
	    --only-show-errors "$@"
}
seed "$T/year" s3://ctaudit-test/
seed "$TESTDATA/archive" s3://ctaudit-test/sample/

serve "$T/pport" $PY "$TOOLS/s3_proxy.py" "$s3port" "$T/pport" "$T/log"
port=$PORT
export AWS_ENDPOINT_URL=http://127.0.0.1:$port
unset AWS_DEFAULT_REGION

ctl() {
	curl -sf "http://127.0.0.1:$port/__ctl/$1" >/dev/null
}
s3() {
	ctaudit -q -f json -r "$TOP_SRCDIR/rules" "$@"
}
SAMPLE=s3://ctaudit-test/sample/

# One day of a year: 1 organization, 2 accounts, 2 regions, 3 days of
# prefixes; 16 listings and the 8 files whose delivery time fits, and,
# as the bundled rules read GuardDuty findings and Insights events too,
# one listing of each account's (empty) GuardDuty/ and CloudTrail-Insight/.
ctl reset
st=0
s3 --since 2023-06-15 --until 2023-06-16 s3://ctaudit-test \
    >"$T/day.out" 2>"$T/day.err" || st=$?
check_status "one day" 0 "$st"
lists=$(grep -c 'list-type=2' "$T/log" || true)
gets=$(grep -vc 'list-type=2' "$T/log" || true)
[ "$lists" = 20 ] || fail "one day: $lists listings, want 20"
n=$(grep -c 'list-type=2.*GuardDuty' "$T/log" || true)
[ "$n" = 2 ] || fail "one day: $n GuardDuty/ listings, want 2"
n=$(grep -c 'list-type=2.*CloudTrail-Insight' "$T/log" || true)
[ "$n" = 2 ] || fail "one day: $n CloudTrail-Insight/ listings, want 2"
[ "$gets" = 8 ] || fail "one day: $gets objects read, want 8"
if grep -q 'CloudTrail-Digest' "$T/log"; then
	fail "one day: a digest prefix was listed"
fi
if grep -qv ' 200$' "$T/log"; then
	fail "one day: a request was refused"
	grep -v ' 200$' "$T/log" >&2
fi

# The sample archive from disk and from S3: the same findings.
st=0
(cd "$TESTDATA" && ctaudit -q -f json -r "$TOP_SRCDIR/rules" archive) \
    >"$T/disk.out" || st=$?
check_status "disk" 1 "$st"
ctl reset
st=0
s3 "$SAMPLE" >"$T/s3.out" 2>"$T/s3.err" || st=$?
check_status "sample" 1 "$st"
sed 's|"origin":"s3://ctaudit-test/sample/|"origin":"archive/|' \
    "$T/s3.out" >"$T/s3.cmp"
check_file "sample" "$T/disk.out" "$T/s3.cmp"
check_file "sample stderr" /dev/null "$T/s3.err"

# Listings run ahead of the reader, several at once, in curl's multi
# handle: one throttled is retried there, and one refused in the middle
# of the walk is reported where one listing after another would report
# it, the rest still read.  With one object in flight, that is after the
# objects before it in key order, although the slow bodies of two of them
# leave the refusal ample time to come first.  The listing's match is
# encoded twice: the proxy decodes it once, and the query holds %2F.
ctl reset
ctl 'fault?kind=slowdown&match=list-type&count=3'
ctl 'fault?kind=deny&match=444455556666%252FCloudTrail%252Feu-west-1'
ctl 'fault?kind=slow&match=111122223333_CloudTrail_us-east-1_20240311'
ctl 'fault?kind=deny&match=RTu1Oh90zfFnDEre'
st=0
s3 --transfers 1 "$SAMPLE" >"$T/ahead.out" 2>"$T/ahead.err" || st=$?
check_status "ahead" 2 "$st"
p=s3://ctaudit-test/sample/AWSLogs/o-exampleorgid
{
	echo "ctaudit: $p/111122223333/CloudTrail/us-east-1/2024/03/13/111122223333_CloudTrail_us-east-1_20240313T0820Z_RTu1Oh90zfFnDEre.json.gz: error: AccessDenied: Access Denied (HTTP 403)"
	echo "ctaudit: error: $p/444455556666/CloudTrail/eu-west-1/: AccessDenied: Access Denied (HTTP 403)"
} >"$T/ahead.want"
check_file "ahead" "$T/ahead.want" "$T/ahead.err"
grep -v -e RTu1Oh90zfFnDEre -e '444455556666/CloudTrail/eu-west-1/' \
    "$T/disk.out" >"$T/ahead.cmp" || true
sed 's|"origin":"s3://ctaudit-test/sample/|"origin":"archive/|' \
    "$T/ahead.out" >"$T/ahead.got"
check_file "ahead findings" "$T/ahead.cmp" "$T/ahead.got"
lists=$(grep -c 'list-type=2.* 200$' "$T/log" || true)
n=$(grep -c 'list-type=2.* 503$' "$T/log" || true)
gets=$(grep -vc 'list-type=2' "$T/log" || true)
[ "$lists" = 12 ] || fail "ahead: $lists listings answered, want 12"
[ "$n" = 3 ] || fail "ahead: $n listings throttled, want 3"
[ "$gets" = 13 ] || fail "ahead: $gets objects read, want 13"
if grep -q '444455556666/CloudTrail/eu-west-1/.*json.gz' "$T/log"; then
	fail "ahead: read an object of the refused listing"
fi

# Faults: 503 SlowDown twice, a reset mid-body twice, a slow body; each
# object is read once, so findings are neither lost nor doubled.
ctl reset
ctl 'fault?kind=slowdown&match=9HAdYzc6ecM29HfS&count=2'
ctl 'fault?kind=reset&match=w33zDDakLB2YJqzt&count=2'
ctl 'fault?kind=slow&match=Cl3VUhscQWXCqMS4'
st=0
s3 "$SAMPLE" >"$T/fault.out" 2>"$T/fault.err" || st=$?
check_status "faults" 1 "$st"
sed 's|"origin":"s3://ctaudit-test/sample/|"origin":"archive/|' \
    "$T/fault.out" >"$T/fault.cmp"
check_file "faults" "$T/disk.out" "$T/fault.cmp"
check_file "faults stderr" /dev/null "$T/fault.err"
n=$(grep -c '9HAdYzc6ecM29HfS.json.gz 503$' "$T/log" || true)
[ "$n" = 2 ] || fail "faults: $n SlowDown answers, want 2"
n=$(grep -c 'w33zDDakLB2YJqzt.json.gz 206$' "$T/log" || true)
[ "$n" = 2 ] || fail "faults: $n resumed reads, want 2"

# A server that names keys and prefixes outside the prefix listed (S3
# never does): they are left out with a warning naming the listing, and
# nothing outside is listed or read.
ctl reset
ctl 'fault?kind=stray&match=111122223333%252FCloudTrail%252Fus-east-1&value=elsewhere/AWSLogs/999999999999'
st=0
ctaudit -f json -r "$TOP_SRCDIR/rules" "$SAMPLE" >"$T/stray.out" \
    2>"$T/stray.err" || st=$?
check_status "stray" 1 "$st"
check_file "stray" "$T/s3.out" "$T/stray.out"
w="ctaudit: s3://ctaudit-test/sample/AWSLogs/o-exampleorgid/111122223333/CloudTrail/us-east-1/: warning: the listing named 2 keys or prefixes not below it: left out"
n=$(grep -cxF "$w" "$T/stray.err" || true)
[ "$n" = 1 ] || fail "stray: $n warnings, want 1: $(cat "$T/stray.err")"
if grep -q elsewhere "$T/log"; then
	fail "stray: listed or read outside the prefix"
fi

# The bucket in another region: found from the 301, and used.
ctl reset
ctl 'fault?kind=region&match=eu-west-1'
st=0
s3 "$SAMPLE" >"$T/region.out" 2>"$T/region.err" || st=$?
check_status "region" 1 "$st"
check_file "region" "$T/s3.out" "$T/region.out"
n=$(grep -c ' 301$' "$T/log" || true)
[ "$n" = 1 ] || fail "region: $n redirects, want 1"

# Permanent errors: one line each, the rest of the run goes on.
ctl reset
ctl 'fault?kind=deny&match=hZss5DXcJaxwMyUv'
st=0
s3 "$SAMPLE" s3://no-such-bucket/logs >"$T/deny.out" 2>"$T/errors.err" ||
    st=$?
check_status "denied" 2 "$st"
n=$(wc -l <"$T/deny.out")
[ "$n" = 60 ] || fail "denied: $n findings, want 60"
ctl reset
ctl 'fault?kind=expired&match=list-type'
st=0
s3 "$SAMPLE" >/dev/null 2>>"$T/errors.err" || st=$?
check_status "expired" 2 "$st"
ctl reset
st=0
AWS_SECRET_ACCESS_KEY=wrong s3 "$SAMPLE" >/dev/null 2>>"$T/errors.err" ||
    st=$?
check_status "bad signature" 2 "$st"
check_file "errors" "$EXPECTED/s3-errors.err" "$T/errors.err"

# --account and --region narrow the walk, once main.c has them.
if ctaudit --help 2>&1 | grep -q -- '--account'; then
	ctl reset
	st=0
	s3 --account 222222222222 --region us-east-1 \
	    --since 2023-06-15 --until 2023-06-16 s3://ctaudit-test \
	    >/dev/null 2>&1 || st=$?
	check_status "narrowed" 0 "$st"
	n=$(grep -c 'list-type=2' "$T/log" || true)
	[ "$n" = 8 ] || fail "narrowed: $n listings, want 8"
	if grep -v 'list-type=2' "$T/log" |
	    grep -qv '222222222222/CloudTrail/us-east-1/'; then
		fail "narrowed: read an object outside the account or region"
	fi
fi


# Deadlines (issue 15.7): a server that drips a byte every half second.
# Past --object-deadline a try ends like a reset and the object is
# resumed (206); a try that always runs out fails the object after the
# tries, naming it.  tests/deadline.sh checks --run-deadline.
ctl reset
ctl 'fault?kind=drip&match=w33zDDakLB2YJqzt&count=1'
st=0
s3 --object-deadline 1 "$SAMPLE" >"$T/drip.out" 2>"$T/drip.err" || st=$?
check_status "drip resumed" 1 "$st"
sed 's|"origin":"s3://ctaudit-test/sample/|"origin":"archive/|' \
    "$T/drip.out" >"$T/drip.cmp"
check_file "drip resumed" "$T/disk.out" "$T/drip.cmp"
check_file "drip resumed stderr" /dev/null "$T/drip.err"
n=$(grep -c 'w33zDDakLB2YJqzt.json.gz 206$' "$T/log" || true)
[ "$n" = 1 ] || fail "drip resumed: $n resumed reads, want 1"
ctl reset
ctl 'fault?kind=drip&match=w33zDDakLB2YJqzt'
st=0
s3 --object-deadline 1 "$SAMPLE" >/dev/null 2>"$T/drip-out.err" || st=$?
check_status "drip object deadline" 2 "$st"
key=$(grep -o 'sample/[^ ?]*w33zDDakLB2YJqzt.json.gz' "$T/log" | head -1)
printf '%s\n' "ctaudit: s3://ctaudit-test/$key: error: no whole answer within the object deadline of 1 s (--object-deadline), 4 times" >"$T/drip-out.want"
check_file "drip object deadline" "$T/drip-out.want" "$T/drip-out.err"
ctl reset
for v in 0 99999999; do
	st=0
	ctaudit --run-deadline $v -r "$TOP_SRCDIR/rules" "$SAMPLE" \
	    >/dev/null 2>"$T/dl.err" || st=$?
	check_status "--run-deadline $v" 3 "$st"
done

# Nothing found is not success: a prefix with no log key is named, exit 2,
# under -q too.  A short organization id is walked; a prefix under AWSLogs/
# that is neither an account nor an organization id is named.
k=111122223333_CloudTrail_eu-west-1_20240312T0320Z_hZss5DXcJaxwMyUv.json.gz
mkdir -p "$T/short/AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2024/03/12" \
    "$T/short/AWSLogs/backup"
cp "$TESTDATA/archive/AWSLogs/o-exampleorgid/111122223333/CloudTrail/eu-west-1/2024/03/12/$k" \
    "$T/short/AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2024/03/12/"
cp "$T/short/AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2024/03/12/$k" \
    "$T/short/AWSLogs/backup/"
seed "$T/short" s3://ctaudit-test/short/
st=0
s3 s3://ctaudit-test/empty/ >"$T/empty.out" 2>"$T/empty.err" || st=$?
check_status "empty prefix" 2 "$st"
printf '%s\n' "ctaudit: s3://ctaudit-test/empty/: error: no CloudTrail log files found" >"$T/empty.want"
check_file "empty prefix" "$T/empty.want" "$T/empty.err"
st=0
ctaudit -f json -r "$TOP_SRCDIR/rules" s3://ctaudit-test/short/ \
    >"$T/short.out" 2>"$T/short.err" || st=$?
check_status "short org id" 1 "$st"
grep -q "AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2024/03/12/$k" \
    "$T/short.out" || fail "short org id: not walked"
[ "$(grep -c "AWSLogs/backup/" "$T/short.out" || true)" = 0 ] ||
    fail "short org id: walked backup/"
grep -v '^ctaudit: note: ' "$T/short.err" >"$T/short.err2" || true
printf '%s\n' "ctaudit: s3://ctaudit-test/short/AWSLogs/backup/: warning: neither an account nor an organization id: not walked (give it as the prefix to read it)" >"$T/short.want"
check_file "short org id" "$T/short.want" "$T/short.err2"
finish
