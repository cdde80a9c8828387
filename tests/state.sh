# --state: runs over an archive that grows read only what is new and
# report only new findings; a run killed before it saves has checkpointed
# the files it finished in the journal, so the next run neither loses nor
# repeats a finding; two runs do not work at once; a corrupt state file
# or journal is refused with its line, a journal line cut short ignored.
# With the S3 rig (tests/s3.sh), the same over S3, counting the requests.
. "$TOP_SRCDIR/tests/setup"

RULES=$TOP_SRCDIR/rules
ARCHIVE=$TESTDATA/archive
# The archive's events are years old: --stale is tested in tests/truth.sh.
run() {
	ctaudit -f json -r "$RULES" --state "$T/state" --stale none "$@"
}
# Across runs, event findings must come once (finding_ids), correlation
# findings at most once (check_correlations) where the input is split
# so that a window's first part is reported before its rest arrives.

# The sample archive in two halves: the days up to the 11th, then the rest.
mkdir -p "$T/tree" "$T/later"
(cd "$ARCHIVE" && find . -type f) | sort >"$T/files"
while read -r f; do
	case $f in
	*/2024/03/11/*) dst=$T/tree ;;
	*) dst=$T/later ;;
	esac
	mkdir -p "$dst/$(dirname "$f")"
	cp "$ARCHIVE/$f" "$dst/$f"
done <"$T/files"
ctaudit -f json -r "$RULES" "$ARCHIVE" 2>/dev/null >"$T/all.json" || true
finding_ids "$T/all.json" >"$T/all.ids"
correlation_ids "$T/all.json" >"$T/all.cids"

st=0
run "$T/tree" >"$T/run1.json" 2>"$T/run1.err" || st=$?
check_status "first run" 1 "$st"
head -3 "$T/state" | sed 1,2d >"$T/head"
echo "ctaudit-state 1" | check_file "state version line" - "$T/head"
tail -1 "$T/state" | grep -q '^end [0-9][0-9]*$' || fail "no end record"

# The archive grows: the second run reads only the new files.
(cd "$T/later" && tar cf - .) | (cd "$T/tree" && tar xf -)
st=0
run "$T/tree" >"$T/run2.json" 2>"$T/run2.err" || st=$?
check_status "second run" 1 "$st"
grep -q 'summary: 11 files' "$T/run2.err" ||
    fail "second run: $(grep summary: "$T/run2.err")"
grep -q ' 5 files already audited' "$T/run2.err" ||
    fail "second run: old files read again"
cat "$T/run1.json" "$T/run2.json" | finding_ids >"$T/both.ids"
check_correlations "two runs" "$T/all.cids" "$T/run1.json" "$T/run2.json"
check_file "two runs, every finding once" "$T/all.ids" "$T/both.ids"

# Nothing new: nothing read, nothing reported, exit 0.
st=0
run "$T/tree" >"$T/run3.json" 2>"$T/run3.err" || st=$?
check_status "third run" 0 "$st"
[ -s "$T/run3.json" ] && fail "third run reported findings"

# A file rewritten in place is read again, but its findings are not
# reported twice (dedup by rule and eventID).
f=$(find "$T/tree" -name '*20240312T0300Z*' | head -1)
cp "$f" "$T/copy" && cat "$T/copy" >"$f"
st=0
run "$T/tree" >"$T/run4.json" 2>"$T/run4.err" || st=$?
check_status "rewritten file" 0 "$st"
grep -q 'summary: 1 files' "$T/run4.err" || fail "rewritten file not read"
grep -q '[1-9][0-9]* duplicate findings not reported' "$T/run4.err" ||
    fail "rewritten file: no duplicates counted"

# Correlation windows cut by the end of a run.  The sample's burst of
# logging turned off (02:52 to 03:08 on the 12th) split between two runs
# at the file of 03:00: the first run cannot report it and hands its
# matches on in 'corr' records; the second reports exactly what one run
# over everything does, over the whole window; a third, with nothing new,
# reports nothing.  Without the records the second run sees only the
# part of the window in its own files.
mkdir -p "$T/c1" "$T/c2"
while read -r f; do
	case $f in
	*/2024/03/11/*|*_20240312T02*|*_20240312T0300Z_*) dst=$T/c1 ;;
	*) dst=$T/c2 ;;
	esac
	mkdir -p "$dst/$(dirname "$f")"
	cp "$ARCHIVE/$f" "$dst/$f"
done <"$T/files"
corr_of() {
	jq -c 'select(.correlation != null) | [.ruleId, .correlation]' "$@"
}
corr_of "$T/all.json" >"$T/all.corr"
[ -s "$T/all.corr" ] || fail "no correlation finding in the sample"
crun() {
	ctaudit -f json -r "$RULES" --state "$T/cstate" --stale none "$@"
}
st=0
crun "$T/c1" >"$T/c1.json" 2>"$T/c1.err" || st=$?
check_status "carry: first run" 1 "$st"
corr_of "$T/c1.json" >"$T/c1.corr"
check_file "carry: first run, no correlation" /dev/null "$T/c1.corr"
grep -q '^corr [0-9]* [0-9]* [0-9]* [-0-9a-f]* [-0-9a-f]* v,' "$T/cstate" ||
    fail "carry: no corr record in the state"
grep -q '^ctaudit: note: correlation: 0 matches taken over from the last run, [1-9][0-9]* handed on to the next$' \
    "$T/c1.err" || fail "carry: first run: $(grep correlation: "$T/c1.err")"
cp "$T/cstate" "$T/cstate.1"
(cd "$T/c2" && tar cf - .) | (cd "$T/c1" && tar xf -)
st=0
crun "$T/c1" >"$T/c2.json" 2>"$T/c2.err" || st=$?
check_status "carry: second run" 1 "$st"
corr_of "$T/c2.json" >"$T/c2.corr"
check_file "carry: second run, the whole window" "$T/all.corr" "$T/c2.corr"
cat "$T/c1.json" "$T/c2.json" | finding_ids >"$T/c12.ids"
check_file "carry: every event finding once" "$T/all.ids" "$T/c12.ids"
grep -q '^ctaudit: note: correlation: [1-9][0-9]* matches taken over' \
    "$T/c2.err" || fail "carry: second run: $(grep correlation: "$T/c2.err")"
st=0
crun "$T/c1" >"$T/c3.json" 2>"$T/c3.err" || st=$?
check_status "carry: third run" 0 "$st"
[ -s "$T/c3.json" ] && fail "carry: third run reported findings"
# A run without those correlation rules says it leaves their matches out.
n=$(grep -c '^corr ' "$T/cstate")
st=0
ctaudit -f json -r "$RULES/s3" --state "$T/cstate" --stale none "$T/c1" \
    >/dev/null 2>"$T/c4.err" || st=$?
check_status "carry: other rules" 0 "$st"
grep -c '^corr ' "$T/cstate" >"$T/c4.n" || :
echo 0 | check_file "carry: other rules, nothing handed on" - "$T/c4.n"
grep 'correlation matches' "$T/c4.err" >"$T/c4.note" || :
echo "ctaudit: note: $n correlation matches an earlier run handed on" \
    "belong to correlation rules not loaded now; they are left out" |
    check_file "carry: other rules, the note" - "$T/c4.note"
# The second run again, from the first state without its 'corr' records.
n=$(grep -vc '^corr \|^end \|^#\|^ctaudit-state ' "$T/cstate.1")
grep -v '^corr \|^end ' "$T/cstate.1" >"$T/cstate"
echo "end $n" >>"$T/cstate"
st=0
crun "$T/c1" >"$T/c2n.json" 2>"$T/c2n.err" || st=$?
check_status "carry: nothing handed on" 1 "$st"
# It sees the burst from its own files only: three services from 02:58:40.
jq -r 'select(.correlation != null) | [.correlation.value,
    .correlation.firstTime] | @tsv' "$T/c2n.json" >"$T/c2n.corr"
printf '3\t2024-03-12T02:58:40Z\n' |
    check_file "carry: nothing handed on, part of the window" - "$T/c2n.corr"
# A 'corr' record that cannot be read stops the run (exit 3), naming it.
printf 'ctaudit-state 1\ncorr 2 3 0 c r v,a\nend 1\n' >"$T/cstate"
st=0
crun "$T/c1" >/dev/null 2>"$T/cbad.err" || st=$?
check_status "carry: bad corr record" 3 "$st"
sed "s|$T/||g" "$T/cbad.err" >"$T/cbad"
echo "ctaudit: cstate:2: error: state file: 'corr': bad time" |
    check_file "carry: bad corr record" - "$T/cbad"
# Matches from before 1970 (an archive whose clock straddles the epoch)
# cannot be written as state numbers: a warning counts them, the others
# are handed on, and none is reported as too long.
mkdir "$T/epoch"
for f in $(find "$ARCHIVE" -name '*.json.gz'); do
	gzip -dc "$f" | sed \
	    -e 's/"eventTime":"2024-03-1[12]T0[0-2][^"]*"/"eventTime":"1969-12-31T23:59:00Z"/g' \
	    -e 's/"eventTime":"2024-03-1[123]T[^"]*"/"eventTime":"1970-01-01T00:01:00Z"/g' |
	    gzip >"$T/epoch/$(basename "$f")"
done
rm -f "$T/cstate"
st=0
crun "$T/epoch" >/dev/null 2>"$T/cepoch.err" || st=$?
check_status "carry: before 1970" 1 "$st"
sed "s|$T/||g" "$T/cepoch.err" | grep 'correlation matches' >"$T/cepoch" || :
echo "ctaudit: cstate: warning: 69 correlation matches from before 1970" \
    "are not carried to the next run" |
    check_file "carry: before 1970, the warning" - "$T/cepoch"
grep -q '^corr 60000 60000 ' "$T/cstate" ||
    fail "carry: before 1970: the later matches were not handed on"

# The journal's share of correlation matches is capped (16 MB; a test
# hook makes it 300 bytes): past it a note, and no more 'corr' lines,
# while the files are still checkpointed.
for cap in 300 none; do
	rm -f "$T/jstate" "$T/jstate.journal" "$T/jfifo"
	mkfifo "$T/jfifo"
	if [ "$cap" = none ]; then
		unset CTAUDIT_JOURNAL_CORR_MAX
	else
		CTAUDIT_JOURNAL_CORR_MAX=$cap
		export CTAUDIT_JOURNAL_CORR_MAX
	fi
	$CTAUDIT_VALGRIND "$CTAUDIT" -f json -r "$RULES" --state "$T/jstate" \
	    --stale none "$T/c2" "$T/jfifo" >/dev/null 2>"$T/j$cap.err" &
	pid=$!
	exec 8>"$T/jfifo"	# returns once the run has walked the tree
	kill -9 $pid
	exec 8>&-
	wait $pid 2>/dev/null || true
	grep -c '^corr ' "$T/jstate.journal" >"$T/j$cap.n" || :
	grep -c '^file ' "$T/jstate.journal" >"$T/j$cap.files" || :
	grep '^corr ' "$T/jstate.journal" |
	    awk -v cap="$cap" 'cap != "none" && sum >= cap { print "over" }
		{ sum += length($0) + 1 }' >"$T/j$cap.over"
done
unset CTAUDIT_JOURNAL_CORR_MAX
check_file "journal cap: files still checkpointed" "$T/jnone.files" \
    "$T/j300.files"
check_file "journal cap: no line past the cap" /dev/null "$T/j300.over"
[ "$(cat "$T/j300.n")" -ge 1 ] &&
    [ "$(cat "$T/j300.n")" -lt "$(cat "$T/jnone.n")" ] ||
    fail "journal cap: $(cat "$T/j300.n") corr lines, $(cat "$T/jnone.n") without"
sed "s|$T/||g" "$T/j300.err" | grep 'correlation matches' >"$T/j300.note" || :
echo "ctaudit: jstate.journal: note: correlation matches past 300 bytes" \
    "are not checkpointed: if this run is killed, the next may miss" \
    "correlations over the files it read" |
    check_file "journal cap: the note" - "$T/j300.note"

# A file cut short stays to be read again (its retry) by every run, and
# its good records with it: the correlation window they make (twelve
# refusals to one principal) is reported once, by rule, group and first
# time, as its event findings are by eventID.
d=$T/torn/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/14
mkdir -p "$d"
{
	printf '{"Records":['
	for i in 10 11 12 13 14 15 16 17 18 19 20 21; do
		[ "$i" = 10 ] || printf ','
		printf '{"eventVersion":"1.08","eventTime":"2024-03-14T10:00:%sZ",' "$i"
		printf '"eventID":"cut-%s","eventSource":"iam.amazonaws.com",' "$i"
		printf '"eventName":"ListUsers","errorCode":"AccessDenied",'
		printf '"sourceIPAddress":"203.0.113.50","awsRegion":"us-east-1",'
		printf '"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/cut"}}'
	done
	printf ']}'
} | gzip -c >"$T/torn.gz"
# Without its trailer (CRC and length) every record decodes, then the
# file is incomplete.
head -c -8 "$T/torn.gz" >"$d/111122223333_CloudTrail_us-east-1_20240314T1005Z_cut.json.gz"
for n in 1 2; do
	st=0
	ctaudit -f json -r "$RULES" --state "$T/tornstate" --stale none \
	    "$T/torn" >"$T/torn$n.json" 2>"$T/torn$n.err" || st=$?
	check_status "cut file, run $n" 2 "$st"
done
correlation_ids "$T/torn1.json" | cut -f1 >"$T/torn1.cids"
echo 5a035eba-6f35-492e-86cb-1fa49688d969 | check_file "cut file: the burst" - "$T/torn1.cids"
[ -s "$T/torn2.json" ] && fail "cut file: findings written again: $(head -c 300 "$T/torn2.json")"
grep -q ' 13 duplicate findings not reported' "$T/torn2.err" ||
    fail "cut file: $(grep duplicate "$T/torn2.err")"

# A run killed mid-way (blocked on a FIFO after the tree) saves no state,
# but its journal names each file it finished, with the findings written
# from it: the next run reads none of them again and repeats nothing.
rm -f "$T/state" "$T/state.lock"
rm -rf "$T/tree" && mkdir "$T/tree" && cp -R "$ARCHIVE/AWSLogs" "$T/tree/"
rm -rf "$T/tree/AWSLogs/o-exampleorgid/444455556666"
st=0
run "$T/tree" >"$T/k1.json" 2>/dev/null || st=$?
check_status "before the kill" 1 "$st"
cp -R "$ARCHIVE/AWSLogs/o-exampleorgid/444455556666" \
    "$T/tree/AWSLogs/o-exampleorgid/"
cp "$T/state" "$T/state.k1"
mkfifo "$T/fifo"
$CTAUDIT_VALGRIND "$CTAUDIT" -f json -r "$RULES" --state "$T/state" \
    "$T/tree" "$T/fifo" >"$T/killed.json" 2>/dev/null &
pid=$!
exec 8>"$T/fifo"	# returns once the run has walked the tree
kill -9 $pid
exec 8>&-
wait $pid 2>/dev/null || true
grep -q 'ctaudit-state' "$T/state" || fail "killed run: state lost"
[ -s "$T/killed.json" ] || fail "killed run: no findings written"
grep -c '^file ' "$T/state.journal" >"$T/jfiles" ||
    fail "killed run: no journal"
echo 4 | check_file "killed run: files journaled" - "$T/jfiles"
cp "$T/state.journal" "$T/journal.good"
st=0
run "$T/tree" >"$T/k2.json" 2>"$T/k2.err" || st=$?
check_status "after the kill" 0 "$st"
grep -q 'summary: 0 files' "$T/k2.err" ||
    fail "after the kill: $(grep summary: "$T/k2.err")"
grep -q 'journal: note: a run that did not finish audited 4 files' \
    "$T/k2.err" || fail "after the kill: journal not folded in"
[ -e "$T/state.journal" ] && fail "after the kill: journal left behind"
cat "$T/k1.json" "$T/killed.json" "$T/k2.json" | finding_ids >"$T/k.ids"
check_correlations "kill and rerun" "$T/all.cids" \
    "$T/k1.json" "$T/killed.json" "$T/k2.json"
check_file "kill and rerun, every finding once" "$T/all.ids" "$T/k.ids"
cp "$T/state" "$T/state.after"

# Again from the state and journal the killed run left.  The journal's
# last line cut short (as by a crash) is ignored: its file is read again,
# but the findings the journal names are not written again.
grep -v '^sync$' "$T/journal.good" | head -c -5 >"$T/state.journal"
cp "$T/state.k1" "$T/state"
st=0
run "$T/tree" >"$T/k3.json" 2>"$T/k3.err" || st=$?
check_status "torn journal" 0 "$st"
grep -q 'summary: 1 files' "$T/k3.err" ||
    fail "torn journal: $(grep summary: "$T/k3.err")"
[ -s "$T/k3.json" ] && fail "torn journal: findings written again"

# After a reboot (another boot id), only what the journal synced counts:
# here nothing, so all four files are read and written again.
grep -v '^sync$' "$T/journal.good" |
    sed '1s/ [^ ]*$/ 00000000-0000-0000-0000-000000000000/' \
    >"$T/state.journal"
cp "$T/state.k1" "$T/state"
st=0
run "$T/tree" >"$T/k4.json" 2>"$T/k4.err" || st=$?
check_status "journal of another boot" 1 "$st"
grep -q 'summary: 4 files' "$T/k4.err" ||
    fail "journal of another boot: $(grep summary: "$T/k4.err")"
cat "$T/k1.json" "$T/k4.json" | finding_ids >"$T/k.ids"
check_correlations "journal of another boot" "$T/all.cids" \
    "$T/k1.json" "$T/k4.json"
check_file "journal of another boot" "$T/all.ids" "$T/k.ids"

# A corrupt journal is refused, naming it and the line (exit 3); the
# state and the journal are left as they were.
sed '3s/.*/bogus x/' "$T/journal.good" >"$T/state.journal"
cp "$T/state.journal" "$T/journal.bad"
cp "$T/state.k1" "$T/state"
st=0
run "$T/tree" >/dev/null 2>"$T/jbad.err" || st=$?
check_status "corrupt journal" 3 "$st"
sed "s|$T/||g" "$T/jbad.err" >"$T/jbad"
check_file "corrupt journal" "$EXPECTED/state-journal.err" "$T/jbad"
cmp -s "$T/state" "$T/state.k1" || fail "corrupt journal: state rewritten"
cmp -s "$T/state.journal" "$T/journal.bad" ||
    fail "corrupt journal: journal rewritten"
rm -f "$T/state.journal"
cp "$T/state.after" "$T/state"

# Two runs at once: the second gives up (5), or waits with --state-wait.
exec 9>"$T/state.lock"
flock -x 9
st=0
run "$T/tree" >/dev/null 2>"$T/busy.err" || st=$?
check_status "locked" 5 "$st"
sed "s|$T/||g" "$T/busy.err" >"$T/busy"
check_file "locked" "$EXPECTED/state-locked.err" "$T/busy"
(sleep 1; flock -u 9) &
st=0
run -q --state-wait "$T/tree" >/dev/null 2>&1 9>&- || st=$?
check_status "--state-wait" 0 "$st"
exec 9>&-

# A symlink as the lock or the journal is refused (exit 3), and its
# target, dangling or not, is neither created nor written.
mkdir -p "$T/sl"
for f in lock journal; do
	rm -f "$T/sl/state" "$T/sl/state.lock" "$T/sl/state.journal"
	ln -s "$T/sl/target.$f" "$T/sl/state.$f"
	st=0
	ctaudit -r "$RULES" --state "$T/sl/state" "$T/tree" >/dev/null \
	    2>"$T/sl/$f.err" || st=$?
	check_status "$f symlink" 3 "$st"
	sed "s|$T/sl/||g" "$T/sl/$f.err" >"$T/sl/$f"
	echo "ctaudit: state.$f: error: state file: a symbolic link;" \
	    "refused" |
	    check_file "$f symlink" - "$T/sl/$f"
	[ -e "$T/sl/target.$f" ] && fail "$f symlink: target created"
done
rm -f "$T/sl/state.lock" "$T/sl/state.journal"
: >"$T/sl/state.journal"
chmod 600 "$T/sl/state.journal"
mkfifo "$T/sl/state.lock"
st=0
ctaudit -r "$RULES" --state "$T/sl/state" "$T/tree" >/dev/null \
    2>"$T/sl/fifo.err" || st=$?
check_status "lock not a file" 3 "$st"
sed "s|$T/sl/||g" "$T/sl/fifo.err" >"$T/sl/fifo"
echo "ctaudit: state.lock: error: state file: not a regular file;" \
    "refused" | check_file "lock not a file" - "$T/sl/fifo"

# A corrupt state file is refused, naming the file and line (exit 3),
# and left as it was.
printf 'ctaudit-state 1\nfile /x 12\ndone a 1 2\nend 2\n' >"$T/state"
cp "$T/state" "$T/state.bad"
st=0
run "$T/tree" >/dev/null 2>"$T/corrupt.err" || st=$?
check_status "corrupt state" 3 "$st"
sed "s|$T/||g" "$T/corrupt.err" >"$T/corrupt"
check_file "corrupt state" "$EXPECTED/state-corrupt.err" "$T/corrupt"
cmp -s "$T/state" "$T/state.bad" || fail "corrupt state was rewritten"
printf 'ctaudit-state 1\nfile /x 12\nend 1\n' | head -c 26 >"$T/state"
st=0
run "$T/tree" >/dev/null 2>"$T/cut.err" || st=$?
check_status "state cut short" 3 "$st"
sed "s|$T/||g" "$T/cut.err" >"$T/cut"
check_file "state cut short" "$EXPECTED/state-cut.err" "$T/cut"

# S3: the same with the loopback rig, when it is installed.
TOOLS=$TOP_SRCDIR/tests/tools
PY=/usr/bin/python3
if ! command -v node >/dev/null 2>&1 || ! command -v aws >/dev/null 2>&1 ||
    ! $PY "$TOOLS/sigv4_botocore.py" probe ||
    ! $PY "$TOOLS/s3_setup" check; then
	echo "skip: the S3 part (no S3 rig)"
	finish
fi
SERVERS="$SERVERS $($PY "$TOOLS/s3_setup" start "$T/data" "$T/s3port")"
s3port=$(cat "$T/s3port")
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
export AWS_DEFAULT_REGION=us-east-1 HOME="$T/home"
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL_S3 AWS_CONFIG_FILE \
    AWS_SHARED_CREDENTIALS_FILE 2>/dev/null || true
mkdir -p "$HOME"
seed() {
	aws --endpoint-url "http://127.0.0.1:$s3port" s3 sync \
	    --only-show-errors "$@"
}
mkdir -p "$T/s3a" "$T/s3b"
cp -R "$ARCHIVE/AWSLogs" "$T/s3a/"
(cd "$T/s3a" && find . -path '*/2024/03/1[23]/*' -type f) |
while read -r f; do
	mkdir -p "$T/s3b/$(dirname "$f")"
	mv "$T/s3a/$f" "$T/s3b/$f"
done
seed "$T/s3a" s3://ctaudit-test/state/
serve "$T/pport" $PY "$TOOLS/s3_proxy.py" "$s3port" "$T/pport" "$T/log"
port=$PORT
export AWS_ENDPOINT_URL=http://127.0.0.1:$port
unset AWS_DEFAULT_REGION
ctl() {
	curl -sf "http://127.0.0.1:$port/__ctl/$1" >/dev/null
}
gets() {
	grep -vc 'list-type=2' "$T/log" || true
}
# Say which objects were read when a count is wrong.
s3fail() {
	fail "$1: $(grep -v 'list-type=2' "$T/log" | tr '\n' ' ')"
}
rm -f "$T/state"

ctl reset
st=0
run -q s3://ctaudit-test/state/ >"$T/s1.json" || st=$?
check_status "s3: first run" 1 "$st"
[ "$(gets)" = 5 ] || fail "s3: first run read $(gets) objects, want 5"

# Ten more objects arrive (nine log files and an Insights file, which
# the bundled rules read); one of them cannot be read this time.
seed "$T/s3b" s3://ctaudit-test/state/
ctl reset
ctl 'fault?kind=deny&match=kRKr7n4tAxk3R05w'
st=0
run -q s3://ctaudit-test/state/ >"$T/s2.json" 2>/dev/null || st=$?
check_status "s3: refused object" 2 "$st"
[ "$(gets)" = 10 ] || fail "s3: second run read $(gets) objects, want 10"
grep -q 'start-after=' "$T/log" || fail "s3: no StartAfter"

# The refused object, and only it: what came after it is in the state.
ctl reset
st=0
run -q s3://ctaudit-test/state/ >"$T/s3.json" || st=$?
check_status "s3: third run" 1 "$st"
[ "$(gets)" = 1 ] || s3fail "s3: third run read $(gets) objects, want 1"
ctl reset
st=0
run -q s3://ctaudit-test/state/ >"$T/s4.json" || st=$?
check_status "s3: nothing new" 0 "$st"
[ "$(gets)" = 0 ] || s3fail "s3: fourth run read $(gets) objects, want 0"
cat "$T/s1.json" "$T/s2.json" "$T/s3.json" | finding_ids >"$T/s.ids"
check_correlations "s3" "$T/all.cids" "$T/s1.json" "$T/s2.json" "$T/s3.json"
check_file "s3: every finding once" "$T/all.ids" "$T/s.ids"

# Killed after the objects of a prefix (blocked on a FIFO): the rerun
# lists the prefix but reads none of them again, writes no event finding
# again, and writes the correlation findings the killed run never did,
# from the matches its journal holds: together, exactly one run's.
seed "$ARCHIVE" s3://ctaudit-test/killed/
rm -f "$T/state" "$T/state.journal" "$T/fifo"
mkfifo "$T/fifo"
ctl reset
$CTAUDIT_VALGRIND "$CTAUDIT" -q -f json -r "$RULES" --state "$T/state" \
    s3://ctaudit-test/killed/ "$T/fifo" >"$T/s3k1.json" 2>/dev/null &
pid=$!
exec 8>"$T/fifo"
kill -9 $pid
exec 8>&-
wait $pid 2>/dev/null || true
[ "$(gets)" = 15 ] ||
    s3fail "s3: killed run read $(gets) objects, want 15"
ctl reset
st=0
run s3://ctaudit-test/killed/ >"$T/s3k2.json" 2>"$T/s3k2.err" || st=$?
check_status "s3: after the kill" 1 "$st"
[ "$(gets)" = 0 ] || s3fail "s3: rerun read $(gets) objects, want 0"
cat "$T/s3k1.json" "$T/s3k2.json" | finding_ids >"$T/s.ids"
cat "$T/s3k1.json" "$T/s3k2.json" | correlation_ids >"$T/s.cids"
check_file "s3: kill and rerun, every correlation once" "$T/all.cids" \
    "$T/s.cids"
check_file "s3: kill and rerun, every finding once" "$T/all.ids" "$T/s.ids"

finish
