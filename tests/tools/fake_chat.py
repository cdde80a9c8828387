#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Loopback stand-ins for Slack and Discord incoming webhooks and the
Telegram Bot API, for tests/notify.sh.  Serves on 127.0.0.1, a free port
written to --port-file, until killed.

  POST /slack/PATH          PATH must be --slack: else 404 "no_service".
                            200 "ok"; 400 "invalid_blocks" when the text,
                            the header (150) or a section (3000) is over
                            its limit.
  POST /discord/PATH        PATH must be --discord: else 404 (Unknown
                            Webhook).  204; 400 (Invalid Form Body) when
                            content (2000), an embed's title (256) or
                            description (4096) is too long, or mentions
                            are not turned off.
  POST /botTOKEN/sendMessage  TOKEN must be --token: else 401.  chat_id
                            must be --chat, text at most 4096: else 400.
                            200 {"ok":true,...}.
Lengths are counted in UTF-16 code units, as the services count them.

Faults come from the JSON object in --ctl, its counters restarting when
the file changes: {"429": N} answers the first N requests to each
service (or {"429": {"slack": N, ...}}, N for one) with 429
(Retry-After: 1 for Slack and Discord; Telegram says retry_after in its
JSON only), {"status": S} answers every request with S.  {"echo": true}
answers 404 with an error that echoes the request path, as some servers
do, in each service's shape: after "pad" bytes of filler, percent-encoded
with "encode", then JSON-escaped with "escape" (what is not a letter, a
digit, '-', '_' or '.' as \\/ or \\u00XX, left in the text as written, so
that it survives the service's own JSON), cut at "cut" bytes when given.

Each request is appended to --log as a JSON object (service, status,
payload); --raw gets each as received.  "fake_chat.py show LOG" prints
the log for a golden file.
"""

import argparse
import json
import os
import urllib.parse
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stubserver  # noqa: E402


def units(s):
    return len(s.encode("utf-16-le")) // 2


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.ctlfile = stubserver.Control(args.ctl)
        self.counts = {}
        self.serial = 0

    def control(self):
        ctl, changed = self.ctlfile.read()
        if changed:
            self.counts = {}
        return ctl


def check_slack(p):
    if not isinstance(p.get("text"), str) or units(p["text"]) > 40000:
        return "text"
    for b in p.get("blocks", []):
        t = b["text"]["text"]
        if b["type"] == "header" and (units(t) > 150 or
                                      b["text"]["type"] != "plain_text"):
            return "header"
        if b["type"] == "section" and units(t) > 3000:
            return "section"
    return None


def check_discord(p):
    if units(p.get("content") or "") > 2000:
        return "content"
    for e in p.get("embeds", []):
        if units(e.get("title", "")) > 256 or \
                units(e.get("description", "")) > 4096:
            return "embed"
    if p.get("allowed_mentions") != {"parse": []}:
        return "allowed_mentions"
    return None


class Handler(stubserver.Handler):
    def do_POST(self):
        st = self.server.state
        body = self.body()
        with st.lock:
            with open(st.args.raw, "ab") as f:
                f.write(("POST %s\n" % self.path).encode())
                for name, value in self.headers.items():
                    f.write(("%s: %s\n" % (name, value)).encode())
                f.write(b"\n" + body + b"\n\n")
            ctl = st.control()
            service = self.path.split("/")[1]
            if service.startswith("bot"):
                service = "telegram"
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
            st.counts[service] = st.counts.get(service, 0) + 1
            status, out, ctype, headers = self.answer(
                st, ctl, service, payload, st.counts[service])
            with open(st.args.log, "a", encoding="utf-8") as f:
                f.write(json.dumps({"service": service, "status": status,
                                    "payload": payload},
                                   sort_keys=True) + "\n")
        self.reply(status, out, ctype, headers)

    def answer(self, st, ctl, service, p, n):
        a = st.args
        js = "application/json"
        if self.headers.get("Content-Type") != "application/json" or \
                not isinstance(p, dict):
            return 400, "invalid_payload", "text/plain", ()
        if ctl.get("echo"):
            return self.echo(ctl, service)
        limit = ctl.get("429", 0)
        if isinstance(limit, dict):
            limit = limit.get(service, 0)
        if n <= limit:
            if service == "telegram":
                return 429, json.dumps({
                    "ok": False, "error_code": 429, "description":
                    "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1}}), js, ()
            return 429, "rate_limited", "text/plain", [("Retry-After", "1")]
        status = ctl.get("status")
        if service == "slack":
            if self.path != "/slack/" + a.slack or status == 404:
                return 404, "no_service", "text/plain", ()
            if status:
                return status, "invalid_token", "text/plain", ()
            why = check_slack(p)
            if why:
                return 400, "invalid_blocks", "text/plain", ()
            return 200, "ok", "text/plain", ()
        if service == "discord":
            if self.path != "/discord/" + a.discord or status == 404:
                return 404, json.dumps({"message": "Unknown Webhook",
                                        "code": 10015}), js, ()
            if status:
                return status, json.dumps({"message": "Forbidden",
                                           "code": 0}), js, ()
            why = check_discord(p)
            if why:
                return 400, json.dumps({"message": "Invalid Form Body",
                                        "code": 50035}), js, ()
            return 204, "", js, ()
        if service == "telegram":
            if self.path != "/bot%s/sendMessage" % a.token:
                return 401, json.dumps({"ok": False, "error_code": 401,
                                        "description": "Unauthorized"}), \
                    js, ()
            if status:
                return status, json.dumps({
                    "ok": False, "error_code": status, "description":
                    "Forbidden: bot was blocked by the user"
                    if status == 403 else "Not Found"}), js, ()
            if str(p.get("chat_id")) != a.chat or \
                    units(p.get("text", "")) > 4096:
                return 400, json.dumps({
                    "ok": False, "error_code": 400, "description":
                    "Bad Request: message is too long"}), js, ()
            st.serial += 1
            return 200, json.dumps({"ok": True, "result": {
                "message_id": st.serial}}), js, ()
        return 404, "not found", "text/plain", ()

    def echo(self, ctl, service):
        path = self.path
        if ctl.get("encode"):
            path = urllib.parse.quote(path, safe="")
        if ctl.get("escape"):
            path = "".join(c if c.isalnum() or c in "-_." else
                           "\\/" if c == "/" else "\\u%04x" % ord(c)
                           for c in path)
        text = "x" * ctl.get("pad", 0) + "no route for POST " + path
        if "cut" in ctl:
            text = text[:ctl["cut"]]
        if service == "slack":
            return 404, text, "text/plain", ()
        if service == "discord":
            return 404, json.dumps({"message": text, "code": 0}), \
                "application/json", ()
        return 404, json.dumps({"ok": False, "error_code": 404,
                                "description": text}), \
            "application/json", ()


def show(path):
    with open(path, encoding="utf-8") as f:
        recs = [json.loads(line) for line in f]
    for n, r in enumerate(recs, 1):
        print("request %d: %s %d" % (n, r["service"], r["status"]))
        p = r["payload"] or {}
        for key in sorted(p):
            v = p[key]
            if key in ("blocks", "embeds"):
                for i, b in enumerate(v):
                    for k in sorted(b):
                        x = b[k]
                        if isinstance(x, dict):
                            x = x.get("text", x)
                        lines = str(x).split("\n")
                        print("  %s[%d].%s (%d): %s" % (
                            key, i, k, units(str(x)), lines[0]))
                        for line in lines[1:]:
                            print("    | %s" % line)
            else:
                lines = str(v).split("\n")
                print("  %s: %s" % (key, lines[0]))
                for line in lines[1:]:
                    print("    | %s" % line)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "show":
        show(sys.argv[2])
        return
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--raw", required=True)
    p.add_argument("--ctl", required=True)
    p.add_argument("--slack", required=True)
    p.add_argument("--discord", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--chat", required=True)
    args = p.parse_args()
    stubserver.serve(Handler, State(args), args.port_file)


if __name__ == "__main__":
    main()
