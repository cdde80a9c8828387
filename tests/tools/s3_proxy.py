#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A loopback proxy in front of s3rver for tests/s3.sh.

s3rver does not verify SigV4 signatures, so this proxy does it for every
request with botocore (tests/tools/sigv4_botocore.py) and answers a wrong
one with 403 SignatureDoesNotMatch.  It logs each request it forwards, one
line "METHOD PATH?QUERY STATUS", to the log file, and injects faults on
request.  Run with Debian's /usr/bin/python3 (python3-botocore):

    s3_proxy.py UPSTREAM_PORT PORTFILE LOGFILE

It listens on an ephemeral port of 127.0.0.1 and writes it to PORTFILE.
Faults are set through the proxy itself (never logged):

    GET /__ctl/reset                      forget every fault, empty the log
    GET /__ctl/fault?kind=K&match=S&count=N
        K is one of
          slowdown  503 SlowDown for the next N requests whose path
                    contains S
          reset     send half of the body of the next N GETs whose path
                    contains S, then reset the connection
          slow      send the body of matching GETs in small pieces
          drip      send the body of the next N GETs whose path contains S
                    a byte every half second (a server that keeps a
                    transfer alive forever)
          deny      403 AccessDenied for every matching request
          expired   400 ExpiredToken for every matching request
          region    301 PermanentRedirect with x-amz-bucket-region: S for
                    every request signed for another region
          stray     add a key VALUEx.json.gz and a common prefix VALUE/ to
                    the listings whose path contains S (&value=VALUE):
                    names a server should never return below a prefix
"""

import http.client
import socket
import struct
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import sigv4_botocore  # noqa: E402
import stubserver  # noqa: E402

CREDS = ("S3RVER", "S3RVER", None)
HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection"}

lock = threading.Lock()
faults = []
log_path = None
upstream = None


def error_xml(code, message, extra=""):
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s"
            "</Code><Message>%s</Message>%s<RequestId>0</RequestId></Error>"
            % (code, message, extra)).encode()


def take_fault(path, method):
    with lock:
        for f in faults:
            if f["match"] not in path:
                continue
            if (f["kind"] in ("reset", "slow", "drip", "stray") and
                    method != "GET"):
                continue
            if f["count"] == 0:
                continue
            if f["count"] > 0:
                f["count"] -= 1
            return dict(f)
    return None


class Handler(stubserver.Handler):
    ctype = "application/xml"

    def log_request_line(self, status):
        with lock, open(log_path, "a") as f:
            f.write("%s %s %d\n" % (self.command, self.path, status))

    def reply(self, status, body, headers=()):
        super().reply(status, body, None, headers)
        self.log_request_line(status)

    def control(self):
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        with lock:
            if url.path == "/__ctl/reset":
                faults.clear()
                open(log_path, "w").close()
            elif url.path == "/__ctl/fault":
                faults.append(dict(kind=q["kind"], match=q.get("match", ""),
                                   count=int(q.get("count", "-1")),
                                   value=q.get("value", "")))
        stubserver.Handler.reply(self, 200, b"ok\n", "text/plain")

    def handle_any(self):
        if self.path.startswith("/__ctl/"):
            return self.control()
        n = int(self.headers.get("Content-Length", "0") or "0")
        body = self.rfile.read(n) if n else b""
        headers = list(self.headers.items())
        url = "http://%s%s" % (self.headers.get("Host", ""), self.path)
        ok, _, _ = sigv4_botocore.verify(self.command, url, headers, body,
                                         CREDS)
        if not ok:
            return self.reply(403, error_xml(
                "SignatureDoesNotMatch", "The request signature we "
                "calculated does not match the signature you provided."))
        fault = take_fault(self.path, self.command)
        if fault is not None:
            kind = fault["kind"]
            if kind == "slowdown":
                return self.reply(503, error_xml(
                    "SlowDown", "Please reduce your request rate."),
                    [("Retry-After", "0")])
            if kind == "deny":
                return self.reply(403, error_xml("AccessDenied",
                                                 "Access Denied"))
            if kind == "expired":
                return self.reply(400, error_xml(
                    "ExpiredToken", "The provided token has expired."))
            if kind == "region":
                auth = self.headers.get("Authorization", "")
                if "/%s/s3/" % fault["match"] not in auth:
                    return self.reply(301, error_xml(
                        "PermanentRedirect", "The bucket you are "
                        "attempting to access must be addressed using the "
                        "specified endpoint."),
                        [("x-amz-bucket-region", fault["match"])])
                fault = None
        self.forward(body, fault)

    def forward(self, body, fault):
        conn = http.client.HTTPConnection("127.0.0.1", upstream, timeout=30)
        hdrs = {k: v for k, v in self.headers.items()
                if k.lower() not in HOP}
        conn.request(self.command, self.path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        kind = fault["kind"] if fault else None
        if kind == "stray" and b"</ListBucketResult>" in data:
            v = fault["value"]
            extra = ("<Contents><Key>%sx.json.gz</Key><LastModified>"
                     "2024-03-11T00:00:00.000Z</LastModified><ETag>"
                     "&quot;0&quot;</ETag><Size>1</Size><StorageClass>"
                     "STANDARD</StorageClass></Contents><CommonPrefixes>"
                     "<Prefix>%s/</Prefix></CommonPrefixes>" % (v, v))
            data = data.replace(b"</ListBucketResult>",
                                extra.encode() + b"</ListBucketResult>")
        self.send_response(resp.status)
        for name, value in resp.getheaders():
            if name.lower() not in HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.log_request_line(resp.status)
        if kind == "reset" and len(data) > 1:
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            # A reset drops what the client has not read yet: give it
            # time to read the half, or the resume would start at 0.
            time.sleep(0.5)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if kind == "drip":
            try:
                for i in range(len(data)):
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                self.close_connection = True
            return
        if kind == "slow":
            for i in range(0, len(data), 512):
                self.wfile.write(data[i:i + 512])
                self.wfile.flush()
                time.sleep(0.01)
            return
        self.wfile.write(data)

    do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = handle_any


def main(argv):
    global log_path, upstream
    if len(argv) != 4:
        sys.stderr.write("usage: s3_proxy.py UPSTREAM_PORT PORTFILE LOG\n")
        return 2
    upstream = int(argv[1])
    log_path = argv[3]
    open(log_path, "w").close()
    stubserver.serve(Handler, None, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
