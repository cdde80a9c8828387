#!/bin/sh
# The manual: mandoc finds nothing to warn about, every option in the
# usage message is documented and every documented option exists, the
# EXAMPLES and the sample archive audit shown in README.md work as
# written, and the claims the prose makes hold.

. "$TOP_SRCDIR/tests/setup"

MAN=$TOP_SRCDIR/man/ctaudit.1

if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tlint -Wwarning "$MAN" >&2 || fail "mandoc -Tlint"
else
	echo "note: mandoc not installed, lint skipped"
fi

# Every long option the program knows is documented with .Fl.
ctaudit -h >"$T/usage"
for opt in $(grep -o -- '--[a-z-]*' "$T/usage" | sort -u); do
	name=${opt#--}
	# (The long names of short options follow them: ".It Fl f , Fl \-format".)
	grep -q "^\.It \(.* \)\{0,1\}Fl \\\\-$name\( \|$\)" "$MAN" ||
	    fail "option $opt not in the man page"
done
# ... and every option the man page lists is one the program knows.
for name in $(sed -n 's/^\.It Fl \\-\([a-z-]*\).*/\1/p' "$MAN" | sort -u); do
	grep -q -- "--$name\b" "$T/usage" ||
	    fail "man page option --$name unknown to ctaudit -h"
done
# Every exit status the program uses is documented.
for st in 0 1 2 3 4 5; do
	grep -q "^\.It $st\$" "$MAN" || fail "exit status $st not documented"
done

# The EXAMPLES run as written, against the sample archive: ~/trail is
# testdata/archive, ~/my-rules holds the CLI test rules, and "ctaudit"
# without -r gets the bundled rules of the source tree (the installed ones
# need not exist).  Their transcript (command, output, exit status) is
# golden.
mkdir -p "$T/home/my-rules" "$T/bin" "$T/work"
ln -s "$TESTDATA/archive" "$T/home/trail"
cp "$TESTDATA/cli/stop_logging.yml" "$TESTDATA/cli/console_failure.yml" \
    "$T/home/my-rules/"
{
	echo '#!/bin/sh'
	echo 'case " $* " in'
	echo "*\" -r \"*) exec $CTAUDIT_VALGRIND \"$CTAUDIT\" \"\$@\" ;;"
	echo 'esac'
	echo 'if [ "$1" = rules ]; then'
	echo '	shift'
	echo "	exec $CTAUDIT_VALGRIND \"$CTAUDIT\" rules -r \"$TOP_SRCDIR/rules\" \"\$@\""
	echo 'fi'
	echo "exec $CTAUDIT_VALGRIND \"$CTAUDIT\" -r \"$TOP_SRCDIR/rules\" \"\$@\""
} >"$T/bin/ctaudit"
chmod +x "$T/bin/ctaudit"

# Each example is a ".Dl $ ctaudit" line, or a literal block whose first
# line starts with "$ ctaudit" (its continuation lines are indented).
awk '
/^\.Sh EXAMPLES/ { in_ex = 1; next }
/^\.Sh / { in_ex = 0 }
!in_ex { next }
/^\.Dl \$ ctaudit/ { sub(/^\.Dl \$ /, ""); print; next }
/^\$ ctaudit/ { cmd = substr($0, 3); lit = 1; next }
lit && /^\.Ed/ { print cmd; lit = 0; next }
lit { sub(/^ +/, " "); cmd = cmd $0 }
' "$MAN" | sed 's/\\-/-/g; s/\\e/\\/g' >"$T/examples"
[ -s "$T/examples" ] || fail "no examples found in the man page"

: >"$T/transcript"
while IFS= read -r cmd; do
	printf '$ %s\n' "$cmd" >>"$T/transcript"
	set +e
	(cd "$T/work" && HOME=$T/home PATH=$T/bin:$PATH sh -c "$cmd" \
	    >"$T/example.out" 2>"$T/example.err")
	st=$?
	set -e
	# Standard output first, then standard error: a pipe interleaves them
	# differently from run to run.
	cat "$T/example.out" "$T/example.err" |
	    sed "s|$T/home|~|g; s|$TOP_SRCDIR|TOP|g" >>"$T/transcript"
	for f in "$T"/work/*; do
		[ -f "$f" ] || continue
		printf -- '--- %s\n' "${f##*/}" >>"$T/transcript"
		cat "$f" >>"$T/transcript"
		rm -f "$f"
	done
	printf '[exit %s]\n' "$st" >>"$T/transcript"
done <"$T/examples"
check_file examples "$EXPECTED/man-examples.out" "$T/transcript"

# The claims the page makes in prose, run.  claim NAME WANT_STATUS ARGS...
claim() {
	name=$1 want=$2
	shift 2
	set +e
	ctaudit "$@" >"$T/$name.out" 2>"$T/$name.err"
	got=$?
	set -e
	check_status "claim $name" "$want" "$got"
}
D=$TESTDATA/cli
R="-r $D/stop_logging.yml -r $D/console_failure.yml"
# RULES: correlation rules and filters are supported, not rejected.
claim corr 0 rules -q -r "$TOP_SRCDIR/rules" -r "$TESTDATA/filters"
grep -q '  filter  ' "$T/corr.out" || fail "claim corr: no filter listed"
grep -q 'rules/correlation/' "$T/corr.out" ||
    fail "claim corr: no correlation rule listed"
[ -s "$T/corr.err" ] && fail "claim corr: messages"
# INPUT: lookup-events output is reported, exit 2.
printf '{"Events":[{"EventName":"StopLogging","CloudTrailEvent":"{}"}]}\n' \
    >"$T/lookup.json"
claim lookup 2 -q -f json $R "$T/lookup.json"
[ -s "$T/lookup.out" ] && fail "claim lookup: findings"
grep -q "^ctaudit: $T/lookup.json: error: " "$T/lookup.err" ||
    fail "claim lookup: not reported"
# --summary-only: the report alone on standard output; -o still written.
claim sonly 1 --summary-only --summary-format json $R "$D/events.json"
jq -e 'type == "object" and has("findings")' "$T/sonly.out" \
    >/dev/null || fail "claim sonly: stdout is not one JSON report"
[ "$(jq -s length "$T/sonly.out")" = 1 ] || fail "claim sonly: not alone"
claim sonlyo 1 --summary-only -f json -o "$T/sonly.jsonl" $R "$D/events.json"
[ "$(wc -l <"$T/sonly.jsonl")" = 2 ] || fail "claim sonlyo: -o not written"
# EXIT STATUS 3: a rejected rule means nothing was read.
claim rejected 3 -f json $R -r "$D/bad_condition.yml" "$D/events.json"
[ -s "$T/rejected.out" ] && fail "claim rejected: scanned anyway"
# -f: the name given to -o picks the format.
claim csvname 1 -q $R -o "$T/f.csv" "$D/events.json"
head -1 "$T/f.csv" | grep -q '^ruleId,' || fail "claim csvname: not CSV"

finish
