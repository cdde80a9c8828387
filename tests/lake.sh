#!/bin/sh
# CloudTrail Lake query results (issue 11 point 7), as "aws cloudtrail
# get-query-results" writes them: each row's eventJson column is audited
# as a whole event, with the row's index; a row whose eventJson is cut
# short is reported by index and the others are still audited; rows
# without eventJson are named once, with the columns they have, exit 2.
# testdata/lake/ is synthesized in the shape of the service model
# (QueryResultRows: a list of rows, each a list of one-member objects).

. "$TOP_SRCDIR/tests/setup"

cd "$TESTDATA/lake"
R="-r ../cli/stop_logging.yml"

# lake NAME WANT_STATUS ARGS...: stdout and stderr to $T/NAME.
lake() {
	_name=$1 _want=$2
	shift 2
	_rc=0
	ctaudit "$@" >"$T/$_name" 2>&1 || _rc=$?
	check_status "$_name" "$_want" "$_rc"
}

lake events 2 $R -f json events.json
lake events-text 2 $R -f text --color never events.json
lake columns 2 $R -f json columns.json
lake columns-q 2 -q $R -f json columns.json
# The same events as a CloudTrail file give the same finding.
ctaudit -q $R -f text --color never ../cli/events.json >"$T/file" || :
head -1 "$T/events-text" >"$T/lake-first"
check_file same-finding "$T/file" "$T/lake-first"
{
	for f in events events-text columns columns-q; do
		echo "== $f"
		cat "$T/$f"
	done
} >"$T/all"
check_file lake "$EXPECTED/lake-all" "$T/all"

finish
