#!/bin/sh
# The bad-input and hostile-input cases again, with zlib as the inflater
# (CTAUDIT_INFLATE=zlib): the default run of those tests uses ISA-L when
# it is built in, and both must give the same golden output.

. "$TOP_SRCDIR/tests/setup"

CTAUDIT_INFLATE=zlib
export CTAUDIT_INFLATE
for t in badinput hostile; do
	if ! sh "$TOP_SRCDIR/tests/$t.sh" >"$T/$t.log" 2>&1; then
		cat "$T/$t.log"
		echo "FAIL: tests/$t.sh with CTAUDIT_INFLATE=zlib"
		FAILED=1
	fi
done
finish
