#!/bin/sh
# The evaluation of the rule pack on labelled CloudTrail (tests/eval): the
# table of tests/eval/run must match tests/expected/eval.tsv exactly, so
# any change in what the pack catches, or in what it flags high on benign
# records, shows up here and is reviewed with the golden file.  The AWS
# service-guide examples (data/awsdocs, made by extract_awsdocs.py) and
# the console sessions (data/permiso, made by extract_permiso.py), both
# from snapshots that are not committed, are compared with eval.tsv when
# both are there, and the table without them with eval-nodata.tsv when
# neither is; with only one of them the table matches neither golden file,
# so the test says which script to run.

. "$TOP_SRCDIR/tests/setup"
need_shared

set +e
/usr/bin/python3 "$TOP_SRCDIR/tests/eval/run" "$CTAUDIT" \
    "$TOP_SRCDIR/rules" "$SHARED/data/cloudtrail" >"$T/eval.tsv"
got=$?
set -e
check_status "tests/eval/run" 0 "$got"
data=$TOP_SRCDIR/tests/eval/data
if [ -d "$data/awsdocs" ] && [ -d "$data/permiso" ]; then
	check_file eval "$EXPECTED/eval.tsv" "$T/eval.tsv"
elif [ ! -d "$data/awsdocs" ] && [ ! -d "$data/permiso" ]; then
	check_file eval "$EXPECTED/eval-nodata.tsv" "$T/eval.tsv"
else
	echo "eval: only one of tests/eval/data/awsdocs and data/permiso" \
	    "is there: run tests/eval/extract_awsdocs.py and" \
	    "extract_permiso.py (see tests/eval/MANIFEST)" >&2
	FAILED=1
fi
exit $FAILED
