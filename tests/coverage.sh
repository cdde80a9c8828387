#!/bin/sh
# The rule pack against catalogues written outside the project
# (tests/attack-tools.tsv: the calls Pacu's, Endgame's, WeirdAAL's and
# CloudFox's modules and Stratus Red Team's techniques make, the commands of
# CloudGoat's walk-throughs, of Atomic Red Team's AWS tests and of Hacking
# the Cloud's AWS pages and of pathfinding.cloud's privilege escalation
# paths, the events of Invictus IR's CloudTrail cheat sheet, of the
# CloudTrail rules of Falco, SigmaHQ, Elastic, Sumo Logic, Chronicle,
# Splunk, Turbot's Tailpipe mod, WithSecure's Leonidas and Microsoft
# Sentinel, of Prowler's threat detection lists and CloudGrappler's
# queries, of the CIS benchmark's alarms and of the Athena queries of
# AWS's incident response playbooks):
# every call the table says the pack sees is named by a rule, and no call it
# leaves alone is (the table would be stale).  Then the check can fail, in
# both directions, a filter does not count, and a malformed line is an
# error.

. "$TOP_SRCDIR/tests/setup"

CHECK="python3 $TOP_SRCDIR/tests/tools/check_coverage.py"
TABLE=$TOP_SRCDIR/tests/attack-tools.tsv
tab=$(printf '\t')

# 1. The bundled pack and the table agree.
st=0
(cd "$TOP_SRCDIR" && $CHECK tests/attack-tools.tsv rules) >"$T/out" \
    2>"$T/err" || st=$?
cat "$T/out"
if [ "$st" -ne 0 ]; then
	cat "$T/err" >&2
	fail "rules/ and attack-tools.tsv disagree (exit $st)"
fi

# 2. A seen call no rule names any more: the pack without its Lightsail
# key pair rule; a call left alone that a rule names: Lightsail's
# CreateKeyPair marked so.  Each with its line and module.
cp -R "$TOP_SRCDIR/rules" "$T/rules"
rm "$T/rules/lightsail/lightsail_key_pair_created_or_imported.yml"
sed "s/\(${tab}lightsail.amazonaws.com${tab}CreateKeyPair${tab}\)seen\$/\1- made up/" \
    "$TABLE" >"$T/attack-tools.tsv"
n=$(grep -n "${tab}lightsail.amazonaws.com${tab}CreateKeyPair${tab}" \
    "$TABLE" | cut -d: -f1)
m=$(grep -n "${tab}lightsail.amazonaws.com${tab}ImportKeyPair${tab}" \
    "$TABLE" | cut -d: -f1)
st=0
(cd "$T" && $CHECK attack-tools.tsv rules) >"$T/out" 2>"$T/err" || st=$?
check_status "key pair rule removed" 1 "$st"
cat >"$T/want" <<EOF2
attack-tools.tsv:$m: lightsail.amazonaws.com ImportKeyPair (lightsail__generate_ssh_keys): no rule names it
EOF2
check_file "key pair rule removed" "$T/want" "$T/err"
st=0
(cd "$TOP_SRCDIR" && $CHECK "$T/attack-tools.tsv" rules) >"$T/out" \
    2>"$T/err" || st=$?
check_status "stale verdict" 1 "$st"
cat >"$T/want" <<EOF2
attack-tools.tsv:$n: lightsail.amazonaws.com CreateKeyPair (lightsail__generate_ssh_keys): rules/lightsail/lightsail_key_pair_created_or_imported.yml names it, but the table leaves it alone
EOF2
check_file "stale verdict" "$T/want" "$T/err"

# 3. A filter names what a rule leaves out: it does not make a call seen.
mkdir "$T/one"
cat >"$T/one/one.yml" <<'RULE'
title: One call
id: 0d3c1f6e-3f51-4d6c-9f41-5a7f2c0e0002
status: test
level: low
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: s3.amazonaws.com
        eventName|startswith: List
    filter_objects:
        eventSource: s3.amazonaws.com
        eventName: GetObject
    condition: selection and not filter_objects
RULE
printf 'pacu\tm\ts3.amazonaws.com\tListBuckets\tseen\n' >"$T/one.tsv"
printf 'pacu\tm\ts3.amazonaws.com\tGetObject\tseen\n' >>"$T/one.tsv"
st=0
(cd "$T" && $CHECK one.tsv one) >"$T/out" 2>"$T/err" || st=$?
check_status "filter" 1 "$st"
echo "one.tsv:2: s3.amazonaws.com GetObject (m): no rule names it" >"$T/want"
check_file "filter" "$T/want" "$T/err"

# 4. A line without a verdict is an error, not a pass.
printf 'pacu\tm\ts3.amazonaws.com\tListBuckets\tmaybe\n' >"$T/bad.tsv"
st=0
$CHECK "$T/bad.tsv" "$TOP_SRCDIR/rules" >/dev/null 2>"$T/err" || st=$?
check_status "no verdict" 2 "$st"
echo "check_coverage: bad.tsv:1: want TOOL MODULE EVENTSOURCE EVENTNAME" \
    "and 'seen' or '- reason'" >"$T/want"
check_file "no verdict" "$T/want" "$T/err"

finish
