#!/bin/sh
# Telling the truth to cron and at the terminal (issue 11): nothing found
# is not success, no coverage is lost unsaid, typos are errors.  Each case
# checks the exact messages and the exit status.

. "$TOP_SRCDIR/tests/setup"

D=$TESTDATA/cli
R="-r $D/stop_logging.yml -r $D/console_failure.yml"
ARCHIVE=$TESTDATA/archive

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

# 2. No lost coverage.  A rejected rule: nothing is read, exit 3, and the
# state is not even created.
run badrule 3 -f json --state "$T/bstate" $R -r "$D/bad_condition.yml" \
    "$D/events.json"
expect_err badrule \
    "ctaudit: $D/bad_condition.yml:10: error: condition: unknown search identifier 'nosuchthing' at column 15" \
    "ctaudit: error: 1 rule rejected; not scanning (--skip-bad-rules runs the others)"
[ -s "$T/badrule.out" ] && fail "badrule: scanned anyway"
[ -e "$T/bstate" ] && fail "badrule: state touched"
# --skip-bad-rules runs the others, names what did not run, and keeps
# the state from marking the input as audited: the next run, with the
# rule fixed, reads it again (and the dedup pairs keep the rules that ran
# from reporting it twice).
mkdir -p "$T/tree"
cp "$D/events.json" "$T/tree/"
sed 's/^    condition: .*/    condition: selection and nosuchthing/' \
    "$D/console_failure.yml" >"$T/cf.yml"
grep -q nosuchthing "$T/cf.yml" || fail "skip: rule not broken"
run skip 3 -f json --stale none --state "$T/bstate" --skip-bad-rules \
    -r "$D/stop_logging.yml" -r "$T/cf.yml" "$T/tree"
grep -v '^ctaudit: note: ' "$T/skip.err" >"$T/skip.err2" || true
mv "$T/skip.err2" "$T/skip.err"
expect_err skip \
    "ctaudit: $T/cf.yml:$(grep -n 'condition:' "$T/cf.yml" | cut -d: -f1): error: condition: unknown search identifier 'nosuchthing' at column 15" \
    "ctaudit: warning: 1 rule rejected did not run (in $T/cf.yml); the next run reads this input again"
[ "$(jq -r .ruleTitle "$T/skip.out")" = \
    "CloudTrail logging stopped (CLI test rule)" ] || fail "skip: findings"
cp "$D/console_failure.yml" "$T/cf.yml"
run fixed 1 -q -f json --stale none --state "$T/bstate" \
    -r "$D/stop_logging.yml" -r "$T/cf.yml" "$T/tree"
expect_err fixed
[ "$(jq -r .ruleTitle "$T/fixed.out")" = \
    "Console sign-in failure (CLI test rule)" ] ||
    fail "fixed: the input was not read again, or reported twice"
run again 0 -q -f json --stale none --state "$T/bstate" \
    -r "$D/stop_logging.yml" -r "$T/cf.yml" "$T/tree"
expect_err again
# An output that cannot be written: status 4, and the state is not saved.
if [ -w /dev/full ]; then
	run full 4 -f json --stale none --state "$T/fstate" -o /dev/full \
	    $R "$D/events.json"
	grep -v '^ctaudit: note: ' "$T/full.err" >"$T/full.err2" || true
	mv "$T/full.err2" "$T/full.err"
	expect_err full "ctaudit: /dev/full: error: write error: No space left on device; findings not written, state not saved"
	[ -e "$T/fstate" ] && fail "full: state saved"
	st=0
	ctaudit -q --summary-only --summary-format json $R "$D/events.json" \
	    >/dev/full 2>"$T/full2.err" || st=$?
	check_status full2 4 "$st"
	expect_err full2 "ctaudit: <stdout>: error: write error: No space left on device"
fi
# 3. Typos are errors: one line each, exit 3, nothing read or written.
run unknownid 3 -f json $R --rule-id 6c1d1f0e-5b4a-4d57-9a43-0d6f3c1e2a10 \
    --rule-id 6c1d1f0e-5b4a-4d57-9a43-0d6f3c1e2a1 "$D/events.json"
expect_err unknownid "ctaudit: error: --rule-id 6c1d1f0e-5b4a-4d57-9a43-0d6f3c1e2a1: no rule loaded has this id"
run unknowntag 3 -f json $R --tag attack.t1562.008 --tag attack.t1562.09 \
    "$D/events.json"
expect_err unknowntag "ctaudit: error: --tag attack.t1562.09: no rule loaded has this tag"
run unknownstatus 3 -f json $R --status stabel "$D/events.json"
expect_err unknownstatus "ctaudit: error: --status stabel: unknown status (stable, test, experimental, deprecated, unsupported)"
run rulesid 3 rules $R --rule-id nope
expect_err rulesid "ctaudit: error: --rule-id nope: no rule loaded has this id"
run info 1 -q -f json $R --min-level info --rule-id \
    6c1d1f0e-5b4a-4d57-9a43-0d6f3c1e2a10 --tag ATTACK.T1562.008 \
    --status test "$D/events.json"
expect_err info
[ "$(wc -l <"$T/info.out")" = 1 ] || fail "info: want 1 finding"
run extmismatch 3 $R -f json -o "$T/f.csv" "$D/events.json"
expect_err extmismatch "ctaudit: error: -o $T/f.csv looks like csv, but -f is json"
[ -e "$T/f.csv" ] && fail "extmismatch: output created"
run extcsv 1 -q $R -o "$T/f.csv" "$D/events.json"
head -1 "$T/f.csv" | grep -q '^ruleId,' || fail "extcsv: not CSV"
run extjsonl 1 -q $R -o "$T/f.jsonl" "$D/events.json"
jq -e .ruleId "$T/f.jsonl" >/dev/null || fail "extjsonl: not JSON"
# Our name on every message, whatever argv[0]; unknown options in a line.
ln -s "$CTAUDIT" "$T/audit-trails"
set +e
"$T/audit-trails" --colour=never x >"$T/argv0.out" 2>"$T/argv0.err"
st=$?
set -e
check_status argv0 3 "$st"
expect_err argv0 "ctaudit: error: unknown option --colour; see ctaudit --help"
run optchar 3 -Z x
expect_err optchar "ctaudit: error: unknown option -Z; see ctaudit --help"
run noarg 3 --since
expect_err noarg "ctaudit: error: --since needs a value; see ctaudit --help"
# No path and a terminal on standard input: say so, do not wait.
if python3 -c 'import pty' 2>/dev/null; then
	set +e
	python3 - "$CTAUDIT" "$D/stop_logging.yml" >"$T/tty.err" <<'PY'
import os, pty, subprocess, sys
master, slave = pty.openpty()
p = subprocess.run([sys.argv[1], "-r", sys.argv[2]], stdin=slave,
    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=20)
sys.stdout.write(p.stderr.decode())
sys.exit(p.returncode)
PY
	st=$?
	set -e
	check_status tty 3 "$st"
	expect_err tty "ctaudit: error: no input: name a path or s3://bucket[/prefix], or - to read the terminal; see ctaudit --help"
fi

# 8. Interfaces: "ctaudit rules -f json", and what did not run, counted.
run rulesjson 0 rules -f json -r "$D/stop_logging.yml" \
    -r "$TESTDATA/filters/mf_ci_deploy.yml"
cat >"$T/rulesjson.want" <<EOF
{"ruleId":"6c1d1f0e-5b4a-4d57-9a43-0d6f3c1e2a10","kind":"detection","level":"high","ruleTitle":"CloudTrail logging stopped (CLI test rule)","status":"test","tags":["attack.defense-evasion","attack.t1562.008"],"path":"$D/stop_logging.yml"}
{"ruleId":"0e4f6c1a-8d2b-4c55-9f3e-1b7a2c9d4e01","kind":"filter","level":null,"ruleTitle":"Accept the CI deploy role launching instances","status":"","tags":[],"path":"$TESTDATA/filters/mf_ci_deploy.yml"}
EOF
check_file rulesjson "$T/rulesjson.want" "$T/rulesjson.out"
run rulescsv 3 rules -f csv $R
expect_err rulescsv "ctaudit: error: ctaudit rules -f csv: want text or json"
run counted 1 -f json $R --min-level high "$D/events.json"
expect_err counted \
    "ctaudit: note: rules: 1 loaded, 0 rejected, 0 not for CloudTrail (skipped), 1 left out by --min-level, --rule-id, --tag or --status, 0 filters" \
    "ctaudit: note: summary: 1 files (0 incomplete), 3 records (0 skipped, 0 repaired), 0 digest files, 0 insights events, 1 findings (critical 0, high 1, medium 0, low 0, informational 0)"
run countsum 1 -q --summary-only --summary-format json $R --min-level high \
    "$D/events.json"
[ "$(jq -c .run.rules "$T/countsum.out")" = \
    '{"loaded":1,"rejected":0,"notCloudTrail":0,"leftOut":1,"dataOnly":0,"filters":0}' ] ||
    fail "countsum: $(jq -c .run.rules "$T/countsum.out")"

# --help: a line for every option the man page documents.
run helpall 0 --help
for name in $(sed -n 's/^\.It Fl \\-\([a-z-]*\).*/\1/p' \
    "$TOP_SRCDIR/man/ctaudit.1" | sort -u); do
	grep -q -- "^  \(-[a-zA-Z], \)\{0,1\}--$name " "$T/helpall.out" ||
	    fail "helpall: no line for --$name"
done
[ -s "$T/helpall.err" ] && fail "helpall: stderr"

# Completion: bash parses it, and both name every option --help lists.
if command -v bash >/dev/null 2>&1; then
	bash -n "$TOP_SRCDIR/completion/ctaudit" || fail "completion: bash -n"
fi
for opt in $(grep -o -- '--[a-z-]*' "$T/helpall.out" | sort -u); do
	grep -q -- "$opt\b" "$TOP_SRCDIR/completion/ctaudit" ||
	    fail "completion: bash lacks $opt"
	grep -q -- "'$opt\[" "$TOP_SRCDIR/completion/_ctaudit" ||
	    fail "completion: zsh lacks $opt"
done

finish
