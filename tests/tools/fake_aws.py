#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Loopback stand-ins for the AWS endpoints the credential chain talks to.

Run with Debian's /usr/bin/python3 (botocore verifies SigV4).  Serves on
127.0.0.1, a free port written to --port-file, until killed:

  POST /                STS: AssumeRole (signature verified with botocore
                        against --key AKID=SECRET pairs; a RoleArn with
                        "denied" in it is refused) and
                        AssumeRoleWithWebIdentity (must be unsigned; the
                        token must be --web-token), XML as STS sends it
  GET /ecs/creds/SECS   container credentials expiring in SECS seconds;
                        with --ecs-auth, the Authorization header must match
  PUT /latest/api/token                       IMDSv2 token
  GET /latest/meta-data/iam/security-credentials/[ROLE]
                        IMDS; 401 without the token header
  GET /flaky/N/ID       503 the first N times for ID, then 200
  GET /throttle         400 with an STS Throttling error, always
  GET /retry-after      503 with Retry-After: 1 once, then 200
  GET /reset            closes the connection without an answer
  anything else         404

Every request is appended to --log as one line: "METHOD PATH NOTE".
Issued secrets contain "sekrit" and tokens "tokval", so that a test can
grep that none of them leaked into ctaudit's output.
"""

import argparse
import datetime
import os
import sys
import threading
from urllib.parse import parse_qs

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stubserver  # noqa: E402

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
IMDS_TOKEN = "imdstokval-0123456789"
ROLE = "ctaudit-role"


class State:
    def __init__(self, args):
        self.args = args
        self.keys = dict(k.split("=", 1) for k in args.key)
        self.lock = threading.Lock()
        self.counts = {}
        self.serial = 0

    def log(self, line):
        with self.lock:
            with open(self.args.log, "a", encoding="utf-8") as f:
                f.write(line + "\n")

    def bump(self, key):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            return self.counts[key]

    def next_serial(self):
        with self.lock:
            self.serial += 1
            return self.serial


def expiration(seconds):
    t = datetime.datetime.now(datetime.timezone.utc) + \
        datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def sts_error(code, message, kind="Sender"):
    return ('<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>%s</Type>\n'
            '    <Code>%s</Code>\n    <Message>%s</Message>\n  </Error>\n'
            '  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n'
            '</ErrorResponse>\n' % (STS_NS, kind, code, message))


def sts_ok(st, action, prefix, seconds):
    # What is issued can sign the next AssumeRole (chained roles).
    with st.lock:
        st.keys[prefix] = prefix + "sekrit/x+y"
    return ('<%sResponse xmlns="%s">\n  <%sResult>\n    <Credentials>\n'
            '      <AccessKeyId>%s</AccessKeyId>\n'
            '      <SecretAccessKey>%ssekrit/x+y</SecretAccessKey>\n'
            '      <SessionToken>%stokval//AQoDYXdzEPT==</SessionToken>\n'
            '      <Expiration>%s</Expiration>\n    </Credentials>\n'
            '    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:'
            'assumed-role/x/y</Arn></AssumedRoleUser>\n  </%sResult>\n'
            '</%sResponse>\n' % (action, STS_NS, action, prefix, prefix,
                                 prefix, expiration(seconds), action,
                                 action))


class Handler(stubserver.Handler):
    def do_POST(self):
        st = self.server.state
        body = self.body()
        if self.path != "/":
            st.log("POST %s 404" % self.path)
            return self.reply(404, "no such path")
        form = {k: v[0] for k, v in parse_qs(body.decode(),
                                              keep_blank_values=True).items()}
        action = form.get("Action", "")
        note = " ".join("%s=%s" % (k, form[k]) for k in
                        ("RoleArn", "RoleSessionName", "ExternalId",
                         "DurationSeconds") if k in form)
        if action == "AssumeRole":
            return self.assume_role(st, body, form, note)
        if action == "AssumeRoleWithWebIdentity":
            return self.web_identity(st, form, note)
        st.log("POST / %s unknown" % action)
        return self.reply(400, sts_error("InvalidAction", "no such action"),
                          "text/xml")

    def assume_role(self, st, body, form, note):
        import sigv4_botocore
        auth = self.headers.get("Authorization", "")
        akid = auth.partition("Credential=")[2].partition("/")[0]
        secret = st.keys.get(akid)
        token = self.headers.get("X-Amz-Security-Token")
        ok = False
        if secret is not None:
            url = "http://%s%s" % (self.headers["Host"], self.path)
            ok = sigv4_botocore.verify("POST", url, list(self.headers.items()),
                                       body, (akid, secret, token))[0]
        if not ok:
            st.log("POST / AssumeRole %s signature-refused" % note)
            return self.reply(403, sts_error(
                "SignatureDoesNotMatch", "The request signature we "
                "calculated does not match the signature you provided."),
                "text/xml")
        if "denied" in form.get("RoleArn", ""):
            st.log("POST / AssumeRole %s denied" % note)
            return self.reply(403, sts_error(
                "AccessDenied", "User: arn:aws:iam::123456789012:user/"
                "auditor is not authorized to perform: sts:AssumeRole on "
                "resource: %s" % form["RoleArn"]), "text/xml")
        st.log("POST / AssumeRole %s signed-by=%s%s" %
               (note, akid, " with-token" if token else ""))
        return self.reply(200, sts_ok(
            st, "AssumeRole", "ASIAASSUMED%04d" % st.next_serial(),
            st.args.expires), "text/xml")

    def web_identity(self, st, form, note):
        if "Authorization" in self.headers:
            st.log("POST / AssumeRoleWithWebIdentity %s signed" % note)
            return self.reply(400, sts_error("InvalidRequest", "signed"),
                              "text/xml")
        if form.get("WebIdentityToken") != st.args.web_token:
            st.log("POST / AssumeRoleWithWebIdentity %s bad-token" % note)
            return self.reply(400, sts_error(
                "InvalidIdentityToken", "Couldn't retrieve verification "
                "key from your identity provider"), "text/xml")
        st.log("POST / AssumeRoleWithWebIdentity %s" % note)
        return self.reply(200, sts_ok(
            st, "AssumeRoleWithWebIdentity", "ASIAWEBID%04d" % st.next_serial(),
            st.args.expires), "text/xml")

    def metadata_creds(self, prefix, seconds):
        return ('{\n  "Code" : "Success",\n  "LastUpdated" : "%s",\n'
                '  "Type" : "AWS-HMAC",\n  "AccessKeyId" : "%s",\n'
                '  "SecretAccessKey" : "%ssekrit",\n'
                '  "Token" : "%stokval==",\n  "Expiration" : "%s"\n}'
                % (expiration(0), prefix, prefix, prefix,
                   expiration(seconds)))

    def do_PUT(self):
        st = self.server.state
        self.body()
        if self.path == "/latest/api/token" and \
                self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            st.log("PUT %s ttl=%s" % (self.path, self.headers.get(
                "X-aws-ec2-metadata-token-ttl-seconds")))
            return self.reply(200, IMDS_TOKEN)
        st.log("PUT %s 400" % self.path)
        return self.reply(400, "missing ttl")

    def do_GET(self):
        st = self.server.state
        path = self.path
        parts = path.split("/")
        if path.startswith("/ecs/creds/"):
            if st.args.ecs_auth and \
                    self.headers.get("Authorization") != st.args.ecs_auth:
                st.log("GET %s 401" % path)
                return self.reply(401, '{"code":"AccessDenied","message":'
                                  '"bad authorization token"}',
                                  "application/json")
            n = st.next_serial()
            st.log("GET %s" % path)
            return self.reply(200, self.metadata_creds(
                "ASIAECS%04d" % n, int(parts[3])), "application/json")
        if path.startswith("/latest/meta-data/"):
            if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                st.log("GET %s 401" % path)
                return self.reply(401, "")
            st.log("GET %s with-token" % path)
            base = "/latest/meta-data/iam/security-credentials/"
            if path == base:
                return self.reply(200, ROLE)
            if path == base + ROLE:
                return self.reply(200, self.metadata_creds(
                    "ASIAIMDS%04d" % st.next_serial(), st.args.expires),
                    "text/plain")
            return self.reply(404, "")
        if len(parts) == 4 and parts[1] == "flaky":
            n = st.bump(path)
            st.log("GET %s try %d" % (path, n))
            if n <= int(parts[2]):
                return self.reply(503, "<Error><Code>SlowDown</Code>"
                                  "<Message>Reduce your request rate."
                                  "</Message></Error>", "application/xml")
            return self.reply(200, "ok after %d" % n,
                              headers=[("X-Test", " value ")])
        if path == "/throttle":
            st.log("GET %s" % path)
            return self.reply(400, sts_error("Throttling", "Rate exceeded"),
                              "text/xml")
        if path == "/retry-after":
            n = st.bump(path)
            st.log("GET %s try %d" % (path, n))
            if n == 1:
                return self.reply(503, "busy", headers=[("Retry-After", "1")])
            return self.reply(200, "ok after %d" % n)
        if path == "/reset":
            st.log("GET %s" % path)
            self.close_connection = True
            return None
        st.log("GET %s 404" % path)
        return self.reply(404, "<Error><Code>NoSuchKey</Code></Error>",
                          "application/xml")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--key", action="append", default=[])
    ap.add_argument("--expires", type=int, default=3600)
    ap.add_argument("--web-token", default="webidtokval-jwt")
    ap.add_argument("--ecs-auth")
    args = ap.parse_args()
    stubserver.serve(Handler, State(args), args.port_file)


if __name__ == "__main__":
    main()
