#!/bin/sh
# The input stage through the command line: every shape of CloudTrail data
# (the log file form plain, gzip and multi-member gzip, arrays, JSON Lines,
# EventBridge envelopes), digest files skipped, Insights events left to
# their own rules (forms.sh), the order of a directory walk, and standard
# input.  Each case prints the origin, index and eventName of every record
# (one rule matches them all), the diagnostics and the exit status,
# compared with a golden file.

. "$TOP_SRCDIR/tests/setup"

every_event

OUT=$T/out

cd "$TESTDATA/input"
gzip -nc file.json >"$T/file.json.gz"
gzip -nc file.json >"$T/named-plain.json"
cp file2.json "$T/plain-named.json.gz"
{ gzip -nc file.json; gzip -nc file2.json; } >"$T/multi.json.gz"
{ gzip -nc lines.jsonl; gzip -nc eventbridge.jsonl; } >"$T/multi.jsonl.gz"

: >"$OUT"
run_case "file form" 1 file.json
run_case "file form, gzip" 1 "$T/file.json.gz"
run_case "gzip recognised by content, not name" 1 "$T/named-plain.json" \
    "$T/plain-named.json.gz"
run_case "multi-member gzip" 1 "$T/multi.json.gz"
run_case "multi-member gzip, JSON Lines" 1 "$T/multi.jsonl.gz"
run_case "array" 1 array.json
run_case "JSON Lines" 1 lines.jsonl
run_case "EventBridge envelopes" 1 eventbridge.jsonl
run_case "EventBridge envelope in an array" 1 eventbridge-array.json
run_case "digest file skipped" 0 digest.json
run_case "Insights events: not for a CloudTrail rule" 1 insights.json
run_case "directory walk, sorted, hidden entries skipped" 1 dir
run_case "directory with a trailing slash" 1 dir/
run_case "several paths in order" 1 file2.json dir/a lines.jsonl
run_case "stdin as -" 1 - <lines.jsonl
mkfifo "$T/fifo"
cat "$T/multi.json.gz" >"$T/fifo" &
run_case "stdin by default, gzip through a pipe" 1 <"$T/fifo"
wait
cat "$T/file.json.gz" >"$T/fifo" &
run_case "a FIFO named on the command line" 1 "$T/fifo"
wait
run_case "stdin and files" 1 file2.json - <array.json

check_file input "$EXPECTED/input-all" "$OUT"
finish
