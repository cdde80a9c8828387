#!/bin/sh
# SPDX-License-Identifier: ISC
# Cross-check the SigV4 signer against botocore, AWS's own: a set of S3
# GETs (odd keys and query strings, signed and unsigned payloads, session
# tokens), SNS Publish form bodies and a path-normalising service, signed
# by "t_sigv4 -s" at a fixed time.  The result must match the golden file,
# what botocore adds to the same requests, and botocore's verify(), the
# check the loopback S3 and SNS endpoints will make.  Skips without
# /usr/bin/python3 or, once the golden file matched, without botocore.
. "$TOP_SRCDIR/tests/setup"

PY=/usr/bin/python3
TOOL=$TOP_SRCDIR/tests/tools/sigv4_botocore.py
T_SIGV4=${CTAUDIT%/src/ctaudit}/tests/unit/t_sigv4

if [ ! -x "$PY" ]; then
	echo "skip: $PY not found"
	exit 77
fi
if [ ! -x "$T_SIGV4" ]; then
	echo "error: $T_SIGV4 not built" >&2
	exit 99
fi

"$PY" "$TOOL" requests >"$T/requests" || exit 99
status=0
"$T_SIGV4" -s <"$T/requests" >"$T/signed" || status=$?
check_status "t_sigv4 -s" 0 "$status"
check_file "signed requests" "$EXPECTED/sigv4-botocore.out" "$T/signed"

status=0
"$PY" "$TOOL" probe || status=$?
if [ "$status" = 77 ]; then
	[ "$FAILED" = 0 ] || finish
	echo "skip: botocore is not importable by $PY"
	exit 77
fi
check_status "botocore probe" 0 "$status"

status=0
"$PY" "$TOOL" expected >"$T/botocore" || status=$?
check_status "botocore signing" 0 "$status"
check_file "botocore" "$T/botocore" "$T/signed"

status=0
"$PY" "$TOOL" verify "$T/signed" >"$T/verify" || status=$?
check_status "botocore verify" 0 "$status"
echo "verify: 37 requests accepted, their changed copies refused" \
    >"$T/verify.want"
check_file "botocore verify" "$T/verify.want" "$T/verify"

finish
