#!/bin/sh
# The input stage through the command line: every shape of CloudTrail data
# (the log file form plain, gzip and multi-member gzip, arrays, JSON Lines,
# EventBridge envelopes), digest files and Insights events skipped, the
# order of a directory walk, and standard input.  Each case prints the
# origin, index and eventName of every record (one rule matches them all),
# the diagnostics and the exit status, compared with a golden file.

. "$TOP_SRCDIR/tests/setup"

cat >"$T/all.yml" <<'RULE'
title: Every event
id: 7d1f3c52-0d51-4c3e-9d55-0c6a1f0e0001
status: test
level: informational
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName|exists: true
    condition: selection
RULE

OUT=$T/out

# run NAME WANT_STATUS [ctaudit arguments]: record a case in $OUT.
run() {
	name=$1
	want=$2
	shift 2
	echo "== $name" >>"$OUT"
	set +e
	ctaudit -r "$T/all.yml" -f json "$@" >"$T/stdout" 2>"$T/stderr"
	got=$?
	set -e
	jq -r '[.origin, .index, .eventName] | @tsv' <"$T/stdout" |
	    sed "s|$T/|\$T/|g" >>"$OUT"
	sed "s|$T/|\$T/|g" <"$T/stderr" >>"$OUT"
	echo "exit $got" >>"$OUT"
	check_status "$name" "$want" "$got"
}

cd "$TESTDATA/input"
gzip -nc file.json >"$T/file.json.gz"
gzip -nc file.json >"$T/named-plain.json"
cp file2.json "$T/plain-named.json.gz"
{ gzip -nc file.json; gzip -nc file2.json; } >"$T/multi.json.gz"
{ gzip -nc lines.jsonl; gzip -nc eventbridge.jsonl; } >"$T/multi.jsonl.gz"

: >"$OUT"
run "file form" 1 file.json
run "file form, gzip" 1 "$T/file.json.gz"
run "gzip recognised by content, not name" 1 "$T/named-plain.json" \
    "$T/plain-named.json.gz"
run "multi-member gzip" 1 "$T/multi.json.gz"
run "multi-member gzip, JSON Lines" 1 "$T/multi.jsonl.gz"
run "array" 1 array.json
run "JSON Lines" 1 lines.jsonl
run "EventBridge envelopes" 1 eventbridge.jsonl
run "EventBridge envelope in an array" 1 eventbridge-array.json
run "digest file skipped" 0 digest.json
run "Insights events skipped" 1 insights.json
run "directory walk, sorted, hidden entries skipped" 1 dir
run "directory with a trailing slash" 1 dir/
run "several paths in order" 1 file2.json dir/a lines.jsonl
run "stdin as -" 1 - <lines.jsonl
mkfifo "$T/fifo"
cat "$T/multi.json.gz" >"$T/fifo" &
run "stdin by default, gzip through a pipe" 1 <"$T/fifo"
wait
cat "$T/file.json.gz" >"$T/fifo" &
run "a FIFO named on the command line" 1 "$T/fifo"
wait
run "stdin and files" 1 file2.json - <array.json

check_file input "$EXPECTED/input-all" "$OUT"
finish
