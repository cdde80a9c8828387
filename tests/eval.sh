#!/bin/sh
# The evaluation of the rule pack on labelled CloudTrail (tests/eval): the
# table of tests/eval/run must match tests/expected/eval.tsv exactly, so
# any change in what the pack catches, or in what it flags high on benign
# records, shows up here and is reviewed with the golden file.  The AWS
# service-guide examples (data/awsdocs, made by extract_awsdocs.py from
# snapshots that are not committed) are compared with eval.tsv when they
# are there, and the table without them with eval-nodata.tsv otherwise.

. "$TOP_SRCDIR/tests/setup"
need_shared

set +e
/usr/bin/python3 "$TOP_SRCDIR/tests/eval/run" "$CTAUDIT" \
    "$TOP_SRCDIR/rules" "$SHARED/data/cloudtrail" >"$T/eval.tsv"
got=$?
set -e
check_status "tests/eval/run" 0 "$got"
if [ -d "$TOP_SRCDIR/tests/eval/data/awsdocs" ]; then
	check_file eval "$EXPECTED/eval.tsv" "$T/eval.tsv"
else
	check_file eval "$EXPECTED/eval-nodata.tsv" "$T/eval.tsv"
fi
exit $FAILED
