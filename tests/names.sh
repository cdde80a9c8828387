#!/bin/sh
# Every eventSource/eventName pair the rule pack can match must be a name
# CloudTrail logs: an operation of the service's model in Debian's
# python3-botocore, or a line of tests/cloudtrail-names.tsv, the cited
# table of names CloudTrail logs differently (see its header to add one).
# Values with wildcards or modifiers are not names and are only counted.
# Skipped when botocore's models are not installed.

. "$TOP_SRCDIR/tests/setup"

: "${BOTOCORE_DATA:=/usr/lib/python3/dist-packages/botocore/data}"
if [ ! -f "$BOTOCORE_DATA/s3/2006-03-01/service-2.json" ]; then
	echo "skip: no botocore service models in $BOTOCORE_DATA"
	exit 77
fi
TABLE=$TOP_SRCDIR/tests/cloudtrail-names.tsv
CHECK="python3 $TOP_SRCDIR/tests/tools/check_names.py $BOTOCORE_DATA $TABLE"
# Messages name the rule file as given: rules/..., relative to the top.

# 1. The bundled pack, correlation rules included.
st=0
(cd "$TOP_SRCDIR" && $CHECK rules) >"$T/out" 2>"$T/err" || st=$?
cat "$T/out"
if [ "$st" -ne 0 ]; then
	cat "$T/err" >&2
	fail "rules/: wrong CloudTrail event names (exit $st)"
fi

# 2. The check can fail: a misspelled name, a name CloudTrail logs under
# another one (by the table, or by the model: CloudFront's names carry
# the API version, and are right with it), a name paired only through
# another selection, a source no model answers to, misspelled request
# fields (plain, under a versioned Lambda name and under EC2's
# OPERATIONRequest wrapper), a misspelled response field and a value its
# enumeration lacks (compared without case, as Sigma does), each named
# with its file; wildcards and modifiers are counted, not checked, and so
# are the XML bodies S3 logs.
mkdir "$T/bad"
cat >"$T/bad/bad.yml" <<'RULE'
title: Misspelled names
id: 0d3c1f6e-3f51-4d6c-9f41-5a7f2c0e0001
status: test
level: low
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: iam.amazonaws.com
        eventName:
            - CreateUser
            - CreateAccesKey
    block:
        eventSource: s3.amazonaws.com
        eventName: DeletePublicAccessBlock
    loose:
        eventName: PutBucketPolcy
    nomodel:
        eventSource: nosuch.amazonaws.com
        eventName: DoThing
    skipped:
        eventName|startswith: Get
        eventSource: 'ec2.*'
    field:
        eventSource: iam.amazonaws.com
        eventName: CreateAccessKey
        requestParameters.userNmae: bob
    versioned:
        eventSource: lambda.amazonaws.com
        eventName|startswith: CreateFunction
        requestParameters.role|contains: admin
        requestParameters.rolle|contains: admin
        responseElements.layers.arn|contains: ':layer:'
        responseElements.layerz.arn|contains: ':layer:'
    wrapped:
        eventSource: ec2.amazonaws.com
        eventName: ModifyInstanceMetadataOptions
        requestParameters.ModifyInstanceMetadataOptionsRequest.HttpTokens: optional
        requestParameters.ModifyInstanceMetadataOptionsRequest.HttpToken: optional
    enum:
        eventSource: iam.amazonaws.com
        eventName: UpdateAccessKey
        requestParameters.status:
            - inactive
            - Inactiv
    body:
        eventSource: s3.amazonaws.com
        eventName: PutBucketPolicy
        requestParameters.bucketPolicy|contains: '*'
    cloudfront:
        eventSource: cloudfront.amazonaws.com
        eventName:
            - UpdateDistribution
            - CreateDistribution2020_05_31
    condition: 1 of them
RULE
st=0
(cd "$T" && $CHECK bad) >"$T/out" 2>"$T/err" || st=$?
check_status "misspelled names" 1 "$st"
cat >"$T/want" <<EOF2
checked 11 pairs in 1 rule files, skipped 3 values
checked 8 fields, 1 with no model to check against
bad/bad.yml: eventSource cloudfront.amazonaws.com: eventName UpdateDistribution: CloudTrail logs this operation as UpdateDistribution2020_05_31 (its model's name for it)
bad/bad.yml: eventSource cloudfront.amazonaws.com|ec2.amazonaws.com|iam.amazonaws.com|lambda.amazonaws.com|nosuch.amazonaws.com|s3.amazonaws.com: eventName PutBucketPolcy: not an operation of any service the rule names
bad/bad.yml: eventSource iam.amazonaws.com: eventName CreateAccesKey: not an operation of botocore model iam, nor in cloudtrail-names.tsv
bad/bad.yml: eventSource nosuch.amazonaws.com: eventName DoThing: no botocore model answers to nosuch, nor in cloudtrail-names.tsv
bad/bad.yml: eventSource s3.amazonaws.com: eventName DeletePublicAccessBlock: CloudTrail logs this operation as DeleteBucketPublicAccessBlock (cloudtrail-names.tsv)
bad/bad.yml: requestParameters.ModifyInstanceMetadataOptionsRequest.HttpToken: not in the request of ec2 ModifyInstanceMetadataOptions (ec2), nor in cloudtrail-names.tsv
bad/bad.yml: requestParameters.rolle: not in the request of lambda CreateFunction (lambda), lambda CreateFunctionUrlConfig (lambda), nor in cloudtrail-names.tsv
bad/bad.yml: requestParameters.status: value Inactiv: not one of Active, Inactive
bad/bad.yml: requestParameters.userNmae: not in the request of iam CreateAccessKey (iam), nor in cloudtrail-names.tsv
bad/bad.yml: responseElements.layerz.arn: not in the response of lambda CreateFunction (lambda), lambda CreateFunctionUrlConfig (lambda), nor in cloudtrail-names.tsv
EOF2
cat "$T/out" "$T/err" >"$T/got"
check_file "misspelled names" "$T/want" "$T/got"

# 3. A bad table line is an error, not a pass: bad_line WHAT LINE MESSAGE.
bad_line() {
	printf '%s\n' "$2" >"$T/table"
	st=0
	python3 "$TOP_SRCDIR/tests/tools/check_names.py" "$BOTOCORE_DATA" \
	    "$T/table" "$T/bad" >/dev/null 2>"$T/err" || st=$?
	check_status "$1" 2 "$st"
	grep -q "$3" "$T/err" || fail "$1: $(cat "$T/err")"
}
tab=$(printf '\t')
bad_line "uncited table line" \
    "name${tab}s3.amazonaws.com${tab}Foo${tab}https://example.com/" \
    'the URL is not AWS documentation'
bad_line "field line without operation" \
    "field${tab}iam.amazonaws.com${tab}userName${tab}https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html" \
    'want EVENTNAME:PATH'

# 4. Every rule, correlation rules included, has one of the five levels.
for f in $(cd "$TOP_SRCDIR" && find rules -name '*.yml' | sort); do
	n=$(grep -Ec '^level: (informational|low|medium|high|critical)$' \
	    "$TOP_SRCDIR/$f") || :
	d=$(grep -c '^title:' "$TOP_SRCDIR/$f") || :
	[ "$n" = "$d" ] ||
	    fail "$f: $d rules but $n levels among informational, low," \
		"medium, high, critical"
done

finish
