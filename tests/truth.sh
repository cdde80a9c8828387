#!/bin/sh
# Telling the truth to cron and at the terminal (issue 11): nothing found
# is not success, no coverage is lost unsaid, typos are errors.  Each case
# checks the exact messages and the exit status.

. "$TOP_SRCDIR/tests/setup"

D=$TESTDATA/cli
R="-r $D/stop_logging.yml -r $D/console_failure.yml"
ARCHIVE=$TESTDATA/archive

# run NAME WANT_STATUS ARGS...: run ctaudit, keep stdout and stderr.
run() {
	name=$1 want=$2
	shift 2
	set +e
	ctaudit "$@" >"$T/$name.out" 2>"$T/$name.err"
	got=$?
	set -e
	check_status "$name" "$want" "$got"
}

# expect_err NAME LINE...: stderr of the last run is exactly these lines.
expect_err() {
	name=$1
	shift
	if [ $# = 0 ]; then
		: >"$T/$name.want"
	else
		printf '%s\n' "$@" >"$T/$name.want"
	fi
	check_file "$name (stderr)" "$T/$name.want" "$T/$name.err"
}

# 1. Nothing found is not success, under -q too.
mkdir -p "$T/empty" "$T/other/sub"
echo 'not a log' >"$T/other/sub/README"
printf '{"Records":[]}\n' >"$T/other/none.json"
run empty 2 -q $R "$T/empty"
expect_err empty "ctaudit: $T/empty: error: no CloudTrail log files found"
run other 2 -q $R "$T/other/none.json"
expect_err other "ctaudit: $T/other/none.json: error: no CloudTrail events in 1 file"
# One empty argument beside a good one still counts.
run oneempty 2 -q -f json $R "$T/empty" "$D/quiet.json"
expect_err oneempty "ctaudit: $T/empty: error: no CloudTrail log files found"

# Stale data: the archive's newest event is 2024-03-13T08:57:09Z.
run stale 2 -q -f json -r "$TOP_SRCDIR/rules" --stale 2024-03-14 "$ARCHIVE"
expect_err stale "ctaudit: error: stale: the newest event is from 2024-03-13T08:57:09Z, older than --stale 2024-03-14: are logs still arriving?"
run fresh 1 -q -f json -r "$TOP_SRCDIR/rules" --stale 2024-03-13 "$ARCHIVE"
expect_err fresh
run badstale 3 --stale soon $R "$D/quiet.json"
expect_err badstale 'ctaudit: error: --stale: bad time "soon": not a date (want YYYY-MM-DD); use RFC 3339 (2026-11-01T10:22:31Z), a date (2026-11-01) or an age (30m, 24h, 7d, 2w)'
# --state checks 24h by default, and remembers the newest event, so a
# later run that finds nothing new is still told.
run state1 2 -q -f json -r "$TOP_SRCDIR/rules" --state "$T/state" "$ARCHIVE"
expect_err state1 "ctaudit: error: stale: the newest event is from 2024-03-13T08:57:09Z, older than --stale 24h: are logs still arriving?"
grep -qx 'latest 1710320229000' "$T/state" || fail "state: no latest record"
run state2 2 -q -f json -r "$TOP_SRCDIR/rules" --state "$T/state" \
    --stale 1w "$ARCHIVE"
expect_err state2 "ctaudit: error: stale: the newest event is from 2024-03-13T08:57:09Z, older than --stale 1w: are logs still arriving?"
[ -s "$T/state2.out" ] && fail "state2: findings written again"
run state3 0 -q -f json -r "$TOP_SRCDIR/rules" --state "$T/state" \
    --stale none "$ARCHIVE"
expect_err state3

finish
