# --notify slack, discord and telegram against tests/tools/fake_chat.py,
# loopback stand-ins that check each service's payload limits.  The
# payloads are compared with tests/expected/notify-publish, -digest,
# -long and -dryrun; each case's status and errors with notify-cases.
# The webhook URLs and the bot token are secrets: no byte ctaudit writes
# may hold one.
. "$TOP_SRCDIR/tests/setup"

TOOLS=$TOP_SRCDIR/tests/tools
PY=/usr/bin/python3
if [ ! -x "$PY" ]; then
	echo "skip: $PY not found"
	exit 77
fi
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
    no_proxy NO_PROXY CTAUDIT_SLACK_WEBHOOK_URL CTAUDIT_DISCORD_WEBHOOK_URL \
    CTAUDIT_TELEGRAM_BOT_TOKEN CTAUDIT_TELEGRAM_CHAT_ID \
    CTAUDIT_TELEGRAM_API_URL 2>/dev/null || true

SLACK_PATH=T0000SEKRIT/B0000SEKRIT/slackhooksekrit0123456789
DISCORD_PATH=1234567890/discordhooksekrit-abcdefghijklmnop
TOKEN=123456789:AAtelegramsekrit_tokenABCDEFGHIJKLMN
CHAT=-1001234567890
printf '{}\n' >"$T/ctl"
serve "$T/port" "$PY" "$TOOLS/fake_chat.py" --port-file "$T/port" \
    --log "$T/log" \
    --raw "$T/raw" --ctl "$T/ctl" --slack "$SLACK_PATH" \
    --discord "$DISCORD_PATH" --token "$TOKEN" --chat "$CHAT"
BASE=http://127.0.0.1:$PORT
SLACK_URL=$BASE/slack/$SLACK_PATH
DISCORD_URL=$BASE/discord/$DISCORD_PATH
export CTAUDIT_SLACK_WEBHOOK_URL="$SLACK_URL"
printf '%s\n' "$DISCORD_URL" >"$T/discord-url"
export CTAUDIT_TELEGRAM_BOT_TOKEN="$TOKEN" CTAUDIT_TELEGRAM_CHAT_ID="$CHAT"
export CTAUDIT_TELEGRAM_API_URL="$BASE"

VERSION=$("$CTAUDIT" -V | sed 's/^ctaudit //')
# Relative names, so that the origins in the messages (and the lengths
# they count) do not depend on where the source tree is.
cd "$TESTDATA/sns"
RULES=.
EVENTS=events.json
ALL="--notify slack --notify discord:file=$T/discord-url --notify telegram"
OUT=$T/transcript
: >"$OUT"

mask() {
	sed -e "s/ctaudit $VERSION/ctaudit VERSION/g" -e "s|$T|TMP|g" \
	    -e "s|$TESTDATA|TESTDATA|g" \
	    -e 's/after [0-9]* ms:/after N ms:/'
}

# run NAME CTL ARGS...: one case; status and stderr to the transcript.
run() {
	name=$1
	printf '{"case":"%s"%s}\n' "$name" "$2" >"$T/ctl"
	shift 2
	: >"$T/log"
	st=0
	ctaudit -f json -r "$RULES" "$@" >"$T/$name.out" 2>"$T/$name.err" ||
	    st=$?
	cat "$T/$name.out" "$T/$name.err" >>"$T/everything"
	{
		echo "== $name: exit $st"
		mask <"$T/$name.err"
	} >>"$OUT"
}
show() {
	"$PY" "$TOOLS/fake_chat.py" show "$T/log" | mask
}

# Two findings to each service.
# shellcheck disable=SC2086
run publish '' $ALL "$EVENTS"
check_status publish 1 "$st"
show >"$T/publish"
check_file publish "$EXPECTED/notify-publish" "$T/publish"
grep '^request' "$T/publish" >>"$OUT"

# 429s: Retry-After (Slack, Discord) and retry_after (Telegram, which
# outlasts the HTTP client's own retries) obeyed.
# shellcheck disable=SC2086
run rate-limited ',"429":{"slack":1,"discord":2,"telegram":5}' $ALL \
    --min-level high "$EVENTS"
check_status rate-limited 1 "$st"
show | grep '^request' >>"$OUT"

# One digest each past the threshold.
# shellcheck disable=SC2086
run digest '' $ALL --digest-threshold 1 "$EVENTS"
check_status digest 1 "$st"
show >"$T/digest"
check_file digest "$EXPECTED/notify-digest" "$T/digest"

# A finding too long for any chat: cut to each service's limit.
"$PY" - "$T/long.json" <<'EOF'
import json, sys
big = "long \u00e9\U0001f600 " * 30000
rec = {"eventVersion": "1.08", "eventTime": "2026-11-03T09:00:00Z",
       "eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging",
       "awsRegion": "eu-west-1", "recipientAccountId": "444455556666",
       "userIdentity": {"type": "IAMUser", "arn": big},
       "sourceIPAddress": big, "userAgent": big, "errorCode": big,
       "errorMessage": big, "eventID": "cccccccc-0000-4000-8000-000000000001"}
with open(sys.argv[1], "w") as f:
    json.dump({"Records": [rec]}, f)
EOF
# shellcheck disable=SC2086
run long '' $ALL "$T/long.json"
check_status long 1 "$st"
show >"$T/long"
check_file long "$EXPECTED/notify-long" "$T/long"

# Failures name the sink, never the URL; the status is 4.
# shellcheck disable=SC2086
run gone ',"status":404' $ALL "$EVENTS"
check_status gone 4 "$st"
show | grep '^request' >>"$OUT"
# shellcheck disable=SC2086
run rate-limited-out ',"429":99' --notify telegram --min-level high "$EVENTS"
check_status rate-limited-out 4 "$st"
(
	CTAUDIT_TELEGRAM_BOT_TOKEN=123456789:AAwrongtoken
	run bad-token '' --notify telegram "$EVENTS"
	echo "$st" >"$T/st"
)
check_status bad-token 4 "$(cat "$T/st")"

# A server that echoes the request path into its error: no secret, and
# no piece of one of 8 bytes or more, reaches stderr, whole,
# percent-encoded, cut by the server 7 or 8 bytes into the path, or cut
# by ctaudit's 200-byte limit 10 or 7 bytes into it; nor JSON-escaped
# (\/ and \u003a kept as text through the service's JSON), alone, after
# percent-encoding, or cut at an odd length inside the token's escape or
# inside its text.
OUT=$T/echo
: >"$OUT"
n=0
for c in '' ',"encode":true' ',"cut":25' ',"cut":26' ',"pad":172' \
    ',"pad":175' ',"escape":true' ',"escape":true,"encode":true' \
    ',"escape":true,"cut":37' ',"escape":true,"encode":true,"cut":51' \
    ',"escape":true,"cut":59'; do
	n=$((n + 1))
	echo "== echo-$n: $c" >>"$OUT"
	# shellcheck disable=SC2086
	run "echo-$n" ',"echo":true'"$c" $ALL --min-level high "$EVENTS"
	check_status "echo-$n" 4 "$st"
done
check_file echo "$EXPECTED/notify-echo" "$OUT"
# No 8-byte piece of a path or the token, as sent, in what any server
# said (the sink's name, "telegram", is one of the token's pieces).
sed -n 's/.*: HTTP 404: //p' "$T"/echo-*.err >"$T/echo-said"
[ "$(wc -l <"$T/echo-said")" -eq $((n * 3)) ] ||
    fail "echo: not every server's complaint was shown"
for s in "$SLACK_PATH" "$DISCORD_PATH" "$TOKEN"; do
	i=0
	while [ $((i + 8)) -le ${#s} ]; do
		piece=$(printf '%s' "$s" | cut -c $((i + 1))-$((i + 8)))
		if grep -qF -- "$piece" "$T/echo-said"; then
			fail "echo: a piece of a secret was printed: $piece"
		fi
		i=$((i + 1))
	done
done
OUT=$T/transcript

# Configuration errors stop the run before it starts.
(
	unset CTAUDIT_SLACK_WEBHOOK_URL
	run no-url '' --notify slack "$EVENTS"
	echo "$st" >"$T/st"
)
check_status no-url 3 "$(cat "$T/st")"
(
	CTAUDIT_SLACK_WEBHOOK_URL=http://hooks.example.com/$SLACK_PATH
	run cleartext '' --notify slack "$EVENTS"
	echo "$st" >"$T/st"
)
check_status cleartext 3 "$(cat "$T/st")"
# Userinfo that looks like a loopback host is not one: the real host
# is judged (nothing is sent; .invalid never resolves).
for u in "http://127.0.0.1:80@x.invalid/$DISCORD_PATH" \
    "http://localhost:x@x.invalid/$DISCORD_PATH" \
    "http://127.x.invalid/$DISCORD_PATH"; do
	printf '%s\n' "$u" >"$T/userinfo-url"
	run userinfo '' --notify "discord:file=$T/userinfo-url" "$EVENTS"
	check_status "userinfo $u" 3 "$st"
done
(
	CTAUDIT_TELEGRAM_API_URL=http://[::1]:1@x.invalid
	run userinfo-telegram '' --notify telegram "$EVENTS"
	echo "$st" >"$T/st"
)
check_status userinfo-telegram 3 "$(cat "$T/st")"
run no-file '' --notify "slack:file=$T/missing" "$EVENTS"
check_status no-file 3 "$st"
: >"$T/empty"
run empty-file '' --notify "slack:file=$T/empty" "$EVENTS"
check_status empty-file 3 "$st"
run bad-option '' --notify slack:channel=x "$EVENTS"
check_status bad-option 3 "$st"
# A webhook URL or a bot token on the command line is refused unseen.
run url-option '' --notify \
    slack:https://hooks.slack.com/services/T0/B0/SECRETURLPART "$EVENTS"
check_status url-option 3 "$st"
run token-option '' --notify telegram:chat=1,123456:SECRETTOKENPART "$EVENTS"
check_status token-option 3 "$st"
if grep -q 'SECRET[A-Z]*PART' "$T/url-option.err" "$T/token-option.err"; then
	fail "a webhook URL or token on the command line was printed"
fi
run unknown '' --notify pager "$EVENTS"
check_status unknown 3 "$st"
(
	unset CTAUDIT_TELEGRAM_CHAT_ID
	run no-chat '' --notify telegram "$EVENTS"
	echo "$st" >"$T/st"
)
check_status no-chat 3 "$(cat "$T/st")"

# --dry-run: the payloads on stderr, nothing sent, no secret needed.
(
	unset CTAUDIT_SLACK_WEBHOOK_URL CTAUDIT_TELEGRAM_BOT_TOKEN
	# shellcheck disable=SC2086
	run dryrun '' $ALL --min-level high --dry-run "$EVENTS"
	echo "$st" >"$T/st"
)
check_status dryrun 1 "$(cat "$T/st")"
[ -s "$T/log" ] && fail "dryrun: a request was sent"
mask <"$T/dryrun.err" >"$T/dryrun"
check_file dryrun "$EXPECTED/notify-dryrun" "$T/dryrun"

mask <"$OUT" >"$T/cases"
check_file cases "$EXPECTED/notify-cases" "$T/cases"

for s in "$SLACK_URL" "$DISCORD_URL" "$TOKEN" "$SLACK_PATH" \
    "$DISCORD_PATH" sekrit; do
	if grep -qF "$s" "$T/everything"; then
		fail "a secret was printed: $s"
	fi
done
finish
