#!/bin/sh
# Every CloudTrail file of the shared data sets, read in place: the record
# counts stated in ../shared/README.md (stratus-red-team 310, cribl 205,
# otrf 103, aws-processing-library 39, awsdocs 18), and the exact messages
# for the files that are not CloudTrail data or are broken on purpose.

. "$TOP_SRCDIR/tests/setup"
need_shared

cat >"$T/none.yml" <<'RULE'
title: No event
id: 7d1f3c52-0d51-4c3e-9d55-0c6a1f0e0003
status: test
level: informational
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: 'no such event name'
    condition: selection
RULE

OUT=$T/out
: >"$OUT"
cd "$SHARED/data/cloudtrail"

# run WANT_STATUS PATH...: the messages and summary for some paths.
run() {
	want=$1
	shift
	echo "== $*" >>"$OUT"
	set +e
	ctaudit -r "$T/none.yml" "$@" >"$T/stdout" 2>>"$OUT"
	got=$?
	set -e
	cat "$T/stdout" >>"$OUT"
	echo "exit $got" >>"$OUT"
	check_status "$*" "$want" "$got"
}

run 0 stratus-red-team
run 0 cribl-controltower-2022.json.gz
run 0 otrf-ec2-proxy-s3-exfiltration.jsonl
run 2 aws-processing-library
run 0 awsdocs/doc_source_examples.records.jsonl
run 2 awsdocs/doc_source_examples.digests.jsonl \
    awsdocs/doc_source_examples.index.tsv

# The digest examples are wrapped by the extraction; unwrapped, they are
# digest files, recognised and skipped.
jq -c .digest awsdocs/doc_source_examples.digests.jsonl >"$T/digests.jsonl"
run 0 "$T/digests.jsonl"
sed "s|$T/|\$T/|g" <"$OUT" >"$T/got"

check_file shared_data "$EXPECTED/shared_data-all" "$T/got"
finish
