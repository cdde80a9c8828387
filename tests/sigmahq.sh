#!/bin/sh
# The SigmaHQ AWS CloudTrail rules (../shared/data/sigma): every rule loads,
# every obsolete or unresolvable rule is rejected with its exact message,
# the placeholder rule loads once given values, and the rules fire on the
# Stratus Red Team detonations they target, exactly as often as checked
# by hand (rule id, file, count in tests/expected/sigmahq-fires.out).

. "$TOP_SRCDIR/tests/setup"
need_shared

SIGMA=$SHARED/data/sigma
STRATUS=$SHARED/data/cloudtrail/stratus-red-team

# Relative paths, so that messages and listings do not depend on $SHARED.
cd "$SIGMA"

st=0
ctaudit rules -q -r rules >"$T/rules.out" 2>"$T/rules.err" || st=$?
check_status "all rules load" 0 "$st"
check_file "all rules load" "$EXPECTED/sigmahq-rules.out" "$T/rules.out"
check_file "all rules load (stderr)" /dev/null "$T/rules.err"

st=0
ctaudit rules -q -r unsupported -r rules-placeholder >"$T/rej.out" \
    2>"$T/rej.err" || st=$?
check_status "rejected rules" 3 "$st"
check_file "rejected rules" /dev/null "$T/rej.out"
check_file "rejected rules (stderr)" "$EXPECTED/sigmahq-rejected.err" \
    "$T/rej.err"

st=0
ctaudit rules -q --placeholder Legitimate_Countries=US \
    --placeholder Legitimate_IP_Ranges=240.0.0.0/4 -r rules-placeholder \
    >"$T/ph.out" 2>"$T/ph.err" || st=$?
check_status "placeholder rule with values" 0 "$st"
check_file "placeholder rule with values" \
    "$EXPECTED/sigmahq-placeholder.out" "$T/ph.out"
check_file "placeholder rule with values (stderr)" /dev/null "$T/ph.err"

cd "$STRATUS"
st=0
ctaudit -q -r "$SIGMA/rules" -f json ./*.json >"$T/scan.json" \
    2>"$T/scan.err" || st=$?
check_status "stratus detonations" 1 "$st"
check_file "stratus detonations (stderr)" /dev/null "$T/scan.err"
jq -r '"\(.ruleId) \(.origin | sub("^\\./"; ""))"' "$T/scan.json" |
    sort | uniq -c | awk '{ print $2, $3, $1 }' >"$T/fires.out"
check_file "stratus detonations" "$EXPECTED/sigmahq-fires.out" \
    "$T/fires.out"

finish
