#!/bin/sh
# The manual: mandoc finds nothing to warn about, every option in the
# usage message is documented, and the sample archive audit shown in
# README.md works as written.

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
	grep -q "^\.It Fl \\\\-$name" "$MAN" || fail "option $opt not in the man page"
done
# Every exit status the program uses is documented.
for st in 0 1 2 3; do
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

finish
