#!/bin/sh
# Hostile input found by a probe and by the fuzzers (issue 15): one case
# each, with the exact messages and exit status.  Every run has a time
# limit and its stderr a size limit, so that a regression fails here
# rather than hanging the suite.

. "$TOP_SRCDIR/tests/setup"

every_event

OUT=$T/out
GOOD=$TESTDATA/input/file2.json
LIMIT=${CTAUDIT_HOSTILE_LIMIT:-30}

# ev NAME: a small event.
ev() {
	printf '{"eventVersion":"1.08","eventSource":"iam.amazonaws.com",'
	printf '"eventName":"%s","eventTime":"2024-03-01T10:00:00Z"}' "$1"
}

# repeat N STRING: STRING N times, without a newline.
repeat() {
	awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'
}

# hcase NAME WANT_STATUS [ctaudit arguments]: as run_case in tests/setup,
# but a run that takes over $LIMIT seconds fails (status 124), and only the
# first 64 KB of stderr are kept.  Standard input is $T/stdin if present.
hcase() {
	name=$1
	want=$2
	shift 2
	echo "== $name" >>"$OUT"
	[ -f "$T/stdin" ] || : >"$T/stdin"
	set +e
	(timeout "$LIMIT" $CTAUDIT_VALGRIND "$CTAUDIT" -r "$T/all.yml" \
	    -f json "$@" <"$T/stdin" >"$T/stdout"
	echo $? >"$T/status") 2>&1 | head -c 65536 >"$T/stderr"
	got=$(cat "$T/status" 2>/dev/null || echo killed)
	set -e
	jq -r '[.origin, .index, .eventName] | @tsv' <"$T/stdout" |
	    sed "s|$T/|\$T/|g; s|$TESTDATA/|\$TESTDATA/|g" >>"$OUT"
	sed "s|$T/|\$T/|g; s|$TESTDATA/|\$TESTDATA/|g" <"$T/stderr" >>"$OUT"
	echo "exit $got" >>"$OUT"
	check_status "$name" "$want" "$got"
	rm -f "$T/stdin" "$T/status"
}

: >"$OUT"
# 1. "{/": yajl fails just past the '{' it was restarted at.  Reported
# once, and the run goes on past it: a file, stdin, a gzip member, a line
# after good JSON Lines.
printf '{/' >"$T/brace-slash.json"
hcase "{/ in a file" 2 "$T/brace-slash.json" "$GOOD"
printf '{/' >"$T/stdin"
hcase "{/ on stdin" 2 -
printf '{/' | gzip -n >"$T/brace-slash.json.gz"
hcase "{/ in a gzip member" 2 "$T/brace-slash.json.gz" "$GOOD"
{ ev One; echo; printf '{/\n'; ev Three; echo; } >"$T/brace-slash.jsonl"
hcase "{/ after good JSON Lines" 2 "$T/brace-slash.jsonl"
{ ev One; echo; printf '{"a":1\n{/\n'; ev Three; echo; } \
    >"$T/brace-slash2.jsonl"
hcase "{/ after a cut line" 2 "$T/brace-slash2.jsonl"
# 5. A DAG of symbolic links: 30 levels of two links each reach one file
# by 2^30 paths.  Each directory and file is read once, with a note.
mkdir -p "$T/dag/l30"
ev Deep >"$T/dag/l30/x.json"
i=0
while [ $i -lt 30 ]; do
	mkdir -p "$T/dag/l$i"
	ln -s "../l$((i + 1))" "$T/dag/l$i/a"
	ln -s "../l$((i + 1))" "$T/dag/l$i/b"
	i=$((i + 1))
done
hcase "a DAG of symlinked directories" 1 "$T/dag/l0"
mkdir "$T/links"
ev Linked >"$T/links/a.json"
ln "$T/links/a.json" "$T/links/b.json"
ln -s a.json "$T/links/c.json"
hcase "a hard link and a symlink to one file" 1 "$T/links"

# 6. Deep YAML: libyaml's scanner is quadratic in the nesting, so the cap
# must stop it while reading (500,000 levels in 1 MB did not finish).
awk 'BEGIN { printf "title: Deep\nid: 6b0e1b1e-1111-4c3e-9d55-0c6a1f0e0003\n"
	printf "logsource: {product: aws, service: cloudtrail}\n"
	printf "detection:\n    s:\n        eventName: "
	for (i = 0; i < 500000; i++) printf "["
	printf "x"
	for (i = 0; i < 500000; i++) printf "]"
	printf "\n    condition: s\n" }' >"$T/deep.yml"
LIMIT=10
hcase "YAML nested 500,000 deep" 3 -r "$T/deep.yml" "$GOOD"
LIMIT=${CTAUDIT_HOSTILE_LIMIT:-30}

# 9b. A rule file of exactly SIGMA_FILE_MAX bytes (1 MiB, a rule padded
# with a comment) loads; one byte more is refused by name.
{
	printf 'title: Big\nid: 5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d\n'
	printf 'logsource:\n    product: aws\n    service: cloudtrail\n'
	printf 'detection:\n    s:\n        eventName: NoSuchEvent\n'
	printf '    condition: s\nlevel: low\n# '
} >"$T/big.yml"
pad=$((1048576 - $(wc -c <"$T/big.yml") - 1))
{ cat "$T/big.yml"; repeat "$pad" x; echo; } >"$T/cap.yml"
[ "$(wc -c <"$T/cap.yml")" -eq 1048576 ] || fail "cap.yml: wrong size"
hcase "a rule file of exactly 1 MiB" 1 -r "$T/cap.yml" "$GOOD"
{ cat "$T/big.yml"; repeat "$((pad + 1))" x; echo; } >"$T/over.yml"
hcase "a rule file one byte over 1 MiB" 3 -r "$T/over.yml" "$GOOD"

# 10. Names are escaped in diagnostics as record fields are in the text
# output: a newline cannot forge a line, ESC and OSC cannot reach the
# terminal, a backslash is doubled.
mkdir "$T/names"
nl='
'
printf '{/' >"$T/names/a${nl}ctaudit: note: forged$(printf '\033]0;title\007\033[2J')\\.json"
hcase "a file name with a newline, ESC, OSC and a backslash" 2 "$T/names"
if grep -q '^ctaudit: note: forged' "$T/stderr"; then
	fail "a file name forged a diagnostic line"
fi

# 11. A regular expression stopped by PCRE2's match limit is no match,
# but not a silent one: warned about (ten times at most) and counted.
sed "s/eventName|exists: true/userAgent|re: '^(a|aa)+\$'/; s/0001\$/0004/" \
    "$T/all.yml" >"$T/backtrack.yml"
i=0
while [ $i -lt 12 ]; do
	printf '{"eventSource":"iam.amazonaws.com","eventName":"E%d",' $i
	printf '"userAgent":"%sb"}\n' "$(repeat 60 a)"
	i=$((i + 1))
done >"$T/backtrack.jsonl"
hcase "a regular expression that gives up" 1 -r "$T/backtrack.yml" \
    "$T/backtrack.jsonl"

# 12. Two rules with one id are an error naming both files; a rules
# directory with a link loop, or given twice, is read once.
mkdir -p "$T/rules/sub"
sed "s/0001\$/0002/" "$T/all.yml" >"$T/rules/a.yml"
ln -s .. "$T/rules/sub/up"
hcase "a rules directory with a link loop, given twice" 1 -r "$T/rules" \
    -r "$T/rules/a.yml" "$GOOD"
cp "$T/rules/a.yml" "$T/rules/sub/copy.yml"
hcase "two rules with one id" 3 -r "$T/rules" "$GOOD"

# 12. A key given twice: its last value is the one rules see.
sed 's/eventName|exists: true/eventName: DeleteTrail/; s/0001$/0003/' \
    "$T/all.yml" >"$T/deletetrail.yml"
{ printf '{"eventSource":"cloudtrail.amazonaws.com","eventName":"ListTrails",'
  printf '"eventName":"DeleteTrail"}\n'
  printf '{"eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail",'
  printf '"eventName":"ListTrails"}\n'; } >"$T/dupkey.jsonl"
hcase "a key given twice: the last value counts" 1 -q \
    -r "$T/deletetrail.yml" "$T/dupkey.jsonl"
jq -r "[.index, .ruleId] | @tsv" <"$T/stdout" >>"$OUT"

# 12. A second top-level Records array is read too (index goes on).
{ printf '{"Records":['; ev First; printf '],"other":[1],"Records":['; ev Second
  printf ','; ev Third; printf ']}\n'; } >"$T/two-records.json"
hcase "two Records arrays" 1 "$T/two-records.json"

# 13. The place is said once, not again at the start of the message.
hcase "an S3 URI that names no bucket" 2 s3://b/x "$GOOD"

check_file hostile "$EXPECTED/hostile" "$OUT"
finish
