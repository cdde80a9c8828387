# SPDX-License-Identifier: ISC
"""What the loopback stand-ins in tests/tools share (fake_aws.py,
fake_chat.py, fake_sns.py, s3_proxy.py): a threaded HTTP/1.1 server on
127.0.0.1 whose ephemeral port goes to a port file (written whole, then
renamed, so the test driver never reads half a number), a quiet handler
with one reply(), the fault-control file read at each request, and an
append-only log.  The servers run until killed.
"""

import http.server
import json
import os
import socketserver
import threading


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    ctype = "text/plain"

    def log_message(self, fmt, *args):
        pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, body, ctype=None, headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", ctype or self.ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class Control:
    """The JSON object in a control file, read again when it changes;
    changed tells the caller to restart its counters."""

    def __init__(self, path):
        self.path = path
        self.text = None
        self.ctl = {}

    def read(self):
        try:
            with open(self.path, encoding="utf-8") as f:
                text = f.read()
        except OSError:
            text = "{}"
        changed = text != self.text
        if changed:
            self.text = text
            self.ctl = json.loads(text or "{}")
        return self.ctl, changed


class Log:
    """Lines appended to a file, one writer at a time."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def line(self, text):
        with self.lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(text + "\n")

    def json(self, obj):
        self.line(json.dumps(obj, sort_keys=True))


def serve(handler, state, port_file):
    """Listen on an ephemeral port of 127.0.0.1, publish it, serve."""
    srv = Server(("127.0.0.1", 0), handler)
    srv.state = state
    tmp = port_file + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, port_file)
    srv.serve_forever()
