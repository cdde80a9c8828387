#!/bin/sh
# --sort time (issue 11 point 5): findings in eventTime order, the same
# bytes whether they stay in memory or spill to temporary files.
# CTAUDIT_SORT_CAP (bytes kept in memory before a spill; a test hook, not
# documented for users) makes the archive spill: 2000 bytes gives a few
# runs, 1 byte one run per finding, and with two copies of the archive
# more runs than OUTPUT_SORT_FANIN (64), so runs are merged in two passes.

. "$TOP_SRCDIR/tests/setup"

RULES="-r $TOP_SRCDIR/rules"
cd "$TESTDATA"

run json 1 -q $RULES -f json --sort time archive
check_file json "$EXPECTED/sort-archive.jsonl" "$T/json.out"
# In order, ties kept in arrival order (the unsorted output's order).
jq -r '.eventTimeUtc // .correlation.firstTime' "$T/json.out" >"$T/times"
sort -s "$T/times" >"$T/times-sorted"
check_file ordered "$T/times-sorted" "$T/times"
# Without --sort the order stays as found (output.sh's goldens hold it),
# which here is not eventTime order.
run plain 1 -q $RULES -f json archive
! cmp -s "$T/plain.out" "$T/json.out" || fail "plain: sorted already"

CTAUDIT_SORT_CAP=2000 run spill 1 -q $RULES -f json --sort time archive
check_file spill "$EXPECTED/sort-archive.jsonl" "$T/spill.out"
cp -r archive "$T/a"
cp -r archive "$T/b"
run csv2 1 -q $RULES -f csv --sort time "$T/a" "$T/b"
CTAUDIT_SORT_CAP=1 run fanin 1 -q $RULES -f csv --sort time "$T/a" "$T/b"
check_file fanin "$T/csv2.out" "$T/fanin.out"
# 122 lines: the header, every event finding twice, the correlation once
# (its events, read twice, count once by eventID).
[ "$(wc -l <"$T/fanin.out")" -eq 122 ] || fail "fanin: $(wc -l <"$T/fanin.out") lines"

# No temporary file: said once, and findings not written is status 4.
TMPDIR=$T/none CTAUDIT_SORT_CAP=1 run notmp 4 -q $RULES -f json --sort time archive
printf '%s\n' "ctaudit: $T/none: error: --sort: temporary file: No such file or directory" \
    "ctaudit: <stdout>: error: write error: Input/output error; findings not written" >"$T/notmp.want"
check_file notmp "$T/notmp.want" "$T/notmp.err"

run badsort 3 -q $RULES --sort size archive
echo "ctaudit: error: --sort size: want time" >"$T/badsort.want"
check_file badsort "$T/badsort.want" "$T/badsort.err"

finish
