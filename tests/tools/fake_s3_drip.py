#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A loopback S3 that drips, for tests/deadline.sh: one bucket holding
--keys CloudTrail keys (one by default), whose listing (--drip list),
objects (--drip object) or STS answer (--drip sts, for
AssumeRoleWithWebIdentity posted to the same endpoint) is sent a byte
every --every seconds after the headers, as a server that keeps a
transfer alive forever would.  With more than one key each object is
padded to 4 KiB, so that reading one whole takes far longer than a test
may.  --drip sns answers every POST with an SNS PublishResponse, and
--drip chat with a chat webhook's "ok", each padded to 4 KiB and
dripped.  Signatures are not checked (s3_proxy.py does that for
tests/s3.sh).  Serves on 127.0.0.1, a free port written to --port-file,
until killed.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stubserver  # noqa: E402

DIR = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/12/"
KEY = ("111122223333_CloudTrail_us-east-1_20240312T0000Z_"
       "dripdripdripdrip.json.gz")
BODY = b'{"Records":[]}'


def key(i):
    """The i-th key: the one of the single-key bucket first."""
    if i == 0:
        return DIR + KEY
    return DIR + ("111122223333_CloudTrail_us-east-1_20240312T%02d00Z_"
                  "dripdripdripdri%d.json.gz" % (i, i))


class Handler(stubserver.Handler):
    def drip(self, data, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", '"e"')
        self.end_headers()
        try:
            for i in range(len(data)):
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(self.server.state.every)
        except OSError:
            self.close_connection = True

    def body_bytes(self):
        st = self.server.state
        return BODY if st.keys == 1 else BODY + b" " * (4096 - len(BODY))

    def do_GET(self):
        st = self.server.state
        body = self.body_bytes()
        if "list-type=2" in self.path:
            data = "<ListBucketResult><IsTruncated>false</IsTruncated>"
            for i in range(st.keys):
                data += ("<Contents><Key>%s</Key><Size>%d</Size><ETag>\"e\""
                         "</ETag></Contents>" % (key(i), len(body)))
            data = (data + "</ListBucketResult>").encode()
            if st.drip == "list":
                return self.drip(data, "application/xml")
            return self.reply(200, data, "application/xml")
        if st.drip == "object":
            return self.drip(body, "application/octet-stream")
        return self.reply(200, body, "application/octet-stream",
                          [("ETag", '"e"')])

    def do_POST(self):
        self.body()
        st = self.server.state
        if st.drip == "sns":
            data = ("<PublishResponse><PublishResult><MessageId>drip"
                    "</MessageId></PublishResult></PublishResponse>")
            return self.drip(data.encode().ljust(4096), "text/xml")
        if st.drip == "chat":
            return self.drip(b"ok".ljust(4096), "text/plain")
        data = ("<AssumeRoleWithWebIdentityResponse>"
                "<AssumeRoleWithWebIdentityResult><Credentials>"
                "<AccessKeyId>AKIDDRIPSTS</AccessKeyId>"
                "<SecretAccessKey>dripstssekrit</SecretAccessKey>"
                "<SessionToken>dripststoken</SessionToken>"
                "<Expiration>2099-01-01T00:00:00Z</Expiration>"
                "</Credentials></AssumeRoleWithWebIdentityResult>"
                "</AssumeRoleWithWebIdentityResponse>").encode()
        if self.server.state.drip == "sts":
            return self.drip(data, "text/xml")
        return self.reply(200, data, "text/xml")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--drip", choices=("list", "object", "sts", "sns",
                                      "chat"),
                   required=True)
    p.add_argument("--every", type=float, default=0.5)
    p.add_argument("--keys", type=int, default=1)
    args = p.parse_args()
    stubserver.serve(Handler, args, args.port_file)


if __name__ == "__main__":
    main()
