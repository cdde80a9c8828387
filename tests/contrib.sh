#!/bin/sh
# contrib/ (issue 12.4): the AWS Batch files are valid input to
# RegisterJobDefinition and SubmitJob by botocore's model of the API, the
# Kubernetes files are valid YAML that agree with each other, a broken
# file is caught, and the ctaudit-shard and ctaudit-merge wrappers they
# run give the findings of a single run when run as each engine runs
# them (AWS_BATCH_JOB_ARRAY_INDEX, JOB_COMPLETION_INDEX).

. "$TOP_SRCDIR/tests/setup"

unset AWS_BATCH_JOB_ARRAY_INDEX JOB_COMPLETION_INDEX 2>/dev/null || true
PY=/usr/bin/python3
CHECK=$TOP_SRCDIR/tests/tools/contrib_check.py
RULES=$TOP_SRCDIR/rules
C=$TOP_SRCDIR/contrib

if [ ! -x "$PY" ]; then
	echo "skip: $PY not found"
	exit 77
fi
set +e
$PY "$CHECK" "$TOP_SRCDIR" >"$T/check.out" 2>&1
st=$?
set -e
if [ "$st" = 77 ]; then
	cat "$T/check.out"
	exit 77
fi
check_status "contrib_check" 0 "$st"
cat "$T/check.out" >&2

# The check can fail: a misspelt member, a string for a number, shard
# counts that disagree.
mkdir -p "$T/top"
cp -R "$C" "$T/top/contrib"
B=$T/top/contrib/aws-batch
jq '.containerProperties.mountpoints = []' "$C/aws-batch/job-definition.json" \
    >"$B/job-definition.json"
jq '.arrayProperties.size = "8"' "$C/aws-batch/submit-shards.json" \
    >"$B/submit-shards.json"
sed 's/completions: 8/completions: 7/' "$C/kubernetes/shards-job.yaml" \
    >"$T/top/contrib/kubernetes/shards-job.yaml"
set +e
$PY "$CHECK" "$T/top" >"$T/broken.out" 2>&1
echo "exit $?" >>"$T/broken.out"
set -e
cat >"$T/broken.want" <<'WANT'
job-definition.json.containerProperties: ContainerProperties: unknown member mountpoints
submit-shards.json.arrayProperties.size: want an integer (Integer)
kubernetes: completions, parallelism and the shard counts differ
exit 1
WANT
check_file "broken contrib" "$T/broken.want" "$T/broken.out"

# The wrappers, as the engines run them, on a tree where correlations
# span shards (as in tests/merge.sh).
mkdir "$T/tree"
for f in "$TESTDATA"/correlate/*.json; do
	b=$(basename "$f" .json)
	jq -c '.Records[] | {Records: [.]}' "$f" |
	    split -l 1 -d -a 3 --additional-suffix=.json - "$T/tree/${b}_"
done
cd "$T"
set +e
ctaudit -q -f json -r "$RULES" tree >whole.json
check_status whole 1 $?
set -e
jq -c 'select(.correlation == null)' whole.json | sort >whole.det
jq -c 'select(.correlation != null)' whole.json >whole.corr
export CTAUDIT
for var in AWS_BATCH_JOB_ARRAY_INDEX JOB_COMPLETION_INDEX; do
	for k in 0 1 2; do
		set +e
		env "$var=$k" "$C/ctaudit-shard" 3 "$var" -r "$RULES" tree \
		    2>/dev/null
		check_status "$var=$k ctaudit-shard" 0 $?
		set -e
	done
	set +e
	"$C/ctaudit-merge" 3 "$var" -r "$RULES" 2>/dev/null
	check_status "$var ctaudit-merge" 0 $?
	set -e
	cat "$var"/findings.*.json | sort | cmp -s whole.det - ||
	    fail "$var: the shards' findings are not one run's"
	cmp -s whole.corr "$var/correlations.json" ||
	    fail "$var: correlations.json is not one run's"
done

# A shard missing: the merge fails with ctaudit's status and leaves no
# correlations.json.
rm AWS_BATCH_JOB_ARRAY_INDEX/partial.1 AWS_BATCH_JOB_ARRAY_INDEX/correlations.json
set +e
"$C/ctaudit-merge" 3 AWS_BATCH_JOB_ARRAY_INDEX -r "$RULES" 2>missing.err
check_status "ctaudit-merge, a shard missing" 3 $?
set -e
[ ! -e AWS_BATCH_JOB_ARRAY_INDEX/correlations.json ] ||
    fail "ctaudit-merge left a correlations.json without shard 1"
grep -q 'no partial file for shard 1/3\|partial.1: error' missing.err ||
    fail "ctaudit-merge, a shard missing: $(cat missing.err)"

finish
