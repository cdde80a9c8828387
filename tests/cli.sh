#!/bin/sh
# The command line: options, usage errors and their exact messages, the
# rules subcommand, and every exit status (0 clean, 1 findings,
# 2 incomplete, 3 usage/rule/configuration).

. "$TOP_SRCDIR/tests/setup"

D=$TESTDATA/cli
R="-r $D/stop_logging.yml -r $D/console_failure.yml"

# expect_err NAME TEXT: stderr of the last run is exactly TEXT.
expect_err() {
	printf '%s\n' "$2" >"$T/$1.want"
	check_file "$1 (stderr)" "$T/$1.want" "$T/$1.err"
}

# Version and help.
run version 0 -V
printf 'ctaudit %s\n' "$(sed -n 's/^AC_INIT(\[ctaudit\], \[\([^]]*\)\].*/\1/p' \
    "$TOP_SRCDIR/configure.ac")" >"$T/version.want"
check_file version "$T/version.want" "$T/version.out"
run help 0 -h
grep -q '^usage: ctaudit ' "$T/help.out" || fail "help: no usage line"

# Usage errors: exit 3, one clear line, nothing on stdout.
run badopt 3 --no-such-option "$D/events.json"
expect_err badopt "ctaudit: error: unknown option --no-such-option; see ctaudit --help"
run badformat 3 -f xml $R "$D/events.json"
expect_err badformat "ctaudit: error: -f xml: unknown format (text, json, csv)"
run badlevel 3 --min-level severe $R "$D/events.json"
expect_err badlevel "ctaudit: error: --min-level severe: unknown level (informational or info, low, medium, high, critical)"
run badcolor 3 --color sometimes $R "$D/events.json"
expect_err badcolor "ctaudit: error: --color sometimes: want auto, always or never"
run badplaceholder 3 --placeholder novalue $R "$D/events.json"
expect_err badplaceholder "ctaudit: error: --placeholder novalue: want name=value"
run badwindow 3 --since 2026-11-02 --until 2026-11-01 $R "$D/events.json"
expect_err badwindow "ctaudit: error: --since must be before --until"
run badjobs 3 -j 0 $R "$D/events.json"
expect_err badjobs "ctaudit: error: -j 0: out of range (1 to 64)"
run badjobs2 3 -j many $R "$D/events.json"
expect_err badjobs2 "ctaudit: error: -j many: not a number (1 to 64)"
run rulesargs 3 rules $R "$D/events.json"
expect_err rulesargs "ctaudit: error: ctaudit rules takes no path ($D/events.json); see ctaudit --help"
for f in badopt badformat badlevel badcolor badplaceholder badwindow \
    badjobs badjobs2; do
	[ -s "$T/$f.out" ] && fail "$f: wrote to stdout"
done

# Exit 0: rules ran, nothing matched.
run clean 0 -q -f json $R "$D/quiet.json"
[ -s "$T/clean.out" ] && fail "clean: findings written"
[ -s "$T/clean.err" ] && fail "clean: -q but stderr not empty"

# Exit 1: findings; the summary counts them by level.
run findings 1 -f json $R "$D/events.json"
[ "$(wc -l <"$T/findings.out")" -eq 2 ] || fail "findings: want 2 lines"
expect_err findings "ctaudit: note: summary: 1 files (0 incomplete), 3 records (0 skipped, 0 repaired), 0 digest files, 0 insights events, 2 findings (critical 0, high 1, medium 1, low 0, informational 0)"

# Standard input, with and without "-".
# The findings are the same but for their origin.
jq -c 'del(.origin)' "$T/findings.out" >"$T/findings.noorigin"
for name in stdin stdin2; do
	if [ $name = stdin ]; then
		run $name 1 -q -f json $R - <"$D/events.json"
	else
		run $name 1 -q -f json $R <"$D/events.json"
	fi
	[ "$(jq -r .origin "$T/$name.out" | sort -u)" = "<stdin>" ] ||
	    fail "$name: origin is not <stdin>"
	jq -c 'del(.origin)' "$T/$name.out" >"$T/$name.noorigin"
	cmp -s "$T/$name.noorigin" "$T/findings.noorigin" ||
	    fail "$name: differs from the file's findings"
done

# -o writes the same findings to a file, nothing to stdout.
run outfile 1 -q -f json -o "$T/findings.jsonl" $R "$D/events.json"
cmp -s "$T/findings.jsonl" "$T/findings.out" || fail "outfile: differs"
[ -s "$T/outfile.out" ] && fail "outfile: wrote to stdout"
run outdir 3 -q -f json -o "$T/no/such/dir/x" $R "$D/events.json"
expect_err outdir "ctaudit: $T/no/such/dir/x: error: No such file or directory"

# --min-level and --rule-id narrow the rule set.
run minlevel 1 -q -f json --min-level high $R "$D/events.json"
[ "$(wc -l <"$T/minlevel.out")" -eq 1 ] || fail "minlevel: want 1 line"
run ruleid 1 -q -f json --rule-id 0f6b3f5e-8c1f-4b0e-b3a5-2b8e9c4d7a21 \
    $R "$D/events.json"
[ "$(wc -l <"$T/ruleid.out")" -eq 1 ] || fail "ruleid: want 1 line"
run nolevel 3 -q -f json --min-level critical $R "$D/events.json"
expect_err nolevel "ctaudit: error: no rules to run"

# --since / --until keep the window [since, until).
run window 1 -f json --since 2026-11-01T09:30:00Z --until 2026-11-02 \
    $R "$D/events.json"
[ "$(wc -l <"$T/window.out")" -eq 1 ] || fail "window: want 1 line"
grep -q '^ctaudit: note: 2 records and 0 insights events outside the time window, 0 without a usable eventTime (audited)$' \
    "$T/window.err" || fail "window: no window note"
# Insights events are counted apart from records, in one thread or two.
for j in 1 2; do
	run window-j$j 0 -j $j --since 2030-01-01 $R "$TESTDATA/archive"
	grep -q '^ctaudit: note: 88 records and 2 insights events outside the time window, 0 without a usable eventTime (audited)$' \
	    "$T/window-j$j.err" || fail "window -j $j: no window note"
done
run badsince 3 --since yesterday $R "$D/events.json"
expect_err badsince "ctaudit: error: --since: bad time \"yesterday\": not a date (want YYYY-MM-DD); use RFC 3339 (2026-11-01T10:22:31Z), a date (2026-11-01) or an age (30m, 24h, 7d, 2w)"

# Exit 2: one input missing, the other still audited.
run missing 2 -f json $R "$T/nonexistent.json" "$D/events.json"
[ "$(wc -l <"$T/missing.out")" -eq 2 ] || fail "missing: other file lost"
grep -q "^ctaudit: .*nonexistent.json.*: error: .*No such file or directory" \
    "$T/missing.err" || fail "missing: message"
grep -q '^ctaudit: note: summary: 2 files (1 incomplete), 3 records' \
    "$T/missing.err" || fail "missing: summary"

# Exit 3: a bad rule is reported with file and line; with
# --skip-bad-rules the good ones run (without it, see tests/truth.sh).
run badrule 3 --skip-bad-rules -f json $R -r "$D/bad_condition.yml" \
    "$D/events.json"
[ "$(wc -l <"$T/badrule.out")" -eq 2 ] || fail "badrule: findings lost"
grep -q "^ctaudit: $D/bad_condition.yml:[0-9][0-9]*: error: " \
    "$T/badrule.err" || fail "badrule: no file:line message"
run strict 3 --strict -f json $R -r "$D/bad_condition.yml" "$D/events.json"
[ -s "$T/strict.out" ] && fail "strict: scanned anyway"
grep -q '^ctaudit: error: 1 rule rejected; not scanning (--skip-bad-rules runs the others)$' \
    "$T/strict.err" || fail "strict: message"

# The rules subcommand lists what is loaded; a bad rule makes it exit 3.
run rules 0 rules $R
cat >"$T/rules.want" <<EOF
6c1d1f0e-5b4a-4d57-9a43-0d6f3c1e2a10  high           CloudTrail logging stopped (CLI test rule)  $D/stop_logging.yml
0f6b3f5e-8c1f-4b0e-b3a5-2b8e9c4d7a21  medium         Console sign-in failure (CLI test rule)  $D/console_failure.yml
EOF
check_file rules "$T/rules.want" "$T/rules.out"
run rulesbad 3 rules $R -r "$D/bad_condition.yml"
check_file rulesbad "$T/rules.want" "$T/rulesbad.out"

# The accounts modifier (a ctaudit extension) refused where it cannot
# apply, with the item and the file:line of the rule.
for how in "re: '^4444'" "exists: true" "fieldref: ''"; do
	cat >"$T/accounts.yml" <<EOF
title: Accounts misused (CLI test rule)
id: 2a7c4e19-6b3d-4f80-9c15-7e2d8a4b6c01
status: test
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        requestParameters.policy|accounts|$how
    condition: selection
level: low
EOF
	run accounts 3 rules -r "$T/accounts.yml"
	case $how in
	re*)	msg="modifier 're' cannot be combined with 'accounts'" ;;
	exists*) msg="modifier 'exists' cannot be combined with 'accounts'" ;;
	*)	msg="modifier 'fieldref' takes a field name, not ''" ;;
	esac
	expect_err accounts "ctaudit: $T/accounts.yml:9: error: requestParameters.policy|accounts|${how%%:*}: $msg"
done

# A field name with an empty part ("a.", ".a", "a..b") names no member:
# refused at load time.  "eventName.|exists" called a null matcher before
# (found by fuzz_sigma); the same check holds for a fieldref's target.
for item in "eventName.|exists: true" ".eventName: x" \
    "requestParameters..bucketName: x" "eventName|fieldref: 'userAgent.'"; do
	cat >"$T/emptypart.yml" <<EOF
title: Empty field part (CLI test rule)
id: 5e0b7d2c-3a91-4c6f-8e24-1f9a6b3c7d58
status: test
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        $item
    condition: selection
level: low
EOF
	run emptypart 3 rules -r "$T/emptypart.yml"
	case $item in
	*fieldref*) msg="eventName|fieldref: modifier 'fieldref' takes a field name, not 'userAgent.'" ;;
	*)	msg="${item%%:*}: empty part in field name" ;;
	esac
	expect_err emptypart "ctaudit: $T/emptypart.yml:9: error: $msg"
done

# A count of 2^63 or more in a correlation condition: refused, not
# converted to int64_t (undefined; found by fuzz_sigma after 5.4 million
# runs).  Just below the limit (a whole number as a double) still loads.
for n in 2777777777777777777777777777777777777777 9223372036854775808 \
    9223372036854774784; do
	cat >"$T/bigcount.yml" <<EOF
title: Base (CLI test rule)
id: 0c6a3f1e-8d2b-4e57-a9c4-6b1d2e3f4a50
name: base
status: test
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: GetObject
    condition: selection
level: low
---
title: Big count (CLI test rule)
id: 7e2d9b4a-1c3f-4a85-b6e0-3f9d8c2a1b74
status: test
correlation:
    type: event_count
    rules:
        - base
    group-by:
        - sourceIPAddress
    timespan: 1h
    condition:
        gte: $n
level: low
EOF
	case $n in
	9223372036854774784)
		run bigcount 0 rules -r "$T/bigcount.yml" ;;
	*)
		run bigcount 3 rules -r "$T/bigcount.yml"
		expect_err bigcount "ctaudit: $T/bigcount.yml:25: error: a count in a condition must be less than 2^63" ;;
	esac
done

# An empty rule set is a configuration error, not a silent clean run.
mkdir "$T/norules"
run norules 3 -r "$T/norules" "$D/events.json"
expect_err norules "ctaudit: error: no rules to run"

finish
