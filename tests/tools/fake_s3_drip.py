#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A loopback S3 that drips, for tests/deadline.sh: one bucket holding one
CloudTrail key, whose listing (--drip list) or object (--drip object)
is sent a byte every --every seconds after the headers, as a server that
keeps a transfer alive forever would.  Signatures are not checked
(s3_proxy.py does that for tests/s3.sh).  Serves on 127.0.0.1, a free
port written to --port-file, until killed.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stubserver  # noqa: E402

KEY = ("AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/12/"
       "111122223333_CloudTrail_us-east-1_20240312T0000Z_"
       "dripdripdripdrip.json.gz")
BODY = b'{"Records":[]}'


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

    def do_GET(self):
        st = self.server.state
        if "list-type=2" in self.path:
            data = ("<ListBucketResult><IsTruncated>false</IsTruncated>"
                    "<Contents><Key>%s</Key><Size>%d</Size><ETag>\"e\""
                    "</ETag></Contents></ListBucketResult>"
                    % (KEY, len(BODY))).encode()
            if st.drip == "list":
                return self.drip(data, "application/xml")
            return self.reply(200, data, "application/xml")
        if st.drip == "object":
            return self.drip(BODY, "application/octet-stream")
        return self.reply(200, BODY, "application/octet-stream",
                          [("ETag", '"e"')])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--drip", choices=("list", "object"), required=True)
    p.add_argument("--every", type=float, default=0.5)
    args = p.parse_args()
    stubserver.serve(Handler, args, args.port_file)


if __name__ == "__main__":
    main()
