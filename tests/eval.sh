#!/bin/sh
# The evaluation of the rule pack on labelled CloudTrail (tests/eval): the
# table of tests/eval/run must match tests/expected/eval.tsv exactly, so
# any change in what the pack catches, or in what it flags high on benign
# records, shows up here and is reviewed with the golden file.  The AWS
# service-guide examples (data/awsdocs, made by extract_awsdocs.py) and
# the console sessions (data/permiso, made by extract_permiso.py) and the
# TrailDiscover recordings (data/traildiscover, extract_traildiscover.py),
# all from snapshots that are not committed, are compared with eval.tsv
# when all are there, and the table without them with eval-nodata.tsv when
# none is; with only some of them the table matches neither golden file,
# so the test says which scripts to run.

. "$TOP_SRCDIR/tests/setup"
need_shared

set +e
/usr/bin/python3 "$TOP_SRCDIR/tests/eval/run" "$CTAUDIT" \
    "$TOP_SRCDIR/rules" "$SHARED/data/cloudtrail" >"$T/eval.tsv"
got=$?
set -e
check_status "tests/eval/run" 0 "$got"
data=$TOP_SRCDIR/tests/eval/data
sets="awsdocs permiso traildiscover"
have=0
for d in $sets; do
	[ -d "$data/$d" ] && have=$((have + 1))
done
if [ "$have" -eq 3 ]; then
	check_file eval "$EXPECTED/eval.tsv" "$T/eval.tsv"
elif [ "$have" -eq 0 ]; then
	check_file eval "$EXPECTED/eval-nodata.tsv" "$T/eval.tsv"
else
	echo "eval: only some of tests/eval/data/{awsdocs,permiso,traildiscover}" \
	    "are there: run tests/eval/extract_awsdocs.py," \
	    "extract_permiso.py and extract_traildiscover.py" \
	    "(see tests/eval/MANIFEST)" >&2
	FAILED=1
fi
exit $FAILED
