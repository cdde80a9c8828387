#!/bin/sh
# On a terminal (issue 11 point 6), run on a pseudo-terminal by
# tests/tools/pty_run.py: text output is coloured unless NO_COLOR is set
# or TERM is dumb; findings are wrapped to the terminal's width and never
# when piped; the progress line (drawn at every call with
# CTAUDIT_PROGRESS=always) is cleared before a finding or a diagnostic
# is written and drawn again after, and never drawn on a pipe.

. "$TOP_SRCDIR/tests/setup"

command -v python3 >/dev/null 2>&1 || exit 77
PTY="python3 $TOP_SRCDIR/tests/tools/pty_run.py"
R="-r $TESTDATA/cli/stop_logging.yml"
EV=$TESTDATA/cli/events.json
ESC=$(printf '\033')

# tty_run NAME STATUS ENV...: ctaudit on a terminal, with these variables.
tty_run() {
	name=$1 want=$2
	shift 2
	set +e
	env "$@" $PTY "$CTAUDIT" -q $R "$EV" >"$T/$name.out" 2>"$T/$name.err"
	got=$?
	set -e
	check_status "$name" "$want" "$got"
}

tty_run colour 1 TERM=xterm NO_COLOR=
grep -q "$ESC\[" "$T/colour.out" || fail "colour: no colour on a terminal"
tty_run dumb 1 TERM=dumb NO_COLOR=
grep -q "$ESC" "$T/dumb.out" && fail "dumb: colour with TERM=dumb"
tty_run nocolor 1 TERM=xterm NO_COLOR=1
grep -q "$ESC" "$T/nocolor.out" && fail "nocolor: colour with NO_COLOR"
# Without colour the text is the same as written to a file.
"$CTAUDIT" -q $R -f text "$EV" >"$T/file.out" || :
check_file dumb-text "$T/file.out" "$T/dumb.out"

# Wrapped to COLUMNS=60 at the spaces between values, the title whole;
# hostile strings and all, on the output fixtures.
set +e
(cd "$TESTDATA/output" && COLUMNS=60 TERM=dumb $PTY "$CTAUDIT" -q -r rules \
    -f text events.json) >"$T/wrap60.out" 2>&1
check_status wrap60 1 $?
(cd "$TESTDATA/output" && COLUMNS=60 "$CTAUDIT" -q -r rules -f text \
    --color never events.json) >"$T/pipe60.out" 2>&1
check_status pipe60 1 $?
set -e
check_file wrap60 "$EXPECTED/tty-wrap60.txt" "$T/wrap60.out"
# Piped, COLUMNS changes nothing: the bytes of the existing golden file.
check_file pipe60 "$EXPECTED/output-text.txt" "$T/pipe60.out"
# No wrapped line is wider than 60 columns unless it is one title.
awk 'length($0) > 60 && !/^    [A-Z]/ { print; bad = 1 } END { exit bad }' \
    "$T/wrap60.out" >&2 || fail "wrap60: a line wider than 60 columns"

# The progress line: 5001 records in one file (a progress call at record
# 4095, before the finding), then a file that is not JSON.
mkdir "$T/big"
awk 'BEGIN {
	e = "\"eventVersion\":\"1.08\",\"awsRegion\":\"us-east-1\"," \
	    "\"recipientAccountId\":\"111122223333\","
	print "{\"Records\":["
	for (i = 1; i <= 5000; i++)
		printf "{%s\"eventTime\":\"2026-11-01T09:00:00Z\"," \
		    "\"eventSource\":\"ec2.amazonaws.com\"," \
		    "\"eventName\":\"DescribeInstances\",\"eventID\":\"e%d\"},\n",
		    e, i
	printf "{%s\"eventTime\":\"2026-11-01T10:00:00Z\"," \
	    "\"eventSource\":\"cloudtrail.amazonaws.com\"," \
	    "\"eventName\":\"StopLogging\",\"sourceIPAddress\":" \
	    "\"192.0.2.10\",\"userIdentity\":{\"type\":\"IAMUser\"," \
	    "\"arn\":\"arn:aws:iam::111122223333:user/alice\"}}\n]}\n", e
}' >"$T/big/a.json"
echo 'this is not json' >"$T/big/b.json"
set +e
# -j 1: one thread draws the line every 4096 records; workers, per file.
(cd "$T" && CTAUDIT_PROGRESS=always COLUMNS=60 TERM=dumb $PTY "$CTAUDIT" \
    -j 1 $R big) >"$T/progress.raw" 2>&1
check_status progress 2 $?
(cd "$T" && CTAUDIT_PROGRESS=always "$CTAUDIT" $R big) \
    >"$T/progress-pipe.out" 2>"$T/progress-pipe.err"
check_status progress-pipe 2 $?
set -e
# Rates and times vary: keep their shape only.  cat -v shows \r and ESC.
sed -E 's/[0-9]+\.[0-9] MB\/s/R MB\/s/g; s/ETA [0-9]+:[0-9][0-9]/ETA M:SS/g' \
    "$T/progress.raw" | cat -v >"$T/progress.out"
check_file progress "$EXPECTED/tty-progress.txt" "$T/progress.out"
# On a pipe: no progress line, no control character, same findings.
if tr -d '\n' <"$T/progress-pipe.err" | grep -q "$(printf '[\r\033]')"; then
	fail "progress-pipe: control characters on a pipe"
fi
if grep -q 'MB/s' "$T/progress-pipe.err"; then
	fail "progress-pipe: a progress line on a pipe"
fi
check_file progress-pipe "$EXPECTED/tty-progress-pipe.txt" \
    "$T/progress-pipe.out"

finish
