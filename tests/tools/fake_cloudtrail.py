#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A loopback CloudTrail for tests/verify.sh: ListPublicKeys only, in the
JSON 1.1 protocol, with every request's SigV4 signature checked by
botocore (sigv4_botocore.verify).  Run with Debian's /usr/bin/python3.

    fake_cloudtrail.py PORTFILE LOG KEYS AKID=SECRET

KEYS is the output of `aws cloudtrail list-public-keys` (the CLI's
shape, RFC 3339 times); the answer has the service's own shape (times in
epoch seconds) and one key per page, so that NextToken is followed.  LOG
gets one line per request: the region and service of the credential
scope, the target, the body and "ok" or "refused".
"""

import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stubserver  # noqa: E402

TARGET = ("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
          "ListPublicKeys")


def seconds(text):
    return datetime.datetime.fromisoformat(text).timestamp()


class Handler(stubserver.Handler):
    ctype = "application/x-amz-json-1.1"

    def do_POST(self):
        import sigv4_botocore
        args = self.server.state
        body = self.body()
        url = "http://%s%s" % (self.headers["Host"], self.path)
        akid, secret = args["key"].split("=", 1)
        ok = sigv4_botocore.verify("POST", url, list(self.headers.items()),
                                   body, (akid, secret, None))[0]
        scope = self.headers.get("Authorization", "") \
            .partition("Credential=")[2].partition(",")[0].split("/")
        if len(scope) != 5 or scope[3] != "cloudtrail":
            ok = False
        target = self.headers.get("X-Amz-Target", "")
        ctype = self.headers.get("Content-Type", "")
        args["log"].line("%s %s %s %s %s" % (
            scope[2] if len(scope) == 5 else "-",
            scope[3] if len(scope) == 5 else "-", target,
            body.decode("utf-8", "replace"), "ok" if ok else "refused"))
        if not ok:
            return self.reply(400, json.dumps({
                "__type": "InvalidSignatureException",
                "message": "The request signature we calculated does not "
                "match the signature you provided."}))
        if target != TARGET or ctype != "application/x-amz-json-1.1":
            return self.reply(400, json.dumps({
                "__type": "UnknownOperationException"}))
        req = json.loads(body or b"{}")
        keys = args["keys"]
        i = int(req.get("NextToken", "0"))
        page = {"PublicKeyList": keys[i:i + 1]}
        if i + 1 < len(keys):
            page["NextToken"] = str(i + 1)
        return self.reply(200, json.dumps(page))


def main():
    portfile, log, keys, key = sys.argv[1:5]
    with open(keys, encoding="utf-8") as f:
        cli = json.load(f)["PublicKeyList"]
    wire = []
    for k in cli:
        k = dict(k)
        for t in ("ValidityStartTime", "ValidityEndTime"):
            if t in k:
                k[t] = seconds(k[t])
        wire.append(k)
    stubserver.serve(Handler, {"key": key, "keys": wire,
                               "log": stubserver.Log(log)}, portfile)


if __name__ == "__main__":
    main()
