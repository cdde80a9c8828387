# ctaudit verify: synthetic trails in the real digest format, signed with
# the test-only key (tests/tools/ct_digest_gen), each with one kind of
# tampering.  Every case runs twice: offline, as after `aws s3 sync`
# (hash chain and log hashes only, and a note that signatures were not
# checked), and with the signatures sidecar and the public keys.  The
# golden file holds the findings, diagnostics, summary and exit status.
. "$TOP_SRCDIR/tests/setup"

GEN=$TOP_SRCDIR/tests/tools/ct_digest_gen
OUT=$T/verify.txt
if ! command -v openssl >/dev/null || ! command -v python3 >/dev/null; then
	echo "skip: openssl or python3 not found"
	exit 77
fi

# vcase NAME WANT_OFFLINE WANT_SIGNED: make the trail and verify it twice.
vcase() {
	name=$1 want_offline=$2 want_signed=$3
	rm -rf "$T/$name"
	python3 "$GEN" "$T/$name" "$name"
	for mode in offline signed; do
		echo "== $name ($mode)" >>"$OUT"
		if [ $mode = offline ]; then
			want=$want_offline
			set -- --summary
		else
			want=$want_signed
			set -- --summary --signatures "$T/$name/signatures.tsv" \
			    --public-keys "$T/$name/public-keys.json"
		fi
		set +e
		ctaudit verify "$@" "$T/$name/trail-bucket" >"$T/stdout" \
		    2>"$T/stderr"
		got=$?
		set -e
		cat "$T/stdout" "$T/stderr" | sed "s|$T/|\$T/|g" >>"$OUT"
		echo "exit $got" >>"$OUT"
		check_status "$name ($mode)" "$want" "$got"
	done
}

: >"$OUT"
vcase intact 0 0
vcase log-byte 1 1
vcase log-deleted 1 1
vcase log-unlisted 1 1
vcase digest-deleted 1 1
vcase digest-rehashed 1 1
vcase other-key 0 1
vcase restart 0 0
vcase quiet-hours 1 0
vcase moved 1 1
check_file "verify cases" "$EXPECTED/verify.txt" "$OUT"

# The reference: the AWS CLI's validate-logs, through its own module with
# stand-in S3 and CloudTrail clients over the same trees (its S3 client
# cannot be pointed at a directory, and a loopback S3 with object metadata
# and a CloudTrail endpoint are not needed to drive its checks).  The
# verdict and the digest count must agree; log counts may not, since the
# CLI leaves out the log files of digests it found invalid.
for c in intact log-byte log-deleted digest-deleted digest-rehashed \
    other-key restart; do
	set +e
	python3 "$TOP_SRCDIR/tests/tools/ct_validate_oracle" "$T/$c" \
	    2026-11-01T09:00:00Z 2026-11-01T17:00:00Z >"$T/oracle" 2>&1
	ost=$?
	set -e
	if [ $ost = 77 ]; then
		echo "skip oracle: the AWS CLI's Python module is not importable"
		break
	fi
	set +e
	ctaudit verify --summary --signatures "$T/$c/signatures.tsv" \
	    --public-keys "$T/$c/public-keys.json" "$T/$c/trail-bucket" \
	    >/dev/null 2>"$T/ours"
	got=$?
	set -e
	grep '^exit ' "$T/oracle" >"$T/want.st"
	echo "exit $got" >"$T/got.st"
	check_file "oracle $c: verdict" "$T/want.st" "$T/got.st"
	grep 'digest files' "$T/oracle" >"$T/want.dg"
	grep 'digest files' "$T/ours" >"$T/got.dg"
	check_file "oracle $c: digests" "$T/want.dg" "$T/got.dg"
	echo "oracle $c: $(cat "$T/got.st")"
done

# JSON Lines findings, one object each, for jq.
run json 1 verify -f json "$T/log-byte/trail-bucket"
jq -r '[.level, .rule] | @tsv' <"$T/json.out" >"$T/json.tsv"
printf 'critical\tctaudit-log-modified\n' >"$T/want"
check_file "json" "$T/want" "$T/json.tsv"

# A signature that is not hex, a key file that is not ListPublicKeys.
sed 's/\t[0-9a-f]*\tSHA/\tzz\tSHA/' "$T/intact/signatures.tsv" \
    >"$T/badsig.tsv"
run badsig 1 verify --signatures "$T/badsig.tsv" \
    --public-keys "$T/intact/public-keys.json" "$T/intact/trail-bucket"
[ "$(grep -c 'ctaudit-digest-signature .*: signature is not hex$' \
    "$T/badsig.out")" -eq 6 ] || fail "badsig: want 6 findings"
echo '{}' >"$T/nokeys.json"
run nokeys 3 verify --public-keys "$T/nokeys.json" "$T/intact/trail-bucket"
echo "ctaudit: $T/nokeys.json: error: PublicKeyList: missing or not an array" \
    >"$T/want"
check_file "nokeys" "$T/want" "$T/nokeys.err"
# A sidecar without one digest's signature: that digest is unsigned.
sed 1d "$T/intact/signatures.tsv" >"$T/short.tsv"
run short 1 verify --signatures "$T/short.tsv" \
    --public-keys "$T/intact/public-keys.json" "$T/intact/trail-bucket"
grep -c ctaudit-digest-unsigned "$T/short.out" >"$T/n"
echo 1 >"$T/want"
check_file "short" "$T/want" "$T/n"
# Quiet hours: signed and verified empty digests vouch for them (no
# finding, above); with one of them unsigned, the gap is reported again.
grep -v '_20261101T140000Z\.json\.gz' "$T/quiet-hours/signatures.tsv" \
    >"$T/quiet.tsv"
run quiet 1 verify --signatures "$T/quiet.tsv" \
    --public-keys "$T/quiet-hours/public-keys.json" \
    "$T/quiet-hours/trail-bucket"
sed -e "s|$T/||" -e 's|/AWSLogs/.*/|/.../|' "$T/quiet.out" >"$T/got"
cat >"$T/want" <<'WANT'
critical ctaudit-digest-unsigned quiet-hours/trail-bucket/.../111122223333_CloudTrail-Digest_us-east-1_audit_us-east-1_20261101T140000Z.json.gz: no signature recorded for this digest
critical ctaudit-delivery-gap quiet-hours/trail-bucket/.../111122223333_CloudTrail-Digest_us-east-1_audit_us-east-1_20261101T130000Z.json.gz: no log files were delivered between 2026-11-01T12:00:00Z and 2026-11-01T14:00:00Z
WANT
check_file "quiet, one unsigned" "$T/want" "$T/got"

# bench/gen's archives: a digest every hour, empty hours included, signed
# with the test-only key; with the keys it writes beside the archive,
# --verify finds it whole.
if [ -d "$SHARED/data/cloudtrail" ]; then
	python3 "$TOP_SRCDIR/bench/gen" -j 1 --records 3000 --days 1 \
	    --shared "$SHARED" "$T/gen" 2>/dev/null
	run gen 0 verify --summary --signatures "$T/gen.signatures.tsv" \
	    --public-keys "$T/gen.public-keys.json" "$T/gen"
	grep -v '^Results found' "$T/gen.err" >"$T/got"
	n=$(find "$T/gen" -name '*_CloudTrail_*.json.gz' | wc -l)
	# 24 digests for each account and region that has log files.
	d=$(($(find "$T/gen" -path '*/CloudTrail/*' -name '*.json.gz' |
	    sed 's|/CloudTrail/\([^/]*\)/.*|/\1|' | sort -u | wc -l) * 24))
	printf '\n%d/%d digest files valid\n%d/%d log files valid\n' \
	    "$d" "$d" "$n" "$n" >"$T/want"
	check_file "bench/gen archive" "$T/want" "$T/got"
	[ -s "$T/gen.out" ] && fail "bench/gen archive: findings"
fi

# The sample archive's one digest (an organization trail) and the four
# log files it lists.
run archive 0 verify -q --summary "$TESTDATA/archive"
cat >"$T/want" <<'WANT'
Results found for 2024-03-12T02:14:57Z to 2024-03-12T03:14:57Z:

1/1 digest files valid
4/4 log files valid
WANT
check_file "archive" "$T/want" "$T/archive.err"
[ -s "$T/archive.out" ] && fail "archive: stdout not empty"

# A name from the archive cannot forge a finding line.
cp -R "$T/intact" "$T/nl"
d=$T/nl/trail-bucket/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01
cp "$d/111122223333_CloudTrail_us-east-1_20261101T1105Z_f0100.json.gz" \
    "$d/111122223333_CloudTrail_us-east-1_20261101T1105Z_x
critical forged.json.gz"
run newline 1 verify "$T/nl/trail-bucket"
[ "$(wc -l <"$T/newline.out")" -eq 1 ] &&
    grep -q '_x\\x0acritical forged\.json\.gz: no digest lists' \
    "$T/newline.out" || fail "newline: $(cat "$T/newline.out")"

# --verify in an ordinary audit, in the same pass: verify's findings are
# findings of the output (each format), the summary and the exit status.
AOUT=$T/audit.txt
: >"$AOUT"
for c in intact log-byte log-deleted digest-rehashed other-key; do
	for f in text json csv; do
		echo "== $c -f $f" >>"$AOUT"
		set -- -r "$TOP_SRCDIR/rules" --verify -f "$f"
		[ "$c" = other-key ] && set -- "$@" --signatures \
		    "$T/$c/signatures.tsv" --public-keys "$T/$c/public-keys.json"
		set +e
		ctaudit "$@" "$T/$c/trail-bucket" >"$T/stdout" 2>"$T/stderr"
		got=$?
		set -e
		cat "$T/stdout" "$T/stderr" | sed "s|$T/|\$T/|g" >>"$AOUT"
		echo "exit $got" >>"$AOUT"
	done
done
check_file "audit --verify" "$EXPECTED/verify-audit.txt" "$AOUT"
# The sample archive: the same findings as without --verify.
run plain 1 -r "$TOP_SRCDIR/rules" -f json "$TESTDATA/archive"
run withv 1 -r "$TOP_SRCDIR/rules" -f json --verify "$TESTDATA/archive"
check_file "archive --verify" "$T/plain.out" "$T/withv.out"
# To the sinks as well.
(
	unset CTAUDIT_SLACK_WEBHOOK_URL
	run sink 1 -q -r "$TOP_SRCDIR/rules" --verify --notify slack \
	    --dry-run -f json "$T/log-deleted/trail-bucket"
)
grep -c '"text":"\[CRITICAL\] CloudTrail log file deleted - 111122223333"' \
    "$T/sink.err" >"$T/n" || :
echo 1 >"$T/want"
check_file "sink" "$T/want" "$T/n"
run nosave 3 -r "$TOP_SRCDIR/rules" --save-signatures "$T/x.tsv" \
    "$T/intact"
echo "ctaudit: error: --public-keys, --signatures and --save-signatures \
need --verify" >"$T/want"
check_file "--save-signatures without --verify" "$T/want" "$T/nosave.err"
run vsince 3 -r "$TOP_SRCDIR/rules" --verify --since 2026-11-01 "$T/intact"
echo "ctaudit: error: --verify reads every file: not with --since, --until, \
--shard or --state" >"$T/want"
check_file "vsince" "$T/want" "$T/vsince.err"
run nov 3 -r "$TOP_SRCDIR/rules" --public-keys "$T/intact/public-keys.json" \
    "$T/intact"

# From S3 (s3rver on loopback): the signature is the digest object's
# x-amz-meta-signature, as CloudTrail stores it; --save-signatures keeps
# them for a later offline check of a downloaded copy.
if command -v node >/dev/null && command -v aws >/dev/null &&
    python3 "$TOP_SRCDIR/tests/tools/s3_setup" check; then
	SERVERS="$SERVERS $(python3 "$TOP_SRCDIR/tests/tools/s3_setup" start \
	    "$T/s3data" "$T/s3port")"
	(
	# A subshell runs no EXIT trap of its parent: stop its own servers.
	trap 'kill $SERVERS 2>/dev/null || :' EXIT
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
	export AWS_DEFAULT_REGION=us-east-1 HOME="$T/home"
	unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL_S3 AWS_CONFIG_FILE \
	    AWS_SHARED_CREDENTIALS_FILE AWS_PROFILE 2>/dev/null || :
	mkdir -p "$HOME"
	export AWS_ENDPOINT_URL="http://127.0.0.1:$(cat "$T/s3port")"
	SOUT=$T/s3.txt
	: >"$SOUT"
	for c in intact other-key log-byte; do
		aws s3 sync --only-show-errors --exclude '*CloudTrail-Digest*' \
		    "$T/$c/trail-bucket" "s3://ctaudit-test/$c"
		# The first digest goes up without its signature.
		n=0
		while IFS="$(printf '\t')" read -r key sig alg; do
			key=${key#trail-bucket/}
			n=$((n + 1))
			if [ $n = 1 ] && [ $c = log-byte ]; then
				set --
			else
				set -- --metadata \
				    "signature=$sig,signature-algorithm=$alg"
			fi
			aws s3 cp --only-show-errors "$@" \
			    "$T/$c/trail-bucket/$key" "s3://ctaudit-test/$c/$key"
		done <"$T/$c/signatures.tsv"
		echo "== $c (s3)" >>"$SOUT"
		set +e
		ctaudit verify --summary --public-keys \
		    "$T/$c/public-keys.json" --save-signatures "$T/$c.sigs" \
		    "s3://ctaudit-test/$c" >"$T/stdout" 2>"$T/stderr"
		echo "exit $?" >>"$SOUT"
		set -e
		cat "$T/stdout" "$T/stderr" >>"$SOUT"
		echo "== $c (saved signatures, offline)" >>"$SOUT"
		set +e
		ctaudit verify --public-keys "$T/$c/public-keys.json" \
		    --signatures "$T/$c.sigs" "$T/$c/trail-bucket" \
		    >"$T/stdout" 2>"$T/stderr"
		echo "exit $?" >>"$SOUT"
		set -e
		cat "$T/stdout" "$T/stderr" | sed "s|$T/|\$T/|g" >>"$SOUT"
		echo "== $c (audit --verify, s3)" >>"$SOUT"
		set +e
		ctaudit -r "$TOP_SRCDIR/rules" -f csv --verify --public-keys \
		    "$T/$c/public-keys.json" --save-signatures "$T/$c.asigs" \
		    "s3://ctaudit-test/$c" >"$T/stdout" 2>"$T/stderr"
		echo "exit $?" >>"$SOUT"
		set -e
		cat "$T/stdout" "$T/stderr" >>"$SOUT"
		# The audit's sidecar is ctaudit verify's, byte for byte.
		check_file "$c: audit --save-signatures" "$T/$c.sigs" \
		    "$T/$c.asigs"
	done
	check_file "s3" "$EXPECTED/verify-s3.txt" "$SOUT"

	# No --public-keys: ListPublicKeys from a loopback CloudTrail that
	# checks SigV4 (JSON 1.1), a decoy key on the first page.
	if /usr/bin/python3 "$TOP_SRCDIR/tests/tools/sigv4_botocore.py" \
	    probe; then
		jq '.PublicKeyList |= [(.[0] | .Fingerprint = "00decoy")] + .' \
		    "$T/intact/public-keys.json" >"$T/ct-keys.json"
		serve "$T/ctport" /usr/bin/python3 \
		    "$TOP_SRCDIR/tests/tools/fake_cloudtrail.py" "$T/ctport" \
		    "$T/ct.log" "$T/ct-keys.json" S3RVER=S3RVER
		export AWS_ENDPOINT_URL_CLOUDTRAIL="http://127.0.0.1:$PORT"
		COUT=$T/ct.txt
		: >"$COUT"
		for c in intact other-key; do
			echo "== $c (ListPublicKeys)" >>"$COUT"
			set +e
			ctaudit verify --summary "s3://ctaudit-test/$c" \
			    >"$T/stdout" 2>"$T/stderr"
			echo "exit $?" >>"$COUT"
			set -e
			cat "$T/stdout" "$T/stderr" >>"$COUT"
		done
		echo "== requests" >>"$COUT"
		cat "$T/ct.log" >>"$COUT"
		check_file "ListPublicKeys" "$EXPECTED/verify-ct.txt" "$COUT"
	else
		echo "skip ListPublicKeys: botocore not there"
	fi
	exit "$FAILED"
	) || FAILED=1
else
	echo "skip s3: s3rver or awscli not there"
fi

# Usage and nothing to verify.
run usage 3 verify
run bogus 3 verify --bogus "$T/intact"
run nodigests 2 verify "$TESTDATA/input"
echo "ctaudit: error: verify: no CloudTrail digest files found" >"$T/want"
check_file "nodigests" "$T/want" "$T/nodigests.err"
run missing 2 verify "$T/does-not-exist"
finish
