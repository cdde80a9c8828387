#!/bin/sh
# The output stage through the command line: golden text, JSON Lines and
# CSV, with and without --raw, colour forced on, off and left to auto
# (with NO_COLOR and on a pseudo-terminal), and the same bytes whatever
# the locale or time zone.  The rules are the fixtures in
# testdata/output/rules, one per level, so these files do not change when
# the bundled rule pack grows.  testdata/output/events.json holds hostile
# strings (escape sequences, bidi overrides, NUL, spreadsheet formulas)
# and odd shapes (no ARN, numbers and objects where strings belong).

. "$TOP_SRCDIR/tests/setup"

cd "$TESTDATA/output"
RULES="-r rules"
EV=events.json

# run NAME WANT_STATUS ARGS...: stdout to $T/NAME, stderr to $T/NAME.err.
run() {
	_name=$1 _want=$2
	shift 2
	_rc=0
	ctaudit -q "$@" >"$T/$_name" 2>"$T/$_name.err" || _rc=$?
	check_status "$_name" "$_want" "$_rc"
	if [ -s "$T/$_name.err" ]; then
		fail "$_name: unexpected stderr"
		cat "$T/$_name.err" >&2
	fi
}

# Golden outputs of the three formats, plain and with --raw.
run text 1 $RULES -f text --color never $EV
check_file text "$EXPECTED/output-text.txt" "$T/text"
run text-raw 1 $RULES -f text --color never --raw $EV
check_file text-raw "$EXPECTED/output-text-raw.txt" "$T/text-raw"
run json 1 $RULES -f json $EV
check_file json "$EXPECTED/output-json.jsonl" "$T/json"
run json-raw 1 $RULES -f json --raw $EV
check_file json-raw "$EXPECTED/output-json-raw.jsonl" "$T/json-raw"
run csv 1 $RULES -f csv $EV
check_file csv "$EXPECTED/output-csv.csv" "$T/csv"
run csv-raw 1 $RULES -f csv --raw $EV
check_file csv-raw "$EXPECTED/output-csv-raw.csv" "$T/csv-raw"

# A real archive (gzip, S3 layout, digest and Insights files skipped).
cd "$TESTDATA"
run archive 1 -r output/trail.yml -f json archive
check_file archive "$EXPECTED/output-archive.jsonl" "$T/archive"
cd "$TESTDATA/output"

# No findings: text and JSON are empty, CSV still has its header.
run none-json 0 -r trail.yml -f json $EV
check_file none-json /dev/null "$T/none-json"
run none-csv 0 -r trail.yml -f csv $EV
head -n 1 "$EXPECTED/output-csv.csv" >"$T/header"
check_file none-csv "$T/header" "$T/none-csv"

# Colour: forced on is golden; never, auto into a file and NO_COLOR are
# all the plain text.
run color 1 $RULES -f text --color always $EV
check_file color "$EXPECTED/output-text-color.txt" "$T/color"
run auto 1 $RULES -f text $EV
check_file auto "$EXPECTED/output-text.txt" "$T/auto"
NO_COLOR=1
export NO_COLOR
run nocolor 1 $RULES -f text --color auto $EV
check_file nocolor "$EXPECTED/output-text.txt" "$T/nocolor"
# --color always wins over NO_COLOR, as the user asked for it by name.
run nocolor-always 1 $RULES -f text --color always $EV
check_file nocolor-always "$EXPECTED/output-text-color.txt" \
    "$T/nocolor-always"
unset NO_COLOR
# Only the level is coloured, and every escape sequence is ours.
esc=$(printf '\033')
sed "s/$esc\[[0-9;]*m//g" "$T/color" >"$T/color-stripped"
check_file color-stripped "$EXPECTED/output-text.txt" "$T/color-stripped"
if grep -q "$esc" "$T/text" "$T/text-raw" "$T/json" "$T/json-raw" \
    "$T/csv" "$T/csv-raw"; then
	fail "an escape character reached uncoloured output"
fi

# On a terminal, auto colours unless NO_COLOR is set (needs script(1)).
if command -v script >/dev/null 2>&1 &&
    script -qec true /dev/null >/dev/null 2>&1; then
	script -qec "\"$CTAUDIT\" -q $RULES $EV" /dev/null \
	    </dev/null >"$T/tty" 2>&1 || true
	if ! grep -q "$esc\[31mhigh" "$T/tty"; then
		fail "tty: --color auto did not colour a terminal"
	fi
	if grep -q '^{' "$T/tty"; then
		fail "tty: the default format on a terminal is not text"
	fi
	env NO_COLOR=1 script -qec "\"$CTAUDIT\" -q $RULES $EV" \
	    /dev/null </dev/null >"$T/tty-nocolor" 2>&1 || true
	if grep -q "$esc" "$T/tty-nocolor"; then
		fail "tty: NO_COLOR did not turn colour off"
	fi
	if ! grep -q 'Hostile strings' "$T/tty-nocolor"; then
		fail "tty: no findings written"
	fi
else
	echo "note: script(1) missing, terminal cases skipped"
fi

# Not a terminal: the default format is JSON Lines; -o writes the same.
run default 1 $RULES $EV
check_file default "$EXPECTED/output-json.jsonl" "$T/default"
run dash-o 1 $RULES -f csv -o "$T/out.csv" $EV
check_file dash-o /dev/null "$T/dash-o"
check_file dash-o-file "$EXPECTED/output-csv.csv" "$T/out.csv"

# Neither the locale nor the time zone changes a byte.
LC_ALL=C.UTF-8
for TZ in UTC Pacific/Chatham America/St_Johns; do
	export TZ
	run tz-text 1 $RULES -f text --color never $EV
	check_file "text TZ=$TZ" "$EXPECTED/output-text.txt" "$T/tz-text"
	run tz-csv 1 $RULES -f csv $EV
	check_file "csv TZ=$TZ" "$EXPECTED/output-csv.csv" "$T/tz-csv"
done
unset TZ
LC_ALL=C

# JSON Lines: every line is one valid object with the documented keys in
# order, and with --raw .event is the input record itself.
if command -v jq >/dev/null 2>&1; then
	jq -c 'keys_unsorted' "$T/json-raw" | sort -u >"$T/keys"
	printf '%s' '["schema","ruleId","ruleTitle","level","tags",' \
	    '"eventTime","eventName","eventSource","awsRegion",' \
	    '"recipientAccountId","principalType","principalArn",' \
	    '"sourceIPAddress","userAgent","errorCode","eventID","origin",' \
	    '"index","accessKeyId","userName","sessionIssuer","eventTimeUtc",' \
	    '"ruleDescription","ruleReferences","ruleFalsePositives",' \
	    '"event"]' >"$T/keys-want"
	echo >>"$T/keys-want"
	check_file json-keys "$T/keys-want" "$T/keys"
	jq -c '.Records[]' $EV >"$T/records"
	jq -c '.event' "$T/json-raw" >"$T/events"
	jq -r '.index' "$T/json-raw" | while read -r i; do
		sed -n "$((i + 1))p" "$T/records"
	done >"$T/events-want"
	check_file json-raw-event "$T/events-want" "$T/events"
	# The JSON columns agree with the event they came from: strings as
	# they are, other values as their JSON text, null when absent.
	jq -c 'def s: if . == null or type == "string" then . else tojson
	    end; [.eventTime, .eventName, .eventSource, .awsRegion,
	    .recipientAccountId, .principalType, .sourceIPAddress,
	    .userAgent, .errorCode, .eventID] == [.event | (.eventTime,
	    .eventName, .eventSource, .awsRegion, .recipientAccountId,
	    .userIdentity.type, .sourceIPAddress, .userAgent, .errorCode,
	    .eventID) | s]' "$T/json-raw" | sort -u >"$T/agree"
	echo true >"$T/agree-want"
	check_file json-agree "$T/agree-want" "$T/agree"
fi

# CSV: a strict RFC 4180 reader gets a rectangle back, the same cells as
# the JSON (after the documented CSV changes), and CRLF row ends.
if /usr/bin/python3 -c 'import csv' 2>/dev/null; then
	/usr/bin/python3 - "$T/csv-raw" "$T/json-raw" <<'EOF' || fail "csv: $?"
import csv, json, sys

with open(sys.argv[1], newline="", encoding="utf-8") as f:
    raw = f.read()
rows = list(csv.reader(raw.splitlines(keepends=True), strict=True))
objs = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
# Every JSON key but "schema" and the JSON-only ruleFalsePositives, in
# order, then the correlation and GuardDuty finding columns, which every
# CSV file has.
keys = [k for k in list(objs[0].keys())[1:] if k != "ruleFalsePositives"]
assert rows[0][:len(keys)] == keys, rows[0]
assert rows[0][len(keys):] == ["correlationType", "correlationGroupBy",
    "correlationField", "correlationValue", "correlationEvents",
    "correlationFirstTime", "correlationLastTime", "correlationRules",
    "correlationIncomplete", "findingType", "findingSeverity",
    "findingResource", "findingAccountId", "findingRegion", "findingId",
    "findingConsoleUrl", "findingTitle", "findingDescription",
    "findingSeverityBand", "findingCount", "findingFirstSeen",
    "findingLastSeen", "findingSample"], rows[0]
assert len(rows) == len(objs) + 1
assert all(len(r) == len(rows[0]) for r in rows), "not a rectangle"
assert raw.count("\r\n") >= len(rows) and raw.endswith("\r\n")

def cell(v, k):
    if v is None:
        return ""
    if isinstance(v, list):
        v = (" " if k == "ruleReferences" else ";").join(v)
    if isinstance(v, dict):
        return None         # compact JSON; compared below
    v = str(v)
    out = "".join(
        chr(0x2421) if c == "\x7f" else
        c if c in "\t\r\n" else
        chr(0x2400 + ord(c)) if ord(c) < 0x20 else
        "\ufffd" if 0x80 <= ord(c) <= 0x9f or c in
            "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d"
            "\u202e\u2066\u2067\u2068\u2069" else c
        for c in v)
    return "'" + out if v[:1] in ("=", "+", "-", "@", "\t", "\r") else out

for r, o in zip(rows[1:], objs):
    for k, c in zip(rows[0], r):
        if k.startswith("correlation") or k.startswith("finding"):
            assert c == "", (k, c)  # an event: no correlation, no finding
            continue
        want = cell(o[k], k)
        if want is None:
            assert json.loads(c) == o[k], k
        else:
            assert c == want, (k, c, want)
EOF
fi

# Bad arguments of the output stage are usage errors (exit 3).
rc=0
ctaudit -q $RULES -f xml $EV >"$T/xml" 2>&1 || rc=$?
check_status "format xml" 3 "$rc"
rc=0
ctaudit -q $RULES --color sometimes $EV >"$T/sometimes" 2>&1 || rc=$?
check_status "color sometimes" 3 "$rc"

# --since and --until over eventTime: offsets and fractions count
# (record 1 is 03:14:15.678Z, written as 05:14:15.678+02:00), the bounds
# are a half-open interval (record 2 is at 06:00:00Z), and records whose
# eventTime is null (4) or not a time (5) are kept, as documented.
run since 1 $RULES -f csv --since 2024-03-12T03:14:15.5Z \
    --until 2024-03-12T06:00:00Z $EV
cut -d, -f1 "$T/since" | sed 1d | tr -d '\r' >"$T/since-ids"
printf '%s\n' 0a7e1b52-0003-4c3e-9d1a-6f0e2b7c0003 \
    0a7e1b52-0005-4c3e-9d1a-6f0e2b7c0005 \
    0a7e1b52-0005-4c3e-9d1a-6f0e2b7c0005 >"$T/since-want"
check_file since "$T/since-want" "$T/since-ids"
rc=0
ctaudit $RULES --since 7x $EV >"$T/bad-since" 2>"$T/bad-since.err" ||
    rc=$?
check_status "since 7x" 3 "$rc"
grep -q 'bad time "7x": unknown unit '\''x'\'' (s, m, h, d or w)' \
    "$T/bad-since.err" || fail "since 7x: message: $(cat "$T/bad-since.err")"
rc=0
ctaudit $RULES --until 2024-02-30 $EV >"$T/bad-until" \
    2>"$T/bad-until.err" || rc=$?
check_status "until 2024-02-30" 3 "$rc"
grep -q 'bad time "2024-02-30": day out of range' "$T/bad-until.err" ||
    fail "until 2024-02-30: message: $(cat "$T/bad-until.err")"

finish
