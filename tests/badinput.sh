#!/bin/sh
# Bad and hostile input: one case each, with the exact message and exit
# status, and proof that the rest of the run was still read (a good file
# beside the bad one, good records beside the bad record).  Big inputs are
# generated here, never committed.

. "$TOP_SRCDIR/tests/setup"

every_event

OUT=$T/out
GOOD=$TESTDATA/input/file2.json

# ev NAME: a small event.
ev() {
	printf '{"eventVersion":"1.08","eventSource":"iam.amazonaws.com",'
	printf '"eventName":"%s","eventTime":"2024-03-01T10:00:00Z"}' "$1"
}

# repeat N STRING: STRING N times, without a newline.
repeat() {
	awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'
}

# poke FILE OFFSET: flip the bits of one byte of FILE.
poke() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 255)))" |
	    dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# setbyte FILE OFFSET VALUE: set one byte of FILE.
setbyte() {
	printf "$(printf '\\%03o' "$3")" |
	    dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

lines() {
	for n in One Two Three Four Five Six Seven Eight Nine Ten; do
		ev "$n"
		echo
	done
}

: >"$OUT"

# Files that cannot be read as a whole.
: >"$T/empty.json"
run_case "empty file" 2 "$T/empty.json" "$GOOD"
printf ' \n\t\n' >"$T/blank.json"
run_case "only white space" 2 "$T/blank.json" "$GOOD"

i=0
while [ $i -lt 200 ]; do
	ev "Event$i"
	echo
	i=$((i + 1))
done | gzip -n >"$T/full.gz"
size=$(wc -c <"$T/full.gz")
head -c $((size / 2)) "$T/full.gz" >"$T/truncated.json.gz"
run_case "truncated gzip: what came before is read" 2 "$T/truncated.json.gz" \
    "$GOOD"
lines | gzip -n >"$T/crc.json.gz"
size=$(wc -c <"$T/crc.json.gz")
poke "$T/crc.json.gz" $((size - 8))
run_case "bad CRC: the records are read, the file is reported" 2 \
    "$T/crc.json.gz" "$GOOD"
lines | gzip -n >"$T/length.json.gz"
poke "$T/length.json.gz" $((size - 4))
run_case "bad length" 2 "$T/length.json.gz" "$GOOD"
lines | gzip -n >"$T/corrupt.json.gz"
setbyte "$T/corrupt.json.gz" 10 7	# a final block of the reserved type
run_case "corrupt deflate data" 2 "$T/corrupt.json.gz" "$GOOD"
{ lines | gzip -n; echo "not gzip"; } >"$T/trailing.json.gz"
run_case "trailing garbage after gzip" 2 "$T/trailing.json.gz" "$GOOD"
{ lines | gzip -n; printf '\0\0\0\0'; } >"$T/padded.json.gz"
run_case "zero padding after gzip is garbage too" 2 "$T/padded.json.gz" "$GOOD"

printf 'This is not JSON.\nNor is this.\n' >"$T/text.json"
run_case "not JSON" 2 "$T/text.json" "$GOOD"
printf '{"foo": 1, "bar": [1, 2]}\n' >"$T/norecords.json"
run_case "JSON without Records" 2 "$T/norecords.json" "$GOOD"
printf '{"Records": {"eventName": "Hidden"}}\n' >"$T/recobj.json"
run_case "Records not an array" 2 "$T/recobj.json" "$GOOD"
printf '{"Records": "none"}\n' >"$T/recstr.json"
run_case "Records a string" 2 "$T/recstr.json" "$GOOD"

# Bad records among good ones.
{ printf '{"Records":['; ev First; printf ',"a string",42,null,[1],{"x":1},'
  ev Last; printf ']}\n'; } >"$T/notobj.json"
run_case "records that are not objects or not events" 2 "$T/notobj.json"
{ printf '['; ev First; printf ',true,'; ev Last; printf ']\n'; } \
    >"$T/notobj-array.json"
run_case "array element not an object" 2 "$T/notobj-array.json"

{ printf '{"Records":['; ev Before; printf ',{"eventName":"Big","userAgent":"'
  head -c 100000000 /dev/zero | tr '\0' A
  printf '"},'; ev After; printf ']}\n'; } >"$T/bigstring.json"
run_case "a 100 MB string" 2 "$T/bigstring.json"
{ printf '{"Records":['; ev Before; printf ',{"eventName":"Escapes","x":"'
  repeat 1100000 'ab\\"\\u00e9'
  printf '"},'; ev After; printf ']}\n'; } >"$T/bigescapes.json"
run_case "a 5 MB string full of escapes" 2 "$T/bigescapes.json"
{ printf '{"Records":['; ev Before; printf ',{"eventName":"BigNumber","n":1'
  head -c 20000000 /dev/zero | tr '\0' 7
  printf '},'; ev After; printf ']}\n'; } >"$T/bignumber.json"
run_case "a 20 MB number" 2 "$T/bignumber.json"
{ printf '{"Records":['; ev Before; printf ',{"eventName":"Wide","a":['
  repeat 1000000 '0,'; printf '0]},'; ev After; printf ']}\n'; } \
    >"$T/wide.json"
run_case "a record of a million values" 2 "$T/wide.json"

# The guard in front of yajl cuts an over-long token where it passes a
# record's size; without it yajl would hold the whole token in memory.
# Peak RSS shows it, where it means something: GNU time, and neither
# valgrind nor a sanitizer runtime in the way.
if [ -x /usr/bin/time ] && [ -z "$CTAUDIT_VALGRIND" ] &&
    ! ldd "$CTAUDIT" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	for f in bigstring bigescapes bignumber; do
		/usr/bin/time -f %M -o "$T/rss" "$CTAUDIT" -r "$T/all.yml" \
		    -f json "$T/$f.json" >/dev/null 2>&1 || :
		rss=$(tail -n 1 "$T/rss")
		if [ "$rss" -gt 65536 ]; then
			fail "$f.json: peak RSS $rss KB, want under 64 MB"
		fi
	done
else
	echo "note: no GNU time, or valgrind or sanitizers: memory of" \
	    "over-long tokens not measured" >&2
fi
{ printf '{"Records":['; ev Before; printf ',{"eventName":"Long","a":['
  repeat 300000 '"0123456789abcdef",'; printf '""]},'; ev After
  printf ']}\n'; } >"$T/long.json"
run_case "a record of 5 MB in small strings" 2 "$T/long.json"

{ printf '{"Records":['; ev Before; printf ',{"eventName":"Deep","x":'
  repeat 10000 '['; repeat 10000 ']'; printf '},'; ev After
  printf ']}\n'; } >"$T/deep.json"
run_case "nesting 10,000 deep" 2 "$T/deep.json" "$GOOD"
{ ev Before; echo; repeat 1000001 '['; } >"$T/deeper.json"
run_case "nesting past the hard cap ends the stream" 2 "$T/deeper.json" "$GOOD"

{ printf '{"Records":['
  printf '{"eventVersion":"1.08","eventSource":"signin.amazonaws.com",'
  printf '"eventName":"ConsoleLogin","userAgent":"Mozilla \377\376 \300\257'
  printf ' ok \303\251","k\355\240\200":1},'; ev After; printf ']}\n'; } \
    >"$T/utf8.json"
run_case "invalid UTF-8 is repaired, the record delivered" 1 "$T/utf8.json"
jq -r .userAgent <"$T/stdout" | head -1 >>"$OUT"

{ printf '{"Records":['; ev Before; printf ',{"eventName":"Nul\0"},'
  ev After; printf ']}\n'; } >"$T/nul.json"
run_case "a raw NUL byte ends a file form" 2 "$T/nul.json" "$GOOD"
{ ev One; echo; printf '{"eventName":"Nul\0"}\n'; ev Three; echo; } \
    >"$T/nul.jsonl"
run_case "a raw NUL byte in JSON Lines skips that line" 2 "$T/nul.jsonl"
{ ev One; echo; printf '{"eventName":"Tab\t"}\n'; ev Three; echo; } \
    >"$T/ctl.jsonl"
run_case "a raw control character" 2 "$T/ctl.jsonl"
{ ev One; echo; printf '{"eventName": "Cut", "x": tru\n'; ev Three; echo
  printf 'garbage\n\n'; ev Five; printf '\n{"a":\n'; ev Seven; echo; } \
    >"$T/syntax.jsonl"
run_case "syntax errors in JSON Lines resynchronise" 2 "$T/syntax.jsonl"
{ printf '[\n'; ev One; printf ',\n'; ev Two; printf ',,\n'; ev Three
  printf ']\n'; } >"$T/syntax.json"
run_case "a syntax error in an array ends the file" 2 "$T/syntax.json" "$GOOD"

# Files and directories that cannot be opened or read.
mkdir -p "$T/d/sub"
cp "$GOOD" "$T/d/sub/x.json"
cp "$GOOD" "$T/d/y.json"
ln -s .. "$T/d/sub/up"
ln -s loop "$T/d/loop"
ln -s nowhere "$T/d/dangling"
run_case "a directory loop, a symlink loop and a dangling link" 2 "$T/d"
run_case "a missing path" 2 "$T/missing.json" "$GOOD"
if [ -r /proc/self/mem ]; then
	# Open works and read(2) fails with EIO, even for root.
	run_case "a read error" 2 /proc/self/mem "$GOOD"
fi
if [ "$(id -u)" != 0 ]; then
	mkdir -p "$T/locked"
	cp "$GOOD" "$T/locked/x.json"
	cp "$GOOD" "$T/secret.json"
	chmod 000 "$T/locked" "$T/secret.json"
	set +e
	ctaudit -q -r "$T/all.yml" "$T/secret.json" "$T/locked" "$GOOD" \
	    >/dev/null 2>"$T/stderr"
	got=$?
	set -e
	chmod 700 "$T/locked" "$T/secret.json"
	check_status "unreadable" 2 "$got"
	sed "s|$T/|\$T/|g" <"$T/stderr" >"$T/unreadable"
	check_file unreadable "$EXPECTED/badinput-unreadable" "$T/unreadable"
else
	# Root reads mode 000 files; the read error and the loops above stand
	# in for them.
	echo "note: running as root: permission cases not run" >&2
fi

check_file badinput "$EXPECTED/badinput-all" "$OUT"

# The invalid files among AWS's own parser fixtures.
if [ -d "$SHARED/data/cloudtrail/aws-processing-library" ]; then
	cd "$SHARED/data/cloudtrail/aws-processing-library"
	: >"$OUT"
	run_case "aws-processing-library: invalid files" 2 SQSMessageBody \
	    SQSMessageBodyWrongFormat SerializerTestFileBadJsonFormat.json \
	    SerializerTestFileBadFieldName.json \
	    SerializerTestFileNewFieldName.json
	check_file badinput-shared "$EXPECTED/badinput-shared" "$OUT"
fi
finish
