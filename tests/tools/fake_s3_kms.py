#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A loopback S3 whose objects are SSE-KMS encrypted with a key the
caller may not use, for tests/forms-s3.sh: a listing names the key asked
for, and a GET of it is refused with 403 AccessDenied, as S3 refuses an
object when the caller has s3:GetObject but not kms:Decrypt on its key.
The message is S3's for that case ("... is not authorized to perform:
kms:Decrypt on resource: KEY-ARN because no identity-based policy allows
the kms:Decrypt action"), or S3's bare "Access Denied" for a key with
"plain" in its name, as older answers and cross-account denials read.
Signatures are not checked.  Serves on 127.0.0.1, a free port written to
--port-file, until killed.
"""

import argparse
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stubserver  # noqa: E402

KMS = ("User: arn:aws:iam::111122223333:user/auditor is not authorized to "
       "perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:"
       "111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab because no "
       "identity-based policy allows the kms:Decrypt action")


class Handler(stubserver.Handler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        if "list-type" in q:
            key = q.get("prefix", [""])[0]
            data = ("<ListBucketResult><IsTruncated>false</IsTruncated>"
                    "<Contents><Key>%s</Key><Size>100</Size><ETag>\"e\""
                    "</ETag></Contents></ListBucketResult>" % key).encode()
            return self.reply(200, data, "application/xml")
        msg = "Access Denied" if "plain" in url.path else KMS
        data = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
                "AccessDenied</Code><Message>%s</Message><RequestId>"
                "4442587FB7D0A2F9</RequestId><HostId>aG9zdA==</HostId>"
                "</Error>" % msg).encode()
        return self.reply(403, data, "application/xml")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    args = p.parse_args()
    stubserver.serve(Handler, args, args.port_file)


if __name__ == "__main__":
    main()
