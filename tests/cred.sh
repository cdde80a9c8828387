# The AWS credential chain, region and the HTTP client's retries, against
# the loopback stand-ins of tests/tools/fake_aws.py (STS, ECS, IMDSv2).
# Each case runs tests/unit/t_aws_cred in its own HOME with nothing from
# the caller's environment; no case can reach a real AWS endpoint: the
# STS and instance metadata endpoints point at 127.0.0.1, and metadata
# is disabled unless a case sets its endpoint.  The transcript of every
# case is compared with tests/expected/cred-chain.out, and no secret or
# token issued in the run may appear in it.

. "$TOP_SRCDIR/tests/setup"

TAC=${CTAUDIT%/src/ctaudit}/tests/unit/t_aws_cred
PY=/usr/bin/python3
need_botocore "$PY"

no_aws_env

serve "$T/port" "$PY" "$TOP_SRCDIR/tests/tools/fake_aws.py" \
    --port-file "$T/port" \
    --log "$T/server.log" --key AKIDBASE=basesekrit/key \
    --key AKIDLOOP=loopsekrit --ecs-auth "Bearer ecstokval-auth"
EP=http://127.0.0.1:$PORT
export AWS_ENDPOINT_URL_STS=$EP
export AWS_EC2_METADATA_DISABLED=true
export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9

OUT=$T/transcript
: >"$OUT"

# home NAME: a fresh HOME for one case, with ~/.aws made.
home() {
	HOME=$T/home-$1
	export HOME
	mkdir -p "$HOME/.aws"
}

# run NAME COMMAND...: run t_aws_cred, add its output, stderr and exit
# status to the transcript (the temporary directory and port masked).
run() {
	name=$1
	shift
	set +e
	"$TAC" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	{
		echo "== $name: $*"
		cat "$T/out" "$T/err"
		echo "exit $rc"
	} | sed -e "s|$T|@T@|g" -e "s|:$PORT|:@PORT@|g" \
	    -e 's/after [0-9]* ms:/after N ms:/' >>"$OUT"
}

# --- 1. The environment.
home env
AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envsekrit \
    run env chain
AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envsekrit \
    AWS_SESSION_TOKEN=envtokval run env-token chain
AWS_ACCESS_KEY_ID=AKIDENV run env-half chain
AWS_SECRET_ACCESS_KEY=envsekrit run env-half2 chain

# --- 2. Profiles: static keys, precedence, selection, syntax.
home profiles
cat >"$HOME/.aws/credentials" <<'EOF'
# comment
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = defaultsekrit

[dev]
aws_access_key_id=AKIDDEV
aws_secret_access_key=devsekrit
aws_session_token=devtokval

[half]
aws_access_key_id = AKIDHALF
EOF
cat >"$HOME/.aws/config" <<'EOF'
[default]
region = eu-west-1
[profile cfgonly]
aws_access_key_id = AKIDCFG
aws_secret_access_key = cfgsekrit
region = ap-southeast-2
[profile regiononly]
region = us-east-2
[profile dev]
aws_access_key_id = AKIDNOTTHIS
aws_secret_access_key = notthissekrit
EOF
run profile-default chain
AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envsekrit \
    run env-before-profile chain
AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envsekrit \
    run option-profile-before-env chain -p dev
AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envsekrit AWS_PROFILE=dev \
    run aws-profile-after-env chain
AWS_PROFILE=dev run aws-profile chain
AWS_PROFILE=dev run option-beats-aws-profile chain -p cfgonly
run config-file-keys chain -p cfgonly
run profile-half chain -p half
run profile-missing chain -p nosuch
AWS_PROFILE=nosuch run aws-profile-missing chain
run profile-no-keys chain -p regiononly
AWS_SHARED_CREDENTIALS_FILE=$T/nowhere AWS_CONFIG_FILE=~/.aws/config \
    run files-from-env chain -p cfgonly
mkdir "$T/dir"
AWS_CONFIG_FILE=$T/dir run config-is-dir chain
printf '[default]\nthis line has no delimiter\n' >"$T/badcfg"
AWS_CONFIG_FILE=$T/badcfg run config-bad-line chain

# --- 3. Region.
run region-profile region
run region-option region -r ca-central-1
AWS_REGION=eu-north-1 AWS_DEFAULT_REGION=eu-south-1 run region-env region
AWS_DEFAULT_REGION=eu-south-1 run region-default-env region
run region-named-profile region -p cfgonly
AWS_PROFILE=regiononly run region-aws-profile region
run region-bad region -r 'EU WEST'
home noregion
run region-none region
run endpoint-default endpoint s3 eu-west-1
AWS_ENDPOINT_URL=http://127.0.0.1:1/ AWS_ENDPOINT_URL_S3=http://127.0.0.1:2 \
    run endpoint-s3 endpoint s3 eu-west-1
AWS_ENDPOINT_URL=http://127.0.0.1:1/ AWS_ENDPOINT_URL_S3=http://127.0.0.1:2 \
    run endpoint-sns endpoint sns eu-west-1

# --- 4. credential_process, run without a shell.
home process
cat >"$T/helper" <<'EOF'
#!/bin/sh
# $1: what to do; the rest is echoed into the key id to show the argv.
case $1 in
ok)	shift
	id=$(echo "$@" | tr -dc 'A-Za-z0-9')
	printf '{"Version": 1, "AccessKeyId": "AKIDPROC%s",' "$id"
	printf ' "SecretAccessKey": "procsekrit", "SessionToken": "proctokval",'
	printf ' "Expiration": "2099-01-01T00:00:00Z"}\n' ;;
fail)	echo "helper: no session" >&2; exit 3 ;;
v2)	echo '{"Version": 2, "AccessKeyId": "A",'
	echo ' "SecretAccessKey": "procsekrit"}' ;;
junk)	echo 'procsekrit is not JSON' ;;
big)	head -c 100000 /dev/zero | tr '\0' x ;;
slow)	exec sleep 10 ;;
esac
EOF
chmod +x "$T/helper"
cat >"$HOME/.aws/config" <<EOF
[default]
credential_process = $T/helper ok 'a b' "c;d" \$HOME
[profile fail]
credential_process = $T/helper fail
[profile v2]
credential_process = $T/helper v2
[profile junk]
credential_process = $T/helper junk
[profile big]
credential_process = $T/helper big
[profile slow]
credential_process = $T/helper slow
[profile missing]
credential_process = $T/no-such-helper
[profile quote]
credential_process = $T/helper 'ok
[profile keysfirst]
credential_process = $T/helper ok
EOF
cat >"$HOME/.aws/credentials" <<'EOF'
[keysfirst]
aws_access_key_id = AKIDKEYSFIRST
aws_secret_access_key = keysfirstsekrit
EOF
run process-ok chain
run process-fail chain -p fail
run process-version chain -p v2
run process-junk chain -p junk
run process-big chain -p big
run process-slow chain -p slow -t 300
run process-missing chain -p missing
run process-quote chain -p quote
run process-after-keys chain -p keysfirst

# --- 5. AssumeRole with source_profile or credential_source.
home assume
cat >"$HOME/.aws/credentials" <<'EOF'
[base]
aws_access_key_id = AKIDBASE
aws_secret_access_key = basesekrit/key
[wrongkey]
aws_access_key_id = AKIDBASE
aws_secret_access_key = notthesekrit
[self]
aws_access_key_id = AKIDLOOP
aws_secret_access_key = loopsekrit
role_arn = arn:aws:iam::111111111111:role/Self
source_profile = self
EOF
cat >"$HOME/.aws/config" <<'EOF'
[profile audit]
role_arn = arn:aws:iam::111111111111:role/Audit
source_profile = base
role_session_name = audit-session
external_id = ext-123
duration_seconds = 900
region = eu-west-1
[profile chained]
role_arn = arn:aws:iam::222222222222:role/Chained
source_profile = audit
role_session_name = chained
[profile denied]
role_arn = arn:aws:iam::111111111111:role/denied
source_profile = base
[profile badsig]
role_arn = arn:aws:iam::111111111111:role/Audit
source_profile = wrongkey
[profile nosource]
role_arn = arn:aws:iam::111111111111:role/Audit
[profile both]
role_arn = arn:aws:iam::111111111111:role/Audit
source_profile = base
credential_source = Environment
[profile loop1]
role_arn = arn:aws:iam::111111111111:role/L1
source_profile = loop2
[profile loop2]
role_arn = arn:aws:iam::111111111111:role/L2
source_profile = loop1
[profile gone]
role_arn = arn:aws:iam::111111111111:role/Audit
source_profile = nosuch
[profile fromenv]
role_arn = arn:aws:iam::111111111111:role/FromEnv
credential_source = Environment
role_session_name = fromenv
[profile badsource]
role_arn = arn:aws:iam::111111111111:role/Audit
credential_source = Laptop
[profile mfa]
role_arn = arn:aws:iam::111111111111:role/Audit
source_profile = base
mfa_serial = arn:aws:iam::111111111111:mfa/me
[profile baddur]
role_arn = arn:aws:iam::111111111111:role/Audit
source_profile = base
duration_seconds = 60
EOF
run assume-role chain -p audit
run assume-role-chained chain -p chained
run assume-role-self chain -p self
run assume-role-denied chain -p denied
run assume-role-bad-signature chain -p badsig
run assume-role-no-source chain -p nosource
run assume-role-both chain -p both
run assume-role-loop chain -p loop1
run assume-role-source-missing chain -p gone
AWS_ACCESS_KEY_ID=AKIDBASE AWS_SECRET_ACCESS_KEY=basesekrit/key \
    AWS_SESSION_TOKEN=basetokval run assume-role-from-env chain -p fromenv
run assume-role-from-env-empty chain -p fromenv
run assume-role-bad-source chain -p badsource
run assume-role-mfa chain -p mfa
run assume-role-bad-duration chain -p baddur
AWS_ENDPOINT_URL_STS=http://127.0.0.1:9 run assume-role-sts-down chain \
    -p audit

# --- 6. Web identity.
home webid
printf 'webidtokval-jwt\n' >"$T/webtoken"
printf 'webidtokval-forged\n' >"$T/badtoken"
AWS_WEB_IDENTITY_TOKEN_FILE=$T/webtoken \
    AWS_ROLE_ARN=arn:aws:iam::111111111111:role/Web \
    AWS_ROLE_SESSION_NAME=pod-1 run web-identity chain
AWS_WEB_IDENTITY_TOKEN_FILE=$T/badtoken \
    AWS_ROLE_ARN=arn:aws:iam::111111111111:role/Web run web-identity-bad \
    chain
AWS_WEB_IDENTITY_TOKEN_FILE=$T/nosuchtoken \
    AWS_ROLE_ARN=arn:aws:iam::111111111111:role/Web \
    run web-identity-no-file chain
AWS_WEB_IDENTITY_TOKEN_FILE=$T/webtoken run web-identity-no-role chain
cat >"$HOME/.aws/config" <<EOF
[profile web]
role_arn = arn:aws:iam::111111111111:role/WebProfile
web_identity_token_file = $T/webtoken
EOF
run web-identity-profile chain -p web

# --- 7. Container credentials.
home container
AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/ecs/creds/3600 \
    AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer ecstokval-auth" \
    run container-relative chain -c "$EP"
AWS_CONTAINER_CREDENTIALS_FULL_URI=$EP/ecs/creds/3600 \
    AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer ecstokval-auth" \
    run container-full chain
printf 'Bearer ecstokval-auth\n' >"$T/ecstoken"
AWS_CONTAINER_CREDENTIALS_FULL_URI=$EP/ecs/creds/3600 \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$T/ecstoken \
    AWS_CONTAINER_AUTHORIZATION_TOKEN=ignored \
    run container-token-file chain
AWS_CONTAINER_CREDENTIALS_FULL_URI=$EP/ecs/creds/3600 \
    run container-no-token chain
AWS_CONTAINER_CREDENTIALS_FULL_URI=http://192.0.2.1/creds \
    run container-not-loopback chain
AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.x.invalid/creds \
    run container-127-name chain
AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:80@x.invalid/creds \
    run container-userinfo chain
AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envsekrit \
    AWS_CONTAINER_CREDENTIALS_FULL_URI=$EP/ecs/creds/3600 \
    run env-before-container chain

# --- 8. Instance metadata (IMDSv2).
home imds
AWS_EC2_METADATA_DISABLED= AWS_EC2_METADATA_SERVICE_ENDPOINT=$EP/ \
    run imds chain
run imds-disabled chain
AWS_EC2_METADATA_DISABLED=false \
    AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9 \
    run imds-unreachable chain

# --- 9. Refresh: credentials that expire within 5 minutes are fetched
# again on every get; those that expire later are not.
home refresh
AWS_CONTAINER_CREDENTIALS_FULL_URI=$EP/ecs/creds/240 \
    AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer ecstokval-auth" \
    run refresh-soon chain -n 3
AWS_CONTAINER_CREDENTIALS_FULL_URI=$EP/ecs/creds/3600 \
    AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer ecstokval-auth" \
    run refresh-later chain -n 3

# --- 10. The HTTP client: retries, their bound, what is never retried.
run http-flaky http "$EP/flaky/2/a"
run http-flaky-exhausted http -a 3 "$EP/flaky/9/b"
run http-throttled http -a 2 "$EP/throttle"
run http-retry-after http "$EP/retry-after"
run http-not-found http "$EP/nothing"
run http-reset http -a 2 "$EP/reset"
run http-refused http -a 2 http://127.0.0.1:9/
run http-scheme http ftp://127.0.0.1/

check_file cred-chain "$EXPECTED/cred-chain.out" "$OUT"

# What the server saw: sessions named, signatures checked, IMDSv2 token
# used.  The pid in the default session name is masked.
sed -e 's/ctaudit-[0-9][0-9]*/ctaudit-PID/' "$T/server.log" >"$T/server.out"
check_file cred-server "$EXPECTED/cred-server.out" "$T/server.out"

# No secret or token issued in this run may appear in any output.
if grep -n 'sekrit\|tokval' "$OUT"; then
	fail "a secret or token appears in the output"
fi

finish
