#!/bin/sh
# Correlation across shards (issue 12.4): three shard processes, given
# their index exactly as AWS Batch array jobs (AWS_BATCH_JOB_ARRAY_INDEX)
# and Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX) do, each write a
# --partial file; ctaudit merge then writes the correlation findings of a
# single run, byte for byte.  The shards' detection findings are one
# run's, none twice, and the shards' and the merge's summaries add up to
# one run's.  Bad sets of partial files are refused with exact messages.

. "$TOP_SRCDIR/tests/setup"

unset AWS_BATCH_JOB_ARRAY_INDEX JOB_COMPLETION_INDEX 2>/dev/null || true
RULES=$TOP_SRCDIR/rules

# The correlation fixtures, one record a file, so that the events of one
# correlation window land in different shards.
mkdir "$T/tree"
for f in "$TESTDATA"/correlate/*.json; do
	b=$(basename "$f" .json)
	jq -c '.Records[] | {Records: [.]}' "$f" |
	    split -l 1 -d -a 3 --additional-suffix=.json - "$T/tree/${b}_"
done
cd "$T"

# run NAME WANT_STATUS [ctaudit arguments]: findings in NAME.json, the
# JSON summary in NAME.sum.
run() {
	_n=$1 _want=$2
	shift 2
	_sub=
	if [ "$1" = merge ]; then
		_sub=merge
		shift
	fi
	set +e
	ctaudit $_sub -q -f json --summary --summary-format json \
	    -r "$RULES" "$@" >"$_n.json" 2>"$_n.sum"
	_got=$?
	set -e
	check_status "$_n" "$_want" "$_got"
}

run whole 1 tree
jq -c 'select(.correlation == null)' whole.json | sort >whole.det
jq -c 'select(.correlation != null)' whole.json >whole.corr
[ -s whole.corr ] || fail "one run: no correlation finding to compare"

# summed FILE...: files, records, findings and findings by level, summed
# over the JSON summaries given.
summed() {
	jq -s -r '"files \(map(.run.files) | add)",
	    "records \(map(.run.records) | add)",
	    "findings \(map(.findings.total) | add)",
	    (map(.findings.levels | to_entries[]) | group_by(.key)[] |
	    "\(.[0].key) \(map(.value) | add)")' "$@"
}
summed whole.sum >whole.sums

for var in AWS_BATCH_JOB_ARRAY_INDEX JOB_COMPLETION_INDEX; do
	for k in 0 1 2; do
		(eval "$var=$k; export $var"
		run "$var.$k" 1 --shard 3 --partial "$var.p$k" tree)
		if [ -n "$(jq -c 'select(.correlation != null)' \
		    "$var.$k.json")" ]; then
			fail "$var=$k: a shard wrote a correlation finding"
		fi
	done
	cat "$var.0.json" "$var.1.json" "$var.2.json" | sort >"$var.det"
	cmp -s whole.det "$var.det" ||
	    fail "$var: the shards' findings are not one run's"
	run "$var.merge" 1 merge "$var.p0" "$var.p1" "$var.p2"
	cmp -s whole.corr "$var.merge.json" ||
	    fail "$var: ctaudit merge differs from one run's correlations"
	summed "$var.0.sum" "$var.1.sum" "$var.2.sum" "$var.merge.sum" \
	    >"$var.sums"
	check_file "$var: summaries" whole.sums "$var.sums"
	# Every shard had matches to hand on.
	for k in 0 1 2; do
		[ "$(wc -l <"$var.p$k")" -gt 2 ] ||
		    fail "$var: shard $k wrote no match"
	done
done
cmp -s AWS_BATCH_JOB_ARRAY_INDEX.p1 JOB_COMPLETION_INDEX.p1 ||
    fail "the two engines' shard 1 wrote different partial files"
P="AWS_BATCH_JOB_ARRAY_INDEX.p"

# The split matters: each shard on its own finds fewer correlations.
: >alone.corr
for k in 0 1 2; do
	run "alone.$k" 1 --shard "$k/3" tree
	jq -c 'select(.correlation != null)' "alone.$k.json" >>alone.corr
done
if [ "$(wc -l <alone.corr)" -ge "$(wc -l <whole.corr)" ]; then
	fail "the fixture does not need the merge: the shards alone find" \
	    "$(wc -l <alone.corr) correlations"
fi

# The order of the partial files does not matter, nor the output format.
run order 1 merge "${P}2" "${P}0" "${P}1"
cmp -s whole.corr order.json || fail "merge: the order of the files counts"
set +e
ctaudit -q -f text -r "$RULES" tree | grep -v '^$' >whole.text
ctaudit merge -q -f text -r "$RULES" "${P}0" "${P}1" "${P}2" \
    >merge.text
set -e
while IFS= read -r line; do
	grep -qxF -- "$line" whole.text ||
	    fail "merge -f text: not in one run's text: $line"
done <merge.text
[ -s merge.text ] || fail "merge -f text wrote nothing"

# A shard that could not read all its input says so, and the merge
# writes what it has but exits 2, naming the shard.
sed '$s/"incomplete":false/"incomplete":true/' "${P}1" >incomplete
set +e
ctaudit merge -q -f json -r "$RULES" "${P}0" incomplete "${P}2" \
    >incomplete.json 2>incomplete.err
check_status "merge, a shard incomplete" 2 $?
set -e
cmp -s whole.corr incomplete.json ||
    fail "merge, a shard incomplete: not the findings of the rest"
echo "ctaudit: incomplete:$(wc -l <incomplete | tr -d ' '): error: shard" \
    "1/3 did not read all its input: correlation findings may be" \
    "missing" >incomplete.want
check_file "merge, a shard incomplete" incomplete.want incomplete.err

# The header and end lines as ctaudit(1) documents them.
head -n 1 "${P}1" | jq -c '[keys, ."ctaudit-partial", .shard, .shards,
    .correlations, (.rules | test("^[0-9a-f]{16}$"))]' >format
tail -n 1 "${P}1" | jq -c '[keys, .end, (.untimed | length)]' >>format
sed -n 2p "${P}1" | jq -c '[keys, (.v | length > 0)]' >>format
# As many correlations as the pack has correlation rules (a file may
# hold several), counted apart.
NC=$(cat "$TOP_SRCDIR"/rules/*/*.yml | grep -c '^correlation:')
[ "$NC" -gt 0 ] || fail "no correlation rule in the pack"
cat >format.want <<EOF
[["correlations","ctaudit-partial","rules","shard","shards"],1,1,3,$NC,true]
[["end","events","incomplete","untimed"],true,$NC]
[["c","i","s","t","v"],true]
EOF
check_file "partial format" format.want format

# Bad sets of partial files: exit 3, nothing written, exact messages.
# bad NAME [ctaudit merge arguments].
: >bad
bad() {
	echo "== $1" >>bad
	shift
	set +e
	ctaudit merge -q -f json -r "$RULES" "$@" >bad.out 2>bad.err
	echo "exit $?" >>bad
	set -e
	sed "s|$T/||g" bad.err >>bad
	[ ! -s bad.out ] || fail "bad: something written: $(head -1 bad.out)"
}
bad missing "${P}0" "${P}2"
bad duplicate "${P}0" "${P}1" "${P}1" "${P}2"
sed '1s/"ctaudit-partial":1/"ctaudit-partial":2/' "${P}1" >v2
bad version "${P}0" v2 "${P}2"
ctaudit -q -f json -r "$RULES" --shard 1/2 --partial two tree >/dev/null ||
    true
bad count "${P}0" two "${P}2"
sed '$d' "${P}1" >trunc
bad truncated "${P}0" trunc "${P}2"
sed '2d' "${P}1" >short
bad short "${P}0" short "${P}2"
sed '3s/.*/{"c":999,"s":0,"t":1,"v":[]}/' "${P}1" >badline
bad badline "${P}0" badline "${P}2"
sed '3s/"i":[0-9]*/"i":0/' "${P}1" >badid
grep -q '"i":0,' badid || fail "badid: no event id on line 3"
bad badid "${P}0" badid "${P}2"
sed '3s/.*/not json/' "${P}1" >notjson
bad notjson "${P}0" notjson "${P}2"
bad notpartial "${P}0" tree/signin_000.json "${P}2"
bad nofile "${P}0" nosuchfile "${P}2"
bad none
bad shard --shard 1/3 "${P}1"
echo "== rules" >>bad
set +e
ctaudit merge -q -f json -r "$RULES" --min-level high "${P}0" "${P}1" \
    "${P}2" >/dev/null 2>rules.err
echo "exit $?" >>bad
set -e
sed "s|$T/||g; s/rules [0-9a-f]*, here [0-9a-f]*/rules X, here Y/" \
    rules.err >>bad
echo "== partial" >>bad
set +e
ctaudit -q -f json -r "$RULES" --partial nodir/p tree >/dev/null 2>&1
echo "exit $?" >>bad
ctaudit -q -f json -r "$RULES" --partial nodir/p tree 2>&1 >/dev/null |
    sed "s|$T/||g" >>bad
set -e
check_file "bad partial files" "$EXPECTED/merge-bad" bad

finish
