#!/bin/sh
# -j N (issue 12.1): whatever the number of worker threads, a run writes
# byte for byte what -j 1 writes: findings and correlation findings in
# text, JSON and CSV, the messages and the --summary report, the exit
# status, and the --state file; a run killed mid-way and run again under
# --state writes every finding once.  The tree is the sample archive, the
# fixtures of testdata/ (damaged ones among them, so that messages come
# from the workers) and, when present, the real records of ../shared.

. "$TOP_SRCDIR/tests/setup"

every_event
ARCHIVE=$TESTDATA/archive
unset AWS_BATCH_JOB_ARRAY_INDEX JOB_COMPLETION_INDEX 2>/dev/null || true

mkdir -p "$T/tree/fixtures" "$T/tree/correlate"
cp -R "$ARCHIVE/AWSLogs" "$T/tree/"
cp -R "$TESTDATA/input/." "$T/tree/fixtures/"
cp "$TESTDATA/correlate/"*.json "$T/tree/correlate/"
# Damaged inputs of our own, so that the workers have messages to hand
# back even where ../shared (whose records include some) is absent.
chmod -R u+w "$T/tree"
printf '{"Records":[{"eventTime":"2024-03-12T00:00:00Z",' \
    >"$T/tree/fixtures/cut.json"
f=$(find "$ARCHIVE/AWSLogs" -name '*.json.gz' | sort | head -1)
head -c 60 "$f" >"$T/tree/fixtures/cut.json.gz"
if [ -d "$SHARED/data/cloudtrail" ]; then
	cp -R "$SHARED/data/cloudtrail" "$T/tree/shared"
fi
# The bundled rules (their correlation rules too) and one every event
# matches, so that every record that reaches the rules is a finding.
RULES="-r $TOP_SRCDIR/rules -r $T/all.yml"

# audit NAME ARGS...: stdout, stderr and status in $T/NAME.{out,err,st}.
audit() {
	_n=$1
	shift
	set +e
	# shellcheck disable=SC2086
	ctaudit $RULES "$@" >"$T/$_n.out" 2>"$T/$_n.err"
	echo $? >"$T/$_n.st"
	set -e
}

# same WHAT BASE OTHER: the two runs wrote the same bytes.
same() {
	for _x in out err st; do
		cmp -s "$T/$2.$_x" "$T/$3.$_x" ||
		    fail "$1: $3.$_x differs from $2.$_x: $(diff "$T/$2.$_x" \
		    "$T/$3.$_x" | head -5)"
	done
}

# samestate WHAT A B: the same state files, but for the clock of each run
# (a tree's "file ROOT CUT" line is the time the run started).
samestate() {
	sed 's/^file \(.*\) [0-9][0-9]*$/file \1 CUT/' "$2" >"$T/state.a"
	sed 's/^file \(.*\) [0-9][0-9]*$/file \1 CUT/' "$3" >"$T/state.b"
	cmp -s "$T/state.a" "$T/state.b" ||
	    fail "$1: the state file differs: $(diff "$T/state.a" \
	    "$T/state.b" | head -5)"
}

for fmt in text json csv; do
	for j in 1 2 4 8; do
		rm -f "$T/state.$fmt.$j"
		audit "$fmt.$j" -j "$j" -f "$fmt" --summary --stale none \
		    --state "$T/state.$fmt.$j" "$T/tree"
		# Again, from the state: nothing new, the same report.
		audit "$fmt.$j.again" -j "$j" -f "$fmt" --summary \
		    --stale none --state "$T/state.$fmt.$j" "$T/tree"
		# No state: the time window and the JSON summary.
		[ $fmt = json ] && audit "$fmt.$j.window" -j "$j" -f "$fmt" \
		    --summary --summary-format json --since 2024-03-12 "$T/tree"
	done
	check_status "$fmt -j 1" 2 "$(cat "$T/$fmt.1.st")"
	# The damaged fixtures are read again, and reported again.
	check_status "$fmt -j 1 again" 2 "$(cat "$T/$fmt.1.again.st")"
	[ $fmt != json ] ||
	    check_status "json -j 1 window" 2 "$(cat "$T/json.1.window.st")"
	[ "$(wc -l <"$T/$fmt.1.out")" -gt 300 ] ||
	    fail "$fmt: only $(wc -l <"$T/$fmt.1.out") lines of findings"
	grep -q 'summary: [1-9][0-9]* files ([1-9][0-9]* incomplete)' \
	    "$T/$fmt.1.err" || fail "$fmt: no damaged input in the tree"
	for j in 2 4 8; do
		same "$fmt -j $j" "$fmt.1" "$fmt.$j"
		same "$fmt -j $j again" "$fmt.1.again" "$fmt.$j.again"
		[ $fmt != json ] ||
		    same "json -j $j window" json.1.window "json.$j.window"
		samestate "$fmt -j $j" "$T/state.$fmt.1" "$T/state.$fmt.$j"
	done
done
# Correlation findings are among them.
grep -q '"correlation"\|"corr' "$T/json.1.out" ||
    fail "json: no correlation finding"

# The bundled rules alone, no --summary: most records a worker keeps
# are then matched only by the base rules of correlations, and it hands
# on only what those read (record_clone_part_to()); the correlation
# findings, and their --partial files, are those of -j 1.
for j in 1 2 4; do
	set +e
	ctaudit -r "$TOP_SRCDIR/rules" -j "$j" -f json --stale none \
	    "$T/tree" >"$T/corr.$j.out" 2>"$T/corr.$j.err"
	echo $? >"$T/corr.$j.st"
	ctaudit -r "$TOP_SRCDIR/rules" -j "$j" -f json --stale none \
	    --partial "$T/part.$j" "$T/tree" >/dev/null 2>&1
	set -e
done
check_status "correlations -j 1" 2 "$(cat "$T/corr.1.st")"
[ "$(grep -c '"correlation"' "$T/corr.1.out")" -ge 5 ] ||
    fail "correlations: $(grep -c '"correlation"' "$T/corr.1.out") found"
for j in 2 4; do
	same "correlations -j $j" corr.1 "corr.$j"
	cmp -s "$T/part.1" "$T/part.$j" ||
	    fail "correlations -j $j: the partial file differs"
done

# Standard input, and one argument after another.
ctaudit -j 1 -f json $RULES - <"$TESTDATA/input/lines.jsonl" \
    >"$T/stdin.1" 2>&1 || :
ctaudit -j 4 -f json $RULES - <"$TESTDATA/input/lines.jsonl" \
    >"$T/stdin.4" 2>&1 || :
cmp -s "$T/stdin.1" "$T/stdin.4" || fail "stdin: -j 4 differs"
audit args.1 -j 1 -f csv "$T/tree/correlate" "$T/nonexistent" "$ARCHIVE"
audit args.3 -j 3 -f csv "$T/tree/correlate" "$T/nonexistent" "$ARCHIVE"
check_status "arguments -j 1" 2 "$(cat "$T/args.1.st")"
same "arguments -j 3" args.1 args.3

# Killed mid-way (blocked on a FIFO after the tree), then run again: every
# finding once, as with -j 1 in tests/state.sh.  The killed run wrote no
# correlation finding (they come at the end); the rerun writes exactly
# those of one run, from the matches the journal holds of the files the
# workers finished and those of the files it reads again.
rm -rf "$T/kt" && mkdir "$T/kt" && cp -R "$ARCHIVE/AWSLogs" "$T/kt/"
audit kill.all -j 1 -f json "$T/kt"
check_status "kill: one run" 1 "$(cat "$T/kill.all.st")"
finding_ids "$T/kill.all.out" >"$T/all.ids"
mkfifo "$T/fifo"
# shellcheck disable=SC2086
$CTAUDIT_VALGRIND "$CTAUDIT" -j 4 -f json $RULES --state "$T/kstate" \
    --stale none "$T/kt" "$T/fifo" >"$T/killed.json" 2>/dev/null &
pid=$!
exec 8>"$T/fifo"	# returns once the run has walked the tree
kill -9 $pid
exec 8>&-
wait $pid 2>/dev/null || true
[ -s "$T/killed.json" ] || fail "killed run: no findings written"
correlation_ids "$T/kill.all.out" >"$T/all.cids"
audit kill.rerun -j 4 -f json --state "$T/kstate" --stale none "$T/kt"
# Files a worker had not finished are read again; their event findings
# were written already.
if [ -n "$(finding_ids "$T/kill.rerun.out")" ]; then
	fail "kill: rerun wrote event findings again"
fi
[ -s "$T/all.cids" ] || fail "kill: no correlation in one run"
check_status "kill: rerun" 1 "$(cat "$T/kill.rerun.st")"
correlation_ids "$T/killed.json" >"$T/killed.cids"
check_file "kill: no correlation before the end" /dev/null "$T/killed.cids"
correlation_ids "$T/kill.rerun.out" >"$T/rerun.cids"
check_file "kill -9 and rerun under -j 4, every correlation once" \
    "$T/all.cids" "$T/rerun.cids"
cat "$T/killed.json" "$T/kill.rerun.out" | finding_ids >"$T/k.ids"
check_file "kill -9 and rerun under -j 4, every finding once" \
    "$T/all.ids" "$T/k.ids"

# A regular expression stopped by PCRE2's match limit: warned about ten
# times at most, the tenth saying so, in input order, as with -j 1 (each
# worker used to warn ten times), and counted once each in the summary.
sed "s/eventName|exists: true/userAgent|re: '^(a|aa)+\$'/; s/0001\$/0004/" \
    "$T/all.yml" >"$T/backtrack.yml"
mkdir -p "$T/bt"
a=$(printf '%060d' 0 | tr 0 a)
for f in 1 2 3 4; do
	for i in 1 2 3 4; do
		printf '{"eventSource":"iam.amazonaws.com","eventName":"E%d%d",' \
		    "$f" "$i"
		printf '"userAgent":"%sb"}\n' "$a"
	done >"$T/bt/f$f.jsonl"
done
for j in 1 2 4; do
	set +e
	ctaudit -j "$j" -r "$T/backtrack.yml" --summary "$T/bt" \
	    >"$T/bt.$j.out" 2>"$T/bt.$j.err"
	echo $? >"$T/bt.$j.st"
	set -e
done
check_status "|re stopped, -j 1" 0 "$(cat "$T/bt.1.st")"
[ "$(grep -c "warning: record .*PCRE2's" "$T/bt.1.err")" -eq 10 ] ||
    fail "|re stopped: not 10 warnings: $(cat "$T/bt.1.err")"
grep -q 'bt/f3.jsonl: warning: record 1: .*(further ones are only counted' \
    "$T/bt.1.err" || fail "|re stopped: the tenth: $(cat "$T/bt.1.err")"
same "|re stopped, -j 2" bt.1 bt.2
same "|re stopped, -j 4" bt.1 bt.4

# A file of 33 MiB in a tree is read by its worker; a pipe over the 32 MiB
# a worker is handed at once is read by the main thread, once the streams
# before it are out, between the others.  Either way the findings are
# those of -j 1: the stream is a stored (not compressed) gzip member, with
# a few events the rule below finds among padding it does not.
mkdir -p "$T/big"
for f in a c; do
	printf '{"eventName":"Needle","eventID":"%s"}\n' "$f" >"$T/big/$f.jsonl"
done
python3 - "$T/big/b.json.gz" <<'PY'
import gzip, sys
pad = "x" * 8000
recs = []
for i in range(4300):
    name = "Needle" if i % 1000 == 7 else "Hay"
    recs.append('{"eventTime":"2024-03-12T00:00:%02dZ","eventName":"%s",'
                '"eventID":"e%d","pad":"%s"}' % (i % 60, name, i, pad))
data = ('{"Records":[' + ",".join(recs) + "]}").encode()
with open(sys.argv[1], "wb") as f:
    f.write(gzip.compress(data, compresslevel=0, mtime=0))
PY
[ "$(wc -c <"$T/big/b.json.gz")" -gt 33554432 ] ||
    fail "the big stream is not over 32 MiB"
sed "s/eventName|exists: true/eventName: Needle/; s/0001\$/0005/" \
    "$T/all.yml" >"$T/needle.yml"
for j in 1 2; do
	set +e
	"$CTAUDIT" -j "$j" -f json -r "$T/needle.yml" --summary "$T/big" \
	    >"$T/big.$j.out" 2>"$T/big.$j.err"
	echo $? >"$T/big.$j.st"
	set -e
done
check_status "over 32 MiB, -j 1" 1 "$(cat "$T/big.1.st")"
[ "$(jq -r .eventID "$T/big.1.out" | tr '\n' ' ')" = \
    "a e7 e1007 e2007 e3007 e4007 c " ] ||
    fail "over 32 MiB: $(jq -r .eventID "$T/big.1.out" | tr '\n' ' ')"
same "over 32 MiB, -j 2" big.1 big.2
set +e
"$CTAUDIT" -j 2 -f json -r "$T/needle.yml" --summary "$T/big/a.jsonl" - \
    "$T/big/c.jsonl" <"$T/big/b.json.gz" >"$T/pipe.2.out" 2>"$T/pipe.2.err"
echo $? >"$T/pipe.2.st"
set -e
check_status "over 32 MiB from a pipe, -j 2" 1 "$(cat "$T/pipe.2.st")"
[ "$(jq -r .eventID "$T/pipe.2.out" | tr '\n' ' ')" = \
    "a e7 e1007 e2007 e3007 e4007 c " ] ||
    fail "over 32 MiB from a pipe: $(jq -r .eventID "$T/pipe.2.out" |
    tr '\n' ' ')"
grep -q '^ctaudit: note: summary: 3 files (0 incomplete), 4302 records' \
    "$T/pipe.2.err" || fail "over 32 MiB from a pipe: $(cat "$T/pipe.2.err")"

# The main thread decodes too, while the oldest file is another thread's;
# when what it keeps of a file passes the 32 MiB of results not yet
# written, it writes those of the files before its own, waiting for them
# as needed, rather than wait for itself.  Files of few events a rule
# finds, each followed by one of 35 MB the rule finds in full, make the
# main thread decode one of the latter while the other thread has the
# file before it (checked once with a probe in that path: every run of
# ten went through it).
mkdir -p "$T/cap"
python3 - "$T/cap" <<'PY'
import gzip, sys
pad = "x" * 8000
def write(name, n, needle):
    recs = ['{"eventTime":"2024-03-12T00:00:%02dZ","eventName":"%s",'
            '"eventID":"%s%d","pad":"%s"}'
            % (i % 60, "Needle" if needle else "Hay", name, i, pad)
            for i in range(n)]
    data = ('{"Records":[' + ",".join(recs) + "]}").encode()
    with open("%s/%s.json.gz" % (sys.argv[1], name), "wb") as f:
        f.write(gzip.compress(data, compresslevel=1, mtime=0))
for k in "12":
    write(k + "a", 500, False)
    write(k + "b", 4300, True)
PY
for j in 1 2; do
	set +e
	"$CTAUDIT" -j "$j" -f json -r "$T/needle.yml" "$T/cap" \
	    >"$T/cap.$j.out" 2>"$T/cap.$j.err"
	echo $? >"$T/cap.$j.st"
	set -e
done
check_status "over the results cap, -j 1" 1 "$(cat "$T/cap.1.st")"
[ "$(wc -l <"$T/cap.1.out")" -eq 8600 ] ||
    fail "over the results cap: $(wc -l <"$T/cap.1.out") findings"
same "over the results cap, -j 2" cap.1 cap.2

# The option's range, and the S3 transfer depth's own option.
run badj 3 -j 65 $RULES "$ARCHIVE"
grep -qx 'ctaudit: error: -j 65: out of range (1 to 64)' "$T/badj.err" ||
    fail "-j 65: $(cat "$T/badj.err")"
run badt 3 --transfers 0 $RULES "$ARCHIVE"
grep -qx 'ctaudit: error: --transfers 0: out of range (1 to 64)' \
    "$T/badt.err" || fail "--transfers 0: $(cat "$T/badt.err")"

# S3, when the loopback server of tests/s3.sh is installed.
TOOLS=$TOP_SRCDIR/tests/tools
PY=/usr/bin/python3
if command -v node >/dev/null 2>&1 && command -v aws >/dev/null 2>&1 &&
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
	    --only-show-errors "$T/tree" s3://ctaudit-test/
	export AWS_ENDPOINT_URL=http://127.0.0.1:$s3port
	for j in 1 2 4 8; do
		rm -f "$T/s3state.$j"
		audit "s3.$j" -j "$j" -f json --summary --stale none \
		    --state "$T/s3state.$j" s3://ctaudit-test/
	done
	check_status "s3 -j 1" 1 "$(cat "$T/s3.1.st")"
	for j in 2 4 8; do
		same "s3 -j $j" s3.1 "s3.$j"
		samestate "s3 -j $j" "$T/s3state.1" "$T/s3state.$j"
	done
else
	echo "S3 part skipped: s3rver not installed"
fi

finish
