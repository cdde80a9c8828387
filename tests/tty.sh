#!/bin/sh
# On a terminal (issue 11 point 6), run on a pseudo-terminal by
# tests/tools/pty_run.py: text output is coloured unless NO_COLOR is set
# or TERM is dumb.

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

finish
