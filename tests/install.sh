#!/bin/sh
# The installed man page names the data directory the program uses
# (issue 11 point 8): "make install-data DESTDIR=..." runs the same
# install-data-hook as "make install".  With the configured directory,
# the page must name the rules directory compiled into ctaudit
# (CTAUDIT_RULESDIR); with pkgdatadir set to another directory, the page
# must name that one in every place the page in the tree names the
# default, differ from it in nothing else, and still pass mandoc -Tlint.

. "$TOP_SRCDIR/tests/setup"

command -v "${MAKE:-make}" >/dev/null 2>&1 || exit 77
BUILD=$(cd "$(dirname "$CTAUDIT")/.." && pwd)
[ -f "$BUILD/Makefile" ] || exit 77
SRCPAGE=$TOP_SRCDIR/man/ctaudit.1
DEFAULT=/usr/local/share/ctaudit

# install NAME MAKEVARS...: install the data parts under $T/NAME and set
# PAGE to the installed man page.
install_data() {
	_d=$T/$1
	shift
	if ! env -u MAKEFLAGS -u MFLAGS ${MAKE:-make} -s -C "$BUILD" \
	    install-data DESTDIR="$_d" "$@" >"$T/make.out" 2>&1; then
		cat "$T/make.out" >&2
		fail "make install-data $*: failed"
		finish
	fi
	PAGE=$(find "$_d" -path '*/man1/ctaudit.1' -type f)
	[ -n "$PAGE" ] || { fail "no man page under $_d"; finish; }
}

want=$(grep -c "$DEFAULT" "$SRCPAGE")
[ "$want" -gt 0 ] || fail "the page in the tree does not name $DEFAULT"

# 1. As configured: the page names the directory the binary reads.
rulesdir=$(grep -ao '/[^"[:cntrl:]]*/share/ctaudit/rules' "$CTAUDIT" |
    head -1)
[ -n "$rulesdir" ] || fail "no rules directory compiled into $CTAUDIT"
install_data configured
got=$(grep -c "^\.\(Pa\|It Pa\) ${rulesdir}/\{0,1\}\$" "$PAGE" || :)
[ "$got" = "$want" ] ||
    fail "configured: $got lines name $rulesdir, want $want"
[ -d "$T/configured$rulesdir" ] || fail "configured: $rulesdir not installed"

# 2. Elsewhere: every mention follows, and nothing else changes.
OTHER=/opt/ctaudit-test/share/ctaudit
install_data other pkgdatadir=$OTHER
got=$(grep -c "$OTHER" "$PAGE" || :)
[ "$got" = "$want" ] || fail "other: $got lines name $OTHER, want $want"
if grep -q "$DEFAULT" "$PAGE"; then
	fail "other: the installed page still names $DEFAULT"
fi
sed "s|$OTHER|$DEFAULT|g" "$PAGE" >"$T/back.1"
check_file other-rest "$SRCPAGE" "$T/back.1"
[ -d "$T/other$OTHER/rules" ] || fail "other: rules not installed in $OTHER"
if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tlint -Wwarning "$PAGE" >&2 || fail "other: mandoc -Tlint"
fi

finish
