#!/bin/sh
# --shard K/N (issue 12.4): the findings of shards 0 to N-1 together are
# exactly the findings of one run, each file is read by exactly one shard,
# the split depends only on the path below the root (the same for a tree
# and for its copy in S3, with or without a trailing slash), the index can
# come from AWS Batch's and Kubernetes' variables, and bad values are
# refused with exact messages.  Correlation rules are left out of the
# comparison: they see only their shard's events (ctaudit(1), --shard).

. "$TOP_SRCDIR/tests/setup"

every_event
ARCHIVE=$TESTDATA/archive
unset AWS_BATCH_JOB_ARRAY_INDEX JOB_COMPLETION_INDEX 2>/dev/null || true

# The bundled detection rules, and the rule every event matches, so that
# the findings name every file that holds a record.
mkdir "$T/rules"
(cd "$TOP_SRCDIR/rules" && find . -name '*.yml') | while read -r f; do
	if ! grep -q '^correlation:' "$TOP_SRCDIR/rules/$f"; then
		mkdir -p "$T/rules/$(dirname "$f")"
		cp "$TOP_SRCDIR/rules/$f" "$T/rules/$f"
	fi
done
cp "$T/all.yml" "$T/rules/all.yml"

# audit NAME [ctaudit arguments]: findings in $T/NAME.json, the files read
# (relative to the root) in $T/NAME.files, the exit status in $T/NAME.st.
audit() {
	_n=$1
	shift
	set +e
	ctaudit -f json --summary -r "$T/rules" "$@" >"$T/$_n.json" \
	    2>"$T/$_n.err"
	echo $? >"$T/$_n.st"
	set -e
	jq -r .origin <"$T/$_n.json" | sed 's|^.*/AWSLogs/|AWSLogs/|' |
	    sort -u >"$T/$_n.files"
}

audit whole "$ARCHIVE"
sort "$T/whole.json" >"$T/whole.sorted"
check_status "whole run" 1 "$(cat "$T/whole.st")"

# For each N: the shards' findings, sorted, are the whole run's; no file is
# in two shards.  The table of files, findings and statuses is golden, so
# that a change of the hash, which would move files between the shards of
# everyone's running jobs, cannot pass unnoticed.
: >"$T/split"
for n in 1 2 3 5; do
	: >"$T/union"
	: >"$T/files"
	k=0
	while [ $k -lt $n ]; do
		audit "s$k" --shard "$k/$n" "$ARCHIVE"
		cat "$T/s$k.json" >>"$T/union"
		cat "$T/s$k.files" >>"$T/files"
		printf '%s/%s\t%s files\t%s findings\texit %s\n' $k $n \
		    "$(sed -n 's/.*summary: \([0-9]*\) files.*/\1/p' \
		    "$T/s$k.err")" "$(wc -l <"$T/s$k.json" | tr -d ' ')" \
		    "$(cat "$T/s$k.st")" >>"$T/split"
		k=$((k + 1))
	done
	sort "$T/union" >"$T/union.sorted"
	cmp -s "$T/whole.sorted" "$T/union.sorted" ||
	    fail "$n shards: the findings differ from one run's"
	if [ -n "$(sort "$T/files" | uniq -d)" ]; then
		fail "$n shards: a file was read by two shards"
	fi
	sort "$T/files" | cmp -s "$T/whole.files" - ||
	    fail "$n shards: the files read differ from one run's"
done
check_file "shard split" "$EXPECTED/shard-split" "$T/split"
# Shard 3/5 owns no day of the archive (the table above: 0 files, exit 0):
# it says so, rather than calling the archive empty.
grep -qx "ctaudit: $ARCHIVE: note: nothing here is in shard 3/5: other shards read it" \
    "$T/s3.err" || fail "shard 3/5 owning nothing: $(cat "$T/s3.err")"

# The split depends on the path below the root only.
audit k1 --shard 1/3 "$ARCHIVE"
audit slash --shard 1/3 "$ARCHIVE/"
cmp -s "$T/k1.files" "$T/slash.files" ||
    fail "a trailing slash moved files between shards"

# The index from the variables AWS Batch array jobs and Kubernetes Indexed
# Jobs set, when --shard gives the count alone; AWS Batch's comes first.
(export AWS_BATCH_JOB_ARRAY_INDEX=1; audit batch --shard 3 "$ARCHIVE")
cmp -s "$T/k1.json" "$T/batch.json" ||
    fail "AWS_BATCH_JOB_ARRAY_INDEX=1 --shard 3 is not --shard 1/3"
(export JOB_COMPLETION_INDEX=1; audit k8s --shard 3 "$ARCHIVE")
cmp -s "$T/k1.json" "$T/k8s.json" ||
    fail "JOB_COMPLETION_INDEX=1 --shard 3 is not --shard 1/3"
(export AWS_BATCH_JOB_ARRAY_INDEX=1 JOB_COMPLETION_INDEX=2
audit both --shard 3 "$ARCHIVE")
cmp -s "$T/k1.json" "$T/both.json" ||
    fail "AWS_BATCH_JOB_ARRAY_INDEX does not come first"
(export AWS_BATCH_JOB_ARRAY_INDEX=2; audit given --shard 1/3 "$ARCHIVE")
cmp -s "$T/k1.json" "$T/given.json" ||
    fail "an index given in K/N does not win over the environment"

# Files named on the command line are split by their names as given, and
# standard input is read by shard 0 alone.
set -- $(find "$ARCHIVE" -name '*_CloudTrail_*.json.gz' | sort)
audit named "$@"
: >"$T/union"
for k in 0 1 2; do
	audit "n$k" --shard "$k/3" "$@"
	cat "$T/n$k.files" >>"$T/union"
done
sort "$T/union" | cmp -s "$T/named.files" - ||
    fail "files named on the command line: not split exactly once"
for k in 0 1; do
	audit "stdin$k" --shard "$k/2" - <"$TESTDATA/input/file2.json"
done
[ -s "$T/stdin0.json" ] || fail "standard input: shard 0 read nothing"
if [ -s "$T/stdin1.json" ]; then
	fail "standard input: shard 1 read it too"
fi

# Bad values: exit 3 and one exact message each.  bad [VAR=value]... --
# ARGS: run with those variables set.
: >"$T/bad"
bad() {
	_vars=
	while [ "$1" != -- ]; do
		_vars="$_vars $1"
		shift
	done
	shift
	echo "== $_vars $*" >>"$T/bad"
	set +e
	env $_vars "$CTAUDIT" -r "$T/all.yml" "$@" "$ARCHIVE" >/dev/null \
	    2>>"$T/bad"
	echo "exit $?" >>"$T/bad"
	set -e
}
bad -- --shard 4/4
bad -- --shard 0/0
bad -- --shard 0/1000001
bad -- --shard x
bad -- --shard 1/
bad -- --shard /4
bad -- --shard -1/4
bad -- --shard +1/4
bad -- --shard 1/4/
bad -- --shard ''
bad -- --shard 4
bad AWS_BATCH_JOB_ARRAY_INDEX= JOB_COMPLETION_INDEX= -- --shard 4
bad AWS_BATCH_JOB_ARRAY_INDEX=abc -- --shard 4
bad AWS_BATCH_JOB_ARRAY_INDEX=-1 -- --shard 4
bad JOB_COMPLETION_INDEX=4 -- --shard 4
check_file "bad --shard values" "$EXPECTED/shard-bad" "$T/bad"

# S3, when the loopback server of tests/s3.sh is installed: the same
# split as the tree, and each shard fetches only its own objects.
TOOLS=$TOP_SRCDIR/tests/tools
PY=/usr/bin/python3
if command -v node >/dev/null 2>&1 && command -v aws >/dev/null 2>&1 &&
    $PY "$TOOLS/sigv4_botocore.py" probe >/dev/null 2>&1 &&
    $PY "$TOOLS/s3_setup" check >/dev/null 2>&1; then
	SERVERS="$SERVERS $($PY "$TOOLS/s3_setup" start "$T/data" \
	    "$T/s3port")"
	s3port=$(cat "$T/s3port")
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
	export AWS_DEFAULT_REGION=us-east-1 HOME="$T/home"
	unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL_S3 AWS_CONFIG_FILE \
	    AWS_SHARED_CREDENTIALS_FILE 2>/dev/null || true
	mkdir -p "$HOME"
	aws --endpoint-url "http://127.0.0.1:$s3port" s3 sync \
	    --only-show-errors "$ARCHIVE" s3://ctaudit-test/
	serve "$T/pport" $PY "$TOOLS/s3_proxy.py" "$s3port" "$T/pport" \
	    "$T/log"
	export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT
	unset AWS_DEFAULT_REGION
	# gets NAME: the objects fetched since the last reset.
	gets() {
		grep -vc 'list-type=2' "$T/log" || true
	}
	# lists: the listings since the last reset.
	lists() {
		grep -c 'list-type=2' "$T/log" || true
	}
	# days: the day prefixes listed whole since the last reset.
	days() {
		sed -n 's|.*list-type=2.*prefix=\([^& ]*%2F[0-9][0-9][0-9][0-9]%2F[0-9][0-9]%2F[0-9][0-9]%2F\).*|\1|p' \
		    "$T/log" | sort
	}
	# whole: the listings without a delimiter since the last reset.
	whole() {
		grep 'list-type=2' "$T/log" | grep -vc 'delimiter=' || true
	}
	# The day directories of CloudTrail logs and Insights events in the
	# archive, as listed (the bundled rules read Insights events).
	(cd "$ARCHIVE" && find AWSLogs \( -path '*/CloudTrail/*' -o \
	    -path '*/CloudTrail-Insight/*' \) -type f) |
	    sed 's|[^/]*$||; s|/|%2F|g' | sort -u >"$T/tree.days"
	curl -sf "http://127.0.0.1:$PORT/__ctl/reset" >/dev/null
	audit s3 s3://ctaudit-test/
	all=$(gets)
	alllists=$(lists)
	sum=0
	: >"$T/union"
	: >"$T/k.days"
	for k in 0 1 2; do
		curl -sf "http://127.0.0.1:$PORT/__ctl/reset" >/dev/null
		audit "s3_$k" --shard "$k/3" s3://ctaudit-test/
		got=$(gets)
		sum=$((sum + got))
		# Without a window a shard walks the dates with the
		# delimiter and lists whole only its own days.
		days >>"$T/k.days"
		[ "$(whole)" = "$(days | wc -l | tr -d ' ')" ] ||
		    fail "S3 shard $k/3: a listing other than a day's:" \
		    "$(grep 'list-type=2' "$T/log" | grep -v 'delimiter=' |
		    head -3)"
		echo "S3 shard $k/3: $(days | wc -l | tr -d ' ') of" \
		    "$(wc -l <"$T/tree.days" | tr -d ' ') days listed," \
		    "$(lists) listings (one run $alllists)"
		cat "$T/s3_$k.json" >>"$T/union"
		sort "$T/s3_$k.json" >"$T/s3_$k.sorted"
		audit "t$k" --shard "$k/3" "$ARCHIVE"
		cmp -s "$T/t$k.files" "$T/s3_$k.files" ||
		    fail "S3 shard $k/3: not the tree's files"
		want=$(sed -n 's/.*summary: \([0-9]*\) files.*/\1/p' \
		    "$T/s3_$k.err")
		[ "$got" = "$want" ] ||
		    fail "S3 shard $k/3: $got objects fetched for $want files"
	done
	echo "S3: $all objects in one run, $sum in the shards"
	# --state with the walk: a second run of a shard lists past the
	# days it read and fetches nothing; the first wrote its findings.
	curl -sf "http://127.0.0.1:$PORT/__ctl/reset" >/dev/null
	audit s3st1 --shard 0/3 --state "$T/s3.state" s3://ctaudit-test/
	sort "$T/s3st1.json" | cmp -s - "$T/s3_0.sorted" ||
	    fail "S3 shard 0/3 with --state: not the shard's findings"
	curl -sf "http://127.0.0.1:$PORT/__ctl/reset" >/dev/null
	audit s3st2 --shard 0/3 --state "$T/s3.state" s3://ctaudit-test/
	[ "$(gets)" = 0 ] && [ ! -s "$T/s3st2.json" ] ||
	    fail "S3 shard 0/3, --state again: $(gets) objects fetched," \
	    "$(wc -l <"$T/s3st2.json") findings"
	sort "$T/k.days" | cmp -s "$T/tree.days" - ||
	    fail "S3: the shards' day listings are not the archive's days," \
	    "each once: $(sort "$T/k.days" | uniq -d | head -3)" \
	    "$(sort "$T/k.days" | diff "$T/tree.days" - | head -5)"
	[ "$sum" = "$all" ] ||
	    fail "S3: the shards fetched $sum objects, one run $all"
	sort "$T/s3.json" >"$T/s3.sorted"
	sort "$T/union" | cmp -s "$T/s3.sorted" - ||
	    fail "S3: the shards' findings differ from one run's"

	# With a window the planner lists day prefixes, and a shard lists
	# only its own days: each day prefix of one run is listed by exactly
	# one shard, and the findings are still one run's.
	win="--since 2024-03-11 --until 2024-03-13T23:59:59Z"
	curl -sf "http://127.0.0.1:$PORT/__ctl/reset" >/dev/null
	audit s3w $win s3://ctaudit-test/
	days >"$T/w.days"
	: >"$T/union"
	: >"$T/wk.days"
	for k in 0 1 2; do
		curl -sf "http://127.0.0.1:$PORT/__ctl/reset" >/dev/null
		audit "s3w_$k" --shard "$k/3" $win s3://ctaudit-test/
		cat "$T/s3w_$k.json" >>"$T/union"
		days >>"$T/wk.days"
		echo "S3, window, shard $k/3: $(days | wc -l | tr -d ' ')" \
		    "of $(wc -l <"$T/w.days" | tr -d ' ') day listings"
	done
	[ -s "$T/w.days" ] || fail "S3, window: no day prefix was listed"
	sort "$T/wk.days" | cmp -s "$T/w.days" - ||
	    fail "S3, window: the shards' day listings are not one run's," \
	    "each once: $(sort "$T/wk.days" | uniq -d | head -3)"
	sort "$T/s3w.json" >"$T/s3w.sorted"
	sort "$T/union" | cmp -s "$T/s3w.sorted" - ||
	    fail "S3, window: the shards' findings differ from one run's"
else
	echo "S3 part skipped: s3rver not installed"
fi

finish
