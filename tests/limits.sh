# Every cap of the source (a macro named *_MAX, *_CAP or *_LIMIT, and the
# tries, waits and deadlines) is in the LIMITS section of the manual with
# its value, or listed as internal in tests/tools/check_limits.py with
# why: a new cap cannot go undocumented (issue 15).
. "$TOP_SRCDIR/tests/setup"

PY=/usr/bin/python3
if [ ! -x "$PY" ]; then
	echo "skip: $PY not found"
	exit 77
fi
"$PY" "$TOP_SRCDIR/tests/tools/check_limits.py" "$TOP_SRCDIR/src" \
    "$TOP_SRCDIR/man/ctaudit.1" >"$T/out" || fail "caps missing from LIMITS"
check_file limits /dev/null "$T/out"

# The check itself can fail: a cap nowhere in the section, and one whose
# value the section has only once for two caps.
mkdir "$T/src"
printf '#define T_NEW_MAX\t7777\t/* a new cap */\n' >"$T/src/new.h"
printf '#define T_A_MAX\t(8 * 1024 * 1024)\n#define T_B_CAP\tT_A_MAX\n' \
    >"$T/src/two.h"
printf '.Sh LIMITS\n8 MiB a page.\n.Sh ENVIRONMENT\n' >"$T/man"
set +e
"$PY" "$TOP_SRCDIR/tests/tools/check_limits.py" "$T/src" "$T/man" \
    >"$T/bad.out"
st=$?
set -e
check_status "undocumented caps" 1 "$st"
grep -v 'listed as internal' "$T/bad.out" >"$T/bad.cmp" || true
printf '%s\n' "T_NEW_MAX: 7777 in the LIMITS section 0 times, want 1" \
    "T_A_MAX T_B_CAP: 8388608 in the LIMITS section 1 times, want 2" |
    sort >"$T/bad.want"
sort "$T/bad.cmp" >"$T/bad.got"
check_file "undocumented caps" "$T/bad.want" "$T/bad.got"
finish
