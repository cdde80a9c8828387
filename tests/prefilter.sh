#!/bin/sh
# The content prefilter changes nothing but the cost: over the real records
# in ../shared/data/cloudtrail and testdata, with the bundled rules, the
# SigmaHQ rules and generated content rules (tests/tools/content_rules:
# wildcards inside contains, |all, |cased, keywords, objects as JSON text,
# "not"), the findings, messages and exit status with the prefilter off
# (CTAUDIT_PREFILTER=off: every rule is tried on every record) are byte
# for byte those with the default (auto), the Aho-Corasick matcher and
# Hyperscan (auto and hyperscan are ac when built without it).  How often the generated rules fire is golden, so
# that a matcher that finds nothing cannot pass.

. "$TOP_SRCDIR/tests/setup"
need_shared

D=$SHARED/data/cloudtrail
python3 "$TOP_SRCDIR/tests/tools/content_rules" --mode test -s 1 600 \
    "$T/gen-test"
python3 "$TOP_SRCDIR/tests/tools/content_rules" --mode bench -s 2 300 \
    "$T/gen-bench"

# Relative names, so that the output does not depend on $SHARED.
cd "$D"
for mode in off auto ac hyperscan; do
	st=0
	CTAUDIT_PREFILTER=$mode ctaudit -q -f json -r "$TOP_SRCDIR/rules" \
	    -r "$SHARED/data/sigma/rules" -r "$T/gen-test" -r "$T/gen-bench" \
	    stratus-red-team/*.json cribl-controltower-2022.json.gz \
	    otrf-ec2-proxy-s3-exfiltration.jsonl awsdocs/*.records.jsonl \
	    aws-processing-library/*.json* "$TESTDATA/archive" \
	    "$TESTDATA/input" >"$T/$mode.json" 2>"$T/$mode.err" || st=$?
	echo "$st" >"$T/$mode.st"
done
for mode in auto ac hyperscan; do
	check_file "$mode: exit status" "$T/off.st" "$T/$mode.st"
	check_file "$mode: findings" "$T/off.json" "$T/$mode.json"
	check_file "$mode: messages" "$T/off.err" "$T/$mode.err"
done
jq -r 'select(.ruleId | startswith("00000000-")) | .ruleId' "$T/off.json" |
    sort | uniq -c | awk '{ n++; t += $1 } END { print n, "rules,", t,
    "findings" }' >"$T/fires.out"
check_file "generated rules fire" "$EXPECTED/prefilter-fires.out" \
    "$T/fires.out"

finish
